"""Figure memory-f8: final loss against the teacher's maximal phase ``θ_0`` (theory guide :ref:`gallery`; Zucchet & Orvieto (2024); paper appendix).

``ν_0 = 0.99``, ``θ_0 = π·{1, 0.316, 0.1, 0.0316, 0.01}``, same students and training as :ref:`gallery-memory-f5`.
Phases near ``±θ_0`` far from the real axis make the loss landscape in the phase flat outside a
basin of width ``O(1-ν)`` (:ref:`memory-teacher-student`).  Opt-in; quick mode is a smoke grid.
"""
from __future__ import annotations

import numpy as np

from ..plot import panel_grid
from ._students import best_final_loss, sizes

TITLE = "Final loss vs maximal teacher phase theta0 (nu0 = 0.99): dense RNN vs LRU"


def compute(ctx) -> dict:
    """The numbers figure ``memory-f8`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f8.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``theta0``, ``dense``, ``lru``, ``settings``.
    """
    theta = [np.pi, np.pi * 0.1] if ctx.quick else [np.pi * f for f in (1.0, 0.316, 0.1, 0.0316, 0.01)]
    lrs = [1e-2] if ctx.quick else [1e-3, 3e-3, 1e-2]
    grid = {"theta_max": theta, "nu0": [0.99], "model": ["dense", "lru"], "lr": lrs, "replicate": [0] if ctx.quick else [0, 1]}
    loss = best_final_loss(ctx, grid, sizes(ctx.quick)).sel(nu0=0.99)
    return {"theta0": np.asarray(theta), "dense": loss.sel(model="dense").values, "lru": loss.sel(model="lru").values,
            "settings": sizes(ctx.quick)}


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
