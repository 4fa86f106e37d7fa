"""Implicit state merging on streaming parity (van Rossem & Saxe, ICML 2025; theory guide :ref:`merging`).

* :mod:`~lrnn_theory.merging.tasks`: streaming parity and random regular tasks (:ref:`merging-task`);
* :mod:`~lrnn_theory.merging.automaton`: automaton extraction from hidden states (relative
  threshold ``c`` or absolute ``epsilon``; clusters unreachable from ``h_0`` reported and dropped),
  Hopcroft minimisation, merger bookkeeping (:ref:`merging-automaton`, :ref:`merging-minimisation`, :ref:`theory-checks-merging`);
* :mod:`~lrnn_theory.merging.rnn`: the Elman RNN and its numba BPTT (:ref:`merging-task`);
* :mod:`~lrnn_theory.merging.train`: :func:`train_parity` with automaton tracking at a per-epoch
  or run-wide threshold (``epsilon_scope``) (:ref:`merging-task`, :ref:`merging-protocol`);
* :mod:`~lrnn_theory.merging.interaction`: the interaction model, its reduced and regular
  forms, invariant, ``H_∞``, Bernoulli solution, and the fixed-expansion-point closure (:ref:`merging-interaction`, :ref:`merging-fixed-expansion`).
"""
from . import interaction
from .automaton import (
    Automaton,
    ExtractedAutomaton,
    MergerReport,
    StateMergers,
    extract_automaton,
    merged_fraction_by_length,
    merger_report,
    minimize,
    parity_machine,
    prefix_strings,
    state_mergers,
)
from .rnn import ElmanParams, batch_loss_and_grad, hidden_states, init_params, predict
from .tasks import (
    MooreMachine,
    ParityData,
    all_strings,
    epoch_batches,
    one_hot,
    parity,
    parity_data,
    random_moore_machine,
)
from .train import ParityRun, phase_point, prefix_tree_states, train_parity

__all__ = [
    "interaction",
    "Automaton",
    "ElmanParams",
    "StateMergers",
    "ExtractedAutomaton",
    "ParityRun",
    "batch_loss_and_grad",
    "hidden_states",
    "init_params",
    "predict",
    "prefix_tree_states",
    "train_parity",
    "MergerReport",
    "MooreMachine",
    "ParityData",
    "all_strings",
    "epoch_batches",
    "extract_automaton",
    "merged_fraction_by_length",
    "merger_report",
    "minimize",
    "one_hot",
    "parity",
    "parity_data",
    "parity_machine",
    "phase_point",
    "prefix_strings",
    "state_mergers",
    "random_moore_machine",
]
