"""Figure 4: the feedforward/recurrent trade-off (Proca et al. (2025), Fig. 4; theory guide :ref:`theory-modified-tasks`, :ref:`theory-dirac`, :ref:`theory-constant-kappa`, :ref:`theory-exponential-kappa`).

Columns: constant (x = δ ∈ [0, 2], T = 10), exponential (x = λ ∈ [0, 1],
δ = 1, T = 10), Dirac (x = β ∈ [0, 4], T = 4).  Top: final ``b``; bottom:
final ``ac``; colour = κ ∈ {0.2, ..., 1.2}.  "Final" = mode ODE from
``a = b = c = 0.1`` integrated to ``10⁴ τ``.  Dashed: zero-loss reference of
the unmodified family; thin dotted: global minimiser of ``E*(b)`` over
``b ∈ [-1, 3]`` (hysteresis where they differ).  Runaway ``b`` is clipped at
3 and marked with triangles.  The grids run through :func:`lrnn_theory.sweep.sweep`
(one batched integration per chunk).
"""
from __future__ import annotations

import functools

import numpy as np

from .. import tasks
from .._validation import as_float_array, check_int
from ..integrate import integrate_modes
from ..landscape import global_minimiser, transition_location
from ..plot import clipped_line, colorbar, panel_grid
from ..sweep import sweep

TITLE = "Feedforward/recurrent trade-off: final b and ac against the recurrent computation, colour = κ"
KAPPAS = (0.2, 0.4, 0.6, 0.8, 1.0, 1.2)
T_END = 1e4
B_CLIP = 3.0
COLUMNS = (
    ("constant", "δ", 10, (0.0, 2.0)),
    ("exponential", "λ", 10, (0.0, 1.0)),
    ("dirac", "β", 4, (0.0, 4.0)),
)


def _task(family, T, x, kappa):
    if family == "dirac":
        return tasks.dirac(T, x, kappa)
    if family == "constant":
        return tasks.modified("constant", T, x, 0.0, kappa)
    return tasks.modified("exponential", T, 1.0, x, kappa)


def final_state(x, kappa, *, family: str, T: int) -> dict:
    """Final mode of gradient flow from a = b = c = 0.1 at 10⁴τ and the global minimiser of E*(b),
    vectorised over arrays ``x``, ``kappa`` (one entry per grid point)."""
    s = _task(family, T, np.asarray(x, float), np.asarray(kappa, float))
    sol = integrate_modes(s, 0.1, 0.1, 0.1, np.array([0.0, T_END]))
    fin = sol.final()
    gm = global_minimiser(s, b_range=(-1.0, 3.0))
    return {"b": fin.b, "ac": fin.u, "status": sol.status, "b_gm": gm.b, "ac_gm": gm.u}


def figure_data(kappas=KAPPAS, columns=COLUMNS, *, n: int = 201, executor="serial", progress: bool = False,
                seed: int = 0) -> dict:
    """The numbers of figure ``fig4`` for any feedforward strengths ``κ`` and task columns.

    For each column ``(family, label, T, (lo, hi))`` and each ``κ``: the mode reached by gradient
    flow from ``a = b = c = 0.1`` at ``10⁴ τ`` and the global minimiser of the profile energy, on
    ``n`` values of the family's parameter in ``[lo, hi]`` (:func:`final_state`, swept with
    :func:`lrnn_theory.sweep.sweep`), where the final ``b`` jumps
    (:func:`lrnn_theory.landscape.transition_location`) and, for the constant and exponential
    families, the unmodified task's solution; theory guide :ref:`theory-regulariser`, Proca et al.
    (2025).  :func:`draw` draws one column of panels per family.

    Parameters
    ----------
    kappas : sequence of float
        Strengths ``κ`` of the feedforward last step (default 0.2, 0.4, ..., 1.2).
    columns : sequence of (str, str, int, (float, float))
        Family (``"constant"``, ``"exponential"``, ``"dirac"``), the parameter's name on the axis,
        ``T`` and the range of the parameter (default: the paper's three columns).
    n : int
        Points per column (quick figure: 41).
    executor, progress, seed
        Passed to :func:`lrnn_theory.sweep.sweep`.

    Returns
    -------
    dict
        ``kappa``, ``t_end``, ``init``, ``b_clip``; ``columns``: per column ``family``, ``label``,
        ``T``, ``x`` (n,), ``b``, ``ac``, ``b_gm``, ``ac_gm``, ``status``, ``runaway``
        (n_kappa, n), ``transition_gf``, ``transition_gm`` (per κ) and, for ``"constant"`` and
        ``"exponential"``, ``reference_b``, ``reference_ac`` (n,).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f4 = load("fig4")
    >>> data = f4.figure_data(kappas=[0.5], columns=[("constant", "δ", 4, (0.5, 1.5))], n=3)
    >>> data["columns"][0]["b"].shape
    (1, 3)
    """
    n = check_int("n", n, minimum=2)
    out = {"kappa": tuple(float(k) for k in as_float_array("kappas", kappas, ndim=1)), "t_end": T_END, "init": 0.1,
           "b_clip": B_CLIP, "columns": []}
    for family, label, T, (lo, hi) in columns:
        x = np.linspace(lo, hi, n)
        ds = sweep(functools.partial(final_state, family=family, T=T), {"kappa": list(out["kappa"]), "x": x},
                   executor=executor, progress=progress, vectorized=True, seed=seed)
        b = ds["b"].values
        col = {"family": family, "label": label, "T": T, "x": x, "b": b, "ac": ds["ac"].values,
               "b_gm": ds["b_gm"].values, "ac_gm": ds["ac_gm"].values, "status": ds["status"].values,
               "transition_gf": transition_location(x, b), "transition_gm": transition_location(x, ds["b_gm"].values),
               "runaway": np.abs(b) > B_CLIP}
        if family == "constant":
            col["reference_b"] = np.ones_like(x)
            col["reference_ac"] = x
        elif family == "exponential":
            with np.errstate(divide="ignore"):
                col["reference_b"] = np.where(x > 0, 1.0 / np.maximum(x, 1e-300), np.inf)
            col["reference_ac"] = x ** T
        out["columns"].append(col)
    return out


def compute(ctx) -> dict:
    """The numbers figure ``fig4`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/fig4.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``kappa``, ``t_end``, ``init``, ``b_clip``, ``columns``.
    """
    return figure_data(n=41 if ctx.quick else 201, executor="serial" if ctx.executor is None else ctx.executor,
                       progress=ctx.progress, seed=ctx.seed)


def draw(data: dict):
    """Draw figure ``fig4`` from the dict :func:`compute` returns (or
    ``read_data("figures/fig4.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    import matplotlib.pyplot as plt

    fig, axes = panel_grid(2, len(data["columns"]), width=4.2, height=3.0)
    cmap = plt.get_cmap("viridis")
    kappas = np.asarray(data["kappa"])
    for j, col in enumerate(data["columns"]):
        x = np.asarray(col["x"])
        ax_b, ax_u = axes[0, j], axes[1, j]
        for i, k in enumerate(kappas):
            color = cmap(k / 1.2)
            clipped_line(ax_b, x, np.asarray(col["b"])[i], clip=data["b_clip"], color=color, linewidth=1.6,
                         marker_label="runaway (clipped)" if i == len(kappas) - 1 else None)
            ax_b.plot(x, np.clip(np.asarray(col["b_gm"])[i], -data["b_clip"], data["b_clip"]), color=color, linestyle=":", linewidth=0.9)
            ax_u.plot(x, np.asarray(col["ac"])[i], color=color, linewidth=1.6)
            ax_u.plot(x, np.asarray(col["ac_gm"])[i], color=color, linestyle=":", linewidth=0.9)
        if "reference_b" in col:
            ax_b.plot(x, np.clip(np.asarray(col["reference_b"], dtype=float), None, data["b_clip"]), "k--", linewidth=1, label="zero-loss reference")
            ax_u.plot(x, col["reference_ac"], "k--", linewidth=1)
        ax_b.set_ylim(-0.1, data["b_clip"] + 0.2)
        ax_b.set_title(f"{col['family']} (T = {col['T']})")
        ax_b.set_ylabel("final b")
        ax_u.set_ylabel("final ac")
        ax_u.set_xlabel(col["label"])
        ax_u.set_ylim(-0.05, 2.1 if col["family"] == "constant" else 1.3)
        ax_b.legend(fontsize=7, frameon=False, loc="upper left")
    colorbar(fig, axes[:, -1].tolist(), "viridis", 0.0, 1.2, "κ (feedforward)")
    fig.suptitle(f"mode ODE from a = b = c = {data['init']} to t = {data['t_end']:g}τ (solid); "
                 "global minimiser of E*(b) on [-1, 3] (dotted)", fontsize=9)
    return fig
