"""Figure memory-f4: Adam on the ``(ω_ν, ω_θ)`` loss surface for three parametrisations (theory guide :ref:`memory-reparametrisation`, :ref:`memory-teacher-student`; Zucchet & Orvieto (2024)).

``λ_0 = 0.99 e^{iπ/4}``, teacher ``λ* = 0.99 e^{iπ/100}``, Adam with learning rate
``10⁻³`` for ``5·10⁴`` steps (``5·10³`` in quick mode) on the closed-form
``γ``-normalised loss; the trajectory is drawn over the loss surface.
"""
from __future__ import annotations

import numpy as np

from ..memory import Parametrisation, loss_in_omega, train_lambda
from ..optim import Adam
from ..plot import field_map, panel_grid
from ._memory import PARAMETRISATION_ROWS

TITLE = "Adam trajectories on the (ω_ν, ω_θ) loss surface: direct, exp, tanh + ν-scaled"
LAM0 = 0.99 * np.exp(1j * np.pi / 4)
LAM_STAR = 0.99 * np.exp(1j * np.pi / 100)


def compute(ctx) -> dict:
    """The numbers figure ``memory-f4`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f4.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``lam0``, ``lam_star``, ``lr``, ``steps``, ``panels``.
    """
    steps = 5_000 if ctx.quick else 50_000
    n = 81 if ctx.quick else 241
    panels = []
    for label, modulus, phase in PARAMETRISATION_ROWS:
        param = Parametrisation(modulus, phase, normalised=True)
        run = train_lambda(LAM_STAR, LAM0, Adam(1e-3), parametrisation=param, steps=steps, target=1e-6)
        w, w0, ws = run.omega, param.to_omega(LAM0), param.to_omega(LAM_STAR)
        lo, hi = np.minimum(w.min(axis=0), ws), np.maximum(w.max(axis=0), ws)
        pad = 0.15 * (hi - lo) + 1e-3 * (1 + np.abs(hi))
        gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n)
        gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)
        surface = loss_in_omega(gx[None, :], gy[:, None], LAM_STAR, param)
        panels.append({"label": label, "omega": w[:: max(1, steps // 2000)], "omega0": w0, "omega_star": ws,
                       "loss": run.loss[:: max(1, steps // 2000)], "final_loss": run.loss[-1], "status": run.status,
                       "grid_nu": gx, "grid_theta": gy, "surface": surface})
    return {"lam0": [LAM0.real, LAM0.imag], "lam_star": [LAM_STAR.real, LAM_STAR.imag], "lr": 1e-3, "steps": steps,
            "panels": panels}


def draw(data: dict):
    """Draw figure ``memory-f4`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f4.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 3, width=4.0, height=3.4)
    for ax, p in zip(axes.ravel(), data["panels"]):
        field_map(ax, p["surface"], p["grid_nu"], p["grid_theta"], label="L", contours=12)
        w = np.asarray(p["omega"])
        ax.plot(w[:, 0], w[:, 1], color="c", linewidth=1.2)
        ax.plot(*p["omega0"], "wo", markersize=4)
        ax.plot(*p["omega_star"], "c*", markersize=9)
        ax.set_title(f"{p['label']}: final L = {p['final_loss']:.1e}", fontsize=9)
        ax.set_xlabel("ω_ν")
        ax.set_ylabel("ω_θ")
    return fig
