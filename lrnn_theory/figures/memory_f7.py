"""Figure memory-f7: the sensitivity kernel ``|S(λ, λ_0; ρ)|`` over the complex plane (theory guide :ref:`memory-moments`, :ref:`memory-multidim`; Zucchet & Orvieto (2024)).

``λ_0 = 0.99 e^{iπ/4}``; ``ρ ∈ {0, 0.9, 0.99}``.  Large values near ``λ_0`` and its
conjugate (and, for correlated inputs, near the positive real axis) are the
entries that dominate the diagonal Hessian of :ref:`memory-multidim`.
"""
from __future__ import annotations

import numpy as np

from ..memory import sensitivity_kernel
from ..plot import field_map, panel_grid

TITLE = "Sensitivity kernel |S(λ, λ0; ρ)| over the complex plane, λ0 = 0.99 e^{iπ/4}"
LAM0 = 0.99 * np.exp(1j * np.pi / 4)
RHOS = (0.0, 0.9, 0.99)


def compute(ctx) -> dict:
    n = 121 if ctx.quick else 241  # a 241² map resolves the kernel at the size it is drawn
    re = np.linspace(-1.0, 1.0, n)
    im = np.linspace(-1.0, 1.0, n)
    lam = re[None, :] + 1j * im[:, None]
    inside = np.abs(lam) < 0.999
    maps = []
    for r in RHOS:
        s = np.full(lam.shape, np.nan)
        s[inside] = np.abs(sensitivity_kernel(lam[inside], LAM0, r))
        maps.append(s)
    return {"re": re, "im": im, "rho": RHOS, "lam0": [LAM0.real, LAM0.imag], "abs_S": np.stack(maps)}


def draw(data: dict):
    fig, axes = panel_grid(1, 3, width=4.0, height=3.4)
    for ax, r, s in zip(axes.ravel(), data["rho"], data["abs_S"]):
        field_map(ax, s, data["re"], data["im"], label="|S(λ, λ0)|")
        ax.plot(*data["lam0"], "c+", markersize=8)
        ax.plot(data["lam0"][0], -data["lam0"][1], "cx", markersize=6)
        ax.set_aspect("equal")
        ax.set_title(f"ρ = {r:g}")
        ax.set_xlabel("Re λ")
        ax.set_ylabel("Im λ")
    return fig
