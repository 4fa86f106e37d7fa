"""Gradient descent on the full weight matrices of a linear RNN (theory guide :ref:`theory-loss`, :ref:`theory-conventions`, :ref:`theory-matrix-flow`, :ref:`theory-aligned`, :ref:`theory-alignment-invariance`).

:func:`simulate_gd` runs full-batch gradient descent on a :class:`~lrnn_theory.data.Dataset`
with the loss of its convention (``(1/2P) Σ ‖e‖²`` normalised, ``½ Σ ‖e‖²`` sum).
The default gradient is computed in correlation space from the exact loss
identity of :ref:`theory-loss` (cost independent of ``P``); ``method="bptt"`` runs an
explicit per-sample backpropagation through time.  Both are numba kernels
(:mod:`lrnn_theory.sim._kernels`).

Learning time: ``n`` steps at learning rate ``lr`` are ODE time ``n·lr`` in
units of ``τ`` (:func:`lrnn_theory.conventions.ode_time`); ``GDResult.time``
holds it, so results compare directly with :func:`lrnn_theory.integrate_modes`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_positive_float,
    check_seed,
    check_subset,
)
from ..conventions import ode_time
from ..data import Dataset, orthonormal_columns
from .._threading import parallel_section
from . import _kernels

__all__ = ["GDResult", "INITS", "METHODS", "initial_weights", "loss_and_grad", "simulate_gd", "simulate_gd_batch"]

#: Initialisation schemes.
INITS = ("aligned", "random")
#: Gradient methods.
METHODS = ("correlation", "bptt")
_WEIGHTS = ("W_x", "W_h", "W_y")
#: Loss above which a run is declared diverged.
DIVERGENCE_THRESHOLD = 1e100


@dataclass(frozen=True)
class GDResult:
    """Record of one gradient-descent run.

    Attributes
    ----------
    step : ndarray of int, shape (n_rec,)
        Number of updates applied at each record.
    time : ndarray, shape (n_rec,)
        ODE time ``step·lr`` in units of ``τ`` (theory guide :ref:`theory-conventions`).
    loss : ndarray, shape (n_rec,)
        Loss in the dataset's convention.
    W_x, W_h, W_y : ndarray, shapes (n_rec, N_h, N_x), (n_rec, N_h, N_h), (n_rec, N_y, N_h)
        Recorded weights.
    diverged : bool
        The loss or the weights became non-finite or exceeded ``1e100``.
    diverged_step : int or None
        Step at which divergence was detected (records stop before it).
    lr : float
    init : str
    R : ndarray, shape (N_h, N_h), or None
        Hidden rotation of an aligned initialisation (theory guide :ref:`theory-aligned`).
    U_y, V_x : ndarray or None
        Singular vectors of the dataset (for mode recovery, :ref:`theory-mode-recovery`).
    S : ndarray or None
        Task dynamics of the dataset, shape (m, T).
    convention : str
    """

    step: np.ndarray
    time: np.ndarray
    loss: np.ndarray
    W_x: np.ndarray
    W_h: np.ndarray
    W_y: np.ndarray
    diverged: bool
    diverged_step: int | None
    lr: float
    init: str
    R: np.ndarray | None
    U_y: np.ndarray | None
    V_x: np.ndarray | None
    S: np.ndarray | None
    convention: str

    @property
    def unstable(self) -> bool:
        """Gradient descent failed to descend: diverged, or the last recorded loss exceeds the first.

        A step size above ``2/λ_max`` near a solution (theory guide :ref:`theory-stability`) can drive the weights away
        from it into a higher-loss orbit without exploding; this flag reports it.
        """
        return bool(self.diverged or self.loss[-1] > self.loss[0] * (1 + 1e-9) + 1e-15)

    @property
    def status(self) -> str:
        """``"diverged"`` (non-finite or exploding), ``"unstable"`` (loss went up) or ``"ok"``."""
        return "diverged" if self.diverged else "unstable" if self.unstable else "ok"

    def modes(self):
        """Connectivity modes recovered from the weights (theory guide :ref:`theory-mode-recovery`).

        Aligned runs: :class:`~lrnn_theory.sim.recover.AlignedModes` (a, b, c per mode);
        other runs: :class:`~lrnn_theory.sim.recover.EffectiveModes` (u_eff, b_eff, misalignment).
        """
        from .recover import aligned_modes, effective_modes

        if self.U_y is None or self.V_x is None:
            raise ValueError("modes() needs a dataset with singular vectors U_y, V_x (make_dataset)")
        if self.R is not None:
            return aligned_modes(self.W_x, self.W_h, self.W_y, self.R, self.U_y, self.V_x)
        return effective_modes(self.W_x, self.W_h, self.W_y, self.U_y, self.V_x)

    def final_weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The last recorded ``(W_x, W_h, W_y)``."""
        return self.W_x[-1], self.W_h[-1], self.W_y[-1]


def _check_data(data) -> Dataset:
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a lrnn_theory.data.Dataset, got {type(data).__name__}")
    for name in ("X", "Y"):
        as_float_array(f"data.{name}", getattr(data, name))
    return data


def initial_weights(data: Dataset, n_h: int, *, init: str = "aligned", scale: float = 0.1, seed: int = 0,
                    modes0=None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Initial ``(W_x, W_h, W_y, R)`` (theory guide :ref:`theory-aligned`, :ref:`theory-ntk-experiment`).

    ``init="aligned"``: ``W_x = R_m diag(a) V_xᵀ``, ``W_h = R_m diag(b) R_mᵀ``,
    ``W_y = U_y diag(c) R_mᵀ`` with one random orthogonal ``R`` (its first ``m``
    columns ``R_m``; the other hidden directions start at zero) and
    ``a = b = c = scale`` unless ``modes0 = (a0, b0, c0)`` (each scalar or length ``m``).

    ``init="random"``: i.i.d. entries ``N(0, scale²/N_in)`` with ``N_in`` the
    fan-in (``N_x`` for ``W_x``, ``N_h`` for ``W_h`` and ``W_y``); ``R = None``.
    """
    init = check_choice("init", init, INITS)
    n_h = check_int("n_h", n_h, minimum=1)
    scale = check_positive_float("scale", scale, allow_zero=True)
    seed = check_seed("seed", seed)
    rng = np.random.default_rng(seed)
    n_x, n_y = data.n_x, data.n_y
    if init == "random":
        if modes0 is not None:
            raise ValueError("modes0 is only used with init='aligned'")
        Wx = rng.standard_normal((n_h, n_x)) * scale / np.sqrt(n_x)
        Wh = rng.standard_normal((n_h, n_h)) * scale / np.sqrt(n_h)
        Wy = rng.standard_normal((n_y, n_h)) * scale / np.sqrt(n_h)
        return Wx, Wh, Wy, None
    if data.U_y is None or data.V_x is None:
        raise ValueError("init='aligned' needs a dataset with singular vectors U_y, V_x (make_dataset)")
    m = data.n_modes
    if n_h < m:
        raise ValueError(f"n_h must be >= the number of modes ({m}) for init='aligned', got {n_h}")
    if modes0 is None:
        a = b = c = np.full(m, scale)
    else:
        if not isinstance(modes0, (tuple, list)) or len(modes0) != 3:
            raise TypeError("modes0 must be a tuple (a0, b0, c0)")
        a, b, c = (_mode_vector(f"modes0[{i}]", v, m) for i, v in enumerate(modes0))
    R = orthonormal_columns(n_h, n_h, rng)
    Rm = R[:, :m]
    Wx = Rm @ np.diag(a) @ data.V_x.T
    Wh = Rm @ np.diag(b) @ Rm.T
    Wy = data.U_y @ np.diag(c) @ Rm.T
    return Wx, Wh, Wy, R


def _mode_vector(name: str, v, m: int) -> np.ndarray:
    v = as_float_array(name, v, ndim=(0, 1))
    if v.ndim == 1 and v.size != m:
        raise ValueError(f"{name} must be a scalar or have length n_modes = {m}, got shape {v.shape}")
    return np.broadcast_to(v, (m,)).astype(float)


def _kernel_data(data: Dataset):
    """Correlations stacked by k = T - i for the kernels, and whether inputs are whitened."""
    syx, sxx, syy = data.correlations()
    T, n_x = data.T, data.n_x
    CYX = np.ascontiguousarray(syx[::-1])  # index k = T - i
    CXX = np.ascontiguousarray(sxx[::-1, ::-1])
    eye = np.einsum("tu,mn->tumn", np.eye(T), np.eye(n_x))
    whitened = bool(np.max(np.abs(CXX - eye)) < 1e-12)
    return CYX, CXX, syy, whitened


def _check_weights(data: Dataset, weights, name: str = "weights") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(weights, (tuple, list)) or len(weights) != 3:
        raise TypeError(f"{name} must be a tuple (W_x, W_h, W_y)")
    Wx, Wh, Wy = (np.array(as_float_array(f"{name}[{i}]", w, ndim=2)) for i, w in enumerate(weights))
    n_h = Wh.shape[0]
    shapes = ((n_h, data.n_x), (n_h, n_h), (data.n_y, n_h))
    for i, (w, sh) in enumerate(zip((Wx, Wh, Wy), shapes)):
        if w.shape != sh:
            raise ValueError(f"{name}[{i}] must have shape {sh} (N_h = {n_h}, N_x = {data.n_x}, N_y = {data.n_y}), got {w.shape}")
    return Wx, Wh, Wy


def loss_and_grad(data: Dataset, weights, *, method: str = "correlation") -> tuple[float, tuple]:
    """Loss (dataset convention) and its gradients ``(∂L/∂W_x, ∂L/∂W_h, ∂L/∂W_y)`` (theory guide :ref:`theory-loss`, :ref:`theory-matrix-flow`).

    ``method="correlation"`` uses the exact loss identity in correlation space,
    ``"bptt"`` an explicit per-sample backpropagation through time.
    """
    data = _check_data(data)
    method = check_choice("method", method, METHODS)
    Wx, Wh, Wy = _check_weights(data, weights)
    gWx, gWh, gWy = np.empty_like(Wx), np.empty_like(Wh), np.empty_like(Wy)
    if method == "correlation":
        CYX, CXX, syy, whitened = _kernel_data(data)
        T, n_h = data.T, Wh.shape[0]
        loss = _kernels.corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, np.empty((T, n_h, data.n_x)),
                                       np.empty((T, data.n_y, data.n_x)), np.empty((T, data.n_y, data.n_x)),
                                       np.empty((n_h, data.n_x)), gWx, gWh, gWy)
    else:
        loss = _kernels.bptt_loss_grad(Wx, Wh, Wy, np.ascontiguousarray(data.X), np.ascontiguousarray(data.Y),
                                       data.weight, np.empty((data.T + 1, Wh.shape[0])), gWx, gWh, gWy)
    return float(loss), (gWx, gWh, gWy)


def _record_every(record_every, steps):
    if record_every is None:
        return max(1, steps // 200)
    return check_int("record_every", record_every, minimum=1)


def simulate_gd(
    data: Dataset,
    n_h: int,
    *,
    lr: float,
    steps: int,
    init: str = "aligned",
    scale: float = 0.1,
    seed: int = 0,
    modes0=None,
    weights0=None,
    freeze=(),
    record_every: int | None = None,
    method: str = "correlation",
    stop_loss: float | None = None,
) -> GDResult:
    """Full-batch gradient descent on ``W_x, W_h, W_y`` (theory guide :ref:`theory-conventions`, :ref:`theory-matrix-flow`).

    Parameters
    ----------
    data : Dataset
        Training set; its ``convention`` fixes the loss.
    n_h : int
        Hidden size.
    lr : float
        Learning rate ``η`` (``τ = 1/η``).
    steps : int
        Number of updates.
    init : {"aligned", "random"}
        See :func:`initial_weights`.
    scale : float
        Initial mode value (aligned) or weight scale (random, std ``scale/sqrt(fan_in)``).
    seed : int
        Seed of the initialisation.
    modes0 : (a0, b0, c0), optional
        Per-mode initial values for aligned init.
    weights0 : (W_x, W_h, W_y), optional
        Explicit initial weights (overrides ``init``; ``R`` is then None).
    freeze : sequence of {"W_x", "W_h", "W_y"}
        Matrices held fixed.
    record_every : int, optional
        Record every that many steps (default ``steps // 200``); the last step is always recorded.
    method : {"correlation", "bptt"}
        Gradient in correlation space (default) or by explicit per-sample BPTT.
    stop_loss : float, optional
        Stop (and record) as soon as the loss is ``<= stop_loss`` (default: run all steps).

    Returns
    -------
    GDResult
    """
    data = _check_data(data)
    lr = check_positive_float("lr", lr)
    steps = check_int("steps", steps, minimum=1)
    method = check_choice("method", method, METHODS)
    freeze = check_subset("freeze", freeze, _WEIGHTS)
    every = _record_every(record_every, steps)
    stop_loss = -np.inf if stop_loss is None else check_positive_float("stop_loss", stop_loss, allow_zero=True)
    if weights0 is not None:
        Wx, Wh, Wy = _check_weights(data, weights0, "weights0")
        if Wh.shape[0] != check_int("n_h", n_h, minimum=1):
            raise ValueError(f"n_h = {n_h} does not match weights0 (N_h = {Wh.shape[0]})")
        R = None
        init = "given"
    else:
        Wx, Wh, Wy, R = initial_weights(data, n_h, init=init, scale=scale, seed=seed, modes0=modes0)
    CYX, CXX, syy, whitened = _kernel_data(data)
    n_rec = steps // every + 2
    rec_Wx = np.empty((n_rec,) + Wx.shape)
    rec_Wh = np.empty((n_rec,) + Wh.shape)
    rec_Wy = np.empty((n_rec,) + Wy.shape)
    rec_loss = np.empty(n_rec)
    rec_step = np.empty(n_rec, dtype=np.int64)
    X = np.ascontiguousarray(data.X)
    Y = np.ascontiguousarray(data.Y)
    frozen = np.array([w in freeze for w in _WEIGHTS])
    method_id = _kernels.METHOD_CORRELATION if method == "correlation" else _kernels.METHOD_BPTT
    k, div = _kernels.run_gd(
        np.ascontiguousarray(Wx), np.ascontiguousarray(Wh), np.ascontiguousarray(Wy), method_id, CYX, CXX, syy,
        whitened, X, Y, data.weight, lr, steps, every, frozen, DIVERGENCE_THRESHOLD, stop_loss,
        rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step,
    )
    return GDResult(
        step=rec_step[:k], time=ode_time(rec_step[:k], lr), loss=rec_loss[:k],
        W_x=rec_Wx[:k], W_h=rec_Wh[:k], W_y=rec_Wy[:k],
        diverged=div >= 0, diverged_step=int(div) if div >= 0 else None, lr=lr, init=init, R=R,
        U_y=data.U_y, V_x=data.V_x, S=data.S, convention=data.convention,
    )


def simulate_gd_batch(
    datasets,
    n_h: int,
    *,
    lr,
    steps: int,
    init: str = "aligned",
    scale=0.1,
    seeds=0,
    freeze=(),
    record_every: int | None = None,
    stop_loss: float | None = None,
) -> list[GDResult]:
    """Many independent gradient-descent runs in one compiled call, parallel over runs.

    Parameters
    ----------
    datasets : Dataset or sequence of Dataset
        One dataset per run (all of equal shapes), or one shared by all runs.
    lr, scale, seeds : scalar or sequence
        Per-run learning rates, init scales and seeds (broadcast to the number of runs).
    Other parameters as in :func:`simulate_gd` (correlation method only).

    Returns
    -------
    list of GDResult
        Identical, run by run, to :func:`simulate_gd` with the same arguments.
    """
    if isinstance(datasets, Dataset):
        datasets = [datasets]
    datasets = [_check_data(d) for d in datasets]
    if not datasets:
        raise ValueError("datasets must not be empty")
    lrs, scales, seed_arr = (np.atleast_1d(np.asarray(v)) for v in (lr, scale, seeds))
    R_runs = max(len(datasets), lrs.size, scales.size, seed_arr.size)
    for name, arr in (("datasets", datasets), ("lr", lrs), ("scale", scales), ("seeds", seed_arr)):
        if len(arr) not in (1, R_runs):
            raise ValueError(f"{name} must have length 1 or {R_runs}, got {len(arr)}")
    shapes = {(d.T, d.n_x, d.n_y) for d in datasets}
    if len(shapes) != 1:
        raise ValueError(f"datasets must all have the same (T, n_x, n_y), got {sorted(shapes)}")
    pick = lambda arr, r: arr[0] if len(arr) == 1 else arr[r]  # noqa: E731
    steps = check_int("steps", steps, minimum=1)
    freeze = check_subset("freeze", freeze, _WEIGHTS)
    every = _record_every(record_every, steps)
    stop_loss = -np.inf if stop_loss is None else check_positive_float("stop_loss", stop_loss, allow_zero=True)
    inits, kdata, lr_list = [], [], []
    for r in range(R_runs):
        d = pick(datasets, r)
        lr_r = check_positive_float("lr", pick(lrs, r).item())
        lr_list.append(lr_r)
        inits.append(initial_weights(d, n_h, init=init, scale=float(pick(scales, r)), seed=int(pick(seed_arr, r))))
        kdata.append(_kernel_data(d))
    stack = lambda i: np.ascontiguousarray(np.stack([x[i] for x in inits]))  # noqa: E731
    Wx, Wh, Wy = stack(0), stack(1), stack(2)
    CYX = np.ascontiguousarray(np.stack([k[0] for k in kdata]))
    CXX = np.ascontiguousarray(np.stack([k[1] for k in kdata]))
    syy = np.array([k[2] for k in kdata])
    whitened = np.array([k[3] for k in kdata])
    n_rec = steps // every + 2
    rec_Wx = np.empty((R_runs, n_rec) + Wx.shape[1:])
    rec_Wh = np.empty((R_runs, n_rec) + Wh.shape[1:])
    rec_Wy = np.empty((R_runs, n_rec) + Wy.shape[1:])
    rec_loss = np.empty((R_runs, n_rec))
    rec_step = np.empty((R_runs, n_rec), dtype=np.int64)
    nr = np.empty(R_runs, dtype=np.int64)
    div = np.empty(R_runs, dtype=np.int64)
    frozen = np.array([w in freeze for w in _WEIGHTS])
    with parallel_section():
        _kernels.run_gd_batch(Wx, Wh, Wy, CYX, CXX, syy, whitened, np.array(lr_list), steps, every, frozen,
                              DIVERGENCE_THRESHOLD, stop_loss, rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step, nr, div)
    out = []
    for r in range(R_runs):
        k = nr[r]
        d = pick(datasets, r)
        out.append(GDResult(
            step=rec_step[r, :k], time=ode_time(rec_step[r, :k], lr_list[r]), loss=rec_loss[r, :k],
            W_x=rec_Wx[r, :k], W_h=rec_Wh[r, :k], W_y=rec_Wy[r, :k],
            diverged=bool(div[r] >= 0), diverged_step=int(div[r]) if div[r] >= 0 else None, lr=lr_list[r],
            init=init, R=inits[r][3], U_y=d.U_y, V_x=d.V_x, S=d.S, convention=d.convention,
        ))
    return out
