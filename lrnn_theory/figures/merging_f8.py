"""Figure merging-f8: mean pairwise representational distance against epoch (theory guide :ref:`gallery`; van Rossem & Saxe (2025); paper Fig. 12).

Mergers are not a global contraction: the mean squared distance between the hidden states of all
prefix strings does not decrease while states merge.
"""
from __future__ import annotations

from ..plot import panel_grid
from ._merging import training_run

TITLE = "Mean pairwise squared distance between hidden states vs epoch"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


def compute(ctx) -> dict:
    """The numbers figure ``merging-f8`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f8.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``record_epochs``, ``mean_sq_distance``, ``n_states``.
    """
    run = training_run(ctx)
    return {"record_epochs": run.record_epochs, "mean_sq_distance": run.mean_sq_distance, "n_states": run.n_states}


def draw(data: dict):
    """Draw figure ``merging-f8`` from the dict :func:`compute` returns (or
    ``read_data("figures/merging-f8.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 1, width=5.0, height=3.2)
    ax = axes[0, 0]
    ax.plot(data["record_epochs"], data["mean_sq_distance"], color="k", marker=".")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean ‖h(s) - h(s')‖²")
    return fig
