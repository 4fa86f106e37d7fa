"""Figure merging-f1: training loss and long-length validation losses against epoch (theory guide :ref:`gallery`; van Rossem & Saxe (2025); paper Fig. 1, 6).

All validation curves drop together at the transition (≈ epoch 500–600 with the :ref:`merging-task` defaults):
the network generalises to strings 100× longer than any it was trained on.
"""
from __future__ import annotations

import numpy as np

from ..plot import mode_colors, panel_grid
from ._merging import training_run

TITLE = "Streaming parity: training loss and validation loss at long lengths vs epoch"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


def compute(ctx) -> dict:
    """The numbers figure ``merging-f1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``epoch``, ``loss``, ``record_epochs``, ``val_loss``, ``val_accuracy_50``,
    ``long_accuracy``.
    """
    run = training_run(ctx)
    return {"epoch": np.arange(1, run.loss.size + 1), "loss": run.loss, "record_epochs": run.record_epochs,
            "val_loss": {str(L): v for L, v in run.val_loss.items()}, "val_accuracy_50": run.val_accuracy,
            "long_accuracy": {str(k): v for k, v in run.long_accuracy.items()}}


def draw(data: dict):
    """Draw figure ``merging-f1`` from the dict :func:`compute` returns (or
    ``read_data("figures/merging-f1.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 1, width=5.0, height=3.4)
    ax = axes[0, 0]
    ax.plot(data["epoch"], data["loss"], color="k", label="training")
    for (L, v), col in zip(data["val_loss"].items(), mode_colors(len(data["val_loss"]), "plasma")):
        ax.plot(data["record_epochs"], v, color=col, marker=".", label=f"validation, length {L}")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    ax.legend(fontsize=7, frameon=False)
    return fig
