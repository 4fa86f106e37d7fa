"""Numeric mode energy, gradient and Jacobian (theory guide `theory-mode-odes`, `theory-reduced`, `theory-checks` ('Dynamics'); Proca et al. (2025), eqs. 5–8)."""
import numpy as np
import pytest

from lrnn_theory import _radau, modes, symbolic


def _random_point(rng, shape=()):
    return rng.normal(size=shape), rng.uniform(-1.3, 1.3, size=shape), rng.normal(size=shape)


@pytest.mark.parametrize("T", range(1, 9))
def test_numeric_rhs_equals_sympy_to_1e12(T):
    rng = np.random.default_rng(T)
    s = rng.normal(size=(50, T))
    a, b, c = _random_point(rng, 50)
    num = modes.mode_rhs(a, b, c, s)
    sym = symbolic.lambdify_odes(T)(a, b, c, s)
    for x, y in zip(num, sym):
        assert np.max(np.abs(x - y) / (1 + np.abs(y))) < 1e-12
    assert np.allclose(modes.mode_energy(a, b, c, s), symbolic.lambdify_energy(T)(a, b, c, s), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("T", [1, 2, 5, 8])
def test_numeric_and_compiled_jacobians_equal_sympy(T):
    rng = np.random.default_rng(10 + T)
    s = rng.normal(size=T)
    Jsym = symbolic.lambdify_jacobian(T)
    work = np.empty(7)
    for _ in range(5):
        a, b, c = _random_point(rng)
        ref = Jsym(a, b, c, s)
        assert np.max(np.abs(modes.mode_jacobian(a, b, c, s) - ref) / (1 + np.abs(ref))) < 1e-12
        J = np.empty((3, 3))
        _radau._jac(0, np.array([a, b, c]), s, T, 0.0, 1.0, np.zeros(3, bool), J, work)
        assert np.max(np.abs(J - ref) / (1 + np.abs(ref))) < 1e-12
        f = np.empty(3)
        _radau._rhs(0, np.array([a, b, c]), s, T, 0.0, 1.0, np.zeros(3, bool), f, work)
        assert np.allclose(f, modes.mode_rhs(a, b, c, s), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("T", [1, 3, 6])
def test_check5_rhs_is_minus_gradient_by_finite_differences(T):
    """Theory guide `theory-checks` ('Dynamics'): central differences of E agree with -RHS to 1e-7 relative; ḃ ≡ 0 for T = 1."""
    rng = np.random.default_rng(T)
    s = rng.normal(size=T)
    for _ in range(10):
        p = np.array(_random_point(rng))
        rhs = np.array(modes.mode_rhs(*p, s))
        h = 1e-6
        fd = np.array([(modes.mode_energy(*(p + h * e), s) - modes.mode_energy(*(p - h * e), s)) / (2 * h) for e in np.eye(3)])
        assert np.max(np.abs(-fd - rhs)) <= 1e-7 * (1 + np.max(np.abs(rhs)))
        if T == 1:
            assert rhs[1] == 0.0


def test_jacobian_by_finite_differences():
    rng = np.random.default_rng(0)
    s = rng.normal(size=6)
    p = np.array(_random_point(rng))
    J = modes.mode_jacobian(*p, s)
    h = 1e-6
    fd = np.stack([(np.array(modes.mode_rhs(*(p + h * e), s)) - np.array(modes.mode_rhs(*(p - h * e), s))) / (2 * h) for e in np.eye(3)], axis=1)
    assert np.max(np.abs(J - fd)) < 1e-6 * (1 + np.max(np.abs(J)))
    assert np.allclose(modes.mode_hessian(*p, s), -J)


def test_exact_powers_at_special_b():
    """b = 0 (0⁰ = 1), b = ±1 exact."""
    s = np.array([1.0, 2.0, 3.0])
    assert modes.mode_energy(1.0, 0.0, 1.0, s) == 0.5 * (1 + 4 + 4)
    assert modes.mode_energy(1.0, -1.0, 2.0, s) == 0.5 * ((1 - 2) ** 2 + (2 + 2) ** 2 + (3 - 2) ** 2)


def test_reduced_system_matches_full_system():
    """Theory guide `theory-reduced`: with u = ac and Δ = a² - c², u̇ = a ċ + c ȧ and ḃ agree with the full RHS."""
    rng = np.random.default_rng(1)
    s = rng.normal(size=(20, 5))
    a, b, c = _random_point(rng, 20)
    da, db, dc = modes.mode_rhs(a, b, c, s)
    du, db2 = modes.reduced_rhs(a * c, b, s, delta=a ** 2 - c ** 2)
    assert np.allclose(du, a * dc + c * da, rtol=1e-12, atol=1e-13)
    assert np.allclose(db2, db, rtol=1e-12, atol=1e-13)
    assert np.allclose(modes.reduced_energy(a * c, b, s), modes.mode_energy(a, b, c, s), rtol=1e-13)


def test_broadcasting():
    s = np.ones((4, 1, 3))
    out = modes.mode_rhs(np.ones(5), 0.5, 1.0, s)
    assert out[0].shape == (4, 5)
    assert modes.mode_jacobian(np.ones(5), 0.5, 1.0, s).shape == (4, 5, 3, 3)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: modes.mode_energy(1.0, 0.5, 1.0, np.ones((2, 3)) * np.nan), ValueError, "s must contain only finite"),
        (lambda: modes.mode_rhs(np.ones(3), 0.5, 1.0, np.ones((2, 4))), ValueError, "do not broadcast"),
        (lambda: modes.mode_rhs("a", 0.5, 1.0, np.ones(3)), TypeError, "a must be"),
        (lambda: modes.mode_jacobian(1.0, np.inf, 1.0, np.ones(3)), ValueError, "b must contain only finite"),
        (lambda: modes.reduced_rhs(1.0, 0.5, np.ones(3), delta=np.nan), ValueError, "delta"),
        (lambda: modes.mode_energy(1.0, 0.5, 1.0, 3.0), ValueError, "s must have at least 1"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
