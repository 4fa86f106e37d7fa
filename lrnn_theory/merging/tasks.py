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
    """A list of strings over ``"01"`` or a ``ValueError``/``TypeError`` naming ``name`` (:ref:`merging-task`).

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    strings : str or iterable of str
        A single string is wrapped in a list.

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        An element that is not a ``str``.
    ValueError
        A symbol other than 0 and 1.

    Examples
    --------
    >>> from lrnn_theory.merging.tasks import check_strings
    >>> check_strings("strings", "0110")
    ['0110']
    >>> check_strings("strings", ["01", "2"])
    Traceback (most recent call last):
        ...
    ValueError: strings must contain only the symbols 0 and 1, got '2'
    """
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
    """Every binary string of length ``1..L_max`` (and ``""`` first if asked), by length then lexicographically (:ref:`merging-task`).

    Parameters
    ----------
    L_max : int, 1 <= L_max <= 24
    include_empty : bool

    Returns
    -------
    list of str
        ``2**(L_max + 1) - 2`` strings (one more with ``""``).

    Raises
    ------
    TypeError
        A non-integer ``L_max``.
    ValueError
        ``L_max ∉ [1, 24]``.

    Examples
    --------
    >>> from lrnn_theory.merging import all_strings
    >>> all_strings(2)
    ['0', '1', '00', '01', '10', '11']
    >>> len(all_strings(3, include_empty=True))
    15
    """
    L_max = check_int("L_max", L_max, minimum=1, maximum=24)
    out = [""] if include_empty else []
    for m in range(1, L_max + 1):
        out.extend("".join(bits) for bits in product("01", repeat=m))
    return out


def parity(strings) -> np.ndarray:
    """``(Σ_t x_t) mod 2`` for each string (:ref:`merging-task`), shape (n,).

    Parameters
    ----------
    strings : str or iterable of str over ``"01"``

    Returns
    -------
    ndarray, int64, shape (n,)

    Raises
    ------
    TypeError, ValueError
        As :func:`check_strings`.

    Examples
    --------
    >>> from lrnn_theory.merging import parity
    >>> parity(["", "1", "11", "0101", "111"]).tolist()
    [0, 1, 0, 0, 1]
    """
    return np.array([s.count("1") % 2 for s in check_strings("strings", strings)], dtype=np.int64)


def one_hot(strings) -> tuple[np.ndarray, np.ndarray]:
    """One-hot inputs of strings: ``X`` (n, m, 2), and the lengths (n,) (:ref:`merging-task`).

    ``m`` is the longest length; shorter strings are zero-padded at the end.

    Parameters
    ----------
    strings : str or iterable of str over ``"01"``

    Returns
    -------
    X : ndarray, shape (n, m, 2)
        ``X[i, t, a] = 1`` where symbol ``t`` of string ``i`` is ``a``.
    lengths : ndarray, int, shape (n,)

    Raises
    ------
    TypeError, ValueError
        As :func:`check_strings`.

    Examples
    --------
    >>> from lrnn_theory.merging import one_hot
    >>> X, lengths = one_hot(["01", "1"])
    >>> X.shape, lengths.tolist(), X[0].tolist()
    ((2, 2, 2), [2, 1], [[1.0, 0.0], [0.0, 1.0]])
    """
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

    Examples
    --------
    >>> from lrnn_theory.merging import parity_data
    >>> data = parity_data(3)
    >>> len(data.strings), data.strings[:3], data.labels[:3].tolist()
    (14, ('0', '1', '00'), [0, 1, 0])
    >>> data.by_length()[2].tolist()  # indices of the strings of length 2
    [2, 3, 4, 5]
    """

    strings: tuple[str, ...]
    labels: np.ndarray
    L_max: int
    p: float

    def by_length(self) -> dict[int, np.ndarray]:
        """Indices of the strings of each length."""
        lengths = np.array([len(s) for s in self.strings])
        return {int(m): np.flatnonzero(lengths == m) for m in np.unique(lengths)}


def parity_data(L_max: int = 10, p: float = 1.0, *, seed: int = 0, machine: MooreMachine | None = None) -> ParityData:
    """All strings up to ``L_max``, each kept with probability ``p`` (:ref:`merging-task`), labelled by parity or by ``machine``.

    Parameters
    ----------
    L_max : int, 1 <= L_max <= 24
        Longest training string.
    p : float in (0, 1]
        Fraction of strings kept (each independently).
    seed : int
        Seeds the subsampling (used only when ``p < 1``).
    machine : MooreMachine, optional
        Label strings by ``machine.output`` instead of parity.

    Returns
    -------
    ParityData

    Raises
    ------
    TypeError
        A non-integer ``L_max`` or ``seed``, or a non-numeric ``p``.
    ValueError
        ``L_max ∉ [1, 24]``, ``p ∉ (0, 1]``, a negative ``seed``, no string kept, or a string
        that leaves ``machine`` through a missing transition.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import parity, parity_data
    >>> data = parity_data(4)
    >>> len(data.strings), data.L_max, bool(np.all(data.labels == parity(data.strings)))
    (30, 4, True)
    """
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
    """One epoch (:ref:`merging-task`): lengths in increasing order, each length shuffled and cut into mini-batches of indices.

    Parameters
    ----------
    data : ParityData
    batch : int >= 1
        Largest mini-batch (the last batch of a length may be smaller).
    rng : numpy.random.Generator
        Source of the shuffles.

    Returns
    -------
    list of ndarray
        Indices into ``data.strings``; every batch holds strings of one length.

    Raises
    ------
    TypeError, ValueError
        ``batch`` not an integer ``>= 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import epoch_batches, parity_data
    >>> batches = epoch_batches(parity_data(3), batch=3, rng=np.random.default_rng(0))
    >>> [len(b) for b in batches]  # lengths 1, 2 (4 strings), 3 (8 strings)
    [2, 3, 1, 3, 3, 2]
    """
    batch = check_int("batch", batch, minimum=1)
    out = []
    for _, idx in sorted(data.by_length().items()):
        idx = rng.permutation(idx)
        out.extend(idx[i:i + batch] for i in range(0, idx.size, batch))
    return out


def _int_array(name: str, value, ndim: int) -> np.ndarray:
    """``value`` as an int64 array of ``ndim`` dimensions (integer-valued floats accepted), or a TypeError/ValueError naming it."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of integers, got {type(value).__name__}")
    arr = np.asarray(value)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "biu":
        raise TypeError(f"{name} must be an array of integers, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    return arr.astype(np.int64, copy=False)


@dataclass(frozen=True)
class MooreMachine:
    """A deterministic Moore machine over ``"01"``: ``transitions[q, a]`` (−1 = missing), ``outputs[q]``, ``initial`` (:ref:`merging-automaton`).

    Attributes
    ----------
    transitions : ndarray, int, shape (n_states, 2)
        Successor of state ``q`` on symbol ``a``; ``-1`` where missing.
    outputs : ndarray, int, shape (n_states,)
        Output symbol of each state.
    initial : int
        Initial state.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import MooreMachine
    >>> m = MooreMachine(transitions=np.array([[0, 1], [1, 0]]), outputs=np.array([0, 1]))  # parity
    >>> m.n_states, m.is_closed, m.output("0110"), m.output("111")
    (2, True, 0, 1)
    """

    transitions: np.ndarray
    outputs: np.ndarray
    initial: int = 0

    def __post_init__(self):
        T = _int_array("transitions", self.transitions, 2)
        if T.shape[0] < 1 or T.shape[1] != 2:
            raise ValueError(f"transitions must have shape (n_states, 2) with n_states >= 1, got {T.shape}")
        n = T.shape[0]
        if np.any((T < -1) | (T >= n)):
            raise ValueError(f"transitions must hold states 0..{n - 1} or -1 (missing), got values in "
                             f"[{int(T.min())}, {int(T.max())}]")
        out = _int_array("outputs", self.outputs, 1)
        if out.shape != (n,):
            raise ValueError(f"outputs must have one entry per state ({n}), got shape {out.shape}")
        object.__setattr__(self, "transitions", T)
        object.__setattr__(self, "outputs", out)
        object.__setattr__(self, "initial", check_int("initial", self.initial, minimum=0, maximum=n - 1))

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

    def minimize(self, *, sink: bool = False) -> MooreMachine:
        """The minimal equivalent machine (:func:`lrnn_theory.merging.minimize`; not closed: ``ValueError`` unless ``sink``)."""
        return _minimal_machine(self, sink=sink)


def _minimal_machine(machine: MooreMachine, *, sink: bool = False) -> MooreMachine:
    """Hopcroft minimisation of a :class:`MooreMachine`: the algorithm behind :func:`lrnn_theory.merging.minimize`
    (which also accepts an extracted automaton and documents the conventions); lives here, beside the machine,
    so that :meth:`MooreMachine.minimize` needs no import of the extraction module."""
    T = np.array(machine.transitions, dtype=np.int64)
    out = np.array(machine.outputs, dtype=np.int64)
    # reachable states, breadth first; closure is judged on them only
    order, seen = [int(machine.initial)], {int(machine.initial)}
    for q in order:
        for a in (0, 1):
            r = int(T[q, a])
            if r >= 0 and r not in seen:
                seen.add(r)
                order.append(r)
    if np.any(T[order] < 0):
        if not sink:
            raise ValueError("machine is not closed (a state reachable from the initial state lacks a transition for "
                             "0 or 1), so it has no minimal closed quotient; pass sink=True to complete it with an "
                             "absorbing sink state first")
        s = T.shape[0]
        T = np.vstack([np.where(T < 0, s, T), [[s, s]]])
        out = np.append(out, -1)
        order.append(s)
    pos = {q: i for i, q in enumerate(order)}
    T = np.array([[pos[int(T[q, a])] for a in (0, 1)] for q in order], dtype=np.int64)
    out = out[order]
    n = len(order)
    pred = [[[] for _ in range(n)] for _ in range(2)]
    for q in range(n):
        for a in (0, 1):
            pred[a][T[q, a]].append(q)
    blocks = [set(np.flatnonzero(out == v).tolist()) for v in np.unique(out)]
    block_of = np.empty(n, dtype=np.int64)
    for b, members in enumerate(blocks):
        block_of[list(members)] = b
    work = [(b, a) for b in range(len(blocks)) for a in (0, 1)]
    in_work = set(work)
    while work:
        b, a = work.pop()
        in_work.discard((b, a))
        splitter = {p for q in blocks[b] for p in pred[a][q]}
        for x in {int(block_of[p]) for p in splitter}:
            inside = blocks[x] & splitter
            outside = blocks[x] - splitter
            if not inside or not outside:
                continue
            blocks[x] = inside
            blocks.append(outside)
            y = len(blocks) - 1
            block_of[list(outside)] = y
            for a2 in (0, 1):
                new = (y, a2) if (x, a2) in in_work or len(inside) > len(outside) else (x, a2)
                work.append(new)
                in_work.add(new)
    # quotient, renumbered breadth first from the initial block
    first = int(block_of[0])
    order_b, seen_b = [first], {first}
    for b in order_b:
        q = next(iter(blocks[b]))
        for a in (0, 1):
            r = int(block_of[T[q, a]])
            if r not in seen_b:
                seen_b.add(r)
                order_b.append(r)
    num = {b: i for i, b in enumerate(order_b)}
    rep = {b: next(iter(blocks[b])) for b in order_b}
    trans = np.array([[num[int(block_of[T[rep[b], a]])] for a in (0, 1)] for b in order_b], dtype=np.int64)
    outs = np.array([out[rep[b]] for b in order_b], dtype=np.int64)
    return MooreMachine(transitions=trans, outputs=outs, initial=0)


def random_moore_machine(n_states_max: int = 7, p_new: float = 0.75, *, seed: int = 0) -> MooreMachine:
    """A random connected Moore machine (:ref:`merging-task` random regular tasks).

    States are discovered breadth-first from state 0; each missing transition opens a new
    state with probability ``p_new`` (while fewer than ``n_states_max`` exist), otherwise
    points to a uniformly chosen existing state.  Outputs are uniform in {0, 1}.

    Parameters
    ----------
    n_states_max : int >= 1
    p_new : float in [0, 1]
    seed : int

    Returns
    -------
    MooreMachine
        Closed, every state reachable from state 0.

    Raises
    ------
    TypeError
        A non-integer ``n_states_max`` or ``seed``, or a non-numeric ``p_new``.
    ValueError
        ``n_states_max < 1``, ``p_new ∉ [0, 1]`` or a negative ``seed``.

    Examples
    --------
    >>> from lrnn_theory.merging import random_moore_machine
    >>> m = random_moore_machine(4, seed=0)
    >>> m.n_states <= 4, m.is_closed, m.minimize().n_states <= m.n_states
    (True, True, True)
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
