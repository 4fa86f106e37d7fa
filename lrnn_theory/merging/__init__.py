"""Implicit state merging on streaming parity (van Rossem & Saxe, ICML 2025; THEORY-EXTENSIONS Part A).

* :mod:`~lrnn_theory.merging.tasks`: streaming parity and random regular tasks (A.1);
* :mod:`~lrnn_theory.merging.automaton`: automaton extraction from hidden states,
  Hopcroft minimisation, merger bookkeeping (A.2, A.3, A.8 checks 8 and 10).
"""
from .automaton import ExtractedAutomaton, MergerReport, extract_automaton, merger_report, minimize, parity_machine
from .tasks import MooreMachine, ParityData, all_strings, epoch_batches, one_hot, parity, parity_data, random_moore_machine

__all__ = [
    "ExtractedAutomaton",
    "MergerReport",
    "MooreMachine",
    "ParityData",
    "all_strings",
    "epoch_batches",
    "extract_automaton",
    "merger_report",
    "minimize",
    "one_hot",
    "parity",
    "parity_data",
    "parity_machine",
    "random_moore_machine",
]
