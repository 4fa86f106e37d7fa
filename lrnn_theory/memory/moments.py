"""The curse of memory: moments of a diagonal linear recurrence (THEORY-EXTENSIONS Part B).

Zucchet & Orvieto (NeurIPS 2024): for ``h_{t+1} = λ h_t + γ x_{t+1}`` with
stationary inputs of auto-correlation ``ρ^{|Δ|}``, the activity grows like
the memory ``1/(1-λ)`` while its sensitivity to ``λ`` grows like the memory
cubed, although the backward Jacobian ``λ^k`` never explodes.

All second moments derive from the cross-moment generating function (B.2)

.. math::

    f(λ_1, λ_2; ρ) = E[h^{(1)} h^{(2)}] = \\frac{1 - ρ^2 λ_1 λ_2}{(1 - λ_1 λ_2)(1 - ρ λ_1)(1 - ρ λ_2)},

its derivative ``∂_{λ_2} f`` and ``S = ∂²f/∂λ_1∂λ_2`` (closed forms derived
with SymPy, holomorphic: complex arguments work unchanged).  Monte-Carlo
estimators (numba, many parallel AR(1) chains) check every closed form.
"""
from __future__ import annotations

import numpy as np
from .._validation import as_float_array, check_choice, check_finite_scalar, check_int, check_positive_float

__all__ = [
    "GAMMA_MODES",
    "PARAMETRISATIONS",
    "PHASE_PARAMETRISATIONS",
    "cross_moment",
    "cross_moment_dlam2",
    "dnu_domega",
    "dtheta_domega",
    "finite_time_moments",
    "modulus_sensitivity",
    "normalisation",
    "phase_sensitivity",
    "sensitivity_kernel",
    "stationary_moments",
]

#: Reparametrisations of the modulus ``ν`` by a trainable ``ω`` (B.4).
PARAMETRISATIONS = ("direct", "exp", "tanh")
#: Reparametrisations of the phase ``θ`` by a trainable ``ω_θ`` (B.4).
PHASE_PARAMETRISATIONS = ("direct", "exp", "nu_scaled")
#: How the input normalisation ``γ`` enters (B.4): absent (``γ = 1``), ``γ = sqrt(1-|λ|²)`` held fixed
#: (a separate parameter, not differentiated) or ``γ(λ)`` differentiated through.
GAMMA_MODES = ("none", "fixed", "differentiated")


def _lam(name, lam):
    lam = np.asarray(as_float_array(name, lam, allow_complex=True))
    if np.any(np.abs(lam) >= 1):
        raise ValueError(f"{name} must satisfy |{name}| < 1 for stationary moments (the recurrence diverges otherwise)")
    return lam


def _rho(rho):
    rho = as_float_array("rho", rho)
    if np.any((rho < 0) | (rho > 1)):
        raise ValueError(f"rho must lie in [0, 1], got {rho!r}")
    return rho


def cross_moment(lam1, lam2, rho=0.0):
    """``f(λ_1, λ_2; ρ) = Σ_{k,l>=0} λ_1^k λ_2^l ρ^{|k-l|}`` (B.2), stationary, ``γ = 1, μ = 0, σ = 1``."""
    l1, l2, r = _lam("lam1", lam1), _lam("lam2", lam2), _rho(rho)
    return (1 - r ** 2 * l1 * l2) / ((1 - l1 * l2) * (1 - r * l1) * (1 - r * l2))


def cross_moment_dlam2(lam1, lam2, rho=0.0):
    """``∂f/∂λ_2`` (B.2); at ``λ_1 = λ_2 = λ`` it is ``E[h ∂_λ h]``."""
    l1, l2, r = _lam("lam1", lam1), _lam("lam2", lam2), _rho(rho)
    num = l1 ** 2 * l2 ** 2 * r ** 3 - 2 * l1 * l2 * r - l1 * r ** 2 + l1 + r
    return -num / ((l1 * l2 - 1) ** 2 * (l1 * r - 1) * (l2 * r - 1) ** 2)


def sensitivity_kernel(lam1, lam2, rho=0.0):
    """``S(λ_1, λ_2; ρ) = ∂²f/∂λ_1∂λ_2 = E[∂_{λ_1}h^{(1)} ∂_{λ_2}h^{(2)}]`` (B.2)."""
    l1, l2, r = _lam("lam1", lam1), _lam("lam2", lam2), _rho(rho)
    p = l1 * l2
    num = (p ** 3 * r ** 4 + p ** 2 * r ** 4 - 4 * p ** 2 * r ** 2 - 2 * l1 * p * r ** 3 + 2 * l1 * p * r
           - 2 * l2 * p * r ** 3 + 2 * l2 * p * r + 4 * p * r ** 2 - p - 1)
    return num / ((p - 1) ** 3 * (l1 * r - 1) ** 2 * (l2 * r - 1) ** 2)


def stationary_moments(lam, rho=0.0, gamma=1.0, mu=0.0, sigma=1.0) -> tuple[np.ndarray, np.ndarray]:
    """Stationary ``(E[h²], E[(∂_λ h)²])`` of ``h_{t+1} = λ h_t + γ x_{t+1}`` (B.2–B.3).

    Real ``λ``: the closed forms of B.2, plus ``μ²/(1-λ)²`` and ``μ²/(1-λ)⁴``
    for a non-zero input mean (times ``γ²``; the centred parts scale with
    ``σ²``).  Complex ``λ``: ``(E|h|², E|∂_λ h|²) = (f(λ, λ̄), S(λ, λ̄))``
    (``μ = 0`` only).  ``γ`` is held fixed (not differentiated, B.4).

    Raises ``ValueError`` for ``|λ| >= 1`` (no stationary law) or ``ρ ∉ [0, 1]``.
    """
    lam = _lam("lam", lam)
    rho = _rho(rho)
    gamma = check_finite_scalar("gamma", gamma)
    mu = check_finite_scalar("mu", mu)
    sigma = check_positive_float("sigma", sigma, allow_zero=True)
    if np.iscomplexobj(lam):
        if mu != 0:
            raise ValueError("mu must be 0 for complex lam")
        lb = np.conj(lam)
        h2 = np.real(cross_moment(lam, lb, rho))
        d2 = np.real(sensitivity_kernel(lam, lb, rho))
    else:
        h2 = cross_moment(lam, lam, rho) * sigma ** 2 + mu ** 2 / (1 - lam) ** 2
        d2 = sensitivity_kernel(lam, lam, rho) * sigma ** 2 + mu ** 2 / (1 - lam) ** 4
        return gamma ** 2 * h2, gamma ** 2 * d2
    return gamma ** 2 * sigma ** 2 * h2, gamma ** 2 * sigma ** 2 * d2


def finite_time_moments(lam, t: int) -> tuple[np.ndarray, np.ndarray]:
    """``(E[h_t²], E[(∂_λ h_t)²])`` from ``h_0 = 0`` with white inputs (B.2, finite time).

    ``E[h_t²] = (1 - q^t)/(1 - q)``, ``E[(∂_λ h_t)²] = Σ_{k=1}^{t-1} k² q^{k-1}``, ``q = λ²``
    (any real ``λ``, including ``|λ| >= 1``; evaluated as sums, exact at ``q = 1``).
    """
    lam = as_float_array("lam", lam)
    t = check_int("t", t, minimum=1)
    q = lam ** 2
    k = np.arange(t, dtype=float)
    h2 = np.sum(q[..., None] ** k, axis=-1)
    kk = np.arange(1, t, dtype=float)
    d2 = np.sum(kk ** 2 * q[..., None] ** (kk - 1), axis=-1) if t > 1 else np.zeros_like(q)
    return h2, d2




def normalisation(lam) -> np.ndarray:
    """Input normalisation ``γ(λ) = sqrt(1 - |λ|²)`` (B.4, the LRU choice; exact for white inputs)."""
    lam = _lam("lam", lam)
    return np.sqrt(1 - np.abs(lam) ** 2)


def _positive_modulus(name, nu, parametrisation):
    if np.any(nu <= 0):
        raise ValueError(f"{name} must have a modulus in (0, 1) for the {parametrisation!r} parametrisation")


def dnu_domega(nu, parametrisation: str = "direct") -> np.ndarray:
    """``dν/dω`` for the modulus parametrisations of B.4.

    ``"direct"``: ``ν = ω`` (1); ``"exp"`` (LRU): ``ν = exp(-e^ω)`` (``ν log ν``);
    ``"tanh"``: ``ν = tanh ω`` (``1 - ν²``).
    """
    nu = as_float_array("nu", nu)
    parametrisation = check_choice("parametrisation", parametrisation, PARAMETRISATIONS)
    if parametrisation == "direct":
        return np.ones_like(nu)
    if parametrisation == "exp":
        _positive_modulus("nu", nu, parametrisation)
        return nu * np.log(nu)
    return 1 - nu ** 2


def dtheta_domega(nu, theta, parametrisation: str = "direct") -> np.ndarray:
    """``dθ/dω_θ`` for the phase parametrisations of B.4.

    ``"direct"``: ``θ = ω_θ`` (1); ``"exp"``: ``θ = e^{ω_θ}`` (``θ``);
    ``"nu_scaled"``: ``θ = (1-ν²)/(ν sqrt(1+ν²)) · ω_θ`` (the factor itself).
    """
    nu, theta = np.broadcast_arrays(as_float_array("nu", nu), as_float_array("theta", theta))
    parametrisation = check_choice("parametrisation", parametrisation, PHASE_PARAMETRISATIONS)
    if parametrisation == "direct":
        return np.ones_like(nu)
    if parametrisation == "exp":
        return theta.astype(float, copy=True)
    _positive_modulus("nu", nu, parametrisation)
    return (1 - nu ** 2) / (nu * np.sqrt(1 + nu ** 2))


def modulus_sensitivity(lam, rho=0.0, parametrisation: str = "direct", gamma: str = "none") -> np.ndarray:
    """Stationary ``E|∂_ω (γ h)|²`` for the modulus ``ν = |λ|`` parametrised by ``ω`` (B.3–B.4).

    With ``λ = ν e^{iθ}``, ``∂_ν(γh) = γ'(ν) h + γ e^{iθ} ∂_λ h``, so

    ``E|∂_ν(γh)|² = γ'² f(λ, λ̄) + γ² S(λ, λ̄) + 2γγ' Re(e^{iθ} ∂_{λ_2} f(λ̄, λ))``

    times ``(dν/dω)²``; ``γ' = 0`` unless ``gamma="differentiated"``.  Limits as ``ν → 1``
    (B.4 table): ``γ`` fixed + exp, ``ρ = 0``: 1/2; ``ρ = 0.9``: 19/2; ``γ`` fixed + tanh,
    ``ρ = 0``: exactly ``1 + ν²``; ``γ`` differentiated + tanh: exactly 1.

    Parameters
    ----------
    lam : array_like, real or complex, ``|λ| < 1``
    rho : float in [0, 1]
        Input auto-correlation.
    parametrisation : {"direct", "exp", "tanh"}
    gamma : {"none", "fixed", "differentiated"}
    """
    lam = _lam("lam", lam)
    r = _rho(rho)
    gamma = check_choice("gamma", gamma, GAMMA_MODES)
    nu = np.abs(lam)
    dnu = dnu_domega(nu, parametrisation)
    lam_c = lam.astype(complex)
    lb = np.conj(lam_c)
    f = np.real(cross_moment(lam_c, lb, r))
    s = np.real(sensitivity_kernel(lam_c, lb, r))
    if gamma == "none":
        return s * dnu ** 2
    g = np.sqrt(1 - nu ** 2)
    if gamma == "fixed":
        return g ** 2 * s * dnu ** 2
    gp = -nu / g
    phase = np.where(nu > 0, lam_c / np.where(nu > 0, nu, 1), 1.0)
    cross = np.real(phase * cross_moment_dlam2(lb, lam_c, r))
    return (gp ** 2 * f + g ** 2 * s + 2 * g * gp * cross) * dnu ** 2


def phase_sensitivity(lam, rho=0.0, parametrisation: str = "direct", gamma: str = "none") -> np.ndarray:
    """Stationary ``E|∂_{ω_θ}(γ h)|² = γ² ν² S(λ, λ̄) (dθ/dω_θ)²`` (B.3–B.4).

    ``∂_θ h = iλ ∂_λ h`` and ``γ`` depends on ``ν`` only, so ``"fixed"`` and
    ``"differentiated"`` coincide here.  For ``ρ = 0`` and ``γ`` fixed:
    direct ``ν²(1+ν²)/(1-ν²)²`` (diverges), ``"nu_scaled"`` exactly 1.
    """
    lam = _lam("lam", lam)
    r = _rho(rho)
    gamma = check_choice("gamma", gamma, GAMMA_MODES)
    nu = np.abs(lam)
    theta = np.angle(lam.astype(complex))
    lam_c = lam.astype(complex)
    s = np.real(sensitivity_kernel(lam_c, np.conj(lam_c), r))
    g2 = np.ones_like(nu) if gamma == "none" else 1 - nu ** 2
    return g2 * nu ** 2 * s * dtheta_domega(nu, theta, parametrisation) ** 2
