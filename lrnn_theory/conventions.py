"""Loss and time conventions (theory guide :ref:`theory-conventions`).

Two equivalent data/loss conventions are supported everywhere:

================  ==============================================  ===========================  ===========
convention        whitening                                       loss                         ``τ``
================  ==============================================  ===========================  ===========
``"sum"``         ``Σ_p x_{p,t} x_{p,t'}^T = δ_{tt'} I``          ``½ Σ_p ||e_p||²``           ``1/η``
``"normalised"``  ``(1/P) Σ_p x_{p,t} x_{p,t'}^T = δ_{tt'} I``    ``(1/2P) Σ_p ||e_p||²``      ``1/η``
================  ==============================================  ===========================  ===========

Both make the loss of an aligned network on a dataset of :ref:`theory-dataset-construction` equal to
``Σ_α E_α`` (:ref:`theory-mode-odes`), and gradient descent with learning rate ``η`` is the
Euler discretisation of the mode ODE ``τ θ̇ = -∇E`` with ``τ = 1/η`` when
learning time is counted in steps.  Hence ``n`` steps correspond to ODE time
``n η`` in units of ``τ``: :func:`ode_time` is the *one* documented mapping,
and ``tests/test_conventions.py`` calibrates it against full-matrix gradient
descent.

A per-element mean-squared error without the factor ½ (deep-learning
libraries' ``MSELoss``: divide by ``P N_y``) under the normalised whitening
has ``τ = N_y / (2η)``: use ``loss="mse"`` with ``n_y``.
"""
from __future__ import annotations

import numpy as np

from ._validation import check_choice, check_int, check_positive_float

__all__ = ["CONVENTIONS", "LOSSES", "ode_time", "tau"]

#: Data/loss conventions of theory guide :ref:`theory-conventions`.
CONVENTIONS = ("normalised", "sum")
#: Loss normalisations understood by :func:`tau`.
LOSSES = ("half", "mse")


def tau(lr: float, *, loss: str = "half", n_y: int | None = None) -> float:
    """Learning timescale ``τ`` (in gradient-descent steps) for learning rate ``lr``.

    Parameters
    ----------
    lr : float
        Gradient-descent learning rate ``η > 0``.
    loss : {"half", "mse"}
        ``"half"``: the loss of theory guide :ref:`theory-conventions` (``½ Σ_p`` in the sum convention,
        ``(1/2P) Σ_p`` in the normalised one); ``τ = 1/η``.
        ``"mse"``: per-element mean without ½ (divide by ``P N_y``) with
        normalised whitening; ``τ = N_y/(2η)``.
    n_y : int, optional
        Output size, required for ``loss="mse"``.

    Returns
    -------
    tau : float
        Timescale in gradient-descent steps: ``1/lr`` for ``"half"``, ``n_y/(2 lr)`` for ``"mse"``.

    Raises
    ------
    TypeError
        If ``lr`` is not a number, ``loss`` not a string or ``n_y`` not an integer.
    ValueError
        If ``lr <= 0`` or not finite, ``loss`` is unknown, or ``n_y`` is missing (``loss="mse"``)
        or ``< 1``.

    Notes
    -----
    Theory guide :ref:`theory-conventions`; Proca et al. (2025), Sec. 2.

    Examples
    --------
    >>> from lrnn_theory.conventions import tau
    >>> tau(0.1)
    10.0
    >>> tau(0.1, loss="mse", n_y=4)  # N_y / (2 lr)
    20.0
    """
    lr = check_positive_float("lr", lr)
    loss = check_choice("loss", loss, LOSSES)
    if loss == "half":
        return 1.0 / lr
    if n_y is None:
        raise ValueError("n_y is required for loss='mse' (tau = n_y / (2 lr))")
    n_y = check_int("n_y", n_y, minimum=1)
    return n_y / (2.0 * lr)


def ode_time(steps, lr: float, *, loss: str = "half", n_y: int | None = None) -> np.ndarray:
    """ODE time (units of ``τ``, i.e. the ``t`` of :func:`lrnn_theory.integrate_modes`
    with ``tau=1``) reached after ``steps`` gradient-descent steps.

    ``ode_time(n, η) = n / τ(η) = n η`` for the losses of theory guide :ref:`theory-conventions`.

    Parameters
    ----------
    steps : array_like, any shape
        Number(s) of gradient-descent steps, finite and ``>= 0``.
    lr, loss, n_y
        As in :func:`tau`.

    Returns
    -------
    t : ndarray, shape of ``steps``
        ODE time in units of ``τ``.

    Raises
    ------
    ValueError
        If ``steps`` has a negative or non-finite entry, or for the arguments of :func:`tau`.
    TypeError
        For the arguments of :func:`tau`.

    Examples
    --------
    >>> from lrnn_theory.conventions import ode_time
    >>> ode_time([0, 10, 100], 0.01)  # n steps at lr -> ODE time n * lr
    array([0. , 0.1, 1. ])
    """
    steps = np.asarray(steps, dtype=np.float64)
    if not np.all(np.isfinite(steps)) or np.any(steps < 0):
        raise ValueError("steps must be finite and non-negative")
    return steps / tau(lr, loss=loss, n_y=n_y)
