"""Complex (rotational) modes: tasks, Wirtinger gradient flow, compiled solver, closed forms.

Proca et al. (2025), App. N–O: square tasks whose correlations share eigenvectors decouple into complex
modes with energy E = ½ Σ_i |s_i - c b^{T-i} a|² and the gradient flow ż = -2 ∂E/∂z̄ on real and
imaginary parts.  Each test checks against an independent source: finite differences, SymPy in real
coordinates, scipy's solve_ivp, the real solver, a closed form, or real 2×2 block matrices.
"""
import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

import lrnn_theory as lt
from lrnn_theory import _radau, closed_forms, modes, symbolic, tasks
from lrnn_theory.integrate import integrate_modes, integrate_reduced

RNG = np.random.default_rng(16)


def _rand_c(*shape, scale=1.0):
    return scale * (RNG.normal(size=shape) + 1j * RNG.normal(size=shape))


def _to6(z):
    z = np.asarray(z)
    return np.concatenate([z.real, z.imag])


# ---------------------------------------------------------------- tasks


def test_rotational_task_and_its_real_block_view():
    """s_t = δ λ^{T-t}; each s_t is the eigenvalue of the real Schur block D_t = |s_t| R(arg s_t),
    and D_t = Λ^{T-t} for δ = 1 (the block algebra is the complex algebra)."""
    T, lam = 7, 0.9 * np.exp(1j * np.pi / 12)
    s = tasks.rotational(T, 1.0, lam)
    assert s.dtype == complex and s.shape == (T,)
    L = tasks.schur_block(lam)
    for t in range(1, T + 1):
        assert np.allclose(tasks.schur_block(s[t - 1]), np.linalg.matrix_power(L, T - t), rtol=0, atol=1e-15)
        ev, vec = np.linalg.eig(tasks.schur_block(s[t - 1]))
        assert np.allclose(sorted(ev, key=np.imag), sorted([s[t - 1], np.conj(s[t - 1])], key=np.imag), atol=1e-14)
    D = tasks.schur_block(s)
    v = np.array([1.0, -1j]) / np.sqrt(2)
    assert np.allclose(D @ v, s[:, None] * v, atol=1e-15)  # s_t on (e1 - i e2)/√2
    assert np.allclose(np.sum(D ** 2, axis=(-2, -1)), 2 * np.abs(s) ** 2, rtol=1e-14)
    assert np.allclose(tasks.schur_block_value(D), s, rtol=0, atol=1e-16)
    # real λ and δ give the real inverse-exponential family
    assert np.allclose(tasks.rotational(5, 2.0, 0.7), tasks.inverse_exponential(5, 2.0, 0.7), rtol=1e-15)
    assert tasks.rotational(4, [1.0, 2.0j], [[0.5], [0.1j], [1.0]]).shape == (3, 2, 4)


def test_schur_block_value_rejects_non_rotation_blocks():
    with pytest.raises(ValueError, match="B"):
        tasks.schur_block_value(np.array([[1.0, 0.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="B"):
        tasks.schur_block_value(np.ones((3, 3)))


# ---------------------------------------------------------------- energy and gradient


@pytest.mark.parametrize("T", [1, 2, 5, 9])
def test_wirtinger_gradient_matches_finite_differences(T):
    """ż = -(∂E/∂Re z + i ∂E/∂Im z): central differences on the real and imaginary parts separately."""
    a, b, c = _rand_c(3, scale=0.5)
    s = _rand_c(T)
    rhs = modes.complex_mode_rhs(a, b, c, s)
    h = 1e-6
    for idx, z in enumerate((a, b, c)):
        grad = []
        for step in (h, 1j * h):
            zp = [a, b, c]
            zm = [a, b, c]
            zp[idx] = z + step
            zm[idx] = z - step
            grad.append((modes.complex_mode_energy(*zp, s) - modes.complex_mode_energy(*zm, s)) / (2 * h))
        fd = -(grad[0] + 1j * grad[1])
        scale = 1 + abs(rhs[idx])
        assert abs(rhs[idx] - fd) / scale < 1e-8, (idx, rhs[idx], fd)


def test_complex_jacobian_matches_finite_differences_and_is_symmetric():
    """The 6×6 real Jacobian (from Wirtinger derivatives) against central differences of the RHS;
    minus the Hessian of E in real coordinates, hence symmetric."""
    a, b, c = _rand_c(3, scale=0.5)
    s = _rand_c(6)
    J = modes.complex_mode_jacobian(a, b, c, s)

    def f(y):
        z = y[:3] + 1j * y[3:]
        return _to6(np.array(modes.complex_mode_rhs(*z, s)))

    y = _to6(np.array([a, b, c]))
    h = 1e-6
    Jfd = np.stack([(f(y + h * e) - f(y - h * e)) / (2 * h) for e in np.eye(6)], axis=-1)
    assert np.max(np.abs(J - Jfd)) < 1e-8 * (1 + np.max(np.abs(J)))
    assert np.max(np.abs(J - J.T)) < 1e-13 * (1 + np.max(np.abs(J)))


def test_complex_functions_reduce_to_real_ones():
    a, b, c = 0.3, -0.8, 1.1
    s = np.array([0.3, -0.7, 1.1, 0.4])
    z = [x + 0j for x in (a, b, c)]
    assert modes.complex_mode_energy(*z, s + 0j) == pytest.approx(float(modes.mode_energy(a, b, c, s)), rel=1e-14)
    assert np.allclose(modes.complex_mode_rhs(*z, s), modes.mode_rhs(a, b, c, s), rtol=1e-14, atol=0)
    J6 = modes.complex_mode_jacobian(*z, s)
    assert np.allclose(J6[:3, :3], modes.mode_jacobian(a, b, c, s), rtol=1e-14, atol=1e-15)
    assert np.all(J6[3:, :3] == 0)  # the real subspace is invariant


@pytest.mark.parametrize("T", [1, 2, 3])
def test_symbolic_wirtinger_odes_equal_gradient_in_real_coordinates(T):
    """SymPy: -2 ∂E/∂z̄ (Wirtinger symbols) equals -(∂E/∂x + i ∂E/∂y) of E written in real coordinates."""
    (a, ab), (b, bb), (c, cb), s, sbar = symbolic.complex_symbols(T)
    xs = sp.symbols("xa ya xb yb xc yc", real=True)
    ps = sp.symbols(" ".join(f"p{i} q{i}" for i in range(T)), real=True)
    sub = {a: xs[0] + sp.I * xs[1], ab: xs[0] - sp.I * xs[1], b: xs[2] + sp.I * xs[3], bb: xs[2] - sp.I * xs[3],
           c: xs[4] + sp.I * xs[5], cb: xs[4] - sp.I * xs[5]}
    for i in range(T):
        sub[s[i]] = ps[2 * i] + sp.I * ps[2 * i + 1]
        sub[sbar[i]] = ps[2 * i] - sp.I * ps[2 * i + 1]
    E = sp.expand(symbolic.complex_mode_energy(T).subs(sub))
    assert sp.simplify(sp.im(E)) == 0
    for odes, (x, y) in zip(symbolic.complex_mode_odes(T), [(xs[0], xs[1]), (xs[2], xs[3]), (xs[4], xs[5])]):
        expected = -(sp.diff(E, x) + sp.I * sp.diff(E, y))
        assert sp.expand(odes.subs(sub) - expected) == 0
    # with real values the complex ODEs are the real ones
    ra, rb, rc, rs = symbolic.symbols(T)
    real_sub = {a: ra, ab: ra, b: rb, bb: rb, c: rc, cb: rc, **{s[i]: rs[i] for i in range(T)}, **{sbar[i]: rs[i] for i in range(T)}}
    for z, r in zip(symbolic.complex_mode_odes(T), symbolic.mode_odes(T)):
        assert sp.expand(z.subs(real_sub) - r) == 0


@pytest.mark.parametrize("T", [1, 4, 6])
def test_numeric_rhs_and_compiled_kernel_match_the_symbolic_oracle(T):
    a, b, c = _rand_c(3, 4, scale=0.6)
    s = _rand_c(4, T)
    oracle = symbolic.lambdify_complex_odes(T)(a, b, c, s)
    ours = modes.complex_mode_rhs(a, b, c, s)
    for o, x in zip(oracle, ours):
        assert np.allclose(x, o, rtol=1e-12, atol=1e-14)
    # the compiled kernel (model 2) on the same points: RHS and Jacobian
    work, f, J = np.empty(16), np.empty(6), np.empty((6, 6))
    for m in range(4):
        y = _to6(np.array([a[m], b[m], c[m]]))
        S = _to6(s[m])
        _radau._rhs(2, y, S, T, 0.0, 1.0, np.zeros(6, bool), f, work)
        _radau._jac(2, y, S, T, 0.0, 1.0, np.zeros(6, bool), J, work)
        ref = np.array([x[m] for x in ours])
        assert np.allclose(f, _to6(ref), rtol=1e-13, atol=1e-14)
        Jref = modes.complex_mode_jacobian(a[m], b[m], c[m], s[m])
        assert np.allclose(J, Jref, rtol=1e-13, atol=1e-13 * np.max(np.abs(Jref)))
        assert _radau._energy(2, y, S, T, work) == pytest.approx(float(modes.complex_mode_energy(a[m], b[m], c[m], s[m])), rel=1e-13)


def test_complex_flow_is_gradient_flow_of_real_schur_blocks():
    """A complex mode is a 2×2 real block network: L = ½ Σ_t ‖D_t - C B^{T-t} A‖_F² (= 2E), with
    A, B, C rotation-scaling matrices.  The full-matrix gradient -∂L/∂A (finite differences over all
    four entries) is the block of ȧ, so full-matrix gradient flow stays in the block algebra and
    follows the complex ODE."""
    T = 5
    s = tasks.rotational(T, 1.2 - 0.3j, 0.85 * np.exp(0.4j))
    a, b, c = 0.4 + 0.3j, 0.6 - 0.2j, 0.5 + 0.1j
    D = tasks.schur_block(s)
    mats = [tasks.schur_block(z) for z in (a, b, c)]

    def loss(A, B, C):
        return 0.5 * sum(np.sum((D[t] - C @ np.linalg.matrix_power(B, T - 1 - t) @ A) ** 2) for t in range(T))

    assert loss(*mats) == pytest.approx(2 * float(modes.complex_mode_energy(a, b, c, s)), rel=1e-13)
    rhs = modes.complex_mode_rhs(a, b, c, s)
    h = 1e-6
    for idx in range(3):
        G = np.empty((2, 2))
        for i in range(2):
            for j in range(2):
                E = np.zeros((2, 2))
                E[i, j] = h
                p = list(mats)
                m = list(mats)
                p[idx] = mats[idx] + E
                m[idx] = mats[idx] - E
                G[i, j] = (loss(*p) - loss(*m)) / (2 * h)
        assert np.allclose(-G, tasks.schur_block(rhs[idx]), rtol=0, atol=1e-8)


# ---------------------------------------------------------------- the compiled solver


REAL_TASKS = [
    tasks.inverse_exponential(10, 2.0, 0.8),
    tasks.exponential(6, 1.0, 1.2),
    tasks.constant(5, 0.5),
    tasks.modified("constant", 8, 0.3, 0.0, 1.0),
    np.array([0.3, -0.7, 1.1, 0.4]),
]


@pytest.mark.parametrize("s", REAL_TASKS)
def test_zero_imaginary_parts_reproduce_the_real_solver(s):
    t = np.linspace(0.0, 40.0, 81)
    real = integrate_modes(s, 0.1, 0.1, 0.1, t)
    cplx = integrate_modes(s + 0j, 0.1 + 0j, 0.1 + 0j, 0.1 + 0j, t)
    assert cplx.a.dtype == complex and real.success and cplx.success
    for x, y in [(real.a, cplx.a), (real.b, cplx.b), (real.c, cplx.c), (real.energy, cplx.energy)]:
        assert np.max(np.abs(x - y)) <= 1e-12
    assert np.all(cplx.a.imag == 0) and np.all(cplx.b.imag == 0) and np.all(cplx.c.imag == 0)
    assert np.array_equal(real.nsteps, cplx.nsteps) and np.array_equal(real.nfev, cplx.nfev)


def test_zero_imaginary_parts_batched_frozen_and_diverging():
    """Same statuses, same freeze behaviour, same divergence flag as the real solver, over a batch."""
    s = np.stack([tasks.inverse_exponential(6, 1.0, 0.5), tasks.inverse_exponential(6, 1.0, 1.6), tasks.constant(6, 0.7)])
    t = np.linspace(0.0, 30.0, 31)
    a0 = np.array([0.1, 0.1, -0.2])
    for kw in ({}, {"freeze": "b"}, {"freeze": ("a", "c")}, {"bound": 1.5}):
        real = integrate_modes(s, a0, 0.3, 0.1, t, **kw)
        cplx = integrate_modes(s, a0 + 0j, 0.3, 0.1, t, **kw)
        assert np.array_equal(real.status, cplx.status)
        fin = np.isfinite(real.energy)
        assert np.array_equal(fin, np.isfinite(cplx.energy))
        assert np.max(np.abs(real.a[fin] - cplx.a[fin])) <= 1e-12
        assert np.max(np.abs(real.b[fin] - cplx.b[fin])) <= 1e-12
    assert np.any(integrate_modes(s, a0 + 0j, 0.3, 0.1, t, bound=1.5).diverged)


@pytest.mark.parametrize("case", range(3))
def test_complex_solver_matches_scipy_on_the_real_6d_system(case):
    """solve_ivp on y = (Re, Im) with the NumPy right-hand side, an independent implementation: the explicit
    8th-order DOP853 at rtol 1e-13 (a method of another family than our Radau IIA, so that agreement is not
    shared discretisation error; measured 4e-12 to 1.3e-10 from ours and from scipy's Radau at rtol 1e-12,
    which took 5-8 s per case against 1 s)."""
    s = [tasks.rotational(6, 1.5, 0.8 * np.exp(1j * np.pi / 6)),
         tasks.rotational(4, 0.7 + 0.9j, np.exp(1j * np.pi / 12)),
         _rand_c(5, scale=0.7)][case]
    z0 = np.array([0.1 + 0.05j, 0.2 - 0.1j, 0.08 + 0.02j])
    t = np.linspace(0.0, 30.0, 61)

    def f(_, y):
        z = y[:3] + 1j * y[3:]
        return _to6(np.array(modes.complex_mode_rhs(*z, s)))

    ref = solve_ivp(f, (t[0], t[-1]), _to6(z0), method="DOP853", rtol=1e-13, atol=1e-15, t_eval=t)
    sol = integrate_modes(s, *z0, t, rtol=1e-11, atol=1e-13)
    assert ref.success and sol.success
    ours = np.stack([sol.a, sol.b, sol.c])
    err = np.max(np.abs(ours - (ref.y[:3] + 1j * ref.y[3:])))
    assert err < 1e-8, err


def test_complex_solver_batches_and_conserves_the_imbalance():
    lam = 0.85 * np.exp(1j * np.linspace(0.1, 1.2, 4))
    s = tasks.rotational(6, 1.0 + 0.5j, lam)  # (4, 6)
    a0 = np.array([0.1, 0.2j, 0.05 + 0.1j, -0.1])
    c0 = np.array([0.07 + 0.02j, 0.1, 0.1j, 0.05])
    t = np.linspace(0.0, 40.0, 41)
    sol = integrate_modes(s, a0, 0.1, c0, t)
    assert sol.a.shape == (4, 41) and sol.batch_shape == (4,) and sol.success
    imb = sol.imbalance
    assert np.max(np.abs(imb - imb[:, :1])) < 1e-9
    # each mode of the batch equals the same mode run alone
    for m in range(4):
        one = integrate_modes(s[m], a0[m], 0.1, c0[m], t)
        assert np.max(np.abs(one.u - sol.u[m])) < 1e-12
    # balanced start a0 = c0 stays balanced (a = c), since conj(a) ȧ = conj(c) ċ
    bal = integrate_modes(s[0], 0.1 + 0.05j, 0.1, 0.1 + 0.05j, t)
    assert np.max(np.abs(bal.a - bal.c)) < 1e-9


@pytest.mark.parametrize("lam", [0.8 * np.exp(1j * np.pi / 6), np.exp(1j * np.pi / 12), 0.5 - 0.6j])
def test_fixed_point_reached_matches_the_closed_form(lam):
    delta = 1.5 * np.exp(0.3j)
    s = tasks.rotational(6, delta, lam)
    fp = closed_forms.complex_fixed_point(s)
    assert fp.b == pytest.approx(lam, abs=1e-14) and fp.u == pytest.approx(delta, abs=1e-14)
    assert bool(fp.stable) == (abs(lam) <= 1 + 1e-15)
    sol = integrate_modes(s, 0.1 + 0.02j, 0.1j, 0.1 - 0.03j, np.linspace(0, 300, 31))
    fin = sol.final()
    assert sol.success
    assert abs(fin.b - fp.b) < 1e-7 and abs(fin.u - fp.u) < 1e-7 and fin.energy < 1e-14


def test_complex_fixed_point_stability_and_real_reduction():
    lam = np.array([0.9j, 1.1 * np.exp(0.5j), -1.0, 0.3 + 0.2j])
    fp = closed_forms.complex_fixed_point(tasks.rotational(5, 2.0, lam))
    assert np.allclose(fp.b, lam, rtol=1e-14) and np.allclose(fp.u, 2.0, rtol=1e-14)
    assert fp.stable.tolist() == [True, False, True, True]
    s = tasks.inverse_exponential(7, 1.3, 0.6)
    real = lt.fixed_point(s)
    fp = closed_forms.complex_fixed_point(s)
    assert complex(fp.b) == pytest.approx(float(real.b), rel=1e-14) and complex(fp.u) == pytest.approx(float(real.u), rel=1e-14)
    assert np.isnan(closed_forms.complex_fixed_point(np.array([2.0 + 1j])).b).all()


@pytest.mark.parametrize("case", range(4))
def test_frozen_b_closed_form_matches_the_ode(case):
    """Balanced (|a| = |c|), b frozen: the polar closed form against the compiled solver."""
    T = 5
    s = [tasks.rotational(T, 1.3 + 0.4j, 0.8 * np.exp(0.7j)), _rand_c(T, scale=0.6),
         tasks.rotational(T, -0.5 + 1j, 0.9j), tasks.rotational(T, 1.0, 0.7)][case]
    b = [0.6 * np.exp(-0.5j), 0.3 + 0.4j, 0.2 - 0.1j, 0.5 + 0.5j][case]
    a0 = [0.1 * np.exp(1.2j), 0.05 + 0.1j, 0.1, -0.08 + 0.02j][case]
    t = np.linspace(0.0, 20.0, 41)
    sol = integrate_modes(s, a0, b, a0, t, freeze="b", rtol=1e-12, atol=1e-14)
    u = closed_forms.complex_frozen_b_solution(t, s, b, a0 * a0)
    assert sol.success
    assert np.max(np.abs(sol.u - u)) < 1e-9 * (1 + np.max(np.abs(u)))
    k = np.arange(T - 1, -1, -1)
    assert u[-1] == pytest.approx(np.sum(s * np.conj(b) ** k) / np.sum(np.abs(b) ** (2 * k)), rel=1e-6)


def test_frozen_b_closed_form_reduces_to_the_real_logistic_and_to_the_algebraic_case():
    t = np.linspace(0.0, 50.0, 11)
    s = tasks.inverse_exponential(6, 1.2, 0.7)
    real = closed_forms.frozen_b_solution(t, s, 0.5, 0.01)
    cplx = closed_forms.complex_frozen_b_solution(t, s, 0.5 + 0j, 0.01 + 0j)
    assert np.max(np.abs(cplx - real)) < 1e-14
    # C = Σ s_i conj(b)^{T-i} = 0: u(t) = u0 / (1 + 2 D |u0| t)
    s0 = np.array([1.0, 0.5j])  # C = s_1 conj(b) + s_2 = -0.5j + 0.5j = 0 for b = 0.5j
    b = 0.5j
    u0 = 0.2 * np.exp(0.4j)
    D = 1 + 0.25
    u = closed_forms.complex_frozen_b_solution(t, s0, b, u0)
    assert np.allclose(u, u0 / (1 + 2 * D * abs(u0) * t), rtol=1e-13)


_NON_GEOMETRIC_TASKS = {
    "rotation + kick": tasks.rotational(10, 1.0, np.exp(1j * np.pi / 12)) + 0.1 * np.eye(10)[3],
    "rotation + perturbation": tasks.rotational(6, 1.0 + 0.5j, 0.8 * np.exp(0.5j)) + 0.2 * np.array([0.3, -1, 0.5j, 0, 0.2, 0.1]),
    "two rotations": tasks.rotational(8, 1.0, 0.9 * np.exp(0.4j)) + tasks.rotational(8, 0.5, 0.6 * np.exp(-1.2j)),
    "real oscillation": (np.cos(0.7 * np.arange(10)) * 0.9 ** np.arange(10)[::-1]).astype(complex),
}


@pytest.mark.parametrize("name", list(_NON_GEOMETRIC_TASKS))
def test_long_time_limit_of_the_ode_is_the_complex_fixed_point(name):
    """Non-geometric tasks: from a small balanced start aligned with u* and b0 in the basin, the compiled
    solver's long-time limit is the profile-energy minimiser (|ac| → |u*|, b → b*, E → E*(b*));
    for the real task a complex b0 leaves the real axis and reaches the rotation that fits it best."""
    s = _NON_GEOMETRIC_TASKS[name]
    fp = closed_forms.complex_fixed_point(s)
    assert not fp.exact and fp.converged
    b, u = complex(fp.b), complex(fp.u)
    a0 = 0.1 * np.sqrt(u / abs(u))
    sol = integrate_modes(s, a0, 0.9 * b + 0.02j, a0, np.linspace(0.0, 2000.0, 5), rtol=1e-12, atol=1e-14)
    fin = sol.final()
    assert sol.success
    assert abs(fin.b - b) < 1e-9 and abs(fin.u - u) < 1e-9 and abs(abs(fin.a * fin.c) - abs(u)) < 1e-9
    assert abs(fin.energy - float(fp.energy)) < 1e-12 * (1 + float(fp.energy))
    assert abs(sol.u[-1] - sol.u[-2]) < 1e-12  # at rest


# ---------------------------------------------------------------- bad input


def test_complex_input_to_real_only_functions_names_the_argument():
    s = tasks.rotational(4, 1.0, 0.5j)
    cases = [
        (lambda: integrate_reduced(s, 0.1, 0.1, [0.0, 1.0]), "s"),
        (lambda: integrate_reduced(np.ones(4), 0.1j, 0.1, [0.0, 1.0]), "u0"),
        (lambda: lt.mode_rhs(0.1j, 0.1, 0.1, np.ones(4)), "a"),
        (lambda: lt.mode_energy(0.1, 0.1, 0.1, s), "s"),
        (lambda: lt.fixed_point(s), "s"),
        (lambda: closed_forms.frozen_b_solution([0.0, 1.0], s, 0.5, 0.1), "s"),
        (lambda: tasks.inverse_exponential(4, 1.0, 0.5j), "lam"),
        (lambda: integrate_modes(s, 0.1, 0.1, 0.1, [0.0, 1.0j]), "t"),
        (lambda: integrate_modes(s, 0.1, 0.1, 0.1, [0.0, 1.0], tau=1j), "tau"),
        (lambda: integrate_modes(s, np.nan + 0j, 0.1, 0.1, [0.0, 1.0]), "a0"),
        (lambda: integrate_modes(np.stack([s, s]), np.ones(3, complex), 0.1, 0.1, [0.0, 1.0]), "broadcast"),
        (lambda: closed_forms.complex_fixed_point(np.array([1.0, np.nan * 1j, 1.0])), "s"),
        (lambda: closed_forms.complex_frozen_b_solution([0.0, 1.0], s, 0.5, 0j), "u0"),
        (lambda: closed_forms.complex_frozen_b_solution([-1.0, 1.0], s, 0.5, 0.1), "t"),
        (lambda: modes.complex_mode_rhs(0.1, "b", 0.1, s), "b"),
        (lambda: tasks.rotational(0, 1.0, 0.5j), "T"),
    ]
    for call, name in cases:
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        assert name in str(info.value), (name, str(info.value))
