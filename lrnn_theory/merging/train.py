"""Training the Elman RNN on streaming parity and tracking its automaton (theory guide :ref:`merging-task`, :ref:`merging-automaton`, :ref:`merging-protocol`).

:func:`train_parity` runs the :ref:`merging-task` protocol (length-ordered epochs of SGD, batch 128,
lr 0.02, gain 0.1, 1000 epochs by default), records the loss every epoch, and every
``extract_every`` epochs the validation accuracy on long strings and the automaton
extracted from the prefix tree (number of states, closure).

The extraction threshold of the tracked automata is chosen by ``epsilon_scope``:

* ``"epoch"`` (default): at each record ``ε = c · ‖σ_epoch‖`` with ``σ_epoch`` the
  per-coordinate standard deviation of that epoch's prefix-tree hidden states, so ``ε``
  follows the spread of the representation as it grows and contracts;
* ``"run"``: one ``ε = c · ‖σ_run‖`` for the whole run, ``σ_run`` being the per-coordinate
  standard deviation over the hidden states of **all** recorded epochs pooled together, as in
  the analysis of van Rossem & Saxe (2025).  The state counts of different epochs are then
  measured at one scale.

For the default run (seed 0) the two give quite different peak counts (about 269 states
per-epoch, about 165 with one ``ε`` for the run); both end in a closed machine that minimises
to the parity automaton.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

import numpy as np
from numba import njit

from .._validation import check_choice, check_int, check_positive_float, check_seed
from .automaton import RULES, ExtractedAutomaton, extract_automaton
from .rnn import NONLINEARITIES, RNN_LOSSES, ElmanParams, _loss_grad, _sgd_update, init_params
from .tasks import MooreMachine, all_strings, check_strings, epoch_batches, parity_data

__all__ = ["LONG_LENGTHS", "ParityRun", "phase_point", "prefix_tree_states", "train_parity"]

#: Long-length generalisation tests of theory guide :ref:`merging-task` (10 strings each).
LONG_LENGTHS = (25, 100, 250, 1000, 2500, 10_000)
DTYPES = ("float32", "float64")
#: Scopes of the extraction threshold: one ε per recorded epoch, or one ε for the whole run.
EPSILON_SCOPES = ("epoch", "run")


@njit(cache=True)
def _sgd_step(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, sym, target, lr, tanh, ce, H, g_ih, g_bi, g_hh, g_bh, g_hy, g_by):
    loss = _loss_grad(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, sym, target, tanh, ce, H, g_ih, g_bi, g_hh, g_bh, g_hy, g_by)
    _sgd_update(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, g_ih, g_bi, g_hh, g_bh, g_hy, g_by, lr)
    return loss


def _symbols(strings) -> np.ndarray:
    return np.array([[ord(ch) - 48 for ch in s] for s in strings], dtype=np.int64)


def prefix_tree_states(params: ElmanParams, L_max: int, *, nonlinearity: str = "relu") -> tuple[list[str], np.ndarray, np.ndarray]:
    """Hidden states and outputs of every string up to ``L_max`` and ``""`` (state ``h_0``), level by level (:ref:`merging-automaton`).

    Computed level by level in float64 (each level from the previous one), so the tree of
    ``2**(L_max + 1) - 1`` strings costs one matrix product per level.

    Parameters
    ----------
    params : ElmanParams
    L_max : int, 1 <= L_max <= 20
    nonlinearity : {"relu", "tanh"}

    Returns
    -------
    strings : list of str
        ``""`` then every string of length ``1..L_max``, by length then lexicographically.
    hidden : ndarray, shape (n, P)
        ``h(s)``; the first row is ``h_0 = 1``.
    outputs : ndarray, shape (n, K)
        Read-out ``W_hy h(s) + b_hy``.

    Raises
    ------
    TypeError
        A non-integer ``L_max`` or a non-string ``nonlinearity``.
    ValueError
        ``L_max ∉ [1, 20]`` or an unknown ``nonlinearity``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import prefix_tree_states
    >>> from lrnn_theory.merging import hidden_states, init_params
    >>> p = init_params(4, seed=0)
    >>> strings, hidden, outputs = prefix_tree_states(p, 2)
    >>> strings, hidden.shape, outputs.shape
    (['', '0', '1', '00', '01', '10', '11'], (7, 4), (7, 2))
    >>> bool(np.allclose(hidden[5], hidden_states(p, np.array([[1, 0]]))[-1, 0]))  # h("10")
    True
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
    """A streaming-parity training run (:ref:`merging-task`, :ref:`merging-protocol`).

    Attributes
    ----------
    loss : ndarray (epochs,)
        Mean training loss of each epoch (over its mini-batches).
    record_epochs : ndarray (n_rec,)
        Epochs at which the automaton and validation were evaluated (0 = before training).
    val_accuracy : ndarray (n_rec,)
        Accuracy on the validation strings (length 50).
    n_states, is_closed : ndarray (n_rec,)
        States of the extracted automaton at each record (threshold ``epsilon``), counting only
        the states reachable from the initial state, and whether that reachable machine is closed.
    params : ElmanParams
        Final weights.
    long_accuracy : dict
        Length -> accuracy on 10 random strings of that length (final weights; NaN if diverged).
    diverged_epoch : int or None
        Epoch at which the loss or a weight became non-finite (training stops there).
    val_loss : dict
        Length -> (n_rec,) mean squared error on 10 random strings of that length (``val_lengths``).
    mean_sq_distance : ndarray (n_rec,)
        Mean squared pairwise distance between the prefix-tree hidden states (:ref:`gallery-merging-f8`).
    tracked : dict
        String -> (n_rec, P) hidden state of each string of ``track_strings`` at every record (:ref:`gallery-merging-f6`).
    snapshots : dict
        Epoch -> extracted automaton (MooreMachine) for the epochs of ``snapshot_epochs`` (:ref:`gallery-merging-f3`).
    stopped_epoch : int or None
        Epoch at which the training loss first fell below ``stop_loss`` (training stops there).
    config : dict
        The arguments of the run, with ``c`` and ``epsilon_scope``.
    epsilon : ndarray (n_rec,)
        Absolute extraction threshold used at each record (constant for ``epsilon_scope="run"``).
    n_unreachable : ndarray (n_rec,)
        Clusters dropped at each record because they are unreachable from the initial state.
    record_params : tuple of ElmanParams
        Weights at each record (for re-extraction, e.g. :meth:`rethreshold`).

    Examples
    --------
    >>> from lrnn_theory.merging import train_parity
    >>> run = train_parity(hidden=4, L_max=3, epochs=2, extract_every=1, long_lengths=(), n_val=5, val_length=5)
    >>> run.loss.shape, run.record_epochs.tolist(), run.diverged, len(run.record_params)
    ((2,), [0, 1, 2], False, 3)
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
    epsilon: np.ndarray | None = None
    n_unreachable: np.ndarray | None = None
    record_params: tuple = ()

    @property
    def diverged(self) -> bool:
        """Training produced a non-finite loss or weight; it stopped at ``diverged_epoch`` (loss NaN from there)."""
        return self.diverged_epoch is not None

    def extract_automaton(self, c: float | None = None, *, epsilon: float | None = None,
                          rule: str = "first") -> ExtractedAutomaton:
        """Automaton of the final network on the prefix tree up to the training length.

        Parameters
        ----------
        c, epsilon : float, optional
            Relative or absolute threshold, as in :func:`~lrnn_theory.merging.extract_automaton`.
            With neither, the run's own threshold is used: ``c = config["c"]`` for
            ``epsilon_scope="epoch"``, the run-wide ``epsilon[-1]`` for ``"run"`` (so the result
            matches ``n_states[-1]`` whenever the last record is the final epoch).
        rule : {"first", "nearest"}

        Returns
        -------
        ExtractedAutomaton
        """
        strings, hidden, outputs = prefix_tree_states(self.params, self.config["L_max"], nonlinearity=self.config["nonlinearity"])
        if c is None and epsilon is None:
            if self.config.get("epsilon_scope", "epoch") == "run" and self.epsilon is not None and self.epsilon.size:
                epsilon = float(self.epsilon[-1])
            else:
                c = self.config.get("c", 0.01)
        return extract_automaton(strings, hidden, outputs, c, epsilon=epsilon, rule=rule)

    def rethreshold(self, epsilon_scope: str = "run", c: float | None = None, *, rule: str = "first") -> ParityRun:
        """The same run with its automata re-extracted at another threshold.

        Re-extracts the automaton at every record from :attr:`record_params` and returns a copy
        whose ``n_states``, ``is_closed``, ``epsilon``, ``n_unreachable``, ``snapshots`` (same
        epochs) and ``config`` follow the new threshold; everything else is shared.

        Parameters
        ----------
        epsilon_scope : {"epoch", "run"}
            One ``ε`` per record or one for the run (see :func:`train_parity`).
        c : float > 0, optional
            Threshold factor (default: the run's ``config["c"]``).
        rule : {"first", "nearest"}

        Returns
        -------
        ParityRun

        Examples
        --------
        >>> import numpy as np
        >>> from lrnn_theory.merging import train_parity
        >>> run = train_parity(hidden=4, L_max=3, epochs=4, extract_every=2, long_lengths=(), n_val=5, val_length=5)
        >>> wide = run.rethreshold("run")
        >>> bool(np.all(wide.epsilon == wide.epsilon[0]))
        True
        """
        epsilon_scope = check_choice("epsilon_scope", epsilon_scope, EPSILON_SCOPES)
        c = self.config.get("c", 0.01) if c is None else check_positive_float("c", c)
        rule = check_choice("rule", rule, RULES)
        if len(self.record_params) != self.record_epochs.size:
            raise ValueError("this run holds no weights per record (record_params), so it cannot be re-extracted")
        tr = _track(self.record_params, self.record_epochs, set(self.snapshots), self.config["L_max"],
                    self.config["nonlinearity"], c, epsilon_scope, rule)
        return replace(self, n_states=tr["n_states"], is_closed=tr["is_closed"], epsilon=tr["epsilon"],
                       n_unreachable=tr["n_unreachable"], snapshots=tr["snapshots"],
                       config={**self.config, "c": c, "epsilon_scope": epsilon_scope})


def _run_wide_std(record_params, L_max: int, nonlinearity: str) -> np.ndarray:
    """Per-coordinate std (ddof 0) of the prefix-tree hidden states pooled over all records.

    Pools each record's mean and sum of squared deviations (Chan et al.'s parallel update, equal
    counts), which equals ``np.concatenate(all hidden).std(axis=0)`` to rounding without holding
    all records in memory.
    """
    means, m2 = [], 0.0
    for prm in record_params:
        hid = prefix_tree_states(prm, L_max, nonlinearity=nonlinearity)[1]
        mu = hid.mean(axis=0)
        means.append(mu)
        m2 = m2 + np.sum((hid - mu) ** 2, axis=0)
        n = hid.shape[0]
    means = np.asarray(means)
    grand = means.mean(axis=0)
    m2 = m2 + n * np.sum((means - grand) ** 2, axis=0)
    return np.sqrt(m2 / (n * len(record_params)))


def _track(record_params, record_epochs, snapshot_epochs, L_max: int, nonlinearity: str, c: float, scope: str,
           rule: str = "first") -> dict:
    """Extract the automaton at every record with per-epoch or run-wide ``ε``."""
    eps_run = c * float(np.linalg.norm(_run_wide_std(record_params, L_max, nonlinearity))) if scope == "run" else None
    n_states, closed, eps, unreach, snapshots = [], [], [], [], {}
    for epoch, prm in zip(record_epochs, record_params):
        strings, hid, out = prefix_tree_states(prm, L_max, nonlinearity=nonlinearity)
        ex = extract_automaton(strings, hid, out, epsilon=eps_run, rule=rule) if scope == "run" else \
            extract_automaton(strings, hid, out, c, rule=rule)
        n_states.append(ex.n_states)
        closed.append(ex.is_closed)
        eps.append(ex.epsilon)
        unreach.append(ex.unreachable.size)
        if int(epoch) in snapshot_epochs:
            snapshots[int(epoch)] = ex.machine
    return {"n_states": np.asarray(n_states, dtype=np.int64), "is_closed": np.asarray(closed, dtype=bool),
            "epsilon": np.asarray(eps, dtype=np.float64), "n_unreachable": np.asarray(unreach, dtype=np.int64),
            "snapshots": snapshots}


def _accuracy(params, strings_sym, labels, tanh):
    from .rnn import predict

    out = predict(params, strings_sym, nonlinearity="tanh" if tanh else "relu")
    return float(np.mean(np.argmax(out, axis=1) == labels))


def _progress_bar(total: int, progress: bool | None):
    """A tqdm bar over ``total`` epochs; ``progress=None`` shows it only when stderr is a terminal."""
    import sys

    from tqdm.auto import tqdm

    show = sys.stderr.isatty() if progress is None else bool(progress)
    return tqdm(total=total, disable=not show, desc="train_parity", unit="epoch")


def _one_blas_thread(fn):
    """Run ``fn`` with BLAS held to one thread (threadpoolctl).

    Training multiplies small matrices (``hidden`` × ``batch``) thousands of times.  A multi-threaded
    OpenBLAS leaves its threads spinning between these calls: on a busy 2-core machine the quick
    notebook run (64 units, 20 epochs) took 46 s with two BLAS threads and 0.63 s with one.  One
    thread also makes the run's numbers independent of the machine's core count (the training is
    chaotic, so a different rounding of one product changes the trajectory); the figures runner
    and the tests compute with one thread as well.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper


@_one_blas_thread
def train_parity(hidden: int = 100, gain: float = 0.1, lr: float = 0.02, epochs: int = 1000, *, seed: int = 0, batch: int = 128,
                 L_max: int = 10, p: float = 1.0, loss: str = "mse", nonlinearity: str = "relu", extract_every: int = 25,
                 c: float = 0.01, machine: MooreMachine | None = None, val_length: int = 50, n_val: int = 100,
                 dtype: str = "float32", long_lengths=LONG_LENGTHS, val_lengths=(), track_strings=(), snapshot_epochs=(),
                 stop_loss: float | None = None, epsilon_scope: str = "epoch", progress: bool | None = None) -> ParityRun:
    """Train the :ref:`merging-task` Elman RNN on streaming parity (or on ``machine``'s regular task).

    Parameters
    ----------
    hidden, gain, lr, epochs, batch, L_max, p, loss, nonlinearity
        As in :ref:`merging-task` (defaults: 100, 0.1, 0.02, 1000, 128, 10, 1.0, "mse", "relu").
    seed : int
        Seeds initialisation, data subsampling, shuffling and validation strings.
    extract_every : int
        Evaluate validation accuracy and the extracted automaton every this many epochs.
    c : float
        Extraction threshold factor: ``ε = c · ‖σ‖`` with ``σ`` the per-coordinate standard
        deviation of the prefix-tree hidden states (see ``epsilon_scope``).
    machine : MooreMachine, optional
        Label strings by this machine's output instead of parity (random regular tasks).
    dtype : {"float32", "float64"}
        Precision of training (float32 is the reference's and twice as fast).
    long_lengths : sequence of int
        Lengths of the final generalisation tests (10 strings each).
    val_lengths : sequence of int
        Lengths whose validation loss (10 strings each) is recorded at every record (:ref:`gallery-merging-f1`).
    track_strings : sequence of str
        Strings (of length <= ``L_max``) whose hidden states are recorded (:ref:`gallery-merging-f6`).
    snapshot_epochs : sequence of int
        Record epochs at which the extracted automaton itself is kept (:ref:`gallery-merging-f3`).
    stop_loss : float, optional
        Stop after the first epoch whose mean training loss is below this (:ref:`gallery-merging-f5`: ``1e-3``).
    epsilon_scope : {"epoch", "run"}
        Over which hidden states ``σ`` is taken: those of the recorded epoch itself (default;
        ``ε`` changes from record to record) or those of all recorded epochs pooled (one ``ε``
        for the whole run, as in van Rossem & Saxe (2025)).  The run-wide ``ε`` is known only
        at the end, so the automata are extracted after training from the weights kept at each
        record (``record_params``); ``ParityRun.epsilon`` holds the ``ε`` of each record.
    progress : bool, optional
        Show a tqdm progress bar over epochs (with the last mean training loss), as
        :func:`lrnn_theory.sweep.sweep` does.  ``None`` (default): shown when standard error is a
        terminal, off in scripts whose output is redirected, in tests and in notebooks (pass
        ``True`` there).  A default run (1000 epochs) takes 20 s to several minutes.

    Returns
    -------
    ParityRun

    Notes
    -----
    Training runs with BLAS held to one thread, whatever the process's setting: the products are
    small, a multi-threaded BLAS only adds spinning threads (on a busy 2-core machine, 46 s instead
    of 0.63 s for 20 epochs of 64 units), and the numbers then do not depend on the number of cores
    (the training is chaotic: another rounding of one product changes the run).

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.merging import train_parity
    >>> run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, long_lengths=(), epsilon_scope="run")
    >>> run.record_epochs.tolist(), bool(np.all(run.epsilon == run.epsilon[0]))
    ([0, 10, 20], True)
    """
    epochs = check_int("epochs", epochs, minimum=0)
    lr = check_positive_float("lr", lr)
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True, False or None, got {type(progress).__name__}")
    extract_every = check_int("extract_every", extract_every, minimum=1)
    c = check_positive_float("c", c)
    epsilon_scope = check_choice("epsilon_scope", epsilon_scope, EPSILON_SCOPES)
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
    for idx in data.by_length().values():
        pos_in_len.update({int(i): k for k, i in enumerate(idx)})
    onehot = np.eye(2, dtype=np.dtype(dtype))[data.labels]
    H = {m: np.empty((m + 1, batch, hidden), dtype=np.dtype(dtype)) for m in sym_all}
    lr_t = np.dtype(dtype).type(lr)

    rec_epochs, val_acc, rec_params, losses = [], [], [], np.empty(epochs)
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
    dist, tracked = [], {s: [] for s in track_strings}

    def record(epoch):
        from .rnn import predict

        cur = ElmanParams(*arrs)
        rec_epochs.append(epoch)
        val_acc.append(_accuracy(cur, val_sym, val_lab, tanh))
        rec_params.append(ElmanParams(*(a.copy() for a in arrs)))
        strings, hid, _ = prefix_tree_states(cur, L_max, nonlinearity=nonlinearity)
        for L, (sym, onehot_L) in val_sets.items():
            val_loss[L].append(float(np.mean((predict(cur, sym, nonlinearity=nonlinearity) - onehot_L) ** 2)))
        n = hid.shape[0]
        dist.append(float(2 * n / (n - 1) * (np.mean(np.sum(hid ** 2, axis=1)) - np.sum(hid.mean(axis=0) ** 2))))
        index = {s: i for i, s in enumerate(strings)}
        for s in track_strings:
            tracked[s].append(hid[index[s]].copy())

    record(0)
    diverged = stopped = None
    bar = _progress_bar(epochs, progress)
    for epoch in range(1, epochs + 1):
        bar.update(1)
        if epoch > 1 and (epoch - 1) % extract_every == 0:
            bar.set_postfix(loss=f"{losses[epoch - 2]:.3g}", refresh=False)
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
    bar.close()
    final = ElmanParams(*arrs)
    long_rng = np.random.default_rng([seed, 3])
    long_acc = {}
    for L in long_lengths:
        L = check_int("long_lengths", L, minimum=1)
        strs = ["".join(long_rng.choice(["0", "1"], size=L)) for _ in range(10)]
        long_acc[int(L)] = np.nan if diverged else _accuracy(final, _symbols(strs), np.array([label(s) for s in strs]), tanh)
    config = dict(hidden=hidden, gain=gain, lr=lr, epochs=epochs, seed=seed, batch=batch, L_max=L_max, p=p, loss=loss,
                  nonlinearity=nonlinearity, extract_every=extract_every, c=c, dtype=dtype, epsilon_scope=epsilon_scope)
    tr = _track(rec_params, rec_epochs, snapshot_epochs, L_max, nonlinearity, c, epsilon_scope)
    return ParityRun(loss=losses, record_epochs=np.asarray(rec_epochs), val_accuracy=np.asarray(val_acc),
                     n_states=tr["n_states"], is_closed=tr["is_closed"], params=final, long_accuracy=long_acc,
                     diverged_epoch=diverged, val_loss={L: np.asarray(v) for L, v in val_loss.items()},
                     mean_sq_distance=np.asarray(dist), tracked={s: np.asarray(v) for s, v in tracked.items()},
                     snapshots=tr["snapshots"], stopped_epoch=stopped, config=config, epsilon=tr["epsilon"],
                     n_unreachable=tr["n_unreachable"], record_params=tuple(rec_params))


def phase_point(p: float, gain: float, *, seed: int = 0, max_epochs: int = 5000, hidden: int = 100, c: float = 0.1,
                n_test: int = 30, test_length: int = 100, dtype: str = "float32") -> dict:
    """One cell of the :ref:`gallery-merging-f5` phase diagram: train with cross-entropy to loss < 1e-3 (or ``max_epochs``).

    Returns the final number of automaton states at threshold ``c`` (:ref:`merging-automaton`, ``c = 0.1`` for the
    phase diagram), whether it is closed, the accuracy on ``n_test`` random strings of length
    ``test_length``, and the number of epochs run.  Trains on strings up to length 10 (the
    default of :func:`train_parity`).

    Parameters
    ----------
    p : float in (0, 1]
        Data fraction.
    gain : float > 0
        Initial gain ``G_0``.
    seed : int
    max_epochs : int >= 1
    hidden : int >= 1
    c : float > 0
        Extraction threshold factor.
    n_test, test_length : int >= 1
    dtype : {"float32", "float64"}
        Training precision (float32, the reference's, by default).

    Returns
    -------
    dict
        ``n_states`` (int), ``closed`` (bool), ``accuracy`` (float), ``epochs`` (int) and
        ``converged`` (bool: the loss fell below 1e-3).

    Raises
    ------
    TypeError, ValueError
        Arguments rejected by :func:`train_parity`.

    Examples
    --------
    >>> from lrnn_theory.merging import phase_point
    >>> out = phase_point(1.0, 0.1, max_epochs=1, hidden=2, n_test=2, test_length=4)
    >>> sorted(out), out["epochs"], out["converged"]
    (['accuracy', 'closed', 'converged', 'epochs', 'n_states'], 1, False)
    """
    run = train_parity(hidden=hidden, gain=gain, p=p, epochs=max_epochs, seed=seed, loss="cross_entropy", stop_loss=1e-3,
                       extract_every=max_epochs, c=c, long_lengths=(), n_val=n_test, val_length=test_length,
                       dtype=dtype)
    ex = run.extract_automaton(c)
    return {"n_states": ex.n_states, "closed": ex.is_closed, "accuracy": float(run.val_accuracy[-1]),
            "epochs": int(run.loss.size), "converged": run.stopped_epoch is not None}
