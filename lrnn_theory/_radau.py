"""Compiled Radau IIA (order 5) integrator for batches of connectivity modes.

Private module: numba kernels over plain arrays.  The validating Python layer
is :mod:`lrnn_theory.integrate`.

Why this integrator
-------------------
The mode ODE of theory guide :ref:`theory-mode-odes` turns stiff as a mode converges (the Hessian at
the solution has eigenvalues up to ``~δ² T³/3``, :ref:`theory-stability`), so explicit methods
spend most of their steps on stability.  Radau IIA is L-stable and of order
5; with only three state variables its 9×9 Newton matrix and the analytic
Jacobian cost next to nothing, so every step refreshes the Jacobian and the
LU factorisation.  Each mode keeps its own step size (one stiff mode does not
slow down the batch), and modes run in parallel (``prange``).

The method follows Hairer & Wanner, *Solving ODEs II*, §IV.8 (the same
constants as ``scipy.integrate.Radau``): collocation at the Radau points,
simplified Newton iterations, the embedded error estimate with the real
eigenvalue ``MU_REAL`` of ``A^{-1}``, the predictive step-size controller,
and the collocation polynomial as dense output.

Systems (``model`` argument)
----------------------------
0: full mode ``y = (a, b, c)`` (theory guide :ref:`theory-mode-odes`; Proca et al. (2025), eqs. 5–8)::

    τ ȧ = c S1,  τ ḃ = a c S2,  τ ċ = a S1,
    S1 = Σ_k b^k r_k,  S2 = Σ_{k≥1} k b^{k-1} r_k,  r_k = s_{T-k} - a c b^k

1: reduced mode ``y = (u, b)`` with imbalance ``Δ = a² - c²`` (theory guide :ref:`theory-reduced`)::

    τ u̇ = sqrt(Δ² + 4u²) S1,  τ ḃ = u S2,  r_k = s_{T-k} - u b^k

2: complex full mode, stored as the real 6-vector
``y = (Re a, Re b, Re c, Im a, Im b, Im c)`` with ``S = (Re s, Im s)`` of
length ``2T`` (Proca et al. (2025), App. N–O)::

    τ ȧ = conj(c) S1,  τ ḃ = conj(a c) S2,  τ ċ = conj(a) S1,
    S1 = Σ_k conj(b)^k r_k,  S2 = Σ_{k≥1} k conj(b)^{k-1} r_k,  r_k = s_{T-k} - a c b^k

(gradient flow on real and imaginary parts, ``ż = -2 ∂E/∂conj(z)``).  Its
Jacobian is assembled from the Wirtinger derivatives ``α = ∂f/∂z``,
``β = ∂f/∂conj(z)``: ``∂(Re f, Im f)/∂(Re z, Im z) = [[Re(α+β), -Im(α-β)],
[Im(α+β), Re(α-β)]]``.  Norms (error, Newton, bound) use the modulus of each
complex component, as ``solve_ivp`` does for complex states.  With all
imaginary parts zero the model performs the same floating-point operations
on the real parts as model 0, so it reproduces it exactly.

Status codes: 0 reached the end, 1 left the box ``|y_i| <= bound`` or became
non-finite (diverged), -1 step size underflow, -2 ``max_steps`` exhausted.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

STATUS_OK = 0
STATUS_DIVERGED = 1
STATUS_STEP_UNDERFLOW = -1
STATUS_MAX_STEPS = -2

_S6 = 6.0 ** 0.5
#: Radau IIA nodes.
C = np.array([(4.0 - _S6) / 10.0, (4.0 + _S6) / 10.0, 1.0])
#: Error-estimate weights (Hairer & Wanner IV.8, eq. 8.20, scaled as in scipy).
E = np.array([-13.0 - 7.0 * _S6, -13.0 + 7.0 * _S6, -1.0]) / 3.0
#: Real eigenvalue of the inverse Butcher matrix.
MU_REAL = 3.0 + 3.0 ** (2.0 / 3.0) - 3.0 ** (1.0 / 3.0)
#: Dense-output matrix: y(t_old + x h) = y_old + (Z^T P) (x, x², x³).
P = np.array([
    [13.0 / 3.0 + 7.0 * _S6 / 3.0, -23.0 / 3.0 - 22.0 * _S6 / 3.0, 10.0 / 3.0 + 5.0 * _S6],
    [13.0 / 3.0 - 7.0 * _S6 / 3.0, -23.0 / 3.0 + 22.0 * _S6 / 3.0, 10.0 / 3.0 - 5.0 * _S6],
    [1.0 / 3.0, -8.0 / 3.0, 10.0 / 3.0],
])


def _collocation_matrix(c: np.ndarray) -> np.ndarray:
    """Butcher matrix ``A_ij = ∫_0^{c_i} ℓ_j(x) dx`` of the collocation method with nodes ``c``."""
    n = c.size
    A = np.empty((n, n))
    for j in range(n):
        others = np.delete(c, j)
        poly = np.poly(others) / np.prod(c[j] - others)  # Lagrange basis ℓ_j, highest power first
        integral = np.polyint(poly)
        A[:, j] = np.polyval(integral, c) - np.polyval(integral, 0.0)
    return A


#: Radau IIA Butcher matrix (computed from the collocation conditions).
A = _collocation_matrix(C)

NEWTON_MAXITER = 7
MIN_FACTOR = 0.2
MAX_FACTOR = 10.0


@njit(cache=True)
def sums_batch(x0, b, S, out):
    """:func:`_sums` for many modes: ``x0, b`` (n,), ``S`` (n, T) -> ``out`` (7, n)."""
    work = np.empty(7)
    for m in range(x0.size):
        _sums(x0[m], b[m], S[m], S.shape[1], work)
        out[:, m] = work


@njit(cache=True)
def _sums(x0, b, s, T, out):
    """Sums S1, S2, S3, G0, G1, G2 shared by the RHS and the Jacobian.

    ``x0`` is the input–output product (``a c`` or ``u``).  With ``k = T - i``:
    S1 = Σ b^k r_k, S2 = Σ k b^{k-1} r_k, S3 = Σ k(k-1) b^{k-2} r_k,
    G0 = Σ b^{2k}, G1 = Σ k b^{2k-1}, G2 = Σ k² b^{2k-2}; also E = ½ Σ r_k².
    """
    S1 = 0.0
    S2 = 0.0
    S3 = 0.0
    G0 = 0.0
    G1 = 0.0
    G2 = 0.0
    En = 0.0
    pkm2 = 0.0  # b^(k-2)
    pkm1 = 0.0  # b^(k-1)
    pk = 1.0  # b^k
    for k in range(T):
        r = s[T - 1 - k] - x0 * pk
        S1 += pk * r
        G0 += pk * pk
        En += r * r
        if k >= 1:
            S2 += k * pkm1 * r
            G1 += k * pkm1 * pk
            G2 += k * k * pkm1 * pkm1
        if k >= 2:
            S3 += k * (k - 1) * pkm2 * r
        pkm2 = pkm1
        pkm1 = pk
        pk = pk * b
    out[0] = S1
    out[1] = S2
    out[2] = S3
    out[3] = G0
    out[4] = G1
    out[5] = G2
    out[6] = 0.5 * En


@njit(cache=True)
def _sums_c(x0r, x0i, br, bi, s, T, out):
    """Complex counterpart of :func:`_sums` (model 2); ``s`` holds ``(Re s, Im s)`` (length ``2T``).

    With ``p_k = b^k`` and ``r_k = s_{T-k} - x0 p_k``: out = (S1, S2, S3 as Re/Im pairs,
    G0, G1 as a Re/Im pair, G2, E) with S1 = Σ conj(p_k) r_k, S2 = Σ k conj(p_{k-1}) r_k,
    S3 = Σ k(k-1) conj(p_{k-2}) r_k, G0 = Σ |p_k|², G1 = Σ k conj(p_k) p_{k-1},
    G2 = Σ k² |p_{k-1}|², E = ½ Σ |r_k|².  Every operation is written so that, when all
    imaginary parts are zero, the real parts are computed by exactly the floating-point
    operations of :func:`_sums` (the complex solver then reproduces the real one bit for bit).
    """
    S1r = 0.0
    S1i = 0.0
    S2r = 0.0
    S2i = 0.0
    S3r = 0.0
    S3i = 0.0
    G0 = 0.0
    G1r = 0.0
    G1i = 0.0
    G2 = 0.0
    En = 0.0
    pm2r = 0.0
    pm2i = 0.0
    pm1r = 0.0
    pm1i = 0.0
    pkr = 1.0
    pki = 0.0
    for k in range(T):
        rr = s[T - 1 - k] - (x0r * pkr - x0i * pki)
        ri = s[2 * T - 1 - k] - (x0r * pki + x0i * pkr)
        S1r += pkr * rr + pki * ri
        S1i += pkr * ri - pki * rr
        G0 += pkr * pkr + pki * pki
        En += rr * rr + ri * ri
        if k >= 1:
            qr = k * pm1r
            qi = k * pm1i
            S2r += qr * rr + qi * ri
            S2i += qr * ri - qi * rr
            G1r += qr * pkr + qi * pki
            G1i += qi * pkr - qr * pki
            G2 += k * k * pm1r * pm1r + k * k * pm1i * pm1i
        if k >= 2:
            qr = k * (k - 1) * pm2r
            qi = k * (k - 1) * pm2i
            S3r += qr * rr + qi * ri
            S3i += qr * ri - qi * rr
        pm2r = pm1r
        pm2i = pm1i
        pm1r = pkr
        pm1i = pki
        tr = pkr * br - pki * bi
        pki = pkr * bi + pki * br
        pkr = tr
    out[0] = S1r
    out[1] = S1i
    out[2] = S2r
    out[3] = S2i
    out[4] = S3r
    out[5] = S3i
    out[6] = G0
    out[7] = G1r
    out[8] = G1i
    out[9] = G2
    out[10] = 0.5 * En


@njit(cache=True)
def _mul(xr, xi, yr, yi):
    """Complex product ``x y`` as a (re, im) pair."""
    return xr * yr - xi * yi, xr * yi + xi * yr


@njit(cache=True)
def _cmul(xr, xi, yr, yi):
    """Complex product ``conj(x) y`` as a (re, im) pair."""
    return xr * yr + xi * yi, xr * yi - xi * yr


@njit(cache=True)
def _rhs_complex(y, s, T, inv_tau, frozen, f, work):
    """Model 2: ``τ ȧ = conj(c) S1``, ``τ ḃ = conj(a c) S2``, ``τ ċ = conj(a) S1``; y = (Re a, Re b, Re c, Im a, Im b, Im c)."""
    ar, br, cr, ai, bi, ci = y[0], y[1], y[2], y[3], y[4], y[5]
    ur, ui = _mul(ar, ai, cr, ci)
    _sums_c(ur, ui, br, bi, s, T, work)
    S1r, S1i, S2r, S2i = work[0], work[1], work[2], work[3]
    far, fai = _cmul(cr, ci, S1r, S1i)
    fbr, fbi = _cmul(ur, ui, S2r, S2i)
    fcr, fci = _cmul(ar, ai, S1r, S1i)
    f[0] = far * inv_tau
    f[1] = fbr * inv_tau
    f[2] = fcr * inv_tau
    f[3] = fai * inv_tau
    f[4] = fbi * inv_tau
    f[5] = fci * inv_tau
    for i in range(6):
        if frozen[i]:
            f[i] = 0.0


@njit(cache=True)
def _put(J, p, q, spr, spi, smr, smi):
    """Real 2×2 block of ``d f_p / d z_q`` from ``α ± β`` (``α = ∂f/∂z``, ``β = ∂f/∂conj(z)``)."""
    J[p, q] = spr
    J[p, q + 3] = -smi
    J[p + 3, q] = spi
    J[p + 3, q + 3] = smr


@njit(cache=True)
def _jac_complex(y, s, T, inv_tau, frozen, J, work):
    """Analytic 6×6 Jacobian of :func:`_rhs_complex` (Wirtinger derivatives, see the module docstring)."""
    ar, br, cr, ai, bi, ci = y[0], y[1], y[2], y[3], y[4], y[5]
    ur, ui = _mul(ar, ai, cr, ci)
    _sums_c(ur, ui, br, bi, s, T, work)
    S1r, S1i, S2r, S2i, S3r, S3i = work[0], work[1], work[2], work[3], work[4], work[5]
    G0, G1r, G1i, G2 = work[6], work[7], work[8], work[9]
    H1r, H1i = G1r, -G1i  # conj(G1)
    # row a: f = conj(c) S1
    cc = cr * cr + ci * ci
    v = -(cc * G0)
    _put(J, 0, 0, v, 0.0, v, 0.0)
    wr, wi = _mul(ur, ui, G1r, G1i)
    pr, pi = _cmul(cr, ci, S2r - wr, S2i - wi)
    mr, mi = _cmul(cr, ci, S2r + wr, S2i + wi)
    _put(J, 0, 1, pr, pi, -mr, -mi)
    acr, aci = _cmul(cr, ci, ar, ai)  # a conj(c)
    _put(J, 0, 2, S1r - acr * G0, S1i - aci * G0, -(acr * G0) - S1r, -(aci * G0) - S1i)
    # row b: f = conj(u) S2
    xr, xi = _cmul(ur, ui, cr, ci)  # conj(u) c
    xr, xi = _mul(xr, xi, H1r, H1i)
    br_, bi_ = _cmul(cr, ci, S2r, S2i)  # conj(c) S2
    _put(J, 1, 0, br_ - xr, bi_ - xi, -xr - br_, -xi - bi_)
    wr, wi = ur * G2, ui * G2
    pr, pi = _cmul(ur, ui, S3r - wr, S3i - wi)
    mr, mi = _cmul(ur, ui, S3r + wr, S3i + wi)
    _put(J, 1, 1, pr, pi, -mr, -mi)
    aar, aai = _cmul(ar, ai, ar, ai)  # |a|^2
    xr, xi = _cmul(cr, ci, aar, aai)  # |a|^2 conj(c) = conj(u) a
    xr, xi = _mul(xr, xi, H1r, H1i)
    br_, bi_ = _cmul(ar, ai, S2r, S2i)  # conj(a) S2
    _put(J, 1, 2, br_ - xr, bi_ - xi, -xr - br_, -xi - bi_)
    # row c: f = conj(a) S1
    acr, aci = _cmul(ar, ai, cr, ci)  # conj(a) c
    _put(J, 2, 0, S1r - acr * G0, S1i - aci * G0, -(acr * G0) - S1r, -(aci * G0) - S1i)
    wr, wi = _mul(ur, ui, G1r, G1i)
    pr, pi = _cmul(ar, ai, S2r - wr, S2i - wi)
    mr, mi = _cmul(ar, ai, S2r + wr, S2i + wi)
    _put(J, 2, 1, pr, pi, -mr, -mi)
    v = -((ar * ar + ai * ai) * G0)
    _put(J, 2, 2, v, 0.0, v, 0.0)
    for i in range(6):
        for j in range(6):
            if frozen[i]:
                J[i, j] = 0.0
            else:
                J[i, j] *= inv_tau


@njit(cache=True)
def _mag(model, v, i):
    """Size of component ``i`` for norms and the bound: ``|v_i|``, or the modulus of the complex component (model 2)."""
    if model == 2:
        j = i % 3
        return math.hypot(v[j], v[j + 3])
    return abs(v[i])


@njit(cache=True)
def _rhs(model, y, s, T, delta, inv_tau, frozen, f, work):
    if model == 2:
        _rhs_complex(y, s, T, inv_tau, frozen, f, work)
        return
    if model == 0:
        a = y[0]
        b = y[1]
        c = y[2]
        _sums(a * c, b, s, T, work)
        f[0] = c * work[0] * inv_tau
        f[1] = a * c * work[1] * inv_tau
        f[2] = a * work[0] * inv_tau
        n = 3
    else:
        u = y[0]
        b = y[1]
        _sums(u, b, s, T, work)
        q = np.sqrt(delta * delta + 4.0 * u * u)
        f[0] = q * work[0] * inv_tau
        f[1] = u * work[1] * inv_tau
        n = 2
    for i in range(n):
        if frozen[i]:
            f[i] = 0.0


@njit(cache=True)
def _jac(model, y, s, T, delta, inv_tau, frozen, J, work):
    if model == 2:
        _jac_complex(y, s, T, inv_tau, frozen, J, work)
        return
    if model == 0:
        a = y[0]
        b = y[1]
        c = y[2]
        ac = a * c
        _sums(ac, b, s, T, work)
        S1, S2, S3, G0, G1, G2 = work[0], work[1], work[2], work[3], work[4], work[5]
        J[0, 0] = -c * c * G0
        J[0, 1] = c * (S2 - ac * G1)
        J[0, 2] = S1 - ac * G0
        J[1, 0] = c * S2 - a * c * c * G1
        J[1, 1] = ac * (S3 - ac * G2)
        J[1, 2] = a * S2 - a * a * c * G1
        J[2, 0] = S1 - ac * G0
        J[2, 1] = a * (S2 - ac * G1)
        J[2, 2] = -a * a * G0
        n = 3
    else:
        u = y[0]
        b = y[1]
        _sums(u, b, s, T, work)
        S1, S2, S3, G0, G1, G2 = work[0], work[1], work[2], work[3], work[4], work[5]
        q = np.sqrt(delta * delta + 4.0 * u * u)
        dq = 4.0 * u / q if q > 0.0 else 0.0
        J[0, 0] = dq * S1 - q * G0
        J[0, 1] = q * (S2 - u * G1)
        J[1, 0] = S2 - u * G1
        J[1, 1] = u * (S3 - u * G2)
        n = 2
    for i in range(n):
        for j in range(n):
            if frozen[i]:
                J[i, j] = 0.0
            else:
                J[i, j] *= inv_tau


@njit(cache=True)
def _energy(model, y, s, T, work):
    if model == 2:
        ur, ui = _mul(y[0], y[3], y[2], y[5])
        _sums_c(ur, ui, y[1], y[4], s, T, work)
        return work[10]
    if model == 0:
        _sums(y[0] * y[2], y[1], s, T, work)
    else:
        _sums(y[0], y[1], s, T, work)
    return work[6]


@njit(cache=True)
def _lu(M, piv, n):
    """In-place LU with partial pivoting; returns False if singular."""
    for k in range(n):
        p = k
        m = abs(M[k, k])
        for i in range(k + 1, n):
            if abs(M[i, k]) > m:
                m = abs(M[i, k])
                p = i
        piv[k] = p
        if m == 0.0 or not np.isfinite(m):
            return False
        if p != k:
            for j in range(n):
                tmp = M[k, j]
                M[k, j] = M[p, j]
                M[p, j] = tmp
        inv = 1.0 / M[k, k]
        for i in range(k + 1, n):
            M[i, k] *= inv
            lik = M[i, k]
            if lik != 0.0:
                for j in range(k + 1, n):
                    M[i, j] -= lik * M[k, j]
    return True


@njit(cache=True)
def _lu_solve(M, piv, x, n):
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = x[k]
            x[k] = x[p]
            x[p] = tmp
    for i in range(n):
        acc = x[i]
        for j in range(i):
            acc -= M[i, j] * x[j]
        x[i] = acc
    for i in range(n - 1, -1, -1):
        acc = x[i]
        for j in range(i + 1, n):
            acc -= M[i, j] * x[j]
        x[i] = acc / M[i, i]


@njit(cache=True)
def _rms(x, scale, n, nn):
    """RMS of ``x / scale`` over ``n`` entries, averaged over ``nn`` components (``nn = 3`` complex ones for model 2)."""
    acc = 0.0
    for i in range(n):
        v = x[i] / scale[i]
        acc += v * v
    return np.sqrt(acc / nn)


@njit(cache=True)
def _integrate_one(model, n, y0, s, T, delta, inv_tau, frozen, t_eval, rtol, atol, bound, max_steps,
                   Amat, Cn, En, Pm, mu_real, out_y, counters):
    """Integrate one mode over ``t_eval``; fill ``out_y`` (n_t, n); return (status, t_stop)."""
    n_t = t_eval.shape[0]
    eps = 2.220446049250313e-16
    newton_tol = max(10.0 * eps / rtol, min(0.03, np.sqrt(rtol)))
    work = np.empty(16)
    # complex model 2: norms average over the 3 complex components; the Newton unknowns are
    # ordered (all real parts, all imaginary parts) so that, with zero imaginary parts, the
    # real block of the LU factorisation is that of the real model operation for operation
    nn = 3 if model == 2 else n
    perm = np.empty((3, n), dtype=np.int64)
    for k in range(3):
        for i in range(n):
            if model == 2:
                perm[k, i] = (i // 3) * 9 + k * 3 + (i % 3)
            else:
                perm[k, i] = k * n + i
    y = y0.copy()
    f = np.empty(n)
    fz = np.empty((3, n))
    J = np.empty((n, n))
    N = 3 * n
    M = np.empty((N, N))
    piv = np.empty(N, dtype=np.int64)
    Me = np.empty((n, n))
    pive = np.empty(n, dtype=np.int64)
    Z = np.zeros((3, n))
    dZ = np.empty(N)
    ytmp = np.empty(n)
    scale = np.empty(n)
    err = np.empty(n)
    Q = np.zeros((n, 3))
    Qprev = np.zeros((n, 3))
    yprev = y0.copy()
    have_prev = False
    t_old_prev = 0.0
    h_prev = 1.0
    nfev = 0
    njev = 0
    nlu = 0
    nsteps = 0

    t = t_eval[0]
    t_end = t_eval[n_t - 1]
    for i in range(n):
        out_y[0, i] = y[i]
    next_out = 1
    if n_t == 1:
        counters[0] = nfev
        return STATUS_OK, t
    diverged = not np.isfinite(_energy(model, y, s, T, work))
    for i in range(n):
        if not np.isfinite(y[i]) or _mag(model, y, i) > bound:
            diverged = True
    if diverged:
        for k in range(1, n_t):
            for i in range(n):
                out_y[k, i] = np.nan
        return STATUS_DIVERGED, t

    # initial step (Hairer's heuristic)
    _rhs(model, y, s, T, delta, inv_tau, frozen, f, work)
    nfev += 1
    for i in range(n):
        scale[i] = atol + _mag(model, y, i) * rtol
    d0 = _rms(y, scale, n, nn)
    d1 = _rms(f, scale, n, nn)
    if d0 < 1e-5 or d1 < 1e-5:
        h_abs = 1e-6
    else:
        h_abs = 0.01 * d0 / d1
    h_abs = min(h_abs, t_end - t)
    h_abs_old = -1.0
    err_old = -1.0
    status = STATUS_OK

    while t < t_end:
        if nsteps >= max_steps:
            status = STATUS_MAX_STEPS
            break
        min_step = 10.0 * abs(np.nextafter(t, np.inf) - t)
        _jac(model, y, s, T, delta, inv_tau, frozen, J, work)
        njev += 1
        rejected = False
        accepted = False
        while not accepted:
            if h_abs < min_step:
                status = STATUS_STEP_UNDERFLOW
                break
            t_new = t + h_abs
            if t_new > t_end:
                t_new = t_end
            h = t_new - t
            h_abs = h
            # Newton matrix I - h (A ⊗ J)
            for bi in range(3):
                for bj in range(3):
                    for i in range(n):
                        for j in range(n):
                            v = -h * Amat[bi, bj] * J[i, j]
                            if bi == bj and i == j:
                                v += 1.0
                            M[perm[bi, i], perm[bj, j]] = v
            ok = _lu(M, piv, N)
            for i in range(n):
                for j in range(n):
                    Me[i, j] = -J[i, j]
                Me[i, i] += mu_real / h
            ok = ok and _lu(Me, pive, n)
            nlu += 1
            if not ok:
                h_abs *= 0.5
                rejected = True
                continue
            # initial guess from the previous collocation polynomial
            for k in range(3):
                for i in range(n):
                    if have_prev:
                        x = (t + h * Cn[k] - t_old_prev) / h_prev
                        p1 = x
                        p2 = x * x
                        p3 = p2 * x
                        Z[k, i] = yprev[i] + Qprev[i, 0] * p1 + Qprev[i, 1] * p2 + Qprev[i, 2] * p3 - y[i]
                    else:
                        Z[k, i] = 0.0
            for i in range(n):
                scale[i] = atol + _mag(model, y, i) * rtol
            converged = False
            dnorm_old = -1.0
            rate = -1.0
            n_iter = 0
            for it in range(NEWTON_MAXITER):
                n_iter = it + 1
                finite = True
                for k in range(3):
                    for i in range(n):
                        ytmp[i] = y[i] + Z[k, i]
                    _rhs(model, ytmp, s, T, delta, inv_tau, frozen, f, work)
                    nfev += 1
                    for i in range(n):
                        fz[k, i] = f[i]
                        if not np.isfinite(f[i]):
                            finite = False
                if not finite:
                    break
                # residual G = -(Z - h A F)
                for k in range(3):
                    for i in range(n):
                        acc = Z[k, i]
                        for l in range(3):
                            acc -= h * Amat[k, l] * fz[l, i]
                        dZ[perm[k, i]] = -acc
                _lu_solve(M, piv, dZ, N)
                acc = 0.0
                for k in range(3):
                    for i in range(n):
                        v = dZ[perm[k, i]] / scale[i]
                        acc += v * v
                dnorm = np.sqrt(acc / (3 * nn))
                if dnorm_old > 0.0:
                    rate = dnorm / dnorm_old
                if rate >= 0.0 and (rate >= 1.0 or rate ** (NEWTON_MAXITER - it) / (1.0 - rate) * dnorm > newton_tol):
                    break
                for k in range(3):
                    for i in range(n):
                        Z[k, i] += dZ[perm[k, i]]
                if dnorm == 0.0 or (rate >= 0.0 and rate / (1.0 - rate) * dnorm < newton_tol):
                    converged = True
                    break
                dnorm_old = dnorm
            if not converged:
                h_abs *= 0.5
                rejected = True
                continue
            # error estimate
            for i in range(n):
                ytmp[i] = y[i] + Z[2, i]
                scale[i] = atol + max(_mag(model, y, i), _mag(model, ytmp, i)) * rtol
            _rhs(model, y, s, T, delta, inv_tau, frozen, f, work)
            nfev += 1
            for i in range(n):
                ze = (Z[0, i] * En[0] + Z[1, i] * En[1] + Z[2, i] * En[2]) / h
                err[i] = f[i] + ze
            _lu_solve(Me, pive, err, n)
            err_norm = _rms(err, scale, n, nn)
            if rejected and err_norm > 1.0:
                for i in range(n):
                    ytmp[i] = y[i] + err[i]
                _rhs(model, ytmp, s, T, delta, inv_tau, frozen, f, work)
                nfev += 1
                for i in range(n):
                    ze = (Z[0, i] * En[0] + Z[1, i] * En[1] + Z[2, i] * En[2]) / h
                    err[i] = f[i] + ze
                _lu_solve(Me, pive, err, n)
                for i in range(n):
                    ytmp[i] = y[i] + Z[2, i]
                err_norm = _rms(err, scale, n, nn)
            safety = 0.9 * (2 * NEWTON_MAXITER + 1) / (2 * NEWTON_MAXITER + n_iter)
            if not np.isfinite(err_norm):
                h_abs *= 0.5
                rejected = True
                continue
            if err_norm > 1.0:
                if h_abs_old > 0.0 and err_old > 0.0:
                    mult = h_abs / h_abs_old * (err_old / err_norm) ** 0.25
                else:
                    mult = 1.0
                factor = min(1.0, mult) * err_norm ** -0.25
                h_abs *= max(MIN_FACTOR, safety * factor)
                rejected = True
            else:
                accepted = True
        if status != STATUS_OK:
            break
        # accept: dense output coefficients Q = Z^T P
        for i in range(n):
            for j in range(3):
                Q[i, j] = Z[0, i] * Pm[0, j] + Z[1, i] * Pm[1, j] + Z[2, i] * Pm[2, j]
        while next_out < n_t and t_eval[next_out] <= t_new:
            x = (t_eval[next_out] - t) / h
            for i in range(n):
                out_y[next_out, i] = y[i] + Q[i, 0] * x + Q[i, 1] * x * x + Q[i, 2] * x * x * x
            next_out += 1
        for i in range(n):
            yprev[i] = y[i]
            for j in range(3):
                Qprev[i, j] = Q[i, j]
        have_prev = True
        t_old_prev = t
        h_prev = h
        for i in range(n):
            y[i] = ytmp[i]
        t = t_new
        nsteps += 1
        # step-size update
        if err_norm == 0.0:
            factor = MAX_FACTOR
        else:
            if h_abs_old > 0.0 and err_old > 0.0:
                mult = h_abs / h_abs_old * (err_old / err_norm) ** 0.25
            else:
                mult = 1.0
            factor = min(1.0, mult) * err_norm ** -0.25
            factor = min(MAX_FACTOR, safety * factor)
        h_abs_old = h_abs
        err_old = err_norm
        h_abs = h_abs * factor
        # event: left the bounded region or non-finite
        escaped = False
        for i in range(n):
            if not np.isfinite(y[i]) or _mag(model, y, i) > bound:
                escaped = True
        if not escaped and not np.isfinite(_energy(model, y, s, T, work)):
            escaped = True
        if escaped:
            status = STATUS_DIVERGED
            break
    for k in range(next_out, n_t):
        for i in range(n):
            out_y[k, i] = np.nan
    counters[0] = nfev
    counters[1] = njev
    counters[2] = nlu
    counters[3] = nsteps
    return status, t


@njit(cache=True, parallel=True)
def integrate_batch(model, Y0, S, delta, inv_tau, frozen, t_eval, rtol, atol, bound, max_steps,
                    Amat, Cn, En, Pm, mu_real, out_y, out_energy, status, t_stop, counters):
    """Integrate ``Y0.shape[0]`` independent modes in parallel.

    Parameters
    ----------
    model : int
        0 full (a, b, c), 1 reduced (u, b), 2 complex full (Re a, Re b, Re c, Im a, Im b, Im c).
    Y0 : (n_modes, n) initial states.
    S : (n_modes, T) task dynamics; (n_modes, 2T) = (Re s, Im s) for model 2.
    delta : (n_modes,) imbalance (reduced model only).
    frozen : (n,) bool mask of held components.
    t_eval : (n_t,) output times, strictly increasing; integration starts at t_eval[0].
    out_y : (n_modes, n_t, n), out_energy : (n_modes, n_t), status : (n_modes,) int64,
    t_stop : (n_modes,), counters : (n_modes, 4) [nfev, njev, nlu, nsteps].
    """
    n_modes = Y0.shape[0]
    n = Y0.shape[1]
    T = S.shape[1] // 2 if model == 2 else S.shape[1]
    n_t = t_eval.shape[0]
    for m in prange(n_modes):
        st, ts = _integrate_one(model, n, Y0[m], S[m], T, delta[m], inv_tau, frozen, t_eval, rtol, atol,
                                bound, max_steps, Amat, Cn, En, Pm, mu_real, out_y[m], counters[m])
        status[m] = st
        t_stop[m] = ts
        work = np.empty(16)
        for k in range(n_t):
            if np.isfinite(out_y[m, k, 0]):
                out_energy[m, k] = _energy(model, out_y[m, k], S[m], T, work)
            else:
                out_energy[m, k] = np.nan
