"""Sensory integration (theory guide :ref:`theory-sensory`): noisy evidence in 4 channels, output the mean or the sum.

The stimulus rule is NeuroGym's multisensory-integration task without the
fixation channel (implemented here; no NeuroGym dependency): per trial a
ground truth ``g ∈ {0, 1}``, a coherence ``coh ∈ {5, 15, 50}`` and a split
``π ~ U(0, 1)`` between the two modalities, unit angles ``θ = (0, π)``,

``μ = (½ + cos(θ_k - θ_g) coh π/200)_{k=1,2} ⊕ (½ + cos(θ_k - θ_g) coh (1-π)/200)_{k=1,2}``,

and inputs ``x_t = μ + σ_n ξ_t``.  Every input step contributes equally:
constant task dynamics with ``δ = 1/T`` (mean) or ``δ = 1`` (sum), so the
theory predicts recurrent singular values 1 and input–output singular
values ``1/T`` or 1 (:ref:`theory-sensory-theory`); the mean task fails to extrapolate (:ref:`theory-sensory-extrapolation`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import check_choice, check_int, check_positive_float, check_seed
from .data import Dataset
from .model import mse_half

__all__ = [
    "COHERENCES",
    "SensoryResult",
    "SensoryTask",
    "TARGETS",
    "extrapolation_loss",
    "mean_input_power",
    "sensory_task",
    "train_sensory",
]

#: Coherence levels of the stimulus rule.
COHERENCES = (5.0, 15.0, 50.0)
#: Integration targets.
TARGETS = ("mean", "sum")
N_CHANNELS = 4


@dataclass(frozen=True)
class SensoryTask:
    """Trials of the sensory-integration task.

    Attributes
    ----------
    X : ndarray, shape (P, T, 4)
    Y : ndarray, shape (P, 4)
        ``mean_t x_t`` or ``Σ_t x_t``.
    ground_truth, coherence, split : ndarray, shape (P,)
        Per-trial ``g ∈ {0, 1}``, coherence (one of :data:`COHERENCES`) and modality split ``π``.
    target : str
        ``"mean"`` or ``"sum"``.
    noise : float
        Noise level ``σ_n``.

    Returned by :func:`sensory_task`; :meth:`dataset` wraps the trials for
    :func:`lrnn_theory.simulate_gd` (theory guide :ref:`theory-sensory-task`).

    Examples
    --------
    >>> from lrnn_theory.sensory import sensory_task
    >>> task = sensory_task(5, 3, target="sum", seed=0)
    >>> task.target, task.X.shape, task.dataset().convention
    ('sum', (5, 3, 4), 'normalised')
    """

    X: np.ndarray
    Y: np.ndarray
    ground_truth: np.ndarray
    coherence: np.ndarray
    split: np.ndarray
    target: str
    noise: float

    def dataset(self, convention: str = "normalised") -> Dataset:
        """The trials as a :class:`~lrnn_theory.data.Dataset` (arbitrary, non-whitened data)."""
        return Dataset.from_arrays(self.X, self.Y, convention=convention)


def _delta(target: str, T: int) -> float:
    return 1.0 / T if target == "mean" else 1.0


def sensory_task(n_trials: int, T: int, *, target: str = "mean", noise: float = 1.0, seed: int) -> SensoryTask:
    """Draw ``n_trials`` trials of length ``T`` (theory guide :ref:`theory-sensory-task`).

    Parameters
    ----------
    n_trials, T : int
        Number of trials ``P >= 1`` and trial length ``T >= 1``.
    target : {"mean", "sum"}
    noise : float
        ``σ_n`` (the theory guide's reconstructed default 1, :ref:`theory-sensory-task`; NeuroGym's default time step gives 0.1).
    seed : int
        Seed of every draw.

    Returns
    -------
    SensoryTask
        ``X`` (P, T, 4), ``Y`` (P, 4).

    Raises
    ------
    TypeError
        If ``n_trials``, ``T`` or ``seed`` is not an integer, ``target`` not a string or
        ``noise`` not a number.
    ValueError
        If ``n_trials < 1``, ``T < 1``, ``target`` is unknown, ``noise < 0`` or not finite, or
        ``seed`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sensory import sensory_task
    >>> task = sensory_task(5, 3, target="mean", seed=0)
    >>> task.X.shape, task.Y.shape
    ((5, 3, 4), (5, 4))
    >>> bool(np.allclose(task.Y, task.X.mean(axis=1))), set(task.coherence) <= {5.0, 15.0, 50.0}
    (True, True)
    """
    P = check_int("n_trials", n_trials, minimum=1)
    T = check_int("T", T, minimum=1)
    target = check_choice("target", target, TARGETS)
    noise = check_positive_float("noise", noise, allow_zero=True)
    seed = check_seed("seed", seed)
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 2, size=P)
    coh = np.asarray(COHERENCES)[rng.integers(0, 3, size=P)]
    split = rng.uniform(0.0, 1.0, size=P)
    theta = np.array([0.0, np.pi])
    cos = np.cos(theta[None, :] - theta[g][:, None])  # (P, 2)
    mu = np.concatenate([0.5 + cos * (coh * split / 200.0)[:, None], 0.5 + cos * (coh * (1 - split) / 200.0)[:, None]], axis=1)
    X = mu[:, None, :] + noise * rng.standard_normal((P, T, N_CHANNELS))
    Y = X.sum(axis=1) * _delta(target, T)
    return SensoryTask(X=X, Y=Y, ground_truth=g, coherence=coh, split=split, target=target, noise=noise)


def mean_input_power() -> float:
    """``m₂ = E‖μ‖² = 1 + 4 E[coh²] / (3 · 200²) ≈ 1.0306`` (theory guide :ref:`theory-sensory-extrapolation`), exactly from the coherence set.

    Returns
    -------
    float

    Examples
    --------
    Against a Monte-Carlo mean over noise-free trials (standard error ~2e-4):

    >>> import numpy as np
    >>> from lrnn_theory.sensory import mean_input_power, sensory_task
    >>> round(mean_input_power(), 6)
    1.030556
    >>> mu = sensory_task(50_000, 1, noise=0.0, seed=0).X[:, 0]
    >>> bool(abs(np.mean(np.sum(mu**2, axis=1)) - mean_input_power()) < 1e-3)
    True
    """
    e_coh2 = float(np.mean(np.square(COHERENCES)))
    # ‖μ‖² = 1 + 2(d1² + d2²), d1 = coh π/200, d2 = coh(1-π)/200, E[π²] = E[(1-π)²] = 1/3
    return 1.0 + 2.0 * 2.0 * e_coh2 / 3.0 / 200.0 ** 2


def extrapolation_loss(T_train: int, T_test, *, target: str = "mean", noise: float = 1.0) -> np.ndarray:
    """Test loss of the learned solution at length ``T'`` (theory guide :ref:`theory-sensory-extrapolation`).

    The learned network outputs ``δ_T Σ_t x_t``; with the loss ``½·mean over
    samples and channels``

    .. math:: L(T') = \\frac{1}{2N}(δ_T - δ_{T'})^2 (m_2 T'^2 + N σ_n^2 T'),

    ``N = 4``; zero for the sum task.

    Parameters
    ----------
    T_train : int
        Training length ``T >= 1``.
    T_test : int or array_like of int
        Test lengths ``T' >= 1``.
    target : {"mean", "sum"}
    noise : float
        ``σ_n >= 0``.

    Returns
    -------
    ndarray, shape of ``T_test``

    Raises
    ------
    TypeError
        If ``T_train`` is not an integer, ``target`` not a string or ``noise`` not a number.
    ValueError
        If ``T_train < 1``, ``T_test`` has a non-integer or value ``< 1``, ``target`` is
        unknown, or ``noise < 0``.

    Examples
    --------
    Mean task trained at ``T = 4`` and tested at ``T' = 8``: ``δ_T - δ_T' = 1/8``, so
    ``L = (1/8) (1/8)² (64 m₂ + 32)``:

    >>> import numpy as np
    >>> from lrnn_theory.sensory import extrapolation_loss, mean_input_power
    >>> L = extrapolation_loss(4, [4, 8])
    >>> float(L[0]), bool(np.isclose(L[1], (64 * mean_input_power() + 32) / 512, rtol=1e-14))
    (0.0, True)
    >>> extrapolation_loss(4, [4, 8], target="sum")  # the sum task extrapolates
    array([0., 0.])
    """
    T = check_int("T_train", T_train, minimum=1)
    target = check_choice("target", target, TARGETS)
    noise = check_positive_float("noise", noise, allow_zero=True)
    Tp = np.asarray(T_test)
    if Tp.dtype.kind not in "iu" or np.any(Tp < 1):
        raise ValueError(f"T_test must be integers >= 1, got {T_test!r}")
    Tp = Tp.astype(float)
    d = _delta(target, T) - (1.0 / Tp if target == "mean" else 1.0)
    N = N_CHANNELS
    return (d ** 2) * (mean_input_power() * Tp ** 2 + N * noise ** 2 * Tp) / (2 * N)


@dataclass(frozen=True)
class SensoryResult:
    """Training record of the sensory-integration protocol (theory guide :ref:`theory-sensory-protocol`).

    Attributes
    ----------
    step : ndarray, shape (n_rec,)
    sv_recurrent : ndarray, shape (n_rec, 4)
        Singular values of ``W_h`` (descending).
    sv_input_output : ndarray, shape (n_rec, 4)
        Singular values of ``W_y W_x``.
    test_loss : dict int -> ndarray (n_rec,)
        ``½ mean`` squared error on a fresh test set of each length.
    predicted : dict
        ``recurrent`` (1), ``input_output`` (``1/T`` or 1), and the closed-form
        final ``test_loss`` per length (:ref:`theory-sensory-extrapolation`).
    train_loss : ndarray, shape (n_rec,)
        Training loss ``(1/2P) Σ‖e‖²``.
    target : str
        ``"mean"`` or ``"sum"``.
    diverged : bool
        Gradient descent diverged.

    Examples
    --------
    >>> from lrnn_theory.sensory import train_sensory
    >>> res = train_sensory("mean", T=2, n_train=16, steps=20, record_every=10, test_lengths=(2,), n_test=8)
    >>> res.step.tolist(), res.sv_recurrent.shape, res.predicted["input_output"], res.diverged
    ([0, 10, 20], (3, 4), 0.5, False)
    """

    step: np.ndarray
    sv_recurrent: np.ndarray
    sv_input_output: np.ndarray
    test_loss: dict
    predicted: dict
    train_loss: np.ndarray
    target: str
    diverged: bool = field(default=False)


def train_sensory(target: str, *, T: int = 4, n_train: int = 512, steps: int | None = None, lr: float = 0.02,
                  init_std: float = 0.05, noise: float = 1.0, test_lengths=(4, 50, 75, 100), n_test: int = 1000,
                  seed: int = 0, record_every: int | None = None) -> SensoryResult:
    """Train a square linear RNN (N = 4) on the mean or sum task (theory guide :ref:`theory-sensory-protocol` protocol).

    Full-batch gradient descent on ``(1/2P) Σ‖e‖²`` with :func:`lrnn_theory.simulate_gd`
    from i.i.d. ``N(0, init_std²)`` weights; ``steps`` defaults to 2500 (mean)
    or 500 (sum).  Test sets of ``n_test`` trials per length use their own
    seeds (``seed + 1 + T'``).  Proca et al. (2025), the sensory-integration application.

    Parameters
    ----------
    target : {"mean", "sum"}
    T : int
        Training length.
    n_train : int
        Training trials ``P``.
    steps : int, optional
        Gradient-descent steps (default 2500 for mean, 500 for sum).
    lr : float
        Learning rate.
    init_std : float
        Standard deviation of the initial weight entries.
    noise : float
        Noise level ``σ_n``.
    test_lengths : sequence of int
        Test lengths ``T'``.
    n_test : int
        Test trials per length.
    seed : int
        Seed of the training set and initialisation.
    record_every : int, optional
        Recording interval in steps (default ``max(1, steps // 100)``).

    Returns
    -------
    SensoryResult

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``target`` is unknown, a size, length or ``steps`` is ``< 1``, ``init_std``/``lr``
        is not positive, or ``seed`` is negative.

    Examples
    --------
    The sum task (``δ = 1``): all recurrent and input–output singular values approach 1,
    as predicted:

    >>> import numpy as np
    >>> from lrnn_theory.sensory import train_sensory
    >>> res = train_sensory("sum", T=2, n_train=64, steps=2000, record_every=2000, test_lengths=(2, 8), n_test=50)
    >>> res.predicted["recurrent"], res.predicted["input_output"]
    (1.0, 1.0)
    >>> bool(np.allclose(res.sv_recurrent[-1], 1.0, atol=1e-3)), bool(np.allclose(res.sv_input_output[-1], 1.0, atol=1e-3))
    (True, True)
    """
    from .sim import simulate_gd

    target = check_choice("target", target, TARGETS)
    T = check_int("T", T, minimum=1)
    steps = (2500 if target == "mean" else 500) if steps is None else check_int("steps", steps, minimum=1)
    init_std = check_positive_float("init_std", init_std)
    seed = check_seed("seed", seed)
    lengths = [check_int("test_lengths[]", int(x) if isinstance(x, (int, np.integer)) else x, minimum=1)
               for x in np.atleast_1d(np.asarray(test_lengths, dtype=object))]
    n_test = check_int("n_test", n_test, minimum=1)
    train = sensory_task(n_train, T, target=target, noise=noise, seed=seed)
    record_every = max(1, steps // 100) if record_every is None else record_every
    run = simulate_gd(train.dataset("normalised"), N_CHANNELS, lr=lr, steps=steps, init="random",
                      scale=init_std * np.sqrt(N_CHANNELS), seed=seed, record_every=record_every)
    sv_h = np.linalg.svd(run.W_h, compute_uv=False)
    sv_io = np.linalg.svd(run.W_y @ run.W_x, compute_uv=False)
    tests = {}
    for Tp in lengths:
        test = sensory_task(n_test, Tp, target=target, noise=noise, seed=seed + 1 + Tp)
        tests[Tp] = mse_half(run.W_x, run.W_h, run.W_y, test.X, test.Y)
    predicted = {
        "recurrent": 1.0,
        "input_output": _delta(target, T),
        "test_loss": dict(zip(lengths, extrapolation_loss(T, np.array(lengths), target=target, noise=noise).tolist())),
    }
    return SensoryResult(step=run.step, sv_recurrent=sv_h, sv_input_output=sv_io, test_loss=tests, predicted=predicted,
                         train_loss=run.loss, target=target, diverged=run.diverged)
