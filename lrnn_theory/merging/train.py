"""Training the Elman RNN on streaming parity and tracking its automaton (THEORY-EXTENSIONS A.1, A.2, A.7).

:func:`train_parity` runs the A.1 protocol (length-ordered epochs of SGD, batch 128,
lr 0.02, gain 0.1, 1000 epochs by default), records the loss every epoch, and every
``extract_every`` epochs the validation accuracy on long strings and the automaton
extracted from the prefix tree (number of states, closure).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from .._validation import check_choice, check_int, check_positive_float, check_seed
from .automaton import ExtractedAutomaton, extract_automaton
from .rnn import NONLINEARITIES, RNN_LOSSES, ElmanParams, _act, _loss_grad, init_params
from .tasks import MooreMachine, all_strings, check_strings, epoch_batches, parity_data

__all__ = ["LONG_LENGTHS", "ParityRun", "phase_point", "prefix_tree_states", "train_parity"]

#: Long-length generalisation tests of A.1 (10 strings each).
LONG_LENGTHS = (25, 100, 250, 1000, 2500, 10_000)
DTYPES = ("float32", "float64")


@njit(cache=True)
def _sgd_step(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, sym, target, lr, tanh, ce, H, g_ih, g_bi, g_hh, g_bh, g_hy, g_by):
    loss = _loss_grad(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, sym, target, tanh, ce, H, g_ih, g_bi, g_hh, g_bh, g_hy, g_by)
    W_ih -= lr * g_ih
    b_ih -= lr * g_bi
    W_hh -= lr * g_hh
    b_hh -= lr * g_bh
    W_hy -= lr * g_hy
    b_hy -= lr * g_by
    return loss


def _symbols(strings) -> np.ndarray:
    return np.array([[ord(ch) - 48 for ch in s] for s in strings], dtype=np.int64)


def prefix_tree_states(params: ElmanParams, L_max: int, *, nonlinearity: str = "relu") -> tuple[list[str], np.ndarray, np.ndarray]:
    """Hidden states and outputs of every string up to ``L_max`` and ``""`` (state ``h_0``), level by level (A.2).

    Returns ``strings`` (length-then-lexicographic), ``hidden`` (n, P) and ``outputs`` (n, K).
    """
    L_max = check_int("L_max", L_max, minimum=1, maximum=20)
    tanh = check_choice("nonlinearity", nonlinearity, NONLINEARITIES) == "tanh"
    W_ih, b_ih, W_hh, b_hh, W_hy, b_hy = (np.asarray(a, dtype=np.float64) for a in params.arrays())
    level = np.ones((1, params.hidden))
    levels = [level]
    for _ in range(L_max):
        pre = level @ W_hh.T + b_ih + b_hh
        # children of string s are s0, s1: interleave so that order stays lexicographic
        nxt = np.empty((2 * level.shape[0], params.hidden))
        nxt[0::2] = pre + W_ih[:, 0]
        nxt[1::2] = pre + W_ih[:, 1]
        level = np.tanh(nxt) if tanh else np.maximum(nxt, 0.0)
        levels.append(level)
    hidden = np.concatenate(levels)
    return all_strings(L_max, include_empty=True), hidden, hidden @ W_hy.T + b_hy


@dataclass(frozen=True)
class ParityRun:
    """A streaming-parity training run (A.1, A.7).

    Attributes
    ----------
    loss : ndarray (epochs,)
        Mean training loss of each epoch (over its mini-batches).
    record_epochs : ndarray (n_rec,)
        Epochs at which the automaton and validation were evaluated (0 = before training).
    val_accuracy : ndarray (n_rec,)
        Accuracy on the validation strings (length 50).
    n_states, is_closed : ndarray (n_rec,)
        Extracted automaton (threshold ``c``) at each record.
    params : ElmanParams
        Final weights.
    long_accuracy : dict
        Length -> accuracy on 10 random strings of that length (final weights; NaN if diverged).
    diverged_epoch : int or None
        Epoch at which the loss or a weight became non-finite (training stops there).
    val_loss : dict
        Length -> (n_rec,) mean squared error on 10 random strings of that length (``val_lengths``).
    mean_sq_distance : ndarray (n_rec,)
        Mean squared pairwise distance between the prefix-tree hidden states (A-F8).
    tracked : dict
        String -> (n_rec, P) hidden state of each string of ``track_strings`` at every record (A-F6).
    snapshots : dict
        Epoch -> extracted automaton (MooreMachine) for the epochs of ``snapshot_epochs`` (A-F3).
    stopped_epoch : int or None
        Epoch at which the training loss first fell below ``stop_loss`` (training stops there).
    """

    loss: np.ndarray
    record_epochs: np.ndarray
    val_accuracy: np.ndarray
    n_states: np.ndarray
    is_closed: np.ndarray
    params: ElmanParams
    long_accuracy: dict
    diverged_epoch: int | None = None
    val_loss: dict = field(default_factory=dict)
    mean_sq_distance: np.ndarray | None = None
    tracked: dict = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)
    stopped_epoch: int | None = None
    config: dict = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        """Training produced a non-finite loss or weight; it stopped at ``diverged_epoch`` (loss NaN from there)."""
        return self.diverged_epoch is not None

    def extract_automaton(self, c: float = 0.01, *, rule: str = "first") -> ExtractedAutomaton:
        """Automaton of the final network on the prefix tree up to the training length (A.2)."""
        strings, hidden, outputs = prefix_tree_states(self.params, self.config["L_max"], nonlinearity=self.config["nonlinearity"])
        return extract_automaton(strings, hidden, outputs, c, rule=rule)


def _accuracy(params, strings_sym, labels, tanh):
    from .rnn import predict

    out = predict(params, strings_sym, nonlinearity="tanh" if tanh else "relu")
    return float(np.mean(np.argmax(out, axis=1) == labels))


def train_parity(hidden: int = 100, gain: float = 0.1, lr: float = 0.02, epochs: int = 1000, *, seed: int = 0, batch: int = 128,
                 L_max: int = 10, p: float = 1.0, loss: str = "mse", nonlinearity: str = "relu", extract_every: int = 25,
                 c: float = 0.01, machine: MooreMachine | None = None, val_length: int = 50, n_val: int = 100,
                 dtype: str = "float32", long_lengths=LONG_LENGTHS, val_lengths=(), track_strings=(), snapshot_epochs=(),
                 stop_loss: float | None = None) -> ParityRun:
    """Train the A.1 Elman RNN on streaming parity (or on ``machine``'s regular task).

    Parameters
    ----------
    hidden, gain, lr, epochs, batch, L_max, p, loss, nonlinearity
        As in A.1 (defaults: 100, 0.1, 0.02, 1000, 128, 10, 1.0, "mse", "relu").
    seed : int
        Seeds initialisation, data subsampling, shuffling and validation strings.
    extract_every : int
        Evaluate validation accuracy and the extracted automaton every this many epochs.
    c : float
        Extraction threshold factor (A.2).
    machine : MooreMachine, optional
        Label strings by this machine's output instead of parity (random regular tasks).
    dtype : {"float32", "float64"}
        Precision of training (float32 is the reference's and twice as fast).
    long_lengths : sequence of int
        Lengths of the final generalisation tests (10 strings each).
    val_lengths : sequence of int
        Lengths whose validation loss (10 strings each) is recorded at every record (A-F1).
    track_strings : sequence of str
        Strings (of length <= ``L_max``) whose hidden states are recorded (A-F6).
    snapshot_epochs : sequence of int
        Record epochs at which the extracted automaton itself is kept (A-F3).
    stop_loss : float, optional
        Stop after the first epoch whose mean training loss is below this (A-F5: ``1e-3``).
    """
    epochs = check_int("epochs", epochs, minimum=0)
    lr = check_positive_float("lr", lr)
    extract_every = check_int("extract_every", extract_every, minimum=1)
    c = check_positive_float("c", c)
    dtype = check_choice("dtype", dtype, DTYPES)
    loss = check_choice("loss", loss, RNN_LOSSES)
    nonlinearity = check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    val_length = check_int("val_length", val_length, minimum=1)
    n_val = check_int("n_val", n_val, minimum=1)
    seed = check_seed("seed", seed)
    data = parity_data(L_max, p, seed=seed, machine=machine)
    params = init_params(hidden, gain, n_out=2, seed=seed, dtype=np.dtype(dtype))
    arrs = [a.copy() for a in params.arrays()]
    grads = [np.empty_like(a) for a in arrs]
    tanh, ce = nonlinearity == "tanh", loss == "cross_entropy"
    rng = np.random.default_rng([seed, 1])
    label = (lambda s: s.count("1") % 2) if machine is None else machine.output
    val_rng = np.random.default_rng([seed, 2])
    val = ["".join(val_rng.choice(["0", "1"], size=val_length)) for _ in range(n_val)]
    val_sym, val_lab = _symbols(val), np.array([label(s) for s in val])
    sym_all = {m: _symbols([data.strings[i] for i in idx]) for m, idx in data.by_length().items()}
    pos_in_len = {}
    for m, idx in data.by_length().items():
        pos_in_len.update({int(i): k for k, i in enumerate(idx)})
    onehot = np.eye(2, dtype=np.dtype(dtype))[data.labels]
    H = {m: np.empty((m + 1, batch, hidden), dtype=np.dtype(dtype)) for m in sym_all}
    lr_t = np.dtype(dtype).type(lr)

    rec_epochs, val_acc, n_states, closed, losses = [], [], [], [], np.empty(epochs)
    track_strings = check_strings("track_strings", track_strings)
    if any(len(s) > L_max for s in track_strings):
        raise ValueError(f"track_strings must have length <= L_max = {L_max}")
    snapshot_epochs = {check_int("snapshot_epochs", e, minimum=0) for e in snapshot_epochs}
    stop_loss = None if stop_loss is None else check_positive_float("stop_loss", stop_loss)
    vl_rng = np.random.default_rng([seed, 4])
    val_sets = {}
    for L in val_lengths:
        L = check_int("val_lengths", L, minimum=1)
        strs = ["".join(vl_rng.choice(["0", "1"], size=L)) for _ in range(10)]
        val_sets[L] = (_symbols(strs), np.eye(2)[[label(s) for s in strs]])
    val_loss = {L: [] for L in val_sets}
    dist, tracked, snapshots = [], {s: [] for s in track_strings}, {}

    def record(epoch):
        from .rnn import predict

        cur = ElmanParams(*arrs)
        rec_epochs.append(epoch)
        val_acc.append(_accuracy(cur, val_sym, val_lab, tanh))
        strings, hid, out = prefix_tree_states(cur, L_max, nonlinearity=nonlinearity)
        ex = extract_automaton(strings, hid, out, c)
        n_states.append(ex.n_states)
        closed.append(ex.is_closed)
        for L, (sym, onehot_L) in val_sets.items():
            val_loss[L].append(float(np.mean((predict(cur, sym, nonlinearity=nonlinearity) - onehot_L) ** 2)))
        n = hid.shape[0]
        dist.append(float(2 * n / (n - 1) * (np.mean(np.sum(hid ** 2, axis=1)) - np.sum(hid.mean(axis=0) ** 2))))
        index = {s: i for i, s in enumerate(strings)}
        for s in track_strings:
            tracked[s].append(hid[index[s]].copy())
        if epoch in snapshot_epochs:
            snapshots[epoch] = ex.machine

    record(0)
    diverged = stopped = None
    for epoch in range(1, epochs + 1):
        total, n_b = 0.0, 0
        for idx in epoch_batches(data, batch, rng=rng):
            m = len(data.strings[idx[0]])
            rows = np.fromiter((pos_in_len[int(i)] for i in idx), dtype=np.int64, count=idx.size)
            Hm = H[m] if idx.size == batch else np.empty((m + 1, idx.size, hidden), dtype=np.dtype(dtype))
            total += _sgd_step(*arrs, sym_all[m][rows], onehot[idx], lr_t, tanh, ce, Hm, *grads)
            n_b += 1
        losses[epoch - 1] = total / n_b
        if not np.isfinite(losses[epoch - 1]) or not all(np.all(np.isfinite(a)) for a in arrs):
            losses[epoch - 1:] = np.nan
            diverged = epoch
            break
        if stop_loss is not None and losses[epoch - 1] < stop_loss:
            losses = losses[:epoch]
            stopped = epoch
            record(epoch)
            break
        if epoch % extract_every == 0 or epoch == epochs or epoch in snapshot_epochs:
            record(epoch)
    final = ElmanParams(*arrs)
    long_rng = np.random.default_rng([seed, 3])
    long_acc = {}
    for L in long_lengths:
        L = check_int("long_lengths", L, minimum=1)
        strs = ["".join(long_rng.choice(["0", "1"], size=L)) for _ in range(10)]
        long_acc[int(L)] = np.nan if diverged else _accuracy(final, _symbols(strs), np.array([label(s) for s in strs]), tanh)
    config = dict(hidden=hidden, gain=gain, lr=lr, epochs=epochs, seed=seed, batch=batch, L_max=L_max, p=p, loss=loss,
                  nonlinearity=nonlinearity, extract_every=extract_every, c=c, dtype=dtype)
    return ParityRun(loss=losses, record_epochs=np.asarray(rec_epochs), val_accuracy=np.asarray(val_acc),
                     n_states=np.asarray(n_states), is_closed=np.asarray(closed), params=final, long_accuracy=long_acc,
                     diverged_epoch=diverged, val_loss={L: np.asarray(v) for L, v in val_loss.items()},
                     mean_sq_distance=np.asarray(dist), tracked={s: np.asarray(v) for s, v in tracked.items()},
                     snapshots=snapshots, stopped_epoch=stopped, config=config)


def phase_point(p: float, gain: float, *, seed: int = 0, max_epochs: int = 5000, hidden: int = 100, c: float = 0.1,
                n_test: int = 30, test_length: int = 100) -> dict:
    """One cell of the A-F5 phase diagram: train with cross-entropy to loss < 1e-3 (or ``max_epochs``).

    Returns the final number of automaton states at threshold ``c`` (A.2, ``c = 0.1`` for the
    phase diagram), whether it is closed, the accuracy on ``n_test`` random strings of length
    ``test_length``, and the number of epochs run.
    """
    run = train_parity(hidden=hidden, gain=gain, p=p, epochs=max_epochs, seed=seed, loss="cross_entropy", stop_loss=1e-3,
                       extract_every=max_epochs, c=c, long_lengths=(), n_val=n_test, val_length=test_length)
    ex = run.extract_automaton(c)
    return {"n_states": ex.n_states, "closed": ex.is_closed, "accuracy": float(run.val_accuracy[-1]),
            "epochs": int(run.loss.size), "converged": run.stopped_epoch is not None}
