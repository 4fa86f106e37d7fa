"""Complex (rotational) modes in simulation: dataset, gradient descent on real weights, mode recovery, NTK, figure.

Proca et al. (2025), App. N–O; theory guide `theory-complex-dataset`, `theory-complex-simulation`,
`theory-complex-ntk`.  Each test checks a number against an independent source: the prescribed
correlation blocks, the complex mode ODE (compiled solver) at ODE time n·lr with its O(η) error
halving with η, explicit loss sums, the existing real aligned-kernel closed form, or the empirical
tangent kernel of the trained weights.
"""
import numpy as np
import pytest

import lrnn_theory as lt
from lrnn_theory import tasks
from lrnn_theory.data import block_dynamics, make_rotational_dataset
from lrnn_theory.sim import aligned_complex_modes

LAM = np.exp(1j * np.pi / 12)


def _three_mode_data(T=4, seed=1, n=None, convention="normalised"):
    s1 = tasks.rotational(T, 1.0, LAM)
    s2 = tasks.rotational(T, 0.7 * np.exp(0.4j), 0.8 * np.exp(-0.3j))
    sr = tasks.inverse_exponential(T, 1.0, 0.6)
    return make_rotational_dataset(np.stack([s1, s2]), 8 * T * (n or 5), seed=seed, S_real=sr, n=n,
                                   convention=convention)


# ---------------------------------------------------------------- dataset


@pytest.mark.parametrize("convention", ["normalised", "sum"])
@pytest.mark.parametrize("n", [None, 7])
def test_rotational_dataset_correlations_are_the_prescribed_blocks(convention, n):
    """Σ^{YX_t} = Q blockdiag(schur_block(s_t), …, s_t^real) Qᵀ and Σ^{X_t X_t'} = δ_{tt'} I, to 1e-12."""
    data = _three_mode_data(n=n, convention=convention)
    T, N = data.T, data.n_x
    assert data.n_complex == 2 and data.S.shape == (3, T) and data.U_y.shape == (N, 5)
    syx, sxx, _ = data.correlations()
    Q = data.V_x
    assert np.allclose(data.U_y, Q) and np.abs(Q.T @ Q - np.eye(5)).max() < 1e-13
    # blocks built here, independently of block_dynamics: rotation-scaling matrices of each s_t
    for t in range(T):
        D = np.zeros((5, 5))
        for k in range(2):
            z = data.S[k, t]
            D[2 * k:2 * k + 2, 2 * k:2 * k + 2] = [[z.real, -z.imag], [z.imag, z.real]]
        D[4, 4] = data.S[2, t].real
        assert np.abs(syx[t] - Q @ D @ Q.T).max() < 1e-12
    eye = np.einsum("tu,mn->tumn", np.eye(T), np.eye(N))
    assert np.abs(sxx - eye).max() < 1e-12
    # the complex block on (e1 - i e2)/sqrt2 has eigenvalue s_t
    v = (Q[:, 0] - 1j * Q[:, 1]) / np.sqrt(2)
    assert np.allclose(syx[1] @ v, data.S[0, 1] * v, atol=1e-12)


def test_rotational_dataset_inputs_are_those_of_make_dataset():
    """The same seed draws the same whitened inputs as make_dataset (shared construction)."""
    s = tasks.rotational(3, 1.0, LAM)
    rot = make_rotational_dataset(s, 10, seed=4, S_real=[1.0, 0.5, 0.2])
    real = lt.make_dataset(np.ones((1, 3)), 3, 3, 10, seed=4)
    assert np.array_equal(rot.X, real.X)


def test_block_dynamics_values():
    D = block_dynamics([[1 + 2j, 3j]], [[5.0, 6.0]])
    assert D.shape == (2, 3, 3)
    assert D[0].tolist() == [[1.0, -2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 5.0]]
    assert D[1].tolist() == [[0.0, -3.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 6.0]]


def test_rotational_dataset_bad_input():
    s = tasks.rotational(3, 1.0, LAM)
    with pytest.raises(ValueError, match="n_samples"):
        make_rotational_dataset(s, 5, seed=0)
    with pytest.raises(ValueError, match="n must be"):
        make_rotational_dataset(s, 30, seed=0, S_real=[1.0, 2.0, 3.0], n=2)
    with pytest.raises(TypeError, match="S_real"):
        make_rotational_dataset(s, 30, seed=0, S_real=s)
    with pytest.raises(ValueError, match="S_real"):
        make_rotational_dataset(s, 30, seed=0, S_real=[1.0, 2.0])
    with pytest.raises(ValueError, match="S"):
        make_rotational_dataset([np.nan, 1j], 30, seed=0)


# ---------------------------------------------------------------- gradient descent vs theory


A0 = np.array([0.3, 0.2 + 0.1j, 0.25])
B0 = np.array([0.2, 0.1j, 0.3])
C0 = np.array([0.3, 0.3, 0.25])


def _gd_error(data, lr, t_end=6.0):
    steps = int(round(t_end / lr))
    run = lt.simulate_gd(data, 6, lr=lr, steps=steps, modes0=(A0, B0, C0), seed=2, record_every=steps // 10)
    m = run.modes()
    th = lt.integrate_modes(data.S, A0, B0, C0, run.time)
    err = max(np.abs(m.a - th.a.T).max(), np.abs(m.b - th.b.T).max(), np.abs(m.c - th.c.T).max())
    return run, m, th, err


def test_gd_on_real_weights_follows_the_complex_mode_flow_to_first_order_in_lr():
    """GD on the real matrices = Euler steps of ż = -2∂E/∂z̄ per block: the error vs the ODE at time
    n·lr is O(η) (halves when η halves), the block structure is kept to rounding, and the loss is
    Σ_complex 2E + Σ_real E of the recovered modes."""
    data = _three_mode_data()
    run1, m1, th1, e1 = _gd_error(data, 0.02)
    run2, m2, th2, e2 = _gd_error(data, 0.01)
    assert 1.6 < e1 / e2 < 2.4
    assert e2 < 1e-2
    assert m1.off_diagonal.max() < 1e-12 and m2.off_diagonal.max() < 1e-12
    # t = 0: the recovered modes are the initial ones exactly
    assert np.allclose(m2.a[0], A0, atol=1e-14) and np.allclose(m2.b[0], B0, atol=1e-14)
    # loss of the real network = 2 E (complex blocks) + E (real mode), E from the recovered modes
    T = data.T
    r = data.S[None, :, :] - (m2.c * m2.a)[:, :, None] * m2.b[:, :, None] ** (T - np.arange(1, T + 1))
    E = 0.5 * np.sum(np.abs(r) ** 2, axis=-1)
    assert np.allclose(run2.loss, 2 * E[:, 0] + 2 * E[:, 1] + E[:, 2], rtol=1e-10, atol=1e-14)
    # converges to the complex fixed point b* = λ, u* = δ of the rotational mode
    assert abs(m2.b[-1, 0] - LAM) < 1e-3 and abs(m2.u[-1, 0] - 1.0) < 1e-3


def test_default_aligned_init_and_bptt_agree_on_a_rotational_dataset():
    """init='aligned' with the scalar scale puts a = b = c = scale in each block; the correlation and
    the per-sample BPTT gradients give the same trajectory (two independent gradient codes)."""
    data = make_rotational_dataset(tasks.rotational(3, 1.0, LAM), 12, seed=0)
    kw = dict(lr=0.05, steps=40, scale=0.2, seed=1, record_every=10)
    r1 = lt.simulate_gd(data, 3, **kw)
    r2 = lt.simulate_gd(data, 3, method="bptt", **kw)
    assert np.allclose(r1.W_h, r2.W_h, rtol=0, atol=1e-12)
    m = r1.modes()
    assert np.allclose(m.a[0], 0.2) and np.allclose(m.b[0], 0.2)
    assert m.off_diagonal.max() < 1e-13
    # with n_h = 3 > 2 the spare hidden direction stays at zero
    assert np.abs(r1.W_h[-1] @ r1.R[:, 2]).max() < 1e-14


def test_aligned_complex_modes_reads_blocks_and_reports_residual():
    """A block network built by hand: values read back, off-block entries and non-rotation parts reported."""
    rng = np.random.default_rng(0)
    R, Q = np.linalg.qr(rng.normal(size=(4, 4)))[0], np.linalg.qr(rng.normal(size=(3, 3)))[0]
    a, b, c = np.array([1 + 2j, 0.5]), np.array([0.3j, -0.2]), np.array([2.0 - 1j, 1.5])
    blk = lambda v: block_dynamics([[v[0]]], [[v[1].real]])[0]  # noqa: E731
    Rd = R[:, :3]
    Wx, Wh, Wy = Rd @ blk(a) @ Q.T, Rd @ blk(b) @ Rd.T, Q @ blk(c) @ Rd.T
    m = aligned_complex_modes(Wx[None], Wh[None], Wy[None], R, Q, Q, 1)
    assert np.allclose(m.a[0], a, atol=1e-14) and np.allclose(m.b[0], b) and np.allclose(m.c[0], c)
    assert m.off_diagonal[0] < 1e-14
    E = np.zeros((3, 3))
    E[2, 0] = 0.01  # off-block entry
    E2 = np.zeros((3, 3))
    E2[0, 0] = 0.03  # breaks the rotation-scaling form of the block
    m2 = aligned_complex_modes(np.stack([Wx + Rd @ E @ Q.T, Wx + Rd @ E2 @ Q.T]), np.stack([Wh, Wh]),
                               np.stack([Wy, Wy]), R, Q, Q, 1)
    assert np.allclose(m2.off_diagonal, [0.01, 0.03], atol=1e-14)
    with pytest.raises(ValueError, match="n_complex"):
        aligned_complex_modes(Wx[None], Wh[None], Wy[None], R, Q, Q, 2)


# ---------------------------------------------------------------- tangent kernel


def test_kernel_distance_complex_with_real_values_is_the_real_aligned_closed_form():
    """A complex mode with real values is two equal real modes: the block kernel equals the closed-form
    aligned reduction (eq. of theory guide `theory-ntk-aligned`), and a real mode matches likewise."""
    from lrnn_theory.ntk import kernel_distance_aligned, kernel_distance_complex

    m0, m1 = (0.3, 0.2, 0.4), (1.0, 0.9, 1.1)
    for T in (1, 3, 6):
        ref = kernel_distance_aligned(tuple([v] * 2 for v in m0), tuple([v] * 2 for v in m1), T)
        assert kernel_distance_complex(m0, m1, T) == pytest.approx(ref, abs=1e-13)
    # one complex mode with real values + one real mode = three real modes
    a0, a1 = ([0.3, 0.5], [0.2, 0.1], [0.4, 0.6]), ([1.0, 0.7], [0.9, 0.5], [1.1, 0.8])
    ref = kernel_distance_aligned(tuple(np.r_[v[0], v] for v in a0), tuple(np.r_[v[0], v] for v in a1), 4)
    assert kernel_distance_complex(a0, a1, 4, n_complex=1) == pytest.approx(ref, abs=1e-13)


def test_kernel_distance_complex_matches_the_empirical_ntk_of_trained_weights():
    """D_K from the recovered complex modes = D_K of ntk() on the actual weights and the actual random
    whitened inputs (random Q, R, n > d, spare hidden directions), to rounding."""
    from lrnn_theory.ntk import kernel_distance, kernel_distance_complex, ntk

    T = 3
    s = tasks.rotational(T, 1.0, LAM)
    data = make_rotational_dataset(s, 40, seed=5, S_real=tasks.inverse_exponential(T, 0.8, 0.5), n=4)
    run = lt.simulate_gd(data, 5, lr=0.05, steps=200, modes0=([0.2 + 0.1j, 0.3], 0.2, 0.25), seed=3, record_every=200)
    m = run.modes()
    emp = kernel_distance(ntk(run.W_x[0], run.W_h[0], run.W_y[0], data.X),
                          ntk(run.W_x[-1], run.W_h[-1], run.W_y[-1], data.X))
    th = kernel_distance_complex((m.a[0], m.b[0], m.c[0]), (m.a[-1], m.b[-1], m.c[-1]), T, n_complex=1, n=4)
    assert emp > 0.05
    assert th == pytest.approx(emp, abs=1e-10)
    # the network size matters: ignoring the unused input/output direction gives another distance
    assert abs(kernel_distance_complex((m.a[0], m.b[0], m.c[0]), (m.a[-1], m.b[-1], m.c[-1]), T, n_complex=1) - emp) > 1e-4


@pytest.mark.parametrize("T", [1, 3, 6])
def test_rotational_kernel_movement_vs_theory(T):
    """Trained to convergence from σ = 0.1: the empirical distance equals the distance from the balanced
    fixed point a = c = 1, b = λ (the complex flow keeps a = c) to O(stop_loss), and is 0 at T = 1."""
    from lrnn_theory.ntk import kernel_distance_complex, rotational_kernel_movement

    mv = rotational_kernel_movement(0.1, T)
    assert mv.converged
    th = kernel_distance_complex((0.1, 0.1, 0.1), (1.0, LAM, 1.0), T)
    assert mv.distance == pytest.approx(th, abs=1e-4)
    if T == 1:
        assert mv.distance < 1e-12
    else:
        assert mv.distance > 0.5


# ---------------------------------------------------------------- figure C1


def test_figC1_quick_data():
    """Quick figure: GD on real weights within O(η) of the complex flow (η = 0.01: < 6η), block structure
    kept, final b at the complex fixed point λ of each mode, and the kernel distances of
    rotational_kernel_movement / kernel_distance_complex (T = 1 exactly 0, then increasing)."""
    from lrnn_theory.figures import FigureContext, load

    d = load("figC1").compute(FigureContext(quick=True, progress=False, seed=0))
    lr = d["lr"]
    assert np.max(d["max_abs_diff_b"]) < 6 * lr and np.max(d["max_abs_diff_ac"]) < 6 * lr
    assert d["off_block_residual"] < 1e-12
    lam = np.array([np.exp(1j * np.pi / 12), 0.9 * np.exp(1j * np.pi / 6)])
    b_final = np.asarray(d["b_final_simulation_re_im"]) @ [1, 1j]
    assert np.allclose(b_final, lam, atol=1e-3)
    assert np.allclose(np.asarray(d["ac_abs_simulation"])[-1], [1.0, 0.8], atol=1e-3)
    dt, dg = np.asarray(d["kernel_distance_theory"]), np.asarray(d["kernel_distance_trained"])
    # T = 1: the kernel does not depend on b, so the distance is 0 up to the rounding of 1 - <K0,K1>/(|K0||K1|)
    assert 0.0 <= dt[0] <= 4 * np.finfo(float).eps and dg[0] < 1e-12 and np.all(np.diff(dt) > 0)
    assert np.allclose(dt, dg, atol=1e-4)


def test_batch_runs_and_bad_aligned_inputs_on_a_rotational_dataset():
    """simulate_gd_batch reproduces simulate_gd run by run (and carries n_complex); bad aligned inits are named."""
    data = make_rotational_dataset(tasks.rotational(3, 1.0, LAM), 12, seed=0)
    runs = lt.simulate_gd_batch([data, data], 2, lr=[0.05, 0.1], steps=20, scale=0.2, seeds=1)
    one = lt.simulate_gd(data, 2, lr=0.1, steps=20, scale=0.2, seed=1)
    assert runs[1].n_complex == 1
    assert np.allclose(runs[1].modes().b, one.modes().b, rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="n_h"):
        lt.simulate_gd(data, 1, lr=0.05, steps=2)
    with pytest.raises(ValueError, match=r"modes0\[2\]"):
        lt.simulate_gd(data, 2, lr=0.05, steps=2, modes0=(1, 2, [1, 2]))
    with pytest.raises(ValueError, match="init='aligned'"):
        lt.simulate_gd(data, 2, lr=0.05, steps=2, init="random").modes()
    mixed = _three_mode_data()
    with pytest.raises(ValueError, match="real on the real modes"):
        lt.simulate_gd(mixed, 5, lr=0.05, steps=2, modes0=(0.1, [0.1, 0.1, 0.1j], 0.1))


def test_compare_reports_the_same_errors_for_complex_modes():
    """lt.compare on a rotational run: its per-mode max errors equal the direct comparison of the
    recovered complex modes with the complex ODE (a second, hand-written computation)."""
    data = _three_mode_data()
    run, modes, theory, _ = _gd_error(data, 0.02)
    cmp = lt.compare(theory, run)
    assert cmp.names == ("a", "b", "c", "energy")
    for name in "abc":
        direct = np.max(np.abs(getattr(theory, name).T - getattr(modes, name)), axis=0)
        assert np.allclose(cmp.max_abs[name], direct, rtol=1e-12, atol=1e-15)
    # energies: complex mode energy of the recovered modes against the theory's; the gap is the
    # Euler error, first order in the learning rate (halves with it)
    assert np.iscomplexobj(cmp.simulation["a"]) and np.all(np.isreal(cmp.simulation["energy"]))
    run2, _, theory2, _ = _gd_error(data, 0.01)
    ratio = np.max(cmp.max_abs["energy"]) / np.max(lt.compare(theory2, run2).max_abs["energy"])
    assert 1.6 < ratio < 2.4
