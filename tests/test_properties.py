"""Property tests over random tasks, inits and sizes (issue #8; theory guide `theory-checks` ('Dynamics', 'Landscape'))."""
import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lrnn_theory as lt
from lrnn_theory import landscape, symbolic
from lrnn_theory.modes import mode_energy, mode_rhs

finite = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
signed_task = st.integers(1, 30).flatmap(lambda T: arrays(np.float64, T, elements=finite))
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=80, **SETTINGS)
@given(signed_task, finite, st.floats(-1.3, 1.3), finite)
def test_rhs_is_minus_gradient(s, a, b, c):
    rhs = np.array(mode_rhs(a, b, c, s))
    h = 1e-6
    p = np.array([a, b, c])
    fd = np.array([(mode_energy(*(p + h * e), s) - mode_energy(*(p - h * e), s)) / (2 * h) for e in np.eye(3)])
    scale = 1 + np.max(np.abs(rhs)) + mode_energy(a, b, c, s)
    assert np.max(np.abs(-fd - rhs)) <= 1e-6 * scale


@settings(max_examples=25, **SETTINGS)
@given(st.integers(1, 6).flatmap(lambda T: arrays(np.float64, T, elements=finite)), finite, st.floats(-1.3, 1.3), finite)
def test_symbolic_and_numeric_forms_agree(s, a, b, c):
    T = s.size
    sym = symbolic.lambdify_odes(T)(a, b, c, s)
    num = mode_rhs(a, b, c, s)
    for x, y in zip(num, sym):
        assert abs(x - y) <= 1e-12 * (1 + abs(y))


@settings(max_examples=60, **SETTINGS)
@given(signed_task, finite, st.sampled_from([-1.0, 1.0, 0.0, 0.5, -0.999, 1.0000001]), finite)
def test_decomposition_equals_energy_including_b_at_plus_minus_one(s, a, b, c):
    data, reg = landscape.energy_decomposition(a, b, c, s)
    E = mode_energy(a, b, c, s)
    assert abs(data + reg - E) <= 1e-10 * (1 + abs(E) + np.sum(s ** 2) + (a * c) ** 2 * s.size)


@settings(max_examples=30, **SETTINGS)
@given(st.integers(2, 12).flatmap(lambda T: arrays(np.float64, T, elements=st.floats(0.05, 2.0))), st.floats(0.1, 10.0))
def test_fixed_point_scale_invariance_and_grid_optimality(s, k):
    fp, fk = lt.fixed_point(s), lt.fixed_point(k * s)
    assert abs(fk.b - fp.b) <= 1e-6 * (1 + abs(fp.b))
    assert abs(fk.u - k * fp.u) <= 1e-6 * k * (1 + abs(fp.u))
    grid = np.linspace(-1, 3, 8001)
    assert fp.energy <= landscape.profile_energy(grid, s).min() + 1e-12


@settings(max_examples=15, **SETTINGS)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(0, 10_000), st.floats(1e-3, 0.02))
def test_aligned_full_matrix_gd_equals_per_mode_gd(m, T, seed, lr):
    rng = np.random.default_rng(seed)
    S = rng.uniform(-1.5, 1.5, size=(m, T))
    n = m + 1
    data = lt.make_dataset(S, n, n, n * T, seed=seed)
    a0, b0, c0 = rng.uniform(-0.5, 0.5, size=(3, m))
    run = lt.simulate_gd(data, n + 1, lr=lr, steps=300, modes0=(a0, b0, c0), seed=seed, record_every=300)
    a, b, c = a0.copy(), b0.copy(), c0.copy()
    for _ in range(300):
        da, db, dc = mode_rhs(a, b, c, S)
        a, b, c = a + lr * da, b + lr * db, c + lr * dc
    modes = run.modes()
    # rounding differences between the matrix and the scalar path grow with the flow's instability
    # (saddle escape amplifies them); 1e-9 absolute over 300 steps for |s| <= 1.5
    assert np.max(np.abs(modes.a[-1] - a)) < 1e-9 and np.max(np.abs(modes.b[-1] - b)) < 1e-9
    assert np.max(modes.off_diagonal) < 1e-9


@settings(max_examples=25, **SETTINGS)
@given(st.integers(1, 3), st.integers(1, 5), st.integers(0, 3), st.integers(0, 2), st.sampled_from(["normalised", "sum"]),
       st.integers(0, 10))
# square input matrix (P = T n_x) with a condition number of ~1e4: whitening through ZᵀZ was 5.7e-10 off
@example(m=3, T=2, extra_x=3, extra_y=0, convention="normalised", extra_p=0)
def test_make_dataset_whitening_for_every_accepted_shape(m, T, extra_x, extra_y, convention, extra_p):
    n_x, n_y = m + extra_x, m + extra_y
    P = T * n_x + extra_p
    d = lt.make_dataset(np.linspace(0.5, 1.5, m * T).reshape(m, T), n_x, n_y, P, seed=m + T, convention=convention)
    syx, sxx, _ = d.correlations()
    eye = np.einsum("tu,mn->tumn", np.eye(T), np.eye(n_x))
    # orthonormal columns to rounding (polar factor of an SVD): a few ulps per entry of a sum over P <= 60 terms
    assert np.max(np.abs(sxx - eye)) < 1e-13
    assert np.max(np.abs(syx - np.einsum("ya,at,xa->tyx", d.U_y, d.S, d.V_x))) < 1e-13
