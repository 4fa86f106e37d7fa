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

Every matrix product is one BLAS ``dgemm`` call (:func:`_gemm`: transposes as flags, accumulation
as ``beta = 1``, no copies), down to the 4×16×16 products of the ``bench sim`` small case.  Hand-fused
loops were used below 8 192 multiply-adds until BLAS was called without numba's ``np.dot`` layer;
measured per product (min of 2 × 300 000 calls, same process), fused loops / dgemm: 1×4×4: 31 / 33 ns;
2×8×8: 73 / 49 ns; 4×16×16: 236 / 88 ns; 40×4×16: 749 / 167 ns; 4×32×32: 720 / 186 ns (the short
inner loops of the fused version do not vectorise well, OpenBLAS's small-matrix kernels do).  Small
case: 6.7 → 3.7 µs/step; the losses agree to 1.6e-14 (relative) over 20 000 steps.

Reference counting: the per-step kernels (:func:`corr_loss_grad_work`, :func:`_gemm`, :func:`_step`,
...) allocate nothing and are compiled without numba's reference-counting runtime (``_nrt=False``),
which otherwise wraps every call that passes arrays, and every array view, in atomic reference-count
updates (``np.dot(A, B, out)`` needs that runtime, one more reason for :func:`_gemm`).  Measured on the
``bench sim`` cases (min of 15 and of 7 timings, interleaved): small 8.0 → 6.7 µs/step, large
1.17 → 1.10 ms/step, with bit-identical losses.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

#: :func:`lrnn_theory.sim.simulate_gd` holds BLAS to one thread when the kernel's stacked products can
#: reach this many multiply-adds: a multi-threaded BLAS leaves its threads spinning after each call.  Below
#: it the limit is skipped: OpenBLAS runs such products on one thread anyway, and entering the limit
#: (``threadpoolctl``) costs ~0.5 ms per call.
ONE_BLAS_THREAD_MACS = 8192


#: Fast-math flags of the compute kernels' own loops (loss sums, residuals): reassociation (so that sums
#: vectorise) and fused multiply-add only.  No ``nnan``/``ninf``: the divergence checks rely on NaN and inf.
_FASTMATH = {"reassoc", "contract"}

#: Per-``k`` products (:func:`_corr_loss_grad_blocks`: one BLAS call per ``B_k``, ``M_k``, ``Z_q`` block,
#: the sums ``Σ_k G_k B_kᵀ`` and ``Σ_q Z_q B_qᵀ`` accumulated in place) instead of products over the
#: stacked ``k`` axis, for problems with ``N_x >= BLOCK_MIN_NX`` and ``N_h <= BLOCK_MAX_NH_PER_NX N_x``
#: (:func:`use_block_path`).  On this machine's OpenBLAS (SkylakeX kernels, one thread) a 64×64×64 block
#: runs at 75–85 Gflop/s in cache, while the stacked 64×1280×64 products run at 33–60 Gflop/s; with
#: few rows per block (small ``N_x``) the per-``k`` calls do too little work each.  Measured per step,
#: T = 20 (per-k / stacked, min of 5 timings, same process, both paths all-BLAS): (N_x, N_h) = (8, 4) 0.96;
#: (8, 8) 0.96; (8, 16) 0.89; (8, 24) 0.72; (8, 32) 0.97; (10, 10) 0.97; (12, 24) 0.85; (16, 8) 0.79;
#: (16, 16) 0.83; (16, 64) 0.92; (32, 8) 0.70; (32, 16) 0.77; (64, 4) 0.80; (64, 64) 1.00; ties at
#: (7, 20) 0.97, (8, 48) 1.01, (8, 64) 0.97; but (6, 8) 1.01, (6, 16) 1.03, (5, 10) 1.13, (6, 32) 1.15,
#: (4, 16) 1.24 (the ``bench sim`` small case), (4, 32) 1.31 and (4, 64) 1.46.
BLOCK_MIN_NX = 8
BLOCK_MAX_NH_PER_NX = 6


@njit(cache=True, _nrt=False)
def use_block_path(n_x, n_h):
    """Whether :func:`corr_loss_grad_work` takes the per-``k`` BLAS path for these sizes."""
    return n_x >= BLOCK_MIN_NX and n_h <= BLOCK_MAX_NH_PER_NX * n_x


_xxgemm = types.ExternalFunction("numba_xxgemm", types.intc(
    types.int8, types.int8, types.int8, types.intp, types.intp, types.intp, types.voidptr, types.voidptr,
    types.intp, types.voidptr, types.intp, types.voidptr, types.voidptr, types.intp))


@intrinsic
def _data_ptr(typingctx, arr):
    """``void*`` to the first element of ``arr``."""
    sig = types.voidptr(arr)

    def codegen(context, builder, sig, args):
        a = context.make_array(sig.args[0])(context, builder, args[0])
        return builder.bitcast(a.data, ir.IntType(8).as_pointer())

    return sig, codegen


@intrinsic
def _scalar_ptr(typingctx, value):
    """``void*`` to a stack slot holding the float64 ``value`` (BLAS takes alpha and beta by pointer)."""
    sig = types.voidptr(types.float64)

    def codegen(context, builder, sig, args):
        slot = cgutils.alloca_once_value(builder, args[0])
        return builder.bitcast(slot, ir.IntType(8).as_pointer())

    return sig, codegen


_CHAR_N = np.int8(ord("n"))
_CHAR_T = np.int8(ord("t"))
_CHAR_D = np.int8(ord("d"))


@njit(cache=True, _nrt=False)
def _transpose_into(A, out):
    """``out[j, i] = A[i, j]`` (a copy into a preallocated work array; both kernel paths set up with it)."""
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            out[j, i] = A[i, j]


@njit(cache=True, _nrt=False)
def _gemm(trans_a, trans_b, alpha, A, B, beta, C):
    """``C = alpha op(A) op(B) + beta C`` by one BLAS ``dgemm`` (``op`` transposes when ``trans_*``).

    All three arrays 2-d and C-contiguous (views of one block of a stacked array are); transposes
    and the accumulation (``beta = 1``) cost no copy.  Row-major ``C = op(A) op(B)`` is the
    column-major ``Cᵀ = op(B)ᵀ op(A)ᵀ``, which is what is sent to BLAS.
    """
    m, n = C.shape
    k = A.shape[0] if trans_a else A.shape[1]
    if (A.shape[1] if trans_a else A.shape[0]) != m or (B.shape[0] if trans_b else B.shape[1]) != n \
            or (B.shape[1] if trans_b else B.shape[0]) != k:
        raise ValueError("_gemm: shapes do not match")
    if m == 0 or n == 0:
        return
    if k == 0:  # empty sum: BLAS would reject the leading dimension 0
        for i in range(m):
            for j in range(n):
                C[i, j] = 0.0 if beta == 0.0 else beta * C[i, j]
        return
    status = _xxgemm(_CHAR_D, _CHAR_T if trans_b else _CHAR_N, _CHAR_T if trans_a else _CHAR_N, n, m, k,
                     _scalar_ptr(alpha), _data_ptr(B), B.shape[1], _data_ptr(A), A.shape[1], _scalar_ptr(beta),
                     _data_ptr(C), n)
    if status != 0:
        raise RuntimeError("BLAS dgemm is unavailable (numba takes it from scipy.linalg.cython_blas)")


@njit(cache=True)
def corr_prepare(CYX, CXX):
    """Correlations in the kernels' transposed layout.

    Returns ``CYXt`` (T, N_x, N_y) with ``CYXt[k] = CYX[k]ᵀ`` and ``C2`` (T N_x, T N_x) with
    ``C2[j N_x + l, k N_x + i] = CXX[j, k, l, i]`` (used only for non-whitened inputs).
    """
    T, n_y, n_x = CYX.shape
    CYXt = np.empty((T, n_x, n_y))
    for k in range(T):
        for i in range(n_x):
            for a in range(n_y):
                CYXt[k, i, a] = CYX[k, a, i]
    C2 = np.empty((T * n_x, T * n_x))
    for j in range(T):
        for k in range(T):
            for l in range(n_x):
                for i in range(n_x):
                    C2[j * n_x + l, k * n_x + i] = CXX[j, k, l, i]
    return CYXt, C2


@njit(cache=True)
def corr_work(T, n_x, n_y, n_h):
    """Work arrays of :func:`corr_loss_grad_work`: ``(WhT, WyT, Bt, Mt, Gt, U, Zt, gWxT)``."""
    return (np.empty((n_h, n_h)), np.empty((n_h, n_y)), np.empty((T, n_x, n_h)), np.empty((T, n_x, n_y)),
            np.empty((T, n_x, n_y)), np.empty((T, n_x, n_h)), np.empty((T, n_x, n_h)), np.empty((n_x, n_h)))


@njit(cache=True, fastmath=_FASTMATH, _nrt=False)
def corr_loss_grad_work(Wx, Wh, Wy, CYXt, C2, syy, whitened, WhT, WyT, Bt, Mt, Gt, U, Zt, gWxT, gWx, gWh, gWy):
    """Loss and gradients in correlation space, transposed layout; fills gWx, gWh, gWy; returns the loss.

    Every array is stored so that the inner loops run over the contiguous hidden axis ``N_h``:
    ``Bt[k] = (W_h^k W_x)ᵀ`` (N_x, N_h), ``Mt[k] = M_kᵀ``, ``Gt[k] = G_kᵀ`` (N_x, N_y),
    ``U[k] = G_kᵀ W_y`` and ``Zt[q] = Z_qᵀ`` (N_x, N_h).  Stacked over ``k`` (2-d views of shape
    (T N_x, ·)), the products ``M = W_y [B_0 … B_{T-1}]``, ``∂W_y = Σ_k G_k B_kᵀ``, ``U`` and
    ``∂W_h = Σ_q Z_q B_qᵀ`` are each one matrix product; only the recursions for ``B_k`` and ``Z_q``
    are sequential.  Work arrays from :func:`corr_work`; correlations from :func:`corr_prepare`.
    Problems with enough input rows per block (:func:`use_block_path`) take the per-``k`` BLAS path instead
    (:func:`_corr_loss_grad_blocks`; same arrays, same numbers to rounding).
    """
    T, n_x, n_h = Bt.shape
    if use_block_path(n_x, n_h):
        return _corr_loss_grad_blocks(Wx, Wh, Wy, CYXt, C2, syy, whitened, WhT, WyT, Bt, Mt, Gt, Zt, gWx, gWh, gWy)
    n_y = Wy.shape[0]
    TX = T * n_x
    Bt2 = Bt.reshape((TX, n_h))
    Mt2 = Mt.reshape((TX, n_y))
    Gt2 = Gt.reshape((TX, n_y))
    U2 = U.reshape((TX, n_h))
    Zt2 = Zt.reshape((TX, n_h))
    _transpose_into(Wh, WhT)
    _transpose_into(Wx, Bt[0])
    for k in range(1, T):
        _gemm(False, False, 1.0, Bt[k - 1], WhT, 0.0, Bt[k])
    _gemm(False, True, 1.0, Bt2, Wy, 0.0, Mt2)
    if whitened:
        for r in range(TX):
            for a in range(n_y):
                Gt2[r, a] = Mt2[r, a] - CYXt[r // n_x, r % n_x, a]
    else:
        _gemm(True, False, 1.0, C2, Mt2, 0.0, Gt2)
        for k in range(T):
            for i in range(n_x):
                for a in range(n_y):
                    Gt[k, i, a] -= CYXt[k, i, a]
    # loss = ½ syy - Σ <CYX_k, M_k> + ½ Σ <M_k, G_k + CYX_k>
    acc = 0.0
    for k in range(T):
        for i in range(n_x):
            for a in range(n_y):
                acc += Mt[k, i, a] * (Gt[k, i, a] - CYXt[k, i, a])
    loss = 0.5 * syy + 0.5 * acc
    _gemm(True, False, 1.0, Gt2, Bt2, 0.0, gWy)
    _gemm(False, False, 1.0, Gt2, Wy, 0.0, U2)
    # adjoint: Z_{T-1} = 0, Z_q = W_yᵀ G_{q+1} + W_hᵀ Z_{q+1}, i.e. Zt[q] = U[q+1] + Zt[q+1] W_h
    if T >= 2:
        for i in range(n_x):
            for m in range(n_h):
                Zt[T - 2, i, m] = U[T - 1, i, m]
        for q in range(T - 3, -1, -1):
            for i in range(n_x):
                for m in range(n_h):
                    Zt[q, i, m] = U[q + 1, i, m]
            _gemm(False, False, 1.0, Zt[q + 1], Wh, 1.0, Zt[q])
        for i in range(n_x):
            for m in range(n_h):
                gWxT[i, m] = U[0, i, m]
        _gemm(False, False, 1.0, Zt[0], Wh, 1.0, gWxT)
        _gemm(True, False, 1.0, Zt2[: (T - 1) * n_x], Bt2[: (T - 1) * n_x], 0.0, gWh)
    else:
        for i in range(n_x):
            for m in range(n_h):
                gWxT[i, m] = U[0, i, m]
        gWh[:, :] = 0.0
    for i in range(n_h):
        for j in range(n_x):
            gWx[i, j] = gWxT[j, i]
    return loss


@njit(cache=True, fastmath=_FASTMATH, _nrt=False)
def _corr_loss_grad_blocks(Wx, Wh, Wy, CYXt, C2, syy, whitened, WhT, WyT, Bt, Mt, Gt, Zt, gWx, gWh, gWy):
    """:func:`corr_loss_grad_work` on the per-``k`` path (:func:`use_block_path`): one BLAS call per ``k`` block, sums accumulated in place.

    Same arrays and identities as :func:`corr_loss_grad_work` (``Bt[k] = B_kᵀ``, ``Mt[k] = M_kᵀ``,
    ``Gt[k] = G_kᵀ``, ``Zt[q] = Z_qᵀ``, all (N_x, ·)), but every product is one ``N_x``-row block that
    stays in cache: ``Bt[k] = Bt[k-1] W_hᵀ`` and ``Mt[k] = Bt[k] W_yᵀ`` (row-major ``A @ B``, the
    fastest orientation of this BLAS, with ``W_hᵀ``, ``W_yᵀ`` copied once); ``U`` is not formed:
    ``Zt[q] = Gt[q+1] W_y + Zt[q+1] W_h`` is two products into the same block; ``∂W_y += Gt[k]ᵀ Bt[k]``
    and ``∂W_h += Zt[q]ᵀ Bt[q]`` are accumulated by BLAS (``beta = 1``) in the backward sweep, while
    the blocks are in cache; ``∂W_x = W_yᵀ Gt[0]ᵀ + W_hᵀ Zt[0]ᵀ`` is written directly.  (Storing ``G``
    untransposed would make the sums plain ``A @ B`` too, but the transposing pass costs more than it
    saves: measured 5–12 % slower on the ``bench sim`` large case.)  Returns the loss.
    """
    T, n_x, n_h = Bt.shape
    n_y = Wy.shape[0]
    _transpose_into(Wh, WhT)
    _transpose_into(Wy, WyT)
    _transpose_into(Wx, Bt[0])
    # forward: B_k = W_h B_{k-1}, M_k = W_y B_k (and G_k and the loss terms for whitened inputs)
    acc = 0.0
    for k in range(T):
        if k > 0:
            _gemm(False, False, 1.0, Bt[k - 1], WhT, 0.0, Bt[k])
        _gemm(False, False, 1.0, Bt[k], WyT, 0.0, Mt[k])
        if whitened:  # G_k = M_k - CYX_k;  loss term <M_k, G_k - CYX_k>
            for i in range(n_x):
                for a in range(n_y):
                    m = Mt[k, i, a]
                    c = CYXt[k, i, a]
                    Gt[k, i, a] = m - c
                    acc += m * (m - 2.0 * c)
    if not whitened:  # G_k = Σ_j M_j CXX_{jk} - CYX_k: one product over the stacked k axis
        _gemm(True, False, 1.0, C2, Mt.reshape((T * n_x, n_y)), 0.0, Gt.reshape((T * n_x, n_y)))
        for k in range(T):
            for i in range(n_x):
                for a in range(n_y):
                    Gt[k, i, a] -= CYXt[k, i, a]
                    acc += Mt[k, i, a] * (Gt[k, i, a] - CYXt[k, i, a])
    loss = 0.5 * syy + 0.5 * acc
    # backward: Z_{T-1} = 0, Z_q = W_yᵀ G_{q+1} + W_hᵀ Z_{q+1};  ∂W_y = Σ_k G_k B_kᵀ, ∂W_h = Σ_q Z_q B_qᵀ
    _gemm(True, False, 1.0, Gt[T - 1], Bt[T - 1], 0.0, gWy)
    for q in range(T - 2, -1, -1):
        _gemm(False, False, 1.0, Gt[q + 1], Wy, 0.0, Zt[q])
        if q < T - 2:
            _gemm(False, False, 1.0, Zt[q + 1], Wh, 1.0, Zt[q])
        _gemm(True, False, 1.0, Zt[q], Bt[q], 0.0 if q == T - 2 else 1.0, gWh)
        _gemm(True, False, 1.0, Gt[q], Bt[q], 1.0, gWy)
    if T == 1:
        gWh[:, :] = 0.0
    # ∂W_x = W_yᵀ G_0 + W_hᵀ Z_0, written as (N_h, N_x) from the transposed blocks
    _gemm(True, True, 1.0, Wy, Gt[0], 0.0, gWx)
    if T >= 2:
        _gemm(True, True, 1.0, Wh, Zt[0], 1.0, gWx)
    return loss


@njit(cache=True)
def corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, gWx, gWh, gWy):
    """Loss and gradients in correlation space (one call; allocates its work arrays); fills gWx, gWh, gWy."""
    T, n_y, n_x = CYX.shape
    CYXt, C2 = corr_prepare(CYX, CXX)
    WhT, WyT, Bt, Mt, Gt, U, Zt, gWxT = corr_work(T, n_x, n_y, Wh.shape[0])
    return corr_loss_grad_work(Wx, Wh, Wy, CYXt, C2, syy, whitened, WhT, WyT, Bt, Mt, Gt, U, Zt, gWxT,
                               gWx, gWh, gWy)


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


@njit(cache=True, _nrt=False)
def _all_finite(A):
    """Whether every entry of the 2-d array A is finite."""
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if not np.isfinite(A[i, j]):
                return False
    return True


@njit(cache=True, _nrt=False)
def _step(W, g, lr):
    """``W -= lr * g`` in place, without a temporary."""
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            W[i, j] -= lr * g[i, j]


@njit(cache=True, _nrt=False)
def _copy_into(dst, src):
    """``dst[...] = src`` for 2-d arrays of one shape, as a loop (numba's array assignment would compile
    its shape-mismatch error message, seconds of compilation for nothing)."""
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[i, j] = src[i, j]


#: Outcomes of :func:`_gd_step`.
_GO, _STOP, _DIVERGED = 0, 1, 2


@njit(cache=True, _nrt=False)
def _gd_step(n, loss, Wx, Wh, Wy, gWx, gWh, gWy, lr, steps, record_every, freeze, div_threshold, stop_loss,
             rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step, n_rec):
    """After the loss and gradients of step ``n``: the divergence check, the record and the update.

    Returns ``(n_rec, outcome)``: ``_DIVERGED`` (non-finite or exploding loss or weights, nothing
    recorded), ``_STOP`` (last step, or the loss reached ``stop_loss``; recorded) or ``_GO`` (updated).
    """
    bad = not np.isfinite(loss) or loss > div_threshold
    if not bad:
        bad = not (_all_finite(Wh) and _all_finite(Wx) and _all_finite(Wy))
    if bad:
        return n_rec, _DIVERGED
    done = loss <= stop_loss
    if n % record_every == 0 or n == steps or done:
        _copy_into(rec_Wx[n_rec], Wx)
        _copy_into(rec_Wh[n_rec], Wh)
        _copy_into(rec_Wy[n_rec], Wy)
        rec_loss[n_rec] = loss
        rec_step[n_rec] = n
        n_rec += 1
    if n == steps or done:
        return n_rec, _STOP
    if not freeze[0]:
        _step(Wx, gWx, lr)
    if not freeze[1]:
        _step(Wh, gWh, lr)
    if not freeze[2]:
        _step(Wy, gWy, lr)
    return n_rec, _GO


@njit(cache=True)
def run_gd(Wx, Wh, Wy, CYX, CXX, syy, whitened, lr, steps, record_every, freeze,
           div_threshold, stop_loss, rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step):
    """Full-batch gradient descent from (Wx, Wh, Wy) (modified in place), gradients in correlation space.

    Records the state after ``n`` updates for ``n = 0, record_every, 2 record_every, ...`` and
    ``n = steps``, or the step at which the loss first falls to ``stop_loss`` (then it stops).
    Stops at the first non-finite or exploding loss (> ``div_threshold``) or
    weight.  Returns ``(n_records, diverged_step)`` with ``diverged_step = -1`` if none.
    (The BPTT method is :func:`run_gd_bptt`: a separate kernel, so that neither compiles the other.)
    """
    T = CYX.shape[0]
    n_h, n_x = Wx.shape
    n_y = Wy.shape[0]
    CYXt, C2 = corr_prepare(CYX, CXX)
    WhT, WyT, Bt, Mt, Gt, U, Zt, gWxT = corr_work(T, n_x, n_y, n_h)
    gWx = np.empty((n_h, n_x))
    gWh = np.empty((n_h, n_h))
    gWy = np.empty((n_y, n_h))
    n_rec = 0
    for n in range(steps + 1):
        loss = corr_loss_grad_work(Wx, Wh, Wy, CYXt, C2, syy, whitened, WhT, WyT, Bt, Mt, Gt, U, Zt, gWxT,
                                   gWx, gWh, gWy)
        n_rec, outcome = _gd_step(n, loss, Wx, Wh, Wy, gWx, gWh, gWy, lr, steps, record_every, freeze,
                                  div_threshold, stop_loss, rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step, n_rec)
        if outcome == _DIVERGED:
            return n_rec, n
        if outcome == _STOP:
            break
    return n_rec, -1


@njit(cache=True)
def run_gd_bptt(Wx, Wh, Wy, X, Y, w, lr, steps, record_every, freeze, div_threshold, stop_loss,
                rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step):
    """:func:`run_gd` with the gradients of :func:`bptt_loss_grad` (per-sample BPTT, loss weight ``w``)."""
    n_h, n_x = Wx.shape
    n_y = Wy.shape[0]
    H = np.empty((X.shape[1] + 1, n_h))
    gWx = np.empty((n_h, n_x))
    gWh = np.empty((n_h, n_h))
    gWy = np.empty((n_y, n_h))
    n_rec = 0
    for n in range(steps + 1):
        loss = bptt_loss_grad(Wx, Wh, Wy, X, Y, w, H, gWx, gWh, gWy)
        n_rec, outcome = _gd_step(n, loss, Wx, Wh, Wy, gWx, gWh, gWy, lr, steps, record_every, freeze,
                                  div_threshold, stop_loss, rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step, n_rec)
        if outcome == _DIVERGED:
            return n_rec, n
        if outcome == _STOP:
            break
    return n_rec, -1


@njit(cache=True, parallel=True)
def run_gd_batch(Wx, Wh, Wy, CYX, CXX, syy, whitened, lr, steps, record_every, freeze, div_threshold, stop_loss,
                 rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step, n_rec, diverged_step):
    """Independent correlation-space runs in parallel over the leading axis ``r`` of every array."""
    R = Wx.shape[0]
    for r in prange(R):
        nr, ds = run_gd(Wx[r], Wh[r], Wy[r], CYX[r], CXX[r], syy[r], whitened[r], lr[r], steps, record_every,
                        freeze, div_threshold, stop_loss, rec_Wx[r], rec_Wh[r], rec_Wy[r], rec_loss[r], rec_step[r])
        n_rec[r] = nr
        diverged_step[r] = ds
