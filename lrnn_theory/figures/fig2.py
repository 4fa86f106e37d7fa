"""Figure 2: scale is learned by ac, temporal structure by b (Proca et al. (2025), Fig. 2; theory guide :ref:`theory-frozen-recurrent`, :ref:`theory-frozen-io`).

Left: ``ac`` with ``W_h`` frozen at ``b* = 1``, constant dynamics
``δ ∈ {0.5, 1, 2}``, ``a = c = 0.1``; theory = the logistic of :ref:`theory-frozen-recurrent`.
Right: ``b`` with ``W_x, W_y`` frozen at ``u = δ`` (``a = c = √δ``),
inverse-exponential ``(δ, λ) ∈ {(2, 0.7), (1, 1), (0.5, 1.2)}``, ``b0 = 0.1``;
theory = the mode ODE with ``a, c`` frozen.  ``T = 5``, ``η = 5e-5`` for
40 000 steps (``2τ``); three modes of one aligned network of width 3 realise
the three curves of a panel.  Solid = full-matrix gradient descent, dashed = theory.
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from ..closed_forms import frozen_b_solution
from ..data import make_dataset
from ..integrate import integrate_modes
from ..modes import mode_rhs
from ..plot import mode_colors, panel_grid, reference_line, theory_vs_simulation
from ..sim import simulate_gd

TITLE = "Scale is learned by ac (b frozen), temporal structure by b (ac frozen)"
T = 5
DELTAS = (0.5, 1.0, 2.0)
RECURRENT = ((2.0, 0.7), (1.0, 1.0), (0.5, 1.2))


def compute(ctx) -> dict:
    """The numbers figure ``fig2`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/fig2.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``lr``, ``steps``, ``T``, ``left``, ``right``.
    """
    steps, lr = (4_000, 5e-4) if ctx.quick else (40_000, 5e-5)
    every = steps // 200
    # left: input-output modes, W_h frozen at b = 1
    S_left = tasks.constant(T, np.array(DELTAS))
    d_left = make_dataset(S_left, 3, 3, 3 * T, seed=ctx.seed)
    run_l = simulate_gd(d_left, 3, lr=lr, steps=steps, modes0=(0.1, 1.0, 0.1), freeze=("W_h",), seed=ctx.seed,
                        record_every=every)
    m_l = run_l.modes()
    theory_l = frozen_b_solution(run_l.time, S_left, 1.0, 0.01)
    # right: recurrent modes, W_x, W_y frozen at u = δ
    deltas = np.array([d for d, _ in RECURRENT])
    S_right = tasks.inverse_exponential(T, deltas, np.array([lam for _, lam in RECURRENT]))
    d_right = make_dataset(S_right, 3, 3, 3 * T, seed=ctx.seed + 1)
    run_r = simulate_gd(d_right, 3, lr=lr, steps=steps, modes0=(np.sqrt(deltas), 0.1, np.sqrt(deltas)),
                        freeze=("W_x", "W_y"), seed=ctx.seed + 1, record_every=every)
    m_r = run_r.modes()
    theory_r = integrate_modes(S_right, np.sqrt(deltas), 0.1, np.sqrt(deltas), run_r.time, freeze=("a", "c"))
    # initial speed of b at b = 0: u s_{T-1} = δ²λ (theory guide `theory-frozen-io`)
    slope0 = mode_rhs(np.sqrt(deltas), 0.0, np.sqrt(deltas), S_right)[1]
    half = [float(run_l.time[np.argmax(m_l.u[:, i] >= 0.5 * DELTAS[i])]) for i in range(3)]
    return {
        "lr": lr, "steps": steps, "T": T,
        "left": {"delta": DELTAS, "time": run_l.time, "ac_simulation": m_l.u, "ac_theory": theory_l.T,
                 "time_to_half": half, "max_abs_diff": np.max(np.abs(m_l.u - theory_l.T), axis=0)},
        "right": {"delta_lambda": RECURRENT, "time": run_r.time, "b_simulation": m_r.b, "b_theory": theory_r.b.T,
                  "initial_slope_at_b0": slope0, "b_final_theory": theory_r.b[:, -1],
                  "max_abs_diff": np.max(np.abs(m_r.b - theory_r.b.T), axis=0)},
    }


def draw(data: dict):
    """Draw figure ``fig2`` from the dict :func:`compute` returns (or
    ``read_data("figures/fig2.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=5.0, height=3.6)
    ax_l, ax_r = axes[0]
    colors = mode_colors(3)
    L, R = data["left"], data["right"]
    for i, d in enumerate(L["delta"]):
        steps = np.asarray(L["time"]) / data["lr"]
        theory_vs_simulation(ax_l, steps, np.asarray(L["ac_theory"])[:, i], steps, np.asarray(L["ac_simulation"])[:, i],
                             color=colors[i], label=f"δ = {d}")
        reference_line(ax_l, d)
    ax_l.set_title("learning input–output (b frozen at 1)")
    ax_l.set_ylabel("ac")
    for i, (d, lam) in enumerate(R["delta_lambda"]):
        steps = np.asarray(R["time"]) / data["lr"]
        theory_vs_simulation(ax_r, steps, np.asarray(R["b_theory"])[:, i], steps, np.asarray(R["b_simulation"])[:, i],
                             color=colors[i], label=f"δ = {d}, λ = {lam}")
    ax_r.set_title("learning recurrent (u frozen at δ)")
    ax_r.set_ylabel("b")
    for ax in (ax_l, ax_r):
        ax.set_xlabel(f"training steps (η = {data['lr']:g}; {data['steps']} steps = {data['steps'] * data['lr']:g}τ)")
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle("solid: full-matrix gradient descent, dashed: theory", fontsize=9)
    return fig
