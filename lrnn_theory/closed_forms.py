"""Closed forms of learning speed, fixed points, stability and extrapolation (theory guide :ref:`theory-learning-speed`, :ref:`theory-stability-extrapolation`).

All functions are vectorised over a leading batch shape of ``s[..., T]``
(and of their scalar parameters).  Time is learning time with timescale
``τ`` (``t/τ`` = GD steps × learning rate).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import landscape
from ._validation import as_float_array, check_choice, check_int, check_positive_float
from .tasks import FAMILIES

__all__ = [
    "ComplexFixedPoint",
    "FixedPoint",
    "complex_fixed_point",
    "complex_frozen_b_solution",
    "escape_time",
    "extrapolation_energy",
    "extrapolation_energy_direct",
    "family_fixed_point",
    "fixed_point",
    "frozen_b_solution",
    "hessian_at_solution",
    "jacobian_rows",
    "max_stable_lr",
    "recency_weight",
]


@dataclass(frozen=True)
class FixedPoint:
    """Solution reached by a mode (shapes: the batch shape of ``s``).

    Attributes
    ----------
    b, u : ndarray
        Recurrent and input–output mode ``b*``, ``u* = a* c*``.  For ``T = 1``
        any ``b`` is optimal and ``b`` is NaN.
    energy : ndarray
        ``E*`` at the solution (0 for zero-loss tasks).
    exact : ndarray of bool
        True where the task dynamics are geometric (``s_i = u b^{T-i}``, :ref:`theory-learnable`),
        so that the zero-loss solution is returned exactly; False where the
        global minimiser of the profile energy (:ref:`theory-profile-energy`) on ``b_range`` is returned.
    at_boundary : ndarray of bool
        The minimiser sits at an end of ``b_range`` (possible runaway, :ref:`theory-dirac`).

    Examples
    --------
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import fixed_point
    >>> fp = fixed_point(tasks.modified("constant", 4, kappa=2.0))  # no zero-loss solution
    >>> bool(fp.exact), bool(fp.energy > 0), bool(fp.at_boundary)
    (False, True, False)
    """

    b: np.ndarray
    u: np.ndarray
    energy: np.ndarray
    exact: np.ndarray
    at_boundary: np.ndarray


def fixed_point(s, *, b_range=(-1.0, 3.0), n_grid: int = 4001, rtol: float = 1e-12) -> FixedPoint:
    """Solution of the mode dynamics for any task (theory guide :ref:`theory-fixed-points`, :ref:`theory-learnable`, :ref:`theory-profile-energy`; Proca et al. (2025), App. H).

    For geometric (zero-loss) dynamics the solution is exact: the ``i = T``
    term forces ``u* = s_T`` and the ``i = T-1`` term ``b* = s_{T-1}/s_T``
    (:ref:`theory-fixed-points`; every task is learnable for ``T = 2``).  Otherwise it is the global
    minimiser of ``E*(b)`` over ``b_range`` (:func:`lrnn_theory.landscape.global_minimiser`);
    gradient flow from small initialisation may be trapped elsewhere (:ref:`theory-dirac`, :ref:`theory-constant-kappa`, :ref:`theory-exponential-kappa`).

    Parameters
    ----------
    s : array_like, shape batch + (T,)
    b_range : (float, float)
        Search interval for non-geometric tasks.
    n_grid : int
        Grid size of that search.
    rtol : float
        Relative residual ``E/(½‖s‖²)`` below which a profile counts as geometric.

    Returns
    -------
    FixedPoint
        Fields of the batch shape of ``s``.

    Raises
    ------
    TypeError
        If ``s`` is not a real numeric array, or ``rtol``/``n_grid`` have the wrong type.
    ValueError
        If ``s`` is 0-d, empty or not finite, ``rtol <= 0``, ``b_range`` is not an increasing
        pair, or ``n_grid < 3``.

    Examples
    --------
    Geometric dynamics: ``u* = s_T``, ``b* = s_{T-1}/s_T``, exactly:

    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import fixed_point
    >>> fp = fixed_point(tasks.inverse_exponential(4, delta=2.0, lam=0.5))
    >>> float(fp.b), float(fp.u), bool(fp.exact)
    (0.5, 2.0, True)
    """
    s = as_float_array("s", s, min_ndim=1)
    rtol = check_positive_float("rtol", rtol)
    landscape._range(b_range)
    n_grid = check_int("n_grid", n_grid, minimum=3)
    T = s.shape[-1]
    u_geo = s[..., -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        b_geo = s[..., -2] / s[..., -1] if T >= 2 else np.full(s.shape[:-1], np.nan)
    ss = np.sum(s * s, axis=-1)
    if T == 1:
        zero = np.zeros(s.shape[:-1])
        return FixedPoint(b=b_geo, u=u_geo, energy=zero, exact=np.ones(s.shape[:-1], bool), at_boundary=zero.astype(bool))
    finite = np.isfinite(b_geo)
    b_try = np.where(finite, b_geo, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        p = b_try[..., None] ** np.arange(T - 1, -1, -1)
        resid = 0.5 * np.sum((s - u_geo[..., None] * p) ** 2, axis=-1)
    exact = finite & (resid <= rtol * np.maximum(0.5 * ss, np.finfo(float).tiny)) & (u_geo != 0)
    zero_task = ss == 0
    if np.all(exact | zero_task):
        gm = None
    else:
        gm = landscape.global_minimiser(s, b_range=b_range, n_grid=n_grid)
    if gm is None:
        b = np.where(zero_task, 0.0, b_try)
        u = np.where(zero_task, 0.0, u_geo)
        E = np.zeros(s.shape[:-1])
        at_boundary = np.zeros(s.shape[:-1], bool)
    else:
        b = np.where(exact, b_try, np.where(zero_task, 0.0, gm.b))
        u = np.where(exact, u_geo, np.where(zero_task, 0.0, gm.u))
        E = np.where(exact | zero_task, 0.0, gm.energy)
        at_boundary = np.where(exact | zero_task, False, gm.at_boundary)
    return FixedPoint(b=b, u=u, energy=E, exact=exact | zero_task, at_boundary=at_boundary)


def family_fixed_point(family: str, T: int, delta=1.0, lam=0.8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The table of theory guide :ref:`theory-fixed-points`: ``(b*, u*, stable)`` of the three task families.

    ====================  ======  ============  ==========================
    family                ``b*``  ``u*``        stable (``|b*| <= 1``) when
    ====================  ======  ============  ==========================
    constant              1       δ             always (marginal)
    inverse_exponential   λ       δ             λ <= 1
    exponential           1/λ     δ λ^T         λ >= 1
    ====================  ======  ============  ==========================

    Parameters
    ----------
    family : {"constant", "inverse_exponential", "exponential"}
    T : int
        Trajectory length, ``T >= 1``.
    delta, lam : float or array_like
        Family parameters (broadcast).

    Returns
    -------
    b, u : ndarray, broadcast shape of ``delta``, ``lam``
        ``b*`` and ``u*``.
    stable : ndarray of bool, same shape
        ``|b*| <= 1``.

    Raises
    ------
    TypeError
        If ``family`` is not a string, ``T`` not an integer, or ``delta``/``lam`` not numeric.
    ValueError
        If ``family`` is unknown, ``T < 1``, ``delta``/``lam`` are empty, not finite or do not
        broadcast, ``lam = 0`` for ``"exponential"``, or ``δλ^T`` beyond the float64 range.

    Examples
    --------
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import family_fixed_point, fixed_point
    >>> b, u, stable = family_fixed_point("exponential", 3, delta=2.0, lam=2.0)
    >>> float(b), float(u), bool(stable)  # 1/λ, δ λ^T
    (0.5, 16.0, True)
    >>> float(fixed_point(tasks.exponential(3, 2.0, 2.0)).u)  # the general solver agrees
    16.0
    """
    family = check_choice("family", family, FAMILIES)
    T = check_int("T", T, minimum=1)
    delta, lam = np.broadcast_arrays(as_float_array("delta", delta), as_float_array("lam", lam))
    if family == "constant":
        b, u = np.ones_like(delta), delta.copy()
    elif family == "inverse_exponential":
        b, u = lam.copy(), delta.copy()
    else:
        if np.any(lam == 0):
            raise ValueError("lam must be non-zero for the exponential family (b* = 1/lam)")
        with np.errstate(over="ignore", invalid="ignore"):
            b, u = 1.0 / lam, delta * lam ** T
        if not np.all(np.isfinite(u)):
            raise ValueError(f"lam and T: u* = delta lam^T overflows float64 (T = {T}, max |lam| = {float(np.max(np.abs(lam)))!r})")
    return b, u, np.abs(b) <= 1.0


def recency_weight(s, b0) -> np.ndarray:
    """``C(b0) = Σ_i s_i b0^{T-i}``: the recency-weighted sum that sets the escape rate (theory guide :ref:`theory-escape-recency`).

    Proca et al. (2025), App. E.

    Parameters
    ----------
    s : array_like, shape batch + (T,)
        Task dynamics.
    b0 : array_like
        Recurrent mode at initialisation (broadcast against the batch).

    Returns
    -------
    C : ndarray, broadcast batch shape

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty or non-finite ``s``/``b0``, or shapes that do not broadcast
        (as :func:`lrnn_theory.landscape.geometric_sums`).

    Examples
    --------
    >>> from lrnn_theory.closed_forms import recency_weight
    >>> float(recency_weight([1.0, 2.0, 3.0], 0.5))  # 1·0.25 + 2·0.5 + 3
    4.25
    """
    return landscape.geometric_sums(b0, s)[0]


#: Above this ``log M = (T-1) log|b|`` the frozen-``b`` closed forms are evaluated in logarithms (``M²`` would near
#: the float64 range).
_LOG_SCALE_LIMIT = 200.0


def _unit(z):
    """``z/|z|`` from components scaled by ``max(|Re z|, |Im z|)`` (safe for subnormal ``z``); 1 where ``z = 0``."""
    z = np.asarray(z, complex)
    m = np.maximum(np.abs(z.real), np.abs(z.imag))
    m = np.where(m > 0, m, 1.0)
    re, im = z.real / m, z.imag / m
    r = np.hypot(re, im)
    r = np.where(r > 0, r, 1.0)
    return np.where((re == 0) & (im == 0), 1.0 + 0j, re / r + 1j * (im / r))


def _frozen_b_flow(x, Ct, Dt, ell, u0):
    """``u(x)`` of ``u̇ = 2|u|(C - D u)`` from ``u0 ≠ 0`` (complex arrays; ``x`` on the last axis, the rest
    with a trailing axis of length 1), with ``C = C̃ e^ℓ``, ``D = D̃ e^{2ℓ}``.

    With ``ĉ = C/|C|``, ``û = u0/|u0|``, ``c² = cos²(ψ0/2) = |ĉ + û|²/4``, ``s² = |ĉ - û|²/4``,
    ``σ = sin ψ0 = Im(ĉ conj(û))``, ``ε = e^{-2|C|x}`` and ``F = (1-ε)/|C| = 2x (1-ε)/(2|C|x)``
    (``2x`` as ``|C|x → 0``):

    ``u = ρ0 ĉ (c² - s²ε² - iσε) / (ε + Dρ0 (c² + s²ε) F)``, and ``u = û ρ0 ε/(1 + Dρ0 F)`` where
    ``c² = 0`` (``u0`` anti-aligned with ``C``: it decays along its ray).

    Every term of the denominators is non-negative (no pole for any ``u0``) and the phase is never
    formed as an angle.  Where ``ℓ`` is large (or the direct form overflows) the same expressions are
    evaluated in logarithms.
    """
    rho0 = np.abs(u0)
    uh = _unit(u0)
    aC = np.abs(Ct)
    ch = np.where(aC > 0, _unit(Ct), uh)
    c2 = np.abs(ch + uh) ** 2 / 4
    s2 = np.abs(ch - uh) ** 2 / 4
    sig = (ch * np.conj(uh)).imag
    anti = c2 == 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        # direct form
        M = np.exp(ell)
        Cabs, D = aC * M, Dt * M * M
        kx = 2.0 * Cabs * x
        eps = np.exp(-kx)
        F = 2.0 * x * np.where(kx > 0, -np.expm1(-kx) / np.where(kx > 0, kx, 1.0), 1.0)  # (1-ε)/|C|, 2x as |C|x → 0
        DF = D * rho0 * F
        direct = np.where(anti, uh * rho0 * eps / (1.0 + DF * s2),
                          rho0 * ch * (c2 - s2 * eps * eps - 1j * sig * eps) / (eps + DF * (c2 + s2 * eps)))
        redo = (ell > _LOG_SCALE_LIMIT) | ~np.isfinite(direct) | ((direct == 0) & (x > 0))
        if np.any(redo):
            # logarithmic form: log|C|, log ε = -2|C|x, log F = log(1-ε) - log|C|
            logC = np.log(np.where(aC > 0, aC, 1.0)) + ell
            kx = np.where(x > 0, 2.0 * x * np.exp(logC), 0.0)
            log_eps = -kx
            eps = np.exp(log_eps)
            log_2x = np.log(2.0 * x)
            logF = log_2x + np.where(kx > 0, np.log(-np.expm1(-kx)) - (log_2x + logC), 0.0)  # log((1-ε)/|C|)
            logDF = np.log(Dt) + 2.0 * ell + np.log(rho0) + logF
            N = c2 - s2 * eps * eps - 1j * sig * eps
            absN = np.abs(N)
            log_anti = np.log(rho0) + log_eps - np.logaddexp(0.0, logDF + np.log(np.where(anti, s2, 1.0)))
            log_gen = np.log(rho0) + np.log(absN) - np.logaddexp(log_eps, logDF + np.log(c2 + s2 * eps))
            via_log = np.where(anti, uh * np.exp(log_anti), ch * (N / np.where(absN > 0, absN, 1.0)) * np.exp(log_gen))
            direct = np.where(redo, via_log, direct)
    return np.where(x == 0, u0, direct)



def frozen_b_solution(t, s, b, u0, tau: float = 1.0) -> np.ndarray:
    """Input–output mode with ``b`` frozen, balanced modes: the logistic of theory guide :ref:`theory-frozen-recurrent`.

    .. math::

        u(t) = \\frac{C e^{2Ct/τ}}{C/u_0 - D + D e^{2Ct/τ}},\\qquad u(∞) = C/D,

    with ``C = ⟨s, p_b⟩``, ``D = ‖p_b‖²``, the solution of ``τu̇ = 2|u|(C - Du)`` for
    ``u0`` of the sign of ``C``.  The sign of ``u`` never changes (``u = 0`` is a fixed
    point), and ``v = |u|`` obeys the same logistic with ``C`` replaced by ``sign(u0) C``; written
    with ``ε = e^{-2|C|t/τ}`` and ``F = (1-ε)/|C|`` (``2t/τ`` at ``C = 0``) the solution is

    * ``u = u0/(ε + D u0 F)`` when ``u0 C >= 0``: it tends to ``C/D``;
    * ``u = u0 ε/(1 + D|u0| F)`` when ``u0 C < 0``: it decays to 0 at rate ``2|C|``,

    positive denominators for every ``u0 ≠ 0`` and ``t >= 0`` (the textbook logistic has a pole
    when ``u0 C < 0``).  ``C`` and ``D`` are formed with ``|b|^{T-1}`` factored out, so any ``b``
    works (in logarithms when ``|b|^{T-1} > e^{200}``).

    Proca et al. (2025), App. C.

    Parameters
    ----------
    t : array_like, shape (n_t,)
        Learning times.
    s : array_like, shape batch + (T,)
    b, u0 : array_like
        Broadcast against the batch shape; ``u0 ≠ 0``.
    tau : float
        Learning timescale ``τ > 0``.

    Returns
    -------
    u : ndarray, shape batch + (n_t,)

    Raises
    ------
    TypeError
        If an argument is not a real numeric array or ``tau`` not a number.
    ValueError
        If ``t`` is not 1-D or has a negative entry, an array is empty or not finite, ``tau <= 0``,
        ``u0 = 0``, or the shapes do not broadcast.

    Examples
    --------
    The closed form against the reduced ODE integrated with ``b`` frozen:

    >>> import numpy as np
    >>> from lrnn_theory import integrate_reduced, tasks
    >>> from lrnn_theory.closed_forms import frozen_b_solution
    >>> s, t = tasks.inverse_exponential(3, 1.0, 0.5), np.array([0.0, 1.0, 5.0])
    >>> u = frozen_b_solution(t, s, 0.3, 0.1)
    >>> u.shape
    (3,)
    >>> bool(np.allclose(u, integrate_reduced(s, 0.1, 0.3, t, freeze=["b"]).u, rtol=1e-8))
    True
    """
    t = _check_learning_time(t)
    s = as_float_array("s", s, min_ndim=1)
    b = landscape._broadcast("b", b, s)
    u0 = as_float_array("u0", u0)
    return _frozen_b(t, s, b, u0, tau, conj=False).real


def _check_learning_time(t):
    t = as_float_array("t", t, ndim=1)
    if np.any(t < 0):
        raise ValueError("t must be >= 0 (learning time from the initial condition)")
    return t


def _frozen_b(t, s, b, u0, tau, *, conj):
    """Shared tail of the real and complex frozen-b solutions: checks, broadcasting and the flow."""
    tau = check_positive_float("tau", tau)
    if np.any(u0 == 0):
        raise ValueError("u0 must be non-zero (u = 0 is a fixed point)")
    try:
        shape = np.broadcast_shapes(s.shape[:-1], b.shape, u0.shape)
    except ValueError:
        raise ValueError(f"s {s.shape} (batch {s.shape[:-1]}), b {b.shape} and u0 {u0.shape} do not broadcast") from None
    Ct, Dt, ell = landscape._scaled_geometric_sums(b, s, conj=conj)
    Ct, Dt, ell, u0 = (np.broadcast_to(v, shape)[..., None] for v in (Ct, Dt, ell, u0))
    return _frozen_b_flow(t / tau, Ct.astype(complex), Dt, ell, u0.astype(complex))


def escape_time(s, b0, u0, u_star=None, tau: float = 1.0) -> np.ndarray:
    """Escape time from small initialisation ``t_esc ≈ τ/(2C(b0)) ln(u*/u0)`` (theory guide :ref:`theory-escape-recency`).

    ``u_star`` defaults to the fixed point of ``s``.  Returns ``inf`` where
    ``C(b0) <= 0`` (no exponential escape along ``b0``).  Proca et al. (2025), App. C and E.

    Parameters
    ----------
    s : array_like, shape batch + (T,)
        Task dynamics.
    b0 : array_like
        Recurrent mode at initialisation.
    u0 : array_like
        Initial input–output mode, ``> 0``.
    u_star : array_like, optional
        Target ``u*``; default :func:`fixed_point` ``(s).u``.
    tau : float
        Learning timescale ``τ > 0``.

    Returns
    -------
    t_esc : ndarray, broadcast batch shape
        In the units of ``t`` (``τ``-scaled learning time); ``inf`` where ``C(b0) <= 0``, 0 where
        ``u0 >= |u*|`` (nothing left to escape).

    Raises
    ------
    TypeError
        If an argument is not a real numeric array or ``tau`` not a number.
    ValueError
        If an array is empty or not finite, ``tau <= 0``, ``u0 <= 0``, ``u_star = 0`` (or a zero
        task's default ``u* = 0``), or ``C(b0)`` overflows (as :func:`recency_weight`).

    Examples
    --------
    Constant task, ``b0 = 0``: ``C = s_T = 1``, ``u* = 1``, so ``t_esc = ½ ln(1/u0)``:

    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import escape_time
    >>> t = escape_time(tasks.constant(3), 0.0, 1e-3)
    >>> bool(np.isclose(t, 0.5 * np.log(1e3), rtol=1e-14))
    True
    """
    s = as_float_array("s", s, min_ndim=1)
    u0 = as_float_array("u0", u0)
    tau = check_positive_float("tau", tau)
    if np.any(u0 <= 0):
        raise ValueError("u0 must be positive")
    if u_star is None:
        u_star = fixed_point(s).u
    u_star = as_float_array("u_star", u_star)
    if np.any(u_star == 0):
        raise ValueError("u_star must be non-zero (u* = 0: nothing to escape to; a zero task has no escape)")
    C = recency_weight(s, b0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ratio = np.abs(u_star) / u0
        log_ratio = np.where(np.isfinite(ratio) & (ratio > 0), np.log(ratio), np.log(np.abs(u_star)) - np.log(u0))
        t = tau / (2.0 * C) * log_ratio
    return np.where(C > 0, np.maximum(t, 0.0), np.inf)  # 0: u0 >= |u*| already


def jacobian_rows(u, b, T: int) -> np.ndarray:
    """Rows ``J_i = (c b^k, k u b^{k-1}, a b^k)``, ``k = T - i``, at a balanced point (theory guide :ref:`theory-equilibria`).

    ``a = √|u|``, ``c = sign(u) √|u|``.  Returns shape batch + (T, 3).

    Parameters
    ----------
    u, b : array_like
        Input–output and recurrent mode (broadcast).
    T : int
        Trajectory length, ``T >= 1``.

    Returns
    -------
    J : ndarray, shape batch + (T, 3)
        ``J[..., i-1, :] = ∂(c b^{T-i} a)/∂(a, b, c)``.

    Raises
    ------
    TypeError
        If ``T`` is not an integer or ``u``/``b`` not numeric.
    ValueError
        If ``T < 1``, ``u``/``b`` are empty, not finite or do not broadcast, or ``b^{T-1}``
        overflows float64.

    Examples
    --------
    >>> from lrnn_theory.closed_forms import jacobian_rows
    >>> jacobian_rows(1.0, 0.5, 3)  # rows k = 2, 1, 0
    array([[0.25, 1.  , 0.25],
           [0.5 , 1.  , 0.5 ],
           [1.  , 0.  , 1.  ]])
    """
    T = check_int("T", T, minimum=1)
    u = as_float_array("u", u)
    b = as_float_array("b", b)
    u, b = np.broadcast_arrays(u, b)
    a = np.sqrt(np.abs(u))
    c = np.sign(u) * a
    k = np.arange(T - 1, -1, -1, dtype=float)  # i = 1..T
    with np.errstate(over="ignore"):
        bk = b[..., None] ** k
        bkm1 = np.where(k > 0, b[..., None] ** np.maximum(k - 1, 0), 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        J = np.stack([c[..., None] * bk, k * u[..., None] * bkm1, a[..., None] * bk], axis=-1)
    if not np.all(np.isfinite(J)):
        raise ValueError(f"b and T: b^(T-1) overflows float64 (T = {T}, max |b| = {float(np.max(np.abs(b)))!r})")
    return J


def hessian_at_solution(s) -> np.ndarray:
    """Hessian ``JᵀJ`` of the mode energy at the balanced zero-loss solution (theory guide :ref:`theory-equilibria`, :ref:`theory-stability`).

    Parameters
    ----------
    s : array_like, shape batch + (T,)
        Geometric (zero-loss) dynamics; other tasks raise ``ValueError``.

    Returns
    -------
    H : ndarray, shape batch + (3, 3)
        One eigenvalue is exactly zero (the rescaling ``(a, c) → (a e^ε, c e^{-ε})``).

    Raises
    ------
    TypeError
        If ``s`` is not a real numeric array.
    ValueError
        If ``s`` is 0-d, empty or not finite, its dynamics are not geometric, or the Hessian
        overflows float64.

    Examples
    --------
    Equal to the Hessian of the energy (:func:`lrnn_theory.modes.mode_hessian`) at the solution:

    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import hessian_at_solution
    >>> from lrnn_theory.modes import mode_hessian
    >>> s = tasks.inverse_exponential(3, 1.0, 0.5)
    >>> H = hessian_at_solution(s)
    >>> bool(np.allclose(H, mode_hessian(1.0, 0.5, 1.0, s))), bool(abs(np.linalg.eigvalsh(H)[0]) < 1e-12)
    (True, True)
    """
    s = as_float_array("s", s, min_ndim=1)
    fp = fixed_point(s)
    if not np.all(fp.exact):
        raise ValueError("s must have geometric (zero-loss) dynamics s_i = u b^{T-i} (theory guide `theory-learnable`)")
    b = np.where(np.isnan(fp.b), 0.0, fp.b)
    J = jacobian_rows(fp.u, b, s.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):
        H = np.einsum("...ki,...kj->...ij", J, J)
    if not np.all(np.isfinite(H)):
        raise ValueError("s: the Hessian JᵀJ at the solution overflows float64 (|b*|^(2(T-1)) or |s| too large)")
    return H


def max_stable_lr(s) -> np.ndarray:
    """Largest stable gradient-descent step ``2/λ_max(JᵀJ)`` at the zero-loss solution (theory guide :ref:`theory-stability`).

    Proca et al. (2025), Sec. 4 and the stability appendix.

    Parameters
    ----------
    s : array_like, shape batch + (T,)
        Geometric (zero-loss) dynamics.

    Returns
    -------
    lr_max : ndarray, batch shape
        In the loss convention of theory guide :ref:`theory-conventions` (``τ = 1/lr``);
        ``inf`` for a zero task (the Hessian vanishes: no step size is unstable).

    Raises
    ------
    TypeError, ValueError
        As :func:`hessian_at_solution`.

    Examples
    --------
    For ``T = 1`` the Hessian's largest eigenvalue is ``a² + c² = 2u*``, so ``lr_max = 1/u*``:

    >>> from lrnn_theory.closed_forms import max_stable_lr
    >>> max_stable_lr([[1.0], [2.0]])
    array([1. , 0.5])
    """
    H = hessian_at_solution(s)
    return 2.0 / np.linalg.eigvalsh(H)[..., -1]


def extrapolation_energy_direct(u, b, s_test) -> np.ndarray:
    """Energy of a mode fixed at ``(u, b)`` on test dynamics ``s_test`` of any length (theory guide :ref:`theory-extrapolation`).

    ``E_test = ½ Σ_i (s_test_i - u b^{T'-i})²``.

    Parameters
    ----------
    u, b : array_like
        Learned input–output and recurrent mode (broadcast with ``s_test.shape[:-1]``).
    s_test : array_like, shape batch + (T',)
        Test task dynamics.

    Returns
    -------
    E_test : ndarray, broadcast batch shape

    Raises
    ------
    TypeError, ValueError
        For non-numeric, empty or non-finite arrays, a 0-d ``s_test``, or an energy beyond the
        float64 range (``|b| > 1``, long ``s_test``).

    Examples
    --------
    A mode trained on ``exponential(2, 1, 2)`` (``u* = 4``, ``b* = 0.5``) and tested at ``T' = 3``:

    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import extrapolation_energy_direct
    >>> float(extrapolation_energy_direct(4.0, 0.5, tasks.exponential(3, 1.0, 2.0)))  # ½ (1² + 2² + 4²)
    10.5
    """
    s_test = as_float_array("s_test", s_test, min_ndim=1)
    u = as_float_array("u", u)
    b = as_float_array("b", b)
    T = s_test.shape[-1]
    k = np.arange(T - 1, -1, -1, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        resid = s_test - u[..., None] * b[..., None] ** k
        E = 0.5 * np.sum(resid * resid, axis=-1)
    if not np.all(np.isfinite(E)):
        raise ValueError(f"u, b and s_test: u b^(T'-1) or the energy overflows float64 (T' = {T}, "
                         f"max |b| = {float(np.max(np.abs(b)))!r})")
    return E


def extrapolation_energy(family: str, T_train: int, T_test, delta=1.0, lam=0.8) -> np.ndarray:
    """Extrapolation energy of a mode trained at length ``T`` and tested at ``T'`` (theory guide :ref:`theory-extrapolation`).

    Constant and inverse-exponential dynamics extrapolate perfectly (exact
    zero).  Exponential dynamics (``u* = δλ^T``, ``b* = 1/λ``):

    .. math::

        E_{\\rm test}(T') = \\tfrac12 δ^2 (λ^{T-T'} - 1)^2 \\sum_{t=1}^{T'} λ^{2t}
        = \\tfrac12 δ^2(λ^{T-T'}-1)^2 \\frac{λ^2(1-λ^{2T'})}{1-λ^2}.

    Parameters
    ----------
    family : {"constant", "inverse_exponential", "exponential"}
    T_train : int
        Training length ``T >= 1``.
    T_test : int or array_like of int
        Test lengths ``T' >= 1``.
    delta, lam : float or array_like
        Family parameters.

    Returns
    -------
    ndarray, broadcast shape of ``T_test``, ``delta``, ``lam``

    Raises
    ------
    TypeError
        If ``family`` is not a string, ``T_train`` not an integer, or ``delta``/``lam`` not numeric.
    ValueError
        If ``family`` is unknown, ``T_train < 1``, ``T_test`` has a non-integer or value ``< 1``,
        ``lam = 0`` for ``"exponential"``, or the energy is beyond the float64 range.

    Examples
    --------
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import extrapolation_energy, extrapolation_energy_direct
    >>> float(extrapolation_energy("exponential", 2, 3, delta=1.0, lam=2.0))
    10.5
    >>> float(extrapolation_energy_direct(4.0, 0.5, tasks.exponential(3, 1.0, 2.0)))  # direct sum
    10.5
    >>> extrapolation_energy("inverse_exponential", 5, [3, 10])  # extrapolates perfectly
    array([0., 0.])
    """
    family = check_choice("family", family, FAMILIES)
    T = check_int("T_train", T_train, minimum=1)
    T_test = np.asarray(T_test)
    if T_test.dtype.kind not in "iu" or np.any(T_test < 1):
        raise ValueError(f"T_test must be integers >= 1, got {T_test!r}")
    delta = as_float_array("delta", delta)
    lam = as_float_array("lam", lam)
    shape = np.broadcast_shapes(T_test.shape, delta.shape, lam.shape)
    if family != "exponential":
        return np.zeros(shape)
    if np.any(lam == 0):
        raise ValueError("lam must be non-zero for the exponential family")
    q = lam * lam
    Tp = T_test.astype(float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        geo = np.where(np.isclose(q, 1.0, rtol=0, atol=1e-12), Tp, q * (1.0 - q ** Tp) / (1.0 - q))
    with np.errstate(over="ignore", invalid="ignore"):
        E = 0.5 * delta ** 2 * (lam ** (T - Tp) - 1.0) ** 2 * geo
    if not np.all(np.isfinite(E)):
        raise ValueError(f"lam and T_test: the energy overflows float64 (λ^(T-T') or λ^(2T') beyond its range, "
                         f"T = {T}, max T' = {int(np.max(T_test))})")
    return E


# --- complex modes (Proca et al. (2025), App. N–O; theory guide :ref:`theory-complex-modes`) ---------------


@dataclass(frozen=True)
class ComplexFixedPoint:
    """Fixed point of a complex mode (shapes: the batch shape of ``s``).

    Attributes
    ----------
    b, u : complex ndarray
        Recurrent mode ``b*`` and input–output mode ``u* = a* c* = u*(b*)``.
        Geometric dynamics: ``b* = s_{T-1}/s_T``, ``u* = s_T``.  For ``T = 1``
        any ``b`` is optimal and ``b`` is NaN; for ``s ≡ 0`` both are 0; where
        ``at_infinity``, ``b`` is ``inf`` and ``u`` is 0.
    stable : ndarray of bool
        ``|b*| <= 1``: bounded hidden activity and gradients as ``T`` grows
        (the real criterion, with the modulus; ``True`` for ``T = 1``;
        ``|b*| <= 1 + 1e-10`` for a searched ``b*``, known only to rounding).
    energy : ndarray, optional
        Residual energy ``E*(b*) = ½ Σ_i |s_i - u* b*^{T-i}|²`` (0 for geometric dynamics).
    exact : ndarray of bool, optional
        True where the dynamics are geometric (or zero) and the zero-loss
        solution is returned exactly; False where the global minimiser of the
        profile energy was searched for.
    converged : ndarray of bool, optional
        False where the Newton refinement of that search did not reach a
        stationary point (the best point found is returned); always True where ``exact``.
    at_infinity : ndarray of bool, optional
        The infimum of ``E*`` is approached only as ``|b| → ∞`` (with ``u → 0``
        and ``u b^{T-1} → s_1``): a runaway, as at the boundary of the real search.

    The optional fields default to the values of a geometric (zero-loss)
    solution: ``energy = 0``, ``exact = converged = True``, ``at_infinity = False``.

    Theory guide :ref:`theory-complex-fixed-points`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import complex_fixed_point
    >>> fp = complex_fixed_point(tasks.rotational(4, 1.0, 1.1 * np.exp(0.3j)))
    >>> round(float(abs(fp.b)), 12), bool(fp.stable)  # |λ| > 1: unstable
    (1.1, False)
    """

    b: np.ndarray
    u: np.ndarray
    stable: np.ndarray
    energy: np.ndarray | None = None
    exact: np.ndarray | None = None
    converged: np.ndarray | None = None
    at_infinity: np.ndarray | None = None

    def __post_init__(self):
        shape = np.shape(self.b)
        defaults = {"energy": np.zeros(shape), "exact": np.ones(shape, bool),
                    "converged": np.ones(shape, bool), "at_infinity": np.zeros(shape, bool)}
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)


#: Radial grading of the polar search grid: spacing ``max(1/(n_grid-1), (1-r)/_GRADING)``.
_GRADING = 64
#: Grid values (complex) evaluated per block of the polar search: bounds its temporary arrays.
_GRID_BLOCK = 2 ** 20


def _cprofile_radii(n_grid: int) -> np.ndarray:
    """Radii of the polar search grid of the closed unit disc, increasing from 0 to 1.

    The profile energy varies on the scale ``max(1/T, 1 - r)`` in ``r`` (``C(b)`` is a polynomial of degree
    ``T-1`` whose terms ``r^k`` die out beyond ``k ~ 1/(1-r)``), so the spacing is ``h = 1/(n_grid-1)`` near
    the circle and ``(1-r)/64`` inside: about ``65 + ln((n_grid-1)/64)/ln(1 + 1/64)`` radii (347 for
    ``n_grid = 5001``) instead of ``n_grid``.  For
    ``n_grid <= 65`` this is the uniform grid ``linspace(0, 1, n_grid)``.
    """
    if n_grid - 1 <= _GRADING:
        return np.linspace(0.0, 1.0, n_grid)
    h = 1.0 / (n_grid - 1)
    gaps = list(h * np.arange(_GRADING + 1))  # 1 - r in the uniform band next to the circle
    while gaps[-1] < 1.0:
        gaps.append(gaps[-1] * (1.0 + 1.0 / _GRADING))
    gaps[-1] = 1.0
    return 1.0 - np.array(gaps[::-1])


def _cprofile_grid_candidates(s, n_grid, n_sectors):
    """Best point of ``|C|²/D`` in each of ``n_sectors`` angular sectors of a polar grid of the closed unit disc,
    for the rows of ``s`` (M, T); returns ``w`` of shape (M, n_sectors).

    Radii :func:`_cprofile_radii` (uniform ``j/(n_grid-1)`` for ``n_grid <= 65``, graded towards the circle
    otherwise), angles ``2πm/n_θ`` with ``n_θ = max(4 n_grid, T)``: on each circle
    ``conj(C(r e^{iθ})) = Σ_k conj(s_{T-k}) r^k e^{ikθ}`` is one inverse FFT of length ``n_θ``.
    Blocks of modes and radii hold at most ``_GRID_BLOCK`` grid values at a time, so the temporary arrays
    do not grow with ``T`` beyond one circle.
    """
    M, T = s.shape
    n_theta = max(4 * n_grid, T)
    r = _cprofile_radii(n_grid)
    n_r = r.size
    sector = (np.arange(n_theta) * n_sectors) // n_theta
    bounds = np.searchsorted(sector, np.arange(n_sectors + 1))  # sector q: columns bounds[q]:bounds[q+1]
    angles = np.exp(2j * np.pi * np.arange(n_theta) / n_theta)
    g = np.conj(s[:, ::-1])  # coefficient of w^k
    out = np.empty((M, n_sectors), complex)
    per_circle = n_theta
    rows = max(1, _GRID_BLOCK // (per_circle * n_r))
    for i in range(0, M, rows):
        gi = g[i:i + rows]
        blk = gi.shape[0]
        best = np.full((blk, n_sectors), -np.inf)
        arg = np.zeros((blk, n_sectors), complex)
        step = max(1, _GRID_BLOCK // (per_circle * blk))
        for j in range(0, n_r, step):
            rj = r[j:j + step]
            rk = rj[:, None] ** np.arange(T)  # r <= 1: no overflow
            D = np.sum(rk * rk, axis=-1)
            G = np.fft.ifft(gi[:, None, :] * rk[None], n=n_theta, axis=-1) * n_theta
            fitted = (G.real ** 2 + G.imag ** 2) / D[None, :, None]  # (blk, n_r chunk, n_theta)
            for q in range(n_sectors):
                sub = fitted[:, :, bounds[q]:bounds[q + 1]]
                am = np.argmax(sub, axis=2)  # best angle on each circle
                val = np.take_along_axis(sub, am[..., None], axis=2)[..., 0]
                jr = np.argmax(val, axis=1)  # best circle of the chunk
                v = val[np.arange(blk), jr]
                better = v > best[:, q]  # first maximum wins, as a global argmax over (radius, angle)
                best[:, q] = np.where(better, v, best[:, q])
                arg[:, q] = np.where(better, rj[jr] * angles[bounds[q] + am[np.arange(blk), jr]], arg[:, q])
        out[i:i + blk] = arg
    return out


def _cprofile_newton_parts(w, s):
    """Profile energy of the rows of ``s`` (M, T) at ``w`` (M,), its gradient and Hessian in real coordinates.

    With ``G(w) = conj(C(w)) = Σ_k conj(s_{T-k}) w^k`` (holomorphic) and ``D = φ(|w|²)``,
    ``φ(x) = Σ_{k<T} x^k``, the fitted part is ``f = |G|²/D`` and ``E* = ½(‖s‖² - f)``.
    Returns ``grad = ∂E/∂x + i ∂E/∂y = 2 ∂E/∂w̄`` and ``(E_xx, E_xy, E_yy)`` from the Wirtinger
    derivatives ``E_ww̄`` (real) and ``E_w̄w̄``: ``E_xx = 2E_ww̄ + 2Re E_w̄w̄``,
    ``E_yy = 2E_ww̄ - 2Re E_w̄w̄``, ``E_xy = 2 Im E_w̄w̄``.
    """
    T = s.shape[-1]
    G = np.conj(s[:, 0]).copy()
    G1 = np.zeros_like(G)
    G2 = np.zeros_like(G)
    x = w.real ** 2 + w.imag ** 2
    P = np.ones_like(x)
    P1 = np.zeros_like(x)
    P2 = np.zeros_like(x)
    for j in range(1, T):  # Horner for G, G', G''/2 and φ, φ', φ''/2
        G2 = G2 * w + G1
        G1 = G1 * w + G
        G = G * w + np.conj(s[:, j])
        P2 = P2 * x + P1
        P1 = P1 * x + P
        P = P * x + 1.0
    G2, P2 = 2.0 * G2, 2.0 * P2
    H, Hw_, Hw_w_ = np.conj(G), np.conj(G1), np.conj(G2)  # H = conj(G) is anti-holomorphic
    D, Dw_, Dw = P, w * P1, np.conj(w) * P1
    Dw_w_, Dww_ = w * w * P2, P1 + x * P2
    GH = G.real ** 2 + G.imag ** 2
    fw_ = G * Hw_ / D - GH * Dw_ / D ** 2
    fw_w_ = G * Hw_w_ / D - 2.0 * G * Hw_ * Dw_ / D ** 2 - GH * Dw_w_ / D ** 2 + 2.0 * GH * Dw_ ** 2 / D ** 3
    fww_ = (G1 * Hw_ / D - G * Hw_ * Dw / D ** 2 - G1 * H * Dw_ / D ** 2 - GH * Dww_ / D ** 2
            + 2.0 * GH * (Dw_ * Dw).real / D ** 3).real
    A, B = -0.5 * fw_w_, -0.5 * fww_
    return -fw_, (2.0 * B + 2.0 * A.real, 2.0 * A.imag, 2.0 * B - 2.0 * A.real)


def _cprofile_residual(w, s):
    """``(E*(w), u*(w))`` for the rows of ``s`` (M, T), the energy as the residual ``½‖s - u* p_w‖²`` (no cancellation)."""
    T = s.shape[-1]
    p = np.empty(s.shape, complex)
    p[:, T - 1] = 1.0
    for j in range(T - 2, -1, -1):
        p[:, j] = p[:, j + 1] * w
    u = np.sum(s * np.conj(p), axis=-1) / np.sum(p.real ** 2 + p.imag ** 2, axis=-1)
    r = s - u[:, None] * p
    return 0.5 * np.sum(r.real ** 2 + r.imag ** 2, axis=-1), u


def _cprofile_at_b(b, s):
    """``(E*(b), u*(b))`` for the rows of ``s`` (M, T) at any finite ``b`` (M,), in the chart ``b`` or ``1/b`` with ``|·| <= 1``."""
    b = np.asarray(b, complex)
    inner = np.abs(b) <= 1.0
    w = np.where(inner, b, 1.0 / np.where(inner, 1.0, b))
    E, u = _cprofile_residual(w, np.where(inner[:, None], s, s[:, ::-1]))
    return E, np.where(inner, u, u * w ** (s.shape[-1] - 1))


def _cprofile_refine(w, s, chart, max_iter=100):
    """Damped Newton on ``E*`` from ``w`` (M,) for the rows of ``s`` (M, T) in charts ``chart`` (M,) (0: ``w = b``
    with ``s``; 1: ``w = 1/b`` with ``s`` reversed, which the rows of ``s`` must already be).  An iterate leaving
    ``|w| <= 1.5`` moves to the other chart, so ``|w|`` stays moderate.  Returns ``(w, chart, E, u_w, converged)``."""
    s, chart = s.copy(), chart.copy()
    ss = np.sum(s.real ** 2 + s.imag ** 2, axis=-1)
    T = s.shape[-1]
    E, _ = _cprofile_residual(w, s)
    noise = 16.0 * np.finfo(float).eps * ss
    done = np.zeros(w.shape, bool)
    for _ in range(max_iter):
        g, (hxx, hxy, hyy) = _cprofile_newton_parts(w, s)
        # saddle-free Newton: H's eigenvalues replaced by their moduli (Newton where H > 0)
        half_tr, half_diff = 0.5 * (hxx + hyy), 0.5 * (hxx - hyy)
        r = np.hypot(half_diff, hxy)
        theta = 0.5 * np.arctan2(hxy, half_diff)
        v1 = np.cos(theta) + 1j * np.sin(theta)  # eigenvector of half_tr + r; 1j * v1 of half_tr - r
        floor = np.maximum(1e-8 * (np.abs(half_tr) + r), np.finfo(float).tiny)
        g1 = g.real * v1.real + g.imag * v1.imag
        g2 = -g.real * v1.imag + g.imag * v1.real
        d = -(g1 / np.maximum(np.abs(half_tr + r), floor) * v1 + g2 / np.maximum(np.abs(half_tr - r), floor) * 1j * v1)
        d = np.where(np.isfinite(d), d, 0.0)
        too_long = np.abs(d) > 0.25
        d = np.where(too_long, 0.25 * d / np.where(too_long, np.abs(d), 1.0), d)
        d = np.where(done, 0.0, d)
        t = np.ones(w.shape)
        accepted = done.copy()
        w_new, E_new = w.copy(), E.copy()
        for _ in range(40):  # backtracking: never increase E beyond rounding
            trial = w + t * d
            E_t, _ = _cprofile_residual(trial, s)
            ok = ~accepted & (E_t <= E + noise)
            w_new = np.where(ok, trial, w_new)
            E_new = np.where(ok, E_t, E_new)
            accepted |= ok
            if accepted.all():
                break
            t = np.where(accepted, t, 0.5 * t)
        done = done | (np.abs(t * d) <= 1e-13 * (1.0 + np.abs(w))) | ~accepted
        w, E = np.where(accepted, w_new, w), np.where(accepted, E_new, E)
        flip = np.abs(w) > 1.5  # E*(b; s) = E*(1/b; s reversed)
        if flip.any():
            w = np.where(flip, 1.0 / np.where(flip, w, 1.0), w)
            s[flip] = s[flip, ::-1]
            chart = np.where(flip, 1 - chart, chart)
            done &= ~flip
        if done.all():
            break
    g, (hxx, hxy, hyy) = _cprofile_newton_parts(w, s)
    lam_min = 0.5 * (hxx + hyy) - np.sqrt(0.25 * (hxx - hyy) ** 2 + hxy * hxy)
    scale = ss * T * T
    converged = (np.abs(g) <= 1e-9 * scale) & (lam_min >= -1e-7 * scale)
    E, u = _cprofile_residual(w, s)
    return w, chart, E, u, converged


def _complex_global_minimiser(s, n_grid, n_sectors=8):
    """Global minimiser of ``E*(b)`` over the Riemann sphere for the rows of ``s`` (M, T), ``T >= 2``.

    ``E*(b; s) = E*(1/b; reversed s)`` (``p_b = b^{T-1}`` times the reversed ``p_{1/b}``), so the
    closed unit discs of ``b`` and of ``w = 1/b`` cover every ``b``; each is searched on a polar
    grid, the best grid point of each of ``n_sectors`` angular sectors of each disc is refined by
    Newton, and the lowest refined energy wins.
    """
    M, T = s.shape
    w0 = np.concatenate([_cprofile_grid_candidates(s, n_grid, n_sectors),
                         _cprofile_grid_candidates(s[:, ::-1], n_grid, n_sectors)], axis=1)  # (M, K)
    chart = np.repeat(np.array([0, 1]), n_sectors)[None, :].repeat(M, axis=0)
    K = w0.shape[1]
    s_rep = np.where((chart == 0)[..., None], s[:, None, :], s[:, None, ::-1]).reshape(M * K, T)
    w, chart, E, u, conv = (x.reshape(M, K) for x in _cprofile_refine(w0.reshape(-1), s_rep, chart.reshape(-1)))
    key = np.where(conv, E, np.inf)
    best = np.where(conv.any(axis=1), np.argmin(key, axis=1), np.argmin(E, axis=1))
    pick = lambda x: np.take_along_axis(x, best[:, None], axis=1)[:, 0]  # noqa: E731
    return pick(w), pick(chart), pick(E), pick(u), pick(conv)


def complex_fixed_point(s, *, rtol: float = 1e-12, n_grid: int | None = None) -> ComplexFixedPoint:
    r"""Fixed point of a complex mode for any task: the global minimiser of the profile energy over complex ``b`` (Proca et al. (2025), App. H and N–O).

    *Geometric dynamics* ``s_i = u b^{T-i}`` (complex ``u, b``): as for real
    modes the ``i = T`` term forces ``u* = s_T`` and the ``i = T-1`` term
    ``b* = s_{T-1}/s_T``, returned exactly; e.g. :func:`lrnn_theory.tasks.rotational`
    gives ``b* = λ``, ``u* = δ``.

    *Any other task*: with ``b`` frozen the optimal input–output mode is
    ``u*(b) = C(b)/D(b)``, ``C = Σ_i s_i conj(b)^{T-i}``, ``D = Σ_i |b|^{2(T-i)}``
    (:func:`complex_frozen_b_solution`), which leaves the profile energy

    .. math::

        E^\star(b) = \tfrac12\Big(\|s\|^2 - \frac{|C(b)|^2}{D(b)}\Big),

    and the fixed point is its global minimiser over the complex plane.
    Since ``E*(b; s) = E*(1/b; s reversed)``, the closed unit discs of ``b``
    and of ``1/b`` cover the whole plane (and ``b = ∞``): both are searched on
    a polar grid and the best grid point of each of 8 angular sectors per disc
    is refined by a damped (saddle-free) Newton method on the Wirtinger
    gradient ``2 ∂E*/∂b̄``, batched over modes.  Gradient flow from small initialisation
    may stop at another local minimum (theory guide :ref:`theory-dirac`).

    *Real* ``s``: ``E*(b̄) = E*(b)``, so complex minimisers come in conjugate
    pairs; the one with ``Im b* > 0`` is returned (``conj(b*), conj(u*)`` is
    equally optimal).  The minimiser may be genuinely complex (for one isolated
    complex mode an oscillating real task is best fitted by a rotation; a network
    with a hidden unit to spare leaves that fixed point, theory guide
    :ref:`theory-network-stability` and :func:`lrnn_theory.network_stability`);
    a real ``b*`` is returned as real.
    :func:`fixed_point` minimises over real ``b`` in a range, so its energy is
    never lower; where the complex minimiser is real the two agree.  Real
    initial values keep the flow real (:func:`lrnn_theory.integrate_modes`),
    so a real mode can only reach a real ``b`` (the best is :func:`fixed_point`'s);
    a complex mode started off the real axis can reach this one.

    Stability is decided by ``|b*|`` (theory guide :ref:`theory-complex-fixed-points`):
    ``|b*| < 1`` decays, ``|b*| > 1`` grows like ``|b*|^T``; on the edge
    ``|b*| = 1`` (a pure rotation, e.g. ``λ = e^{iπ/12}``) the hidden activity
    neither decays nor grows and the gradient grows only polynomially in ``T``;
    it counts as stable, as ``b* = 1`` does for real modes.  A searched ``b*``
    is known to rounding, so ``|b*| <= 1 + 1e-10`` counts as stable there
    (palindromic tasks, ``s_i = s_{T+1-i}``, have ``E*(b) = E*(1/b)`` and often
    minimisers exactly on ``|b| = 1``).

    Parameters
    ----------
    s : array_like, shape batch + (T,), complex or real
        Task dynamics of each mode.
    rtol : float
        Relative residual ``E/(½‖s‖²)`` below which a profile counts as geometric.
    n_grid : int, optional
        Resolution of the polar grid of each disc: ``4 n_grid`` angles and radial
        spacing ``1/(n_grid-1)`` next to the unit circle, graded inwards as
        ``(1-|b|)/64`` where ``E*`` varies more slowly (the uniform
        ``n_grid`` radii for ``n_grid <= 65``; 347 radii for ``n_grid = 5001``);
        default ``max(64, 2T)``, fine enough to resolve the ``~1/T`` structure
        of ``E*`` near ``|b| = 1``.  Work ``O(T log T)`` per circle, temporary
        arrays bounded independently of ``T`` beyond one circle.  Unused for
        geometric tasks.

    Returns
    -------
    ComplexFixedPoint
        Fields of the batch shape of ``s``; ``energy`` is ``E*(b*)``,
        ``exact`` marks geometric tasks, ``converged`` the refinement and
        ``at_infinity`` a runaway ``|b*| → ∞`` (``b = inf``, ``u = 0``).

    Raises
    ------
    TypeError
        If ``s`` is not numeric, ``rtol`` not a number or ``n_grid`` not an integer.
    ValueError
        If ``s`` is 0-d, empty or not finite, ``rtol <= 0``, or ``n_grid < 3``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import complex_fixed_point
    >>> fp = complex_fixed_point(tasks.rotational(6, 2.0, 0.9j))
    >>> complex(fp.b), complex(fp.u), bool(fp.stable)
    (0.9j, (2+0j), True)

    A sum of two rotations is not geometric; its fixed point leaves a
    residual and the Wirtinger gradient vanishes there:

    >>> s = tasks.rotational(8, 1.0, 0.9 * np.exp(0.4j)) + tasks.rotational(8, 0.5, 0.6 * np.exp(-1.2j))
    >>> fp = complex_fixed_point(s)
    >>> bool(fp.exact), bool(fp.converged), bool(fp.energy > 0), bool(fp.stable)
    (False, True, True, True)
    >>> k = np.arange(7, -1, -1)
    >>> E = lambda b: 0.5 * np.sum(np.abs(s - np.sum(s * np.conj(b) ** k) / np.sum(np.abs(b) ** (2 * k)) * b ** k) ** 2)
    >>> h = 1e-6
    >>> bool(abs(E(fp.b + h) - E(fp.b - h)) / (2 * h) < 1e-7 and abs(E(fp.b + 1j * h) - E(fp.b - 1j * h)) / (2 * h) < 1e-7)
    True
    """
    s = as_float_array("s", s, min_ndim=1, allow_complex=True).astype(complex)
    rtol = check_positive_float("rtol", rtol)
    T = s.shape[-1]
    if n_grid is None:
        n_grid = max(64, 2 * T)
    n_grid = check_int("n_grid", n_grid, minimum=3)
    batch = s.shape[:-1]
    u = s[..., -1].copy()
    ss = np.sum(np.abs(s) ** 2, axis=-1)
    zero_task = ss == 0
    if T == 1:
        return ComplexFixedPoint(b=np.full(batch, np.nan + 0j), u=u, stable=np.ones(batch, bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        b = s[..., -2] / s[..., -1]
    finite = np.isfinite(b)
    b_try = np.where(finite, b, 0.0)
    k = np.arange(T - 1, -1, -1)
    with np.errstate(over="ignore", invalid="ignore"):
        resid = 0.5 * np.sum(np.abs(s - u[..., None] * b_try[..., None] ** k) ** 2, axis=-1)
    exact = finite & (resid <= rtol * np.maximum(0.5 * ss, np.finfo(float).tiny)) & (u != 0)
    b = np.where(zero_task, 0.0, b_try)
    u = np.where(zero_task, 0.0, u)
    exact = exact | zero_task
    if np.all(exact):
        return ComplexFixedPoint(b=b, u=u, stable=np.abs(b) <= 1.0)
    # non-geometric modes: global minimiser of E*(b) over the Riemann sphere
    search = ~exact
    sq = s[search]
    w, chart, E, uw, conv = _complex_global_minimiser(sq, n_grid)
    # runaway: the value at b = ∞, ½(‖s‖² - |s_1|²), is reached to rounding near w = 1/b = 0 (a degenerate
    # minimum there, s_2 = 0, is approached only slowly by Newton)
    ssq = np.sum(np.abs(sq) ** 2, axis=-1)
    E_inf = 0.5 * np.maximum(ssq - np.abs(sq[:, 0]) ** 2, 0.0)
    inf = (chart == 1) & (np.abs(w) <= 1e-3) & (E_inf <= E + 16.0 * np.finfo(float).eps * ssq)
    E = np.where(inf, E_inf, E)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bq = np.where(chart == 0, w, np.where(inf, np.inf + 0j, 1.0 / np.where(inf, 1.0, w)))
        uq = np.where(chart == 0, uw, np.where(inf, 0.0, uw * w ** (T - 1)))  # u_b p_b = u_w p_w reversed
    real = np.all(sq.imag == 0, axis=-1) & ~inf
    if np.any(real):
        # real tasks: a real point as good as b* (to rounding) is returned as real (Re b*, then ±|b*|:
        # a task with one non-zero entry has a circle of minimisers), otherwise the one with Im b* > 0
        noise = 16.0 * np.finfo(float).eps * np.sum(np.abs(sq[real]) ** 2, axis=-1)
        br, ur, Er = bq[real], uq[real], E[real]
        snapped = np.zeros(br.shape, bool)
        for cand in (bq[real].real, np.abs(bq[real]), -np.abs(bq[real])):
            E_c, u_c = _cprofile_at_b(cand, sq[real])
            snap = ~snapped & (E_c <= Er + noise)
            br, ur, Er = np.where(snap, cand, br), np.where(snap, u_c.real, ur), np.where(snap, E_c, Er)
            snapped |= snap
        flip = br.imag < 0
        bq[real], uq[real], E[real] = np.where(flip, np.conj(br), br), np.where(flip, np.conj(ur), ur), Er
    b = b.astype(complex)
    u = u.astype(complex)
    b[search], u[search] = bq, uq
    energy = np.zeros(batch)
    energy[search] = E
    converged = np.ones(batch, bool)
    converged[search] = conv
    at_infinity = np.zeros(batch, bool)
    at_infinity[search] = inf
    # a searched b* is known to ~1e-13: within 1e-10 of the unit circle counts as on it (palindromic tasks,
    # s_i = s_{T+1-i}, have E*(b) = E*(1/b) and often minimisers exactly on |b| = 1)
    stable = np.where(exact, np.abs(b) <= 1.0, np.abs(b) <= 1.0 + 1e-10)
    return ComplexFixedPoint(b=b, u=u, stable=stable, energy=energy, exact=exact,
                             converged=converged, at_infinity=at_infinity)


def complex_frozen_b_solution(t, s, b, u0, tau: float = 1.0) -> np.ndarray:
    r"""Complex input–output mode with ``b`` frozen, balanced modes (``|a| = |c|``) (Proca et al. (2025), App. C and N–O).

    With ``C = Σ_i s_i conj(b)^{T-i}`` (complex) and ``D = Σ_i |b|^{2(T-i)}``
    the flow is ``τ u̇ = 2|u| (C - D u)``.  In polar form ``u = ρ e^{iφ}``,
    ``C = |C| e^{iγ}``, the phase lag ``ψ = γ - φ`` obeys
    ``τ ψ̇ = -2|C| sin ψ`` and ``1/ρ`` a linear equation, so (with
    ``x = t/τ``, ``c² = cos²(ψ0/2)``, ``s² = sin²(ψ0/2)``,
    ``ε = e^{-2|C|x}``)

    .. math::

        \tan\frac{ψ(x)}{2} = \tan\frac{ψ_0}{2}\, e^{-2|C|x},\qquad
        ρ(x) = \frac{ρ_0\,(c^2 + s^2 ε^2)}{ε + 2Dρ_0\,(c^2 + s^2 ε)\,\frac{1-ε}{2|C|}} ,

    ``u(∞) = C/D``.  For real ``s, b, u0 > 0`` (``ψ0 = 0``) this is the
    logistic of :func:`frozen_b_solution`; for ``C = 0`` it is
    ``u0/(1 + 2D|u0|x)``.  ``ψ0 = π`` (``u0`` anti-aligned with ``C``) is the
    unstable phase: ``u`` then decays to 0 along its ray.

    No angle is formed: with ``ĉ = C/|C|`` and ``û = u0/|u0|``, ``c² = |ĉ + û|²/4``,
    ``s² = |ĉ - û|²/4`` and ``sin ψ0 = Im(ĉ conj(û))``, and ``e^{iφ} = ĉ e^{-iψ}`` gives

    ``u = ρ0 ĉ (c² - s²ε² - i sin ψ0 ε) / (ε + Dρ0 (c² + s²ε)(1-ε)/|C|)``,

    whose denominator is a sum of non-negative terms (``u = û ρ0 ε/(1 + Dρ0(1-ε)/|C|)`` at
    ``c² = 0``, so an exactly anti-aligned ``u0`` decays instead of turning through a
    rounded ``cos(π/2)``).  ``C`` and ``D`` are formed with ``|b|^{T-1}`` factored out, and the
    expression is evaluated in logarithms when ``|b|^{T-1} > e^{200}``: any ``b`` works.

    Parameters
    ----------
    t : array_like, shape (n_t,)
        Learning times ``>= 0``.
    s : array_like, shape batch + (T,), complex or real
    b, u0 : complex or array_like
        Frozen recurrent mode and initial ``u0 = a0 c0 ≠ 0`` (broadcast against the batch).
    tau : float
        Learning timescale ``τ > 0``.

    Returns
    -------
    u : complex ndarray, shape batch + (n_t,)

    Raises
    ------
    TypeError
        If an argument is not numeric or ``tau`` not a number.
    ValueError
        If ``t`` is not 1-D or has a negative entry, an array is empty or not finite,
        ``tau <= 0``, ``u0 = 0``, or the shapes do not broadcast.

    Notes
    -----
    Theory guide :ref:`theory-complex-frozen-b`.

    Examples
    --------
    On a rotational task with ``b = λ`` frozen, ``u`` rotates from ``0.1i`` to ``C/D = δ = 1``;
    for real values it is the logistic of :func:`frozen_b_solution`:

    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import complex_frozen_b_solution, frozen_b_solution
    >>> lam = 0.9 * np.exp(1j * np.pi / 12)
    >>> u = complex_frozen_b_solution([0.0, 50.0], tasks.rotational(4, 1.0, lam), lam, 0.1j)
    >>> bool(np.allclose(u, [0.1j, 1.0]))
    True
    >>> s, t = tasks.inverse_exponential(3, 1.0, 0.5), np.array([0.0, 1.0, 5.0])
    >>> bool(np.allclose(complex_frozen_b_solution(t, s, 0.3, 0.1), frozen_b_solution(t, s, 0.3, 0.1)))
    True
    """
    t = _check_learning_time(t)
    s = as_float_array("s", s, min_ndim=1, allow_complex=True).astype(complex)
    b = as_float_array("b", b, allow_complex=True).astype(complex)
    u0 = as_float_array("u0", u0, allow_complex=True).astype(complex)
    return _frozen_b(t, s, b, u0, tau, conj=True)
