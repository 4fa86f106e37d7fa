"""Curse of memory, theory core (THEORY-EXTENSIONS B.2–B.5; checks B.9 1–4 and 6)."""
import numpy as np
import pytest
import sympy as sp

from lrnn_theory import memory


def test_b9_1_series_identity():
    l1, l2, r = 0.7, -0.6, 0.5
    k = np.arange(400)
    series = np.sum(l1 ** k[:, None] * l2 ** k[None, :] * r ** np.abs(k[:, None] - k[None, :]))
    assert memory.cross_moment(l1, l2, r) == pytest.approx(series, rel=1e-13)
    assert memory.cross_moment(l1, l2, r) == pytest.approx(0.920910, abs=1e-6)


def test_b9_2_symbolic_identities_and_special_cases():
    l1, l2, r, lam = sp.symbols("l1 l2 rho lam")
    f = (1 - r ** 2 * l1 * l2) / ((1 - l1 * l2) * (1 - r * l1) * (1 - r * l2))
    S_sym = sp.lambdify((l1, l2, r), sp.diff(f, l1, l2))
    d2_sym = sp.lambdify((l1, l2, r), sp.diff(f, l2))
    rng = np.random.default_rng(0)
    for _ in range(10):
        a, b, rho = rng.uniform(-0.95, 0.95), rng.uniform(-0.95, 0.95), rng.uniform(0, 1)
        assert memory.sensitivity_kernel(a, b, rho) == pytest.approx(S_sym(a, b, rho), rel=1e-12)
        assert memory.cross_moment_dlam2(a, b, rho) == pytest.approx(d2_sym(a, b, rho), rel=1e-12)
    x, rho = 0.8, 0.3
    h2, d2 = memory.stationary_moments(x, rho)
    assert h2 == pytest.approx((1 + rho * x) / ((1 - x ** 2) * (1 - rho * x)), rel=1e-13)
    assert d2 == pytest.approx(((1 + x ** 2) * (1 - x ** 2 * rho ** 2) + 2 * x * rho * (1 - x ** 2)) / ((1 - x ** 2) ** 3 * (1 - x * rho) ** 2), rel=1e-13)
    assert memory.cross_moment_dlam2(x, x, rho) == pytest.approx((x + rho - x ** 2 * rho - x ** 3 * rho ** 2) / ((1 - x ** 2) ** 2 * (1 - x * rho) ** 2), rel=1e-13)
    assert memory.stationary_moments(x, 0.0) == pytest.approx((1 / (1 - x ** 2), (1 + x ** 2) / (1 - x ** 2) ** 3), rel=1e-13)
    assert memory.stationary_moments(x, 1.0) == pytest.approx((1 / (1 - x) ** 2, 1 / (1 - x) ** 4), rel=1e-13)
    # leading behaviour as λ -> 1: (1+ρ)/(2(1-ρ)) · 1/(1-λ) and (1+ρ)/(4(1-ρ)) · 1/(1-λ)³
    eps = 1e-6
    h2, d2 = memory.stationary_moments(1 - eps, 0.4)
    assert h2 * eps == pytest.approx(1.4 / (2 * 0.6), rel=1e-4) and d2 * eps ** 3 == pytest.approx(1.4 / (4 * 0.6), rel=1e-4)


@pytest.mark.parametrize(
    "lam,rho,h2,d2",
    [(0.9, 0.0, 5.2632, 263.887), (0.9, 0.9, 50.1385, 3756.95), (0.99, 0.5, 148.764, 753639.6)],
)
def test_b9_3_closed_forms_and_monte_carlo(lam, rho, h2, d2):
    th = memory.stationary_moments(lam, rho)
    assert th[0] == pytest.approx(h2, rel=1e-4) and th[1] == pytest.approx(d2, rel=1e-5)
    mc = memory.monte_carlo_moments(lam, rho, n_chains=20_000, seed=1)
    assert abs(mc.h2 - th[0]) < 3 * mc.h2_se and abs(mc.d2 - th[1]) < 3 * mc.d2_se


def test_b9_3_complex_eigenvalue():
    nu, theta, rho = 0.95, 2.0, 0.8
    lam = nu * np.exp(1j * theta)
    h2, d2 = memory.stationary_moments(lam, rho)
    assert h2 == pytest.approx(1.960, abs=1e-3) and d2 == pytest.approx(321.05, abs=0.01)
    assert nu ** 2 * d2 == pytest.approx(289.75, abs=0.01)  # E|∂_θ h|² = ν² S
    mc = memory.monte_carlo_moments(lam, rho, n_chains=20_000, seed=2)
    assert abs(mc.h2 - h2) < 3 * mc.h2_se and abs(mc.d2 - d2) < 3 * mc.d2_se


def test_b9_4_finite_time_formula():
    q, t = 0.98, 300
    _, d2 = memory.finite_time_moments(np.sqrt(q), t)
    closed = (1 + q - q ** (t - 1) * (t ** 2 * (1 - q) ** 2 + 2 * t * q * (1 - q) + q * (1 + q))) / (1 - q) ** 3
    assert d2 == pytest.approx(closed, rel=1e-12) and d2 == pytest.approx(232713.461, abs=1e-3)
    h2, _ = memory.finite_time_moments(0.9, 400)
    assert h2 == pytest.approx(memory.stationary_moments(0.9)[0], rel=1e-12)


def test_b9_6_teacher_student_curvature():
    assert memory.teacher_student_curvature(0.92) == pytest.approx(509.5, abs=0.05)
    assert memory.teacher_student_curvature(0.99) == pytest.approx(2.513e5, rel=1e-3)
    vals = memory.teacher_student_curvature(np.array([0.36, 0.92, 0.99]), "exp", normalised=True)
    assert np.round(vals, 4).tolist() == [0.1786, 0.2494, 0.2500]
    assert np.allclose(memory.teacher_student_curvature(np.array([0.2, 0.9, 0.999]), "tanh", normalised=True), 1.0, rtol=1e-12)
    # second method: finite-difference curvature of the closed-form loss in λ
    for ls in (0.5, 0.92):
        h = 1e-4
        fd = (memory.teacher_student_loss(ls + h, ls) - 2 * memory.teacher_student_loss(ls, ls) + memory.teacher_student_loss(ls - h, ls)) / h ** 2
        assert fd == pytest.approx(memory.teacher_student_curvature(ls), rel=1e-5)
        fd = (memory.teacher_student_loss(ls + h, ls, normalised=True) - 2 * memory.teacher_student_loss(ls, ls, normalised=True)
              + memory.teacher_student_loss(ls - h, ls, normalised=True)) / h ** 2
        assert fd == pytest.approx(memory.teacher_student_curvature(ls, normalised=True), rel=1e-5)
    assert memory.teacher_student_loss(0.7, 0.7) == pytest.approx(0.0, abs=1e-14)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: memory.stationary_moments(1.0), ValueError, "lam"),
        (lambda: memory.stationary_moments(0.5 + 0.9j), ValueError, "lam"),
        (lambda: memory.stationary_moments(0.5, rho=1.5), ValueError, "rho"),
        (lambda: memory.stationary_moments(0.5, rho=-0.1), ValueError, "rho"),
        (lambda: memory.cross_moment(0.5, np.nan), ValueError, "lam2"),
        (lambda: memory.teacher_student_curvature(0.9, "cosh"), ValueError, "parametrisation"),
        (lambda: memory.teacher_student_curvature(-0.5, "exp"), ValueError, "lam_star"),
        (lambda: memory.finite_time_moments(0.9, 0), ValueError, "t"),
        (lambda: memory.monte_carlo_moments(0.5, n_chains=0), ValueError, "n_chains"),
        (lambda: memory.monte_carlo_moments(1.2), ValueError, "lam"),
        (lambda: memory.teacher_student_loss(0.5, 0.3, normalised=True, mu=1.0), ValueError, "normalised"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
