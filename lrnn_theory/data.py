"""Datasets built exactly to the theory's assumptions (theory guide :ref:`theory-dataset-construction`).

:func:`make_dataset` draws inputs that are *exactly* whitened jointly over
all steps and dimensions (assumption A1) and targets whose input–output
correlations are ``U_y S_t V_xᵀ`` with fixed singular vectors (A2), so that
an aligned network's loss is ``Σ_α E_α`` with no constant term.

Conventions (theory guide :ref:`theory-conventions`): ``"normalised"`` (default) whitens
``(1/P) Σ_p x_{p,t} x_{p,t'}ᵀ = δ_{tt'} I`` and uses the loss
``(1/2P) Σ_p ‖e_p‖²``; ``"sum"`` whitens ``Σ_p x x ᵀ = δ I`` with
``½ Σ_p ‖e_p‖²``.  Both give ``τ = 1/η``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_choice, check_int, check_seed
from .conventions import CONVENTIONS

__all__ = ["Dataset", "block_dynamics", "make_dataset", "make_rotational_dataset", "orthonormal_columns"]


@dataclass(frozen=True)
class Dataset:
    """Training data of a single-output linear RNN.

    Attributes
    ----------
    X : ndarray, shape (P, T, N_x)
        Inputs; ``X[p, t-1]`` is the input of step ``t``.
    Y : ndarray, shape (P, N_y)
        Final targets.
    convention : {"normalised", "sum"}
        Loss/whitening convention (theory guide :ref:`theory-conventions`).
    U_y : ndarray, shape (N_y, m), or None
        Output singular vectors (datasets of :func:`make_dataset`).
    V_x : ndarray, shape (N_x, m), or None
        Input singular vectors.
    S : ndarray, shape (m, T), or None
        Task dynamics, ``S[α, t-1] = s_{α,t}``.
    whitened : bool
        Inputs exactly whitened in the dataset's convention.
    seed : int or None
        Seed the dataset was drawn with.
    n_complex : int
        Number of complex modes (datasets of :func:`make_rotational_dataset`,
        theory guide :ref:`theory-complex-dataset`): then ``S`` is complex, its
        first ``n_complex`` rows are complex modes, each held as a 2×2 real
        Schur block on two consecutive columns of ``U_y = V_x``, and the other
        rows are real modes on one column each.  0 for real datasets.

    Properties ``n_samples`` (``P``), ``T``, ``n_x``, ``n_y``, ``n_modes`` and ``weight``
    (``1/P`` or 1); :meth:`correlations` returns the correlations in the dataset's convention
    and :meth:`from_arrays` wraps arbitrary data.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.data import Dataset
    >>> data = Dataset.from_arrays(np.ones((2, 3, 1)), np.zeros((2, 1)))
    >>> data.T, data.n_x, data.n_modes, data.weight  # normalised convention: weight 1/P
    (3, 1, 0, 0.5)
    """

    X: np.ndarray
    Y: np.ndarray
    convention: str = "normalised"
    U_y: np.ndarray | None = None
    V_x: np.ndarray | None = None
    S: np.ndarray | None = None
    whitened: bool = False
    seed: int | None = None
    n_complex: int = 0

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def T(self) -> int:
        return self.X.shape[1]

    @property
    def n_x(self) -> int:
        return self.X.shape[2]

    @property
    def n_y(self) -> int:
        return self.Y.shape[1]

    @property
    def n_modes(self) -> int:
        """Number of prescribed modes ``m`` (0 for arbitrary data)."""
        return 0 if self.S is None else self.S.shape[0]

    @property
    def weight(self) -> float:
        """Per-sample loss weight: ``1/P`` (normalised) or ``1`` (sum)."""
        return 1.0 / self.n_samples if self.convention == "normalised" else 1.0

    def correlations(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Correlations in the dataset's convention (theory guide :ref:`theory-loss`), weighted by :attr:`weight`.

        Returns
        -------
        syx : ndarray, shape (T, N_y, N_x)
            ``Σ^{YX_t} = w Σ_p y_p x_{p,t}ᵀ``.
        sxx : ndarray, shape (T, T, N_x, N_x)
            ``Σ^{X_t X_t'} = w Σ_p x_{p,t} x_{p,t'}ᵀ``.
        syy : float
            ``w Σ_p ‖y_p‖²``.
        """
        w = self.weight
        P, T, n_x = self.X.shape
        Xf = self.X.reshape(P, T * n_x)
        syx = (w * (self.Y.T @ Xf)).reshape(self.n_y, T, n_x).transpose(1, 0, 2)
        sxx = (w * (Xf.T @ Xf)).reshape(T, n_x, T, n_x).transpose(0, 2, 1, 3)
        return np.ascontiguousarray(syx), np.ascontiguousarray(sxx), float(w * np.sum(self.Y * self.Y))

    @classmethod
    def from_arrays(cls, X, Y, convention: str = "normalised") -> Dataset:
        """Wrap arbitrary inputs ``X`` (P, T, N_x) and targets ``Y`` (P, N_y) (no prescribed modes)."""
        X = as_float_array("X", X, ndim=3)
        Y = as_float_array("Y", Y, ndim=2)
        if X.shape[0] != Y.shape[0]:
            raise ValueError(f"X and Y must have the same number of samples, got {X.shape[0]} and {Y.shape[0]}")
        convention = check_choice("convention", convention, CONVENTIONS)
        return cls(X=X, Y=Y, convention=convention)


def orthonormal_columns(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Random ``n × m`` matrix with orthonormal columns: QR of a Gaussian matrix with the
    signs of ``diag(R)`` absorbed (Haar-distributed; theory guide :ref:`theory-dataset-construction` step 3).

    Parameters
    ----------
    n : int
        Number of rows, ``n >= 1``.
    m : int
        Number of columns, ``0 <= m <= n``.
    rng : numpy.random.Generator
        Source of the Gaussian draw.

    Returns
    -------
    Q : ndarray, shape (n, m)
        ``Qᵀ Q = I_m``.

    Raises
    ------
    TypeError
        If ``n`` or ``m`` is not an integer or ``rng`` not a :class:`numpy.random.Generator`.
    ValueError
        If ``n < 1`` or ``m`` is outside ``[0, n]``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.data import orthonormal_columns
    >>> Q = orthonormal_columns(4, 2, np.random.default_rng(0))
    >>> Q.shape, bool(np.allclose(Q.T @ Q, np.eye(2)))
    ((4, 2), True)
    """
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=0, maximum=n)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    Q, R = np.linalg.qr(rng.standard_normal((n, m)))
    return Q * np.sign(np.diag(R))


def _check_whitening(whiten, P: int, T: int, n: int, n_name: str) -> None:
    """``whiten`` is a bool, and exact whitening over ``T`` steps of ``n`` inputs needs ``P >= T n``."""
    if not isinstance(whiten, (bool, np.bool_)):
        raise TypeError(f"whiten must be a bool, got {whiten!r}")
    if whiten and P < T * n:
        raise ValueError(f"n_samples must be >= T * {n_name} = {T * n} for exact whitening, got {P}")


def _draw_inputs(rng: np.random.Generator, P: int, T: int, n_x: int, whiten: bool, convention: str) -> np.ndarray:
    """Inputs (P, T, n_x) of :func:`make_dataset`: exactly whitened jointly over steps and dimensions
    (``Z (ZᵀZ)^{-1/2}`` after centring when ``P > T n_x``), or i.i.d. Gaussian when not ``whiten``.

    ``Z (ZᵀZ)^{-1/2}`` is the polar factor ``U Vᵀ`` of the thin SVD ``Z = U Σ Vᵀ``, computed as such:
    its columns are orthonormal to ~1e-15 whatever the conditioning of ``Z``, where forming ``ZᵀZ``
    squares the condition number (measured: up to 1.3e-8 off the identity for square ``Z``,
    ``P = T n_x``, against 4e-15 by the SVD, over 2 000 random shapes up to 20 × 22)."""
    Z = rng.standard_normal((P, T * n_x))
    if whiten:
        if P > T * n_x:
            Z = Z - Z.mean(axis=0)
        U, _, Vt = np.linalg.svd(Z, full_matrices=False)
        X = U @ Vt
        if convention == "normalised":
            X = X * np.sqrt(P)
    else:
        X = Z if convention == "normalised" else Z / np.sqrt(P)
    return np.ascontiguousarray(X.reshape(P, T, n_x))


def make_dataset(
    S,
    n_x: int,
    n_y: int,
    n_samples: int,
    *,
    seed: int,
    whiten: bool = True,
    convention: str = "normalised",
) -> Dataset:
    """Dataset with prescribed task dynamics (theory guide :ref:`theory-dataset-construction`).

    Parameters
    ----------
    S : array_like, shape (n_modes, T) or (T,)
        Task dynamics of each mode (a 1-D array is one mode).
    n_x, n_y : int
        Input and output sizes, ``n_modes <= min(n_x, n_y)``.
    n_samples : int
        Number of trajectories ``P``; ``P >= T n_x`` when ``whiten``.
    seed : int
        Seed of every random draw (inputs, then ``U_y``, then ``V_x``).
    whiten : bool
        Exact joint whitening (``Z (ZᵀZ)^{-1/2}``, symmetric inverse square
        root, after subtracting column means when ``P > T n_x``; with
        ``P = T n_x`` centring would make the sample rank-deficient and is
        skipped).  ``False`` draws i.i.d. ``N(0, 1)`` inputs (finite-sample
        variant: correlations deviate by ``~sqrt(T n_x Σs²/P)``).
    convention : {"normalised", "sum"}
        Normalised: ``(1/P) Σ_p x xᵀ = I``; sum: ``Σ_p x xᵀ = I``.

    Returns
    -------
    Dataset
        ``X`` (P, T, n_x), ``Y`` (P, n_y) with ``y_p = Σ_t U_y S_t V_xᵀ x_{p,t}``.

    Raises
    ------
    TypeError
        If ``S`` is not a real numeric array, a size or ``seed`` is not an integer, ``whiten``
        is not a bool, or ``convention`` not a string.
    ValueError
        If ``S`` is not 1-D or 2-D, empty or not finite, a size is ``< 1``, ``seed`` is
        negative, ``convention`` is unknown, ``n_modes > min(n_x, n_y)``, or
        ``n_samples < T n_x`` with ``whiten``.

    Examples
    --------
    The correlations are exactly the prescribed ones: ``U_yᵀ Σ^{YX_t} V_x = S_t`` and
    ``Σ^{X_t X_t'} = δ_{tt'} I``:

    >>> import numpy as np
    >>> from lrnn_theory import tasks
    >>> from lrnn_theory.data import make_dataset
    >>> data = make_dataset(tasks.inverse_exponential(3, 1.0, 0.5), n_x=2, n_y=2, n_samples=6, seed=0)
    >>> data.X.shape, data.Y.shape, data.S.shape
    ((6, 3, 2), (6, 2), (1, 3))
    >>> syx, sxx, syy = data.correlations()
    >>> bool(np.allclose(np.einsum("ya,tyx,xa->at", data.U_y, syx, data.V_x), data.S))
    True
    >>> bool(np.allclose(sxx.transpose(0, 2, 1, 3).reshape(6, 6), np.eye(6)))
    True
    """
    S = as_float_array("S", S, ndim=(1, 2))
    if S.ndim == 1:
        S = S[None, :]
    m, T = S.shape
    n_x = check_int("n_x", n_x, minimum=1)
    n_y = check_int("n_y", n_y, minimum=1)
    P = check_int("n_samples", n_samples, minimum=1)
    seed = check_seed("seed", seed)
    convention = check_choice("convention", convention, CONVENTIONS)
    if m > min(n_x, n_y):
        raise ValueError(f"S has {m} modes but n_modes must be <= min(n_x, n_y) = {min(n_x, n_y)}")
    _check_whitening(whiten, P, T, n_x, "n_x")
    rng = np.random.default_rng(seed)
    X = _draw_inputs(rng, P, T, n_x, whiten, convention)
    U_y = orthonormal_columns(n_y, m, rng)
    V_x = orthonormal_columns(n_x, m, rng)
    # y_p = Σ_t U_y S_t V_xᵀ x_{p,t}
    Y = np.einsum("ptx,xa,at,ya->py", X, V_x, S, U_y, optimize=True)
    return Dataset(X=X, Y=Y, convention=convention, U_y=U_y, V_x=V_x, S=S.copy(), whitened=bool(whiten), seed=seed)


def _complex_and_real_modes(S, S_real) -> tuple[np.ndarray, np.ndarray]:
    """Validated complex (m_c, T) and real (m_r, T) mode dynamics."""
    S = as_float_array("S", S, ndim=(1, 2), allow_complex=True).astype(complex)
    if S.ndim == 1:
        S = S[None, :]
    m_c, T = S.shape
    if S_real is None or (isinstance(S_real, np.ndarray) and S_real.size == 0):
        S_real = np.zeros((0, T))
    else:
        if np.iscomplexobj(S_real):
            raise TypeError("S_real must be real (complex modes go in S)")
        S_real = as_float_array("S_real", S_real, ndim=(1, 2))
        if S_real.ndim == 1:
            S_real = S_real[None, :]
        if S_real.shape[1] != T:
            raise ValueError(f"S_real must have T = {T} steps like S, got shape {S_real.shape}")
    return S, S_real


def make_rotational_dataset(
    S,
    n_samples: int,
    *,
    seed: int,
    S_real=None,
    n: int | None = None,
    whiten: bool = True,
    convention: str = "normalised",
) -> Dataset:
    """Square dataset whose correlations share eigenvectors, with complex (rotational) modes (theory guide :ref:`theory-complex-dataset`).

    ``N_x = N_y = n`` and ``Σ^{YX_t} = Q D_t Qᵀ`` with one random orthogonal
    ``Q`` (its first ``2 m_c + m_r`` columns) and the block-diagonal
    ``D_t = blockdiag(schur_block(s_t^{(1)}), …, schur_block(s_t^{(m_c)}), s_t^{(m_c+1)}, …)``:
    each complex mode is a 2×2 real Schur block ``[[Re s, -Im s], [Im s, Re s]]``
    (:func:`lrnn_theory.tasks.schur_block`), each real mode a 1×1 block.  Inputs
    are drawn exactly as in :func:`make_dataset` (exact joint whitening), so
    the loss of an aligned network is ``Σ_complex 2 E_k + Σ_real E_k`` and
    gradient descent on the real weights follows the complex mode flow of
    :func:`lrnn_theory.integrate_modes` (Proca et al. (2025), App. N–O).

    Parameters
    ----------
    S : array_like, complex, shape (m_c, T) or (T,)
        Dynamics of the complex modes, e.g. :func:`lrnn_theory.tasks.rotational`.
    n_samples : int
        Number of trajectories ``P``; ``P >= T n`` when ``whiten``.
    seed : int
        Seed of every random draw (inputs, then ``Q``).
    S_real : array_like, real, shape (m_r, T) or (T,), optional
        Dynamics of additional real modes.
    n : int, optional
        Input = output size (default ``2 m_c + m_r``, the smallest that holds the blocks).
    whiten : bool
        Exact joint whitening (as :func:`make_dataset`).
    convention : {"normalised", "sum"}
        Whitening and loss convention (theory guide :ref:`theory-conventions`).

    Returns
    -------
    Dataset
        ``X`` (P, T, n), ``Y`` (P, n); ``S`` complex of shape (m_c + m_r, T)
        (complex modes first); ``U_y = V_x`` (n, 2 m_c + m_r); ``n_complex = m_c``.

    Raises
    ------
    TypeError
        If ``S`` or ``S_real`` is not numeric (``S_real`` must be real), or
        ``seed``, ``n``, ``n_samples`` are not integers.
    ValueError
        If ``S`` and ``S_real`` have different ``T``, the values are not
        finite, ``n < 2 m_c + m_r`` or ``n_samples < T n`` with ``whiten``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.data import make_rotational_dataset
    >>> from lrnn_theory.tasks import rotational, schur_block
    >>> s = rotational(3, 1.0, np.exp(1j * np.pi / 12))
    >>> data = make_rotational_dataset(s, 12, seed=0)
    >>> data.X.shape, data.S.shape, data.n_complex
    ((12, 3, 2), (1, 3), 1)
    >>> syx = data.correlations()[0]  # (T, n, n); rotate back by Q = V_x
    >>> bool(np.allclose(data.U_y.T @ syx[0] @ data.V_x, schur_block(s[0])))
    True
    """
    S, S_real = _complex_and_real_modes(S, S_real)
    m_c, T = S.shape
    m_r = S_real.shape[0]
    d = 2 * m_c + m_r
    n = d if n is None else check_int("n", n, minimum=1)
    if n < d:
        raise ValueError(f"n must be >= 2 m_c + m_r = {d} to hold the blocks, got {n}")
    P = check_int("n_samples", n_samples, minimum=1)
    seed = check_seed("seed", seed)
    convention = check_choice("convention", convention, CONVENTIONS)
    _check_whitening(whiten, P, T, n, "n")
    rng = np.random.default_rng(seed)
    X = _draw_inputs(rng, P, T, n, whiten, convention)
    Q = orthonormal_columns(n, d, rng)
    D = block_dynamics(S, S_real)
    # y_p = Σ_t Q D_t Qᵀ x_{p,t}
    Y = np.einsum("ptx,xj,tij,yi->py", X, Q, D, Q, optimize=True)
    S_all = np.concatenate([S, S_real.astype(complex)], axis=0)
    return Dataset(X=X, Y=Y, convention=convention, U_y=Q, V_x=Q.copy(), S=S_all, whitened=bool(whiten), seed=seed,
                   n_complex=m_c)


def block_dynamics(S, S_real=None) -> np.ndarray:
    """Block-diagonal real correlations ``D_t`` of complex and real modes (theory guide :ref:`theory-complex-dataset`).

    Parameters
    ----------
    S : array_like, complex, shape (m_c, T) or (T,)
        Complex modes: block ``k`` is ``schur_block(S[k, t-1])`` on rows and columns ``2k, 2k+1``.
    S_real : array_like, real, shape (m_r, T) or (T,), optional
        Real modes, on the diagonal after the blocks.

    Returns
    -------
    D : ndarray, shape (T, 2 m_c + m_r, 2 m_c + m_r)
        ``D[t-1] = D_t``; a dataset of :func:`make_rotational_dataset` has
        ``Σ^{YX_t} = U_y D_t V_xᵀ``.

    Raises
    ------
    TypeError
        If ``S`` is not numeric or ``S_real`` is complex.
    ValueError
        If the arrays are not finite or their ``T`` differ.

    Examples
    --------
    >>> from lrnn_theory.data import block_dynamics
    >>> block_dynamics([1j], [2.0])[0].tolist()
    [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]
    """
    from .tasks import schur_block

    S, S_real = _complex_and_real_modes(S, S_real)
    m_c, T = S.shape
    d = 2 * m_c + S_real.shape[0]
    D = np.zeros((T, d, d))
    blocks = schur_block(S.T)  # (T, m_c, 2, 2)
    for k in range(m_c):
        D[:, 2 * k:2 * k + 2, 2 * k:2 * k + 2] = blocks[:, k]
    idx = np.arange(2 * m_c, d)
    D[:, idx, idx] = S_real.T
    return D
