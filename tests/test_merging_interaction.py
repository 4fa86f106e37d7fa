"""Interaction model of two representations (theory guide `merging-interaction`, `merging-fixed-expansion`, `theory-checks-merging`; van Rossem & Saxe (2025)).

Every comparison integrates with ``solve_ivp(rtol=1e-10, atol=1e-12)``.  The global error of
the adaptive integrators over the O(10–100) relaxation times used here is a modest multiple
of the local tolerance, so two independently integrated trajectories (or a trajectory and a
closed form) are required to agree to ``GLOBAL = 100 * RTOL`` relative to the size of the
compared quantity (observed errors are 10–50 times smaller than that bound).
"""
import numpy as np
import pytest

from lrnn_theory.merging.interaction import (
    NINE,
    bernoulli_H,
    fixed_expansion_direct,
    fixed_expansion_flow,
    full_flow,
    full_gradients,
    merger_quantities,
    observables,
    reduced_flow,
)

RTOL, ATOL = 1e-10, 1e-12
GLOBAL = 100 * RTOL
P, K, N = 8, 2, 5  # theory guide `theory-checks-merging`
TAUS = dict(tau_h1=2.0, tau_h2=3.0, tau_y=1.0, tau_ybar=1.0)
TAU_H = 1 / (1 / TAUS["tau_h1"] + 1 / TAUS["tau_h2"])
KAPPA = TAU_H / (N * TAUS["tau_y"])
# (H0, q0) with A_high = H0 - q0/κ of either sign
HIGH_POSITIVE, HIGH_NEGATIVE = (4.0, 0.1), (0.25, 1.0)


def _case(agree: bool, H0: float, q0: float, *, seed: int = 0, anti_aligned: bool = False):
    """A state with D_i(0) = a_i ê ᵀ (rank one, row space span(dh(0))): the theory guide `merging-interaction` ansatz is exact."""
    rng = np.random.default_rng(seed)
    h1 = rng.normal(size=P)
    e = rng.normal(size=P)
    e /= np.linalg.norm(e)
    y1 = rng.normal(size=(N, K))
    y2 = y1.copy() if agree else y1 + rng.normal(size=(N, K))
    a = -(y2 - y1) if anti_aligned else rng.normal(size=(N, K))  # anti-aligned: p(0) < 0, s crosses 0
    a *= np.sqrt(q0 / np.mean(np.sum(a ** 2, axis=-1)))
    D = np.einsum("nk,p->nkp", a, e)
    return dict(h1=h1, h2=h1 + np.sqrt(H0) * e, D=D, ybar=rng.normal(size=(N, K)), y1=y1, y2=y2)


def _reduced_inputs(st):
    o = observables(st["h1"], st["h2"], st["D"], st["y1"], st["y2"])
    delta2 = float(np.mean(np.sum((st["y2"] - st["y1"]) ** 2, axis=-1)))
    return o, delta2


def _max_err(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def test_full_gradients_equal_central_finite_differences_of_the_loss():
    """Theory guide `merging-interaction` exact gradients vs central differences (generic, not rank-one, D)."""
    st = _case(False, *HIGH_POSITIVE)
    rng = np.random.default_rng(5)
    st["D"] = st["D"] + 0.3 * rng.normal(size=st["D"].shape)
    g = full_gradients(**st)
    eps = 1e-6  # central differences: truncation O(eps²) ≈ 1e-12, round-off O(1e-16/eps) ≈ 1e-10
    for name in ("h1", "h2", "D", "ybar"):
        arr, grad = st[name], getattr(g, name)
        for flat in range(arr.size):
            idx = np.unravel_index(flat, arr.shape)
            old = arr[idx]
            arr[idx] = old + eps
            up = full_gradients(**st).loss
            arr[idx] = old - eps
            down = full_gradients(**st).loss
            arr[idx] = old
            assert grad[idx] == pytest.approx((up - down) / (2 * eps), abs=1e-9)
    assert g.loss > 0


CASES = {
    "agree, A_high > 0": (True, HIGH_POSITIVE, False),
    "agree, A_high < 0": (True, HIGH_NEGATIVE, False),
    "disagree, A_high > 0": (False, HIGH_POSITIVE, False),
    "disagree, A_high < 0": (False, HIGH_NEGATIVE, False),
    "disagree, A_high < 0, s crosses 0": (False, HIGH_NEGATIVE, True),
}


# the (H, Y, W) form is singular where s = 0 (theory guide `merging-interaction`, "Regular coordinates"): crossing case in (s, q, p) only
@pytest.mark.parametrize("case,coordinates", [(c, k) for c in sorted(CASES) for k in ("spq", "HYW")
                                              if not (CASES[c][2] and k == "HYW")])
def test_a8_2_reduced_system_equals_the_full_flow_under_the_rank_one_ansatz(case, coordinates):
    agree, (H0, q0), crossing = CASES[case]
    st = _case(agree, H0, q0, anti_aligned=crossing)
    o, delta2 = _reduced_inputs(st)
    mq = merger_quantities(o.H, o.Y, delta2, N=N, tau_h=TAU_H, tau_y=TAUS["tau_y"])
    assert np.sign(mq.A_high) == (1.0 if (H0, q0) == HIGH_POSITIVE else -1.0)
    t = np.linspace(0.0, 40.0, 161)
    full = full_flow(**st, t=t, **TAUS, rtol=RTOL, atol=ATOL)
    red = reduced_flow(o.H, o.Y, o.W, delta2, t, N=N, tau_h=TAU_H, tau_y=TAUS["tau_y"], coordinates=coordinates,
                       rtol=RTOL, atol=ATOL)
    assert full.status == 0 and red.status == 0, (full.message, red.message)
    scale = np.max(np.abs(np.concatenate([full.H, full.Y, full.W])))
    for name in ("H", "Y", "W"):
        assert _max_err(getattr(red, name), getattr(full, name)) < GLOBAL * scale, name
    if crossing:  # the two representations pass through each other along the line
        dh = full.h2 - full.h1
        assert red.s.min() < 0 < red.s[0] and np.min(dh @ dh[0]) < 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_a8_3_invariant_is_conserved_along_the_full_flow(case):
    agree, (H0, q0), crossing = CASES[case]
    st = _case(agree, H0, q0, anti_aligned=crossing)
    o, delta2 = _reduced_inputs(st)
    full = full_flow(**st, t=np.linspace(0.0, 40.0, 161), **TAUS, rtol=RTOL, atol=ATOL)
    alive = full.H > 1e-2 * min(o.H, 1.0)  # Y/H is a ratio of two small numbers where H vanishes
    inv0 = merger_quantities(o.H, o.Y, delta2, N=N, tau_h=TAU_H, tau_y=TAUS["tau_y"]).invariant
    assert inv0 == pytest.approx(o.q - KAPPA * o.H, rel=1e-14)
    assert _max_err(full.invariant[alive], inv0) < 1e-10 * (1 + abs(inv0))  # theory guide `theory-checks-merging`: drift < 1e-10


def test_invariant_for_generic_readouts_is_the_frobenius_balance():
    """Generic D(0): Y/H - κH drifts, but ⟨‖D_i‖_F²⟩ - κH is conserved (follows from the gradients of theory guide `merging-interaction`)."""
    st = _case(False, *HIGH_POSITIVE)
    st["D"] = np.random.default_rng(7).normal(size=st["D"].shape) * 0.3
    full = full_flow(**st, t=np.linspace(0.0, 40.0, 81), **TAUS, rtol=RTOL, atol=ATOL)
    balance = np.mean(np.sum(full.D ** 2, axis=(-2, -1)), axis=-1) - KAPPA * full.H
    assert np.ptp(balance) < 1e-10 * (1 + abs(balance[0]))
    assert np.ptp(full.invariant) > 1e-3


@pytest.mark.parametrize("agree,point", [(True, HIGH_POSITIVE), (True, HIGH_NEGATIVE), (False, HIGH_POSITIVE),
                                         (False, HIGH_NEGATIVE)])
def test_a8_4_long_time_distance_is_H_inf(agree, point):
    st = _case(agree, *point, seed=1)
    o, delta2 = _reduced_inputs(st)
    mq = merger_quantities(o.H, o.Y, delta2, N=N, tau_h=TAU_H, tau_y=TAUS["tau_y"])
    red = reduced_flow(o.H, o.Y, o.W, delta2, [0.0, 1000.0, 2000.0], N=N, tau_h=TAU_H, tau_y=TAUS["tau_y"],
                       rtol=RTOL, atol=ATOL)
    full = full_flow(**st, t=[0.0, 400.0], **TAUS, rtol=RTOL, atol=ATOL)
    assert red.H[-1] == pytest.approx(mq.H_inf, rel=GLOBAL, abs=ATOL)
    assert full.H[-1] == pytest.approx(mq.H_inf, rel=GLOBAL, abs=1e-9)
    assert red.Y[-1] == pytest.approx(delta2, rel=GLOBAL, abs=ATOL) and abs(red.W[-1]) < 10 * ATOL + GLOBAL * delta2
    assert mq.H_inf ** 2 - mq.A_high * mq.H_inf - mq.A_low ** 2 == pytest.approx(0.0, abs=1e-14 * (1 + mq.H_inf ** 2))
    if agree and mq.A_high > 0:
        assert mq.H_inf == pytest.approx(mq.A_high, rel=1e-15) and not mq.merges
    elif agree:
        assert mq.H_inf == 0.0 and mq.merges and red.H[-1] < 1e-20
    else:
        assert mq.H_inf > 0 and not mq.merges


def test_merger_condition_values():
    """Hand-computed theory guide `merging-interaction` values: κ = τ_h/(Nτ_y), A_high = H0 - Y0/(κH0), A_low = sqrt(δ²/κ)."""
    mq = merger_quantities(2.0, 1.0, 0.5, N=2, tau_h=1.0, tau_y=1.0)  # κ = 1/2
    assert (mq.kappa, mq.A_high, mq.A_low, mq.invariant) == pytest.approx((0.5, 1.0, 1.0, -0.5), rel=1e-15)
    assert mq.H_inf == pytest.approx(0.5 + np.sqrt(1.25), rel=1e-15)
    boundary = merger_quantities(1.0, 1.0, 0.0)  # A_high = 0: merges (algebraically)
    assert boundary.A_high == 0.0 and boundary.merges and boundary.H_inf == 0.0
    tiny = merger_quantities(1.0, 3.0, 1e-20)  # A_high = -2, no cancellation in H_inf ≈ A_low²/|A_high|
    assert tiny.H_inf == pytest.approx(1e-20 / 2.0, rel=1e-12) and not tiny.merges


@pytest.mark.parametrize("point", [HIGH_POSITIVE, HIGH_NEGATIVE], ids=["A_high>0", "A_high<0"])
def test_a8_5_bernoulli_solution_equals_the_integrated_distance(point):
    st = _case(True, *point, seed=2)
    o, delta2 = _reduced_inputs(st)
    assert delta2 == 0.0
    mq = merger_quantities(o.H, o.Y, 0.0, N=N, tau_h=TAU_H, tau_y=TAUS["tau_y"])
    t = np.linspace(0.0, 60.0, 121)
    closed = bernoulli_H(t, o.H, mq.A_high, N=N, tau_y=TAUS["tau_y"])
    full = full_flow(**st, t=t, **TAUS, rtol=RTOL, atol=ATOL)
    red = reduced_flow(o.H, o.Y, o.W, 0.0, t, N=N, tau_h=TAU_H, tau_y=TAUS["tau_y"], rtol=RTOL, atol=ATOL)
    assert _max_err(closed, full.H) < GLOBAL * o.H
    assert _max_err(closed, red.H) < GLOBAL * o.H
    assert np.all(np.diff(closed) * np.sign(mq.A_high - o.H) > 0)  # monotone towards max(A_high, 0)


def test_a8_5_bernoulli_solution_at_A_high_zero_is_algebraic():
    H0, n, tau_y = 0.5, 2, 1.0
    kappa = 1.0 / (n * tau_y)
    Y0 = kappa * H0 ** 2  # A_high = H0 - Y0/(κH0) = 0
    mq = merger_quantities(H0, Y0, 0.0, N=n, tau_h=1.0, tau_y=tau_y)
    assert mq.A_high == 0.0 and mq.merges
    t = np.linspace(0.0, 200.0, 101)
    algebraic = H0 / (1 + H0 * t / (2 * n * tau_y))
    red = reduced_flow(H0, Y0, Y0, 0.0, t, N=n, tau_h=1.0, tau_y=tau_y, rtol=RTOL, atol=ATOL)
    assert _max_err(bernoulli_H(t, H0, 0.0, N=n, tau_y=tau_y), algebraic) < 1e-15
    assert _max_err(red.H, algebraic) < GLOBAL * H0
    # continuous through A_high = 0: the difference is O(A_high t)
    assert _max_err(bernoulli_H(t, H0, 1e-12, N=n, tau_y=tau_y), algebraic) < 1e-12


def test_a8_6_nine_variable_closure_equals_the_direct_vector_flow():
    rng = np.random.default_rng(3)
    n, k = 4, 2
    h0 = np.array([0.4, -0.2])
    b, u = 0.3 * rng.normal(size=(n, k)), 0.3 * rng.normal(size=(n, k))
    ys = rng.normal(size=(2, n, k))
    t = np.linspace(0.0, 400.0, 201)
    rates = dict(eta_h1=0.05, eta_h2=0.2, eta_b=0.03, eta_y=0.04)
    direct = fixed_expansion_direct(h0, b, u, ys, t, **rates, rtol=RTOL, atol=ATOL)
    c = np.einsum("ank,bnk->ab", ys, ys) / n
    closed = fixed_expansion_flow({name: getattr(direct, name)[0] for name in NINE}, c, t, N=n, **rates,
                                  rtol=RTOL, atol=ATOL)
    assert direct.status == 0 and closed.status == 0
    # The loss is invariant under (h_1, h_2, u) -> (c h_1, c h_2, u/c): the minima form a continuum and
    # integration errors along it are not damped but accumulate over the run, so the direct flow's
    # global error here is 3e-8 = 300 RTOL (measured against rtol=1e-13); allow 1000 RTOL.
    for name in NINE + ("loss",):
        ref = getattr(direct, name)
        assert _max_err(getattr(closed, name), ref) < 10 * GLOBAL * (1 + np.max(np.abs(ref))), name
    assert np.all(np.diff(direct.loss) <= ATOL)  # gradient flow: the loss never increases


def _reference(m1, m2, agree, G=0.3, lr=0.02, t_end=3000.0):
    """Theory guide `merging-fixed-expansion` reference settings: h_α(0) = ±G^{m_α}, B = Q = G², N = K = 1, η_{h_α} = lr m_α, η_y = lr, η_b = lr/4."""
    y2 = 1.0 if agree else -1.0
    z0 = dict(h1=G ** m1, h2=-G ** m2, beta_D=0.0, beta_1=0.0, beta_2=0.0, B=G ** 2, Q=G ** 2, g_1=0.0, g_2=0.0)
    return fixed_expansion_flow(z0, [[1.0, y2], [y2, 1.0]], np.linspace(0.0, t_end, int(t_end) + 1), N=1,
                                eta_h1=lr * m1, eta_h2=lr * m2, eta_b=lr / 4, eta_y=lr, rtol=RTOL, atol=ATOL)


def test_a8_7_diverge_then_merge_for_unequal_rates():
    far = _reference(1, 10, agree=True)
    d = far.distance2
    assert d[0] == pytest.approx(0.09, rel=1e-4)  # (0.3 + 0.3^10)²
    assert d.max() == pytest.approx(0.33, abs=0.005) and 110 <= far.t[np.argmax(d)] <= 130  # theory guide `theory-checks-merging`: ≈0.33 at t≈120
    assert d[-1] < 1e-15
    assert _max_err(far.g_1, far.g_2) < 1e-13  # agreeing, no initial correlations: g_1 ≡ g_2 (theory guide `merging-fixed-expansion`), up to round-off


def test_a8_7_equal_lengths_merge_monotonically():
    d = _reference(3, 3, agree=True).distance2
    assert np.all(np.diff(d) < ATOL) and d[-1] < 1e-6 * d[0]


def test_a8_7_disagreeing_pair_grows_and_stays_apart():
    far = _reference(1, 10, agree=False, t_end=10000.0)
    d = far.distance2
    assert d.max() == pytest.approx(4.3, abs=0.05)  # theory guide `theory-checks-merging`: rises to ≈4.3
    assert d[-1] == pytest.approx(d.max(), rel=1e-4) and far.loss[-1] < 1e-8


def _ones(*shape):
    return np.ones(shape)


GOOD = dict(h1=_ones(2), h2=_ones(2), D=_ones(1, 1, 2), ybar=_ones(1, 1), y1=_ones(1, 1), y2=_ones(1, 1))
T01 = [0.0, 1.0]


@pytest.mark.parametrize("call,exc,name", [
    (lambda: full_gradients(**{**GOOD, "h2": _ones(3)}), ValueError, "h2"),
    (lambda: full_gradients(**{**GOOD, "y2": "a"}), TypeError, "y2"),
    (lambda: full_gradients(**{**GOOD, "D": _ones(1, 2)}), ValueError, "D"),
    (lambda: full_gradients(**{**GOOD, "y2": _ones(2, 1)}), ValueError, "y1 and y2"),
    (lambda: observables(_ones(2), _ones(3), _ones(1, 1, 2), _ones(1, 1), _ones(1, 1)), ValueError, "h1 and h2"),
    (lambda: observables(_ones(2), _ones(2), _ones(1, 1, 3), _ones(1, 1), _ones(1, 1)), ValueError, "D"),
    (lambda: full_flow(**GOOD, t=T01, tau_y=0.0), ValueError, "tau_y"),
    (lambda: full_flow(**GOOD, t=T01, tau_h1=np.nan), ValueError, "tau_h1"),
    (lambda: full_flow(**GOOD, t=[1.0, 0.0]), ValueError, "t"),
    (lambda: full_flow(**{**GOOD, "ybar": [[np.inf]]}, t=T01), ValueError, "ybar"),
    (lambda: full_flow(**GOOD, t=T01, rtol=-1.0), ValueError, "rtol"),
    (lambda: reduced_flow(0.0, 1.0, 1.0, 0.0, T01), ValueError, "H0"),
    (lambda: reduced_flow(1.0, -1.0, 0.0, 0.0, T01), ValueError, "Y0"),
    (lambda: reduced_flow(1.0, 1.0, "w", 0.0, T01), TypeError, "W0"),
    (lambda: reduced_flow(1.0, 1.0, 0.5, 0.0, T01), ValueError, "W0"),
    (lambda: reduced_flow(1.0, 1.0, 1.0, -0.1, T01), ValueError, "delta2"),
    (lambda: reduced_flow(1.0, 1.0, 1.0, 0.0, T01, N=1.5), TypeError, "N"),
    (lambda: reduced_flow(1.0, 1.0, 1.0, 0.0, T01, coordinates="xyz"), ValueError, "coordinates"),
    (lambda: reduced_flow(1.0, 1.0, 1.0, 0.0, T01, atol=0.0), ValueError, "atol"),
    (lambda: merger_quantities(1.0, 1.0, 0.0, N=0), ValueError, "N"),
    (lambda: merger_quantities(1.0, 1.0, 0.0, tau_h=-1.0), ValueError, "tau_h"),
    (lambda: bernoulli_H([0.0], 0.0, 1.0), ValueError, "H0"),
    (lambda: bernoulli_H([0.0], 1.0, np.nan), ValueError, "A_high"),
    (lambda: bernoulli_H("t", 1.0, 1.0), TypeError, "t"),
    (lambda: fixed_expansion_flow(np.zeros(8), np.eye(2), T01), ValueError, "state0"),
    (lambda: fixed_expansion_flow({"h1": 0.0}, np.eye(2), T01), ValueError, "state0"),
    (lambda: fixed_expansion_flow(np.zeros(9), np.eye(3), T01), ValueError, "c"),
    (lambda: fixed_expansion_flow(np.zeros(9), np.eye(2), T01, N=0), ValueError, "N"),
    (lambda: fixed_expansion_flow(np.zeros(9), np.eye(2), T01, eta_b=-1.0), ValueError, "eta_b"),
    (lambda: fixed_expansion_direct(np.ones(3), _ones(1, 1), _ones(1, 1), _ones(2, 1, 1), T01), ValueError, "h0"),
    (lambda: fixed_expansion_direct(np.ones(2), _ones(1, 1), _ones(1, 2), _ones(2, 1, 1), T01), ValueError, "u"),
    (lambda: fixed_expansion_direct(np.ones(2), _ones(1, 1), _ones(1, 1), _ones(2, 1), T01), ValueError, "y_star"),
    (lambda: fixed_expansion_direct(np.ones(2), _ones(1, 1), _ones(1, 1), _ones(2, 1, 1), T01, eta_y=True), TypeError,
     "eta_y"),
])
def test_bad_input_raises_an_error_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=name):
        call()
