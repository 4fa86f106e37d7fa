"""Checks of the variable-order Radau IIA kernels of `lrnn_theory._radau` (3, 5, 7 stages; Hairer & Wanner,
Solving ODEs II, §IV.8, and Hairer & Wanner (1999), J. Comput. Appl. Math. 111): method constants against
the collocation/quadrature conditions and scipy's constants, every stage count against a closed form and
scipy, and the work per mode in counts (never seconds)."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.integrate._ivp import radau as scipy_radau

from lrnn_theory import _radau, tasks
from lrnn_theory.bench.theory import _random_tasks
from lrnn_theory.integrate import integrate_modes
from lrnn_theory.modes import mode_jacobian, mode_rhs


@pytest.mark.parametrize("s", [3, 5, 7])
def test_tableau_satisfies_collocation_quadrature_and_embedded_conditions(s):
    tab = _radau.radau_tableau(s)
    c, A, e, g0 = tab["c"], tab["A"], tab["e"], tab["gamma0"]
    assert np.all(np.diff(c) > 0) and c[-1] == 1.0 and c[0] > 0
    # collocation C(s): Σ_j A_ij c_j^{q-1} = c_i^q / q, q = 1..s
    for q in range(1, s + 1):
        assert np.max(np.abs(A @ c ** (q - 1) - c ** q / q)) < 1e-14
    # stiffly accurate, and b = A[-1] is the Radau quadrature, exact to degree 2s - 2 (order 2s - 1)
    b = A[-1]
    for q in range(1, 2 * s):
        assert abs(b @ c ** (q - 1) - 1.0 / q) < 1e-14
    # A⁻¹ = T Λ T⁻¹, one real eigenvalue first, then conjugate pairs
    Ainv = np.linalg.inv(A)
    assert np.max(np.abs(tab["T"] @ np.diag(tab["lam"]) @ tab["Tinv"] - Ainv)) < 1e-13 * np.max(np.abs(Ainv))
    assert tab["lam"][0].imag == 0 and g0 == pytest.approx(1 / tab["lam"][0].real, rel=1e-15)
    assert np.allclose(tab["lam"][2::2], np.conj(tab["lam"][1::2]), rtol=0, atol=0)
    assert np.all(tab["T"][:, 2::2] == np.conj(tab["T"][:, 1::2]))
    # embedded formula ŷ₁ = y₀ + h (γ₀ f₀ + Σ b̂_i f_i) with b̂ = b + Aᵀ e is of order s
    bhat = b + A.T @ e
    for q in range(1, s + 1):
        assert abs(bhat @ c ** (q - 1) + (g0 if q == 1 else 0.0) - 1.0 / q) < 1e-13


def test_three_stage_constants_are_scipys_radau5():
    tab = _radau.radau_tableau(3)
    assert np.max(np.abs(tab["c"] - scipy_radau.C)) < 1e-15
    assert 1 / tab["gamma0"] == pytest.approx(scipy_radau.MU_REAL, rel=1e-15)
    assert tab["lam"][1] == pytest.approx(np.conj(scipy_radau.MU_COMPLEX), rel=1e-15)
    # scipy scales the error weights by 1/γ₀ (it solves with (MU_REAL/h) I - J)
    assert np.max(np.abs(tab["e"] / tab["gamma0"] - scipy_radau.E)) < 1e-13


def _run_stages(stages, s, y0, t, rtol, atol):
    """Run the batch kernel with the stage count forced to 3, 5 or 7 (through the rtol thresholds)."""
    ctrl = _radau.CONTROL.copy()
    ctrl[:2] = {3: (0.0, 0.0), 5: (1.0, 0.0), 7: (1.0, 1.0)}[stages]
    ctrl[2] = -1.0  # never raise the order (the tolerance already gives the highest)
    n = len(y0)
    out_y, out_e = np.empty((1, t.size, n)), np.empty((1, t.size))
    status, t_stop, counters = np.zeros(1, np.int64), np.empty(1), np.zeros((1, 4), np.int64)
    _radau.integrate_batch(0, np.array([y0], float), np.array([s], float), np.zeros(1), 1.0, np.zeros(n, bool),
                           t, rtol, atol, 1e6, 200_000, *_radau.tables(), _radau.NIT, ctrl,
                           out_y, out_e, status, t_stop, counters)
    return out_y[0], status[0], counters[0]


@pytest.mark.parametrize("stages", [3, 5, 7])
@pytest.mark.parametrize("rtol", [1e-4, 1e-7, 1e-10])
def test_every_stage_count_follows_the_t1_sigmoid_within_its_tolerance(stages, rtol):
    """T = 1: u(t) = s e^{2st} / (e^{2st} - 1 + s/u0) (theory guide `theory-t1`).  The solution
    contracts onto u = s, so the global error stays a small multiple of the local tolerance
    (measured 0.14-0.21 rtol); we allow 5 rtol, and the tightest run must reach 1e-9."""
    s1, u0 = 1.7, 0.01
    t = np.linspace(0.0, 6.0, 61)
    y, status, _ = _run_stages(stages, [s1], [0.1, 0.3, 0.1], t, rtol, rtol * 1e-2)
    e = np.exp(2 * s1 * t)
    exact = s1 * e / (e - 1 + s1 / u0)
    assert status == 0
    assert np.max(np.abs(y[:, 0] * y[:, 2] - exact)) < 5 * rtol * s1
    assert np.all(y[:, 1] == 0.3)


@pytest.mark.parametrize("stages", [3, 5, 7])
def test_every_stage_count_matches_scipy_radau_mid_trajectory(stages):
    """A bench mode (T = 10) through its learning phase: forced stage counts against scipy's Radau at
    rtol 1e-13, in units of the requested tolerance (measured below 0.5)."""
    s = _random_tasks(3, seed=1)[2]
    t = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 20.0])
    rtol, atol = 1e-10, 1e-12
    y, status, _ = _run_stages(stages, s, [0.1, 0.1, 0.1], t, rtol, atol)
    ref = solve_ivp(lambda _, z: np.array(mode_rhs(*z, s)), (0.0, t[-1]), [0.1, 0.1, 0.1], method="Radau",
                    rtol=1e-13, atol=1e-15, t_eval=t, jac=lambda _, z: mode_jacobian(*z, s))
    assert status == 0 and ref.success
    assert np.max(np.abs(y - ref.y.T) / (atol + rtol * np.abs(ref.y.T))) < 10


def test_bench_modes_cost_a_quarter_of_the_fixed_order_five_method():
    """Counts on the first 20 modes of `lrnn-theory bench theory` (T = 10, to 100τ, rtol 1e-10): measured
    1 433 RHS evaluations and 56 steps per mode; the former fixed 5th-order Radau took 5 260 and 750
    (and so does scipy's Radau, checked here on three of the modes).  Jacobians are reused across steps."""
    S = _random_tasks(20)
    sol = integrate_modes(S, 0.1, 0.1, 0.1, np.array([0.0, 100.0]))
    assert sol.success
    assert sol.nfev.mean() < 1700 and sol.nsteps.mean() < 70
    assert np.all(sol.njev < sol.nsteps) and np.all(sol.nlu <= sol.nsteps + 10)
    for i, s in enumerate(S[:3]):
        ref = solve_ivp(lambda _, z: np.array(mode_rhs(*z, s)), (0.0, 100.0), [0.1, 0.1, 0.1], method="Radau",
                        rtol=1e-10, atol=1e-12, jac=lambda _, z: mode_jacobian(*z, s))
        assert sol.nfev[i] < 0.4 * ref.nfev
        # both reach the fixed point; the final states agree to rounding level (bench: 4e-15)
        ours = np.array([sol.a[i, -1], sol.b[i, -1], sol.c[i, -1]])
        assert np.max(np.abs(ours - ref.y[:, -1])) < 1e-12


def test_tolerance_picks_the_stage_count():
    """Fewer evaluations per mode with 3 stages at rtol 1e-4 and with 7 at rtol 1e-10 than with the other (counts)."""
    s = tasks.inverse_exponential(10, 2.0, 0.8)
    t = np.array([0.0, 100.0])
    for rtol, best, other in [(1e-4, 3, 7), (1e-10, 7, 3)]:
        auto = integrate_modes(s, 0.1, 0.1, 0.1, t, rtol=rtol, atol=rtol * 1e-2)
        _, _, c_best = _run_stages(best, s, [0.1, 0.1, 0.1], t, rtol, rtol * 1e-2)
        _, _, c_other = _run_stages(other, s, [0.1, 0.1, 0.1], t, rtol, rtol * 1e-2)
        assert int(auto.nfev) == c_best[0] < c_other[0]


def test_bench_theory_reports_the_work_per_mode_of_each_method():
    """`lrnn-theory bench theory --quick`: the counters it reports are those of direct calls on the same modes."""
    from lrnn_theory.bench import theory

    single, vs_lsoda, vs_radau = theory.run(quick=True)
    S = _random_tasks(vs_lsoda["n_modes"])
    sol = integrate_modes(S, 0.1, 0.1, 0.1, np.array([0.0, theory.T_END]))
    for key in ("nfev", "njev", "nlu", "nsteps"):
        assert vs_lsoda["work_per_mode_lrnn"][key] == pytest.approx(float(getattr(sol, key).mean()), rel=1e-15)
    assert single["nfev_lrnn"] == sol.nfev[0]
    n_base = vs_radau["baseline_modes_timed"]
    direct = [theory._scipy_one(S[i], "Radau") for i in range(n_base)]
    assert vs_radau["work_per_mode_baseline"]["nfev"] == pytest.approx(np.mean([d.nfev for d in direct]), rel=1e-15)
    assert vs_radau["work_per_mode_baseline"]["nlu"] == pytest.approx(np.mean([d.nlu for d in direct]), rel=1e-15)
    for rec in (vs_lsoda, vs_radau):
        base = rec["work_per_mode_baseline"]
        assert 0 < base["nsteps"] <= base["nfev"]
        assert rec["max_abs_diff_final"] < 1e-12 and rec["all_success"]
    assert vs_lsoda["work_per_mode_lrnn"]["nfev"] < 0.4 * vs_radau["work_per_mode_baseline"]["nfev"]


def test_k_unit_model_with_one_unit_is_the_full_mode_model():
    """Model 3 (one mode carried by k units, theory guide `theory-k-unit-flow`) with k = 1 is model 0
    (theory guide `theory-mode-odes`) written another way: its gradient and complex-step Jacobian equal
    the analytic ones of model 0 to rounding, and the kernel's trajectories agree within the tolerance
    (measured 0.03 tolerances; different floating-point operations, so not bit for bit)."""
    S = _random_tasks(3, seed=4)
    T = S.shape[1]
    rng = np.random.default_rng(6)
    Y0 = np.ascontiguousarray(np.column_stack([0.1 + 0.2 * rng.random(3), 0.3 * rng.standard_normal(3),
                                               0.1 + 0.2 * rng.random(3)]))
    frozen = np.zeros(3, bool)
    work0, work3 = np.empty(16), _radau._new_work_units(3, T)
    for m in range(3):
        y, x = Y0[m] + 0.2, np.ascontiguousarray(S[m, ::-1])
        f0, f3, J0, J3 = np.empty(3), np.empty(3), np.empty((3, 3)), np.empty((3, 3))
        _radau._rhs(0, y, S[m], T, 0.0, 0.5, frozen, f0, work0)
        _radau._rhs_units(3, y, x, T, 0.0, 0.5, frozen, f3, work3)
        _radau._jac(0, y, S[m], T, 0.0, 0.5, frozen, J0, work0)
        _radau._jac_units(3, y, x, T, 0.0, 0.5, frozen, J3, work3)
        np.testing.assert_allclose(f3, f0, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(J3, J0, rtol=1e-12, atol=1e-14)
        assert _radau._energy_units(3, y, x, T, work3) == pytest.approx(_radau._energy(0, y, S[m], T, work0), rel=1e-14)
    t = np.array([0.0, 1.0, 2.0, 5.0, 30.0])
    rtol, atol = 1e-9, 1e-11
    outs = []
    for model, SS in ((0, S), (3, np.ascontiguousarray(S[:, ::-1]))):
        out_y, out_e = np.empty((3, t.size, 3)), np.empty((3, t.size))
        status, t_stop, counters = np.zeros(3, np.int64), np.empty(3), np.zeros((3, 4), np.int64)
        _radau.integrate_batch(model, Y0, SS, np.zeros(3), 1.0, frozen, t, rtol, atol, 1e6, 200_000, *_radau.tables(),
                               _radau.NIT, _radau.CONTROL, out_y, out_e, status, t_stop, counters)
        assert np.all(status == 0)
        outs.append((out_y, out_e))
    (y0, e0), (y3, e3) = outs
    assert np.max(np.abs(y3 - y0) / (atol + rtol * np.abs(y0))) < 5
    np.testing.assert_allclose(e3, e0, rtol=1e-8, atol=1e-11)  # measured 3e-12
