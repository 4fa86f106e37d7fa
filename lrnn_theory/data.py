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

__all__ = ["Dataset", "make_dataset", "orthonormal_columns"]


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
    """

    X: np.ndarray
    Y: np.ndarray
    convention: str = "normalised"
    U_y: np.ndarray | None = None
    V_x: np.ndarray | None = None
    S: np.ndarray | None = None
    whitened: bool = False
    seed: int | None = None

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
    def from_arrays(cls, X, Y, convention: str = "normalised") -> "Dataset":
        """Wrap arbitrary inputs ``X`` (P, T, N_x) and targets ``Y`` (P, N_y) (no prescribed modes)."""
        X = as_float_array("X", X, ndim=3)
        Y = as_float_array("Y", Y, ndim=2)
        if X.shape[0] != Y.shape[0]:
            raise ValueError(f"X and Y must have the same number of samples, got {X.shape[0]} and {Y.shape[0]}")
        convention = check_choice("convention", convention, CONVENTIONS)
        return cls(X=X, Y=Y, convention=convention)


def orthonormal_columns(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Random ``n × m`` matrix with orthonormal columns: QR of a Gaussian matrix with the
    signs of ``diag(R)`` absorbed (Haar-distributed; theory guide :ref:`theory-dataset-construction` step 3)."""
    n = check_int("n", n, minimum=1)
    m = check_int("m", m, minimum=0, maximum=n)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    Q, R = np.linalg.qr(rng.standard_normal((n, m)))
    return Q * np.sign(np.diag(R))


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
    if not isinstance(whiten, (bool, np.bool_)):
        raise TypeError(f"whiten must be a bool, got {whiten!r}")
    if m > min(n_x, n_y):
        raise ValueError(f"S has {m} modes but n_modes must be <= min(n_x, n_y) = {min(n_x, n_y)}")
    if whiten and P < T * n_x:
        raise ValueError(f"n_samples must be >= T * n_x = {T * n_x} for exact whitening, got {P}")
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((P, T * n_x))
    if whiten:
        if P > T * n_x:
            Z = Z - Z.mean(axis=0)
        w, V = np.linalg.eigh(Z.T @ Z)
        X = Z @ (V / np.sqrt(w)) @ V.T
        if convention == "normalised":
            X = X * np.sqrt(P)
    else:
        X = Z if convention == "normalised" else Z / np.sqrt(P)
    X = np.ascontiguousarray(X.reshape(P, T, n_x))
    U_y = orthonormal_columns(n_y, m, rng)
    V_x = orthonormal_columns(n_x, m, rng)
    # y_p = Σ_t U_y S_t V_xᵀ x_{p,t}
    Y = np.einsum("ptx,xa,at,ya->py", X, V_x, S, U_y, optimize=True)
    return Dataset(X=X, Y=Y, convention=convention, U_y=U_y, V_x=V_x, S=S.copy(), whitened=bool(whiten), seed=seed)
