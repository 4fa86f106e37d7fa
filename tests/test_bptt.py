"""Theory guide `bptt-diagnostics` training options of the BPTT simulator (theory guide `bptt-clipping`, `bptt-truncation`, `bptt-leak`, `bptt-masks`, `bptt-run-summary`)."""
import numpy as np
import pytest

from lrnn_theory.sim import Diagnostics, sequence_loss_and_grad, simulate_bptt
from lrnn_theory.sim._kernels import bptt_loss_grad


def _problem(P=5, T=7, n_x=2, d=3, n_y=2, seed=0, per_step=True):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(P, T, n_x))
    Y = rng.normal(size=(P, T, n_y)) if per_step else rng.normal(size=(P, n_y))
    w = (rng.normal(size=(d, n_x)) * 0.5, rng.normal(size=(d, d)) * 0.4, rng.normal(size=(n_y, d)) * 0.5)
    return X, Y, w


def _fd_grad(X, Y, w, **kw):
    h = 1e-6
    out = []
    for i in range(3):
        g = np.zeros_like(w[i])
        for idx in np.ndindex(w[i].shape):
            wp = [a.copy() for a in w]
            wm = [a.copy() for a in w]
            wp[i][idx] += h
            wm[i][idx] -= h
            g[idx] = (sequence_loss_and_grad(X, Y, tuple(wp), **kw)[0] - sequence_loss_and_grad(X, Y, tuple(wm), **kw)[0]) / (2 * h)
        out.append(g)
    return out


@pytest.mark.parametrize("leak", [0.0, 0.35])
def test_gradient_matches_finite_differences_with_mask_and_leak(leak):
    X, Y, w = _problem()
    mask = (np.random.default_rng(1).uniform(size=X.shape[:2]) > 0.4).astype(float)
    _, g = sequence_loss_and_grad(X, Y, w, mask=mask, leak=leak)
    for a, b in zip(g, _fd_grad(X, Y, w, mask=mask, leak=leak)):
        assert np.allclose(a, b, rtol=1e-6, atol=1e-9)  # central differences: O(h²) + rounding/h ≈ 1e-10


def test_last_step_target_equals_the_core_per_sample_bptt_kernel():
    """Loss at T only, α = 0: the core model of theory guide `theory-matrix-flow` (ŷ = W_y h_{T+1}) with weight 1/P."""
    X, Y, (U, W, V) = _problem(P=6, T=9, per_step=False)
    loss, (gU, gW, gV) = sequence_loss_and_grad(X, Y, (U, W, V))
    H = np.empty((X.shape[1] + 1, W.shape[0]))
    cx, ch, cy = np.empty_like(U), np.empty_like(W), np.empty_like(V)
    ref = bptt_loss_grad(U, W, V, X, Y, 1 / X.shape[0], H, cx, ch, cy)
    assert loss == pytest.approx(ref, rel=1e-13)
    for a, b in ((gU, cx), (gW, ch), (gV, cy)):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-15)


def test_truncation_with_window_at_least_T_is_full_bptt():
    X, Y, w = _problem()
    full = sequence_loss_and_grad(X, Y, w)[1]
    for k in (X.shape[1], X.shape[1] + 5):
        for a, b in zip(full, sequence_loss_and_grad(X, Y, w, truncate=k)[1]):
            assert np.allclose(a, b, rtol=1e-13, atol=1e-16)


def test_truncated_gradient_sees_no_input_older_than_the_window():
    """Inputs older than t - k live in feature 0 only, recent ones in feature 1: with a loss at T and
    window k, ∂L/∂U has an exactly zero feature-0 column (full BPTT does not)."""
    P, T, k = 4, 10, 3
    rng = np.random.default_rng(2)
    X = np.zeros((P, T, 2))
    X[:, : T - k, 0] = rng.normal(size=(P, T - k))
    X[:, T - k:, 1] = rng.normal(size=(P, k))
    Y = rng.normal(size=(P, 1))
    w = (rng.normal(size=(3, 2)), rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(1, 3)))
    gU_trunc = sequence_loss_and_grad(X, Y, w, truncate=k)[1][0]
    gU_full = sequence_loss_and_grad(X, Y, w)[1][0]
    assert np.all(gU_trunc[:, 0] == 0.0) and np.linalg.norm(gU_full[:, 0]) > 1e-3
    assert np.allclose(gU_trunc[:, 1], gU_full[:, 1], rtol=1e-12)  # the window's own inputs are exact


def test_a_dependency_at_lag_beyond_the_window_is_not_learned():
    """Teacher y_t = x_{t-3}: full BPTT learns it; truncated BPTT with k = 2 cannot (theory guide `bptt-truncation`)."""
    rng = np.random.default_rng(3)
    P, T, lag = 32, 12, 3
    X = rng.normal(size=(P, T, 1))
    Y = np.zeros((P, T, 1))
    Y[:, lag:, 0] = X[:, :-lag, 0]
    w0 = (rng.normal(size=(4, 1)) * 0.3, rng.normal(size=(4, 4)) * 0.1, rng.normal(size=(1, 4)) * 0.3)
    full = simulate_bptt(X, Y, weights=w0, lr=0.5, steps=3000, record_every=3000)
    trunc = simulate_bptt(X, Y, weights=w0, lr=0.5, steps=3000, record_every=3000, truncate=2)
    base = 0.5 * np.mean(Y[:, lag:] ** 2) * (T - lag) / T  # loss of ŷ = 0
    assert full.loss[-1] < 0.1 * base
    assert trunc.loss[-1] > 0.5 * base


def test_clipping_keeps_the_direction_and_bounds_the_norm():
    X, Y, w = _problem()
    _, g = sequence_loss_and_grad(X, Y, w)
    gnorm = np.sqrt(sum(np.sum(a * a) for a in g))
    lr, c = 0.1, 0.25 * gnorm
    run = simulate_bptt(X, Y, weights=w, lr=lr, steps=1, clip=c, record_every=1)
    delta = [run_w[1] - run_w[0] for run_w in (run.U, run.W, run.V)]
    dnorm = np.sqrt(sum(np.sum(d * d) for d in delta))
    assert dnorm == pytest.approx(lr * c, rel=1e-12)
    cos = -sum(np.sum(d * a) for d, a in zip(delta, g)) / (dnorm * gnorm)
    assert cos == pytest.approx(1.0, abs=1e-12)
    assert run.n_clipped == 1 and run.grad_norm[0] == pytest.approx(gnorm, rel=1e-12)


def test_infinite_threshold_is_bitwise_no_clipping_and_counts_are_exact():
    X, Y, w = _problem()
    a = simulate_bptt(X, Y, weights=w, lr=0.05, steps=50, record_every=10)
    b = simulate_bptt(X, Y, weights=w, lr=0.05, steps=50, record_every=10, clip=np.inf)
    assert np.array_equal(a.W, b.W) and b.n_clipped == 0
    c = 0.5 * float(np.median(a.grad_norm))
    d = simulate_bptt(X, Y, weights=w, lr=0.05, steps=50, record_every=10, clip=c)
    assert d.n_clipped == int(np.sum(d.grad_norm > c)) and 0 < d.n_clipped <= 50


def test_padded_variable_length_batch_equals_per_length_batches():
    """Theory guide `bptt-masks`: strings of lengths 3, 5, 8 padded to 8 with a loss mask at each string's end give the
    gradient of the per-length batches weighted by their share of loss terms."""
    rng = np.random.default_rng(4)
    lengths = [3, 5, 8, 5, 3, 8, 8]
    T = max(lengths)
    w = (rng.normal(size=(3, 2)), rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(2, 3)))
    X = np.zeros((len(lengths), T, 2))
    Y = np.zeros((len(lengths), T, 2))
    mask = np.zeros((len(lengths), T))
    for p, L in enumerate(lengths):
        X[p, :L] = rng.normal(size=(L, 2))
        X[p, L:] = rng.normal(size=(T - L, 2))  # garbage after the end must not matter
        Y[p, L - 1] = rng.normal(size=2)
        mask[p, L - 1] = 1.0
    loss, grad = sequence_loss_and_grad(X, Y, w, mask=mask)
    ref_loss, ref = 0.0, [np.zeros_like(a) for a in w]
    for L in sorted(set(lengths)):
        idx = [p for p, m in enumerate(lengths) if m == L]
        share = len(idx) / len(lengths)
        lL, gL = sequence_loss_and_grad(X[idx, :L], Y[idx, L - 1], w)
        ref_loss += share * lL
        ref = [r + share * g for r, g in zip(ref, gL)]
    assert loss == pytest.approx(ref_loss, rel=1e-13)
    for a, b in zip(grad, ref):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-15)


def test_divergence_is_reported_and_records_stay_finite():
    X, Y, w = _problem()
    run = simulate_bptt(X, Y, weights=w, lr=50.0, steps=500, record_every=1)
    assert run.diverged and run.diverged_step is not None and run.diverged_step < 500
    assert np.all(np.isfinite(run.loss)) and np.all(np.isfinite(run.W))


def test_run_summary_and_diagnostics_off_by_default():
    X, Y, w = _problem(P=4, T=6, d=3)
    run = simulate_bptt(X, Y, weights=w, lr=0.01, steps=5, mask=np.tri(4, 6), record_every=1)
    assert run.summary.tokens_per_step == 24 and run.summary.valid_tokens_per_step == int(np.count_nonzero(np.tri(4, 6)))
    assert run.summary.activation_bytes == 8 * 4 * 7 * 3
    assert run.adjoint_norms is None and run.lag_norms is None
    on = simulate_bptt(X, Y, weights=w, lr=0.01, steps=5, record_every=1, diagnostics=Diagnostics(adjoint_norms=True, lag_norms=True))
    assert on.adjoint_norms.shape == (6, 6) and on.lag_norms.shape == (6, 6)
    off = simulate_bptt(X, Y, weights=w, lr=0.01, steps=5, record_every=1)
    assert np.array_equal(on.W, off.W)  # diagnostics observe, they do not change the run
    assert "tokens/step" in str(run.summary)


def test_initialisers_by_name_and_seed():
    X, Y, _ = _problem()
    a = simulate_bptt(X, Y, n_h=4, recurrent_init="orthogonal", gain=0.9, lr=0.01, steps=3, seed=7)
    b = simulate_bptt(X, Y, n_h=4, recurrent_init="orthogonal", gain=0.9, lr=0.01, steps=3, seed=7)
    assert np.array_equal(a.W, b.W)
    assert np.allclose(a.W[0].T @ a.W[0], 0.81 * np.eye(4), atol=1e-12)


@pytest.mark.parametrize("kwargs,match", [
    (dict(truncate=0), "truncate"), (dict(clip=-1.0), "clip"), (dict(leak=1.0), "leak"), (dict(lr=0.0), "lr"),
    (dict(mask=np.zeros((5, 7))), "mask"), (dict(mask=np.ones((5, 6))), "mask"), (dict(record_every=0), "record_every"),
    (dict(diagnostics="all"), "diagnostics"), (dict(weights=None), "n_h"), (dict(weights=None, n_h=3, recurrent_init="he"), "recurrent_init"),
    (dict(weights=(np.ones((3, 2)), np.ones((3, 3)))), "weights"), (dict(steps=0), "steps"),
])
def test_bad_input(kwargs, match):
    X, Y, w = _problem()
    args = dict(weights=w, lr=0.1, steps=2)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        simulate_bptt(X, Y, **args)
