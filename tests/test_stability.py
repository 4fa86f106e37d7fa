"""network_stability: the aligned solution in an n_h-unit network, minimum or saddle (theory guide `theory-network-stability`).

Independent sources: the package's numba gradient (finite differences of it give the Hessian),
SymPy (the Hessian of the written-out loss), the closed form of the spare-unit eigenvalues derived
in the theory guide, and gradient descent on the full matrices (simulate_gd) for kept vs left and
the escape times.
"""
import numpy as np
import pytest

import lrnn_theory as lt
from lrnn_theory.stability import _correlations, _hessian, _loss_grad, network_stability

T = 10
K = np.arange(T - 1, -1, -1)  # T - t for t = 1..T
REAL = 0.9 ** K - 0.7 * 0.4 ** K  # example (i): no single exponential fits it
OSC = 0.9 ** K * np.cos(0.7 * np.arange(T))  # example (ii): held as one complex mode (a 2x2 block)


@pytest.fixture(scope="module")
def real2():
    return network_stability(REAL, 2)


@pytest.fixture(scope="module")
def osc3():
    return network_stability(OSC.astype(complex), 3)


def _crossing(run, target):
    """ODE time at which the recorded loss first reaches ``target`` (linear in log loss between records)."""
    i = int(np.flatnonzero(run.loss <= target)[0])
    l0, l1 = np.log(run.loss[i - 1]), np.log(run.loss[i])
    return run.time[i - 1] + (np.log(target) - l0) / (l1 - l0) * (run.time[i] - run.time[i - 1])


def test_fixed_point_loss_is_the_mode_energy(real2, osc3):
    # the numbers: E* = 0.0741 (one real pole), b* = 0.606 + 0.553i with E* = 0.523 (block loss 2E*)
    fp = lt.fixed_point(REAL)
    cfp = lt.closed_forms.complex_fixed_point(OSC.astype(complex))
    assert abs(real2.loss - float(fp.energy)) <= 1e-12
    assert abs(osc3.loss - 2 * float(cfp.energy)) <= 1e-12
    assert round(real2.loss, 4) == 0.0741 and round(float(cfp.energy), 3) == 0.523
    assert abs(complex(osc3.b[0]) - (0.606 + 0.553j)) < 1e-3
    # stationary to rounding, and the orbit tangents are null vectors of the Hessian
    for res in (real2, osc3):
        assert res.gradient_norm < 1e-12
        assert np.max(np.abs(res.symmetry_eigenvalues)) < 1e-12 * np.max(np.abs(res.eigenvalues))


def test_orbit_dimension():
    # GL(n_h) minus the stabiliser GL(n_h - d) of the spare units: n_h^2 - (n_h - d)^2
    for S, d in ((REAL, 1), (OSC.astype(complex), 2)):
        for n_h in (d, d + 1, d + 2):
            assert network_stability(S, n_h).n_symmetry == n_h ** 2 - (n_h - d) ** 2


def test_hessian_matches_finite_differences_of_the_simulator_gradient():
    # two real modes, N_x = N_y = 2, n_h = 3, at random weights (not only at a fixed point): central
    # differences of the numba correlation-space gradient (independent code); error O(h^2) ~ 1e-9
    S = np.stack([REAL, 0.5 * 0.8 ** K])
    data = lt.make_dataset(S, 2, 2, 20, seed=3)
    C = np.ascontiguousarray(data.correlations()[0][::-1])  # C[k] at lag k = T - t
    rng = np.random.default_rng(0)
    W = (rng.standard_normal((3, 2)) * 0.5, rng.standard_normal((3, 3)) * 0.4, rng.standard_normal((2, 3)) * 0.5)
    H, asym = _hessian(*W, C)
    assert asym < 1e-12 * np.max(np.abs(H))
    loss, g = lt.loss_and_grad(data, W)
    assert abs(loss - float(_loss_grad(*W, C)[0])) < 1e-12
    sizes = [w.size for w in W]
    theta = np.concatenate([w.ravel() for w in W])

    def grad(th):
        parts = np.split(th, np.cumsum(sizes)[:-1])
        Ws = tuple(p.reshape(w.shape) for p, w in zip(parts, W))
        return np.concatenate([x.ravel() for x in lt.loss_and_grad(data, Ws)[1]])

    h = 1e-5
    H_fd = np.stack([(grad(theta + h * e) - grad(theta - h * e)) / (2 * h) for e in np.eye(theta.size)], axis=1)
    assert np.max(np.abs(H - H_fd)) < 1e-7 * np.max(np.abs(H))


def test_hessian_matches_sympy():
    # n_h = 2, N_x = N_y = 1, T = 3: the loss written out and differentiated by SymPy, at the
    # aligned fixed point of a non-geometric task (a saddle) and at a random point
    sp = pytest.importorskip("sympy")
    s = np.array([0.3, -0.5, 1.0])
    res = network_stability(s, 2)
    x = sp.symbols("x0:2")
    hh = sp.symbols("h0:4")
    y = sp.symbols("y0:2")
    Wx, Wh, Wy = sp.Matrix(2, 1, x), sp.Matrix(2, 2, hh), sp.Matrix(1, 2, y)
    L = sum(((Wy * Wh ** k * Wx)[0, 0] - float(s[-1 - k])) ** 2 for k in range(3)) / 2
    sym = list(x) + list(hh) + list(y)
    Hs = sp.lambdify(sym, sp.hessian(L, sym), "numpy")
    C = _correlations(res.S, 0, 1)
    rng = np.random.default_rng(1)
    for W in ((res.W_x, res.W_h, res.W_y), tuple(rng.standard_normal(w.shape) for w in (res.W_x, res.W_h, res.W_y))):
        H = _hessian(*W, C)[0]
        H_ref = np.array(Hs(*np.concatenate([w.ravel() for w in W])), dtype=float)
        assert np.max(np.abs(H - H_ref)) < 1e-13 * max(1.0, np.max(np.abs(H_ref)))
    assert not res.is_minimum


def test_spare_unit_eigenvalues_closed_form(real2, osc3):
    # theory guide `theory-network-stability`: a spare unit adds ±|r_T| sqrt(1+|c/b|^2) sqrt(1+|a/b|^2)
    # (twice for a complex mode), r_T = s_T - u*, |a|^2 = |c|^2 = |u*| on the balanced fixed point
    for res, s, mult in ((real2, REAL, 1), (osc3, OSC, 2)):
        b, u = complex(res.b[0]), complex(res.u[0])
        lam = abs(s[-1] - u) * (1 + abs(u) / abs(b) ** 2)
        assert res.escape_rate == pytest.approx(lam, rel=1e-12)
        assert res.min_eigenvalue == pytest.approx(-lam, rel=1e-12)
        assert res.escape_multiplicity == mult
        assert np.sum(np.abs(res.eigenvalues - lam) < 1e-10) == mult  # the positive partner
    # without a spare unit the point is a strict minimum: the (u, b) Hessian of the mode, all positive
    for S, n_h in ((REAL, 1), (OSC.astype(complex), 2)):
        res = network_stability(S, n_h)
        assert res.is_minimum and res.n_flat == 0 and res.min_eigenvalue > 1.0
        assert res.direction is None and res.escape_time(1e-6) == np.inf
    # one spare unit per mode, two modes: one unstable pair per mode with its own residual
    S = np.stack([REAL, 0.9 ** K + 0.3 * (K == 0)])
    res = network_stability(S, 4)
    fp = lt.fixed_point(S)
    rates = np.sort(np.abs(S[:, -1] - fp.u) * (1 + np.abs(fp.u) / fp.b ** 2))
    assert np.allclose(np.sort(-res.eigenvalues[res.eigenvalues < -res.tolerance])[[0, -1]], rates, rtol=1e-10)


def test_geometric_task_is_a_minimum_with_spare_units():
    # r_T = 0 (zero loss): no negative curvature, only flat directions of the spare unit
    res = network_stability(lt.tasks.inverse_exponential(T, 1.5, 0.8), 3)
    assert res.is_minimum and res.loss < 1e-25 and res.n_flat > 0


def _run(data, n_h, W0, lr, t_end, stop=None):
    return lt.simulate_gd(data, n_h, lr=lr, steps=int(round(t_end / lr)), weights0=W0, record_every=1, stop_loss=stop)


@pytest.mark.parametrize("example", ["real", "complex"])
def test_kept_and_left_under_gradient_descent(example):
    # the same random perturbation of size 1e-4 (all weight entries) in both networks: the smaller network
    # returns to its fixed point's loss and never goes below it; the larger one leaves and descends to a
    # lower loss (two units: 0, the exact two-pole fit; three units on the block: 0.6617, one direction fitted
    # exactly by 0.9 e^{±0.7i}, the other by the best real pole, W_h eigenvalue 0.357)
    if example == "real":
        S, n_kept, data, final = REAL, 1, lt.make_dataset(REAL, 1, 1, T, seed=0), 0.0
    else:
        S, n_kept, data, final = OSC.astype(complex), 2, lt.make_rotational_dataset(OSC.astype(complex), 2 * T, seed=0), None
    for n_h in (n_kept, n_kept + 1):
        res = network_stability(S, n_h)
        W = res.weights(0.0, data)
        xi = [np.random.default_rng(n_h).standard_normal(w.shape) for w in W]
        norm = np.sqrt(sum(np.sum(x * x) for x in xi))
        run = _run(data, n_h, tuple(w + 1e-4 * x / norm for w, x in zip(W, xi)), 0.02, 300.0)
        assert run.status == "ok"
        if n_h == n_kept:
            assert res.is_minimum
            assert run.loss.min() >= res.loss * (1 - 1e-12)
            assert abs(run.loss[-1] - res.loss) <= 1e-12 * res.loss
        else:
            assert not res.is_minimum
            assert run.loss[-1] < (1 - res.escape_drop) * res.loss
            if final is None:
                final = float(lt.fixed_point(OSC).energy)  # 0.6617: one direction exact, the other one real pole
                assert np.sort(np.abs(np.linalg.eigvals(run.W_h[-1]))) == pytest.approx([0.357054, 0.9, 0.9], abs=1e-4)
            assert run.loss[-1] == pytest.approx(final, abs=1e-9)


@pytest.mark.parametrize("example", ["real", "complex"])
def test_escape_time_matches_gradient_descent(example, real2, osc3):
    # start at the embedded fixed point + eps along the escape direction, in the dataset's coordinates.
    # Gradient descent grows by 1 + lr r per step, so it leaves later by a relative ~ lr r / 2 (0.2 % at
    # lr = 0.01); the Richardson combination 2 t(lr/2) - t(lr) removes that first-order term and leaves
    # O((lr r)^2 t) ~ 1e-5 relative (measured 1e-6 to 2e-6); the record interpolation error is O(lr^2).
    res, data = (real2, lt.make_dataset(REAL, 1, 1, T, seed=0)) if example == "real" else \
        (osc3, lt.make_rotational_dataset(OSC.astype(complex), 2 * T, seed=0))
    target = (1 - res.escape_drop) * res.loss
    for eps in (1e-4, 1e-6):
        t_pred = res.escape_time(eps)
        t_sim = {}
        for lr in (0.01, 0.005):
            run = _run(data, res.n_h, res.weights(eps, data), lr, 2 * t_pred, stop=target)
            t_sim[lr] = _crossing(run, target)
            assert t_sim[lr] == pytest.approx(t_pred * (1 + lr * res.escape_rate / 2), rel=2e-4)
        assert 2 * t_sim[0.005] - t_sim[0.01] == pytest.approx(t_pred, rel=1e-4)
    # the time is ln(delta/eps)/rate: a hundredfold smaller perturbation leaves ln(100)/rate later
    assert res.escape_time(1e-8) - res.escape_time(1e-6) == pytest.approx(np.log(100) / res.escape_rate, rel=1e-12)
    # the nonlinear phase: delta is of the order of the quadratic model's, not equal to it
    assert 0.5 < res.escape_scale / res.escape_scale_quadratic < 2


def test_weights_map_into_dataset_coordinates(osc3):
    data = lt.make_rotational_dataset(OSC.astype(complex), 3 * T, seed=4, n=3)
    loss, grads = lt.loss_and_grad(data, osc3.weights(0.0, data))
    assert loss == pytest.approx(osc3.loss, rel=1e-12)
    assert max(np.max(np.abs(g)) for g in grads) < 1e-12
    # a perturbation of size eps in minimal coordinates has size eps in the dataset's (orthonormal maps)
    d0, d1 = osc3.weights(0.0, data), osc3.weights(1e-3, data)
    assert np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(d0, d1))) == pytest.approx(1e-3, rel=1e-10)
    with pytest.raises(ValueError, match="data"):
        osc3.weights(0.0, lt.make_rotational_dataset(2 * OSC.astype(complex), 2 * T, seed=4))


def test_user_fixed_point_and_bad_inputs():
    fp = lt.fixed_point(REAL)
    assert network_stability(REAL, 2, fp).min_eigenvalue == pytest.approx(network_stability(REAL, 2, (fp.b, fp.u)).min_eigenvalue)
    with pytest.raises(ValueError, match="fixed_point"):
        network_stability(REAL, 2, (0.5, 1.0))  # not stationary
    with pytest.raises(ValueError, match="n_h"):
        network_stability(OSC.astype(complex), 1)
    with pytest.raises(ValueError, match="S"):
        network_stability(np.ones(1), 1)
    with pytest.raises(ValueError, match="drop"):
        network_stability(REAL, 1, drop=1.0)
    with pytest.raises(TypeError, match="n_h"):
        network_stability(REAL, np.float64(2.0))
    assert network_stability(REAL, np.int64(1)).is_minimum  # NumPy integers accepted
    with pytest.raises(ValueError, match="eps"):
        network_stability(REAL, 2).escape_time(0.0)


def test_a_weak_mode_lends_its_unit():
    # no spare unit, two real modes on two units: a weak second mode's unit acts as a spare one for the
    # first (theory guide `theory-network-stability-spare`): w = 1 keeps the aligned solution, w = 0.1 leaves
    # it, at the predicted time (gradient descent later by the factor 1 + lr r/2, see the escape-time test)
    for w, kept in ((1.0, True), (0.1, False)):
        S = np.stack([REAL, w * 0.5 ** K])
        res = network_stability(S, 2)
        data = lt.make_dataset(S, 2, 2, 2 * T, seed=0)
        assert res.is_minimum == kept
        if kept:
            W = res.weights(0.0, data)
            xi = [np.random.default_rng(5).standard_normal(x.shape) for x in W]
            norm = np.sqrt(sum(np.sum(x * x) for x in xi))
            run = _run(data, 2, tuple(x + 1e-4 * e / norm for x, e in zip(W, xi)), 0.02, 200.0)
            assert run.loss.min() >= res.loss * (1 - 1e-12) and abs(run.loss[-1] - res.loss) <= 1e-10 * res.loss
        else:
            assert res.escape_multiplicity == 1
            lr, target = 0.01, (1 - res.escape_drop) * res.loss
            t_pred = res.escape_time(1e-6)
            run = _run(data, 2, res.weights(1e-6, data), lr, 2 * t_pred, stop=target)
            assert _crossing(run, target) == pytest.approx(t_pred * (1 + lr * res.escape_rate / 2), rel=5e-4)


def test_escape_that_stops_at_another_stationary_point():
    # two real modes, one spare unit: the oscillating mode escapes first (rate 0.765 > 0.463), its spare
    # unit fits it exactly, and the flow stops at the loss of the other mode, E*(s) = 0.0741 (fixed_point,
    # an independent number), a 90 % fall; asked for a 95 % drop, the package uses half the fall instead
    S = np.stack([REAL, OSC])
    res = network_stability(S, 3, drop=0.95)
    e_real = float(lt.fixed_point(REAL).energy)
    # the flow is stopped once |grad L| < 1e-3 of its maximum: the loss is then above the plateau by ~1e-6 relative
    assert res.next_loss == pytest.approx(e_real, rel=1e-4)
    assert res.escape_drop == pytest.approx(0.5 * (res.loss - e_real) / res.loss, rel=1e-4)
    data = lt.make_dataset(S, 2, 2, 2 * T, seed=0)
    target, lr, t_pred = (1 - res.escape_drop) * res.loss, 0.005, res.escape_time(1e-6)
    run = _run(data, 3, res.weights(1e-6, data), lr, 2 * t_pred, stop=target)
    assert _crossing(run, target) == pytest.approx(t_pred * (1 + lr * res.escape_rate / 2), rel=5e-4)
    # and gradient descent, run on, settles at that loss: the real mode has no spare unit left
    run = _run(data, 3, res.weights(1e-6, data), 0.02, 60.0)
    assert run.loss[-1] == pytest.approx(e_real, rel=1e-9)



def _flow_loss_grad(theta, s, n_h):
    """Loss ½ Σ_t (s_t - w_y W^{T-t} w_x)² of a one-input, one-output network and its gradient, written out
    here (independent of the package): d/dW of w_y W^k w_x is Σ_j (W^j)ᵀ w_y w_xᵀ (W^{k-1-j})ᵀ."""
    wx, W, wy = theta[:n_h], theta[n_h:n_h + n_h * n_h].reshape(n_h, n_h), theta[n_h + n_h * n_h:]
    T_ = s.size
    P = [np.eye(n_h)]
    for _ in range(T_):
        P.append(W @ P[-1])
    L, gx, gW, gy = 0.0, np.zeros(n_h), np.zeros((n_h, n_h)), np.zeros(n_h)
    for t in range(1, T_ + 1):
        k = T_ - t
        r = s[t - 1] - wy @ P[k] @ wx
        L += 0.5 * r * r
        gx -= r * P[k].T @ wy
        gy -= r * P[k] @ wx
        for j in range(k):
            gW -= r * np.outer(P[j].T @ wy, P[k - 1 - j] @ wx)
    return L, np.concatenate([gx, gW.ravel(), gy])


def test_escape_of_a_geometric_task_with_an_offset():
    """s_t = 0.99^{T-t} + 0.1 (T = 10), two units: network_stability failed with scipy's 'f(a) and f(b) must have
    different signs' (a solve_ivp event whose threshold, the largest gradient so far, moved while its root was
    sought; every T from 5 to 200 failed).  The predicted escape time (a slow one: rate 1.2e-4) matches the
    gradient flow of the written-out loss integrated from the perturbed weights (scipy LSODA, rtol 1e-10)."""
    from scipy.integrate import solve_ivp

    s = 0.99 ** K + 0.1
    res = network_stability(s, 2)
    assert not res.is_minimum and np.isfinite(res.escape_scale)
    theta0 = np.concatenate([w.ravel() for w in res.weights(1e-4)])
    assert _flow_loss_grad(theta0, s, 2)[0] == pytest.approx(res.loss, rel=1e-6)
    target = (1 - res.escape_drop) * res.loss

    def left(_, th):
        return _flow_loss_grad(th, s, 2)[0] - target
    left.terminal = True
    t_pred = res.escape_time(1e-4)
    sol = solve_ivp(lambda _, th: -_flow_loss_grad(th, s, 2)[1], (0.0, 3 * t_pred), theta0, method="LSODA",
                    events=left, rtol=1e-10, atol=1e-14)
    assert sol.t_events[0].size and sol.t_events[0][0] == pytest.approx(t_pred, rel=1e-4)
