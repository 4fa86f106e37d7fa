"""k-unit mode (theory guide `theory-k-unit-flow`): SymPy gradient, k = 1 = the mode ODE, and simulate_gd to O(lr)."""
import numpy as np
import pytest
import sympy as sp

import lrnn_theory as lt
from lrnn_theory.units import integrate_units, unit_energy, unit_gradient, unit_hessian


@pytest.mark.parametrize("k, T", [(2, 3), (3, 2)])
def test_gradient_and_hessian_match_sympy(k, T):
    a = sp.Matrix(sp.symbols(f"a0:{k}", real=True))
    c = sp.Matrix(sp.symbols(f"c0:{k}", real=True))
    B = sp.Matrix(k, k, sp.symbols(f"B0:{k * k}", real=True))
    s = sp.symbols(f"s1:{T + 1}", real=True)
    E = sp.Rational(1, 2) * sum((s[i - 1] - (c.T * B ** (T - i) * a)[0, 0]) ** 2 for i in range(1, T + 1))
    theta = list(a) + list(B) + list(c)  # B row-major, as unit_hessian
    args = theta + list(s)
    f_E = sp.lambdify(args, E, "numpy")
    f_g = sp.lambdify(args, [sp.diff(E, v) for v in theta], "numpy")
    f_H = sp.lambdify(args, sp.hessian(E, theta), "numpy")
    rng = np.random.default_rng(k * 10 + T)
    av, cv, sv = rng.standard_normal(k), rng.standard_normal(k), rng.standard_normal(T)
    Bv = 0.6 * rng.standard_normal((k, k))
    vals = list(av) + list(Bv.ravel()) + list(cv) + list(sv)
    ga, gB, gc = unit_gradient(sv, av, Bv, cv)
    np.testing.assert_allclose(np.concatenate([ga, gB.ravel(), gc]), np.array(f_g(*vals), float), rtol=1e-12, atol=1e-12)
    assert float(unit_energy(sv, av, Bv, cv)) == pytest.approx(float(f_E(*vals)), rel=1e-13)
    np.testing.assert_allclose(unit_hessian(sv, av, Bv, cv), np.array(f_H(*vals), float), rtol=1e-11, atol=1e-11)


def test_batched_gradient_equals_loop():
    rng = np.random.default_rng(0)
    s = rng.standard_normal((4, 5))
    a, c = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    B = 0.5 * rng.standard_normal((4, 2, 2))
    ga, gB, gc = unit_gradient(s, a, B, c)
    for n in range(4):
        g1 = unit_gradient(s[n], a[n], B[n], c[n])
        assert np.allclose(ga[n], g1[0], rtol=1e-14) and np.allclose(gB[n], g1[1], rtol=1e-14)


def test_one_unit_is_the_mode_ode_bit_for_bit():
    s = lt.tasks.stack(lt.tasks.inverse_exponential(6, 1.0, 0.7), lt.tasks.modified("constant", 6, kappa=1.5))
    t = np.linspace(0, 30, 61)
    a0, b0, c0 = np.array([0.1, 0.2]), np.array([0.05, -0.1]), np.array([0.1, 0.3])
    ref = lt.integrate_modes(s, a0, b0, c0, t)
    tr = integrate_units(s, a0[:, None], b0[:, None, None], c0[:, None], t)
    assert tr.backend == "compiled"
    assert np.array_equal(tr.a[..., 0], ref.a) and np.array_equal(tr.B[..., 0, 0], ref.b)
    assert np.array_equal(tr.c[..., 0], ref.c) and np.array_equal(tr.energy, ref.energy)
    for name in ("status", "nfev", "njev", "nlu", "nsteps"):
        assert np.array_equal(getattr(tr, name), getattr(ref, name)), name


def _gd_vs_flow(lr, s, a0, B0, c0, t_end, data):
    steps = int(round(t_end / lr))
    U, V = float(data.U_y[0, 0]), float(data.V_x[0, 0])
    run = lt.simulate_gd(data, a0.size, lr=lr, steps=steps, weights0=(a0[:, None] * V, B0, U * c0[None, :]),
                         record_every=steps)
    return run


@pytest.mark.parametrize("k", [2, 3])
def test_flow_equals_gradient_descent_to_order_lr(k):
    # N_x = N_y = 1, exactly white data: GD on (W_x, W_h, W_y) is GD on (a, B, c); its error against the
    # flow is O(lr) (theory guide `theory-conventions`): halving lr halves it.  Both integrators of the
    # flow (compiled Radau, SciPy LSODA) are the limit.
    T = 5
    tt = np.arange(1, T + 1)
    s = 0.9 ** (T - tt) - 0.7 * 0.4 ** (T - tt)
    data = lt.make_dataset(s, 1, 1, T, seed=0)
    rng = np.random.default_rng(3)
    a0, c0, B0 = 0.4 * rng.standard_normal(k), 0.4 * rng.standard_normal(k), 0.3 * rng.standard_normal((k, k))
    t_end = 8.0
    flows = [integrate_units(s, a0, B0, c0, [0.0, t_end], rtol=1e-12, atol=1e-14, method=m) for m in ("compiled", "LSODA")]
    assert [f.backend for f in flows] == ["compiled", "scipy-lsoda"]
    runs = [_gd_vs_flow(lr, s, a0, B0, c0, t_end, data) for lr in (0.02, 0.01, 0.005)]
    for flow in flows:
        assert flow.energy[-1] < 0.5 * s @ s  # it learned something: the comparison is not at rest
        errs = []
        for run in runs:
            assert run.time[-1] == pytest.approx(t_end)
            errs.append(abs(run.loss[-1] - flow.energy[-1]))
        assert errs[0] / errs[1] == pytest.approx(2.0, rel=0.15) and errs[1] / errs[2] == pytest.approx(2.0, rel=0.15)


def _flat(tr):
    return np.concatenate([tr.a, tr.B.reshape(tr.B.shape[:-2] + (-1,)), tr.c], axis=-1)


@pytest.mark.parametrize("k, T, seed", [(2, 5, 1), (3, 6, 2)])
def test_compiled_flow_agrees_with_scipy_within_the_tolerance(k, T, seed):
    """The compiled Radau kernel (model 3) against scipy's Radau at rtol 1e-12, in units of the requested
    tolerance (as scipy's own ivp tests measure accuracy); measured 0.04-0.35 at rtol 1e-6..1e-10, through
    the learning phase of a random task.  SciPy's LSODA at the same rtol (the cross-check path) lands
    within its own larger global error (measured 7-27 tolerances)."""
    rng = np.random.default_rng(seed)
    s = rng.standard_normal(T)
    a0, B0, c0 = 0.5 * rng.standard_normal(k), 0.4 * rng.standard_normal((k, k)), 0.5 * rng.standard_normal(k)
    t = np.linspace(0.0, 10.0, 11)
    ref = _flat(integrate_units(s, a0, B0, c0, t, rtol=1e-12, atol=1e-14, method="Radau"))
    for rtol in (1e-6, 1e-10):
        atol = 1e-2 * rtol
        tr = integrate_units(s, a0, B0, c0, t, rtol=rtol, atol=atol)
        ls = integrate_units(s, a0, B0, c0, t, rtol=rtol, atol=atol, method="LSODA")
        assert tr.backend == "compiled" and tr.success and ls.success
        assert np.max(np.abs(_flat(tr) - ref) / (atol + rtol * np.abs(ref))) < 2
        assert np.max(np.abs(_flat(ls) - ref) / (atol + rtol * np.abs(ref))) < 200
        # the energy field is the energy of the states it sits beside
        np.testing.assert_allclose(tr.energy, unit_energy(s, tr.a, tr.B, tr.c), rtol=1e-13, atol=1e-15)
        assert np.all(tr.nfev > 0) and np.all(tr.njev > 0) and np.all(tr.nsteps > 0)
        assert np.all(tr.njev <= tr.nsteps + 10) and np.all(tr.nlu <= tr.nsteps + 20)


def test_batches_keep_their_shape_and_each_run_is_its_own():
    """A (2, 3) batch of k = 2 runs (broadcast s, a, B, c) equals the runs integrated one at a time, bit for
    bit: each run has its own step size and order in the compiled kernel."""
    rng = np.random.default_rng(4)
    s = rng.standard_normal((2, 1, 4))
    a0, c0 = 0.3 * rng.standard_normal((3, 2)), 0.3 * rng.standard_normal((2, 3, 2))
    B0 = 0.3 * rng.standard_normal((2, 2))
    t = np.linspace(0.0, 5.0, 6)
    tr = integrate_units(s, a0, B0, c0, t)
    assert tr.a.shape == (2, 3, 6, 2) and tr.B.shape == (2, 3, 6, 2, 2) and tr.c.shape == (2, 3, 6, 2)
    assert tr.energy.shape == (2, 3, 6) and tr.status.shape == tr.nfev.shape == tr.nsteps.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            one = integrate_units(s[i, 0], a0[j], B0, c0[i, j], t)
            assert np.array_equal(one.a, tr.a[i, j]) and np.array_equal(one.B, tr.B[i, j])
            assert np.array_equal(one.energy, tr.energy[i, j]) and int(one.nfev) == tr.nfev[i, j]


def test_divergence_is_flagged_by_both_paths():
    s = np.array([0.3, -0.5, 1.0, 0.8])
    rng = np.random.default_rng(5)
    a0, c0, B0 = 0.3 * rng.standard_normal(2), 0.3 * rng.standard_normal(2), 0.3 * rng.standard_normal((2, 2))
    t = np.linspace(0, 20, 11)
    for method in ("compiled", "Radau"):
        r = integrate_units(s, a0, B0, c0, t, method=method)
        assert r.success and np.all(np.diff(r.energy) <= 1e-12)  # energy never increases along a gradient flow
        # a start whose energy overflows is reported, not raised
        bad = integrate_units(s, a0, B0 + 1e120 * np.eye(2), c0, t, method=method)
        assert int(bad.status) == 1 and not bad.success
    # s_T = 4 needs c·a = 4: the run leaves the box |θ_i| <= 1.5 (a_i c_i <= 2.25 each) on its way;
    # one run in the batch diverges, the other (s_T = 1) finishes
    two = integrate_units([[0.0, 4.0], [0.0, 1.0]], [0.1, 0.05], 0.1 * np.eye(2), [0.1, 0.05], [0.0, 1.0, 10.0, 40.0],
                          bound=1.5)
    assert two.status.tolist() == [1, 0]
    assert np.all(np.isnan(two.a[0, -1])) and np.isnan(two.energy[0, -1]) and np.isfinite(two.energy[1, -1])
    assert two.energy[1, -1] < 1e-10 and np.all(np.abs(_flat(two)[0][np.isfinite(two.energy[0])]) <= 1.5)


def test_cold_cache_answer_is_the_scipy_path_and_agrees(monkeypatch):
    """While the compiled kernel compiles (cold cache, simulated), a small call is answered by SciPy's LSODA
    (backend says so) and agrees with the kernel within the LSODA global error; a run that diverges there
    waits for the kernel."""
    from lrnn_theory import integrate

    class Cold:
        waits = 0

        def prepare(self, args):
            return False

        def wait(self, args):
            Cold.waits += 1

    s = np.array([0.3, -0.5, 1.0, 0.8])
    rng = np.random.default_rng(5)
    a0, c0, B0 = 0.3 * rng.standard_normal(2), 0.3 * rng.standard_normal(2), 0.3 * rng.standard_normal((2, 2))
    t = np.linspace(0, 20, 11)
    ref = integrate_units(s, a0, B0, c0, t)
    monkeypatch.setattr(integrate, "_KERNEL_UNITS", Cold())
    cold = integrate_units(s, a0, B0, c0, t)
    assert ref.backend == "compiled" and cold.backend == "scipy-lsoda" and Cold.waits == 0
    assert np.max(np.abs(_flat(cold) - _flat(ref))) < 1e3 * 1e-10 * max(1.0, np.max(np.abs(_flat(ref))))
    bad = integrate_units(s, a0, B0, c0, t, bound=0.2)
    assert bad.backend == "compiled" and int(bad.status) == 1 and Cold.waits == 1


def test_compiled_gradient_equals_the_numpy_one():
    # two implementations of eq-k-unit-gradient: the compiled kernel used by the flow and the vectorised one
    from lrnn_theory import _units

    rng = np.random.default_rng(11)
    for k, T in ((2, 6), (3, 9)):
        s = rng.standard_normal(T)
        a, c, B = rng.standard_normal(k), rng.standard_normal(k), 0.5 * rng.standard_normal((k, k))
        ga, gB, gc = unit_gradient(s, a, B, c)
        g = np.empty(2 * k + k * k)
        E = _units.flat_grad(np.concatenate([a, B.ravel(), c]), s[::-1].copy(), k, g)
        np.testing.assert_allclose(g, np.concatenate([ga, gB.ravel(), gc]), rtol=1e-13, atol=1e-13)
        assert E == pytest.approx(float(unit_energy(s, a, B, c)), rel=1e-14)
