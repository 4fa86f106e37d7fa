"""Recovering connectivity modes from full weight matrices (theory guide :ref:`theory-mode-recovery`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_float_array

__all__ = ["AlignedModes", "EffectiveModes", "aligned_complex_modes", "aligned_modes", "effective_modes",
           "effective_products"]


@dataclass(frozen=True)
class AlignedModes:
    """Modes of an aligned network, shape (n_rec, m) each (theory guide :ref:`theory-mode-recovery`).

    ``a = diag(Rᵀ W_x V_x)``, ``b = diag(Rᵀ W_h R)``, ``c = diag(U_yᵀ W_y R)``
    (first ``m`` columns of ``R``); ``off_diagonal`` is the largest absolute
    off-diagonal entry of those three projections (misalignment, :ref:`theory-alignment-invariance`).

    Attributes
    ----------
    a, b, c : ndarray, shape (n_rec, m)
        Input, recurrent and output mode values (complex for
        :func:`aligned_complex_modes`).
    off_diagonal : ndarray, shape (n_rec,)
        Misalignment of each record (rounding level for an aligned run).

    Examples
    --------
    A scalar network ``W_x = 2``, ``W_h = 0.5``, ``W_y = 3`` with ``R = U_y = V_x = 1``:

    >>> import numpy as np
    >>> from lrnn_theory.sim import aligned_modes
    >>> one = np.eye(1)
    >>> m = aligned_modes([[[2.0]]], [[[0.5]]], [[[3.0]]], one, one, one)
    >>> m.a.shape, float(m.b[0, 0]), float(m.u[0, 0]), float(m.off_diagonal[0])
    ((1, 1), 0.5, 6.0, 0.0)
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

    Attributes
    ----------
    u, b : ndarray, shape (n_rec, m)
        Effective input–output mode and recurrent mode (``b`` is NaN/inf where ``u = 0``).
    misalignment : ndarray, shape (n_rec,)

    Examples
    --------
    For a scalar network ``P_k = W_y W_h^k W_x``, so ``u = 3·2 = 6`` and ``b = W_h = 0.5``:

    >>> import numpy as np
    >>> from lrnn_theory.sim import effective_modes
    >>> one = np.eye(1)
    >>> e = effective_modes([[[2.0]]], [[[0.5]]], [[[3.0]]], one, one)
    >>> float(e.u[0, 0]), float(e.b[0, 0]), float(e.misalignment[0])
    (6.0, 0.5, 0.0)
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
    Source: Proca et al. (2025), simulation appendix.

    Parameters
    ----------
    W_x, W_h, W_y : array_like, shapes (n_rec, N_h, N_x), (n_rec, N_h, N_h), (n_rec, N_y, N_h)
        Recorded weights (e.g. ``GDResult.W_x``).
    R : array_like, shape (N_h, N_h)
        Hidden rotation (``GDResult.R``); its first ``m`` columns are used.
    U_y, V_x : array_like, shapes (N_y, m), (N_x, m)
        Singular vectors of the dataset.

    Returns
    -------
    AlignedModes
        ``a``, ``b``, ``c`` of shape (n_rec, m), ``off_diagonal`` (n_rec,).

    Raises
    ------
    TypeError
        An argument is not a numeric array.
    ValueError
        Wrong number of dimensions or inconsistent shapes.

    Examples
    --------
    The modes of an aligned initialisation are its initial values:

    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.recover import aligned_modes
    >>> data = lt.make_dataset(lt.tasks.constant(3), 1, 1, 3, seed=0)
    >>> run = lt.simulate_gd(data, 2, lr=0.1, steps=10, scale=0.3, record_every=5)
    >>> m = aligned_modes(run.W_x, run.W_h, run.W_y, run.R, data.U_y, data.V_x)
    >>> m.b.shape, round(float(m.b[0, 0]), 12), bool(m.off_diagonal.max() < 1e-12)
    ((3, 1), 0.3, True)
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
    """``P_k = U_yᵀ W_y W_h^k W_x V_x`` for ``k = 0..k_max``, shape (n_rec, k_max + 1, m, m).

    The effective products of theory guide :ref:`theory-mode-recovery`: for an aligned network
    ``[P_k]_αα = u_α b_α^k``; off-diagonal entries measure misalignment.

    Parameters
    ----------
    W_x, W_h, W_y : array_like, shapes (n_rec, N_h, N_x), (n_rec, N_h, N_h), (n_rec, N_y, N_h)
        Recorded weights.
    U_y, V_x : array_like, shapes (N_y, m), (N_x, m)
        Singular vectors of the dataset.
    k_max : int >= 0
        Largest power of ``W_h``.

    Returns
    -------
    ndarray, shape (n_rec, k_max + 1, m, m)

    Raises
    ------
    TypeError
        An array is not numeric, or ``k_max`` is not an integer.
    ValueError
        Inconsistent shapes, or ``k_max < 0``.

    Examples
    --------
    A scalar network: ``P_k = W_y W_h^k W_x = 6 · 0.5^k``:

    >>> import numpy as np
    >>> from lrnn_theory.sim.recover import effective_products
    >>> one = np.eye(1)
    >>> P = effective_products([[[2.0]]], [[[0.5]]], [[[3.0]]], one, one, 2)
    >>> P.shape, P[0, :, 0, 0].tolist()
    ((1, 3, 1, 1), [6.0, 3.0, 1.5])
    """
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
    """Effective ``u``, ``b`` and misalignment of recorded weights (theory guide :ref:`theory-mode-recovery`).

    ``u = [P_0]_αα``, ``b = [P_1]_αα / [P_0]_αα`` from :func:`effective_products`; works for any
    network (random init included), unlike :func:`aligned_modes`.

    Parameters
    ----------
    W_x, W_h, W_y : array_like, shapes (n_rec, N_h, N_x), (n_rec, N_h, N_h), (n_rec, N_y, N_h)
        Recorded weights.
    U_y, V_x : array_like, shapes (N_y, m), (N_x, m)
        Singular vectors of the dataset.

    Returns
    -------
    EffectiveModes
        ``u``, ``b`` of shape (n_rec, m), ``misalignment`` (n_rec,).

    Raises
    ------
    TypeError
        An argument is not a numeric array.
    ValueError
        Wrong number of dimensions or inconsistent shapes.

    Examples
    --------
    A randomly initialised run on the learnable task ``s_t = 0.5^(T-t)`` ends at ``u = 1``,
    ``b = 0.5``:

    >>> import lrnn_theory as lt
    >>> from lrnn_theory.sim.recover import effective_modes
    >>> data = lt.make_dataset(lt.tasks.inverse_exponential(3, lam=0.5), 1, 1, 3, seed=0)
    >>> run = lt.simulate_gd(data, 2, lr=0.1, steps=200, init="random", scale=0.3, record_every=100)
    >>> e = effective_modes(run.W_x, run.W_h, run.W_y, data.U_y, data.V_x)
    >>> e.u.shape, round(float(e.u[-1, 0]), 3), round(float(e.b[-1, 0]), 3)
    ((3, 1), 1.0, 0.5)
    """
    P = effective_products(W_x, W_h, W_y, U_y, V_x, 1)
    m = P.shape[-1]
    d0 = np.diagonal(P[:, 0], axis1=1, axis2=2)
    d1 = np.diagonal(P[:, 1], axis1=1, axis2=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = d1 / d0
    off = np.sqrt(np.sum((P * (1 - np.eye(m))) ** 2, axis=(1, 2, 3)))
    return EffectiveModes(u=d0.copy(), b=b, misalignment=off)


def aligned_complex_modes(W_x, W_h, W_y, R, U_y, V_x, n_complex: int) -> AlignedModes:
    """Complex modes of recorded weights on a dataset with complex modes (theory guide :ref:`theory-complex-simulation`).

    Rotates the weights into the aligned basis, ``Ã = R_dᵀ W_x V_x``,
    ``B̃ = R_dᵀ W_h R_d``, ``C̃ = U_yᵀ W_y R_d`` (``d = 2 n_complex + m_r``
    columns), and reads each 2×2 diagonal block of a complex mode with
    :func:`lrnn_theory.tasks.schur_block_value` (``μ + iν`` from
    ``[[μ, -ν], [ν, μ]]``) and each 1×1 block of a real mode as it is.

    Parameters
    ----------
    W_x, W_h, W_y : array_like, shapes (n_rec, N_h, N), (n_rec, N_h, N_h), (n_rec, N, N_h)
        Recorded weights (e.g. :attr:`~lrnn_theory.sim.GDResult.W_x`).
    R : array_like, shape (N_h, N_h)
        Hidden rotation of the aligned initialisation (:attr:`~lrnn_theory.sim.GDResult.R`).
    U_y, V_x : array_like, shape (N, d)
        Eigenvector bases of the dataset (:func:`lrnn_theory.data.make_rotational_dataset`).
    n_complex : int
        Number of complex modes ``m_c`` (the first ``2 m_c`` columns hold them).

    Returns
    -------
    AlignedModes
        ``a, b, c`` complex of shape (n_rec, m_c + m_r) (real modes have zero
        imaginary part); ``off_diagonal`` (n_rec,) is the off-block residual:
        the largest absolute entry of ``Ã, B̃, C̃`` outside the block pattern,
        or departure of a 2×2 block from the rotation-scaling form
        (``|B00 - B11|``, ``|B01 + B10|``).  It stays at rounding level for an
        aligned run, since gradient descent keeps the block structure.

    Raises
    ------
    TypeError
        If an array is not numeric or ``n_complex`` is not an integer.
    ValueError
        If the shapes are inconsistent or ``2 n_complex > d``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sim import aligned_complex_modes
    >>> from lrnn_theory.tasks import schur_block
    >>> A = schur_block(1 + 2j)[None]  # one record, one complex mode, R = U_y = V_x = I
    >>> m = aligned_complex_modes(A, schur_block(0.5j)[None], A, np.eye(2), np.eye(2), np.eye(2), 1)
    >>> m.b.tolist(), m.u.tolist(), m.off_diagonal.tolist()
    ([[0.5j]], [[(-3+4j)]], [0.0])
    """
    from .._validation import check_int
    from ..tasks import schur_block_value

    W_x, W_h, W_y, U_y, V_x = _recorded(W_x, W_h, W_y, U_y, V_x)
    R = as_float_array("R", R, ndim=2)
    if R.shape != (W_h.shape[1],) * 2:
        raise ValueError(f"R must have shape {(W_h.shape[1],) * 2}, got {R.shape}")
    d = V_x.shape[1]
    m_c = check_int("n_complex", n_complex, minimum=1)
    if 2 * m_c > d:
        raise ValueError(f"n_complex must be <= d/2 = {d // 2} (d = {d} columns of V_x), got {m_c}")
    if d > R.shape[0]:
        raise ValueError(f"R has {R.shape[0]} hidden directions but V_x has d = {d} columns")
    Rd = R[:, :d]
    mats = (np.einsum("hi,rhx,xj->rij", Rd, W_x, V_x), np.einsum("hi,rhk,kj->rij", Rd, W_h, Rd),
            np.einsum("yi,ryh,hj->rij", U_y, W_y, Rd))
    pattern = np.eye(d, dtype=bool)
    for k in range(m_c):
        pattern[2 * k:2 * k + 2, 2 * k:2 * k + 2] = True
    out, off = [], np.zeros(W_x.shape[0])
    for M in mats:
        blocks = np.stack([M[:, 2 * k:2 * k + 2, 2 * k:2 * k + 2] for k in range(m_c)], axis=1)  # (n_rec, m_c, 2, 2)
        dev = np.maximum(np.abs(blocks[..., 0, 0] - blocks[..., 1, 1]), np.abs(blocks[..., 0, 1] + blocks[..., 1, 0]))
        real = np.diagonal(M, axis1=1, axis2=2)[:, 2 * m_c:]
        out.append(np.concatenate([schur_block_value(blocks, atol=np.inf), real.astype(complex)], axis=1))
        off = np.maximum(off, np.max(np.abs(M * ~pattern), axis=(1, 2)))
        if m_c:
            off = np.maximum(off, np.max(dev, axis=1))
    return AlignedModes(a=out[0], b=out[1], c=out[2], off_diagonal=off)
