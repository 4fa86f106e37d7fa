"""Figure memory-f1: the curse of memory in one dimension (theory guide :ref:`memory-moments`, :ref:`memory-teacher-student`; Zucchet & Orvieto Fig. 1/2A).

(a) ``E[(∂_λ h)²]`` against ``λ`` for several input auto-correlations ``ρ`` with
``E[h²]`` at ``ρ = 1`` in grey; (b) teacher–student loss ``L(λ)`` for each
teacher ``λ*``; (c) the loss against the phase ``θ - θ*`` at ``|λ| = |λ*|``.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_int
from ..memory import stationary_moments, teacher_student_loss
from ..plot import mode_colors, panel_grid
from ._memory import LAM_STARS, RHOS, label_memory_axis

TITLE = "Curse of memory: sensitivity vs memory, 1-D loss landscapes in modulus and phase"


def figure_data(lam_stars=LAM_STARS, rhos=RHOS, *, n_memory: int = 401, n_lambda: int = 2001,
                n_phase: int = 2001) -> dict:
    """The numbers of figure ``memory-f1`` for any teacher eigenvalues ``λ*`` and input auto-correlations ``ρ``.

    Panel (a): the sensitivity ``E[(∂_λ h)²]`` of the stationary recurrence
    ``h_{t+1} = λ h_t + x_{t+1}`` against ``λ`` for each ``ρ``, and ``E[h²]`` at ``ρ = 1``
    (:func:`lrnn_theory.memory.stationary_moments`; theory guide :ref:`memory-moments`, Zucchet &
    Orvieto (2024), Fig. 1).  Panels (b), (c): the teacher–student loss ``L(λ)`` of each
    teacher ``λ*`` on a real grid of ``λ`` and against the phase at ``|λ| = |λ*|``
    (:func:`lrnn_theory.memory.teacher_student_loss`; theory guide :ref:`memory-teacher-student`,
    Fig. 2A).  :func:`draw` draws the result.

    Parameters
    ----------
    lam_stars : sequence of float, shape (n_teachers,)
        Teacher eigenvalues, each with ``|λ*| < 1`` (default: ``1 - {0.01, 0.02, ..., 0.64}``).
    rhos : sequence of float, shape (n_rho,)
        Input auto-correlations ``ρ ∈ [-1, 1]`` of panel (a) (default: 0, 0.9, 0.99, 0.999, 1).
    n_memory : int
        Points of the memory axis ``x = -log10(1-λ) ∈ [0, 4]`` of panel (a) (quick figure: 81).
    n_lambda, n_phase : int
        Points of the ``λ ∈ [0, 0.9999]`` grid of panel (b) and of the phase ``φ ∈ [-π, π]`` of
        panel (c) (quick figure: 201 each).

    Returns
    -------
    dict
        ``x``, ``lam`` (n_memory,): memory axis and ``λ = 1 - 10^{-x}``; ``rho`` (n_rho,);
        ``d2`` (n_rho, n_memory): ``E[(∂_λ h)²]``; ``h2_rho1`` (n_memory,): ``E[h²]`` at ``ρ = 1``;
        ``lam_grid`` (n_lambda,), ``lam_star`` (n_teachers,), ``loss`` (n_teachers, n_lambda);
        ``phi`` (n_phase,), ``phase_loss`` (n_teachers, n_phase): loss at ``λ* e^{iφ}``.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f1 = load("memory-f1")
    >>> data = f1.figure_data(lam_stars=[0.9, 0.999], rhos=[0.0], n_memory=5, n_lambda=11, n_phase=9)
    >>> data["loss"].shape, data["d2"].shape
    ((2, 11), (1, 5))
    >>> fig = f1.draw(data)
    """
    lam_stars = tuple(float(v) for v in as_float_array("lam_stars", lam_stars, ndim=1))
    rhos = tuple(float(v) for v in as_float_array("rhos", rhos, ndim=1))
    n_memory = check_int("n_memory", n_memory, minimum=2)
    n_lambda = check_int("n_lambda", n_lambda, minimum=2)
    n_phase = check_int("n_phase", n_phase, minimum=2)
    x = np.linspace(0.0, 4.0, n_memory)
    lam = 1 - 10.0 ** (-x)
    d2 = np.stack([stationary_moments(lam, r)[1] for r in rhos])
    h2_rho1 = stationary_moments(lam, 1.0)[0]
    grid = np.linspace(0.0, 0.9999, n_lambda)
    phi = np.linspace(-np.pi, np.pi, n_phase)
    loss = np.stack([teacher_student_loss(grid, ls) for ls in lam_stars])
    phase = np.stack([teacher_student_loss(ls * np.exp(1j * phi), ls) for ls in lam_stars])
    return {"x": x, "lam": lam, "rho": rhos, "d2": d2, "h2_rho1": h2_rho1,
            "lam_grid": grid, "lam_star": lam_stars, "loss": loss, "phi": phi, "phase_loss": phase}


def compute(ctx) -> dict:
    """The numbers figure ``memory-f1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``x``, ``lam``, ``rho``, ``d2``, ``h2_rho1``, ``lam_grid``, ``lam_star``,
    ``loss``, ``phi``, ``phase_loss``.
    """
    n = 201 if ctx.quick else 2001
    return figure_data(n_memory=81 if ctx.quick else 401, n_lambda=n, n_phase=n)


def draw(data: dict):
    """Draw figure ``memory-f1`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f1.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
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
