"""Sequence-to-sequence BPTT training of a linear RNN with the options of theory guide :ref:`bptt-diagnostics`.

Model (C, with the leaky/residual update of :ref:`bptt-leak`)::

    h_0 = 0,   h_t = α h_{t-1} + (1-α)(W h_{t-1} + U x_t),   ŷ_t = V h_t,   t = 1..T

Loss: ``L = 1/(2n) Σ_{p,t} m_{p,t} ‖ŷ_{p,t} - y_{p,t}‖²`` with a loss mask ``m``
(:ref:`bptt-masks`; ``n = Σ m``).  A target only at the last step (``Y`` of shape (P, N_y)) is
the many-to-one setting of the core theory.  Options, all off by default and
then free of cost: global-norm clipping (:ref:`bptt-clipping`), truncated BPTT with window ``k``
(:ref:`bptt-truncation`), leak ``α`` (:ref:`bptt-leak`), masks (:ref:`bptt-masks`); diagnostics (:ref:`bptt-adjoint-norms`, :ref:`bptt-lag`, :ref:`bptt-jacobian-monitors`) are computed on the
recorded weights by :mod:`lrnn_theory.sim.diagnostics`, only when asked for.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from .._validation import check_choice, check_int, check_positive_float, check_seed
from . import init as _init
from ._sequences import check_leak, check_weights, sequence_data

__all__ = ["BPTTResult", "Diagnostics", "RunSummary", "sequence_loss_and_grad", "simulate_bptt"]

INITIALISERS = ("gaussian", "orthogonal", "identity")


@njit(cache=True)
def _rank1(G, a, b):
    """``G += a bᵀ`` without temporaries."""
    for i in range(a.size):
        ai = a[i]
        for j in range(b.size):
            G[i, j] += ai * b[j]


@njit(cache=True)
def _loss_grad(U, W, V, X, Y, M, alpha, trunc, gU, gW, gV):
    P, T, n_x = X.shape
    d = W.shape[0]
    c = 1.0 - alpha
    J = alpha * np.eye(d) + c * W
    Jt = J.T.copy()
    cU = c * U
    Vt = V.T.copy()
    n = M.sum()
    gU[:, :] = 0.0
    gW[:, :] = 0.0
    gV[:, :] = 0.0
    H = np.zeros((T + 1, d))
    E = np.zeros((T + 1, V.shape[0]))
    live = np.zeros(T + 1, dtype=np.bool_)
    a = np.empty(d)
    ca = np.empty(d)
    loss = 0.0
    for p in range(P):
        for t in range(1, T + 1):
            H[t] = np.dot(J, H[t - 1]) + np.dot(cU, X[p, t - 1])
        for t in range(1, T + 1):
            m = M[p, t - 1]
            live[t] = m != 0.0
            if live[t]:
                r = np.dot(V, H[t]) - Y[p, t - 1]
                loss += 0.5 * m * np.sum(r * r) / n
                E[t] = (m / n) * r
                _rank1(gV, E[t], H[t])
        if trunc >= T:
            a[:] = 0.0
            for t in range(T, 0, -1):
                a[:] = np.dot(Jt, a)
                if live[t]:
                    a += np.dot(Vt, E[t])
                ca[:] = c * a
                _rank1(gW, ca, H[t - 1])
                _rank1(gU, ca, X[p, t - 1])
        else:
            for t in range(T, 0, -1):
                if not live[t]:
                    continue
                a[:] = np.dot(Vt, E[t])
                for s in range(t, max(0, t - trunc), -1):  # steps t, t-1, ..., t-k+1
                    ca[:] = c * a
                    _rank1(gW, ca, H[s - 1])
                    _rank1(gU, ca, X[p, s - 1])
                    a[:] = np.dot(Jt, a)
    return loss


def sequence_loss_and_grad(X, Y, weights, *, mask=None, leak: float = 0.0, truncate: int | None = None):
    """Loss and ``(∂L/∂U, ∂L/∂W, ∂L/∂V)`` of the :ref:`bptt-diagnostics` model by (truncated) BPTT.

    Parameters
    ----------
    X : ndarray (P, T, N_x)
    Y : ndarray (P, T, N_y) (a target per step) or (P, N_y) (last step only)
    weights : tuple (U (N_h, N_x), W (N_h, N_h), V (N_y, N_h))
    mask : ndarray (P, T), optional
        Loss weights per position (:ref:`bptt-masks`); default all steps, or the last step for 2-D ``Y``.
    leak : float in [0, 1)
        ``α`` of the leaky update (:ref:`bptt-leak`).
    truncate : int >= 1, optional
        Window ``k`` of truncated BPTT (:ref:`bptt-truncation`): the gradient of the loss at ``t`` flows through
        steps ``t, …, t-k+1`` only.  None (or ``k >= T``) is full BPTT.

    Returns
    -------
    loss : float
        ``1/(2n) Σ_{p,t} m_{p,t} ‖ŷ_{p,t} - y_{p,t}‖²`` with ``n = Σ m``.
    grads : tuple of ndarray
        ``(∂L/∂U, ∂L/∂W, ∂L/∂V)``, shapes as the weights (the truncated-BPTT estimate when
        ``truncate < T``).

    Raises
    ------
    TypeError
        Non-numeric arrays, ``weights`` not a 3-tuple, ``truncate`` not an integer.
    ValueError
        Shapes that do not match (``Y``, ``mask``, weights), a negative or all-zero mask,
        ``leak`` outside [0, 1), ``truncate < 1``.

    Examples
    --------
    With a target at the last step only (2-D ``Y``) the loss is the normalised many-to-one loss
    of the core theory, so it equals :func:`~lrnn_theory.sim.loss_and_grad`:

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.bptt import sequence_loss_and_grad
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, lam=0.5), 1, 1, 3, seed=0)
    >>> W = lt.sim.initial_weights(data, 2, scale=0.3)[:3]
    >>> loss, grads = sequence_loss_and_grad(data.X, data.Y, W)
    >>> loss2, grads2 = lt.sim.loss_and_grad(data, W)
    >>> bool(np.isclose(loss, loss2)), all(np.allclose(g, h) for g, h in zip(grads, grads2))
    (True, True)

    A central finite difference confirms one entry of ``∂L/∂W`` (targets at every step):

    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((4, 5, 2)), rng.standard_normal((4, 5, 1))
    >>> U, Wh, V = 0.5 * np.ones((3, 2)), 0.2 * np.eye(3), np.ones((1, 3))
    >>> _, (gU, gW, gV) = sequence_loss_and_grad(X, Y, (U, Wh, V))
    >>> E = np.zeros((3, 3)); E[0, 1] = 1e-6
    >>> fd = (sequence_loss_and_grad(X, Y, (U, Wh + E, V))[0] - sequence_loss_and_grad(X, Y, (U, Wh - E, V))[0]) / 2e-6
    >>> bool(abs(fd - gW[0, 1]) < 1e-8)
    True
    """
    X, Y, mask = sequence_data(X, Y, mask)
    U, W, V = check_weights(weights, X.shape[2], Y.shape[2])
    leak = check_leak(leak)
    T = X.shape[1]
    k = T if truncate is None else check_int("truncate", truncate, minimum=1)
    gU, gW, gV = np.empty_like(U), np.empty_like(W), np.empty_like(V)
    loss = _loss_grad(U, W, V, X, Y, mask, leak, k, gU, gW, gV)
    return float(loss), (gU, gW, gV)


@dataclass(frozen=True)
class Diagnostics:
    """Which BPTT diagnostics :func:`simulate_bptt` evaluates at each recorded step (:ref:`bptt-adjoint-norms`, :ref:`bptt-lag`).

    Attributes
    ----------
    adjoint_norms : bool
        ``‖∂L/∂h_t‖`` per time step, averaged over the batch (:ref:`bptt-adjoint-norms`).
    lag_norms : bool
        ``‖∂L/∂W‖`` split by lag ``k = t - t'`` (:ref:`bptt-lag`).

    Examples
    --------
    Ask for both; the run then holds one row per recorded step, one column per time step:

    >>> import numpy as np
    >>> from lrnn_theory.sim.bptt import Diagnostics, simulate_bptt
    >>> X, Y = np.ones((2, 4, 1)), np.zeros((2, 1))
    >>> res = simulate_bptt(X, Y, lr=0.1, steps=4, n_h=2, record_every=2,
    ...                     diagnostics=Diagnostics(adjoint_norms=True, lag_norms=True))
    >>> res.step.tolist(), res.adjoint_norms.shape, res.lag_norms.shape
    ([0, 2, 4], (3, 4), (3, 4))
    >>> Diagnostics().adjoint_norms        # off by default: no cost
    False
    """

    adjoint_norms: bool = False
    lag_norms: bool = False


@dataclass(frozen=True)
class RunSummary:
    """Cost of a run (:ref:`bptt-run-summary`): tokens per step, valid (unmasked) tokens, activation memory, wall time per step.

    Attributes
    ----------
    tokens_per_step : int
        ``P × T``.
    valid_tokens_per_step : int
        Positions with a non-zero loss mask.
    activation_bytes : int
        Stored hidden states, ``8 P (T + 1) N_h`` bytes (float64).
    seconds_per_step : float
        Wall time per gradient step.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sim.bptt import simulate_bptt
    >>> res = simulate_bptt(np.ones((2, 4, 1)), np.zeros((2, 1)), lr=0.1, steps=2, n_h=3)
    >>> s = res.summary
    >>> s.tokens_per_step, s.valid_tokens_per_step, s.activation_bytes == 8 * 2 * 5 * 3
    (8, 2, True)
    >>> print(s)                                    # doctest: +ELLIPSIS
    8 tokens/step (2 in the loss), activations 0.00 MiB, ... ms/step
    """

    tokens_per_step: int
    valid_tokens_per_step: int
    activation_bytes: int
    seconds_per_step: float

    def __str__(self) -> str:
        return (f"{self.tokens_per_step} tokens/step ({self.valid_tokens_per_step} in the loss), "
                f"activations {self.activation_bytes / 2 ** 20:.2f} MiB, {1e3 * self.seconds_per_step:.3f} ms/step")


@dataclass(frozen=True)
class BPTTResult:
    """A BPTT gradient-descent run (:ref:`bptt-diagnostics`).

    Attributes
    ----------
    step : ndarray (n_rec,)
    loss : ndarray (n_rec,)
    U, W, V : ndarray (n_rec, ...)
        Recorded weights.
    grad_norm : ndarray (n_steps,)
        Global gradient norm before clipping, every step.
    n_clipped : int
        Steps whose gradient was rescaled (:ref:`bptt-clipping`).
    diverged : bool
    diverged_step : int or None
    adjoint_norms : ndarray (n_rec, T) or None
    lag_norms : ndarray (n_rec, T) or None
    summary : RunSummary
    leak : float

    Examples
    --------
    Obtained from :func:`simulate_bptt`; the loss of a learnable task decreases and the run
    does not diverge:

    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.bptt import simulate_bptt
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, lam=0.5), 1, 1, 3, seed=0)
    >>> res = simulate_bptt(data.X, data.Y, lr=0.1, steps=20, n_h=2, record_every=10)
    >>> res.step.tolist(), res.W.shape, res.grad_norm.shape, res.diverged
    ([0, 10, 20], (3, 2, 2), (20,), False)
    >>> bool(res.loss[-1] < res.loss[0]), res.n_clipped
    (True, 0)
    """

    step: np.ndarray
    loss: np.ndarray
    U: np.ndarray
    W: np.ndarray
    V: np.ndarray
    grad_norm: np.ndarray
    n_clipped: int
    diverged: bool
    diverged_step: int | None
    adjoint_norms: np.ndarray | None
    lag_norms: np.ndarray | None
    summary: RunSummary
    leak: float

    def monitors(self, ks=(1, 10, 100)):
        """Jacobian-product monitors of every recorded ``W`` (:ref:`bptt-jacobian-monitors`); see :func:`~lrnn_theory.sim.diagnostics.jacobian_monitors`."""
        from .diagnostics import jacobian_monitors

        return jacobian_monitors(self.W, ks, leak=self.leak)


def _initial(n_h, n_x, n_y, recurrent_init, gain, seed):
    n_h = check_int("n_h", n_h, minimum=1)
    recurrent_init = check_choice("recurrent_init", recurrent_init, INITIALISERS)
    seed = check_seed("seed", seed)
    W = getattr(_init, recurrent_init)(n_h, gain, seed=seed)
    rng = np.random.default_rng([seed, 1])
    U = rng.normal(0.0, 1 / np.sqrt(n_x), size=(n_h, n_x))
    V = rng.normal(0.0, 1 / np.sqrt(n_h), size=(n_y, n_h))
    return U, W, V


def simulate_bptt(X, Y, *, lr: float, steps: int, weights=None, n_h: int | None = None, recurrent_init: str = "orthogonal",
                  gain: float = 1.0, mask=None, leak: float = 0.0, clip: float | None = None, truncate: int | None = None,
                  record_every: int | None = None, diagnostics: Diagnostics | None = None, seed: int = 0) -> BPTTResult:
    """Full-batch gradient descent by BPTT on the :ref:`bptt-diagnostics` linear RNN.

    Parameters
    ----------
    X, Y, mask, leak, truncate
        As in :func:`sequence_loss_and_grad`.
    lr : float > 0
    steps : int >= 1
    weights : tuple (U, W, V), optional
        Initial weights; otherwise ``n_h`` hidden units with ``W`` from ``recurrent_init``
        (``"gaussian"``, ``"orthogonal"``, ``"identity"``; :ref:`bptt-initialisers`) scaled by ``gain`` and
        ``U, V ~ N(0, 1/fan_in)``, all from ``seed``.
    clip : float > 0, optional
        Global-norm clipping threshold ``c``: the gradient is scaled by ``min(1, c/‖g‖)`` (:ref:`bptt-clipping`).
    record_every : int, optional
        Record weights, loss and diagnostics every this many steps (default ``steps // 100``);
        the first and last steps are always recorded.
    diagnostics : Diagnostics, optional
        Adjoint norms / lag split at the recorded steps (off by default: no cost).

    A run whose loss or weights become non-finite, or whose loss exceeds ``1e12``, stops and
    reports ``diverged`` with the step.

    Returns
    -------
    BPTTResult

    Raises
    ------
    TypeError
        Non-numeric arrays, counts that are not integers, ``diagnostics`` not a
        :class:`Diagnostics`, ``weights`` not a 3-tuple.
    ValueError
        Non-positive ``lr``, ``steps`` or ``clip``; shapes that do not match; ``leak`` outside
        [0, 1); unknown ``recurrent_init``; ``n_h`` missing when ``weights`` is None.

    Examples
    --------
    Global-norm clipping at ``c`` (:ref:`bptt-clipping`) rescales every step whose gradient norm
    exceeds ``c``; ``grad_norm`` keeps the norm before clipping:

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.bptt import simulate_bptt
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, lam=0.5), 1, 1, 3, seed=0)
    >>> res = simulate_bptt(data.X, data.Y, lr=0.1, steps=5, n_h=2, clip=1e-3)
    >>> res.n_clipped, bool(np.all(res.grad_norm > 1e-3)), res.summary.tokens_per_step
    (5, True, 9)

    A diverging run is reported, not raised:

    >>> res = simulate_bptt(data.X, data.Y, lr=100.0, steps=50, n_h=2)
    >>> res.diverged, res.diverged_step is not None
    (True, True)
    """
    X, Y, mask = sequence_data(X, Y, mask)
    P, T, n_x = X.shape
    n_y = Y.shape[2]
    lr = check_positive_float("lr", lr)
    steps = check_int("steps", steps, minimum=1)
    leak = check_leak(leak)
    k = T if truncate is None else check_int("truncate", truncate, minimum=1)
    c = np.inf if clip is None else check_positive_float("clip", clip, allow_inf=True)
    every = max(1, steps // 100) if record_every is None else check_int("record_every", record_every, minimum=1)
    if diagnostics is not None and not isinstance(diagnostics, Diagnostics):
        raise TypeError(f"diagnostics must be a Diagnostics object or None, got {type(diagnostics).__name__}")
    if weights is None:
        if n_h is None:
            raise ValueError("n_h must be given when weights is None")
        U, W, V = _initial(n_h, n_x, n_y, recurrent_init, gain, seed)
    else:
        U, W, V = (w.copy() for w in check_weights(weights, n_x, n_y))  # updated in place below
    from . import diagnostics as _diag

    gU, gW, gV = np.empty_like(U), np.empty_like(W), np.empty_like(V)
    rec = {"step": [], "loss": [], "U": [], "W": [], "V": [], "adj": [], "lag": []}
    grad_norm = np.empty(steps)
    n_clipped, diverged_step = 0, None

    def record(s, loss):
        rec["step"].append(s)
        rec["loss"].append(loss)
        for name, w in (("U", U), ("W", W), ("V", V)):
            rec[name].append(w.copy())
        if diagnostics is not None and diagnostics.adjoint_norms:
            rec["adj"].append(_diag.adjoint_norms(X, Y, (U, W, V), mask=mask, leak=leak))
        if diagnostics is not None and diagnostics.lag_norms:
            rec["lag"].append(_diag.gradient_by_lag(X, Y, (U, W, V), mask=mask, leak=leak))

    start = time.perf_counter()
    done = 0
    for s in range(steps + 1):
        loss = _loss_grad(U, W, V, X, Y, mask, leak, k, gU, gW, gV)
        bad = not np.isfinite(loss) or loss > 1e12
        if s == 0 or (not bad and (s % every == 0 or s == steps)):
            record(s, loss)
        if bad:
            diverged_step = s
            break
        if s == steps:
            break
        g = np.sqrt(np.sum(gU * gU) + np.sum(gW * gW) + np.sum(gV * gV))
        grad_norm[s] = g
        scale = lr
        if g > c:
            scale = lr * c / g
            n_clipped += 1
        U -= scale * gU
        W -= scale * gW
        V -= scale * gV
        done += 1
    elapsed = time.perf_counter() - start
    summary = RunSummary(tokens_per_step=P * T, valid_tokens_per_step=int(np.count_nonzero(mask)),
                         activation_bytes=8 * P * (T + 1) * W.shape[0], seconds_per_step=elapsed / max(done, 1))
    stack = lambda key: np.asarray(rec[key]) if rec[key] else None  # noqa: E731
    return BPTTResult(step=np.asarray(rec["step"]), loss=np.asarray(rec["loss"]), U=stack("U"), W=stack("W"), V=stack("V"),
                      grad_norm=grad_norm[:done], n_clipped=n_clipped, diverged=diverged_step is not None,
                      diverged_step=diverged_step, adjoint_norms=stack("adj"), lag_norms=stack("lag"), summary=summary, leak=leak)
