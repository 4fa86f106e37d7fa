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

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from ._validation import as_float_array, check_choice, check_finite_scalar, check_int, check_positive_float, check_seed

__all__ = [
    "PARAMETRISATIONS",
    "MonteCarloMoments",
    "cross_moment",
    "cross_moment_dlam2",
    "finite_time_moments",
    "monte_carlo_moments",
    "sensitivity_kernel",
    "stationary_moments",
    "teacher_student_curvature",
    "teacher_student_loss",
]

#: Reparametrisations of the modulus ``ν`` by a trainable ``ω`` (B.4).
PARAMETRISATIONS = ("direct", "exp", "tanh")


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


def _dnu_domega(nu, parametrisation):
    if parametrisation == "direct":
        return np.ones_like(nu)
    if parametrisation == "exp":  # ν = exp(-e^ω)
        return nu * np.log(nu)
    return 1 - nu ** 2  # tanh


def teacher_student_loss(lam, lam_star, *, mu=0.0, sigma=1.0, normalised: bool = False):
    """Stationary teacher–student loss ``L = ½ E|h - h*|²`` for one recurrent unit (B.5).

    Unnormalised: ``½[μ²|1/(1-λ) - 1/(1-λ*)|² + σ²(1/(1-|λ|²) + 1/(1-|λ*|²) - 2 Re 1/(1-λ λ̄*))]``.
    Normalised on both sides (``γ = sqrt(1-|·|²)``, ``μ = 0``, ``σ = 1``):
    ``L = 1 - Re γ(λ)γ(λ*)/(1 - λ λ̄*)``.
    """
    lam = _lam("lam", lam)
    ls = _lam("lam_star", lam_star)
    mu = check_finite_scalar("mu", mu)
    sigma = check_positive_float("sigma", sigma, allow_zero=True)
    if normalised:
        if mu != 0 or sigma != 1:
            raise ValueError("normalised loss is defined for mu = 0, sigma = 1")
        g = np.sqrt(1 - np.abs(lam) ** 2) * np.sqrt(1 - np.abs(ls) ** 2)
        return 1 - np.real(g / (1 - lam * np.conj(ls)))
    mean = mu ** 2 * np.abs(1 / (1 - lam) - 1 / (1 - ls)) ** 2
    var = sigma ** 2 * (1 / (1 - np.abs(lam) ** 2) + 1 / (1 - np.abs(ls) ** 2) - 2 * np.real(1 / (1 - lam * np.conj(ls))))
    return 0.5 * (mean + var)


def teacher_student_curvature(lam_star, parametrisation: str = "direct", *, normalised: bool = False, sigma=1.0):
    """Curvature of the teacher–student loss at the optimum in the trainable parameter (B.4–B.5).

    ``∂²L/∂ω²|* = L''(λ*) (dν/dω)²`` (the gradient vanishes there), with
    ``L''(λ*) = σ²(1+λ*²)/(1-λ*²)³`` (unnormalised, real λ, μ = 0) or
    ``1/(1-λ*²)²`` (normalised on both sides).  Examples: direct, unnormalised,
    509.5 at λ* = 0.92; normalised + exp: 0.1786 / 0.2494 / 0.2500 at
    λ* = 0.36 / 0.92 / 0.99; normalised + tanh: exactly 1.  Plain GD is stable
    only for ``η < 2/H*``.
    """
    ls = _lam("lam_star", lam_star)
    if np.iscomplexobj(ls):
        raise TypeError("lam_star must be real (the modulus curvature); use sensitivity_kernel for complex λ")
    parametrisation = check_choice("parametrisation", parametrisation, PARAMETRISATIONS)
    sigma = check_positive_float("sigma", sigma)
    if parametrisation != "direct" and np.any(ls <= 0):
        raise ValueError("lam_star must be in (0, 1) for the exp and tanh parametrisations of the modulus")
    q = ls ** 2
    second = 1 / (1 - q) ** 2 if normalised else sigma ** 2 * (1 + q) / (1 - q) ** 3
    return second * _dnu_domega(ls, parametrisation) ** 2


@dataclass(frozen=True)
class MonteCarloMoments:
    """Monte-Carlo estimates with standard errors (B.8): ``h2 ± h2_se``, ``d2 ± d2_se``."""

    h2: float
    h2_se: float
    d2: float
    d2_se: float
    n_chains: int
    burn_in: int


@njit(cache=True, parallel=True)
def _mc_kernel(lam_re, lam_im, rho, mu, sigma, gamma, n_chains, burn, seeds, out_h2, out_d2):
    for c in prange(n_chains):
        np.random.seed(seeds[c])
        x = np.random.standard_normal()  # stationary AR(1) start
        hr = 0.0
        hi = 0.0
        gr = 0.0
        gi = 0.0
        s = np.sqrt(1.0 - rho * rho)
        for _ in range(burn):
            # forward sensitivity g_{t+1} = λ g_t + h_t, then h_{t+1} = λ h_t + γ x_{t+1}
            ngr = lam_re * gr - lam_im * gi + hr
            ngi = lam_re * gi + lam_im * gr + hi
            x = rho * x + s * np.random.standard_normal()
            nhr = lam_re * hr - lam_im * hi + gamma * (mu + sigma * x)
            nhi = lam_re * hi + lam_im * hr
            gr, gi, hr, hi = ngr, ngi, nhr, nhi
        out_h2[c] = hr * hr + hi * hi
        out_d2[c] = gr * gr + gi * gi


def monte_carlo_moments(lam, rho=0.0, *, gamma=1.0, mu=0.0, sigma=1.0, n_chains: int = 20_000, burn_in: int | None = None,
                        seed: int = 0) -> MonteCarloMoments:
    """Monte-Carlo ``E|h|²`` and ``E|∂_λ h|²`` from parallel AR(1)-driven chains (B.8).

    Each chain runs ``burn_in`` steps (default ``30/(1-|λ|)``) from ``h = ∂_λh = 0``, carrying the
    forward sensitivity ``g_{t+1} = λ g_t + h_t = ∂_λ h_{t+1}``; estimates are means over chains with
    their standard errors.  Chain ``c`` uses seed ``seed`` + ``c``.
    """
    lam = complex(check_finite_scalar("lam", lam, allow_complex=True))
    if abs(lam) >= 1:
        raise ValueError("lam must satisfy |lam| < 1")
    rho = float(_rho(rho))
    n_chains = check_int("n_chains", n_chains, minimum=2)
    seed = check_seed("seed", seed)
    burn = int(np.ceil(30 / (1 - abs(lam)))) if burn_in is None else check_int("burn_in", burn_in, minimum=1)
    h2 = np.empty(n_chains)
    d2 = np.empty(n_chains)
    seeds = (seed + np.arange(n_chains)).astype(np.int64) % (2 ** 31)
    _mc_kernel(lam.real, lam.imag, rho, float(check_finite_scalar("mu", mu)), float(check_positive_float("sigma", sigma, allow_zero=True)),
               float(check_finite_scalar("gamma", gamma)), n_chains, burn, seeds, h2, d2)
    se = lambda a: float(np.std(a, ddof=1) / np.sqrt(a.size))  # noqa: E731
    return MonteCarloMoments(h2=float(h2.mean()), h2_se=se(h2), d2=float(d2.mean()), d2_se=se(d2), n_chains=n_chains, burn_in=burn)
