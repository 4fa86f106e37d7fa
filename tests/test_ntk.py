"""The network's tangent kernel (theory guide `theory-ntk`, `theory-checks` ('Extrapolation and kernels'))."""
import numpy as np
import pytest

from lrnn_theory import ntk
from lrnn_theory.data import make_dataset, orthonormal_columns
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


# --- kernel distances without four-index tensors (theory guide `theory-kernel-distance`, `theory-complex-ntk`) ---

import tracemalloc  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lrnn_theory.data import block_dynamics  # noqa: E402


def _dense_complex_distance(m0, m1, T, n_complex, n=None):
    """The definition: kernel_distance of the two ntk kernels on one-hot inputs, weights from data.block_dynamics."""
    def weights(a, b, c):
        a, b, c = (np.atleast_1d(np.asarray(v, complex)) for v in np.broadcast_arrays(a, b, c))
        blocks = []
        for v in (a, b, c):
            real = v[n_complex:].real if v.size > n_complex else None
            if n_complex:
                blocks.append(block_dynamics(v[:n_complex, None], None if real is None else real[:, None])[0])
            else:
                blocks.append(np.diag(real))
        d = blocks[0].shape[0]
        size = d if n is None else n
        Wx = np.zeros((d, size))
        Wx[:, :d] = blocks[0]
        Wy = np.zeros((size, d))
        Wy[:d] = blocks[2]
        return Wx, blocks[1], Wy, size

    Wx0, Wh0, Wy0, size = weights(*m0)
    Wx1, Wh1, Wy1, _ = weights(*m1)
    X = np.eye(T * size).reshape(T * size, T, size)
    return ntk.kernel_distance(ntk.ntk(Wx0, Wh0, Wy0, X), ntk.ntk(Wx1, Wh1, Wy1, X))


_cplx = st.complex_numbers(max_magnitude=1.4, allow_nan=False, allow_infinity=False)
_real = st.floats(-1.4, 1.4, allow_nan=False).filter(lambda x: abs(x) > 1e-3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 5), st.integers(0, 2), st.integers(0, 1), st.integers(0, 2), st.data())
def test_kernel_distance_complex_equals_the_dense_kernel_distance(T, n_complex, n_real, extra, data):
    m = n_complex + n_real
    if m == 0:
        n_complex, m = 1, 1
    modes = []
    for _ in range(2):
        vals = [np.array([data.draw(_cplx) for _ in range(n_complex)] + [data.draw(_real) for _ in range(m - n_complex)],
                         complex) for _ in range(3)]
        vals[0][0] += 0.5  # keep the kernels non-zero
        modes.append(tuple(vals))
    n = 2 * n_complex + (m - n_complex) + extra
    got = ntk.kernel_distance_complex(modes[0], modes[1], T, n_complex=n_complex, n=n)
    want = _dense_complex_distance(modes[0], modes[1], T, n_complex, n)
    assert 0.0 <= got <= 1.0
    assert abs(got - max(want, 0.0)) <= 1e-10  # two summation orders of the same Frobenius products


def test_kernel_distance_complex_with_real_modes_only_is_the_aligned_distance():
    m0, m1 = ([0.1, 0.4], [0.1, -0.3], [0.1, 0.2]), ([1.0, 0.7], [0.8, 0.5], [1.0, 1.1])
    got = ntk.kernel_distance_complex(m0, m1, 4, n_complex=0)
    assert got == pytest.approx(_dense_complex_distance(m0, m1, 4, 0), abs=1e-12)
    assert got == pytest.approx(ntk.kernel_distance_aligned(m0, m1, 4), abs=1e-12)


def test_kernel_distance_complex_memory_does_not_grow_with_T():
    """Count-based: the tracemalloc peak at T = 200 and T = 800 (the dense computation allocated a (T, T, 2T, 2T)
    array: 47.7 GiB at T = 200)."""
    lam = np.exp(1j * np.pi / 12)
    peaks = []
    for T in (200, 800):
        tracemalloc.start()
        d = ntk.kernel_distance_complex((0.1, 0.1, 0.1), (1.0, lam, 1.0), T)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert 0.0 <= d <= 1.0
    assert max(peaks) < 200_000 and peaks[1] < 1.5 * peaks[0]


def test_kernel_distances_are_scale_safe_for_large_b():
    lam = 3.0 * np.exp(0.4j)  # |b|^T overflows float64 for T > 646; the distance is scale-free
    small = ntk.kernel_distance_complex((0.1, 0.5, 0.1), (1.0, lam, 1.0), 30)
    assert small == pytest.approx(_dense_complex_distance((0.1, 0.5, 0.1), (1.0, lam, 1.0), 30, 1), abs=1e-10)
    big = ntk.kernel_distance_complex((0.1, 0.5, 0.1), (1.0, lam, 1.0), 1000)
    assert 0.0 <= big <= 1.0
    d30 = ntk.kernel_distance_aligned((0.1, 0.5, 0.1), (1.0, 3.0, 1.0), 30)
    assert d30 == pytest.approx(ntk.kernel_distance_complex((0.1, 0.5, 0.1), (1.0, 3.0, 1.0), 30, n_complex=0), abs=1e-10)
    assert 0.0 <= ntk.kernel_distance_aligned((0.1, 0.5, 0.1), (1.0, 3.0, 1.0), 1000) <= 1.0
    with pytest.raises(ValueError, match="overflow"):
        ntk.aligned_inner((1.0, 3.0, 1.0), (1.0, 3.0, 1.0), 1000)


def test_aligned_inner_equals_the_four_index_product():
    rng = np.random.default_rng(7)
    for T, N in ((1, 2), (4, 3), (7, 2)):
        m0 = tuple(rng.normal(size=N) for _ in range(3))
        m1 = tuple(rng.normal(size=N) for _ in range(3))
        dense = float(np.sum(ntk.ntk_aligned(*m0, T) * ntk.ntk_aligned(*m1, T)))
        assert ntk.aligned_inner(m0, m1, T) == pytest.approx(dense, rel=1e-12)


@pytest.mark.parametrize("f", [ntk.kernel_distance_aligned, ntk.kernel_distance_complex])
def test_zero_kernels_are_refused_everywhere(f):
    with pytest.raises(ValueError, match="zero kernel"):
        f((0.0, 0.0, 0.0), (1.0, 0.5, 1.0), 4)
    with pytest.raises(ValueError, match="zero kernel"):
        ntk.kernel_distance(np.zeros((2, 2)), np.eye(2))


def test_kernel_distance_is_scale_free_beyond_the_float64_range_of_the_squares():
    K0, K1 = np.eye(2), np.diag([1.0, 0.0])
    ref = ntk.kernel_distance(K0, K1)  # 1 - 1/√2
    assert ref == pytest.approx(1 - 1 / np.sqrt(2), rel=1e-15)
    assert ntk.kernel_distance(1e200 * K0, 1e250 * K1) == pytest.approx(ref, rel=1e-15)  # norms² overflowed: NaN before
    assert ntk.kernel_distance(1e-200 * K0, K1) == pytest.approx(ref, rel=1e-15)


def _kernel_by_definition(W_x, W_h, W_y, X):
    """K = Σ_θ ∂ŷ/∂θ ∂ŷ/∂θ by central differences of the forward pass (exact for W_x, W_y; O(h²) for W_h)."""
    P = X.shape[0]
    cols = []
    for k, W in enumerate((W_x, W_h, W_y)):
        for idx in np.ndindex(W.shape):
            E = np.zeros_like(W)
            E[idx] = 1e-5
            plus = [W_x, W_h, W_y]
            minus = [W_x, W_h, W_y]
            plus[k], minus[k] = W + E, W - E
            cols.append(((forward(*plus, X) - forward(*minus, X)) / 2e-5).reshape(P * W_y.shape[0]))
    J = np.stack(cols, axis=1)
    return J @ J.T


@pytest.mark.parametrize("n_x, n_h, n_y, T, P", [(1, 2, 1, 3, 3), (2, 3, 2, 4, 5),  # Jacobian path
                                                 (1, 12, 1, 1, 2), (1, 10, 2, 2, 2)])  # (T, T, P, P) closed-form path
def test_ntk_both_evaluation_paths_equal_the_definition(n_x, n_h, n_y, T, P):
    rng = np.random.default_rng(n_h + T)
    W_x, W_h, W_y = rng.normal(size=(n_h, n_x)), 0.4 * rng.normal(size=(n_h, n_h)), rng.normal(size=(n_y, n_h))
    X = rng.normal(size=(P, T, n_x))
    K = ntk.ntk(W_x, W_h, W_y, X)
    ref = _kernel_by_definition(W_x, W_h, W_y, X)
    assert np.allclose(K, ref, rtol=1e-7, atol=1e-7 * np.max(np.abs(ref)))  # central differences: O(h²) = 1e-10


def test_ntk_memory_is_that_of_the_result():
    """Count-based: T = 200, P = 400, two units: the kernel is 800 x 800 (5.1 MB); the closed form's (T, T, P, P)
    input Gram tensor would be 51 GB."""
    rng = np.random.default_rng(0)
    W = (rng.normal(size=(2, 2)), 0.5 * rng.normal(size=(2, 2)), rng.normal(size=(2, 2)))
    X = rng.normal(size=(400, 200, 2))
    tracemalloc.start()
    K = ntk.ntk(*W, X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert K.shape == (800, 800) and peak < 4 * K.nbytes
    J = ntk.ntk_jacobian(*W, X)
    assert np.allclose(K, J @ J.T, rtol=1e-12, atol=0)
