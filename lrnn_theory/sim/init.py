"""Recurrent-weight initialisers (theory guide :ref:`bptt-initialisers`).

Each takes an explicit ``seed`` and returns a new array; none touches global state.
"""
from __future__ import annotations

import numpy as np

from .._validation import check_finite_scalar, check_int, check_positive_float, check_seed

__all__ = ["gaussian", "identity", "lru_ring", "orthogonal"]


def gaussian(d: int, gain: float = 1.0, *, seed: int = 0) -> np.ndarray:
    """``W_ij ~ N(0, g²/d)`` (spectral radius ≈ ``g`` for large ``d``, circular law; theory guide :ref:`bptt-initialisers`).

    Parameters
    ----------
    d : int >= 1
        Hidden size.
    gain : float >= 0
        ``g``.
    seed : int

    Returns
    -------
    ndarray, shape (d, d)

    Raises
    ------
    TypeError
        ``d`` or ``seed`` not an integer, ``gain`` not a number.
    ValueError
        ``d < 1``, negative ``gain`` or ``seed``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sim.init import gaussian
    >>> W = gaussian(400, gain=0.9, seed=0)
    >>> W.shape, round(float(W.std() * np.sqrt(400)), 1)     # entries have std g/sqrt(d)
    ((400, 400), 0.9)
    >>> bool(np.array_equal(gaussian(3, seed=1), gaussian(3, seed=1)))
    True
    """
    d = check_int("d", d, minimum=1)
    gain = check_positive_float("gain", gain, allow_zero=True)
    return np.random.default_rng(check_seed("seed", seed)).normal(0.0, gain / np.sqrt(d), size=(d, d))


def orthogonal(d: int, gain: float = 1.0, *, seed: int = 0) -> np.ndarray:
    """``g·Q`` with ``Q`` from the QR decomposition of a Gaussian matrix, sign-corrected (Haar-distributed; theory guide :ref:`bptt-initialisers`).

    Parameters
    ----------
    d : int >= 1
    gain : float >= 0
        ``g``: every eigenvalue has modulus ``g``.
    seed : int

    Returns
    -------
    ndarray, shape (d, d)

    Raises
    ------
    TypeError
        ``d`` or ``seed`` not an integer, ``gain`` not a number.
    ValueError
        ``d < 1``, negative ``gain`` or ``seed``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sim.init import orthogonal
    >>> Q = orthogonal(4, gain=2.0, seed=0)
    >>> bool(np.allclose(Q.T @ Q, 4 * np.eye(4))), bool(np.allclose(np.abs(np.linalg.eigvals(Q)), 2.0))
    (True, True)
    """
    d = check_int("d", d, minimum=1)
    gain = check_positive_float("gain", gain, allow_zero=True)
    A = np.random.default_rng(check_seed("seed", seed)).normal(size=(d, d))
    Q, R = np.linalg.qr(A)
    return gain * Q * np.where(np.diag(R) < 0, -1.0, 1.0)[None, :]


def identity(d: int, gain: float = 1.0, *, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """``g·I`` plus optional ``N(0, noise²/d)`` entries (near-identity; theory guide :ref:`bptt-initialisers`).

    Parameters
    ----------
    d : int >= 1
    gain : float
        ``g`` (any finite real number).
    noise : float >= 0
        Standard deviation times ``sqrt(d)`` of the added Gaussian entries (0: exactly ``g·I``).
    seed : int
        Used only when ``noise > 0``.

    Returns
    -------
    ndarray, shape (d, d)

    Raises
    ------
    TypeError
        ``d`` or ``seed`` not an integer, ``gain`` or ``noise`` not a number.
    ValueError
        ``d < 1``, non-finite ``gain``, negative ``noise``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sim.init import identity
    >>> identity(2, 0.9).tolist()
    [[0.9, 0.0], [0.0, 0.9]]
    >>> W = identity(3, noise=0.1, seed=0)
    >>> bool(np.allclose(np.diag(W), 1.0, atol=0.3)), bool(np.any(W != np.eye(3)))
    (True, True)
    """
    d = check_int("d", d, minimum=1)
    gain = check_finite_scalar("gain", gain)
    noise = check_positive_float("noise", noise, allow_zero=True)
    W = gain * np.eye(d)
    if noise:
        W = W + np.random.default_rng(check_seed("seed", seed)).normal(0.0, noise / np.sqrt(d), size=(d, d))
    return W


def lru_ring(d: int, nu_min: float = 0.9, nu_max: float = 0.999, theta_max: float = np.pi, *, seed: int = 0) -> np.ndarray:
    """Complex diagonal eigenvalues uniform on the annulus ``ν ∈ [ν_min, ν_max]`` (in area), phase uniform in ``[-θ_max, θ_max]``.

    ``ν = sqrt(U(ν_min², ν_max²))`` makes the density uniform in area.  Returns shape (d,), complex.
    The ring initialisation of diagonal complex recurrences (LRU-style) of the curse-of-memory
    experiments, Zucchet & Orvieto (2024) (theory guide :ref:`bptt-initialisers`, :ref:`memory-complex`).

    Parameters
    ----------
    d : int >= 1
        Number of eigenvalues.
    nu_min, nu_max : float, ``0 <= nu_min <= nu_max <= 1``
        Radii of the annulus.
    theta_max : float >= 0
        Largest phase.
    seed : int

    Returns
    -------
    ndarray, shape (d,), complex

    Raises
    ------
    TypeError
        ``d`` or ``seed`` not an integer, a radius or ``theta_max`` not a number.
    ValueError
        Radii not ordered as ``0 <= nu_min <= nu_max <= 1``, negative ``theta_max``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.sim.init import lru_ring
    >>> lam = lru_ring(5, 0.9, 0.99, theta_max=0.1, seed=0)
    >>> lam.shape, lam.dtype
    ((5,), dtype('complex128'))
    >>> bool(np.all((np.abs(lam) >= 0.9) & (np.abs(lam) <= 0.99))), bool(np.all(np.abs(np.angle(lam)) <= 0.1))
    (True, True)
    """
    d = check_int("d", d, minimum=1)
    nu_min = check_positive_float("nu_min", nu_min, allow_zero=True)
    nu_max = check_positive_float("nu_max", nu_max)
    if not nu_min <= nu_max <= 1:
        raise ValueError(f"nu_min <= nu_max <= 1 required, got nu_min={nu_min}, nu_max={nu_max}")
    theta_max = check_positive_float("theta_max", theta_max, allow_zero=True)
    rng = np.random.default_rng(check_seed("seed", seed))
    nu = np.sqrt(rng.uniform(nu_min ** 2, nu_max ** 2, size=d))
    return nu * np.exp(1j * rng.uniform(-theta_max, theta_max, size=d))
