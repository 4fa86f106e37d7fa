"""The interaction model of two representations and its reductions (THEORY-EXTENSIONS A.4–A.5).

A.4 (moving expansion point): two free representations ``h_1, h_2 ∈ R^P`` and, per
continuation ``i``, an affine read-out ``ŷ_{α,i} = ȳ_i + ½ D_i (h_α - h_{¬α})`` trained by
gradient flow.  Under a rank-one (aligned) initialisation the scalars
``H = ‖dh‖²``, ``Y = ⟨‖D_i dh‖²⟩``, ``W = ⟨‖dy_i‖² - dy_iᵀΔ_i⟩`` obey a closed system, integrated
here in the regular coordinates ``(s, q, p)``; the invariant ``q - κ s²``, the fixed point
``H_∞`` and the merger condition follow, with the Bernoulli solution for agreeing pairs.

A.5 (fixed expansion point): scalar representations along one direction and a nine-variable
closure, exact for any ``K, N``; reproduces "diverge-then-merge" for agreeing pairs
learned at unequal rates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from .._validation import as_float_array, check_finite_scalar, check_positive_float, check_time_grid

__all__ = ["FullFlow", "MergerQuantities", "ReducedFlow", "bernoulli_H", "fixed_expansion_direct", "fixed_expansion_flow",
           "full_flow", "full_gradients", "merger_quantities", "observables", "reduced_flow", "FixedExpansionFlow"]


def _solve(rhs, y0, t, rtol, atol, method="DOP853"):
    sol = solve_ivp(rhs, (float(t[0]), float(t[-1])), y0, t_eval=t, rtol=rtol, atol=atol, method=method)
    return sol


def _targets(y1, y2):
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
    N, K = y1.shape
    P = h1.size
    if h2.shape != (P,) or D.shape != (N, K, P) or ybar.shape != (N, K):
        raise ValueError(f"shapes must be h1, h2 ({P},), D ({N}, {K}, {P}), ybar ({N}, {K}); got {h2.shape}, {D.shape}, {ybar.shape}")
    return h1, h2, D, ybar, y1, y2


def full_gradients(h1, h2, D, ybar, y1, y2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Exact gradients of the A.4 loss ``L = ½⟨‖ŷ_{α,i} - y*_{α,i}‖²⟩_{α,i}``.

    Returns ``(∂L/∂h_1, ∂L/∂h_2, ∂L/∂D, ∂L/∂ȳ, L)``: ``∂L/∂h_2 = -∂L/∂h_1 = ¼⟨D_iᵀ r_i⟩``,
    ``∂L/∂D_i = r_i dhᵀ/(4N)``, ``∂L/∂ȳ_i = (ȳ_i - (y*_{1,i} + y*_{2,i})/2)/N`` with
    ``r_i = D_i dh - Δ_i``.  Shapes: ``h`` (P,), ``D`` (N, K, P), ``ȳ, y1, y2`` (N, K).
    """
    return _gradients(*_check_state(h1, h2, D, ybar, y1, y2))


def _gradients(h1, h2, D, ybar, y1, y2):
    N = D.shape[0]
    dh = h2 - h1
    r = D @ dh - (y2 - y1)
    gh2 = 0.25 * np.einsum("nkp,nk->p", D, r) / N
    gD = np.einsum("nk,p->nkp", r, dh) / (4 * N)
    gy = (ybar - 0.5 * (y1 + y2)) / N
    half = 0.5 * (D @ dh)
    loss = 0.25 * (np.sum((ybar - half - y1) ** 2) + np.sum((ybar + half - y2) ** 2)) / N
    return -gh2, gh2, gD, gy, float(loss)


def observables(h1, h2, D, y1, y2) -> dict:
    """``H, Y, W`` and ``s, q, p`` of a state of the A.4 model (arrays over a leading time axis allowed)."""
    h1 = as_float_array("h1", h1, min_ndim=1)
    h2 = as_float_array("h2", h2, min_ndim=1)
    D = as_float_array("D", D, min_ndim=3)
    y1, y2 = _targets(y1, y2)
    if h1.shape != h2.shape or D.shape[-1] != h1.shape[-1] or D.shape[-3:-1] != y1.shape:
        raise ValueError(f"h1 and h2 must share a shape (..., P) and D have shape (..., N, K, P); got {h1.shape}, {h2.shape}, {D.shape}")
    dh = h2 - h1
    delta = y2 - y1
    dy = np.einsum("...nkp,...p->...nk", D, dh)
    H = np.sum(dh ** 2, axis=-1)
    Y = np.mean(np.sum(dy ** 2, axis=-1), axis=-1)
    W = np.mean(np.sum(dy ** 2 - dy * delta, axis=-1), axis=-1)
    s = np.sqrt(H)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = Y / H
        p = (Y - W) / s
    return {"H": H, "Y": Y, "W": W, "s": s, "q": q, "p": p}


@dataclass(frozen=True)
class FullFlow:
    """Gradient flow of the full A.4 model on ``t``: states (n_t, ...) and the scalar observables."""

    t: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    D: np.ndarray
    ybar: np.ndarray
    H: np.ndarray
    Y: np.ndarray
    W: np.ndarray
    loss: np.ndarray
    status: int


def full_flow(h1, h2, D, ybar, y1, y2, t, *, tau_h1: float = 1.0, tau_h2: float = 1.0, tau_y: float = 1.0,
              tau_ybar: float = 1.0, rtol: float = 1e-11, atol: float = 1e-13) -> FullFlow:
    """Integrate the full vector flow of A.4 (``solve_ivp``, DOP853) on the time grid ``t``.

    ``ḣ_α = -∂L/∂h_α / τ_{h_α}``, ``Ḋ_i = -∂L/∂D_i / τ_y``, ``ȳ̇_i = -∂L/∂ȳ_i / τ_ȳ``.
    Shapes: ``h1, h2`` (P,), ``D`` (N, K, P), ``ybar, y1, y2`` (N, K).
    """
    h1, h2, D, ybar, y1, y2 = _check_state(h1, h2, D, ybar, y1, y2)
    N, K = y1.shape
    P = h1.size
    taus = [check_positive_float(n, v) for n, v in (("tau_h1", tau_h1), ("tau_h2", tau_h2), ("tau_y", tau_y), ("tau_ybar", tau_ybar))]
    t = check_time_grid("t", t)
    sizes = [P, P, N * K * P, N * K]

    def unpack(z):
        a, b, c = np.cumsum(sizes)[:3]
        return z[:a], z[a:b], z[b:c].reshape(N, K, P), z[c:].reshape(N, K)

    def rhs(_, z):
        g1, g2, gD, gy, _ = _gradients(*unpack(z), y1, y2)
        return np.concatenate([-g1 / taus[0], -g2 / taus[1], -gD.ravel() / taus[2], -gy.ravel() / taus[3]])

    sol = _solve(rhs, np.concatenate([h1, h2, D.ravel(), ybar.ravel()]), t, rtol, atol)
    Z = sol.y.T
    a, b, c = np.cumsum(sizes)[:3]
    h1s, h2s, Ds, ys = Z[:, :a], Z[:, a:b], Z[:, b:c].reshape(-1, N, K, P), Z[:, c:].reshape(-1, N, K)
    obs = observables(h1s, h2s, Ds, y1, y2)
    loss = np.array([_gradients(h1s[k], h2s[k], Ds[k], ys[k], y1, y2)[4] for k in range(Z.shape[0])])
    return FullFlow(t=sol.t, h1=h1s, h2=h2s, D=Ds, ybar=ys, H=obs["H"], Y=obs["Y"], W=obs["W"], loss=loss, status=sol.status)


@dataclass(frozen=True)
class ReducedFlow:
    """The closed scalar system of A.4 on ``t``: ``s, q, p`` and ``H = s², Y = q s², W = q s² - p s``."""

    t: np.ndarray
    s: np.ndarray
    q: np.ndarray
    p: np.ndarray
    H: np.ndarray
    Y: np.ndarray
    W: np.ndarray
    status: int


def reduced_flow(H0: float, Y0: float, W0: float, delta2: float, t, *, N: int = 1, tau_h: float = 1.0, tau_y: float = 1.0,
                 coordinates: str = "spq", rtol: float = 1e-11, atol: float = 1e-13) -> ReducedFlow:
    """Integrate the reduced A.4 system from ``(H, Y, W)(0)``.

    ``coordinates="spq"`` (default, regular): ``ṡ = -(qs - p)/(4τ_h)``, ``q̇ = -s(qs - p)/(2Nτ_y)``,
    ``ṗ = -s(ps - δ²)/(4Nτ_y)``; ``"HYW"``: the original system (stiff near ``H = 0``).
    """
    H0 = check_positive_float("H0", H0)
    Y0 = check_positive_float("Y0", Y0, allow_zero=True)
    W0 = check_finite_scalar("W0", W0)
    delta2 = check_positive_float("delta2", delta2, allow_zero=True)
    tau_h = check_positive_float("tau_h", tau_h)
    tau_y = check_positive_float("tau_y", tau_y)
    N = check_positive_float("N", N)
    t = check_time_grid("t", t)
    if coordinates == "spq":
        s0 = np.sqrt(H0)

        def rhs(_, z):
            s, q, p = z
            return [-(q * s - p) / (4 * tau_h), -s * (q * s - p) / (2 * N * tau_y), -s * (p * s - delta2) / (4 * N * tau_y)]

        sol = _solve(rhs, [s0, Y0 / H0, (Y0 - W0) / s0], t, rtol, atol)
        s, q, p = sol.y
        return ReducedFlow(t=sol.t, s=s, q=q, p=p, H=s ** 2, Y=q * s ** 2, W=q * s ** 2 - p * s, status=sol.status)
    if coordinates != "HYW":
        raise ValueError(f"coordinates must be 'spq' or 'HYW', got {coordinates!r}")

    def rhs_hyw(_, z):
        H, Y, W = z
        return [-W / (2 * tau_h), -0.5 * (H / (N * tau_y) + Y / (tau_h * H)) * W,
                -(3 * W - Y + delta2) * H / (4 * N * tau_y) - W * (Y + W) / (4 * tau_h * H)]

    sol = _solve(rhs_hyw, [H0, Y0, W0], t, rtol, atol, method="Radau")
    H, Y, W = sol.y
    s = np.sqrt(np.maximum(H, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return ReducedFlow(t=sol.t, s=s, q=Y / H, p=(Y - W) / s, H=H, Y=Y, W=W, status=sol.status)


@dataclass(frozen=True)
class MergerQuantities:
    """``κ = τ_h/(Nτ_y)``, ``A_high``, ``A_low``, ``H_∞`` and whether the pair merges (A.4)."""

    kappa: float
    A_high: float
    A_low: float
    H_inf: float
    merges: bool


def merger_quantities(H0: float, Y0: float, delta2: float, *, N: int = 1, tau_h: float = 1.0, tau_y: float = 1.0) -> MergerQuantities:
    """``A_high = H(0) - Y(0)/(κH(0))``, ``A_low = sqrt(δ²/κ)``, ``H_∞ = ½A_high + sqrt(¼A_high² + A_low²)`` (A.4).

    The pair merges (``H_∞ = 0``) iff ``δ² = 0`` and ``A_high <= 0``.
    """
    H0 = check_positive_float("H0", H0)
    Y0 = check_positive_float("Y0", Y0, allow_zero=True)
    delta2 = check_positive_float("delta2", delta2, allow_zero=True)
    kappa = check_positive_float("tau_h", tau_h) / (check_positive_float("N", N) * check_positive_float("tau_y", tau_y))
    A_high = H0 - Y0 / (kappa * H0)
    A_low = np.sqrt(delta2 / kappa)
    H_inf = 0.5 * A_high + np.sqrt(0.25 * A_high ** 2 + A_low ** 2)
    if delta2 == 0 and A_high <= 0:
        H_inf = 0.0
    return MergerQuantities(kappa=kappa, A_high=float(A_high), A_low=float(A_low), H_inf=float(H_inf), merges=bool(H_inf == 0.0))


def bernoulli_H(t, H0: float, A_high: float, *, N: int = 1, tau_y: float = 1.0) -> np.ndarray:
    """``H(t)`` of an agreeing pair (``δ² = 0``): the Bernoulli solution of ``Ḣ = (A_high H - H²)/(2Nτ_y)`` (A.4)."""
    t = as_float_array("t", t)
    H0 = check_positive_float("H0", H0)
    A = check_finite_scalar("A_high", A_high)
    r = 2 * check_positive_float("N", N) * check_positive_float("tau_y", tau_y)
    if A == 0:
        return H0 / (1 + H0 * t / r)
    return A / (1 + (A / H0 - 1) * np.exp(-A * t / r))


# --------------------------------------------------------------------------------------------
# A.5 fixed expansion point

_NINE = ("h1", "h2", "beta_D", "beta_1", "beta_2", "B", "Q", "g_1", "g_2")


@dataclass(frozen=True)
class FixedExpansionFlow:
    """The nine scalars of A.5 on ``t`` (each (n_t,)), the loss and ``‖dh‖² = (h_2 - h_1)²``."""

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

    @property
    def distance2(self) -> np.ndarray:
        return (self.h2 - self.h1) ** 2


def _rates(eta_h1, eta_h2, eta_b, eta_y):
    return tuple(check_positive_float(n, v, allow_zero=True) for n, v in
                 (("eta_h1", eta_h1), ("eta_h2", eta_h2), ("eta_b", eta_b), ("eta_y", eta_y)))


def _nine_loss(z, c):
    h1, h2, bD, b1, b2, B, Q, g1, g2 = z
    hb, h2b = 0.5 * (h1 + h2), 0.5 * (h1 ** 2 + h2 ** 2)
    return 0.5 * (B + h2b * Q + 0.5 * (c[0, 0] + c[1, 1]) + 2 * hb * bD - (h1 * g1 + h2 * g2) - (b1 + b2))


def fixed_expansion_flow(state0, c, t, *, N: int = 1, eta_h1: float = 0.02, eta_h2: float = 0.02, eta_b: float = 0.005,
                         eta_y: float = 0.02, rtol: float = 1e-11, atol: float = 1e-13) -> FixedExpansionFlow:
    """Integrate the nine-variable closure of A.5.

    Parameters
    ----------
    state0 : mapping or sequence of 9 floats
        ``h1, h2, beta_D, beta_1, beta_2, B, Q, g_1, g_2`` at ``t = 0``.
    c : array (2, 2)
        Constants ``c_{αβ} = ⟨y*_{α,i}ᵀ y*_{β,i}⟩``.
    N : number of continuations; ``eta_*`` the rates (inverse time constants).
    """
    z0 = np.array([state0[k] for k in _NINE], dtype=float) if isinstance(state0, dict) else as_float_array("state0", state0, ndim=1)
    if z0.size != 9 or not np.all(np.isfinite(z0)):
        raise ValueError(f"state0 must hold 9 finite values {_NINE}")
    c = as_float_array("c", c, ndim=2)
    if c.shape != (2, 2):
        raise ValueError(f"c must have shape (2, 2), got {c.shape}")
    eh1, eh2, eb, ey = _rates(eta_h1, eta_h2, eta_b, eta_y)
    N = check_positive_float("N", N)
    t = check_time_grid("t", t)

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

    sol = _solve(rhs, z0, t, rtol, atol)
    Z = sol.y
    return FixedExpansionFlow(t=sol.t, **{k: Z[i] for i, k in enumerate(_NINE)}, loss=_nine_loss(Z, c), status=sol.status)


def fixed_expansion_direct(h0, b, u, y_star, t, *, eta_h1: float = 0.02, eta_h2: float = 0.02, eta_b: float = 0.005,
                           eta_y: float = 0.02, rtol: float = 1e-11, atol: float = 1e-13) -> FixedExpansionFlow:
    """Direct gradient flow of the A.5 model with explicit vectors ``b_i, u_i ∈ R^K``, reported as the nine scalars.

    ``L = ½⟨‖b_i + h_α u_i - y*_{α,i}‖²⟩_{α,i}``; ``h0`` (2,), ``b, u`` (N, K), ``y_star`` (2, N, K).
    The second method for the closure of :func:`fixed_expansion_flow` (A.8 check 6).
    """
    h0 = as_float_array("h0", h0, ndim=1)
    b = as_float_array("b", b, ndim=2)
    u = as_float_array("u", u, ndim=2)
    ys = as_float_array("y_star", y_star, ndim=3)
    N, K = b.shape
    if h0.shape != (2,) or u.shape != (N, K) or ys.shape != (2, N, K):
        raise ValueError(f"shapes must be h0 (2,), b and u (N, K), y_star (2, N, K); got {h0.shape}, {u.shape}, {ys.shape}")
    eh1, eh2, eb, ey = _rates(eta_h1, eta_h2, eta_b, eta_y)
    t = check_time_grid("t", t)

    def rhs(_, z):
        h, bb, uu = z[:2], z[2:2 + N * K].reshape(N, K), z[2 + N * K:].reshape(N, K)
        e = bb[None] + h[:, None, None] * uu[None] - ys  # (2, N, K)
        gh = np.einsum("ank,nk->a", e, uu) / (2 * N)
        gb = e.sum(axis=0) / (2 * N)
        gu = np.einsum("a,ank->nk", h, e) / (2 * N)
        return np.concatenate([[-eh1 * gh[0], -eh2 * gh[1]], -eb * gb.ravel(), -ey * gu.ravel()])

    sol = _solve(rhs, np.concatenate([h0, b.ravel(), u.ravel()]), t, rtol, atol)
    Z = sol.y.T
    h = Z[:, :2]
    bb = Z[:, 2:2 + N * K].reshape(-1, N, K)
    uu = Z[:, 2 + N * K:].reshape(-1, N, K)
    mean = lambda x: x.sum(axis=-1).mean(axis=-1)  # noqa: E731  ⟨·⟩ over i of a K-inner product
    scal = dict(h1=h[:, 0], h2=h[:, 1], beta_D=mean(bb * uu), beta_1=mean(bb * ys[0]), beta_2=mean(bb * ys[1]),
                B=mean(bb * bb), Q=mean(uu * uu), g_1=mean(ys[0] * uu), g_2=mean(ys[1] * uu))
    c = np.array([[np.mean(np.sum(ys[a] * ys[b_], axis=-1)) for b_ in range(2)] for a in range(2)])
    z = np.array([scal[k] for k in _NINE])
    return FixedExpansionFlow(t=sol.t, **scal, loss=_nine_loss(z, c), status=sol.status)
