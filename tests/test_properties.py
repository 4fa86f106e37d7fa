"""Property tests over random tasks, inits and sizes (issue #8; theory guide `theory-checks` ('Dynamics', 'Landscape'))."""
import numpy as np
import pytest
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


# ----------------------------------------------------------------------------- NumPy scalars (issue #23 §6)
# Every public function accepts NumPy scalars wherever it accepts Python numbers, and computes the same thing:
# each call below is made with Python numbers and again with each scalar argument replaced by a NumPy
# scalar of the same value (np.float64/np.float32, np.int64/np.int32, np.complex128/np.complex64).  All
# values are exact in float32 (multiples of powers of two), so every variant must give a bit-identical result.
S4 = lt.tasks.inverse_exponential(4, 1.5, 0.5)
BLOCK = lt.tasks.schur_block(np.array([0.5 + 0.25j]))

SCALAR_CALLS = {
    "tasks.constant": (lambda T, delta: lt.tasks.constant(T, delta), dict(T=4, delta=0.5)),
    "tasks.inverse_exponential": (lambda T, delta, lam: lt.tasks.inverse_exponential(T, delta, lam), dict(T=4, delta=1.5, lam=0.75)),
    "tasks.exponential": (lambda T, delta, lam: lt.tasks.exponential(T, delta, lam), dict(T=4, delta=1.5, lam=0.75)),
    "tasks.dirac": (lambda T, beta, kappa: lt.tasks.dirac(T, beta, kappa), dict(T=4, beta=1.0, kappa=0.5)),
    "tasks.modified": (lambda T, delta, lam, kappa: lt.tasks.modified("constant", T, delta, lam, kappa),
                       dict(T=4, delta=1.0, lam=0.5, kappa=0.25)),
    "tasks.rotational": (lambda T, delta, lam: lt.tasks.rotational(T, delta, lam), dict(T=3, delta=1.0, lam=0.5 + 0.25j)),
    "tasks.schur_block_value": (lambda atol: lt.tasks.schur_block_value(BLOCK, atol=atol), dict(atol=0.5)),
    "tasks.schur_block_value (int)": (lambda atol: lt.tasks.schur_block_value(BLOCK, atol=atol), dict(atol=1)),
    "modes.mode_energy": (lambda a, b, c: lt.mode_energy(a, b, c, S4), dict(a=0.5, b=0.25, c=0.75)),
    "modes.mode_rhs": (lambda a, b, c: lt.mode_rhs(a, b, c, S4), dict(a=0.5, b=0.25, c=0.75)),
    "modes.reduced_rhs": (lambda u, b, delta: lt.modes.reduced_rhs(u, b, S4, delta), dict(u=0.5, b=0.25, delta=0.125)),
    "landscape.profile_energy": (lambda b: lt.landscape.profile_energy(b, S4), dict(b=0.5)),
    "landscape.global_minimiser": (lambda n_grid: lt.landscape.global_minimiser(S4, n_grid=n_grid), dict(n_grid=401)),
    "landscape.energy_decomposition": (lambda a, b, c: lt.landscape.energy_decomposition(a, b, c, S4), dict(a=0.5, b=0.25, c=0.75)),
    "closed_forms.frozen_b_solution": (lambda b, u0, tau: lt.closed_forms.frozen_b_solution([0.0, 1.0], S4, b, u0, tau=tau),
                                       dict(b=0.5, u0=0.25, tau=2.0)),
    "closed_forms.escape_time": (lambda b0, u0, tau: lt.closed_forms.escape_time(S4, b0, u0, tau=tau), dict(b0=0.5, u0=0.125, tau=1.0)),
    "closed_forms.family_fixed_point": (lambda T, delta, lam: lt.closed_forms.family_fixed_point("inverse_exponential", T, delta, lam),
                                        dict(T=5, delta=1.5, lam=0.75)),
    "closed_forms.extrapolation_energy": (lambda T_train, T_test, delta, lam: lt.closed_forms.extrapolation_energy(
        "inverse_exponential", T_train, T_test, delta, lam), dict(T_train=4, T_test=8, delta=1.0, lam=0.75)),
    "conventions.ode_time": (lambda steps, lr, n_y: lt.conventions.ode_time(steps, lr, n_y=n_y), dict(steps=10, lr=0.0625, n_y=2)),
    "conventions.tau": (lambda lr, n_y: lt.conventions.tau(lr, n_y=n_y), dict(lr=0.0625, n_y=2)),
    "integrate_modes": (lambda a0, b0, c0, tau, rtol, max_steps: lt.integrate_modes(S4, a0, b0, c0, [0.0, 0.5], tau=tau, rtol=rtol,
                                                                                     max_steps=max_steps),
                        dict(a0=0.25, b0=0.5, c0=0.25, tau=1.0, rtol=2.0 ** -30, max_steps=1000)),
    "integrate_reduced": (lambda u0, b0, delta: lt.integrate_reduced(S4, u0, b0, [0.0, 0.5], delta=delta), dict(u0=0.25, b0=0.5, delta=0.125)),
    "make_dataset": (lambda n_x, n_y, n_samples, seed: lt.make_dataset(S4[None], n_x, n_y, n_samples, seed=seed),
                     dict(n_x=2, n_y=2, n_samples=8, seed=3)),
    "sensory.sensory_task": (lambda n_trials, T, noise, seed: lt.sensory.sensory_task(n_trials, T, noise=noise, seed=seed),
                             dict(n_trials=3, T=2, noise=0.5, seed=1)),
    "sensory.extrapolation_loss": (lambda T_train, T_test, noise: lt.sensory.extrapolation_loss(T_train, T_test, noise=noise),
                                   dict(T_train=4, T_test=8, noise=0.5)),
    "memory.stationary_moments": (lambda lam, rho, sigma: lt.memory.stationary_moments(lam, rho=rho, sigma=sigma),
                                  dict(lam=0.5 + 0.25j, rho=0.25, sigma=1.5)),
    "memory.teacher_student_loss": (lambda lam, lam_star: lt.memory.teacher_student_loss(lam, lam_star), dict(lam=0.5, lam_star=0.75)),
    "ntk.ntk_aligned": (lambda a, b, c, T: lt.ntk.ntk_aligned(a, b, c, T), dict(a=0.5, b=0.25, c=0.75, T=3)),
    "sim.init.gaussian": (lambda d, gain, seed: lt.sim.init.gaussian(d, gain, seed=seed), dict(d=3, gain=0.5, seed=2)),
    "sweep.point_seed": (lambda seed, x, n: lt.sweep.point_seed(seed, {"x": x, "n": n}), dict(seed=3, x=0.5, n=2)),
}

_NUMPY_TYPES = {float: [np.float64, np.float32], int: [np.int64, np.int32], complex: [np.complex128, np.complex64]}


def _same(a, b):
    """Bit-identical results: arrays (dtype, shape, values, NaN positions), numbers, tuples, dataclasses."""
    import dataclasses

    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and (a.dtype.kind not in "fc" or np.array_equal(a, b, equal_nan=True)) \
            and (a.dtype.kind in "fc" or np.array_equal(a, b))
    if isinstance(a, (int, float, complex)) and not isinstance(a, bool):
        return type(a) is type(b) and (a == b or (a != a and b != b))
    return True  # other attributes (strings, solver messages): not numbers


@settings(max_examples=6, **SETTINGS)
@given(st.data())
@pytest.mark.parametrize("name", sorted(SCALAR_CALLS))
def test_numpy_scalars_give_the_python_number_result(name, data):
    fn, kwargs = SCALAR_CALLS[name]
    for v in kwargs.values():  # the table only holds values that every NumPy type represents exactly
        assert all(t(v) == v for t in _NUMPY_TYPES[type(v)])
    converted = {k: data.draw(st.sampled_from(_NUMPY_TYPES[type(v)]), label=k)(v) for k, v in kwargs.items()}
    assert _same(fn(**kwargs), fn(**converted))


def test_numpy_scalars_examples_from_the_issue():
    # issue #23 §6: schur_block_value refused np.float32 and np.int64 tolerances
    z = lt.tasks.schur_block_value(BLOCK, atol=np.float32(1e-6))
    assert z.tolist() == [0.5 + 0.25j] and lt.tasks.schur_block_value(BLOCK, atol=np.int64(1)).tolist() == [0.5 + 0.25j]
    # bools stay refused where a number is expected, and so do NumPy bools
    for bad in (True, np.bool_(True)):
        with pytest.raises(TypeError, match="atol"):
            lt.tasks.schur_block_value(BLOCK, atol=bad)
        with pytest.raises(TypeError, match="T"):
            lt.tasks.constant(bad, 1.0)


# --- complex modes and the complex tangent kernel (issue #23 §7; theory guide `theory-complex-modes`, `theory-complex-ntk`) ---

_cnum = st.complex_numbers(max_magnitude=1.5, allow_nan=False, allow_infinity=False)
complex_task = st.integers(1, 8).flatmap(lambda T: arrays(np.complex128, T, elements=_cnum))


@settings(max_examples=40, **SETTINGS)
@given(complex_task, _cnum, st.complex_numbers(max_magnitude=1.2, allow_nan=False, allow_infinity=False), _cnum)
def test_complex_rhs_is_minus_twice_the_wirtinger_gradient(s, a, b, c):
    """ż = -(∂E/∂Re z + i ∂E/∂Im z): central differences of complex_mode_energy in each real direction."""
    rhs = np.array(lt.modes.complex_mode_rhs(a, b, c, s))
    p, h = np.array([a, b, c], complex), 1e-6
    fd = np.zeros(3, complex)
    for j in range(3):
        for unit in (1.0, 1j):
            e = np.zeros(3, complex)
            e[j] = h * unit
            d = (lt.modes.complex_mode_energy(*(p + e), s) - lt.modes.complex_mode_energy(*(p - e), s)) / (2 * h)
            fd[j] += unit * d
    scale = 1 + np.max(np.abs(rhs)) + lt.modes.complex_mode_energy(a, b, c, s)
    assert np.max(np.abs(-fd - rhs)) <= 1e-6 * scale  # O(h²) truncation and O(eps/h) rounding


@settings(max_examples=30, **SETTINGS)
@given(st.integers(2, 10), _cnum.filter(lambda z: abs(z) > 1e-3), st.complex_numbers(min_magnitude=0.05, max_magnitude=1.5))
def test_complex_fixed_point_of_geometric_dynamics_is_exact(T, u, b):
    s = u * b ** np.arange(T - 1, -1, -1)
    fp = lt.closed_forms.complex_fixed_point(s)
    assert bool(fp.exact)
    assert abs(fp.b - b) <= 1e-12 * abs(b) * T and abs(fp.u - u) <= 1e-12 * abs(u)
    assert bool(fp.stable) == (abs(fp.b) <= 1.0)


@settings(max_examples=20, **SETTINGS)
@given(st.integers(3, 8).flatmap(lambda T: arrays(np.complex128, T, elements=_cnum)), st.integers(0, 10_000))
def test_complex_fixed_point_is_never_above_random_points(s, seed):
    """E*(b*) <= E*(b) at random b in both discs (global minimiser), E* = ½‖s - u*(b) p_b‖²."""
    if np.sum(np.abs(s) ** 2) == 0:
        return
    fp = lt.closed_forms.complex_fixed_point(s)
    rng = np.random.default_rng(seed)
    k = np.arange(s.size - 1, -1, -1)
    z = rng.uniform(0, 1, 200) * np.exp(2j * np.pi * rng.uniform(0, 1, 200))
    for b in np.concatenate([z, 1.0 / z]):
        p = b ** k
        u = np.sum(s * np.conj(p)) / np.sum(np.abs(p) ** 2)
        assert fp.energy <= 0.5 * np.sum(np.abs(s - u * p) ** 2) + 1e-9 * np.sum(np.abs(s) ** 2)


@settings(max_examples=15, **SETTINGS)
@given(st.integers(1, 6), st.lists(_cnum, min_size=3, max_size=3), st.lists(_cnum, min_size=3, max_size=3))
def test_kernel_distance_complex_is_symmetric_and_invariant_under_a_hidden_rotation(T, m0, m1):
    m0 = (m0[0] + 0.5, m0[1], m0[2] + 0.5)  # non-zero kernels
    m1 = (m1[0] + 0.5, m1[1], m1[2] + 0.5)
    d = lt.ntk.kernel_distance_complex(m0, m1, T)
    assert 0.0 <= d <= 1.0
    assert abs(d - lt.ntk.kernel_distance_complex(m1, m0, T)) <= 1e-12
    assert lt.ntk.kernel_distance_complex(m0, m0, T) <= 1e-12
    # (a, c) -> (a e^{iφ}, c e^{-iφ}) is the hidden rotation h -> R h (R commutes with the Schur block of b):
    # (R W_x, R W_h Rᵀ = W_h, W_y Rᵀ) has the same tangent kernel
    ph = np.exp(0.7j)
    rotated = (m1[0] * ph, m1[1], m1[2] * np.conj(ph))
    assert abs(lt.ntk.kernel_distance_complex(m0, rotated, T) - lt.ntk.kernel_distance_complex(m0, m1, T)) <= 1e-9


@settings(max_examples=30, **SETTINGS)
@given(st.integers(1, 400), st.floats(-20.0, 20.0), st.floats(-2.0, 2.0), st.booleans())
def test_mode_energies_are_never_nan_when_the_powers_overflow(T, b, a, cplx):
    """``E = ½Σ(s_i - a c b^{T-i})²``: exactly ``½‖s‖²`` at ``ac = 0`` whatever ``b`` (0·∞ gave NaN), never NaN,
    and ``>= ½(|a c b^{T-1}| - |s_1|)²`` (so ``inf`` only where that bound is beyond float64)."""
    s = np.linspace(-1.0, 1.0, T) + (0.5j if cplx else 0.0)
    energy = lt.modes.complex_mode_energy if cplx else lt.modes.mode_energy
    half = 0.5 * float(np.sum(np.abs(s) ** 2))
    assert energy(0.0, b, 1.0, s) == pytest.approx(half, rel=1e-15)
    E = float(energy(a, b, 1.0, s))
    assert not np.isnan(E)
    with np.errstate(over="ignore", invalid="ignore"):
        lower = 0.5 * max(abs(a) * np.float64(abs(b)) ** (T - 1) - abs(s[0]), 0.0) ** 2
    if a != 0:
        assert E >= lower * (1 - 1e-12) if np.isfinite(lower) else E == np.inf


# ----------------------------------------------------------------------------- sweep cache key, figure data (issue #23 §7)
def _add_weight(x, w):
    return x + float(np.sum(w))


@settings(max_examples=60, **SETTINGS)
@given(st.integers(1, 3000).flatmap(lambda n: st.tuples(arrays(np.float64, n, elements=finite), st.integers(0, n - 1),
                                                         finite, st.sampled_from([np.float64, np.float32]))))
def test_sweep_cache_key_changes_with_any_array_entry(case):
    """Two partials share a cache key exactly when their arrays have the same dtype, shape and bytes."""
    import functools

    from lrnn_theory.sweep import _fn_identity

    w, i, value, dtype = case
    w = w.astype(dtype)
    v = w.copy()
    v[i] = value
    same = v.tobytes() == w.tobytes()
    assert (_fn_identity(functools.partial(_add_weight, w=w)) == _fn_identity(functools.partial(_add_weight, w=v))) == same
    assert _fn_identity(functools.partial(_add_weight, w=w)) == _fn_identity(functools.partial(_add_weight, w=w.copy()))
    assert _fn_identity(functools.partial(_add_weight, w=w.reshape(1, -1))) != _fn_identity(functools.partial(_add_weight, w=w))


_leaf = st.one_of(st.floats(allow_nan=True, allow_infinity=False, width=64), st.booleans(), st.text(max_size=5),
                  st.lists(st.floats(-1e6, 1e6), max_size=6))
_grid = st.tuples(st.integers(46, 60), st.integers(46, 60)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.floats(-1e3, 1e3)))  # >= GRID_MIN_SIZE elements: stored in the .npz
_tree = st.dictionaries(st.text(alphabet="abcxyz_", min_size=1, max_size=6), st.one_of(_leaf, _grid), min_size=1, max_size=5)


@settings(max_examples=25, **SETTINGS)
@given(_tree)
def test_figure_data_round_trip(tree):
    """What write_data stores, read_data gives back: JSON numbers exactly, grids at float32, and compare() agrees."""
    import tempfile

    from lrnn_theory.figures import read_data
    from lrnn_theory.figures._data import compare, write_data

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/f.json"
        written = write_data(path, {"figure": "f", "title": "t", "quick": True}, tree)
        back = read_data(path)["data"]
        assert len(written) == 1 + any(isinstance(v, np.ndarray) for v in tree.values())
    assert compare(back, {k: (v.astype(np.float32) if isinstance(v, np.ndarray) else v) for k, v in tree.items()}) == []
    for k, v in tree.items():
        if isinstance(v, np.ndarray):
            assert back[k].dtype == np.float32 and np.array_equal(back[k], v.astype(np.float32))
        elif isinstance(v, float) and np.isnan(v):
            assert back[k] is None  # non-finite numbers are stored as null
        else:
            assert back[k] == v


@settings(max_examples=25, **SETTINGS)
@given(st.integers(2, 8).flatmap(lambda T: arrays(np.float64, T, elements=finite)))
def test_fixed_point_is_a_stationary_point_of_the_mode_flow(s):
    """The closed-form / searched solution against the ODE's right-hand side: balanced (a = c) at (u*, b*), ṡ = 0."""
    if np.sum(s * s) < 1e-6:
        return
    fp = lt.fixed_point(s)
    if fp.at_boundary or abs(float(fp.b)) > 3.0:
        return  # runaway (no stationary point inside b_range), or an exact geometric b* far outside it
    a = np.sqrt(abs(float(fp.u)))
    c = np.sign(float(fp.u)) * a
    b, u = float(fp.b), float(fp.u)
    rhs = np.array(mode_rhs(a, b, c, s))
    k = np.arange(s.size - 1, -1, -1)
    # magnitude of the summands of ṡ (c Σ b^k r, u Σ k b^{k-1} r): rounding and the search's tolerance act on these
    scale = (1 + abs(u)) * np.sum((1 + k) * (1 + abs(b)) ** k * (np.abs(s) + abs(u) * abs(b) ** k))
    assert np.max(np.abs(rhs)) <= 1e-8 * scale  # the searches stop at |∇E*| ~ 1e-9 ‖s‖² T²; measured <= 4e-17


@settings(max_examples=20, **SETTINGS)
@given(st.integers(2, 7).flatmap(lambda T: arrays(np.complex128, T, elements=_cnum)))
def test_complex_fixed_point_is_a_stationary_point_of_the_complex_flow(s):
    if np.sum(np.abs(s) ** 2) < 1e-6:
        return
    fp = lt.closed_forms.complex_fixed_point(s)
    if not fp.converged or fp.at_infinity or not np.isfinite(fp.b) or abs(fp.b) > 3.0:
        return
    a = np.sqrt(complex(fp.u))  # balanced: a = c, a c = u*
    b, u = complex(fp.b), complex(fp.u)
    rhs = np.array(lt.modes.complex_mode_rhs(a, b, a, s))
    k = np.arange(s.size - 1, -1, -1)
    scale = (1 + abs(u)) * np.sum((1 + k) * (1 + abs(b)) ** k * (np.abs(s) + abs(u) * abs(b) ** k))
    assert np.max(np.abs(rhs)) <= 1e-8 * scale  # the searches stop at |∇E*| ~ 1e-9 ‖s‖² T²; measured <= 4e-17
