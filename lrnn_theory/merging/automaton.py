"""Automaton extraction from hidden states, minimisation and merger bookkeeping.

theory guide :ref:`merging-automaton`; van Rossem & Saxe (2025) (extraction on the prefix tree), :ref:`merging-minimisation` (Hopcroft / Moore partition
refinement) and :ref:`theory-checks-merging`.

* :func:`prefix_strings` builds the prefix tree ``"", "0", "1", "00", ...`` (:ref:`merging-automaton`);
* :func:`extract_automaton` clusters the hidden vectors ``h(s)`` of the tree into the states
  of an :class:`Automaton` (alias :class:`ExtractedAutomaton`), counting non-deterministic
  transition conflicts instead of overwriting them and dropping (and reporting) the clusters
  that are unreachable from the initial state; the threshold is relative (``c``, scaled by the
  spread of the given hidden states) or absolute (``epsilon``);
* :func:`minimize` (and :meth:`Automaton.minimize`) is Hopcroft's refinement restricted to the
  states reachable from the initial state.  **A machine whose reachable part is not closed is
  rejected** with a ``ValueError`` unless ``sink=True``, which first sends every missing transition to one
  explicit absorbing sink state with output ``-1`` (:ref:`theory-checks-merging` asks for this choice to be
  documented);
* :func:`merger_report` (strings sharing one state) and :func:`state_mergers` (states merged
  between two successive extractions) implement the bookkeeping of :ref:`theory-checks-merging`: merged strings
  must agree on every future output within the training horizon;
* :func:`parity_machine` (alias :func:`parity_automaton`) is the canonical two-state parity
  machine and :func:`~lrnn_theory.merging.tasks.random_moore_machine` (re-exported) the
  random regular task generator of :ref:`merging-task`.

Machines are :class:`~lrnn_theory.merging.tasks.MooreMachine` objects over the alphabet
``"01"`` (``transitions[q, a]``, ``-1`` where missing; ``outputs[q]``; ``initial``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from .._validation import as_float_array, check_choice, check_int, check_positive_float
from .tasks import MooreMachine, _minimal_machine, check_strings, random_moore_machine

__all__ = ["Automaton", "ExtractedAutomaton", "MergerReport", "StateMergers", "extract_automaton",
           "merged_fraction_by_length", "merger_report", "minimize", "parity_automaton", "parity_machine",
           "prefix_strings", "random_moore_machine", "state_mergers"]

#: Cluster-assignment rules of theory guide :ref:`merging-automaton`: first representative within ε (reference) or nearest one.
RULES = ("first", "nearest")


def prefix_strings(L_max: int) -> list[str]:
    """The prefix tree of :ref:`merging-automaton`: ``""`` then every binary string of length ``1..L_max``.

    Parameters
    ----------
    L_max : int, 0 <= L_max <= 20
        Longest string (the training length of :ref:`merging-task`).

    Returns
    -------
    list of str
        ``2**(L_max + 1) - 1`` strings ordered by length, then lexicographically, so that the
        children ``s0, s1`` of a string always follow it.

    Raises
    ------
    TypeError
        A non-integer ``L_max``.
    ValueError
        ``L_max ∉ [0, 20]``.

    Examples
    --------
    >>> from lrnn_theory.merging import prefix_strings
    >>> prefix_strings(2)
    ['', '0', '1', '00', '01', '10', '11']
    >>> len(prefix_strings(3)) == 2 ** 4 - 1
    True
    """
    L_max = check_int("L_max", L_max, minimum=0, maximum=20)
    out = [""]
    for m in range(1, L_max + 1):
        out.extend("".join(bits) for bits in product("01", repeat=m))
    return out


def parity_machine() -> MooreMachine:
    """The two-state parity machine of :ref:`merging-minimisation`: input 1 toggles, input 0 keeps, output = state.

    Returns
    -------
    MooreMachine
        ``transitions = [[0, 1], [1, 0]]``, ``outputs = [0, 1]``, ``initial = 0``.

    Examples
    --------
    >>> from lrnn_theory.merging import parity_machine
    >>> m = parity_machine()
    >>> m.transitions.tolist(), m.output("0110"), m.output("111")
    ([[0, 1], [1, 0]], 0, 1)
    """
    return MooreMachine(transitions=np.array([[0, 1], [1, 0]], dtype=np.int64), outputs=np.array([0, 1], dtype=np.int64),
                        initial=0)


#: Alias of :func:`parity_machine` (theory guide :ref:`merging-minimisation`).
parity_automaton = parity_machine


@dataclass(frozen=True)
class Automaton:
    """An automaton read off a network's hidden states (van Rossem & Saxe, 2025).

    The hidden vectors are first clustered; each cluster is a candidate state.  The transitions
    of a cluster are read from its members (see :func:`extract_automaton`), and the
    :attr:`machine` keeps only the clusters **reachable from the initial state** through those
    transitions.  A cluster can be unreachable when every member was reached through a
    transition that another member of the predecessor cluster had already set to a different
    target (a non-deterministic conflict); it is reported in :attr:`unreachable` and dropped,
    so that closure, minimisation and :meth:`run` concern only the machine that reading strings
    from ``h_0`` can visit.

    Clusters are numbered with the reachable ones first (``0 .. n_states - 1``, in order of
    first appearance, equal to the states of :attr:`machine`), then the unreachable ones
    (``n_states .. n_clusters - 1``, in order of first appearance).

    Attributes
    ----------
    machine : MooreMachine
        The reachable machine: states ``0 .. n_states - 1``, transitions (``-1`` where no member
        had the extension), outputs and initial state.
    assignment : ndarray (n_strings,), int
        Cluster of each string; values ``>= n_states`` are dropped (unreachable) clusters.
    strings : tuple of str
        The prefix-closed strings the automaton was extracted from.
    representatives : ndarray (n_clusters,), int
        Index into ``strings`` of each cluster's representative (its first member).
    n_conflicts : int
        Non-deterministic transitions: member extensions ``s a`` whose cluster differs from the
        target already recorded for ``(cluster(s), a)``, counted over all clusters (dropped ones
        included).  The first target is kept.
    epsilon : float
        Absolute distance threshold used: the ``epsilon`` given, or ``c · ‖per-coordinate std‖``.
    transition_source : ndarray (n_states, 2), int
        Index into ``strings`` of the member ``s`` whose extension ``s a`` set each transition
        of :attr:`machine` (``-1`` where missing).
    unreachable : ndarray (n_unreachable,), int
        Dropped clusters, ``arange(n_states, n_clusters)``.
    c : float or None
        Relative threshold factor, or ``None`` when an absolute ``epsilon`` was given.
    initial_output_from_h0 : bool
        ``True`` when the initial state has no member other than ``""``, so its output is the
        argmax of the readout at ``h_0``, a value training never fits (training strings have
        length ``>= 1``).  ``False`` when it comes from a non-empty member.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import extract_automaton, prefix_strings
    >>> strings = prefix_strings(3)
    >>> odd = np.array([s.count("1") % 2 for s in strings])
    >>> ex = extract_automaton(strings, np.eye(2)[odd], np.eye(2)[odd], epsilon=0.1)  # states = parity
    >>> ex.n_states, ex.n_clusters, ex.run("0110"), ex.accepts("1"), ex.transitions.tolist()
    (2, 2, 0, True, [[0, 1], [1, 0]])
    """

    machine: MooreMachine
    assignment: np.ndarray
    strings: tuple[str, ...]
    representatives: np.ndarray
    n_conflicts: int
    epsilon: float
    transition_source: np.ndarray
    unreachable: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    c: float | None = None
    initial_output_from_h0: bool = False

    @property
    def n_states(self) -> int:
        """Number of states of the reachable :attr:`machine`."""
        return self.machine.n_states

    @property
    def n_clusters(self) -> int:
        """Number of clusters, reachable or not (``n_states + len(unreachable)``)."""
        return int(self.representatives.size)

    @property
    def dropped_strings(self) -> np.ndarray:
        """Indices into ``strings`` of the strings whose cluster was dropped as unreachable."""
        return np.flatnonzero(self.assignment >= self.n_states)

    @property
    def initial(self) -> int:
        """State of the empty string (the cluster of ``h_0``)."""
        return int(self.machine.initial)

    @property
    def transitions(self) -> np.ndarray:
        """Array (n_states, 2) of successor states, ``-1`` where missing."""
        return self.machine.transitions

    @property
    def outputs(self) -> np.ndarray:
        """Array (n_states,) of state outputs (see :func:`extract_automaton` for the initial state)."""
        return self.machine.outputs

    @property
    def is_closed(self) -> bool:
        """Every reachable state has a transition for both symbols (unreachable clusters are not judged)."""
        return self.machine.is_closed

    def state(self, string: str) -> int:
        """State reached after reading ``string``; ``ValueError`` if it uses a missing transition."""
        return self.machine.state(string)

    def run(self, string: str) -> int:
        """Output symbol of the automaton after reading ``string`` (``ValueError`` on a missing transition)."""
        return self.machine.output(string)

    def accepts(self, string: str) -> bool:
        """``run(string) == 1`` (acceptance for binary tasks such as parity: odd strings are accepted)."""
        return self.run(string) == 1

    def minimize(self, *, sink: bool = False) -> MooreMachine:
        """Minimal equivalent machine by Hopcroft refinement (see :func:`minimize`).

        Raises
        ------
        ValueError
            If the reachable machine is not closed and ``sink`` is false.
        """
        return minimize(self.machine, sink=sink)

    def draw(self, ax, *, title: str = "") -> None:
        """Draw the automaton on ``ax`` with matplotlib (:func:`lrnn_theory.plot.draw_machine`).

        States on a circle coloured by output, the initial state ringed, arrows for input 0
        solid and for input 1 dashed, labelled by their symbol when there are at most 12 states.
        """
        from ..plot import draw_machine

        draw_machine(ax, self.machine, title=title or f"{self.n_states} states" + ("" if self.is_closed else " (open)"))


#: Name of :class:`Automaton` exported by :mod:`lrnn_theory.merging`.
ExtractedAutomaton = Automaton


def extract_automaton(strings, hidden, outputs, c: float | None = None, *, epsilon: float | None = None,
                      rule: str = "first") -> Automaton:
    """Cluster the hidden states of the prefix tree into an automaton (van Rossem & Saxe, 2025).

    Parameters
    ----------
    strings : sequence of str
        Prefix-closed, repetition-free strings over ``"01"`` containing ``""`` (whose state is
        ``h_0``), e.g. :func:`prefix_strings`.  They are scanned in the given order.
    hidden : array (n_strings, P)
        Hidden vector ``h(s)`` of each string.
    outputs : array (n_strings, K)
        Network output of each string.
    c : float > 0, optional
        Relative threshold (default ``0.01``): ``ε = c · ‖σ‖`` where ``σ`` (P,) is the
        per-coordinate standard deviation of ``hidden`` over the strings (``0.01`` for
        trajectories and snapshots, ``0.1`` for the phase diagram).  ``ε`` thus follows the
        scale of *these* hidden states; to compare several networks (e.g. the epochs of one run)
        at one scale, pass an absolute ``epsilon`` instead.
    epsilon : float > 0, optional
        Absolute threshold (finite).  Giving both ``c`` and ``epsilon`` is an error.
        ``epsilon = c * np.linalg.norm(hidden.std(axis=0))`` gives the same automaton as ``c``.
    rule : {"first", "nearest"}
        Assign a vector to the first representative within ``ε`` (greedy reference behaviour)
        or to the nearest representative within ``ε``; if none is within ``ε`` the vector opens
        a new cluster and becomes its representative.

    Returns
    -------
    Automaton
        Transition ``δ(Q, a)`` = cluster of ``s a`` for the first member ``s`` of ``Q`` (in scan
        order) whose extension exists; later members that disagree are counted in
        ``n_conflicts``.  Clusters unreachable from the initial cluster (the one of ``""``)
        through these transitions are listed in ``unreachable`` and dropped from ``machine``;
        closure is judged on the reachable states only.  Leaves at the maximal depth have no
        extensions, so a tree-like representation gives an automaton that is not closed.

        Outputs: a state's output is the argmax of ``outputs`` at its representative, except
        when the representative is ``""``.  The readout at ``h_0`` is never fitted (the
        training strings have length ``>= 1``), so the initial state takes its output from its
        first non-empty member; only when ``""`` is alone in its state does the output come from
        the readout at ``h_0`` (flagged by ``initial_output_from_h0``).  It then matters only for
        the empty string, but minimisation compares it with the other states' outputs.

    Raises
    ------
    ValueError, TypeError
        Symbols other than 0/1, repeated strings, a missing ``""`` or missing prefix, ``c <= 0``,
        ``epsilon`` not a finite number ``> 0``, both ``c`` and ``epsilon`` given, an unknown
        ``rule``, or ``hidden``/``outputs`` without one row per string.

    Examples
    --------
    >>> from lrnn_theory.merging import extract_automaton, prefix_strings
    >>> import numpy as np
    >>> strings = prefix_strings(3)
    >>> odd = np.array([s.count("1") % 2 for s in strings])
    >>> ex = extract_automaton(strings, np.eye(2)[odd], np.eye(2)[odd], epsilon=0.1)
    >>> ex.n_states, ex.is_closed, ex.unreachable.size
    (2, True, 0)
    """
    strings = check_strings("strings", strings)
    hidden = as_float_array("hidden", hidden, ndim=2)
    outputs = as_float_array("outputs", outputs, ndim=2)
    if epsilon is not None:
        if c is not None:
            raise ValueError(f"give either c (relative threshold) or epsilon (absolute threshold), not both; "
                             f"got c={c!r} and epsilon={epsilon!r}")
        eps = check_positive_float("epsilon", epsilon)
    else:
        c = 0.01 if c is None else check_positive_float("c", c)
    rule = check_choice("rule", rule, RULES)
    n = len(strings)
    if hidden.shape[0] != n:
        raise ValueError(f"hidden must have one row per string ({n}), got shape {hidden.shape}")
    if outputs.shape[0] != n:
        raise ValueError(f"outputs must have one row per string ({n}), got shape {outputs.shape}")
    index = {s: i for i, s in enumerate(strings)}
    if len(index) != n:
        raise ValueError("strings must not repeat")
    if "" not in index:
        raise ValueError("strings must contain the empty string '' (the initial state h_0)")
    for s in strings:
        if s and s[:-1] not in index:
            raise ValueError(f"strings must be prefix-closed: {s!r} is present but its prefix {s[:-1]!r} is not")
    # hidden states far from 1 in magnitude (|h| ~ 1e200 or 1e-300) are compared after an exact power-of-two
    # rescaling, so that neither their spread nor their distances overflow or underflow (same clusters as the
    # exact arithmetic would give); hidden states of ordinary size are left as they are
    peak = float(np.max(np.abs(hidden), initial=0.0))
    scale = 1.0
    if peak > 0 and not 1e-100 < peak < 1e100:
        scale = float(2.0 ** np.floor(np.log2(peak)))
        hidden = hidden / scale
    if epsilon is None:
        eps = c * float(np.linalg.norm(hidden.std(axis=0))) * scale
        if not np.isfinite(eps):
            raise ValueError(f"c * ||std(hidden)|| = {c:g} * {float(np.linalg.norm(hidden.std(axis=0))) * scale:g} "
                             "overflows float64; pass a smaller c or an absolute epsilon")
    eps_scaled = eps / scale
    R = np.empty_like(hidden)  # representatives' vectors, first k rows in use
    reps: list[int] = []
    raw = np.empty(n, dtype=np.int64)
    for i in range(n):
        k = len(reps)
        if k:
            dist = np.linalg.norm(R[:k] - hidden[i], axis=1)
            within = np.flatnonzero(dist <= eps_scaled)
            if within.size:
                raw[i] = within[0] if rule == "first" else within[np.argmin(dist[within])]
                continue
        R[k] = hidden[i]
        reps.append(i)
        raw[i] = k
    k = len(reps)
    trans = -np.ones((k, 2), dtype=np.int64)
    source = -np.ones((k, 2), dtype=np.int64)
    first_nonempty = -np.ones(k, dtype=np.int64)
    conflicts = 0
    for i, s in enumerate(strings):
        q = raw[i]
        if s and first_nonempty[q] < 0:
            first_nonempty[q] = i
        for a in (0, 1):
            j = index.get(s + "01"[a])
            if j is None:
                continue
            if trans[q, a] < 0:
                trans[q, a] = raw[j]
                source[q, a] = i
            elif trans[q, a] != raw[j]:
                conflicts += 1
    # clusters reachable from the cluster of "" through the recorded transitions
    init = int(raw[index[""]])
    reach = np.zeros(k, dtype=bool)
    reach[init] = True
    stack = [init]
    while stack:
        q = stack.pop()
        for r in trans[q]:
            if r >= 0 and not reach[r]:
                reach[r] = True
                stack.append(int(r))
    perm = np.concatenate([np.flatnonzero(reach), np.flatnonzero(~reach)])  # new -> old
    new = np.empty(k, dtype=np.int64)
    new[perm] = np.arange(k)
    n_states = int(reach.sum())
    kept = perm[:n_states]
    T = np.where(trans[kept] >= 0, new[np.maximum(trans[kept], 0)], -1)
    out_rows = np.asarray(reps, dtype=np.int64)[kept]
    from_h0 = False
    for q, old in enumerate(kept):
        if strings[out_rows[q]] == "":
            if first_nonempty[old] >= 0:
                out_rows[q] = first_nonempty[old]
            else:
                from_h0 = True
    machine = MooreMachine(transitions=T, outputs=np.argmax(outputs[out_rows], axis=1).astype(np.int64),
                           initial=int(new[init]))
    return Automaton(machine=machine, assignment=new[raw], strings=tuple(strings),
                     representatives=np.asarray(reps, dtype=np.int64)[perm], n_conflicts=conflicts, epsilon=float(eps),
                     transition_source=source[kept], unreachable=np.arange(n_states, k, dtype=np.int64),
                     c=None if epsilon is not None else float(c), initial_output_from_h0=from_h0)


def minimize(machine, *, sink: bool = False) -> MooreMachine:
    """Minimal Moore machine by Hopcroft partition refinement (theory guide :ref:`merging-minimisation`; van Rossem & Saxe (2025)).

    Restricts to the states reachable from the initial state, starts from the partition by
    output and splits blocks by predecessor sets, keeping the smaller half in the worklist
    (``O(n log n)``): two states stay together iff they have the same output and, for each
    symbol, successors in the same block.  Closure is judged on the reachable states: an
    unreachable state with a missing transition is ignored.

    Parameters
    ----------
    machine : MooreMachine or Automaton
    sink : bool
        How to treat a machine whose reachable part is not closed (:ref:`theory-checks-merging`): ``False``
        (default) raises ``ValueError``; ``True`` sends every missing transition to one
        absorbing sink state with output ``-1`` before minimising.

    Returns
    -------
    MooreMachine
        The quotient machine, states numbered breadth first from the initial state (``0``)
        trying symbol 0 before 1, so equal languages give identical arrays.

    Raises
    ------
    TypeError
        ``machine`` neither a :class:`~lrnn_theory.merging.tasks.MooreMachine` nor an :class:`Automaton`.
    ValueError
        If a state reachable from the initial state lacks a transition and ``sink`` is false.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import MooreMachine, minimize
    >>> three = MooreMachine(transitions=np.array([[0, 1], [1, 2], [2, 1]]), outputs=np.array([0, 1, 0]))
    >>> m = minimize(three)  # states 0 and 2 are equivalent: the parity machine
    >>> m.transitions.tolist(), m.outputs.tolist()
    ([[0, 1], [1, 0]], [0, 1])
    >>> minimize(MooreMachine(transitions=np.array([[0, -1]]), outputs=np.array([0])), sink=True).outputs.tolist()
    [0, -1]
    """
    if isinstance(machine, Automaton):
        machine = machine.machine
    if not isinstance(machine, MooreMachine):
        raise TypeError(f"machine must be a MooreMachine or Automaton, got {type(machine).__name__}")
    return _minimal_machine(machine, sink=sink)


# ---------------------------------------------------------------------------------------------
# Merger bookkeeping (theory guide `theory-checks-merging`)
# ---------------------------------------------------------------------------------------------

def _check_target(target, L_max):
    """``(label function, L_max)``: a MooreMachine's labels are its outputs (:meth:`MooreMachine.output`)."""
    if isinstance(target, MooreMachine):
        target = target.output
    if not callable(target):
        raise TypeError(f"target must be a callable string -> label or a MooreMachine, got {type(target).__name__}")
    return target, check_int("L_max", L_max, minimum=1, maximum=20)


def _future_signatures(strings, target, L_max: int) -> list:
    """``target(s c)`` for the continuations ``c`` with ``|s c| <= L_max`` (``""`` first, then by
    length and lexicographically), or ``None`` for strings longer than ``L_max``.

    The signature of a longer string is a prefix-length of the continuation list, so two strings
    agree within the horizon iff the shorter one's signature truncated to the longer one's length
    equals the longer one's.
    """
    conts = prefix_strings(L_max)
    sigs = []
    for s in strings:
        if len(s) > L_max:
            sigs.append(None)
            continue
        k = 2 ** (L_max - len(s) + 1) - 1
        sigs.append(np.array([int(target(s + cc)) for cc in conts[:k]], dtype=np.int64))
    return sigs


def _pairs_sharing(*labels) -> int:
    """Number of unordered pairs ``i < j`` with equal labels in every array."""
    _, counts = np.unique(np.stack(labels, axis=1), axis=0, return_counts=True)
    return int(np.sum(counts * (counts - 1) // 2))


def _agreeing_pairs_sharing(sigs, lengths, L_max: int, *labels) -> tuple[int, int]:
    """(pairs sharing every label, of which agreeing within the horizon), strings with a signature only."""
    valid = [i for i, g in enumerate(sigs) if g is not None]
    keys = [tuple(int(lab[i]) for lab in labels) for i in range(len(sigs))]
    n_pairs = int(sum(v * (v - 1) // 2 for v in Counter(keys[i] for i in valid).values()))
    agree = 0
    for m in range(L_max + 1):  # each pair is counted once, at the length m of its longer string
        k = 2 ** (L_max - m + 1) - 1
        shorter, equal = Counter(), Counter()
        for i in valid:
            if lengths[i] < m:
                shorter[keys[i], sigs[i][:k].tobytes()] += 1
            elif lengths[i] == m:
                equal[keys[i], sigs[i].tobytes()] += 1
        agree += sum(v * (v - 1) // 2 + v * shorter.get(key, 0) for key, v in equal.items())
    return n_pairs, int(agree)


@dataclass(frozen=True)
class MergerReport:
    """Pairs of strings sharing a state and how many of them agree on every future output (:ref:`theory-checks-merging`).

    Attributes
    ----------
    n_pairs : int
        Unordered pairs of distinct strings (length ``<= L_max``) in one state.
    n_agreeing : int
        Those whose targets agree on every continuation within the training horizon.
    fraction : float
        ``n_agreeing / n_pairs`` (property; 1 when there is no pair).

    Examples
    --------
    >>> from lrnn_theory.merging import MergerReport
    >>> MergerReport(n_pairs=4, n_agreeing=3).fraction
    0.75
    """

    n_pairs: int
    n_agreeing: int

    @property
    def fraction(self) -> float:
        """``n_agreeing / n_pairs`` (1 when there is no pair)."""
        return 1.0 if self.n_pairs == 0 else self.n_agreeing / self.n_pairs


def merger_report(extracted: Automaton, target, L_max: int) -> MergerReport:
    """Do strings merged into one state agree on all future outputs within the training horizon? (:ref:`theory-checks-merging`)

    Parameters
    ----------
    extracted : Automaton
    target : callable or MooreMachine
        ``target(string) -> int``, the task's label (a :class:`MooreMachine`: its output).
    L_max : int
        Training length.  Two strings ``s_1, s_2`` of one state *agree* when
        ``target(s_1 c) = target(s_2 c)`` for every continuation ``c`` (the empty one included)
        with ``max(|s_1|, |s_2|) + |c| <= L_max``; strings longer than ``L_max`` are skipped.

    Returns
    -------
    MergerReport
        The paper reports 100 % agreement (103 460 merged pairs) for a trained network.

    Raises
    ------
    TypeError
        ``extracted`` not an :class:`Automaton`, ``target`` not callable, or a non-integer ``L_max``.
    ValueError
        ``L_max ∉ [1, 20]``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import extract_automaton, merger_report, prefix_strings
    >>> strings = prefix_strings(3)
    >>> odd = np.array([s.count("1") % 2 for s in strings])
    >>> ex = extract_automaton(strings, np.eye(2)[odd], np.eye(2)[odd], epsilon=0.1)
    >>> r = merger_report(ex, lambda s: s.count("1") % 2, 3)  # 8 even and 7 odd strings
    >>> r.n_pairs == 8 * 7 // 2 + 7 * 6 // 2, r.fraction
    (True, 1.0)
    """
    if not isinstance(extracted, Automaton):
        raise TypeError(f"extracted must be an Automaton (ExtractedAutomaton), got {type(extracted).__name__}")
    target, L_max = _check_target(target, L_max)
    sigs = _future_signatures(extracted.strings, target, L_max)
    lengths = [len(s) for s in extracted.strings]
    n_pairs, n_agree = _agreeing_pairs_sharing(sigs, lengths, L_max, extracted.assignment)
    return MergerReport(n_pairs=n_pairs, n_agreeing=n_agree)


@dataclass(frozen=True)
class StateMergers:
    """What changed between two successive extractions on the same strings (:ref:`theory-checks-merging`).

    State labels are arbitrary cluster indices, so states are compared through their members.

    Attributes
    ----------
    previous, current : ndarray (n_strings,), int
        State of each string at the earlier and the later extraction.
    merged : tuple of (int, tuple of int)
        ``(current state, previous states)`` for every current state whose members came from
        two or more previous states: those previous states merged.
    split : tuple of (int, tuple of int)
        ``(previous state, current states)`` for every previous state whose members now lie in
        two or more states.
    n_merged_pairs : int
        String pairs in different previous states that share a current state.
    n_split_pairs : int
        String pairs in one previous state that are now in different states.
    n_checked : int or None
        Merged pairs checked against the task (both strings of length ``<= L_max``); ``None``
        without a ``target``.
    n_agreeing : int or None
        Checked merged pairs that agree on every future output within the training horizon.

    Examples
    --------
    >>> from lrnn_theory.merging import state_mergers
    >>> sm = state_mergers([0, 1, 2], [0, 1, 1])  # the states of strings 1 and 2 merged
    >>> sm.merged, sm.n_merged_pairs, sm.merged_pairs().tolist(), sm.fraction_agreeing
    (((1, (1, 2)),), 1, [[1, 2]], None)
    """

    previous: np.ndarray
    current: np.ndarray
    merged: tuple
    split: tuple
    n_merged_pairs: int
    n_split_pairs: int
    n_checked: int | None = None
    n_agreeing: int | None = None

    @property
    def fraction_agreeing(self) -> float | None:
        """``n_agreeing / n_checked`` (1 when nothing merged; ``None`` without a target)."""
        if self.n_checked is None:
            return None
        return 1.0 if self.n_checked == 0 else self.n_agreeing / self.n_checked

    def merged_pairs(self) -> np.ndarray:
        """Array (n_merged_pairs, 2) of string indices ``i < j`` that merged, sorted."""
        out = []
        for q in np.unique(self.current):
            idx = np.flatnonzero(self.current == q)
            if idx.size < 2:
                continue
            i, j = np.triu_indices(idx.size, k=1)
            keep = self.previous[idx[i]] != self.previous[idx[j]]
            out.append(np.stack([idx[i][keep], idx[j][keep]], axis=1))
        pairs = np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)
        return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if pairs.size else pairs


def _as_assignment(name: str, value):
    if isinstance(value, Automaton):
        return np.asarray(value.assignment, dtype=np.int64), value.strings
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an Automaton or a 1-D integer array of states, got {type(value).__name__}")
    arr = np.asarray(value)
    if arr.dtype == bool or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an Automaton or a 1-D integer array of states, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of states, got shape {arr.shape}")
    if np.any(arr < 0):
        raise ValueError(f"{name} must contain non-negative state indices")
    return arr.astype(np.int64), None


def state_mergers(previous, current, *, strings=None, target=None, L_max: int | None = None) -> StateMergers:
    """Which states merged (and split) between two successive extractions (:ref:`theory-checks-merging`).

    Parameters
    ----------
    previous, current : Automaton or array (n_strings,) of int
        The earlier and the later extraction (e.g. two epochs), or their state assignments,
        over the same strings in the same order.
    strings : sequence of str, optional
        The strings, needed with ``target`` when both extractions are given as arrays.
    target : callable or MooreMachine, optional
        ``target(string) -> int`` (a :class:`MooreMachine`: its output); if given, every newly merged pair is checked for agreement on
        all future outputs within the horizon ``L_max`` (as in :func:`merger_report`).
    L_max : int, optional
        Training length; required with ``target``.

    Returns
    -------
    StateMergers

    Raises
    ------
    TypeError
        ``previous``/``current`` neither an :class:`Automaton` nor an integer array, or a
        non-callable ``target``.
    ValueError
        Assignments of different lengths or with negative states, different or missing strings,
        ``target`` without ``L_max`` (or the reverse), or ``L_max ∉ [1, 20]``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import extract_automaton, prefix_strings, state_mergers
    >>> strings = prefix_strings(3)
    >>> odd = np.array([s.count("1") % 2 for s in strings])
    >>> tree = extract_automaton(strings, np.eye(len(strings)), np.eye(2)[odd], epsilon=0.1)  # one state per string
    >>> parity = extract_automaton(strings, np.eye(2)[odd], np.eye(2)[odd], epsilon=0.1)
    >>> sm = state_mergers(tree, parity, target=lambda s: s.count("1") % 2, L_max=3)
    >>> sm.n_merged_pairs, sm.n_split_pairs, sm.fraction_agreeing
    (49, 0, 1.0)
    """
    prev, s_prev = _as_assignment("previous", previous)
    cur, s_cur = _as_assignment("current", current)
    if prev.size != cur.size:
        raise ValueError(f"previous and current must assign the same strings, got {prev.size} and {cur.size} states")
    if s_prev is not None and s_cur is not None and s_prev != s_cur:
        raise ValueError("previous and current must be extracted from the same strings in the same order")
    known = s_prev if s_prev is not None else s_cur
    if strings is not None:
        strings = tuple(check_strings("strings", strings))
        if len(strings) != prev.size:
            raise ValueError(f"strings must have one entry per assigned string ({prev.size}), got {len(strings)}")
        if known is not None and strings != known:
            raise ValueError("strings differ from the strings of the given automaton")
    else:
        strings = known
    both = np.unique(np.stack([prev, cur], axis=1), axis=0)
    merged = tuple((int(q), tuple(int(p) for p in both[both[:, 1] == q, 0])) for q in np.unique(both[:, 1])
                   if np.sum(both[:, 1] == q) > 1)
    split = tuple((int(p), tuple(int(q) for q in both[both[:, 0] == p, 1])) for p in np.unique(both[:, 0])
                  if np.sum(both[:, 0] == p) > 1)
    same_both = _pairs_sharing(prev, cur)
    n_merged = _pairs_sharing(cur) - same_both
    n_split = _pairs_sharing(prev) - same_both
    n_checked = n_agree = None
    if target is not None or L_max is not None:
        target, L_max = _check_target(target, L_max)
        if strings is None:
            raise ValueError("strings must be given (or an Automaton passed) to check mergers against target")
        sigs = _future_signatures(strings, target, L_max)
        lengths = [len(s) for s in strings]
        pairs_cur, agree_cur = _agreeing_pairs_sharing(sigs, lengths, L_max, cur)
        pairs_both, agree_both = _agreeing_pairs_sharing(sigs, lengths, L_max, cur, prev)
        n_checked, n_agree = pairs_cur - pairs_both, agree_cur - agree_both
    return StateMergers(previous=prev, current=cur, merged=merged, split=split, n_merged_pairs=n_merged,
                        n_split_pairs=n_split, n_checked=n_checked, n_agreeing=n_agree)


def merged_fraction_by_length(extracted: Automaton, task: MooreMachine, L_max: int) -> np.ndarray:
    """Fraction of agreeing pairs of lengths ``(m_1, m_2)`` that share an extracted state (:ref:`gallery-merging-f4`).

    Parameters
    ----------
    extracted : Automaton
    task : MooreMachine
        The task; two strings *agree* when they reach the same state of its minimal machine
        (identical outputs on every continuation).
    L_max : int

    Returns
    -------
    ndarray (L_max, L_max)
        ``F[m_1 - 1, m_2 - 1]`` is the merged fraction over pairs of distinct strings (NaN where
        no agreeing pair exists).

    Raises
    ------
    TypeError
        ``extracted`` not an :class:`Automaton`, or a non-integer ``L_max``.
    ValueError
        ``L_max < 1``, or a ``task`` that is not closed (see :func:`minimize`).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import extract_automaton, merged_fraction_by_length, parity_machine, prefix_strings
    >>> strings = prefix_strings(3)
    >>> odd = np.array([s.count("1") % 2 for s in strings])
    >>> ex = extract_automaton(strings, np.eye(2)[odd], np.eye(2)[odd], epsilon=0.1)
    >>> F = merged_fraction_by_length(ex, parity_machine(), 3)  # every agreeing pair merged
    >>> F.shape, bool(np.isnan(F[0, 0])), float(np.nanmin(F))  # the two length-1 strings disagree
    ((3, 3), True, 1.0)
    """
    if not isinstance(extracted, Automaton):
        raise TypeError(f"extracted must be an Automaton (ExtractedAutomaton), got {type(extracted).__name__}")
    L_max = check_int("L_max", L_max, minimum=1)
    minimal = minimize(task)
    n_q, n_t = extracted.n_clusters, minimal.n_states  # dropped (unreachable) clusters still group strings
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
