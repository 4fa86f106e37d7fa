"""Validation of the sequence data, weights and leak shared by :mod:`lrnn_theory.sim.bptt` and
:mod:`lrnn_theory.sim.diagnostics` (theory guide :ref:`bptt-diagnostics`).

Private module: both public modules check their inputs here, so that neither imports the other for it.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_finite_scalar


def sequence_data(X, Y, mask):
    """``(X, Y, mask)`` as C-contiguous float arrays (P, T, N_x), (P, T, N_y), (P, T); a 2-D ``Y`` (P, N_y)
    is a target at the last step only (zeros elsewhere, and the default mask selects that step)."""
    X = as_float_array("X", X, ndim=3)
    Y = as_float_array("Y", Y, ndim=(2, 3))
    P, T, _ = X.shape
    if Y.ndim == 2:
        if Y.shape[0] != P:
            raise ValueError(f"Y must have P = {P} rows, got shape {Y.shape}")
        Yf = np.zeros((P, T, Y.shape[1]))
        Yf[:, -1] = Y
        default = np.zeros((P, T))
        default[:, -1] = 1.0
        Y = Yf
    else:
        if Y.shape[:2] != (P, T):
            raise ValueError(f"Y must have shape (P, T, N_y) = ({P}, {T}, N_y), got {Y.shape}")
        default = np.ones((P, T))
    if mask is None:
        mask = default
    else:
        mask = as_float_array("mask", mask, ndim=2)
        if mask.shape != (P, T):
            raise ValueError(f"mask must have shape (P, T) = {(P, T)}, got {mask.shape}")
        if np.any(mask < 0) or mask.sum() <= 0:
            raise ValueError("mask must be non-negative with at least one positive entry")
    return np.ascontiguousarray(X), np.ascontiguousarray(Y), np.ascontiguousarray(mask)


def check_weights(weights, n_x, n_y):
    """``(U, W, V)`` as C-contiguous float arrays of shapes (N_h, n_x), (N_h, N_h), (n_y, N_h)."""
    if not isinstance(weights, (tuple, list)) or len(weights) != 3:
        raise TypeError("weights must be a tuple (U, W, V)")
    U, W, V = (np.ascontiguousarray(as_float_array(n, w, ndim=2)) for n, w in zip(("U", "W", "V"), weights))
    d = W.shape[0]
    if W.shape != (d, d) or U.shape != (d, n_x) or V.shape != (n_y, d):
        raise ValueError(f"weights must have shapes U (N_h, {n_x}), W (N_h, N_h), V ({n_y}, N_h); got {U.shape}, {W.shape}, {V.shape}")
    return U, W, V


def check_leak(leak):
    """The leak ``α`` as a float in [0, 1)."""
    leak = check_finite_scalar("leak", leak)
    if not 0 <= leak < 1:
        raise ValueError(f"leak must be in [0, 1), got {leak!r}")
    return leak
