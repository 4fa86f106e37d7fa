"""Many streaming-parity networks trained at once: the cells of the phase diagram (theory guide :ref:`gallery-merging-f5`, :ref:`merging-task`; van Rossem & Saxe (2025), Fig. 9).

:func:`train_cells` runs the recipe of :func:`~lrnn_theory.merging.train.train_parity` as used by
:func:`~lrnn_theory.merging.train.phase_point` (Xavier init with gain ``G_0``, length-ordered epochs
of shuffled mini-batches of 128 equal-length strings, plain SGD at lr 0.02, cross-entropy, stop after
the first epoch whose mean loss is below ``stop_loss``) for a batch of cells ``(p, G_0, seed)`` in one
compiled kernel, each cell stopping on its own; :func:`phase_cells` adds the read-out of
:func:`~lrnn_theory.merging.train.phase_point` (automaton states at ``c``, accuracy on long strings).

Same data, same initial weights and the same mini-batches in the same order as the serial run (the
shuffles are drawn by :func:`~lrnn_theory.merging.tasks.epoch_batches` from the same generators), so a
cell equals its serial run to rounding.  Two things make it faster than the serial path:

* **Prefix sharing inside a mini-batch.**  Strings of a batch that share a prefix share its hidden
  state, so the forward pass runs once per distinct prefix (a node of the batch's prefix tree), and
  BPTT sums the adjoints of the children of a node before propagating it
  (``∂L/∂h(s) = Σ_{a} W_hhᵀ (f'(·) ⊙ ∂L/∂h(sa))``).  This is the same gradient, summed in another
  order.  A batch of 128 strings of length 10 has about 430 parent nodes instead of 1280 string
  steps; over a full epoch at ``p = 1`` the products shrink about 3.4×.  The weight gradient
  ``Σ_s G(s)ᵀ h(s)`` is one product over all the nodes of the batch.
* **No Python in the loop, and cells in parallel.**  A chunk of epochs of every unfinished cell runs in
  one ``prange`` over cells (one BLAS thread each; cells ordered by cost and scheduled one at a time);
  between chunks Python only draws the next shuffles.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from .._threading import parallel_section
from .._validation import check_choice, check_int, check_positive_float, check_seed
from .rnn import ElmanParams, _output_loss_grad, _sgd_update, init_params
from .tasks import epoch_batches, parity_data

DTYPES = ("float32", "float64")
#: Status codes of a cell (``CellRuns.status``).
RUNNING, STOPPED, DIVERGED = 0, 1, 2


# ----------------------------------------------------------------------------- kernels
@njit(cache=True)
def _tree(codes, m, lc, par, nlev, off):
    """Prefix tree of a batch of distinct length-``m`` strings (``codes`` sorted ascending).

    Level ``t`` holds the distinct length-``t`` prefixes (codes ``lc[t, :nlev[t]]``, sorted);
    ``par[t, j]`` is the index in level ``t-1`` of the parent of node ``j``; ``off[t]`` is the row
    of level ``t``'s first node in the flat node arrays (level 0 is the empty string).
    """
    B = codes.size
    for j in range(B):
        lc[m, j] = codes[j]
    nlev[m] = B
    for t in range(m, 0, -1):
        n_par = 0
        for j in range(nlev[t]):
            pc = lc[t, j] >> 1
            if n_par == 0 or lc[t - 1, n_par - 1] != pc:
                lc[t - 1, n_par] = pc
                n_par += 1
            par[t, j] = n_par - 1
        nlev[t - 1] = n_par
    off[0] = 0
    for t in range(m + 1):
        off[t + 1] = off[t] + nlev[t]


@njit(cache=True)
def _tree_step(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, codes, target, m, lr, ce,
               lc, par, nlev, off, Hn, G, D, g_ihT, g_bi):
    """One SGD step on a batch of equal-length strings (ReLU network) by BPTT on the batch's prefix tree.

    ``codes`` (B,) sorted binary codes of the strings (first symbol most significant), ``target``
    (B, K) their one-hot targets in the same order.  Returns the batch loss (mean over the batch of
    the cross-entropy, or mean squared error over batch and outputs); updates the weights in place.
    """
    B = codes.size
    P = W_hh.shape[0]
    _tree(codes, m, lc, par, nlev, off)
    # forward, once per node: h(s a) = relu(W_hh h(s) + b_hh + W_ih[:, a] + b_ih)
    bias = b_ih + b_hh
    Hn[0, :] = 1.0
    for t in range(1, m + 1):
        a0 = off[t - 1]
        Zp = np.dot(Hn[a0:a0 + nlev[t - 1]], W_hh.T)
        b0 = off[t]
        for j in range(nlev[t]):
            pj = par[t, j]
            col = lc[t, j] & 1
            for i in range(P):
                z = Zp[pj, i] + W_ih[i, col] + bias[i]
                Hn[b0 + j, i] = z if z > 0.0 else 0.0
    Hm = Hn[off[m]:off[m] + B]
    out = np.dot(Hm, W_hy.T) + b_hy
    dout = np.empty_like(out)
    loss = _output_loss_grad(out, target, ce, dout)
    g_hy = np.dot(dout.T, Hm)
    g_by = dout.sum(axis=0)
    A = np.dot(dout, W_hy)  # ∂L/∂h_m, (B, P)
    for b in range(B):
        for i in range(P):
            D[b, i] = A[b, i] if Hm[b, i] > 0.0 else 0.0
    g_ihT[:, :] = 0.0
    g_bi[:] = 0.0
    for t in range(m, 0, -1):
        # G (rows of level t-1, aligned with Hn): ∂L/∂(W_hh h(s)) summed over the children of s
        n_par = nlev[t - 1]
        a0 = off[t - 1]
        G[a0:a0 + n_par, :] = 0.0
        for j in range(nlev[t]):
            pj = a0 + par[t, j]
            col = lc[t, j] & 1
            for i in range(P):
                d = D[j, i]
                G[pj, i] += d
                g_ihT[col, i] += d
                g_bi[i] += d
        if t > 1:
            A = np.dot(G[a0:a0 + n_par], W_hh)
            for j in range(n_par):
                for i in range(P):
                    D[j, i] = A[j, i] if Hn[a0 + j, i] > 0.0 else 0.0
    g_hh = np.dot(G[:off[m]].T, Hn[:off[m]])  # Σ over all parent nodes of G(s)ᵀ h(s), one product
    _sgd_update(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, g_ihT.T, g_bi, g_hh, g_bi, g_hy, g_by, lr)
    return loss


@njit(cache=True)
def _finite(a):
    for v in a.ravel():
        if not np.isfinite(v):
            return False
    return True


@njit(cache=True)
def _cell_epochs(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, codes, onehot, order, bstart, bsize, blen,
                 e0, n_epochs, lr, ce, stop_loss, L_max, batch, losses):
    """Epochs ``e0+1 .. e0+n_epochs`` of one cell; returns (status, last epoch run)."""
    P = W_hh.shape[0]
    K = onehot.shape[1]
    dt = W_hh.dtype
    lc = np.empty((L_max + 1, batch), dtype=np.int64)
    par = np.empty((L_max + 1, batch), dtype=np.int64)
    nlev = np.empty(L_max + 1, dtype=np.int64)
    off = np.empty(L_max + 2, dtype=np.int64)
    Hn = np.empty(((L_max + 1) * batch, P), dtype=dt)
    G = np.empty(((L_max + 1) * batch, P), dtype=dt)
    D = np.empty((batch, P), dtype=dt)
    g_ihT = np.empty((W_ih.shape[1], P), dtype=dt)
    g_bi = np.empty(P, dtype=dt)
    bc = np.empty(batch, dtype=np.int64)
    bt = np.empty((batch, K), dtype=dt)
    epoch = e0
    for e in range(n_epochs):
        epoch = e0 + e + 1
        total = 0.0
        for k in range(bstart.size):
            B = bsize[k]
            rows = order[e, bstart[k]:bstart[k] + B]
            cb = codes[rows]
            srt = np.argsort(cb)
            for j in range(B):
                bc[j] = cb[srt[j]]
                bt[j, :] = onehot[rows[srt[j]]]
            total += _tree_step(W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, bc[:B], bt[:B], blen[k], lr, ce,
                                lc, par, nlev, off, Hn, G, D, g_ihT, g_bi)
        lo = total / bstart.size
        losses[epoch - 1] = lo
        if not (np.isfinite(lo) and _finite(W_ih) and _finite(b_ih) and _finite(W_hh) and _finite(b_hh)
                and _finite(W_hy) and _finite(b_hy)):
            losses[epoch - 1:] = np.nan
            return DIVERGED, epoch
        if lo < stop_loss:
            return STOPPED, epoch
    return RUNNING, epoch


@njit(cache=True, parallel=True)
def _train_chunk(cells, W_ih, b_ih, W_hh, b_hh, W_hy, b_hy, codes, onehot, s_off, order, o_off,
                 bstart, bsize, blen, b_off, e0, n_epochs, lr, ce, stop_loss, L_max, batch, losses, status, epochs):
    """``n_epochs`` epochs of every cell in ``cells``, in parallel over cells (each stops on its own)."""
    for q in prange(cells.size):
        c = cells[q]
        n = s_off[c + 1] - s_off[c]
        order_c = order[o_off[q]:o_off[q] + n_epochs * n].reshape((n_epochs, n))
        st, ep = _cell_epochs(W_ih[c], b_ih[c], W_hh[c], b_hh[c], W_hy[c], b_hy[c],
                              codes[s_off[c]:s_off[c + 1]], onehot[s_off[c]:s_off[c + 1]], order_c,
                              bstart[b_off[c]:b_off[c + 1]], bsize[b_off[c]:b_off[c + 1]], blen[b_off[c]:b_off[c + 1]],
                              e0, n_epochs, lr, ce, stop_loss, L_max, batch, losses[c])
        status[c] = st
        epochs[c] = ep


@njit(cache=True)
def _count_states(H, eps):
    """Reachable states and closure of the automaton extracted with the ``"first"`` rule at threshold ``eps``.

    The scan, transitions and reachability of :func:`~lrnn_theory.merging.automaton.extract_automaton`
    on the prefix tree in heap order (rows of :func:`~lrnn_theory.merging.train.prefix_tree_states`, where
    the children of row ``i`` are rows ``2i+1`` and ``2i+2``): each row joins the first
    representative within ``eps`` (Euclidean) or opens a new cluster; ``δ(Q, a)`` is the cluster of
    ``s a`` for the first member ``s`` of ``Q`` that has children.
    """
    n, P = H.shape
    R = np.empty((n, P))
    raw = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        found = -1
        for q in range(k):
            s = 0.0
            for d in range(P):
                diff = R[q, d] - H[i, d]
                s += diff * diff
            if np.sqrt(s) <= eps:
                found = q
                break
        if found < 0:
            R[k, :] = H[i, :]
            raw[i] = k
            k += 1
        else:
            raw[i] = found
    trans = -np.ones((k, 2), dtype=np.int64)
    n_inner = (n - 1) // 2  # rows with children
    for i in range(n_inner):
        q = raw[i]
        for a in range(2):
            if trans[q, a] < 0:
                trans[q, a] = raw[2 * i + 1 + a]
    reach = np.zeros(k, dtype=np.bool_)
    stack = np.empty(k, dtype=np.int64)
    reach[raw[0]] = True
    stack[0] = raw[0]
    top = 1
    while top:
        top -= 1
        q = stack[top]
        for a in range(2):
            r = trans[q, a]
            if r >= 0 and not reach[r]:
                reach[r] = True
                stack[top] = r
                top += 1
    n_states = 0
    closed = True
    for q in range(k):
        if reach[q]:
            n_states += 1
            if trans[q, 0] < 0 or trans[q, 1] < 0:
                closed = False
    return n_states, closed


@njit(cache=True, parallel=True)
def _count_states_many(H, eps, n_states, closed):
    for c in prange(H.shape[0]):
        n_states[c], closed[c] = _count_states(H[c], eps[c])


# ----------------------------------------------------------------------------- driver
@dataclass(frozen=True)
class CellRuns:
    """Training of a batch of phase-diagram cells (:func:`train_cells`).

    Attributes
    ----------
    params : tuple of ElmanParams
        Final weights of each cell (dtype of training).
    init : tuple of ElmanParams
        Initial weights of each cell.
    loss : ndarray (n_cells, max_epochs)
        Mean training loss of each epoch; NaN after the last epoch run (and from a divergence on).
    epochs : ndarray (n_cells,), int
        Epochs run (``max_epochs`` for a diverged cell, as :func:`~lrnn_theory.merging.train.phase_point` reports).
    status : ndarray (n_cells,), int
        ``STOPPED`` (1: loss fell below ``stop_loss``), ``DIVERGED`` (2) or ``RUNNING`` (0: reached ``max_epochs``).
    """

    params: tuple
    init: tuple
    loss: np.ndarray
    epochs: np.ndarray
    status: np.ndarray


def _as_cells(p, gain, seed):
    p = np.atleast_1d(np.asarray(p, dtype=float))
    gain = np.atleast_1d(np.asarray(gain, dtype=float))
    seed = np.atleast_1d(np.asarray(seed))
    if p.ndim != 1 or gain.shape != p.shape or seed.shape != p.shape or p.size == 0:
        raise ValueError(f"p, gain and seed must be 1-D arrays of one common length >= 1, got shapes "
                         f"{p.shape}, {gain.shape}, {seed.shape}")
    if seed.dtype.kind not in "iu":
        raise TypeError(f"seed must be integers, got dtype {seed.dtype}")
    return p, gain, [check_seed("seed", int(s)) for s in seed]


def train_cells(p, gain, seed, *, max_epochs: int = 5000, hidden: int = 100, lr: float = 0.02, batch: int = 128,
                L_max: int = 10, loss: str = "cross_entropy", stop_loss: float = 1e-3, dtype: str = "float32",
                chunk_epochs: int = 100, parallel: bool = True) -> CellRuns:
    """Train one ReLU Elman RNN per cell ``(p[i], gain[i], seed[i])`` with the recipe of :func:`~lrnn_theory.merging.train.train_parity`.

    Parameters
    ----------
    p, gain, seed : array_like (n_cells,)
        Data fraction in (0, 1], initial gain ``G_0 > 0`` and seed of each cell (the seed plays the
        role of ``train_parity``'s: data subsampling, initialisation and shuffles).
    max_epochs : int >= 1
    hidden, lr, batch, L_max, loss
        As in :func:`~lrnn_theory.merging.train.train_parity`.
    stop_loss : float > 0
        A cell stops after its first epoch with mean loss below this.
    dtype : {"float32", "float64"}
    chunk_epochs : int >= 1
        Epochs per kernel call (shuffles are drawn in Python between calls).
    parallel : bool
        Run the cells on all numba threads (else one thread).

    Returns
    -------
    CellRuns
    """
    p, gain, seeds = _as_cells(p, gain, seed)
    max_epochs = check_int("max_epochs", max_epochs, minimum=1)
    hidden = check_int("hidden", hidden, minimum=1)
    lr = check_positive_float("lr", lr)
    batch = check_int("batch", batch, minimum=1)
    L_max = check_int("L_max", L_max, minimum=1, maximum=24)
    ce = check_choice("loss", loss, ("mse", "cross_entropy")) == "cross_entropy"
    stop_loss = check_positive_float("stop_loss", stop_loss)
    dt = np.dtype(check_choice("dtype", dtype, DTYPES))
    chunk_epochs = check_int("chunk_epochs", chunk_epochs, minimum=1)
    C = p.size
    datas, rngs, inits = [], [], []
    for i in range(C):
        datas.append(parity_data(L_max, float(p[i]), seed=seeds[i]))
        rngs.append(np.random.default_rng([seeds[i], 1]))
        inits.append(init_params(hidden, float(gain[i]), n_out=2, seed=seeds[i], dtype=dt))
    sizes = np.array([len(d.strings) for d in datas], dtype=np.int64)
    s_off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    codes = np.concatenate([np.array([int(s, 2) for s in d.strings], dtype=np.int64) for d in datas])
    onehot = np.concatenate([np.eye(2, dtype=dt)[d.labels] for d in datas])
    bstart, bsize, blen, b_off = [], [], [], [0]
    for d in datas:  # batch layout of an epoch (the same every epoch; only the shuffles change)
        pos = 0
        for m, idx in sorted(d.by_length().items()):
            for i0 in range(0, idx.size, batch):
                bstart.append(pos + i0)
                bsize.append(min(batch, idx.size - i0))
                blen.append(m)
            pos += idx.size
        b_off.append(len(bstart))
    bstart, bsize, blen, b_off = (np.asarray(a, dtype=np.int64) for a in (bstart, bsize, blen, b_off))
    W = [np.ascontiguousarray(np.stack([ini.arrays()[k] for ini in inits])) for k in range(6)]
    losses = np.full((C, max_epochs), np.nan)
    status = np.zeros(C, dtype=np.int64)
    epochs = np.zeros(C, dtype=np.int64)
    lr_t = dt.type(lr)
    cost = sizes * L_max  # work per epoch, to start the most expensive cells first
    active = np.argsort(-cost, kind="stable").astype(np.int64)
    from threadpoolctl import threadpool_limits

    e0 = 0
    while active.size and e0 < max_epochs:
        E = min(chunk_epochs, max_epochs - e0)
        order = np.empty(int(np.sum(sizes[active])) * E, dtype=np.int64)
        o_off = np.zeros(active.size + 1, dtype=np.int64)
        for q, c in enumerate(active):
            n = sizes[c]
            o_off[q + 1] = o_off[q] + n * E
            block = order[o_off[q]:o_off[q + 1]].reshape(E, n)
            for e in range(E):
                block[e] = np.concatenate(epoch_batches(datas[c], batch, rng=rngs[c]))
        n_threads = numba.get_num_threads() if parallel else 1
        prev = numba.get_num_threads()
        try:
            numba.set_num_threads(n_threads)
            with parallel_section(), threadpool_limits(1, user_api="blas"), numba.parallel_chunksize(1):
                _train_chunk(active, *W, codes, onehot, s_off, order, o_off, bstart, bsize, blen, b_off,
                             e0, E, lr_t, ce, stop_loss, L_max, batch, losses, status, epochs)
        finally:
            numba.set_num_threads(prev)
        e0 += E
        active = active[status[active] == RUNNING]
    ep = np.where(status == DIVERGED, max_epochs, epochs)
    params = tuple(ElmanParams(*(W[k][i].copy() for k in range(6))) for i in range(C))
    return CellRuns(params=params, init=tuple(inits), loss=losses, epochs=ep, status=status)


def phase_cells(p, gain, seed, *, max_epochs: int = 5000, hidden: int = 100, c: float = 0.1, n_test: int = 30,
                test_length: int = 100, dtype: str = "float32", chunk_epochs: int = 100, parallel: bool = True) -> dict:
    """Cells of the :ref:`gallery-merging-f5` phase diagram, trained together; cell ``i`` equals
    :func:`~lrnn_theory.merging.train.phase_point` ``(p[i], gain[i], seed=seed[i], ...)`` to rounding.

    Parameters
    ----------
    p, gain, seed : array_like (n_cells,)
        Data fraction, initial gain and seed of each cell.
    max_epochs, hidden, c, n_test, test_length
        As in :func:`~lrnn_theory.merging.train.phase_point`.
    dtype : {"float32", "float64"}
        Training precision (``phase_point`` trains in float32).
    chunk_epochs, parallel
        As in :func:`train_cells`.

    Returns
    -------
    dict of ndarray (n_cells,)
        ``n_states`` (int), ``closed`` (bool), ``accuracy`` (float), ``epochs`` (int), ``converged`` (bool).
    """
    from .train import _accuracy, _symbols, prefix_tree_states

    c = check_positive_float("c", c)
    n_test = check_int("n_test", n_test, minimum=1)
    test_length = check_int("test_length", test_length, minimum=1)
    runs = train_cells(p, gain, seed, max_epochs=max_epochs, hidden=hidden, dtype=dtype, chunk_epochs=chunk_epochs,
                       parallel=parallel)
    _, _, seeds = _as_cells(p, gain, seed)
    C = len(seeds)
    accuracy = np.empty(C)
    hidden_tree = None
    eps = np.empty(C)
    for i, s in enumerate(seeds):
        val_rng = np.random.default_rng([s, 2])
        val = ["".join(val_rng.choice(["0", "1"], size=test_length)) for _ in range(n_test)]
        lab = np.array([v.count("1") % 2 for v in val])
        # a diverged run reports the accuracy of its last record, the initial weights (as train_parity does)
        acc_params = runs.init[i] if runs.status[i] == DIVERGED else runs.params[i]
        accuracy[i] = _accuracy(acc_params, _symbols(val), lab, False)
        hid = prefix_tree_states(runs.params[i], 10)[1]
        if hidden_tree is None:
            hidden_tree = np.empty((C,) + hid.shape)
        hidden_tree[i] = hid
        eps[i] = c * float(np.linalg.norm(hid.std(axis=0)))  # the threshold of extract_automaton(..., c)
    n_states = np.empty(C, dtype=np.int64)
    closed = np.empty(C, dtype=bool)
    n_threads = numba.get_num_threads() if parallel else 1
    prev = numba.get_num_threads()
    try:
        numba.set_num_threads(n_threads)
        with parallel_section(), numba.parallel_chunksize(1):
            _count_states_many(hidden_tree, eps, n_states, closed)
    finally:
        numba.set_num_threads(prev)
    return {"n_states": n_states, "closed": closed, "accuracy": accuracy, "epochs": runs.epochs.astype(np.int64),
            "converged": runs.status == STOPPED}
