"""Compiled gradient of one mode carried by ``k`` hidden units (private; the validating layer is :mod:`lrnn_theory.units`).

Flat parameters ``θ = (a, vec(B), c)`` with ``vec`` row-major; ``x[m] = s_{T-m}``.  The same
operations run on float64 (gradient) and complex128 (complex-step Hessian) arrays.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def flat_grad(theta, x, k, out):
    """``out = ∇E(θ)`` for ``E = ½ Σ_m (x_m - cᵀ B^m a)²``; returns ``E``."""
    T = x.size
    B = theta[k:k + k * k]
    p = np.empty((T, k), dtype=theta.dtype)  # p_m = B^m a
    q = np.empty((T, k), dtype=theta.dtype)  # q_m = (Bᵀ)^m c
    for i in range(k):
        p[0, i] = theta[i]
        q[0, i] = theta[k + k * k + i]
    for m in range(1, T):
        for i in range(k):
            sp = 0.0 * theta[0]
            sq = 0.0 * theta[0]
            for j in range(k):
                sp += B[i * k + j] * p[m - 1, j]
                sq += B[j * k + i] * q[m - 1, j]
            p[m, i] = sp
            q[m, i] = sq
    r = np.empty(T, dtype=theta.dtype)
    energy = 0.0 * theta[0]
    for m in range(T):
        g = 0.0 * theta[0]
        for i in range(k):
            g += theta[k + k * k + i] * p[m, i]
        r[m] = x[m] - g
        energy += 0.5 * r[m] * r[m]
    for i in range(out.size):
        out[i] = 0.0
    for m in range(T):
        for i in range(k):
            out[i] -= r[m] * q[m, i]
            out[k + k * k + i] -= r[m] * p[m, i]
    # ∂E/∂B = -Σ_{m+n <= T-2} r_{m+n+1} q_m p_nᵀ
    for m in range(T - 1):
        for n in range(T - 1 - m):
            w = r[m + n + 1]
            for i in range(k):
                wq = w * q[m, i]
                for j in range(k):
                    out[k + i * k + j] -= wq * p[n, j]
    return energy


@njit(cache=True)
def flat_hessian(theta, x, k, H):
    """Exact Hessian by complex-step differentiation of :func:`flat_grad` (step ``1e-30 i``)."""
    n = theta.size
    th = np.empty(n, dtype=np.complex128)
    xc = x.astype(np.complex128)
    g = np.empty(n, dtype=np.complex128)
    for col in range(n):
        for i in range(n):
            th[i] = theta[i]
        th[col] += 1e-30j
        flat_grad(th, xc, k, g)
        for i in range(n):
            H[i, col] = g[i].imag * 1e30
    for i in range(n):
        for j in range(i + 1, n):
            v = 0.5 * (H[i, j] + H[j, i])
            H[i, j] = v
            H[j, i] = v
