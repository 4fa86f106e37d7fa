"""Appendix A1: the recency bias (theory guide :ref:`theory-escape-recency`).

T = 7, init a = b = c = 0.01.  A late-importance task (inverse-exponential
δ = 1.1, λ = 0.5) and its swapped early-importance twin (δ = 0.5, λ = 1.1;
same solution values, swapped): ``b`` and ``ac`` against learning time, with
the escape-time estimate ``τ ln(u*/u0) / (2 C(b0))`` as vertical lines.
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from .._validation import check_finite_scalar, check_int, check_positive_float
from ..closed_forms import escape_time, fixed_point
from ..integrate import integrate_modes
from ..plot import panel_grid, reference_line

TITLE = "Recency bias: a late-importance task is learned before its swapped early-importance twin"


def figure_data(delta: float = 1.1, lam: float = 0.5, T: int = 7, *, init: float = 0.01, t_end: float = 14.0,
                n_t: int = 1401) -> dict:
    """The numbers of figure ``figA1`` for any late-importance task and its swapped twin.

    The inverse-exponential task ``s_t = δ λ^{T-t}`` (late importance for ``λ < 1``) and its twin
    with ``δ`` and ``λ`` swapped (same solution values, importance moved): the gradient flow of
    ``b`` and ``ac`` from ``a = b = c = init`` (:func:`lrnn_theory.integrate_modes`), the closed-form
    fixed points (:func:`lrnn_theory.fixed_point`), the escape-time estimate
    (:func:`lrnn_theory.closed_forms.escape_time` with ``u0 = init²``) and the time each mode
    reaches 90 % of its fixed point; theory guide :ref:`theory-escape-recency`, Proca et al.
    (2025).  :func:`draw` draws the result.

    Parameters
    ----------
    delta, lam : float
        Scale and ratio of the late-importance task (default 1.1, 0.5).
    T : int
        Task length (default 7).
    init : float
        Initial value of ``a``, ``b`` and ``c`` (default 0.01).
    t_end : float
        Final learning time in units of ``τ`` (default 14).
    n_t : int
        Output times on ``[0, t_end]`` (quick figure: 281).

    Returns
    -------
    dict
        ``t`` (n_t,); ``labels`` (2 str); ``b``, ``ac`` (2, n_t); ``b_star``, ``u_star``,
        ``escape_estimate``, ``t90`` (2,): first the task, then its twin.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> a1 = load("figA1")
    >>> data = a1.figure_data(delta=2.0, lam=0.3, T=5, n_t=101)
    >>> data["b_star"].tolist(), data["u_star"].tolist()     # b* = λ, u* = δ, and swapped
    ([0.3, 2.0], [2.0, 0.3])
    """
    delta = check_finite_scalar("delta", delta)
    lam = check_finite_scalar("lam", lam)
    init = check_finite_scalar("init", init)
    t_end = check_positive_float("t_end", t_end)
    n_t = check_int("n_t", n_t, minimum=2)
    t = np.linspace(0.0, t_end, n_t)
    s = np.stack([tasks.inverse_exponential(T, delta, lam), tasks.inverse_exponential(T, lam, delta)])
    sol = integrate_modes(s, init, init, init, t)
    fp = fixed_point(s)
    reached = (sol.b >= 0.9 * fp.b[:, None]) & (sol.u >= 0.9 * fp.u[:, None])
    return {"t": t, "labels": [f"late importance (δ={delta:g}, λ={lam:g})", f"early importance (δ={lam:g}, λ={delta:g})"],
            "b": sol.b, "ac": sol.u, "b_star": fp.b, "u_star": fp.u,
            "escape_estimate": escape_time(s, init, init ** 2), "t90": t[np.argmax(reached, axis=-1)]}


def compute(ctx) -> dict:
    """The numbers figure ``figA1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/figA1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``t``, ``labels``, ``b``, ``ac``, ``b_star``, ``u_star``,
    ``escape_estimate``, ``t90``.
    """
    return figure_data(n_t=281 if ctx.quick else 1401)


def draw(data: dict):
    """Draw figure ``figA1`` from the dict :func:`compute` returns (or
    ``read_data("figures/figA1.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=4.8, height=3.4)
    t = np.asarray(data["t"])
    for i, (label, color) in enumerate(zip(data["labels"], ("C0", "C1"))):
        for ax, key, star in ((axes[0, 0], "b", "b_star"), (axes[0, 1], "ac", "u_star")):
            ax.plot(t, np.asarray(data[key])[i], color=color, label=label)
            reference_line(ax, data[star][i])
            ax.axvline(data["escape_estimate"][i], color=color, linestyle=":", linewidth=1)
    axes[0, 0].set_ylabel("b")
    axes[0, 1].set_ylabel("ac")
    for ax in axes[0]:
        ax.set_xlabel("learning time t / τ")
        ax.legend(frameon=False, fontsize=7)
    fig.suptitle("dotted: escape-time estimate", fontsize=9)
    return fig
