"""Compiled gradient, energy and Hessian of one mode carried by ``k`` hidden units (private; the validating layer is :mod:`lrnn_theory.units`).

Flat parameters ``θ = (a, vec(B), c)`` with ``vec`` row-major; ``x[m] = s_{T-m}``.  The same
operations run on float64 (gradient) and complex128 (complex-step Hessian) arrays.

The ``*_into`` functions allocate nothing (their work arrays are passed in, so that the compiled
integrator, model 3 of :mod:`lrnn_theory._radau`, allocates them once per run) and are compiled
without numba's reference counting, as the integrator's other helpers; :func:`flat_grad` and
:func:`flat_hessian` allocate their work arrays and call them.
"""
from __future__ import annotations

import numpy as np
from numba import njit

#: Imaginary step of the complex-step Hessian (no subtraction, so any step far below the scale of θ is exact).
STEP = 1e-30
INV_STEP = 1e30


@njit(cache=True, _nrt=False)
def _forward(theta, x, k, p, r):
    """Fill ``p_m = B^m a`` (T, k) and ``r_m = x_m - cᵀ p_m`` (T,); return ``E = ½ Σ_m r_m²``."""
    T = x.size
    kk = k * k
    for i in range(k):
        p[0, i] = theta[i]
    for m in range(1, T):
        for i in range(k):
            sp = 0.0 * theta[0]
            for j in range(k):
                sp += theta[k + i * k + j] * p[m - 1, j]
            p[m, i] = sp
    energy = 0.0 * theta[0]
    for m in range(T):
        g = 0.0 * theta[0]
        for i in range(k):
            g += theta[k + kk + i] * p[m, i]
        r[m] = x[m] - g
        energy += 0.5 * r[m] * r[m]
    return energy


@njit(cache=True, _nrt=False)
def grad_into(theta, x, k, out, p, q, r):
    """``out = ∇E(θ)`` for ``E = ½ Σ_m (x_m - cᵀ B^m a)²``; returns ``E``.

    ``p``, ``q`` (T, k) and ``r`` (T,) are work arrays of θ's dtype: on return ``p_m = B^m a``,
    ``q_m = (Bᵀ)^m c`` and ``r_m = x_m - cᵀ p_m``.
    """
    T = x.size
    kk = k * k
    energy = _forward(theta, x, k, p, r)
    for i in range(k):
        q[0, i] = theta[k + kk + i]
    for m in range(1, T):
        for i in range(k):
            sq = 0.0 * theta[0]
            for j in range(k):
                sq += theta[k + j * k + i] * q[m - 1, j]
            q[m, i] = sq
    for i in range(out.size):
        out[i] = 0.0
    for m in range(T):
        for i in range(k):
            out[i] -= r[m] * q[m, i]
            out[k + kk + i] -= r[m] * p[m, i]
    # ∂E/∂B = -Σ_{m+n <= T-2} r_{m+n+1} q_m p_nᵀ
    for m in range(T - 1):
        for n in range(T - 1 - m):
            w = r[m + n + 1]
            for i in range(k):
                wq = w * q[m, i]
                for j in range(k):
                    out[k + i * k + j] -= wq * p[n, j]
    return energy


@njit(cache=True, _nrt=False)
def energy_into(theta, x, k, p, r):
    """``E = ½ Σ_m (x_m - cᵀ B^m a)²`` alone (``O(T k²)``), with the work arrays ``p`` (T, k) and ``r`` (T,)."""
    return _forward(theta, x, k, p, r)


@njit(cache=True, _nrt=False)
def hessian_into(theta, x, k, H, th, g, p, q, r):
    """``H = ∇²E(θ)`` by complex-step differentiation of :func:`grad_into` (step ``STEP i``), symmetrised.

    Work arrays, complex128: ``th``, ``g`` (n,), ``p``, ``q`` (T, k), ``r`` (T,).
    """
    n = theta.size
    for col in range(n):
        for i in range(n):
            th[i] = theta[i]
        th[col] += STEP * 1j
        grad_into(th, x, k, g, p, q, r)
        for i in range(n):
            H[i, col] = g[i].imag * INV_STEP
    for i in range(n):
        for j in range(i + 1, n):
            v = 0.5 * (H[i, j] + H[j, i])
            H[i, j] = v
            H[j, i] = v


@njit(cache=True)
def flat_grad(theta, x, k, out):
    """``out = ∇E(θ)`` (:func:`grad_into` with its work arrays allocated); returns ``E``."""
    T = x.size
    p = np.empty((T, k), dtype=theta.dtype)
    q = np.empty((T, k), dtype=theta.dtype)
    r = np.empty(T, dtype=theta.dtype)
    return grad_into(theta, x, k, out, p, q, r)


@njit(cache=True)
def flat_hessian(theta, x, k, H):
    """Exact Hessian (:func:`hessian_into` with its work arrays allocated)."""
    n = theta.size
    T = x.size
    c = np.complex128
    hessian_into(theta, x, k, H, np.empty(n, c), np.empty(n, c), np.empty((T, k), c), np.empty((T, k), c),
                 np.empty(T, c))
