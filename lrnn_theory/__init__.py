"""lrnn_theory: exact learning dynamics of linear recurrent neural networks.

Theory (Proca et al., ICML 2025; theory guide :ref:`theory`) and the gradient-descent
simulations that check it.  The curated public API:

* task dynamics: :mod:`lrnn_theory.tasks`
* mode theory: :func:`mode_energy`, :func:`mode_rhs`, :func:`integrate_modes`,
  :func:`integrate_reduced`, :func:`fixed_point` and the modules
  :mod:`~lrnn_theory.closed_forms`, :mod:`~lrnn_theory.landscape`, :mod:`~lrnn_theory.symbolic`
* simulation: :func:`make_dataset`, :func:`simulate_gd`, :func:`simulate_gd_batch`, :func:`compare`
* the aligned solution in a network, minimum or saddle: :func:`network_stability`
* conventions: :mod:`lrnn_theory.conventions`

Examples
--------
Integrate one mode of an inverse-exponential task from small initialisation and compare
its end point with the closed-form solution ``b* = λ``, ``u* = δ`` (theory guide
:ref:`theory-fixed-points`):

>>> import lrnn_theory as lt
>>> s = lt.tasks.inverse_exponential(4, delta=1.0, lam=0.5)
>>> fp = lt.fixed_point(s)
>>> float(fp.b), float(fp.u)
(0.5, 1.0)
>>> end = lt.integrate_modes(s, 0.1, 0.1, 0.1, [0.0, 40.0]).final()
>>> round(float(end.b), 6), round(float(end.u), 6)
(0.5, 1.0)
"""
from . import _threading

_threading.configure()  # numba threading layer: fork- and thread-safe (see lrnn_theory._threading)

from . import closed_forms, conventions, landscape, modes, tasks
from ._version import __version__
from .cite import cite
from .closed_forms import fixed_point
from .data import Dataset, make_dataset, make_rotational_dataset
from .empirical import TaskDynamics, task_dynamics, train_and_compare
from .integrate import ModeTrajectory, ReducedTrajectory, integrate_modes, integrate_reduced
from .modes import mode_energy, mode_jacobian, mode_rhs
from .plateaus import Staircase, staircase
from .poles import PoleFit, pole_fit
from .sim import GDResult, compare, loss_and_grad, simulate_gd, simulate_gd_batch
from .stability import NetworkStability, network_stability

__all__ = [
    "Dataset",
    "GDResult",
    "ModeTrajectory",
    "NetworkStability",
    "PoleFit",
    "ReducedTrajectory",
    "Staircase",
    "TaskDynamics",
    "__version__",
    "cite",
    "closed_forms",
    "compare",
    "conventions",
    "fixed_point",
    "integrate_modes",
    "integrate_reduced",
    "landscape",
    "loss_and_grad",
    "make_dataset",
    "make_rotational_dataset",
    "mode_energy",
    "mode_jacobian",
    "mode_rhs",
    "modes",
    "network_stability",
    "pole_fit",
    "simulate_gd",
    "simulate_gd_batch",
    "staircase",
    "task_dynamics",
    "tasks",
    "train_and_compare",
]


def __getattr__(name):
    # heavy or optional submodules on first use: symbolic (SymPy), plot (matplotlib), ntk,
    # sensory, sweep (xarray), figures
    import importlib

    if name in ("symbolic", "plot", "ntk", "sensory", "sweep", "figures", "bench", "sim", "data", "integrate", "memory", "model", "optim", "merging", "empirical", "poles", "units", "plateaus"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lrnn_theory' has no attribute {name!r}")
