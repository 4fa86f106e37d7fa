"""First-order optimisers as small immutable objects (theory guide :ref:`memory-teacher-student`, :ref:`memory-simulation-plan`; Zucchet & Orvieto (2024)).

An optimiser is a frozen dataclass with two pure methods:

* ``init(params) -> state``: the optimiser state for parameters of that shape;
* ``step(grad, state, k) -> (delta, state)``: the update to *add* to the
  parameters at step ``k`` (0-based) and the new state.

Nothing is mutated, so one optimiser object can drive any number of runs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_positive_float

__all__ = ["SGD", "Adam", "Cosine", "NormalisedSGD", "Optimiser", "check_optimiser"]


@dataclass(frozen=True)
class _Stateless:
    """A first-order method without state, with a validated learning rate."""

    lr: float

    def __post_init__(self):
        check_positive_float("lr", self.lr)

    def init(self, params):
        return ()


@dataclass(frozen=True)
class SGD(_Stateless):
    """Plain gradient descent: ``Δ = -η g``."""

    def step(self, grad, state, k: int):
        return -self.lr * grad, state


@dataclass(frozen=True)
class NormalisedSGD(_Stateless):
    """Normalised gradient descent: ``Δ = -η g/‖g‖`` (no step when ``g = 0``)."""

    def step(self, grad, state, k: int):
        n = np.linalg.norm(grad)
        return (-self.lr * grad / n if n > 0 else np.zeros_like(grad)), state


@dataclass(frozen=True)
class Adam:
    """Adam (Kingma & Ba) with bias correction: ``Δ = -η m̂/(sqrt(v̂) + ε)``."""

    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        check_positive_float("lr", self.lr)
        for name in ("beta1", "beta2"):
            v = check_positive_float(name, getattr(self, name), allow_zero=True)
            if v >= 1:
                raise ValueError(f"{name} must be in [0, 1), got {v!r}")
        check_positive_float("eps", self.eps)

    def init(self, params):
        z = np.zeros_like(np.asarray(params, dtype=float))
        return (z, z)

    def step(self, grad, state, k: int):
        m, v = state
        m = self.beta1 * m + (1 - self.beta1) * grad
        v = self.beta2 * v + (1 - self.beta2) * grad * grad
        mhat = m / (1 - self.beta1 ** (k + 1))
        vhat = v / (1 - self.beta2 ** (k + 1))
        return -self.lr * mhat / (np.sqrt(vhat) + self.eps), (m, v)


@dataclass(frozen=True)
class Cosine:
    """Cosine learning-rate decay around another optimiser: step ``k`` of ``total_steps`` is scaled by
    ``½(1 + cos(π k/total_steps))`` (the update of SGD and Adam is proportional to the learning rate)."""

    base: "SGD | NormalisedSGD | Adam"
    total_steps: int

    def __post_init__(self):
        check_optimiser("base", self.base)
        if isinstance(self.total_steps, bool) or not isinstance(self.total_steps, (int, np.integer)) or self.total_steps < 1:
            raise ValueError(f"total_steps must be a positive integer, got {self.total_steps!r}")

    @property
    def lr(self) -> float:
        return self.base.lr

    def init(self, params):
        return self.base.init(params)

    def step(self, grad, state, k: int):
        delta, state = self.base.step(grad, state, k)
        return 0.5 * (1 + np.cos(np.pi * min(k, self.total_steps) / self.total_steps)) * delta, state


Optimiser = SGD | NormalisedSGD | Adam | Cosine


def check_optimiser(name: str, value) -> Optimiser:
    """Return ``value`` if it is an optimiser object; raise naming ``name`` otherwise.

    A string (an optimiser *name*) is a ``ValueError``: optimisers are objects with their
    own hyper-parameters, e.g. ``Adam(lr=1e-3)``; anything else is a ``TypeError``.
    """
    if isinstance(value, str):
        raise ValueError(f"{name} must be an optimiser object such as SGD(lr=...), NormalisedSGD(lr=...) or "
                         f"Adam(lr=...), not the name {value!r}")
    if not isinstance(value, (SGD, NormalisedSGD, Adam, Cosine)):
        raise TypeError(f"{name} must be an optimiser object (SGD, NormalisedSGD or Adam from lrnn_theory.optim), "
                        f"got {type(value).__name__} {value!r}")
    return value
