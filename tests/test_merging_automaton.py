"""Automaton extraction, minimisation and merger bookkeeping (theory guide `merging-task`, `merging-automaton`, `merging-minimisation`, `theory-checks-merging`; van Rossem & Saxe (2025)).

Every expectation comes from a source independent of :mod:`lrnn_theory.merging.automaton`:
string counting (parity), explicit prefix-tree indices, a brute-force Moore refinement, direct
simulation of transition tables, and brute-force loops over pairs and continuations.
"""
from itertools import combinations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from lrnn_theory.merging.automaton import (  # noqa: E402
    Automaton,
    ExtractedAutomaton,
    extract_automaton,
    merged_fraction_by_length,
    merger_report,
    minimize,
    parity_automaton,
    parity_machine,
    prefix_strings,
    random_moore_machine,
    state_mergers,
)
from lrnn_theory.merging.tasks import MooreMachine, parity, parity_data  # noqa: E402
from lrnn_theory.plot import draw_machine  # noqa: E402

# ---------------------------------------------------------------------------------------------
# independent references
# ---------------------------------------------------------------------------------------------

def _strings_by_binary_counting(L):
    """Prefix tree via integer counting (independent of itertools.product)."""
    return [""] + [format(k, f"0{m}b") for m in range(1, L + 1) for k in range(2 ** m)]


def _par(s):
    return s.count("1") % 2


def _simulate(T, out, init, s):
    q = init
    for ch in s:
        q = T[q][int(ch)]
    return int(out[q])


def _brute_force_minimize(T, out, initial, *, sink=False):
    """Moore's naive refinement on reachable states; quotient numbered breadth first (0 before 1)."""
    T = [list(map(int, row)) for row in np.asarray(T)]
    out = [int(o) for o in np.asarray(out)]
    if sink:
        s = len(T)
        T = [[s if r < 0 else r for r in row] for row in T] + [[s, s]]
        out = out + [-1]
    reach, stack = {initial}, [initial]
    while stack:
        q = stack.pop()
        for r in T[q]:
            if r not in reach:
                reach.add(r)
                stack.append(r)
    label = {q: out[q] for q in reach}
    while True:
        sig = {q: (label[q], label[T[q][0]], label[T[q][1]]) for q in reach}
        ids = {v: i for i, v in enumerate(sorted(set(sig.values())))}
        new = {q: ids[sig[q]] for q in reach}
        stable = len(set(new.values())) == len(set(label.values()))
        label = new
        if stable:
            break
    rep = {}
    for q in sorted(reach):
        rep.setdefault(label[q], q)
    order = [label[initial]]
    for c in order:
        for a in (0, 1):
            d = label[T[rep[c]][a]]
            if d not in order:
                order.append(d)
    num = {c: i for i, c in enumerate(order)}
    trans = np.array([[num[label[T[rep[c]][a]]] for a in (0, 1)] for c in order])
    outs = np.array([out[rep[c]] for c in order])
    return trans, outs


def _brute_force_agree(s1, s2, target, L):
    """Targets of s1 c and s2 c agree for every continuation c with max(|s1|, |s2|) + |c| <= L."""
    room = L - max(len(s1), len(s2))
    return all(target(s1 + c) == target(s2 + c) for c in _strings_by_binary_counting(room))


def _parity_hidden(strings, P=16, noise=1e-4, seed=0, classes=None):
    """Hidden vectors of an exact machine embedded in R^P (one random point per class) plus noise."""
    rng = np.random.default_rng(seed)
    cls = parity(strings) if classes is None else np.asarray(classes)
    V = rng.normal(size=(cls.max() + 1, P))
    H = V[cls] + noise * rng.normal(size=(len(strings), P))
    Y = np.eye(2)[parity(strings)] + 0.1 * rng.uniform(size=(len(strings), 2)) - 0.05
    return H, Y


def _random_strings(n, length, seed):
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(["0", "1"], size=length)) for _ in range(n)]


# ---------------------------------------------------------------------------------------------
# theory guide `merging-automaton` prefix tree and extraction
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("L", [0, 1, 3, 7])
def test_prefix_strings_is_the_length_then_lexicographic_prefix_tree(L):
    s = prefix_strings(L)
    assert s == _strings_by_binary_counting(L)
    assert len(s) == 2 ** (L + 1) - 1 and s[0] == ""
    assert all(x[:-1] in set(s) for x in s if x)


@pytest.mark.parametrize("rule", ["first", "nearest"])
def test_a2_parity_embedding_extracts_to_the_parity_machine(rule):
    strings = prefix_strings(7)
    H, Y = _parity_hidden(strings)
    ex = extract_automaton(strings, H, Y, c=0.01, rule=rule)
    assert isinstance(ex, Automaton) and ex.is_closed and ex.n_states == 2 and ex.n_conflicts == 0
    # the state of a string is its parity class, numbered by first appearance ("" even, then "1" odd)
    assert np.array_equal(ex.assignment, parity(strings))
    assert ex.initial == ex.assignment[0] and strings[int(ex.representatives[ex.initial])] == ""
    m = ex.minimize()
    assert np.array_equal(m.transitions, [[0, 1], [1, 0]]) and np.array_equal(m.outputs, [0, 1]) and m.initial == 0
    for s in _random_strings(10, 1000, seed=1):
        expected = s.count("1") % 2
        assert ex.run(s) == expected and m.output(s) == expected and ex.accepts(s) == bool(expected)


def test_a2_redundant_parity_states_extract_closed_and_minimise_to_two_states():
    """Classes (parity, length mod 2) give 4 redundant states, as a trained network gives tens (theory guide `theory-checks-merging`)."""
    strings = prefix_strings(8)
    classes = [2 * _par(s) + len(s) % 2 for s in strings]
    H, Y = _parity_hidden(strings, classes=classes, seed=4)
    ex = extract_automaton(strings, H, Y, c=0.01)
    assert ex.n_states == len(set(classes)) == 4 and ex.is_closed and ex.n_conflicts == 0
    m = minimize(ex)
    assert np.array_equal(m.transitions, parity_machine().transitions) and np.array_equal(m.outputs, parity_machine().outputs)
    for s in _random_strings(5, 1000, seed=2):
        assert ex.run(s) == m.output(s) == s.count("1") % 2


def test_a2_unmerged_tree_has_one_state_per_string_and_is_not_closed():
    L = 5
    strings = prefix_strings(L)
    H = np.random.default_rng(2).normal(size=(len(strings), 8))
    ex = extract_automaton(strings, H, np.ones((len(strings), 2)), c=0.01)
    assert ex.n_states == len(strings) == 2 ** (L + 1) - 1 and not ex.is_closed
    pos = {s: i for i, s in enumerate(_strings_by_binary_counting(L))}
    expected = np.array([[pos.get(s + "0", -1), pos.get(s + "1", -1)] for s in _strings_by_binary_counting(L)])
    assert np.array_equal(ex.transitions, expected)  # the automaton is the prefix tree itself
    assert np.sum(np.all(ex.transitions < 0, axis=1)) == 2 ** L  # leaves have no transition
    assert np.array_equal(ex.representatives, np.arange(len(strings)))
    with pytest.raises(ValueError, match="not closed"):
        ex.minimize()
    with pytest.raises(ValueError, match="missing transition"):
        ex.run("0" * (L + 1))


def test_a2_first_and_nearest_rules_differ_as_specified():
    """'1' (at 0.6) is within ε = 0.9 of both representatives 0 ("") and 1.0 ("0")."""
    x = np.array([[0.0], [1.0], [0.6]])
    c = 0.9 / float(np.std(x))
    first = extract_automaton(["", "0", "1"], x, np.eye(3)[:, :2], c=c, rule="first")
    near = extract_automaton(["", "0", "1"], x, np.eye(3)[:, :2], c=c, rule="nearest")
    assert np.isclose(first.epsilon, 0.9)
    assert first.assignment.tolist() == [0, 1, 0] and near.assignment.tolist() == [0, 1, 1]
    assert first.transitions.tolist() == [[1, 0], [-1, -1]] and near.transitions.tolist() == [[1, 1], [-1, -1]]
    assert first.outputs.tolist() == [0, 1]  # argmax of outputs at the representatives "" and "0"


def test_a2_conflicting_members_are_counted_not_overwritten():
    """'0' and '1' forced into one state while their successors '00'/'10' and '01'/'11' differ."""
    strings = ["", "0", "1", "00", "01", "10", "11"]
    H = np.array([[0.0, 0], [5, 0], [5, 0], [0, 5], [0, 9], [9, 9], [9, 0]])
    ex = extract_automaton(strings, H, np.ones((7, 2)), c=0.01)
    assert ex.assignment.tolist() == [0, 1, 1, 2, 3, 4, 5] and ex.n_conflicts == 2
    # the first member "0" set the transitions of state 1; "1" disagreed on both symbols
    assert ex.transitions[1].tolist() == [2, 3] and ex.transition_source[1].tolist() == [1, 1]
    assert ex.transition_source[0].tolist() == [0, 0] and np.all(ex.transition_source[2:] == -1)
    # so the clusters of "10" and "11" are reached by no transition: dropped from the machine
    assert ex.unreachable.tolist() == [4, 5] and ex.n_states == 4 and ex.n_clusters == 6
    assert ex.dropped_strings.tolist() == [5, 6] and ex.transitions.shape == (4, 2)


@pytest.mark.parametrize("seed", range(5))
def test_a2_conflict_count_matches_a_member_by_member_count(seed):
    """Hidden vectors snapped to 3 random points: conflicts = member extensions leaving the first-recorded target."""
    strings = prefix_strings(5)
    rng = np.random.default_rng(seed)
    pts = rng.normal(size=(3, 4)) * 10
    cls = rng.integers(0, 3, size=len(strings))
    ex = extract_automaton(strings, pts[cls], np.ones((len(strings), 2)), c=0.01)
    first_seen = {}
    state_of = {}
    for k in cls:  # states numbered by first appearance of a class
        state_of.setdefault(int(k), len(state_of))
    expected_conflicts = 0
    pos = {s: i for i, s in enumerate(strings)}
    for s in strings:
        for a in "01":
            if s + a in pos:
                key = (state_of[int(cls[pos[s]])], a)
                tgt = state_of[int(cls[pos[s + a]])]
                if key not in first_seen:
                    first_seen[key] = tgt
                elif first_seen[key] != tgt:
                    expected_conflicts += 1
    assert ex.n_conflicts == expected_conflicts
    # clusters reachable from the cluster of "" through the first-recorded transitions
    init = state_of[int(cls[0])]
    reach, stack = {init}, [init]
    while stack:
        q = stack.pop()
        for a in "01":
            t = first_seen.get((q, a))
            if t is not None and t not in reach:
                reach.add(t)
                stack.append(t)
    order = sorted(reach) + sorted(set(state_of.values()) - reach)  # reachable first, each by first appearance
    num = {q: i for i, q in enumerate(order)}
    assert ex.assignment.tolist() == [num[state_of[int(k)]] for k in cls]
    assert ex.n_states == len(reach) and ex.unreachable.tolist() == list(range(len(reach), len(order)))
    expected_T = [[num[first_seen[(q, a)]] if (q, a) in first_seen else -1 for a in "01"] for q in order[:len(reach)]]
    assert ex.transitions.tolist() == expected_T


def _parity_with_an_unreachable_leaf(L=4, odd_one="1011"):
    """Parity classes, except that the leaf ``odd_one`` sits alone far away (a third cluster).

    Its parent's cluster already sends ``odd_one[-1]`` to a parity cluster (set by an earlier
    member), so the third cluster is reached by no transition, and as a leaf it has none.
    """
    strings = prefix_strings(L)
    classes = [2 if s == odd_one else _par(s) for s in strings]
    H, Y = _parity_hidden(strings, classes=classes, seed=5)
    return strings, H, Y


def test_unreachable_open_cluster_is_dropped_and_the_reachable_machine_minimises_to_parity():
    strings, H, Y = _parity_with_an_unreachable_leaf()
    ex = extract_automaton(strings, H, Y, c=0.01)
    assert ex.n_clusters == 3 and ex.n_states == 2 and ex.unreachable.tolist() == [2]
    assert ex.dropped_strings.tolist() == [strings.index("1011")] and ex.assignment[strings.index("1011")] == 2
    assert ex.n_conflicts == 1  # "1011" left the target recorded for (cluster of "101", 1)
    assert ex.is_closed  # judged on the reachable states; the dropped cluster has no transition at all
    m = ex.minimize()
    assert np.array_equal(m.transitions, parity_machine().transitions) and np.array_equal(m.outputs, parity_machine().outputs)
    # brute force on the full cluster table (the open third cluster included) gives the same machine
    raw = MooreMachine(np.array([[0, 1], [1, 0], [-1, -1]]), np.array([0, 1, 1]), 0)
    for sink in (False, True):
        T, o = _brute_force_minimize(raw.transitions, raw.outputs, 0, sink=sink)
        q = minimize(raw, sink=sink)  # the unreachable open state is not judged, with or without a sink
        assert np.array_equal(q.transitions, T) and np.array_equal(q.outputs, o)
        assert np.array_equal(T, m.transitions) and np.array_equal(o, m.outputs)
    for s in _random_strings(5, 500, seed=4):
        assert ex.run(s) == s.count("1") % 2
    # the dropped cluster still groups its strings for the merger bookkeeping
    rep = merger_report(ex, _par, 4)
    n_odd = sum(map(_par, strings)) - 1
    n_even = len(strings) - 1 - n_odd
    assert rep.n_pairs == n_even * (n_even - 1) // 2 + n_odd * (n_odd - 1) // 2 == rep.n_agreeing
    frac = merged_fraction_by_length(ex, parity_machine(), 4)
    assert np.isnan(frac[0, 0]) and np.nanmin(frac) < 1.0  # "1011" is not merged with its agreeing strings


@pytest.mark.parametrize("seed", range(12))
def test_minimize_judges_closure_on_reachable_states_only(seed):
    """Random tables with missing transitions: raises iff a reachable state is open; else equals brute force.

    Even seeds: a closed core (states ``0..k-1``, initial among them) plus extra states that point
    anywhere and miss transitions; none of them is reachable.  Odd seeds: missing transitions anywhere.
    """
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(4, 14))
    if seed % 2 == 0:
        k = int(rng.integers(1, n - 1))
        T = np.vstack([rng.integers(0, k, size=(k, 2)), rng.integers(-1, n, size=(n - k, 2))])
        T[k, 0] = -1  # at least one open state outside the core
        init = int(rng.integers(k))
    else:
        T = rng.integers(0, n, size=(n, 2))
        T[rng.uniform(size=(n, 2)) < 0.15] = -1
        T[int(rng.integers(n)), int(rng.integers(2))] = -1
        init = int(rng.integers(n))
    out = rng.integers(0, 2, size=n)
    reach, stack = {init}, [init]
    while stack:
        for r in T[stack.pop()]:
            if r >= 0 and int(r) not in reach:
                reach.add(int(r))
                stack.append(int(r))
    m = MooreMachine(T, out, init)
    assert not m.is_closed
    if any(T[q, a] < 0 for q in reach for a in (0, 1)):
        assert seed % 2 == 1
        with pytest.raises(ValueError, match="not closed"):
            minimize(m)
    else:
        assert seed % 2 == 0 or len(reach) < n
        q = minimize(m)
        bf_T, bf_o = _brute_force_minimize(T, out, init)
        assert np.array_equal(q.transitions, bf_T) and np.array_equal(q.outputs, bf_o)
    sunk = minimize(m, sink=True)
    bf_T, bf_o = _brute_force_minimize(T, out, init, sink=True)
    assert np.array_equal(sunk.transitions, bf_T) and np.array_equal(sunk.outputs, bf_o)


@pytest.mark.parametrize("c,rule", [(0.01, "first"), (0.05, "nearest"), (0.3, "first"), (0.3, "nearest")])
def test_absolute_epsilon_equal_to_c_times_std_norm_gives_the_same_automaton(c, rule):
    strings = prefix_strings(6)
    classes = [2 * _par(s) + len(s) % 3 for s in strings]
    H, Y = _parity_hidden(strings, classes=classes, noise=0.05, seed=3)
    eps = c * float(np.sqrt(np.sum(np.var(H, axis=0))))  # ‖per-coordinate std‖ written out
    rel = extract_automaton(strings, H, Y, c=c, rule=rule)
    ab = extract_automaton(strings, H, Y, epsilon=eps, rule=rule)
    assert np.isclose(rel.epsilon, eps, rtol=1e-14) and ab.epsilon == eps and rel.c == c and ab.c is None
    for field in ("assignment", "representatives", "transition_source", "unreachable"):
        assert np.array_equal(getattr(rel, field), getattr(ab, field)), field
    assert np.array_equal(rel.transitions, ab.transitions) and np.array_equal(rel.outputs, ab.outputs)
    assert rel.n_conflicts == ab.n_conflicts and rel.initial == ab.initial


def test_absolute_epsilon_is_a_distance():
    """Points 0, 1, 0.6 on a line: ε = 0.5 merges "1" (0.6) with "0" (1.0) only; ε = 0.3 merges nothing."""
    x = np.array([[0.0], [1.0], [0.6]])
    Y = np.eye(3)[:, :2]
    assert extract_automaton(["", "0", "1"], x, Y, epsilon=0.5).assignment.tolist() == [0, 1, 1]
    assert extract_automaton(["", "0", "1"], x, Y, epsilon=0.3).assignment.tolist() == [0, 1, 2]
    assert extract_automaton(["", "0", "1"], x, Y, epsilon=0.61).assignment.tolist() == [0, 1, 0]  # first rule
    assert extract_automaton(["", "0", "1"], x, Y, epsilon=0.61, rule="nearest").assignment.tolist() == [0, 1, 1]


def test_initial_state_output_comes_from_its_first_nonempty_member():
    """The readout at h_0 is never trained: with "" merged into a state, that state's output is its first trained member's."""
    strings = ["", "0", "1", "00", "01", "10", "11"]
    H = np.array([[0.0, 0], [0, 0], [9, 0], [0, 0], [9, 0], [9, 0], [0, 0]])  # "", "0", "00", "11" together
    Y = np.array([[0.0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [0, 1], [1, 0]])  # "" says 1, its trained members 0
    ex = extract_automaton(strings, H, Y, epsilon=0.1)
    assert ex.assignment.tolist() == [0, 0, 1, 0, 1, 1, 0] and strings[ex.representatives[0]] == ""
    assert ex.outputs.tolist() == [0, 1] and not ex.initial_output_from_h0  # from "0", not from ""
    # "" alone in its state: only the readout at h_0 is left, and it is flagged
    H2 = H.copy()
    H2[0] = [-9.0, 0]
    alone = extract_automaton(strings, H2, Y, epsilon=0.1)
    assert alone.assignment.tolist() == [0, 1, 2, 1, 2, 2, 1]
    assert alone.outputs.tolist() == [1, 0, 1] and alone.initial_output_from_h0


# ---------------------------------------------------------------------------------------------
# theory guide `merging-minimisation` minimisation, theory guide `theory-checks-merging`
# ---------------------------------------------------------------------------------------------

def _random_machines():
    out = [random_moore_machine(7, 0.75, seed=s) for s in range(15)]  # theory guide `merging-task` random regular tasks
    rng = np.random.default_rng(7)
    for _ in range(25):  # arbitrary tables with unreachable states and three output symbols
        n = int(rng.integers(1, 40))
        out.append(MooreMachine(rng.integers(0, n, size=(n, 2)), rng.integers(0, 3, size=n), int(rng.integers(n))))
    return out


@pytest.mark.parametrize("k", range(40))
def test_hopcroft_equals_brute_force_moore_refinement(k):
    m = _random_machines()[k]
    q = minimize(m)
    T, o = _brute_force_minimize(m.transitions, m.outputs, m.initial)
    assert np.array_equal(q.transitions, T) and np.array_equal(q.outputs, o) and q.initial == 0
    for s in prefix_strings(7):  # same language, by direct simulation of both tables
        assert _simulate(q.transitions, q.outputs, 0, s) == _simulate(m.transitions, m.outputs, m.initial, s)


@pytest.mark.parametrize("k", range(0, 40, 3))
def test_minimisation_is_idempotent(k):
    q = minimize(_random_machines()[k])
    qq = minimize(q)
    assert np.array_equal(qq.transitions, q.transitions) and np.array_equal(qq.outputs, q.outputs)


def test_a8_8_duplicated_parity_machine_reduces_to_two_states():
    dup = MooreMachine(transitions=np.array([[2, 1], [3, 0], [0, 3], [1, 2]]), outputs=np.array([0, 1, 0, 1]), initial=0)
    m = minimize(dup)
    assert np.array_equal(m.transitions, [[0, 1], [1, 0]]) and np.array_equal(m.outputs, [0, 1])


def test_a8_8_distinguishable_machine_stays_and_open_machine_is_rejected_or_sunk():
    three = MooreMachine(transitions=np.array([[1, 0], [2, 0], [2, 2]]), outputs=np.array([0, 0, 1]), initial=0)
    assert minimize(three).n_states == 3 == len(_brute_force_minimize(three.transitions, three.outputs, 0)[1])
    tree = extract_automaton(prefix_strings(3), np.random.default_rng(0).normal(size=(15, 4)),
                             np.eye(2)[parity(prefix_strings(3))])
    with pytest.raises(ValueError, match="not closed"):
        minimize(tree)
    sunk = minimize(tree, sink=True)
    T, o = _brute_force_minimize(tree.transitions, tree.outputs, tree.initial, sink=True)
    assert sunk.is_closed and np.array_equal(sunk.transitions, T) and np.array_equal(sunk.outputs, o)
    for s in prefix_strings(3):
        assert sunk.output(s) == _par(s)


def test_parity_automaton_and_random_regular_machines():
    p = parity_automaton()
    for s in _random_strings(5, 300, seed=3):
        assert p.output(s) == s.count("1") % 2
    for seed in range(10):
        m = random_moore_machine(7, 0.75, seed=seed)
        reach, stack = {m.initial}, [m.initial]
        while stack:
            for r in m.transitions[stack.pop()]:
                if int(r) not in reach:
                    reach.add(int(r))
                    stack.append(int(r))
        assert m.is_closed and 1 <= m.n_states <= 7 and len(reach) == m.n_states  # connected, at most 7 states
        d = parity_data(6, machine=m)
        q = minimize(m)
        assert [q.output(s) for s in d.strings] == d.labels.tolist()  # minimisation preserves the task


# ---------------------------------------------------------------------------------------------
# theory guide `theory-checks-merging`: merger bookkeeping
# ---------------------------------------------------------------------------------------------

def test_a8_10_merged_parity_pairs_all_agree():
    strings = prefix_strings(6)
    H, Y = _parity_hidden(strings)
    rep = merger_report(extract_automaton(strings, H, Y), _par, 6)
    n_odd = sum(map(_par, strings))
    n_even = len(strings) - n_odd
    assert rep.n_pairs == n_even * (n_even - 1) // 2 + n_odd * (n_odd - 1) // 2
    assert rep.n_agreeing == rep.n_pairs and rep.fraction == 1.0


@pytest.mark.parametrize("seed", [2, 3, 4, 6])  # tasks whose minimal machine has 4-5 states
def test_a8_10_merger_report_matches_brute_force_pairs(seed):
    """Random clusterings and random regular targets: counts equal a loop over pairs and continuations."""
    L = 4
    strings = prefix_strings(L)
    rng = np.random.default_rng(seed)
    task = random_moore_machine(5, 0.75, seed=seed)
    pts = rng.normal(size=(4, 3)) * 10
    ex = extract_automaton(strings, pts[rng.integers(0, 4, size=len(strings))], np.ones((len(strings), 2)))
    rep = merger_report(ex, task.output, L)
    pairs = [(a, b) for a, b in combinations(range(len(strings)), 2) if ex.assignment[a] == ex.assignment[b]]
    agree = sum(_brute_force_agree(strings[a], strings[b], task.output, L) for a, b in pairs)
    assert rep.n_pairs == len(pairs) and rep.n_agreeing == agree and 0 < agree < len(pairs)


def test_a8_10_state_mergers_from_tree_to_parity_machine():
    """Epoch t: tree (every string alone); epoch t + 1: parity classes.  Every merged pair agrees."""
    strings = prefix_strings(5)
    tree = extract_automaton(strings, np.random.default_rng(1).normal(size=(len(strings), 6)), np.ones((len(strings), 2)))
    H, Y = _parity_hidden(strings)
    par = extract_automaton(strings, H, Y)
    ev = state_mergers(tree, par, target=_par, L_max=5)
    even = tuple(i for i, s in enumerate(strings) if _par(s) == 0)
    odd = tuple(i for i, s in enumerate(strings) if _par(s) == 1)
    assert ev.merged == ((0, even), (1, odd)) and ev.split == ()
    assert ev.n_merged_pairs == len(even) * (len(even) - 1) // 2 + len(odd) * (len(odd) - 1) // 2 and ev.n_split_pairs == 0
    assert ev.n_checked == ev.n_merged_pairs and ev.n_agreeing == ev.n_checked and ev.fraction_agreeing == 1.0
    back = state_mergers(par, tree)  # the reverse step is a pure split
    assert back.merged == () and back.n_merged_pairs == 0 and back.n_split_pairs == ev.n_merged_pairs
    assert back.split == ((0, even), (1, odd)) and back.n_checked is None


@pytest.mark.parametrize("seed", [1, 2, 3, 4])  # tasks whose minimal machine has 4 states
def test_a8_10_state_mergers_match_brute_force_on_random_assignments(seed):
    L = 4
    strings = prefix_strings(L)
    rng = np.random.default_rng(10 + seed)
    prev, cur = rng.integers(0, 6, size=len(strings)), rng.integers(0, 4, size=len(strings))
    task = random_moore_machine(4, 0.75, seed=seed)
    ev = state_mergers(prev, cur, strings=strings, target=task.output, L_max=L)
    merged = [(a, b) for a, b in combinations(range(len(strings)), 2) if prev[a] != prev[b] and cur[a] == cur[b]]
    split = [(a, b) for a, b in combinations(range(len(strings)), 2) if prev[a] == prev[b] and cur[a] != cur[b]]
    assert ev.merged_pairs().tolist() == [list(p) for p in merged]
    assert ev.n_merged_pairs == len(merged) and ev.n_split_pairs == len(split)
    agree = sum(_brute_force_agree(strings[a], strings[b], task.output, L) for a, b in merged)
    assert ev.n_checked == len(merged) and ev.n_agreeing == agree and 0 < agree < len(merged)
    groups = {q: tuple(sorted({int(prev[i]) for i in range(len(strings)) if cur[i] == q})) for q in set(cur.tolist())}
    assert ev.merged == tuple(sorted((q, g) for q, g in groups.items() if len(g) > 1))


def test_a8_10_merging_disagreeing_strings_is_reported():
    """Merging everything into one state mixes even and odd strings: the disagreeing pairs are counted."""
    strings = prefix_strings(4)
    H, Y = _parity_hidden(strings)
    one = extract_automaton(strings, np.zeros((len(strings), 3)) + 1e-9 * np.arange(len(strings))[:, None], Y, c=1e3)
    assert one.n_states == 1
    rep = merger_report(one, _par, 4)
    n_odd = sum(map(_par, strings))
    assert rep.n_pairs == len(strings) * (len(strings) - 1) // 2
    # any even/odd pair disagrees on the empty continuation; same-parity pairs agree everywhere
    assert rep.n_agreeing == rep.n_pairs - n_odd * (len(strings) - n_odd)
    ev = state_mergers(extract_automaton(strings, H, Y), one, target=_par, L_max=4)
    assert ev.n_merged_pairs == n_odd * (len(strings) - n_odd) and ev.n_agreeing == 0


def test_merged_fraction_by_length_extremes():
    strings = prefix_strings(6)
    H, Y = _parity_hidden(strings)
    full = merged_fraction_by_length(extract_automaton(strings, H, Y), parity_machine(), 6)
    assert np.isnan(full[0, 0])  # "0" and "1" disagree: no distinct agreeing pair of length 1
    assert np.allclose(full[~np.isnan(full)], 1.0)  # every agreeing pair merged
    tree = extract_automaton(strings, np.random.default_rng(0).normal(size=(len(strings), 5)), Y)
    assert np.nanmax(merged_fraction_by_length(tree, parity_machine(), 6)) == 0.0


# ---------------------------------------------------------------------------------------------
# drawing and bad input
# ---------------------------------------------------------------------------------------------

def test_draw_shows_states_transitions_and_initial_state():
    strings = prefix_strings(4)
    classes = [2 * _par(s) + len(s) % 2 for s in strings]
    ex = extract_automaton(strings, *_parity_hidden(strings, classes=classes), c=0.01)
    assert ExtractedAutomaton is Automaton
    fig, ax = plt.subplots()
    ex.draw(ax)
    T = ex.transitions
    n_self = int(np.sum(T == np.arange(ex.n_states)[:, None]))
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert len(arrows) == T.size - n_self
    assert sum(isinstance(p, Circle) for p in ax.patches) == n_self
    nodes, ring = ax.collections[0].get_offsets(), ax.collections[-1].get_offsets()
    assert len(nodes) == ex.n_states and np.allclose(ring[0], nodes[ex.initial])
    assert "4 states" in ax.get_title()
    plt.close(fig)
    fig, ax = plt.subplots()  # plot.draw_machine takes the extracted automaton itself: its reachable machine
    draw_machine(ax, ex)
    assert sum(isinstance(t, Annotation) for t in ax.texts) == T.size - n_self
    assert sum(isinstance(p, Circle) for p in ax.patches) == n_self
    plt.close(fig)
    fig, ax = plt.subplots()
    extract_automaton(strings, *_parity_hidden(strings), c=0.01).draw(ax)  # 2-state parity: one self-loop per state
    assert sum(isinstance(p, Circle) for p in ax.patches) == 2 and sum(isinstance(t, Annotation) for t in ax.texts) == 2
    plt.close(fig)


_S = ["", "0", "1"]


@pytest.mark.parametrize("call,match", [
    (lambda: prefix_strings(-1), "L_max"),
    (lambda: prefix_strings(2.0), "L_max"),
    (lambda: extract_automaton(["", "0", "2"], np.ones((3, 2)), np.ones((3, 2))), "strings"),
    (lambda: extract_automaton(["", 0, "1"], np.ones((3, 2)), np.ones((3, 2))), "strings"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), c=0.0), "^c must"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), c=-1.0), "^c must"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), c="big"), "^c must"),
    (lambda: extract_automaton(["0", "1"], np.ones((2, 2)), np.ones((2, 2))), "empty string"),
    (lambda: extract_automaton(["", "01"], np.ones((2, 2)), np.ones((2, 2))), "prefix-closed"),
    (lambda: extract_automaton(["", "0", "0"], np.ones((3, 2)), np.ones((3, 2))), "repeat"),
    (lambda: extract_automaton(_S, np.ones((4, 2)), np.ones((3, 2))), "hidden"),
    (lambda: extract_automaton(_S, np.ones(3), np.ones((3, 2))), "hidden"),
    (lambda: extract_automaton(_S, np.full((3, 2), np.nan), np.ones((3, 2))), "hidden"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((2, 2))), "outputs"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), rule="mean"), "rule"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), epsilon=-0.1), "^epsilon must"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), epsilon=0.0), "^epsilon must"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), epsilon=np.nan), "^epsilon must"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), epsilon=np.inf), "^epsilon must"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), epsilon="0.1"), "^epsilon must"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), epsilon=True), "^epsilon must"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), 0.01, epsilon=0.1), "c .*and epsilon"),
    (lambda: extract_automaton(_S, np.ones((3, 2)), np.ones((3, 2)), c=0.5, epsilon=0.1), "c .*and epsilon"),
    (lambda: minimize("parity"), "machine"),
    (lambda: merger_report(None, _par, 3), "extracted"),
    (lambda: merger_report(extract_automaton(_S, np.eye(3), np.eye(3)), "parity", 3), "target"),
    (lambda: merger_report(extract_automaton(_S, np.eye(3), np.eye(3)), _par, 0), "L_max"),
    (lambda: state_mergers([0, 1], [0, 1, 2]), "previous and current"),
    (lambda: state_mergers([0.5, 1.0], [0, 1]), "previous"),
    (lambda: state_mergers([0, 1], [[0, 1]]), "current"),
    (lambda: state_mergers([0, 1, 2], [0, 0, 1], target=_par, L_max=2), "strings"),
    (lambda: state_mergers([0, 1, 2], [0, 0, 1], strings=_S, target=_par), "L_max"),
    (lambda: state_mergers([0, 1, 2], [0, 0, 1], strings=["", "0"]), "strings"),
    (lambda: random_moore_machine(0, seed=0), "n_states_max"),
    (lambda: random_moore_machine(5, 1.5, seed=0), "p_new"),
])
def test_bad_input_raises_naming_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_moore_machine_checks_its_tables():
    """A MooreMachine with a successor outside 0..n-1 made minimize fail with a bare IndexError; fractional,
    NaN or mis-sized tables and an initial state outside the machine were accepted."""
    from lrnn_theory.merging import MooreMachine

    T, out = np.array([[0, 1], [1, 0]]), np.array([0, 1])
    for args, kw, match in [((np.array([[0, 5]]), np.array([0])), {}, "^transitions must hold states"),
                            ((np.array([[0, -2]]), np.array([0])), {}, "^transitions must hold states"),
                            ((np.array([[0.5, 1], [1, 0]]), out), {}, "^transitions must"),
                            ((T[:, :1], out), {}, "^transitions must have shape"),
                            (("01", out), {}, "^transitions must"),
                            ((T, np.array([0])), {}, "^outputs must have one entry"),
                            ((T, np.array([0, np.nan])), {}, "^outputs must"),
                            ((T, out), {"initial": 2}, "^initial must"),
                            ((T, out), {"initial": 0.5}, "^initial")]:
        with pytest.raises((ValueError, TypeError), match=match):
            MooreMachine(*args, **kw)
    # integer-valued floats, bools and NumPy integers are the same machine as the int tables
    m = MooreMachine(T.astype(float), out.astype(bool), initial=np.int64(1))
    assert m.transitions.dtype == np.int64 and m.initial == 1 and type(m.initial) is int
    assert [m.output(s) for s in ("", "0", "1", "11")] == [1, 1, 0, 1]  # parity started in the odd state


@pytest.mark.parametrize("scale", [1e-300, 1e-120, 1e120, 1e200, 1e300])
def test_relative_threshold_is_scale_free_at_extreme_magnitudes(scale):
    """``ε = c‖σ‖`` scales with the hidden states, so the clusters of ``scale * h`` are those of ``h`` (exactly:
    the comparison is rescaled by a power of two).  At 1e200 the spread overflowed to ε = inf and every string
    fell into one state; at 1e-300 it underflowed."""
    rng = np.random.default_rng(0)
    strings = prefix_strings(5)
    odd = np.array([s.count("1") % 2 for s in strings])
    h = np.eye(2)[odd] + 0.01 * rng.standard_normal((len(strings), 2))
    ref = extract_automaton(strings, h, np.eye(2)[odd], c=0.1)
    got = extract_automaton(strings, h * scale, np.eye(2)[odd], c=0.1)
    assert ref.n_states == 2 and np.array_equal(got.assignment, ref.assignment)
    assert np.isfinite(got.epsilon) and got.epsilon == pytest.approx(ref.epsilon * scale, rel=1e-12)
    same = extract_automaton(strings, h * scale, np.eye(2)[odd], epsilon=got.epsilon)  # c and epsilon agree
    assert np.array_equal(same.assignment, ref.assignment)


def test_threshold_that_overflows_is_refused():
    strings = prefix_strings(2)
    h = np.arange(len(strings) * 2, dtype=float).reshape(-1, 2) * 1e10
    with pytest.raises(ValueError, match="overflows"):
        extract_automaton(strings, h, np.ones((len(strings), 2)), c=1e300)


def test_a_moore_machine_is_a_target():
    """merger_report / state_mergers take the task as a MooreMachine (its outputs) as well as a label function,
    as merged_fraction_by_length does; the counts are those of the label function."""
    strings = prefix_strings(3)
    rng = np.random.default_rng(1)
    ex = extract_automaton(strings, rng.standard_normal((len(strings), 2)), np.ones((len(strings), 2)), c=0.5)
    par = lambda s: s.count("1") % 2  # noqa: E731
    assert merger_report(ex, parity_machine(), 3) == merger_report(ex, par, 3)
    tree = extract_automaton(strings, np.eye(len(strings)), np.ones((len(strings), 2)), epsilon=0.1)
    assert state_mergers(tree, ex, target=parity_machine(), L_max=3) == state_mergers(tree, ex, target=par, L_max=3)
