"""Appendix A1: the recency bias (theory guide :ref:`theory-escape-recency`).

T = 7, init a = b = c = 0.01.  A late-importance task (inverse-exponential
δ = 1.1, λ = 0.5) and its swapped early-importance twin (δ = 0.5, λ = 1.1;
same solution values, swapped): ``b`` and ``ac`` against learning time, with
the escape-time estimate ``τ ln(u*/u0) / (2 C(b0))`` as vertical lines.
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from ..closed_forms import escape_time, fixed_point
from ..integrate import integrate_modes
from ..plot import panel_grid, reference_line

TITLE = "Recency bias: a late-importance task is learned before its swapped early-importance twin"


def compute(ctx) -> dict:
    """The numbers figure ``figA1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/figA1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``t``, ``labels``, ``b``, ``ac``, ``b_star``, ``u_star``,
    ``escape_estimate``, ``t90``.
    """
    t = np.linspace(0.0, 14.0, 281 if ctx.quick else 1401)
    s = np.stack([tasks.inverse_exponential(7, 1.1, 0.5), tasks.inverse_exponential(7, 0.5, 1.1)])
    sol = integrate_modes(s, 0.01, 0.01, 0.01, t)
    fp = fixed_point(s)
    reached = (sol.b >= 0.9 * fp.b[:, None]) & (sol.u >= 0.9 * fp.u[:, None])
    return {"t": t, "labels": ["late importance (δ=1.1, λ=0.5)", "early importance (δ=0.5, λ=1.1)"],
            "b": sol.b, "ac": sol.u, "b_star": fp.b, "u_star": fp.u,
            "escape_estimate": escape_time(s, 0.01, 1e-4), "t90": t[np.argmax(reached, axis=-1)]}


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
