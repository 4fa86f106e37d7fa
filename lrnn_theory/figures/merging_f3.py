"""Figure merging-f3: automaton snapshots and the minimised machine (theory guide :ref:`merging-automaton`, :ref:`merging-minimisation`; van Rossem & Saxe (2025); paper Fig. 4, 8).

Extracted automata before training, at the peak number of states and at the end, and the
minimised final machine (the 2-state parity machine once the automaton is closed).
"""
from __future__ import annotations

import numpy as np

from ..merging import MooreMachine, ParityRun, minimize
from ..plot import draw_machine, panel_grid
from ._merging import machine_dict, training_run

TITLE = "Extracted automata (start, peak, end) and the minimised machine"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"


def figure_data(run: ParityRun) -> dict:
    """The numbers of figure ``merging-f3`` for any streaming-parity training run with snapshots.

    The automata the run kept (its ``snapshot_epochs``) at the first snapshot, at the one with
    the most states and at the last, and the minimised machine of the last closed snapshot
    (:func:`lrnn_theory.merging.minimize`; theory guide :ref:`merging-automaton`,
    :ref:`merging-minimisation`; van Rossem & Saxe (2025), Fig. 4).  :func:`draw` draws the result.

    Parameters
    ----------
    run : ParityRun
        A run of :func:`lrnn_theory.merging.train_parity` with at least one snapshot epoch.

    Returns
    -------
    dict
        ``epochs`` (3 ints); ``machines``: three machines as dicts of arrays (``transitions``,
        ``outputs``, ``initial``); ``minimised_from_epoch`` (int or None); ``minimised`` (dict or None).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> from lrnn_theory.merging import train_parity
    >>> run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, long_lengths=(), snapshot_epochs=(0, 10, 20))
    >>> data = load("merging-f3").figure_data(run)
    >>> data["epochs"][0], data["epochs"][-1]
    (0, 20)
    """
    if not isinstance(run, ParityRun):
        raise TypeError(f"run must be a ParityRun (from lrnn_theory.merging.train_parity), got {type(run).__name__}")
    if not run.snapshots:
        raise ValueError("run must hold automaton snapshots: train it with snapshot_epochs=...")
    epochs = sorted(run.snapshots)
    peak = epochs[int(np.argmax([run.snapshots[e].n_states for e in epochs]))]
    chosen = [epochs[0], peak, epochs[-1]]
    closed = [e for e in epochs if run.snapshots[e].is_closed]
    last_closed = closed[-1] if closed else None
    return {"epochs": chosen, "machines": [machine_dict(run.snapshots[e]) for e in chosen],
            "minimised_from_epoch": last_closed,
            "minimised": machine_dict(minimize(run.snapshots[last_closed])) if last_closed is not None else None}


def compute(ctx) -> dict:
    """The numbers figure ``merging-f3`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f3.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``epochs``, ``machines``, ``minimised_from_epoch``, ``minimised``.
    """
    return figure_data(training_run(ctx))


def draw(data: dict):
    """Draw figure ``merging-f3`` from the dict :func:`compute` returns (or
    ``read_data("figures/merging-f3.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 4, width=3.0, height=3.0)
    for ax, e, m in zip(axes[0], data["epochs"], data["machines"]):
        mm = MooreMachine(np.asarray(m["transitions"]), np.asarray(m["outputs"]), m["initial"])
        draw_machine(ax, mm, title=f"epoch {e}: {mm.n_states} states")
    ax = axes[0, 3]
    if data["minimised"] is None:
        ax.axis("off")
        ax.set_title("no closed automaton yet", fontsize=9)
    else:
        m = data["minimised"]
        draw_machine(ax, MooreMachine(np.asarray(m["transitions"]), np.asarray(m["outputs"]), m["initial"]),
                     title=f"minimised (epoch {data['minimised_from_epoch']})")
    return fig
