"""Benchmark of the gradient-descent simulator (``lrnn-theory bench sim``).

Cases (see :ref:`performance`): (N_x = N_y = 4, 4 modes, N_h = 16, T = 10, P = 80)
and (N_x = N_y = N_h = 64, T = 20, P = 1280), full batch, normalised loss.  Each
case times :func:`lrnn_theory.simulate_gd` against a plain NumPy implementation
of the same full-batch BPTT step measured in the same run (and against PyTorch
eager autograd when torch is installed; torch is not a dependency), and
reports steps per second and the ratios.  Our rate and torch's are each the
best of ``REPEATS`` timings (the machine is shared: the minimum is the least
disturbed), taken in interleaved rounds (the GEMM rate, ours, torch on one
thread, torch on two) so that every side samples the same periods of the
machine.  Each case also reports the floating-point rate of the
correlation-space step (``step_mflop`` from the count of its matrix products)
and the best one-thread BLAS GEMM rate measured in the same run (64×64×64, the
per-``k`` block of the large case, and 256×256×256), so that the step's
distance from the GEMM floor is on record.  A batch of 64 small runs measures
the parallel batched entry point with one thread and with all threads (best of
``REPEATS`` interleaved rounds).
"""
from __future__ import annotations

import time

import numpy as np
from numba import njit

from .. import tasks
from ..data import make_dataset
from ..sim import initial_weights, simulate_gd, simulate_gd_batch
from . import emit

__all__ = ["run"]

#: Timings per measurement; the best (fastest) one is reported, for ours and for torch alike.
REPEATS = 5

CASES = {
    "small": dict(n_x=4, n_y=4, n_h=16, T=10, P=80, modes=4),
    "large": dict(n_x=64, n_y=64, n_h=64, T=20, P=1280, modes=64),
}


def _dataset(c, seed=0):
    rng = np.random.default_rng(seed)
    S = tasks.inverse_exponential(c["T"], rng.uniform(0.5, 2.0, c["modes"]), rng.uniform(0.5, 1.0, c["modes"]))
    return make_dataset(S, c["n_x"], c["n_y"], c["P"], seed=seed)


def _numpy_step(Wx, Wh, Wy, X, Y, lr):
    """Plain NumPy full-batch BPTT step (vectorised over samples), normalised loss."""
    P, T, _ = X.shape
    H = [np.zeros((P, Wh.shape[0]))]
    for t in range(T):
        H.append(H[-1] @ Wh.T + X[:, t] @ Wx.T)
    e = (H[-1] @ Wy.T - Y) / P
    gWy = e.T @ H[-1]
    g = e @ Wy
    gWx = np.zeros_like(Wx)
    gWh = np.zeros_like(Wh)
    for t in range(T - 1, -1, -1):
        gWx += g.T @ X[:, t]
        gWh += g.T @ H[t]
        g = g @ Wh
    return Wx - lr * gWx, Wh - lr * gWh, Wy - lr * gWy


def _step_macs(n_x: int, n_y: int, n_h: int, T: int) -> int:
    """Multiply-adds of one correlation-space step (whitened inputs): the B_k and Z_q recursions, M, the
    W_yᵀ G_k terms, ∂W_y, ∂W_h and ∂W_x (see :mod:`lrnn_theory.sim._kernels`)."""
    return ((T - 1) * n_x * n_h * n_h + T * n_x * n_h * n_y  # B_k, M_k
            + (T - 1) * n_x * n_y * n_h + max(T - 2, 0) * n_x * n_h * n_h  # Z_q
            + T * n_x * n_y * n_h + (T - 1) * n_x * n_h * n_h  # ∂W_y, ∂W_h
            + n_x * n_y * n_h + (n_x * n_h * n_h if T > 1 else 0))  # ∂W_x


@njit
def _products(A, B, C, n):
    """``n`` BLAS products ``C = A @ B`` (compiled: no interpreter overhead between calls)."""
    for _ in range(n):
        np.dot(A, B, C)


def _gemm_gflops() -> float:
    """One-thread BLAS GEMM rate (Gflop/s), the better of a 64³ and a 256³ timing (one round of ``run``)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    best = 0.0
    with threadpool_limits(1, user_api="blas"):
        for size, n in ((64, 2000), (256, 40)):
            A, B, C = rng.normal(size=(size, size)), rng.normal(size=(size, size)), np.empty((size, size))
            _products(A, B, C, 2)
            t0 = time.perf_counter()
            _products(A, B, C, n)
            best = max(best, 2 * size**3 * n / (time.perf_counter() - t0) / 1e9)
    return best


def _torch_stepper(d, n_h, lr):
    """One full-batch SGD step of the same network in PyTorch eager autograd (float64), warmed up; None
    when torch is not installed.  Its thread count is set by the caller (``torch.set_num_threads``)."""
    try:
        import torch
    except ImportError:
        return None
    g = torch.Generator().manual_seed(0)
    X = torch.tensor(d.X)
    Y = torch.tensor(d.Y)
    Wx = (0.1 * torch.randn(n_h, d.n_x, generator=g, dtype=torch.float64)).requires_grad_()
    Wh = (0.1 * torch.randn(n_h, n_h, generator=g, dtype=torch.float64)).requires_grad_()
    Wy = (0.1 * torch.randn(d.n_y, n_h, generator=g, dtype=torch.float64)).requires_grad_()
    opt = torch.optim.SGD([Wx, Wh, Wy], lr=lr)

    def step():
        opt.zero_grad()
        h = torch.zeros(X.shape[0], n_h, dtype=torch.float64)
        for t in range(X.shape[1]):
            h = h @ Wh.T + X[:, t] @ Wx.T
        loss = 0.5 * ((h @ Wy.T - Y) ** 2).sum() / X.shape[0]
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    return step


def _torch_rate(step, steps: int, threads: int) -> float:
    """Steps per second of ``steps`` torch steps on ``threads`` threads (one timing)."""
    import torch

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - t0)


def run(quick: bool = False) -> list[dict]:
    """Run the simulator benchmark; print and return one record per case."""
    records = []
    for name, c in CASES.items():
        d = _dataset(c)
        lr = {"small": 0.005, "large": 0.001}[name]  # the cost of a step does not depend on lr; no divergence
        n_steps = {"small": 20_000, "large": 1_000}[name] // (10 if quick else 1)
        n_np = {"small": 2_000, "large": 40}[name] // (4 if quick else 1)
        simulate_gd(d, c["n_h"], lr=lr, steps=2, init="random", seed=0)  # compile
        torch_step = _torch_stepper(d, c["n_h"], lr)
        n_torch = max(10, n_np // 2)
        setup = total = np.inf
        torch_rates = {1: 0.0, 2: 0.0}
        gemm = 0.0
        for _ in range(REPEATS):  # interleaved rounds: the GEMM floor, ours, torch on 1 and 2 threads
            gemm = max(gemm, _gemm_gflops())
            t0 = time.perf_counter()
            simulate_gd(d, c["n_h"], lr=lr, steps=1, init="random", seed=0, record_every=1)
            setup = min(setup, time.perf_counter() - t0)  # correlations, initialisation, one step
            t0 = time.perf_counter()
            run = simulate_gd(d, c["n_h"], lr=lr, steps=n_steps, init="random", seed=0, record_every=n_steps)
            total = min(total, time.perf_counter() - t0)
            if run.diverged:  # a run that stops early would time fewer steps than counted
                raise RuntimeError(f"bench sim {name}: the timed run diverged at step {run.diverged_step}")
            if torch_step is not None:
                for threads in torch_rates:
                    torch_rates[threads] = max(torch_rates[threads], _torch_rate(torch_step, n_torch, threads))
        ours = n_steps / max(total - setup, 1e-9)  # steady-state steps per second
        mflop = 2 * _step_macs(c["n_x"], c["n_y"], c["n_h"], c["T"]) / 1e6
        W = initial_weights(d, c["n_h"], init="random", seed=0)[:3]  # the same start as the timed run
        t0 = time.perf_counter()
        for _ in range(n_np):
            W = _numpy_step(*W, d.X, d.Y, lr)
        numpy_rate = n_np / (time.perf_counter() - t0)
        rec = dict(bench="sim", case=name, **{k: v for k, v in c.items()}, lrnn_steps_per_s=ours,
                   lrnn_setup_s=setup, lrnn_total_s=total, steps=n_steps,
                   numpy_steps_per_s=numpy_rate, speedup_vs_numpy=ours / numpy_rate, step_mflop=mflop,
                   lrnn_gflops=ours * mflop / 1e3, gemm_gflops_1thread=gemm,
                   fraction_of_gemm_peak=ours * mflop / 1e3 / gemm)
        if torch_step is not None:
            for threads, rate in torch_rates.items():
                rec[f"torch_{threads}thread_steps_per_s"] = rate
                rec[f"speedup_vs_torch_{threads}thread"] = ours / rate
        records.append(emit(rec))

    # batch of 64 small runs: one thread vs all threads
    import numba

    d = _dataset(CASES["small"])
    steps = 2_000 if quick else 10_000
    simulate_gd_batch(d, 16, lr=0.005, steps=2, init="random", seeds=list(range(2)))
    default_threads = numba.get_num_threads()
    rates = {threads: 0.0 for threads in sorted({1, default_threads})}
    for _ in range(REPEATS):  # interleaved rounds, best of each
        for threads in rates:
            numba.set_num_threads(threads)
            try:
                t0 = time.perf_counter()
                simulate_gd_batch(d, 16, lr=0.005, steps=steps, init="random", seeds=list(range(64)),
                                  record_every=steps)
                rates[threads] = max(rates[threads], 64 * steps / (time.perf_counter() - t0))
            finally:
                numba.set_num_threads(default_threads)
    records.append(emit(dict(bench="sim", case="batch64_small", runs=64, steps=steps,
                             run_steps_per_s={str(k): v for k, v in rates.items()},
                             parallel_speedup=rates[default_threads] / rates[1], threads=default_threads)))
    return records
