"""The phase-diagram cells trained together (theory guide `gallery-merging-f5`, `merging-task`; van Rossem & Saxe (2025), Fig. 9).

The batched kernel shares the forward pass of common prefixes inside a mini-batch and sums the
adjoints of a prefix's children before back-propagating them: the same gradient in another order.
Each check compares it with the serial reference (``batch_loss_and_grad``, validated against
finite differences; ``train_parity``/``phase_point``, one network at a time) in float64, where the
two orders of summation differ by rounding only.
"""
import functools

import numpy as np
import pytest

from lrnn_theory.figures.merging_f5 import _grid_cells
from lrnn_theory.merging import extract_automaton, init_params, prefix_tree_states
from lrnn_theory.merging._batched import DIVERGED, STOPPED, _count_states, _tree_step, phase_cells, train_cells
from lrnn_theory.merging.rnn import ElmanParams, batch_loss_and_grad
from lrnn_theory.merging.train import phase_point, train_parity
from lrnn_theory.sweep import Replicated, sweep

# float64 rounding after a few hundred SGD steps on ~1e3 products of length 16..100
RTOL = 1e-10


def _biased(hidden, seed):
    p = init_params(hidden, 1.0, seed=seed)
    rng = np.random.default_rng(seed + 7)
    return ElmanParams(p.W_ih, 0.1 * rng.normal(size=hidden), p.W_hh, 0.1 * rng.normal(size=hidden), p.W_hy,
                       0.1 * rng.normal(size=2))


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("m, B", [(1, 2), (4, 16), (7, 40)])
def test_prefix_tree_step_equals_the_string_by_string_gradient(loss, m, B):
    """One SGD step by BPTT on the batch's prefix tree = the step with ``batch_loss_and_grad`` (per string)."""
    P, L_max = 6, 8
    p = _biased(P, m)
    rng = np.random.default_rng(m + B)
    codes = np.sort(rng.choice(2 ** m, size=B, replace=False))
    sym = (codes[:, None] >> np.arange(m - 1, -1, -1)) & 1  # first symbol most significant
    target = np.eye(2)[rng.integers(0, 2, size=B)]
    ref_loss, g = batch_loss_and_grad(p, sym, target, loss=loss)
    lr = 0.3
    W = [a.copy() for a in p.arrays()]
    work = (np.empty((L_max + 1, B), np.int64), np.empty((L_max + 1, B), np.int64), np.empty(L_max + 1, np.int64),
            np.empty(L_max + 2, np.int64), np.empty(((L_max + 1) * B, P)), np.empty(((L_max + 1) * B, P)),
            np.empty((B, P)), np.empty((2, P)), np.empty(P))
    got = _tree_step(*W, codes, target, m, lr, loss == "cross_entropy", *work)
    assert got == pytest.approx(ref_loss, rel=1e-14)
    for w, a, ga in zip(W, p.arrays(), g.arrays()):
        np.testing.assert_allclose(w, a - lr * ga, rtol=1e-13, atol=1e-15)


_CELLS = dict(p=[1.0, 0.5, 0.3], gain=[0.5, 1.0, 0.3], seed=[3, 4, 11])


def _serial(p, gain, seed, **kw):
    return train_parity(hidden=16, gain=gain, p=p, seed=seed, loss="cross_entropy", long_lengths=(), n_val=2,
                        val_length=3, dtype="float64", **kw)


def test_batched_cells_equal_their_serial_runs_each_stopping_on_its_own():
    """Losses of every epoch and final weights of three cells = three ``train_parity`` runs (float64).

    With ``stop_loss = 0.66`` two cells stop after different numbers of epochs and one runs to ``max_epochs``.
    """
    runs = train_cells(**_CELLS, max_epochs=60, hidden=16, dtype="float64", stop_loss=0.66, chunk_epochs=7)
    stopped = set()
    for i, (p, g, s) in enumerate(zip(*_CELLS.values())):
        ref = _serial(p, g, s, epochs=60, stop_loss=0.66, extract_every=60)
        n = ref.loss.size
        assert runs.epochs[i] == n and (runs.status[i] == STOPPED) == (ref.stopped_epoch is not None)
        np.testing.assert_allclose(runs.loss[i, :n], ref.loss, rtol=RTOL)
        assert np.all(np.isnan(runs.loss[i, n:]))
        for a, b in zip(runs.params[i].arrays(), ref.params.arrays()):
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=RTOL * np.abs(b).max())
        stopped.add(int(runs.epochs[i]))
    assert len(stopped) == 3  # three different stopping epochs: each cell stopped on its own


def test_one_thread_and_all_threads_give_identical_cells():
    kw = dict(max_epochs=12, hidden=16, dtype="float32", chunk_epochs=5)
    a = train_cells(**_CELLS, parallel=True, **kw)
    b = train_cells(**_CELLS, parallel=False, **kw)
    assert np.array_equal(a.loss, b.loss, equal_nan=True)
    assert all(np.array_equal(x, y) for pa, pb in zip(a.params, b.params) for x, y in zip(pa.arrays(), pb.arrays()))


def test_phase_cells_equal_phase_point_in_float64():
    """Every reported number of the batched cells = ``phase_point`` run cell by cell (float64)."""
    kw = dict(max_epochs=40, hidden=16, n_test=10, test_length=20)
    out = phase_cells(**_CELLS, dtype="float64", **kw)
    for i, (p, g, s) in enumerate(zip(*_CELLS.values())):
        ref = phase_point(p, g, seed=s, dtype="float64", **kw)
        for key, val in ref.items():
            assert out[key][i] == val, (i, key)


def test_float32_training_follows_float64_but_not_its_state_counts():
    """Float32 vs float64 on small cells: the loss curves agree to float32 rounding amplified by 150 epochs
    of training (1e-3 relative), the weights drift apart (up to ~2e-2), and the state count at
    ``c = 0.1`` of a merged representation (cell 0, ~20 states) is the same while that of a tree-like one
    (hundreds of states, many distances near the threshold) is not: this is why merging-f5 trains in float64."""
    cells = dict(p=[1.0, 0.6, 0.4, 1.0], gain=[0.3, 1.0, 0.5, 1.0], seed=[1, 2, 3, 4])
    r32 = train_cells(**cells, max_epochs=150, hidden=24, dtype="float32")
    r64 = train_cells(**cells, max_epochs=150, hidden=24, dtype="float64")
    np.testing.assert_allclose(r32.loss, r64.loss, rtol=1e-3)
    kw = dict(max_epochs=150, hidden=24, n_test=20, test_length=30)
    f32 = phase_cells(**cells, dtype="float32", **kw)
    f64 = phase_cells(**cells, dtype="float64", **kw)
    for key in ("epochs", "converged"):
        assert np.array_equal(f32[key], f64[key]), key
    assert f32["n_states"][0] == f64["n_states"][0] < 50
    assert np.all(np.abs(f32["n_states"] / f64["n_states"] - 1) < 0.25)


def test_state_count_equals_extract_automaton():
    """The compiled state count = :func:`extract_automaton` (first rule, reachable states, closure) on
    networks that give anything from a few merged states to the untouched tree."""
    for gain, seed, c in [(0.1, 0, 0.1), (1.0, 1, 0.1), (1.0, 2, 0.01), (3.0, 3, 0.3), (0.5, 4, 1.0)]:
        prm = _biased(12, seed)
        prm = ElmanParams(*(a * (gain if k in (0, 2) else 1.0) for k, a in enumerate(prm.arrays())))
        strings, hid, out = prefix_tree_states(prm, 8)
        ex = extract_automaton(strings, hid, out, c)
        eps = c * float(np.linalg.norm(hid.std(axis=0)))
        assert _count_states(hid, eps) == (ex.n_states, ex.is_closed)


def test_divergence_is_reported_as_phase_point_does():
    runs = train_cells([1.0], [1.0], [0], max_epochs=20, hidden=16, lr=50.0, dtype="float64", loss="mse")
    ref = train_parity(hidden=16, gain=1.0, lr=50.0, epochs=20, seed=0, long_lengths=(), n_val=2, val_length=3,
                       dtype="float64")
    assert ref.diverged and runs.status[0] == DIVERGED and runs.epochs[0] == 20
    k = ref.diverged_epoch
    np.testing.assert_allclose(runs.loss[0, :k - 1], ref.loss[:k - 1], rtol=RTOL)
    assert np.all(np.isnan(runs.loss[0, k - 1:]))


def test_vectorized_sweep_equals_the_per_cell_sweep():
    """The figure's path (chunks of cells through ``sweep(vectorized=True)``) = one ``phase_point`` per grid
    point (``Replicated``): same per-point seeds, same numbers (float64)."""
    grid = {"p": [0.5, 1.0], "gain": [0.3], "replicate": [0, 1]}
    kw = dict(max_epochs=15, hidden=8, n_test=5, test_length=12, dtype="float64")
    fast = sweep(functools.partial(_grid_cells, **kw), grid, executor="serial", progress=False, vectorized=True,
                 chunksize=3, seed=5)
    slow = sweep(Replicated(phase_point, **kw), grid, executor="serial", progress=False, seed=5)
    for key in ("n_states", "closed", "accuracy", "epochs", "converged"):
        assert np.array_equal(fast[key].values, slow[key].values), key


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(p=[0.5, 1.0], gain=[0.1], seed=[0, 1]), ValueError, "p, gain and seed"),
    (dict(p=[], gain=[], seed=[]), ValueError, "p, gain and seed"),
    (dict(p=[0.5], gain=[0.1], seed=[0.5]), TypeError, "seed"),
    (dict(p=[0.5], gain=[0.1], seed=[-1]), ValueError, "seed"),
    (dict(p=[1.5], gain=[0.1], seed=[0]), ValueError, "p"),
    (dict(p=[0.5], gain=[0.0], seed=[0]), ValueError, "gain"),
    (dict(p=[0.5], gain=[0.1], seed=[0], max_epochs=0), ValueError, "max_epochs"),
    (dict(p=[0.5], gain=[0.1], seed=[0], dtype="float16"), ValueError, "dtype"),
    (dict(p=[0.5], gain=[0.1], seed=[0], chunk_epochs=0), ValueError, "chunk_epochs"),
    (dict(p=[0.5], gain=[0.1], seed=[0], c=-1.0), ValueError, "c"),
])
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        phase_cells(**kwargs)



@pytest.mark.slow
def test_full_size_cell_equals_phase_point_in_float64():
    """A cell of the real grid (P = 100, p = 1, G_0 = 0.1, trained to loss < 1e-3, ~800 epochs): the
    batched float64 run reports exactly what ``phase_point(..., dtype="float64")`` reports."""
    out = phase_cells([1.0], [0.1], [1565372000], dtype="float64")
    ref = phase_point(1.0, 0.1, seed=1565372000, dtype="float64")
    assert ref["converged"]
    for key, val in ref.items():
        assert out[key][0] == val, key
