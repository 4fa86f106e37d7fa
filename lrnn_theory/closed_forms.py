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
        broadcast, or ``lam = 0`` for ``"exponential"``.

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
        b, u = 1.0 / lam, delta * lam ** T
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


def frozen_b_solution(t, s, b, u0, tau: float = 1.0) -> np.ndarray:
    """Input–output mode with ``b`` frozen, balanced modes: the logistic of theory guide :ref:`theory-frozen-recurrent`.

    .. math::

        u(t) = \\frac{C e^{2Ct/τ}}{C/u_0 - D + D e^{2Ct/τ}},\\qquad u(∞) = C/D,

    with ``C = ⟨s, p_b⟩``, ``D = ‖p_b‖²``; evaluated as
    ``C / (D + (C/u0 - D) e^{-2Ct/τ})`` (no overflow), and as
    ``u0/(1 + 2 D u0 t/τ)`` when ``C = 0``.

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
        If ``t`` is not 1-D, an array is empty or not finite, ``tau <= 0``, or ``u0 = 0``.

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
        In the units of ``t`` (``τ``-scaled learning time); ``inf`` where ``C(b0) <= 0``.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array or ``tau`` not a number.
    ValueError
        If an array is empty or not finite, ``tau <= 0`` or ``u0 <= 0``.

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
    C = recency_weight(s, b0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = tau / (2.0 * C) * np.log(np.abs(u_star) / u0)
    return np.where(C > 0, t, np.inf)


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
        If ``T < 1`` or ``u``/``b`` are empty, not finite or do not broadcast.

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
    bk = b[..., None] ** k
    bkm1 = np.where(k > 0, b[..., None] ** np.maximum(k - 1, 0), 0.0)
    return np.stack([c[..., None] * bk, k * u[..., None] * bkm1, a[..., None] * bk], axis=-1)


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
        If ``s`` is 0-d, empty or not finite, or its dynamics are not geometric.

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
    return np.einsum("...ki,...kj->...ij", J, J)


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
        In the loss convention of theory guide :ref:`theory-conventions` (``τ = 1/lr``).

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
        For non-numeric, empty or non-finite arrays, or a 0-d ``s_test``.

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
    return 0.5 * np.sum(resid * resid, axis=-1)


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
        or ``lam = 0`` for ``"exponential"``.

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
    return 0.5 * delta ** 2 * (lam ** (T - Tp) - 1.0) ** 2 * geo


# --- complex modes (Proca et al. (2025), App. N–O; theory guide :ref:`theory-complex-modes`) ---------------


@dataclass(frozen=True)
class ComplexFixedPoint:
    """Zero-loss solution of a complex mode (shapes: the batch shape of ``s``).

    Attributes
    ----------
    b, u : complex ndarray
        ``b* = s_{T-1}/s_T`` and ``u* = a* c* = s_T``.  For ``T = 1`` any ``b``
        is optimal and ``b`` is NaN; for ``s ≡ 0`` both are 0.
    stable : ndarray of bool
        ``|b*| <= 1``: bounded hidden activity and gradients as ``T`` grows
        (the real criterion, with the modulus; ``True`` for ``T = 1``).

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


def complex_fixed_point(s, *, rtol: float = 1e-12) -> ComplexFixedPoint:
    """Zero-loss solution of complex geometric dynamics ``s_i = u b^{T-i}`` (Proca et al. (2025), App. N–O).

    As for real modes, the ``i = T`` term forces ``u* = s_T`` and the
    ``i = T-1`` term ``b* = s_{T-1}/s_T``, now with complex values; e.g.
    :func:`lrnn_theory.tasks.rotational` gives ``b* = λ``, ``u* = δ``.
    Stability is decided by ``|b*|`` (theory guide :ref:`theory-complex-modes`).

    Parameters
    ----------
    s : array_like, shape batch + (T,), complex or real
        Geometric dynamics; others raise ``ValueError`` (their minimiser over
        complex ``b`` is not implemented).
    rtol : float
        Relative residual ``E/(½‖s‖²)`` below which a profile counts as geometric.

    Returns
    -------
    ComplexFixedPoint

    Raises
    ------
    TypeError
        If ``s`` is not numeric or ``rtol`` not a number.
    ValueError
        If ``s`` is 0-d, empty or not finite, ``rtol <= 0``, or the dynamics are not geometric.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.closed_forms import complex_fixed_point
    >>> fp = complex_fixed_point(tasks.rotational(6, 2.0, 0.9j))
    >>> complex(fp.b), complex(fp.u), bool(fp.stable)
    (0.9j, (2+0j), True)
    """
    s = as_float_array("s", s, min_ndim=1, allow_complex=True).astype(complex)
    rtol = check_positive_float("rtol", rtol)
    T = s.shape[-1]
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
    if not np.all(exact | zero_task):
        raise ValueError("s must have geometric (zero-loss) dynamics s_i = u b^{T-i} in every mode; "
                         "non-geometric complex tasks are not supported by complex_fixed_point")
    b = np.where(zero_task, 0.0, b_try)
    u = np.where(zero_task, 0.0, u)
    return ComplexFixedPoint(b=b, u=u, stable=np.abs(b) <= 1.0)


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
    t = as_float_array("t", t, ndim=1)
    if np.any(t < 0):
        raise ValueError("t must be >= 0 (learning time from the initial condition)")
    s = as_float_array("s", s, min_ndim=1, allow_complex=True).astype(complex)
    b = as_float_array("b", b, allow_complex=True).astype(complex)
    u0 = as_float_array("u0", u0, allow_complex=True).astype(complex)
    tau = check_positive_float("tau", tau)
    if np.any(u0 == 0):
        raise ValueError("u0 must be non-zero (u = 0 is a fixed point)")
    try:
        shape = np.broadcast_shapes(s.shape[:-1], b.shape, u0.shape)
    except ValueError:
        raise ValueError(f"s {s.shape} (batch {s.shape[:-1]}), b {b.shape} and u0 {u0.shape} do not broadcast") from None
    T = s.shape[-1]
    k = np.arange(T - 1, -1, -1)
    pk = np.broadcast_to(b, shape)[..., None] ** k
    C = np.sum(np.broadcast_to(s, shape + (T,)) * np.conj(pk), axis=-1)
    D = np.sum(np.abs(pk) ** 2, axis=-1)
    u0 = np.broadcast_to(u0, shape)
    absC, gamma = np.abs(C), np.angle(C)
    rho0, phi0 = np.abs(u0), np.angle(u0)
    psi0 = np.angle(np.exp(1j * (gamma - phi0)))  # wrapped to (-π, π]
    c2, s2 = np.cos(psi0 / 2) ** 2, np.sin(psi0 / 2) ** 2
    x = t / tau
    aC, D_, r0, c2, s2, g0, p0, ph0 = (np.asarray(v)[..., None] for v in (absC, D, rho0, c2, s2, gamma, psi0, phi0))
    eps = np.exp(-2.0 * aC * x)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(aC > 0, -np.expm1(-2.0 * aC * x) / (2.0 * aC), x)  # (1 - ε)/(2|C|)
    rho = r0 * (c2 + s2 * eps * eps) / (eps + 2.0 * D_ * r0 * (c2 + s2 * eps) * frac)
    psi = 2.0 * np.arctan2(np.sin(p0 / 2) * np.exp(-aC * x), np.cos(p0 / 2) * np.exp(aC * x))
    phi = np.where(aC > 0, g0 - psi, ph0)
    return rho * np.exp(1j * phi)
