"""Loss/time conventions of theory guide `theory-conventions` (the GD-vs-ODE calibration itself is in test_sim)."""
import numpy as np
import pytest

from lrnn_theory import conventions


def test_tau_is_inverse_learning_rate_for_half_losses():
    assert conventions.tau(0.02) == 50.0


def test_mse_timescale():
    """Per-element MSE without ½ (divide by P N_y) has τ = N_y / (2η)."""
    assert conventions.tau(0.01, loss="mse", n_y=4) == pytest.approx(200.0, rel=1e-15)


def test_ode_time_counts_steps_times_lr():
    assert np.allclose(conventions.ode_time(np.arange(5), 0.1), 0.1 * np.arange(5), rtol=1e-15)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: conventions.tau(0.0), ValueError, "lr"),
        (lambda: conventions.tau(-1.0), ValueError, "lr"),
        (lambda: conventions.tau("0.1"), TypeError, "lr"),
        (lambda: conventions.tau(0.1, loss="l1"), ValueError, "loss"),
        (lambda: conventions.tau(0.1, loss="mse"), ValueError, "n_y"),
        (lambda: conventions.ode_time([-1], 0.1), ValueError, "steps"),
        (lambda: conventions.ode_time([np.nan], 0.1), ValueError, "steps"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
