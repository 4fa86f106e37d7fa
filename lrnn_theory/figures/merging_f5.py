"""Figure merging-f5: the merging phase diagram over data fraction and initial gain (theory guide :ref:`gallery`, :ref:`merging-protocol`; van Rossem & Saxe (2025); paper Fig. 9).

Each cell trains with cross-entropy until the loss is below 10⁻³ (at most 5000 epochs) and
reports the final number of automaton states (``c = 0.1``) and the accuracy on 30 strings of
length 100, averaged over 2 seeds.  The cells are trained together by the batched kernel of
:mod:`lrnn_theory.merging._batched` (each cell equals
:func:`~lrnn_theory.merging.train.phase_point` ``(..., dtype="float64")`` with the same seed to
rounding), as chunks of cells through :func:`lrnn_theory.sweep.sweep` (``vectorized=True``):
in-process all 50 cells form one chunk run in parallel over the local cores; with ``--jobs`` or a
dask ``--scheduler`` the chunks go to the workers.  Opt-in (``--full`` or ``--only merging-f5``):
about 5 CPU-minutes per core on 2 cores; quick mode is a 2 × 2 smoke grid.

Training runs in float64: in float32 the cells of the transition region (``p`` = 0.4–0.6) end in
other states and after other numbers of epochs (e.g. ``p = 0.6, G_0 = 0.3``: 66 states after 1664
epochs in float32, 266 after 4560 in float64), because there the outcome of a run is sensitive
to any rounding; float64 keeps the trajectories closest to exact arithmetic.
"""
from __future__ import annotations

import functools

import numpy as np

from .._validation import as_float_array, check_int
from ..merging._batched import phase_cells
from ..plot import heatmap, panel_grid

TITLE = "Phase diagram of state merging: final #states and length-100 accuracy over (data fraction p, gain G0)"


def _grid_cells(p, gain, replicate, seed, **fixed) -> dict:
    """Vectorised sweep function: the cells of a chunk of the grid, trained together.

    ``replicate`` only reaches the cells through the per-point seed, reduced modulo ``2³¹`` as
    :class:`~lrnn_theory.sweep.Replicated` does for :func:`~lrnn_theory.merging.train.phase_point`.
    """
    seeds = (np.asarray(seed, dtype=np.uint64) % np.uint64(2 ** 31)).astype(np.int64)
    return phase_cells(p, gain, seeds, **fixed)


def figure_data(p=(0.2, 0.4, 0.6, 0.8, 1.0), gain=(0.1, 0.3, 0.5, 0.7, 1.0), *, n_replicates: int = 2,
                max_epochs: int = 5000, hidden: int = 100, executor="serial", progress: bool = False,
                seed: int = 0) -> dict:
    """The numbers of figure ``merging-f5`` for any grid of data fractions and initial gains.

    Each cell trains the streaming-parity RNN with cross-entropy to loss ``< 1e-3`` or
    ``max_epochs`` (all cells of a chunk together, float64; each equals
    :func:`lrnn_theory.merging.phase_point` to rounding) and reports the final number of automaton
    states, the accuracy on strings of length 100, the epochs run and whether it converged,
    averaged over ``n_replicates`` seeds; theory guide :ref:`merging-protocol`, van Rossem & Saxe
    (2025).  :func:`draw` draws the result.

    Parameters
    ----------
    p : sequence of float in (0, 1]
        Data fractions.
    gain : sequence of float > 0
        Initial gains ``G_0``.
    n_replicates : int
        Seeds per cell (quick figure: 1).
    max_epochs, hidden : int
        Training limit and hidden size (quick figure: 20 and 16).
    executor, progress, seed
        Passed to :func:`lrnn_theory.sweep.sweep` (``"serial"``: all cells in one parallel chunk).

    Returns
    -------
    dict
        ``p`` (n_p,), ``gain`` (n_gain,); ``n_states``, ``accuracy``, ``epochs``,
        ``converged_fraction`` (n_gain, n_p).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f5 = load("merging-f5")
    >>> data = f5.figure_data(p=[1.0], gain=[0.1, 1.0], n_replicates=1, max_epochs=3, hidden=8)
    >>> data["n_states"].shape
    (2, 1)
    """
    from ..sweep import sweep

    grid = {"p": [float(v) for v in as_float_array("p", p, ndim=1)],
            "gain": [float(v) for v in as_float_array("gain", gain, ndim=1)],
            "replicate": list(range(check_int("n_replicates", n_replicates, minimum=1)))}
    fixed = dict(max_epochs=check_int("max_epochs", max_epochs, minimum=1), dtype="float64")
    if hidden != 100:
        fixed["hidden"] = check_int("hidden", hidden, minimum=1)
    fn = functools.partial(_grid_cells, **fixed)
    n_cells = int(np.prod([len(v) for v in grid.values()]))
    # in-process: one chunk of all cells (parallel over the cores); else the sweep's chunks go to the workers
    executor = "serial" if executor is None else executor
    ds = sweep(fn, grid, executor=executor, progress=progress, seed=seed, vectorized=True,
               chunksize=n_cells if executor == "serial" else None)
    mean = ds.mean("replicate")
    return {"p": np.asarray(grid["p"]), "gain": np.asarray(grid["gain"]),
            "n_states": mean["n_states"].transpose("gain", "p").values, "accuracy": mean["accuracy"].transpose("gain", "p").values,
            "epochs": mean["epochs"].transpose("gain", "p").values, "converged_fraction": mean["converged"].transpose("gain", "p").values}


def compute(ctx) -> dict:
    """The numbers figure ``merging-f5`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f5.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``p``, ``gain``, ``n_states``, ``accuracy``, ``epochs``,
    ``converged_fraction``.
    """
    if ctx.quick:
        return figure_data([0.5, 1.0], [0.1, 1.0], n_replicates=1, max_epochs=20, hidden=16, executor=ctx.executor,
                           progress=ctx.progress, seed=ctx.seed)
    return figure_data(executor=ctx.executor, progress=ctx.progress, seed=ctx.seed)


def draw(data: dict):
    """Draw figure ``merging-f5`` from the dict :func:`compute` returns (or
    ``read_data("figures/merging-f5.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=4.6, height=3.8)
    p = [f"{v:g}" for v in np.asarray(data["p"])]
    g = [f"{v:g}" for v in np.asarray(data["gain"])]
    heatmap(axes[0, 0], np.log10(np.asarray(data["n_states"], dtype=float)), np.asarray(data["p"]), g, vmin=0.0,
            label="log10 #states (c = 0.1)")
    heatmap(axes[0, 1], np.asarray(data["accuracy"], dtype=float), np.asarray(data["p"]), g, vmin=0.0, vmax=1.0,
            label="accuracy, length 100")
    for ax in axes[0]:
        ax.set_xticklabels(p, rotation=0)
        ax.set_xlabel("data fraction p")
        ax.set_ylabel("gain G0")
    return fig
