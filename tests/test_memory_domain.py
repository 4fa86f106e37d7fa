"""Domains of the curse-of-memory formulas (theory guide `memory-moments`, `memory-reparametrisation`).

The stationary closed forms divide by ``1 - |λ|²``; the domain test must decide ``|λ| < 1`` in the
arithmetic of the formulas, so that every accepted point gives finite, in-range moments and every
point outside is refused with a ValueError naming the argument.  The independent reference is exact
rational arithmetic (``fractions.Fraction`` of the float inputs): ``Re² + Im² < 1``.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from lrnn_theory import memory
from lrnn_theory.memory import Parametrisation


def _exactly_inside(z: complex) -> bool:
    return Fraction(z.real) ** 2 + Fraction(z.imag) ** 2 < 1


def _circle_points():
    """748 points ``e^{iθ}`` (most are not exactly on the circle in float64) and their 1-ulp neighbours inwards."""
    z = np.exp(1j * np.linspace(0.0, 2 * np.pi, 748))
    inward = np.nextafter(z.real, 0.0) + 1j * z.imag
    return np.concatenate([z, inward])


def test_the_reported_point_is_refused():
    lam = 0.9984622798899006 + 0.055435328420258285j  # |λ|² = 1 + 7.3e-19 exactly, np.abs rounds below 1
    assert not _exactly_inside(lam) and np.abs(lam) < 1
    for f in (memory.stationary_moments, memory.normalisation, lambda x: memory.teacher_student_loss(x, 0.5, normalised=True)):
        with pytest.raises(ValueError, match="lam"):
            f(lam)


def test_every_point_near_the_unit_circle_is_refused_or_finite_and_in_range():
    accepted = 0
    for lam in _circle_points():
        lam = complex(lam)
        try:
            h2, d2 = memory.stationary_moments(lam, 0.5)
        except ValueError as err:
            assert "lam" in str(err)
            continue
        accepted += 1
        assert _exactly_inside(lam)  # accepted only inside, decided exactly
        # E|h|² >= 1 (the first term of the series) and E|∂h|² > 0, finite
        assert np.isfinite(h2) and np.isfinite(d2) and h2 >= 1 and d2 > 0
        g = memory.normalisation(lam)
        assert 0 < g <= 1
        L = memory.teacher_student_loss(lam, 0.3 + 0.2j, normalised=True)
        assert 0 <= L <= 2  # |γγ*/(1 - λλ̄*)| <= 1 (Cauchy–Schwarz on the impulse responses)
        assert np.all(np.isfinite(memory.teacher_student_gradient(lam, 0.5j, normalised=True)))
        assert np.isfinite(memory.modulus_sensitivity(lam, 0.5, "exp", "differentiated", dtheta_dnu=0.3))
        assert np.isfinite(memory.phase_sensitivity(lam, 0.5, "nu_scaled"))
    assert accepted > 100  # the inward neighbours are inside and must be served


def test_loss_in_omega_masks_with_the_same_domain_test():
    lam = 0.9984622798899006 + 0.055435328420258285j
    L = memory.loss_in_omega([abs(lam), 0.5], np.angle(lam), 0.5)
    assert np.isnan(L[0]) and L[1] == pytest.approx(float(memory.teacher_student_loss(0.5 * np.exp(1j * np.angle(lam)), 0.5)), rel=1e-15)


def test_train_lambda_refuses_a_start_outside_in_exact_arithmetic():
    from lrnn_theory.optim import SGD

    with pytest.raises(ValueError, match="lam0"):
        memory.train_lambda(0.5 + 0.1j, 0.9984622798899006 + 0.055435328420258285j, SGD(lr=0.1))


@pytest.mark.parametrize("parametrisation, nu, omega_of_nu, nu_of_omega", [
    ("exp", 0.3, lambda v: np.log(-np.log(v)), lambda w: np.exp(-np.exp(w))),
    ("tanh", -0.7, np.arctanh, np.tanh),
    ("direct", 1.7, lambda v: v, lambda w: w),
])
def test_dnu_domega_matches_a_finite_difference_of_the_map(parametrisation, nu, omega_of_nu, nu_of_omega):
    w, h = omega_of_nu(nu), 1e-5
    fd = (nu_of_omega(w + h) - nu_of_omega(w - h)) / (2 * h)  # O(h²) ≈ 1e-10
    assert memory.dnu_domega(nu, parametrisation) == pytest.approx(fd, rel=1e-8)


@pytest.mark.parametrize("parametrisation, nu", [("exp", 1.5), ("exp", 1.0), ("exp", 0.0), ("exp", -0.2),
                                                 ("tanh", 1.0), ("tanh", -1.5)])
def test_dnu_domega_refuses_a_modulus_outside_the_range_of_its_map(parametrisation, nu):
    with pytest.raises(ValueError, match="nu"):
        memory.dnu_domega(nu, parametrisation)


def test_nu_scaled_phase_needs_a_modulus_below_one():
    with pytest.raises(ValueError, match="nu"):
        memory.dtheta_domega(1.2, 0.3, "nu_scaled")
    with pytest.raises(ValueError, match="lam0"):
        Parametrisation(modulus="tanh").to_omega(1.0)
    with pytest.raises(ValueError, match="lam0"):
        Parametrisation(phase="nu_scaled").to_omega(1.0 * np.exp(0.3j))  # s(1) = 0: no ω_θ gives θ = 0.3


def test_finite_time_moments_refuse_overflow_and_keep_exact_small_cases():
    with pytest.raises(ValueError, match="lam"):
        memory.finite_time_moments(2.0, 2000)  # 4^1999 overflows
    h2, d2 = memory.finite_time_moments(2.0, 3)  # 1 + 4 + 16 and 1 + 4·4
    assert (float(h2), float(d2)) == (21.0, 17.0)


def test_sampled_loss_refuses_overflow():
    X = np.ones((2, 2000))
    with pytest.raises(ValueError, match="lam"):
        memory.sampled_loss_and_grad(1.5, 0.5, X, window_start=10)


def test_monte_carlo_default_burn_in_is_bounded():
    lam = 1 - 1e-9  # default burn-in 3e10 steps per chain: refused instead of running for hours
    with pytest.raises(ValueError, match="burn_in"):
        memory.sample_states(lam, n_chains=2)
    h, _ = memory.sample_states(lam, n_chains=2, burn_in=5)  # an explicit burn-in is honoured
    assert h.shape == (2, 1) and np.all(np.isfinite(h))


def test_multidim_overflow_is_refused():
    with pytest.raises(ValueError, match="A"):
        memory.impulse_response(2 * np.eye(2), np.ones(2), np.ones(2), 2000)  # 2^1999 overflows
    with pytest.raises(ValueError, match="lam"):
        memory.impulse_response_gradient("diagonal", ([2.0], [1.0], [1.0]), 2000)
    with pytest.raises(ValueError, match="A"):
        memory.impulse_response_gradient("dense", (2 * np.eye(2), np.ones(2), np.ones(2)), 2000)
    with pytest.raises(ValueError, match="params"):
        memory.finite_time_gauss_newton("diagonal", ([2.0], [1.0], [1.0]), 2000)
    assert memory.impulse_response([[2.0]], [1.0], [1.0], 5).tolist() == [1.0, 2.0, 4.0, 8.0, 16.0]  # growth itself is fine


def test_omega_curvature_names_omega_when_a_difference_point_leaves_the_domain():
    with pytest.raises(ValueError, match="omega"):
        memory.omega_curvature([0.999999999, 0.0], 0.5 + 0j, h=1e-3)


def test_sampled_training_default_window_is_bounded():
    from lrnn_theory.optim import SGD

    with pytest.raises(ValueError, match="window"):  # ceil(15/1e-9) = 1.5e10 steps per sequence
        memory.train_lambda(1 - 1e-9, 0.5, SGD(lr=0.1), loss="sampled", steps=1)
    run = memory.train_lambda(0.5, 0.2, SGD(lr=0.3), loss="sampled", steps=2, batch=4)  # default window 30
    assert run.lam.shape[0] == 3


def test_finite_time_moments_in_blocks_match_the_closed_forms(monkeypatch):
    """Blocked sums (long t) against the geometric closed forms, and against the one-block evaluation."""
    from lrnn_theory.memory import moments

    lam, t = np.array([0.3, -0.9, 0.999]), 5000
    one = memory.finite_time_moments(lam, t)
    monkeypatch.setattr(moments, "_TERMS_PER_BLOCK", 700)  # 8 blocks, the last one partial
    h2, d2 = memory.finite_time_moments(lam, t)
    q = lam ** 2
    assert np.allclose(h2, (1 - q ** t) / (1 - q), rtol=1e-12)
    dq = (1 + q - t ** 2 * q ** (t - 1) + (2 * t ** 2 - 2 * t - 1) * q ** t - (t - 1) ** 2 * q ** (t + 1)) / (1 - q) ** 3
    assert np.allclose(d2, dq, rtol=1e-9)  # Σ_{k<t} k² q^{k-1}, closed form (cancellation ~1e-11 at q = 0.998)
    assert np.allclose(h2, one[0], rtol=1e-13) and np.allclose(d2, one[1], rtol=1e-13)
