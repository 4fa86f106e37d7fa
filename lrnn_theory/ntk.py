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
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused by the caller
        H = hidden_states(W_x, W_h, W_y, X)
    return W_x, W_h, W_y, X, H


def _finite_kernel(K, T):
    if not np.all(np.isfinite(K)):
        raise ValueError(f"W_h and X: the tangent kernel overflows float64 (powers of W_h over T = {T} steps, "
                         "or weights/inputs too large)")
    return K


def ntk(W_x, W_h, W_y, X, *, convention: str = "sum") -> np.ndarray:
    """Empirical NTK in closed form (theory guide :ref:`theory-ntk-closed-form`).

    .. math::

        K_{(p,m),(q,n)} = \\sum_{t,t'} [A_t A_{t'}^T]_{mn}
        (x_{p,t}^T x_{q,t'} + h_{p,t}^T h_{q,t'}) + δ_{mn} h_{p,T+1}^T h_{q,T+1},

    with ``A_t = W_y W_h^{T-t}`` and forward states ``h_{p,1} = 0``.  Evaluated as ``J Jᵀ``
    (:func:`ntk_jacobian`) when the Jacobian is smaller than the ``(T, T, P, P)`` input Gram
    tensor of the closed form (memory of the result plus ``P N_y × n_params``), otherwise by
    the closed form; the two agree to rounding.

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
        finite, ``convention`` is unknown, or the kernel overflows float64 (``‖W_h‖ > 1`` over
        many steps; :func:`kernel_distance_complex` is scale-safe).

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
    P, T, n_x = X.shape
    n_y, n_h = W_y.shape
    with np.errstate(over="ignore", invalid="ignore"):
        if P * n_y * (n_h * n_x + n_h * n_h + n_y * n_h) < T * T * (P * P + n_y * n_y):
            # K = J Jᵀ: memory of the result plus the Jacobian, no (T, T, P, P) tensor
            J = _jacobian(W_h, W_y, X, H)
            K = J @ J.T
        else:
            A = _sensitivities(W_h, W_y, T)
            AA = np.einsum("amh,bnh->abmn", A, A)
            G = np.einsum("pax,qbx->abpq", X, X) + np.einsum("pah,qbh->abpq", H[:, :T], H[:, :T])
            K = np.einsum("abmn,abpq->pmqn", AA, G, optimize=True)
            K += np.einsum("mn,pq->pmqn", np.eye(n_y), H[:, T] @ H[:, T].T)
    K = _finite_kernel(K.reshape(P * n_y, P * n_y), T)
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
    with np.errstate(over="ignore", invalid="ignore"):
        J = _jacobian(W_h, W_y, X, H)
    return _finite_kernel(J, X.shape[1])


def _jacobian(W_h, W_y, X, H):
    """The analytic Jacobian of :func:`ntk_jacobian` (validated inputs, hidden states ``H``)."""
    P, T, _ = X.shape
    n_y = W_y.shape[0]
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
    m0, m1 = float(np.max(np.abs(K0))), float(np.max(np.abs(K1)))
    if m0 == 0 or m1 == 0:
        raise ValueError("kernel_distance is undefined for a zero kernel (all weights zero)")
    if not all(1e-100 < m < 1e100 for m in (m0, m1)):  # squares near the float64 range: D_K is scale-free
        K0, K1 = K0 / m0, K1 / m1
    n0, n1 = np.linalg.norm(K0), np.linalg.norm(K1)
    return float(1.0 - np.sum(K0 * K1) / (n0 * n1))


def _modes(name, modes, names=None):
    """Per-mode arrays ``(a, b, c)``, broadcast; errors name ``name[i]``, or ``names[i]`` when the caller
    took a, b and c as separate arguments."""
    if not isinstance(modes, (tuple, list)) or len(modes) != 3:
        raise TypeError(f"{name} must be a tuple (a, b, c) of per-mode arrays")
    names = names or [f"{name}[{i}]" for i in range(3)]
    a, b, c = (as_float_array(n, v, ndim=(0, 1)) for n, v in zip(names, modes))
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
        If ``T < 1``, a mode array is not 0-D/1-D, empty, not finite or does not broadcast, or
        ``M`` overflows float64 (``|b| > 1``, large ``T``).

    Examples
    --------
    >>> from lrnn_theory.ntk import ntk_aligned
    >>> ntk_aligned([0.5, 1.0], [0.3, 0.8], [0.7, 1.2], T=3).shape
    (2, 2, 3, 3)
    >>> ntk_aligned(1.0, 0.5, 2.0, T=1).tolist()  # T = 1: c² + a²
    [[[[5.0]]]]
    """
    T = check_int("T", T, minimum=1)
    a, b, c = _modes("modes", (a, b, c), names=("a", "b", "c"))
    with np.errstate(over="ignore", invalid="ignore"):
        g, w = _aligned_vectors(a, b, T)
        gg = np.einsum("at,au->atu", g, g)
        M = (c[:, None, None, None] ** 2) * gg[:, None] + (c[:, None, None, None] ** 2) * np.einsum("abt,abu->abtu", w, w) \
            + (a[None, :, None, None] ** 2) * gg[None, :]
    if not np.all(np.isfinite(M)):
        raise ValueError(f"b: M overflows float64 (|b|^(2T) with T = {T}, max |b| = {float(np.max(np.abs(b)))!r}); "
                         "kernel_distance_aligned stays finite")
    return M


def _aligned_vectors(a, b, T: int, scale: float = 1.0):
    """``g`` (N, T) and ``w`` (N, N, T) of :func:`ntk_aligned`, both times ``scale^{-(T-1)}`` with ``b``
    divided by ``scale`` (``scale >= max|b|`` keeps every power bounded).

    ``(g_α)_t = b_α^{T-t}``; ``(w_{αβ})_i = a_β h_{T-i}(b_α, b_β)`` with ``h_L = Σ_{j<L} b_β^{L-1-j} b_α^j``,
    ``h_0 = 0``, ``h_{L+1} = b_β h_L + b_α^L``: ``O(N² T)`` work.  Scaled: ``(g)_t`` is
    ``(b/scale)^{T-t} scale^{-(t-1)}`` and ``(w)_i`` is ``a_β h_{T-i}(b/scale) scale^{-i}`` (``h_L`` is
    homogeneous of degree ``L-1``).
    """
    bs = b / scale
    t = np.arange(1, T + 1)
    g = bs[:, None] ** (T - t)  # (N, T)
    h = np.zeros((b.size, b.size, T))  # h[:, :, L] = h_L(b_α, b_β), scaled
    pa = np.ones(b.size)  # b_α^L (scaled)
    for L in range(T - 1):
        h[:, :, L + 1] = bs[None, :] * h[:, :, L] + pa[:, None]
        pa = pa * bs
    w = h[:, :, ::-1] * a[None, :, None]  # index i - 1 = T - 1 - L
    if scale != 1.0:
        w = w * scale ** (-t.astype(float))[None, None, :]
        g = g * scale ** (1.0 - t)[None, :]  # b^{T-t} s^{-(T-1)} = (b/s)^{T-t} s^{-(t-1)}
    return g, w


def _aligned_inner_scaled(m0, m1, T: int, s0: float, s1: float) -> float:
    """``⟨K0, K1⟩_F`` (:func:`aligned_inner`) times ``s0^{-2(T-1)} s1^{-2(T-1)}``, with no ``(N, N, T, T)`` array.

    Each ``M^{αβ}`` is a sum of three rank-one terms ``k x xᵀ``, so ``⟨M0, M1⟩_F = Σ k0 k1 (x0·x1)²``.
    """
    (a0, b0, c0), (a1, b1, c1) = m0, m1
    g0, w0 = _aligned_vectors(a0, b0, T, s0)
    g1, w1 = _aligned_vectors(a1, b1, T, s1)
    G = g0 @ g1.T  # g0_α·g1_β
    d = np.diag(G)
    ca, cb = (c0 * c0 * c1 * c1)[:, None], (c0 * c0)[:, None] * (a1 * a1)[None, :]
    ac, aa = (a0 * a0)[None, :] * (c1 * c1)[:, None], (a0 * a0 * a1 * a1)[None, :]
    total = (ca * (d[:, None] ** 2 + np.einsum("at,abt->ab", g0, w1) ** 2 + np.einsum("abt,at->ab", w0, g1) ** 2
                   + np.einsum("abt,abt->ab", w0, w1) ** 2)
             + cb * (G ** 2 + np.einsum("abt,bt->ab", w0, g1) ** 2)
             + ac * (G.T ** 2 + np.einsum("bt,abt->ab", g0, w1) ** 2)
             + aa * d[None, :] ** 2)
    return float(np.sum(total))


def _both_modes(modes0, modes1):
    m0, m1 = _modes("modes0", modes0), _modes("modes1", modes1)
    if m0[0].size != m1[0].size:
        raise ValueError(f"modes0 and modes1 must have the same number of modes, got {m0[0].size} and {m1[0].size}")
    return m0, m1


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
        If the numbers of modes differ, as :func:`ntk_aligned`, or if the product overflows float64
        (``|b| > 1`` and large ``T``; :func:`kernel_distance_aligned` is scale-free and stays finite).

    Notes
    -----
    Each ``M^{αβ}`` of :func:`ntk_aligned` is a sum of three rank-one terms ``k x xᵀ``, so the
    product is ``Σ k0 k1 (x0·x1)²``: ``O(N² T)`` work and memory instead of the ``(N, N, T, T)``
    matrices.

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
    T = check_int("T", T, minimum=1)
    m0, m1 = _both_modes(modes0, modes1)
    with np.errstate(over="ignore", invalid="ignore"):
        value = _aligned_inner_scaled(m0, m1, T, 1.0, 1.0)
    if not np.isfinite(value):
        raise ValueError(f"modes0 and modes1: ⟨K0, K1⟩_F overflows float64 (|b|^(4T) with T = {T}); "
                         "kernel_distance_aligned stays finite")
    return value


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
        As :func:`aligned_inner`; ``ValueError`` also for a zero kernel (all ``a`` and ``c`` of one
        network zero), as :func:`kernel_distance`.  The powers of ``b`` are scaled by ``max(1, max|b|)``
        (the distance does not depend on the scale of a kernel), so ``|b|^T`` never overflows.

    Examples
    --------
    >>> from lrnn_theory.ntk import kernel_distance_aligned
    >>> kernel_distance_aligned((0.5, 0.3, 0.7), (1.0, 0.15, 1.2), T=1)
    0.0
    >>> 0 < kernel_distance_aligned((0.1, 0.1, 0.1), (1.0, 0.8, 1.0), T=4) < 1
    True
    """
    T = check_int("T", T, minimum=1)
    m0, m1 = _both_modes(modes0, modes1)
    s0, s1 = (max(1.0, float(np.max(np.abs(m[1])))) for m in (m0, m1))  # powers of b/s stay <= 1
    with np.errstate(over="ignore", invalid="ignore"):
        k01 = _aligned_inner_scaled(m0, m1, T, s0, s1)
        k00 = _aligned_inner_scaled(m0, m0, T, s0, s0)
        k11 = _aligned_inner_scaled(m1, m1, T, s1, s1)
    if not all(np.isfinite(v) for v in (k00, k01, k11)):
        raise ValueError("modes0 and modes1: the kernel inner products overflow float64 (mode values too large)")
    if k00 == 0 or k11 == 0:
        raise ValueError("kernel_distance_aligned is undefined for a zero kernel: modes0 and modes1 need a non-zero a or c")
    return float(min(max(1.0 - k01 / np.sqrt(k00) / np.sqrt(k11), 0.0), 1.0))


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


def _block_matrix(v, n_complex: int) -> np.ndarray:
    """Block-diagonal real matrix: Schur blocks ``[[Re z, -Im z], [Im z, Re z]]`` of the first ``n_complex``
    values, then the real values on the diagonal."""
    m = v.size
    d = 2 * n_complex + (m - n_complex)
    M = np.zeros((d, d))
    k = 2 * np.arange(n_complex)
    z = v[:n_complex]
    M[k, k], M[k, k + 1], M[k + 1, k], M[k + 1, k + 1] = z.real, -z.imag, z.imag, z.real
    idx = np.arange(2 * n_complex, d)
    M[idx, idx] = v[n_complex:].real
    return M


def _block_weights(a, b, c, n_complex: int, n: int):
    """Canonical block-aligned weights (Q = R = I): W_x (d, n), W_h (d, d), W_y (n, d)."""
    A, B, C = (_block_matrix(v, n_complex) for v in (a, b, c))
    d = A.shape[0]
    Wx = np.zeros((d, n))
    Wx[:, :d] = A
    Wy = np.zeros((n, d))
    Wy[:d] = C
    return Wx, B, Wy


def _onehot_gram(nets, T: int):
    """Gram matrices ``G_ij = J_iᵀ J_j`` of the tangent-kernel Jacobians of ``nets`` (each ``(W_x, W_h, W_y)``)
    on the canonical whitened inputs (one-hot over the ``T n`` coordinates), each ``J_i`` scaled by a constant.

    Input ``p = (t0, j0)`` is ``e_{j0}`` at step ``t0``; with ``R = T - t0`` its Jacobian rows are
    ``∂ŷ_m/∂W_x[i, j] = [W_y W_h^R]_{mi} δ_{j j0}``, ``∂ŷ_m/∂W_h = F_R[m] = Σ_{r<R} (W_y W_h^{R-1-r})_{m·} ⊗ (W_h^r W_x)_{· j0}``
    and ``∂ŷ_m/∂W_y[m', j] = δ_{mm'} (W_h^R W_x)_{j j0}``, with ``F_{R+1} = (I ⊗ W_h) F_R + (W_y W_h^R) ⊗ W_x``:
    one pass over ``R`` accumulates ``Σ_p J_pᵀ J_p`` in memory independent of ``T``.  ``W_h`` is divided by
    ``ρ = max(1, ‖W_h‖₂)`` and block ``R`` multiplied by ``ρ^{R-T}`` (a constant factor ``ρ^{-T}`` of ``J``,
    which leaves the kernel distance unchanged), so nothing overflows for any ``|b|`` and ``T``.
    """
    prepared = []
    for Wx, Wh, Wy in nets:
        rho = max(1.0, float(np.linalg.norm(Wh, 2)))
        prepared.append((Wx, Wh / rho, Wy, rho))
    n_y, d = prepared[0][2].shape
    n = prepared[0][0].shape[1]
    eye_y = np.eye(n_y)
    state = [[Wy.copy(), Wx.copy(), np.zeros((n_y, d, d, n))] for Wx, _, Wy, _ in prepared]  # A_R, B_R, F_R
    G = np.zeros((len(nets), len(nets), d * n + d * d + n_y * d, d * n + d * d + n_y * d))
    for R in range(T):
        rows = []
        for (Wx, Wh, _Wy, rho), st in zip(prepared, state):
            A, B, F = st
            f = rho ** (R - T)
            Jx = np.einsum("mi,jk->kmij", A, np.eye(n)).reshape(n, n_y, d * n)  # [j0, m, (i, j)]
            Jh = (F.transpose(3, 0, 1, 2) / rho).reshape(n, n_y, d * d)  # [j0, m, (i, j)]
            Jy = np.einsum("mq,jk->kmqj", eye_y, B).reshape(n, n_y, n_y * d)  # [j0, m, (m', j)]
            rows.append(f * np.concatenate([Jx, Jh, Jy], axis=-1).reshape(n * n_y, -1))
            st[2] = np.einsum("ij,mkjq->mkiq", Wh, F) + np.einsum("mk,iq->mkiq", A, Wx)  # F_{R+1} (scaled W_h)
            st[0], st[1] = A @ Wh, Wh @ B
        for i, Ji in enumerate(rows):
            for j, Jj in enumerate(rows):
                G[i, j] += Ji.T @ Jj
    return G


def _frobenius(x) -> float:
    """``‖x‖_F`` without overflow or underflow of the squares."""
    m = float(np.max(np.abs(x))) if x.size else 0.0
    return 0.0 if m == 0 else m * float(np.sqrt(np.sum((x / m) ** 2)))


def kernel_distance_complex(modes0, modes1, T: int, *, n_complex: int | None = None, n: int | None = None) -> float:
    """Kernel distance between two block-aligned networks with complex modes (theory guide :ref:`theory-complex-ntk`).

    A network aligned to a dataset of :func:`lrnn_theory.data.make_rotational_dataset`
    holds each complex mode ``(a, b, c)`` as 2×2 Schur blocks
    (:func:`lrnn_theory.tasks.schur_block`) and each real mode as 1×1 blocks.
    On any exactly whitened dataset its tangent kernel is ``O K_c Oᵀ`` with
    ``O`` having orthonormal columns, and the kernel of the rotated network
    ``(R W_x Qᵀ, R W_h Rᵀ, Q W_y Rᵀ)`` is ``(I ⊗ Q) K (I ⊗ Q)ᵀ``, so Frobenius
    products, hence ``D_K``, depend only on the modes, ``T`` and the
    input/output size ``n``.  This function evaluates them for the block
    weights in the standard basis on the canonical whitened inputs (one-hot
    over the ``T n`` coordinates) without forming a kernel:
    ``⟨K0, K1⟩_F = ‖J0ᵀJ1‖_F²`` with the Gram matrices ``JᵀJ`` (the number of
    weights squared) accumulated over the ``T`` input times by a recursion
    over powers of ``W_h`` (its work is linear in ``T``, its memory does not
    grow with ``T``; the result is the same as :func:`kernel_distance` of the
    two :func:`ntk` kernels, to rounding).  ``W_h`` is scaled by
    ``max(1, ‖W_h‖₂)``, so no ``|b|^T`` overflows.  With ``n_complex=0`` every
    mode is real and the networks are the diagonal aligned networks of
    :func:`kernel_distance_aligned`.

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
        non-zero imaginary part, ``n`` is too small, a kernel is zero (all ``a``
        and ``c`` zero) or the kernels overflow float64.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.ntk import kernel_distance_aligned, kernel_distance_complex
    >>> lam = np.exp(1j * np.pi / 12)
    >>> d = kernel_distance_complex((0.1, 0.1, 0.1), (1.0, lam, 1.0), T=4)
    >>> 0 < d < 1
    True
    >>> round(kernel_distance_complex((0.1, 0.1, 0.1), (1.0, 0.1, 1.0), T=1), 12)  # T = 1: a rescaling, up to rounding
    0.0
    >>> d = kernel_distance_complex((0.1, 0.1, 0.1), (1.0, 0.8, 1.0), T=4, n_complex=0)  # real modes only
    >>> bool(abs(d - kernel_distance_aligned((0.1, 0.1, 0.1), (1.0, 0.8, 1.0), T=4)) < 1e-12)
    True
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
    G = _onehot_gram([_block_weights(a0, b0, c0, n_complex, n), _block_weights(a1, b1, c1, n_complex, n)], T)
    n00, n11, n01 = _frobenius(G[0, 0]), _frobenius(G[1, 1]), _frobenius(G[0, 1])
    if not all(np.isfinite(v) for v in (n00, n11, n01)):
        raise ValueError("modes0 and modes1: the kernels overflow float64 (mode values too large)")
    if n00 == 0 or n11 == 0:
        raise ValueError("kernel_distance_complex is undefined for a zero kernel: modes0 and modes1 need a non-zero a or c")
    return float(min(max(1.0 - (n01 / n00) * (n01 / n11), 0.0), 1.0))


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
