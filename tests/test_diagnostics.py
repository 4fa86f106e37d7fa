"""BPTT diagnostics (theory guide `bptt-adjoint-norms`, `bptt-lag`, `bptt-jacobian-monitors`, `bptt-initialisers`, `bptt-leak`)."""
import numpy as np
import pytest
from scipy.linalg import expm

from lrnn_theory.sim import init, sequence_loss_and_grad
from lrnn_theory.sim.diagnostics import adjoint_norms, gradient_by_lag, jacobian_monitors, leaky_jacobian


def _last_step_problem(W, P=8, T=60, seed=0):
    rng = np.random.default_rng(seed)
    d = W.shape[0]
    X = rng.normal(size=(P, T, 2))
    Y = rng.normal(size=(P, 2))
    return X, Y, (rng.normal(size=(d, 2)), W, rng.normal(size=(2, d)))


def test_c1_adjoint_log_norm_decays_with_slope_log_spectral_radius():
    rng = np.random.default_rng(1)
    Q = init.orthogonal(5, seed=2)
    W = Q @ np.diag([0.8, 0.7, -0.5, 0.3, 0.1]) @ Q.T  # normal matrix, ρ = 0.8
    X, Y, w = _last_step_problem(W)
    a = adjoint_norms(X, Y, w)
    lags = X.shape[1] - np.arange(1, X.shape[1] + 1)  # T - t
    far = (lags >= 20) & (lags <= 50)
    slope = np.polyfit(lags[far], np.log(a[far]), 1)[0]
    assert slope == pytest.approx(np.log(0.8), abs=2e-3)
    del rng


def test_c6_orthogonal_weights_keep_adjoint_norms_constant_and_preserve_the_state_norm():
    W = init.orthogonal(6, seed=3)
    X, Y, w = _last_step_problem(W, T=40)
    a = adjoint_norms(X, Y, w)
    # per sample ‖(Wᵀ)^k v‖ = ‖v‖ exactly, so the batch mean is the same at every t
    assert np.allclose(a, a[-1], rtol=1e-12)
    h = np.random.default_rng(0).normal(size=6)
    for _ in range(500):
        h = W @ h
    assert np.linalg.norm(h) == pytest.approx(np.linalg.norm(np.random.default_rng(0).normal(size=6)), rel=1e-12)


def test_c2_lag_split_sums_to_the_gradient():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(5, 9, 2))
    Y = rng.normal(size=(5, 9, 2))
    w = (rng.normal(size=(3, 2)), rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(2, 3)))
    mask = (rng.uniform(size=(5, 9)) > 0.3).astype(float)
    for leak in (0.0, 0.4):
        norms, G = gradient_by_lag(X, Y, w, mask=mask, leak=leak, return_matrices=True)
        gW = sequence_loss_and_grad(X, Y, w, mask=mask, leak=leak)[1][1]
        assert np.allclose(G.sum(axis=0), gW, rtol=1e-12, atol=1e-15)
        assert np.allclose(norms, np.linalg.norm(G, axis=(1, 2)))


def test_c2_scalar_recurrence_lag_weights_in_closed_form():
    """d = 1, one impulse at t = 1, loss at T: h_t = λ^{t-1}; each use of λ at lag k ≤ T-2 contributes
    e λ^k h_{T-k-1} = e λ^{T-2}, lag T-1 contributes 0 (h_0 = 0); the sum is dL/dλ = e (T-1) λ^{T-2}."""
    lam, T, y = 0.9, 12, 0.3
    X = np.zeros((1, T, 1))
    X[0, 0, 0] = 1.0
    e = lam ** (T - 1) - y
    norms = gradient_by_lag(X, np.array([[y]]), (np.ones((1, 1)), np.array([[lam]]), np.ones((1, 1))))
    expected = np.full(T, abs(e) * lam ** (T - 2))
    expected[-1] = 0.0
    assert np.allclose(norms, expected, rtol=1e-13, atol=1e-16)


def test_c3_monitors_of_a_normal_matrix():
    Q = init.orthogonal(4, seed=5)
    ev = np.array([0.95, -0.6, 0.5, 0.2])
    W = Q @ np.diag(ev) @ Q.T
    m = jacobian_monitors(W, ks=(1, 5, 50))
    assert m.spectral_radius == pytest.approx(0.95, rel=1e-12)
    assert np.allclose(m.singular_values, np.sort(np.abs(ev))[::-1], rtol=1e-12)
    assert np.allclose(m.power_norms, 0.95 ** np.array([1, 5, 50]), rtol=1e-10)
    assert m.memory_horizon == pytest.approx(20.0, rel=1e-10)
    stacked = jacobian_monitors(np.stack([W, 2 * W]), ks=(1,))
    assert stacked.spectral_radius.shape == (2,) and np.isinf(stacked.memory_horizon[1])


def test_c7_leaky_update_stabilises_and_is_forward_euler():
    W = np.diag([-1.5, 0.5])
    assert np.max(np.abs(np.linalg.eigvals(leaky_jacobian(W, 0.0)))) > 1
    J = leaky_jacobian(W, 0.5)
    assert np.allclose(np.linalg.eigvals(J), [-0.25, 0.75])  # αI + (1-α)W: stable
    # forward Euler with step dt = 1-α of ḣ = (W-I)h: error O(dt) against the matrix exponential
    rng = np.random.default_rng(6)
    A = rng.normal(size=(3, 3)) * 0.5
    h0 = rng.normal(size=3)
    errs = []
    for dt in (0.02, 0.01):
        J = leaky_jacobian(A, 1 - dt)
        h = h0.copy()
        for _ in range(int(round(1.0 / dt))):
            h = J @ h
        errs.append(np.linalg.norm(h - expm(A - np.eye(3)) @ h0))
    assert errs[1] / errs[0] == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize("call,match", [
    (lambda: leaky_jacobian(np.ones((2, 3))), "W"), (lambda: leaky_jacobian(np.eye(2), -0.1), "leak"),
    (lambda: jacobian_monitors(np.eye(2), ks=(1.5,)), "ks"), (lambda: adjoint_norms(np.ones((2, 3)), np.ones((2, 1)), None), "X"),
    (lambda: gradient_by_lag(np.ones((2, 3, 1)), np.ones((2, 1)), (np.ones((2, 1)), np.eye(2))), "weights"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
