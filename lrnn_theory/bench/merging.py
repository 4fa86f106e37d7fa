"""Benchmark: streaming-parity training (theory guide :ref:`merging-protocol`; van Rossem & Saxe (2025)) against a plain NumPy epoch.

Runs single-threaded (BLAS threads set to 1 in a child process, as :ref:`merging-protocol` prescribes):

* ``numpy``: a plain NumPy float64 implementation of one :ref:`merging-task` epoch (forward, hand-written
  BPTT, SGD) — the reference of :ref:`merging-protocol` — timed over a few epochs;
* ``lrnn``: :func:`~lrnn_theory.merging.train_parity` epochs (numba kernels, float32);
* the whole default run (P = 100, G₀ = 0.1, 1000 epochs, automaton every 25 epochs).

Prints the time per epoch of both, their ratio and the default run's wall time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

from . import emit

__all__ = ["numpy_epoch", "run"]


def numpy_epoch(params: list, data, batches, lr: float = 0.02) -> float:
    """One :ref:`merging-task` epoch in plain NumPy (ReLU, MSE, SGD, ``h_0 = 1``); updates ``params`` in place, returns the mean loss."""
    W_ih, b_ih, W_hh, b_hh, W_hy, b_hy = params
    total = 0.0
    for idx in batches:
        strings = [data.strings[i] for i in idx]
        sym = np.array([[ord(c) - 48 for c in s] for s in strings])
        y = np.eye(2)[data.labels[idx]]
        B, m = sym.shape
        H = [np.ones((B, W_hh.shape[0]))]
        for t in range(m):
            H.append(np.maximum(W_ih[:, sym[:, t]].T + b_ih + H[-1] @ W_hh.T + b_hh, 0.0))
        out = H[-1] @ W_hy.T + b_hy
        r = out - y
        total += float(np.mean(r ** 2))
        dout = 2 * r / r.size
        g_hy, g_by = dout.T @ H[-1], dout.sum(0)
        A = dout @ W_hy
        g_ih, g_hh, g_b = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(b_ih)
        for t in range(m, 0, -1):
            D = A * (H[t] > 0)
            g_hh += D.T @ H[t - 1]
            np.add.at(g_ih.T, sym[:, t - 1], D)
            g_b += D.sum(0)
            A = D @ W_hh
        for w, g in ((W_ih, g_ih), (b_ih, g_b), (W_hh, g_hh), (b_hh, g_b), (W_hy, g_hy), (b_hy, g_by)):
            w -= lr * g
    return total / len(batches)


def _measure(quick: bool) -> dict:
    from ..merging.rnn import init_params
    from ..merging.tasks import epoch_batches, parity_data
    from ..merging.train import train_parity

    data = parity_data(10)
    rng = np.random.default_rng(0)
    params = [a.copy() for a in init_params(100, 0.1, seed=0).arrays()]
    n_np = 3 if quick else 10
    t0 = time.perf_counter()
    for _ in range(n_np):
        numpy_epoch(params, data, epoch_batches(data, 128, rng=rng))
    t_np = (time.perf_counter() - t0) / n_np
    train_parity(epochs=2, long_lengths=())  # compile
    n = 50 if quick else 200
    t0 = time.perf_counter()
    train_parity(epochs=n, extract_every=10 ** 6, long_lengths=())
    t_ours = (time.perf_counter() - t0) / n
    rec = dict(bench="merging", numpy_s_per_epoch=t_np, lrnn_s_per_epoch=t_ours, speedup_vs_numpy=t_np / t_ours)
    if not quick:
        t0 = time.perf_counter()
        run = train_parity()
        rec.update(default_run_s=time.perf_counter() - t0, default_run_val_accuracy=float(run.val_accuracy[-1]),
                   default_run_final_states=int(run.n_states[-1]), numpy_default_run_estimate_s=1000 * t_np)
    return rec


def run(quick: bool = False) -> list[dict]:
    """Run in a single-threaded child process; print and return one record."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    code = f"import json; from lrnn_theory.bench.merging import _measure; print(json.dumps(_measure({bool(quick)})))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return [emit(json.loads(out.stdout.strip().splitlines()[-1]))]
