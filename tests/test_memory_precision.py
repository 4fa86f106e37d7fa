"""Precision of the curse-of-memory closed forms near the edge of stability (Zucchet & Orvieto, 2024, Sec. 3-4).

Every float64 value is compared with a 50-digit mpmath evaluation at the *same* float inputs
(``mp.mpf``/``mp.mpc`` of a float is exact).  The references are written independently of the
package: ``f`` is the closed form of the cross-moment generating function, its derivatives come
from SymPy differentiation of that closed form (evaluated by mpmath), the reparametrised
sensitivities from their defining chain rule, and one point of each is cross-checked by direct
summation of the defining series and by mpmath's numerical differentiation.  At 50 digits the
cancellations of these expressions (at most ~30 digits on the grid) leave > 15 correct digits.

The grid reaches ``λ = 1 - 1e-7`` and ``ρ = 1 - 1e-6`` (and ``ρ = 1``), real and complex ``λ``
with modulus near 1 and phases from 1e-9 to π.  The float64 evaluations are cancellation-free,
so the relative error stays at a few ulps times the condition number of the inputs: 1e-10 is a
safe bound (measured maximum ~1e-14).
"""
from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from lrnn_theory import memory

mp.mp.dps = 50
TOL = 1e-10

RHOS = (0.0, 0.3, 0.9, 1 - 1e-3, 1 - 1e-6, 1.0)
REAL_LAMS = (0.0, 0.5, -0.9, 0.9, 1 - 1e-3, 1 - 1e-5, 1 - 1e-6, 1 - 1e-7, -(1 - 1e-7))
MODULI = (0.9, 1 - 1e-3, 1 - 1e-5, 1 - 1e-7)
PHASES = (1e-9, 1e-6, 1e-3, 0.3, np.pi / 2, 2.0, np.pi - 1e-6, -0.7)
COMPLEX_LAMS = tuple(nu * np.exp(1j * th) for nu in MODULI for th in PHASES)

# ------------------------------------------------------------------------------------------------
# 50-digit references


def _mp(z):
    """Exact multiprecision copy of a float64 (real or complex) value."""
    if np.iscomplexobj(z):
        z = complex(z)
        return mp.mpc(z.real, z.imag)
    return mp.mpf(float(z))


_L1, _L2, _R = sp.symbols("l1 l2 r")
_F = (1 - _R ** 2 * _L1 * _L2) / ((1 - _L1 * _L2) * (1 - _R * _L1) * (1 - _R * _L2))
_REF = {name: sp.lambdify((_L1, _L2, _R), expr, "mpmath")
        for name, expr in (("f", _F), ("dlam2", sp.diff(_F, _L2)), ("S", sp.diff(_F, _L1, _L2)))}


def ref(name, l1, l2, r):
    return _REF[name](_mp(l1), _mp(l2), mp.mpf(r))


def ref_moments(lam, r, gamma=1.0, mu=0.0, sigma=1.0):
    """``(E|γh|², E|γ∂_λh|²)``: ``σ² f(λ, λ̄) + μ²/|1-λ|²`` and ``σ² S(λ, λ̄) + μ²/|1-λ|⁴``, times ``γ²``."""
    lam_ = _mp(lam)
    m2 = mp.mpf(mu) ** 2
    h2 = mp.mpf(sigma) ** 2 * mp.re(ref("f", lam, np.conj(lam), r)) + m2 / abs(1 - lam_) ** 2
    d2 = mp.mpf(sigma) ** 2 * mp.re(ref("S", lam, np.conj(lam), r)) + m2 / abs(1 - lam_) ** 4
    g2 = mp.mpf(gamma) ** 2
    return g2 * h2, g2 * d2


def _dnu(nu, parametrisation):
    return {"direct": mp.mpf(1), "exp": nu * mp.log(nu), "tanh": 1 - nu ** 2}[parametrisation]


def ref_modulus(lam, r, parametrisation, gamma, dtheta_dnu=0.0):
    """Chain rule ``∂_ν(γh) = γ'h + γ e^{iθ}∂_λh`` (+ ``θ'(ν) iλγ ∂_λh``), squared and averaged."""
    lam_ = _mp(lam)
    nu = abs(lam_)
    ph = lam_ / nu
    f = mp.re(ref("f", lam, np.conj(lam), r))
    S = mp.re(ref("S", lam, np.conj(lam), r))
    g = ref("dlam2", np.conj(lam), lam, r)  # E[conj(h) ∂_λ h]
    gam = mp.mpf(1) if gamma == "none" else mp.sqrt(1 - nu ** 2)
    gp = -nu / gam if gamma == "differentiated" else mp.mpf(0)
    tp = mp.mpf(dtheta_dnu)
    # ∂_ν(γh) = gp h + (γ e^{iθ} + θ' γ iλ) ∂_λ h =: gp h + c ∂_λ h
    c = gam * ph + tp * gam * 1j * lam_
    val = gp ** 2 * f + abs(c) ** 2 * S + 2 * gp * mp.re(c * g)
    return val * _dnu(nu, parametrisation) ** 2


def ref_phase(lam, r, parametrisation, gamma):
    lam_ = _mp(lam)
    nu = abs(lam_)
    S = mp.re(ref("S", lam, np.conj(lam), r))
    g2 = 1 if gamma == "none" else 1 - nu ** 2
    theta = mp.arg(lam_)
    dth = {"direct": mp.mpf(1), "exp": theta, "nu_scaled": (1 - nu ** 2) / (nu * mp.sqrt(1 + nu ** 2))}[parametrisation]
    return g2 * nu ** 2 * S * dth ** 2


def ref_loss(lam, lam_star, mu=0.0, sigma=1.0, normalised=False):
    a, b = _mp(lam), _mp(lam_star)
    if normalised:
        return 1 - mp.re(mp.sqrt(1 - abs(a) ** 2) * mp.sqrt(1 - abs(b) ** 2) / (1 - a * mp.conj(b)))
    mean = mp.mpf(mu) ** 2 * abs(1 / (1 - a) - 1 / (1 - b)) ** 2
    var = mp.mpf(sigma) ** 2 * (1 / (1 - abs(a) ** 2) + 1 / (1 - abs(b) ** 2) - 2 * mp.re(1 / (1 - a * mp.conj(b))))
    return (mean + var) / 2


def ref_curvature(lam_star, parametrisation, normalised, sigma=1.0):
    q = mp.mpf(lam_star) ** 2
    second = 1 / (1 - q) ** 2 if normalised else mp.mpf(sigma) ** 2 * (1 + q) / (1 - q) ** 3
    return second * _dnu(mp.mpf(lam_star), parametrisation) ** 2


def rel_err(value, reference) -> float:
    """Relative error (absolute error where the reference is exactly zero, e.g. ``∂f/∂λ_2`` at 0)."""
    value = complex(value)
    err = abs(mp.mpc(value.real, value.imag) - reference)
    return float(err / abs(reference)) if reference != 0 else float(err)


def max_rel_err(pairs) -> float:
    return max(rel_err(v, r) for v, r in pairs)


# ------------------------------------------------------------------------------------------------
# the references themselves, against independent evaluations


def test_references_agree_with_direct_series_and_numerical_differentiation():
    """One point each: the SymPy-derived references equal the defining series summed in mpmath,
    and mpmath's numerical derivatives of the closed form."""
    l1, l2, r = 0.55 * np.exp(0.4j), 0.5 * np.exp(-1.1j), 0.6
    a, b, rr = _mp(l1), _mp(l2), mp.mpf(r)
    n = 170  # tail ~ n² 0.55^n < 1e-40
    pa = [a ** k for k in range(n)]
    pb = [b ** k for k in range(n)]
    pr = [rr ** k for k in range(n)]
    f_sum = mp.fsum(pa[k] * pb[m] * pr[abs(k - m)] for k in range(n) for m in range(n))
    d2_sum = mp.fsum(pa[k] * m * pb[m - 1] * pr[abs(k - m)] for k in range(n) for m in range(1, n))
    s_sum = mp.fsum(k * pa[k - 1] * m * pb[m - 1] * pr[abs(k - m)] for k in range(1, n) for m in range(1, n))
    assert abs(f_sum - ref("f", l1, l2, r)) < 1e-35
    assert abs(d2_sum - ref("dlam2", l1, l2, r)) < 1e-35
    assert abs(s_sum - ref("S", l1, l2, r)) < 1e-35
    # near the edge: numerical differentiation of the closed form at 50 digits
    l1, l2, r = (1 - 1e-7) * np.exp(1e-6j), (1 - 1e-7) * np.exp(-1e-6j), 1 - 1e-6
    f = _REF["f"]
    S_num = mp.diff(lambda x, y: f(x, y, mp.mpf(r)), (_mp(l1), _mp(l2)), (1, 1))
    assert abs(S_num / ref("S", l1, l2, r) - 1) < 1e-20
    # the curvature reference is the second derivative of the loss reference
    ls = 1 - 1e-6
    H_num = mp.diff(lambda x: _loss_mp(x, mp.mpf(ls)), mp.mpf(ls), 2)
    assert abs(H_num / ref_curvature(ls, "direct", False) - 1) < 1e-20


def _loss_mp(x, b):
    return (1 / (1 - x ** 2) + 1 / (1 - b ** 2) - 2 / (1 - x * b)) / 2


def test_reparametrised_reference_is_the_direct_sum_of_its_impulse_response():
    """``E|∂_ω(γh)|²`` for the ν-scaled phase (θ moves with ν): the reference chain rule equals
    ``Σ_{k,l} c_k c̄_l ρ^{|k-l|}`` with ``c_k = d/dν[γ(ν) ν^k e^{ikθ(ν)}]`` summed in mpmath."""
    nu, w_theta, r = mp.mpf(0.6), mp.mpf(0.8), mp.mpf(0.4)
    scale = lambda v: (1 - v ** 2) / (v * mp.sqrt(1 + v ** 2))  # noqa: E731
    theta = lambda v: scale(v) * w_theta  # noqa: E731
    n = 160
    coef = [mp.diff(lambda v: mp.sqrt(1 - v ** 2) * v ** k * mp.expj(k * theta(v)), nu) for k in range(n)]
    pr = [r ** k for k in range(n)]
    direct = mp.re(mp.fsum(coef[k] * mp.conj(coef[m]) * pr[abs(k - m)] for k in range(n) for m in range(n)))
    lam = complex(nu * mp.expj(theta(nu)))
    tp = float(mp.diff(theta, nu))
    assert abs(ref_modulus(lam, float(r), "direct", "differentiated", tp) / direct - 1) < 1e-12  # λ rounded to float64


# ------------------------------------------------------------------------------------------------
# the package against the references


def _pairs():
    """(λ1, λ2) pairs: real diagonal, conjugate pairs, holomorphic (λ, λ), and distinct neighbours."""
    out = [(x, x) for x in REAL_LAMS]
    out += [(z, np.conj(z)) for z in COMPLEX_LAMS] + [(z, z) for z in COMPLEX_LAMS]
    out += [(z, np.conj(z) * (1 - 1e-4)) for z in COMPLEX_LAMS] + [(0.999, 0.9999999), (-0.5, 0.9999999)]
    return out


@pytest.mark.parametrize("name", ["cross_moment", "cross_moment_dlam2", "sensitivity_kernel"])
@pytest.mark.parametrize("rho", RHOS)
def test_kernels_are_accurate_near_the_unit_circle(name, rho):
    fn = getattr(memory, name)
    key = {"cross_moment": "f", "cross_moment_dlam2": "dlam2", "sensitivity_kernel": "S"}[name]
    pairs = _pairs()
    l1 = np.array([p[0] for p in pairs], dtype=complex)
    l2 = np.array([p[1] for p in pairs], dtype=complex)
    vals = fn(l1, l2, rho)
    assert max_rel_err((v, ref(key, a, b, rho)) for v, a, b in zip(vals, l1, l2)) < TOL
    # real arrays take the real path
    x = np.array(REAL_LAMS)
    vals = fn(x, x, rho)
    assert vals.dtype == float
    assert max_rel_err((v, ref(key, a, a, rho)) for v, a in zip(vals, x)) < TOL


@pytest.mark.parametrize("rho", RHOS)
def test_stationary_moments_are_accurate(rho):
    lam = np.array(REAL_LAMS)
    gamma = memory.normalisation(lam)
    for mu, sigma in ((0.0, 1.0), (0.7, 1.5)):
        h2, d2 = memory.stationary_moments(lam, rho, gamma=gamma, mu=mu, sigma=sigma)
        refs = [ref_moments(x, rho, mp.sqrt(1 - mp.mpf(x) ** 2), mu, sigma) for x in lam]
        assert max_rel_err(zip(h2, (r[0] for r in refs))) < TOL
        assert max_rel_err(zip(d2, (r[1] for r in refs))) < TOL
    lam = np.array(COMPLEX_LAMS)
    h2, d2 = memory.stationary_moments(lam, rho, mu=0.3, sigma=2.0)
    refs = [ref_moments(z, rho, 1.0, 0.3, 2.0) for z in lam]
    assert max_rel_err(zip(h2, (r[0] for r in refs))) < TOL
    assert max_rel_err(zip(d2, (r[1] for r in refs))) < TOL


def test_normalisation_is_accurate():
    lam = np.array(REAL_LAMS + COMPLEX_LAMS)
    g = memory.normalisation(lam)
    assert max_rel_err((v, mp.sqrt(1 - abs(_mp(z)) ** 2)) for v, z in zip(g, lam)) < TOL


@pytest.mark.parametrize("rho", RHOS)
@pytest.mark.parametrize("parametrisation", ["direct", "exp", "tanh"])
@pytest.mark.parametrize("gamma", ["none", "fixed", "differentiated"])
def test_modulus_sensitivity_is_accurate(rho, parametrisation, gamma):
    lam = np.array([x for x in REAL_LAMS if x != 0] + list(COMPLEX_LAMS))
    vals = memory.modulus_sensitivity(lam, rho, parametrisation, gamma)
    assert max_rel_err((v, ref_modulus(z, rho, parametrisation, gamma)) for v, z in zip(vals, lam)) < TOL


@pytest.mark.parametrize("rho", (0.0, 0.9, 1 - 1e-6))
@pytest.mark.parametrize("gamma", ["none", "fixed", "differentiated"])
def test_modulus_sensitivity_along_a_moving_phase_is_accurate(rho, gamma):
    lam = np.array(COMPLEX_LAMS)
    tp = np.linspace(-3.0, 5.0, lam.size)
    vals = memory.modulus_sensitivity(lam, rho, "exp", gamma, dtheta_dnu=tp)
    assert max_rel_err((v, ref_modulus(z, rho, "exp", gamma, t)) for v, z, t in zip(vals, lam, tp)) < TOL


@pytest.mark.parametrize("rho", RHOS)
@pytest.mark.parametrize("parametrisation", ["direct", "exp", "nu_scaled"])
@pytest.mark.parametrize("gamma", ["none", "fixed"])
def test_phase_sensitivity_is_accurate(rho, parametrisation, gamma):
    lam = np.array([z for z in COMPLEX_LAMS if parametrisation != "exp" or np.angle(z) > 0])
    vals = memory.phase_sensitivity(lam, rho, parametrisation, gamma)
    assert max_rel_err((v, ref_phase(z, rho, parametrisation, gamma)) for v, z in zip(vals, lam)) < TOL


@pytest.mark.parametrize("parametrisation", ["direct", "exp", "tanh"])
@pytest.mark.parametrize("normalised", [False, True])
def test_teacher_student_curvature_is_accurate(parametrisation, normalised):
    ls = np.array([x for x in REAL_LAMS if x > 0])
    sigma = 1.0 if normalised else 1.7
    vals = memory.teacher_student_curvature(ls, parametrisation, normalised=normalised, sigma=sigma)
    assert max_rel_err((v, ref_curvature(x, parametrisation, normalised, sigma)) for v, x in zip(vals, ls)) < TOL


@pytest.mark.parametrize("normalised", [False, True])
def test_teacher_student_loss_is_accurate_near_the_optimum(normalised):
    stars = [1 - 1e-3, 1 - 1e-7, (1 - 1e-6) * np.exp(1e-6j), (1 - 1e-7) * np.exp(2.0j), 0.5 * np.exp(-0.3j)]
    lam, ls = [], []
    for s in stars:
        for d in (1e-9, 1e-6, 1e-3):
            for z in (s * (1 - d * abs(1 - abs(s))), s * np.exp(1j * d), s * (1 - 0.5 * d) * np.exp(-1j * d)):
                lam.append(z)
                ls.append(s)
    lam, ls = np.array(lam), np.array(ls)
    mu, sigma = (0.0, 1.0) if normalised else (0.4, 1.3)
    vals = memory.teacher_student_loss(lam, ls, mu=mu, sigma=sigma, normalised=normalised)
    refs = [ref_loss(a, b, mu, sigma, normalised) for a, b in zip(lam, ls)]
    assert max_rel_err(zip(vals, refs)) < TOL


def test_diagonal_hessian_is_accurate_near_the_unit_circle():
    lam = np.array([(1 - 1e-7) * np.exp(1e-6j), (1 - 1e-6) * np.exp(-2.0j), 1 - 1e-5])
    b = np.array([1.0 + 0.5j, -0.3 + 1j, 0.8])
    c = np.array([0.2 - 1j, 1.0, 0.5 + 0.5j])
    H = memory.diagonal_hessian(lam, b, c, 1 - 1e-6)
    w = [_mp(x) for x in b * c]
    n = lam.size
    ref_H = mp.matrix(2 * n, 2 * n)
    for i in range(n):
        for j in range(n):
            A = w[i] * w[j] * ref("S", lam[i], lam[j], 1 - 1e-6)
            B = w[i] * mp.conj(w[j]) * ref("S", lam[i], np.conj(lam[j]), 1 - 1e-6)
            ref_H[i, j], ref_H[i, n + j] = mp.re(A + B) / 2, mp.im(B - A) / 2
            ref_H[n + i, j], ref_H[n + i, n + j] = -mp.im(A + B) / 2, mp.re(B - A) / 2
    scale = max(abs(ref_H[i, j]) for i in range(2 * n) for j in range(2 * n))
    assert max(abs(H[i, j] - ref_H[i, j]) for i in range(2 * n) for j in range(2 * n)) / scale < TOL
