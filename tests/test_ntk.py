"""The network's tangent kernel (theory guide `theory-ntk`, `theory-checks` ('Extrapolation and kernels'))."""
import numpy as np
import pytest

from lrnn_theory import ntk
from lrnn_theory.data import make_dataset
from lrnn_theory.data import orthonormal_columns
from lrnn_theory.model import forward


def _weights(rng, n_x=3, n_h=4, n_y=2, scale=0.5):
    return scale * rng.normal(size=(n_h, n_x)), scale * rng.normal(size=(n_h, n_h)), scale * rng.normal(size=(n_y, n_h))


def test_check19_closed_form_equals_finite_difference_jacobian():
    rng = np.random.default_rng(0)
    W = list(_weights(rng))
    X = rng.normal(size=(5, 3, 3))
    K = ntk.ntk(*W, X)
    theta = np.concatenate([w.ravel() for w in W])
    sizes = np.cumsum([w.size for w in W])[:-1]

    def f(th):
        Wx, Wh, Wy = (p.reshape(w.shape) for p, w in zip(np.split(th, sizes), W))
        return forward(Wx, Wh, Wy, X).ravel()

    h = 1e-6
    J = np.stack([(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(theta.size)], axis=1)
    assert np.max(np.abs(K - J @ J.T)) < 1e-8 * max(1.0, np.max(np.abs(K)))
    Ja = ntk.ntk_jacobian(*W, X)
    assert np.max(np.abs(Ja - J)) < 1e-8
    assert np.max(np.abs(K - Ja @ Ja.T)) < 1e-12 * np.max(np.abs(K))


def test_check19_one_gd_step_moves_outputs_by_the_kernel():
    """(Ŷ(η) - Ŷ(0))/η -> K vec(Y - Ŷ) as η -> 0 (sum convention), with O(η) error."""
    from lrnn_theory.data import Dataset
    from lrnn_theory.sim import loss_and_grad

    rng = np.random.default_rng(1)
    W = _weights(rng)
    X, Y = rng.normal(size=(6, 3, 3)), rng.normal(size=(6, 2))
    d = Dataset.from_arrays(X, Y, convention="sum")
    K = ntk.ntk(*W, X)
    y0 = forward(*W, X)
    pred = K @ (Y - y0).ravel()
    _, grads = loss_and_grad(d, W)
    errs = []
    for eta in (1e-3, 1e-4, 1e-5):
        y1 = forward(*(w - eta * g for w, g in zip(W, grads)), X)
        errs.append(np.max(np.abs((y1 - y0).ravel() / eta - pred)))
    assert errs[1] < errs[0] / 5 and errs[2] < errs[1] / 5
    assert errs[2] < 1e-3 * np.max(np.abs(pred))


def test_normalised_convention_scales_by_one_over_P():
    rng = np.random.default_rng(2)
    W = _weights(rng)
    X = rng.normal(size=(7, 2, 3))
    assert np.allclose(ntk.ntk(*W, X, convention="normalised"), ntk.ntk(*W, X) / 7, rtol=1e-14)


def _aligned_weights(a, b, c, T, n=3, seed=0):
    rng = np.random.default_rng(seed)
    S = np.ones((n, T))
    d = make_dataset(S, n, n, n * T + 5, seed=seed, convention="sum")
    R = orthonormal_columns(n, n, rng)
    Wx = R @ np.diag(a) @ d.V_x.T
    Wh = R @ np.diag(b) @ R.T
    Wy = d.U_y @ np.diag(c) @ R.T
    return (Wx, Wh, Wy), d


def test_check20_aligned_reduction_equals_explicit_inner_products():
    rng = np.random.default_rng(3)
    T = 4
    m0 = tuple(rng.uniform(0.1, 1.0, 3) for _ in range(3))
    m1 = tuple(rng.uniform(0.1, 1.2, 3) for _ in range(3))
    W0, d = _aligned_weights(*m0, T, seed=4)
    rng2 = np.random.default_rng(4)
    R = orthonormal_columns(3, 3, rng2)
    W1 = (R @ np.diag(m1[0]) @ d.V_x.T, R @ np.diag(m1[1]) @ R.T, d.U_y @ np.diag(m1[2]) @ R.T)
    K0, K1 = ntk.ntk(*W0, d.X), ntk.ntk(*W1, d.X)
    assert ntk.aligned_inner(m0, m1, T) == pytest.approx(np.sum(K0 * K1), rel=1e-10)
    assert ntk.kernel_distance_aligned(m0, m1, T) == pytest.approx(ntk.kernel_distance(K0, K1), abs=1e-10)


def test_check20_aligned_T1_distance_is_zero():
    """Theory guide `theory-ntk-aligned`: all modes equal, T = 1: the kernel only rescales, D_K = 0 exactly."""
    assert abs(ntk.kernel_distance_aligned((0.3,) * 3, (1.0,) * 3, 1)) < 1e-14
    # and for the full kernel of aligned networks with equal modes
    W0, d = _aligned_weights(np.full(3, 0.3), np.full(3, 0.2), np.full(3, 0.3), 1, seed=1)
    W1, _ = _aligned_weights(np.full(3, 1.0), np.full(3, 0.7), np.full(3, 1.0), 1, seed=1)
    assert abs(ntk.kernel_distance(ntk.ntk(*W0, d.X), ntk.ntk(*W1, d.X))) < 1e-14


TABLE = {  # theory guide `theory-ntk-experiment`, aligned, σ = linspace(0.01, 0.5, 10)
    1: [0] * 10,
    2: [.555, .505, .454, .401, .349, .298, .249, .204, .163, .127],
    3: [.793, .768, .737, .700, .655, .602, .540, .472, .398, .323],
    4: [.898, .886, .871, .850, .823, .787, .739, .676, .597, .504],
    5: [.945, .939, .930, .919, .904, .881, .848, .801, .733, .642],
    6: [.968, .964, .959, .953, .943, .929, .908, .874, .821, .743],
    7: [.980, .977, .974, .970, .964, .955, .941, .917, .878, .815],
    8: [.987, .985, .983, .980, .976, .970, .960, .944, .915, .865],
}


def test_check20_aligned_table_to_three_decimals():
    sigma = np.linspace(0.01, 0.5, 10)
    for T, row in TABLE.items():
        got = [round(ntk.kernel_distance_aligned((s, s, s), (1.0, 1.0, 1.0), T) + 0.0, 3) for s in sigma]
        assert np.allclose(got, row, atol=1.01e-3), (T, got)


def test_table_cell_by_full_matrix_gradient_descent():
    """Theory guide `theory-ntk-experiment` protocol with full-matrix GD, aligned, T = 3, σ = 0.119: D_K = .737."""
    r = ntk.kernel_movement(0.119, 3, aligned=True, seed=0)
    assert r.converged and r.final_loss < 1e-8
    assert r.distance == pytest.approx(0.737, abs=1e-3)


def test_unaligned_kernel_moves_and_grows_with_T():
    """Theory guide `theory-ntk-experiment` unaligned: D_K small at T = 1 (≈0.19) and large at T = 2 (≈0.65), one seed (±0.1:
    the reference values are means of 3 seeds)."""
    d1 = ntk.kernel_movement(0.01, 1, aligned=False, seed=0)
    d2 = ntk.kernel_movement(0.01, 2, aligned=False, seed=0)
    assert d1.converged and d2.converged
    assert abs(d1.distance - 0.19) < 0.1 and abs(d2.distance - 0.65) < 0.1 and d2.distance > d1.distance


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: ntk.ntk(np.ones((3, 2)), np.ones((3, 3)), np.ones((2, 3)), np.ones((4, 2, 5))), ValueError, "X must have N_x"),
        (lambda: ntk.ntk(np.ones((3, 2)), np.ones((3, 3)), np.ones((2, 3)), np.ones((4, 2))), ValueError, "X must have 3"),
        (lambda: ntk.ntk(np.ones((3, 2)), np.ones((3, 3)), np.ones((2, 3)), np.ones((4, 2, 2)), convention="x"), ValueError, "convention"),
        (lambda: ntk.ntk_jacobian(np.ones((3, 2)), np.full((3, 3), np.nan), np.ones((2, 3)), np.ones((4, 2, 2))), ValueError, "W_h"),
        (lambda: ntk.kernel_distance(np.ones((2, 2)), np.ones((3, 3))), ValueError, "same shape"),
        (lambda: ntk.kernel_distance(np.zeros((2, 2)), np.ones((2, 2))), ValueError, "zero kernel"),
        (lambda: ntk.ntk_aligned(1.0, 0.5, 1.0, 0), ValueError, "T"),
        (lambda: ntk.aligned_inner((1.0, 1.0), (1.0, 1.0, 1.0), 3), TypeError, "modes0"),
        (lambda: ntk.kernel_distance_aligned((1.0, 1.0, 1.0), (1.0, np.inf, 1.0), 3), ValueError, "modes1"),
        (lambda: ntk.kernel_movement(0.0, 3, aligned=True), ValueError, "sigma"),
        (lambda: ntk.kernel_movement(0.1, 3, aligned="yes"), TypeError, "aligned"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
