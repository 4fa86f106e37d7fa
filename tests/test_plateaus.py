"""The loss staircase (theory guide `theory-staircase`): levels, saddles and drop times against simulate_gd."""
import numpy as np
import pytest

import lrnn_theory as lt
from lrnn_theory.plateaus import measure_staircase, saddle_coupling
from lrnn_theory.units import _flat_grad, _pack

T = 10
t = np.arange(1, T + 1)
TASKS = {
    "two-poles": 0.9 ** (T - t) - 0.7 * 0.4 ** (T - t),
    "rotation": 0.9 ** (T - t) * np.cos(0.7 * (t - 1)),
}


def _simulate(s, n_h, lr, t_end, seed):
    data = lt.make_dataset(s, 1, 1, T, seed=0)
    return lt.simulate_gd(data, n_h, lr=lr, steps=int(round(t_end / lr)), init="random", scale=1e-6, seed=seed,
                          record_every=10)


@pytest.mark.parametrize("name, n_h, lr", [("two-poles", 2, 0.01), ("rotation", 2, 0.01),
                                           pytest.param("two-poles", 3, 0.01, marks=pytest.mark.slow),
                                           pytest.param("mod-constant", 2, 0.002, marks=pytest.mark.slow)])
def test_levels_and_drop_times_match_simulate_gd(name, n_h, lr):
    s = TASKS[name] if name in TASKS else lt.tasks.modified("constant", T, kappa=2.0)
    sc = lt.staircase(s, n_h, 1e-6)
    assert sc.levels.size == 3  # all of these are exactly order-2 tasks
    t_end = 1.3 * sc.drop_times[-1]
    drops, levels = [], []
    for seed in range(3):
        run = _simulate(s, n_h, lr, t_end, seed)
        lv, td = measure_staircase(run.time, run.loss, sc.levels)
        drops.append(td)
        levels.append(lv)
        # the plateau is the best one-pole fit (the conjecture) to 1e-6 relative; past the last drop the loss is far below it
        assert lv[1] == pytest.approx(sc.levels[1], rel=1e-6)
        assert run.loss[-1] < 1e-2 * sc.levels[1]
    # drop times: the median over three random starts within 25 % of the small-scale prediction
    np.testing.assert_allclose(np.median(drops, axis=0), sc.drop_times, rtol=0.25)


def test_three_drops_with_three_units():
    s = 0.9 ** (T - t) - 0.7 * 0.4 ** (T - t) + 0.5 * (-0.6) ** (T - t)
    sc = lt.staircase(s, 3, 1e-6)
    assert sc.levels.size == 4 and sc.n_unstable.tolist() == [3, 2, 1]
    run = _simulate(s, 3, 0.01, 1.2 * sc.drop_times[-1], seed=0)
    lv, td = measure_staircase(run.time, run.loss, sc.levels)
    np.testing.assert_allclose(lv[1:3], sc.levels[1:3], rtol=1e-6)
    np.testing.assert_allclose(td, sc.drop_times, rtol=0.25)


def test_saddles_are_stationary_with_the_coupling_rate():
    s = TASKS["two-poles"] + 0.5 * (-0.6) ** (T - t)
    sc = lt.staircase(s, 3, 1e-6)
    for j in range(sc.levels.size - 1):
        fit = sc.fits[j]
        a, B, c = np.zeros(3), np.zeros((3, 3)), np.zeros(3)
        a[:j], B[:j, :j], c[:j] = fit.a, fit.B, fit.c
        g = _flat_grad(_pack(a, B, c), s, 3)
        assert np.linalg.norm(g) < 1e-7 * np.linalg.norm(s) ** 2  # a critical point of the 3-unit energy
        # the Hessian's escape rate equals the top singular value of the idle unit's coupling matrix
        M = saddle_coupling(s, fit.a, fit.B, fit.c)
        assert sc.rates[j] == pytest.approx(np.linalg.svd(M, compute_uv=False)[0], rel=1e-8)
        # and leaving along it, the flow lands on the next plateau
        assert sc.landing[j] == pytest.approx(sc.levels[j + 1], rel=1e-6, abs=1e-12 * sc.levels[0])
    assert sc.rates[0] == pytest.approx(abs(s[-1]), rel=1e-12)  # the origin: rate |s_T|


def test_degenerate_saddle_has_no_linear_escape():
    # Dirac-like task (theory guide `theory-dirac`): after the first drop the coupling vanishes
    s = lt.tasks.dirac(T)
    sc = lt.staircase(s, 2, 1e-6)
    assert sc.rates[1] == pytest.approx(0.0, abs=1e-12) and np.isnan(sc.drop_times[1])
    run = _simulate(s, 2, 0.01, 3 * sc.drop_times[0], seed=0)
    assert run.loss[-1] == pytest.approx(sc.levels[1], rel=1e-6)  # still on the plateau


def test_measure_staircase_on_a_synthetic_curve():
    tt = np.linspace(0, 40, 4001)
    L = 0.25 + 0.75 / (1 + np.exp(2 * (tt - 10))) - 0.25 / (1 + np.exp(-2 * (tt - 30)))
    lv, td = measure_staircase(tt, L, [1.0, 0.25, 0.0])
    np.testing.assert_allclose(td, [10.0, 30.0], atol=0.02)
    assert lv[1] == pytest.approx(0.25, rel=1e-6)
