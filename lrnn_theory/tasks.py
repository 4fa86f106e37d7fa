"""Task dynamics: the time-dependent singular values ``s_t`` of THEORY §2.2.

A task is described, per connectivity mode, by its *task dynamics*: the
singular values ``s_1, ..., s_T`` of the input–output correlations
``Σ^{YX_t} = U_y S_t V_x^T`` (THEORY §2.1, assumption A2).

Conventions
-----------
* Arrays are float64 with the time axis last: ``s[..., t-1] = s_t``.
* ``t = 1`` is the **first** input; input ``t`` passes through ``W_h``
  exactly ``T - t`` times, so ``s[..., -1]`` (``t = T``) is the most recent
  input, the one the network sees without recurrence.
* Several modes are a 2-D array of shape ``(n_modes, T)``; any leading batch
  shape is allowed.  Signed values are allowed (THEORY §2.1).
* Every family broadcasts over its scalar parameters: ``constant(5,
  delta=[0.5, 1, 2])`` has shape ``(3, 5)``.

Families (``s_t = δ f(λ, t)``):

=====================  =====================  =====================================
family                  ``f(λ, t)``            late importance (``s_t < s_{t+1}``)
=====================  =====================  =====================================
constant               1                      never (flat)
inverse_exponential    λ^(T-t)                λ < 1
exponential            λ^t                    λ > 1
modified               family for t < T,      phase-transition tasks (§6.3)
                       ``s_T = κ``
dirac                  ``s_1 = β, s_T = κ``   two isolated correlations (§6.4)
=====================  =====================  =====================================
"""
from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_choice, check_int

__all__ = [
    "FAMILIES",
    "constant",
    "dirac",
    "exponential",
    "inverse_exponential",
    "make_task",
    "modified",
    "stack",
]

#: Names of the recurrent task families accepted by :func:`make_task` and :func:`modified`.
FAMILIES = ("constant", "inverse_exponential", "exponential")


def _param(name: str, value) -> np.ndarray:
    return as_float_array(name, value, allow_empty=False)


def _steps(T) -> np.ndarray:
    T = check_int("T", T, minimum=1)
    return np.arange(1, T + 1, dtype=np.float64)


def constant(T: int, delta=1.0) -> np.ndarray:
    """Constant dynamics ``s_t = δ`` (pure integration; THEORY §2.2).

    Parameters
    ----------
    T : int
        Trajectory length, ``T >= 1``.
    delta : float or array_like
        Scale ``δ``; arrays broadcast to a leading batch shape.

    Returns
    -------
    s : ndarray, shape ``np.shape(delta) + (T,)``
    """
    t = _steps(T)
    delta = _param("delta", delta)
    return np.broadcast_to(delta[..., None], delta.shape + (t.size,)).copy()


def inverse_exponential(T: int, delta=1.0, lam=0.8) -> np.ndarray:
    """Inverse-exponential dynamics ``s_t = δ λ^(T-t)`` (THEORY §2.2).

    The zero-loss solution is ``b* = λ``, ``u* = δ`` (§4.1); late importance
    iff ``λ < 1``.  Any aligned linear-RNN teacher produces this family (§2.1).

    Returns
    -------
    s : ndarray, shape ``broadcast(delta, lam).shape + (T,)``
    """
    t = _steps(T)
    delta, lam = np.broadcast_arrays(_param("delta", delta), _param("lam", lam))
    return delta[..., None] * lam[..., None] ** (t.size - t)


def exponential(T: int, delta=1.0, lam=0.8) -> np.ndarray:
    """Exponential dynamics ``s_t = δ λ^t`` (THEORY §2.2).

    The zero-loss solution is ``b* = 1/λ``, ``u* = δ λ^T`` (§4.1); late
    importance iff ``λ > 1``.

    Returns
    -------
    s : ndarray, shape ``broadcast(delta, lam).shape + (T,)``
    """
    t = _steps(T)
    delta, lam = np.broadcast_arrays(_param("delta", delta), _param("lam", lam))
    return delta[..., None] * lam[..., None] ** t


def make_task(family: str, T: int, delta=1.0, lam=0.8) -> np.ndarray:
    """Task dynamics of a named family (one of :data:`FAMILIES`).

    ``lam`` is ignored for ``"constant"``.
    """
    family = check_choice("family", family, FAMILIES)
    if family == "constant":
        return constant(T, delta)
    if family == "inverse_exponential":
        return inverse_exponential(T, delta, lam)
    return exponential(T, delta, lam)


def modified(family: str, T: int, delta=1.0, lam=0.8, kappa=1.0) -> np.ndarray:
    """A family with a feedforward last step: ``s_t = δ f(λ, t)`` for ``t < T``, ``s_T = κ``.

    These tasks have no zero-loss solution (for ``κ ≠ δ f(λ, T)``) and show
    the feedforward/recurrent phase transition of THEORY §6.3, §6.5–§6.6.

    Returns
    -------
    s : ndarray, shape ``broadcast(delta, lam, kappa).shape + (T,)``
    """
    kappa = _param("kappa", kappa)
    s = make_task(family, T, delta, lam)
    shape = np.broadcast_shapes(s.shape[:-1], kappa.shape)
    s = np.broadcast_to(s, shape + s.shape[-1:]).copy()
    s[..., -1] = np.broadcast_to(kappa, shape)
    return s


def dirac(T: int, beta=1.0, kappa=1.0) -> np.ndarray:
    """Dirac-delta dynamics: ``s_1 = β``, ``s_T = κ``, zero elsewhere (THEORY §2.2, §6.4).

    For ``T = 1`` the two correlations fall on the same step and ``s_1 = β + κ``.

    Returns
    -------
    s : ndarray, shape ``broadcast(beta, kappa).shape + (T,)``
    """
    T = check_int("T", T, minimum=1)
    beta, kappa = np.broadcast_arrays(_param("beta", beta), _param("kappa", kappa))
    s = np.zeros(beta.shape + (T,))
    s[..., 0] += beta
    s[..., -1] += kappa
    return s


def stack(*tasks) -> np.ndarray:
    """Stack single-mode tasks of equal length into an ``(n_modes, T)`` array."""
    if not tasks:
        raise ValueError("stack needs at least one task")
    arrs = [as_float_array(f"tasks[{i}]", s, ndim=1) for i, s in enumerate(tasks)]
    lengths = {a.size for a in arrs}
    if len(lengths) != 1:
        raise ValueError(f"tasks must all have the same length T, got lengths {sorted(lengths)}")
    return np.stack(arrs)
