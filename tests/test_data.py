"""Datasets of theory guide `theory-dataset-construction` (theory guide `theory-checks` ('Data'))."""
import numpy as np
import pytest

from lrnn_theory import tasks
from lrnn_theory.data import Dataset, make_dataset


def _S():
    return tasks.stack(tasks.inverse_exponential(6, 1.2, 0.7), tasks.constant(6, 0.5), tasks.exponential(6, 0.8, 1.1))


@pytest.mark.parametrize("convention,P", [("normalised", 96), ("sum", 96), ("normalised", 24), ("sum", 200)])
def test_check1_exact_whitening_and_target_correlations(convention, P):
    S = _S()
    d = make_dataset(S, 4, 5, P, seed=3, convention=convention)
    syx, sxx, _ = d.correlations()  # weighted by 1/P (normalised) or 1 (sum)
    eye = np.einsum("tu,mn->tumn", np.eye(6), np.eye(4))
    assert np.max(np.abs(sxx - eye)) < 1e-10
    target = np.einsum("ya,at,xa->tyx", d.U_y, S, d.V_x)
    assert np.max(np.abs(syx - target)) < 1e-10
    assert np.allclose(d.U_y.T @ d.U_y, np.eye(3), atol=1e-14) and np.allclose(d.V_x.T @ d.V_x, np.eye(3), atol=1e-14)


def test_check2_loss_identity_for_arbitrary_targets():
    """Theory guide `theory-loss`: with whitened inputs, the loss equals ½Σ_i‖Σ^{YX_i} - M_i‖² + ½(Σ‖y‖² - Σ_i‖Σ^{YX_i}‖²)."""
    rng = np.random.default_rng(0)
    d = make_dataset(_S(), 4, 5, 64, seed=1, convention="sum")
    Y = rng.normal(size=d.Y.shape)  # arbitrary targets, not linear in the inputs
    W_x, W_h, W_y = rng.normal(size=(3, 4)), 0.5 * rng.normal(size=(3, 3)), rng.normal(size=(5, 3))
    T = d.T
    M = [W_y @ np.linalg.matrix_power(W_h, T - i) @ W_x for i in range(1, T + 1)]
    yhat = np.einsum("tyx,ptx->py", np.array(M), d.X)
    direct = 0.5 * np.sum((Y - yhat) ** 2)
    syx = np.einsum("py,ptx->tyx", Y, d.X)
    identity = 0.5 * sum(np.sum((syx[i] - M[i]) ** 2) for i in range(T)) + 0.5 * (np.sum(Y ** 2) - np.sum(syx ** 2))
    assert identity == pytest.approx(direct, rel=1e-10)


def test_check3_iid_correlation_error_scaling():
    """Theory guide `theory-dataset-construction`: without whitening the correlation error is ≈ sqrt(T N_x Σ s² / P) (within 15 %, 20 draws)."""
    S = _S()
    T, n_x = 6, 4
    for P in (400, 4000):
        errs = []
        for seed in range(20):
            d = make_dataset(S, n_x, 5, P, seed=seed, whiten=False)
            syx, _, _ = d.correlations()
            errs.append(np.sqrt(np.sum((syx - np.einsum("ya,at,xa->tyx", d.U_y, S, d.V_x)) ** 2)))
        predicted = np.sqrt(T * n_x * np.sum(S ** 2) / P)
        assert np.mean(errs) == pytest.approx(predicted, rel=0.15)


def test_targets_are_exactly_linear_so_the_loss_has_no_constant():
    d = make_dataset(_S(), 4, 5, 64, seed=2)
    syx, _, syy = d.correlations()
    assert syy == pytest.approx(np.sum(syx ** 2), rel=1e-12)


def test_minimal_sample_count_P_equals_T_nx():
    d = make_dataset(tasks.constant(5), 3, 2, 15, seed=0)
    _, sxx, _ = d.correlations()
    assert np.max(np.abs(sxx - np.einsum("tu,mn->tumn", np.eye(5), np.eye(3)))) < 1e-10


def test_reproducible_and_seed_dependent():
    a = make_dataset(_S(), 4, 5, 64, seed=7)
    b = make_dataset(_S(), 4, 5, 64, seed=7)
    c = make_dataset(_S(), 4, 5, 64, seed=8)
    assert all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("X", "Y", "U_y", "V_x"))
    assert not np.array_equal(a.X, c.X)


def test_from_arrays_and_shape_properties():
    d = Dataset.from_arrays(np.ones((10, 3, 2)), np.zeros((10, 4)), convention="sum")
    assert (d.n_samples, d.T, d.n_x, d.n_y, d.n_modes, d.weight) == (10, 3, 2, 4, 0, 1.0)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: make_dataset(np.ones((2, 3)), 4, 1, 64, seed=0), ValueError, "modes"),
        (lambda: make_dataset(np.ones((1, 3)), 4, 4, 11, seed=0), ValueError, "n_samples must be >= T"),
        (lambda: make_dataset(np.ones((1, 3)), 4, 4, 64, seed=-1), ValueError, "seed"),
        (lambda: make_dataset(np.ones((1, 3)), 4, 4, 64, seed=0, convention="mean"), ValueError, "convention"),
        (lambda: make_dataset(np.ones((1, 3)), 0, 4, 64, seed=0), ValueError, "n_x"),
        (lambda: make_dataset(np.ones((1, 3)), 4, 4, 64.0, seed=0), TypeError, "n_samples"),
        (lambda: make_dataset(np.full((1, 3), np.nan), 4, 4, 64, seed=0), ValueError, "S must contain only finite"),
        (lambda: make_dataset(np.ones((1, 1, 3)), 4, 4, 64, seed=0), ValueError, "S must have 1 or 2"),
        (lambda: make_dataset(np.ones(3), 4, 4, 64, seed=0, whiten="yes"), TypeError, "whiten"),
        (lambda: Dataset.from_arrays(np.ones((10, 3)), np.ones((10, 2))), ValueError, "X must have 3"),
        (lambda: Dataset.from_arrays(np.ones((10, 3, 1)), np.ones((9, 2))), ValueError, "same number of samples"),
        (lambda: Dataset.from_arrays(np.ones((2, 3, 1)) * np.inf, np.ones((2, 2))), ValueError, "X must contain only finite"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
