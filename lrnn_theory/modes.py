"""Vectorised numeric theory of one connectivity mode (THEORY §3.3–§3.5).

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


def mode_energy(a, b, c, s) -> np.ndarray:
    """Mode energy ``E(a, b, c) = ½ Σ_i (s_i - c b^{T-i} a)²`` (THEORY §3.3).

    Parameters
    ----------
    a, b, c : array_like
        Input, recurrent and output modes (broadcast with ``s.shape[:-1]``).
    s : array_like, shape batch + (T,)
        Task dynamics.

    Returns
    -------
    E : ndarray, broadcast batch shape
    """
    (a, b, c), s = _inputs("abc", (a, b, c), s)
    return _sums(a * c, b, s)[6]


def mode_rhs(a, b, c, s) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient-flow right-hand side ``(ȧ, ḃ, ċ) = -∇E`` with ``τ = 1`` (THEORY §3.3).

    Returns
    -------
    (da, db, dc) : tuple of ndarray, broadcast batch shape
        ``ḃ ≡ 0`` for ``T = 1`` (the last input carries ``b^0``).
    """
    (a, b, c), s = _inputs("abc", (a, b, c), s)
    S1, S2, *_ = _sums(a * c, b, s)
    return c * S1, a * c * S2, a * S1


def mode_jacobian(a, b, c, s) -> np.ndarray:
    """Jacobian of :func:`mode_rhs` with respect to ``(a, b, c)``.

    Returns
    -------
    J : ndarray, shape batch + (3, 3)
        ``J[..., i, j] = ∂ θ̇_i / ∂ θ_j`` with ``θ = (a, b, c)``; equal to minus
        the Hessian of ``E``.
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
    return J


def mode_hessian(a, b, c, s) -> np.ndarray:
    """Hessian of the mode energy, ``-mode_jacobian`` (shape batch + (3, 3))."""
    return -mode_jacobian(a, b, c, s)


def reduced_energy(u, b, s) -> np.ndarray:
    """Energy of the reduced mode ``E(u, b) = ½ Σ_i (s_i - u b^{T-i})²`` (THEORY §3.4)."""
    (u, b), s = _inputs("ub", (u, b), s)
    return _sums(u, b, s)[6]


def reduced_rhs(u, b, s, delta=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Right-hand side of the reduced system of THEORY §3.4 (``τ = 1``).

    .. math::

        \\dot u = \\sqrt{Δ^2 + 4u^2}\\,\\sum_i b^{T-i} r_i,\\qquad
        \\dot b = u \\sum_{i<T}(T-i)\\,b^{T-i-1} r_i,\\qquad r_i = s_i - u b^{T-i},

    where ``Δ = a² - c²`` is the conserved imbalance (balanced: ``Δ = 0``).

    Returns
    -------
    (du, db) : tuple of ndarray, broadcast batch shape
    """
    (u, b, delta), s = _inputs(("u", "b", "delta"), (u, b, delta), s)
    S1, S2, *_ = _sums(u, b, s)
    return np.sqrt(delta ** 2 + 4 * u ** 2) * S1, u * S2
