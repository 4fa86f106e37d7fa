"""Curse of memory, theory core (theory guide `memory-moments`, `memory-complex`, `memory-reparametrisation`, `memory-teacher-student`, `theory-checks-memory`; Zucchet & Orvieto (2024))."""
import numpy as np
import pytest
import sympy as sp

from lrnn_theory import memory


def test_b9_1_series_identity():
    l1, l2, r = 0.7, -0.6, 0.5
    k = np.arange(400)
    series = np.sum(l1 ** k[:, None] * l2 ** k[None, :] * r ** np.abs(k[:, None] - k[None, :]))
    assert memory.cross_moment(l1, l2, r) == pytest.approx(series, rel=1e-13)
    assert memory.cross_moment(l1, l2, r) == pytest.approx(0.920910, abs=1e-6)


def test_b9_2_symbolic_identities_and_special_cases():
    l1, l2, r, lam = sp.symbols("l1 l2 rho lam")
    f = (1 - r ** 2 * l1 * l2) / ((1 - l1 * l2) * (1 - r * l1) * (1 - r * l2))
    S_sym = sp.lambdify((l1, l2, r), sp.diff(f, l1, l2))
    d2_sym = sp.lambdify((l1, l2, r), sp.diff(f, l2))
    rng = np.random.default_rng(0)
    for _ in range(10):
        a, b, rho = rng.uniform(-0.95, 0.95), rng.uniform(-0.95, 0.95), rng.uniform(0, 1)
        assert memory.sensitivity_kernel(a, b, rho) == pytest.approx(S_sym(a, b, rho), rel=1e-12)
        assert memory.cross_moment_dlam2(a, b, rho) == pytest.approx(d2_sym(a, b, rho), rel=1e-12)
    x, rho = 0.8, 0.3
    h2, d2 = memory.stationary_moments(x, rho)
    assert h2 == pytest.approx((1 + rho * x) / ((1 - x ** 2) * (1 - rho * x)), rel=1e-13)
    assert d2 == pytest.approx(((1 + x ** 2) * (1 - x ** 2 * rho ** 2) + 2 * x * rho * (1 - x ** 2)) / ((1 - x ** 2) ** 3 * (1 - x * rho) ** 2), rel=1e-13)
    assert memory.cross_moment_dlam2(x, x, rho) == pytest.approx((x + rho - x ** 2 * rho - x ** 3 * rho ** 2) / ((1 - x ** 2) ** 2 * (1 - x * rho) ** 2), rel=1e-13)
    assert memory.stationary_moments(x, 0.0) == pytest.approx((1 / (1 - x ** 2), (1 + x ** 2) / (1 - x ** 2) ** 3), rel=1e-13)
    assert memory.stationary_moments(x, 1.0) == pytest.approx((1 / (1 - x) ** 2, 1 / (1 - x) ** 4), rel=1e-13)
    # leading behaviour as λ -> 1: (1+ρ)/(2(1-ρ)) · 1/(1-λ) and (1+ρ)/(4(1-ρ)) · 1/(1-λ)³
    eps = 1e-6
    h2, d2 = memory.stationary_moments(1 - eps, 0.4)
    assert h2 * eps == pytest.approx(1.4 / (2 * 0.6), rel=1e-4) and d2 * eps ** 3 == pytest.approx(1.4 / (4 * 0.6), rel=1e-4)


@pytest.mark.parametrize(
    "lam,rho,h2,d2",
    [(0.9, 0.0, 5.2632, 263.887), (0.9, 0.9, 50.1385, 3756.95), (0.99, 0.5, 148.764, 753639.6)],
)
def test_b9_3_closed_forms_and_monte_carlo(lam, rho, h2, d2):
    th = memory.stationary_moments(lam, rho)
    assert th[0] == pytest.approx(h2, rel=1e-4) and th[1] == pytest.approx(d2, rel=1e-5)
    mc = memory.monte_carlo_moments(lam, rho, n_chains=20_000, seed=1)
    assert abs(mc.h2 - th[0]) < 3 * mc.h2_se and abs(mc.d2 - th[1]) < 3 * mc.d2_se


def test_b9_3_complex_eigenvalue():
    nu, theta, rho = 0.95, 2.0, 0.8
    lam = nu * np.exp(1j * theta)
    h2, d2 = memory.stationary_moments(lam, rho)
    assert h2 == pytest.approx(1.960, abs=1e-3) and d2 == pytest.approx(321.05, abs=0.01)
    assert nu ** 2 * d2 == pytest.approx(289.75, abs=0.01)  # E|∂_θ h|² = ν² S
    mc = memory.monte_carlo_moments(lam, rho, n_chains=20_000, seed=2)
    assert abs(mc.h2 - h2) < 3 * mc.h2_se and abs(mc.d2 - d2) < 3 * mc.d2_se


def test_b9_4_finite_time_formula():
    q, t = 0.98, 300
    _, d2 = memory.finite_time_moments(np.sqrt(q), t)
    closed = (1 + q - q ** (t - 1) * (t ** 2 * (1 - q) ** 2 + 2 * t * q * (1 - q) + q * (1 + q))) / (1 - q) ** 3
    assert d2 == pytest.approx(closed, rel=1e-12) and d2 == pytest.approx(232713.461, abs=1e-3)
    h2, _ = memory.finite_time_moments(0.9, 400)
    assert h2 == pytest.approx(memory.stationary_moments(0.9)[0], rel=1e-12)


def test_b9_6_teacher_student_curvature():
    assert memory.teacher_student_curvature(0.92) == pytest.approx(509.5, abs=0.05)
    assert memory.teacher_student_curvature(0.99) == pytest.approx(2.513e5, rel=1e-3)
    vals = memory.teacher_student_curvature(np.array([0.36, 0.92, 0.99]), "exp", normalised=True)
    assert np.round(vals, 4).tolist() == [0.1786, 0.2494, 0.2500]
    assert np.allclose(memory.teacher_student_curvature(np.array([0.2, 0.9, 0.999]), "tanh", normalised=True), 1.0, rtol=1e-12)
    # second method: finite-difference curvature of the closed-form loss in λ
    for ls in (0.5, 0.92):
        h = 1e-4
        fd = (memory.teacher_student_loss(ls + h, ls) - 2 * memory.teacher_student_loss(ls, ls) + memory.teacher_student_loss(ls - h, ls)) / h ** 2
        assert fd == pytest.approx(memory.teacher_student_curvature(ls), rel=1e-5)
        fd = (memory.teacher_student_loss(ls + h, ls, normalised=True) - 2 * memory.teacher_student_loss(ls, ls, normalised=True)
              + memory.teacher_student_loss(ls - h, ls, normalised=True)) / h ** 2
        assert fd == pytest.approx(memory.teacher_student_curvature(ls, normalised=True), rel=1e-5)
    assert memory.teacher_student_loss(0.7, 0.7) == pytest.approx(0.0, abs=1e-14)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: memory.stationary_moments(1.0), ValueError, "lam"),
        (lambda: memory.stationary_moments(0.5 + 0.9j), ValueError, "lam"),
        (lambda: memory.stationary_moments(0.5, rho=1.5), ValueError, "rho"),
        (lambda: memory.stationary_moments(0.5, rho=-0.1), ValueError, "rho"),
        (lambda: memory.cross_moment(0.5, np.nan), ValueError, "lam2"),
        (lambda: memory.teacher_student_curvature(0.9, "cosh"), ValueError, "parametrisation"),
        (lambda: memory.teacher_student_curvature(-0.5, "exp"), ValueError, "lam_star"),
        (lambda: memory.finite_time_moments(0.9, 0), ValueError, "t"),
        (lambda: memory.monte_carlo_moments(0.5, n_chains=0), ValueError, "n_chains"),
        (lambda: memory.monte_carlo_moments(1.2), ValueError, "lam"),
        (lambda: memory.teacher_student_loss(0.5, 0.3, normalised=True, mu=1.0), ValueError, "normalised"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# theory guide `memory-reparametrisation` normalisation and reparametrisation


@pytest.mark.parametrize("lam,rho", [(0.9, 0.0), (0.95, 0.0), (0.9, 0.6), (0.8, 0.9)])
def test_b9_5_normalised_activity_monte_carlo(lam, rho):
    """γ = sqrt(1-λ²): E[h²] = 1 (ρ = 0) and (1+ρλ)/(1-ρλ) otherwise, closed form and Monte Carlo."""
    g = float(memory.normalisation(lam))
    expected = (1 + rho * lam) / (1 - rho * lam)
    assert memory.stationary_moments(lam, rho, gamma=g)[0] == pytest.approx(expected, rel=1e-12)
    mc = memory.monte_carlo_moments(lam, rho, gamma=g, n_chains=20_000, seed=5)
    assert abs(mc.h2 - expected) < 3 * mc.h2_se


def test_b9_5_reparametrised_sensitivity_limits():
    """The theory guide `memory-reparametrisation` table: limits as ν → 1 and the exact tanh / ν-scaled values."""
    eps = 1e-7
    nu = 1 - eps
    assert memory.modulus_sensitivity(nu, 0.0, "exp", "fixed") == pytest.approx(0.5, rel=1e-5)
    assert memory.modulus_sensitivity(nu, 0.9, "exp", "fixed") == pytest.approx(19 / 2, rel=1e-5)
    assert memory.modulus_sensitivity(nu, 0.9, "tanh", "fixed") == pytest.approx(38, rel=1e-5)
    assert memory.modulus_sensitivity(nu, 0.0, "exp", "differentiated") == pytest.approx(0.25, rel=1e-5)
    # leading divergences of the direct parametrisation
    assert memory.modulus_sensitivity(nu, 0.0, "direct", "none") * 4 * eps ** 3 == pytest.approx(1, rel=1e-5)
    assert memory.modulus_sensitivity(nu, 0.0, "direct", "fixed") * 2 * eps ** 2 == pytest.approx(1, rel=1e-5)
    assert memory.modulus_sensitivity(nu, 0.0, "direct", "differentiated") * 4 * eps ** 2 == pytest.approx(1, rel=1e-5)
    assert memory.modulus_sensitivity(nu, 0.0, "exp", "none") * 4 * eps == pytest.approx(1, rel=1e-5)
    assert memory.modulus_sensitivity(nu, 0.0, "tanh", "none") * eps == pytest.approx(1, rel=1e-5)
    nus = np.array([0.1, 0.5, 0.9, 0.999])
    assert np.allclose(memory.modulus_sensitivity(nus, 0.0, "tanh", "fixed"), 1 + nus ** 2, rtol=1e-12)
    assert np.allclose(memory.modulus_sensitivity(nus, 0.0, "tanh", "differentiated"), 1.0, rtol=1e-10)
    lam = nus * np.exp(1j * np.array([0.3, -1.0, 2.0, 0.01]))
    assert np.allclose(memory.phase_sensitivity(lam, 0.0, "nu_scaled", "fixed"), 1.0, rtol=1e-12)
    assert np.allclose(memory.phase_sensitivity(lam, 0.0, "direct", "fixed"), nus ** 2 * (1 + nus ** 2) / (1 - nus ** 2) ** 2, rtol=1e-12)
    # ρ = 1: every γ(λ) of this form still diverges, like 1/(1-ν) for exp
    assert memory.modulus_sensitivity(1 - 1e-4, 1.0, "exp", "fixed") > 10 * memory.modulus_sensitivity(1 - 1e-3, 1.0, "exp", "fixed") / 11


@pytest.mark.parametrize("lam,rho,param,gamma", [
    (0.9, 0.0, "exp", "fixed"), (0.9, 0.5, "tanh", "differentiated"), (0.85 * np.exp(0.7j), 0.3, "exp", "differentiated"),
    (0.9 * np.exp(2.0j), 0.8, "direct", "none"),
])
def test_b9_5_sensitivity_against_monte_carlo(lam, rho, param, gamma):
    """E|∂_ω(γh)|² per chain: (dν/dω)|γ'h + γ e^{iθ} ∂_λh|², from sampled (h, ∂_λh)."""
    h, g = memory.sample_states(lam, rho, n_chains=20_000, seed=11)
    nu, theta = abs(lam), np.angle(lam)
    gam = 1.0 if gamma == "none" else np.sqrt(1 - nu ** 2)
    gp = -nu / gam if gamma == "differentiated" else 0.0
    dnu = float(memory.dnu_domega(nu, param))
    est = memory.estimate(np.abs(dnu * (gp * h[:, 0] + gam * np.exp(1j * theta) * g[:, 0])) ** 2)
    assert est.agrees(memory.modulus_sensitivity(lam, rho, param, gamma))
    ph = memory.estimate(np.abs(gam * 1j * lam * g[:, 0]) ** 2)
    assert ph.agrees(memory.phase_sensitivity(lam, rho, "direct", gamma))


# ---------------------------------------------------------------------------------------------
# theory guide `memory-teacher-student` teacher–student: Monte Carlo and gradient


@pytest.mark.parametrize("lam,lam_star,mu", [(0.8, 0.9, 0.0), (0.8 * np.exp(0.5j), 0.9 * np.exp(0.2j), 0.0), (0.7, 0.85, 0.5),
                                             (0.6 * np.exp(-1j), 0.9, 0.3)])
def test_b9_6_teacher_student_loss_monte_carlo(lam, lam_star, mu):
    h, _ = memory.sample_states(np.array([lam, lam_star]), 0.0, mu=mu, n_chains=20_000, seed=3)
    est = memory.estimate(0.5 * np.abs(h[:, 0] - h[:, 1]) ** 2)
    assert est.agrees(memory.teacher_student_loss(lam, lam_star, mu=mu))


@pytest.mark.parametrize("normalised,mu", [(False, 0.0), (True, 0.0), (False, 0.7)])
def test_teacher_student_gradient_is_the_finite_difference_of_the_loss(normalised, mu):
    nu, th = 0.8, 0.4
    ls = 0.9 * np.exp(0.1j)
    L = lambda n, t: memory.teacher_student_loss(n * np.exp(1j * t), ls, mu=mu, normalised=normalised)  # noqa: E731
    d_nu, d_th = memory.teacher_student_gradient(nu * np.exp(1j * th), ls, mu=mu, normalised=normalised)
    h = 1e-6  # central differences: error O(h²·L''') ≈ 1e-10 plus rounding 1e-16/h ≈ 1e-10
    assert d_nu == pytest.approx((L(nu + h, th) - L(nu - h, th)) / (2 * h), rel=1e-8)
    assert d_th == pytest.approx((L(nu, th + h) - L(nu, th - h)) / (2 * h), rel=1e-8)


@pytest.mark.parametrize("normalised", [False, True])
@pytest.mark.parametrize("kind", ["complex", "real", "real-as-complex"])
def test_train_lambda_per_step_path_equals_the_public_loss_and_gradient(normalised, kind):
    """train_lambda evaluates the closed forms on plain scalars; the numbers must be the public ones, bit for bit."""
    from lrnn_theory.memory.teacher import _unchecked_loss_and_gradient

    rng = np.random.default_rng(7)
    lam = rng.uniform(0, 0.9999, 200) * (np.exp(1j * rng.uniform(-np.pi, np.pi, 200)) if kind == "complex" else rng.choice([-1, 1], 200))
    ls = 0.95 * np.exp(0.3j) if kind == "complex" else (0.93 + 0j if kind == "real-as-complex" else 0.93)
    loss, gradient = _unchecked_loss_and_gradient(ls, normalised)
    L = memory.teacher_student_loss(lam, ls, normalised=normalised)
    g_nu, g_th = memory.teacher_student_gradient(lam, ls, normalised=normalised)
    for i, x in enumerate(lam.tolist()):
        assert loss(x) == L[i]
        assert gradient(x) == (g_nu[i], g_th[i])


def test_train_lambda_records_the_public_loss_along_its_trajectory():
    from lrnn_theory.optim import Adam

    param = memory.Parametrisation("exp", "exp", normalised=True)
    run = memory.train_lambda(0.99 * np.exp(0.03j), 0.9 * np.exp(0.7j), Adam(1e-2), parametrisation=param, steps=300)
    assert np.array_equal(run.loss, memory.teacher_student_loss(run.lam, 0.99 * np.exp(0.03j), normalised=True))
    assert run.loss[-1] < 0.1 * run.loss[0]  # it learns: the loss falls by an order of magnitude in 300 Adam steps


# ---------------------------------------------------------------------------------------------
# theory guide `memory-multidim` diagonal Hessian


def test_b9_9_diagonal_hessian_matches_monte_carlo_gauss_newton():
    rng = np.random.default_rng(0)
    lam = np.array([0.95 * np.exp(0.3j), 0.9 * np.exp(-0.2j), 0.97, 0.93 * np.exp(0.31j)])
    b = rng.normal(size=4) + 1j * rng.normal(size=4)
    c = rng.normal(size=4) + 1j * rng.normal(size=4)
    H = memory.diagonal_hessian(lam, b, c, 0.0)
    assert np.max(np.abs(H - H.T)) <= 1e-12 * np.max(np.abs(H))
    mc = memory.monte_carlo_gauss_newton(lam, b, c, 0.0, n_chains=20_000, seed=0)
    assert mc.agrees(H, n_se=4.0)  # 64 entries: 4 s.e. keeps the family-wise false-alarm rate small
    assert np.linalg.norm(mc.mean - H) / np.linalg.norm(H) < 0.03
    ev, ev_mc = np.linalg.eigvalsh(H), np.linalg.eigvalsh(mc.mean)
    assert np.allclose(ev_mc[-3:], ev[-3:], rtol=0.05)
    # theory guide `memory-multidim`: the top eigenvector is localised on the eigenvalue nearest the unit circle that is
    # close to its own conjugate (0.97, real): its Re/Im coordinates carry > 90% of the weight
    top = np.linalg.eigh(H)[1][:, -1] ** 2
    k = int(np.argmax(np.abs(lam)))
    assert top[k] + top[k + 4] > 0.9


def test_diagonal_hessian_of_one_real_eigenvalue_is_the_b5_curvature():
    """n = 1, b = c = 1, λ real: H_re,re = S(λ, λ) = (1+λ²)/(1-λ²)³ (theory guide `memory-teacher-student`) and H_im,im = λ² S·... via B = A."""
    lam = 0.92
    H = memory.diagonal_hessian([lam], [1.0], [1.0])
    assert H[0, 0] == pytest.approx(float(memory.teacher_student_curvature(lam)), rel=1e-12)
    assert H[0, 1] == pytest.approx(0.0, abs=1e-12) and H[1, 1] == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# theory guide `memory-teacher-student`, `memory-simulation-plan` gradient descent on λ


@pytest.mark.parametrize("lam_star", [0.8, 0.9, 0.95])
def test_b9_7_sampled_gd_stability_threshold(lam_star):
    from lrnn_theory.memory.training import train_lambda
    from lrnn_theory.optim import SGD

    h_star = float(memory.teacher_student_curvature(lam_star))
    lam0 = lam_star - 0.05 * (1 - lam_star)
    ok = train_lambda(lam_star, lam0, SGD(0.8 * 2 / h_star), loss="sampled", steps=100, batch=256, seed=0)
    bad = train_lambda(lam_star, lam0, SGD(1.25 * 2 / h_star), loss="sampled", steps=100, batch=256, seed=0)
    assert ok.status == "converged" and ok.converged_step < 30  # contraction |1 - 1.6| = 0.6 per step
    assert bad.status != "converged" and bad.loss[-1] > bad.loss[0]


def test_b9_8_curse_of_memory_ordering():
    from lrnn_theory.memory.training import Parametrisation, lr_scan
    from lrnn_theory.optim import SGD, Adam

    direct = lr_scan(0.99, 0.5, SGD, np.logspace(-7, 1, 17), steps=2000)
    assert np.all(np.isinf(direct.steps_to_target))
    lru = Parametrisation(modulus="exp", normalised=True)
    for ls in (0.9, 0.97, 0.99):  # one learning rate for every λ*
        assert lr_scan(ls, 0.5, SGD, [3.0], parametrisation=lru, steps=2000).best_steps <= 12
    adam = lr_scan(0.99, 0.5, Adam, np.logspace(-3, 0, 13), steps=2000)
    assert adam.best_steps < 100
    # plain SGD's best learning rate shrinks with the memory: ~ 1/H* ∝ (1-λ*)³
    best = [lr_scan(ls, 0.5, SGD, np.logspace(-7, 0, 29), steps=2000).best_lr for ls in (0.8, 0.9)]
    assert best[1] < best[0] / 2


def test_omega_curvature_reproduces_b5_curvatures_for_complex_teachers():
    from lrnn_theory.memory import Parametrisation, omega_curvature

    nu = 0.92
    ls = nu * np.exp(1j * np.pi / 100)
    p = Parametrisation("exp", "direct", normalised=True)
    assert omega_curvature(p.to_omega(ls), ls, p, axis=0) == pytest.approx(0.2494, abs=1e-4)  # theory guide `theory-checks-memory`
    q = Parametrisation()  # direct, no γ: phase curvature ν²(1+ν²)/(1-ν²)³ (theory guide `memory-teacher-student`)
    assert omega_curvature(q.to_omega(ls), ls, q, axis=1) == pytest.approx(nu ** 2 * (1 + nu ** 2) / (1 - nu ** 2) ** 3, rel=1e-7)


# ---------------------------------------------------------------------------------------------
# theory guide `memory-multidim` multi-dimensional teacher–student: exact finite-time Gauss–Newton matrices


def test_teacher_eigenvalues_lie_in_the_annulus_and_the_eigenbasis_reproduces_the_impulse_response():
    t = memory.make_teacher(6, nu_min=0.99, nu_max=0.993, theta_max=0.5, seed=3)
    assert np.all((np.abs(t.eigvals) >= 0.99 - 1e-12) & (np.abs(t.eigvals) <= 0.993 + 1e-12))
    assert np.all(np.abs(np.angle(t.eigvals)) <= 0.5 + 1e-12)
    w = memory.impulse_response(t.A, t.B, t.C, 40)
    s = np.arange(40)[:, None]
    assert np.allclose(w, np.real(np.sum(t.c * t.b * t.eigvals ** s, axis=1)), rtol=0, atol=1e-12)


def test_diagonal_gauss_newton_tends_to_the_stationary_s_formula():
    t = memory.make_teacher(4, nu_min=0.9, nu_max=0.95, seed=1)
    H_inf = memory.diagonal_hessian(t.eigvals, t.b, t.c)
    H_T = memory.finite_time_gauss_newton("diagonal", (t.eigvals, t.b, t.c), 3000, average="last")
    assert np.allclose(H_T, H_inf, rtol=0, atol=1e-9 * np.abs(H_inf).max())  # tail ~ 3000² 0.95^6000


def test_dense_gauss_newton_is_the_finite_difference_hessian_of_the_exact_loss():
    t = memory.make_teacher(3, nu_min=0.8, nu_max=0.9, seed=2)
    T = 60
    weights = (T - np.arange(T)) / T
    w_star = memory.impulse_response(t.A, t.B, t.C, T)

    def loss(a):
        return 0.5 * np.sum(weights * (memory.impulse_response(a.reshape(3, 3), t.B, t.C, T) - w_star) ** 2)

    H = memory.finite_time_gauss_newton("dense", (t.A, t.B, t.C), T)
    a0, h, e = t.A.ravel(), 1e-4, np.eye(9)
    for i, j in [(0, 0), (1, 5), (8, 3)]:
        fd = (loss(a0 + h * e[i] + h * e[j]) - loss(a0 + h * e[i] - h * e[j]) - loss(a0 - h * e[i] + h * e[j])
              + loss(a0 - h * e[i] - h * e[j])) / (4 * h * h)
        assert fd == pytest.approx(H[i, j], rel=1e-5, abs=1e-8 * np.abs(H).max())


# ---------------------------------------------------------------------------------------------
# theory guide `memory-multidim`, `memory-simulation-plan` dense vs LRU students (figure memory-f5, figure memory-f8)


@pytest.mark.parametrize("kind", ["dense", "lru"])
def test_student_bptt_gradient_matches_finite_differences(kind):
    from lrnn_theory.memory.students import init_student, student_loss_and_grad, teacher_outputs

    t = memory.make_teacher(4, nu_min=0.9, seed=0)
    X = np.random.default_rng(0).normal(size=(3, 12))
    Y = teacher_outputs(t, X)
    s = init_student(kind, 3, nu0=0.8, seed=1)
    _, g = student_loss_and_grad(s, X, Y)
    fd = np.zeros_like(g)
    for i in range(g.size):
        e = np.zeros_like(g)
        e[i] = 1e-6
        fd[i] = (student_loss_and_grad(s, X, Y, s.theta + e)[0] - student_loss_and_grad(s, X, Y, s.theta - e)[0]) / 2e-6
    assert np.linalg.norm(fd - g) / np.linalg.norm(fd) < 1e-7


def test_teacher_outputs_are_the_impulse_response_convolution():
    from lrnn_theory.memory.students import teacher_outputs

    t = memory.make_teacher(5, nu_min=0.8, nu_max=0.95, seed=3)
    X = np.random.default_rng(1).normal(size=(2, 30))
    w = memory.impulse_response(t.A, t.B, t.C, 30)
    conv = np.array([[np.dot(w[: k + 1], X[b, k::-1]) for k in range(30)] for b in range(2)]) + t.D * X
    assert np.allclose(teacher_outputs(t, X), conv, rtol=1e-12, atol=1e-12)


def test_a_student_initialised_at_the_teacher_has_zero_loss_and_training_reduces_the_loss():
    from lrnn_theory.memory.students import Student, student_loss_and_grad, teacher_outputs, train_student

    t = memory.make_teacher(3, nu_min=0.5, nu_max=0.8, seed=2)
    s = Student("dense", 3, np.concatenate([t.A.ravel(), t.B, t.C, [t.D]]))
    X = np.random.default_rng(4).normal(size=(4, 25))
    loss, g = student_loss_and_grad(s, X, teacher_outputs(t, X))
    assert loss < 1e-25 and np.max(np.abs(g)) < 1e-12
    for kind in ("dense", "lru"):
        run = train_student(t, kind, nu0=0.5, d_h=4, T=25, batch=16, steps=150, lr=1e-2, seed=0)
        assert run.status == "ok" and np.mean(run.loss[-10:]) < 0.5 * np.mean(run.loss[:10])


# ---------------------------------------------------------------------------------------------
# API consistency (issue 14): broadcasting, zero imaginary parts, argument checks


def test_stationary_moments_broadcasts_gamma_mu_sigma_like_lam():
    lam = np.array([0.5, 0.9, 0.99])
    rho = 0.6
    g = memory.normalisation(lam)
    h2, d2 = memory.stationary_moments(lam, rho, gamma=g)
    assert np.allclose(h2, (1 + rho * lam) / (1 - rho * lam), rtol=1e-13)  # the normalised closed form
    each = [memory.stationary_moments(x, rho, gamma=float(gx)) for x, gx in zip(lam, g)]
    assert np.allclose(d2, [e[1] for e in each], rtol=1e-14)
    # a column of gammas against a row of λ: outer broadcast
    h2, _ = memory.stationary_moments(lam[None, :], 0.0, gamma=np.array([[1.0], [2.0]]), mu=0.0, sigma=np.array([1.0, 1.0, 3.0]))
    assert h2.shape == (2, 3)
    assert np.allclose(h2, np.array([[1.0], [4.0]]) * np.array([1.0, 1.0, 9.0]) / (1 - lam ** 2), rtol=1e-13)
    with pytest.raises(ValueError, match="sigma"):
        memory.stationary_moments(lam, sigma=np.array([1.0, -1.0, 1.0]))
    with pytest.raises(TypeError, match="gamma"):
        memory.stationary_moments(lam, gamma="one")


def test_stationary_moments_with_a_mean_accepts_complex_lam():
    """``0.9 + 0j`` is the real 0.9; a genuinely complex λ adds ``μ²/|1-λ|²`` and ``μ²/|1-λ|⁴`` (checked by Monte Carlo)."""
    x, rho, mu = 0.9, 0.3, 1.0
    real = memory.stationary_moments(x, rho, mu=mu)
    assert memory.stationary_moments(x + 0j, rho, mu=mu) == pytest.approx(real, rel=1e-15)
    assert real[0] == pytest.approx((1 + rho * x) / ((1 - x ** 2) * (1 - rho * x)) + mu ** 2 / (1 - x) ** 2, rel=1e-13)
    lam = 0.8 * np.exp(0.6j)
    h2, d2 = memory.stationary_moments(lam, 0.5, mu=0.7, sigma=1.3)
    mc = memory.monte_carlo_moments(lam, 0.5, mu=0.7, sigma=1.3, n_chains=20_000, seed=4)
    assert abs(mc.h2 - h2) < 3 * mc.h2_se and abs(mc.d2 - d2) < 3 * mc.d2_se
    # the mean part alone: the chain without noise is deterministic, μ/(1-λ) and μ/(1-λ)²
    h2, d2 = memory.stationary_moments(lam, 0.5, mu=0.7, sigma=0.0)
    assert h2 == pytest.approx(0.49 / abs(1 - lam) ** 2, rel=1e-14) and d2 == pytest.approx(0.49 / abs(1 - lam) ** 4, rel=1e-14)


def test_normalised_curvature_rejects_sigma_like_the_loss():
    with pytest.raises(ValueError, match="sigma"):
        memory.teacher_student_loss(0.5, 0.5, sigma=2.0, normalised=True)
    with pytest.raises(ValueError, match="sigma"):
        memory.teacher_student_curvature(0.5, normalised=True, sigma=2.0)
    assert memory.teacher_student_curvature(0.5, normalised=True, sigma=1.0) == pytest.approx(1 / 0.75 ** 2, rel=1e-15)


def test_exp_phase_requires_a_positive_phase_like_the_parametrisation():
    from lrnn_theory.memory import Parametrisation

    lam = 0.9 * np.exp(-0.4j)
    with pytest.raises(ValueError, match="lam0"):
        Parametrisation(phase="exp").to_omega(lam)
    with pytest.raises(ValueError, match="lam"):
        memory.phase_sensitivity(lam, 0.0, "exp")
    with pytest.raises(ValueError, match="theta"):
        memory.dtheta_domega(0.9, -0.4, "exp")
    # a positive phase: (dθ/dω)² = θ² times the direct value
    assert memory.phase_sensitivity(np.conj(lam), 0.2, "exp") == pytest.approx(
        0.4 ** 2 * memory.phase_sensitivity(np.conj(lam), 0.2, "direct"), rel=1e-14)


def test_monte_carlo_moments_rejects_arrays_with_the_right_message():
    with pytest.raises(TypeError, match="lam must be a real or complex scalar"):
        memory.monte_carlo_moments(np.array([0.5, 0.6]))
    with pytest.raises(TypeError, match="lam must be a real or complex scalar"):
        memory.monte_carlo_moments("0.5")
    mc = memory.monte_carlo_moments(np.array(0.5 + 0.2j), n_chains=2000, seed=0)  # 0-d arrays and complex scalars are fine
    h2 = memory.stationary_moments(0.5 + 0.2j)[0]
    assert abs(mc.h2 - h2) < 4 * mc.h2_se


@pytest.mark.parametrize("modulus,normalised,gamma", [("exp", True, "differentiated"), ("tanh", False, "none"),
                                                      ("direct", False, "none")])
def test_modulus_sensitivity_with_a_moving_phase_is_the_omega_curvature(modulus, normalised, gamma):
    """At a teacher optimum the loss curvature in ``ω_ν`` (finite differences of the analytic gradient through
    :class:`Parametrisation`) is ``E|∂_{ω_ν}(γh)|²``: with θ held fixed for the direct phase, and with
    ``dθ/dν = θ s'(ν)/s(ν)`` for the ν-scaled phase ``θ = s(ν) ω_θ``."""
    from lrnn_theory.memory import Parametrisation, omega_curvature

    nu, theta = 0.92, 0.3
    ls = nu * np.exp(1j * theta)
    fixed = Parametrisation(modulus, "direct", normalised=normalised)
    h_fd = omega_curvature(fixed.to_omega(ls), ls, fixed, axis=0)
    assert memory.modulus_sensitivity(ls, 0.0, modulus, gamma) == pytest.approx(h_fd, rel=1e-6)
    scaled = Parametrisation(modulus, "nu_scaled", normalised=normalised)
    h_fd = omega_curvature(scaled.to_omega(ls), ls, scaled, axis=0)
    tp = -theta * (2 * nu / (1 - nu ** 2) + 1 / nu + nu / (1 + nu ** 2))
    h = memory.modulus_sensitivity(ls, 0.0, modulus, gamma, dtheta_dnu=tp)
    assert h == pytest.approx(h_fd, rel=1e-6)
    assert abs(h / memory.modulus_sensitivity(ls, 0.0, modulus, gamma) - 1) > 0.1  # the moving phase matters here
