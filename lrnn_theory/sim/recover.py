"""Recovering connectivity modes from full weight matrices (theory guide :ref:`theory-mode-recovery`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_float_array

__all__ = ["AlignedModes", "EffectiveModes", "aligned_modes", "effective_modes", "effective_products"]


@dataclass(frozen=True)
class AlignedModes:
    """Modes of an aligned network, shape (n_rec, m) each (theory guide :ref:`theory-mode-recovery`).

    ``a = diag(Rᵀ W_x V_x)``, ``b = diag(Rᵀ W_h R)``, ``c = diag(U_yᵀ W_y R)``
    (first ``m`` columns of ``R``); ``off_diagonal`` is the largest absolute
    off-diagonal entry of those three projections (misalignment, :ref:`theory-alignment-invariance`).
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    off_diagonal: np.ndarray

    @property
    def u(self) -> np.ndarray:
        """Input–output mode ``u = a c``."""
        return self.a * self.c


@dataclass(frozen=True)
class EffectiveModes:
    """Effective modes of an arbitrary network, shape (n_rec, m) each (theory guide :ref:`theory-mode-recovery`).

    With ``P_k = U_yᵀ W_y W_h^k W_x V_x``: ``u = [P_0]_αα``,
    ``b = [P_1]_αα / [P_0]_αα``; ``misalignment`` (n_rec,) is the Frobenius
    norm of the off-diagonal part of ``P_0`` and ``P_1``.
    """

    u: np.ndarray
    b: np.ndarray
    misalignment: np.ndarray


def _recorded(W_x, W_h, W_y, U_y, V_x):
    W_x = as_float_array("W_x", W_x, ndim=3)
    W_h = as_float_array("W_h", W_h, ndim=3)
    W_y = as_float_array("W_y", W_y, ndim=3)
    U_y = as_float_array("U_y", U_y, ndim=2)
    V_x = as_float_array("V_x", V_x, ndim=2)
    n_rec, n_h, n_x = W_x.shape
    if W_h.shape != (n_rec, n_h, n_h) or W_y.shape[::2] != (n_rec, n_h) or U_y.shape[0] != W_y.shape[1] \
            or V_x.shape[0] != n_x or U_y.shape[1] != V_x.shape[1]:
        raise ValueError(f"inconsistent shapes: W_x {W_x.shape}, W_h {W_h.shape}, W_y {W_y.shape} (each (n_rec, ...)), "
                         f"U_y {U_y.shape}, V_x {V_x.shape}")
    return W_x, W_h, W_y, U_y, V_x


def aligned_modes(W_x, W_h, W_y, R, U_y, V_x) -> AlignedModes:
    """Project recorded weights (n_rec, ...) on an aligned basis (theory guide :ref:`theory-mode-recovery`).

    ``R`` (N_h, N_h) is the hidden rotation of the aligned initialisation.
    """
    W_x, W_h, W_y, U_y, V_x = _recorded(W_x, W_h, W_y, U_y, V_x)
    R = as_float_array("R", R, ndim=2)
    if R.shape != (W_h.shape[1],) * 2:
        raise ValueError(f"R must have shape {(W_h.shape[1],) * 2}, got {R.shape}")
    m = V_x.shape[1]
    Rm = R[:, :m]
    A = np.einsum("hi,rhx,xj->rij", Rm, W_x, V_x)
    B = np.einsum("hi,rhk,kj->rij", Rm, W_h, Rm)
    C = np.einsum("yi,ryh,hj->rij", U_y, W_y, Rm)
    diag = lambda X: np.diagonal(X, axis1=1, axis2=2)  # noqa: E731
    off = np.max(np.stack([np.max(np.abs(X * (1 - np.eye(m))), axis=(1, 2)) for X in (A, B, C)]), axis=0)
    return AlignedModes(a=diag(A).copy(), b=diag(B).copy(), c=diag(C).copy(), off_diagonal=off)


def effective_products(W_x, W_h, W_y, U_y, V_x, k_max: int) -> np.ndarray:
    """``P_k = U_yᵀ W_y W_h^k W_x V_x`` for ``k = 0..k_max``, shape (n_rec, k_max + 1, m, m)."""
    from .._validation import check_int

    W_x, W_h, W_y, U_y, V_x = _recorded(W_x, W_h, W_y, U_y, V_x)
    k_max = check_int("k_max", k_max, minimum=0)
    out = []
    B = W_x
    for _ in range(k_max + 1):
        out.append(np.einsum("yi,ryh,rhx,xj->rij", U_y, W_y, B, V_x, optimize=True))
        B = np.einsum("rhk,rkx->rhx", W_h, B)
    return np.stack(out, axis=1)


def effective_modes(W_x, W_h, W_y, U_y, V_x) -> EffectiveModes:
    """Effective ``u``, ``b`` and misalignment of recorded weights (theory guide :ref:`theory-mode-recovery`)."""
    P = effective_products(W_x, W_h, W_y, U_y, V_x, 1)
    m = P.shape[-1]
    d0 = np.diagonal(P[:, 0], axis1=1, axis2=2)
    d1 = np.diagonal(P[:, 1], axis1=1, axis2=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = d1 / d0
    off = np.sqrt(np.sum((P * (1 - np.eye(m))) ** 2, axis=(1, 2, 3)))
    return EffectiveModes(u=d0.copy(), b=b, misalignment=off)
