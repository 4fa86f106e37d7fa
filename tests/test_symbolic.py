"""The SymPy derivation is the oracle (theory guide `theory-mode-odes`, `theory-every-step-output`, `theory-frozen-io`; Proca et al. (2025), eqs. 5–8, App. M, App. D)."""
import numpy as np
import pytest
import sympy as sp

from lrnn_theory import symbolic


@pytest.mark.parametrize("T", range(1, 8))
def test_derived_odes_equal_the_printed_equations(T):
    """Theory guide `theory-mode-odes`: differentiating E gives the three printed right-hand sides, and the
    double-sum form of ḃ (from theory guide `theory-matrix-flow`) equals the single sum through Σ_r b^r b^{n-1-r} = n b^{n-1}."""
    a, b, c, s = symbolic.symbols(T)
    da, db, dc = symbolic.mode_odes(T)
    r = [s[i - 1] - c * b ** (T - i) * a for i in range(1, T + 1)]
    printed_a = sum(c * b ** (T - i) * r[i - 1] for i in range(1, T + 1))
    printed_b = sum((T - i) * c * a * b ** (T - i - 1) * r[i - 1] for i in range(1, T))
    double_b = sum(c * b ** rr * b ** (T - i - 1 - rr) * a * r[i - 1] for i in range(1, T) for rr in range(T - i))
    printed_c = sum(a * b ** (T - i) * r[i - 1] for i in range(1, T + 1))
    assert sp.expand(da - printed_a) == 0
    assert sp.expand(db - printed_b) == 0
    assert sp.expand(db - double_b) == 0
    assert sp.expand(dc - printed_c) == 0


def test_t1_has_no_recurrent_dynamics():
    assert symbolic.mode_odes(1)[1] == 0


def test_every_step_energy_and_regulariser_sum():
    """Theory guide `theory-every-step-output`: the regulariser's sum Σ_t Σ_{i<=t} b^{2(t-i)} has the closed form printed there (T <= 6)."""
    b = sp.Symbol("b")
    for T in range(1, 7):
        direct = sum(b ** (2 * (t - i)) for t in range(1, T + 1) for i in range(1, t + 1))
        closed = (T * (1 - b ** 2) - b ** 2 * (1 - b ** (2 * T))) / (1 - b ** 2) ** 2
        assert sp.simplify(direct - closed) == 0
    E = symbolic.lambdify_energy(3, "every_step")
    s = np.tril(np.arange(1.0, 10.0).reshape(3, 3))
    a, bb, c = 0.3, 0.7, -0.4
    expected = 0.5 * sum((s[t, i] - c * bb ** (t - i) * a) ** 2 for t in range(3) for i in range(t + 1))
    assert E(a, bb, c, s) == pytest.approx(expected, rel=1e-14)


def test_every_step_zero_loss_needs_geometric_correlations():
    """Theory guide `theory-every-step-output`: zero loss requires s_{t,i} = δ λ^{t-i}."""
    T, d, lam = 4, 1.3, 0.6
    t, i = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    s = np.where(i <= t, d * lam ** (t - i), 0.0)
    E = symbolic.lambdify_energy(T, "every_step")
    assert E(np.sqrt(d), lam, np.sqrt(d), s) == pytest.approx(0.0, abs=1e-28)
    rhs = symbolic.lambdify_odes(T, "every_step")(np.sqrt(d), lam, np.sqrt(d), s)
    assert np.allclose(rhs, 0.0, atol=1e-14)


def test_taylor_coefficients_match_theory():
    """Theory guide `theory-frozen-io`: b⁽³⁾ = (F'² + F''F)F, b⁽⁴⁾ = (F'³ + 4F'F''F + F'''F²)F,
    b⁽⁵⁾ = (F'⁴ + 11F'²F''F + 4F''²F² + 7F'''F'F² + F''''F³)F."""
    F, F1, F2, F3, F4 = sp.symbols("F F1 F2 F3 F4")
    c = symbolic.taylor_coefficients(5)
    assert c[0] == F
    assert sp.expand(c[1] - F1 * F) == 0
    assert sp.expand(c[2] - (F1 ** 2 + F2 * F) * F) == 0
    assert sp.expand(c[3] - (F1 ** 3 + 4 * F1 * F2 * F + F3 * F ** 2) * F) == 0
    assert sp.expand(c[4] - (F1 ** 4 + 11 * F1 ** 2 * F2 * F + 4 * F2 ** 2 * F ** 2 + 7 * F3 * F1 * F ** 2 + F4 * F ** 3) * F) == 0


def test_latex():
    assert "s_{1}" in symbolic.to_latex(symbolic.mode_energy(2))


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: symbolic.mode_energy(0), ValueError, "T"),
        (lambda: symbolic.mode_energy(2.0), TypeError, "T"),
        (lambda: symbolic.mode_odes(3, "sometimes"), ValueError, "variant"),
        (lambda: symbolic.taylor_coefficients(0), ValueError, "order"),
        (lambda: symbolic.lambdify_energy(3)(0.1, 0.2, 0.3, np.ones(4)), ValueError, "s must have T = 3"),
        (lambda: symbolic.lambdify_odes(3, "every_step")(0.1, 0.2, 0.3, np.ones(3)), ValueError, "s must have shape"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
