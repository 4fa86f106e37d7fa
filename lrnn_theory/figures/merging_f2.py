"""A-F2: number of automaton states against epoch, with the training loss (THEORY-EXTENSIONS A.2, A.6; paper Fig. 4).

States (threshold ``c = 0.01``) normalised by the number of prefix strings: the representation first
grows towards the prefix tree, then collapses to a finite machine at the transition.
"""
from __future__ import annotations

import numpy as np

from ..plot import panel_grid
from ._merging import training_run

TITLE = "Automaton states (normalised by #strings) and training loss vs epoch"


def compute(ctx) -> dict:
    run = training_run(ctx)
    n_strings = 2 ** (run.config["L_max"] + 1) - 1
    return {"record_epochs": run.record_epochs, "n_states": run.n_states, "n_strings": n_strings,
            "fraction": run.n_states / n_strings, "is_closed": run.is_closed, "epoch": np.arange(1, run.loss.size + 1),
            "loss": run.loss}


def draw(data: dict):
    fig, axes = panel_grid(1, 1, width=5.0, height=3.4)
    ax = axes[0, 0]
    e, f = np.asarray(data["record_epochs"]), np.asarray(data["fraction"])
    closed = np.asarray(data["is_closed"], dtype=bool)
    ax.plot(e, f, color="tab:blue", label="states / #strings")
    ax.plot(e[closed], f[closed], "o", color="tab:blue", markersize=3, label="closed automaton")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("states / #strings", color="tab:blue")
    tw = ax.twinx()
    tw.plot(data["epoch"], data["loss"], color="k", linewidth=0.8)
    tw.set_yscale("log")
    tw.set_ylabel("training loss")
    ax.legend(fontsize=7, frameon=False, loc="lower left")
    return fig
