"""Interaction model of two representations (THEORY-EXTENSIONS A.4–A.5; A.8 checks 2–7)."""
import numpy as np
import pytest

from lrnn_theory.merging.interaction import (
    bernoulli_H, fixed_expansion_direct, fixed_expansion_flow, full_flow, full_gradients, merger_quantities, observables,
    reduced_flow,
)

P, K, N = 8, 2, 5
TAU_H = 1 / (1 / 2 + 1 / 3)  # τ_h1 = 2, τ_h2 = 3


def _aligned_case(agree: bool, high_positive: bool, seed=0):
    rng = np.random.default_rng(seed)
    h1 = rng.normal(size=P)
    dh = rng.normal(size=P)
    dh *= (4.0 if high_positive else 0.5) / np.linalg.norm(dh)
    u = rng.normal(size=(N, K)) * (0.3 if high_positive else 1.0)
    D = np.einsum("nk,p->nkp", u, dh) / (dh @ dh)  # rank one, row space span(dh(0)): the ansatz is exact
    y1 = rng.normal(size=(N, K))
    y2 = y1.copy() if agree else y1 + rng.normal(size=(N, K))
    return h1, h1 + dh, D, rng.normal(size=(N, K)), y1, y2


def test_full_gradients_are_the_finite_differences_of_the_loss():
    h1, h2, D, yb, y1, y2 = _aligned_case(False, True)
    D = D + 0.1 * np.random.default_rng(5).normal(size=D.shape)  # generic D
    g1, g2, gD, gy, _ = full_gradients(h1, h2, D, yb, y1, y2)
    eps = 1e-6
    for arr, g in ((h1, g1), (h2, g2), (D, gD), (yb, gy)):
        for idx in [tuple(np.unravel_index(k, arr.shape)) for k in (0, arr.size // 2, arr.size - 1)]:
            old = arr[idx]
            arr[idx] = old + eps
            lp = full_gradients(h1, h2, D, yb, y1, y2)[4]
            arr[idx] = old - eps
            lm = full_gradients(h1, h2, D, yb, y1, y2)[4]
            arr[idx] = old
            assert g[idx] == pytest.approx((lp - lm) / (2 * eps), rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("agree", [True, False])
@pytest.mark.parametrize("high_positive", [True, False])
def test_a8_2_and_3_reduced_system_and_invariant_along_the_full_flow(agree, high_positive):
    h1, h2, D, yb, y1, y2 = _aligned_case(agree, high_positive)
    t = np.linspace(0.0, 20.0, 81)
    full = full_flow(h1, h2, D, yb, y1, y2, t, tau_h1=2.0, tau_h2=3.0, tau_y=1.0, tau_ybar=1.0, rtol=1e-11, atol=1e-13)
    o = observables(h1, h2, D, y1, y2)
    delta2 = float(np.mean(np.sum((y2 - y1) ** 2, axis=-1)))
    mq = merger_quantities(o["H"], o["Y"], delta2, N=N, tau_h=TAU_H, tau_y=1.0)
    assert (mq.A_high > 0) == high_positive
    for coords in ("spq", "HYW"):
        red = reduced_flow(o["H"], o["Y"], o["W"], delta2, t, N=N, tau_h=TAU_H, tau_y=1.0, coordinates=coords)
        scale = 1 + np.max(np.abs(full.Y))
        # integrator tolerance 1e-11 relative on O(10) quantities
        for a, b in ((red.H, full.H), (red.Y, full.Y), (red.W, full.W)):
            assert np.max(np.abs(a - b)) < 1e-8 * scale
    alive = full.H > 1e-3
    inv = full.Y[alive] / full.H[alive] - mq.kappa * full.H[alive]
    assert np.ptp(inv) < 1e-10 * (1 + abs(inv[0]))


@pytest.mark.parametrize("agree,high_positive,expect", [(True, True, "A_high"), (True, False, "zero"), (False, True, "root"),
                                                        (False, False, "root")])
def test_a8_4_long_time_distance_is_H_inf(agree, high_positive, expect):
    h1, h2, D, yb, y1, y2 = _aligned_case(agree, high_positive, seed=1)
    o = observables(h1, h2, D, y1, y2)
    delta2 = float(np.mean(np.sum((y2 - y1) ** 2, axis=-1)))
    mq = merger_quantities(o["H"], o["Y"], delta2, N=N, tau_h=TAU_H, tau_y=1.0)
    red = reduced_flow(o["H"], o["Y"], o["W"], delta2, np.linspace(0, 4000, 5), N=N, tau_h=TAU_H, tau_y=1.0)
    assert red.H[-1] == pytest.approx(mq.H_inf, abs=1e-7)
    if expect == "A_high":
        assert mq.H_inf == pytest.approx(mq.A_high) and not mq.merges
    elif expect == "zero":
        assert mq.H_inf == 0.0 and mq.merges
    else:
        assert mq.H_inf == pytest.approx(0.5 * mq.A_high + np.sqrt(0.25 * mq.A_high ** 2 + mq.A_low ** 2)) and mq.H_inf > 0
    assert red.Y[-1] == pytest.approx(delta2, abs=1e-6) and red.W[-1] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("high_positive", [True, False])
def test_a8_5_bernoulli_solution_of_agreeing_pairs(high_positive):
    h1, h2, D, yb, y1, y2 = _aligned_case(True, high_positive, seed=2)
    o = observables(h1, h2, D, y1, y2)
    mq = merger_quantities(o["H"], o["Y"], 0.0, N=N, tau_h=TAU_H, tau_y=1.0)
    t = np.linspace(0.0, 60.0, 121)
    red = reduced_flow(o["H"], o["Y"], o["W"], 0.0, t, N=N, tau_h=TAU_H, tau_y=1.0)
    assert np.max(np.abs(red.H - bernoulli_H(t, o["H"], mq.A_high, N=N, tau_y=1.0))) < 1e-9
    # A_high = 0: algebraic decay H0/(1 + H0 t/(2N τ_y))
    assert bernoulli_H(np.array([2.0]), 1.0, 0.0, N=2)[0] == pytest.approx(1 / (1 + 2 / 4))


def test_a8_6_nine_variable_closure_equals_the_direct_flow():
    rng = np.random.default_rng(3)
    n, k = 4, 2
    h0 = np.array([0.4, -0.2])
    b, u = 0.3 * rng.normal(size=(n, k)), 0.3 * rng.normal(size=(n, k))
    ys = rng.normal(size=(2, n, k))
    t = np.linspace(0, 400, 201)
    rates = dict(eta_h1=0.05, eta_h2=0.2, eta_b=0.03, eta_y=0.04)
    direct = fixed_expansion_direct(h0, b, u, ys, t, **rates)
    c = np.array([[np.mean(np.sum(ys[a] * ys[c_], -1)) for c_ in range(2)] for a in range(2)])
    z0 = {k_: getattr(direct, k_)[0] for k_ in ("h1", "h2", "beta_D", "beta_1", "beta_2", "B", "Q", "g_1", "g_2")}
    closed = fixed_expansion_flow(z0, c, t, N=n, **rates)
    for name in z0:
        assert np.max(np.abs(getattr(closed, name) - getattr(direct, name))) < 1e-8
    assert np.max(np.abs(closed.loss - direct.loss)) < 1e-8
    assert np.all(np.diff(direct.loss) <= 1e-12)  # gradient flow


def test_a8_7_diverge_then_merge():
    G = 0.3

    def run(m1, m2, y2):
        z0 = dict(h1=G ** m1, h2=-G ** m2, beta_D=0, beta_1=0, beta_2=0, B=G ** 2, Q=G ** 2, g_1=0, g_2=0)
        return fixed_expansion_flow(z0, [[1.0, y2], [y2, 1.0]], np.linspace(0, 3000, 3001), N=1, eta_h1=0.02 * m1,
                                    eta_h2=0.02 * m2, eta_b=0.005, eta_y=0.02)

    agree_far = run(1, 10, 1.0)
    d = agree_far.distance2
    assert d[0] == pytest.approx(0.09, rel=1e-3) and d.max() == pytest.approx(0.33, abs=0.01)
    assert 100 <= agree_far.t[np.argmax(d)] <= 140 and d[-1] < 1e-6
    same = run(3, 3, 1.0).distance2
    assert np.all(np.diff(same) <= 1e-15)  # equal rates: monotone decrease
    dis = run(1, 10, -1.0).distance2
    assert dis.max() == pytest.approx(4.3, abs=0.1) and dis[-1] > 0.99 * dis.max()


@pytest.mark.parametrize("call,match", [
    (lambda: merger_quantities(-1.0, 1.0, 0.0), "H0"), (lambda: merger_quantities(1.0, 1.0, -0.1), "delta2"),
    (lambda: reduced_flow(1.0, 1.0, 0.0, 0.0, [0, 1], coordinates="xyz"), "coordinates"),
    (lambda: reduced_flow(1.0, 1.0, 0.0, 0.0, [1, 0]), "t"), (lambda: bernoulli_H([0.0], 0.0, 1.0), "H0"),
    (lambda: fixed_expansion_flow(np.zeros(8), np.eye(2), [0, 1]), "state0"),
    (lambda: fixed_expansion_flow(np.zeros(9), np.eye(3), [0, 1]), "c"),
    (lambda: fixed_expansion_flow(np.zeros(9), np.eye(2), [0, 1], eta_b=-1.0), "eta_b"),
    (lambda: full_flow(np.ones(2), np.ones(3), np.ones((1, 1, 2)), np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)), [0, 1]), "shapes"),
    (lambda: full_flow(np.ones(2), np.ones(2), np.ones((1, 1, 2)), np.ones((1, 1)), np.ones((1, 1)), np.ones((2, 1)), [0, 1]), "y1"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
