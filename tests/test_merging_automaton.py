"""Streaming-parity data, automaton extraction and minimisation (THEORY-EXTENSIONS A.1–A.3, A.8 checks 8, 10)."""
import numpy as np
import pytest

from lrnn_theory.merging.automaton import extract_automaton, merger_report, minimize, parity_machine
from lrnn_theory.merging.tasks import MooreMachine, all_strings, parity, parity_data, random_moore_machine


def _language(machine, L=8):
    return [machine.output(s) for s in all_strings(L, include_empty=True)]


def _brute_force_classes(machine):
    """Moore's naive refinement on reachable states: number of equivalence classes."""
    T, out = machine.transitions, machine.outputs
    reach, stack = {machine.initial}, [machine.initial]
    while stack:
        q = stack.pop()
        for r in T[q]:
            if int(r) not in reach:
                reach.add(int(r))
                stack.append(int(r))
    reach = sorted(reach)
    label = {q: int(out[q]) for q in reach}
    while True:
        sig = {q: (label[q], label[int(T[q, 0])], label[int(T[q, 1])]) for q in reach}
        ids = {s: i for i, s in enumerate(sorted(set(sig.values())))}
        new = {q: ids[sig[q]] for q in reach}
        if len(set(new.values())) == len(set(label.values())):
            return len(set(new.values()))
        label = new


def test_a1_training_set_sizes_and_parity():
    d = parity_data(10)
    assert len(d.strings) == 2046 and np.array_equal(d.labels, parity(d.strings))
    assert parity(["", "1", "11", "10101"]).tolist() == [0, 1, 0, 1]
    sub = parity_data(10, 0.5, seed=3)
    assert abs(len(sub.strings) - 1023) < 4 * np.sqrt(2046 * 0.25)  # binomial(2046, 1/2) within 4 s.d.
    assert sub.strings == parity_data(10, 0.5, seed=3).strings


def test_a8_8_duplicated_parity_machine_reduces_to_two_states():
    dup = MooreMachine(transitions=np.array([[2, 1], [3, 0], [0, 3], [1, 2]]), outputs=np.array([0, 1, 0, 1]), initial=0)
    m = minimize(dup)
    assert m.n_states == 2
    assert np.array_equal(m.transitions, parity_machine().transitions) and np.array_equal(m.outputs, parity_machine().outputs)


def test_a8_8_distinguishable_machine_stays_and_open_machine_is_rejected_or_sunk():
    three = MooreMachine(transitions=np.array([[1, 0], [2, 0], [2, 2]]), outputs=np.array([0, 0, 1]), initial=0)
    assert minimize(three).n_states == 3
    tree = MooreMachine(transitions=np.array([[1, 2], [-1, -1], [-1, -1]]), outputs=np.array([0, 1, 0]), initial=0)
    with pytest.raises(ValueError, match="not closed"):
        minimize(tree)
    sunk = minimize(tree, sink=True)
    assert sunk.is_closed and -1 in sunk.outputs.tolist() and sunk.n_states == 4


@pytest.mark.parametrize("seed", range(12))
def test_hopcroft_agrees_with_brute_force_refinement_on_random_machines(seed):
    m = random_moore_machine(7, 0.75, seed=seed)
    q = minimize(m)
    assert q.n_states == _brute_force_classes(m)
    assert _language(q) == _language(m)  # same outputs on every string up to length 8
    assert minimize(q).n_states == q.n_states and np.array_equal(minimize(q).transitions, q.transitions)  # idempotent


def _parity_hidden(strings, P=16, noise=1e-4, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(2, P))
    par = parity(strings)
    H = v[par] + noise * rng.normal(size=(len(strings), P))
    Y = np.eye(2)[par] + 0.1
    return H, Y


def test_a2_parity_embedding_extracts_to_the_parity_machine():
    strings = all_strings(7, include_empty=True)
    H, Y = _parity_hidden(strings)
    for rule in ("first", "nearest"):
        ex = extract_automaton(strings, H, Y, c=0.01, rule=rule)
        assert ex.is_closed and ex.n_states == 2 and ex.n_conflicts == 0
        m = ex.minimize()
        assert np.array_equal(m.transitions, parity_machine().transitions)
        s = "".join(np.random.default_rng(1).choice(["0", "1"], size=1000))
        assert m.output(s) == s.count("1") % 2


def test_a2_unmerged_tree_has_one_state_per_string_and_is_not_closed():
    strings = all_strings(5, include_empty=True)
    H = np.random.default_rng(2).normal(size=(len(strings), 8))
    ex = extract_automaton(strings, H, np.ones((len(strings), 2)), c=0.01)
    assert ex.n_states == len(strings) and not ex.is_closed
    with pytest.raises(ValueError, match="not closed"):
        ex.minimize()


def test_a2_conflicting_members_are_counted_not_overwritten():
    """'0' and '1' forced into one state while their successors '00' and '10' differ."""
    strings = ["", "0", "1", "00", "01", "10", "11"]
    H = np.array([[0.0, 0], [5, 0], [5, 0], [0, 5], [0, 9], [9, 9], [9, 0]])
    ex = extract_automaton(strings, H, np.ones((7, 2)), c=0.01)
    assert ex.assignment[1] == ex.assignment[2] and ex.n_conflicts == 2


def test_a8_10_merged_pairs_agree_on_all_future_outputs():
    strings = all_strings(6, include_empty=True)
    H, Y = _parity_hidden(strings)
    good = merger_report(extract_automaton(strings, H, Y), lambda s: s.count("1") % 2, 6)
    n_even = sum(1 for s in strings if s.count("1") % 2 == 0)
    assert good.n_pairs == n_even * (n_even - 1) // 2 + (len(strings) - n_even) * (len(strings) - n_even - 1) // 2
    assert good.fraction == 1.0
    # merging everything into one state mixes even and odd strings: agreement drops to about one half
    bad = merger_report(extract_automaton(strings, np.zeros((len(strings), 3)) + 1e-9 * np.arange(len(strings))[:, None], Y, c=1e3),
                        lambda s: s.count("1") % 2, 6)
    assert bad.n_pairs == len(strings) * (len(strings) - 1) // 2 and 0.3 < bad.fraction < 0.7


def test_merged_fraction_by_length_extremes():
    from lrnn_theory.merging import merged_fraction_by_length

    strings = all_strings(6, include_empty=True)
    H, Y = _parity_hidden(strings)
    full = merged_fraction_by_length(extract_automaton(strings, H, Y), parity_machine(), 6)
    assert np.isnan(full[0, 0])  # "0" and "1" disagree: no distinct agreeing pair of length 1
    assert np.allclose(full[~np.isnan(full)], 1.0)  # every agreeing pair merged
    tree = extract_automaton(strings, np.random.default_rng(0).normal(size=(len(strings), 5)), Y)
    assert np.nanmax(merged_fraction_by_length(tree, parity_machine(), 6)) == 0.0


@pytest.mark.parametrize("call,match", [
    (lambda: parity(["012"]), "strings"), (lambda: parity_data(0), "L_max"), (lambda: parity_data(5, 1.5), "p"),
    (lambda: parity_data(5, 0.0), "p"), (lambda: extract_automaton(["", "0"], np.ones((2, 2)), np.ones((2, 2)), c=0.0), "c"),
    (lambda: extract_automaton(["0", "1"], np.ones((2, 2)), np.ones((2, 2))), "empty string"),
    (lambda: extract_automaton(["", "0"], np.ones((3, 2)), np.ones((2, 2))), "hidden"),
    (lambda: extract_automaton(["", "0"], np.ones((2, 2)), np.ones((2, 2)), rule="mean"), "rule"),
    (lambda: minimize("parity"), "machine"), (lambda: random_moore_machine(0), "n_states_max"),
    (lambda: merger_report(None, parity, 3), "extracted"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_random_regular_task_labels_follow_the_machine_and_its_minimal_form():
    m = random_moore_machine(7, 0.75, seed=5)
    d = parity_data(6, machine=m)
    assert [m.output(s) for s in d.strings] == d.labels.tolist()
    q = m.minimize()
    assert [q.output(s) for s in d.strings] == d.labels.tolist()  # minimisation preserves the task
    assert 1 <= m.n_states <= 7 and m.is_closed
