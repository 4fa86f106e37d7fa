"""Linear teacher–student problems for diagonal recurrences (theory guide :ref:`memory-teacher-student`, :ref:`memory-multidim`; Zucchet & Orvieto (2024)).

One-dimensional: a student ``h_{t+1} = λ h_t + x_{t+1}`` learns a teacher's
``λ*`` from the same inputs; the stationary loss, its gradient in the modulus and
phase, its curvature at the optimum in any reparametrisation (:ref:`memory-reparametrisation`) and the
Monte-Carlo check.  Multi-dimensional: the Gauss–Newton Hessian of a
complex-diagonal student at the optimum, built from the sensitivity kernel
``S`` (:ref:`memory-multidim`), and its Monte-Carlo counterpart.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_choice, check_finite_scalar, check_int, check_positive_float, check_seed
from ._accurate import _oma2_complex, _omp_complex
from .moments import PARAMETRISATIONS, _lam, _rho, dnu_domega, sensitivity_kernel
from .montecarlo import MonteCarloEstimate, estimate, sample_states

__all__ = [
    "diagonal_hessian",
    "monte_carlo_gauss_newton",
    "teacher_student_curvature",
    "teacher_student_gradient",
    "teacher_student_loss",
]


def teacher_student_loss(lam, lam_star, *, mu=0.0, sigma=1.0, normalised: bool = False) -> np.ndarray:
    """Stationary teacher–student loss ``L = ½ E|h - h*|²`` for one recurrent unit (Zucchet & Orvieto, 2024, Sec. 4).

    Unnormalised: ``½[μ²|1/(1-λ) - 1/(1-λ*)|² + σ²(1/(1-|λ|²) + 1/(1-|λ*|²) - 2 Re 1/(1-λ λ̄*))]``.
    Normalised on both sides (``γ = sqrt(1-|·|²)``, ``μ = 0``, ``σ = 1``):
    ``L = 1 - Re γ(λ)γ(λ*)/(1 - λ λ̄*)``.

    Both are evaluated in cancellation-free factored forms, with ``c = 1 - λλ̄*`` from exact
    products and ``|c|² - (1-|λ|²)(1-|λ*|²) = |λ-λ*|²``:

    * ``1/(1-|λ|²) + 1/(1-|λ*|²) - 2 Re 1/c = |λ-λ*|² (1 - |λ|²|λ*|²)/((1-|λ|²)(1-|λ*|²)|c|²)``,
      and the mean term is ``μ²|λ-λ*|²/(|1-λ|²|1-λ*|²)``;
    * ``L_γ = |λ-λ*|²/(|c|(|c| + γγ*)) + γγ*(Im c)²/(|c|²(|c| + Re c))``,

    sums of non-negative terms, so the loss keeps its relative accuracy both near the unit
    circle and near the optimum (where the textbook forms subtract nearly equal numbers).

    Parameters
    ----------
    lam, lam_star : array_like, real or complex, ``|λ| < 1``
        Broadcast together.
    mu, sigma : float
        Input mean and standard deviation (unnormalised loss only).
    normalised : bool

    Returns
    -------
    ndarray, float, broadcast shape

    Examples
    --------
    >>> from lrnn_theory.memory import teacher_student_loss
    >>> float(teacher_student_loss(0.5, 0.5))
    0.0
    """
    lam = _lam("lam", lam)
    ls = _lam("lam_star", lam_star)
    mu = check_finite_scalar("mu", mu)
    sigma = check_positive_float("sigma", sigma, allow_zero=True)
    if normalised and (mu != 0 or sigma != 1):
        raise ValueError("normalised loss is defined for mu = 0, sigma = 1")
    lc, sc = lam.astype(complex), ls.astype(complex)
    loss, d2 = _loss_core(lc.real, lc.imag, sc.real, sc.imag, np.iscomplexobj(lam), np.iscomplexobj(ls), sigma, normalised)
    if normalised:
        return loss
    mean = mu ** 2 * d2 / (np.abs(1 - lam) ** 2 * np.abs(1 - ls) ** 2)
    return 0.5 * (mean + loss)


def _cabs(re, im):
    """``|re + i im|`` exactly as ``np.abs`` of the complex value computes it (arrays or floats)."""
    return np.abs(re + 1j * im)


def _one_minus_abs2(re, im, is_complex):
    return _oma2_complex(re, im) if is_complex else (1 - np.abs(re)) * (1 + np.abs(re))


def _loss_core(lr, li, sr, si, lam_complex, ls_complex, sigma, normalised):
    """Loss terms from real and imaginary parts (arrays or plain floats, no checks).

    Normalised: ``(L_γ, d2)``; otherwise ``(σ²·variance term, d2)`` with ``d2 = |λ-λ*|²``.
    Shared by :func:`teacher_student_loss` and the per-step path of :func:`~lrnn_theory.memory.train_lambda`,
    which calls it with floats and gets the same floating-point operations, hence the same numbers.
    """
    d = _cabs(lr - sr, li - si)
    d2 = d * d  # products, not ``** 2`` (see _re_inverse)
    re, im = _omp_complex(lr, li, sr, -si)  # c = 1 - λ conj(λ*)
    wa, wb = _one_minus_abs2(lr, li, lam_complex), _one_minus_abs2(sr, si, ls_complex)
    if normalised:
        ac = _cabs(re, im)
        gg = np.sqrt(wa * wb)
        return d2 / (ac * (ac + gg)) + gg * (im * im) / ((ac * ac) * (ac + re)), d2
    ac, al = _cabs(re, im), _cabs(lr, li)
    return (sigma * sigma) * d2 * (wa + (al * al) * wb) / (wa * wb * (ac * ac)), d2  # 1 - |λ|²|λ*|² = wa + |λ|² wb


def _unchecked_loss_and_gradient(lam_star, normalised: bool):
    """``(loss(λ), gradient(λ))`` for one fixed teacher, ``μ = 0``, ``σ = 1``, on plain Python scalars.

    No argument checks (the caller validates ``λ*`` once and keeps ``|λ| < 1``); the same
    floating-point operations as :func:`teacher_student_loss` and :func:`teacher_student_gradient`,
    so the same numbers, at a fraction of their per-call cost.  Used by the optimisation loop of
    :func:`~lrnn_theory.memory.train_lambda`.
    """
    ls = complex(lam_star)
    ls_complex = isinstance(lam_star, complex)

    def loss(lam) -> float:
        lc = complex(lam)
        value, _ = _loss_core(lc.real, lc.imag, ls.real, ls.imag, isinstance(lam, complex), ls_complex, 1.0, normalised)
        return float(value if normalised else 0.5 * (0.0 + value))

    def gradient(lam) -> tuple[float, float]:
        lc = complex(lam)
        d_nu, d_theta = _gradient_core(lc.real, lc.imag, ls.real, ls.imag, 1.0, normalised)
        return float(d_nu), float(d_theta)

    return loss, gradient


def teacher_student_curvature(lam_star, parametrisation: str = "direct", *, normalised: bool = False, sigma=1.0) -> np.ndarray:
    """Curvature of the teacher–student loss at the optimum in the trainable parameter (Zucchet & Orvieto, 2024, Sec. 4).

    ``∂²L/∂ω²|* = L''(λ*) (dν/dω)²`` (the gradient vanishes there), with
    ``L''(λ*) = σ²(1+λ*²)/(1-λ*²)³`` (unnormalised, real λ, μ = 0) or
    ``1/(1-λ*²)²`` (normalised on both sides, which requires ``σ = 1``).  ``1-λ*² =
    (1-λ*)(1+λ*)`` keeps the evaluation cancellation-free up to ``λ* = 1 - 1e-7``.
    Examples: direct, unnormalised, 509.5 at λ* = 0.92; normalised + exp: 0.1786 / 0.2494 /
    0.2500 at λ* = 0.36 / 0.92 / 0.99; normalised + tanh: exactly 1.  Plain GD is stable
    only for ``η < 2/H*``.

    Parameters
    ----------
    lam_star : array_like, real, ``|λ*| < 1`` (``> 0`` for ``"exp"`` and ``"tanh"``)
    parametrisation : {"direct", "exp", "tanh"}
    normalised : bool
    sigma : float > 0
        Input standard deviation; must be 1 when ``normalised`` (as for the loss).

    Returns
    -------
    ndarray, shape of ``lam_star``

    Examples
    --------
    >>> from lrnn_theory.memory import teacher_student_curvature
    >>> round(float(teacher_student_curvature(0.92)), 1)
    509.5
    """
    ls = _lam("lam_star", lam_star)
    if np.iscomplexobj(ls):
        raise TypeError("lam_star must be real (the modulus curvature); use sensitivity_kernel for complex λ")
    parametrisation = check_choice("parametrisation", parametrisation, PARAMETRISATIONS)
    sigma = check_positive_float("sigma", sigma)
    if normalised and sigma != 1:
        raise ValueError(f"sigma must be 1 for the normalised loss (normalised=True), got {sigma!r}")
    if parametrisation != "direct" and np.any(ls <= 0):
        raise ValueError("lam_star must be in (0, 1) for the exp and tanh parametrisations of the modulus")
    w = (1 - ls) * (1 + ls)
    second = 1 / w ** 2 if normalised else sigma ** 2 * (1 + ls * ls) / w ** 3
    return second * dnu_domega(ls, parametrisation) ** 2


def _re_inverse(r, phi):
    """``R = Re 1/(1 - r e^{iφ})`` and its partial derivatives in ``r`` and ``φ``."""
    c, s = np.cos(phi), np.sin(phi)
    n, d = 1 - r * c, 1 - 2 * r * c + r * r
    d2 = d * d  # products, not ``** 2``: NumPy scalars raise to powers with pow(), arrays square exactly
    return n / d, (-c * d - n * (2 * r - 2 * c)) / d2, r * s * (r * r - 1) / d2


def _gradient_core(lr, li, sr, si, sigma, normalised):
    """``(∂L/∂ν, ∂L/∂θ)`` without the input-mean term, from real and imaginary parts (arrays or floats,
    no checks); shared by :func:`teacher_student_gradient` and :func:`~lrnn_theory.memory.train_lambda`."""
    nu, theta = _cabs(lr, li), np.arctan2(li, lr)
    nus, thetas = _cabs(sr, si), np.arctan2(si, sr)
    R, dR_dr, dR_dphi = _re_inverse(nu * nus, theta - thetas)
    if normalised:
        g, gs = np.sqrt(1 - nu * nu), np.sqrt(1 - nus * nus)
        return -gs * (-nu / g * R + g * nus * dR_dr), -g * gs * dR_dphi
    w = 1 - nu * nu
    return sigma * sigma * (nu / (w * w) - nus * dR_dr), -(sigma * sigma) * dR_dphi


def teacher_student_gradient(lam, lam_star, *, mu=0.0, sigma=1.0, normalised: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Gradient ``(∂L/∂ν, ∂L/∂θ)`` of :func:`teacher_student_loss` in polar coordinates ``λ = ν e^{iθ}`` (:ref:`memory-teacher-student`).

    With ``z = λ λ̄* = r e^{iφ}`` and ``R = Re 1/(1-z) = (1 - r cos φ)/(1 - 2r cos φ + r²)``:
    unnormalised ``L = ½[σ²(1/(1-ν²) + 1/(1-ν*²) - 2R) + μ²|1/(1-λ) - 1/(1-λ*)|²]``,
    normalised ``L = 1 - γ(ν)γ(ν*) R``; both differentiated in closed form.  For a
    real ``λ >= 0``, ``∂L/∂ν`` is the derivative in ``λ`` itself (Zucchet & Orvieto, 2024, Sec. 4).

    Parameters
    ----------
    lam, lam_star : array_like, real or complex, ``|λ| < 1``
        Student and teacher eigenvalues, broadcast together.
    mu, sigma : float
        Input mean and standard deviation (unnormalised loss only).
    normalised : bool
        Differentiate the normalised loss ``L_γ`` (requires ``μ = 0``, ``σ = 1``).

    Returns
    -------
    d_nu, d_theta : ndarray, float, broadcast shape
        ``∂L/∂ν`` and ``∂L/∂θ``.

    Raises
    ------
    TypeError
        Non-numeric ``lam``, ``lam_star``, ``mu`` or ``sigma``.
    ValueError
        ``|λ| >= 1`` or ``|λ*| >= 1``, ``σ < 0``, or ``normalised`` with ``μ ≠ 0`` or ``σ ≠ 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import teacher_student_gradient, teacher_student_loss
    >>> d_nu, d_theta = teacher_student_gradient(0.3, 0.5)
    >>> h = 1e-6  # central difference of the loss in λ
    >>> fd = (teacher_student_loss(0.3 + h, 0.5) - teacher_student_loss(0.3 - h, 0.5)) / (2 * h)
    >>> bool(np.isclose(d_nu, fd, rtol=1e-8)), float(d_theta)
    (True, 0.0)
    """
    lam = _lam("lam", lam).astype(complex)
    ls = _lam("lam_star", lam_star).astype(complex)
    mu = check_finite_scalar("mu", mu)
    sigma = check_positive_float("sigma", sigma, allow_zero=True)
    if normalised and (mu != 0 or sigma != 1):
        raise ValueError("normalised loss is defined for mu = 0, sigma = 1")
    d_nu, d_theta = _gradient_core(lam.real, lam.imag, ls.real, ls.imag, sigma, normalised)
    if normalised:
        return d_nu, d_theta
    if mu != 0:
        theta = np.angle(lam)
        u = 1 / (1 - lam) - 1 / (1 - ls)
        du = 1 / (1 - lam) ** 2
        d_nu = d_nu + mu ** 2 * np.real(np.conj(u) * np.exp(1j * theta) * du)
        d_theta = d_theta + mu ** 2 * np.real(np.conj(u) * 1j * lam * du)
    return d_nu, d_theta


def _complex_vector(name, value, n=None):
    v = np.atleast_1d(as_float_array(name, value, allow_complex=True)).astype(complex)
    if v.ndim != 1 or (n is not None and v.size != n):
        raise ValueError(f"{name} must be 1-D" + (f" of length {n}" if n is not None else "") + f", got shape {v.shape}")
    return v


def _gn_blocks(Amat, Bmat):
    n = Amat.shape[0]
    H = np.empty((2 * n, 2 * n))
    H[:n, :n] = 0.5 * np.real(Amat + Bmat)
    H[:n, n:] = 0.5 * np.imag(Bmat - Amat)
    H[n:, :n] = -0.5 * np.imag(Amat + Bmat)
    H[n:, n:] = 0.5 * np.real(Bmat - Amat)
    return H


def diagonal_hessian(lam, b, c, rho=0.0) -> np.ndarray:
    """Hessian of a complex-diagonal student at the teacher optimum, from ``S`` (:ref:`memory-multidim`).

    Student ``y = Re Σ_n c_n h_n + Dx``, ``h_{n,t+1} = λ_n h_{n,t} + b_n x_{t+1}``, loss
    ``½E(y - y*)²``; at zero residual the Hessian is the Gauss–Newton matrix.  With
    ``A_{nm} = b_n b_m c_n c_m S(λ_n, λ_m)`` and ``B_{nm} = b_n b̄_m c_n c̄_m S(λ_n, λ̄_m)``:
    ``H_{re,re} = ½Re(A+B)``, ``H_{re,im} = ½Im(B-A)``, ``H_{im,re} = -½Im(A+B)``,
    ``H_{im,im} = ½Re(B-A)``.

    Parameters
    ----------
    lam, b, c : array_like, complex, shape (n,)
        Eigenvalues (``|λ_n| < 1``), input and output weights.
    rho : float in [0, 1]

    Returns
    -------
    H : ndarray, shape (2n, 2n)
        Ordered ``(Re λ_1..Re λ_n, Im λ_1..Im λ_n)``; symmetric.

    Raises
    ------
    TypeError
        Non-numeric ``lam``, ``b``, ``c`` or ``rho``.
    ValueError
        ``lam`` not 1-D or with ``|λ_n| >= 1``, ``b``/``c`` not of the length of ``lam``, or ``ρ ∉ [0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import diagonal_hessian
    >>> from lrnn_theory.memory import sensitivity_kernel
    >>> H = diagonal_hessian([0.5], [1.0], [1.0])  # one real unit: H_re,re = S(λ, λ)
    >>> H.shape, bool(np.isclose(H[0, 0], sensitivity_kernel(0.5, 0.5)))
    ((2, 2), True)
    """
    lam = _complex_vector("lam", lam)
    _lam("lam", lam)
    b = _complex_vector("b", b, lam.size)
    c = _complex_vector("c", c, lam.size)
    r = float(_rho(rho))
    w = b * c
    Amat = np.outer(w, w) * sensitivity_kernel(lam[:, None], lam[None, :], r)
    Bmat = np.outer(w, np.conj(w)) * sensitivity_kernel(lam[:, None], np.conj(lam)[None, :], r)
    return _gn_blocks(Amat, Bmat)


def monte_carlo_gauss_newton(lam, b, c, rho=0.0, *, n_chains: int = 20_000, seed: int = 0) -> MonteCarloEstimate:
    """Monte-Carlo Gauss–Newton matrix ``E[∇y ∇yᵀ]`` of the complex-diagonal student (:ref:`memory-multidim`, :ref:`theory-checks-memory`).

    ``∂y/∂Re λ_n = Re(c_n b_n ∂_λ h_n)`` and ``∂y/∂Im λ_n = -Im(c_n b_n ∂_λ h_n)`` from stationary
    chains of :func:`~lrnn_theory.memory.sample_states`; compare with :func:`diagonal_hessian`.

    Parameters
    ----------
    lam, b, c : array_like, complex, shape (n,)
        Eigenvalues (``|λ_n| < 1``), input and output weights.
    rho : float in [0, 1]
        AR(1) coefficient of the input.
    n_chains : int >= 2
    seed : int

    Returns
    -------
    MonteCarloEstimate
        ``mean`` and ``se`` of shape (2n, 2n), ordered as :func:`diagonal_hessian`.

    Raises
    ------
    TypeError
        Non-numeric ``lam``, ``b`` or ``c``, or a non-integer ``n_chains`` or ``seed``.
    ValueError
        Arrays not 1-D of one length, ``|λ_n| >= 1``, ``ρ ∉ [0, 1]``, ``n_chains < 2`` or a negative ``seed``.

    Examples
    --------
    >>> from lrnn_theory.memory import diagonal_hessian, monte_carlo_gauss_newton
    >>> mc = monte_carlo_gauss_newton([0.5], [1.0], [1.0], n_chains=2000, seed=0)
    >>> mc.mean.shape, mc.agrees(diagonal_hessian([0.5], [1.0], [1.0]))
    ((2, 2), True)
    """
    lam = _complex_vector("lam", lam)
    b = _complex_vector("b", b, lam.size)
    c = _complex_vector("c", c, lam.size)
    n_chains = check_int("n_chains", n_chains, minimum=2)
    _, g = sample_states(lam, rho, n_chains=n_chains, seed=check_seed("seed", seed))
    z = g * (b * c)[None, :]
    grad = np.concatenate([z.real, -z.imag], axis=1)
    return estimate(grad[:, :, None] * grad[:, None, :])
