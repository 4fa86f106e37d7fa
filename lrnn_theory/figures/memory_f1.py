"""Figure memory-f1: the curse of memory in one dimension (theory guide :ref:`memory-moments`, :ref:`memory-teacher-student`; Zucchet & Orvieto Fig. 1/2A).

(a) ``E[(∂_λ h)²]`` against ``λ`` for several input auto-correlations ``ρ`` with
``E[h²]`` at ``ρ = 1`` in grey; (b) teacher–student loss ``L(λ)`` for each
teacher ``λ*``; (c) the loss against the phase ``θ - θ*`` at ``|λ| = |λ*|``.
"""
from __future__ import annotations

import numpy as np

from ..memory import stationary_moments, teacher_student_loss
from ..plot import mode_colors, panel_grid
from ._memory import LAM_STARS, RHOS, label_memory_axis, memory_axis

TITLE = "Curse of memory: sensitivity vs memory, 1-D loss landscapes in modulus and phase"


def compute(ctx) -> dict:
    x, lam = memory_axis(ctx.quick)
    d2 = np.stack([stationary_moments(lam, r)[1] for r in RHOS])
    h2_rho1 = stationary_moments(lam, 1.0)[0]
    grid = np.linspace(0.0, 0.9999, 201 if ctx.quick else 2001)
    phi = np.linspace(-np.pi, np.pi, 201 if ctx.quick else 2001)
    loss = np.stack([teacher_student_loss(grid, ls) for ls in LAM_STARS])
    phase = np.stack([teacher_student_loss(ls * np.exp(1j * phi), ls) for ls in LAM_STARS])
    return {"x": x, "lam": lam, "rho": RHOS, "d2": d2, "h2_rho1": h2_rho1,
            "lam_grid": grid, "lam_star": LAM_STARS, "loss": loss, "phi": phi, "phase_loss": phase}


def draw(data: dict):
    fig, axes = panel_grid(1, 3, width=3.8, height=3.0)
    a, b, c = axes[0]
    for r, y, col in zip(data["rho"], data["d2"], mode_colors(len(data["rho"]), "plasma")):
        a.plot(data["x"], y, color=col, label=f"ρ = {r:g}")
    a.plot(data["x"], data["h2_rho1"], color="0.6", linestyle="--", label="E[h²], ρ = 1")
    a.set_yscale("log")
    a.set_ylabel("E[(∂λ h)²]")
    label_memory_axis(a)
    a.legend(fontsize=6, frameon=False)
    cols = mode_colors(len(data["lam_star"]), "viridis")
    for ls, y, yp, col in zip(data["lam_star"], data["loss"], data["phase_loss"], cols):
        b.plot(data["lam_grid"], np.maximum(y, 1e-12), color=col, label=f"λ* = {ls:.2f}")
        c.plot(data["phi"], np.maximum(yp, 1e-12), color=col)
    b.set_yscale("log")
    b.set_xlabel("λ")
    b.set_ylabel("L(λ)")
    b.legend(fontsize=6, frameon=False)
    c.set_yscale("log")
    c.set_xlabel("θ - θ*  (|λ| = |λ*|)")
    c.set_ylabel("L")
    return fig
