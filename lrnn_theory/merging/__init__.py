"""Implicit state merging on streaming parity (van Rossem & Saxe, ICML 2025; THEORY-EXTENSIONS Part A).

* :mod:`~lrnn_theory.merging.tasks`: streaming parity and random regular tasks (A.1);
* :mod:`~lrnn_theory.merging.automaton`: automaton extraction from hidden states (relative
  threshold ``c`` or absolute ``epsilon``; clusters unreachable from ``h_0`` reported and dropped),
  Hopcroft minimisation, merger bookkeeping (A.2, A.3, A.8 checks 8 and 10);
* :mod:`~lrnn_theory.merging.rnn`: the Elman RNN and its numba BPTT (A.1);
* :mod:`~lrnn_theory.merging.train`: :func:`train_parity` with automaton tracking at a per-epoch
  or run-wide threshold (``epsilon_scope``) (A.1, A.7);
* :mod:`~lrnn_theory.merging.interaction`: the interaction model, its reduced and regular
  forms, invariant, ``H_∞``, Bernoulli solution, and the fixed-expansion-point closure (A.4–A.5).
"""
from . import interaction
from .automaton import (
    Automaton,
    ExtractedAutomaton,
    StateMergers,
    MergerReport,
    extract_automaton,
    merged_fraction_by_length,
    merger_report,
    minimize,
    parity_machine,
    prefix_strings,
    state_mergers,
)
from .rnn import ElmanParams, batch_loss_and_grad, hidden_states, init_params, predict
from .train import ParityRun, phase_point, prefix_tree_states, train_parity
from .tasks import MooreMachine, ParityData, all_strings, epoch_batches, one_hot, parity, parity_data, random_moore_machine

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
