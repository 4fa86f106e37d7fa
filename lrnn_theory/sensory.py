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
    target : str
    noise : float
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
    target : {"mean", "sum"}
    noise : float
        ``σ_n`` (the theory guide's reconstructed default 1, :ref:`theory-sensory-task`; NeuroGym's default time step gives 0.1).
    seed : int
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
    """``m₂ = E‖μ‖² = 1 + 4 E[coh²] / (3 · 200²) ≈ 1.0306`` (theory guide :ref:`theory-sensory-extrapolation`), exactly from the coherence set."""
    e_coh2 = float(np.mean(np.square(COHERENCES)))
    # ‖μ‖² = 1 + 2(d1² + d2²), d1 = coh π/200, d2 = coh(1-π)/200, E[π²] = E[(1-π)²] = 1/3
    return 1.0 + 2.0 * 2.0 * e_coh2 / 3.0 / 200.0 ** 2


def extrapolation_loss(T_train: int, T_test, *, target: str = "mean", noise: float = 1.0) -> np.ndarray:
    """Test loss of the learned solution at length ``T'`` (theory guide :ref:`theory-sensory-extrapolation`).

    The learned network outputs ``δ_T Σ_t x_t``; with the loss ``½·mean over
    samples and channels``

    .. math:: L(T') = \\frac{1}{2N}(δ_T - δ_{T'})^2 (m_2 T'^2 + N σ_n^2 T'),

    ``N = 4``; zero for the sum task.
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
    target : str
    diverged : bool
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
    seeds (``seed + 1 + T'``).
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
