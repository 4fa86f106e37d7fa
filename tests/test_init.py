"""Recurrent initialisers (theory guide `bptt-initialisers`)."""
import numpy as np
import pytest
from scipy import stats

from lrnn_theory.sim import init


def test_orthogonal_is_orthogonal_scaled_and_seeded():
    W = init.orthogonal(50, 0.7, seed=1)
    assert np.allclose(W.T @ W, 0.49 * np.eye(50), atol=1e-12)
    assert np.array_equal(W, init.orthogonal(50, 0.7, seed=1)) and not np.array_equal(W, init.orthogonal(50, 0.7, seed=2))


def test_orthogonal_sign_correction_gives_haar_eigenphases():
    """Haar orthogonal matrices have eigen-phases uniform on (0, π) in the bulk: a KS test on many draws."""
    phases = np.concatenate([np.abs(np.angle(np.linalg.eigvals(init.orthogonal(20, seed=s)))) for s in range(200)])
    phases = phases[(phases > 1e-9) & (phases < np.pi - 1e-9)]
    assert stats.kstest(phases / np.pi, "uniform").pvalue > 1e-3


def test_gaussian_spectral_radius_follows_the_circular_law():
    W = init.gaussian(400, 0.8, seed=0)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(0.8, rel=0.05)
    assert np.std(W) == pytest.approx(0.8 / np.sqrt(400), rel=0.01)


def test_identity_and_near_identity():
    assert np.array_equal(init.identity(3, 0.9), 0.9 * np.eye(3))
    W = init.identity(200, 1.0, noise=0.1, seed=3)
    assert np.std(W - np.eye(200)) == pytest.approx(0.1 / np.sqrt(200), rel=0.02)


def test_lru_ring_is_uniform_on_the_annulus_in_area():
    nu_min, nu_max, theta_max = 0.5, 0.99, 0.3
    lam = init.lru_ring(5000, nu_min, nu_max, theta_max, seed=4)
    nu = np.abs(lam)
    assert np.all((nu >= nu_min) & (nu <= nu_max)) and np.all(np.abs(np.angle(lam)) <= theta_max)
    # uniform in area ⇔ ν² uniform on [ν_min², ν_max²]
    assert stats.kstest((nu ** 2 - nu_min ** 2) / (nu_max ** 2 - nu_min ** 2), "uniform").pvalue > 1e-3
    assert stats.kstest((np.angle(lam) + theta_max) / (2 * theta_max), "uniform").pvalue > 1e-3


@pytest.mark.parametrize("call,match", [
    (lambda: init.gaussian(0), "d"), (lambda: init.orthogonal(3, -1.0), "gain"), (lambda: init.identity(3, noise=-0.1), "noise"),
    (lambda: init.lru_ring(3, 0.9, 0.5), "nu_min"), (lambda: init.lru_ring(3, theta_max=np.nan), "theta_max"),
    (lambda: init.gaussian(3, seed=-1), "seed"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
