"""Figure memory-f5: final loss against the teacher's eigenvalue range, dense RNN vs LRU (theory guide :ref:`memory-multidim`, :ref:`gallery`, :ref:`memory-simulation-plan`; Zucchet & Orvieto (2024); paper Fig. 3A, reduced).

Teacher ``d_h* = 10`` with eigenvalue moduli in ``[ν_0, 1)``; students ``d_h = 16`` (dense with the
same ``ν_min = ν_0``, or LRU), ``T = 100``, batch 32, 2000 Adam steps with cosine decay, best of
3 learning rates per point, 2 seeds.  As ``ν_0 → 1`` the dense RNN's loss grows (the curse of
memory, spread over all entries of ``A``) while the LRU's reparametrisation and normalisation keep
it trainable.  Opt-in (about 5 minutes on 2 cores); quick mode is a smoke grid.
"""
from __future__ import annotations

import numpy as np

from ..plot import panel_grid
from ._students import best_final_loss, sizes

TITLE = "Final loss vs teacher eigenvalue range nu0: dense RNN vs LRU (reduced CPU setting)"


def compute(ctx) -> dict:
    """The numbers figure ``memory-f5`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f5.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``nu0``, ``lrs``, ``dense``, ``lru``, ``settings``.
    """
    nu0 = [0.5, 0.9] if ctx.quick else [0.5, 0.9, 0.99, 0.999]
    lrs = [1e-2] if ctx.quick else [1e-3, 3e-3, 1e-2]
    grid = {"nu0": nu0, "model": ["dense", "lru"], "lr": lrs, "replicate": [0] if ctx.quick else [0, 1]}
    loss = best_final_loss(ctx, grid, sizes(ctx.quick))
    return {"nu0": np.asarray(nu0), "lrs": np.asarray(lrs), "dense": loss.sel(model="dense").values,
            "lru": loss.sel(model="lru").values, "settings": sizes(ctx.quick)}


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
