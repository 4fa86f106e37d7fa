"""Figure merging-f5: the merging phase diagram over data fraction and initial gain (theory guide :ref:`gallery`, :ref:`merging-protocol`; van Rossem & Saxe (2025); paper Fig. 9).

Each cell trains with cross-entropy until the loss is below 10⁻³ (at most 5000 epochs) and
reports the final number of automaton states (``c = 0.1``) and the accuracy on 30 strings of
length 100, averaged over 2 seeds.  Runs through :func:`lrnn_theory.sweep.sweep` (any executor,
``--jobs`` or a dask ``--scheduler``).  Opt-in (``--full`` or ``--only merging-f5``): 1–3
core-hours; quick mode is a 2 × 2 smoke grid.
"""
from __future__ import annotations

import numpy as np

from ..merging.train import phase_point
from ..plot import heatmap, panel_grid

TITLE = "Phase diagram of state merging: final #states and length-100 accuracy over (data fraction p, gain G0)"


def compute(ctx) -> dict:
    from ..sweep import Replicated, sweep

    if ctx.quick:
        grid = {"p": [0.5, 1.0], "gain": [0.1, 1.0], "replicate": [0]}
        fn = Replicated(phase_point, max_epochs=20, hidden=16)
    else:
        grid = {"p": [0.2, 0.4, 0.6, 0.8, 1.0], "gain": [0.1, 0.3, 0.5, 0.7, 1.0], "replicate": [0, 1]}
        fn = Replicated(phase_point, max_epochs=5000)
    ds = sweep(fn, grid, executor=ctx.executor if ctx.executor is not None else "serial",
               progress=ctx.progress, seed=ctx.seed)
    mean = ds.mean("replicate")
    return {"p": np.asarray(grid["p"]), "gain": np.asarray(grid["gain"]),
            "n_states": mean["n_states"].transpose("gain", "p").values, "accuracy": mean["accuracy"].transpose("gain", "p").values,
            "epochs": mean["epochs"].transpose("gain", "p").values, "converged_fraction": mean["converged"].transpose("gain", "p").values}


def draw(data: dict):
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
