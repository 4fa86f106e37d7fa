"""numba kernels of full-batch gradient descent on a linear RNN (theory guide :ref:`theory-loss`, :ref:`theory-conventions`, :ref:`theory-matrix-flow`).

Private module: plain arrays in, plain arrays out; the validating layer is
:mod:`lrnn_theory.sim.gd`.

Index convention inside the kernels: ``k = T - i`` is the number of times
input ``i`` passes through ``W_h``.  Correlation arrays are stored by ``k``:
``CYX[k] = Σ^{YX_{T-k}}`` (N_y, N_x) and ``CXX[k, j] = Σ^{X_{T-k} X_{T-j}}``
(N_x, N_x), both weighted per the loss convention.

Correlation-space gradient (exact loss identity of :ref:`theory-loss`): with
``M_k = W_y W_h^k W_x`` and ``G_k = ∂L/∂M_k = Σ_j M_j CXX_{jk} - CYX_k``
(``= M_k - CYX_k`` for whitened inputs),

* ``∂L/∂W_y = Σ_k G_k (W_h^k W_x)ᵀ``
* ``∂L/∂W_x = W_yᵀ G_0 + W_hᵀ Z_0``
* ``∂L/∂W_h = Σ_{q=0}^{T-2} Z_q (W_h^q W_x)ᵀ``

with the adjoint recursion ``Z_{T-1} = 0``, ``Z_q = W_yᵀ G_{q+1} + W_hᵀ Z_{q+1}``
(one backward sweep, the correlation-space analogue of BPTT): the cost is
``O(T)`` matrix products, independent of ``P``.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

METHOD_CORRELATION = 0
METHOD_BPTT = 1


@njit(cache=True)
def corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, B, M, G, Z, gWx, gWh, gWy):
    """Loss and gradients in correlation space; fills gWx, gWh, gWy; returns the loss.

    Work arrays: B (T, N_h, N_x) = W_h^k W_x, M (T, N_y, N_x), G (T, N_y, N_x), Z (N_h, N_x).
    """
    T = CYX.shape[0]
    B[0, :, :] = Wx
    for k in range(1, T):
        B[k] = np.dot(Wh, B[k - 1])
    for k in range(T):
        M[k] = np.dot(Wy, B[k])
    if whitened:
        for k in range(T):
            G[k] = M[k] - CYX[k]
    else:
        for k in range(T):
            G[k] = -CYX[k]
        for j in range(T):
            for k in range(T):
                G[k] += np.dot(M[j], CXX[j, k])
    # loss = ½ syy - Σ <CYX_k, M_k> + ½ Σ <M_k, G_k + CYX_k>
    loss = 0.5 * syy
    for k in range(T):
        loss += np.sum(M[k] * (0.5 * G[k] - 0.5 * CYX[k]))
    # gradients
    gWy[:, :] = 0.0
    for k in range(T):
        gWy += np.dot(G[k], B[k].T)
    gWh[:, :] = 0.0
    Z[:, :] = 0.0
    for q in range(T - 2, -1, -1):
        Z[:, :] = np.dot(Wy.T, G[q + 1]) + np.dot(Wh.T, Z)
        gWh += np.dot(Z, B[q].T)
    if T >= 2:
        gWx[:, :] = np.dot(Wy.T, G[0]) + np.dot(Wh.T, Z)
    else:
        gWx[:, :] = np.dot(Wy.T, G[0])
    return loss


@njit(cache=True)
def bptt_loss_grad(Wx, Wh, Wy, X, Y, w, H, gWx, gWh, gWy):
    """Loss ``w/2 Σ_p ‖ŷ_p - y_p‖²`` and its gradients by explicit per-sample BPTT (theory guide :ref:`theory-matrix-flow`).

    Work array H (T+1, N_h).  Forward ``h_1 = 0, h_{t+1} = W_h h_t + W_x x_t``; backward
    ``g_{T+1} = W_yᵀ e``, ``∂W_x += g_{t+1} x_tᵀ``, ``∂W_h += g_{t+1} h_tᵀ``, ``g_t = W_hᵀ g_{t+1}``.
    """
    P, T, n_x = X.shape
    n_h = Wh.shape[0]
    gWx[:, :] = 0.0
    gWh[:, :] = 0.0
    gWy[:, :] = 0.0
    loss = 0.0
    g = np.empty(n_h)
    for p in range(P):
        H[0, :] = 0.0
        for t in range(T):
            H[t + 1] = np.dot(Wh, H[t]) + np.dot(Wx, X[p, t])
        e = np.dot(Wy, H[T]) - Y[p]
        loss += 0.5 * w * np.sum(e * e)
        e = w * e
        gWy += np.outer(e, H[T])
        g[:] = np.dot(Wy.T, e)
        for t in range(T - 1, -1, -1):
            gWx += np.outer(g, X[p, t])
            gWh += np.outer(g, H[t])
            g[:] = np.dot(Wh.T, g)
    return loss


@njit(cache=True)
def run_gd(Wx, Wh, Wy, method, CYX, CXX, syy, whitened, X, Y, w, lr, steps, record_every, freeze,
           div_threshold, stop_loss, rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step):
    """Full-batch gradient descent from (Wx, Wh, Wy) (modified in place).

    Records the state after ``n`` updates for ``n = 0, record_every, 2 record_every, ...`` and
    ``n = steps``, or the step at which the loss first falls to ``stop_loss`` (then it stops).
    Stops at the first non-finite or exploding loss (> ``div_threshold``) or
    weight.  Returns ``(n_records, diverged_step)`` with ``diverged_step = -1`` if none.
    """
    T = CYX.shape[0]
    n_h, n_x = Wx.shape
    n_y = Wy.shape[0]
    B = np.empty((T, n_h, n_x))
    M = np.empty((T, n_y, n_x))
    G = np.empty((T, n_y, n_x))
    Z = np.empty((n_h, n_x))
    H = np.empty((T + 1, n_h))
    gWx = np.empty_like(Wx)
    gWh = np.empty_like(Wh)
    gWy = np.empty_like(Wy)
    n_rec = 0
    diverged_step = -1
    for n in range(steps + 1):
        if method == METHOD_CORRELATION:
            loss = corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, B, M, G, Z, gWx, gWh, gWy)
        else:
            loss = bptt_loss_grad(Wx, Wh, Wy, X, Y, w, H, gWx, gWh, gWy)
        bad = not np.isfinite(loss) or loss > div_threshold
        if not bad:
            bad = not (np.all(np.isfinite(Wh)) and np.all(np.isfinite(Wx)) and np.all(np.isfinite(Wy)))
        if bad:
            diverged_step = n
            break
        done = loss <= stop_loss
        if n % record_every == 0 or n == steps or done:
            rec_Wx[n_rec] = Wx
            rec_Wh[n_rec] = Wh
            rec_Wy[n_rec] = Wy
            rec_loss[n_rec] = loss
            rec_step[n_rec] = n
            n_rec += 1
        if n == steps or done:
            break
        if not freeze[0]:
            Wx -= lr * gWx
        if not freeze[1]:
            Wh -= lr * gWh
        if not freeze[2]:
            Wy -= lr * gWy
    return n_rec, diverged_step


@njit(cache=True, parallel=True)
def run_gd_batch(Wx, Wh, Wy, CYX, CXX, syy, whitened, lr, steps, record_every, freeze, div_threshold, stop_loss,
                 rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step, n_rec, diverged_step):
    """Independent correlation-space runs in parallel over the leading axis ``r`` of every array."""
    R = Wx.shape[0]
    X = np.empty((1, 1, 1))
    Y = np.empty((1, 1))
    for r in prange(R):
        nr, ds = run_gd(Wx[r], Wh[r], Wy[r], METHOD_CORRELATION, CYX[r], CXX[r], syy[r], whitened[r], X, Y,
                        1.0, lr[r], steps, record_every, freeze, div_threshold, stop_loss,
                        rec_Wx[r], rec_Wh[r], rec_Wy[r], rec_loss[r], rec_step[r])
        n_rec[r] = nr
        diverged_step[r] = ds
