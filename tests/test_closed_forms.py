"""Closed forms of theory guide `theory-learning-speed`, `theory-stability-extrapolation` (theory guide `theory-checks` ('Fixed points and closed forms', 'Landscape', 'Extrapolation and kernels')) against second methods."""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from lrnn_theory import closed_forms as cf
from lrnn_theory import landscape, tasks
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


# ---------------------------------------------------------------- complex fixed point of any task
# Proca et al. (2025), App. H and N–O; theory guide `theory-complex-fixed-points`.  The checks below
# evaluate the profile energy E*(b) = ½(‖s‖² - |C|²/D) from explicit powers b^{T-i} (not the
# package's Horner/FFT code) and compare with finite differences, dense grids and the real search.


def _cprofile(b, s):
    """E*(b) and u*(b) = C/D by explicit powers; b of any shape, s of shape (T,)."""
    b = np.asarray(b, complex)
    k = np.arange(s.shape[-1] - 1, -1, -1)
    p = b[..., None] ** k
    u = np.sum(s * np.conj(p), axis=-1) / np.sum(np.abs(p) ** 2, axis=-1)
    return 0.5 * np.sum(np.abs(s - u[..., None] * p) ** 2, axis=-1), u


_RNG = np.random.default_rng(1616)
_NON_GEOMETRIC = {
    "two rotations": tasks.rotational(8, 1.0, 0.9 * np.exp(0.4j)) + tasks.rotational(8, 0.5, 0.6 * np.exp(-1.2j)),
    "rotation + kick": tasks.rotational(10, 1.0, np.exp(1j * np.pi / 12)) + 0.1 * np.eye(10)[3],
    "random T=3": _RNG.normal(size=3) + 1j * _RNG.normal(size=3),
    "random T=7": _RNG.normal(size=7) + 1j * _RNG.normal(size=7),
    "random T=15": _RNG.normal(size=15) + 1j * _RNG.normal(size=15),
    "real oscillation": np.cos(0.7 * np.arange(10)) * 0.9 ** np.arange(10)[::-1],
    "real constant kappa": tasks.modified("constant", 4, kappa=2.0),
}


@pytest.mark.parametrize("name", list(_NON_GEOMETRIC))
def test_complex_fixed_point_is_a_stationary_local_minimum_of_the_profile_energy(name):
    """Finite differences of E*(b) in Re b and Im b vanish at b*; u*, energy = E*(b*) from explicit powers."""
    s = np.asarray(_NON_GEOMETRIC[name])
    fp = cf.complex_fixed_point(s)
    b = complex(fp.b)
    E, u = _cprofile(b, s)
    ss = np.sum(np.abs(s) ** 2)
    assert not fp.exact and fp.converged and not fp.at_infinity
    assert abs(complex(fp.u) - u) < 1e-12 * (1 + abs(u)) and abs(float(fp.energy) - E) < 1e-13 * ss
    assert bool(fp.stable) == (abs(b) <= 1)
    # central differences: truncation h² E''' ~ 1e-12 T³ ss, rounding eps ss / h ~ 2e-10 ss
    h = 1e-6
    gx = (_cprofile(b + h, s)[0] - _cprofile(b - h, s)[0]) / (2 * h)
    gy = (_cprofile(b + 1j * h, s)[0] - _cprofile(b - 1j * h, s)[0]) / (2 * h)
    assert np.hypot(gx, gy) < 1e-8 * ss * len(s), (gx, gy)
    # a minimum, not a saddle: a ring of radius 1e-3 around b* lies higher
    ring = b + 1e-3 * np.exp(2j * np.pi * np.arange(16) / 16)
    assert np.all(_cprofile(ring, s)[0] >= E - 1e-14 * ss)


def test_complex_fixed_point_is_never_worse_than_a_dense_grid_and_batches():
    """Brute force: a 601² grid of |Re b|, |Im b| <= 3 and a polar grid of 3 <= |b| <= 1e4 never beat E*(b*)."""
    S = np.stack([_RNG.normal(size=6) + 1j * _RNG.normal(size=6) for _ in range(5)]
                 + [np.asarray(_NON_GEOMETRIC["two rotations"][:6]), np.array([2.0, 0.0, -1.0, 0.5, 0.3, -0.2])])
    fp = cf.complex_fixed_point(S)
    x = np.linspace(-3, 3, 601)
    box = x[:, None] + 1j * x[None, :]
    far = np.geomspace(3, 1e4, 100)[:, None] * np.exp(2j * np.pi * np.arange(360) / 360)[None, :]
    for m, s in enumerate(S):
        brute = min(_cprofile(box, s)[0].min(), _cprofile(far, s)[0].min())
        ss = np.sum(np.abs(s) ** 2)
        assert fp.energy[m] <= brute + 1e-13 * ss, (m, fp.energy[m], brute)
        assert fp.energy[m] > brute - 1e-3 * ss  # the grid is fine enough to come close
        one = cf.complex_fixed_point(s)  # batching does not change a mode's result
        assert complex(one.b) == pytest.approx(fp.b[m], abs=1e-12) and float(one.energy) == pytest.approx(fp.energy[m], abs=1e-14)
    assert np.all(fp.converged) and not np.any(fp.exact)
    assert fp.at_infinity.tolist() == [False] * 6 + [True]  # s_2 = 0 in the last row: a runaway wins


def test_complex_fixed_point_of_a_real_task_with_a_real_minimiser_equals_fixed_point():
    """When the complex minimiser is real it is the real search's answer (`fixed_point`)."""
    S = np.stack([tasks.modified("constant", 6, kappa=2.0), tasks.inverse_exponential(6, 1.5, 0.7) + 0.1 * np.eye(6)[1],
                  tasks.modified("exponential", 6, kappa=1.5, lam=0.6), np.array([0.2, 0.5, 1.0, 0.3, -0.4, 1.2])])
    fp = cf.complex_fixed_point(S)
    real = cf.fixed_point(S)
    assert np.all(fp.b.imag == 0) and np.all(fp.u.imag == 0) and not np.any(real.at_boundary)
    assert np.allclose(fp.b.real, real.b, rtol=0, atol=1e-9)
    assert np.allclose(fp.u.real, real.u, rtol=1e-9, atol=0)
    assert np.allclose(fp.energy, real.energy, rtol=1e-12, atol=1e-15)


def test_complex_fixed_point_of_an_oscillating_real_task_is_a_conjugate_pair():
    """s_t = cos(ωt) 0.9^t is best fitted by a rotation: Im b* > 0, E*(conj b*) = E*(b*), below the real minimum."""
    s = np.asarray(_NON_GEOMETRIC["real oscillation"])
    fp = cf.complex_fixed_point(s)
    b, E = complex(fp.b), float(fp.energy)
    assert b.imag > 0.1 and fp.converged
    Ec, uc = _cprofile(np.conj(b), s)
    assert Ec == pytest.approx(E, rel=1e-13) and uc == pytest.approx(np.conj(complex(fp.u)), rel=1e-12)
    real = cf.fixed_point(s)
    assert E < float(real.energy) - 0.1
    # the real axis of the dense grid is no better than the real search
    x = np.linspace(-1.0, 3.0, 40001)
    assert float(real.energy) <= _cprofile(x, s)[0].min() + 1e-14


def test_complex_fixed_point_of_one_nonzero_entry_is_the_closed_form_circle():
    """s = e_3 (T = 4): E* depends on |b| only, |C|²/D = x/(1 + x + x² + x³), x = |b|², maximal where
    1 - x² - 2x³ = 0; the real point of the circle is returned."""
    fp = cf.complex_fixed_point(np.array([0.0, 0.0, 1.0, 0.0]))
    roots = np.roots([-2.0, -1.0, 0.0, 1.0])
    x = float(roots[np.isreal(roots) & (roots.real > 0)].real[0])
    assert complex(fp.b) == pytest.approx(np.sqrt(x), abs=1e-10)
    assert float(fp.energy) == pytest.approx(0.5 * (1 - x / (1 + x + x * x + x ** 3)), rel=1e-12)
    assert complex(fp.u) == pytest.approx(np.sqrt(x) / (1 + x + x * x + x ** 3), rel=1e-9)


@pytest.mark.parametrize("rho", [0.3, 0.8, 1.0, 1.5, 1.99, 2.0, 2.5, 4.0])
def test_complex_fixed_point_of_the_t3_dirac_task_is_its_real_closed_form(rho):
    """s = (β, 0, κ): |C|² = |β b̄² + κ|² <= (β|b|² + κ)², equal only for real b, so the complex minimiser is the
    real closed form of `landscape.dirac_t3_solution` (b*² = (2ρ-1)/(2-ρ), runaway for ρ >= 2), up to ±b*;
    ρ = 1 is palindromic with b* = ±1 on the unit circle (stable)."""
    kappa = 0.7
    b_ref, u_ref, runaway = landscape.dirac_t3_solution(rho, kappa)
    s = tasks.dirac(3, beta=rho * kappa, kappa=kappa)
    fp = cf.complex_fixed_point(s)
    assert bool(fp.at_infinity) == bool(runaway) and fp.converged
    assert complex(fp.u) == pytest.approx(float(u_ref), abs=1e-12)
    if runaway:
        assert np.isinf(fp.b) and float(fp.energy) == pytest.approx(0.5 * kappa ** 2, rel=1e-14)
    else:
        b = complex(fp.b)
        assert b.imag == 0 and abs(abs(b) - float(b_ref)) <= 1e-11 * (1 + float(b_ref))
        assert float(fp.energy) == pytest.approx(float(_cprofile(b_ref, s)[0]), rel=1e-12)
    assert bool(fp.stable) == (float(b_ref) <= 1)


@pytest.mark.parametrize("s,E_inf", [([1.0, 0.0], 0.0), ([1.0, 0.0, 0.0], 0.0), ([2.0, 0.0, -1.0, 0.5], 0.625),
                                     ([1j, 0.0, 0.1, 0.3], 0.05)])
def test_complex_fixed_point_runaway_to_infinity(s, E_inf):
    """s_2 = 0 makes |b| → ∞ stationary (E* → ½(‖s‖² - |s_1|²)); when it is the infimum the result says so."""
    s = np.asarray(s)
    fp = cf.complex_fixed_point(s)
    assert fp.at_infinity and not fp.stable and not fp.exact and fp.converged
    assert np.isinf(fp.b) and complex(fp.u) == 0
    assert float(fp.energy) == pytest.approx(E_inf, abs=1e-14)
    assert E_inf == pytest.approx(0.5 * (np.sum(np.abs(s) ** 2) - abs(s[0]) ** 2), abs=1e-15)
    # approached from finite b, never beaten on a grid of |b| <= 1e3
    b = np.geomspace(1e-3, 1e3, 400)[:, None] * np.exp(2j * np.pi * np.arange(360) / 360)[None, :]
    assert _cprofile(b, s)[0].min() >= E_inf - 1e-14
    assert _cprofile(np.array([1e6]), s)[0][0] == pytest.approx(E_inf, abs=1e-6)


def test_complex_fixed_point_geometric_tasks_unchanged():
    """Geometric rows: b* = s_{T-1}/s_T, u* = s_T bit for bit, also inside a batch with non-geometric rows."""
    lam = np.array([0.9j, 1.1 * np.exp(0.5j), -1.0, 0.3 + 0.2j, np.exp(1j * np.pi / 12)])
    S = tasks.rotational(6, 1.5 * np.exp(0.3j), lam)
    fp = cf.complex_fixed_point(S)
    assert np.array_equal(fp.b, S[:, -2] / S[:, -1]) and np.array_equal(fp.u, S[:, -1])
    assert fp.stable.tolist() == [True, False, True, True, True]  # |λ| = 1 (a pure rotation) counts as stable
    assert np.all(fp.exact) and np.all(fp.converged) and not np.any(fp.at_infinity) and np.all(fp.energy == 0)
    mixed = cf.complex_fixed_point(np.concatenate([S, [np.asarray(_NON_GEOMETRIC["random T=7"])[:6]]]))
    assert np.array_equal(mixed.b[:5], fp.b) and np.array_equal(mixed.u[:5], fp.u)
    assert mixed.exact.tolist() == [True] * 5 + [False]
    zero = cf.complex_fixed_point(np.zeros((2, 4), complex))
    assert np.all(zero.b == 0) and np.all(zero.u == 0) and np.all(zero.exact)
    # the three-field constructor still works; the new fields default to a zero-loss solution
    old = cf.ComplexFixedPoint(np.array([0.5j]), np.array([1.0 + 0j]), np.array([True]))
    assert old.energy.tolist() == [0.0] and old.exact.tolist() == [True] and old.converged.tolist() == [True]
    assert old.at_infinity.tolist() == [False]


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: cf.complex_fixed_point(np.array([1.0, np.nan])), ValueError, "s must"),
        (lambda: cf.complex_fixed_point(np.array([1.0, 1j * np.inf])), ValueError, "s must"),
        (lambda: cf.complex_fixed_point(np.zeros((2, 0))), ValueError, "s must"),
        (lambda: cf.complex_fixed_point(1.0 + 2j), ValueError, "s must"),
        (lambda: cf.complex_fixed_point("abc"), TypeError, "s must"),
        (lambda: cf.complex_fixed_point(np.array([True, False])), TypeError, "s must"),
        (lambda: cf.complex_fixed_point(np.array([1.0, 0.3j, 1.0]), n_grid=2), ValueError, "n_grid"),
        (lambda: cf.complex_fixed_point(np.array([1.0, 0.3j, 1.0]), n_grid=10.0), TypeError, "n_grid"),
        (lambda: cf.complex_fixed_point(np.array([1.0, 0.3j, 1.0]), rtol=0.0), ValueError, "rtol"),
    ],
)
def test_complex_fixed_point_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --- frozen-b closed forms on their whole domain (theory guide `theory-frozen-recurrent`, `theory-complex-frozen-b`) ---

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import lrnn_theory as lt  # noqa: E402

_T_GRID = np.array([0.0, 0.1, 0.5, 2.0, 6.0])
_HYP = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
_entries = st.floats(-2.0, 2.0, allow_nan=False)
_tasks = st.integers(1, 6).flatmap(lambda T: st.lists(_entries, min_size=T, max_size=T))


def _polar_ode(t, C, D, u0):
    """``τu̇ = 2|u|(C - Du)`` (τ = 1) in ``(log ρ, φ)``: relative accuracy in ``ρ`` even when ``u`` decays to 1e-80."""
    def f(_, y):
        rho, phi = np.exp(y[0]), y[1]
        return [2.0 * (abs(C) * np.cos(np.angle(C) - phi) - D * rho), 2.0 * abs(C) * np.sin(np.angle(C) - phi)]

    sol = solve_ivp(f, (0.0, t[-1]), [np.log(abs(u0)), np.angle(u0)], t_eval=t, method="DOP853", rtol=1e-12, atol=1e-12)
    return np.exp(sol.y[0]) * np.exp(1j * sol.y[1])


@settings(max_examples=30, **_HYP)
@given(_tasks, st.floats(-1.5, 1.5), st.floats(1e-3, 3.0), st.booleans())
@example([1.0, 0.5, 0.25], 0.3, 0.1, True)  # the reported case: u0 < 0 with C > 0 crossed a pole
@example([1.0], 0.5, 0.1, True)
@example([0.0, 0.0], 0.7, 0.5, False)  # C = 0: algebraic decay
def test_frozen_b_solution_matches_the_reduced_ode_for_either_sign_of_u0(s, b, mag, negative):
    """The logistic against integrate_reduced(freeze=["b"]), rtol 1e-10 and no absolute tolerance: 1e-7 relative."""
    s = np.asarray(s)
    u0 = -mag if negative else mag
    u = cf.frozen_b_solution(_T_GRID, s, b, u0)
    ode = lt.integrate_reduced(s, u0, b, _T_GRID, freeze=["b"], atol=1e-300).u  # relative error control only
    assert np.all(np.isfinite(u)) and np.all(np.sign(u) == np.sign(u0))  # u = 0 is never crossed
    assert np.all(np.abs(u - ode) <= 1e-7 * np.abs(ode))


def test_frozen_b_solution_reported_case():
    s, t = tasks.inverse_exponential(3, 1, 0.5), [0.0, 1.0, 5.0]
    u = cf.frozen_b_solution(t, s, 0.3, -0.1)
    ode = lt.integrate_reduced(s, -0.1, 0.3, t, freeze=["b"]).u  # [-0.1, -0.00884, -7.4e-7]
    assert np.allclose(u, ode, rtol=1e-6, atol=0)


@settings(max_examples=20, **_HYP)
@given(st.integers(1, 5).flatmap(lambda T: st.lists(st.complex_numbers(max_magnitude=2.0), min_size=T, max_size=T)),
       st.complex_numbers(max_magnitude=1.3), st.floats(1e-3, 3.0), st.floats(-np.pi, np.pi))
@example([1.0 + 0j], 0.5 + 0j, 0.1, np.pi - 1e-6)  # nearly anti-aligned
@example([0.5 + 0.5j, 1j], 0.9j, 2.0, 0.0)
@example([5e-324 + 0j], 0j, 1.0, 0.0)  # subnormal C: its direction is still defined
def test_complex_frozen_b_solution_matches_the_polar_ode(s, b, mag, phase):
    s = np.asarray(s, complex)
    u0 = mag * np.exp(1j * phase)
    T = s.size
    k = np.arange(T - 1, -1, -1)
    C = np.sum(s * np.conj(b) ** k)
    D = np.sum(np.abs(b) ** (2 * k))
    u = cf.complex_frozen_b_solution(_T_GRID, s, b, u0)
    ode = _polar_ode(_T_GRID, C, D, u0)
    assert np.all(np.abs(u - ode) <= 1e-8 * np.abs(ode) + 1e-12)


def test_complex_frozen_b_anti_aligned_decays():
    """u0 = -0.1 against C = 1: exactly anti-aligned, u decays along its ray (the real ODE keeps the sign exactly)."""
    t = [0.0, 1.0, 5.0, 100.0]
    u = cf.complex_frozen_b_solution(t, [1.0], 0.5, -0.1)
    ode = lt.integrate_reduced(np.array([1.0]), -0.1, 0.5, t, freeze=["b"], atol=1e-300).u
    assert np.all(u.imag == 0) and np.all(u.real < 0)
    assert np.allclose(u.real, ode, rtol=1e-6, atol=0)  # -1.3e-88 at t = 100
    assert np.allclose(u.real, cf.frozen_b_solution(t, [1.0], 0.5, -0.1), rtol=1e-14, atol=0)


def test_frozen_b_large_b_is_scale_safe_and_the_log_form_agrees_with_the_direct_form(monkeypatch):
    u = cf.complex_frozen_b_solution([0.0, 1.0], np.ones(400), 10.0, 0.1)  # |b|^{2T} overflows float64
    assert u[0] == 0.1 and np.isfinite(u[1]) and abs(u[1]) <= 1e-300  # u(∞) = C/D ≈ 1.1e-399
    assert cf.frozen_b_solution([0.0, 1.0], np.ones(400), 10.0, 0.1)[0] == 0.1
    # the logarithmic evaluation (used for |b|^{T-1} > e^200) against the direct one on moderate inputs
    rng = np.random.default_rng(3)
    s = rng.normal(size=(6, 5)) + 1j * rng.normal(size=(6, 5))
    b = rng.normal(size=6) * 0.8 + 0.5j * rng.normal(size=6)
    u0 = rng.normal(size=6) + 1j * rng.normal(size=6)
    u0[0] = -np.sum(s[0] * np.conj(b[0]) ** np.arange(4, -1, -1))  # exactly anti-aligned with C
    direct = cf.complex_frozen_b_solution(_T_GRID, s, b, u0)
    monkeypatch.setattr(cf, "_LOG_SCALE_LIMIT", -1.0)
    logs = cf.complex_frozen_b_solution(_T_GRID, s, b, u0)
    assert np.allclose(logs, direct, rtol=1e-12, atol=0)


# --- cost of the complex fixed-point search (theory guide `theory-complex-fixed-points`) ---

import tracemalloc  # noqa: E402


def test_complex_search_grid_is_graded_and_its_memory_bounded():
    """Count-based: radii of the polar grid grow like log(n_grid), not n_grid; the temporaries stay bounded."""
    assert np.array_equal(cf._cprofile_radii(64), np.linspace(0.0, 1.0, 64))  # small grids: unchanged, uniform
    n = 5001  # the default for T = 2500 (the uniform grid had 5001 radii)
    r = cf._cprofile_radii(n)
    assert r[0] == 0.0 and r[-1] == 1.0 and np.all(np.diff(r) > 0)
    assert r.size <= 67 + np.log((n - 1) / 64) / np.log(1 + 1 / 64)  # 347 instead of 5001
    gaps = np.diff(r)
    assert np.all(gaps <= np.maximum(1.0 / (n - 1), (1.0 - r[:-1]) / 64) * (1 + 1e-9) + 1e-15)  # resolution kept
    rng = np.random.default_rng(0)
    T = 600
    s = tasks.rotational(T, 1.0, 0.99 * np.exp(0.3j)) + tasks.rotational(T, 0.5, 0.95 * np.exp(-1.1j)) + 0.01 * rng.normal(size=T)
    tracemalloc.start()
    fp = cf.complex_fixed_point(s)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert fp.converged and not fp.exact
    assert peak < 60e6  # one (1200 radii x 4800 angles) complex block alone was 92 MB before


def test_graded_complex_search_matches_a_dense_brute_force_grid():
    """T = 80 (n_grid = 160 > 65: graded radii): the refined minimum is never above a dense polar grid's."""
    rng = np.random.default_rng(5)
    T = 80
    s = tasks.rotational(T, 1.0, 0.97 * np.exp(0.5j)) + tasks.rotational(T, 0.7, 0.9 * np.exp(-2.0j)) + 0.05 * rng.normal(size=T)
    fp = cf.complex_fixed_point(s)
    r = np.linspace(0.0, 1.0, 241)
    th = np.linspace(-np.pi, np.pi, 961)
    b = (r[:, None] * np.exp(1j * th)[None, :]).ravel()
    E = []
    for w, task in ((b, s), (b, s[::-1])):  # |b| <= 1, and |b| >= 1 via E*(b; s) = E*(1/b; s reversed)
        G, P, x = np.zeros(w.shape, complex), np.zeros(w.shape), np.abs(w) ** 2
        for si in task:  # Horner: conj(C) = Σ_i conj(s_i) w^{T-i}, D = Σ_k |w|^{2k}
            G, P = G * w + np.conj(si), P * x + 1.0
        E.append(0.5 * (np.sum(np.abs(s) ** 2) - np.abs(G) ** 2 / P))
    assert fp.energy <= min(e.min() for e in E) + 1e-9 * np.sum(np.abs(s) ** 2)


def test_escape_time_refuses_a_zero_target_and_is_zero_once_past_it():
    s = tasks.constant(3)  # C(0) = s_T = 1, u* = 1
    with pytest.raises(ValueError, match="u_star"):
        cf.escape_time(s, 0.0, 1e-3, u_star=0.0)
    assert float(cf.escape_time(s, 0.0, 2.0)) == 0.0  # u0 = 2 > u* = 1: ½ ln(1/2) < 0 is not a time
    assert float(cf.escape_time(s, 0.0, 0.5)) == pytest.approx(0.5 * np.log(2.0), rel=1e-15)


def test_escape_time_with_a_ratio_beyond_the_float64_range():
    t = cf.escape_time(tasks.constant(3), 0.0, 1e-300, u_star=1e300)  # ½ ln(1e600): the ratio itself overflows
    assert float(t) == pytest.approx(0.5 * 600 * np.log(10.0), rel=1e-14)
