"""Figure merging-f2: number of automaton states against epoch, with the training loss (theory guide :ref:`merging-automaton`, :ref:`gallery`; paper Fig. 4).

States (threshold ``c = 0.01``; states reachable from the initial state) normalised by the number of
prefix strings: the representation first grows towards the prefix tree, then collapses to a finite
machine at the transition.  Two thresholds are drawn from the same run: ``ε`` recomputed at every
epoch from that epoch's hidden states (the library default), and one ``ε`` for the whole run from
the hidden states of all recorded epochs (the analysis of van Rossem & Saxe, 2025).  They differ most
at the peak (seed 0, full run: 245 against 157 reachable states).
"""
from __future__ import annotations

import numpy as np

from ..merging import ParityRun
from ..plot import panel_grid
from ._merging import training_run, training_run_wide

TITLE = "Automaton states (normalised by #strings), per-epoch and run-wide threshold, and training loss vs epoch"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


def figure_data(run: ParityRun, run_wide: ParityRun | None = None) -> dict:
    """The numbers of figure ``merging-f2`` for any streaming-parity training run.

    The number of automaton states (and its fraction of the ``2^{L_max+1} - 1`` prefix-tree
    strings), closure, threshold and unreachable states at each record epoch, with the
    threshold taken per record (the run as trained) and over the whole run (``run_wide``,
    default ``run.rethreshold("run")``: same weights, one threshold); theory guide
    :ref:`merging-automaton`, van Rossem & Saxe (2025), Fig. 4.  :func:`draw` draws the result.

    Parameters
    ----------
    run : ParityRun
        A run of :func:`lrnn_theory.merging.train_parity` (``epsilon_scope="epoch"``).
    run_wide : ParityRun, optional
        The same run re-extracted with one threshold for the whole run.

    Returns
    -------
    dict
        ``record_epochs``, ``n_states``, ``fraction``, ``is_closed``, ``epsilon``,
        ``n_unreachable`` (n_records,) and their ``*_run`` counterparts (``epsilon_run`` a
        float); ``n_strings``, ``peak_epoch_eps``, ``peak_run_eps`` (ints); ``epoch``,
        ``loss`` (n_epochs,).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> from lrnn_theory.merging import train_parity
    >>> run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, long_lengths=())
    >>> data = load("merging-f2").figure_data(run)
    >>> data["n_strings"], data["n_states"].shape
    (31, (3,))
    """
    if not isinstance(run, ParityRun):
        raise TypeError(f"run must be a ParityRun (from lrnn_theory.merging.train_parity), got {type(run).__name__}")
    wide = run.rethreshold("run") if run_wide is None else run_wide
    if not isinstance(wide, ParityRun):
        raise TypeError(f"run_wide must be a ParityRun or None, got {type(wide).__name__}")
    n_strings = 2 ** (run.config["L_max"] + 1) - 1
    return {"record_epochs": run.record_epochs, "n_strings": n_strings,
            "n_states": run.n_states, "fraction": run.n_states / n_strings, "is_closed": run.is_closed,
            "epsilon": run.epsilon, "n_unreachable": run.n_unreachable,
            "n_states_run": wide.n_states, "fraction_run": wide.n_states / n_strings, "is_closed_run": wide.is_closed,
            "epsilon_run": float(wide.epsilon[0]), "n_unreachable_run": wide.n_unreachable,
            "peak_epoch_eps": int(run.n_states.max()), "peak_run_eps": int(wide.n_states.max()),
            "epoch": np.arange(1, run.loss.size + 1), "loss": run.loss}


def compute(ctx) -> dict:
    """The numbers figure ``merging-f2`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f2.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``record_epochs``, ``n_strings``, ``n_states``, ``fraction``,
    ``is_closed``, ``epsilon``, ``n_unreachable``, ``n_states_run``, ``fraction_run``,
    ``is_closed_run``, ``epsilon_run``, ``n_unreachable_run``, ``peak_epoch_eps``, ``peak_run_eps``,
    ``epoch``, ``loss``.
    """
    return figure_data(training_run(ctx), training_run_wide(ctx))


def draw(data: dict):
    """Draw figure ``merging-f2`` from the dict :func:`compute` returns (or
    ``read_data("figures/merging-f2.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 1, width=5.4, height=3.6)
    ax = axes[0, 0]
    e = np.asarray(data["record_epochs"])
    for key, closed_key, color, label in (("fraction", "is_closed", "tab:blue", "per-epoch ε"),
                                          ("fraction_run", "is_closed_run", "tab:red", "one ε for the run")):
        f = np.asarray(data[key])
        closed = np.asarray(data[closed_key], dtype=bool)
        ax.plot(e, f, color=color, label=f"{label} (peak {int(round(f.max() * data['n_strings']))})")
        ax.plot(e[closed], f[closed], "o", color=color, markersize=3)
    ax.plot([], [], "o", color="0.4", markersize=3, label="closed automaton")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("states / #strings")
    tw = ax.twinx()
    tw.plot(data["epoch"], data["loss"], color="k", linewidth=0.8)
    tw.set_yscale("log")
    tw.set_ylabel("training loss")
    ax.legend(fontsize=7, frameon=False, loc="center left")
    return fig
