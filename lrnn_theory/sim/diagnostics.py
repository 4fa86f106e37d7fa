"""BPTT diagnostics of the :ref:`bptt-diagnostics` linear RNN (theory guide :ref:`bptt-adjoint-norms`, :ref:`bptt-lag`, :ref:`bptt-jacobian-monitors`, :ref:`bptt-leak`).

Pure functions of weights and data, evaluated only when called (by the user, or by
:func:`~lrnn_theory.sim.simulate_bptt` at recorded steps when its ``diagnostics``
option asks for them): they cost nothing when off.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._validation import as_float_array
from ._sequences import check_leak, check_weights, sequence_data

__all__ = ["JacobianMonitors", "adjoint_norms", "gradient_by_lag", "jacobian_monitors", "leaky_jacobian"]


@njit(cache=True)
def _sample_pass(U, J, V, alpha, n, x, y, m, H, inject):
    """Forward pass of one sample into ``H`` and the adjoint injections ``inject[t] = Vᵀ ∂L/∂ŷ_t``."""
    for t in range(1, x.shape[0] + 1):
        H[t] = np.dot(J, H[t - 1]) + (1.0 - alpha) * np.dot(U, x[t - 1])
        if m[t - 1] != 0.0:
            inject[t] = np.dot(V.T, m[t - 1] * (np.dot(V, H[t]) - y[t - 1]) / n)
        else:
            inject[t] = 0.0


@njit(cache=True)
def _work(W, alpha, T):
    d = W.shape[0]
    return alpha * np.eye(d) + (1.0 - alpha) * W, np.zeros((T + 1, d)), np.zeros((T + 1, d))


@njit(cache=True)
def _adjoints(U, W, V, X, Y, M, alpha, out):
    J, H, inject = _work(W, alpha, X.shape[1])
    d = W.shape[0]
    P = X.shape[0]
    n = M.sum()
    for p in range(P):
        _sample_pass(U, J, V, alpha, n, X[p], Y[p], M[p], H, inject)
        a = np.zeros(d)
        for t in range(X.shape[1], 0, -1):
            a = np.dot(J.T, a) + inject[t]
            out[t - 1] += np.sqrt(np.sum(a * a)) / P


@njit(cache=True)
def _by_lag(U, W, V, X, Y, M, alpha, G):
    J, H, inject = _work(W, alpha, X.shape[1])
    T = X.shape[1]
    n = M.sum()
    for p in range(X.shape[0]):
        _sample_pass(U, J, V, alpha, n, X[p], Y[p], M[p], H, inject)
        for t in range(1, T + 1):
            if M[p, t - 1] == 0.0:  # no loss at t: nothing flows back from it
                continue
            a = inject[t].copy()
            for k in range(t):  # parameter use at step t - k
                G[k] += (1.0 - alpha) * np.outer(a, H[t - k - 1])
                a = np.dot(J.T, a)


def adjoint_norms(X, Y, weights, *, mask=None, leak: float = 0.0) -> np.ndarray:
    """``‖∂L/∂h_t‖`` for ``t = 1..T``, averaged over the batch (:ref:`bptt-adjoint-norms`), shape (T,).

    The backward recursion ``ā_{t-1} = Jᵀ ā_t + Vᵀ e_{t-1}``; with a loss at ``T`` only,
    ``log ‖ā_t‖`` is asymptotically linear in ``T - t`` with slope ``log ρ(J)``.
    Arguments as in :func:`~lrnn_theory.sim.sequence_loss_and_grad`.

    Parameters
    ----------
    X : ndarray (P, T, N_x)
    Y : ndarray (P, T, N_y) or (P, N_y)
    weights : tuple (U (N_h, N_x), W (N_h, N_h), V (N_y, N_h))
    mask : ndarray (P, T), optional
    leak : float in [0, 1)

    Returns
    -------
    ndarray, shape (T,)
        Entry ``t-1`` is the batch mean of ``‖∂L/∂h_t‖``.

    Raises
    ------
    TypeError
        Non-numeric arrays, or ``weights`` not a 3-tuple.
    ValueError
        Shapes that do not match, an invalid mask, ``leak`` outside [0, 1).

    Examples
    --------
    A scalar recurrence ``W = 0.5`` with a loss at ``T`` only: each step back multiplies the
    adjoint by ``ρ(W) = 0.5`` (theory guide :ref:`bptt-adjoint-norms`):

    >>> import numpy as np
    >>> from lrnn_theory.sim.diagnostics import adjoint_norms
    >>> one = np.ones((1, 1))
    >>> a = adjoint_norms(np.ones((1, 4, 1)), np.zeros((1, 1)), (one, 0.5 * one, one))
    >>> a.shape, (a[:-1] / a[1:]).tolist()
    ((4,), [0.5, 0.5, 0.5])
    """
    X, Y, mask = sequence_data(X, Y, mask)
    U, W, V = check_weights(weights, X.shape[2], Y.shape[2])
    out = np.zeros(X.shape[1])
    _adjoints(U, W, V, X, Y, mask, check_leak(leak), out)
    return out


def gradient_by_lag(X, Y, weights, *, mask=None, leak: float = 0.0, return_matrices: bool = False):
    """``‖∂L/∂W‖_F`` split by lag ``k = t - t'`` between a loss term at ``t`` and a use of ``W`` at ``t'`` (:ref:`bptt-lag`).

    ``G_k = (1-α) Σ_{p,t} (Jᵀ)^k Vᵀ e_{p,t} h_{p,t-k-1}ᵀ``; ``Σ_k G_k = ∂L/∂W``.  For a scalar
    recurrence ``λ`` with one input at lag ``k`` the weight is ``k λ^{k-1}`` (:ref:`memory`).

    Arguments ``X``, ``Y``, ``weights``, ``mask``, ``leak`` as in :func:`adjoint_norms`.

    Returns
    -------
    norms : ndarray (T,)
        ``‖G_k‖_F`` for ``k = 0..T-1``; with ``return_matrices=True`` also ``G`` (T, N_h, N_h).

    Raises
    ------
    TypeError
        Non-numeric arrays, or ``weights`` not a 3-tuple.
    ValueError
        Shapes that do not match, an invalid mask, ``leak`` outside [0, 1).

    Examples
    --------
    The lag contributions sum to the full BPTT gradient:

    >>> import numpy as np
    >>> from lrnn_theory.sim import sequence_loss_and_grad
    >>> from lrnn_theory.sim.diagnostics import gradient_by_lag
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((4, 5, 2)), rng.standard_normal((4, 5, 1))
    >>> w = (0.5 * np.ones((3, 2)), 0.2 * np.eye(3), np.ones((1, 3)))
    >>> norms, G = gradient_by_lag(X, Y, w, return_matrices=True)
    >>> norms.shape, G.shape
    ((5,), (5, 3, 3))
    >>> bool(np.allclose(G.sum(axis=0), sequence_loss_and_grad(X, Y, w)[1][1]))
    True
    """
    X, Y, mask = sequence_data(X, Y, mask)
    U, W, V = check_weights(weights, X.shape[2], Y.shape[2])
    G = np.zeros((X.shape[1],) + W.shape)
    _by_lag(U, W, V, X, Y, mask, check_leak(leak), G)
    norms = np.sqrt(np.sum(G ** 2, axis=(1, 2)))
    return (norms, G) if return_matrices else norms


def leaky_jacobian(W, leak: float = 0.0) -> np.ndarray:
    """``J = αI + (1-α)W`` of the leaky update (:ref:`bptt-leak`): forward Euler with step ``1-α`` of ``ḣ = (W-I)h + Ux``.

    The recurrence is stable iff every eigenvalue of ``J`` lies strictly inside the unit disc.

    Parameters
    ----------
    W : array_like, shape (..., N_h, N_h)
        One recurrent matrix or a stack of them.
    leak : float in [0, 1)
        ``α``.

    Returns
    -------
    ndarray, same shape as ``W``

    Raises
    ------
    TypeError
        ``W`` is not numeric, or ``leak`` is not a real number.
    ValueError
        ``W`` is not square (or has fewer than 2 dimensions), or ``leak`` is outside [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sim.diagnostics import leaky_jacobian
    >>> leaky_jacobian(np.zeros((2, 2)), leak=0.25).tolist()
    [[0.25, 0.0], [0.0, 0.25]]
    >>> bool(np.allclose(leaky_jacobian(np.eye(2), leak=0.9), np.eye(2)))   # W = I is a fixed point
    True
    """
    W = as_float_array("W", W, min_ndim=2)
    if W.shape[-1] != W.shape[-2]:
        raise ValueError(f"W must be square, got shape {W.shape}")
    a = check_leak(leak)
    return a * np.eye(W.shape[-1]) + (1 - a) * W


@dataclass(frozen=True)
class JacobianMonitors:
    """Jacobian-product monitors (:ref:`bptt-jacobian-monitors`), for each of ``n`` recurrent matrices.

    Attributes
    ----------
    spectral_radius : ndarray (n,)
        ``max |λ_i(J)|``.
    singular_values : ndarray (n, N_h)
        Singular values of ``J``, descending.
    ks : ndarray (m,)
    power_norms : ndarray (n, m)
        ``‖J^k‖_2`` for each ``k`` in ``ks``.
    memory_horizon : ndarray (n,)
        ``1/(1 - ρ(J))`` (``inf`` when ``ρ(J) >= 1``).

    For a single matrix (``W`` of shape (N_h, N_h)) the leading ``n`` axis is dropped.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sim.diagnostics import jacobian_monitors
    >>> mon = jacobian_monitors(np.stack([0.5 * np.eye(2), np.eye(2)]), ks=(2,))
    >>> mon.spectral_radius.tolist(), mon.memory_horizon.tolist(), mon.power_norms.tolist()
    ([0.5, 1.0], [2.0, inf], [[0.25], [1.0]])
    """

    spectral_radius: np.ndarray
    singular_values: np.ndarray
    ks: np.ndarray
    power_norms: np.ndarray
    memory_horizon: np.ndarray


def jacobian_monitors(W, ks=(1, 10, 100), *, leak: float = 0.0) -> JacobianMonitors:
    """Spectral radius, singular values, ``‖J^k‖`` and memory horizon of ``J = αI + (1-α)W`` (:ref:`bptt-jacobian-monitors`).

    ``W`` has shape (N_h, N_h) or (n, N_h, N_h) (e.g. the records of a run).

    Parameters
    ----------
    W : array_like, shape (N_h, N_h) or (n, N_h, N_h)
    ks : sequence of int >= 0
        Powers ``k`` of ``‖J^k‖_2``.
    leak : float in [0, 1)

    Returns
    -------
    JacobianMonitors

    Raises
    ------
    TypeError
        ``W`` is not numeric.
    ValueError
        ``W`` is not square, ``leak`` is outside [0, 1), or ``ks`` is not a 1-D sequence of
        non-negative integers.

    Examples
    --------
    ``W = 0.5 I``: spectral radius 0.5, ``‖J^k‖ = 0.5^k``, memory horizon ``1/(1 - 0.5) = 2``;
    a leak ``α`` moves the radius to ``α + (1-α)·0.5``:

    >>> import numpy as np
    >>> from lrnn_theory.sim.diagnostics import jacobian_monitors
    >>> mon = jacobian_monitors(0.5 * np.eye(2), ks=(1, 2))
    >>> float(mon.spectral_radius), mon.power_norms.tolist(), float(mon.memory_horizon)
    (0.5, [0.5, 0.25], 2.0)
    >>> round(float(jacobian_monitors(0.5 * np.eye(2), leak=0.5).spectral_radius), 12)
    0.75
    """
    J = leaky_jacobian(W, leak)
    single = J.ndim == 2
    J = J.reshape((-1,) + J.shape[-2:])
    ks = np.atleast_1d(np.asarray(ks))
    if ks.ndim != 1 or ks.dtype.kind not in "iu" or np.any(ks < 0):
        raise ValueError(f"ks must be a 1-D sequence of non-negative integers, got {ks!r}")
    rho = np.max(np.abs(np.linalg.eigvals(J)), axis=-1)
    sv = np.linalg.svd(J, compute_uv=False)
    pn = np.array([[np.linalg.norm(np.linalg.matrix_power(j, int(k)), 2) for k in ks] for j in J])
    horizon = np.where(rho < 1, 1 / np.where(rho < 1, 1 - rho, 1.0), np.inf)
    if single:
        rho, sv, pn, horizon = rho[0], sv[0], pn[0], horizon[0]
    return JacobianMonitors(spectral_radius=rho, singular_values=sv, ks=ks, power_norms=pn, memory_horizon=horizon)
