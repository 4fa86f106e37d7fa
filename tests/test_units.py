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


def _gd_vs_flow(lr, s, a0, B0, c0, t_end, data):
    steps = int(round(t_end / lr))
    U, V = float(data.U_y[0, 0]), float(data.V_x[0, 0])
    run = lt.simulate_gd(data, a0.size, lr=lr, steps=steps, weights0=(a0[:, None] * V, B0, U * c0[None, :]),
                         record_every=steps)
    return run


def test_flow_equals_gradient_descent_to_order_lr():
    # N_x = N_y = 1, exactly white data: GD on (W_x, W_h, W_y) is GD on (a, B, c); its error against the
    # flow is O(lr) (theory guide `theory-conventions`): halving lr halves it
    T = 5
    tt = np.arange(1, T + 1)
    s = 0.9 ** (T - tt) - 0.7 * 0.4 ** (T - tt)
    data = lt.make_dataset(s, 1, 1, T, seed=0)
    rng = np.random.default_rng(3)
    a0, c0, B0 = 0.4 * rng.standard_normal(2), 0.4 * rng.standard_normal(2), 0.3 * rng.standard_normal((2, 2))
    t_end = 8.0
    flow = integrate_units(s, a0, B0, c0, [0.0, t_end], rtol=1e-12, atol=1e-14)
    errs = []
    for lr in (0.02, 0.01, 0.005):
        run = _gd_vs_flow(lr, s, a0, B0, c0, t_end, data)
        assert run.time[-1] == pytest.approx(t_end)
        errs.append(abs(run.loss[-1] - flow.energy[-1]))
    assert flow.energy[-1] < 0.5 * s @ s  # it learned something: the comparison is not at rest
    assert errs[0] / errs[1] == pytest.approx(2.0, rel=0.15) and errs[1] / errs[2] == pytest.approx(2.0, rel=0.15)


def test_radau_and_lsoda_agree_and_divergence_is_flagged():
    s = np.array([0.3, -0.5, 1.0, 0.8])
    rng = np.random.default_rng(5)
    a0, c0, B0 = 0.3 * rng.standard_normal(2), 0.3 * rng.standard_normal(2), 0.3 * rng.standard_normal((2, 2))
    t = np.linspace(0, 20, 11)
    r1 = integrate_units(s, a0, B0, c0, t, rtol=1e-8, method="Radau")
    r2 = integrate_units(s, a0, B0, c0, t, rtol=1e-10)
    assert r1.success and r2.success
    np.testing.assert_allclose(r1.energy, r2.energy, rtol=1e-6, atol=1e-9)
    # energy never increases along a gradient flow
    assert np.all(np.diff(r1.energy) <= 1e-12)
    # a start whose energy overflows is reported, not raised
    bad = integrate_units(s, a0, B0 + 1e120 * np.eye(2), c0, t)
    assert int(bad.status) == 1 and not bad.success


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
