"""The linear RNN itself: forward pass and loss on arbitrary inputs (theory guide :ref:`theory-network`, :ref:`theory-loss`).

``h_1 = 0``, ``h_{t+1} = W_h h_t + W_x x_t`` (``t = 1..T``), ``ŷ = W_y h_{T+1}``.
Weights may carry leading batch axes (e.g. the records of a
:class:`~lrnn_theory.sim.GDResult`), which broadcast against the samples.
"""
from __future__ import annotations

import numpy as np

from ._validation import as_float_array

__all__ = ["forward", "hidden_states", "mse_half"]


def _weights(W_x, W_h, W_y, X):
    W_x = as_float_array("W_x", W_x, min_ndim=2)
    W_h = as_float_array("W_h", W_h, min_ndim=2)
    W_y = as_float_array("W_y", W_y, min_ndim=2)
    X = as_float_array("X", X, ndim=3)
    n_h = W_h.shape[-1]
    if W_h.shape[-2] != n_h or W_x.shape[-2] != n_h or W_y.shape[-1] != n_h:
        raise ValueError(f"weights must have shapes (..., N_h, N_x), (..., N_h, N_h), (..., N_y, N_h); got "
                         f"W_x {W_x.shape}, W_h {W_h.shape}, W_y {W_y.shape}")
    if X.shape[-1] != W_x.shape[-1]:
        raise ValueError(f"X must have N_x = {W_x.shape[-1]} features on its last axis, got shape {X.shape}")
    return W_x, W_h, W_y, X


def hidden_states(W_x, W_h, W_y, X) -> np.ndarray:
    """Hidden states ``h_1, …, h_{T+1}``.

    Parameters
    ----------
    W_x, W_h, W_y : ndarray, shapes batch + (N_h, N_x), (N_h, N_h), (N_y, N_h)
    X : ndarray, shape (P, T, N_x)

    Returns
    -------
    H : ndarray, shape batch + (P, T + 1, N_h); ``H[..., p, 0] = h_1 = 0``.

    Raises
    ------
    TypeError
        If an argument is not a real numeric array.
    ValueError
        If the weight shapes are inconsistent, ``X`` is not 3-D with ``N_x`` features, or an
        entry is not finite.

    Notes
    -----
    ``h_1 = 0``, ``h_{t+1} = W_h h_t + W_x x_t``: theory guide :ref:`theory-network`;
    Proca et al. (2025), Sec. 2.

    Examples
    --------
    A scalar network (``N_h = 1``) with ``W_h = 0.5`` fed three ones:

    >>> import numpy as np
    >>> from lrnn_theory.model import hidden_states
    >>> H = hidden_states([[1.0]], [[0.5]], [[2.0]], np.ones((1, 3, 1)))
    >>> H.shape
    (1, 4, 1)
    >>> H[0, :, 0]  # 0, 1, 1 + 0.5, 1 + 0.5 + 0.25
    array([0.  , 1.  , 1.5 , 1.75])
    """
    W_x, W_h, W_y, X = _weights(W_x, W_h, W_y, X)
    P, T, _ = X.shape
    batch = np.broadcast_shapes(W_x.shape[:-2], W_h.shape[:-2])
    H = np.zeros(batch + (P, T + 1, W_h.shape[-1]))
    for t, h in enumerate(_states(W_x, W_h, X, batch)):
        H[..., t + 1, :] = h
    return H


def _states(W_x, W_h, X, batch):
    """Yield ``h_2, …, h_{T+1}`` (each batch + (P, N_h)) as row-vector products ``h W_hᵀ + x W_xᵀ``."""
    W_hT, W_xT = np.swapaxes(W_h, -1, -2), np.swapaxes(W_x, -1, -2)
    h = np.zeros(batch + (X.shape[0], W_h.shape[-1]))
    for t in range(X.shape[1]):
        h = h @ W_hT + X[:, t] @ W_xT
        yield h


def forward(W_x, W_h, W_y, X) -> np.ndarray:
    """Network outputs ``ŷ_p = Σ_i W_y W_h^{T-i} W_x x_{p,i}``, shape batch + (P, N_y).

    Parameters
    ----------
    W_x, W_h, W_y : ndarray, shapes batch + (N_h, N_x), (N_h, N_h), (N_y, N_h)
    X : ndarray, shape (P, T, N_x)

    Returns
    -------
    Y_hat : ndarray, shape batch + (P, N_y)
        ``W_y h_{T+1}`` for every sample.

    Raises
    ------
    TypeError, ValueError
        As :func:`hidden_states`.

    Notes
    -----
    Theory guide :ref:`theory-network`; Proca et al. (2025), Sec. 2.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.model import forward
    >>> forward([[1.0]], [[0.5]], [[2.0]], np.ones((1, 3, 1)))  # 2 * (0.25 + 0.5 + 1)
    array([[3.5]])
    """
    W_x, W_h, W_y, X = _weights(W_x, W_h, W_y, X)
    batch = np.broadcast_shapes(W_x.shape[:-2], W_h.shape[:-2])
    h = np.zeros(batch + (X.shape[0], W_h.shape[-1]))
    for h in _states(W_x, W_h, X, batch):  # noqa: B007  only the last state is kept: memory O(P N_h), not O(P T N_h)
        pass
    return h @ np.swapaxes(W_y, -1, -2)


def mse_half(W_x, W_h, W_y, X, Y) -> np.ndarray:
    """``½ · mean over samples and output channels`` of the squared error (theory guide :ref:`theory-sensory-extrapolation`), shape batch.

    Parameters
    ----------
    W_x, W_h, W_y : ndarray, shapes batch + (N_h, N_x), (N_h, N_h), (N_y, N_h)
    X : ndarray, shape (P, T, N_x)
    Y : ndarray, shape (P, N_y)
        Targets.

    Returns
    -------
    loss : ndarray, shape batch
        ``(1/(2 P N_y)) Σ_{p,k} (ŷ_{pk} - Y_{pk})²`` (a 0-d array without batch axes).

    Raises
    ------
    TypeError, ValueError
        As :func:`hidden_states`; ``ValueError`` also if ``Y`` is not of shape ``(P, N_y)``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.model import mse_half
    >>> float(mse_half([[1.0]], [[0.5]], [[2.0]], np.ones((1, 3, 1)), [[3.0]]))  # ½ (3.5 - 3)²
    0.125
    """
    Y = as_float_array("Y", Y, ndim=2)
    out = forward(W_x, W_h, W_y, X)
    if out.shape[-2:] != Y.shape:
        raise ValueError(f"Y must have shape {out.shape[-2:]}, got {Y.shape}")
    return 0.5 * np.mean((out - Y) ** 2, axis=(-2, -1))
