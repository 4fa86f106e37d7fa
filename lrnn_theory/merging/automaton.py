"""Automaton extraction from hidden states and minimisation (THEORY-EXTENSIONS A.2, A.3, A.8 checks 8 and 10).

An extracted automaton is a :class:`~lrnn_theory.merging.tasks.MooreMachine` plus the
bookkeeping of which strings fell into which state.  Minimisation of a machine that
is not closed is **rejected** with a ``ValueError`` unless ``sink=True``, which sends
every missing transition to one explicit absorbing sink state (output −1) first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_float_array, check_choice, check_positive_float
from .tasks import MooreMachine, check_strings

__all__ = ["ExtractedAutomaton", "MergerReport", "extract_automaton", "merged_fraction_by_length", "merger_report", "minimize",
           "parity_machine"]

RULES = ("first", "nearest")


def parity_machine() -> MooreMachine:
    """The 2-state parity machine: input 1 toggles, input 0 keeps, output = state (A.3)."""
    return MooreMachine(transitions=np.array([[0, 1], [1, 0]]), outputs=np.array([0, 1]), initial=0)


@dataclass(frozen=True)
class ExtractedAutomaton:
    """An automaton read off a network's hidden states (A.2).

    Attributes
    ----------
    machine : MooreMachine
    assignment : ndarray (n_strings,), int
        State of each string.
    strings : tuple of str
    representatives : ndarray (n_states,), int
        Index (into ``strings``) of each state's representative.
    n_conflicts : int
        Transitions on which two members of a state disagreed (the first one is kept).
    epsilon : float
        Distance threshold used.
    """

    machine: MooreMachine
    assignment: np.ndarray
    strings: tuple[str, ...]
    representatives: np.ndarray
    n_conflicts: int
    epsilon: float

    @property
    def n_states(self) -> int:
        return self.machine.n_states

    @property
    def is_closed(self) -> bool:
        return self.machine.is_closed

    def minimize(self, *, sink: bool = False) -> MooreMachine:
        """Minimal equivalent machine (see :func:`minimize`)."""
        return minimize(self.machine, sink=sink)


def extract_automaton(strings, hidden, outputs, c: float = 0.01, *, rule: str = "first") -> ExtractedAutomaton:
    """Cluster hidden states into an automaton (A.2).

    Parameters
    ----------
    strings : sequence of str
        Prefix-closed set of strings including ``""`` (whose state is ``h_0``).
    hidden : array (n, P)
        Hidden vector of each string.
    outputs : array (n, K)
        Network output of each string; a state's output is the argmax at its representative.
    c : float > 0
        Threshold factor: ``ε = c · ‖std over strings, per coordinate‖``.
    rule : {"first", "nearest"}
        Assign a vector to the first representative within ``ε`` (reference behaviour) or
        to the nearest one within ``ε``; otherwise it opens a new state.
    """
    strings = check_strings("strings", strings)
    hidden = as_float_array("hidden", hidden, ndim=2)
    outputs = as_float_array("outputs", outputs, ndim=2)
    c = check_positive_float("c", c)
    rule = check_choice("rule", rule, RULES)
    n = len(strings)
    if hidden.shape[0] != n or outputs.shape[0] != n:
        raise ValueError(f"hidden and outputs must have one row per string ({n}), got {hidden.shape} and {outputs.shape}")
    index = {s: i for i, s in enumerate(strings)}
    if len(index) != n:
        raise ValueError("strings must not repeat")
    if "" not in index:
        raise ValueError("strings must contain the empty string '' (the initial state)")
    eps = c * float(np.linalg.norm(hidden.std(axis=0)))
    reps: list[int] = []
    assignment = np.empty(n, dtype=np.int64)
    R = np.empty((0, hidden.shape[1]))
    for i in range(n):
        if reps:
            dist = np.linalg.norm(R - hidden[i], axis=1)
            within = np.flatnonzero(dist <= eps)
            if within.size:
                assignment[i] = within[0] if rule == "first" else within[np.argmin(dist[within])]
                continue
        reps.append(i)
        R = np.vstack([R, hidden[i]])
        assignment[i] = len(reps) - 1
    trans = -np.ones((len(reps), 2), dtype=np.int64)
    conflicts = 0
    for i, s in enumerate(strings):
        q = assignment[i]
        for a in (0, 1):
            j = index.get(s + "01"[a])
            if j is None:
                continue
            if trans[q, a] < 0:
                trans[q, a] = assignment[j]
            elif trans[q, a] != assignment[j]:
                conflicts += 1
    machine = MooreMachine(transitions=trans, outputs=np.argmax(outputs[reps], axis=1).astype(np.int64),
                           initial=int(assignment[index[""]]))
    return ExtractedAutomaton(machine=machine, assignment=assignment, strings=tuple(strings),
                              representatives=np.asarray(reps), n_conflicts=conflicts, epsilon=eps)


def minimize(machine: MooreMachine, *, sink: bool = False) -> MooreMachine:
    """Minimal Moore machine by Hopcroft partition refinement (A.3).

    Restricts to states reachable from the initial state, starts from the partition by
    output and splits blocks by predecessor sets, keeping the smaller half in the worklist
    (``O(n log n)``).  A machine that is not closed raises ``ValueError`` unless
    ``sink=True`` (missing transitions then go to an absorbing sink with output −1).
    The quotient's states are numbered in breadth-first order from the initial state.
    """
    if not isinstance(machine, MooreMachine):
        raise TypeError(f"machine must be a MooreMachine, got {type(machine).__name__}")
    T = np.array(machine.transitions, dtype=np.int64)
    out = np.array(machine.outputs, dtype=np.int64)
    if not machine.is_closed:
        if not sink:
            raise ValueError("machine is not closed (missing transitions); pass sink=True to complete it with a sink state")
        s = T.shape[0]
        T = np.vstack([np.where(T < 0, s, T), [[s, s]]])
        out = np.append(out, -1)
    # reachable states, breadth first
    order, seen = [machine.initial], {machine.initial}
    for q in order:
        for a in (0, 1):
            r = int(T[q, a])
            if r not in seen:
                seen.add(r)
                order.append(r)
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
    while work:
        b, a = work.pop()
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
                if (x, a2) in work:
                    work.append((y, a2))
                else:
                    work.append((x, a2) if len(inside) <= len(outside) else (y, a2))
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
    trans = np.array([[num[int(block_of[T[next(iter(blocks[b])), a]])] for a in (0, 1)] for b in order_b], dtype=np.int64)
    outs = np.array([out[next(iter(blocks[b]))] for b in order_b], dtype=np.int64)
    return MooreMachine(transitions=trans, outputs=outs, initial=0)


@dataclass(frozen=True)
class MergerReport:
    """Check 10 of A.8: pairs of strings sharing a state and how many agree on every future output."""

    n_pairs: int
    n_agreeing: int

    @property
    def fraction(self) -> float:
        return 1.0 if self.n_pairs == 0 else self.n_agreeing / self.n_pairs


def merger_report(extracted: ExtractedAutomaton, target, L_max: int) -> MergerReport:
    """Do strings merged into one state agree on all future outputs within the training horizon? (A.8 check 10)

    ``target(string) -> int`` is the task's label.  Two strings ``s_1, s_2`` of one state
    agree when ``target(s_1 c) = target(s_2 c)`` for every continuation ``c`` (including
    the empty one) with ``max(|s_1|, |s_2|) + |c| <= L_max``.
    """
    if not isinstance(extracted, ExtractedAutomaton):
        raise TypeError(f"extracted must be an ExtractedAutomaton, got {type(extracted).__name__}")
    if not callable(target):
        raise TypeError("target must be a callable string -> label")
    from .._validation import check_int
    from .tasks import all_strings

    L_max = check_int("L_max", L_max, minimum=1)
    conts = [""] + all_strings(L_max) if L_max else [""]
    clen = np.array([len(c) for c in conts])
    sig = {}
    for s in extracted.strings:
        if len(s) <= L_max:
            room = L_max - len(s)
            sig[s] = np.array([target(s + c) for c in conts[: int(np.sum(clen <= room))]])
    n_pairs = n_agree = 0
    for q in range(extracted.n_states):
        members = [s for s, a in zip(extracted.strings, extracted.assignment) if a == q and s in sig]
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                k = min(sig[members[i]].size, sig[members[j]].size)
                n_pairs += 1
                n_agree += bool(np.array_equal(sig[members[i]][:k], sig[members[j]][:k]))
    return MergerReport(n_pairs=n_pairs, n_agreeing=n_agree)


def merged_fraction_by_length(extracted: ExtractedAutomaton, task: MooreMachine, L_max: int) -> np.ndarray:
    """Fraction of agreeing pairs of lengths ``(m_1, m_2)`` that share an extracted state (A-F4).

    Two strings *agree* when they reach the same state of the task's minimal machine (identical
    outputs on every continuation).  Returns ``F`` of shape (L_max, L_max) with
    ``F[m_1 - 1, m_2 - 1]`` the merged fraction (pairs of distinct strings; NaN where no pair exists).
    """
    if not isinstance(extracted, ExtractedAutomaton):
        raise TypeError(f"extracted must be an ExtractedAutomaton, got {type(extracted).__name__}")
    from .._validation import check_int

    L_max = check_int("L_max", L_max, minimum=1)
    minimal = minimize(task)
    n_q, n_t = extracted.n_states, minimal.n_states
    counts = np.zeros((L_max + 1, n_q, n_t))
    for s, q in zip(extracted.strings, extracted.assignment):
        if 1 <= len(s) <= L_max:
            counts[len(s), q, minimal.state(s)] += 1
    per_task = counts.sum(axis=1)  # (L, n_t)
    merged = np.einsum("aqt,bqt->ab", counts, counts)
    total = np.einsum("at,bt->ab", per_task, per_task)
    diag = np.arange(L_max + 1)
    merged[diag, diag] -= counts.sum(axis=(1, 2))  # drop each string paired with itself
    total[diag, diag] -= per_task.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(total > 0, merged / np.where(total > 0, total, 1), np.nan)
    return frac[1:, 1:]
