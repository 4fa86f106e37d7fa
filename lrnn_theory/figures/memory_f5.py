"""Figure memory-f5: final loss against the teacher's eigenvalue range, dense RNN vs LRU (theory guide :ref:`memory-multidim`, :ref:`gallery`, :ref:`memory-simulation-plan`; Zucchet & Orvieto (2024); paper Fig. 3A, reduced).

Teacher ``d_h* = 10`` with eigenvalue moduli in ``[ν_0, 1)``; students ``d_h = 16`` (dense with the
same ``ν_min = ν_0``, or LRU), ``T = 100``, batch 32, 2000 Adam steps with cosine decay, best of
3 learning rates per point, 2 seeds.  As ``ν_0 → 1`` the dense RNN's loss grows (the curse of
memory, spread over all entries of ``A``) while the LRU's reparametrisation and normalisation keep
it trainable.  Opt-in (about 5 minutes on 2 cores); quick mode is a smoke grid.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_int
from ..plot import panel_grid
from ._students import best_final_loss, sizes

TITLE = "Final loss vs teacher eigenvalue range nu0: dense RNN vs LRU (reduced CPU setting)"


def figure_data(nu0=(0.5, 0.9, 0.99, 0.999), lrs=(1e-3, 3e-3, 1e-2), *, n_replicates: int = 2, settings=None,
                executor="serial", progress: bool = False, seed: int = 0) -> dict:
    """The numbers of figure ``memory-f5`` for any teacher eigenvalue ranges, learning rates and sizes.

    Dense linear RNN and LRU (complex-diagonal, normalised, exp-parametrised) students trained by
    BPTT on a random teacher whose eigenvalue moduli lie in ``[ν0, 1]``
    (:func:`lrnn_theory.memory.students.student_point`, swept with :func:`lrnn_theory.sweep.sweep`):
    the final loss at the best learning rate, averaged over replicates; theory guide
    :ref:`memory-simulation-plan`, Zucchet & Orvieto (2024).  :func:`draw` draws the result.

    Parameters
    ----------
    nu0 : sequence of float
        Lower ends ``ν0`` of the teacher's eigenvalue moduli.
    lrs : sequence of float
        Learning rates tried at each point (the best is kept).
    n_replicates : int
        Seeds per point (quick figure: 1).
    settings : dict, optional
        Sizes passed to ``student_point``: ``d_h``, ``teacher_d_h``, ``T``, ``batch``, ``steps``
        (default: the reduced CPU setting ``d_h=16, teacher_d_h=10, T=100, batch=32, steps=2000``).
    executor, progress, seed
        Passed to :func:`lrnn_theory.sweep.sweep`.

    Returns
    -------
    dict
        ``nu0`` (n_nu0,), ``lrs``; ``dense``, ``lru`` (n_nu0,): final losses; ``settings``.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f5 = load("memory-f5")
    >>> small = dict(d_h=2, teacher_d_h=2, T=5, batch=4, steps=5)
    >>> data = f5.figure_data(nu0=[0.5], lrs=[1e-2], n_replicates=1, settings=small)
    >>> data["dense"].shape, data["lru"].shape
    ((1,), (1,))
    """
    nu0 = [float(v) for v in as_float_array("nu0", nu0, ndim=1)]
    lrs = [float(v) for v in as_float_array("lrs", lrs, ndim=1)]
    n_replicates = check_int("n_replicates", n_replicates, minimum=1)
    settings = sizes(False) if settings is None else dict(settings)
    grid = {"nu0": nu0, "model": ["dense", "lru"], "lr": lrs, "replicate": list(range(n_replicates))}
    loss = best_final_loss(grid, settings, executor=executor, progress=progress, seed=seed)
    return {"nu0": np.asarray(nu0), "lrs": np.asarray(lrs), "dense": loss.sel(model="dense").values,
            "lru": loss.sel(model="lru").values, "settings": settings}


def compute(ctx) -> dict:
    """The numbers figure ``memory-f5`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f5.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``nu0``, ``lrs``, ``dense``, ``lru``, ``settings``.
    """
    q = ctx.quick
    return figure_data(nu0=[0.5, 0.9] if q else [0.5, 0.9, 0.99, 0.999], lrs=[1e-2] if q else [1e-3, 3e-3, 1e-2],
                       n_replicates=1 if q else 2, settings=sizes(q), executor=ctx.executor, progress=ctx.progress,
                       seed=ctx.seed)


def draw(data: dict):
    """Draw figure ``memory-f5`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f5.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 1, width=4.6, height=3.4)
    ax = axes[0, 0]
    x = -np.log10(1 - np.asarray(data["nu0"]))
    ax.plot(x, data["dense"], "o-", color="tab:red", label="dense RNN")
    ax.plot(x, data["lru"], "o-", color="tab:blue", label="LRU")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{v:g}" for v in np.asarray(data["nu0"])])
    ax.set_xlabel("ν0 (teacher moduli in [ν0, 1))")
    ax.set_ylabel("final loss (best lr)")
    ax.set_yscale("log")
    ax.legend(frameon=False, fontsize=8)
    return fig
