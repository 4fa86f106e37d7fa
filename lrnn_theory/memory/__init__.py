"""The curse of memory: Zucchet & Orvieto (NeurIPS 2024), theory guide :ref:`memory`.

For ``h_{t+1} = λ h_t + γ x_{t+1}`` driven by stationary inputs of
auto-correlation ``ρ^{|Δ|}``, the activity grows like the memory ``1/(1-λ)``
while its sensitivity to ``λ`` grows like the memory cubed, although the
backward Jacobian ``λ^k`` never explodes.

* :mod:`~lrnn_theory.memory.moments`: the cross-moment function ``f``, ``S``,
  stationary and finite-time moments, normalisation and reparametrisations (:ref:`memory-moments`, :ref:`memory-complex`, :ref:`memory-reparametrisation`);
* :mod:`~lrnn_theory.memory.montecarlo`: parallel AR(1) chains (:ref:`memory-simulation-plan`);
* :mod:`~lrnn_theory.memory.teacher`: teacher–student loss, gradient, curvature and
  the diagonal Hessian (:ref:`memory-teacher-student`, :ref:`memory-multidim`);
* :mod:`~lrnn_theory.memory.multidim`: dense vs complex-diagonal teacher–student, exact
  finite-time Gauss–Newton matrices (:ref:`memory-multidim`);
* :mod:`~lrnn_theory.memory.students`: dense vs LRU students trained by BPTT (:ref:`gallery-memory-f5`, :ref:`gallery-memory-f8`);
* :mod:`~lrnn_theory.memory.training`: gradient descent on ``λ`` with an optimiser
  object (:mod:`lrnn_theory.optim`), closed-form or sampled-data loss (:ref:`memory-teacher-student`, :ref:`memory-simulation-plan`).
"""
from . import students
from .moments import (
    GAMMA_MODES,
    PARAMETRISATIONS,
    PHASE_PARAMETRISATIONS,
    cross_moment,
    cross_moment_dlam2,
    dnu_domega,
    dtheta_domega,
    finite_time_moments,
    modulus_sensitivity,
    normalisation,
    phase_sensitivity,
    sensitivity_kernel,
    stationary_moments,
)
from .montecarlo import MonteCarloEstimate, MonteCarloMoments, estimate, monte_carlo_moments, sample_states
from .multidim import Teacher, finite_time_gauss_newton, impulse_response, impulse_response_gradient, make_teacher
from .teacher import (
    diagonal_hessian,
    monte_carlo_gauss_newton,
    teacher_student_curvature,
    teacher_student_gradient,
    teacher_student_loss,
)
from .training import (
    LOSSES,
    LambdaTrajectory,
    LrScan,
    Parametrisation,
    loss_in_omega,
    lr_scan,
    omega_curvature,
    sampled_loss_and_grad,
    train_lambda,
)

__all__ = [
    "students",
    "GAMMA_MODES",
    "LOSSES",
    "LambdaTrajectory",
    "LrScan",
    "Parametrisation",
    "Teacher",
    "PARAMETRISATIONS",
    "PHASE_PARAMETRISATIONS",
    "MonteCarloEstimate",
    "MonteCarloMoments",
    "cross_moment",
    "cross_moment_dlam2",
    "diagonal_hessian",
    "dnu_domega",
    "dtheta_domega",
    "estimate",
    "finite_time_gauss_newton",
    "impulse_response",
    "impulse_response_gradient",
    "make_teacher",
    "finite_time_moments",
    "modulus_sensitivity",
    "monte_carlo_gauss_newton",
    "monte_carlo_moments",
    "normalisation",
    "phase_sensitivity",
    "sample_states",
    "sensitivity_kernel",
    "stationary_moments",
    "teacher_student_curvature",
    "teacher_student_gradient",
    "teacher_student_loss",
    "loss_in_omega",
    "lr_scan",
    "omega_curvature",
    "sampled_loss_and_grad",
    "train_lambda",
]
