"""Multi-dimensional teacher–student: dense versus complex-diagonal recurrences (theory guide :ref:`memory-multidim`; Zucchet & Orvieto (2024)).

The teacher is a linear RNN ``h_{t+1} = A h_t + B x_{t+1}``, ``y_t = C h_t + D x_t``
(one input, one output) whose eigenvalues are placed in an annulus near the unit
circle.  For white inputs and ``h_0 = 0`` the output is ``y_t = Σ_s w_s x_{t-s}`` with
impulse response ``w_s = C A^s B``, so the expected loss over ``t = 1..T`` is the
exact quadratic form ``½ Σ_s (T-s)/T (w_s - w*_s)²`` (plus the ``D`` term), and the
Hessian at the optimum is the Gauss–Newton matrix
``Σ_s (T-s)/T ∇w_s ∇w_sᵀ``, computed here without sampling for a dense student
(parameters ``A_ij``) and a complex-diagonal one (``Re λ_n, Im λ_n``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_float_array, check_choice, check_int, check_positive_float, check_seed

__all__ = ["Teacher", "impulse_response", "impulse_response_gradient", "make_teacher", "finite_time_gauss_newton"]

#: Student kinds whose Gauss–Newton matrix :func:`finite_time_gauss_newton` builds.
STUDENTS = ("dense", "diagonal")


@dataclass(frozen=True)
class Teacher:
    """A real linear RNN teacher and its eigen-decomposition (:ref:`memory-multidim`).

    Attributes
    ----------
    A : ndarray (d, d), B : ndarray (d,), C : ndarray (d,), D : float
    eigvals : ndarray (d,), complex
        Eigenvalues of ``A`` (conjugate pairs).
    b, c : ndarray (d,), complex
        Input and output weights in the eigenbasis: ``b = P⁻¹B``, ``c = CP``, so that
        ``y = Re Σ_n c_n h_n + D x`` with ``h_{n,t+1} = λ_n h_{n,t} + b_n x_{t+1}``.

    Examples
    --------
    >>> from lrnn_theory.memory import make_teacher
    >>> t = make_teacher(4, seed=0)
    >>> t.A.shape, t.eigvals.shape, t.b.shape
    ((4, 4), (4,), (4,))
    """

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    D: float
    eigvals: np.ndarray
    b: np.ndarray
    c: np.ndarray


def make_teacher(d_h: int = 10, *, nu_min: float = 0.99, nu_max: float = 1.0, theta_max: float = np.pi, seed: int = 0) -> Teacher:
    """The :ref:`memory-multidim` teacher: eigenvectors of a Gaussian ``N(0, 1/d)`` matrix, eigenvalues remapped.

    Each eigenvalue ``l`` becomes modulus ``ν_min + (ν_max - ν_min) tanh|l|`` and phase
    ``arg(l) θ_max/π`` (conjugate pairs stay pairs, so ``A`` is real).
    ``B, D ~ N(0, 1)`` (``d_in = 1``), ``C ~ N(0, 1/d_h)`` (Zucchet & Orvieto, 2024).

    Parameters
    ----------
    d_h : int >= 1
        Hidden size.
    nu_min, nu_max : float, ``0 < ν_min <= ν_max <= 1``
        Annulus of the eigenvalue moduli.
    theta_max : float in (0, π]
        Largest eigenvalue phase.
    seed : int

    Returns
    -------
    Teacher

    Raises
    ------
    TypeError
        A non-numeric ``nu_min``, ``nu_max`` or ``theta_max``, or a non-integer ``d_h`` or ``seed``.
    ValueError
        ``d_h < 1``, non-positive or unordered moduli, ``nu_max > 1``, ``theta_max ∉ (0, π]`` or a
        negative ``seed``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import make_teacher
    >>> t = make_teacher(4, nu_min=0.9, nu_max=0.95, seed=0)
    >>> nu = np.abs(t.eigvals)
    >>> bool(np.all((nu >= 0.9 - 1e-12) & (nu <= 0.95 + 1e-12))), bool(np.isrealobj(t.A))
    (True, True)
    """
    d_h = check_int("d_h", d_h, minimum=1)
    nu_min = check_positive_float("nu_min", nu_min)
    nu_max = check_positive_float("nu_max", nu_max)
    if not nu_min <= nu_max <= 1:
        raise ValueError(f"nu_min <= nu_max <= 1 required, got nu_min={nu_min}, nu_max={nu_max}")
    theta_max = check_positive_float("theta_max", theta_max)
    if theta_max > np.pi:
        raise ValueError(f"theta_max must be in (0, π], got {theta_max}")
    rng = np.random.default_rng(check_seed("seed", seed))
    G = rng.normal(0.0, 1 / np.sqrt(d_h), size=(d_h, d_h))
    l, P = np.linalg.eig(G)
    mu = (nu_min + (nu_max - nu_min) * np.tanh(np.abs(l))) * np.exp(1j * np.angle(l) * theta_max / np.pi)
    A = np.real(P @ np.diag(mu) @ np.linalg.inv(P))
    B = rng.normal(size=d_h)
    C = rng.normal(0.0, 1 / np.sqrt(d_h), size=d_h)
    D = float(rng.normal())
    lam, P = np.linalg.eig(A)
    return Teacher(A=A, B=B, C=C, D=D, eigvals=lam, b=np.linalg.solve(P, B.astype(complex)), c=C @ P)


def _finite(names: str, x: np.ndarray, T: int) -> np.ndarray:
    """``x``, or a ValueError naming ``names`` when powers of the recurrence overflowed float64."""
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{names}: the powers of the recurrence overflow float64 over T = {T} steps "
                         "(spectral radius > 1)")
    return x


def impulse_response(A, B, C, T: int) -> np.ndarray:
    """Impulse response ``w_s = C A^s B`` for ``s = 0..T-1`` (:ref:`memory-multidim`).

    Parameters
    ----------
    A : array_like, shape (d, d)
    B, C : array_like, shape (d,)
    T : int >= 1
        Number of lags.

    Returns
    -------
    ndarray, shape (T,)

    Raises
    ------
    TypeError
        Non-numeric arrays or a non-integer ``T``.
    ValueError
        Arrays of the wrong dimension or with non-finite values, ``T < 1``, or a response that
        overflows float64 (spectral radius of ``A`` above 1 over many steps).

    Examples
    --------
    >>> from lrnn_theory.memory import impulse_response
    >>> impulse_response([[0.5]], [1.0], [2.0], 4).tolist()  # 2 · 0.5^s
    [2.0, 1.0, 0.5, 0.25]
    """
    A = as_float_array("A", A, ndim=2)
    B = as_float_array("B", B, ndim=1)
    C = as_float_array("C", C, ndim=1)
    T = check_int("T", T, minimum=1)
    out = np.empty(T)
    v = B.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for s in range(T):
            out[s] = C @ v
            v = A @ v
    return _finite("A and T", out, T)


def impulse_response_gradient(student: str, params, T: int) -> np.ndarray:
    """``∂w_s/∂θ`` for ``s = 0..T-1``: shape (T, n_params).

    ``student="dense"``: ``params = (A, B, C)``, ``θ = vec(A)`` (row-major),
    ``∂w_s/∂A_ij = Σ_{m<s} (C A^m)_i (A^{s-1-m} B)_j``.
    ``student="diagonal"``: ``params = (lam, b, c)``, ``w_s = Re Σ_n c_n b_n λ_n^s``,
    ``θ = (Re λ, Im λ)``: ``∂w_s/∂Re λ_n = Re(c_n b_n s λ_n^{s-1})``, ``∂w_s/∂Im λ_n = -Im(·)``
    (:ref:`memory-multidim`).

    Parameters
    ----------
    student : {"dense", "diagonal"}
    params : tuple
        ``(A, B, C)`` with shapes (d, d), (d,), (d,) for ``"dense"``; ``(lam, b, c)``, complex
        arrays of shape (n,), for ``"diagonal"``.
    T : int >= 1

    Returns
    -------
    ndarray, shape (T, d²) (dense) or (T, 2n) (diagonal)

    Raises
    ------
    TypeError
        Non-numeric parameters or a non-integer ``T``.
    ValueError
        Unknown ``student``, parameters of the wrong dimension, ``T < 1``, or a gradient that
        overflows float64 (``|λ| > 1`` or spectral radius of ``A`` above 1 over many steps).

    Examples
    --------
    >>> from lrnn_theory.memory import impulse_response_gradient
    >>> J = impulse_response_gradient("dense", ([[0.5]], [1.0], [1.0]), 4)
    >>> J[:, 0].tolist()  # d(λ^s)/dλ = s λ^(s-1)
    [0.0, 1.0, 1.0, 0.75]
    >>> impulse_response_gradient("diagonal", ([0.5], [1.0], [1.0]), 4).shape
    (4, 2)
    """
    student = check_choice("student", student, STUDENTS)
    T = check_int("T", T, minimum=1)
    if student == "diagonal":
        lam, b, c = (np.atleast_1d(as_float_array(n, v, allow_complex=True)).astype(complex) for n, v in zip(("lam", "b", "c"), params))
        s = np.arange(T)[:, None]
        with np.errstate(over="ignore", invalid="ignore"):
            z = (c * b)[None, :] * s * lam[None, :] ** np.maximum(s - 1, 0)
        return _finite("params (lam) and T", np.concatenate([z.real, -z.imag], axis=1), T)
    A, B, C = (as_float_array(n, v, ndim=k) for n, v, k in zip(("A", "B", "C"), params, (2, 1, 1)))
    d = A.shape[0]
    left = np.empty((T, d))  # C A^m
    right = np.empty((T, d))  # A^m B
    left[0], right[0] = C, B
    with np.errstate(over="ignore", invalid="ignore"):
        for m in range(1, T):
            left[m] = left[m - 1] @ A
            right[m] = A @ right[m - 1]
        grad = np.zeros((T, d, d))
        for s in range(1, T):
            grad[s] = left[:s].T @ right[:s][::-1]
    return _finite("params (A) and T", grad.reshape(T, d * d), T)


def finite_time_gauss_newton(student: str, params, T: int, *, average: str = "time") -> np.ndarray:
    """Gauss–Newton matrix (the Hessian at zero residual) of the white-noise teacher–student loss (:ref:`memory-multidim`).

    ``average="time"``: loss averaged over ``t = 1..T`` from ``h_0 = 0`` (weights ``(T-s)/T``);
    ``average="last"``: loss at the last step only (weights 1; tends to the stationary
    :func:`~lrnn_theory.memory.diagonal_hessian` as ``T → ∞``).

    Parameters
    ----------
    student : {"dense", "diagonal"}
    params : tuple
        As in :func:`impulse_response_gradient`.
    T : int >= 1
        Sequence length.
    average : {"time", "last"}

    Returns
    -------
    ndarray, shape (d², d²) (dense) or (2n, 2n) (diagonal)
        Symmetric, positive semi-definite.

    Raises
    ------
    TypeError, ValueError
        As :func:`impulse_response_gradient`, or an unknown ``average``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory import finite_time_gauss_newton
    >>> from lrnn_theory.memory import diagonal_hessian
    >>> G = finite_time_gauss_newton("diagonal", ([0.5], [1.0], [1.0]), 200, average="last")
    >>> bool(np.allclose(G, diagonal_hessian([0.5], [1.0], [1.0])))  # stationary limit
    True
    """
    average = check_choice("average", average, ("time", "last"))
    J = impulse_response_gradient(student, params, T)
    w = (T - np.arange(T)) / T if average == "time" else np.ones(T)
    with np.errstate(over="ignore", invalid="ignore"):
        G = (J * w[:, None]).T @ J
    return _finite("params and T", G, T)
