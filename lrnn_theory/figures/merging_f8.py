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
    run = training_run(ctx)
    return {"record_epochs": run.record_epochs, "mean_sq_distance": run.mean_sq_distance, "n_states": run.n_states}


def draw(data: dict):
    fig, axes = panel_grid(1, 1, width=5.0, height=3.2)
    ax = axes[0, 0]
    ax.plot(data["record_epochs"], data["mean_sq_distance"], color="k", marker=".")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean ‖h(s) - h(s')‖²")
    return fig
