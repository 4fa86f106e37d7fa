"""Figure merging-f4: which agreeing pairs merged, by string lengths (theory guide :ref:`merging-interaction`, :ref:`gallery`; van Rossem & Saxe (2025); paper Fig. 7).

Fraction of pairs of agreeing strings (same parity) of lengths ``(m_1, m_2)`` that share a state of
the final extracted automaton (``c = 0.01``): mergers happen first among long strings.
"""
from __future__ import annotations

import numpy as np

from ..merging import ParityRun, merged_fraction_by_length, parity_machine
from ..plot import heatmap, panel_grid
from ._merging import training_run

TITLE = "Fraction of agreeing pairs merged at the end, by string lengths (m1, m2)"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


def figure_data(run: ParityRun, c: float = 0.01) -> dict:
    """The numbers of figure ``merging-f4`` for any streaming-parity training run.

    The automaton extracted from the run's final weights at threshold factor ``c``
    (``run.extract_automaton(c)``)
    and, for each pair of string lengths, the fraction of pairs of strings that agree under
    parity and share an automaton state
    (:func:`lrnn_theory.merging.merged_fraction_by_length`; theory guide
    :ref:`merging-automaton`; van Rossem & Saxe (2025)).  :func:`draw` draws the result.

    Parameters
    ----------
    run : ParityRun
        A run of :func:`lrnn_theory.merging.train_parity`.
    c : float
        Extraction threshold factor (the figure: 0.01).

    Returns
    -------
    dict
        ``lengths`` (L_max,): ``1..L_max``; ``fraction`` (L_max, L_max); ``n_states`` (int).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> from lrnn_theory.merging import train_parity
    >>> run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, long_lengths=())
    >>> load("merging-f4").figure_data(run)["fraction"].shape
    (4, 4)
    """
    if not isinstance(run, ParityRun):
        raise TypeError(f"run must be a ParityRun (from lrnn_theory.merging.train_parity), got {type(run).__name__}")
    ex = run.extract_automaton(c)
    L = run.config["L_max"]
    return {"lengths": np.arange(1, L + 1), "fraction": merged_fraction_by_length(ex, parity_machine(), L),
            "n_states": ex.n_states}


def compute(ctx) -> dict:
    """The numbers figure ``merging-f4`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f4.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``lengths``, ``fraction``, ``n_states``.
    """
    return figure_data(training_run(ctx))


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
