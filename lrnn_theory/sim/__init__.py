"""Gradient-descent simulations on full weight matrices, and their comparison with theory.

numba kernels (:mod:`~lrnn_theory.sim._kernels`) behind a validating layer:
:func:`simulate_gd` (one run), :func:`simulate_gd_batch` (many runs in one
compiled call, parallel over runs), mode recovery (theory guide :ref:`theory-mode-recovery`) and
:func:`compare` (theory vs simulation); sequence-to-sequence BPTT training with the
options and diagnostics of theory guide :ref:`bptt-diagnostics` (:func:`simulate_bptt`,
:mod:`~lrnn_theory.sim.diagnostics`, :mod:`~lrnn_theory.sim.init`).
"""
from . import diagnostics, init
from ._compare import Comparison, compare
from .bptt import BPTTResult, Diagnostics, RunSummary, sequence_loss_and_grad, simulate_bptt
from .gd import GDResult, initial_weights, loss_and_grad, simulate_gd, simulate_gd_batch
from .recover import (
    AlignedModes,
    EffectiveModes,
    aligned_complex_modes,
    aligned_modes,
    effective_modes,
    effective_products,
)

__all__ = [
    "AlignedModes",
    "BPTTResult",
    "Diagnostics",
    "RunSummary",
    "diagnostics",
    "init",
    "sequence_loss_and_grad",
    "simulate_bptt",
    "Comparison",
    "EffectiveModes",
    "GDResult",
    "aligned_complex_modes",
    "aligned_modes",
    "compare",
    "effective_modes",
    "effective_products",
    "initial_weights",
    "loss_and_grad",
    "simulate_gd",
    "simulate_gd_batch",
]

# ``lrnn_theory.sim.compare`` is the function; the documented names ``sim.compare.Comparison`` and
# ``sim.compare.compare`` (the module's former path) stay valid as its attributes, and the import path
# ``lrnn_theory.sim.compare`` still resolves to the module (now private, ``sim._compare``).
compare.Comparison = Comparison
compare.compare = compare
import sys as _sys  # noqa: E402

_sys.modules.setdefault(__name__ + ".compare", _sys.modules[__name__ + "._compare"])
del _sys
