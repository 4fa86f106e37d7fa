"""Closed forms of theory guide `theory-learning-speed`, `theory-stability-extrapolation` (theory guide `theory-checks` ('Fixed points and closed forms', 'Landscape', 'Extrapolation and kernels')) against second methods."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from lrnn_theory import closed_forms as cf
from lrnn_theory import tasks
from lrnn_theory.modes import mode_energy, mode_hessian, mode_rhs


@pytest.mark.parametrize(
    "family,delta,lam",
    [("constant", 1.5, 0.3), ("inverse_exponential", 2.0, 0.8), ("inverse_exponential", 0.7, 1.2),
     ("exponential", 1.0, 0.8), ("exponential", 0.5, 1.3)],
)
def test_fixed_point_table_of_section_4_1(family, delta, lam):
    T = 7
    s = tasks.make_task(family, T, delta, lam)
    b, u, stable = cf.family_fixed_point(family, T, delta, lam)
    fp = cf.fixed_point(s)
    assert fp.exact and fp.b == pytest.approx(b, rel=1e-14) and fp.u == pytest.approx(u, rel=1e-14)
    assert mode_energy(np.sqrt(u), b, np.sqrt(u), s) < 1e-25 * (1 + np.sum(s ** 2))
    assert bool(stable) == (abs(b) <= 1)


def test_every_task_is_learnable_at_T2():
    """Theory guide `theory-learnable`: u = s_2, b = s_1/s_2."""
    s = np.array([[0.3, -1.2], [2.0, 0.5]])
    fp = cf.fixed_point(s)
    assert np.all(fp.exact) and np.allclose(fp.b, s[:, 0] / s[:, 1]) and np.allclose(fp.u, s[:, 1])


def test_fixed_point_is_stationary_and_never_worse_than_a_grid():
    """For random tasks the returned (b, u) is stationary for E and beats a dense grid of E*(b)."""
    rng = np.random.default_rng(0)
    s = rng.normal(size=(30, 6))
    fp = cf.fixed_point(s)
    grid = np.linspace(-1, 3, 20001)
    from lrnn_theory.landscape import profile_energy

    Egrid = profile_energy(grid[:, None], s[None]).min(axis=0)
    assert np.all(fp.energy <= Egrid + 1e-12)
    ok = ~fp.at_boundary
    a = np.sqrt(np.abs(fp.u))
    c = np.sign(fp.u) * a
    grad = np.stack(mode_rhs(a, fp.b, c, s))[:, ok]
    assert np.max(np.abs(grad)) < 1e-8


def test_check17_scale_invariance():
    """Theory guide `theory-checks` ('Landscape'): s -> k s leaves b* unchanged and multiplies u* by k."""
    rng = np.random.default_rng(1)
    s = rng.normal(size=(10, 5))
    for k in (0.1, 3.0, -2.0):
        fp, fk = cf.fixed_point(s), cf.fixed_point(k * s)
        assert np.allclose(fk.b, fp.b, atol=1e-9) and np.allclose(fk.u, k * fp.u, rtol=1e-8, atol=1e-12)


def test_check11_logistic_equals_integrated_ode():
    """Theory guide `theory-checks` ('Fixed points and closed forms'): b frozen, balanced: the theory guide `theory-frozen-recurrent` logistic equals solve_ivp of the mode ODE to 1e-8."""
    s = tasks.exponential(6, 1.0, 0.9)
    t = np.linspace(0, 10, 51)
    for b in (0.3, 1.0, 1.1):
        ode = solve_ivp(lambda _, y: [mode_rhs(y[0], b, y[1], s)[0], mode_rhs(y[0], b, y[1], s)[2]],
                        (0, 10), [0.1, 0.1], rtol=1e-12, atol=1e-14, t_eval=t, method="DOP853")
        assert np.max(np.abs(ode.y[0] * ode.y[1] - cf.frozen_b_solution(t, s, b, 0.01))) < 1e-8


def test_frozen_b_limits():
    t = np.array([0.0, 1.0, 1e6])
    u = cf.frozen_b_solution(t, tasks.constant(4, 1.0), 1.0, 0.01)
    assert u[0] == pytest.approx(0.01) and u[-1] == pytest.approx(1.0)  # C/D = 4/4
    # C = 0: algebraic decay u0/(1 + 2 D u0 t)
    u = cf.frozen_b_solution(t, np.array([1.0, 0.0, -1.0]), 1.0, 0.5)
    assert np.allclose(u, 0.5 / (1 + 2 * 3 * 0.5 * t))


@pytest.mark.parametrize(
    "family,delta,lam,lmax4,lmax8",
    [("constant", 1.0, 1.0, 20.0, 151.6), ("constant", 3.0, 1.0, 142.4, 1294.0),
     ("inverse_exponential", 1.0, 0.8, 10.1, 25.6), ("inverse_exponential", 1.0, 1.2, 38.1, 911.4),
     ("exponential", 1.0, 0.8, 11.5, 55.6)],
)
def test_lambda_max_table_of_section_5_2(family, delta, lam, lmax4, lmax8):
    for T, ref in ((4, lmax4), (8, lmax8)):
        lmax = 2.0 / cf.max_stable_lr(tasks.make_task(family, T, delta, lam))
        assert round(lmax, 1) == pytest.approx(ref, abs=0.051 if ref < 1000 else 0.5)


def test_check12_hessian_one_zero_eigenvalue_and_equals_numeric_hessian():
    s = tasks.inverse_exponential(6, 1.5, 0.7)
    H = cf.hessian_at_solution(s)
    ev = np.linalg.eigvalsh(H)
    assert abs(ev[0]) < 1e-12 * ev[-1] and ev[1] > 1e-6 * ev[-1]
    u = 1.5
    assert np.allclose(H, mode_hessian(np.sqrt(u), 0.7, np.sqrt(u), s), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("s", [tasks.constant(4, 1.0), tasks.inverse_exponential(8, 1.0, 0.8), tasks.exponential(4, 1.0, 0.8)])
def test_check12_gd_stability_threshold(s):
    """Theory guide `theory-stability`: GD near the solution converges at 0.9·2/λmax and diverges at 1.1·2/λmax."""
    fp = cf.fixed_point(s)
    lr_max = cf.max_stable_lr(s)
    H = cf.hessian_at_solution(s)
    w, V = np.linalg.eigh(H)
    start = np.array([np.sqrt(fp.u), fp.b, np.sqrt(fp.u)]) + 1e-4 * V[:, -1]

    def run(lr, steps=4000):
        x = start.copy()
        for _ in range(steps):
            x = x + lr * np.array(mode_rhs(*x, s))
            if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > 1e3:
                return np.inf
        return mode_energy(*x, s)

    assert run(0.9 * lr_max) < 1e-14
    assert not run(1.1 * lr_max) < 1e-6


def test_check18_extrapolation():
    """Theory guide `theory-checks`, `theory-extrapolation` ('Extrapolation and kernels') values (δ = 1, λ = 0.8, T = 10): 0.359, 0, 3.74, 61.4 at T' = 5, 10, 15, 20."""
    Tp = np.arange(1, 31)
    closed = cf.extrapolation_energy("exponential", 10, Tp, 1.0, 0.8)
    direct = np.array([cf.extrapolation_energy_direct(0.8 ** 10, 1 / 0.8, tasks.exponential(int(t), 1.0, 0.8)) for t in Tp])
    assert np.allclose(closed, direct, rtol=1e-13, atol=1e-13)
    assert np.round(closed[[4, 9, 14, 19]], 3).tolist() == [0.359, 0.0, 3.737, 61.423]
    # zero only at T' = T, growing with T' beyond it.  (the theory guide says "growing with |T'-T|"; below T the
    # sum has fewer terms and E_test is not monotone: 0.240, 0.363, 0.410, 0.403, 0.359, ... at T' = 1..5)
    assert closed[9] == 0 and np.all(closed[np.arange(30) != 9] > 0) and np.all(np.diff(closed[9:]) > 0)
    for fam in ("constant", "inverse_exponential"):
        assert np.all(cf.extrapolation_energy(fam, 10, Tp, 1.3, 0.7) == 0.0)
        fp = cf.fixed_point(tasks.make_task(fam, 10, 1.3, 0.7))
        direct = [cf.extrapolation_energy_direct(fp.u, fp.b, tasks.make_task(fam, int(t), 1.3, 0.7)) for t in Tp]
        assert np.max(np.abs(direct)) < 1e-25


def test_recency_weight_family_closed_forms():
    """Theory guide `theory-escape-recency`: C(b0) for the three families equals the direct sum."""
    T, d, lam, b0 = 9, 1.3, 0.7, 0.4
    C = cf.recency_weight(np.stack([tasks.inverse_exponential(T, d, lam), tasks.constant(T, d), tasks.exponential(T, d, lam)]), b0)
    expected = [d * (1 - (lam * b0) ** T) / (1 - lam * b0), d * (1 - b0 ** T) / (1 - b0),
                d * lam ** T * (1 - (b0 / lam) ** T) / (1 - b0 / lam)]
    assert np.allclose(C, expected, rtol=1e-13)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: cf.fixed_point(np.array([1.0, np.nan])), ValueError, "s must contain only finite"),
        (lambda: cf.fixed_point(np.ones(3), b_range=(2.0, 1.0)), ValueError, "b_range"),
        (lambda: cf.family_fixed_point("sine", 3), ValueError, "family"),
        (lambda: cf.family_fixed_point("exponential", 3, 1.0, 0.0), ValueError, "lam"),
        (lambda: cf.frozen_b_solution([0.0, 1.0], np.ones(3), 0.5, 0.0), ValueError, "u0"),
        (lambda: cf.frozen_b_solution([0.0, 1.0], np.ones(3), 0.5, 0.1, tau=-1), ValueError, "tau"),
        (lambda: cf.escape_time(np.ones(3), 0.1, -1.0), ValueError, "u0"),
        (lambda: cf.hessian_at_solution(np.array([1.0, 0.0, 1.0])), ValueError, "geometric"),
        (lambda: cf.max_stable_lr("x"), TypeError, "s must be"),
        (lambda: cf.extrapolation_energy("exponential", 0, 3), ValueError, "T_train"),
        (lambda: cf.extrapolation_energy("exponential", 5, [0, 3]), ValueError, "T_test"),
        (lambda: cf.extrapolation_energy("exponential", 5, 2.5), ValueError, "T_test"),
        (lambda: cf.jacobian_rows(1.0, 0.5, 0), ValueError, "T"),
        (lambda: cf.recency_weight(np.ones((2, 3)), np.ones(3)), ValueError, "broadcast"),
        (lambda: cf.extrapolation_energy_direct(1.0, 0.5, np.array([np.inf])), ValueError, "s_test"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
