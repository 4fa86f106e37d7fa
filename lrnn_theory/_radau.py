"""Compiled variable-order Radau IIA integrator (orders 5, 9, 13) for batches of connectivity modes.

Private module: numba kernels over plain arrays.  The validating Python layer
is :mod:`lrnn_theory.integrate`.

Why this integrator
-------------------
The mode ODE of theory guide :ref:`theory-mode-odes` turns stiff as a mode converges (the Hessian at
the solution has eigenvalues up to ``~δ² T³/3``, :ref:`theory-stability`), so explicit methods
spend most of their steps on stability there, and an L-stable implicit method is needed.  At
tight tolerances, however, nearly all the work is spent *before* convergence: for the modes of
``lrnn-theory bench theory`` (T = 10, to 100τ, rtol 1e-10) a fixed 5th-order Radau IIA takes
~750 steps per mode, 98 % of them before ``t ≈ 3τ`` with steps of ``~2·10⁻³ τ``, in the fast
learning phase where the mode is barely stiff; once converged, a handful of steps reach 100τ.
In that phase the order decides the cost (a method of order ``p`` needs ``O(tol^{-1/(p+1)})``
steps), so we use the whole Radau IIA family of Hairer's RADAU code (Hairer & Wanner (1999),
"Stiff differential equations solved by Radau methods", J. Comput. Appl. Math. 111, 93–111;
Hairer & Wanner, *Solving ODEs II*, §IV.8): ``s = 3, 5, 7`` stages, orders ``2s - 1 = 5, 9, 13``,
all L-stable and stiffly accurate.

* **Order.**  The tolerance sets the highest stage count: 3 stages for ``rtol > 1e-5``, 5 for
  ``rtol > 1e-8``, 7 below (measured on the bench modes: at rtol 1e-10, 5 540 / 1 740 / 1 310
  right-hand-side evaluations per mode with 3 / 5 / 7 stages, and 1 340 with 9 stages, hence no
  more).  As in RADAU, a slowly contracting Newton iteration (rate ``≥ 0.8``) lowers the stage
  count, and ten steps of fast contraction (rate ``≤ 0.002``) raise it back, never above the
  tolerance's.
* **Newton.**  Simplified Newton iterations on the collocation system, decoupled by the
  eigen-decomposition ``A⁻¹ = T Λ T⁻¹`` (Hairer & Wanner, §IV.8) into one real ``n × n`` system
  and ``(s-1)/2`` complex ones, so 7 stages cost one real and three complex 3×3 LU
  factorisations.  The analytic Jacobian is reused across steps and refreshed only after a
  slowly converging (more than two iterations at rate ``> 10⁻³``) or failed Newton iteration
  (as ``scipy.integrate.Radau``); the LU factorisations are reused while ``h`` is unchanged
  (step growth below 1.2 is not taken).  From the first iteration, convergence is tested with
  the previous contraction factor (RADAU's ``FACCON``); starting values extrapolate the last
  collocation polynomial, which is also the dense output.
* **Error and step size.**  The embedded formula ``ŷ₁ - y₁ = γ₀ h f(y₀) + Σ_k e_k Z_k`` of order
  ``s`` with ``γ₀ = 1/λ_real(A⁻¹)``, filtered by ``(I - γ₀ h J)⁻¹`` (Hairer & Wanner, §IV.8,
  eqs. 8.19–8.20, extended to ``s`` stages as in RADAU), and the predictive (Gustafsson)
  step-size controller with exponent ``1/(s+1)``.  The method constants (nodes, ``A``, ``T``,
  ``Λ``, ``e``) are computed once per process in 40-digit arithmetic (:func:`radau_tableau`).

On the bench modes this takes per mode 1 295 right-hand-side evaluations, 52 steps,
35 Jacobians and 51 LU sets, against 5 260 / 750 / 750 / 751 for the former fixed
5th-order Radau (Jacobian and LU every step), 5 630 evaluations and 834 steps for
``scipy.integrate.Radau`` and 947 evaluations and 519 steps for LSODA.  Each mode keeps its own
step size and order (one stiff mode does not slow down the batch), and modes run in parallel
(``prange``).

Reference counting
------------------
Every helper below :func:`_integrate_one_py` but the work-array allocators (``_new_work_*``, called once per run)
allocates nothing, so it is compiled without numba's
reference-counting runtime (``_nrt=False``).  With it, each call that passes arrays emitted atomic
increments and decrements of the arrays' reference counts: measured with ``perf`` on the bench
batch, 27 % of the time was spent in ``NRT_incref``/``NRT_decref``, and the counts of arrays shared by
all modes (the method tables, the task array) bounced between the cores.  Without them the 10 000
bench modes take 1.35–1.5 s on one thread instead of 2.2–2.9 s, and 0.72–0.8 s instead of 1.22–1.33 s
on two; the floating-point operations, and hence every result, are unchanged (compared bit for bit on
the three models).  (Inlining the helpers at numba's IR level instead leaves the reference counts in
place.)

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

3: one mode carried by ``k`` hidden units (theory guide :ref:`theory-k-unit-flow`), ``y = θ = (a, vec(B), c)``
(``vec`` row-major, ``n = 2k + k²``), ``E = ½ Σ_m (x_m - cᵀ B^m a)²`` with the task reversed in
``S`` (``x_m = s_{T-m}``)::

    τ θ̇ = -∇E(θ)   (:func:`lrnn_theory._units.grad_into`, O(T² k²) per evaluation)

with the exact Jacobian ``-∇²E/τ`` by complex-step differentiation of the analytic gradient
(:func:`lrnn_theory._units.hessian_into`: ``n`` complex gradients, no subtraction, so exact to
rounding).  Its work arrays (powers ``B^m a``, ``(Bᵀ)^m c``, residuals, complex copies) are
allocated once per run (:func:`_new_work_units`).

One kernel per family
---------------------
The integrator (:func:`_integrate_one_py`, :func:`_integrate_batch_py`) is written once and compiled
once per family of models by :func:`_specialise`: the real modes (models 0 and 1, which share their
sums), the complex modes (2) and the ``k``-unit mode (3), as ``integrate_batch_real``,
``integrate_batch_complex`` and ``integrate_batch_units`` (:data:`KERNELS`).  Each family's kernel
calls its own right-hand side, Jacobian, energy and norms, so it compiles only those: a real call no
longer compiles the complex helpers (nor the ``k``-unit ones), and adding a model adds no code to the
others' kernels.  The floating-point operations of models 0, 1 and 2 are those of the former single
kernel (results compared bit for bit).  (Passing the model's functions as first-class arguments
would do the same, but numba does not find such a kernel in its cache in a new process.)

Status codes: 0 reached the end, 1 left the box ``|y_i| <= bound`` or became
non-finite (diverged), -1 step size underflow, -2 ``max_steps`` exhausted.
"""
from __future__ import annotations

import functools
import math
import types

import numpy as np
from numba import njit, prange

from . import _units

STATUS_OK = 0
STATUS_DIVERGED = 1
STATUS_STEP_UNDERFLOW = -1
STATUS_MAX_STEPS = -2

#: Stage counts of the Radau IIA methods used (orders 2s - 1 = 5, 9, 13).
STAGES = (3, 5, 7)


def radau_tableau(s: int, digits: int = 40) -> dict:
    """Constants of the ``s``-stage Radau IIA method (order ``2s - 1``), computed in ``digits``-digit arithmetic.

    Returns a dict of float64/complex128 arrays: nodes ``c`` (s,), Butcher matrix ``A`` (s, s),
    eigenvalues ``lam`` (s,) of ``A⁻¹`` ordered (real, λ₁, conj λ₁, λ₂, conj λ₂, …), eigenvectors
    ``T`` (s, s, columns; conjugate pairs in conjugate columns) and ``Tinv = T⁻¹``, the
    error-estimate weights ``e`` (s,) and ``gamma0 = 1 / λ_real`` of the embedded formula
    ``ŷ₁ - y₁ = γ₀ h f(y₀) + Σ_k e_k Z_k`` of order ``s`` (Hairer & Wanner, *Solving ODEs II*,
    §IV.8, eqs. 8.19–8.20, and Hairer & Wanner (1999), "Stiff differential equations solved by
    Radau methods", J. Comput. Appl. Math. 111).

    Examples
    --------
    >>> tab = radau_tableau(3)
    >>> round(float(tab["c"][0]), 12), round(1 / float(tab["gamma0"]), 12)
    (0.155051025722, 3.637834252744)
    """
    import mpmath as mp

    with mp.workdps(digits):
        # nodes: zeros of d^{s-1}/dx^{s-1} [x^{s-1} (x - 1)^s] (highest power first)
        poly = [mp.mpf(0)] * (2 * s)
        for j in range(s + 1):  # (x - 1)^s x^{s-1} = Σ_j C(s, j) (-1)^{s-j} x^{j+s-1}
            poly[2 * s - 1 - (j + s - 1)] = mp.binomial(s, j) * (-1) ** (s - j)
        for _ in range(s - 1):
            deg = len(poly) - 1
            poly = [poly[i] * (deg - i) for i in range(deg)]
        c = sorted(mp.re(r) for r in mp.polyroots(poly, maxsteps=500, extraprec=400))
        c[-1] = mp.mpf(1)
        V = mp.matrix(s, s)
        R = mp.matrix(s, s)
        for i in range(s):
            for q in range(s):
                V[i, q] = c[i] ** q
                R[i, q] = c[i] ** (q + 1) / (q + 1)
        A = R * mp.inverse(V)  # A_ij = ∫_0^{c_i} ℓ_j
        Ainv = mp.inverse(A)
        # eigenpairs of A⁻¹: float64 eigenvalues refined by inverse iteration in full precision
        # (a shift within ~1e-14 of the eigenvalue gains ~14 digits per iteration)
        ev0 = np.linalg.eigvals(np.array(Ainv.tolist(), dtype=float))
        real0 = ev0[np.argmin(np.abs(ev0.imag))].real
        upper = sorted((z for z in ev0 if z.imag > 1e-8), key=lambda z: z.real)

        def eigpair(shift):
            v = mp.matrix([1] * s)
            M = Ainv - shift * mp.eye(s)
            for _ in range(4):
                v = mp.lu_solve(M, v)
                v = v / mp.norm(v)
            k = max(range(s), key=lambda i: abs(v[i]))
            v = v / v[k]  # fixes the phase (real eigenvector real)
            return (Ainv * v)[k], v

        lam0, v0 = eigpair(mp.mpf(real0))
        lam = [mp.re(lam0)]
        cols = [[mp.re(v0[k]) for k in range(s)]]
        for z in upper:
            lz, vz = eigpair(mp.mpc(z.real, z.imag))
            lam += [lz, mp.conj(lz)]
            cols += [[vz[k] for k in range(s)], [mp.conj(vz[k]) for k in range(s)]]
        Tm = mp.matrix(s, s)
        for j in range(s):
            for k in range(s):
                Tm[k, j] = cols[j][k]
        Ti = mp.inverse(Tm)
        gamma0 = 1 / lam[0]
        # embedded quadrature on {0, c_1..c_s} with weight γ0 at 0, exact for degree < s
        Vb = mp.matrix(s, s)
        rhs = mp.matrix(s, 1)
        for q in range(s):
            rhs[q] = mp.mpf(1) / (q + 1) - (gamma0 if q == 0 else 0)
            for i in range(s):
                Vb[q, i] = c[i] ** q
        bhat = mp.lu_solve(Vb, rhs)
        e = Ainv.T * mp.matrix([bhat[i] - A[s - 1, i] for i in range(s)])
        tofloat = np.vectorize(lambda x: float(mp.re(x)))
        tocplx = np.vectorize(lambda x: complex(x))
        return dict(
            c=tofloat(np.array(c, dtype=object)), A=tofloat(np.array(A.tolist(), dtype=object)),
            lam=tocplx(np.array(lam, dtype=object)).astype(complex),
            T=tocplx(np.array(Tm.tolist(), dtype=object)).astype(complex),
            Tinv=tocplx(np.array(Ti.tolist(), dtype=object)).astype(complex),
            e=tofloat(np.array(list(e), dtype=object)), gamma0=float(gamma0),
        )


@functools.cache
def tables() -> tuple:
    """Tables ``(NS, CC, TT, TI, LAM, EE, GAM)`` of the 3-, 5- and 7-stage methods packed for
    :func:`integrate_batch` (padded to 7 stages); computed once per process, on first use
    (about 0.4 s of 40-digit arithmetic, kept out of the import)."""
    k = len(STAGES)
    smax = max(STAGES)
    NS = np.array(STAGES, dtype=np.int64)
    CC = np.ones((k, smax))
    TT = np.zeros((k, smax, smax), dtype=complex)
    TI = np.zeros((k, smax, smax), dtype=complex)
    LAM = np.zeros((k, smax), dtype=complex)
    EE = np.zeros((k, smax))
    GAM = np.zeros(k)
    for o, s in enumerate(STAGES):
        tab = radau_tableau(s)
        CC[o, :s] = tab["c"]
        TT[o, :s, :s] = tab["T"]
        TI[o, :s, :s] = tab["Tinv"]
        LAM[o, :s] = tab["lam"]
        EE[o, :s] = tab["e"]
        GAM[o] = tab["gamma0"]
    return NS, CC, TT, TI, LAM, EE, GAM


#: Maximum simplified-Newton iterations per stage count.
NIT = np.array([7, 10, 13], dtype=np.int64)
#: Order and step control: rtol at or below which 5 and then 7 stages are used, Newton contraction
#: rate at or below which the stage count rises (after 10 steps) and at or above which it falls, and
#: the band [1, 1.2) of step growth not taken so that the LU factorisations are reused.
CONTROL = np.array([1e-5, 1e-8, 0.002, 0.8, 1.2])

MIN_FACTOR = 0.2
MAX_FACTOR = 10.0


@njit(cache=True)
def sums_batch(x0, b, S, out):
    """:func:`_sums` for many modes: ``x0, b`` (n,), ``S`` (n, T) -> ``out`` (7, n)."""
    work = np.empty(7)
    for m in range(x0.size):
        _sums(x0[m], b[m], S[m], S.shape[1], work)
        out[:, m] = work


@njit(cache=True, _nrt=False)
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


@njit(cache=True, _nrt=False)
def _mul(xr, xi, yr, yi):
    """Complex product ``x y`` as a (re, im) pair."""
    return xr * yr - xi * yi, xr * yi + xi * yr


@njit(cache=True, _nrt=False)
def _cmul(xr, xi, yr, yi):
    """Complex product ``conj(x) y`` as a (re, im) pair."""
    return xr * yr + xi * yi, xr * yi - xi * yr


@njit(cache=True, _nrt=False)
def _residual_c(s, T, k, x0r, x0i, pkr, pki):
    """``r_k = s_{T-k} - x0 p_k`` as a (re, im) pair, ``s`` holding ``(Re s, Im s)`` (length ``2T``)."""
    xr, xi = _mul(x0r, x0i, pkr, pki)
    return s[T - 1 - k] - xr, s[2 * T - 1 - k] - xi


@njit(cache=True, _nrt=False)
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
        rr, ri = _residual_c(s, T, k, x0r, x0i, pkr, pki)
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
        pkr, pki = _mul(pkr, pki, br, bi)
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


@njit(cache=True, _nrt=False)
def _sums_rhs(x0, b, s, T):
    """``(S1, S2)`` of :func:`_sums` only (the right-hand side needs no more); same operations, same values."""
    S1 = 0.0
    S2 = 0.0
    pkm1 = 0.0
    pk = 1.0
    for k in range(T):
        r = s[T - 1 - k] - x0 * pk
        S1 += pk * r
        if k >= 1:
            S2 += k * pkm1 * r
        pkm1 = pk
        pk = pk * b
    return S1, S2


@njit(cache=True, _nrt=False)
def _energy_sum(x0, b, s, T):
    """``E = ½ Σ r_k²`` of :func:`_sums` only; same operations, same value."""
    En = 0.0
    pk = 1.0
    for k in range(T):
        r = s[T - 1 - k] - x0 * pk
        En += r * r
        pk = pk * b
    return 0.5 * En


@njit(cache=True, _nrt=False)
def _energy_sum_c(x0r, x0i, br, bi, s, T):
    """``E = ½ Σ |r_k|²`` of :func:`_sums_c` only; same operations, same value."""
    En = 0.0
    pkr = 1.0
    pki = 0.0
    for k in range(T):
        rr, ri = _residual_c(s, T, k, x0r, x0i, pkr, pki)
        En += rr * rr + ri * ri
        pkr, pki = _mul(pkr, pki, br, bi)
    return 0.5 * En


@njit(cache=True, _nrt=False)
def _sums_c_rhs(x0r, x0i, br, bi, s, T):
    """``(Re S1, Im S1, Re S2, Im S2)`` of :func:`_sums_c` only; same operations, same values."""
    S1r = 0.0
    S1i = 0.0
    S2r = 0.0
    S2i = 0.0
    pm1r = 0.0
    pm1i = 0.0
    pkr = 1.0
    pki = 0.0
    for k in range(T):
        rr, ri = _residual_c(s, T, k, x0r, x0i, pkr, pki)
        S1r += pkr * rr + pki * ri
        S1i += pkr * ri - pki * rr
        if k >= 1:
            qr = k * pm1r
            qi = k * pm1i
            S2r += qr * rr + qi * ri
            S2i += qr * ri - qi * rr
        pm1r = pkr
        pm1i = pki
        pkr, pki = _mul(pkr, pki, br, bi)
    return S1r, S1i, S2r, S2i


@njit(cache=True, _nrt=False)
def _rhs_complex(y, s, T, inv_tau, frozen, f, work):
    """Model 2: ``τ ȧ = conj(c) S1``, ``τ ḃ = conj(a c) S2``, ``τ ċ = conj(a) S1``; y = (Re a, Re b, Re c, Im a, Im b, Im c)."""
    ar, br, cr, ai, bi, ci = y[0], y[1], y[2], y[3], y[4], y[5]
    ur, ui = _mul(ar, ai, cr, ci)
    S1r, S1i, S2r, S2i = _sums_c_rhs(ur, ui, br, bi, s, T)
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


@njit(cache=True, _nrt=False)
def _put(J, p, q, spr, spi, smr, smi):
    """Real 2×2 block of ``d f_p / d z_q`` from ``α ± β`` (``α = ∂f/∂z``, ``β = ∂f/∂conj(z)``)."""
    J[p, q] = spr
    J[p, q + 3] = -smi
    J[p + 3, q] = spi
    J[p + 3, q + 3] = smr


@njit(cache=True, _nrt=False)
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


# --------------------------------------------------------------------------- the systems, one family at a time
#
# Each family of models has its own right-hand side, Jacobian, energy, component size, number of norm
# components and work arrays; :func:`_specialise` compiles the integrator once per family with these
# (see "One kernel per family" in the module docstring).  ``model`` is passed to all of them: the
# real family (0, 1) branches on it, the others ignore it.


@njit(cache=True, _nrt=False)
def _mag_real(model, v, i):
    """Size of component ``i`` for norms and the bound: ``|v_i|`` (models 0, 1, 3)."""
    return abs(v[i])


@njit(cache=True, _nrt=False)
def _mag_complex(model, v, i):
    """Size of component ``i`` for norms and the bound: the modulus of complex component ``i % 3`` (model 2)."""
    j = i % 3
    return math.hypot(v[j], v[j + 3])


@njit(cache=True, _nrt=False)
def _n_components_real(model, n):
    """Number of components the norms average over: ``n`` (real states)."""
    return n


@njit(cache=True, _nrt=False)
def _n_components_complex(model, n):
    """Number of components the norms average over: ``n // 2`` complex ones (model 2)."""
    return n // 2


@njit(cache=True)
def _new_work_sums(n, T):
    """Work array of :func:`_sums` / :func:`_sums_c` (models 0, 1, 2), allocated once per run."""
    return np.empty(16)


@njit(cache=True, _nrt=False)
def _rhs_real(model, y, s, T, delta, inv_tau, frozen, f, work):
    """Models 0 (full) and 1 (reduced)."""
    if model == 0:
        a = y[0]
        b = y[1]
        c = y[2]
        S1, S2 = _sums_rhs(a * c, b, s, T)
        f[0] = c * S1 * inv_tau
        f[1] = a * c * S2 * inv_tau
        f[2] = a * S1 * inv_tau
        n = 3
    else:
        u = y[0]
        b = y[1]
        S1, S2 = _sums_rhs(u, b, s, T)
        q = np.sqrt(delta * delta + 4.0 * u * u)
        f[0] = q * S1 * inv_tau
        f[1] = u * S2 * inv_tau
        n = 2
    for i in range(n):
        if frozen[i]:
            f[i] = 0.0


@njit(cache=True, _nrt=False)
def _jac_real(model, y, s, T, delta, inv_tau, frozen, J, work):
    """Analytic Jacobian of :func:`_rhs_real`."""
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


@njit(cache=True, _nrt=False)
def _energy_real(model, y, s, T, work):
    """Energy of models 0 and 1."""
    if model == 0:
        return _energy_sum(y[0] * y[2], y[1], s, T)
    return _energy_sum(y[0], y[1], s, T)


@njit(cache=True, _nrt=False)
def _rhs_cplx(model, y, s, T, delta, inv_tau, frozen, f, work):
    """Model 2 (:func:`_rhs_complex`)."""
    _rhs_complex(y, s, T, inv_tau, frozen, f, work)


@njit(cache=True, _nrt=False)
def _jac_cplx(model, y, s, T, delta, inv_tau, frozen, J, work):
    """Model 2 (:func:`_jac_complex`)."""
    _jac_complex(y, s, T, inv_tau, frozen, J, work)


@njit(cache=True, _nrt=False)
def _energy_cplx(model, y, s, T, work):
    """Energy of model 2."""
    ur, ui = _mul(y[0], y[3], y[2], y[5])
    return _energy_sum_c(ur, ui, y[1], y[4], s, T)


@njit(cache=True)
def _new_work_units(n, T):
    """Work arrays of model 3, allocated once per run: real ``p, q`` (T, k), ``r`` (T,) for the gradient and
    energy, complex ``th, g`` (n,), ``p, q`` (T, k), ``r`` (T,) for the complex-step Hessian (``n = 2k + k²``)."""
    k = int(round(math.sqrt(n + 1.0))) - 1
    c = np.complex128
    return (np.empty((T, k)), np.empty((T, k)), np.empty(T), np.empty(n, c), np.empty(n, c),
            np.empty((T, k), c), np.empty((T, k), c), np.empty(T, c))


@njit(cache=True, _nrt=False)
def _rhs_units(model, y, s, T, delta, inv_tau, frozen, f, work):
    """Model 3: ``τ θ̇ = -∇E(θ)``, ``θ = (a, vec(B), c)``; ``s`` holds the reversed task ``x_m = s_{T-m}``."""
    p = work[0]
    _units.grad_into(y, s, p.shape[1], f, p, work[1], work[2])
    for i in range(f.shape[0]):
        if frozen[i]:
            f[i] = 0.0
        else:
            f[i] = -f[i] * inv_tau


@njit(cache=True, _nrt=False)
def _jac_units(model, y, s, T, delta, inv_tau, frozen, J, work):
    """Model 3: ``-∇²E(θ)/τ``, exact to rounding (complex step of the analytic gradient)."""
    _units.hessian_into(y, s, work[0].shape[1], J, work[3], work[4], work[5], work[6], work[7])
    n = y.shape[0]
    for i in range(n):
        for j in range(n):
            if frozen[i]:
                J[i, j] = 0.0
            else:
                J[i, j] = -J[i, j] * inv_tau


@njit(cache=True, _nrt=False)
def _energy_units(model, y, s, T, work):
    """Energy of model 3."""
    p = work[0]
    return _units.energy_into(y, s, p.shape[1], p, work[2])


# The generic forms (models 0, 1, 2 by ``model``): for tests and direct use; the kernels call the family's own.


@njit(cache=True, _nrt=False)
def _mag(model, v, i):
    if model == 2:
        return _mag_complex(model, v, i)
    return _mag_real(model, v, i)


@njit(cache=True, _nrt=False)
def _n_components(model, n):
    return 3 if model == 2 else n


@njit(cache=True)
def _new_work(n, T):
    return np.empty(16)


@njit(cache=True, _nrt=False)
def _rhs(model, y, s, T, delta, inv_tau, frozen, f, work):
    if model == 2:
        _rhs_complex(y, s, T, inv_tau, frozen, f, work)
        return
    _rhs_real(model, y, s, T, delta, inv_tau, frozen, f, work)


@njit(cache=True, _nrt=False)
def _jac(model, y, s, T, delta, inv_tau, frozen, J, work):
    if model == 2:
        _jac_complex(y, s, T, inv_tau, frozen, J, work)
        return
    _jac_real(model, y, s, T, delta, inv_tau, frozen, J, work)


@njit(cache=True, _nrt=False)
def _energy(model, y, s, T, work):
    if model == 2:
        return _energy_cplx(model, y, s, T, work)
    return _energy_real(model, y, s, T, work)


@njit(cache=True, _nrt=False)
def _lu(M, piv, n):
    """In-place LU with partial pivoting (reciprocal pivots stored on the diagonal); returns False if singular."""
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
        M[k, k] = inv  # the solve multiplies by the reciprocal pivot
    return True


@njit(cache=True, _nrt=False)
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
        x[i] = acc * M[i, i]


@njit(cache=True, _nrt=False)
def _rms(x, scale, n, nn):
    """RMS of ``x / scale`` over ``n`` entries, averaged over ``nn`` components (``nn = 3`` complex ones for model 2)."""
    acc = 0.0
    for i in range(n):
        v = x[i] / scale[i]
        acc += v * v
    return np.sqrt(acc / nn)


@njit(cache=True, _nrt=False)
def _lu_c(M, piv, q, n):
    """Complex in-place LU of ``M[q]`` (:func:`_lu` for complex matrices, pivoting on ``|Re| + |Im|``,
    reciprocal pivots on the diagonal); False if singular.  Indexes ``M[q]`` in place: no array views."""
    for k in range(n):
        p = k
        m = abs(M[q, k, k].real) + abs(M[q, k, k].imag)
        for i in range(k + 1, n):
            v = abs(M[q, i, k].real) + abs(M[q, i, k].imag)
            if v > m:
                m = v
                p = i
        piv[q, k] = p
        if m == 0.0 or not np.isfinite(m):
            return False
        if p != k:
            for j in range(n):
                tmp = M[q, k, j]
                M[q, k, j] = M[q, p, j]
                M[q, p, j] = tmp
        inv = 1.0 / M[q, k, k]
        for i in range(k + 1, n):
            M[q, i, k] *= inv
            lik = M[q, i, k]
            if lik != 0.0:
                for j in range(k + 1, n):
                    M[q, i, j] -= lik * M[q, k, j]
        M[q, k, k] = inv
    return True


@njit(cache=True, _nrt=False)
def _lu_solve_c(M, piv, x, q, n):
    """Solve with the factorisation of ``M[q]`` (from :func:`_lu_c`), overwriting ``x[q]``."""
    for k in range(n):
        p = piv[q, k]
        if p != k:
            tmp = x[q, k]
            x[q, k] = x[q, p]
            x[q, p] = tmp
    for i in range(n):
        acc = x[q, i]
        for j in range(i):
            acc -= M[q, i, j] * x[q, j]
        x[q, i] = acc
    for i in range(n - 1, -1, -1):
        acc = x[q, i]
        for j in range(i + 1, n):
            acc -= M[q, i, j] * x[q, j]
        x[q, i] = acc * M[q, i, i]


@njit(cache=True, _nrt=False)
def _basis(nodes, inv_den, q, s, x, out):
    """Lagrange weights ``ℓ_k(x)``, k = 1..s, of the collocation polynomial on ``{0, c_1, …, c_s}``
    (the value at node 0 is the step's start, carried separately), nodes ``c = nodes[q]`` and
    ``inv_den[q, k] = 1 / (c_k Π_{j≠k} (c_k - c_j))``."""
    p = x
    for k in range(s):  # prefix products x Π_{j<k} (x - c_j)
        out[k] = p
        p *= x - nodes[q, k]
    p = 1.0
    for k in range(s - 1, -1, -1):  # times the suffix products Π_{j>k} (x - c_j)
        out[k] *= p * inv_den[q, k]
        p *= x - nodes[q, k]


def _integrate_one_py(model, n, y0, s, T, delta, inv_tau, frozen, t_eval, rtol, atol, bound, max_steps,
                   NS, CC, TT, TI, LAM, EE, GAM, NIT, ctrl, out_y, counters):
    """Integrate one mode over ``t_eval``; fill ``out_y`` (n_t, n); return (status, t_stop).

    Template: compiled once per family of models by :func:`_specialise` (``_integrate_one_<family>``),
    with that family's ``_rhs``, ``_jac``, ``_energy``, ``_mag``, ``_n_components`` and ``_new_work``.
    """
    n_t = t_eval.shape[0]
    TIr = TI.real.copy()
    TIi = TI.imag.copy()
    TTr = TT.real.copy()
    TTi = TT.imag.copy()
    DEN = np.ones((NS.shape[0], CC.shape[1]))
    for q in range(NS.shape[0]):
        for k in range(NS[q]):
            d = CC[q, k]
            for j in range(NS[q]):
                if j != k:
                    d *= CC[q, k] - CC[q, j]
            DEN[q, k] = 1.0 / d
    eps = 2.220446049250313e-16
    newton_tol = max(10.0 * eps / rtol, min(0.03, np.sqrt(rtol)))
    # highest stage count for this tolerance (ctrl[0], ctrl[1]: rtol thresholds of 5 and 7 stages)
    o_hi = 0
    if rtol <= ctrl[0]:
        o_hi = 1
    if rtol <= ctrl[1]:
        o_hi = 2
    o_hi = min(o_hi, NS.shape[0] - 1)
    o = o_hi
    vitu = ctrl[2]
    vitd = ctrl[3]
    keep_h = ctrl[4]
    smax = CC.shape[1]
    work = _new_work(n, T)
    nn = _n_components(model, n)
    y = y0.copy()
    f = np.empty(n)
    f0 = np.empty(n)
    F = np.empty((smax, n))
    Z = np.zeros((smax, n))
    dZ = np.empty((smax, n))
    Zprev = np.zeros((smax, n))
    W = np.empty(((smax - 1) // 2, n), dtype=np.complex128)
    dW = np.empty(((smax - 1) // 2, n), dtype=np.complex128)
    J = np.empty((n, n))
    Mc = np.empty(((smax - 1) // 2, n, n), dtype=np.complex128)
    piv = np.empty(((smax - 1) // 2, n), dtype=np.int64)
    Mr = np.empty((n, n))
    pivr = np.empty(n, dtype=np.int64)
    W0 = np.empty(n)
    dW0 = np.empty(n)
    ytmp = np.empty(n)
    scale = np.empty(n)
    iscale = np.empty(n)
    err = np.empty(n)
    lw = np.empty(smax)
    yprev = y0.copy()
    have_prev = False
    o_prev = o
    t_old_prev = 0.0
    h_prev = 1.0
    nfev = 0
    njev = 0
    nlu = 0
    nsteps = 0
    n_up = 0  # accepted steps since the last order change

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
    _rhs(model, y, s, T, delta, inv_tau, frozen, f0, work)
    nfev += 1
    for i in range(n):
        scale[i] = atol + _mag(model, y, i) * rtol
    d0 = _rms(y, scale, n, nn)
    d1 = _rms(f0, scale, n, nn)
    if d0 < 1e-5 or d1 < 1e-5:
        h_abs = 1e-6
    else:
        h_abs = 0.01 * d0 / d1
    h_abs = min(h_abs, t_end - t)
    h_abs_old = -1.0
    err_old = -1.0
    status = STATUS_OK
    need_jac = True
    jac_current = False
    h_lu = -1.0
    o_lu = -1
    rate = -1.0
    faccon = 1.0
    lamh0 = 0.0
    err_norm = 0.0
    n_iter = 0
    h = h_abs
    t_new = t

    while t < t_end:
        if nsteps >= max_steps:
            status = STATUS_MAX_STEPS
            break
        min_step = 10.0 * abs(np.nextafter(t, np.inf) - t)
        if need_jac:
            _jac(model, y, s, T, delta, inv_tau, frozen, J, work)
            njev += 1
            jac_current = True
            need_jac = False
            h_lu = -1.0
        ns = NS[o]
        nrep = (ns + 1) // 2
        nit = NIT[o]
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
            # Newton matrices (λ_j / h) I - J for the real eigenvalue and one of each complex pair
            if h != h_lu or o != o_lu:
                lamh0 = LAM[o, 0].real / h
                for i in range(n):
                    for j in range(n):
                        Mr[i, j] = -J[i, j]
                    Mr[i, i] += lamh0
                ok = _lu(Mr, pivr, n)
                for r in range(1, nrep):
                    lamh = LAM[o, 2 * r - 1] / h
                    for i in range(n):
                        for j in range(n):
                            Mc[r - 1, i, j] = -J[i, j]
                        Mc[r - 1, i, i] += lamh
                    ok = ok and _lu_c(Mc, piv, r - 1, n)
                nlu += 1
                if not ok:
                    h_lu = -1.0
                    h_abs *= 0.5
                    rejected = True
                    continue
                h_lu = h
                o_lu = o
            # initial guess from the previous collocation polynomial
            for k in range(ns):
                if have_prev:
                    _basis(CC, DEN, o_prev, NS[o_prev], (t + h * CC[o, k] - t_old_prev) / h_prev, lw)
                    for i in range(n):
                        acc = yprev[i] - y[i]
                        for m in range(NS[o_prev]):
                            acc += lw[m] * Zprev[m, i]
                        Z[k, i] = acc
                else:
                    for i in range(n):
                        Z[k, i] = 0.0
            for i in range(n):
                acc = 0.0
                for k in range(ns):
                    acc += TIr[o, 0, k] * Z[k, i]
                W0[i] = acc
            for r in range(1, nrep):
                jr = 2 * r - 1
                for i in range(n):
                    accr = 0.0
                    acci = 0.0
                    for k in range(ns):
                        accr += TIr[o, jr, k] * Z[k, i]
                        acci += TIi[o, jr, k] * Z[k, i]
                    W[r - 1, i] = complex(accr, acci)
            for i in range(n):
                iscale[i] = 1.0 / (atol + _mag(model, y, i) * rtol)
            converged = False
            dnorm_old = -1.0
            rate = -1.0
            n_iter = 0
            faccon = max(faccon, eps) ** 0.8
            for it in range(nit):
                n_iter = it + 1
                finite = True
                for k in range(ns):
                    for i in range(n):
                        ytmp[i] = y[i] + Z[k, i]
                    _rhs(model, ytmp, s, T, delta, inv_tau, frozen, f, work)
                    nfev += 1
                    for i in range(n):
                        F[k, i] = f[i]
                        if not np.isfinite(f[i]):
                            finite = False
                if not finite:
                    break
                # transformed Newton systems: ((λ_j / h) I - J) ΔW_j = (T⁻¹F)_j - (λ_j / h) W_j
                for i in range(n):
                    acc = 0.0
                    for k in range(ns):
                        acc += TIr[o, 0, k] * F[k, i]
                    dW0[i] = acc - lamh0 * W0[i]
                _lu_solve(Mr, pivr, dW0, n)
                for r in range(1, nrep):
                    jr = 2 * r - 1
                    lamh = LAM[o, jr] / h
                    for i in range(n):
                        accr = 0.0
                        acci = 0.0
                        for k in range(ns):
                            accr += TIr[o, jr, k] * F[k, i]
                            acci += TIi[o, jr, k] * F[k, i]
                        dW[r - 1, i] = complex(accr, acci) - lamh * W[r - 1, i]
                    _lu_solve_c(Mc, piv, dW, r - 1, n)
                acc2 = 0.0
                for k in range(ns):
                    for i in range(n):
                        v = TTr[o, k, 0] * dW0[i]
                        for r in range(1, nrep):
                            jr = 2 * r - 1
                            v += 2.0 * (TTr[o, k, jr] * dW[r - 1, i].real - TTi[o, k, jr] * dW[r - 1, i].imag)
                        dZ[k, i] = v
                        q = v * iscale[i]
                        acc2 += q * q
                dnorm = np.sqrt(acc2 / (ns * nn))
                if dnorm_old > 0.0:
                    rate = dnorm / dnorm_old
                    if rate >= 1.0 or rate ** (nit - it) / (1.0 - rate) * dnorm > newton_tol:
                        break
                    faccon = rate / (1.0 - rate)
                for k in range(ns):
                    for i in range(n):
                        Z[k, i] += dZ[k, i]
                for i in range(n):
                    W0[i] += dW0[i]
                for r in range(nrep - 1):
                    for i in range(n):
                        W[r, i] += dW[r, i]
                if dnorm == 0.0 or faccon * dnorm < newton_tol:
                    converged = True
                    break
                dnorm_old = dnorm
            if not converged:
                if not jac_current:
                    _jac(model, y, s, T, delta, inv_tau, frozen, J, work)
                    njev += 1
                    jac_current = True
                    h_lu = -1.0
                    continue
                h_abs *= 0.5
                rejected = True
                continue
            # error estimate (Hairer & Wanner IV.8, eq. 8.19-8.20): (I - γ0 h J)⁻¹ (γ0 h f(y0) + Σ e_k Z_k)
            g0h = GAM[o] * h
            for i in range(n):
                ytmp[i] = y[i] + Z[ns - 1, i]
                scale[i] = atol + max(_mag(model, y, i), _mag(model, ytmp, i)) * rtol
                acc = g0h * f0[i]
                for k in range(ns):
                    acc += EE[o, k] * Z[k, i]
                err[i] = acc / g0h
            _lu_solve(Mr, pivr, err, n)
            err_norm = _rms(err, scale, n, nn)
            if rejected and err_norm > 1.0:
                for i in range(n):
                    ytmp[i] = y[i] + err[i]
                _rhs(model, ytmp, s, T, delta, inv_tau, frozen, f, work)
                nfev += 1
                for i in range(n):
                    acc = g0h * f[i]
                    for k in range(ns):
                        acc += EE[o, k] * Z[k, i]
                    err[i] = acc / g0h
                _lu_solve(Mr, pivr, err, n)
                for i in range(n):
                    ytmp[i] = y[i] + Z[ns - 1, i]
                err_norm = _rms(err, scale, n, nn)
            safety = 0.9 * (2 * nit + 1) / (2 * nit + n_iter)
            expo = 1.0 / (ns + 1)
            if not np.isfinite(err_norm):
                h_abs *= 0.5
                rejected = True
                continue
            if err_norm > 1.0:
                if h_abs_old > 0.0 and err_old > 0.0:
                    mult = h_abs / h_abs_old * (err_old / err_norm) ** expo
                else:
                    mult = 1.0
                factor = min(1.0, mult) * err_norm ** -expo
                h_abs *= max(MIN_FACTOR, safety * factor)
                rejected = True
            else:
                accepted = True
        if status != STATUS_OK:
            break
        # accept: dense output from the collocation polynomial
        while next_out < n_t and t_eval[next_out] <= t_new:
            _basis(CC, DEN, o, ns, (t_eval[next_out] - t) / h, lw)
            for i in range(n):
                acc = y[i]
                for k in range(ns):
                    acc += lw[k] * Z[k, i]
                out_y[next_out, i] = acc
            next_out += 1
        for i in range(n):
            yprev[i] = y[i]
            for k in range(ns):
                Zprev[k, i] = Z[k, i]
        o_prev = o
        have_prev = True
        t_old_prev = t
        h_prev = h
        for i in range(n):
            y[i] = ytmp[i]
        t = t_new
        nsteps += 1
        n_up += 1
        # step-size update
        if err_norm == 0.0:
            factor = MAX_FACTOR
        else:
            if h_abs_old > 0.0 and err_old > 0.0:
                mult = h_abs / h_abs_old * (err_old / err_norm) ** expo
            else:
                mult = 1.0
            factor = min(1.0, mult) * err_norm ** -expo
            factor = min(MAX_FACTOR, safety * factor)
        need_jac = n_iter > 2 and rate > 1e-3
        jac_current = False
        if not need_jac and factor >= 1.0 and factor < keep_h:
            factor = 1.0
        h_abs_old = h_abs
        err_old = err_norm
        h_abs = h_abs * factor
        # order change (Hairer's RADAU strategy: raise the order while Newton contracts fast)
        if o_hi > 0:
            th = rate if rate >= 0.0 else 0.0
            if o < o_hi and n_up >= 10 and (n_iter <= 1 or th <= vitu):
                o += 1
                n_up = 0
                err_old = -1.0
            elif o > 0 and th >= vitd:
                o -= 1
                n_up = 0
                err_old = -1.0
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
        _rhs(model, y, s, T, delta, inv_tau, frozen, f0, work)
        nfev += 1
    for k in range(next_out, n_t):
        for i in range(n):
            out_y[k, i] = np.nan
    counters[0] = nfev
    counters[1] = njev
    counters[2] = nlu
    counters[3] = nsteps
    return status, t


def _integrate_batch_py(model, Y0, S, delta, inv_tau, frozen, t_eval, rtol, atol, bound, max_steps,
                    NS, CC, TT, TI, LAM, EE, GAM, NIT, ctrl, out_y, out_energy, status, t_stop, counters):
    """Integrate ``Y0.shape[0]`` independent modes in parallel (template of ``integrate_batch_<family>``;
    arguments as :func:`integrate_batch`)."""
    n_modes = Y0.shape[0]
    n = Y0.shape[1]
    T = S.shape[1] // 2 if model == 2 else S.shape[1]
    n_t = t_eval.shape[0]
    for m in prange(n_modes):
        st, ts = _integrate_one(model, n, Y0[m], S[m], T, delta[m], inv_tau, frozen, t_eval, rtol, atol,
                                bound, max_steps, NS, CC, TT, TI, LAM, EE, GAM, NIT, ctrl, out_y[m], counters[m])
        status[m] = st
        t_stop[m] = ts
        work = _new_work(n, T)
        for k in range(n_t):
            if np.isfinite(out_y[m, k, 0]):
                out_energy[m, k] = _energy(model, out_y[m, k], S[m], T, work)
            else:
                out_energy[m, k] = np.nan


# --------------------------------------------------------------------------- one kernel per family

#: Slot of the batch template, bound by :func:`_specialise` to the family's ``_integrate_one_<family>``.
_integrate_one = None


def _specialise(family: str, **slots) -> tuple:
    """Compile the integrator templates for one family of models: ``(_integrate_one_<family>, integrate_batch_<family>)``.

    Each is a copy of the template function (same code object, so the same source lines and
    numba cache file) whose global names ``slots`` (``_rhs``, ``_jac``, ...) are bound to the
    family's functions, under its own name (its own numba cache entry and compile lock).  numba
    resolves globals at compile time, so a family's kernel compiles only its own systems.
    """
    scope = dict(globals())
    scope.update(slots)

    def copy(template, name):
        fn = types.FunctionType(template.__code__, scope, name, template.__defaults__, template.__closure__)
        fn.__qualname__ = name
        fn.__module__ = __name__
        fn.__doc__ = template.__doc__
        return fn

    one = njit(cache=True)(copy(_integrate_one_py, f"_integrate_one_{family}"))
    scope["_integrate_one"] = one
    batch = njit(cache=True, parallel=True)(copy(_integrate_batch_py, f"integrate_batch_{family}"))
    return one, batch


_integrate_one_real, integrate_batch_real = _specialise(
    "real", _rhs=_rhs_real, _jac=_jac_real, _energy=_energy_real, _mag=_mag_real,
    _n_components=_n_components_real, _new_work=_new_work_sums,
)
_integrate_one_complex, integrate_batch_complex = _specialise(
    "complex", _rhs=_rhs_cplx, _jac=_jac_cplx, _energy=_energy_cplx, _mag=_mag_complex,
    _n_components=_n_components_complex, _new_work=_new_work_sums,
)
_integrate_one_units, integrate_batch_units = _specialise(
    "units", _rhs=_rhs_units, _jac=_jac_units, _energy=_energy_units, _mag=_mag_real,
    _n_components=_n_components_real, _new_work=_new_work_units,
)

#: The batch kernel of each model: 0 and 1 share the real family's.
KERNELS = {0: integrate_batch_real, 1: integrate_batch_real, 2: integrate_batch_complex, 3: integrate_batch_units}


def integrate_batch(model, Y0, S, delta, inv_tau, frozen, t_eval, rtol, atol, bound, max_steps,
                    NS, CC, TT, TI, LAM, EE, GAM, NIT, ctrl, out_y, out_energy, status, t_stop, counters):
    """Integrate ``Y0.shape[0]`` independent modes in parallel, by the kernel of ``model``'s family (:data:`KERNELS`).

    Parameters
    ----------
    model : int
        0 full (a, b, c), 1 reduced (u, b), 2 complex full (Re a, Re b, Re c, Im a, Im b, Im c),
        3 one mode carried by ``k`` units, θ = (a, vec(B) row-major, c).
    Y0 : (n_modes, n) initial states.
    S : (n_modes, T) task dynamics; (n_modes, 2T) = (Re s, Im s) for model 2; for model 3 the reversed
        task ``x_m = s_{T-m}``.
    delta : (n_modes,) imbalance (reduced model only).
    frozen : (n,) bool mask of held components.
    t_eval : (n_t,) output times, strictly increasing; integration starts at t_eval[0].
    NS, CC, TT, TI, LAM, EE, GAM : method tables (:func:`tables`); NIT : Newton iterations (:data:`NIT`);
    ctrl : order and step control (:data:`CONTROL`).
    out_y : (n_modes, n_t, n), out_energy : (n_modes, n_t), status : (n_modes,) int64,
    t_stop : (n_modes,), counters : (n_modes, 4) [nfev, njev, nlu, nsteps].
    """
    KERNELS[model](model, Y0, S, delta, inv_tau, frozen, t_eval, rtol, atol, bound, max_steps,
                   NS, CC, TT, TI, LAM, EE, GAM, NIT, ctrl, out_y, out_energy, status, t_stop, counters)
