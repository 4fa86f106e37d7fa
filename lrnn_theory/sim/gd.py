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

from .. import _jit
from .._threading import parallel_section
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
        Loss in the dataset's convention, never negative.  The correlation-space identity
        ``½Σ^{YY} − ⟨Σ^{YX}, M⟩ + ½⟨M, G + Σ^{YX}⟩`` cancels to rounding error (about ``1e-16·L0``)
        at a zero-loss minimum; a value pushed below 0 by that cancellation is reported as 0.
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
    n_complex : int
        Complex modes of the dataset (:func:`~lrnn_theory.data.make_rotational_dataset`; 0 for real datasets).
    backend : str
        Which path ran the steps: ``"compiled"`` (the numba kernel), or ``"numpy"`` when the numba
        cache was cold and the run short (see :func:`simulate_gd`).

    See Also
    --------
    simulate_gd, simulate_gd_batch : produce it.

    Examples
    --------
    Obtain one from :func:`simulate_gd` and read its fields (a learnable
    inverse-exponential task ``s_t = λ^(T-t)``, one mode, ``N_h = 2``):

    >>> import lrnn_theory as lt
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, lam=0.5), 1, 1, 3, seed=0)
    >>> run = lt.simulate_gd(data, 2, lr=0.1, steps=200, scale=0.3, record_every=50)
    >>> run.status, run.diverged_step
    ('ok', None)
    >>> run.step, run.time        # ODE time = steps * lr, in units of tau
    (array([  0,  50, 100, 150, 200]), array([ 0.,  5., 10., 15., 20.]))
    >>> run.W_h.shape, run.R.shape
    ((5, 2, 2), (2, 2))
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
    n_complex: int = 0
    backend: str = "compiled"

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
        from .recover import aligned_complex_modes, aligned_modes, effective_modes

        if self.U_y is None or self.V_x is None:
            raise ValueError("modes() needs a dataset with singular vectors U_y, V_x (make_dataset)")
        if self.n_complex:
            if self.R is None:
                raise ValueError("modes() of a dataset with complex modes needs init='aligned' (R); "
                                 "use effective_products for other runs")
            return aligned_complex_modes(self.W_x, self.W_h, self.W_y, self.R, self.U_y, self.V_x, self.n_complex)
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

    The aligned parametrisation is that of Proca et al. (2025), eqs. 5–8.

    Parameters
    ----------
    data : Dataset
        Supplies ``N_x``, ``N_y`` and, for ``init="aligned"``, ``U_y`` (N_y, m) and ``V_x`` (N_x, m).
    n_h : int
        Hidden size ``N_h`` (``>= m`` for aligned init).
    init : {"aligned", "random"}
    scale : float >= 0
        Initial mode value (aligned) or weight scale (random).
    seed : int
        Seed of ``R`` (aligned) or of the Gaussian entries (random).
    modes0 : (a0, b0, c0), optional
        Per-mode initial values (aligned only), each a scalar or shape (m,).

    Returns
    -------
    W_x, W_h, W_y : ndarray, shapes (N_h, N_x), (N_h, N_h), (N_y, N_h)
    R : ndarray, shape (N_h, N_h), or None
        The hidden rotation (aligned), None for random init.

    Raises
    ------
    TypeError
        ``n_h`` or ``seed`` not an integer, ``init`` not a string, ``modes0`` not a 3-tuple.
    ValueError
        Unknown ``init``, negative ``scale``, ``n_h < m`` or a dataset without singular vectors
        (aligned), ``modes0`` with ``init="random"`` or of the wrong length.

    Examples
    --------
    Aligned weights project back onto the initial modes ``a = b = c = scale``:

    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.gd import initial_weights
    >>> data = lt.make_dataset(lt.tasks.constant(3), 1, 1, 3, seed=0)
    >>> Wx, Wh, Wy, R = initial_weights(data, 2, scale=0.3, seed=0)
    >>> Wx.shape, Wh.shape, Wy.shape, R.shape
    ((2, 1), (2, 2), (1, 2), (2, 2))
    >>> modes = lt.sim.aligned_modes(Wx[None], Wh[None], Wy[None], R, data.U_y, data.V_x)
    >>> [round(float(v[0, 0]), 12) for v in (modes.a, modes.b, modes.c)]
    [0.3, 0.3, 0.3]
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
    if data.n_complex:
        return _aligned_complex(data, n_h, scale, rng, modes0)
    m = data.n_modes
    if n_h < m:
        raise ValueError(f"n_h must be >= the number of modes ({m}) for init='aligned', got {n_h}")
    a, b, c = _initial_modes(modes0, scale, m)
    R = orthonormal_columns(n_h, n_h, rng)
    Rm = R[:, :m]
    Wx = Rm @ np.diag(a) @ data.V_x.T
    Wh = Rm @ np.diag(b) @ Rm.T
    Wy = data.U_y @ np.diag(c) @ Rm.T
    return Wx, Wh, Wy, R


def _one_blas_thread(needed: bool):
    """One BLAS thread while a kernel that calls BLAS on small products runs.

    The kernel's products (64-wide at most in practice) are faster on one thread, and a
    multi-threaded BLAS leaves its threads spinning after each call, which takes a core away
    from the parallel batch kernels that run next (measured: 2× parallel speed-up down to
    1.5× after one large run).  ``needed=False`` (every product below
    :data:`~lrnn_theory.sim._kernels.ONE_BLAS_THREAD_MACS`, which BLAS keeps on one thread by
    itself) costs nothing.
    """
    from contextlib import nullcontext

    if not needed:
        return nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def _initial_modes(modes0, scale: float, m: int, n_complex: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Initial ``(a, b, c)`` of ``m`` modes, each shape ``(m,)``: ``scale`` for all when ``modes0`` is
    None, else the validated ``modes0 = (a0, b0, c0)`` (each a scalar or length ``m``).  With
    ``n_complex > 0`` the first ``n_complex`` modes may be complex, the rest must be real."""
    dtype = complex if n_complex else float
    if modes0 is None:
        return tuple(np.full(m, scale, dtype=dtype) for _ in range(3))
    if not isinstance(modes0, (tuple, list)) or len(modes0) != 3:
        raise TypeError("modes0 must be a tuple (a0, b0, c0)")
    out = []
    for i, v in enumerate(modes0):
        v = as_float_array(f"modes0[{i}]", v, ndim=(0, 1), allow_complex=bool(n_complex))
        if v.ndim == 1 and v.size != m:
            raise ValueError(f"modes0[{i}] must be a scalar or have length n_modes = {m}, got shape {v.shape}")
        v = np.broadcast_to(v, (m,)).astype(dtype)
        if n_complex and np.any(v[n_complex:].imag != 0):
            raise ValueError(f"modes0[{i}] must be real on the real modes (indices >= n_complex = {n_complex})")
        out.append(v)
    return tuple(out)


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


def _check_started(n_records: int, name: str) -> None:
    """A run whose loss at the initial weights is already non-finite or beyond ``DIVERGENCE_THRESHOLD``
    has no record to report (not even step 0): refuse it, naming the data, instead of returning empty arrays."""
    if n_records == 0:
        raise ValueError(f"{name}: the loss at the initial weights is not finite or exceeds {DIVERGENCE_THRESHOLD:.0e}; "
                         "gradient descent cannot follow it (rescale the inputs/targets or the initial scale)")


def _non_negative(loss: np.ndarray) -> np.ndarray:
    """Recorded losses with the rounding-level negatives of the correlation-space identity set to 0
    (the loss is a sum of squares; issue: a log-scale plot of a converged run broke on -3e-15)."""
    return np.maximum(loss, 0.0)


def loss_and_grad(data: Dataset, weights, *, method: str = "correlation") -> tuple[float, tuple]:
    """Loss (dataset convention) and its gradients ``(∂L/∂W_x, ∂L/∂W_h, ∂L/∂W_y)`` (theory guide :ref:`theory-loss`, :ref:`theory-matrix-flow`).

    ``method="correlation"`` uses the exact loss identity in correlation space,
    ``"bptt"`` an explicit per-sample backpropagation through time.  The loss is that of
    Proca et al. (2025), Sec. 2, in the dataset's convention (theory guide :ref:`theory-conventions`).

    Parameters
    ----------
    data : Dataset
        Inputs ``X`` (P, T, N_x), targets ``Y`` (P, N_y); its ``convention`` fixes the loss.
    weights : tuple (W_x, W_h, W_y)
        Shapes (N_h, N_x), (N_h, N_h), (N_y, N_h).
    method : {"correlation", "bptt"}

    Returns
    -------
    loss : float
    grads : tuple of ndarray
        ``(∂L/∂W_x, ∂L/∂W_h, ∂L/∂W_y)``, shapes as the weights.

    Raises
    ------
    TypeError
        ``data`` is not a :class:`~lrnn_theory.data.Dataset`, ``weights`` is not a 3-tuple of
        numeric arrays, or ``method`` is not a string.
    ValueError
        Unknown ``method``, or weights whose shapes do not match the data.

    Examples
    --------
    At zero weights the normalised loss of whitened data is ``½ Σ_t s_t²``, and the two
    methods agree:

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.gd import initial_weights, loss_and_grad
    >>> s = lt.tasks.inverse_exponential(3, lam=0.5)          # [0.25, 0.5, 1]
    >>> data = lt.make_dataset(s, 1, 1, 3, seed=0)
    >>> zero = (np.zeros((1, 1)),) * 3
    >>> loss, grads = loss_and_grad(data, zero)
    >>> round(loss, 12), round(0.5 * float(np.sum(s ** 2)), 12)
    (0.65625, 0.65625)
    >>> W = initial_weights(data, 2, scale=0.3)[:3]
    >>> (l1, g1), (l2, g2) = loss_and_grad(data, W), loss_and_grad(data, W, method="bptt")
    >>> bool(np.isclose(l1, l2)), all(np.allclose(a, b) for a, b in zip(g1, g2))
    (True, True)
    >>> [g.shape for g in g1]
    [(2, 1), (2, 2), (1, 2)]
    """
    data = _check_data(data)
    method = check_choice("method", method, METHODS)
    Wx, Wh, Wy = _check_weights(data, weights)
    gWx, gWh, gWy = np.empty_like(Wx), np.empty_like(Wh), np.empty_like(Wy)
    if method == "correlation":
        CYX, CXX, syy, whitened = _kernel_data(data)
        loss = _kernels.corr_loss_grad(Wx, Wh, Wy, CYX, CXX, syy, whitened, gWx, gWh, gWy)
    else:
        loss = _kernels.bptt_loss_grad(Wx, Wh, Wy, np.ascontiguousarray(data.X), np.ascontiguousarray(data.Y),
                                       data.weight, np.empty((data.T + 1, Wh.shape[0])), gWx, gWh, gWy)
    # a sum of squares: the correlation-space identity's rounding-level negatives at a zero-loss minimum read 0
    return max(float(loss), 0.0), (gWx, gWh, gWy)


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
        Records at steps ``0, record_every, 2 record_every, …`` and the last step; ``time = step·lr``.
        A run that diverges stops and reports ``diverged`` (``status == "diverged"``), never raises.

    Raises
    ------
    TypeError
        ``data`` is not a :class:`~lrnn_theory.data.Dataset`, a count is not an integer,
        ``weights0`` is not a 3-tuple, ``modes0`` is not a 3-tuple.
    ValueError
        Non-positive ``lr`` or ``steps``, unknown ``init``/``method``/``freeze`` entry, negative
        ``scale`` or ``stop_loss``, ``weights0`` shapes that do not match the data or ``n_h``, or an
        aligned init that the dataset cannot support (see :func:`initial_weights`).

    Notes
    -----
    First call on a fresh install (empty numba cache): the kernel is compiled once per machine in
    a background process, and a correlation-method run estimated to take at most
    ``FALLBACK_MAX_SECONDS = 10`` s in NumPy is computed meanwhile by the same identities in NumPy
    (losses and weights equal to the kernel's to rounding; ``run.backend == "numpy"``).  A run that
    diverges there, BPTT runs and longer runs wait for the kernel (``run.backend == "compiled"``).
    ``LRNN_THEORY_COLD_FALLBACK=0`` always waits; documentation: :ref:`performance-cold-start`.

    Examples
    --------
    The inverse-exponential task ``s_t = δ λ^(T-t)`` is exactly learnable: gradient descent
    from an aligned start reaches the global minimum ``b = λ``, ``u = a c = δ`` with zero loss
    (theory guide :ref:`theory-fixed-points`):

    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.gd import simulate_gd
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, delta=1.0, lam=0.5), 1, 1, 3, seed=0)
    >>> run = simulate_gd(data, 2, lr=0.1, steps=200, scale=0.3, record_every=50)
    >>> run.status, float(run.time[-1])
    ('ok', 20.0)
    >>> modes = run.modes()
    >>> round(float(modes.b[-1, 0]), 6), round(float(modes.u[-1, 0]), 6), bool(run.loss[-1] < 1e-12)
    (0.5, 1.0, True)
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
    W0 = (np.ascontiguousarray(Wx), np.ascontiguousarray(Wh), np.ascontiguousarray(Wy))
    rec = (rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step)
    opts = (lr, steps, every, frozen, DIVERGENCE_THRESHOLD, stop_loss)
    if method == "correlation":
        kernel, run = _KERNEL, _kernels.run_gd
        args = (*(w.copy() for w in W0), CYX, CXX, syy, whitened, *opts, *rec)
    else:
        kernel, run = _KERNEL_BPTT, _kernels.run_gd_bptt
        args = (*(w.copy() for w in W0), X, Y, data.weight, *opts, *rec)
    backend = BACKEND_COMPILED
    if not kernel.prepare(args):
        k = div = -1
        if method == "correlation" and steps * _numpy_step_seconds(data.T, data.n_x, data.n_y, n_h, whitened) \
                <= FALLBACK_MAX_SECONDS:
            k, div = _numpy_gd(*W0, CYX, CXX, syy, whitened, *opts, *rec)
            backend = BACKEND_NUMPY
        if k < 0 or div >= 0:  # too long for NumPy, or diverged: the compiled kernel reports it
            kernel.wait(args)
            backend = BACKEND_COMPILED
    if backend == BACKEND_COMPILED:
        width = max(n_h, data.n_x, data.n_y)  # bound on the kernel's largest (stacked) BLAS product
        with _one_blas_thread(method == "bptt" or width * width * n_h * data.T >= _kernels.ONE_BLAS_THREAD_MACS):
            k, div = run(*args)
    _check_started(k, "data")
    return GDResult(
        step=rec_step[:k], time=ode_time(rec_step[:k], lr), loss=_non_negative(rec_loss[:k]),
        W_x=rec_Wx[:k], W_h=rec_Wh[:k], W_y=rec_Wy[:k],
        diverged=div >= 0, diverged_step=int(div) if div >= 0 else None, lr=lr, init=init, R=R,
        U_y=data.U_y, V_x=data.V_x, S=data.S, convention=data.convention, n_complex=data.n_complex,
        backend=backend,
    )


#: Compiled paths of :func:`simulate_gd`, correlation and BPTT (typical cold compile time on 2 cores, for the notice).
_KERNEL = _jit.Kernel(_kernels.run_gd, seconds=20)
_KERNEL_BPTT = _jit.Kernel(_kernels.run_gd_bptt, seconds=20)
#: Longest run (estimated seconds) answered by NumPy while the kernel compiles in the background.
FALLBACK_MAX_SECONDS = 10.0
#: ``GDResult.backend`` of a run by the compiled kernel.
BACKEND_COMPILED = "compiled"
#: ``GDResult.backend`` of a run by NumPy while the kernel compiled (cold numba cache).
BACKEND_NUMPY = "numpy"


def _numpy_step_seconds(T: int, n_x: int, n_y: int, n_h: int, whitened: bool) -> float:
    """Estimated seconds per step of :func:`_numpy_gd`: ~2 µs per NumPy call, BLAS at ~2 Gflop/s."""
    flops = 2.0 * T * n_x * n_h * (2 * n_h + 3 * n_y)
    if not whitened:
        flops += 2.0 * T * T * n_x * n_x * n_y
    return 2e-6 * (2 * T + 16) + flops / 2e9


def _numpy_gd(Wx, Wh, Wy, CYX, CXX, syy, whitened, lr, steps, record_every, freeze, div_threshold, stop_loss,
              rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step):
    """:func:`~lrnn_theory.sim._kernels.run_gd` (correlation method) in NumPy: nothing to compile.

    Same identities and the same recording, stopping and divergence rules; the products are BLAS
    calls too, in another order, so losses and weights agree with the kernel to rounding (tested).
    Used only while the kernel compiles on a cold numba cache.  Returns ``(n_records, diverged_step)``.
    """
    import math

    T, n_y, n_x = CYX.shape
    n_h = Wh.shape[0]
    TX = T * n_x
    # the three weights (and their gradients) are views of one buffer: one finiteness check, one update
    sizes = np.cumsum([0, n_h * n_x, n_h * n_h, n_y * n_h])
    shapes = ((n_h, n_x), (n_h, n_h), (n_y, n_h))
    W_all = np.concatenate([Wx.ravel(), Wh.ravel(), Wy.ravel()])
    g_all = np.zeros_like(W_all)
    step = np.empty_like(W_all)
    Wx, Wh, Wy = (W_all[sizes[i]:sizes[i + 1]].reshape(shapes[i]) for i in range(3))
    gWx, gWh, gWy = (g_all[sizes[i]:sizes[i + 1]].reshape(shapes[i]) for i in range(3))
    # stacked over k along the columns: block k of a (·, T N_x) array is column block k
    CYXh = np.ascontiguousarray(CYX.transpose(1, 0, 2).reshape(n_y, TX))
    C2 = None if whitened else np.ascontiguousarray(CXX.transpose(0, 2, 1, 3).reshape(TX, TX))
    Bh = np.empty((n_h, T, n_x))  # B_k = W_h^k W_x
    B2 = Bh.reshape(n_h, TX)
    Bv = [Bh[:, k] for k in range(T)]
    # adjoint Z_q (Z_{T-1} = 0) stacked above U_q = W_yᵀ G_q: Z_q = [W_hᵀ | I] [Z_{q+1}; U_{q+1}] is one product
    ZU = np.zeros((2 * n_h, T, n_x))
    Z2 = ZU[:n_h].reshape(n_h, TX)
    U2 = ZU[n_h:].reshape(n_h, TX)
    ZUv = [ZU[:, k] for k in range(T)]
    Zv = [ZU[:n_h, k] for k in range(T)]
    A = np.zeros((n_h, 2 * n_h))  # [W_hᵀ | I]
    A[:, n_h:] = np.eye(n_h)
    AWhT = A[:, :n_h]
    M = np.empty((n_y, TX))
    n_rec = 0
    diverged_step = -1
    with np.errstate(all="ignore"):
        for n in range(steps + 1):
            Bv[0][...] = Wx
            for k in range(1, T):
                np.matmul(Wh, Bv[k - 1], out=Bv[k])
            np.matmul(Wy, B2, out=M)
            G = (M if whitened else M @ C2) - CYXh  # G_k = Σ_j M_j CXX_{jk} - CYX_k
            loss = 0.5 * syy + 0.5 * float(np.vdot(M, G - CYXh))
            # a sum is finite only if every entry is (an overflow of the sum alone is left to the kernel)
            bad = not math.isfinite(loss) or loss > div_threshold or not math.isfinite(float(W_all.sum()))
            if bad:
                diverged_step = n
                break
            done = loss <= stop_loss
            if n % record_every == 0 or n == steps or done:
                rec_Wx[n_rec] = Wx
                rec_Wh[n_rec] = Wh
                rec_Wy[n_rec] = Wy
                rec_loss[n_rec] = loss
                rec_step[n_rec] = n
                n_rec += 1
            if n == steps or done:
                break
            np.matmul(G, B2.T, out=gWy)  # Σ_k G_k B_kᵀ
            np.matmul(Wy.T, G, out=U2)
            AWhT[...] = Wh.T
            for q in range(T - 2, -1, -1):
                np.matmul(A, ZUv[q + 1], out=Zv[q])
            np.matmul(A, ZUv[0], out=gWx)  # W_yᵀ G_0 + W_hᵀ Z_0
            np.matmul(Z2[:, :TX - n_x], B2[:, :TX - n_x].T, out=gWh)  # Σ_{q<T-1} Z_q B_qᵀ (0 for T = 1)
            for i in range(3):
                if freeze[i]:
                    (gWx, gWh, gWy)[i][...] = 0.0
            np.multiply(g_all, lr, out=step)
            W_all -= step
    return n_rec, diverged_step


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
    n_h, steps, init, freeze, record_every, stop_loss
        As in :func:`simulate_gd` (correlation method only; no ``modes0`` or ``weights0``).

    Returns
    -------
    list of GDResult
        Identical, run by run, to :func:`simulate_gd` with the same arguments.

    Raises
    ------
    TypeError
        An entry of ``datasets`` is not a :class:`~lrnn_theory.data.Dataset`, or a count is not an integer.
    ValueError
        ``datasets`` empty or of different shapes ``(T, n_x, n_y)``; ``lr``, ``scale`` or ``seeds``
        of a length other than 1 or the number of runs; otherwise as :func:`simulate_gd`.

    Examples
    --------
    Two learning rates on one dataset; each run equals the single run with the same arguments:

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.gd import simulate_gd, simulate_gd_batch
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, lam=0.5), 1, 1, 3, seed=0)
    >>> runs = simulate_gd_batch(data, 2, lr=[0.1, 0.05], steps=100, scale=0.3, record_every=50)
    >>> len(runs), [r.lr for r in runs], [float(r.time[-1]) for r in runs]
    (2, [0.1, 0.05], [10.0, 5.0])
    >>> single = simulate_gd(data, 2, lr=0.05, steps=100, scale=0.3, record_every=50)
    >>> bool(np.allclose(runs[1].loss, single.loss, rtol=1e-12, atol=0))
    True
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
    with parallel_section(), _one_blas_thread(True):  # BLAS inside parallel threads: one thread each
        _kernels.run_gd_batch(Wx, Wh, Wy, CYX, CXX, syy, whitened, np.array(lr_list), steps, every, frozen,
                              DIVERGENCE_THRESHOLD, stop_loss, rec_Wx, rec_Wh, rec_Wy, rec_loss, rec_step, nr, div)
    out = []
    for r in range(R_runs):
        k = nr[r]
        _check_started(k, f"datasets (run {r})")
        d = pick(datasets, r)
        out.append(GDResult(
            step=rec_step[r, :k], time=ode_time(rec_step[r, :k], lr_list[r]), loss=_non_negative(rec_loss[r, :k]),
            W_x=rec_Wx[r, :k], W_h=rec_Wh[r, :k], W_y=rec_Wy[r, :k],
            diverged=bool(div[r] >= 0), diverged_step=int(div[r]) if div[r] >= 0 else None, lr=lr_list[r],
            init=init, R=inits[r][3], U_y=d.U_y, V_x=d.V_x, S=d.S, convention=d.convention, n_complex=d.n_complex,
        ))
    return out


def _aligned_complex(data: Dataset, n_h: int, scale: float, rng: np.random.Generator, modes0):
    """Aligned init of a dataset with complex modes (theory guide :ref:`theory-complex-simulation`):
    ``W_x = R_d A V_xᵀ``, ``W_h = R_d B R_dᵀ``, ``W_y = U_y C R_dᵀ`` with block-diagonal
    ``A, B, C`` (a 2×2 Schur block per complex mode, a 1×1 block per real mode)."""
    from ..data import block_dynamics

    m, m_c, d = data.n_modes, data.n_complex, data.V_x.shape[1]
    if n_h < d:
        raise ValueError(f"n_h must be >= 2 n_complex + n_real = {d} for init='aligned' on a dataset with complex "
                         f"modes, got {n_h}")
    vals = _initial_modes(modes0, scale, m, m_c)
    A, B, C = (block_dynamics(v[:m_c, None], v[m_c:, None].real if m > m_c else None)[0] for v in vals)
    R = orthonormal_columns(n_h, n_h, rng)
    Rd = R[:, :d]
    return Rd @ A @ data.V_x.T, Rd @ B @ Rd.T, data.U_y @ C @ Rd.T, R
