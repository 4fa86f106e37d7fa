"""Vectorised numeric theory of one connectivity mode (theory guide :ref:`theory-mode-odes`, :ref:`theory-reduced`, :ref:`theory-equilibria`; Proca et al. (2025), eqs. 5–8).

All functions broadcast over any leading batch shape of ``a, b, c`` (or
``u, b``) and ``s[..., T]``; there is no Python loop over modes or grid
points (only over the ``T`` time steps).  ``τ = 1`` throughout: the
right-hand sides are ``-∇E``.

With ``k = T - i`` (the number of times input ``i`` passes through ``W_h``)
and ``r_i = s_i - c b^k a``:

.. math::

    E = \\tfrac12\\sum_i r_i^2,\\qquad
    \\dot a = c\\,S_1,\\quad \\dot b = a c\\,S_2,\\quad \\dot c = a\\,S_1,\\qquad
    S_1=\\sum_i b^{k} r_i,\\quad S_2=\\sum_{i<T} k\\,b^{k-1} r_i .

Powers are built by cumulative products, so ``b = 0`` (``0^0 = 1``),
negative ``b`` and ``b = ±1`` are exact.
"""
from __future__ import annotations

import numpy as np

from . import _radau
from ._validation import as_float_array

__all__ = [
    "complex_mode_energy",
    "complex_mode_jacobian",
    "complex_mode_rhs",
    "mode_energy",
    "mode_hessian",
    "mode_jacobian",
    "mode_rhs",
    "reduced_energy",
    "reduced_rhs",
]


def _inputs(names, values, s):
    s = as_float_array("s", s, min_ndim=1)
    arrs = [as_float_array(n, v) for n, v in zip(names, values)]
    try:
        np.broadcast_shapes(s.shape[:-1], *(x.shape for x in arrs))
    except ValueError:
        shapes = ", ".join(f"{n} {x.shape}" for n, x in zip(names, arrs))
        raise ValueError(f"{shapes} and s {s.shape} (batch {s.shape[:-1]}) do not broadcast") from None
    return arrs, s


def _sums(x, b, s):
    """Sums over k = T - i of the RHS and Jacobian (see module docstring).

    Returns S1, S2, S3, G0, G1, G2, E with the broadcast batch shape, where
    S3 = Σ k(k-1) b^{k-2} r, G0 = Σ b^{2k}, G1 = Σ k b^{2k-1}, G2 = Σ k² b^{2k-2}.
    One implementation serves both paths: the compiled per-mode kernel of the integrator
    (:func:`lrnn_theory._radau._sums`), looped over the flattened broadcast batch.
    """
    T = s.shape[-1]
    shape = np.broadcast_shapes(x.shape, b.shape, s.shape[:-1])
    n = int(np.prod(shape))
    out = np.empty((7, n))
    _radau.sums_batch(np.ascontiguousarray(np.broadcast_to(x, shape), dtype=float).reshape(n),
                      np.ascontiguousarray(np.broadcast_to(b, shape), dtype=float).reshape(n),
                      np.ascontiguousarray(np.broadcast_to(s, shape + (T,)), dtype=float).reshape(n, T), out)
    return tuple(out[i].reshape(shape) for i in range(7))


def _finite_energy(E, u, s):
    """``E`` with the float64 overflow of ``u b^{T-i}`` resolved: exactly ``½‖s‖²`` where ``u = 0`` (``0·∞``
    gave NaN) and ``inf`` where the residual exceeds the float64 range (inputs are finite, so a non-finite
    value can only come from ``|u b^{T-i}|`` beyond it)."""
    if np.all(np.isfinite(E)):
        return E
    ss = 0.5 * np.sum(s.real ** 2 + s.imag ** 2 if np.iscomplexobj(s) else s * s, axis=-1)
    u = np.broadcast_to(u, np.shape(E))
    return np.where(u == 0, np.broadcast_to(ss, np.shape(E)), np.where(np.isfinite(E), E, np.inf))


def _refuse_overflow(out, b, s):
    """Raise when a derivative of the mode flow overflows float64 (``|b|^{T-1}`` too large)."""
    if not all(np.all(np.isfinite(x)) for x in out):
        raise ValueError(f"b: the mode flow overflows float64 (|b|^(T-1) too large, T = {s.shape[-1]}, "
                         f"max |b| = {float(np.max(np.abs(b)))!r})")
    return out


def mode_energy(a, b, c, s) -> np.ndarray:
    """Mode energy ``E(a, b, c) = ½ Σ_i (s_i - c b^{T-i} a)²`` (theory guide :ref:`theory-mode-odes`; Proca et al. (2025), eqs. 5–8).

    Parameters
    ----------
    a, b, c : array_like
        Input, recurrent and output modes (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    E : ndarray, broadcast batch shape

    Raises
    ------
    TypeError
        If an argument is not a real numeric array.
    ValueError
        If an argument is empty or not finite, ``s`` is 0-d, or the shapes do not broadcast;
        the derivatives (rhs, Jacobian, Hessian) also when they overflow float64 (``|b|^{T-1}``
        too large).  The energy itself is ``inf`` there (exactly ``½‖s‖²`` where ``ac = 0``).

    Examples
    --------
    Residuals ``r = (1 - 0.5, 2 - 1)`` at ``a = c = 1``, ``b = 0.5``; ``b`` may carry a grid:

    >>> import numpy as np
    >>> from lrnn_theory.modes import mode_energy
    >>> float(mode_energy(1.0, 0.5, 1.0, [1.0, 2.0]))  # ½ (0.5² + 1²)
    0.625
    >>> mode_energy(1.0, np.array([0.0, 0.5, 1.0]), 1.0, [1.0, 2.0])
    array([1.   , 0.625, 0.5  ])
    """
    (a, b, c), s = _inputs("abc", (a, b, c), s)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_energy(_sums(a * c, b, s)[6], a * c, s)


def mode_rhs(a, b, c, s) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient-flow right-hand side ``(ȧ, ḃ, ċ) = -∇E`` with ``τ = 1`` (theory guide :ref:`theory-mode-odes`; Proca et al. (2025), eqs. 5–8).

    Parameters
    ----------
    a, b, c : array_like
        Input, recurrent and output modes (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    (da, db, dc) : tuple of ndarray, broadcast batch shape
        ``ḃ ≡ 0`` for ``T = 1`` (the last input carries ``b^0``).

    Raises
    ------
    TypeError, ValueError
        As :func:`mode_energy`.

    Examples
    --------
    With residuals ``r = (0.5, 1)``: ``ȧ = c (b r_1 + r_2)``, ``ḃ = a c r_1``, ``ċ = a (b r_1 + r_2)``:

    >>> from lrnn_theory.modes import mode_rhs
    >>> [float(x) for x in mode_rhs(1.0, 0.5, 1.0, [1.0, 2.0])]
    [1.25, 0.5, 1.25]
    """
    (a, b, c), s = _inputs("abc", (a, b, c), s)
    S1, S2, *_ = _sums(a * c, b, s)
    return _refuse_overflow((c * S1, a * c * S2, a * S1), b, s)


def mode_jacobian(a, b, c, s) -> np.ndarray:
    """Jacobian of :func:`mode_rhs` with respect to ``(a, b, c)`` (theory guide :ref:`theory-mode-odes`, :ref:`theory-stability`).

    Parameters
    ----------
    a, b, c : array_like
        Input, recurrent and output modes (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    J : ndarray, shape batch + (3, 3)
        ``J[..., i, j] = ∂ θ̇_i / ∂ θ_j`` with ``θ = (a, b, c)``; equal to minus
        the Hessian of ``E``.

    Raises
    ------
    TypeError, ValueError
        As :func:`mode_energy`.

    Examples
    --------
    At the zero-loss solution ``a = c = 1``, ``b = λ`` of an inverse-exponential task, the
    rescaling ``(a, c) → (a e^ε, c e^-ε)`` keeps ``E = 0``: ``(1, 0, -1)`` is a null direction.

    >>> import numpy as np
    >>> from lrnn_theory.modes import mode_jacobian
    >>> from lrnn_theory.tasks import inverse_exponential
    >>> J = mode_jacobian(1.0, 0.5, 1.0, inverse_exponential(3, 1.0, 0.5))
    >>> J.shape
    (3, 3)
    >>> bool(np.allclose(J @ [1.0, 0.0, -1.0], 0.0)), bool(np.allclose(J, J.T))
    (True, True)
    """
    (a, b, c), s = _inputs("abc", (a, b, c), s)
    ac = a * c
    S1, S2, S3, G0, G1, G2, _ = _sums(ac, b, s)
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape, s.shape[:-1])
    a, b, c = (np.broadcast_to(x, shape) for x in (a, b, c))
    J = np.empty(shape + (3, 3))
    J[..., 0, 0] = -c * c * G0
    J[..., 0, 1] = c * (S2 - ac * G1)
    J[..., 0, 2] = S1 - ac * G0
    J[..., 1, 0] = c * S2 - a * c * c * G1
    J[..., 1, 1] = ac * (S3 - ac * G2)
    J[..., 1, 2] = a * S2 - a * a * c * G1
    J[..., 2, 0] = S1 - ac * G0
    J[..., 2, 1] = a * (S2 - ac * G1)
    J[..., 2, 2] = -a * a * G0
    return _refuse_overflow((J,), b, s)[0]


def mode_hessian(a, b, c, s) -> np.ndarray:
    """Hessian of the mode energy, ``-mode_jacobian`` (shape batch + (3, 3)).

    Theory guide :ref:`theory-stability`; Proca et al. (2025), Sec. 4.

    Parameters
    ----------
    a, b, c : array_like
        Input, recurrent and output modes (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    H : ndarray, shape batch + (3, 3)
        ``∂²E/∂θ_i∂θ_j`` with ``θ = (a, b, c)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`mode_energy`.

    Examples
    --------
    At a zero-loss minimum the Hessian is positive semi-definite:

    >>> import numpy as np
    >>> from lrnn_theory.modes import mode_hessian
    >>> from lrnn_theory.tasks import inverse_exponential
    >>> H = mode_hessian(1.0, 0.5, 1.0, inverse_exponential(3, 1.0, 0.5))
    >>> bool(np.linalg.eigvalsh(H).min() > -1e-12)
    True
    """
    return -mode_jacobian(a, b, c, s)


def reduced_energy(u, b, s) -> np.ndarray:
    """Energy of the reduced mode ``E(u, b) = ½ Σ_i (s_i - u b^{T-i})²`` (theory guide :ref:`theory-reduced`).

    Parameters
    ----------
    u, b : array_like
        Input–output mode ``u = a c`` and recurrent mode (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    E : ndarray, broadcast batch shape

    Raises
    ------
    TypeError, ValueError
        As :func:`mode_energy`.

    Examples
    --------
    >>> from lrnn_theory.modes import reduced_energy
    >>> from lrnn_theory.tasks import inverse_exponential
    >>> s = inverse_exponential(3, 1.0, 0.5)  # (0.25, 0.5, 1)
    >>> float(reduced_energy(1.0, 0.5, s))  # the zero-loss solution u = δ, b = λ
    0.0
    >>> float(reduced_energy(0.5, 0.5, s))  # ½ (0.125² + 0.25² + 0.5²)
    0.1640625
    """
    (u, b), s = _inputs("ub", (u, b), s)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_energy(_sums(u, b, s)[6], u, s)


def reduced_rhs(u, b, s, delta=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Right-hand side of the reduced system of theory guide :ref:`theory-reduced` (``τ = 1``).

    .. math::

        \\dot u = \\sqrt{Δ^2 + 4u^2}\\,\\sum_i b^{T-i} r_i,\\qquad
        \\dot b = u \\sum_{i<T}(T-i)\\,b^{T-i-1} r_i,\\qquad r_i = s_i - u b^{T-i},

    where ``Δ = a² - c²`` is the conserved imbalance (balanced: ``Δ = 0``;
    theory guide :ref:`theory-conserved`).

    Parameters
    ----------
    u, b : array_like
        Input–output mode ``u = a c`` and recurrent mode (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,)
        Task dynamics.
    delta : array_like
        Imbalance ``Δ``.

    Returns
    -------
    (du, db) : tuple of ndarray, broadcast batch shape

    Raises
    ------
    TypeError, ValueError
        As :func:`mode_energy` (also for ``delta``).

    Examples
    --------
    At ``u = b = 0.5`` on ``s = (0.25, 0.5, 1)`` the residuals are ``r = (0.125, 0.25, 0.5)``:
    ``u̇ = 2u (b² r_1 + b r_2 + r_3)`` and ``ḃ = u (2 b r_1 + r_2)``.

    >>> from lrnn_theory.modes import reduced_rhs
    >>> from lrnn_theory.tasks import inverse_exponential
    >>> [float(x) for x in reduced_rhs(0.5, 0.5, inverse_exponential(3, 1.0, 0.5))]
    [0.65625, 0.1875]
    """
    (u, b, delta), s = _inputs(("u", "b", "delta"), (u, b, delta), s)
    S1, S2, *_ = _sums(u, b, s)
    return _refuse_overflow((np.sqrt(delta ** 2 + 4 * u ** 2) * S1, u * S2), b, s)


# --- complex modes (Proca et al. (2025), App. N–O; theory guide :ref:`theory-complex-modes`) ---------------


def _complex_inputs(a, b, c, s):
    s = as_float_array("s", s, min_ndim=1, allow_complex=True).astype(complex)
    arrs = [as_float_array(n, v, allow_complex=True).astype(complex) for n, v in zip("abc", (a, b, c))]
    try:
        shape = np.broadcast_shapes(s.shape[:-1], *(x.shape for x in arrs))
    except ValueError:
        shapes = ", ".join(f"{n} {x.shape}" for n, x in zip("abc", arrs))
        raise ValueError(f"{shapes} and s {s.shape} (batch {s.shape[:-1]}) do not broadcast") from None
    a, b, c = (np.broadcast_to(x, shape) for x in arrs)
    return a, b, c, np.broadcast_to(s, shape + s.shape[-1:])


def _complex_sums(u, b, s):
    """NumPy sums over ``k = T - i`` for complex modes (an implementation independent of the compiled kernel).

    Returns ``r`` (batch + (T,), ordered by ``k``), ``pk = b^k``, ``k`` and
    S1 = Σ conj(b^k) r_k, S2 = Σ k conj(b^{k-1}) r_k, S3 = Σ k(k-1) conj(b^{k-2}) r_k,
    G0 = Σ |b^k|², G1 = Σ k conj(b^k) b^{k-1}, G2 = Σ k² |b^{k-1}|².
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the caller
        return _complex_sums_unchecked(u, b, s)


def _complex_sums_unchecked(u, b, s):
    T = s.shape[-1]
    k = np.arange(T, dtype=float)
    pk = np.cumprod(np.concatenate([np.ones(b.shape + (1,), complex), np.repeat(b[..., None], T - 1, axis=-1)], axis=-1), axis=-1)
    pkm1 = np.concatenate([np.zeros(b.shape + (1,), complex), pk[..., :-1]], axis=-1)
    pkm2 = np.concatenate([np.zeros(b.shape + (1,), complex), pkm1[..., :-1]], axis=-1)
    r = s[..., ::-1] - u[..., None] * pk
    S1 = np.sum(np.conj(pk) * r, axis=-1)
    S2 = np.sum(k * np.conj(pkm1) * r, axis=-1)
    S3 = np.sum(k * (k - 1) * np.conj(pkm2) * r, axis=-1)
    G0 = np.sum(np.abs(pk) ** 2, axis=-1)
    G1 = np.sum(k * np.conj(pk) * pkm1, axis=-1)
    G2 = np.sum(k * k * np.abs(pkm1) ** 2, axis=-1)
    return r, S1, S2, S3, G0, G1, G2


def complex_mode_energy(a, b, c, s) -> np.ndarray:
    """Energy of a complex mode ``E = ½ Σ_i |s_i - c b^{T-i} a|²`` (Proca et al. (2025), App. N–O).

    Parameters
    ----------
    a, b, c : array_like, complex or real
        Modes in the shared eigenbasis (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,), complex or real
        Complex task dynamics (e.g. :func:`lrnn_theory.tasks.rotational`).

    Returns
    -------
    E : ndarray of float, broadcast batch shape

    Raises
    ------
    TypeError, ValueError
        As :func:`complex_mode_rhs`.

    Notes
    -----
    Theory guide :ref:`theory-complex-modes`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory import modes, tasks
    >>> lam = 0.9 * np.exp(1j * np.pi / 12)
    >>> float(modes.complex_mode_energy(1.0, lam, 1.0, tasks.rotational(5, 1.0, lam))) < 1e-30
    True
    """
    a, b, c, s = _complex_inputs(a, b, c, s)
    with np.errstate(over="ignore", invalid="ignore"):
        r = _complex_sums(a * c, b, s)[0]
        return _finite_energy(0.5 * np.sum(r.real ** 2 + r.imag ** 2, axis=-1), a * c, s)


def complex_mode_rhs(a, b, c, s) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradient flow of a complex mode, ``τ = 1`` (Proca et al. (2025), App. N–O).

    Gradient descent on the real and imaginary parts of each mode,
    ``ż = -(∂E/∂Re z + i ∂E/∂Im z) = -2 ∂E/∂z̄`` (Wirtinger derivative):

    .. math::

        \dot a = \bar c\,S_1,\quad \dot b = \overline{ac}\,S_2,\quad \dot c = \bar a\,S_1,\qquad
        S_1=\sum_i \bar b^{k} r_i,\quad S_2=\sum_{i<T} k\,\bar b^{k-1} r_i,\quad k = T-i,

    which is :func:`mode_rhs` when all imaginary parts vanish (theory guide :ref:`theory-complex-flow`).

    Parameters
    ----------
    a, b, c : array_like, complex or real
        Modes in the shared eigenbasis (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,), complex or real
        Complex task dynamics.

    Returns
    -------
    (da, db, dc) : tuple of complex ndarray, broadcast batch shape

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If an argument is empty or not finite, ``s`` is 0-d, or the shapes do not broadcast;
        the derivatives (rhs, Jacobian, Hessian) also when they overflow float64 (``|b|^{T-1}``
        too large).  The energy itself is ``inf`` there (exactly ``½‖s‖²`` where ``ac = 0``).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.modes import complex_mode_rhs, mode_rhs
    >>> from lrnn_theory.tasks import rotational
    >>> lam = 0.9 * np.exp(1j * np.pi / 12)
    >>> rhs = complex_mode_rhs(1.0, lam, 1.0, rotational(4, 1.0, lam))  # zero-loss solution
    >>> bool(np.allclose(rhs, 0.0))
    True
    >>> [complex(x) for x in complex_mode_rhs(1.0, 0.5, 1.0, [1.0, 2.0])]  # real: as mode_rhs
    [(1.25+0j), (0.5+0j), (1.25+0j)]
    """
    a, b, c, s = _complex_inputs(a, b, c, s)
    _, S1, S2, *_ = _complex_sums(a * c, b, s)
    return _refuse_overflow((np.conj(c) * S1, np.conj(a * c) * S2, np.conj(a) * S1), b, s)


def complex_mode_jacobian(a, b, c, s) -> np.ndarray:
    """Jacobian of :func:`complex_mode_rhs` as a real system.

    The state is ``y = (Re a, Re b, Re c, Im a, Im b, Im c)``; each 2×2 block
    is built from the Wirtinger derivatives ``α = ∂ż_p/∂z_q``,
    ``β = ∂ż_p/∂z̄_q`` as ``[[Re(α+β), -Im(α-β)], [Im(α+β), Re(α-β)]]``.

    Theory guide :ref:`theory-complex-fixed-points`; Proca et al. (2025), App. N–O.

    Parameters
    ----------
    a, b, c : array_like, complex or real
        Modes in the shared eigenbasis (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,), complex or real
        Complex task dynamics.

    Returns
    -------
    J : ndarray of float, shape batch + (6, 6)
        ``J[..., i, j] = ∂ẏ_i/∂y_j``; minus the Hessian of ``E`` in the real
        coordinates ``y`` (symmetric).

    Raises
    ------
    TypeError, ValueError
        As :func:`complex_mode_rhs`.

    Examples
    --------
    At the zero-loss solution the Jacobian is symmetric and negative semi-definite:

    >>> import numpy as np
    >>> from lrnn_theory.modes import complex_mode_jacobian
    >>> from lrnn_theory.tasks import rotational
    >>> lam = 0.9 * np.exp(1j * np.pi / 12)
    >>> J = complex_mode_jacobian(1.0, lam, 1.0, rotational(4, 1.0, lam))
    >>> J.shape, bool(np.allclose(J, J.T)), bool(np.linalg.eigvalsh(J).max() < 1e-12)
    ((6, 6), True, True)
    """
    a, b, c, s = _complex_inputs(a, b, c, s)
    u = a * c
    _, S1, S2, S3, G0, G1, G2 = _complex_sums(u, b, s)
    H1 = np.conj(G1)
    ca, cc, cu = np.conj(a), np.conj(c), np.conj(u)
    zero = np.zeros_like(u)
    # (alpha, beta) per (row, column): rows ȧ, ḃ, ċ; columns a, b, c
    ab = [
        [(-cc * c * G0, zero), (-cc * u * G1, cc * S2), (-a * cc * G0, S1)],
        [(-cu * c * H1, cc * S2), (-cu * u * G2, cu * S3), (-cu * a * H1, ca * S2)],
        [(-ca * c * G0, S1), (-ca * u * G1, ca * S2), (-ca * a * G0, zero)],
    ]
    J = np.empty(u.shape + (6, 6))
    for p in range(3):
        for q in range(3):
            al, be = ab[p][q]
            sp, sm = al + be, al - be
            J[..., p, q] = sp.real
            J[..., p, q + 3] = -sm.imag
            J[..., p + 3, q] = sp.imag
            J[..., p + 3, q + 3] = sm.real
    return _refuse_overflow((J,), b, s)[0]
