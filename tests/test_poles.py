"""Order-j pole fits (theory guide `theory-pole-fit`): against fixed_point, exact realisations and brute force."""
import numpy as np
import pytest
from scipy.optimize import minimize

import lrnn_theory as lt
from lrnn_theory.poles import balanced_realisation, pole_basis_energy

T = 10
t = np.arange(1, T + 1)
ISSUE_TASKS = [0.9 ** (T - t) - 0.7 * 0.4 ** (T - t), 0.9 ** (T - t) * np.cos(0.7 * (t - 1))]


def _response(a, B, c, T):
    return np.array([c @ np.linalg.matrix_power(B, T - i) @ a for i in range(1, T + 1)])


@pytest.mark.parametrize("s", ISSUE_TASKS + [lt.tasks.modified("constant", T, kappa=2.0),
                                             lt.tasks.modified("exponential", T, kappa=0.5),
                                             lt.tasks.dirac(6, beta=1.0, kappa=1.0)]
                         + [np.random.default_rng(k).standard_normal(7) + 1.0 for k in range(3)])
def test_order_one_is_the_fixed_point(s):
    # order 1 = the profile-energy minimum of the one-unit mode (theory guide `theory-profile-energy`)
    fp = lt.fixed_point(s)
    fit = lt.pole_fit(s, 1)
    assert not fp.at_boundary
    assert abs(fit.energy - float(fp.energy)) <= 1e-10 * max(1.0, float(fp.energy))
    assert abs(fit.poles[0].real - float(fp.b)) < 1e-6 and fit.poles[0].imag == 0


@pytest.mark.parametrize("poles, res", [([0.8], [1.5]), ([0.9, -0.5], [1.0, 2.0]),
                                        ([0.7 * np.exp(0.9j), 0.7 * np.exp(-0.9j)], [0.5 + 0.3j, 0.5 - 0.3j]),
                                        ([0.95, 0.6 * np.exp(2.0j), 0.6 * np.exp(-2.0j)], [1.0, 0.4j, -0.4j])])
def test_true_order_is_exact(poles, res):
    k = np.arange(8)[::-1]
    s = np.real(sum(r * np.asarray(z) ** k for z, r in zip(poles, res)))
    j = len(poles)
    fit = lt.pole_fit(s, j)
    assert fit.energy <= 1e-24 * 0.5 * s @ s
    assert np.allclose(np.sort_complex(fit.poles), np.sort_complex(np.asarray(poles, complex)), atol=1e-7)
    assert np.allclose(np.sort_complex(fit.residues), np.sort_complex(np.asarray(res, complex)), atol=1e-6)
    # order above the true order: the same fit, minimal order reported, idle units
    up = lt.pole_fit(s, j + 1)
    assert up.minimal_order == j and up.energy <= 1e-24 * 0.5 * s @ s
    assert np.allclose(_response(up.a, up.B, up.c, s.size), s, atol=1e-10)


def test_jordan_block_is_exact():
    # s_t = (T-t) 0.8^{T-t-1}: a double pole (Jordan block), outside the span of distinct exponentials
    k = np.arange(8)[::-1].astype(float)
    s = k * 0.8 ** np.maximum(k - 1, 0)
    fit = lt.pole_fit(s, 2)
    assert fit.energy <= 1e-24 * 0.5 * s @ s
    assert fit.jordan and np.all(np.isnan(fit.residues))
    assert np.allclose(fit.poles, 0.8, atol=1e-6)
    assert np.allclose(_response(fit.a, fit.B, fit.c, s.size), s, atol=1e-9)
    # one pole does not fit it
    assert lt.pole_fit(s, 1).energy > 1e-3


def _basis_energy(s, poles):
    """½‖s - Vρ‖² with residues ρ by least squares in the exponential basis V[i, m] = poles[m]^{T-i}."""
    V = np.asarray(poles, complex)[None, :] ** np.arange(s.size)[::-1, None]
    rho = np.linalg.lstsq(V, s.astype(complex), rcond=None)[0]
    r = s - np.real(V @ rho)
    return 0.5 * float(r @ r)


def test_pole_basis_energy_is_that_least_squares():
    s = np.random.default_rng(7).standard_normal(6)
    z = [0.8, 0.5 * np.exp(1j), 0.5 * np.exp(-1j)]
    assert pole_basis_energy(s, z) == pytest.approx(_basis_energy(s, z), rel=1e-12)


def _brute(s, j, n):
    """Dense grid over real poles and conjugate pairs, residues by least squares, then Nelder-Mead."""
    pole_basis_energy = _basis_energy
    reals = np.linspace(-1.5, 1.5, n)
    best = (np.inf, None)
    cands = []
    if j == 1:
        cands = [[r] for r in reals]
    elif j == 2:
        cands = [[r1, r2] for i, r1 in enumerate(reals) for r2 in reals[i + 1:]]
        cands += [[m * np.exp(1j * th), m * np.exp(-1j * th)] for m in np.linspace(0.05, 1.5, n // 2)
                  for th in np.linspace(0.05, np.pi - 0.05, n // 2)]
    else:
        rc = reals[::3]
        cands = [[r1, r2, r3] for i, r1 in enumerate(rc) for k2, r2 in enumerate(rc[i + 1:], i + 1) for r3 in rc[k2 + 1:]]
        cands += [[r, m * np.exp(1j * th), m * np.exp(-1j * th)] for r in rc for m in np.linspace(0.1, 1.5, 12)
                  for th in np.linspace(0.1, np.pi - 0.1, 12)]
    for cnd in cands:
        e = pole_basis_energy(s, cnd)
        if e < best[0]:
            best = (e, cnd)
    # local polish of the best grid point in pole coordinates (an independent parametrisation)
    z = np.asarray(best[1], complex)
    if np.all(z.imag == 0):
        res = minimize(lambda p: pole_basis_energy(s, p), z.real, method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 1500})
    else:
        r_ = z[np.abs(z.imag) == 0].real
        zc = z[z.imag > 0][0]

        def f(p):
            w = p[-2] * np.exp(1j * p[-1])
            return pole_basis_energy(s, np.concatenate([p[:-2], [w, np.conj(w)]]))

        res = minimize(f, np.concatenate([r_, [abs(zc), np.angle(zc)]]), method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 1500})
    return min(best[0], res.fun)


@pytest.mark.parametrize("seed, j", [(0, 1), (1, 1), (0, 2), (1, 2), (2, 2), (0, 3)])
def test_global_minimum_against_brute_force(seed, j):
    s = np.random.default_rng(100 + seed).standard_normal(7)
    fit = lt.pole_fit(s, j)
    brute = _brute(s, j, {1: 301, 2: 61, 3: 25}[j])
    # the fit is never worse than the brute-force search (which restricts poles to |z| <= 1.5) ...
    assert fit.energy <= brute + 1e-12 * (s @ s)
    # ... and when its poles lie inside that box, both find the same minimum
    if np.max(np.abs(fit.poles)) < 1.45 and not fit.jordan:
        assert fit.energy == pytest.approx(brute, rel=1e-7, abs=1e-12)
    assert fit.energy <= lt.pole_fit(s, j - 1).energy + 1e-14


def test_fit_fields_are_consistent():
    s = ISSUE_TASKS[1]
    fit = lt.pole_fit(s, 2)
    E0 = 0.5 * s @ s
    assert fit.energy <= 1e-24 * E0  # 0.9 e^{±0.7i}
    assert np.allclose(np.abs(fit.poles), 0.9) and np.allclose(np.abs(np.angle(fit.poles)), 0.7)
    f1 = lt.pole_fit(ISSUE_TASKS[0], 1)
    assert np.allclose(_response(f1.a, f1.B, f1.c, T), f1.fitted, atol=1e-13)
    assert f1.energy == pytest.approx(0.5 * np.sum((ISSUE_TASKS[0] - f1.fitted) ** 2), rel=1e-12)
    k = np.arange(T)[::-1]
    assert np.allclose(np.real(f1.residues[0] * f1.poles[0] ** k), f1.fitted, atol=1e-12)
    assert f1.balanced and f1.converged and f1.search == "grid"


def test_balanced_realisation_has_zero_conserved_quantity():
    k = np.arange(9)[::-1]
    g = 0.9 ** k * np.cos(0.5 * k) + 0.3 * (-0.7) ** k
    fit = lt.pole_fit(g, 3)
    a, B, c, ok = balanced_realisation(fit.fitted, fit.coefficients)
    Q = np.outer(a, a) + B @ B.T - B.T @ B - np.outer(c, c)
    assert ok and np.linalg.norm(Q) < 1e-6 * (a @ a + np.sum(B * B) + c @ c)
    assert np.allclose(_response(a, B, c, g.size), g, atol=1e-9)
    assert np.allclose(np.sort_complex(np.linalg.eigvals(B)), np.sort_complex(fit.poles), atol=1e-7)
