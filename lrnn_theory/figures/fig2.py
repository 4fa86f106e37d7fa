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
from .._validation import as_float_array, check_int, check_positive_float, check_seed
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


def figure_data(deltas=DELTAS, recurrent=RECURRENT, T: int = T, *, lr: float = 5e-5, steps: int = 40_000,
                seed: int = 0) -> dict:
    """The numbers of figure ``fig2`` for any scales ``δ`` and recurrent tasks ``(δ, λ)``.

    Left: gradient descent with ``W_h`` frozen at ``b = 1`` (:func:`lrnn_theory.simulate_gd`) on
    constant tasks of scale ``δ`` (:func:`lrnn_theory.make_dataset`), the learned ``ac`` against
    the frozen-b logistic (:func:`lrnn_theory.closed_forms.frozen_b_solution`) and the time to
    half the scale.  Right: gradient descent with ``W_x``, ``W_y`` frozen at ``u = δ`` on
    inverse-exponential tasks ``(δ, λ)``, the learned ``b`` against the flow with ``a``, ``c``
    frozen (:func:`lrnn_theory.integrate_modes`) and its initial slope at ``b = 0``
    (:func:`lrnn_theory.modes.mode_rhs`); theory guide :ref:`theory-frozen-recurrent`,
    :ref:`theory-frozen-io`, Proca et al. (2025), App. C.  :func:`draw` draws the result.

    Parameters
    ----------
    deltas : sequence of float, shape (n_left,)
        Scales of the left panel (default 0.5, 1, 2).
    recurrent : sequence of (float, float), shape (n_right, 2)
        ``(δ, λ)`` of the right panel (default (2, 0.7), (1, 1), (0.5, 1.2)).
    T : int
        Task length (default 5).
    lr : float
        Learning rate (quick figure: 5e-4).
    steps : int
        Gradient-descent steps, at least 200 (quick figure: 4 000); ODE time ``steps · lr``.
    seed : int
        Seed of the datasets and initial weights (left ``seed``, right ``seed + 1``).

    Returns
    -------
    dict
        ``lr``, ``steps``, ``T``; ``left``: ``delta`` (n_left,), ``time`` (n_records,), ``ac_simulation``,
        ``ac_theory`` (n_records, n_left), ``time_to_half``, ``max_abs_diff`` (n_left,); ``right``:
        ``delta_lambda`` (n_right, 2), ``time``, ``b_simulation``, ``b_theory`` (n_records, n_right),
        ``initial_slope_at_b0``, ``b_final_theory``, ``max_abs_diff`` (n_right,).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f2 = load("fig2")
    >>> data = f2.figure_data(deltas=[1.0], recurrent=[(1.0, 0.5)], T=3, lr=0.01, steps=400)
    >>> data["left"]["ac_simulation"].shape, data["right"]["b_simulation"].shape
    ((201, 1), (201, 1))
    """
    deltas = tuple(float(v) for v in as_float_array("deltas", deltas, ndim=1))
    rec = as_float_array("recurrent", recurrent, ndim=2)
    if rec.shape[1] != 2:
        raise ValueError(f"recurrent must be a sequence of (delta, lam) pairs, got shape {rec.shape}")
    recurrent = tuple((float(d), float(lam)) for d, lam in rec)
    T = check_int("T", T, minimum=1)
    lr = check_positive_float("lr", lr)
    steps = check_int("steps", steps, minimum=200)
    seed = check_seed("seed", seed)
    every = steps // 200
    n_l, n_r = len(deltas), len(recurrent)
    # left: input-output modes, W_h frozen at b = 1
    S_left = tasks.constant(T, np.array(deltas))
    d_left = make_dataset(S_left, n_l, n_l, n_l * T, seed=seed)
    run_l = simulate_gd(d_left, n_l, lr=lr, steps=steps, modes0=(0.1, 1.0, 0.1), freeze=("W_h",), seed=seed,
                        record_every=every)
    m_l = run_l.modes()
    theory_l = frozen_b_solution(run_l.time, S_left, 1.0, 0.01)
    # right: recurrent modes, W_x, W_y frozen at u = δ
    dr = np.array([d for d, _ in recurrent])
    S_right = tasks.inverse_exponential(T, dr, np.array([lam for _, lam in recurrent]))
    d_right = make_dataset(S_right, n_r, n_r, n_r * T, seed=seed + 1)
    run_r = simulate_gd(d_right, n_r, lr=lr, steps=steps, modes0=(np.sqrt(dr), 0.1, np.sqrt(dr)),
                        freeze=("W_x", "W_y"), seed=seed + 1, record_every=every)
    m_r = run_r.modes()
    theory_r = integrate_modes(S_right, np.sqrt(dr), 0.1, np.sqrt(dr), run_r.time, freeze=("a", "c"))
    # initial speed of b at b = 0: u s_{T-1} = δ²λ (theory guide `theory-frozen-io`)
    slope0 = mode_rhs(np.sqrt(dr), 0.0, np.sqrt(dr), S_right)[1]
    half = [float(run_l.time[np.argmax(m_l.u[:, i] >= 0.5 * deltas[i])]) for i in range(n_l)]
    return {
        "lr": lr, "steps": steps, "T": T,
        "left": {"delta": deltas, "time": run_l.time, "ac_simulation": m_l.u, "ac_theory": theory_l.T,
                 "time_to_half": half, "max_abs_diff": np.max(np.abs(m_l.u - theory_l.T), axis=0)},
        "right": {"delta_lambda": recurrent, "time": run_r.time, "b_simulation": m_r.b, "b_theory": theory_r.b.T,
                  "initial_slope_at_b0": slope0, "b_final_theory": theory_r.b[:, -1],
                  "max_abs_diff": np.max(np.abs(m_r.b - theory_r.b.T), axis=0)},
    }


def compute(ctx) -> dict:
    """The numbers figure ``fig2`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/fig2.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``lr``, ``steps``, ``T``, ``left``, ``right``.
    """
    steps, lr = (4_000, 5e-4) if ctx.quick else (40_000, 5e-5)
    return figure_data(lr=lr, steps=steps, seed=ctx.seed)


def draw(data: dict):
    """Draw figure ``fig2`` from the dict :func:`compute` returns (or
    ``read_data("figures/fig2.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=5.0, height=3.6)
    ax_l, ax_r = axes[0]
    L, R = data["left"], data["right"]
    colors = mode_colors(max(3, len(L["delta"]), len(R["delta_lambda"])))
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
