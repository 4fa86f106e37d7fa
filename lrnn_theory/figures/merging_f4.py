"""Figure merging-f4: which agreeing pairs merged, by string lengths (theory guide :ref:`merging-interaction`, :ref:`gallery`; van Rossem & Saxe (2025); paper Fig. 7).

Fraction of pairs of agreeing strings (same parity) of lengths ``(m_1, m_2)`` that share a state of
the final extracted automaton (``c = 0.01``): mergers happen first among long strings.
"""
from __future__ import annotations

import numpy as np

from ..merging import merged_fraction_by_length, parity_machine
from ..plot import heatmap, panel_grid
from ._merging import training_run

TITLE = "Fraction of agreeing pairs merged at the end, by string lengths (m1, m2)"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


def compute(ctx) -> dict:
    """The numbers figure ``merging-f4`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f4.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``lengths``, ``fraction``, ``n_states``.
    """
    run = training_run(ctx)
    ex = run.extract_automaton(0.01)
    L = run.config["L_max"]
    return {"lengths": np.arange(1, L + 1), "fraction": merged_fraction_by_length(ex, parity_machine(), L),
            "n_states": ex.n_states}


def draw(data: dict):
    """Draw figure ``merging-f4`` from the dict :func:`compute` returns (or
    ``read_data("figures/merging-f4.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 1, width=5.0, height=4.2)
    ax = axes[0, 0]
    L = list(np.asarray(data["lengths"]).tolist())
    heatmap(ax, np.asarray(data["fraction"], dtype=float), L, L, vmin=0.0, vmax=1.0, label="merged fraction", annotate=False)
    ax.set_xticklabels([str(v) for v in L], rotation=0)
    ax.set_xlabel("m₂")
    ax.set_ylabel("m₁")
    return fig
