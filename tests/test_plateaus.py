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


THREE_POLES = 0.9 ** (T - t) - 0.7 * 0.4 ** (T - t) + 0.5 * (-0.6) ** (T - t)


@pytest.fixture(scope="module")
def three_poles():
    return lt.staircase(THREE_POLES, 3, 1e-6)


def test_three_drops_with_three_units(three_poles):
    s, sc = THREE_POLES, three_poles
    assert sc.levels.size == 4 and sc.n_unstable.tolist() == [3, 2, 1]
    run = _simulate(s, 3, 0.01, 1.2 * sc.drop_times[-1], seed=0)
    lv, td = measure_staircase(run.time, run.loss, sc.levels)
    np.testing.assert_allclose(lv[1:3], sc.levels[1:3], rtol=1e-6)
    np.testing.assert_allclose(td, sc.drop_times, rtol=0.25)


def test_saddles_are_stationary_with_the_coupling_rate(three_poles):
    s, sc = THREE_POLES, three_poles
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
    assert sc.notes == ()  # nothing to distrust on this task
    assert sc.rates[0] == pytest.approx(abs(s[-1]), rel=1e-12)  # the origin: rate |s_T|


def test_degenerate_saddle_has_no_linear_escape():
    # Dirac-like task (theory guide `theory-dirac`): after the first drop the coupling vanishes
    s = lt.tasks.dirac(T)
    sc = lt.staircase(s, 2, 1e-6)
    assert sc.rates[1] == pytest.approx(0.0, abs=1e-10) and np.isnan(sc.drop_times[1])
    assert sc.fits[2].at_boundary  # and the best two-pole fit runs away (a pole at infinity)
    assert any("degenerate" in n for n in sc.notes) and any("edge" in n for n in sc.notes)
    run = _simulate(s, 2, 0.01, 3 * sc.drop_times[0], seed=0)
    assert run.loss[-1] == pytest.approx(sc.levels[1], rel=1e-6)  # still on the plateau


def test_measure_staircase_on_a_synthetic_curve():
    tt = np.linspace(0, 40, 4001)
    L = 0.25 + 0.75 / (1 + np.exp(2 * (tt - 10))) - 0.25 / (1 + np.exp(-2 * (tt - 30)))
    lv, td = measure_staircase(tt, L, [1.0, 0.25, 0.0])
    np.testing.assert_allclose(td, [10.0, 30.0], atol=0.02)
    assert lv[1] == pytest.approx(0.25, rel=1e-6)


def test_recruitment_of_the_spare_unit_matches_simulate_gd():
    # two modes that each need two units, three units: the weaker-first mode (2R, drops at 6.9 and 11.7)
    # takes the spare unit before A's second drop (75.0) is due; A stays on its one-pole plateau
    A, R = TASKS["two-poles"], TASKS["rotation"]
    S = np.stack([A, 2 * R])
    rec = lt.plateaus.recruitment(S, 3, 1e-6)
    assert rec.units.tolist() == [1, 2] and rec.accepted.tolist() == [True, True, True, False]
    data = lt.make_dataset(S, 2, 2, 2 * T, seed=0)
    run = lt.simulate_gd(data, 3, lr=0.01, steps=6000, init="random", scale=1e-6, seed=0, record_every=20)
    Wx, Wh, Wy = run.W_x, run.W_h, run.W_y
    G = np.empty((run.time.size, T, 2, 2))  # per-mode responses U_yᵀ W_y W_h^k W_x V_x
    P = Wx
    for k in range(T):
        G[:, k] = np.einsum("ya,nyh,nhx,xb->nab", data.U_y, Wy, P, data.V_x)
        P = Wh @ P
    x = S[:, ::-1].T
    per_mode = 0.5 * np.sum((x[None] - np.stack([G[:, :, 0, 0], G[:, :, 1, 1]], -1)) ** 2, axis=1)
    assert per_mode[-1, 0] == pytest.approx(rec.final_levels[0], rel=1e-6)  # A on its plateau E*_1
    assert per_mode[-1, 1] < 1e-10 * rec.staircases[1].levels[0]  # 2R learned exactly
    for k in range(2):
        sc = rec.staircases[k]
        _, td = measure_staircase(run.time, np.maximum(per_mode[:, k], 1e-300), sc.levels)
        n = int(rec.units[k])
        np.testing.assert_allclose(td[:n], sc.drop_times[:n], rtol=0.25)
        assert np.all(np.isnan(td[n:]))  # the refused drop does not happen


@pytest.mark.parametrize("name", ["rotation"])
def test_first_saddle_rate_equals_network_stability(name):
    # an independent code path: the full-matrix Hessian of lt.network_stability at the one-unit
    # aligned solution embedded in two units (theory guide `theory-network-stability`)
    s = TASKS[name]
    sc = lt.staircase(s, 2, 1e-6)
    ns = lt.network_stability(s, 2)
    assert ns.min_eigenvalue == pytest.approx(-sc.rates[1], rel=1e-6)
    assert float(ns.loss) == pytest.approx(sc.levels[1], rel=1e-9)


def test_plot_draws_levels_drops_and_run():
    import matplotlib

    matplotlib.use("Agg")
    sc = lt.staircase(TASKS["rotation"], 2, 1e-6)
    ax = sc.plot(run=(np.linspace(0, 40, 5), np.array([1.3, 1.3, 0.66, 1e-3, 1e-9])))
    assert len(ax.lines) == 1 + 2 + 2  # the curve, the two nonzero levels, the two drops
    assert [line.get_xdata()[0] for line in ax.lines[3:]] == pytest.approx(list(sc.drop_times))


def test_where_the_conjecture_fails_the_flow_is_followed():
    # s = (0.3, -0.2, 0.9, 0.1, 0.5): the one-unit flow from a small start reaches the local minimum
    # b = 0.813 of the profile energy (E = 0.32077), not the global one b = -0.975 (E*_1 = 0.27554):
    # plateau 1 is NOT the best one-pole fit. The staircase says so and follows the visited fit.
    s = np.array([0.3, -0.2, 0.9, 0.1, 0.5])
    sc = lt.staircase(s, 2, 1e-6)
    lm = lt.landscape.local_minima(s)
    assert sc.levels[1] == pytest.approx(lm.energy.min(), rel=1e-9)
    assert sc.visited_levels[1] == pytest.approx(lm.energy.max(), rel=1e-9)  # the other local minimum
    assert any("conjecture fails at plateau 1" in n for n in sc.notes)
    data = lt.make_dataset(s, 1, 1, 5, seed=0)
    drops = []
    for seed in range(3):
        run = lt.simulate_gd(data, 2, lr=0.01, steps=int(1.3 * sc.drop_times[-1] / 0.01), init="random", scale=1e-6,
                             seed=seed, record_every=20)
        lv, td = measure_staircase(run.time, run.loss, sc.visited_levels)
        assert lv[1] == pytest.approx(sc.visited_levels[1], rel=1e-6)
        assert abs(lv[1] - sc.levels[1]) > 0.1 * sc.levels[1]
        drops.append(td)
    np.testing.assert_allclose(np.median(drops, axis=0), sc.drop_times, rtol=0.25)
