"""Monte-Carlo estimators for the curse-of-memory moments (theory guide :ref:`memory-simulation-plan`; Zucchet & Orvieto (2024)).

One numba kernel runs many independent AR(1)-driven chains in parallel, each
carrying ``m`` recurrences ``h_{t+1} = λ_j h_t + x_{t+1}`` that share the input,
and their forward sensitivities ``g_{t+1} = λ_j g_t + h_t = ∂_{λ_j} h_{t+1}``.
Every closed form of :mod:`~lrnn_theory.memory.moments` and
:mod:`~lrnn_theory.memory.teacher` is checked against a chain average built on
:func:`sample_states`; estimates carry standard errors.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._threading import parallel_section
from .._validation import as_float_array, check_finite_scalar, check_int, check_positive_float, check_seed
from .moments import _inside, _inside_scalar, _rho

__all__ = ["MonteCarloEstimate", "MonteCarloMoments", "estimate", "monte_carlo_moments", "sample_states"]


def _burn_in(burn_in, max_modulus: float) -> int:
    """``burn_in`` validated, or the default ``ceil(30/(1 - max|λ|))`` (:ref:`memory-simulation-plan`)."""
    if burn_in is not None:
        return check_int("burn_in", burn_in, minimum=1)
    default = 30 / (1 - max_modulus)
    if default > _MAX_DEFAULT_BURN_IN:
        raise ValueError(f"lam: max |lam| = {max_modulus!r} is so close to 1 that the default burn_in ceil(30/(1-|lam|)) "
                         f"= {default:.3g} steps per chain exceeds {_MAX_DEFAULT_BURN_IN:.0e}; pass burn_in explicitly")
    return int(np.ceil(default))


#: Largest default burn-in (steps per chain) :func:`sample_states` and :func:`monte_carlo_moments` choose on their own.
_MAX_DEFAULT_BURN_IN = 10 ** 7


@njit(cache=True, parallel=True)
def _chains(lam_re, lam_im, rho, mu, sigma, n_chains, burn, seeds, h_re, h_im, g_re, g_im):
    m = lam_re.size
    s = np.sqrt(1.0 - rho * rho)
    for c in prange(n_chains):
        np.random.seed(seeds[c])
        x = np.random.standard_normal()  # the AR(1) input starts from its stationary law
        hr = np.zeros(m)
        hi = np.zeros(m)
        gr = np.zeros(m)
        gi = np.zeros(m)
        for _ in range(burn):
            x = rho * x + s * np.random.standard_normal()
            u = mu + sigma * x
            for j in range(m):
                a, b = lam_re[j], lam_im[j]
                ngr = a * gr[j] - b * gi[j] + hr[j]
                ngi = a * gi[j] + b * gr[j] + hi[j]
                nhr = a * hr[j] - b * hi[j] + u
                nhi = a * hi[j] + b * hr[j]
                gr[j] = ngr
                gi[j] = ngi
                hr[j] = nhr
                hi[j] = nhi
        for j in range(m):
            h_re[c, j] = hr[j]
            h_im[c, j] = hi[j]
            g_re[c, j] = gr[j]
            g_im[c, j] = gi[j]


def sample_states(lam, rho=0.0, *, mu=0.0, sigma=1.0, n_chains: int = 20_000, burn_in: int | None = None,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Samples of ``(h_t, ∂_λ h_t)`` after ``burn_in`` steps, for several ``λ`` driven by one input (:ref:`memory-model`, :ref:`memory-simulation-plan`).

    Parameters
    ----------
    lam : complex or array_like of shape (m,), ``|λ_j| < 1``
    rho : float in [0, 1]
        AR(1) coefficient: ``x_t = ρ x_{t-1} + sqrt(1-ρ²) ξ_t`` started from its stationary law.
    mu, sigma : float
        Input mean and standard deviation (the input is ``μ + σ x_t``).
    n_chains : int >= 2
    burn_in : int, optional
        Steps from ``h = ∂_λh = 0`` (default ``ceil(30/(1 - max|λ|))``).
    seed : int
        Chain ``c`` draws from seed ``seed + c`` (the samples do not depend on the thread count).

    Returns
    -------
    h, g : ndarray, complex, shape (n_chains, m)
        ``h_t`` and ``g_t = ∂h_t/∂λ`` of each chain (``γ = 1``).

    Raises
    ------
    TypeError
        Non-numeric ``lam``, ``mu`` or ``sigma``, or a non-integer ``n_chains``, ``burn_in`` or ``seed``.
    ValueError
        ``lam`` not 1-D or with ``|λ| >= 1``, ``ρ ∉ [0, 1]``, ``σ < 0``, ``n_chains < 2``,
        ``burn_in < 1``, a negative ``seed``, or no ``burn_in`` given while the default
        ``ceil(30/(1 - max|λ|))`` exceeds ``10^7`` steps (``|λ|`` within ``3e-6`` of 1).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import estimate, sample_states
    >>> h, g = sample_states([0.5, 0.9j], n_chains=500, seed=0)
    >>> h.shape, g.shape, h.dtype
    ((500, 2), (500, 2), dtype('complex128'))
    >>> e = estimate(np.abs(h[:, 0]) ** 2)  # E h² = 1/(1 - λ²) for white inputs
    >>> e.agrees(1 / (1 - 0.5 ** 2))
    True
    """
    lam = np.atleast_1d(as_float_array("lam", lam, allow_complex=True)).astype(complex)
    if lam.ndim != 1:
        raise ValueError(f"lam must be a scalar or 1-D, got shape {lam.shape}")
    if not np.all(_inside(lam)):
        raise ValueError("lam must satisfy |lam| < 1 (stationary chains)")
    rho = float(_rho(rho))
    mu = check_finite_scalar("mu", mu)
    sigma = check_positive_float("sigma", sigma, allow_zero=True)
    n_chains = check_int("n_chains", n_chains, minimum=2)
    seed = check_seed("seed", seed)
    burn = _burn_in(burn_in, float(np.max(np.abs(lam))))
    shape = (n_chains, lam.size)
    out = [np.empty(shape) for _ in range(4)]
    seeds = (seed + np.arange(n_chains, dtype=np.int64)) % (2 ** 31)
    with parallel_section():
        _chains(np.ascontiguousarray(lam.real), np.ascontiguousarray(lam.imag), rho, mu, sigma, n_chains, burn, seeds,
                *out)
    return out[0] + 1j * out[1], out[2] + 1j * out[3]


@dataclass(frozen=True)
class MonteCarloEstimate:
    """A chain average with its standard error: ``mean ± se`` over ``n`` independent chains (:ref:`memory-simulation-plan`).

    Attributes
    ----------
    mean, se : ndarray, shape of one sample
        Sample mean and standard error ``std(ddof=1)/sqrt(n)``.
    n : int
        Number of chains.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import MonteCarloEstimate
    >>> e = MonteCarloEstimate(mean=np.array(1.0), se=np.array(0.1), n=100)
    >>> e.agrees(1.2), e.agrees(1.5)  # within 3 standard errors, or not
    (True, False)
    """

    mean: np.ndarray
    se: np.ndarray
    n: int

    def agrees(self, value, n_se: float = 3.0) -> bool:
        """True when ``|mean - value| <= n_se · se`` everywhere (the :ref:`theory-checks-memory` tolerance is 3 standard errors)."""
        return bool(np.all(np.abs(self.mean - np.asarray(value)) <= n_se * self.se))


def estimate(samples) -> MonteCarloEstimate:
    """Mean and standard error over the first axis of per-chain ``samples`` (:ref:`memory-simulation-plan`).

    Parameters
    ----------
    samples : array_like, shape (n_chains, ...)
        One sample per chain along the first axis, ``n_chains >= 2``.

    Returns
    -------
    MonteCarloEstimate
        ``mean`` and ``se`` of shape ``samples.shape[1:]``, ``n = n_chains``.

    Raises
    ------
    ValueError
        Fewer than 2 samples along the first axis.

    Examples
    --------
    >>> from lrnn_theory.memory import estimate
    >>> e = estimate([[1.0, 0.0], [3.0, 0.0]])
    >>> e.mean.tolist(), e.se.tolist(), e.n  # se = std(ddof=1)/sqrt(2) = 1
    ([2.0, 0.0], [1.0, 0.0], 2)
    """
    samples = np.asarray(samples)
    if samples.ndim < 1 or samples.shape[0] < 2:
        raise ValueError(f"samples must have at least 2 chains along the first axis, got shape {samples.shape}")
    n = samples.shape[0]
    return MonteCarloEstimate(mean=samples.mean(axis=0), se=samples.std(axis=0, ddof=1) / np.sqrt(n), n=n)


@dataclass(frozen=True)
class MonteCarloMoments:
    """Monte-Carlo estimates with standard errors (:ref:`memory-simulation-plan`): ``h2 ± h2_se``, ``d2 ± d2_se``.

    Attributes
    ----------
    h2, h2_se : float
        ``E|γh|²`` and its standard error.
    d2, d2_se : float
        ``E|γ ∂_λ h|²`` and its standard error.
    n_chains, burn_in : int
        Chains averaged and steps run from ``h = 0``.

    Examples
    --------
    >>> from lrnn_theory.memory import monte_carlo_moments
    >>> mc = monte_carlo_moments(0.5, n_chains=500, seed=0)
    >>> mc.n_chains, mc.burn_in  # burn-in ceil(30/(1 - |λ|))
    (500, 60)
    """

    h2: float
    h2_se: float
    d2: float
    d2_se: float
    n_chains: int
    burn_in: int


def monte_carlo_moments(lam, rho=0.0, *, gamma=1.0, mu=0.0, sigma=1.0, n_chains: int = 20_000, burn_in: int | None = None,
                        seed: int = 0) -> MonteCarloMoments:
    """Monte-Carlo ``E|γh|²`` and ``E|γ ∂_λ h|²`` (``γ`` held fixed) from parallel chains (:ref:`memory-simulation-plan`).

    See :func:`sample_states` for the chains; compare with
    :func:`~lrnn_theory.memory.stationary_moments` (Zucchet & Orvieto, 2024, Sec. 3).

    Parameters
    ----------
    lam : float or complex, ``|λ| < 1``
        One eigenvalue (use :func:`sample_states` for several).
    rho : float in [0, 1]
        AR(1) coefficient of the input.
    gamma : float
        Input normalisation, held fixed (not differentiated).
    mu, sigma, n_chains, burn_in, seed
        As in :func:`sample_states`.

    Returns
    -------
    MonteCarloMoments

    Raises
    ------
    TypeError
        ``lam`` not a scalar number, or another argument of the wrong type (see :func:`sample_states`).
    ValueError
        ``|λ| >= 1``, a non-finite ``gamma``, or an argument rejected by :func:`sample_states`.

    Examples
    --------
    >>> from lrnn_theory.memory import monte_carlo_moments
    >>> from lrnn_theory.memory import stationary_moments
    >>> mc = monte_carlo_moments(0.5, n_chains=2000, seed=0)
    >>> h2, d2 = stationary_moments(0.5)  # 1/(1-λ²) and (1+λ²)/(1-λ²)³
    >>> bool(abs(mc.h2 - h2) <= 3 * mc.h2_se and abs(mc.d2 - d2) <= 3 * mc.d2_se)
    True
    """
    if isinstance(lam, bool) or np.ndim(lam) != 0 or not isinstance(np.asarray(lam)[()], numbers.Number):
        shape = f"shape {np.shape(lam)}" if np.ndim(lam) else type(lam).__name__
        raise TypeError(f"lam must be a real or complex scalar (use sample_states for several eigenvalues), got {shape}")
    lam = check_finite_scalar("lam", lam, allow_complex=True)
    gamma = check_finite_scalar("gamma", gamma)
    if not _inside_scalar(lam):
        raise ValueError("lam must satisfy |lam| < 1")
    burn = _burn_in(burn_in, abs(lam))
    h, g = sample_states(lam, rho, mu=mu, sigma=sigma, n_chains=n_chains, burn_in=burn, seed=seed)
    eh = estimate(gamma ** 2 * np.abs(h[:, 0]) ** 2)
    eg = estimate(gamma ** 2 * np.abs(g[:, 0]) ** 2)
    return MonteCarloMoments(h2=float(eh.mean), h2_se=float(eh.se), d2=float(eg.mean), d2_se=float(eg.se),
                             n_chains=int(h.shape[0]), burn_in=burn)
