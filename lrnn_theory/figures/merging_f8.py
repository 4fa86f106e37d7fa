"""Figure merging-f8: mean pairwise representational distance against epoch (theory guide :ref:`gallery`; van Rossem & Saxe (2025); paper Fig. 12).

Mergers are not a global contraction: the mean squared distance between the hidden states of all
prefix strings does not decrease while states merge.
"""
from __future__ import annotations

from ..merging import ParityRun
from ..plot import panel_grid
from ._merging import training_run

TITLE = "Mean pairwise squared distance between hidden states vs epoch"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


def figure_data(run: ParityRun) -> dict:
    """The numbers of figure ``merging-f8`` for any streaming-parity training run.

    The mean squared distance between the hidden states of all strings up to ``L_max`` and
    the number of automaton states, at each record epoch of the run (theory guide
    :ref:`merging-task`, :ref:`merging-automaton`; van Rossem & Saxe (2025)).  :func:`draw`
    draws the result.

    Parameters
    ----------
    run : ParityRun
        A run of :func:`lrnn_theory.merging.train_parity`.

    Returns
    -------
    dict
        ``record_epochs``, ``mean_sq_distance``, ``n_states`` (n_records,).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> from lrnn_theory.merging import train_parity
    >>> run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, long_lengths=())
    >>> load("merging-f8").figure_data(run)["mean_sq_distance"].shape
    (3,)
    """
    if not isinstance(run, ParityRun):
        raise TypeError(f"run must be a ParityRun (from lrnn_theory.merging.train_parity), got {type(run).__name__}")
    return {"record_epochs": run.record_epochs, "mean_sq_distance": run.mean_sq_distance, "n_states": run.n_states}


def compute(ctx) -> dict:
    """The numbers figure ``merging-f8`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f8.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``record_epochs``, ``mean_sq_distance``, ``n_states``.
    """
    return figure_data(training_run(ctx))


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
