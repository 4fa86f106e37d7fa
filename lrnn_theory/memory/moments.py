"""The curse of memory: moments of a diagonal linear recurrence (theory guide :ref:`memory`).

Zucchet & Orvieto (NeurIPS 2024): for ``h_{t+1} = λ h_t + γ x_{t+1}`` with
stationary inputs of auto-correlation ``ρ^{|Δ|}``, the activity grows like
the memory ``1/(1-λ)`` while its sensitivity to ``λ`` grows like the memory
cubed, although the backward Jacobian ``λ^k`` never explodes.

All second moments derive from the cross-moment generating function (:ref:`memory-moments`)

.. math::

    f(λ_1, λ_2; ρ) = E[h^{(1)} h^{(2)}] = \\frac{1 - ρ^2 λ_1 λ_2}{(1 - λ_1 λ_2)(1 - ρ λ_1)(1 - ρ λ_2)},

its derivative ``∂_{λ_2} f`` and ``S = ∂²f/∂λ_1∂λ_2`` (holomorphic: complex
arguments work unchanged).  Monte-Carlo estimators (numba, many parallel AR(1)
chains) check every closed form.

Precision near the edge of stability: every closed form is evaluated in a
factored, cancellation-free form.  ``1 - λ_1λ_2``, ``1 - ρλ`` and ``1 - |λ|²`` come
from exact (double-double) products (``lrnn_theory.memory._accurate``), and
numerators are sums of terms that do not cancel, so the relative error stays at a
few ulps up to ``|λ| = 1 - 1e-7`` and ``ρ = 1`` (checked against 50-digit mpmath in
``tests/test_memory_precision.py``).  Expanded numerators lose about
``k log10(1/(1-|λ|))`` digits for a quantity diverging like ``(1-|λ|)^{-k}``.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_choice, check_int
from ._accurate import _oma2_complex, one_minus_abs2, one_minus_product

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

#: Reparametrisations of the modulus ``ν`` by a trainable ``ω`` (theory guide :ref:`memory-reparametrisation`).
PARAMETRISATIONS = ("direct", "exp", "tanh")
#: Reparametrisations of the phase ``θ`` by a trainable ``ω_θ`` (theory guide :ref:`memory-reparametrisation`).
PHASE_PARAMETRISATIONS = ("direct", "exp", "nu_scaled")
#: How the input normalisation ``γ`` enters (theory guide :ref:`memory-reparametrisation`): absent (``γ = 1``), ``γ = sqrt(1-|λ|²)`` held fixed
#: (a separate parameter, not differentiated) or ``γ(λ)`` differentiated through.
GAMMA_MODES = ("none", "fixed", "differentiated")


def _inside(lam) -> np.ndarray:
    """Boolean mask of the stationary domain ``|λ| < 1``, decided in the arithmetic of the formulas.

    The closed forms divide by ``1 - |λ|²`` formed from exact products
    (:func:`~lrnn_theory.memory._accurate.one_minus_abs2`, bit for bit the real part of
    ``one_minus_product(λ, λ̄)``), and the polar forms use the rounded modulus ``np.abs(λ)``.
    A point is inside only when both say so: ``np.abs(λ) < 1`` and the accurate
    ``1 - |λ|² > 0``.  (``np.abs`` alone rounds some points with ``|λ|² = 1 + 7e-19`` to
    ``1 - 1.1e-16``; the accurate difference alone keeps points whose modulus rounds to 1.)
    """
    lam = np.asarray(lam)
    with np.errstate(invalid="ignore", over="ignore"):
        return (np.abs(lam) < 1) & (one_minus_abs2(lam) > 0)


def _inside_scalar(z) -> bool:
    """:func:`_inside` for one Python float or complex, at scalar cost (the optimisation loops)."""
    if not np.abs(z) < 1:  # np.abs, as the formulas (Python's abs rounds some moduli differently)
        return False
    return not isinstance(z, complex) or _oma2_complex(z.real, z.imag) > 0


def _lam(name, lam):
    lam = np.asarray(as_float_array(name, lam, allow_complex=True))
    if not np.all(_inside(lam)):
        raise ValueError(f"{name} must satisfy |{name}| < 1 for stationary moments (the recurrence diverges "
                         f"otherwise): both np.abs({name}) < 1 and 1 - |{name}|², from exact products, > 0")
    return lam


def _rho(rho):
    rho = as_float_array("rho", rho)
    if np.any((rho < 0) | (rho > 1)):
        raise ValueError(f"rho must lie in [0, 1], got {rho!r}")
    return rho


def _kernel_parts(l1, l2, r):
    """``(w, a, b, c, n)``: ``w = 1 - λ_1λ_2``, ``a = 1 - ρλ_1``, ``b = 1 - ρλ_2`` from exact products,
    ``c = 1 - ρ²`` and ``n = 1 - ρ²λ_1λ_2 = c + ρ² w`` (two terms with non-negative real parts)."""
    w = one_minus_product(l1, l2)
    a = one_minus_product(r, l1)
    b = one_minus_product(r, l2)
    c = (1 - r) * (1 + r)
    return w, a, b, c, c + r * r * w


def cross_moment(lam1, lam2, rho=0.0) -> np.ndarray:
    """Cross-moment generating function ``f(λ_1, λ_2; ρ) = E[h^{(1)} h^{(2)}]`` (Zucchet & Orvieto, 2024, Sec. 3).

    ``f = Σ_{k,l>=0} λ_1^k λ_2^l ρ^{|k-l|} = (1 - ρ²λ_1λ_2)/((1 - λ_1λ_2)(1 - ρλ_1)(1 - ρλ_2))``
    for two recurrences driven by the same input (``γ = 1, μ = 0, σ = 1``); holomorphic in
    each ``λ``.

    Evaluation is cancellation-free: ``1 - λ_1λ_2`` and ``1 - ρλ`` come from exact
    (double-double) products, and the numerator is ``(1-ρ)(1+ρ) + ρ²(1 - λ_1λ_2)``, two
    terms with non-negative real parts.  The relative error stays at a few ulps up to
    ``|λ| = 1 - 1e-7``, ``ρ = 1``.

    Parameters
    ----------
    lam1, lam2 : array_like, real or complex, ``|λ| < 1``
        Broadcast together.
    rho : float or array_like in [0, 1]

    Returns
    -------
    ndarray
        Broadcast shape; real for real arguments, complex otherwise.

    Examples
    --------
    >>> from lrnn_theory.memory import cross_moment
    >>> float(cross_moment(0.5, 0.5))  # 1/(1-λ²) for white inputs
    1.3333333333333333
    """
    l1, l2, r = _lam("lam1", lam1), _lam("lam2", lam2), _rho(rho)
    w, a, b, _, n = _kernel_parts(l1, l2, r)
    return n / (w * a * b)


def cross_moment_dlam2(lam1, lam2, rho=0.0) -> np.ndarray:
    """``∂f/∂λ_2`` (Zucchet & Orvieto, 2024, Sec. 3): ``E[h ∂_λ h]`` at ``λ_1 = λ_2 = λ``, ``E[h̄ ∂_λ h]`` at ``(λ̄, λ)``.

    Evaluated in the factored form

    ``∂f/∂λ_2 = (λ_1 (1-ρ²)(1-ρλ_2) + ρ w (1-ρ²λ_1λ_2)) / ((1-ρλ_1)(1-ρλ_2)² w²)``, ``w = 1-λ_1λ_2``,

    whose two numerator terms are both positive for real positive arguments (and do not
    cancel at leading order for ``λ → -1``); the factors are those of :func:`cross_moment`,
    so the evaluation is cancellation-free.  Shapes as :func:`cross_moment`.

    Examples
    --------
    >>> from lrnn_theory.memory import cross_moment_dlam2
    >>> float(cross_moment_dlam2(0.5, 0.5))  # λ/(1-λ²)² for white inputs
    0.8888888888888888
    """
    l1, l2, r = _lam("lam1", lam1), _lam("lam2", lam2), _rho(rho)
    w, a, b, c, n = _kernel_parts(l1, l2, r)
    return (l1 * c * b + r * w * n) / (a * b * b * w * w)


def sensitivity_kernel(lam1, lam2, rho=0.0) -> np.ndarray:
    """``S(λ_1, λ_2; ρ) = ∂²f/∂λ_1∂λ_2 = E[∂_{λ_1}h^{(1)} ∂_{λ_2}h^{(2)}]`` (Zucchet & Orvieto, 2024, Sec. 3).

    Splitting ``f = (1-ρ²)/(w a b) + ρ²/(a b)`` (``w = 1-λ_1λ_2``, ``a = 1-ρλ_1``, ``b = 1-ρλ_2``)
    and differentiating each part gives the factored form

    ``S = [(1-ρ²)((λ_1 b + ρw)(λ_2 a + ρw) + a b)/w³ + ρ⁴] / (a² b²)``,

    with the bracket evaluated as ``ab(1 + λ_1λ_2) + ρw(λ_1 b + λ_2 a + ρw)``.  For real
    ``λ_1 = λ_2`` and for conjugate pairs ``λ_2 = λ̄_1`` (the moments ``E|∂_λ h|²``) the
    terms are non-negative up to an ``O(w)`` correction, and ``w``, ``a``, ``b``, ``1 + λ_1λ_2``
    come from exact products, so the evaluation is cancellation-free: a few ulps up to ``|λ| = 1 - 1e-7``,
    ``ρ = 1 - 1e-6`` and ``ρ = 1``, any phase (the expanded-numerator form lost about
    ``3 log10(1/(1-|λ|))`` digits).  Shapes as :func:`cross_moment`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import sensitivity_kernel
    >>> x = 0.9
    >>> bool(np.isclose(sensitivity_kernel(x, x), (1 + x**2) / (1 - x**2) ** 3, rtol=1e-14))
    True
    """
    l1, l2, r = _lam("lam1", lam1), _lam("lam2", lam2), _rho(rho)
    w, a, b, c, _ = _kernel_parts(l1, l2, r)
    ab = a * b
    r2 = r * r
    one_plus_p = one_minus_product(-l1, l2)  # 1 + λ_1λ_2 from exact products (λ_1λ_2 → -1 is not singular)
    x = ab * one_plus_p + r * w * (l1 * b + l2 * a + r * w)  # = (λ_1 b + ρw)(λ_2 a + ρw) + ab
    return (c * x / (w * w * w) + r2 * r2) / (ab * ab)


def _nonneg_array(name, value):
    arr = as_float_array(name, value)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return arr


def stationary_moments(lam, rho=0.0, gamma=1.0, mu=0.0, sigma=1.0) -> tuple[np.ndarray, np.ndarray]:
    """Stationary ``(E|γh|², E|γ ∂_λ h|²)`` of ``h_{t+1} = λ h_t + γ x_{t+1}`` (Zucchet & Orvieto, 2024, Sec. 3).

    For inputs of mean ``μ``, standard deviation ``σ`` and auto-correlation ``ρ^{|Δ|}``:

    ``E|h|² = σ² f(λ, λ̄) + μ²/|1-λ|²``,  ``E|∂_λ h|² = σ² S(λ, λ̄) + μ²/|1-λ|⁴``,

    both times ``γ²`` (``γ`` held fixed, not differentiated).  For real ``λ`` these are the
    closed forms ``(1+ρλ)/((1-λ²)(1-ρλ))`` etc.; complex ``λ`` (with or without an imaginary
    part) uses the same formulas.  Cancellation-free (see :func:`sensitivity_kernel`).

    Parameters
    ----------
    lam : array_like, real or complex, ``|λ| < 1``
    rho : float or array_like in [0, 1]
    gamma, mu : float or array_like, real
    sigma : float or array_like, >= 0
        All arguments broadcast together.

    Returns
    -------
    h2, d2 : ndarray, float, broadcast shape

    Raises
    ------
    ValueError
        ``|λ| >= 1`` (no stationary law), ``ρ ∉ [0, 1]`` or ``σ < 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import normalisation, stationary_moments
    >>> lam = np.array([0.9, 0.99])
    >>> h2, d2 = stationary_moments(lam, gamma=normalisation(lam))  # γ = sqrt(1-λ²): E[h²] = 1
    >>> np.allclose(h2, 1.0)
    True
    """
    lam = _lam("lam", lam)
    rho = _rho(rho)
    gamma = as_float_array("gamma", gamma)
    mu = as_float_array("mu", mu)
    sigma = _nonneg_array("sigma", sigma)
    lb = np.conj(lam)
    h2 = np.real(cross_moment(lam, lb, rho))
    d2 = np.real(sensitivity_kernel(lam, lb, rho))
    m = np.abs(1 - lam) ** 2
    s2, mu2, g2 = sigma ** 2, mu ** 2, gamma ** 2
    return g2 * (s2 * h2 + mu2 / m), g2 * (s2 * d2 + mu2 / (m * m))


#: Terms of the finite-time sums evaluated at once (bounds the temporaries of :func:`finite_time_moments`).
_TERMS_PER_BLOCK = 2 ** 20


def finite_time_moments(lam, t: int) -> tuple[np.ndarray, np.ndarray]:
    """``(E[h_t²], E[(∂_λ h_t)²])`` from ``h_0 = 0`` with white inputs (:ref:`memory-moments`, finite time).

    ``E[h_t²] = (1 - q^t)/(1 - q)``, ``E[(∂_λ h_t)²] = Σ_{k=1}^{t-1} k² q^{k-1}``, ``q = λ²``
    (any real ``λ``, including ``|λ| >= 1``; evaluated as sums, exact at ``q = 1``).
    Unit input variance and ``γ = 1``; as ``t → ∞`` with ``|λ| < 1`` they tend to
    :func:`stationary_moments` (Zucchet & Orvieto, 2024, Sec. 3).

    Parameters
    ----------
    lam : array_like, real
        Recurrent coefficients (any shape).
    t : int >= 1
        Number of inputs received (``h_t`` after ``t`` steps from ``h_0 = 0``).

    Returns
    -------
    h2, d2 : ndarray, shape of ``lam``
        ``E[h_t²]`` and ``E[(∂_λ h_t)²]``.

    Raises
    ------
    TypeError
        ``lam`` not real numbers, or ``t`` not an integer.
    ValueError
        ``lam`` not finite, ``t < 1``, or moments beyond the float64 range (``|λ| > 1``, large ``t``).

    Examples
    --------
    >>> from lrnn_theory.memory import finite_time_moments
    >>> h2, d2 = finite_time_moments(0.5, 3)  # 1 + λ² + λ⁴ and 1 + 4λ²
    >>> float(h2), float(d2)
    (1.3125, 2.0)
    >>> h2, d2 = finite_time_moments(1.0, 4)  # at |λ| = 1: t and Σ k² = 1 + 4 + 9
    >>> float(h2), float(d2)
    (4.0, 14.0)
    """
    lam = as_float_array("lam", lam)
    t = check_int("t", t, minimum=1)
    q = lam ** 2
    with np.errstate(over="ignore", invalid="ignore"):
        if t <= _TERMS_PER_BLOCK:
            k = np.arange(t, dtype=float)
            kk = np.arange(1, t, dtype=float)
            h2 = np.sum(q[..., None] ** k, axis=-1)
            d2 = np.sum(kk ** 2 * q[..., None] ** (kk - 1), axis=-1) if t > 1 else np.zeros_like(q)
        else:  # blocks of terms: temporaries of lam.size x 2^20, not lam.size x t
            h2, d2 = np.zeros_like(q), np.zeros_like(q)
            for start in range(0, t, _TERMS_PER_BLOCK):
                k = np.arange(start, min(t, start + _TERMS_PER_BLOCK), dtype=float)
                h2 = h2 + np.sum(q[..., None] ** k, axis=-1)
                kk = k[k >= 1]
                d2 = d2 + np.sum(kk ** 2 * q[..., None] ** (kk - 1), axis=-1)
    if not (np.all(np.isfinite(h2)) and np.all(np.isfinite(d2))):
        raise ValueError(f"lam and t: the moments overflow float64 (|lam|^(2t) too large, t = {t}, max |lam| = "
                         f"{float(np.max(np.abs(lam)))!r})")
    return h2, d2




def normalisation(lam) -> np.ndarray:
    """Input normalisation ``γ(λ) = sqrt(1 - |λ|²)`` (Zucchet & Orvieto, 2024, Sec. 3; the LRU choice).

    Exact for white inputs (``E|γh|² = 1``).  ``1 - |λ|²`` is formed from exact squares,
    so the result is accurate to an ulp even at ``|λ| = 1 - 1e-7`` with a complex phase.

    Parameters
    ----------
    lam : array_like, real or complex, ``|λ| < 1``

    Returns
    -------
    ndarray, float, shape of ``lam``

    Examples
    --------
    >>> from lrnn_theory.memory import normalisation
    >>> float(normalisation(0.6))
    0.8
    """
    lam = _lam("lam", lam)
    return np.sqrt(one_minus_abs2(lam))


def _positive_modulus(name, nu, parametrisation):
    if np.any((nu <= 0) | (nu >= 1)):
        raise ValueError(f"{name} must have a modulus in (0, 1) for the {parametrisation!r} parametrisation")


def dnu_domega(nu, parametrisation: str = "direct") -> np.ndarray:
    """``dν/dω`` for the modulus parametrisations (Zucchet & Orvieto, 2024, Sec. 3).

    ``"direct"``: ``ν = ω`` (1); ``"exp"`` (LRU): ``ν = exp(-e^ω)`` (``ν log ν``);
    ``"tanh"``: ``ν = tanh ω`` (``1 - ν² = (1-ν)(1+ν)``, cancellation-free).
    ``ν`` must lie in the range of the map: any real for ``"direct"``, ``(0, 1)`` for
    ``"exp"``, ``(-1, 1)`` for ``"tanh"``.

    Parameters
    ----------
    nu : array_like, real
    parametrisation : {"direct", "exp", "tanh"}

    Returns
    -------
    ndarray, shape of ``nu``

    Raises
    ------
    ValueError
        Unknown ``parametrisation``, non-finite ``nu``, or ``nu`` outside the range of the map.

    Examples
    --------
    >>> from lrnn_theory.memory import dnu_domega
    >>> float(dnu_domega(0.5, "tanh"))
    0.75
    """
    nu = as_float_array("nu", nu)
    parametrisation = check_choice("parametrisation", parametrisation, PARAMETRISATIONS)
    if parametrisation == "direct":
        return np.ones_like(nu)
    if parametrisation == "exp":
        _positive_modulus("nu", nu, parametrisation)
        return nu * np.log(nu)
    if np.any(np.abs(nu) >= 1):
        raise ValueError("nu must lie in (-1, 1) for the 'tanh' parametrisation (ν = tanh ω)")
    return (1 - nu) * (1 + nu)


def _nu_scale(w, nu):
    """``(1-ν²)/(ν sqrt(1+ν²))`` from ``w = 1-ν²``."""
    return w / (nu * np.sqrt(1 + nu * nu))


def dtheta_domega(nu, theta, parametrisation: str = "direct") -> np.ndarray:
    """``dθ/dω_θ`` for the phase parametrisations (Zucchet & Orvieto, 2024, Sec. 3).

    ``"direct"``: ``θ = ω_θ`` (1); ``"exp"``: ``θ = e^{ω_θ}`` (``θ``; requires ``θ > 0``, as
    :class:`~lrnn_theory.memory.Parametrisation` does); ``"nu_scaled"``:
    ``θ = (1-ν²)/(ν sqrt(1+ν²)) · ω_θ`` (the factor itself, with ``1-ν² = (1-ν)(1+ν)``).

    Parameters
    ----------
    nu, theta : array_like, real
        Broadcast together.
    parametrisation : {"direct", "exp", "nu_scaled"}

    Returns
    -------
    ndarray, broadcast shape

    Examples
    --------
    >>> from lrnn_theory.memory import dtheta_domega
    >>> float(dtheta_domega(0.5, 0.3, "exp"))
    0.3
    """
    nu, theta = np.broadcast_arrays(as_float_array("nu", nu), as_float_array("theta", theta))
    parametrisation = check_choice("parametrisation", parametrisation, PHASE_PARAMETRISATIONS)
    if parametrisation == "direct":
        return np.ones_like(nu)
    if parametrisation == "exp":
        if np.any(theta <= 0):
            raise ValueError("theta must be > 0 for the 'exp' phase parametrisation (θ = e^{ω_θ} is positive)")
        return theta.astype(float, copy=True)
    _positive_modulus("nu", nu, parametrisation)
    return _nu_scale((1 - nu) * (1 + nu), nu)


def _polar(lam):
    """``(λ complex, ν = |λ|, w = 1 - ν²)`` with ``w`` from exact squares."""
    lam_c = lam.astype(complex)
    return lam_c, np.abs(lam_c), one_minus_abs2(lam_c)


def modulus_sensitivity(lam, rho=0.0, parametrisation: str = "direct", gamma: str = "none", *,
                        dtheta_dnu=0.0) -> np.ndarray:
    """Stationary ``E|∂_ω (γh)|²`` for the modulus ``ν = |λ|`` parametrised by ``ω`` (Zucchet & Orvieto, 2024, Sec. 3).

    The derivative is taken along ``λ = ν e^{iθ}`` **with the phase θ held fixed** by default.
    Then ``∂_ν(γh) = γ'(ν) h + γ e^{iθ} ∂_λ h`` and

    ``E|∂_ν(γh)|² = γ'² f(λ, λ̄) + γ² S(λ, λ̄) + 2γγ' Re(e^{iθ} ∂_{λ_2} f(λ̄, λ))``

    times ``(dν/dω)²``, with ``γ' = 0`` unless ``gamma="differentiated"``.  For
    ``γ = sqrt(1-ν²)`` differentiated the three terms collapse to ``f(λ, λ̄)/(1-ν²)`` (and
    to ``S`` or ``(1-ν²) S`` otherwise), which is how it is evaluated: cancellation-free,
    accurate to a few ulps up to ``ν = 1 - 1e-7``.  Limits as ``ν → 1``: ``γ`` fixed + exp,
    ``ρ = 0``: 1/2; ``ρ = 0.9``: 19/2; ``γ`` fixed + tanh, ``ρ = 0``: exactly ``1 + ν²``;
    ``γ`` differentiated + tanh: exactly 1.

    **When the phase moves with ν** (the ``"nu_scaled"`` phase ``θ = s(ν) ω_θ``,
    ``s(ν) = (1-ν²)/(ν sqrt(1+ν²))``, at fixed ``ω_θ``), pass the total derivative
    ``dtheta_dnu = dθ/dν = θ s'(ν)/s(ν) = -θ (2ν/(1-ν²) + 1/ν + ν/(1+ν²))``.  The sensitivity
    becomes ``E|∂_ν(γh) + θ'(ν) ∂_θ(γh)|² (dν/dω)²`` with ``∂_θ h = iλ ∂_λ h``, i.e. it adds
    ``θ'² ν² γ² S - 2γγ'θ' Im(λ ∂_{λ_2} f(λ̄, λ))`` (``γγ' = -ν`` when differentiated); at a teacher optimum this is the
    curvature of the loss in ``ω_ν`` (compare
    :func:`~lrnn_theory.memory.omega_curvature` with ``axis=0``).

    Parameters
    ----------
    lam : array_like, real or complex, ``|λ| < 1``
    rho : float in [0, 1]
        Input auto-correlation.
    parametrisation : {"direct", "exp", "tanh"}
    gamma : {"none", "fixed", "differentiated"}
    dtheta_dnu : float or array_like, real
        ``dθ/dν`` along the trained path (0: phase held fixed).  Broadcast with ``lam``.

    Returns
    -------
    ndarray, float, broadcast shape

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import modulus_sensitivity
    >>> float(modulus_sensitivity(0.9, 0.0, "tanh", "differentiated"))
    1.0
    >>> lam = 0.9 * np.exp(0.05j)  # ν-scaled phase θ = s(ν) ω_θ: dθ/dν = θ s'(ν)/s(ν)
    >>> nu, theta = abs(lam), np.angle(lam)
    >>> tp = -theta * (2 * nu / (1 - nu**2) + 1 / nu + nu / (1 + nu**2))
    >>> h_nu = modulus_sensitivity(lam, 0.0, "exp", "differentiated", dtheta_dnu=tp)
    >>> bool(h_nu > modulus_sensitivity(lam, 0.0, "exp", "differentiated"))
    True
    """
    lam = _lam("lam", lam)
    r = _rho(rho)
    parametrisation = check_choice("parametrisation", parametrisation, PARAMETRISATIONS)
    gamma = check_choice("gamma", gamma, GAMMA_MODES)
    tp = as_float_array("dtheta_dnu", dtheta_dnu)
    lam_c, nu, w = _polar(lam)
    if parametrisation == "exp":
        _positive_modulus("lam", nu, parametrisation)
        dnu = nu * 0.5 * np.log1p(-w)  # ν log ν with log ν = ½ log(1 - w): accurate when |λ| is not a float
    else:
        dnu = np.ones_like(nu) if parametrisation == "direct" else w
    lb = np.conj(lam_c)
    s = np.real(sensitivity_kernel(lam_c, lb, r))
    g2 = np.ones_like(w) if gamma == "none" else w
    if gamma == "differentiated":
        base = np.real(cross_moment(lam_c, lb, r)) / w
    else:
        base = g2 * s
    out = base + tp ** 2 * nu ** 2 * g2 * s
    if gamma == "differentiated" and np.any(tp != 0):
        b = one_minus_product(r, lam_c)
        out = out + 2 * tp * nu * r * np.imag(lam_c / (b * b)) / w  # 2θ'ν Im(λ ∂_{λ_2}f(λ̄, λ)), γγ' = -ν
    return out * dnu ** 2


def phase_sensitivity(lam, rho=0.0, parametrisation: str = "direct", gamma: str = "none") -> np.ndarray:
    """Stationary ``E|∂_{ω_θ}(γ h)|² = γ² ν² S(λ, λ̄) (dθ/dω_θ)²`` (Zucchet & Orvieto, 2024, Sec. 3).

    ``∂_θ h = iλ ∂_λ h`` and ``γ`` depends on ``ν`` only, so ``"fixed"`` and
    ``"differentiated"`` coincide here.  For ``ρ = 0`` and ``γ`` fixed:
    direct ``ν²(1+ν²)/(1-ν²)²`` (diverges), ``"nu_scaled"`` exactly 1.  ``γ² = 1-ν²`` comes from
    exact squares: cancellation-free up to ``ν = 1 - 1e-7``.

    Parameters
    ----------
    lam : array_like, real or complex, ``|λ| < 1``
        For ``"exp"`` the phase must be in ``(0, π]`` (``θ = e^{ω_θ} > 0``), as
        :class:`~lrnn_theory.memory.Parametrisation` requires.
    rho : float in [0, 1]
    parametrisation : {"direct", "exp", "nu_scaled"}
    gamma : {"none", "fixed", "differentiated"}

    Returns
    -------
    ndarray, float, shape of ``lam``

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import phase_sensitivity
    >>> round(float(phase_sensitivity(0.9 * np.exp(0.3j), 0.0, "nu_scaled", "fixed")), 12)
    1.0
    """
    lam = _lam("lam", lam)
    r = _rho(rho)
    parametrisation = check_choice("parametrisation", parametrisation, PHASE_PARAMETRISATIONS)
    gamma = check_choice("gamma", gamma, GAMMA_MODES)
    lam_c, nu, w = _polar(lam)
    theta = np.angle(lam_c)
    if parametrisation == "exp" and np.any(theta <= 0):
        raise ValueError("lam must have a phase in (0, π] for the 'exp' phase parametrisation (θ = e^{ω_θ} > 0)")
    if parametrisation == "nu_scaled":
        _positive_modulus("lam", nu, parametrisation)
    s = np.real(sensitivity_kernel(lam_c, np.conj(lam_c), r))
    g2 = np.ones_like(nu) if gamma == "none" else w
    if parametrisation == "direct":
        dth = np.ones_like(nu)
    elif parametrisation == "exp":
        dth = theta
    else:
        dth = _nu_scale(w, nu)
    return g2 * np.abs(lam_c) ** 2 * s * dth ** 2
