"""Theory vs simulation comparison (lrnn_theory.sim.compare; theory guide `own-data-verdict`).

Independent sources: the run's own recorded loss and the mode energies of integrate_modes (the
loss errors are recomputed here from them), the first-order Euler error of gradient descent
(halving lr halves the error), and the issue 23 §6 documented import paths.
"""
import json

import numpy as np
import pytest

import lrnn_theory as lt


def _setup(lr=0.02, steps=400, record_every=25):
    data = lt.make_dataset(np.stack([lt.tasks.inverse_exponential(3, 1.0, 0.5), lt.tasks.constant(3, 0.4)]),
                           2, 2, 6, seed=0)
    run = lt.simulate_gd(data, 2, lr=lr, steps=steps, scale=0.3, record_every=record_every)
    return data, run


def test_documented_paths_resolve():
    """Issue 23 §6: lt.sim.compare.Comparison raised AttributeError (the function shadowed the module)."""
    assert lt.sim.compare.Comparison is lt.sim.Comparison and lt.sim.compare.compare is lt.sim.compare is lt.compare
    from lrnn_theory.sim.compare import Comparison, compare

    assert Comparison is lt.sim.Comparison and compare is lt.compare


def test_loss_errors_and_flags_match_a_direct_computation():
    data, run = _setup()
    th = lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time)
    c = lt.compare(th, run)
    L_th = th.energy.sum(0)
    L_gd = np.maximum(run.loss, 0.0)
    d = np.abs(L_th - L_gd)
    assert np.allclose(c.loss_theory, L_th, rtol=0, atol=1e-15) and np.allclose(c.loss_simulation, L_gd)
    assert c.loss_error == pytest.approx(d.max() / L_gd[0], rel=1e-12)
    assert c.loss_error_step == pytest.approx(np.max(d / np.maximum(L_gd, 1e-3 * L_gd[0])), rel=1e-12)
    assert c.final_loss_error_step == pytest.approx(d[-1] / max(L_gd[-1], 1e-3 * L_gd[0]), rel=1e-12)
    assert np.all(c.loss_simulation >= 0) and c.theory_limit < 1e-20  # learnable tasks: zero-loss limit
    # converged: within 1 % of the limit its flow reaches (floor 1e-3 L0), the rule of `own-data-verdict`
    assert c.theory_converged == bool(L_th[-1] - c.theory_limit <= 0.01 * max(c.theory_limit, 1e-3 * L_th[0]))
    data, run = _setup(0.02, 3000, 100)
    long = lt.compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time), run)
    assert long.theory_converged and long.run_converged and long.theory_limit < 1e-20
    _, srun = _setup(0.02, 10, 1)  # 10 steps: t = 0.2 τ, a small part of the predicted loss decrease
    short = lt.compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, srun.time), srun)
    assert not short.theory_converged and not short.run_converged and short.verdict.startswith("inconclusive")


def test_order_with_a_half_lr_run_is_first_order_and_the_verdict_says_so():
    data, run = _setup(0.02, 400, 25)
    _, half = _setup(0.01, 800, 50)
    th = lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time)
    c = lt.compare(th, run, run_half_lr=half)
    c2 = lt.compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, half.time), half)
    assert c.half_lr_error == pytest.approx(c2.loss_error_step, rel=1e-9)
    assert 0.8 < c.order < 1.25 and abs(c.order - np.log2(c.loss_error_step / c2.loss_error_step)) < 1e-9
    assert c.verdict.startswith("applies") and "first order in lr confirmed" in c.verdict
    with pytest.raises(ValueError, match="lr/2"):
        lt.compare(th, run, run_half_lr=run)
    with pytest.raises(TypeError, match="run_half_lr"):
        lt.compare(th, run, run_half_lr="half")


def test_repr_is_short_summary_is_json_and_plot_draws():
    data, run = _setup()
    c = lt.compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time), run)
    text = repr(c)
    assert len(text) < 600 and "array" not in text and "verdict=" in text
    s = c.summary()
    json.dumps(s)
    assert s["worst"] == c.worst and s["verdict"] == c.verdict
    import matplotlib.pyplot as plt

    fig = c.plot()
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) >= 4
    plt.close(fig)


def test_complex_modes_count_twice_in_the_loss():
    """A rotational dataset's network carries each complex mode as a 2×2 block: its loss is
    Σ_complex 2E + Σ_real E (theory guide `theory-complex-modes`), and the theory's loss is compared on
    that scale; the error is then the Euler error (first order in lr)."""
    s1 = lt.tasks.rotational(4, 1.0, 0.8 * np.exp(0.5j))
    sr = lt.tasks.inverse_exponential(4, 1.0, 0.6)
    data = lt.data.make_rotational_dataset(s1[None], 40, seed=1, S_real=sr)
    a0 = np.array([0.3 + 0.1j, 0.3]), np.array([0.2 + 0.2j, 0.2]), np.array([0.3 - 0.1j, 0.3])

    def run(lr):
        steps = int(round(6 / lr))
        return lt.simulate_gd(data, 4, lr=lr, steps=steps, modes0=a0, seed=2, record_every=steps // 10)

    r1, r2 = run(0.02), run(0.01)
    th = lt.integrate_modes(data.S, *a0, r1.time)
    c = lt.compare(th, r1, run_half_lr=r2)
    E = np.real(th.energy.T)
    assert np.allclose(c.loss_theory, 2 * E[:, 0] + E[:, 1], rtol=1e-12)
    assert c.loss_error < 0.05 and 0.8 < c.order < 1.25 and c.verdict.startswith("applies")


def test_a_theory_of_another_problem_is_refused():
    """A theory started from other initial modes than the aligned run (0.1 vs 0.3), or integrated on other task
    dynamics, compared two different problems: the verdict read 'applies up to discretisation' with error 110.
    Gauge-equivalent starts (a, c) -> (-a, -c) are the same network and are accepted, with the same numbers."""
    data, run = _setup()
    with pytest.raises(ValueError, match="^theory must start where run starts.*u = ac"):
        lt.compare(lt.integrate_modes(data.S, 0.1, 0.1, 0.1, run.time), run)
    with pytest.raises(ValueError, match="^theory must start where run starts.*b = "):
        lt.compare(lt.integrate_modes(data.S, 0.3, 0.2, 0.3, run.time), run)
    with pytest.raises(ValueError, match=r"^theory must be integrated on the run's task dynamics run.S"):
        lt.compare(lt.integrate_modes(2 * data.S, 0.3, 0.3, 0.3, run.time), run)
    with pytest.raises(ValueError, match=r"^theory must be integrated on the run's task dynamics run.S of shape"):
        lt.compare(lt.integrate_modes(data.S[:, :2], 0.3, 0.3, 0.3, run.time), run)
    ref = lt.compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time), run)
    flipped = lt.compare(lt.integrate_modes(data.S, -0.3, 0.3, -0.3, run.time), run)
    assert flipped.loss_error == pytest.approx(ref.loss_error, rel=1e-9) and flipped.verdict == ref.verdict
    # a theory that starts later than the run (t[0] > 0) is compared on the common times only, as before
    late = lt.integrate_modes(data.S, *(np.asarray(getattr(run.modes(), n))[4] for n in "abc"), run.time[4:])
    assert lt.compare(late, run).time.size == run.time.size - 4


def test_a_theory_on_another_grid_is_evaluated_exactly_at_the_run_times():
    """A mode trajectory computed on a coarse grid (7 points) is re-integrated at the run's record times: the
    errors equal those of the theory integrated on run.time (linear interpolation gave 0.047 against 0.0032).
    A trajectory reaching beyond the run is cut to the run's times."""
    data, run = _setup()
    exact = lt.compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time), run)
    for t in (np.linspace(0, run.time[-1], 7), np.linspace(0, 2 * run.time[-1], 5)):
        c = lt.compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, t), run)
        assert np.array_equal(c.time, exact.time)
        assert c.loss_error == pytest.approx(exact.loss_error, rel=1e-6)
        for n in exact.names:
            assert np.allclose(c.theory[n], exact.theory[n], rtol=1e-8, atol=1e-10)


def test_a_reduced_trajectory_is_refused_by_name():
    """integrate_reduced's ReducedTrajectory (u, b only) passed the type check and failed with a bare
    AttributeError ('no attribute a')."""
    data, run = _setup()
    with pytest.raises(TypeError, match="^theory must be a ModeTrajectory.*ReducedTrajectory"):
        lt.compare(lt.integrate_reduced(data.S, 0.09, 0.3, run.time), run)


def test_a_difference_at_step_0_is_not_discretisation():
    """A random (non-aligned) start of scale 0.3 against the aligned theory from (0.3, 0.3, 0.3): the losses differ
    by 15 % at step 0, where no step has been taken, yet the verdict read 'applies up to discretisation' (error 0.96).
    The step-0 difference is recomputed here from the run's recorded loss and the theory's energies."""
    data = lt.make_dataset(lt.tasks.inverse_exponential(3, 1.0, 0.5), 1, 1, 3, seed=0)
    run = lt.simulate_gd(data, 2, lr=0.02, steps=400, scale=0.3, record_every=50, init="random")
    th = lt.integrate_modes(data.S, 0.3, 0.3, 0.3, run.time)
    c = lt.compare(th, run)
    start = abs(th.energy.sum(0)[0] - run.loss[0]) / run.loss[0]
    assert start > 0.05
    assert c.verdict.startswith(f"does not apply: theory and run differ by {start:.2g} of the loss at step 0")
    aligned = lt.simulate_gd(data, 2, lr=0.02, steps=400, scale=0.3, record_every=50)
    assert "step 0" not in lt.compare(lt.integrate_modes(data.S, 0.3, 0.3, 0.3, aligned.time), aligned).verdict
