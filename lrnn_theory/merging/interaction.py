"""The interaction model of two representations and its reductions (theory guide :ref:`merging-interaction`, :ref:`merging-fixed-expansion`; van Rossem & Saxe (2025)).

:ref:`merging-interaction` (moving expansion point): two free representations ``h_1, h_2 ∈ R^P`` and, per
continuation ``i = 1..N``, an affine read-out ``ŷ_{α,i} = ȳ_i + ½ D_i (h_α - h_{¬α})`` trained
by gradient flow (:func:`full_gradients`, :func:`full_flow`).  When every ``D_i(0)`` is rank one
with row space ``span(dh(0))`` the scalars ``H = ‖dh‖²``, ``Y = ⟨‖D_i dh‖²⟩``,
``W = ⟨‖dy_i‖² - dy_iᵀΔ_i⟩`` obey a closed system (:func:`reduced_flow`, in the original
``(H, Y, W)`` or the regular ``(s, q, p)`` coordinates; :func:`observables` maps a state to
both).  Its invariant ``Y/H - κH``, the fixed point ``H_∞`` and the merger condition are in
:func:`merger_quantities`; agreeing pairs have the closed form :func:`bernoulli_H`.

:ref:`merging-fixed-expansion` (fixed expansion point): scalar representations along one direction and a nine-variable
closure, exact for any ``K, N`` (:func:`fixed_expansion_flow`; the same flow on explicit
vectors is :func:`fixed_expansion_direct`).  It reproduces "diverge-then-merge" for
agreeing pairs learned at unequal rates.

All flows are integrated with :func:`scipy.integrate.solve_ivp` on the caller's time grid;
the results are frozen dataclasses carrying the solver's ``status`` and ``message``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from .._validation import (
    as_float_array,
    check_choice,
    check_finite_scalar,
    check_int,
    check_positive_float,
    check_time_grid,
)

__all__ = [
    "NINE",
    "FixedExpansionFlow",
    "FullFlow",
    "Gradients",
    "MergerQuantities",
    "Observables",
    "ReducedFlow",
    "bernoulli_H",
    "fixed_expansion_direct",
    "fixed_expansion_flow",
    "full_flow",
    "full_gradients",
    "merger_quantities",
    "observables",
    "reduced_flow",
]

#: Names (and order) of the nine scalars of the theory guide :ref:`merging-fixed-expansion` closure.
NINE = ("h1", "h2", "beta_D", "beta_1", "beta_2", "B", "Q", "g_1", "g_2")


# --------------------------------------------------------------------------------------------
# shared helpers


def _solve(rhs, y0, t: np.ndarray, rtol, atol, method: str = "DOP853"):
    rtol = check_positive_float("rtol", rtol)
    atol = check_positive_float("atol", atol)
    return solve_ivp(rhs, (float(t[0]), float(t[-1])), np.asarray(y0, dtype=float), t_eval=t, rtol=rtol, atol=atol,
                     method=method)


def _kappa(N: int, tau_h: float, tau_y: float) -> float:
    return tau_h / (N * tau_y)


def _targets(y1, y2) -> tuple[np.ndarray, np.ndarray]:
    y1 = as_float_array("y1", y1, ndim=2)
    y2 = as_float_array("y2", y2, ndim=2)
    if y1.shape != y2.shape:
        raise ValueError(f"y1 and y2 must have the same shape (N, K), got {y1.shape} and {y2.shape}")
    return y1, y2


def _check_state(h1, h2, D, ybar, y1, y2):
    y1, y2 = _targets(y1, y2)
    h1 = as_float_array("h1", h1, ndim=1)
    h2 = as_float_array("h2", h2, ndim=1)
    D = as_float_array("D", D, ndim=3)
    ybar = as_float_array("ybar", ybar, ndim=2)
    (N, K), P = y1.shape, h1.size
    if h2.shape != (P,) or D.shape != (N, K, P) or ybar.shape != (N, K):
        raise ValueError(f"shapes must be h1, h2 ({P},), D ({N}, {K}, {P}), ybar ({N}, {K}); "
                         f"got h2 {h2.shape}, D {D.shape}, ybar {ybar.shape}")
    return h1, h2, D, ybar, y1, y2


# --------------------------------------------------------------------------------------------
# theory guide `merging-interaction` full model


@dataclass(frozen=True)
class Gradients:
    """Exact gradients and value of the :ref:`merging-interaction` loss at one state (shapes as the arguments).

    Attributes
    ----------
    h1, h2 : ndarray, shape (P,)
    D : ndarray, shape (N, K, P)
    ybar : ndarray, shape (N, K)
        ``∂L/∂h_1``, ``∂L/∂h_2``, ``∂L/∂D``, ``∂L/∂ȳ``.
    loss : float

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import full_gradients
    >>> g = full_gradients(np.zeros(1), np.ones(1), np.ones((1, 1, 1)), np.zeros((1, 1)), np.zeros((1, 1)), np.ones((1, 1)))
    >>> g.loss, g.h2.tolist()  # read-outs -½ and ½ against targets 0 and 1, residual r = 0
    (0.125, [0.0])
    """

    h1: np.ndarray
    h2: np.ndarray
    D: np.ndarray
    ybar: np.ndarray
    loss: float


def _gradients(h1, h2, D, ybar, y1, y2) -> Gradients:
    N = D.shape[0]
    dh = h2 - h1
    dy = D @ dh
    r = dy - (y2 - y1)
    g_h2 = np.einsum("nkp,nk->p", D, r) / (4 * N)
    loss = (np.sum((ybar - 0.5 * dy - y1) ** 2) + np.sum((ybar + 0.5 * dy - y2) ** 2)) / (4 * N)
    return Gradients(h1=-g_h2, h2=g_h2, D=np.einsum("nk,p->nkp", r, dh) / (4 * N),
                     ybar=(ybar - 0.5 * (y1 + y2)) / N, loss=float(loss))


def full_gradients(h1, h2, D, ybar, y1, y2) -> Gradients:
    """Exact gradients of the interaction-model loss (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025), "exact gradients").

    With ``ŷ_{α,i} = ȳ_i + ½ D_i (h_α - h_{¬α})``, ``L = ½⟨‖ŷ_{α,i} - y*_{α,i}‖²⟩_{α,i}``,
    ``dh = h_2 - h_1``, ``Δ_i = y*_{2,i} - y*_{1,i}`` and ``r_i = D_i dh - Δ_i``:
    ``∂L/∂h_2 = -∂L/∂h_1 = ¼⟨D_iᵀ r_i⟩_i``, ``∂L/∂D_i = r_i dhᵀ/(4N)``,
    ``∂L/∂ȳ_i = (ȳ_i - (y*_{1,i} + y*_{2,i})/2)/N``.

    Parameters
    ----------
    h1, h2 : array_like, shape (P,)
        The two representations.
    D : array_like, shape (N, K, P)
        Read-out Jacobians, one per continuation.
    ybar : array_like, shape (N, K)
        Read-out means ``ȳ_i``.
    y1, y2 : array_like, shape (N, K)
        Targets ``y*_{1,i}``, ``y*_{2,i}``.

    Returns
    -------
    Gradients
        ``∂L/∂h1``, ``∂L/∂h2``, ``∂L/∂D``, ``∂L/∂ybar`` and ``loss = L``.

    Raises
    ------
    TypeError
        Non-numeric arrays.
    ValueError
        Arrays of the wrong dimension or inconsistent shapes, or non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import full_gradients
    >>> h1, h2 = np.zeros(2), np.array([1.0, 0.0])  # dh = e_1
    >>> D, ybar, y1, y2 = np.array([[[1.0, 0.0]]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([[3.0]])
    >>> g = full_gradients(h1, h2, D, ybar, y1, y2)  # r = D dh - Δ = 1 - 3 = -2
    >>> g.loss, float(g.h2[0]), float(g.h1[0]), float(g.D[0, 0, 0])  # ¼Dᵀr, -¼Dᵀr, r dhᵀ/4
    (1.625, -0.5, 0.5, -0.5)
    """
    return _gradients(*_check_state(h1, h2, D, ybar, y1, y2))


@dataclass(frozen=True)
class Observables:
    """Scalar observables of :ref:`merging-interaction` (shape: the leading time shape of the state, or scalars).

    ``H = ‖dh‖²``, ``Y = ⟨‖dy_i‖²⟩``, ``W = ⟨‖dy_i‖² - dy_iᵀΔ_i⟩`` and the regular coordinates
    ``s = +‖dh‖``, ``q = Y/H``, ``p = (Y - W)/s`` (NaN where ``dh = 0``).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import observables
    >>> h1, h2 = np.zeros(2), np.array([1.0, 0.0])  # dh = e_1
    >>> D, ybar, y1, y2 = np.array([[[1.0, 0.0]]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([[3.0]])
    >>> o = observables(h1, h2, D, y1, y2)  # dy = 1, Δ = 3
    >>> [float(v) for v in (o.H, o.Y, o.W, o.s, o.q, o.p)]
    [1.0, 1.0, -2.0, 1.0, 1.0, 3.0]
    """

    H: np.ndarray
    Y: np.ndarray
    W: np.ndarray
    s: np.ndarray
    q: np.ndarray
    p: np.ndarray


def observables(h1, h2, D, y1, y2) -> Observables:
    """Scalar observables and regular coordinates of :ref:`merging-interaction` states (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025)).

    Implements "Scalar observables" (``H, Y, W``) and "Regular coordinates" (``s, q, p``,
    with ``ê = dh/‖dh‖`` taken positive, so ``s >= 0``) of :ref:`merging-interaction`.

    Parameters
    ----------
    h1, h2 : array_like, shape (..., P)
        Representations, optionally over a leading (time) axis.
    D : array_like, shape (..., N, K, P)
        Read-out Jacobians with the same leading shape.
    y1, y2 : array_like, shape (N, K)
        Targets.

    Returns
    -------
    Observables

    Raises
    ------
    TypeError
        Non-numeric arrays.
    ValueError
        Inconsistent shapes or non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import observables
    >>> h1, h2 = np.zeros(2), np.array([1.0, 0.0])  # dh = e_1
    >>> D, ybar, y1, y2 = np.array([[[1.0, 0.0]]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([[3.0]])
    >>> o = observables(np.stack([h1, h1]), np.stack([h2, 2 * h2]), np.stack([D, D]), y1, y2)  # two times
    >>> o.H.tolist(), o.Y.tolist()  # H = ‖dh‖², Y = ‖D dh‖²
    ([1.0, 4.0], [1.0, 4.0])
    """
    h1 = as_float_array("h1", h1, min_ndim=1)
    h2 = as_float_array("h2", h2, min_ndim=1)
    D = as_float_array("D", D, min_ndim=3)
    y1, y2 = _targets(y1, y2)
    if h1.shape != h2.shape:
        raise ValueError(f"h1 and h2 must have the same shape (..., P), got {h1.shape} and {h2.shape}")
    if D.shape != h1.shape[:-1] + y1.shape + h1.shape[-1:]:
        raise ValueError(f"D must have shape {h1.shape[:-1] + y1.shape + h1.shape[-1:]}, got {D.shape}")
    dh = h2 - h1
    dy = np.einsum("...nkp,...p->...nk", D, dh)
    H = np.sum(dh ** 2, axis=-1)
    Y = np.mean(np.sum(dy ** 2, axis=-1), axis=-1)
    W = Y - np.mean(np.sum(dy * (y2 - y1), axis=-1), axis=-1)
    s = np.sqrt(H)
    with np.errstate(divide="ignore", invalid="ignore"):
        return Observables(H=H, Y=Y, W=W, s=s, q=Y / H, p=(Y - W) / s)


@dataclass(frozen=True)
class FullFlow:
    """Gradient flow of the full :ref:`merging-interaction` model sampled on ``t`` (like scipy's ``OdeResult``).

    Attributes
    ----------
    t : ndarray, shape (n_t,)
    h1, h2 : ndarray, shape (n_t, P)
    D : ndarray, shape (n_t, N, K, P)
    ybar : ndarray, shape (n_t, N, K)
    H, Y, W : ndarray, shape (n_t,)
        Scalar observables (:func:`observables`).
    loss : ndarray, shape (n_t,)
    invariant : ndarray, shape (n_t,)
        ``Y/H - κH`` with ``κ = τ_h/(Nτ_y)``; constant when the ansatz is exact (:ref:`merging-interaction`, "Invariant").
    status : int
        ``solve_ivp`` status (0: reached the end of ``t``).
    message : str
        ``solve_ivp`` message.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import full_flow
    >>> h1, h2 = np.zeros(2), np.array([1.0, 0.0])  # dh = e_1
    >>> D, ybar, y1, y2 = np.array([[[1.0, 0.0]]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([[3.0]])
    >>> f = full_flow(h1, h2, D, ybar, y1, y2, np.linspace(0, 5, 6))
    >>> f.status, f.h1.shape, f.D.shape, bool(np.ptp(f.invariant) < 1e-9)  # the invariant is conserved
    (0, (6, 2), (6, 1, 1, 2), True)
    """

    t: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    D: np.ndarray
    ybar: np.ndarray
    H: np.ndarray
    Y: np.ndarray
    W: np.ndarray
    loss: np.ndarray
    invariant: np.ndarray
    status: int
    message: str


def full_flow(h1, h2, D, ybar, y1, y2, t, *, tau_h1: float = 1.0, tau_h2: float = 1.0, tau_y: float = 1.0,
              tau_ybar: float = 1.0, rtol: float = 1e-10, atol: float = 1e-12) -> FullFlow:
    """Integrate the gradient flow of the full interaction model (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025)).

    ``ḣ_α = -(1/τ_{h_α}) ∂L/∂h_α``, ``Ḋ_i = -(1/τ_y) ∂L/∂D_i``, ``ȳ̇_i = -(1/τ_ȳ) ∂L/∂ȳ_i``
    with the exact gradients of :func:`full_gradients`; ``solve_ivp`` (DOP853).

    Parameters
    ----------
    h1, h2 : array_like, shape (P,)
        Initial representations.
    D : array_like, shape (N, K, P)
        Initial read-out Jacobians; ``D_i = u_i dhᵀ/‖dh‖²`` makes the reduced system exact.
    ybar : array_like, shape (N, K)
        Initial read-out means.
    y1, y2 : array_like, shape (N, K)
        Targets.
    t : array_like, shape (n_t,)
        Increasing time grid; the initial state is taken at ``t[0]``.
    tau_h1, tau_h2, tau_y, tau_ybar : float
        Positive time constants (one ``τ_y`` for all ``D_i``).
    rtol, atol : float
        ``solve_ivp`` tolerances.

    Returns
    -------
    FullFlow

    Raises
    ------
    TypeError
        Non-numeric arrays or time constants.
    ValueError
        Inconsistent shapes, non-finite values, non-positive time constants or tolerances, or a
        time grid that is not strictly increasing.

    Examples
    --------
    The rank-one ``D`` along ``dh`` makes the reduced system exact (with ``1/τ_h = 1/τ_{h_1} + 1/τ_{h_2}``):

    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import full_flow, reduced_flow
    >>> h1, h2 = np.zeros(2), np.array([1.0, 0.0])  # dh = e_1
    >>> D, ybar, y1, y2 = np.array([[[1.0, 0.0]]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([[3.0]])
    >>> t = np.linspace(0, 5, 6)
    >>> f = full_flow(h1, h2, D, ybar, y1, y2, t)
    >>> r = reduced_flow(1.0, 1.0, -2.0, 9.0, t, tau_h=0.5)  # H, Y, W and δ² = 9 of this state
    >>> f.status, bool(np.allclose(f.H, r.H, rtol=1e-8))
    (0, True)
    """
    h1, h2, D, ybar, y1, y2 = _check_state(h1, h2, D, ybar, y1, y2)
    tau_h1, tau_h2, tau_y, tau_ybar = (check_positive_float(name, v) for name, v in
                                       (("tau_h1", tau_h1), ("tau_h2", tau_h2), ("tau_y", tau_y), ("tau_ybar", tau_ybar)))
    t = check_time_grid("t", t)
    (N, K), P = y1.shape, h1.size
    cuts = np.cumsum([P, P, N * K * P])

    def unpack(z):
        lead = z.shape[:-1]
        return (z[..., :cuts[0]], z[..., cuts[0]:cuts[1]], z[..., cuts[1]:cuts[2]].reshape(lead + (N, K, P)),
                z[..., cuts[2]:].reshape(lead + (N, K)))

    def rhs(_, z):
        g = _gradients(*unpack(z), y1, y2)
        return np.concatenate([-g.h1 / tau_h1, -g.h2 / tau_h2, -g.D.ravel() / tau_y, -g.ybar.ravel() / tau_ybar])

    sol = _solve(rhs, np.concatenate([h1, h2, D.ravel(), ybar.ravel()]), t, rtol, atol)
    h1s, h2s, Ds, ys = unpack(sol.y.T)
    obs = observables(h1s, h2s, Ds, y1, y2)
    loss = np.array([_gradients(*state, y1, y2).loss for state in zip(h1s, h2s, Ds, ys)])
    kappa = _kappa(N, 1.0 / (1.0 / tau_h1 + 1.0 / tau_h2), tau_y)
    return FullFlow(t=sol.t, h1=h1s, h2=h2s, D=Ds, ybar=ys, H=obs.H, Y=obs.Y, W=obs.W, loss=loss,
                    invariant=obs.q - kappa * obs.H, status=int(sol.status), message=str(sol.message))


# --------------------------------------------------------------------------------------------
# theory guide `merging-interaction` reduced system


@dataclass(frozen=True)
class ReducedFlow:
    """The closed scalar system of :ref:`merging-interaction` sampled on ``t`` (each field (n_t,) unless stated).

    Attributes
    ----------
    t : ndarray
    s, q, p : ndarray
        Regular coordinates (``s(0) = +sqrt(H(0))``; ``s`` may change sign).
    H, Y, W : ndarray
        ``H = s²``, ``Y = q s²``, ``W = q s² - p s``.
    invariant : ndarray
        ``q - κ s² = Y/H - κH`` (:ref:`merging-interaction`, "Invariant").
    status : int
        ``solve_ivp`` status; if the solver stops early (``-1``) the fields hold the samples reached.
    message : str

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import reduced_flow
    >>> r = reduced_flow(1.0, 1.0, -2.0, 9.0, np.linspace(0, 5, 6))
    >>> r.status, r.H.shape, bool(np.allclose(r.H, r.s ** 2)), bool(np.ptp(r.invariant) < 1e-9)
    (0, (6,), True, True)
    """

    t: np.ndarray
    s: np.ndarray
    q: np.ndarray
    p: np.ndarray
    H: np.ndarray
    Y: np.ndarray
    W: np.ndarray
    invariant: np.ndarray
    status: int
    message: str


def _rhs_spq(delta2, N, tau_h, tau_y):
    def rhs(_, z):
        s, q, p = z
        return [-(q * s - p) / (4 * tau_h), -s * (q * s - p) / (2 * N * tau_y), -s * (p * s - delta2) / (4 * N * tau_y)]
    return rhs


def _rhs_hyw(delta2, N, tau_h, tau_y):
    def rhs(_, z):
        H, Y, W = z
        return [-W / (2 * tau_h),
                -0.5 * (H / (N * tau_y) + Y / (tau_h * H)) * W,
                -(3 * W - Y + delta2) * H / (4 * N * tau_y) - W * (Y + W) / (4 * tau_h * H)]
    return rhs


def reduced_flow(H0: float, Y0: float, W0: float, delta2: float, t, *, N: int = 1, tau_h: float = 1.0,
                 tau_y: float = 1.0, coordinates: str = "spq", rtol: float = 1e-10, atol: float = 1e-12) -> ReducedFlow:
    """Integrate the reduced interaction model (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025); paper eq. 4/20).

    ``coordinates="spq"`` (default) integrates the regular form ("Regular coordinates")
    ``ṡ = -(qs - p)/(4τ_h)``, ``q̇ = -s(qs - p)/(2Nτ_y)``, ``ṗ = -s(ps - δ²)/(4Nτ_y)`` (DOP853),
    which has no singularity at ``H = 0``.  ``coordinates="HYW"`` integrates the original system
    ``Ḣ = -W/(2τ_h)``, ``Ẏ = -½(H/(Nτ_y) + Y/(τ_h H))W``,
    ``Ẇ = -(3W - Y + δ²)H/(4Nτ_y) - W(Y + W)/(4τ_h H)`` (Radau; stiff near ``H = 0``).

    Parameters
    ----------
    H0, Y0, W0 : float
        Initial ``H > 0``, ``Y >= 0`` and ``W``; consistency requires ``|Y0 - W0| <= sqrt(Y0 δ²)``
        (Cauchy–Schwarz on ``p s = ⟨dy_iᵀΔ_i⟩``).
    delta2 : float
        ``δ² = ⟨‖Δ_i‖²⟩ >= 0``.
    t : array_like, shape (n_t,)
        Increasing time grid, initial state at ``t[0]``.
    N : int
        Number of continuations.
    tau_h : float
        Combined time constant, ``1/τ_h = 1/τ_{h_1} + 1/τ_{h_2}``.
    tau_y : float
        Read-out time constant.
    coordinates : {"spq", "HYW"}
    rtol, atol : float
        ``solve_ivp`` tolerances.

    Returns
    -------
    ReducedFlow

    Raises
    ------
    TypeError
        Non-numeric arguments, a non-integer ``N`` or a non-string ``coordinates``.
    ValueError
        ``H0 <= 0``, ``Y0 < 0``, ``delta2 < 0``, ``|Y0 - W0| > sqrt(Y0 δ²)``, ``N < 1``, non-positive
        time constants or tolerances, unknown ``coordinates``, or a time grid that is not
        strictly increasing.

    Examples
    --------
    ``H`` tends to the fixed point ``H_∞`` of :func:`merger_quantities`, in either coordinates:

    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import merger_quantities, reduced_flow
    >>> r = reduced_flow(1.0, 1.0, -2.0, 9.0, [0.0, 30.0], tau_h=0.5)
    >>> r2 = reduced_flow(1.0, 1.0, -2.0, 9.0, [0.0, 30.0], tau_h=0.5, coordinates="HYW", rtol=1e-6, atol=1e-9)
    >>> H_inf = merger_quantities(1.0, 1.0, 9.0, tau_h=0.5).H_inf
    >>> bool(np.isclose(r.H[-1], H_inf, rtol=1e-6)), bool(np.isclose(r2.H[-1], H_inf, rtol=1e-6))
    (True, True)
    """
    H0 = check_positive_float("H0", H0)
    Y0 = check_positive_float("Y0", Y0, allow_zero=True)
    W0 = check_finite_scalar("W0", W0)
    delta2 = check_positive_float("delta2", delta2, allow_zero=True)
    N = check_int("N", N, minimum=1)
    tau_h = check_positive_float("tau_h", tau_h)
    tau_y = check_positive_float("tau_y", tau_y)
    coordinates = check_choice("coordinates", coordinates, ("spq", "HYW"))
    t = check_time_grid("t", t)
    if abs(Y0 - W0) > np.sqrt(Y0 * delta2) + 1e-12 * (1.0 + abs(Y0) + abs(W0)):
        raise ValueError(f"W0 is inconsistent with Y0 and delta2: need |Y0 - W0| <= sqrt(Y0*delta2), "
                         f"got |{Y0!r} - {W0!r}| > sqrt({Y0!r}*{delta2!r})")
    kappa = _kappa(N, tau_h, tau_y)
    if coordinates == "spq":
        s0 = np.sqrt(H0)
        sol = _solve(_rhs_spq(delta2, N, tau_h, tau_y), [s0, Y0 / H0, (Y0 - W0) / s0], t, rtol, atol)
        s, q, p = sol.y
        H, Y, W = s ** 2, q * s ** 2, q * s ** 2 - p * s
    else:
        sol = _solve(_rhs_hyw(delta2, N, tau_h, tau_y), [H0, Y0, W0], t, rtol, atol, method="Radau")
        H, Y, W = sol.y
        s = np.sqrt(np.maximum(H, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            q, p = Y / H, (Y - W) / s
    return ReducedFlow(t=sol.t, s=s, q=q, p=p, H=H, Y=Y, W=W, invariant=q - kappa * s ** 2, status=int(sol.status),
                       message=str(sol.message))


@dataclass(frozen=True)
class MergerQuantities:
    """Invariant, fixed point and merger condition of a pair (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025)).

    Attributes
    ----------
    kappa : float
        ``κ = τ_h/(Nτ_y)``.
    invariant : float
        ``Y(0)/H(0) - κH(0)``, the conserved value of ``q - κs²``.
    A_high, A_low : float
        ``A_high = H(0) - Y(0)/(κH(0))``, ``A_low = sqrt(δ²/κ)``.
    H_inf : float
        ``½A_high + sqrt(¼A_high² + A_low²)``.
    merges : bool
        ``δ² = 0`` and ``A_high <= 0`` (then ``H_inf = 0``).

    Examples
    --------
    >>> from lrnn_theory.merging.interaction import merger_quantities
    >>> mq = merger_quantities(1.0, 2.0, 0.0)  # agreeing pair, Y(0)/H(0) large enough
    >>> mq.A_high, mq.H_inf, mq.merges
    (-1.0, 0.0, True)
    """

    kappa: float
    invariant: float
    A_high: float
    A_low: float
    H_inf: float
    merges: bool


def merger_quantities(H0: float, Y0: float, delta2: float, *, N: int = 1, tau_h: float = 1.0,
                      tau_y: float = 1.0) -> MergerQuantities:
    """Invariant, ``A_high``, ``A_low``, ``H_∞`` and the merger condition (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025)).

    Implements "Invariant" and "Fixed point and merger condition" of :ref:`merging-interaction`:
    ``q - κs² = Y(0)/H(0) - κH(0)``, ``A_high = H(0) - Y(0)/(κH(0))``, ``A_low = sqrt(δ²/κ)``,
    ``H_∞ = ½A_high + sqrt(¼A_high² + A_low²)`` (evaluated as ``A_low²/(sqrt(¼A_high² + A_low²) - ½A_high)``
    for ``A_high < 0``, free of cancellation).  The pair merges iff ``δ² = 0`` and ``A_high <= 0``.

    Parameters
    ----------
    H0, Y0 : float
        Initial ``H = ‖dh‖² > 0`` and ``Y = ⟨‖dy_i‖²⟩ >= 0``.
    delta2 : float
        ``δ² >= 0``.
    N : int
        Number of continuations.
    tau_h, tau_y : float
        Combined representation and read-out time constants.

    Returns
    -------
    MergerQuantities

    Raises
    ------
    TypeError
        Non-numeric arguments or a non-integer ``N``.
    ValueError
        ``H0 <= 0``, ``Y0 < 0``, ``delta2 < 0``, ``N < 1`` or non-positive time constants.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import merger_quantities
    >>> mq = merger_quantities(1.0, 0.5, 1.0)  # κ = 1: A_high = 0.5, A_low = 1
    >>> mq.A_high, mq.A_low, bool(np.isclose(mq.H_inf, 0.25 + np.sqrt(0.0625 + 1), rtol=1e-14)), mq.merges
    (0.5, 1.0, True, False)
    """
    H0 = check_positive_float("H0", H0)
    Y0 = check_positive_float("Y0", Y0, allow_zero=True)
    delta2 = check_positive_float("delta2", delta2, allow_zero=True)
    kappa = _kappa(check_int("N", N, minimum=1), check_positive_float("tau_h", tau_h),
                   check_positive_float("tau_y", tau_y))
    A_high = H0 - Y0 / (kappa * H0)
    A_low = float(np.sqrt(delta2 / kappa))
    root = float(np.hypot(0.5 * A_high, A_low))
    H_inf = 0.5 * A_high + root if A_high >= 0 else A_low ** 2 / (root - 0.5 * A_high)
    return MergerQuantities(kappa=kappa, invariant=Y0 / H0 - kappa * H0, A_high=A_high, A_low=A_low, H_inf=H_inf,
                            merges=delta2 == 0.0 and A_high <= 0.0)


def bernoulli_H(t, H0: float, A_high: float, *, N: int = 1, tau_y: float = 1.0) -> np.ndarray:
    """Closed-form ``H(t)`` of an agreeing pair (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025), "Agreeing pairs, closed form").

    Solves ``Ḣ = (A_high H - H²)/(2Nτ_y)``:
    ``H(t) = A_high / (1 + (A_high/H0 - 1) exp(-A_high t/(2Nτ_y)))``, evaluated as
    ``1 / (e^{-x}/H0 + (t/(2Nτ_y)) (1 - e^{-x})/x)`` with ``x = A_high t/(2Nτ_y)``, which is
    continuous through ``A_high = 0`` (``H0/(1 + H0 t/(2Nτ_y))``).

    Parameters
    ----------
    t : array_like
        Times (measured from the initial condition).
    H0 : float
        ``H(0) > 0``.
    A_high : float
        From :func:`merger_quantities`.
    N : int
        Number of continuations.
    tau_y : float
        Read-out time constant.

    Returns
    -------
    ndarray
        ``H(t)``, shape of ``t``.

    Raises
    ------
    TypeError
        Non-numeric arguments or a non-integer ``N``.
    ValueError
        Non-finite ``t`` or ``A_high``, ``H0 <= 0``, ``N < 1`` or ``tau_y <= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import bernoulli_H, merger_quantities, reduced_flow
    >>> t = np.linspace(0.0, 4.0, 5)
    >>> mq = merger_quantities(1.0, 0.5, 0.0)  # agreeing pair: δ² = 0, Y = W
    >>> r = reduced_flow(1.0, 0.5, 0.5, 0.0, t)
    >>> bool(np.allclose(bernoulli_H(t, 1.0, mq.A_high), r.H, rtol=1e-8))
    True
    >>> float(bernoulli_H(2.0, 1.0, 0.0))  # A_high = 0: H0/(1 + H0 t/2)
    0.5
    """
    t = as_float_array("t", t)
    H0 = check_positive_float("H0", H0)
    A = check_finite_scalar("A_high", A_high)
    t_scaled = t / (2 * check_int("N", N, minimum=1) * check_positive_float("tau_y", tau_y))
    x = A * t_scaled
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ratio = np.where(x == 0, 1.0, -np.expm1(-x) / np.where(x == 0, 1.0, x))
        return 1.0 / (np.exp(-x) / H0 + t_scaled * ratio)


# --------------------------------------------------------------------------------------------
# theory guide `merging-fixed-expansion` fixed expansion point


@dataclass(frozen=True)
class FixedExpansionFlow:
    """The nine scalars of :ref:`merging-fixed-expansion` sampled on ``t`` (each (n_t,)), with the loss.

    Attributes
    ----------
    t : ndarray
    h1, h2, beta_D, beta_1, beta_2, B, Q, g_1, g_2 : ndarray
        ``h_α``, ``β_D = ⟨b_iᵀu_i⟩``, ``β_α = ⟨b_iᵀy*_{α,i}⟩``, ``B = ⟨‖b_i‖²⟩``, ``Q = ⟨‖u_i‖²⟩``,
        ``g_α = ⟨y*_{α,i}ᵀu_i⟩``.
    loss : ndarray
    status : int
    message : str
    distance2 : ndarray
        ``(h_2 - h_1)²`` (property).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import fixed_expansion_flow
    >>> state0 = dict(h1=0.5, h2=-0.5, beta_D=0.0, beta_1=0.0, beta_2=0.0, B=0.0, Q=1.0, g_1=0.0, g_2=0.0)
    >>> f = fixed_expansion_flow(state0, np.zeros((2, 2)), [0.0, 1.0])
    >>> f.status, f.distance2.shape, float(f.distance2[0])
    (0, (2,), 1.0)
    """

    t: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    beta_D: np.ndarray
    beta_1: np.ndarray
    beta_2: np.ndarray
    B: np.ndarray
    Q: np.ndarray
    g_1: np.ndarray
    g_2: np.ndarray
    loss: np.ndarray
    status: int
    message: str

    @property
    def distance2(self) -> np.ndarray:
        """``‖dh‖² = (h_2 - h_1)²``."""
        return (self.h2 - self.h1) ** 2


def _rates(eta_h1, eta_h2, eta_b, eta_y) -> tuple[float, float, float, float]:
    return tuple(check_positive_float(name, v, allow_zero=True) for name, v in
                 (("eta_h1", eta_h1), ("eta_h2", eta_h2), ("eta_b", eta_b), ("eta_y", eta_y)))


def _nine_loss(z, c) -> np.ndarray:
    h1, h2, bD, b1, b2, B, Q, g1, g2 = z
    hb, h2b = 0.5 * (h1 + h2), 0.5 * (h1 ** 2 + h2 ** 2)
    return 0.5 * (B + h2b * Q + 0.5 * (c[0, 0] + c[1, 1]) + 2 * hb * bD - (h1 * g1 + h2 * g2) - (b1 + b2))


def _nine_rhs(c, N, eh1, eh2, eb, ey):
    def rhs(_, z):
        h1, h2, bD, b1, b2, B, Q, g1, g2 = z
        hb, h2b = 0.5 * (h1 + h2), 0.5 * (h1 ** 2 + h2 ** 2)
        return [
            -0.5 * eh1 * (bD + h1 * Q - g1),
            -0.5 * eh2 * (bD + h2 * Q - g2),
            -eb / N * (bD + hb * Q - 0.5 * (g1 + g2)) - ey / N * (h2b * bD + hb * B - 0.5 * (h1 * b1 + h2 * b2)),
            -eb / N * (b1 + hb * g1 - 0.5 * (c[0, 0] + c[0, 1])),
            -eb / N * (b2 + hb * g2 - 0.5 * (c[1, 0] + c[1, 1])),
            -2 * eb / N * (B + hb * bD - 0.5 * (b1 + b2)),
            -2 * ey / N * (h2b * Q + hb * bD - 0.5 * (h1 * g1 + h2 * g2)),
            -ey / N * (h2b * g1 + hb * b1 - 0.5 * (h1 * c[0, 0] + h2 * c[0, 1])),
            -ey / N * (h2b * g2 + hb * b2 - 0.5 * (h1 * c[1, 0] + h2 * c[1, 1])),
        ]
    return rhs


def _initial_nine(state0) -> np.ndarray:
    if isinstance(state0, Mapping):
        missing = [k for k in NINE if k not in state0]
        if missing:
            raise ValueError(f"state0 is missing {missing}; it needs {list(NINE)}")
        state0 = [check_finite_scalar(f"state0[{k!r}]", state0[k]) for k in NINE]
    z0 = as_float_array("state0", state0, ndim=1)
    if z0.size != len(NINE):
        raise ValueError(f"state0 must hold the 9 values {list(NINE)}, got {z0.size}")
    return z0


def fixed_expansion_flow(state0, c, t, *, N: int = 1, eta_h1: float = 0.02, eta_h2: float = 0.02,
                         eta_b: float = 0.005, eta_y: float = 0.02, rtol: float = 1e-10,
                         atol: float = 1e-12) -> FixedExpansionFlow:
    """Integrate the nine-variable fixed-expansion-point closure (theory guide :ref:`merging-fixed-expansion`; van Rossem & Saxe (2025)).

    ``ḣ_α = -½η_{h_α}(β_D + h_α Q - g_α)`` and the equations of :ref:`merging-fixed-expansion` for ``β_D, β_α, B, Q, g_α``;
    with ``h̄ = (h_1 + h_2)/2`` and ``m = (h_1² + h_2²)/2`` the loss is
    ``L = ½(B + mQ + (c_11 + c_22)/2 + 2h̄β_D - (h_1g_1 + h_2g_2) - (β_1 + β_2))``.
    The closure is exact for scalar ``h_α`` and any ``K, N`` (compare :func:`fixed_expansion_direct`).

    Parameters
    ----------
    state0 : mapping or sequence of 9 floats
        ``h1, h2, beta_D, beta_1, beta_2, B, Q, g_1, g_2`` at ``t[0]``.
    c : array_like, shape (2, 2)
        Constants ``c_{αβ} = ⟨y*_{α,i}ᵀ y*_{β,i}⟩``.
    t : array_like, shape (n_t,)
        Increasing time grid.
    N : int
        Number of continuations.
    eta_h1, eta_h2, eta_b, eta_y : float
        Non-negative rates (inverse time constants); :ref:`merging-fixed-expansion` reference: ``lr·m_α``, ``lr/4``, ``lr``.
    rtol, atol : float
        ``solve_ivp`` tolerances (DOP853).

    Returns
    -------
    FixedExpansionFlow

    Raises
    ------
    TypeError
        Non-numeric values or a non-integer ``N``.
    ValueError
        ``state0`` without the nine values, ``c`` not of shape (2, 2), negative rates, ``N < 1``,
        non-positive tolerances, non-finite values, or a time grid that is not strictly increasing.

    Examples
    --------
    The closure agrees with the flow on explicit vectors (:func:`fixed_expansion_direct`):

    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import fixed_expansion_direct, fixed_expansion_flow
    >>> t = np.linspace(0.0, 4.0, 5)
    >>> state0 = dict(h1=0.5, h2=-0.5, beta_D=0.0, beta_1=0.0, beta_2=0.0, B=0.0, Q=1.0, g_1=0.0, g_2=0.0)
    >>> f = fixed_expansion_flow(state0, np.zeros((2, 2)), t)
    >>> d = fixed_expansion_direct([0.5, -0.5], np.zeros((1, 1)), np.ones((1, 1)), np.zeros((2, 1, 1)), t)
    >>> f.status, bool(np.allclose(f.distance2, d.distance2, rtol=1e-8)), bool(np.allclose(f.loss, d.loss, rtol=1e-8))
    (0, True, True)
    """
    z0 = _initial_nine(state0)
    c = as_float_array("c", c, ndim=2)
    if c.shape != (2, 2):
        raise ValueError(f"c must have shape (2, 2), got {c.shape}")
    rates = _rates(eta_h1, eta_h2, eta_b, eta_y)
    N = check_int("N", N, minimum=1)
    t = check_time_grid("t", t)
    sol = _solve(_nine_rhs(c, N, *rates), z0, t, rtol, atol)
    return FixedExpansionFlow(t=sol.t, **dict(zip(NINE, sol.y)), loss=_nine_loss(sol.y, c), status=int(sol.status),
                              message=str(sol.message))


def fixed_expansion_direct(h0, b, u, y_star, t, *, eta_h1: float = 0.02, eta_h2: float = 0.02, eta_b: float = 0.005,
                           eta_y: float = 0.02, rtol: float = 1e-10, atol: float = 1e-12) -> FixedExpansionFlow:
    """Gradient flow of the :ref:`merging-fixed-expansion` model on explicit vectors, reported as the nine scalars (theory guide :ref:`merging-fixed-expansion`; van Rossem & Saxe (2025)).

    ``L = ½⟨‖b_i + h_α u_i - y*_{α,i}‖²⟩_{α,i}`` with ``ḣ_α = -η_{h_α}∂L/∂h_α``,
    ``ḃ_i = -η_b ∂L/∂b_i``, ``u̇_i = -η_y ∂L/∂u_i``: the independent second method for the
    closure :func:`fixed_expansion_flow` (:ref:`theory-checks-merging`).

    Parameters
    ----------
    h0 : array_like, shape (2,)
        ``(h_1, h_2)`` at ``t[0]``.
    b, u : array_like, shape (N, K)
        Read-out offsets ``b_i`` and slopes ``u_i = D_i v``.
    y_star : array_like, shape (2, N, K)
        Targets ``y*_{α,i}``.
    t : array_like, shape (n_t,)
        Increasing time grid.
    eta_h1, eta_h2, eta_b, eta_y : float
        Non-negative rates.
    rtol, atol : float
        ``solve_ivp`` tolerances (DOP853).

    Returns
    -------
    FixedExpansionFlow

    Raises
    ------
    TypeError
        Non-numeric arrays or rates.
    ValueError
        ``h0`` not of shape (2,), ``u``/``y_star`` inconsistent with ``b``, negative rates,
        non-positive tolerances, non-finite values, or a time grid that is not strictly increasing.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging.interaction import fixed_expansion_direct
    >>> d = fixed_expansion_direct([0.5, -0.5], np.zeros((1, 1)), np.ones((1, 1)), np.zeros((2, 1, 1)), [0.0, 1.0])
    >>> d.status, float(d.Q[0]), float(d.distance2[0]), bool(d.distance2[-1] < 1.0)  # both targets 0: they approach
    (0, 1.0, 1.0, True)
    """
    h0 = as_float_array("h0", h0, ndim=1)
    b = as_float_array("b", b, ndim=2)
    u = as_float_array("u", u, ndim=2)
    ys = as_float_array("y_star", y_star, ndim=3)
    N, K = b.shape
    if h0.shape != (2,):
        raise ValueError(f"h0 must have shape (2,), got {h0.shape}")
    if u.shape != (N, K) or ys.shape != (2, N, K):
        raise ValueError(f"u must have shape {(N, K)} and y_star {(2, N, K)}; got {u.shape} and {ys.shape}")
    eh1, eh2, eb, ey = _rates(eta_h1, eta_h2, eta_b, eta_y)
    t = check_time_grid("t", t)
    n = N * K

    def rhs(_, z):
        h, bb, uu = z[:2], z[2:2 + n].reshape(N, K), z[2 + n:].reshape(N, K)
        e = bb + h[:, None, None] * uu - ys  # residuals, (2, N, K)
        g_h = np.einsum("ank,nk->a", e, uu) / (2 * N)
        g_b = e.sum(axis=0) / (2 * N)
        g_u = np.einsum("a,ank->nk", h, e) / (2 * N)
        return np.concatenate([[-eh1 * g_h[0], -eh2 * g_h[1]], -eb * g_b.ravel(), -ey * g_u.ravel()])

    sol = _solve(rhs, np.concatenate([h0, b.ravel(), u.ravel()]), t, rtol, atol)
    bb, uu = sol.y[2:2 + n].T.reshape(-1, N, K), sol.y[2 + n:].T.reshape(-1, N, K)

    def avg(x, y):  # ⟨xᵀy⟩ over continuations
        return np.mean(np.sum(x * y, axis=-1), axis=-1)

    z = np.array([sol.y[0], sol.y[1], avg(bb, uu), avg(bb, ys[0]), avg(bb, ys[1]), avg(bb, bb), avg(uu, uu),
                  avg(ys[0], uu), avg(ys[1], uu)])
    c = np.array([[avg(ys[a], ys[b_]) for b_ in range(2)] for a in range(2)])
    return FixedExpansionFlow(t=sol.t, **dict(zip(NINE, z)), loss=_nine_loss(z, c), status=int(sol.status),
                              message=str(sol.message))
