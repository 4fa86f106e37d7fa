"""The network's empirical neural tangent kernel (theory guide :ref:`theory-ntk`).

For training inputs ``X`` (P, T, N_x) the kernel is ``K = J Jᵀ`` with
``J = ∂ vec Ŷ / ∂θ`` over all entries of ``θ = (W_x, W_h, W_y)``; rows and
columns are indexed by ``(p, m)`` in C order, i.e. ``vec Ŷ = Ŷ.reshape(-1)``
with ``Ŷ`` of shape (P, N_y).  In the sum convention gradient flow gives
``τ d vec Ŷ/dt = K vec(Y - Ŷ)``; in the normalised convention the loss carries
``1/P`` and the kernel of that flow is ``K/P`` (``convention="normalised"``).
The kernel distance (:ref:`theory-kernel-distance`) does not depend on that constant.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_choice, check_int, check_positive_float, check_seed
from .conventions import CONVENTIONS
from .model import hidden_states

__all__ = [
    "KernelMovement",
    "aligned_inner",
    "kernel_distance",
    "kernel_distance_aligned",
    "kernel_movement",
    "ntk",
    "ntk_aligned",
    "ntk_jacobian",
]


def _sensitivities(W_h, W_y, T):
    """``A_t = W_y W_h^{T-t}`` for t = 1..T, shape (T, N_y, N_h)."""
    A = np.empty((T,) + W_y.shape)
    A[T - 1] = W_y
    for t in range(T - 2, -1, -1):
        A[t] = A[t + 1] @ W_h
    return A


def _prep(W_x, W_h, W_y, X):
    W_x = as_float_array("W_x", W_x, ndim=2)
    W_h = as_float_array("W_h", W_h, ndim=2)
    W_y = as_float_array("W_y", W_y, ndim=2)
    X = as_float_array("X", X, ndim=3)
    H = hidden_states(W_x, W_h, W_y, X)
    return W_x, W_h, W_y, X, H


def ntk(W_x, W_h, W_y, X, *, convention: str = "sum") -> np.ndarray:
    """Empirical NTK in closed form (theory guide :ref:`theory-ntk-closed-form`).

    .. math::

        K_{(p,m),(q,n)} = \\sum_{t,t'} [A_t A_{t'}^T]_{mn}
        (x_{p,t}^T x_{q,t'} + h_{p,t}^T h_{q,t'}) + δ_{mn} h_{p,T+1}^T h_{q,T+1},

    with ``A_t = W_y W_h^{T-t}`` and forward states ``h_{p,1} = 0``.

    Returns
    -------
    K : ndarray, shape (P N_y, P N_y)
    """
    convention = check_choice("convention", convention, CONVENTIONS)
    W_x, W_h, W_y, X, H = _prep(W_x, W_h, W_y, X)
    P, T, _ = X.shape
    n_y = W_y.shape[0]
    A = _sensitivities(W_h, W_y, T)
    AA = np.einsum("amh,bnh->abmn", A, A)
    G = np.einsum("pax,qbx->abpq", X, X) + np.einsum("pah,qbh->abpq", H[:, :T], H[:, :T])
    K = np.einsum("abmn,abpq->pmqn", AA, G, optimize=True)
    K += np.einsum("mn,pq->pmqn", np.eye(n_y), H[:, T] @ H[:, T].T)
    K = K.reshape(P * n_y, P * n_y)
    return K / P if convention == "normalised" else K


def ntk_jacobian(W_x, W_h, W_y, X) -> np.ndarray:
    """Analytic Jacobian ``J = ∂ vec Ŷ / ∂ (vec W_x, vec W_h, vec W_y)`` (C order), shape (P N_y, n_params).

    ``∂ŷ_{p,m}/∂W_x[i,j] = Σ_t [A_t]_{mi} x_{p,t,j}``,
    ``∂ŷ_{p,m}/∂W_h[i,j] = Σ_t [A_t]_{mi} h_{p,t,j}``,
    ``∂ŷ_{p,m}/∂W_y[m',j] = δ_{mm'} h_{p,T+1,j}``.
    """
    W_x, W_h, W_y, X, H = _prep(W_x, W_h, W_y, X)
    P, T, n_x = X.shape
    n_y, n_h = W_y.shape
    A = _sensitivities(W_h, W_y, T)
    Jx = np.einsum("tmi,ptj->pmij", A, X).reshape(P, n_y, -1)
    Jh = np.einsum("tmi,ptj->pmij", A, H[:, :T]).reshape(P, n_y, -1)
    Jy = np.einsum("mk,pj->pmkj", np.eye(n_y), H[:, T]).reshape(P, n_y, -1)
    return np.concatenate([Jx, Jh, Jy], axis=-1).reshape(P * n_y, -1)


def kernel_distance(K0, K1) -> float:
    """Kernel distance ``D_K = 1 - ⟨K0, K1⟩_F / (‖K0‖_F ‖K1‖_F) ∈ [0, 1]`` (theory guide :ref:`theory-kernel-distance`)."""
    K0 = as_float_array("K0", K0, ndim=2)
    K1 = as_float_array("K1", K1, ndim=2)
    if K0.shape != K1.shape:
        raise ValueError(f"K0 and K1 must have the same shape, got {K0.shape} and {K1.shape}")
    n0, n1 = np.linalg.norm(K0), np.linalg.norm(K1)
    if n0 == 0 or n1 == 0:
        raise ValueError("kernel_distance is undefined for a zero kernel (all weights zero)")
    return float(1.0 - np.sum(K0 * K1) / (n0 * n1))


def _modes(name, modes):
    if not isinstance(modes, (tuple, list)) or len(modes) != 3:
        raise TypeError(f"{name} must be a tuple (a, b, c) of per-mode arrays")
    a, b, c = (as_float_array(f"{name}[{i}]", v, ndim=(0, 1)) for i, v in enumerate(modes))
    a, b, c = np.broadcast_arrays(np.atleast_1d(a), np.atleast_1d(b), np.atleast_1d(c))
    return a, b, c


def ntk_aligned(a, b, c, T: int) -> np.ndarray:
    """Per-mode-pair matrices ``M^{αβ}`` of the aligned kernel (theory guide :ref:`theory-ntk-aligned`, sum convention).

    ``M^{αβ} = c_α² g_α g_αᵀ + c_α² w_{αβ} w_{αβ}ᵀ + a_β² g_β g_βᵀ`` with
    ``(g_α)_t = b_α^{T-t}`` and ``(w_{αβ})_i = a_β Σ_{t=i+1}^T b_β^{t-1-i} b_α^{T-t}``,
    so that ``⟨K, K'⟩_F = Σ_{αβ} ⟨M^{αβ}, M'^{αβ}⟩_F`` for a square aligned
    network on whitened data.

    Returns
    -------
    M : ndarray, shape (N, N, T, T) indexed [α, β, t, t'].
    """
    T = check_int("T", T, minimum=1)
    a, b, c = _modes("modes", (a, b, c))
    t = np.arange(1, T + 1)
    g = b[:, None] ** (T - t)  # (N, T)
    # w[α, β, i] = a_β Σ_{t=i+1}^{T} b_β^{t-1-i} b_α^{T-t}
    w = np.zeros((a.size, a.size, T))
    for i in range(1, T + 1):
        for tt in range(i + 1, T + 1):
            w[:, :, i - 1] += b[None, :] ** (tt - 1 - i) * b[:, None] ** (T - tt)
    w *= a[None, :, None]
    gg = np.einsum("at,au->atu", g, g)
    M = (c[:, None, None, None] ** 2) * gg[:, None] + (c[:, None, None, None] ** 2) * np.einsum("abt,abu->abtu", w, w) \
        + (a[None, :, None, None] ** 2) * gg[None, :]
    return M


def aligned_inner(modes0, modes1, T: int) -> float:
    """``⟨K(modes0), K(modes1)⟩_F`` of two aligned networks from their modes (theory guide :ref:`theory-ntk-aligned`)."""
    M0 = ntk_aligned(*_modes("modes0", modes0), T)
    M1 = ntk_aligned(*_modes("modes1", modes1), T)
    if M0.shape != M1.shape:
        raise ValueError("modes0 and modes1 must have the same number of modes")
    return float(np.sum(M0 * M1))


def kernel_distance_aligned(modes0, modes1, T: int) -> float:
    """Kernel distance between two aligned networks from their modes (theory guide :ref:`theory-ntk-aligned`, :ref:`theory-kernel-distance`).

    For ``T = 1`` every aligned kernel is a rescaling of the same matrix and
    the distance is exactly 0.
    """
    k01 = aligned_inner(modes0, modes1, T)
    k00 = aligned_inner(modes0, modes0, T)
    k11 = aligned_inner(modes1, modes1, T)
    return float(1.0 - k01 / np.sqrt(k00 * k11))


@dataclass(frozen=True)
class KernelMovement:
    """Outcome of the kernel-movement experiment of theory guide :ref:`theory-ntk-experiment`.

    Attributes
    ----------
    distance : float
        ``D_K`` between the initial and final NTK on the training inputs.
    final_loss : float
        Loss (sum convention) at the end of training.
    steps : int
        Gradient-descent steps taken.
    converged : bool
        The loss reached ``stop_loss``.
    stalled : bool
        Not converged: training stopped on a plateau (theory guide :ref:`theory-ntk-experiment` shows such
        cells as NaN); ``distance`` is then that of the stalled network.
    """

    distance: float
    final_loss: float
    steps: int
    converged: bool
    stalled: bool


def kernel_movement(sigma: float, T: int, *, aligned: bool, seed: int = 0, n: int = 4, n_samples: int = 64,
                    max_steps: int = 300_000, stop_loss: float = 1e-8) -> KernelMovement:
    """Kernel movement during training on the constant task (theory guide :ref:`theory-ntk-experiment`).

    Constant dynamics ``s_{α,t} = 1`` on all ``n`` modes, ``N_x = N_h = N_y = n``,
    exactly whitened data (``P = n_samples``, sum convention), gradient descent
    with ``η = 0.02/T`` until the loss falls below ``stop_loss`` or ``max_steps``.
    Aligned init: all modes ``a = b = c = σ`` with random ``U_y, V_x, R``;
    unaligned: i.i.d. ``N(0, σ²/N_in)`` entries.  Training uses
    :func:`lrnn_theory.simulate_gd`; the kernels are :func:`ntk` at the
    initial and final weights.
    """
    from . import tasks
    from .data import make_dataset
    from .sim import simulate_gd

    sigma = check_positive_float("sigma", sigma)
    T = check_int("T", T, minimum=1)
    seed = check_seed("seed", seed)
    n = check_int("n", n, minimum=1)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    stop_loss = check_positive_float("stop_loss", stop_loss)
    if not isinstance(aligned, (bool, np.bool_)):
        raise TypeError(f"aligned must be a bool, got {aligned!r}")
    S = np.ones((n, T)) * tasks.constant(T, 1.0)
    data = make_dataset(S, n, n, n_samples, seed=seed, convention="sum")
    run = simulate_gd(data, n, lr=0.02 / T, steps=max_steps, init="aligned" if aligned else "random",
                      scale=sigma, seed=seed + 1, record_every=max_steps, stop_loss=stop_loss)
    K0 = ntk(run.W_x[0], run.W_h[0], run.W_y[0], data.X)
    K1 = ntk(run.W_x[-1], run.W_h[-1], run.W_y[-1], data.X)
    converged = bool(run.loss[-1] <= stop_loss)
    return KernelMovement(distance=kernel_distance(K0, K1), final_loss=float(run.loss[-1]), steps=int(run.step[-1]),
                          converged=converged, stalled=not converged and not run.diverged)
