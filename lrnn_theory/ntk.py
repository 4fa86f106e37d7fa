"""The network's empirical neural tangent kernel (theory guide :ref:`theory-ntk`).

For training inputs ``X`` (P, T, N_x) the kernel is ``K = J Jᵀ`` with
``J = ∂ vec Ŷ / ∂θ`` over all entries of ``θ = (W_x, W_h, W_y)``; rows and
columns are indexed by ``(p, m)`` in C order, i.e. ``vec Ŷ = Ŷ.reshape(-1)``
with ``Ŷ`` of shape (P, N_y).  In the sum convention gradient flow gives
``τ d vec Ŷ/dt = K vec(Y - Ŷ)``; in the normalised convention the loss carries
``1/P`` and the kernel of that flow is ``K/P`` (``convention="normalised"``).
The kernel distance (:ref:`theory-kernel-distance`) does not depend on that constant.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_choice, check_int, check_positive_float, check_seed
from .conventions import CONVENTIONS
from .model import hidden_states

__all__ = [
    "KernelMovement",
    "aligned_inner",
    "kernel_distance",
    "kernel_distance_aligned",
    "kernel_distance_complex",
    "kernel_movement",
    "rotational_kernel_movement",
    "ntk",
    "ntk_aligned",
    "ntk_jacobian",
]


def _sensitivities(W_h, W_y, T):
    """``A_t = W_y W_h^{T-t}`` for t = 1..T, shape (T, N_y, N_h)."""
    A = np.empty((T,) + W_y.shape)
    A[T - 1] = W_y
    for t in range(T - 2, -1, -1):
        A[t] = A[t + 1] @ W_h
    return A


def _prep(W_x, W_h, W_y, X):
    W_x = as_float_array("W_x", W_x, ndim=2)
    W_h = as_float_array("W_h", W_h, ndim=2)
    W_y = as_float_array("W_y", W_y, ndim=2)
    X = as_float_array("X", X, ndim=3)
    H = hidden_states(W_x, W_h, W_y, X)
    return W_x, W_h, W_y, X, H


def ntk(W_x, W_h, W_y, X, *, convention: str = "sum") -> np.ndarray:
    """Empirical NTK in closed form (theory guide :ref:`theory-ntk-closed-form`).

    .. math::

        K_{(p,m),(q,n)} = \\sum_{t,t'} [A_t A_{t'}^T]_{mn}
        (x_{p,t}^T x_{q,t'} + h_{p,t}^T h_{q,t'}) + δ_{mn} h_{p,T+1}^T h_{q,T+1},

    with ``A_t = W_y W_h^{T-t}`` and forward states ``h_{p,1} = 0``.

    Parameters
    ----------
    W_x, W_h, W_y : ndarray, shapes (N_h, N_x), (N_h, N_h), (N_y, N_h)
        Weights (no batch axes).
    X : ndarray, shape (P, T, N_x)
        Training inputs.
    convention : {"sum", "normalised"}
        ``"normalised"`` divides by ``P`` (theory guide :ref:`theory-conventions`).

    Returns
    -------
    K : ndarray, shape (P N_y, P N_y)
        Rows and columns indexed by ``(p, m)`` in C order.

    Raises
    ------
    TypeError
        If an array is not real numeric, or ``convention`` not a string.
    ValueError
        If a weight is not 2-D, ``X`` not 3-D, the shapes are inconsistent, an entry is not
        finite, or ``convention`` is unknown.

    Examples
    --------
    The closed form equals ``J Jᵀ`` of the analytic Jacobian:

    >>> import numpy as np
    >>> from lrnn_theory.ntk import ntk, ntk_jacobian
    >>> rng = np.random.default_rng(0)
    >>> W_x, W_h, W_y = rng.normal(size=(2, 1)), 0.5 * rng.normal(size=(2, 2)), rng.normal(size=(1, 2))
    >>> X = rng.normal(size=(3, 3, 1))  # P = 3, T = 3, N_x = 1
    >>> K = ntk(W_x, W_h, W_y, X)
    >>> J = ntk_jacobian(W_x, W_h, W_y, X)
    >>> K.shape, bool(np.allclose(K, J @ J.T))
    ((3, 3), True)
    """
    convention = check_choice("convention", convention, CONVENTIONS)
    W_x, W_h, W_y, X, H = _prep(W_x, W_h, W_y, X)
    P, T, _ = X.shape
    n_y = W_y.shape[0]
    A = _sensitivities(W_h, W_y, T)
    AA = np.einsum("amh,bnh->abmn", A, A)
    G = np.einsum("pax,qbx->abpq", X, X) + np.einsum("pah,qbh->abpq", H[:, :T], H[:, :T])
    K = np.einsum("abmn,abpq->pmqn", AA, G, optimize=True)
    K += np.einsum("mn,pq->pmqn", np.eye(n_y), H[:, T] @ H[:, T].T)
    K = K.reshape(P * n_y, P * n_y)
    return K / P if convention == "normalised" else K


def ntk_jacobian(W_x, W_h, W_y, X) -> np.ndarray:
    """Analytic Jacobian ``J = ∂ vec Ŷ / ∂ (vec W_x, vec W_h, vec W_y)`` (C order), shape (P N_y, n_params).

    ``∂ŷ_{p,m}/∂W_x[i,j] = Σ_t [A_t]_{mi} x_{p,t,j}``,
    ``∂ŷ_{p,m}/∂W_h[i,j] = Σ_t [A_t]_{mi} h_{p,t,j}``,
    ``∂ŷ_{p,m}/∂W_y[m',j] = δ_{mm'} h_{p,T+1,j}``.

    Theory guide :ref:`theory-ntk-definition`.

    Parameters
    ----------
    W_x, W_h, W_y : ndarray, shapes (N_h, N_x), (N_h, N_h), (N_y, N_h)
    X : ndarray, shape (P, T, N_x)

    Returns
    -------
    J : ndarray, shape (P N_y, N_h N_x + N_h² + N_y N_h)
        Columns: ``vec W_x``, then ``vec W_h``, then ``vec W_y`` (C order).

    Raises
    ------
    TypeError, ValueError
        As :func:`ntk`.

    Examples
    --------
    A column against a central finite difference of :func:`lrnn_theory.model.forward`:

    >>> import numpy as np
    >>> from lrnn_theory.model import forward
    >>> from lrnn_theory.ntk import ntk_jacobian
    >>> rng = np.random.default_rng(0)
    >>> W_x, W_h, W_y = rng.normal(size=(2, 1)), 0.5 * rng.normal(size=(2, 2)), rng.normal(size=(1, 2))
    >>> X = rng.normal(size=(3, 3, 1))
    >>> J = ntk_jacobian(W_x, W_h, W_y, X)
    >>> J.shape  # 3 samples; 2 + 4 + 2 parameters
    (3, 8)
    >>> E = np.zeros((2, 2)); E[0, 1] = 1e-6  # W_h[0, 1] is column 2 + 1
    >>> fd = (forward(W_x, W_h + E, W_y, X) - forward(W_x, W_h - E, W_y, X)).ravel() / 2e-6
    >>> bool(np.allclose(fd, J[:, 3], atol=1e-8))
    True
    """
    W_x, W_h, W_y, X, H = _prep(W_x, W_h, W_y, X)
    P, T, n_x = X.shape
    n_y, n_h = W_y.shape
    A = _sensitivities(W_h, W_y, T)
    Jx = np.einsum("tmi,ptj->pmij", A, X).reshape(P, n_y, -1)
    Jh = np.einsum("tmi,ptj->pmij", A, H[:, :T]).reshape(P, n_y, -1)
    Jy = np.einsum("mk,pj->pmkj", np.eye(n_y), H[:, T]).reshape(P, n_y, -1)
    return np.concatenate([Jx, Jh, Jy], axis=-1).reshape(P * n_y, -1)


def kernel_distance(K0, K1) -> float:
    """Kernel distance ``D_K = 1 - ⟨K0, K1⟩_F / (‖K0‖_F ‖K1‖_F) ∈ [0, 1]`` (theory guide :ref:`theory-kernel-distance`).

    Parameters
    ----------
    K0, K1 : array_like, shape (n, n)
        Kernels (e.g. of :func:`ntk`).

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If a kernel is not a real numeric array.
    ValueError
        If a kernel is not 2-D or not finite, the shapes differ, or a kernel is zero.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.ntk import kernel_distance
    >>> round(kernel_distance(np.eye(2), np.diag([1.0, 0.0])), 12)  # 1 - 1/√2
    0.292893218813
    >>> kernel_distance(np.eye(2), 3 * np.eye(2))  # a rescaling does not move the kernel
    0.0
    """
    K0 = as_float_array("K0", K0, ndim=2)
    K1 = as_float_array("K1", K1, ndim=2)
    if K0.shape != K1.shape:
        raise ValueError(f"K0 and K1 must have the same shape, got {K0.shape} and {K1.shape}")
    n0, n1 = np.linalg.norm(K0), np.linalg.norm(K1)
    if n0 == 0 or n1 == 0:
        raise ValueError("kernel_distance is undefined for a zero kernel (all weights zero)")
    return float(1.0 - np.sum(K0 * K1) / (n0 * n1))


def _modes(name, modes):
    if not isinstance(modes, (tuple, list)) or len(modes) != 3:
        raise TypeError(f"{name} must be a tuple (a, b, c) of per-mode arrays")
    a, b, c = (as_float_array(f"{name}[{i}]", v, ndim=(0, 1)) for i, v in enumerate(modes))
    a, b, c = np.broadcast_arrays(np.atleast_1d(a), np.atleast_1d(b), np.atleast_1d(c))
    return a, b, c


def ntk_aligned(a, b, c, T: int) -> np.ndarray:
    """Per-mode-pair matrices ``M^{αβ}`` of the aligned kernel (theory guide :ref:`theory-ntk-aligned`, sum convention).

    ``M^{αβ} = c_α² g_α g_αᵀ + c_α² w_{αβ} w_{αβ}ᵀ + a_β² g_β g_βᵀ`` with
    ``(g_α)_t = b_α^{T-t}`` and ``(w_{αβ})_i = a_β Σ_{t=i+1}^T b_β^{t-1-i} b_α^{T-t}``,
    so that ``⟨K, K'⟩_F = Σ_{αβ} ⟨M^{αβ}, M'^{αβ}⟩_F`` for a square aligned
    network on whitened data.

    Parameters
    ----------
    a, b, c : float or array_like, shape (N,)
        Input, recurrent and output modes (broadcast).
    T : int
        Trajectory length, ``T >= 1``.

    Returns
    -------
    M : ndarray, shape (N, N, T, T) indexed [α, β, t, t'].

    Raises
    ------
    TypeError
        If ``T`` is not an integer or a mode array is not real numeric.
    ValueError
        If ``T < 1``, or a mode array is not 0-D/1-D, empty, not finite or does not broadcast.

    Examples
    --------
    >>> from lrnn_theory.ntk import ntk_aligned
    >>> ntk_aligned([0.5, 1.0], [0.3, 0.8], [0.7, 1.2], T=3).shape
    (2, 2, 3, 3)
    >>> ntk_aligned(1.0, 0.5, 2.0, T=1).tolist()  # T = 1: c² + a²
    [[[[5.0]]]]
    """
    T = check_int("T", T, minimum=1)
    a, b, c = _modes("modes", (a, b, c))
    t = np.arange(1, T + 1)
    g = b[:, None] ** (T - t)  # (N, T)
    # w[α, β, i] = a_β Σ_{t=i+1}^{T} b_β^{t-1-i} b_α^{T-t}
    w = np.zeros((a.size, a.size, T))
    for i in range(1, T + 1):
        for tt in range(i + 1, T + 1):
            w[:, :, i - 1] += b[None, :] ** (tt - 1 - i) * b[:, None] ** (T - tt)
    w *= a[None, :, None]
    gg = np.einsum("at,au->atu", g, g)
    M = (c[:, None, None, None] ** 2) * gg[:, None] + (c[:, None, None, None] ** 2) * np.einsum("abt,abu->abtu", w, w) \
        + (a[None, :, None, None] ** 2) * gg[None, :]
    return M


def aligned_inner(modes0, modes1, T: int) -> float:
    """``⟨K(modes0), K(modes1)⟩_F`` of two aligned networks from their modes (theory guide :ref:`theory-ntk-aligned`).

    Sum convention, square network on exactly whitened data.

    Parameters
    ----------
    modes0, modes1 : tuple (a, b, c)
        Mode values, each a scalar or an array of shape (N,).
    T : int
        Trajectory length, ``T >= 1``.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``modes0``/``modes1`` are not 3-tuples of real numbers or arrays, or ``T`` not an integer.
    ValueError
        If the numbers of modes differ, or as :func:`ntk_aligned`.

    Examples
    --------
    Against the full kernel of the diagonal network on the canonical whitened inputs
    (one-hot over the ``T n`` coordinates):

    >>> import numpy as np
    >>> from lrnn_theory.ntk import aligned_inner, ntk
    >>> a, b, c, T = np.array([0.5, 1.0]), np.array([0.3, 0.8]), np.array([0.7, 1.2]), 3
    >>> X = np.eye(T * 2).reshape(T * 2, T, 2)
    >>> K = ntk(np.diag(a), np.diag(b), np.diag(c), X)
    >>> bool(np.isclose(aligned_inner((a, b, c), (a, b, c), T), np.sum(K * K), rtol=1e-12))
    True
    """
    M0 = ntk_aligned(*_modes("modes0", modes0), T)
    M1 = ntk_aligned(*_modes("modes1", modes1), T)
    if M0.shape != M1.shape:
        raise ValueError("modes0 and modes1 must have the same number of modes")
    return float(np.sum(M0 * M1))


def kernel_distance_aligned(modes0, modes1, T: int) -> float:
    """Kernel distance between two aligned networks from their modes (theory guide :ref:`theory-ntk-aligned`, :ref:`theory-kernel-distance`).

    For ``T = 1`` and all modes equal (or a single mode) every aligned kernel is a
    rescaling of the same matrix and the distance is exactly 0.

    Parameters
    ----------
    modes0, modes1 : tuple (a, b, c)
        Mode values, each a scalar or an array of shape (N,).
    T : int
        Trajectory length, ``T >= 1``.

    Returns
    -------
    float
        ``D_K`` of :func:`kernel_distance`.

    Raises
    ------
    TypeError, ValueError
        As :func:`aligned_inner`.

    Examples
    --------
    >>> from lrnn_theory.ntk import kernel_distance_aligned
    >>> kernel_distance_aligned((0.5, 0.3, 0.7), (1.0, 0.15, 1.2), T=1)
    0.0
    >>> 0 < kernel_distance_aligned((0.1, 0.1, 0.1), (1.0, 0.8, 1.0), T=4) < 1
    True
    """
    k01 = aligned_inner(modes0, modes1, T)
    k00 = aligned_inner(modes0, modes0, T)
    k11 = aligned_inner(modes1, modes1, T)
    return float(1.0 - k01 / np.sqrt(k00 * k11))


@dataclass(frozen=True)
class KernelMovement:
    """Outcome of the kernel-movement experiment of theory guide :ref:`theory-ntk-experiment`.

    Attributes
    ----------
    distance : float
        ``D_K`` between the initial and final NTK on the training inputs.
    final_loss : float
        Loss (sum convention) at the end of training.
    steps : int
        Gradient-descent steps taken.
    converged : bool
        The loss reached ``stop_loss``.
    stalled : bool
        Not converged: training stopped on a plateau (theory guide :ref:`theory-ntk-experiment` shows such
        cells as NaN); ``distance`` is then that of the stalled network.

    Returned by :func:`kernel_movement` and :func:`rotational_kernel_movement`.

    Examples
    --------
    >>> from lrnn_theory.ntk import KernelMovement
    >>> mv = KernelMovement(distance=0.1, final_loss=1e-9, steps=100, converged=True, stalled=False)
    >>> mv.converged and not mv.stalled
    True
    """

    distance: float
    final_loss: float
    steps: int
    converged: bool
    stalled: bool


def kernel_movement(sigma: float, T: int, *, aligned: bool, seed: int = 0, n: int = 4, n_samples: int = 64,
                    max_steps: int = 300_000, stop_loss: float = 1e-8) -> KernelMovement:
    """Kernel movement during training on the constant task (theory guide :ref:`theory-ntk-experiment`).

    Constant dynamics ``s_{α,t} = 1`` on all ``n`` modes, ``N_x = N_h = N_y = n``,
    exactly whitened data (``P = n_samples``, sum convention), gradient descent
    with ``η = 0.02/T`` until the loss falls below ``stop_loss`` or ``max_steps``.
    Aligned init: all modes ``a = b = c = σ`` with random ``U_y, V_x, R``;
    unaligned: i.i.d. ``N(0, σ²/N_in)`` entries.  Training uses
    :func:`lrnn_theory.simulate_gd`; the kernels are :func:`ntk` at the
    initial and final weights.  Proca et al. (2025), the tangent-kernel section.

    Parameters
    ----------
    sigma : float
        Initial scale ``σ > 0``.
    T : int
        Trajectory length, ``T >= 1``.
    aligned : bool
        Aligned or unaligned (random) initialisation.
    seed : int
        Seed of the dataset (the initialisation uses ``seed + 1``).
    n : int
        Network and mode size.
    n_samples : int
        ``P``; at least ``T n`` for exact whitening.
    max_steps : int
        Step budget.
    stop_loss : float
        Loss (sum convention) at which training stops.

    Returns
    -------
    KernelMovement

    Raises
    ------
    TypeError
        If an argument has the wrong type (``aligned`` must be a bool).
    ValueError
        If ``sigma``/``stop_loss`` are not positive, ``T``, ``n`` or ``max_steps`` are ``< 1``,
        ``seed`` is negative, or ``n_samples < T n``.

    Examples
    --------
    The kernel of an aligned initialisation moves less than that of a random one:

    >>> from lrnn_theory.ntk import kernel_movement
    >>> al = kernel_movement(0.5, 2, aligned=True, n=2, n_samples=8, max_steps=3000)
    >>> rd = kernel_movement(0.5, 2, aligned=False, n=2, n_samples=8, max_steps=3000)
    >>> al.converged, rd.converged, bool(al.distance < rd.distance)
    (True, True, True)
    """
    from . import tasks
    from .data import make_dataset
    from .sim import simulate_gd

    sigma = check_positive_float("sigma", sigma)
    T = check_int("T", T, minimum=1)
    seed = check_seed("seed", seed)
    n = check_int("n", n, minimum=1)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    stop_loss = check_positive_float("stop_loss", stop_loss)
    if not isinstance(aligned, (bool, np.bool_)):
        raise TypeError(f"aligned must be a bool, got {aligned!r}")
    S = np.ones((n, T)) * tasks.constant(T, 1.0)
    data = make_dataset(S, n, n, n_samples, seed=seed, convention="sum")
    run = simulate_gd(data, n, lr=0.02 / T, steps=max_steps, init="aligned" if aligned else "random",
                      scale=sigma, seed=seed + 1, record_every=max_steps, stop_loss=stop_loss)
    K0 = ntk(run.W_x[0], run.W_h[0], run.W_y[0], data.X)
    K1 = ntk(run.W_x[-1], run.W_h[-1], run.W_y[-1], data.X)
    converged = bool(run.loss[-1] <= stop_loss)
    return KernelMovement(distance=kernel_distance(K0, K1), final_loss=float(run.loss[-1]), steps=int(run.step[-1]),
                          converged=converged, stalled=not converged and not run.diverged)


def _complex_modes(name, modes):
    if not isinstance(modes, (tuple, list)) or len(modes) != 3:
        raise TypeError(f"{name} must be a tuple (a, b, c) of per-mode arrays")
    vals = [as_float_array(f"{name}[{i}]", v, ndim=(0, 1), allow_complex=True).astype(complex)
            for i, v in enumerate(modes)]
    return np.broadcast_arrays(*(np.atleast_1d(v) for v in vals))


def _block_weights(a, b, c, n_complex: int, n: int):
    """Canonical block-aligned weights (Q = R = I): W_x (d, n), W_h (d, d), W_y (n, d)."""
    from .data import block_dynamics

    m = a.size
    real = lambda v: v[n_complex:, None].real if m > n_complex else None  # noqa: E731
    A, B, C = (block_dynamics(v[:n_complex, None], real(v))[0] for v in (a, b, c))
    d = A.shape[0]
    Wx = np.zeros((d, n))
    Wx[:, :d] = A
    Wy = np.zeros((n, d))
    Wy[:d] = C
    return Wx, B, Wy


def kernel_distance_complex(modes0, modes1, T: int, *, n_complex: int | None = None, n: int | None = None) -> float:
    """Kernel distance between two block-aligned networks with complex modes (theory guide :ref:`theory-complex-ntk`).

    A network aligned to a dataset of :func:`lrnn_theory.data.make_rotational_dataset`
    holds each complex mode ``(a, b, c)`` as 2×2 Schur blocks
    (:func:`lrnn_theory.tasks.schur_block`) and each real mode as 1×1 blocks.
    On any exactly whitened dataset its tangent kernel is ``O K_c Oᵀ`` with
    ``O`` having orthonormal columns, and the kernel of the rotated network
    ``(R W_x Qᵀ, R W_h Rᵀ, Q W_y Rᵀ)`` is ``(I ⊗ Q) K (I ⊗ Q)ᵀ``, so Frobenius
    products, hence ``D_K``, depend only on the modes, ``T`` and the
    input/output size ``n``.  This function evaluates them with
    :func:`ntk` on the canonical whitened inputs (one-hot over the ``T n``
    coordinates) and the block weights in the standard basis.

    Parameters
    ----------
    modes0, modes1 : tuple (a, b, c)
        Mode values, each a scalar or array of shape (m,), complex allowed.
    T : int
        Trajectory length.
    n_complex : int, optional
        Number of complex modes (the first ones; default all ``m``); the
        others must be real.
    n : int, optional
        Input = output size of the network (default ``2 n_complex + m_r``);
        unused input/output directions still enter the kernel.

    Returns
    -------
    float
        ``D_K = 1 - ⟨K0, K1⟩_F / (‖K0‖_F ‖K1‖_F)``.

    Raises
    ------
    TypeError
        If ``modes0``/``modes1`` are not 3-tuples of numbers, ``T``, ``n`` or ``n_complex`` not integers.
    ValueError
        If the numbers of modes differ, ``n_complex > m``, a real mode has a
        non-zero imaginary part, ``n`` is too small, or a kernel is zero.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.ntk import kernel_distance_complex
    >>> lam = np.exp(1j * np.pi / 12)
    >>> d = kernel_distance_complex((0.1, 0.1, 0.1), (1.0, lam, 1.0), T=4)
    >>> 0 < d < 1
    True
    >>> kernel_distance_complex((0.1, 0.1, 0.1), (1.0, 0.1, 1.0), T=1)  # T = 1: a rescaling, up to rounding
    0.0
    """
    T = check_int("T", T, minimum=1)
    a0, b0, c0 = _complex_modes("modes0", modes0)
    a1, b1, c1 = _complex_modes("modes1", modes1)
    m = a0.size
    if a1.size != m:
        raise ValueError(f"modes0 and modes1 must have the same number of modes, got {m} and {a1.size}")
    n_complex = m if n_complex is None else check_int("n_complex", n_complex, minimum=0, maximum=m)
    for name, vals in (("modes0", (a0, b0, c0)), ("modes1", (a1, b1, c1))):
        if any(np.any(v[n_complex:].imag != 0) for v in vals):
            raise ValueError(f"{name} must be real on the real modes (indices >= n_complex = {n_complex})")
    d = 2 * n_complex + (m - n_complex)
    n = d if n is None else check_int("n", n, minimum=1)
    if n < d:
        raise ValueError(f"n must be >= 2 n_complex + n_real = {d}, got {n}")
    X = np.eye(T * n).reshape(T * n, T, n)
    K0 = ntk(*_block_weights(a0, b0, c0, n_complex, n), X)
    K1 = ntk(*_block_weights(a1, b1, c1, n_complex, n), X)
    return max(kernel_distance(K0, K1), 0.0)


def rotational_kernel_movement(sigma: float, T: int, *, lam=np.exp(1j * np.pi / 12), delta=1.0, seed: int = 0,
                               n_samples: int | None = None, max_steps: int = 300_000,
                               stop_loss: float = 1e-8) -> KernelMovement:
    """Kernel movement during training on a rotational task (theory guide :ref:`theory-complex-ntk`).

    One complex mode ``s_t = δ λ^{T-t}`` (:func:`lrnn_theory.tasks.rotational`)
    held as a 2×2 Schur block, ``N_x = N_h = N_y = 2``, exactly whitened data
    (:func:`lrnn_theory.data.make_rotational_dataset`, sum convention),
    aligned initialisation ``a = b = c = σ`` (real) and gradient descent with
    ``η = 0.02/T`` until the loss is below ``stop_loss`` or ``max_steps``, as
    :func:`kernel_movement` for real tasks.  The kernels are :func:`ntk` on the
    training inputs at the initial and final weights; from the recovered modes
    the same distance is :func:`kernel_distance_complex`.

    Parameters
    ----------
    sigma : float
        Initial mode value ``σ > 0``.
    T : int
        Trajectory length.
    lam, delta : complex
        Task dynamics and scale (default ``λ = e^{iπ/12}``, ``δ = 1``).
    seed : int
        Seed of the dataset (the initialisation uses ``seed + 1``).
    n_samples : int, optional
        ``P`` (default ``max(64, 2T)``, at least ``2T`` for exact whitening).
    max_steps : int
        Step budget.
    stop_loss : float
        Loss (sum convention) at which training stops.

    Returns
    -------
    KernelMovement

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range (named in the message).

    Examples
    --------
    >>> from lrnn_theory.ntk import rotational_kernel_movement
    >>> mv = rotational_kernel_movement(0.5, 2, max_steps=4000)
    >>> mv.converged, round(mv.distance, 2)
    (True, 0.13)
    """
    from . import tasks
    from .data import make_rotational_dataset
    from .sim import simulate_gd

    sigma = check_positive_float("sigma", sigma)
    T = check_int("T", T, minimum=1)
    seed = check_seed("seed", seed)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    stop_loss = check_positive_float("stop_loss", stop_loss)
    P = max(64, 2 * T) if n_samples is None else check_int("n_samples", n_samples, minimum=2 * T)
    s = tasks.rotational(T, delta, lam)
    if s.ndim != 1:
        raise ValueError(f"lam and delta must be scalars, got task shape {s.shape}")
    data = make_rotational_dataset(s, P, seed=seed, convention="sum")
    run = simulate_gd(data, 2, lr=0.02 / T, steps=max_steps, scale=sigma, seed=seed + 1, record_every=max_steps,
                      stop_loss=stop_loss)
    K0 = ntk(run.W_x[0], run.W_h[0], run.W_y[0], data.X)
    K1 = ntk(run.W_x[-1], run.W_h[-1], run.W_y[-1], data.X)
    converged = bool(run.loss[-1] <= stop_loss)
    return KernelMovement(distance=kernel_distance(K0, K1), final_loss=float(run.loss[-1]), steps=int(run.step[-1]),
                          converged=converged, stalled=not converged and not run.diverged)
