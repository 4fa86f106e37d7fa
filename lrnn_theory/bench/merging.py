"""Benchmark: streaming-parity training (theory guide :ref:`merging-protocol`; van Rossem & Saxe (2025)) against a plain NumPy epoch.

Runs single-threaded (BLAS threads set to 1 in a child process, as :ref:`merging-protocol` prescribes):

* ``numpy``: a plain NumPy float64 implementation of one :ref:`merging-task` epoch (forward, hand-written
  BPTT, SGD) — the reference of :ref:`merging-protocol` — timed over a few epochs;
* ``lrnn``: :func:`~lrnn_theory.merging.train_parity` epochs (numba kernels, float32);
* the whole default run (P = 100, G₀ = 0.1, 1000 epochs, automaton every 25 epochs).

Prints the time per epoch of both, their ratio and the default run's wall time.

A second record (``case: "phase"``) measures the cells of the :ref:`gallery-merging-f5` phase diagram on a
reduced grid (``p`` ∈ {0.2, 0.6, 1.0} × ``G₀`` ∈ {0.1, 1.0}, a fixed epoch budget, float32) in grid
cells per second, in a child process with one BLAS thread and all numba threads:

* ``serial``: one :func:`~lrnn_theory.merging.train.phase_point` per cell, one after another (the
  figure's previous path);
* ``batched_1thread``: :func:`~lrnn_theory.merging._batched.phase_cells` on one thread;
* ``batched``: the same on all cores;
* ``batched_float64``: the same in float64 on all cores (the figure's path).
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


#: Reduced phase-diagram grid of the ``phase`` case (one replicate).
PHASE_GRID = {"p": (0.2, 0.6, 1.0), "gain": (0.1, 1.0)}


def _measure_phase(quick: bool, grid: dict | None = None) -> dict:
    import numba

    from ..merging._batched import phase_cells
    from ..merging.train import phase_point

    grid = PHASE_GRID if grid is None else grid
    cells = [(p, g) for p in grid["p"] for g in grid["gain"]]
    p, g = np.array([c[0] for c in cells]), np.array([c[1] for c in cells])
    seeds = np.arange(len(cells))
    epochs = 20 if quick else 100
    phase_cells(p[:1], g[:1], seeds[:1], max_epochs=1)  # compile (or load the cache)
    phase_cells(p[:1], g[:1], seeds[:1], max_epochs=1, dtype="float64")
    phase_point(1.0, 0.1, max_epochs=1)
    reps = 1 if quick else 2
    t_serial = t_one = t_all = t_64 = np.inf
    for _ in range(reps):  # the minimum over repetitions, each path measured in this run
        t0 = time.perf_counter()
        ref = [phase_point(pi, gi, seed=int(si), max_epochs=epochs) for pi, gi, si in zip(p, g, seeds)]
        t_serial = min(t_serial, time.perf_counter() - t0)
        t0 = time.perf_counter()
        phase_cells(p, g, seeds, max_epochs=epochs, parallel=False)
        t_one = min(t_one, time.perf_counter() - t0)
        t0 = time.perf_counter()
        got = phase_cells(p, g, seeds, max_epochs=epochs)
        t_all = min(t_all, time.perf_counter() - t0)
        t0 = time.perf_counter()
        phase_cells(p, g, seeds, max_epochs=epochs, dtype="float64")
        t_64 = min(t_64, time.perf_counter() - t0)
    n = len(cells)
    same = sum(all(got[k][i] == r[k] for k in r) for i, r in enumerate(ref))
    return dict(bench="merging", case="phase", cells=n, epochs_per_cell=epochs, hidden=100, dtype="float32",
                threads=numba.get_num_threads(), serial_cells_per_s=n / t_serial, batched_1thread_cells_per_s=n / t_one,
                batched_cells_per_s=n / t_all, speedup_1thread=t_serial / t_one, speedup=t_serial / t_all,
                batched_float64_cells_per_s=n / t_64, speedup_float64=t_serial / t_64,
                cells_reporting_the_same_numbers=same, quick=bool(quick))


def run(quick: bool = False) -> list[dict]:
    """Run in child processes (one BLAS thread; one numba thread for the epoch case, all for the
    phase case); print and return the two records."""
    one = dict(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    recs = []
    for fn, env in (("_measure", dict(os.environ, **one, NUMBA_NUM_THREADS="1")),
                    ("_measure_phase", {k: v for k, v in dict(os.environ, **one).items() if k != "NUMBA_NUM_THREADS"})):
        code = f"import json; from lrnn_theory.bench.merging import {fn}; print(json.dumps({fn}({bool(quick)})))"
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        recs.append(emit(json.loads(out.stdout.strip().splitlines()[-1])))
    return recs
