"""Figure merging-f1: training loss and long-length validation losses against epoch (theory guide :ref:`gallery`; van Rossem & Saxe (2025); paper Fig. 1, 6).

All validation curves drop together at the transition (≈ epoch 500–600 with the :ref:`merging-task` defaults):
the network generalises to strings 100× longer than any it was trained on.
"""
from __future__ import annotations

import numpy as np

from ..merging import ParityRun
from ..plot import mode_colors, panel_grid
from ._merging import training_run

TITLE = "Streaming parity: training loss and validation loss at long lengths vs epoch"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


def figure_data(run: ParityRun) -> dict:
    """The numbers of figure ``merging-f1`` for any streaming-parity training run.

    Training loss per epoch, validation loss at the lengths the run recorded (its
    ``val_lengths``), validation accuracy at length ``val_length`` and the final accuracy at
    ``long_lengths`` (theory guide :ref:`merging-task`; van Rossem & Saxe (2025), Fig. 1).
    The figure uses :func:`lrnn_theory.merging.train_parity` with the :ref:`merging-task`
    defaults and ``val_lengths=(25, 100, 250, 1000)``.  :func:`draw` draws the result.

    Parameters
    ----------
    run : ParityRun
        A run of :func:`lrnn_theory.merging.train_parity`.

    Returns
    -------
    dict
        ``epoch``, ``loss`` (n_epochs,); ``record_epochs``, ``val_accuracy_50`` (n_records,);
        ``val_loss``: length (str) -> (n_records,); ``long_accuracy``: length (str) -> float.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> from lrnn_theory.merging import train_parity
    >>> run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, val_lengths=(25,), long_lengths=(50,))
    >>> data = load("merging-f1").figure_data(run)
    >>> data["loss"].shape, data["val_loss"]["25"].shape
    ((20,), (3,))
    """
    if not isinstance(run, ParityRun):
        raise TypeError(f"run must be a ParityRun (from lrnn_theory.merging.train_parity), got {type(run).__name__}")
    return {"epoch": np.arange(1, run.loss.size + 1), "loss": run.loss, "record_epochs": run.record_epochs,
            "val_loss": {str(L): v for L, v in run.val_loss.items()}, "val_accuracy_50": run.val_accuracy,
            "long_accuracy": {str(k): v for k, v in run.long_accuracy.items()}}


def compute(ctx) -> dict:
    """The numbers figure ``merging-f1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``epoch``, ``loss``, ``record_epochs``, ``val_loss``, ``val_accuracy_50``,
    ``long_accuracy``.
    """
    return figure_data(training_run(ctx))


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
