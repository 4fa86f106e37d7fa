"""Optimiser objects (lrnn_theory.optim) against their closed-form updates."""
import dataclasses

import numpy as np
import pytest

from lrnn_theory.optim import SGD, Adam, NormalisedSGD, check_optimiser


def _run(opt, grad_fn, x0, steps):
    x, state = np.asarray(x0, dtype=float), opt.init(x0)
    for k in range(steps):
        d, state = opt.step(grad_fn(x), state, k)
        x = x + d
    return x


def test_sgd_on_a_quadratic_is_geometric():
    a, lr, x0 = np.array([1.0, 3.0]), 0.2, np.array([1.0, -2.0])
    x = _run(SGD(lr), lambda x: a * x, x0, 25)
    assert np.allclose(x, (1 - lr * a) ** 25 * x0, rtol=1e-13, atol=0)


def test_normalised_sgd_moves_exactly_lr_per_step():
    opt = NormalisedSGD(0.05)
    d, _ = opt.step(np.array([3.0, 4.0]), opt.init(np.zeros(2)), 0)
    assert d == pytest.approx([-0.03, -0.04], rel=1e-15)
    d0, _ = opt.step(np.zeros(2), (), 0)
    assert np.all(d0 == 0)


def test_adam_with_a_constant_gradient_steps_lr_times_sign():
    """Bias correction makes m̂ = g and v̂ = g² at every step, so Δ = -lr·g/(|g| + ε)."""
    opt = Adam(0.01)
    g = np.array([2.0, -0.5, 1e-3])
    x = _run(opt, lambda x: g, np.zeros(3), 40)
    assert np.allclose(x, -40 * 0.01 * g / (np.abs(g) + opt.eps), rtol=1e-12)


def test_adam_state_is_not_shared_between_runs():
    opt = Adam(0.1)
    a = _run(opt, lambda x: 2 * x, np.array([1.0]), 10)
    b = _run(opt, lambda x: 2 * x, np.array([1.0]), 10)
    assert np.array_equal(a, b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.lr = 1.0


@pytest.mark.parametrize("make,arg", [(lambda: SGD(0.0), "lr"), (lambda: SGD(np.nan), "lr"), (lambda: Adam(0.1, beta1=1.0), "beta1"),
                                      (lambda: Adam(0.1, beta2=-0.1), "beta2"), (lambda: Adam(0.1, eps=0), "eps"),
                                      (lambda: NormalisedSGD("0.1"), "lr"), (lambda: check_optimiser("opt", "adam"), "opt"),
                                      (lambda: check_optimiser("opt", 0.1), "opt")])
def test_bad_hyper_parameters(make, arg):
    with pytest.raises((ValueError, TypeError), match=arg):
        make()


def test_cosine_schedule_scales_the_base_update():
    from lrnn_theory.optim import Cosine

    opt = Cosine(SGD(0.1), total_steps=10)
    g = np.array([1.0, -2.0])
    for k, factor in ((0, 1.0), (5, 0.5), (10, 0.0)):
        d, _ = opt.step(g, opt.init(g), k)
        assert np.allclose(d, -0.1 * factor * g, atol=1e-15)
    with pytest.raises(ValueError, match="total_steps"):
        Cosine(SGD(0.1), 0)
    with pytest.raises(ValueError, match="base"):
        Cosine("adam", 10)
