"""The streaming-parity Elman RNN: BPTT gradients, prefix-tree states, training (theory guide `merging-task`, `merging-protocol`, `theory-checks-merging`; van Rossem & Saxe (2025))."""
import numpy as np
import pytest

from lrnn_theory.merging import extract_automaton, minimize, parity_machine
from lrnn_theory.merging.rnn import ElmanParams, batch_loss_and_grad, hidden_states, init_params
from lrnn_theory.merging.train import phase_point, prefix_tree_states, train_parity


def _params(seed=0):
    p = init_params(6, 1.0, seed=seed)
    rng = np.random.default_rng(seed + 10)
    return ElmanParams(p.W_ih, 0.1 * rng.normal(size=6), p.W_hh, 0.1 * rng.normal(size=6), p.W_hy, 0.1 * rng.normal(size=2))


@pytest.mark.parametrize("nonlinearity", ["relu", "tanh"])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_a8_1_bptt_gradients_match_central_differences(nonlinearity, loss):
    p = _params()
    rng = np.random.default_rng(1)
    sym = rng.integers(0, 2, size=(5, 7))
    target = np.eye(2)[sym.sum(axis=1) % 2]
    _, g = batch_loss_and_grad(p, sym, target, nonlinearity=nonlinearity, loss=loss)
    h = 1e-6
    for name in ("W_ih", "b_ih", "W_hh", "b_hh", "W_hy", "b_hy"):
        A = getattr(p, name)
        fd = np.zeros_like(A)
        for idx in np.ndindex(A.shape):
            plus, minus = A.copy(), A.copy()
            plus[idx] += h
            minus[idx] -= h
            lp = batch_loss_and_grad(ElmanParams(**{**p.__dict__, name: plus}), sym, target, nonlinearity=nonlinearity, loss=loss)[0]
            lm = batch_loss_and_grad(ElmanParams(**{**p.__dict__, name: minus}), sym, target, nonlinearity=nonlinearity, loss=loss)[0]
            fd[idx] = (lp - lm) / (2 * h)
        err = np.linalg.norm(fd - getattr(g, name)) / max(np.linalg.norm(fd), 1e-12)
        assert err < 1e-6, (name, err)


def test_two_hidden_biases_receive_identical_gradients():
    p = _params(2)
    sym = np.random.default_rng(3).integers(0, 2, size=(4, 5))
    _, g = batch_loss_and_grad(p, sym, np.eye(2)[sym[:, 0]])
    assert np.array_equal(g.b_ih, g.b_hh)


def test_prefix_tree_states_equal_the_batched_forward_pass():
    p = _params(4)
    strings, hidden, outputs = prefix_tree_states(p, 5)
    assert strings[0] == "" and np.array_equal(hidden[0], np.ones(6))  # h_0 = 1
    for m in (1, 3, 5):
        idx = [i for i, s in enumerate(strings) if len(s) == m]
        sym = np.array([[int(ch) for ch in strings[i]] for i in idx])
        H = hidden_states(p, sym)
        assert np.allclose(hidden[idx], H[-1], rtol=1e-13, atol=1e-14)
        assert np.allclose(outputs[idx], H[-1] @ p.W_hy.T + p.b_hy, rtol=1e-13, atol=1e-14)


def test_a7_smoke_run_is_well_formed_and_reproducible():
    kw = dict(hidden=32, L_max=6, epochs=300, extract_every=50, long_lengths=(25,), seed=3)
    a = train_parity(**kw)
    b = train_parity(**kw)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.n_states, b.n_states)
    assert a.loss.shape == (300,) and np.all(np.isfinite(a.loss)) and a.loss[-1] < a.loss[0]
    assert a.record_epochs.tolist() == [0, 50, 100, 150, 200, 250, 300]
    ex = a.extract_automaton(0.01)
    assert ex.assignment.shape == (127,) and ex.machine.transitions.shape == (ex.n_states, 2)
    assert np.all(ex.machine.transitions < ex.n_states) and 1 <= ex.n_states <= 127
    assert a.n_states[-1] == ex.n_states


def test_divergent_learning_rate_is_reported_not_crashed():
    run = train_parity(hidden=16, L_max=4, epochs=20, lr=50.0, gain=1.0, long_lengths=(5,), dtype="float64")
    assert run.diverged and 1 <= run.diverged_epoch <= 20
    assert np.all(np.isfinite(run.loss[: run.diverged_epoch - 1])) and np.all(np.isnan(run.loss[run.diverged_epoch - 1:]))
    assert np.isnan(run.long_accuracy[5])
    ok = train_parity(hidden=16, L_max=4, epochs=5, long_lengths=(5,))
    assert not ok.diverged


def _hand_epsilon(hidden_list, c):
    """``c · ‖per-coordinate std‖`` of the stacked hidden states, the std written out as a mean of squares."""
    H = np.concatenate(hidden_list)
    return c * float(np.sqrt(np.sum(np.mean((H - H.mean(axis=0)) ** 2, axis=0))))


_SMALL = dict(hidden=16, L_max=5, epochs=60, extract_every=15, long_lengths=(), seed=1, gain=0.5, lr=0.05,
              track_strings=("0", "11", "10101"), snapshot_epochs=(30,))


@pytest.fixture(scope="module")
def small_runs():
    return train_parity(**_SMALL), train_parity(**_SMALL, epsilon_scope="run")


def test_record_params_are_the_weights_seen_during_training(small_runs):
    """Hidden states of the tracked strings (recorded during training) equal those recomputed from ``record_params``."""
    run, _ = small_runs
    assert run.record_epochs.tolist() == [0, 15, 30, 45, 60] and len(run.record_params) == 5
    assert all(np.array_equal(a, b) for a, b in zip(run.record_params[-1].arrays(), run.params.arrays()))
    for k, prm in enumerate(run.record_params):
        strings, hid, _ = prefix_tree_states(prm, 5)
        for s in _SMALL["track_strings"]:
            assert np.array_equal(run.tracked[s][k], hid[strings.index(s)])


def test_per_epoch_and_run_wide_epsilon_equal_the_hand_computed_values(small_runs):
    run, wide = small_runs
    states = [prefix_tree_states(prm, 5) for prm in run.record_params]
    # per epoch: one ε per record, from that record's hidden states alone
    per = np.array([_hand_epsilon([hid], 0.01) for _, hid, _ in states])
    assert np.allclose(run.epsilon, per, rtol=1e-12, atol=0) and np.unique(run.epsilon).size == 5
    # run-wide: one ε from the hidden states of all recorded epochs stacked
    eps = _hand_epsilon([hid for _, hid, _ in states], 0.01)
    assert np.allclose(wide.epsilon, eps, rtol=1e-12, atol=0) and np.unique(wide.epsilon).size == 1
    # the tracked counts are those of extractions at these thresholds
    for k, (strings, hid, out) in enumerate(states):
        for r, e in ((run, per[k]), (wide, eps)):
            ex = extract_automaton(strings, hid, out, epsilon=float(e))
            assert r.n_states[k] == ex.n_states and r.is_closed[k] == ex.is_closed
            assert r.n_unreachable[k] == ex.unreachable.size
    ex30 = extract_automaton(*states[2], epsilon=eps)
    assert np.array_equal(wide.snapshots[30].transitions, ex30.transitions)
    # same training either way; only the extraction differs
    assert np.array_equal(run.loss, wide.loss) and wide.config["epsilon_scope"] == "run"
    # the final automaton of a run-wide run uses the run-wide ε by default
    assert wide.extract_automaton().epsilon == wide.epsilon[-1] and run.extract_automaton().c == 0.01


def test_rethreshold_equals_training_with_the_other_scope(small_runs):
    run, wide = small_runs
    for a, b in ((run.rethreshold("run"), wide), (wide.rethreshold("epoch"), run)):
        for name in ("n_states", "is_closed", "epsilon", "n_unreachable"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert a.config == b.config and sorted(a.snapshots) == sorted(b.snapshots) == [30]
    coarse = run.rethreshold("epoch", c=0.5)
    assert np.allclose(coarse.epsilon, 50 * run.epsilon, rtol=1e-14)


@pytest.mark.slow
def test_a8_9_end_to_end_default_run_merges_into_the_parity_automaton():
    """Opt-in (``pytest -m slow``): the theory guide `merging-task` defaults, seed 0, about 30 s.

    Check 9 asserted without condition: the final automaton at ``c = 0.01`` (its states reachable
    from ``h_0``) is closed and minimises to the two-state parity machine, with per-epoch and with
    run-wide ``ε``.  Measured for seed 0: peak 245 reachable states (269 clusters) with per-epoch
    ``ε``, 157 (170 clusters) with one ``ε`` for the run.
    """
    run = train_parity(seed=0)
    assert run.val_accuracy[-1] == 1.0
    assert run.long_accuracy[100] >= 0.99 and run.long_accuracy[1000] >= 0.99
    assert run.n_states.max() > 100 and run.n_states[-1] < run.n_states.max() / 3  # grows (tree), then collapses
    late = [e for e, closed in zip(run.record_epochs, run.is_closed) if closed and e > 600]
    assert late  # a closed machine at the fine threshold after the transition
    wide = run.rethreshold("run")
    strings, hid, out = prefix_tree_states(run.params, 10)
    eps_run = _hand_epsilon([prefix_tree_states(prm, 10)[1] for prm in run.record_params], 0.01)
    assert np.allclose(wide.epsilon, eps_run, rtol=1e-12, atol=0)
    assert wide.n_states.max() > 100 and wide.n_states.max() < run.n_states.max()  # one scale: a lower peak
    for ex in (run.extract_automaton(0.01), extract_automaton(strings, hid, out, epsilon=eps_run)):
        assert 2 < ex.n_states < 100
        assert ex.is_closed
        m = ex.minimize()
        assert np.array_equal(m.transitions, parity_machine().transitions)
        assert np.array_equal(m.outputs, parity_machine().outputs) and m.initial == 0
        rng = np.random.default_rng(7)
        for _ in range(20):  # the reachable machine computes parity far beyond the training length
            s = "".join(rng.choice(["0", "1"], size=1000))
            assert ex.run(s) == s.count("1") % 2
    print(f"peak states per-epoch eps: {run.n_states.max()} (clusters {(run.n_states + run.n_unreachable).max()}); "
          f"run-wide eps: {wide.n_states.max()} (clusters {(wide.n_states + wide.n_unreachable).max()})")


@pytest.mark.parametrize("kwargs,match", [
    (dict(hidden=0), "hidden"), (dict(gain=-1.0), "gain"), (dict(lr=0.0), "lr"), (dict(epochs=-1), "epochs"),
    (dict(p=1.5), "p"), (dict(L_max=0), "L_max"), (dict(loss="hinge"), "loss"), (dict(nonlinearity="gelu"), "nonlinearity"),
    (dict(c=0.0), "c"), (dict(dtype="float16"), "dtype"), (dict(extract_every=0), "extract_every"),
    (dict(epsilon_scope="global"), "epsilon_scope"), (dict(epsilon_scope=None), "epsilon_scope"),
    (dict(c=np.nan), "c"),
])
def test_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        train_parity(epochs=1, **kwargs)


def test_phase_point_checks_its_dtype():
    """``phase_point(dtype=...)`` (float64 runs are compared with the batched cells in test_merging_phase.py)."""
    with pytest.raises(ValueError, match="dtype"):
        phase_point(1.0, 0.1, max_epochs=1, hidden=2, dtype="float16")


def test_bad_batch_input():
    p = _params()
    with pytest.raises(ValueError, match="sym"):
        batch_loss_and_grad(p, np.array([[0, 2]]), np.ones((1, 2)))
    with pytest.raises(ValueError, match="target"):
        batch_loss_and_grad(p, np.array([[0, 1]]), np.ones((2, 2)))
    with pytest.raises(TypeError, match="params"):
        batch_loss_and_grad("w", np.array([[0, 1]]), np.ones((1, 2)))
    assert minimize(parity_machine()).n_states == 2


def test_bad_threshold_input_on_a_run(small_runs):
    run, _ = small_runs
    with pytest.raises(ValueError, match="epsilon_scope"):
        run.rethreshold("global")
    with pytest.raises(ValueError, match="^c must"):
        run.rethreshold("run", c=-0.1)
    with pytest.raises(ValueError, match="rule"):
        run.rethreshold("run", rule="mean")
    with pytest.raises(ValueError, match="c .*and epsilon"):
        run.extract_automaton(0.01, epsilon=0.1)
    with pytest.raises(ValueError, match="^epsilon must"):
        run.extract_automaton(epsilon=np.nan)


def test_train_parity_progress_bar_counts_epochs_and_changes_nothing(capsys):
    """``progress=True`` draws a tqdm bar over the epochs on stderr; the default (``None``) draws none
    when stderr is not a terminal (here: captured); the run itself is the same either way."""
    import numpy as np
    import pytest

    from lrnn_theory.merging import train_parity

    kw = dict(hidden=8, L_max=3, epochs=12, extract_every=4, long_lengths=())
    quiet = train_parity(**kw)
    assert capsys.readouterr().err == ""
    shown = train_parity(**kw, progress=True)
    err = capsys.readouterr().err
    assert "train_parity" in err and "12/12" in err
    np.testing.assert_array_equal(quiet.loss, shown.loss)
    np.testing.assert_array_equal(quiet.params.W_hh, shown.params.W_hh)
    with pytest.raises(TypeError, match="progress"):
        train_parity(**kw, progress="yes")


def test_train_parity_holds_blas_to_one_thread_whatever_the_caller_set(monkeypatch):
    """Training runs with one BLAS thread even when the caller allows more (threadpoolctl reads the
    limit in force at each SGD step), and the run equals one made under a one-thread limit."""
    from threadpoolctl import threadpool_info, threadpool_limits

    import lrnn_theory.merging.train as train

    seen = []
    update = train._sgd_step

    def spy(*args, **kwargs):
        seen.append(max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"))
        return update(*args, **kwargs)

    monkeypatch.setattr(train, "_sgd_step", spy)
    kw = dict(hidden=8, L_max=3, epochs=3, extract_every=3, long_lengths=())
    with threadpool_limits(2, user_api="blas"):
        assert max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas") == 2
        two = train_parity(**kw)
        assert max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas") == 2  # restored
    assert seen and set(seen) == {1}
    with threadpool_limits(1, user_api="blas"):
        one = train_parity(**kw)
    np.testing.assert_array_equal(two.loss, one.loss)
    np.testing.assert_array_equal(two.params.W_hh, one.params.W_hh)
