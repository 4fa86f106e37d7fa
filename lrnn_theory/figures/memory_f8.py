"""Figure memory-f8: final loss against the teacher's maximal phase ``θ_0`` (theory guide :ref:`gallery`; Zucchet & Orvieto (2024); paper appendix).

``ν_0 = 0.99``, ``θ_0 = π·{1, 0.316, 0.1, 0.0316, 0.01}``, same students and training as :ref:`gallery-memory-f5`.
Phases near ``±θ_0`` far from the real axis make the loss landscape in the phase flat outside a
basin of width ``O(1-ν)`` (:ref:`memory-teacher-student`).  Opt-in; quick mode is a smoke grid.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_finite_scalar, check_int
from ..plot import panel_grid
from ._students import best_final_loss, sizes

TITLE = "Final loss vs maximal teacher phase theta0 (nu0 = 0.99): dense RNN vs LRU"


def figure_data(theta0=tuple(np.pi * f for f in (1.0, 0.316, 0.1, 0.0316, 0.01)), lrs=(1e-3, 3e-3, 1e-2), *,
                nu0: float = 0.99, n_replicates: int = 2, settings=None, executor="serial", progress: bool = False,
                seed: int = 0) -> dict:
    """The numbers of figure ``memory-f8`` for any largest teacher phases, learning rates and sizes.

    Dense linear RNN and LRU students trained by BPTT on a random teacher with eigenvalue moduli
    in ``[ν0, 1]`` and phases up to ``θ0`` (:func:`lrnn_theory.memory.students.student_point`,
    swept with :func:`lrnn_theory.sweep.sweep`): the final loss at the best learning rate,
    averaged over replicates; theory guide :ref:`memory-simulation-plan`, Zucchet & Orvieto
    (2024).  :func:`draw` draws the result.

    Parameters
    ----------
    theta0 : sequence of float
        Largest teacher phases ``θ0 ∈ (0, π]``.
    lrs : sequence of float
        Learning rates tried at each point (the best is kept).
    nu0 : float
        Lower end of the teacher's eigenvalue moduli (default 0.99).
    n_replicates : int
        Seeds per point (quick figure: 1).
    settings : dict, optional
        Sizes passed to ``student_point`` (default: the reduced CPU setting).
    executor, progress, seed
        Passed to :func:`lrnn_theory.sweep.sweep`.

    Returns
    -------
    dict
        ``theta0`` (n_theta,); ``dense``, ``lru`` (n_theta,): final losses; ``settings``.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f8 = load("memory-f8")
    >>> small = dict(d_h=2, teacher_d_h=2, T=5, batch=4, steps=5)
    >>> data = f8.figure_data(theta0=[3.0], lrs=[1e-2], nu0=0.9, n_replicates=1, settings=small)
    >>> data["dense"].shape
    (1,)
    """
    theta = [float(v) for v in as_float_array("theta0", theta0, ndim=1)]
    lrs = [float(v) for v in as_float_array("lrs", lrs, ndim=1)]
    nu0 = check_finite_scalar("nu0", nu0)
    n_replicates = check_int("n_replicates", n_replicates, minimum=1)
    settings = sizes(False) if settings is None else dict(settings)
    grid = {"theta_max": theta, "nu0": [nu0], "model": ["dense", "lru"], "lr": lrs,
            "replicate": list(range(n_replicates))}
    loss = best_final_loss(grid, settings, executor=executor, progress=progress, seed=seed).sel(nu0=nu0)
    return {"theta0": np.asarray(theta), "dense": loss.sel(model="dense").values, "lru": loss.sel(model="lru").values,
            "settings": settings}


def compute(ctx) -> dict:
    """The numbers figure ``memory-f8`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f8.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``theta0``, ``dense``, ``lru``, ``settings``.
    """
    q = ctx.quick
    theta = [np.pi, np.pi * 0.1] if q else [np.pi * f for f in (1.0, 0.316, 0.1, 0.0316, 0.01)]
    return figure_data(theta, [1e-2] if q else [1e-3, 3e-3, 1e-2], n_replicates=1 if q else 2, settings=sizes(q),
                       executor=ctx.executor, progress=ctx.progress, seed=ctx.seed)


def draw(data: dict):
    """Draw figure ``memory-f8`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f8.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 1, width=4.6, height=3.4)
    ax = axes[0, 0]
    ax.plot(data["theta0"], data["dense"], "o-", color="tab:red", label="dense RNN")
    ax.plot(data["theta0"], data["lru"], "o-", color="tab:blue", label="LRU")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("θ0 (max teacher phase)")
    ax.set_ylabel("final loss (best lr)")
    ax.legend(frameon=False, fontsize=8)
    return fig
