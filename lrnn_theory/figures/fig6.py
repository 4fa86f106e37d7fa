"""Figure 6: sensory integration (Proca et al. (2025), Fig. 6; theory guide :ref:`theory-sensory`).

Columns: mean (left), sum (right).  Top: singular values of ``W_h``
("recurrent") and ``W_y W_x`` ("input–output") during training, with the
predicted values (mean: 1 and 1/T = 0.25; sum: 1 and 1) as grey lines.
Bottom: test loss (½ mean squared error) on the training length T = 4 and on
T' = 50, 75, 100, with the :ref:`theory-sensory-extrapolation` closed form for the final values (dotted).
Protocol of :ref:`theory-sensory-protocol` (:func:`lrnn_theory.sensory.train_sensory`), training seed
``ctx.seed + 1`` (with seed 0 one sum-task mode escapes late and needs ~700 steps).
"""
from __future__ import annotations

import numpy as np

from ..plot import mode_colors, panel_grid, reference_line
from ..sensory import train_sensory

TITLE = "Sensory integration: singular values and test losses during training (mean vs sum)"


def compute(ctx) -> dict:
    """The numbers figure ``fig6`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/fig6.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``mean``, ``sum``.
    """
    out = {}
    for target in ("mean", "sum"):
        r = train_sensory(target, seed=ctx.seed + 1, n_test=300 if ctx.quick else 1000)
        out[target] = {"step": r.step, "sv_recurrent": r.sv_recurrent, "sv_input_output": r.sv_input_output,
                       "test_loss": {str(k): v for k, v in r.test_loss.items()}, "predicted": r.predicted,
                       "train_loss": r.train_loss}
    return out


def draw(data: dict):
    """Draw figure ``fig6`` from the dict :func:`compute` returns (or
    ``read_data("figures/fig6.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(2, 2, width=5.0, height=3.2)
    for j, target in enumerate(("mean", "sum")):
        d = data[target]
        step = np.asarray(d["step"])
        ax = axes[0, j]
        for i in range(4):
            ax.plot(step, np.asarray(d["sv_recurrent"])[:, i], color="C0", label="recurrent ($W_h$)" if i == 0 else None)
            ax.plot(step, np.asarray(d["sv_input_output"])[:, i], color="C3", label="input–output ($W_yW_x$)" if i == 0 else None)
        reference_line(ax, d["predicted"]["recurrent"])
        reference_line(ax, d["predicted"]["input_output"])
        ax.set_title(f"{target} of the inputs")
        ax.set_ylabel("singular values")
        ax.legend(frameon=False, fontsize=8)
        ax = axes[1, j]
        colors = mode_colors(len(d["test_loss"]))
        for c, (Tp, loss) in zip(colors, d["test_loss"].items()):
            ax.plot(step, np.maximum(np.asarray(loss, dtype=float), 1e-12), color=c, label=f"T' = {Tp}")
            pred = d["predicted"]["test_loss"][int(Tp)] if int(Tp) in d["predicted"]["test_loss"] else d["predicted"]["test_loss"][str(Tp)]
            if pred > 0:
                ax.axhline(pred, color=c, linestyle=":", linewidth=1)
        ax.set_yscale("log")
        ax.set_xlabel("training steps")
        ax.set_ylabel("test loss")
        ax.legend(frameon=False, fontsize=8)
    return fig
