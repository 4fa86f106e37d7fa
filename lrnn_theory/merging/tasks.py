"""Streaming parity and random regular tasks (theory guide :ref:`merging-task`; van Rossem & Saxe (2025)).

Strings are Python ``str`` over the alphabet ``"01"``.  The training set is every
string of length ``1..L_max`` (optionally each kept with probability ``p``), targets
are one-hot in ``R^2``, and an epoch visits lengths in increasing order, shuffling
within a length (:ref:`merging-task`).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from .._validation import check_int, check_positive_float, check_seed

__all__ = ["MooreMachine", "ParityData", "all_strings", "check_strings", "epoch_batches", "one_hot", "parity",
           "parity_data", "random_moore_machine"]


def check_strings(name: str, strings) -> list[str]:
    """A list of strings over ``"01"`` or a ``ValueError``/``TypeError`` naming ``name``."""
    if isinstance(strings, str):
        strings = [strings]
    out = list(strings)
    for s in out:
        if not isinstance(s, str):
            raise TypeError(f"{name} must contain strings over '01', got {type(s).__name__} {s!r}")
        if s.strip("01"):
            raise ValueError(f"{name} must contain only the symbols 0 and 1, got {s!r}")
    return out


def all_strings(L_max: int, *, include_empty: bool = False) -> list[str]:
    """Every binary string of length ``1..L_max`` (and ``""`` first if asked), by length then lexicographically."""
    L_max = check_int("L_max", L_max, minimum=1, maximum=24)
    out = [""] if include_empty else []
    for m in range(1, L_max + 1):
        out.extend("".join(bits) for bits in product("01", repeat=m))
    return out


def parity(strings) -> np.ndarray:
    """``(Σ_t x_t) mod 2`` for each string (:ref:`merging-task`), shape (n,)."""
    return np.array([s.count("1") % 2 for s in check_strings("strings", strings)], dtype=np.int64)


def one_hot(strings) -> tuple[np.ndarray, np.ndarray]:
    """One-hot inputs of equal-length strings: ``X`` (n, m, 2), and the lengths (n,)."""
    strings = check_strings("strings", strings)
    lengths = np.array([len(s) for s in strings])
    X = np.zeros((len(strings), int(lengths.max(initial=0)), 2))
    for i, s in enumerate(strings):
        idx = np.frombuffer(s.encode(), dtype=np.uint8) - ord("0")
        X[i, np.arange(len(s)), idx] = 1.0
    return X, lengths


@dataclass(frozen=True)
class ParityData:
    """A streaming-parity (or regular-task) training set (:ref:`merging-task`).

    Attributes
    ----------
    strings : tuple of str
        Training strings, by length then lexicographically.
    labels : ndarray (n,), int
        Target symbol of each string.
    L_max : int
    p : float
        Data fraction used to subsample.
    """

    strings: tuple[str, ...]
    labels: np.ndarray
    L_max: int
    p: float

    def by_length(self) -> dict[int, np.ndarray]:
        """Indices of the strings of each length."""
        lengths = np.array([len(s) for s in self.strings])
        return {int(m): np.flatnonzero(lengths == m) for m in np.unique(lengths)}


def parity_data(L_max: int = 10, p: float = 1.0, *, seed: int = 0, machine: "MooreMachine | None" = None) -> ParityData:
    """All strings up to ``L_max``, each kept with probability ``p`` (:ref:`merging-task`), labelled by parity or by ``machine``."""
    L_max = check_int("L_max", L_max, minimum=1, maximum=24)
    p = check_positive_float("p", p)
    if p > 1:
        raise ValueError(f"p must be in (0, 1], got {p!r}")
    strings = all_strings(L_max)
    if p < 1:
        keep = np.random.default_rng(check_seed("seed", seed)).uniform(size=len(strings)) < p
        strings = [s for s, k in zip(strings, keep) if k]
        if not strings:
            raise ValueError(f"p = {p} kept no string; use a larger p or another seed")
    labels = parity(strings) if machine is None else np.array([machine.output(s) for s in strings], dtype=np.int64)
    return ParityData(strings=tuple(strings), labels=labels, L_max=L_max, p=p)


def epoch_batches(data: ParityData, batch: int = 128, *, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch (:ref:`merging-task`): lengths in increasing order, each length shuffled and cut into mini-batches of indices."""
    batch = check_int("batch", batch, minimum=1)
    out = []
    for _, idx in sorted(data.by_length().items()):
        idx = rng.permutation(idx)
        out.extend(idx[i:i + batch] for i in range(0, idx.size, batch))
    return out


@dataclass(frozen=True)
class MooreMachine:
    """A deterministic Moore machine over ``"01"``: ``transitions[q, a]`` (−1 = missing), ``outputs[q]``, ``initial``."""

    transitions: np.ndarray
    outputs: np.ndarray
    initial: int = 0

    @property
    def n_states(self) -> int:
        return int(self.transitions.shape[0])

    @property
    def is_closed(self) -> bool:
        """Every state has a transition for both symbols."""
        return bool(np.all(self.transitions >= 0))

    def state(self, string: str) -> int:
        """State reached after reading ``string`` (``ValueError`` on a missing transition)."""
        q = self.initial
        for ch in check_strings("string", [string])[0]:
            q = int(self.transitions[q, ord(ch) - 48])
            if q < 0:
                raise ValueError(f"string {string!r} leaves the automaton through a missing transition")
        return q

    def output(self, string: str) -> int:
        """Output symbol after reading ``string``."""
        return int(self.outputs[self.state(string)])

    def minimize(self, *, sink: bool = False) -> "MooreMachine":
        """The minimal equivalent machine (:func:`lrnn_theory.merging.minimize`; not closed: ``ValueError`` unless ``sink``)."""
        from .automaton import minimize

        return minimize(self, sink=sink)


def random_moore_machine(n_states_max: int = 7, p_new: float = 0.75, *, seed: int = 0) -> MooreMachine:
    """A random connected Moore machine (:ref:`merging-task` random regular tasks).

    States are discovered breadth-first from state 0; each missing transition opens a new
    state with probability ``p_new`` (while fewer than ``n_states_max`` exist), otherwise
    points to a uniformly chosen existing state.  Outputs are uniform in {0, 1}.
    """
    n_max = check_int("n_states_max", n_states_max, minimum=1)
    p_new = check_positive_float("p_new", p_new, allow_zero=True)
    if p_new > 1:
        raise ValueError(f"p_new must be in [0, 1], got {p_new!r}")
    rng = np.random.default_rng(check_seed("seed", seed))
    trans = [[-1, -1]]
    q = 0
    while q < len(trans):
        for a in (0, 1):
            if len(trans) < n_max and rng.uniform() < p_new:
                trans.append([-1, -1])
                trans[q][a] = len(trans) - 1
            else:
                trans[q][a] = int(rng.integers(len(trans)))
        q += 1
    outputs = rng.integers(0, 2, size=len(trans))
    return MooreMachine(transitions=np.array(trans, dtype=np.int64), outputs=outputs.astype(np.int64), initial=0)
