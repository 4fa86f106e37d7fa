"""Shared sweep of the dense-vs-LRU student figures (theory guide :ref:`gallery-memory-f5`, :ref:`gallery-memory-f8`; Zucchet & Orvieto (2024))."""
from __future__ import annotations

import numpy as np


def best_final_loss(grid: dict, fixed: dict, *, executor="serial", progress: bool = False, seed: int = 0):
    """Sweep ``grid`` (axes ``model``, ``lr``, ``replicate`` and the figure's own), keep the best learning rate
    per point and average over replicates; returns an xarray DataArray of final losses."""
    from ..memory.students import student_point
    from ..sweep import Replicated, sweep

    ds = sweep(Replicated(student_point, **fixed), grid, executor="serial" if executor is None else executor,
               progress=progress, seed=seed)
    loss = ds["final_loss"].where(np.isfinite(ds["final_loss"]))
    return loss.min("lr").mean("replicate")


def sizes(quick: bool) -> dict:
    """The reduced CPU setting of :ref:`memory-simulation-plan` (full) or a smoke size (quick)."""
    if quick:
        return dict(d_h=4, teacher_d_h=4, T=20, batch=8, steps=30)
    return dict(d_h=16, teacher_d_h=10, T=100, batch=32, steps=2000)
