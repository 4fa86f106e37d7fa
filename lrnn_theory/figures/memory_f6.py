"""Figure memory-f6: Hessian at the optimum, dense versus complex-diagonal student (theory guide :ref:`memory-multidim`; Zucchet & Orvieto (2024); paper Fig. 4).

Teacher ``d_h = 4`` with eigenvalue moduli in ``[0.99, 0.993]``, white inputs,
``T = 300``, loss averaged over time.  The Gauss–Newton matrix is exact (impulse
responses, no sampling).  A complex-diagonal student concentrates the large
curvature on few coordinates (localised top eigenvectors: an adaptive
optimiser can rescale them); a dense student spreads it over all entries of ``A``.
"""
from __future__ import annotations

import numpy as np

from .._validation import check_int
from ..memory.multidim import finite_time_gauss_newton, make_teacher
from ..plot import field_map, panel_grid

TITLE = "Hessian at the optimum: dense vs complex-diagonal student (d_h = 4, T = 300)"
T = 300


def _localisation(H):
    """Inverse participation ratio of each eigenvector (1 = one coordinate, 1/n = spread evenly)."""
    ev, V = np.linalg.eigh(H)
    return ev, np.sum(V ** 4, axis=0)


def figure_data(d_h: int = 4, T: int = T, *, nu_min: float = 0.99, nu_max: float = 0.993, theta_max: float = np.pi,
                seed: int = 0) -> dict:
    """The numbers of figure ``memory-f6`` for any teacher size, horizon and eigenvalue moduli.

    A random teacher (:func:`lrnn_theory.memory.make_teacher`) and the exact Gauss–Newton matrix
    of the time-averaged loss at the optimum over ``T`` steps, for a dense student ``(A, B, C)``
    and a complex-diagonal one ``(λ, b, c)`` (:func:`lrnn_theory.memory.multidim.finite_time_gauss_newton`),
    with their spectra and the inverse participation ratio of each eigenvector (1: one
    coordinate, ``1/n``: spread evenly); theory guide :ref:`memory-multidim`, Zucchet & Orvieto
    (2024), Fig. 4.  :func:`draw` draws the result.

    Parameters
    ----------
    d_h : int
        Teacher (and student) hidden size (default 4).
    T : int
        Number of time steps the loss averages over (default 300).
    nu_min, nu_max, theta_max : float
        Range of the teacher's eigenvalue moduli and largest phase (as in ``make_teacher``).
    seed : int
        Seed of the teacher.

    Returns
    -------
    dict
        ``T``; ``teacher_eigvals`` (d_h, 2): real and imaginary parts; ``dense`` (n_dense, n_dense),
        ``diagonal`` (n_diag, n_diag): Gauss–Newton matrices; ``spectrum_*``, ``ipr_*``: their
        eigenvalues (ascending) and inverse participation ratios.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f6 = load("memory-f6")
    >>> data = f6.figure_data(d_h=2, T=50, nu_min=0.9, nu_max=0.95)
    >>> data["teacher_eigvals"].shape, bool(data["spectrum_dense"].min() > -1e-8)
    ((2, 2), True)
    """
    T = check_int("T", T, minimum=1)
    t = make_teacher(d_h, nu_min=nu_min, nu_max=nu_max, theta_max=theta_max, seed=seed)
    dense = finite_time_gauss_newton("dense", (t.A, t.B, t.C), T)
    diag = finite_time_gauss_newton("diagonal", (t.eigvals, t.b, t.c), T)
    ev_dense, ipr_dense = _localisation(dense)
    ev_diag, ipr_diag = _localisation(diag)
    return {"T": T, "teacher_eigvals": np.stack([t.eigvals.real, t.eigvals.imag], axis=1),
            "dense": dense, "diagonal": diag, "spectrum_dense": ev_dense, "spectrum_diagonal": ev_diag,
            "ipr_dense": ipr_dense, "ipr_diagonal": ipr_diag}


def compute(ctx) -> dict:
    """The numbers figure ``memory-f6`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f6.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``T``, ``teacher_eigvals``, ``dense``, ``diagonal``, ``spectrum_dense``,
    ``spectrum_diagonal``, ``ipr_dense``, ``ipr_diagonal``.
    """
    return figure_data(seed=ctx.seed)


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
