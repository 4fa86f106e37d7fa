"""Benchmark of :func:`lrnn_theory.sweep.sweep` on a Figure-4-like grid (``lrnn-theory bench sweep``).

Final ``b`` and ``ac`` of the mode ODE (modified constant task, T = 10,
from a = b = c = 0.1 to 10⁴τ) over a 100 × 100 grid of (δ, κ): vectorised
chunks (one batched integration per chunk) against a one-point-per-task
sweep of the same function, both on the default local process pool, in the
same run.  The one-point-per-task baseline is timed on a subset and
extrapolated per point.
"""
from __future__ import annotations

import time

import numpy as np

from .. import tasks
from ..integrate import integrate_modes
from ..sweep import default_executor, sweep
from . import emit

__all__ = ["final_modes", "run"]


def final_modes(delta, kappa) -> dict:
    """Final (b, ac) at 10⁴τ for the modified constant task, T = 10 (scalars or arrays)."""
    s = tasks.modified("constant", 10, np.asarray(delta, float), 0.0, np.asarray(kappa, float))
    fin = integrate_modes(s, 0.1, 0.1, 0.1, np.array([0.0, 1e4])).final()
    return {"b": fin.b, "ac": fin.u}


def run(quick: bool = False) -> list[dict]:
    n = 40 if quick else 100
    grid = {"delta": np.linspace(0.0, 2.0, n), "kappa": np.linspace(0.2, 1.2, n)}
    with default_executor() as ex:
        sweep(final_modes, {"delta": [0.5], "kappa": [1.0, 0.5]}, executor=ex, progress=False)  # warm the workers
        t0 = time.perf_counter()
        ds = sweep(final_modes, grid, executor=ex, progress=False, vectorized=True)
        vec = time.perf_counter() - t0
        k = 4 if quick else 6  # κ columns timed point by point (all δ values)
        sub = {"delta": grid["delta"], "kappa": grid["kappa"][:k]}
        t0 = time.perf_counter()
        ds1 = sweep(final_modes, sub, executor=ex, progress=False, chunksize=1)
        timed = int(ds1["b"].size)
        per_point = (time.perf_counter() - t0) / timed
    same = bool(np.array_equal(ds1["b"].values, ds["b"].values[:, :k]))
    return [emit(dict(bench="sweep", case=f"grid_{n}x{n}_mode_ode", points=n * n, vectorized_s=vec,
                      one_point_per_task_s_estimated=per_point * n * n, one_point_per_task_points_timed=timed,
                      speedup=per_point * n * n / vec, identical_values=same))]
