"""Figure memory-f6: Hessian at the optimum, dense versus complex-diagonal student (theory guide :ref:`memory-multidim`; Zucchet & Orvieto (2024); paper Fig. 4).

Teacher ``d_h = 4`` with eigenvalue moduli in ``[0.99, 0.993]``, white inputs,
``T = 300``, loss averaged over time.  The Gauss–Newton matrix is exact (impulse
responses, no sampling).  A complex-diagonal student concentrates the large
curvature on few coordinates (localised top eigenvectors: an adaptive
optimiser can rescale them); a dense student spreads it over all entries of ``A``.
"""
from __future__ import annotations

import numpy as np

from ..memory.multidim import finite_time_gauss_newton, make_teacher
from ..plot import field_map, panel_grid

TITLE = "Hessian at the optimum: dense vs complex-diagonal student (d_h = 4, T = 300)"
T = 300


def _localisation(H):
    """Inverse participation ratio of each eigenvector (1 = one coordinate, 1/n = spread evenly)."""
    ev, V = np.linalg.eigh(H)
    return ev, np.sum(V ** 4, axis=0)


def compute(ctx) -> dict:
    """The numbers figure ``memory-f6`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f6.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``T``, ``teacher_eigvals``, ``dense``, ``diagonal``, ``spectrum_dense``,
    ``spectrum_diagonal``, ``ipr_dense``, ``ipr_diagonal``.
    """
    t = make_teacher(4, nu_min=0.99, nu_max=0.993, seed=ctx.seed)
    dense = finite_time_gauss_newton("dense", (t.A, t.B, t.C), T)
    diag = finite_time_gauss_newton("diagonal", (t.eigvals, t.b, t.c), T)
    ev_dense, ipr_dense = _localisation(dense)
    ev_diag, ipr_diag = _localisation(diag)
    return {"T": T, "teacher_eigvals": np.stack([t.eigvals.real, t.eigvals.imag], axis=1),
            "dense": dense, "diagonal": diag, "spectrum_dense": ev_dense, "spectrum_diagonal": ev_diag,
            "ipr_dense": ipr_dense, "ipr_diagonal": ipr_diag}


def draw(data: dict):
    """Draw figure ``memory-f6`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f6.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 3, width=4.0, height=3.3)
    for ax, key, title in ((axes[0, 0], "dense", "dense: ∂²L/∂A_ij∂A_kl"), (axes[0, 1], "diagonal", "diagonal: (Re λ, Im λ)")):
        H = np.abs(np.asarray(data[key]))
        n = np.arange(H.shape[0])
        field_map(ax, np.maximum(H, 1e-12 * H.max()), n, n, cmap="viridis", label="|H|")
        ax.invert_yaxis()
        ax.set_title(title)
    ax = axes[0, 2]
    for key, col in (("dense", "tab:red"), ("diagonal", "tab:blue")):
        ev = np.asarray(data[f"spectrum_{key}"])[::-1]
        ax.plot(np.arange(1, ev.size + 1), np.maximum(ev, 1e-6), "o-", color=col, markersize=3, label=key)
    ax.set_yscale("log")
    ax.set_xlabel("eigenvalue rank")
    ax.set_ylabel("Hessian eigenvalue")
    ax.legend(frameon=False, fontsize=7)
    return fig
