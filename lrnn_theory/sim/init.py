"""Recurrent-weight initialisers (theory guide :ref:`bptt-initialisers`).

Each takes an explicit ``seed`` and returns a new array; none touches global state.
"""
from __future__ import annotations

import numpy as np

from .._validation import check_finite_scalar, check_int, check_positive_float, check_seed

__all__ = ["gaussian", "identity", "lru_ring", "orthogonal"]


def gaussian(d: int, gain: float = 1.0, *, seed: int = 0) -> np.ndarray:
    """``W_ij ~ N(0, g²/d)`` (spectral radius ≈ ``g`` for large ``d``, circular law)."""
    d = check_int("d", d, minimum=1)
    gain = check_positive_float("gain", gain, allow_zero=True)
    return np.random.default_rng(check_seed("seed", seed)).normal(0.0, gain / np.sqrt(d), size=(d, d))


def orthogonal(d: int, gain: float = 1.0, *, seed: int = 0) -> np.ndarray:
    """``g·Q`` with ``Q`` from the QR decomposition of a Gaussian matrix, sign-corrected (Haar-distributed)."""
    d = check_int("d", d, minimum=1)
    gain = check_positive_float("gain", gain, allow_zero=True)
    A = np.random.default_rng(check_seed("seed", seed)).normal(size=(d, d))
    Q, R = np.linalg.qr(A)
    return gain * Q * np.where(np.diag(R) < 0, -1.0, 1.0)[None, :]


def identity(d: int, gain: float = 1.0, *, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """``g·I`` plus optional ``N(0, noise²/d)`` entries (near-identity)."""
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
