"""Benchmark of the mode-ODE integrator against per-mode ``scipy.integrate.solve_ivp``.

Case (see :ref:`performance`): T = 10, a = b = c = 0.1, t ∈ [0, 100τ],
rtol 1e-10, atol 1e-12, random inverse-exponential tasks with
δ ∈ [0.5, 2], λ ∈ [0.5, 1].  The baseline (LSODA, the strongest per-mode
scipy method there, and Radau) is timed on a subset of the same modes in the
same run, after one untimed warm-up call, and extrapolated per mode (LSODA:
median of three passes, like our batch; Radau, ~1000 times slower, one pass); the accuracy of both against each other
is reported too, and so is the work per mode of each method: right-hand-side
evaluations (``nfev``), Jacobian evaluations (``njev``), LU factorisations
(``nlu``) and accepted steps (``nsteps``; for scipy counted on a few modes by
rerunning them without ``t_eval``, untimed).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from .. import tasks
from ..integrate import integrate_modes
from ..modes import mode_jacobian
from . import emit, timeit

__all__ = ["run"]

RTOL, ATOL, T_END, T_LEN = 1e-10, 1e-12, 100.0, 10
#: Timings of the 10 000-mode batch and of the LSODA baseline pass; the median of each is reported.
BATCH_REPEATS = 3


def _random_tasks(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return tasks.inverse_exponential(T_LEN, rng.uniform(0.5, 2.0, n), rng.uniform(0.5, 1.0, n))


def _scipy_one(s: np.ndarray, method: str, all_steps: bool = False):
    """Baseline: one ``solve_ivp`` call per mode with a lean NumPy right-hand side and analytic
    Jacobian (no validation layer), as a researcher would write it for scipy."""
    T = s.size
    k = np.arange(T - 1, -1, -1, dtype=float)  # k = T - i
    km1 = np.maximum(k - 1, 0)

    def f(_, y):
        a, b, c = y
        p = b ** k
        r = s - a * c * p
        S1 = p @ r
        S2 = (k * b ** km1) @ r
        return np.array([c * S1, a * c * S2, a * S1])

    def jac(_, y):
        a, b, c = y
        return mode_jacobian(a, b, c, s)

    kw = {"jac": jac} if method in ("Radau", "LSODA") else {}
    t_eval = None if all_steps else [T_END]  # without t_eval solve_ivp returns every step
    return solve_ivp(f, (0.0, T_END), [0.1, 0.1, 0.1], method=method, rtol=RTOL, atol=ATOL, t_eval=t_eval, **kw)


def _work(sol) -> dict:
    """Mean work per mode of one of our solutions."""
    return {k: float(np.mean(getattr(sol, k))) for k in ("nfev", "njev", "nlu", "nsteps")}


def run(quick: bool = False) -> list[dict]:
    """Run the theory benchmark; print and return one record per case."""
    n_batch = 1_000 if quick else 10_000
    n_base = 10 if quick else 50
    n_steps = 5 if quick else 10  # scipy modes rerun (untimed) to count their steps
    S = _random_tasks(n_batch)
    t = np.array([0.0, T_END])
    integrate_modes(S[:2], 0.1, 0.1, 0.1, t)  # compile
    records = []

    # one mode, after warm-up
    single = timeit(lambda: integrate_modes(S[0], 0.1, 0.1, 0.1, t), repeat=21)
    base = {}
    for method in ("LSODA", "Radau"):
        _scipy_one(S[0], method)  # warm-up: scipy's first call of a method costs ~0.3 s once
        sols = []

        def one_pass():
            sols[:] = [_scipy_one(S[i], method) for i in range(n_base)]

        # the headline baseline (LSODA): median of BATCH_REPEATS passes, as for our batch below
        elapsed = timeit(one_pass, repeat=BATCH_REPEATS if method == "LSODA" else 1)
        steps = [_scipy_one(S[i], method, all_steps=True).t.size - 1 for i in range(n_steps)]  # untimed
        base[method] = dict(
            seconds_per_mode=elapsed / n_base,
            work={"nfev": float(np.mean([s.nfev for s in sols])), "njev": float(np.mean([s.njev for s in sols])),
                  "nlu": float(np.mean([s.nlu for s in sols])), "nsteps": float(np.mean(steps))},
            final=np.array([s.y[:, -1] for s in sols]),
        )
    ours = integrate_modes(S[:n_base], 0.1, 0.1, 0.1, t)
    ours_final = np.stack([ours.a[:, -1], ours.b[:, -1], ours.c[:, -1]], axis=-1)
    records.append(emit(dict(
        bench="theory", case="single_mode", T=T_LEN, t_end=T_END, rtol=RTOL,
        lrnn_ms=single * 1e3,
        lsoda_ms=base["LSODA"]["seconds_per_mode"] * 1e3,
        speedup_vs_lsoda=base["LSODA"]["seconds_per_mode"] / single,
        nfev_lrnn=int(ours.nfev[0]), nfev_lsoda=base["LSODA"]["work"]["nfev"],
        work_per_mode_lrnn=_work(ours), work_per_mode_lsoda=base["LSODA"]["work"],
        work_per_mode_scipy_radau=base["Radau"]["work"],
    )))

    # the batch: median of BATCH_REPEATS runs
    batch = timeit(lambda: integrate_modes(S, 0.1, 0.1, 0.1, t), repeat=BATCH_REPEATS)
    sol = integrate_modes(S, 0.1, 0.1, 0.1, t)
    for method in ("LSODA", "Radau"):
        est = base[method]["seconds_per_mode"] * n_batch
        records.append(emit(dict(
            bench="theory", case=f"batch_{n_batch}_vs_{method.lower()}", n_modes=n_batch,
            lrnn_s=batch, baseline_s_estimated=est, baseline_modes_timed=n_base,
            speedup=est / batch,
            nfev_per_mode_lrnn=float(sol.nfev.mean()), nfev_per_mode_baseline=base[method]["work"]["nfev"],
            work_per_mode_lrnn=_work(sol), work_per_mode_baseline=base[method]["work"],
            max_abs_diff_final=float(np.max(np.abs(ours_final - base[method]["final"]))),
            all_success=bool(sol.success),
        )))
    return records
