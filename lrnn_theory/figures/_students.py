"""Shared sweep of the dense-vs-LRU student figures (THEORY-EXTENSIONS B-F5, B-F8)."""
from __future__ import annotations

import functools

import numpy as np


class _Cell:
    """``student_point`` called from a sweep point (the ``replicate`` axis only varies the seed)."""

    def __init__(self, **fixed):
        from ..memory.students import student_point

        self.fn = functools.partial(student_point, **fixed)
        functools.update_wrapper(self, student_point)

    def __call__(self, nu0, model, lr, replicate, seed, theta_max=np.pi):
        return self.fn(float(nu0), str(model), float(lr), seed=int(seed) % (2 ** 31), theta_max=float(theta_max))


def best_final_loss(ctx, grid: dict, fixed: dict):
    """Sweep ``grid`` (axes ``model``, ``lr``, ``replicate`` and the figure's own), keep the best learning rate
    per point and average over replicates; returns an xarray DataArray of final losses."""
    from ..sweep import sweep

    ds = sweep(_Cell(**fixed), grid, executor=ctx.executor if ctx.executor is not None else "serial",
               progress=ctx.progress, seed=ctx.seed)
    loss = ds["final_loss"].where(np.isfinite(ds["final_loss"]))
    return loss.min("lr").mean("replicate")


def sizes(quick: bool) -> dict:
    """The reduced CPU setting of B.8 (full) or a smoke size (quick)."""
    if quick:
        return dict(d_h=4, teacher_d_h=4, T=20, batch=8, steps=30)
    return dict(d_h=16, teacher_d_h=10, T=100, batch=32, steps=2000)
