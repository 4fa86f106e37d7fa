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
    """Plain gradient descent: ``Δ = -η g``.

    Parameters
    ----------
    lr : float > 0
        Learning rate ``η``.

    Raises
    ------
    TypeError, ValueError
        ``lr`` is not a finite positive number.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.optim import SGD
    >>> opt = SGD(lr=0.1)
    >>> g = np.array([3.0, -4.0])
    >>> delta, state = opt.step(g, opt.init(g), 0)
    >>> np.round(delta, 12).tolist(), state
    ([-0.3, 0.4], ())
    """

    def step(self, grad, state, k: int):
        return -self.lr * grad, state


@dataclass(frozen=True)
class NormalisedSGD(_Stateless):
    """Normalised gradient descent: ``Δ = -η g/‖g‖`` (no step when ``g = 0``).

    Parameters
    ----------
    lr : float > 0
        Step length ``η`` (the norm of every non-zero update).

    Raises
    ------
    TypeError, ValueError
        ``lr`` is not a finite positive number.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.optim import NormalisedSGD
    >>> opt = NormalisedSGD(lr=0.1)
    >>> delta, _ = opt.step(np.array([3.0, -4.0]), (), 0)
    >>> np.round(delta, 12).tolist(), round(float(np.linalg.norm(delta)), 12)
    ([-0.06, 0.08], 0.1)
    >>> opt.step(np.zeros(2), (), 0)[0].tolist()
    [0.0, 0.0]
    """

    def step(self, grad, state, k: int):
        n = np.linalg.norm(grad)
        return (-self.lr * grad / n if n > 0 else np.zeros_like(grad)), state


@dataclass(frozen=True)
class Adam:
    """Adam (Kingma & Ba) with bias correction: ``Δ = -η m̂/(sqrt(v̂) + ε)``.

    The optimiser of the curse-of-memory experiments (theory guide :ref:`memory-simulation-plan`).

    Parameters
    ----------
    lr : float > 0
    beta1, beta2 : float in [0, 1)
        Decay rates of the first and second moment estimates.
    eps : float > 0

    Raises
    ------
    TypeError, ValueError
        A hyper-parameter is not a number or outside its range.

    Examples
    --------
    After bias correction the first step is ``-η g/(|g| + ε)``, i.e. ``-η sign(g)``:

    >>> import numpy as np
    >>> from lrnn_theory.optim import Adam
    >>> opt = Adam(lr=0.01)
    >>> g = np.array([3.0, -4.0])
    >>> delta, (m, v) = opt.step(g, opt.init(g), 0)
    >>> np.round(delta, 8).tolist()
    [-0.01, 0.01]
    >>> Adam(lr=0.01, beta1=1.0)
    Traceback (most recent call last):
    ...
    ValueError: beta1 must be in [0, 1), got 1.0
    """

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
    ``½(1 + cos(π k/total_steps))`` (the update of SGD and Adam is proportional to the learning rate).

    Parameters
    ----------
    base : SGD, NormalisedSGD or Adam
        The optimiser whose update is scaled.
    total_steps : int >= 1
        Step at which the factor reaches 0 (and stays there).

    Raises
    ------
    TypeError
        ``base`` is not an optimiser object.
    ValueError
        ``base`` is a name string, or ``total_steps`` is not a positive integer.

    Examples
    --------
    Half-way the factor is ½, at the end 0:

    >>> import numpy as np
    >>> from lrnn_theory.optim import SGD, Cosine
    >>> opt = Cosine(SGD(lr=0.1), total_steps=10)
    >>> g = np.array([1.0])
    >>> [round(float(opt.step(g, (), k)[0][0]), 12) for k in (0, 5, 10)]
    [-0.1, -0.05, -0.0]
    >>> opt.lr
    0.1
    """

    base: SGD | NormalisedSGD | Adam
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

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : object
        The candidate optimiser.

    Returns
    -------
    SGD, NormalisedSGD, Adam or Cosine
        ``value`` itself.

    Raises
    ------
    ValueError
        ``value`` is a string.
    TypeError
        ``value`` is anything else that is not an optimiser object.

    Examples
    --------
    >>> from lrnn_theory.optim import SGD, check_optimiser
    >>> check_optimiser("optimiser", SGD(lr=0.1))
    SGD(lr=0.1)
    >>> check_optimiser("optimiser", "adam")
    Traceback (most recent call last):
    ...
    ValueError: optimiser must be an optimiser object such as SGD(lr=...), NormalisedSGD(lr=...) or Adam(lr=...), not the name 'adam'
    """
    if isinstance(value, str):
        raise ValueError(f"{name} must be an optimiser object such as SGD(lr=...), NormalisedSGD(lr=...) or "
                         f"Adam(lr=...), not the name {value!r}")
    if not isinstance(value, (SGD, NormalisedSGD, Adam, Cosine)):
        raise TypeError(f"{name} must be an optimiser object (SGD, NormalisedSGD or Adam from lrnn_theory.optim), "
                        f"got {type(value).__name__} {value!r}")
    return value
