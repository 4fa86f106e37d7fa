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

from ..plot import panel_grid
from ._merging import training_run, training_run_wide

TITLE = "Automaton states (normalised by #strings), per-epoch and run-wide threshold, and training loss vs epoch"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


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
    run = training_run(ctx)
    wide = training_run_wide(ctx)
    n_strings = 2 ** (run.config["L_max"] + 1) - 1
    return {"record_epochs": run.record_epochs, "n_strings": n_strings,
            "n_states": run.n_states, "fraction": run.n_states / n_strings, "is_closed": run.is_closed,
            "epsilon": run.epsilon, "n_unreachable": run.n_unreachable,
            "n_states_run": wide.n_states, "fraction_run": wide.n_states / n_strings, "is_closed_run": wide.is_closed,
            "epsilon_run": float(wide.epsilon[0]), "n_unreachable_run": wide.n_unreachable,
            "peak_epoch_eps": int(run.n_states.max()), "peak_run_eps": int(wide.n_states.max()),
            "epoch": np.arange(1, run.loss.size + 1), "loss": run.loss}


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
