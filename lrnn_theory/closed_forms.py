"""Closed forms of learning speed, fixed points, stability and extrapolation (THEORY §4–§5).

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
    "FixedPoint",
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
        True where the task dynamics are geometric (``s_i = u b^{T-i}``, §5.1),
        so that the zero-loss solution is returned exactly; False where the
        global minimiser of the profile energy (§6.2) on ``b_range`` is returned.
    at_boundary : ndarray of bool
        The minimiser sits at an end of ``b_range`` (possible runaway, §6.4).
    """

    b: np.ndarray
    u: np.ndarray
    energy: np.ndarray
    exact: np.ndarray
    at_boundary: np.ndarray


def fixed_point(s, *, b_range=(-1.0, 3.0), n_grid: int = 4001, rtol: float = 1e-12) -> FixedPoint:
    """Solution of the mode dynamics for any task (THEORY §4.1, §5.1, §6.2).

    For geometric (zero-loss) dynamics the solution is exact: the ``i = T``
    term forces ``u* = s_T`` and the ``i = T-1`` term ``b* = s_{T-1}/s_T``
    (§4.1; every task is learnable for ``T = 2``).  Otherwise it is the global
    minimiser of ``E*(b)`` over ``b_range`` (:func:`lrnn_theory.landscape.global_minimiser`);
    gradient flow from small initialisation may be trapped elsewhere (§6.4–§6.6).

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
    """The table of THEORY §4.1: ``(b*, u*, stable)`` of the three task families.

    ====================  ======  ============  ==========================
    family                ``b*``  ``u*``        stable (``|b*| <= 1``) when
    ====================  ======  ============  ==========================
    constant              1       δ             always (marginal)
    inverse_exponential   λ       δ             λ <= 1
    exponential           1/λ     δ λ^T         λ >= 1
    ====================  ======  ============  ==========================
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
        b, u = 1.0 / lam, delta * lam ** T
    return b, u, np.abs(b) <= 1.0


def recency_weight(s, b0) -> np.ndarray:
    """``C(b0) = Σ_i s_i b0^{T-i}``: the recency-weighted sum that sets the escape rate (THEORY §4.3)."""
    return landscape.geometric_sums(b0, s)[0]


def frozen_b_solution(t, s, b, u0, tau: float = 1.0) -> np.ndarray:
    """Input–output mode with ``b`` frozen, balanced modes: the logistic of THEORY §4.2.

    .. math::

        u(t) = \\frac{C e^{2Ct/τ}}{C/u_0 - D + D e^{2Ct/τ}},\\qquad u(∞) = C/D,

    with ``C = ⟨s, p_b⟩``, ``D = ‖p_b‖²``; evaluated as
    ``C / (D + (C/u0 - D) e^{-2Ct/τ})`` (no overflow), and as
    ``u0/(1 + 2 D u0 t/τ)`` when ``C = 0``.

    Parameters
    ----------
    t : array_like, shape (n_t,)
    s : array_like, shape batch + (T,)
    b, u0 : array_like
        Broadcast against the batch shape.

    Returns
    -------
    u : ndarray, shape batch + (n_t,)
    """
    t = as_float_array("t", t, ndim=1)
    s = as_float_array("s", s, min_ndim=1)
    u0 = as_float_array("u0", u0)
    tau = check_positive_float("tau", tau)
    if np.any(u0 == 0):
        raise ValueError("u0 must be non-zero (u = 0 is a fixed point)")
    C, D = landscape.geometric_sums(b, s)
    C, D, u0 = (np.asarray(x)[..., None] for x in np.broadcast_arrays(C, D, u0))
    x = t / tau
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        logistic = C / (D + (C / u0 - D) * np.exp(-2.0 * C * x))
        algebraic = u0 / (1.0 + 2.0 * D * u0 * x)
    return np.where(C == 0, algebraic, logistic)


def escape_time(s, b0, u0, u_star=None, tau: float = 1.0) -> np.ndarray:
    """Escape time from small initialisation ``t_esc ≈ τ/(2C(b0)) ln(u*/u0)`` (THEORY §4.3).

    ``u_star`` defaults to the fixed point of ``s``.  Returns ``inf`` where
    ``C(b0) <= 0`` (no exponential escape along ``b0``).
    """
    s = as_float_array("s", s, min_ndim=1)
    u0 = as_float_array("u0", u0)
    tau = check_positive_float("tau", tau)
    if np.any(u0 <= 0):
        raise ValueError("u0 must be positive")
    if u_star is None:
        u_star = fixed_point(s).u
    u_star = as_float_array("u_star", u_star)
    C = recency_weight(s, b0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = tau / (2.0 * C) * np.log(np.abs(u_star) / u0)
    return np.where(C > 0, t, np.inf)


def jacobian_rows(u, b, T: int) -> np.ndarray:
    """Rows ``J_i = (c b^k, k u b^{k-1}, a b^k)``, ``k = T - i``, at a balanced point (THEORY §3.5).

    ``a = √|u|``, ``c = sign(u) √|u|``.  Returns shape batch + (T, 3).
    """
    T = check_int("T", T, minimum=1)
    u = as_float_array("u", u)
    b = as_float_array("b", b)
    u, b = np.broadcast_arrays(u, b)
    a = np.sqrt(np.abs(u))
    c = np.sign(u) * a
    k = np.arange(T - 1, -1, -1, dtype=float)  # i = 1..T
    bk = b[..., None] ** k
    bkm1 = np.where(k > 0, b[..., None] ** np.maximum(k - 1, 0), 0.0)
    return np.stack([c[..., None] * bk, k * u[..., None] * bkm1, a[..., None] * bk], axis=-1)


def hessian_at_solution(s) -> np.ndarray:
    """Hessian ``JᵀJ`` of the mode energy at the balanced zero-loss solution (THEORY §3.5, §5.2).

    Parameters
    ----------
    s : array_like, shape batch + (T,)
        Geometric (zero-loss) dynamics; other tasks raise ``ValueError``.

    Returns
    -------
    H : ndarray, shape batch + (3, 3)
        One eigenvalue is exactly zero (the rescaling ``(a, c) → (a e^ε, c e^{-ε})``).
    """
    s = as_float_array("s", s, min_ndim=1)
    fp = fixed_point(s)
    if not np.all(fp.exact):
        raise ValueError("s must have geometric (zero-loss) dynamics s_i = u b^{T-i} (THEORY §5.1)")
    b = np.where(np.isnan(fp.b), 0.0, fp.b)
    J = jacobian_rows(fp.u, b, s.shape[-1])
    return np.einsum("...ki,...kj->...ij", J, J)


def max_stable_lr(s) -> np.ndarray:
    """Largest stable gradient-descent step ``2/λ_max(JᵀJ)`` at the zero-loss solution (THEORY §5.2)."""
    H = hessian_at_solution(s)
    return 2.0 / np.linalg.eigvalsh(H)[..., -1]


def extrapolation_energy_direct(u, b, s_test) -> np.ndarray:
    """Energy of a mode fixed at ``(u, b)`` on test dynamics ``s_test`` of any length (THEORY §5.3).

    ``E_test = ½ Σ_i (s_test_i - u b^{T'-i})²``.
    """
    s_test = as_float_array("s_test", s_test, min_ndim=1)
    u = as_float_array("u", u)
    b = as_float_array("b", b)
    T = s_test.shape[-1]
    k = np.arange(T - 1, -1, -1, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        resid = s_test - u[..., None] * b[..., None] ** k
    return 0.5 * np.sum(resid * resid, axis=-1)


def extrapolation_energy(family: str, T_train: int, T_test, delta=1.0, lam=0.8) -> np.ndarray:
    """Extrapolation energy of a mode trained at length ``T`` and tested at ``T'`` (THEORY §5.3).

    Constant and inverse-exponential dynamics extrapolate perfectly (exact
    zero).  Exponential dynamics (``u* = δλ^T``, ``b* = 1/λ``):

    .. math::

        E_{\\rm test}(T') = \\tfrac12 δ^2 (λ^{T-T'} - 1)^2 \\sum_{t=1}^{T'} λ^{2t}
        = \\tfrac12 δ^2(λ^{T-T'}-1)^2 \\frac{λ^2(1-λ^{2T'})}{1-λ^2}.

    Parameters
    ----------
    T_test : int or array_like of int
        Test lengths ``T' >= 1``.

    Returns
    -------
    ndarray, broadcast shape of ``T_test``, ``delta``, ``lam``
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
    return 0.5 * delta ** 2 * (lam ** (T - Tp) - 1.0) ** 2 * geo
