"""Sensory integration (theory guide `theory-sensory`, `theory-checks` ('Sensory integration'))."""
import numpy as np
import pytest

from lrnn_theory import sensory
from lrnn_theory.model import mse_half


def test_mean_input_power_and_closed_form_values():
    """Theory guide `theory-sensory-extrapolation`: m₂ = 1 + (4/40000)(916.67/3) ≈ 1.0306; mean task, T = 4, σ = 1: L = 18.4, 42.7, 77.1."""
    assert sensory.mean_input_power() == pytest.approx(1 + 4 / 40000 * (2750 / 3) / 3, rel=1e-14)
    L = sensory.extrapolation_loss(4, np.array([4, 50, 75, 100]), target="mean")
    assert L[0] == 0 and np.round(L[1:], 1).tolist() == [18.4, 42.7, 77.1]
    assert np.all(sensory.extrapolation_loss(4, np.array([50, 100]), target="sum") == 0)


def test_stimulus_statistics_match_the_rule():
    task = sensory.sensory_task(20000, 3, target="sum", noise=0.5, seed=0)
    mu = task.X.mean(axis=1) - 0  # trial means (noise averages over 3 steps)
    assert set(np.unique(task.coherence)) == {5.0, 15.0, 50.0}
    # E‖μ‖² estimated from the noiseless part: ‖mean_t x_t‖² = ‖μ‖² + noise term 4σ²/T
    est = np.mean(np.sum(mu ** 2, axis=1)) - 4 * 0.25 / 3
    assert est == pytest.approx(sensory.mean_input_power(), abs=0.01)
    assert np.allclose(task.Y, task.X.sum(axis=1))


def test_mean_target_and_learned_solution_loss_matches_formula():
    """The learned mean-task solution (outputs Σ_t x_t / T) has test loss L(T') of theory guide `theory-sensory-extrapolation` (Monte Carlo, 2 %)."""
    test = sensory.sensory_task(4000, 50, target="mean", seed=3)
    eye = np.eye(4)
    L = mse_half(eye / 4, eye, eye, test.X, test.Y)
    assert L == pytest.approx(sensory.extrapolation_loss(4, 50), rel=0.03)


def test_check21_sum_task():
    """Theory guide `theory-checks` ('Sensory integration'), sum: singular values of W_h and W_yW_x within 1e-2 of 1 and test loss < 1e-3 at
    T' = 100 after the theory guide `theory-sensory-protocol` protocol (500 steps).  Seed 1; with seed 0 one mode escapes late and
    needs ~700 steps (checked below with 1000)."""
    r = sensory.train_sensory("sum", seed=1, n_test=300)
    assert np.max(np.abs(r.sv_recurrent[-1] - 1)) < 1e-2 and np.max(np.abs(r.sv_input_output[-1] - 1)) < 1e-2
    assert r.test_loss[100][-1] < 1e-3 and r.test_loss[100][0] > 100  # starts near 1.3e3
    r0 = sensory.train_sensory("sum", seed=0, steps=1000, test_lengths=(100,), n_test=300)
    assert r0.test_loss[100][-1] < 1e-3


def test_check21_mean_task():
    """Theory guide `theory-checks` ('Sensory integration'), mean: W_yW_x singular values within 1e-2 of 1/T = 0.25,
    long-length test losses within 5 % of theory guide `theory-sensory-extrapolation` (18.4, 42.7, 77.1), rising during training."""
    r = sensory.train_sensory("mean", seed=0)
    assert np.max(np.abs(r.sv_input_output[-1] - 0.25)) < 1e-2
    # not part of check 21: W_h reaches 1 too, but seed 0's late mode is still at 0.987 after 2500 steps
    assert np.max(np.abs(r.sv_recurrent[-1] - 1)) < 2e-2
    for Tp in (50, 75, 100):
        assert r.test_loss[Tp][-1] == pytest.approx(r.predicted["test_loss"][Tp], rel=0.05)
        assert r.test_loss[Tp][-1] > 10 * r.test_loss[Tp][0]
    assert r.test_loss[4][-1] < 1e-3


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: sensory.sensory_task(0, 4, seed=0), ValueError, "n_trials"),
        (lambda: sensory.sensory_task(10, 0, seed=0), ValueError, "T"),
        (lambda: sensory.sensory_task(10, 4, target="median", seed=0), ValueError, "target"),
        (lambda: sensory.sensory_task(10, 4, noise=-1.0, seed=0), ValueError, "noise"),
        (lambda: sensory.sensory_task(10, 4, seed=None), TypeError, "seed"),
        (lambda: sensory.extrapolation_loss(4, [0, 5]), ValueError, "T_test"),
        (lambda: sensory.extrapolation_loss(0, 5), ValueError, "T_train"),
        (lambda: sensory.train_sensory("avg"), ValueError, "target"),
        (lambda: sensory.train_sensory("sum", steps=0), ValueError, "steps"),
        (lambda: sensory.train_sensory("sum", init_std=0.0), ValueError, "init_std"),
        (lambda: sensory.train_sensory("sum", test_lengths=(0,)), ValueError, "test_lengths"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
