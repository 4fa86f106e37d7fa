"""Benchmark: the BPTT simulator (theory guide :ref:`bptt-diagnostics`) with every option off, against the core per-sample BPTT kernel.

Same problem (many-to-one linear RNN, P = 64, T = 50, N_h = 32), same number of
full-batch steps, in the same run:

* ``core``: the previous issue's per-sample BPTT kernel (``sim._kernels.bptt_loss_grad``)
  driven by a plain update loop — the baseline;
* ``off``: :func:`~lrnn_theory.sim.simulate_bptt` with clipping, truncation, leak, masks
  and diagnostics off;
* ``on``: clipping, leak and adjoint/lag diagnostics at every 10th step.

Reports steps per second and the ratios ``off/core`` (≈ 1: the options cost nothing
when off) and ``on/off``.
"""
from __future__ import annotations

import time

import numpy as np

from ..sim import Diagnostics, simulate_bptt
from ..sim._kernels import bptt_loss_grad
from . import emit

__all__ = ["run"]


def run(quick: bool = False) -> list[dict]:
    """Run the BPTT-options benchmark; print and return one record."""
    rng = np.random.default_rng(0)
    P, T, n_x, n_h, n_y = 64, 50, 4, 32, 4
    X = rng.normal(size=(P, T, n_x))
    Y = rng.normal(size=(P, n_y))
    w0 = (0.1 * rng.normal(size=(n_h, n_x)), 0.9 * np.linalg.qr(rng.normal(size=(n_h, n_h)))[0], 0.1 * rng.normal(size=(n_y, n_h)))
    steps, lr = (50 if quick else 300), 0.01
    simulate_bptt(X, Y, weights=w0, lr=lr, steps=2)  # compile
    simulate_bptt(X, Y, weights=w0, lr=lr, steps=2, clip=1.0, leak=0.1, record_every=1,
                  diagnostics=Diagnostics(adjoint_norms=True, lag_norms=True))

    def core():
        U, W, V = (a.copy() for a in w0)
        H = np.empty((T + 1, n_h))
        gU, gW, gV = np.empty_like(U), np.empty_like(W), np.empty_like(V)
        for _ in range(steps + 1):
            bptt_loss_grad(U, W, V, X, Y, 1.0 / P, H, gU, gW, gV)
            U -= lr * gU
            W -= lr * gW
            V -= lr * gV

    core()
    t0 = time.perf_counter()
    core()
    t_core = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate_bptt(X, Y, weights=w0, lr=lr, steps=steps, record_every=steps)
    t_off = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate_bptt(X, Y, weights=w0, lr=lr, steps=steps, clip=1.0, leak=0.1, record_every=10,
                  diagnostics=Diagnostics(adjoint_norms=True, lag_norms=True))
    t_on = time.perf_counter() - t0
    rate = lambda t: steps / t  # noqa: E731
    return [emit(dict(bench="bptt", P=P, T=T, n_h=n_h, steps=steps, core_steps_per_s=rate(t_core),
                      off_steps_per_s=rate(t_off), on_steps_per_s=rate(t_on), off_over_core=t_off / t_core,
                      on_over_off=t_on / t_off))]
