"""The public API and its bad-input contract (issue #8).

Every public function of the package's modules (their ``__all__``) must appear in
``BAD_INPUTS`` with at least one malformed call, and each such call must raise
``ValueError`` or ``TypeError`` whose message names the argument: never a NaN,
a hang or a crash.  A new public function without an entry fails
``test_every_public_function_has_a_bad_input_case``.
"""
import importlib
import inspect
import re

import numpy as np
import pytest

import lrnn_theory as lt

MODULES = ["lrnn_theory", "lrnn_theory.tasks", "lrnn_theory.conventions", "lrnn_theory.modes", "lrnn_theory.integrate",
           "lrnn_theory.closed_forms", "lrnn_theory.landscape", "lrnn_theory.symbolic", "lrnn_theory.data",
           "lrnn_theory.sim", "lrnn_theory.model", "lrnn_theory.ntk", "lrnn_theory.sensory", "lrnn_theory.sweep",
           "lrnn_theory.plot", "lrnn_theory.memory", "lrnn_theory.optim",
           "lrnn_theory.sim.diagnostics", "lrnn_theory.sim.init",
           "lrnn_theory.merging", "lrnn_theory.merging.interaction",
           "lrnn_theory.memory.students", "lrnn_theory.empirical", "lrnn_theory.stability",
           "lrnn_theory.poles", "lrnn_theory.units", "lrnn_theory.plateaus"]

NO_ARGUMENTS = {"sensory.mean_input_power", "merging.parity_machine"}


def _public_functions():
    out = {}
    for m in MODULES:
        mod = importlib.import_module(m)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj):
                # functions of a sub-package are keyed by the sub-package (sim.gd.simulate_gd -> sim.simulate_gd)
                key = re.sub(r"^(sim|memory|merging)\.(?!interaction|students)\w+\.", r"\1.", f"{obj.__module__.replace('lrnn_theory.', '')}.{obj.__name__}")
                out.setdefault(key, obj)
    return out


S3 = np.ones(3)
W = (np.ones((2, 2)), np.eye(2), np.ones((2, 2)))
X = np.ones((4, 3, 2))
REC = (np.ones((1, 2, 2)), np.ones((1, 2, 2)), np.ones((1, 2, 2)))


def _ax():
    import matplotlib.pyplot as plt

    return plt.subplots()[1]


def _sgd():
    return lt.optim.SGD(lr=0.1)


def _data():
    return lt.make_dataset(np.ones((1, 3)), 2, 2, 6, seed=0)


BAD_INPUTS = {
    "poles.pole_fit": [(lambda: lt.pole_fit(S3, -1), "order"), (lambda: lt.pole_fit(1e200 * S3, 1), "s"),
                       (lambda: lt.pole_fit(np.ones((2, 3)), 1), "s"),
                       (lambda: lt.pole_fit(S3, 1.5), "order"), (lambda: lt.pole_fit(S3, 1, radius=0.0), "radius")],
    "poles.pole_basis_energy": [(lambda: lt.poles.pole_basis_energy(S3, [np.nan]), "poles")],
    "poles.balanced_realisation": [(lambda: lt.poles.balanced_realisation(S3, [0.1, 0.2, 0.3, 0.4]), "alpha"),
                                   (lambda: lt.poles.balanced_realisation("x", [0.1]), "g")],
    "units.unit_energy": [(lambda: lt.units.unit_energy(S3, np.ones(2), np.ones((3, 3)), np.ones(2)), "B"),
                          (lambda: lt.units.unit_energy(np.ones(2000), np.ones(2), 3 * np.eye(2), np.ones(2)), "B")],
    "units.unit_gradient": [(lambda: lt.units.unit_gradient(S3, np.ones(2), np.eye(2), np.ones(3)), "c")],
    "units.unit_hessian": [(lambda: lt.units.unit_hessian(np.ones((2, 3)), np.ones(1), np.eye(1), np.ones(1)), "batch"),
                           (lambda: lt.units.unit_hessian(S3, [np.nan], np.eye(1), np.ones(1)), "a")],
    "units.integrate_units": [(lambda: lt.units.integrate_units(S3, np.ones(2), np.eye(2), np.ones(2), [1.0, 0.0]), "t"),
                              (lambda: lt.units.integrate_units(S3, np.ones(2), np.eye(2), np.ones(2), [0.0, 1.0], method="rk4"), "method"),
                              (lambda: lt.units.integrate_units(S3, np.ones(2), np.eye(2), np.ones(2), [0.0, 1.0], tau=0.0), "tau"),
                              (lambda: lt.units.integrate_units(S3, np.ones(2), np.eye(2), np.ones(2), [0.0, 1.0], max_steps=0), "max_steps"),
                              (lambda: lt.units.integrate_units(S3, np.ones(2), np.eye(2), np.ones(2), [0.0, 1.0], rtol=1e-16), "rtol")],
    "plateaus.staircase": [(lambda: lt.staircase(S3, 0, 1e-6), "n_h"), (lambda: lt.staircase(S3, 2, 2.0), "scale"),
                            (lambda: lt.staircase(np.zeros(3), 2, 1e-6), "s"), (lambda: lt.staircase(S3, 2, 1e-6, eta=0.1), "eta")],
    "plateaus.measure_staircase": [(lambda: lt.plateaus.measure_staircase(S3, np.ones(2), [1.0, 0.0]), "loss"),
                                   (lambda: lt.plateaus.measure_staircase([0, 1], [1.0, np.nan], [0.5, 0.1]), "loss"),
                                   (lambda: lt.plateaus.measure_staircase([0, 1, 2], [1.0, -0.5, 0.1], [0.5, 0.1]), "loss"),
                                    (lambda: lt.plateaus.measure_staircase(S3, S3, [1.0]), "levels")],
    "plateaus.recruitment": [(lambda: lt.plateaus.recruitment(np.ones((2, 3)), 1, 1e-6), "n_h"),
                             (lambda: lt.plateaus.recruitment(np.ones(3), 2, 1e-6), "S")],
    "plateaus.saddle_coupling": [(lambda: lt.plateaus.saddle_coupling(S3, [1.0], np.eye(2), [1.0]), "B")],
    "stability.network_stability": [(lambda: lt.network_stability(S3, 0), "n_h"),
                                    (lambda: lt.network_stability(np.array([1.0, np.nan, 1.0]), 1), "S"),
                                    (lambda: lt.network_stability(S3 * 1j, 1), "n_h"),
                                    (lambda: lt.network_stability(S3, 1, drop=1.5), "drop"),
                                    (lambda: lt.network_stability(S3, 1, fixed_point="b"), "fixed_point")],
    "cite.cite": [(lambda: lt.cite("nope"), "key"), (lambda: lt.cite(3), "key")],
    "tasks.constant": [(lambda: lt.tasks.constant(0), "T"), (lambda: lt.tasks.constant(10 ** 4, np.nan), "delta")],
    "tasks.inverse_exponential": [(lambda: lt.tasks.inverse_exponential(3, 1.0, "x"), "lam"),
                                  (lambda: lt.tasks.inverse_exponential(400, 1.0, 10.0), "lam")],
    "tasks.exponential": [(lambda: lt.tasks.exponential(-1), "T"), (lambda: lt.tasks.exponential(400, 1.0, 10.0), "lam")],
    "tasks.make_task": [(lambda: lt.tasks.make_task("sine", 3), "family")],
    "tasks.modified": [(lambda: lt.tasks.modified("constant", 3, kappa=np.inf), "kappa")],
    "tasks.dirac": [(lambda: lt.tasks.dirac(3, [], 1.0), "beta")],
    "tasks.stack": [(lambda: lt.tasks.stack(np.ones(2), np.ones(3)), "length")],
    "tasks.rotational": [(lambda: lt.tasks.rotational(3, 1.0, "x"), "lam"), (lambda: lt.tasks.rotational(0), "T"),
                         (lambda: lt.tasks.rotational(400, 1.0, 10j), "lam")],
    "tasks.schur_block": [(lambda: lt.tasks.schur_block(np.nan + 1j), "z")],
    "tasks.schur_block_value": [(lambda: lt.tasks.schur_block_value(np.eye(3)), "B"),
                                (lambda: lt.tasks.schur_block_value(np.diag([1.0, 2.0])), "B")],
    "modes.complex_mode_energy": [(lambda: lt.modes.complex_mode_energy(1.0, 0.5j, 1.0, np.array([])), "s")],
    "modes.complex_mode_rhs": [(lambda: lt.modes.complex_mode_rhs(np.nan + 0j, 0.5, 1.0, S3), "a"),
                               (lambda: lt.modes.complex_mode_rhs(1.0, 10j, 1.0, np.ones(400)), "b")],
    "modes.complex_mode_jacobian": [(lambda: lt.modes.complex_mode_jacobian(1.0, np.ones(2), 1.0, np.ones((3, 3))), "broadcast"),
                                    (lambda: lt.modes.complex_mode_jacobian(1.0, 10j, 1.0, np.ones(400)), "b")],
    "closed_forms.complex_fixed_point": [(lambda: lt.closed_forms.complex_fixed_point(np.array([1.0, np.nan * 1j, 1.0])), "s")],
    "closed_forms.complex_frozen_b_solution": [(lambda: lt.closed_forms.complex_frozen_b_solution([0.0, 1.0], S3, 0.5j, 0j), "u0")],
    "symbolic.complex_symbols": [(lambda: lt.symbolic.complex_symbols(0), "T")],
    "symbolic.complex_mode_energy": [(lambda: lt.symbolic.complex_mode_energy(1.5), "T")],
    "symbolic.complex_mode_odes": [(lambda: lt.symbolic.complex_mode_odes(-1), "T")],
    "symbolic.lambdify_complex_odes": [(lambda: lt.symbolic.lambdify_complex_odes(2)(0.1, 0.1, 0.1, np.ones(3)), "s")],
    "conventions.tau": [(lambda: lt.conventions.tau(-0.1), "lr")],
    "conventions.ode_time": [(lambda: lt.conventions.ode_time([1], 0.0), "lr")],
    "modes.mode_energy": [(lambda: lt.mode_energy(1.0, 0.5, 1.0, np.array([])), "s")],
    "modes.mode_rhs": [(lambda: lt.mode_rhs(np.nan, 0.5, 1.0, S3), "a"), (lambda: lt.mode_rhs(1.0, 10.0, 1.0, np.ones(400)), "b")],
    "modes.mode_jacobian": [(lambda: lt.mode_jacobian(1.0, 0.5, "c", S3), "c"), (lambda: lt.mode_jacobian(1.0, -10.0, 1.0, np.ones(400)), "b")],
    "modes.mode_hessian": [(lambda: lt.modes.mode_hessian(1.0, np.ones(2), 1.0, np.ones((3, 3))), "broadcast")],
    "modes.reduced_energy": [(lambda: lt.modes.reduced_energy(np.inf, 0.5, S3), "u")],
    "modes.reduced_rhs": [(lambda: lt.modes.reduced_rhs(1.0, 0.5, S3, delta="x"), "delta"),
                          (lambda: lt.modes.reduced_rhs(1.0, 10.0, np.ones(400)), "b")],
    "integrate.integrate_modes": [(lambda: lt.integrate_modes(S3, 0.1, 0.1, 0.1, [1.0, 0.0]), "t"),
                                  (lambda: lt.integrate_modes(S3, 0.1, 0.1, 0.1, [0.0, 1.0], max_steps=-1), "max_steps"),
                                  (lambda: lt.integrate_modes(S3 * 1j, 0.1, 0.1, np.inf + 0j, [0.0, 1.0]), "c0")],
    "integrate.integrate_reduced": [(lambda: lt.integrate_reduced(S3, 0.1, 0.1, [0.0, 1.0], tau=np.inf), "tau")],
    "closed_forms.fixed_point": [(lambda: lt.fixed_point(np.ones((2, 3)) * np.nan), "s")],
    "closed_forms.escape_time": [(lambda: lt.closed_forms.escape_time(S3, 0.1, 0.0), "u0"),
                                 (lambda: lt.closed_forms.escape_time(S3, 0.1, 1e-3, u_star=0.0), "u_star")],
    "closed_forms.extrapolation_energy": [(lambda: lt.closed_forms.extrapolation_energy("sine", 3, 3), "family"),
                                          (lambda: lt.closed_forms.extrapolation_energy("exponential", 1, 400, lam=1e-3), "lam")],
    "closed_forms.extrapolation_energy_direct": [(lambda: lt.closed_forms.extrapolation_energy_direct(1.0, np.nan, S3), "b"),
                                                 (lambda: lt.closed_forms.extrapolation_energy_direct(0.0, 10.0, np.ones(400)), "b")],
    "closed_forms.family_fixed_point": [(lambda: lt.closed_forms.family_fixed_point("constant", 0), "T"),
                                        (lambda: lt.closed_forms.family_fixed_point("exponential", 400, lam=10.0), "lam")],
    "closed_forms.frozen_b_solution": [(lambda: lt.closed_forms.frozen_b_solution([[0.0]], S3, 0.5, 0.1), "t"),
                                       (lambda: lt.closed_forms.frozen_b_solution([-1.0, 0.0], S3, 0.5, -0.1), "t"),
                                       (lambda: lt.closed_forms.frozen_b_solution([0.0], np.ones((2, 3)), np.ones(3), 0.1), "b")],
    "closed_forms.hessian_at_solution": [(lambda: lt.closed_forms.hessian_at_solution(np.array([1.0, 0.0, 2.0])), "s")],
    "closed_forms.jacobian_rows": [(lambda: lt.closed_forms.jacobian_rows(1.0, 0.5, 2.5), "T"),
                                   (lambda: lt.closed_forms.jacobian_rows(0.0, 10.0, 400), "b")],
    "closed_forms.max_stable_lr": [(lambda: lt.closed_forms.max_stable_lr(np.array([1.0, 0.0, 1.0])), "s"),
                                   (lambda: lt.closed_forms.max_stable_lr(lt.tasks.inverse_exponential(400, 1.0, 5.0)), "s")],
    "closed_forms.recency_weight": [(lambda: lt.closed_forms.recency_weight(S3, np.nan), "b")],
    "landscape.dirac_landau_coefficients": [(lambda: lt.landscape.dirac_landau_coefficients(np.nan), "beta"),
                                            (lambda: lt.landscape.dirac_landau_coefficients(1e200), "beta")],
    "landscape.dirac_t3_solution": [(lambda: lt.landscape.dirac_t3_solution(1.0, kappa=np.inf), "kappa")],
    "landscape.energy_decomposition": [(lambda: lt.landscape.energy_decomposition(1, 1, 1, "s"), "s")],
    "landscape.geometric_sums": [(lambda: lt.landscape.geometric_sums(np.ones(4), np.ones((3, 2))), "b"),
                                 (lambda: lt.landscape.geometric_sums(10.0, np.ones(400)), "b")],
    "landscape.global_minimiser": [(lambda: lt.landscape.global_minimiser(S3, b_range=(0.0, np.nan)), "b_range")],
    "landscape.local_minima": [(lambda: lt.landscape.local_minima(S3, n_grid=1), "n_grid")],
    "landscape.profile_angle": [(lambda: lt.landscape.profile_angle(np.inf, S3), "b")],
    "landscape.profile_energy": [(lambda: lt.landscape.profile_energy(0.5, [[np.nan]]), "s")],
    "landscape.transition_location": [(lambda: lt.landscape.transition_location([0.0], [1.0]), "x")],
    "landscape.u_star": [(lambda: lt.landscape.u_star(0.5, np.ones(0)), "s")],
    "symbolic.lambdify_energy": [(lambda: lt.symbolic.lambdify_energy(0), "T")],
    "symbolic.lambdify_jacobian": [(lambda: lt.symbolic.lambdify_jacobian(2, "never"), "variant")],
    "symbolic.lambdify_odes": [(lambda: lt.symbolic.lambdify_odes("2"), "T")],
    "symbolic.mode_energy": [(lambda: lt.symbolic.mode_energy(-2), "T")],
    "symbolic.mode_jacobian": [(lambda: lt.symbolic.mode_jacobian(2, 3), "variant")],
    "symbolic.mode_odes": [(lambda: lt.symbolic.mode_odes(True), "T")],
    "symbolic.symbols": [(lambda: lt.symbolic.symbols(0), "T")],
    "symbolic.taylor_coefficients": [(lambda: lt.symbolic.taylor_coefficients(1.5), "order")],
    "symbolic.to_latex": [(lambda: lt.symbolic.to_latex(object()), "expr")],
    "data.make_dataset": [(lambda: lt.make_dataset(np.ones(3), 2, 2, 5, seed=0), "n_samples")],
    "data.make_rotational_dataset": [(lambda: lt.data.make_rotational_dataset(np.ones(3) * 1j, 5, seed=0), "n_samples"),
                                     (lambda: lt.data.make_rotational_dataset("x", 5, seed=0), "S"),
                                     (lambda: lt.data.make_rotational_dataset(np.ones(3) * 1j, 30, seed=0, n=1), "n")],
    "data.block_dynamics": [(lambda: lt.data.block_dynamics([1j, 2j], [1.0, 2.0, 3.0]), "S_real"),
                            (lambda: lt.data.block_dynamics([1j], [1j]), "S_real")],
    "data.orthonormal_columns": [(lambda: lt.data.orthonormal_columns(2, 3, np.random.default_rng(0)), "m"),
                                 (lambda: lt.data.orthonormal_columns(3, 2, 0), "rng")],
    "sim.simulate_gd": [(lambda: lt.simulate_gd(_data(), 2, lr=0.1, steps=-5), "steps"),
                        (lambda: lt.simulate_gd(lt.make_dataset(np.ones((1, 3)) * 1e60, 1, 1, 3, seed=0), 1, lr=0.01,
                                                steps=5), "data")],
    "sim.simulate_gd_batch": [(lambda: lt.simulate_gd_batch([], 2, lr=0.1, steps=5), "datasets"),
                              (lambda: lt.simulate_gd_batch(lt.make_dataset(np.ones((1, 3)) * 1e60, 1, 1, 3, seed=0), 1,
                                                            lr=[0.01], steps=5), "datasets")],
    "sim.loss_and_grad": [(lambda: lt.loss_and_grad(_data(), W, method="forward"), "method")],
    "sim.initial_weights": [(lambda: lt.sim.initial_weights(_data(), 0), "n_h")],
    "sim.compare": [(lambda: lt.compare("theory", "run"), "theory"),
                    (lambda: lt.compare(lt.integrate_modes(_data().S, .1, .1, .1, [0., 1.]),
                                        lt.simulate_gd(_data(), 2, lr=0.1, steps=2), run_half_lr=[1]), "run_half_lr"),
                    (lambda: lt.compare(lt.integrate_modes(_data().S, .3, .3, .3, [0., 1.]),
                                        lt.simulate_gd(_data(), 2, lr=0.1, steps=2)), "theory")],
    "sim.aligned_modes": [(lambda: lt.sim.aligned_modes(*REC, np.eye(3), np.eye(2), np.eye(2)), "R")],
    "sim.aligned_complex_modes": [(lambda: lt.sim.aligned_complex_modes(*REC, np.eye(3), np.eye(2), np.eye(2), 1), "R"),
                                  (lambda: lt.sim.aligned_complex_modes(*REC, np.eye(2), np.eye(2), np.eye(2), 2),
                                   "n_complex")],
    "sim.effective_modes": [(lambda: lt.sim.effective_modes(np.ones((2, 2)), *REC[1:], np.eye(2), np.eye(2)), "W_x")],
    "sim.effective_products": [(lambda: lt.sim.effective_products(*REC, np.eye(2), np.eye(2), -1), "k_max")],
    "model.forward": [(lambda: lt.model.forward(*W, np.ones((4, 3, 5))), "X")],
    "model.hidden_states": [(lambda: lt.model.hidden_states(np.ones(2), W[1], W[2], X), "W_x")],
    "model.mse_half": [(lambda: lt.model.mse_half(*W, X, np.ones((3, 2))), "Y")],
    "ntk.aligned_inner": [(lambda: lt.ntk.aligned_inner((1, 1, 1), (1, 1, 1), 0), "T"),
                          (lambda: lt.ntk.aligned_inner((1, 3, 1), (1, 3, 1), 1000), "modes0")],
    "ntk.kernel_distance": [(lambda: lt.ntk.kernel_distance(np.ones(3), np.ones(3)), "K0")],
    "ntk.kernel_distance_aligned": [(lambda: lt.ntk.kernel_distance_aligned("abc", (1, 1, 1), 2), "modes0"),
                                    (lambda: lt.ntk.kernel_distance_aligned((0, 0, 0), (1, 0.5, 1), 4), "zero kernel")],
    "ntk.kernel_movement": [(lambda: lt.ntk.kernel_movement(0.1, 2, aligned=True, max_steps=0), "max_steps")],
    "ntk.kernel_distance_complex": [(lambda: lt.ntk.kernel_distance_complex("abc", (1, 1, 1), 2), "modes0"),
                                    (lambda: lt.ntk.kernel_distance_complex((1, 1, 1), (1, 1j, 1), 2, n_complex=0),
                                     "modes1"),
                                    (lambda: lt.ntk.kernel_distance_complex((1, 1, 1), (1, 1, 1), 0), "T"),
                                    (lambda: lt.ntk.kernel_distance_complex((0, 0, 0), (1, 0.5j, 1), 4), "zero kernel")],
    "ntk.rotational_kernel_movement": [(lambda: lt.ntk.rotational_kernel_movement(0.0, 2), "sigma"),
                                       (lambda: lt.ntk.rotational_kernel_movement(0.1, 2, lam=[1, 2]), "lam")],
    "ntk.ntk": [(lambda: lt.ntk.ntk(*W, np.ones((4, 3))), "X"),
                (lambda: lt.ntk.ntk(np.eye(1), 10 * np.eye(1), np.eye(1), np.ones((2, 400, 1))), "W_h")],
    "ntk.ntk_aligned": [(lambda: lt.ntk.ntk_aligned(np.ones(2), np.nan, 1.0, 3), "b"),
                        (lambda: lt.ntk.ntk_aligned(1.0, 10.0, 1.0, 400), "b")],
    "ntk.ntk_jacobian": [(lambda: lt.ntk.ntk_jacobian(W[0], W[1], np.ones((2, 3)), X), "weights"),
                         (lambda: lt.ntk.ntk_jacobian(np.eye(1), 10 * np.eye(1), np.eye(1), np.ones((2, 400, 1))), "W_h")],
    "sensory.extrapolation_loss": [(lambda: lt.sensory.extrapolation_loss(4, 50, noise=np.nan), "noise")],
    "sensory.sensory_task": [(lambda: lt.sensory.sensory_task(5.5, 4, seed=0), "n_trials")],
    "sensory.train_sensory": [(lambda: lt.sensory.train_sensory("sum", lr=-1.0), "lr")],
    "sweep.default_executor": [(lambda: lt.sweep.default_executor(0), "max_workers")],
    "sweep.point_seed": [(lambda: lt.sweep.point_seed(-1, {}), "seed")],
    "sweep.sweep": [(lambda: lt.sweep.sweep(print, {}, executor="serial"), "grid")],
    "plot.clipped_line": [(lambda: lt.plot.clipped_line(_ax(), [0, 1], [1, 2], clip=0.0, color="k"), "clip")],
    "plot.colorbar": [(lambda: lt.plot.colorbar(None, None, "viridis", 1.0, 0.0, "κ"), "vmin")],
    "plot.explore_panel": [(lambda: lt.plot.explore_panel(family="sine"), "family")],
    "plot.heatmap": [(lambda: lt.plot.heatmap(_ax(), np.ones((2, 2)), [1, 2, 3], [1, 2]), "values")],
    "plot.mode_colors": [(lambda: lt.plot.mode_colors(0), "n")],
    "plot.panel_grid": [(lambda: lt.plot.panel_grid(0, 1), "nrows")],
    "plot.plot_mode_trajectory": [(lambda: lt.plot.plot_mode_trajectory(np.ones(3)), "traj")],
    "plot.reference_line": [(lambda: lt.plot.reference_line(_ax(), np.nan), "value")],
    "plot.save_figure": [(lambda: lt.plot.save_figure(None, "/tmp/x.png"), "fig"),
                         (lambda: lt.plot.save_figure(lt.plot.panel_grid(1, 1)[0], "/tmp/x.unknownformat"), "path")],
    "memory.cross_moment": [(lambda: lt.memory.cross_moment(1.5, 0.2), "lam1")],
    "memory.cross_moment_dlam2": [(lambda: lt.memory.cross_moment_dlam2(0.5, 0.2, rho="x"), "rho")],
    "memory.sensitivity_kernel": [(lambda: lt.memory.sensitivity_kernel(0.5, -1.0), "lam2")],
    "memory.stationary_moments": [(lambda: lt.memory.stationary_moments(0.5, sigma=-1.0), "sigma"),
                                  (lambda: lt.memory.stationary_moments(0.9984622798899006 + 0.055435328420258285j), "lam")],
    "memory.finite_time_moments": [(lambda: lt.memory.finite_time_moments("a", 3), "lam"),
                                   (lambda: lt.memory.finite_time_moments(2.0, 2000), "lam")],
    "memory.monte_carlo_moments": [(lambda: lt.memory.monte_carlo_moments(0.5, burn_in=0), "burn_in")],
    "memory.teacher_student_loss": [(lambda: lt.memory.teacher_student_loss(0.5, 1.0), "lam_star"),
                                    (lambda: lt.memory.teacher_student_loss(0.9984622798899006 + 0.055435328420258285j, 0.5,
                                                                            normalised=True), "lam")],
    "memory.teacher_student_curvature": [(lambda: lt.memory.teacher_student_curvature(0.5 + 0.1j), "lam_star")],
    "memory.normalisation": [(lambda: lt.memory.normalisation(1.0), "lam"),
                             (lambda: lt.memory.normalisation(0.9984622798899006 + 0.055435328420258285j), "lam")],
    "memory.dnu_domega": [(lambda: lt.memory.dnu_domega(0.5, "cosh"), "parametrisation"), (lambda: lt.memory.dnu_domega(-0.5, "exp"), "nu"),
                          (lambda: lt.memory.dnu_domega(1.5, "exp"), "nu"), (lambda: lt.memory.dnu_domega(1.0, "tanh"), "nu")],
    "memory.dtheta_domega": [(lambda: lt.memory.dtheta_domega(0.5, 0.1, "log"), "parametrisation"),
                             (lambda: lt.memory.dtheta_domega(0.5, np.nan), "theta"),
                             (lambda: lt.memory.dtheta_domega(1.2, 0.3, "nu_scaled"), "nu")],
    "memory.modulus_sensitivity": [(lambda: lt.memory.modulus_sensitivity(0.5, gamma="learned"), "gamma"),
                                   (lambda: lt.memory.modulus_sensitivity(0.5, rho=2.0), "rho"),
                                   (lambda: lt.memory.modulus_sensitivity(0.5, dtheta_dnu="x"), "dtheta_dnu")],
    "memory.phase_sensitivity": [(lambda: lt.memory.phase_sensitivity(0.5j, 0.0, "nu_scale"), "parametrisation")],
    "memory.sample_states": [(lambda: lt.memory.sample_states(np.ones((2, 2)) * 0.5), "lam"),
                             (lambda: lt.memory.sample_states(1 - 1e-9, n_chains=2), "burn_in"),
                             (lambda: lt.memory.sample_states(0.5, n_chains=1), "n_chains")],
    "memory.estimate": [(lambda: lt.memory.estimate(np.ones(1)), "samples")],
    "memory.diagonal_hessian": [(lambda: lt.memory.diagonal_hessian([0.5, 0.2], [1.0], [1.0, 1.0]), "b"),
                                (lambda: lt.memory.diagonal_hessian([1.5], [1.0], [1.0]), "lam")],
    "memory.monte_carlo_gauss_newton": [(lambda: lt.memory.monte_carlo_gauss_newton([0.5], [1.0], [1.0], n_chains=0), "n_chains")],
    "memory.teacher_student_gradient": [(lambda: lt.memory.teacher_student_gradient(0.5, 0.2, sigma=-1.0), "sigma")],
    "memory.train_lambda": [(lambda: lt.memory.train_lambda(0.9, 0.5, "adam"), "optimiser"),
                                     (lambda: lt.memory.train_lambda(0.9, 0.5, _sgd(), loss="mc"), "loss"),
                                     (lambda: lt.memory.train_lambda(0.9, 0.5, _sgd(), loss="sampled", batch=0), "batch"),
                                     (lambda: lt.memory.train_lambda(0.9, 0.5, _sgd(), loss="sampled", window=0), "window"),
                                     (lambda: lt.memory.train_lambda(1.0, 0.5, _sgd()), "lam_star"),
                                     (lambda: lt.memory.train_lambda(1 - 1e-9, 0.5, _sgd(), loss="sampled"), "lam_star")],
    "memory.lr_scan": [(lambda: lt.memory.lr_scan(0.9, 0.5, "sgd", [0.1]), "optimiser"),
                                (lambda: lt.memory.lr_scan(0.9, 0.5, lt.optim.SGD, [-1.0]), "lrs")],
    "memory.sampled_loss_and_grad": [(lambda: lt.memory.sampled_loss_and_grad(0.5, 0.9, np.ones((2, 4)), window_start=0),
                                               "window_start"),
                                     (lambda: lt.memory.sampled_loss_and_grad(1.5, 0.5, np.ones((2, 2000)), window_start=9), "lam")],
    "memory.loss_in_omega": [(lambda: lt.memory.loss_in_omega(0.5, 0.1, 0.9, "exp"), "parametrisation"),
                             (lambda: lt.memory.loss_in_omega([np.nan], 0.1, 0.9), "omega_nu")],
    "memory.omega_curvature": [(lambda: lt.memory.omega_curvature([0.5], 0.9), "omega"),
                               (lambda: lt.memory.omega_curvature([0.5, 0.1], 0.9, axis=2), "axis"),
                               (lambda: lt.memory.omega_curvature([0.999999999, 0.0], 0.5 + 0j, h=1e-3), "omega")],
    "memory.make_teacher": [(lambda: lt.memory.make_teacher(0), "d_h"), (lambda: lt.memory.make_teacher(4, nu_min=0.99, nu_max=0.9), "nu_min"),
                            (lambda: lt.memory.make_teacher(4, theta_max=4.0), "theta_max")],
    "memory.impulse_response": [(lambda: lt.memory.impulse_response(np.eye(2), np.ones(2), np.ones(2), 0), "T"),
                                (lambda: lt.memory.impulse_response(2 * np.eye(2), np.ones(2), np.ones(2), 2000), "A")],
    "memory.impulse_response_gradient": [(lambda: lt.memory.impulse_response_gradient("full", (np.eye(2), np.ones(2), np.ones(2)), 3),
                                          "student")],
    "memory.finite_time_gauss_newton": [(lambda: lt.memory.finite_time_gauss_newton("dense", (np.eye(2), np.ones(2), np.ones(2)), 3,
                                                                                   average="first"), "average")],
    "plot.field_map": [(lambda: lt.plot.field_map(_ax(), np.ones((2, 3)), [0, 1], [0, 1]), "values"),
                       (lambda: lt.plot.field_map(_ax(), -np.ones((2, 2)), [0, 1], [0, 1]), "values")],
    "sim.simulate_bptt": [(lambda: lt.sim.simulate_bptt(X, np.ones((4, 1)), n_h=2, lr=0.1, steps=1, truncate=-2), "truncate")],
    "sim.sequence_loss_and_grad": [(lambda: lt.sim.sequence_loss_and_grad(X, np.ones((4, 3, 1)), (np.ones((2, 2)),) * 3, leak=2.0),
                                    "weights")],
    "sim.adjoint_norms": [(lambda: lt.sim.diagnostics.adjoint_norms(X, np.ones((4, 1)), (np.ones((2, 2)), np.eye(2), np.ones((1, 2))),
                                                                    mask=np.ones((4, 2))), "mask")],
    "sim.gradient_by_lag": [(lambda: lt.sim.diagnostics.gradient_by_lag(X, np.ones((5, 1)), None), "Y")],
    "sim.jacobian_monitors": [(lambda: lt.sim.diagnostics.jacobian_monitors(np.eye(2), ks=(-1,)), "ks")],
    "sim.leaky_jacobian": [(lambda: lt.sim.diagnostics.leaky_jacobian(np.eye(2), leak="a"), "leak")],
    "sim.gaussian": [(lambda: lt.sim.init.gaussian(2, np.inf), "gain")],
    "sim.orthogonal": [(lambda: lt.sim.init.orthogonal("3"), "d")],
    "sim.identity": [(lambda: lt.sim.init.identity(3, np.nan), "gain")],
    "sim.lru_ring": [(lambda: lt.sim.init.lru_ring(3, nu_max=1.5), "nu_min")],
    "merging.all_strings": [(lambda: lt.merging.all_strings(0), "L_max"), (lambda: lt.merging.all_strings(10 ** 4), "L_max")],
    "merging.epoch_batches": [(lambda: lt.merging.epoch_batches(lt.merging.parity_data(3), 0, rng=np.random.default_rng(0)), "batch")],
    "merging.extract_automaton": [(lambda: lt.merging.extract_automaton(["", "2"], np.ones((2, 2)), np.ones((2, 2))), "strings"),
                                  (lambda: lt.merging.extract_automaton(["", "0"], np.eye(2) * 1e10, np.ones((2, 2)), c=1e300),
                                   "c")],
    "merging.merger_report": [(lambda: lt.merging.merger_report("a", len, 3), "extracted")],
    "merging.minimize": [(lambda: lt.merging.minimize(None), "machine"),
                         (lambda: lt.merging.minimize(lt.merging.MooreMachine([[0, 5]], [0])), "transitions")],
    "merging.one_hot": [(lambda: lt.merging.one_hot([1, 0]), "strings")],
    "merging.parity": [(lambda: lt.merging.parity(["ab"]), "strings")],
    "merging.parity_data": [(lambda: lt.merging.parity_data(4, p=np.nan), "p")],
    "merging.random_moore_machine": [(lambda: lt.merging.random_moore_machine(3, p_new=2.0), "p_new")],
    "merging.batch_loss_and_grad": [(lambda: lt.merging.batch_loss_and_grad(None, [[0]], [[1, 0]]), "params")],
    "merging.hidden_states": [(lambda: lt.merging.hidden_states(lt.merging.init_params(3), [[0, 3]]), "sym")],
    "merging.init_params": [(lambda: lt.merging.init_params(0), "hidden"), (lambda: lt.merging.init_params(3, gain=np.nan), "gain")],
    "merging.predict": [(lambda: lt.merging.predict(lt.merging.init_params(3), [[0, 1]], nonlinearity="elu"), "nonlinearity")],
    "merging.prefix_tree_states": [(lambda: lt.merging.prefix_tree_states(lt.merging.init_params(3), 0), "L_max")],
    "merging.train_parity": [(lambda: lt.merging.train_parity(epochs=1, p=0.0), "p"), (lambda: lt.merging.train_parity(epochs=1, c=-1), "c")],
    "merging.interaction.bernoulli_H": [(lambda: lt.merging.interaction.bernoulli_H([0.0], 1.0, np.nan), "A_high")],
    "merging.interaction.fixed_expansion_direct": [(lambda: lt.merging.interaction.fixed_expansion_direct(
        np.ones(3), np.ones((1, 1)), np.ones((1, 1)), np.ones((2, 1, 1)), [0, 1]), "h0")],
    "merging.interaction.fixed_expansion_flow": [(lambda: lt.merging.interaction.fixed_expansion_flow(np.zeros(9), np.eye(2), [0, 1], N=0),
                                                  "N")],
    "merging.interaction.full_flow": [(lambda: lt.merging.interaction.full_flow(np.ones(2), np.ones(2), np.ones((1, 1, 2)), np.ones((1, 1)),
                                                                                np.ones((1, 1)), np.ones((1, 1)), [0, 1], tau_y=0), "tau_y")],
    "merging.interaction.full_gradients": [(lambda: lt.merging.interaction.full_gradients(*(np.ones(2),) * 2, np.ones((1, 1, 2)),
                                                                                          np.ones((1, 1)), np.ones((1, 1)), "a"), "y2")],
    "merging.interaction.merger_quantities": [(lambda: lt.merging.interaction.merger_quantities(1.0, 1.0, 0.0, N=-1), "N")],
    "merging.interaction.observables": [(lambda: lt.merging.interaction.observables(np.ones(2), np.ones(3), np.ones((1, 1, 2)),
                                                                                    np.ones((1, 1)), np.ones((1, 1))), "h1")],
    "merging.interaction.reduced_flow": [(lambda: lt.merging.interaction.reduced_flow(1.0, -1.0, 0.0, 0.0, [0, 1]), "Y0")],
    "merging.merged_fraction_by_length": [(lambda: lt.merging.merged_fraction_by_length(None, lt.merging.parity_machine(), 3),
                                           "extracted")],
    "merging.prefix_strings": [(lambda: lt.merging.prefix_strings(-1), "L_max")],
    "merging.state_mergers": [(lambda: lt.merging.state_mergers("a", np.zeros(3, dtype=int)), "previous")],
    "merging.phase_point": [(lambda: lt.merging.phase_point(0.0, 0.1, max_epochs=1), "p")],
    "memory.students.init_student": [(lambda: lt.memory.students.init_student("gru", 3), "kind"),
                                     (lambda: lt.memory.students.init_student("lru", 3, nu0=1.0), "nu0")],
    "memory.students.student_loss_and_grad": [(lambda: lt.memory.students.student_loss_and_grad(
        lt.memory.students.init_student("lru", 2), np.ones((2, 3)), np.ones((2, 4))), "X and Y"),
                                                (lambda: lt.memory.students.student_loss_and_grad(
        lt.memory.students.init_student("lru", 2), np.ones((2, 3)), np.ones((2, 3)), theta=np.ones(3)), "theta"),
                                                (lambda: lt.memory.students.student_loss_and_grad(
        lt.memory.students.init_student("lru", 2), np.ones((2, 3)), np.ones((2, 3)), theta=np.full(13, np.nan)), "theta")],
    "memory.students.teacher_outputs": [(lambda: lt.memory.students.teacher_outputs(lt.memory.make_teacher(2), np.ones(3)), "X")],
    "memory.students.train_student": [(lambda: lt.memory.students.train_student(lt.memory.make_teacher(2), "lru", steps=0), "steps"),
                                      (lambda: lt.memory.students.train_student(None, "lru"), "teacher")],
    "memory.students.student_point": [(lambda: lt.memory.students.student_point(0.5, "rnn", 1e-3, steps=1), "kind")],
    "plot.draw_machine": [(lambda: lt.plot.draw_machine(_ax(), "parity"), "machine")],
    "optim.check_optimiser": [(lambda: lt.optim.check_optimiser("optimiser", "rmsprop"), "optimiser")],
    "empirical.task_dynamics": [(lambda: lt.task_dynamics(X, np.ones((5, 1))), "samples"),
                                (lambda: lt.task_dynamics(np.ones((4, 0, 2)), np.ones((4, 1))), "T"),
                                (lambda: lt.task_dynamics(X * 1j, np.ones((4, 1))), "X"),
                                (lambda: lt.task_dynamics(X, np.full((4, 1), np.nan)), "Y"),
                                (lambda: lt.task_dynamics(X, np.ones((4, 1)), centre="yes"), "centre")],
    "empirical.train_and_compare": [(lambda: lt.train_and_compare(X, np.ones((4, 1)), lr=-0.1, steps=5), "lr"),
                                    (lambda: lt.train_and_compare(X, np.ones((4, 1)), lr=0.1, steps=5, n_h=0), "n_h"),
                                    (lambda: lt.train_and_compare(X, np.ones((4, 1)), lr=0.1, steps=5, check_order=1), "check_order"),
                                    (lambda: lt.train_and_compare(np.arange(24.0).reshape(4, 3, 2) * 1e150, np.arange(4.0)[:, None],
                                                                  lr=0.1, steps=5), "X and Y")],
    "empirical.perturbed_dataset": [(lambda: lt.empirical.perturbed_dataset(np.eye(2), 2, 2, 4, r=-1.0, seed=0), "r"),
                                    (lambda: lt.empirical.perturbed_dataset(np.eye(2), 2, 2, 4, step=2, seed=0), "step")],
    "plot.theory_vs_simulation": [(lambda: lt.plot.theory_vs_simulation(_ax(), [0, 1], [1], [0], [1], color="k"), "t_theory")],
}


def test_every_public_function_has_a_bad_input_case():
    public = set(_public_functions())
    missing = sorted(public - set(BAD_INPUTS) - NO_ARGUMENTS)
    assert not missing, f"public functions without a bad-input test: {missing}"
    stale = sorted(set(BAD_INPUTS) - public)
    assert not stale, f"BAD_INPUTS names functions that are not public: {stale}"


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_raises_a_named_error(name):
    for call, argument in BAD_INPUTS[name]:
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        assert argument in str(info.value), f"{name}: message {str(info.value)!r} does not name {argument!r}"
