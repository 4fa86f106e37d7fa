"""The Elman RNN of the streaming-parity experiments, trained by hand-written BPTT in numba (theory guide :ref:`merging-task`; van Rossem & Saxe (2025)).

``h_0 = 1`` (all ones), ``h_t = f(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` with ``f`` ReLU (or tanh),
``ŷ = W_hy h_m + b_hy``; Xavier-normal weights with gain ``G_0``, zero biases; plain SGD
on mini-batches of equal-length strings, loss the mean squared error over batch and
output coordinates (or cross-entropy).  The two hidden biases are kept separate: under SGD
they receive identical gradients, so the effective bias step is doubled (as in :ref:`merging-task`).

Inputs are symbol indices (one-hot ``x_t`` selects a column of ``W_ih``).  Kernels run in
float32 (the reference's precision, 2× faster BLAS) or float64 (gradient checks).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._validation import check_choice, check_int, check_positive_float, check_seed

__all__ = ["NONLINEARITIES", "RNN_LOSSES", "ElmanParams", "batch_loss_and_grad", "hidden_states", "init_params", "predict"]

NONLINEARITIES = ("relu", "tanh")
RNN_LOSSES = ("mse", "cross_entropy")
_NAMES = ("W_ih", "b_ih", "W_hh", "b_hh", "W_hy", "b_hy")


@dataclass(frozen=True)
class ElmanParams:
    """Weights of the Elman RNN (:ref:`merging-task`): ``W_ih`` (P, 2), ``b_ih`` (P,), ``W_hh`` (P, P), ``b_hh`` (P,), ``W_hy`` (K, P), ``b_hy`` (K,).

    ``P`` hidden units, ``K`` outputs.  :meth:`arrays` returns the six arrays in this order,
    :meth:`astype` a copy in another dtype, :attr:`hidden` is ``P``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import init_params
    >>> p = init_params(4, seed=0)
    >>> p.hidden, p.W_hh.shape, p.W_hy.shape, p.astype(np.float32).W_ih.dtype
    (4, (4, 4), (2, 4), dtype('float32'))
    """

    W_ih: np.ndarray
    b_ih: np.ndarray
    W_hh: np.ndarray
    b_hh: np.ndarray
    W_hy: np.ndarray
    b_hy: np.ndarray

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(getattr(self, n) for n in _NAMES)

    def astype(self, dtype) -> ElmanParams:
        return ElmanParams(*(np.ascontiguousarray(a, dtype=dtype) for a in self.arrays()))

    @property
    def hidden(self) -> int:
        return int(self.W_hh.shape[0])


def init_params(hidden: int = 100, gain: float = 0.1, *, n_out: int = 2, seed: int = 0, dtype=np.float64) -> ElmanParams:
    """Xavier-normal weights, ``std = G_0 sqrt(2/(fan_in + fan_out))``, zero biases (:ref:`merging-task`).

    Parameters
    ----------
    hidden : int >= 1
        Hidden units ``P``.
    gain : float > 0
        Initial gain ``G_0``.
    n_out : int >= 1
        Outputs ``K``.
    seed : int
    dtype : numpy dtype
        float64 or float32.

    Returns
    -------
    ElmanParams

    Raises
    ------
    TypeError
        A non-integer ``hidden``, ``n_out`` or ``seed``, or a non-numeric ``gain``.
    ValueError
        ``hidden < 1``, ``gain <= 0``, ``n_out < 1`` or a negative ``seed``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import init_params
    >>> p = init_params(50, gain=0.1, seed=0)
    >>> round(float(p.W_hh.std() / (0.1 * np.sqrt(2 / 100))), 1), float(np.abs(p.b_hh).max())  # std ≈ G_0 sqrt(2/(P+P))
    (1.0, 0.0)
    """
    hidden = check_int("hidden", hidden, minimum=1)
    gain = check_positive_float("gain", gain)
    n_out = check_int("n_out", n_out, minimum=1)
    rng = np.random.default_rng(check_seed("seed", seed))

    def xavier(fan_out, fan_in):
        return rng.normal(0.0, gain * np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_out, fan_in))

    p = ElmanParams(W_ih=xavier(hidden, 2), b_ih=np.zeros(hidden), W_hh=xavier(hidden, hidden), b_hh=np.zeros(hidden),
                    W_hy=xavier(n_out, hidden), b_hy=np.zeros(n_out))
    return p.astype(dtype)


@njit(cache=True)
def _act(z, tanh):
    return np.tanh(z) if tanh else np.maximum(z, 0.0)


@njit(cache=True)
def _forward(W_ih, b_ih, W_hh, b_hh, sym, tanh, H):
    """H (m+1, B, P): H[0] = 1, H[t] = f(W_ih[:, x_t] + b + W_hh H[t-1] + b_hh)."""
    B, m = sym.shape
    H[0] = 1.0
    bias = b_ih + b_hh
    WhhT = W_hh.T.copy()
    for t in range(1, m + 1):
        Z = np.dot(H[t - 1], WhhT)
        for b in range(B):
            col = sym[b, t - 1]
            for i in range(Z.shape[1]):
                z = Z[b, i] + W_ih[i, col] + bias[i]
                H[t, b, i] = np.tanh(z) if tanh else (z if z > 0.0 else 0.0)


@njit(cache=True)
def _output_loss_grad(out, target, ce, dout):
    """Mean loss of the outputs ``out`` (B, K) against ``target``, cross-entropy (``ce``) or squared
    error; writes ``∂L/∂out`` into ``dout``.  Shared by every training kernel."""
    B, K = out.shape
    loss = 0.0
    for b in range(B):
        if ce:
            mx = out[b].max()
            e = np.exp(out[b] - mx)
            s = e.sum()
            for k in range(K):
                prob = e[k] / s
                dout[b, k] = (prob - target[b, k]) / B
                if target[b, k] > 0:
                    loss -= target[b, k] * (out[b, k] - mx - np.log(s)) / B
        else:
            for k in range(K):
                r = out[b, k] - target[b, k]
                loss += r * r / (B * K)
                dout[b, k] = 2.0 * r / (B * K)
    return loss


@njit(cache=True)
def _sgd_update(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, g_ih, g_bi, g_hh, g_bh, g_hy, g_by, lr):
    """One SGD update ``W -= lr ∂L/∂W`` of the six Elman parameters in place (``g_ih`` may be a transposed
    view).  Shared by every training kernel."""
    W_ih -= lr * g_ih
    b_ih -= lr * g_bi
    W_hh -= lr * g_hh
    b_hh -= lr * g_bh
    W_hy -= lr * g_hy
    b_hy -= lr * g_by


@njit(cache=True)
def _loss_grad(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, sym, target, tanh, ce, H, g_ih, g_bi, g_hh, g_bh, g_hy, g_by):
    B, m = sym.shape
    _forward(W_ih, b_ih, W_hh, b_hh, sym, tanh, H)
    out = np.dot(H[m], W_hy.T.copy()) + b_hy
    dout = np.empty_like(out)
    loss = _output_loss_grad(out, target, ce, dout)
    g_hy[:, :] = np.dot(dout.T, H[m])
    g_by[:] = dout.sum(axis=0)
    g_ih[:, :] = 0.0
    g_bi[:] = 0.0
    g_hh[:, :] = 0.0
    A = np.dot(dout, W_hy)  # ∂L/∂h_m, (B, P)
    for t in range(m, 0, -1):
        D = np.empty_like(A)
        for b in range(B):
            for i in range(A.shape[1]):
                h = H[t, b, i]
                D[b, i] = A[b, i] * ((1.0 - h * h) if tanh else (1.0 if h > 0.0 else 0.0))
        g_hh += np.dot(D.T, H[t - 1])
        for b in range(B):
            col = sym[b, t - 1]
            for i in range(D.shape[1]):
                g_ih[i, col] += D[b, i]
                g_bi[i] += D[b, i]
        if t > 1:
            A = np.dot(D, W_hh)
    g_bh[:] = g_bi
    return loss


def _check_batch(params, sym, target, nonlinearity, loss):
    if not isinstance(params, ElmanParams):
        raise TypeError(f"params must be ElmanParams, got {type(params).__name__}")
    sym = np.asarray(sym)
    if sym.ndim != 2 or sym.size == 0 or sym.dtype.kind not in "iu" or np.any((sym < 0) | (sym > 1)):
        raise ValueError("sym must be a non-empty 2-D integer array (batch, length) of symbols 0/1")
    target = np.asarray(target, dtype=params.W_hh.dtype)
    if target.shape != (sym.shape[0], params.W_hy.shape[0]):
        raise ValueError(f"target must have shape (batch, K) = {(sym.shape[0], params.W_hy.shape[0])}, got {target.shape}")
    nonlinearity = check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    loss = check_choice("loss", loss, RNN_LOSSES)
    return np.ascontiguousarray(sym, dtype=np.int64), np.ascontiguousarray(target), nonlinearity == "tanh", loss == "cross_entropy"


def batch_loss_and_grad(params: ElmanParams, sym, target, *, nonlinearity: str = "relu", loss: str = "mse"):
    """Loss of a batch of equal-length strings and its gradient by BPTT (:ref:`merging-task`, :ref:`theory-checks-merging`).

    Parameters
    ----------
    params : ElmanParams
    sym : int array (B, m) of symbols 0/1
    target : array (B, K)
        One-hot targets.

    nonlinearity : {"relu", "tanh"}
    loss : {"mse", "cross_entropy"}
        Mean squared error over batch and output coordinates, or mean cross-entropy.

    Returns
    -------
    loss : float
    grads : ElmanParams
        Gradients with the parameters' names and shapes.

    Raises
    ------
    TypeError
        ``params`` not :class:`ElmanParams`, or a non-string ``nonlinearity``/``loss``.
    ValueError
        ``sym`` not a non-empty 2-D integer array of 0/1, ``target`` not of shape (B, K), or an
        unknown ``nonlinearity``/``loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import batch_loss_and_grad, init_params, predict
    >>> p = init_params(4, seed=0)
    >>> sym, target = np.array([[0, 1, 1], [1, 0, 0]]), np.eye(2)
    >>> loss, g = batch_loss_and_grad(p, sym, target)
    >>> bool(np.isclose(loss, np.mean((predict(p, sym) - target) ** 2))), g.W_hh.shape
    (True, (4, 4))
    >>> g.b_hy.tolist() == (2 * (predict(p, sym) - target) / 4).sum(axis=0).tolist()  # ∂L/∂b_hy
    True
    """
    sym, target, tanh, ce = _check_batch(params, sym, target, nonlinearity, loss)
    arrs = params.arrays()
    grads = [np.empty_like(a) for a in arrs]
    H = np.empty((sym.shape[1] + 1, sym.shape[0], params.hidden), dtype=params.W_hh.dtype)
    val = _loss_grad(*arrs, sym, target, tanh, ce, H, *grads)
    return float(val), ElmanParams(*grads)


def hidden_states(params: ElmanParams, sym, *, nonlinearity: str = "relu") -> np.ndarray:
    """Hidden states ``h_0, …, h_m`` of equal-length strings: shape (m+1, B, P) (:ref:`merging-task`).

    Parameters
    ----------
    params : ElmanParams
    sym : int array (B, m) of symbols 0/1
    nonlinearity : {"relu", "tanh"}

    Returns
    -------
    ndarray, shape (m+1, B, P), dtype of the parameters
        ``h_0 = 1`` (all ones), then one state per symbol.

    Raises
    ------
    TypeError, ValueError
        As :func:`batch_loss_and_grad`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import hidden_states, init_params
    >>> H = hidden_states(init_params(4, seed=0), np.array([[0, 1, 1]]))
    >>> H.shape, bool(np.all(H[0] == 1)), bool(np.all(H >= 0))  # ReLU states
    ((4, 1, 4), True, True)
    """
    sym, _, tanh, _ = _check_batch(params, sym, np.zeros((np.shape(sym)[0], params.W_hy.shape[0])), nonlinearity, "mse")
    H = np.empty((sym.shape[1] + 1, sym.shape[0], params.hidden), dtype=params.W_hh.dtype)
    _forward(params.W_ih, params.b_ih, params.W_hh, params.b_hh, sym, tanh, H)
    return H


def predict(params: ElmanParams, sym, *, nonlinearity: str = "relu") -> np.ndarray:
    """Outputs ``ŷ = W_hy h_m + b_hy`` (B, K) at the end of equal-length strings (:ref:`merging-task`).

    Parameters
    ----------
    params : ElmanParams
    sym : int array (B, m) of symbols 0/1
    nonlinearity : {"relu", "tanh"}

    Returns
    -------
    ndarray, shape (B, K)

    Raises
    ------
    TypeError, ValueError
        As :func:`batch_loss_and_grad`.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import hidden_states, init_params, predict
    >>> p = init_params(4, seed=0)
    >>> sym = np.array([[0, 1], [1, 1]])
    >>> y = predict(p, sym)
    >>> y.shape, bool(np.allclose(y, hidden_states(p, sym)[-1] @ p.W_hy.T + p.b_hy))
    ((2, 2), True)
    """
    H = hidden_states(params, sym, nonlinearity=nonlinearity)
    return H[-1] @ params.W_hy.T + params.b_hy
