"""Figure 3: stability and extrapolation by task family (Proca et al. (2025), Fig. 3; theory guide :ref:`theory-fixed-points`, :ref:`theory-stability`, :ref:`theory-extrapolation`).

Columns: constant, inverse-exponential, exponential (T = 10).  Top: task
profiles (early importance, ``|b*| > 1``, dashed green) with the solutions
of :ref:`theory-fixed-points`.  Middle: learned ``b`` and ``ac`` from ``a = b = c = 0.1`` (mode ODE)
with the solutions as grey lines; constant column inset: largest stable
learning rate ``2/λ_max`` against δ (:ref:`theory-stability`).  Bottom: extrapolation energy
``E_test(T')`` for ``T' = 1..20`` (:ref:`theory-extrapolation`).
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from .._validation import check_finite_scalar, check_int, check_positive_float
from ..closed_forms import extrapolation_energy, family_fixed_point, max_stable_lr
from ..integrate import integrate_modes
from ..plot import mode_colors, panel_grid, reference_line

TITLE = "Stability and extrapolation: profiles, learned modes, largest stable step, extrapolation energy"
T = 10
COLUMNS = (
    ("constant", "δ", ((0.25, 1.0), (0.5, 1.0), (1.0, 1.0), (2.0, 1.0))),
    ("inverse_exponential", "λ", ((1.0, 0.6), (1.0, 0.8), (1.0, 1.1), (1.0, 1.25))),
    ("exponential", "λ", ((1.0, 0.8), (1.0, 0.9), (1.0, 1.1), (1.0, 1.25))),
)


def figure_data(columns=COLUMNS, T: int = T, *, init: float = 0.1, t_end: float = 30.0, n_t: int = 1201,
                T_test_max: int = 20, n_lr: int = 59) -> dict:
    """The numbers of figure ``fig3`` for any task families and ``(δ, λ)`` values.

    For each column ``(family, label, ((δ, λ), ...))``: the task profiles
    (:func:`lrnn_theory.tasks.make_task`), the closed-form fixed points and whether they are
    early-importance (unstable) ones (:func:`lrnn_theory.closed_forms.family_fixed_point`), the
    gradient flow of ``b`` and ``ac`` from ``a = b = c = init``
    (:func:`lrnn_theory.integrate_modes`), the extrapolation energy at test lengths
    ``1..T_test_max`` (:func:`lrnn_theory.closed_forms.extrapolation_energy`) and, for the constant
    family, the largest stable learning rate against ``δ ∈ [0.1, 3]``
    (:func:`lrnn_theory.closed_forms.max_stable_lr`); theory guide
    :ref:`theory-stability-extrapolation`, Proca et al. (2025).  :func:`draw` draws one
    column of panels per family.

    Parameters
    ----------
    columns : sequence of (str, str, sequence of (float, float))
        Family (``"constant"``, ``"inverse_exponential"``, ``"exponential"``), the parameter the
        legend names (``"δ"`` or ``"λ"``) and the ``(δ, λ)`` of each mode (default: the paper's).
    T : int
        Task length (default 10).
    init : float
        Initial value of ``a``, ``b`` and ``c``.
    t_end : float
        Final learning time in units of ``τ``.
    n_t : int
        Output times (quick figure: 301).
    T_test_max : int
        Largest test length of the extrapolation energy.
    n_lr : int
        Points of the ``δ`` axis of the stable-learning-rate inset (quick figure: 30).

    Returns
    -------
    dict
        ``T``; ``t`` (n_t,); ``T_test`` (T_test_max,); ``columns``: per family a dict with
        ``family``, ``label``, ``delta``, ``lam`` (n_modes,), ``s`` (n_modes, T), ``b_star``,
        ``u_star``, ``early_importance`` (n_modes,), ``b``, ``ac`` (n_modes, n_t), ``status``,
        ``extrapolation`` (n_modes, T_test_max) and, for ``"constant"``, ``stable_lr_delta``,
        ``max_stable_lr`` (n_lr,).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f3 = load("fig3")
    >>> data = f3.figure_data([("inverse_exponential", "λ", [(1.0, 0.5), (1.0, 0.7)])], T=6, n_t=11, T_test_max=8)
    >>> data["columns"][0]["b_star"].tolist()      # inverse-exponential tasks: b* = λ
    [0.5, 0.7]
    """
    T = check_int("T", T, minimum=1)
    init = check_finite_scalar("init", init)
    t_end = check_positive_float("t_end", t_end)
    n_t = check_int("n_t", n_t, minimum=2)
    T_test_max = check_int("T_test_max", T_test_max, minimum=1)
    n_lr = check_int("n_lr", n_lr, minimum=2)
    t = np.linspace(0.0, t_end, n_t)
    T_test = np.arange(1, T_test_max + 1)
    out = {"T": T, "t": t, "T_test": T_test, "columns": []}
    for family, label, params in columns:
        delta = np.array([p[0] for p in params])
        lam = np.array([p[1] for p in params])
        s = tasks.make_task(family, T, delta, lam)
        b_star, u_star, stable = family_fixed_point(family, T, delta, lam)
        sol = integrate_modes(s, init, init, init, t)
        col = {
            "family": family, "label": label, "delta": delta, "lam": lam, "s": s,
            "b_star": b_star, "u_star": u_star, "early_importance": ~stable,
            "b": sol.b, "ac": sol.u, "status": sol.status,
            "extrapolation": np.stack([extrapolation_energy(family, T, T_test, d, l) for d, l in zip(delta, lam)]),
        }
        if family == "constant":
            deltas = np.linspace(0.1, 3.0, n_lr)
            col["stable_lr_delta"] = deltas
            col["max_stable_lr"] = max_stable_lr(tasks.constant(T, deltas))
        out["columns"].append(col)
    return out


def compute(ctx) -> dict:
    """The numbers figure ``fig3`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/fig3.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``T``, ``t``, ``T_test``, ``columns``.
    """
    return figure_data(n_t=301 if ctx.quick else 1201, n_lr=30 if ctx.quick else 59)


def draw(data: dict):
    """Draw figure ``fig3`` from the dict :func:`compute` returns (or
    ``read_data("figures/fig3.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(3, len(data["columns"]), width=4.0, height=2.9)
    t = np.asarray(data["t"])
    for j, col in enumerate(data["columns"]):
        colors = mode_colors(len(col["delta"]))
        ax_p, ax_m, ax_e = axes[0, j], axes[1, j], axes[2, j]
        s = np.asarray(col["s"])
        for i in range(s.shape[0]):
            val = col["delta"][i] if col["label"] == "δ" else col["lam"][i]
            early = bool(col["early_importance"][i])
            ax_p.plot(np.arange(1, data["T"] + 1), s[i], color="tab:green" if early else colors[i],
                      linestyle="--" if early else "-", marker="o", markersize=3,
                      label=f"{col['label']}={val:g}: b*={col['b_star'][i]:.2f}, u*={col['u_star'][i]:.2g}")
            ax_m.plot(t, np.asarray(col["b"])[i], color=colors[i])
            ax_m.plot(t, np.asarray(col["ac"])[i], color=colors[i], linestyle=":")
            reference_line(ax_m, col["b_star"][i])
            ax_e.plot(data["T_test"], np.asarray(col["extrapolation"])[i], color=colors[i], marker=".")
        ax_p.set_title(col["family"].replace("_", "-"))
        ax_p.set_xlabel("input step t")
        ax_p.set_ylabel("$s_t$")
        ax_p.set_yscale("log")
        ax_p.legend(fontsize=6, frameon=False)
        ax_m.set_xlabel("learning time t / τ")
        ax_m.set_ylabel("b (solid), ac (dotted)")
        ax_m.set_ylim(-0.05, 2.3)
        ax_e.set_xlabel("test length T'")
        ax_e.set_ylabel("$E_{test}(T')$")
        ax_e.axvline(data["T"], color="0.7", linewidth=0.8)
        if "max_stable_lr" in col:
            ins = ax_m.inset_axes([0.5, 0.2, 0.46, 0.33])
            ins.plot(col["stable_lr_delta"], col["max_stable_lr"], color="k")
            ins.set_yscale("log")
            ins.set_title("2/λ_max vs δ", fontsize=7)
            ins.tick_params(labelsize=6)
    axes[2, -1].set_yscale("symlog", linthresh=1e-2)
    axes[2, -1].set_ylim(0, None)
    return fig
