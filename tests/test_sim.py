"""Gradient descent on full weight matrices vs the theory (theory guide `theory-loss`, `theory-conventions`, `theory-matrix-flow`, `theory-conserved`, `theory-aligned`, `theory-alignment-invariance`, `theory-mode-odes`, `theory-reduced`, `theory-equilibria`, `theory-t1`, `theory-mode-recovery`, `theory-checks` ('Dynamics'); Proca et al. (2025), eqs. 5–8)."""
import subprocess
import sys

import numpy as np
import pytest

from lrnn_theory import tasks
from lrnn_theory.conventions import ode_time
from lrnn_theory.data import Dataset, make_dataset
from lrnn_theory.integrate import integrate_modes
from lrnn_theory.modes import mode_rhs
from lrnn_theory.sim import compare, effective_products, loss_and_grad, simulate_gd, simulate_gd_batch


def _three_modes(T=5):
    return tasks.stack(tasks.inverse_exponential(T, 2.0, 0.8), tasks.inverse_exponential(T, 1.5, 0.6),
                       tasks.inverse_exponential(T, 1.0, 0.7))


def _closed_form_gradients(d, Wx, Wh, Wy):
    """Theory guide `theory-matrix-flow` printed matrix gradient-flow equations (general data), as -∇L."""
    syx, sxx, _ = d.correlations()
    T = d.T
    P = lambda k: np.linalg.matrix_power(Wh, k)  # noqa: E731
    M = [Wy @ P(T - i) @ Wx for i in range(1, T + 1)]
    E = [syx[i] - sum(M[j] @ sxx[j, i] for j in range(T)) for i in range(T)]
    dWx = sum(P(T - i).T @ Wy.T @ E[i - 1] for i in range(1, T + 1))
    dWh = sum(P(r).T @ Wy.T @ E[i - 1] @ Wx.T @ P(T - i - 1 - r).T for i in range(1, T) for r in range(T - i))
    dWy = sum(E[i - 1] @ Wx.T @ P(T - i).T for i in range(1, T + 1))
    return -dWx, -dWh if T > 1 else np.zeros_like(Wh), -dWy


@pytest.mark.parametrize("whiten,convention", [(True, "normalised"), (True, "sum"), (False, "normalised")])
def test_check4_gradients_bptt_equal_closed_forms_and_correlation_space(whiten, convention):
    rng = np.random.default_rng(0)
    d = make_dataset(_three_modes(4), 4, 3, 48, seed=1, whiten=whiten, convention=convention)
    W = (0.5 * rng.normal(size=(5, 4)), 0.4 * rng.normal(size=(5, 5)), 0.5 * rng.normal(size=(3, 5)))
    lc, gc = loss_and_grad(d, W, method="correlation")
    lb, gb = loss_and_grad(d, W, method="bptt")
    ref = _closed_form_gradients(d, *W)
    assert lc == pytest.approx(lb, rel=1e-12)
    for x, y, z in zip(gc, gb, ref):
        scale = np.max(np.abs(z))
        assert np.max(np.abs(x - z)) < 1e-12 * max(scale, 1) and np.max(np.abs(y - z)) < 1e-12 * max(scale, 1)


def test_check4_gradients_equal_central_finite_differences():
    rng = np.random.default_rng(1)
    d = Dataset.from_arrays(rng.normal(size=(20, 3, 2)), rng.normal(size=(20, 2)))
    W = [0.5 * rng.normal(size=(3, 2)), 0.5 * rng.normal(size=(3, 3)), 0.5 * rng.normal(size=(2, 3))]
    _, grads = loss_and_grad(d, W, method="bptt")
    h = 1e-6
    for w, g in zip(W, grads):
        fd = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            old = w[idx]
            w[idx] = old + h
            lp = loss_and_grad(d, W)[0]
            w[idx] = old - h
            lm = loss_and_grad(d, W)[0]
            w[idx] = old
            fd[idx] = (lp - lm) / (2 * h)
        assert np.max(np.abs(fd - g)) < 1e-6 * max(1.0, np.max(np.abs(g)))


def _per_mode_gd(S, a, b, c, lr, steps):
    a, b, c = (np.array(x, dtype=float) for x in (a, b, c))
    out = [np.stack([a, b, c])]
    for _ in range(steps):
        da, db, dc = mode_rhs(a, b, c, S)
        a, b, c = a + lr * da, b + lr * db, c + lr * dc
        out.append(np.stack([a, b, c]))
    return np.array(out)


def test_check6_aligned_full_matrix_gd_equals_per_mode_gd():
    """Theory guide `theory-checks` ('Dynamics'): full-matrix GD from an aligned start equals per-mode GD to 1e-12 over
    thousands of steps, and the off-diagonal projections stay < 1e-12 (theory guide `theory-alignment-invariance`)."""
    S = _three_modes(5)
    d = make_dataset(S, 4, 5, 64, seed=0)
    a0, b0, c0 = np.array([0.1, 0.2, 0.05]), np.array([0.1, -0.3, 0.5]), np.array([0.3, 0.1, 0.2])
    run = simulate_gd(d, 6, lr=0.01, steps=3000, modes0=(a0, b0, c0), seed=2, record_every=1)
    modes = run.modes()
    ref = _per_mode_gd(S, a0, b0, c0, 0.01, 3000)
    assert np.max(np.abs(modes.a - ref[:, 0])) < 1e-12
    assert np.max(np.abs(modes.b - ref[:, 1])) < 1e-12
    assert np.max(np.abs(modes.c - ref[:, 2])) < 1e-12
    assert np.max(modes.off_diagonal) < 1e-12


def test_check7_gd_vs_ode_error_is_order_lr():
    """Theory guide `theory-checks` ('Dynamics'): per-mode GD vs the ODE (τ = 1/η) differs by O(η): halving η roughly halves
    the error.  Task (not stated in the theory guide): inverse-exponential δ = 1, λ = 0.8, T = 5, init 0.05,
    max error of u and b over 60τ.  Reference values: 4.6e-2, 1.8e-2, 3.8e-3, 1.2e-3."""
    S = tasks.inverse_exponential(5, 1.0, 0.8)
    d = make_dataset(S, 1, 1, 5, seed=0)
    errs = []
    lrs = np.array([1e-2, 3e-3, 1e-3, 3e-4])
    for lr in lrs:
        steps = int(round(60 / lr))
        run = simulate_gd(d, 1, lr=lr, steps=steps, scale=0.05, record_every=max(1, steps // 600))
        th = integrate_modes(S, 0.05, 0.05, 0.05, run.time)
        c = compare(th, run)
        errs.append(max(np.max(np.abs(c.theory["a"] * c.theory["c"] - c.simulation["a"] * c.simulation["c"])),
                        c.max_abs["b"].max()))
    errs = np.array(errs)
    ratio = errs / lrs
    assert np.all(np.diff(errs) < 0)
    assert ratio.max() / ratio.min() < 3.0  # error / η roughly constant
    assert 1e-2 < errs[0] < 1e-1  # same order as the reference 4.6e-2


def test_check8_noether_matrix_drifts_order_lr():
    """Theory guide `theory-conserved`: Q = W_xW_xᵀ + W_hW_hᵀ - W_hᵀW_h - W_yᵀW_y is conserved by the flow; GD drifts O(η)."""
    d = make_dataset(_three_modes(5), 6, 5, 64, seed=0)
    drift = []
    for lr in (2e-3, 1e-3):
        run = simulate_gd(d, 4, lr=lr, steps=int(10 / lr), init="random", scale=0.1, seed=3, record_every=int(10 / lr))
        Q = [Wx @ Wx.T + Wh @ Wh.T - Wh.T @ Wh - Wy.T @ Wy for Wx, Wh, Wy in zip(run.W_x, run.W_h, run.W_y)]
        drift.append(np.max(np.abs(Q[-1] - Q[0])))
    assert drift[1] == pytest.approx(drift[0] / 2, rel=0.2)
    assert drift[0] < 50 * 2e-3


def test_check9_random_small_init_converges_to_theory_products():
    """Theory guide `theory-checks` ('Dynamics'): random init (std 3e-3), N_x = 6, N_h = 4, N_y = 5, three modes, sum convention,
    P = 64, T = 5, η = 2e-3, 4e4 steps: diag(U_yᵀ W_y W_h^k W_x V_x) = u* b*^k to <= 2e-4 and
    off-diagonals at the same level."""
    S = _three_modes(5)
    d = make_dataset(S, 6, 5, 64, seed=0, convention="sum")
    run = simulate_gd(d, 4, lr=2e-3, steps=40_000, init="random", scale=3e-3 * np.sqrt(6), seed=1, record_every=40_000)
    P = effective_products(run.W_x[-1:], run.W_h[-1:], run.W_y[-1:], d.U_y, d.V_x, 4)[0]  # (5, 3, 3)
    u_star = S[:, -1]
    b_star = S[:, -2] / S[:, -1]
    k = np.arange(5)[:, None]
    diag = np.diagonal(P, axis1=1, axis2=2)
    assert np.max(np.abs(diag - u_star * b_star ** k)) <= 2e-4
    assert np.max(np.abs(P * (1 - np.eye(3)))) <= 2e-4


def test_conventions_calibration_sum_and_normalised_runs_coincide():
    """Theory guide `theory-conventions`: the same task in both conventions gives the same mode trajectories at equal lr, and
    both follow the ODE at time step·lr (conventions.ode_time)."""
    S = _three_modes(4)
    runs = [simulate_gd(make_dataset(S, 4, 4, 32, seed=5, convention=c), 4, lr=0.01, steps=2000, seed=1, record_every=100)
            for c in ("normalised", "sum")]
    m0, m1 = runs[0].modes(), runs[1].modes()
    assert np.max(np.abs(m0.b - m1.b)) < 1e-11 and np.max(np.abs(m0.u - m1.u)) < 1e-11
    assert np.allclose(runs[0].time, ode_time(runs[0].step, 0.01))
    assert np.allclose(runs[0].loss, runs[1].loss, rtol=1e-9, atol=1e-14)
    th = integrate_modes(S, 0.1, 0.1, 0.1, runs[0].time)
    c = compare(th, runs[0])
    assert max(c.max_abs[n].max() for n in "abc") < 0.1  # O(η) at η = 0.01 (check 7: 4.6e-2)


def test_frozen_matrices_stay_fixed():
    d = make_dataset(_three_modes(5), 4, 4, 32, seed=0)
    run = simulate_gd(d, 4, lr=0.01, steps=200, freeze=("W_h",), record_every=50)
    assert np.all(run.W_h == run.W_h[0])
    assert not np.all(run.W_x == run.W_x[0])


def test_divergence_is_reported_with_finite_records():
    d = make_dataset(_three_modes(5), 4, 4, 32, seed=0)
    run = simulate_gd(d, 4, lr=5.0, steps=10_000, scale=0.5, record_every=1)
    assert run.diverged and run.diverged_step is not None and run.diverged_step < 10_000
    assert np.all(np.isfinite(run.loss)) and np.all(np.isfinite(run.W_h))
    assert run.step[-1] < run.diverged_step and run.status == "diverged"


def test_batch_equals_single_runs_bitwise():
    S = _three_modes(5)
    d = make_dataset(S, 4, 4, 32, seed=0)
    lrs = [0.01, 0.02, 0.005]
    batch = simulate_gd_batch(d, 5, lr=lrs, steps=500, init="random", scale=0.2, seeds=[1, 2, 3], record_every=100)
    for r, lr in enumerate(lrs):
        single = simulate_gd(d, 5, lr=lr, steps=500, init="random", scale=0.2, seed=r + 1, record_every=100)
        assert np.array_equal(batch[r].W_h, single.W_h) and np.array_equal(batch[r].loss, single.loss)


_SCRIPT = """
import hashlib, numpy as np
from lrnn_theory import tasks
from lrnn_theory.data import make_dataset
from lrnn_theory.sim import simulate_gd
d = make_dataset(tasks.constant(4, 1.0), 3, 3, 24, seed=11)
run = simulate_gd(d, 3, lr=0.02, steps=300, init="random", scale=0.3, seed=4, record_every=100)
print(hashlib.sha256(d.X.tobytes() + run.W_h.tobytes() + run.loss.tobytes()).hexdigest())
"""


def test_same_seed_same_numbers_across_processes():
    out = [subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, check=True).stdout for _ in range(2)]
    assert out[0] == out[1] and len(out[0].strip()) == 64


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(lr=0.0), ValueError, "lr"),
        (dict(lr=np.nan), ValueError, "lr"),
        (dict(steps=0), ValueError, "steps"),
        (dict(steps=10.5), TypeError, "steps"),
        (dict(init="orthogonal"), ValueError, "init"),
        (dict(method="adjoint"), ValueError, "method"),
        (dict(n_h=2), ValueError, "n_h must be >= the number of modes"),
        (dict(freeze=("W_z",)), ValueError, "freeze"),
        (dict(scale=-1.0), ValueError, "scale"),
        (dict(seed=-3), ValueError, "seed"),
        (dict(modes0=(0.1, 0.1)), TypeError, "modes0"),
        (dict(modes0=(0.1, np.ones(5), 0.1)), ValueError, "modes0\\[1\\]"),
        (dict(record_every=0), ValueError, "record_every"),
        (dict(weights0=(np.ones((4, 4)), np.ones((4, 4)), np.ones((4, 3)))), ValueError, "weights0\\[2\\]"),
        (dict(data="not a dataset"), TypeError, "data must be"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = dict(data=make_dataset(_three_modes(3), 4, 4, 12, seed=0), n_h=4, lr=0.01, steps=10)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        simulate_gd(args.pop("data"), args.pop("n_h"), **args)


def test_bad_input_other_entry_points():
    d = make_dataset(_three_modes(3), 4, 4, 12, seed=0)
    with pytest.raises(ValueError, match="init='aligned' needs"):
        simulate_gd(Dataset.from_arrays(d.X, d.Y), 4, lr=0.01, steps=5)
    with pytest.raises(ValueError, match="seeds must have length"):
        simulate_gd_batch(d, 4, lr=[0.1, 0.2, 0.3], seeds=[1, 2], steps=5)
    with pytest.raises(TypeError, match="weights"):
        loss_and_grad(d, (1, 2))
    with pytest.raises(ValueError, match="non-finite|finite"):
        loss_and_grad(d, (np.full((4, 4), np.nan), np.eye(4), np.eye(4)))
    th = integrate_modes(d.S[:2], 0.1, 0.1, 0.1, np.linspace(0, 1, 3))
    run = simulate_gd(d, 4, lr=0.01, steps=5)
    with pytest.raises(ValueError, match="batch shape"):
        compare(th, run)
    with pytest.raises(TypeError, match="theory must be"):
        compare(run, run)


def test_learning_rate_just_below_and_above_the_stability_threshold():
    """Theory guide `theory-stability` / issue #8: full-matrix GD started near the zero-loss solution converges at 0.9·2/λmax
    and leaves it at 1.1·2/λmax.  For this task (constant, T = 4) it does not explode: it settles at
    loss ≈ 0.084 away from the solution, so ``diverged`` (reserved for non-finite or exploding runs)
    stays False and the run is reported as ``unstable`` (status "unstable")."""
    from lrnn_theory.closed_forms import hessian_at_solution, max_stable_lr

    s = tasks.constant(4, 1.0)
    d = make_dataset(s, 1, 1, 4, seed=0)
    w, V = np.linalg.eigh(hessian_at_solution(s))
    start = np.array([1.0, 1.0, 1.0]) + 1e-3 * V[:, -1]
    lr_max = float(max_stable_lr(s))
    ok = simulate_gd(d, 1, lr=0.9 * lr_max, steps=3000, modes0=tuple(start), record_every=3000)
    bad = simulate_gd(d, 1, lr=1.1 * lr_max, steps=20_000, modes0=tuple(start), record_every=100)
    assert not ok.diverged and ok.loss[-1] < 1e-12  # loss floor of the correlation form ~1e-15
    assert ok.status == "ok" and not ok.unstable
    assert np.all(np.isfinite(bad.loss)) and bad.loss[-1] > 1e-3 and bad.loss[-1] > 1e3 * bad.loss[0]
    assert bad.unstable and bad.status == "unstable"


@pytest.mark.parametrize("scale", [1e-12, 1e3])
def test_extreme_initial_scales_are_handled(scale):
    d = make_dataset(_three_modes(4), 4, 4, 16, seed=0)
    run = simulate_gd(d, 4, lr=0.01, steps=200, init="random", scale=scale, record_every=50)
    assert np.all(np.isfinite(run.loss))
    if scale > 1:
        assert run.diverged  # huge weights: loss explodes and is reported, not NaN-filled
    else:
        assert not run.diverged and run.loss[-1] == pytest.approx(run.loss[0], rel=1e-6)  # stuck at the saddle


_WORKER = """
import sys, numpy as np
from lrnn_theory import tasks
from lrnn_theory.data import make_dataset
from lrnn_theory.sim import simulate_gd
d = make_dataset(tasks.constant(3, 1.0), 2, 2, 6, seed=1)
print(simulate_gd(d, 2, lr=0.05, steps=100, init="random", seed=2).loss[-1].hex())
"""


def test_parallel_processes_compile_and_load_kernels_without_races(tmp_path):
    """numba cache=True in several processes at once (fresh cache folder): all succeed, same numbers."""
    import os

    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(3)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outs]
    assert len({o[0] for o in outs}) == 1


# --- the transposed-layout correlation kernel (issue 17) against the previous kernel -----------------------------
# ``_old_corr_loss_grad`` is the previous correlation-space kernel, kept verbatim as the reference: one
# BLAS product per term, arrays in the (N_h, N_x) layout.  The new kernel must agree with it to rounding.
# It runs as plain NumPy (the same BLAS products, without numba's ``@njit``): compiling it took 5-14 s
# of every test session, calling it uncompiled takes well under a second for all the tests below.

from lrnn_theory.sim import _kernels  # noqa: E402
from lrnn_theory.sim.gd import _kernel_data  # noqa: E402


def _old_corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, gWx, gWh, gWy):
    T = CYX.shape[0]
    n_h, n_x = Wx.shape
    n_y = Wy.shape[0]
    B = np.empty((T, n_h, n_x))
    M = np.empty((T, n_y, n_x))
    G = np.empty((T, n_y, n_x))
    B[0, :, :] = Wx
    for k in range(1, T):
        B[k] = np.dot(Wh, B[k - 1])
    for k in range(T):
        M[k] = np.dot(Wy, B[k])
    if whitened:
        for k in range(T):
            G[k] = M[k] - CYX[k]
    else:
        for k in range(T):
            G[k] = -CYX[k]
        for j in range(T):
            for k in range(T):
                G[k] += np.dot(M[j], CXX[j, k])
    loss = 0.5 * syy
    for k in range(T):
        loss += np.sum(M[k] * (0.5 * G[k] - 0.5 * CYX[k]))
    gWy[:, :] = 0.0
    for k in range(T):
        gWy += np.dot(G[k], B[k].T)
    gWh[:, :] = 0.0
    Z = np.zeros((n_h, n_x))
    for q in range(T - 2, -1, -1):
        Z[:, :] = np.dot(Wy.T, G[q + 1]) + np.dot(Wh.T, Z)
        gWh += np.dot(Z, B[q].T)
    if T >= 2:
        gWx[:, :] = np.dot(Wy.T, G[0]) + np.dot(Wh.T, Z)
    else:
        gWx[:, :] = np.dot(Wy.T, G[0])
    return loss


# (n_x, n_y, n_h, T, P, whiten): the benchmark's small and large cases, odd sizes, T = 1 and 2.
_SHAPES = [(4, 4, 16, 10, 80, True), (4, 4, 16, 10, 80, False), (64, 64, 64, 20, 1280, True),
           (8, 24, 40, 6, 40, False), (5, 3, 7, 3, 30, True), (3, 2, 5, 1, 30, False), (3, 2, 5, 2, 30, True),
           (2, 6, 9, 7, 11, False)]


def _random_problem(n_x, n_y, n_h, T, P, whiten, seed=0):
    rng = np.random.default_rng(seed)
    m = min(n_x, n_y)
    S = tasks.inverse_exponential(T, rng.uniform(0.5, 2.0, m), rng.uniform(0.5, 1.0, m))
    d = make_dataset(S, n_x, n_y, P, seed=seed + 1, whiten=whiten)
    W = (rng.normal(size=(n_h, n_x)) / np.sqrt(n_x), 0.9 * rng.normal(size=(n_h, n_h)) / np.sqrt(n_h),
         rng.normal(size=(n_y, n_h)) / np.sqrt(n_h))
    return d, W


@pytest.mark.parametrize("shape", _SHAPES)
def test_correlation_kernel_equals_previous_kernel(shape):
    d, W = _random_problem(*shape)
    CYX, CXX, syy, whitened = _kernel_data(d)
    old = [np.empty_like(w) for w in W]
    l_old = _old_corr_loss_grad(*W, CYX, CXX, syy, whitened, *old)
    l_new, new = loss_and_grad(d, W, method="correlation")
    assert l_new == pytest.approx(l_old, rel=1e-12)
    for g_new, g_old in zip(new, old):
        assert np.max(np.abs(g_new - g_old)) <= 1e-12 * max(np.max(np.abs(g_old)), 1e-300) or shape[3] == 1
    if shape[3] == 1:  # T = 1: W_h never acts, its gradient is exactly zero
        assert np.all(new[1] == 0) and np.all(old[1] == 0)


def _assert_directional_derivatives(shape, seed):
    """<∇L, D> against a central difference of the loss along 3 random directions D
    (step 1e-5: O(h²) truncation plus rounding/h, well inside rel 1e-6)."""
    d, W = _random_problem(*shape, seed=seed)
    _, g = loss_and_grad(d, W)
    rng = np.random.default_rng(seed + 1)
    for _ in range(3):
        D = [rng.normal(size=w.shape) for w in W]
        h = 1e-5
        lp = loss_and_grad(d, [w + h * e for w, e in zip(W, D)])[0]
        lm = loss_and_grad(d, [w - h * e for w, e in zip(W, D)])[0]
        exact = sum(np.sum(gi * e) for gi, e in zip(g, D))
        assert (lp - lm) / (2 * h) == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize("shape", [_SHAPES[0], _SHAPES[7], _SHAPES[3], _SHAPES[2]])
def test_correlation_kernel_equals_directional_finite_differences(shape):
    """<∇L, D> against a central difference along random D (small bench shape, odd small, mid-size, large)."""
    _assert_directional_derivatives(shape, seed=3)


def _assert_run_follows_previous_kernel(run, d, W, lr, steps):
    """Every recorded loss and weight of ``run`` equals plain gradient steps of the previous kernel
    from ``W`` (loss to 1e-11, weights to 1e-12 relative: rounding of a different summation order)."""
    CYX, CXX, syy, whitened = _kernel_data(d)
    Wx, Wh, Wy = (w.copy() for w in W)
    g = [np.empty_like(w) for w in W]
    for n in range(steps + 1):
        loss = _old_corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, *g)
        assert run.loss[n] == pytest.approx(loss, rel=1e-11)
        for got, want in zip((run.W_x[n], run.W_h[n], run.W_y[n]), (Wx, Wh, Wy)):
            assert np.max(np.abs(got - want)) <= 1e-12 * np.max(np.abs(want))
        Wx, Wh, Wy = Wx - lr * g[0], Wh - lr * g[1], Wy - lr * g[2]


@pytest.mark.parametrize("shape", [_SHAPES[0], _SHAPES[1], _SHAPES[2], _SHAPES[4]])
@pytest.mark.parametrize("method", ["correlation", "bptt"])
def test_simulate_gd_trajectory_equals_previous_kernel_steps(shape, method):
    """simulate_gd (either method) against plain gradient steps taken with the previous kernel."""
    d, W = _random_problem(*shape, seed=5)
    W = tuple(0.3 * w for w in W)
    lr = 0.002 if shape[2] == 64 else 0.02
    steps = 2 if shape[2] == 64 and method == "bptt" else 30
    run = simulate_gd(d, shape[2], lr=lr, steps=steps, weights0=W, record_every=1, method=method)
    assert not run.diverged and len(run.loss) == steps + 1
    _assert_run_follows_previous_kernel(run, d, W, lr, steps)


def test_batch_kernel_equals_previous_kernel_steps():
    """The parallel batch kernel runs the new kernel per run: same trajectory as old-kernel steps."""
    d, W = _random_problem(*_SHAPES[0], seed=6)
    runs = simulate_gd_batch(d, 16, lr=[0.01, 0.02], steps=20, init="random", seeds=[1, 2], record_every=20)
    CYX, CXX, syy, whitened = _kernel_data(d)
    for run, lr in zip(runs, (0.01, 0.02)):
        Wx, Wh, Wy = run.W_x[0].copy(), run.W_h[0].copy(), run.W_y[0].copy()
        g = [np.empty_like(w) for w in (Wx, Wh, Wy)]
        for _ in range(20):
            _old_corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, *g)
            Wx, Wh, Wy = Wx - lr * g[0], Wh - lr * g[1], Wy - lr * g[2]
        loss = _old_corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, *g)
        assert run.loss[-1] == pytest.approx(loss, rel=1e-11)
        assert np.max(np.abs(run.W_h[-1] - Wh)) <= 1e-12 * np.max(np.abs(Wh))


# --- the per-k BLAS path of the correlation kernel (issue 17, large case) ----------------------------------------
# Problems with N_x >= 8 (_kernels.use_block_path) run one BLAS call per k block (_corr_loss_grad_blocks) instead of
# products over the stacked k axis.  Shapes: N_h != N_x != N_y, whitened and not, T = 1 and 2, P < T N_x.
_BLOCK_SHAPES = [(17, 5, 70, 4, 30, False), (14, 7, 80, 1, 20, True), (40, 13, 48, 2, 50, False),
                 (70, 9, 33, 3, 250, True), (64, 64, 64, 20, 1280, False)]


def test_gemm_wrapper_equals_numpy_products():
    """_kernels._gemm (BLAS dgemm on row-major arrays) against NumPy, every transpose, beta = 0 and 1, k = 0."""
    rng = np.random.default_rng(7)
    for m, n, k in [(3, 5, 7), (1, 1, 1), (2, 9, 4), (64, 33, 17), (4, 3, 0)]:
        for ta in (False, True):
            for tb in (False, True):
                for alpha, beta in [(1.0, 0.0), (0.7, 1.0), (-1.5, 0.25)]:
                    A = rng.normal(size=(k, m) if ta else (m, k))
                    B = rng.normal(size=(n, k) if tb else (k, n))
                    C = rng.normal(size=(m, n))
                    want = alpha * (A.T if ta else A) @ (B.T if tb else B) + beta * C
                    _kernels._gemm(ta, tb, alpha, A, B, beta, C)
                    assert np.max(np.abs(C - want)) <= 1e-14 * max(k, 1) * (1 + np.max(np.abs(want)))
    with pytest.raises(ValueError, match="shapes"):
        _kernels._gemm(False, False, 1.0, np.ones((2, 3)), np.ones((2, 3)), 0.0, np.ones((2, 3)))


def test_block_shapes_exercise_both_paths():
    """The per-k shapes take the per-k path; the earlier shapes include stacked-path ones on each side of
    each criterion (too few input rows per block; enough rows but N_h too large for N_x)."""
    assert all(_kernels.use_block_path(n_x, n_h) for n_x, _, n_h, *_ in _BLOCK_SHAPES)
    assert _kernels.use_block_path(8, 40)  # _SHAPES[3]: N_x = BLOCK_MIN_NX
    stacked = [(n_x, n_h) for n_x, _, n_h, *_ in _SHAPES if not _kernels.use_block_path(n_x, n_h)]
    assert (4, 16) in stacked and len(stacked) == len(_SHAPES) - 2  # all but _SHAPES[2] (64-wide) and [3]
    assert all(n_x < _kernels.BLOCK_MIN_NX for n_x, _ in stacked)
    assert not _kernels.use_block_path(8, 64) and 64 > _kernels.BLOCK_MAX_NH_PER_NX * 8


@pytest.mark.parametrize("shape", _BLOCK_SHAPES)
def test_block_kernel_equals_previous_kernel(shape):
    d, W = _random_problem(*shape, seed=8)
    CYX, CXX, syy, whitened = _kernel_data(d)
    assert whitened == shape[5]
    old = [np.empty_like(w) for w in W]
    l_old = _old_corr_loss_grad(*W, CYX, CXX, syy, whitened, *old)
    l_new, new = loss_and_grad(d, W, method="correlation")
    assert l_new == pytest.approx(l_old, rel=1e-12)
    for g_new, g_old in zip(new, old):  # (T = 1: both ∂W_h are exactly zero)
        assert np.max(np.abs(g_new - g_old)) <= 1e-12 * np.max(np.abs(g_old))
    if shape[3] == 1:  # T = 1: W_h never acts, its gradient is exactly zero
        assert np.all(new[1] == 0) and np.all(old[1] == 0)


@pytest.mark.parametrize("shape", [_BLOCK_SHAPES[0], _BLOCK_SHAPES[2], _BLOCK_SHAPES[4]])
def test_block_kernel_equals_directional_finite_differences(shape):
    """Per-k path: <∇L, D> against a central difference along random D (O(h²) truncation + rounding/h)."""
    _assert_directional_derivatives(shape, seed=9)


@pytest.mark.parametrize("shape", [_BLOCK_SHAPES[0], _BLOCK_SHAPES[1], _BLOCK_SHAPES[3]])
def test_block_kernel_trajectory_and_batch_equal_previous_kernel_steps(shape):
    """simulate_gd and the parallel batch kernel on per-k shapes against plain steps of the previous kernel."""
    d, W = _random_problem(*shape, seed=11)
    W = tuple(0.3 * w for w in W)
    lr, steps = 0.002, 12
    run = simulate_gd(d, shape[2], lr=lr, steps=steps, weights0=W, record_every=1)
    batch = simulate_gd_batch(d, shape[2], lr=[lr, 2 * lr], steps=steps, init="random", seeds=[1, 2],
                              record_every=steps)
    _assert_run_follows_previous_kernel(run, d, W, lr, steps)
    CYX, CXX, syy, whitened = _kernel_data(d)
    g = [np.empty_like(w) for w in W]
    for b, blr in zip(batch, (lr, 2 * lr)):
        Wx, Wh, Wy = b.W_x[0].copy(), b.W_h[0].copy(), b.W_y[0].copy()
        for _ in range(steps):
            _old_corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, *g)
            Wx, Wh, Wy = Wx - blr * g[0], Wh - blr * g[1], Wy - blr * g[2]
        assert b.loss[-1] == pytest.approx(_old_corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, *g), rel=1e-11)
        assert np.max(np.abs(b.W_h[-1] - Wh)) <= 1e-12 * np.max(np.abs(Wh))


class _ColdKernel:
    """Stands in for simulate_gd's kernel on a cold numba cache: not ready; ``wait`` counts the runs that
    had to wait for it (the kernel itself is already compiled in this process)."""

    def __init__(self):
        self.waits = 0

    def prepare(self, args):
        return False

    def wait(self, args):
        self.waits += 1


def _gd_cases():
    s2 = np.stack([tasks.inverse_exponential(6, 1.0, 0.7), 0.3 * tasks.constant(6)])
    s = tasks.inverse_exponential(10, 2.0, 0.8)
    return [
        (make_dataset(np.stack([s, 0.5 * s]), n_x=4, n_y=4, n_samples=64, seed=0),  # the README tour
         dict(n_h=4, lr=0.01, steps=5000, init="aligned", scale=0.1, seed=0)),
        (make_dataset(s2, n_x=5, n_y=3, n_samples=40, seed=2, whiten=False),  # non-whitened inputs
         dict(n_h=7, lr=0.02, steps=1500, init="random", scale=0.5, seed=1)),
        (make_dataset(s2, n_x=12, n_y=6, n_samples=80, seed=2),  # per-k BLAS path of the kernel; stop_loss
         dict(n_h=16, lr=0.02, steps=1500, init="random", scale=0.5, seed=1, stop_loss=0.2)),
        (make_dataset(2 * tasks.constant(1)[None], n_x=2, n_y=2, n_samples=4, seed=2),  # T = 1, a frozen matrix
         dict(n_h=3, lr=0.05, steps=300, init="random", scale=0.5, seed=1, freeze=("W_x",))),
    ]


@pytest.mark.parametrize("case", range(4))
def test_cold_cache_numpy_gd_agrees_with_the_compiled_kernel_to_rounding(monkeypatch, case):
    """The NumPy path that answers first runs on a cold cache performs the same updates in another
    order: records at the same steps, losses and weights equal to rounding (1e-12 relative)."""
    from lrnn_theory.sim import gd

    data, kw = _gd_cases()[case]
    ref = simulate_gd(data, **kw)
    kernel = _ColdKernel()
    monkeypatch.setattr(gd, "_KERNEL", kernel)
    run = simulate_gd(data, **kw)
    assert ref.backend == "compiled" and run.backend == "numpy" and kernel.waits == 0
    assert np.array_equal(run.step, ref.step) and run.status == ref.status == "ok"
    assert np.max(np.abs(run.loss - ref.loss)) <= 1e-12 * ref.loss[0]
    for name in ("W_x", "W_h", "W_y"):
        x, y = getattr(run, name), getattr(ref, name)
        assert np.max(np.abs(x - y)) <= 1e-12 * np.max(np.abs(y)), name
    if "freeze" in kw:
        assert np.all(run.W_x == run.W_x[0])


def test_cold_cache_runs_numpy_cannot_answer_wait_for_the_kernel(monkeypatch):
    """A diverging run, the bptt method and a run too long for NumPy are the compiled kernel's."""
    from lrnn_theory.sim import gd

    kernel = _ColdKernel()
    monkeypatch.setattr(gd, "_KERNEL", kernel)
    data, kw = _gd_cases()[0]
    div = simulate_gd(data, **dict(kw, lr=3.0, steps=300, init="random", scale=0.5))
    assert div.backend == "compiled" and div.diverged and kernel.waits == 1
    monkeypatch.setattr(gd, "_KERNEL_BPTT", kernel)
    bptt = simulate_gd(data, **dict(kw, steps=10, method="bptt"))
    assert bptt.backend == "compiled" and kernel.waits == 2
    monkeypatch.setattr(gd, "FALLBACK_MAX_SECONDS", 1e-9)
    long = simulate_gd(data, **dict(kw, steps=10))
    assert long.backend == "compiled" and kernel.waits == 3


def test_reported_losses_never_negative_at_a_zero_loss_minimum():
    """Issue 22 §1: the correlation-space identity cancels to about -4e-16 at a zero-loss minimum (seeds
    2-5 below read -1e-16 .. -7e-16 before); every reported loss is >= 0 and equals the per-sample sum
    of squares (method="bptt", an independent computation from the raw arrays) to rounding."""
    s = tasks.inverse_exponential(6, 1.0, 0.5)[None]
    for seed in range(2, 6):
        data = make_dataset(s, 1, 1, 12, seed=seed)
        run = simulate_gd(data, n_h=1, lr=0.05, steps=20000, scale=0.3, seed=seed, record_every=1000)
        assert run.status == "ok" and np.all(run.loss >= 0.0)
        W = (run.W_x[-1], run.W_h[-1], run.W_y[-1])
        l_corr, _ = loss_and_grad(data, W)
        l_bptt, _ = loss_and_grad(data, W, method="bptt")
        assert l_corr >= 0.0 and run.loss[-1] == l_corr
        assert abs(l_corr - l_bptt) <= 8 * np.finfo(float).eps * run.loss[0]
