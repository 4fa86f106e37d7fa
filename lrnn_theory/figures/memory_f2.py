"""Figure memory-f2: input normalisation and the exp reparametrisation tame the curse (theory guide :ref:`memory-reparametrisation`; Zucchet & Orvieto (2024)).

Left: ``E[h²]`` with ``γ = sqrt(1-λ²)``; right: ``E[(∂_ω h)²]`` with ``γ`` (held
fixed) and the LRU parametrisation ``ν = exp(-e^ω)``; unnormalised curves in grey.
"""
from __future__ import annotations

import numpy as np

from ..memory import modulus_sensitivity, normalisation, stationary_moments
from ..plot import mode_colors, panel_grid
from ._memory import RHOS, label_memory_axis, memory_axis

TITLE = "Normalisation and reparametrisation: E[h²] with γ and E[(∂ω h)²] with γ + exp"


def compute(ctx) -> dict:
    x, lam = memory_axis(ctx.quick)
    lam = lam[1:]  # the exp parametrisation needs ν > 0
    x = x[1:]
    g = normalisation(lam)
    h2 = np.stack([stationary_moments(lam, r)[0] for r in RHOS])
    d2 = np.stack([stationary_moments(lam, r)[1] for r in RHOS])
    return {"x": x, "lam": lam, "rho": RHOS, "h2": h2, "d2": d2, "h2_normalised": h2 * g ** 2,
            "d_omega2_normalised_exp": np.stack([modulus_sensitivity(lam, r, "exp", "fixed") for r in RHOS])}


def draw(data: dict):
    fig, axes = panel_grid(1, 2, width=4.0, height=3.0)
    a, b = axes[0]
    for i, (r, col) in enumerate(zip(data["rho"], mode_colors(len(data["rho"]), "plasma"))):
        a.plot(data["x"], data["h2"][i], color="0.75", linewidth=0.8)
        b.plot(data["x"], data["d2"][i], color="0.75", linewidth=0.8)
        a.plot(data["x"], data["h2_normalised"][i], color=col, label=f"ρ = {r:g}")
        b.plot(data["x"], data["d_omega2_normalised_exp"][i], color=col)
    for ax, lab in ((a, "E[h²]  (γ; grey: none)"), (b, "E[(∂ω h)²]  (γ + exp; grey: ∂λ, none)")):
        ax.set_yscale("log")
        ax.set_ylabel(lab)
        label_memory_axis(ax)
    a.legend(fontsize=6, frameon=False)
    return fig
