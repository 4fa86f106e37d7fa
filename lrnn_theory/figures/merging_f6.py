"""Figure merging-f6: representational distance, theory vs experiment (theory guide :ref:`merging-fixed-expansion`, :ref:`gallery`; van Rossem & Saxe (2025); paper Fig. 10).

Left: ``‖dh‖²(t)`` of the fixed-expansion-point model (:ref:`merging-fixed-expansion` reference settings, ``G = 0.3``) for an
agreeing pair of lengths (1, 10) — diverge, then merge — and a disagreeing pair.  Right: the
measured squared distance (normalised by the mean squared distance over all prefix strings at
the same epoch) between the hidden states of an
agreeing pair of length-10 strings that share a state at the end (a merging pair) and of a
disagreeing pair, during training.
"""
from __future__ import annotations

import numpy as np

from .._validation import check_int, check_positive_float
from ..merging import ParityRun
from ..merging.interaction import fixed_expansion_flow
from ..plot import panel_grid
from ._merging import training_run

TITLE = "Distance between two representations: fixed-expansion-point theory (diverge-then-merge) and the trained network"
#: Runs in the same process as the other figures of the shared training run (see ``figure_groups``).
SHARES = "merging-run"
G = 0.3


def _theory(m1, m2, y2, t):
    z0 = dict(h1=G ** m1, h2=-G ** m2, beta_D=0, beta_1=0, beta_2=0, B=G ** 2, Q=G ** 2, g_1=0, g_2=0)
    return fixed_expansion_flow(z0, [[1.0, y2], [y2, 1.0]], t, N=1, eta_h1=0.02 * m1, eta_h2=0.02 * m2, eta_b=0.005,
                                eta_y=0.02).distance2


def figure_data(run: ParityRun, *, lengths=(1, 10), c: float = 0.01, t_end: float = 1500.0, n_t: int = 1501) -> dict:
    """The numbers of figure ``merging-f6`` for any streaming-parity run that tracked strings.

    Theory: the squared distance between two hidden representations under the fixed-expansion-
    point closure of the interaction model (:func:`lrnn_theory.merging.interaction.fixed_expansion_flow`),
    for strings of the given ``lengths`` whose outputs agree (``y2 = 1``) or disagree
    (``y2 = -1``): agreeing pairs diverge, then merge.  Measured: the squared distance between
    the hidden states of a pair of agreeing strings (one that the extracted automaton merged, if
    any) and of a disagreeing pair among the run's ``track_strings``, relative to the mean squared
    distance, at each record epoch; theory guide :ref:`merging-interaction`, van Rossem & Saxe
    (2025).  :func:`draw` draws the result.

    Parameters
    ----------
    run : ParityRun
        A run of :func:`lrnn_theory.merging.train_parity` with ``track_strings`` holding at least
        two strings of even and one of odd parity (the figure tracks 16 of each, of length 10).
    lengths : (int, int)
        String lengths ``m_1``, ``m_2`` of the theory curves.
    c : float
        Threshold factor of the automaton that decides which agreeing pair merged.
    t_end, n_t : float, int
        Time axis of the theory curves (quick figure: 301 points).

    Returns
    -------
    dict
        ``t`` (n_t,), ``theory_agree``, ``theory_disagree`` (n_t,); ``record_epochs``,
        ``measured_agree``, ``measured_disagree`` (n_records,); ``pairs``: the two strings of each
        pair; ``agree_pair_merged`` (bool).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> from lrnn_theory.merging import train_parity
    >>> run = train_parity(hidden=16, L_max=4, epochs=20, extract_every=10, long_lengths=(),
    ...                    track_strings=("0000", "0011", "0001"))
    >>> data = load("merging-f6").figure_data(run, n_t=11)
    >>> data["measured_agree"].shape, data["pairs"]["disagree"]
    ((3,), ['0000', '0001'])
    """
    if not isinstance(run, ParityRun):
        raise TypeError(f"run must be a ParityRun (from lrnn_theory.merging.train_parity), got {type(run).__name__}")
    m1, m2 = (check_int("lengths", m, minimum=1) for m in lengths)
    t_end = check_positive_float("t_end", t_end)
    n_t = check_int("n_t", n_t, minimum=2)
    even = [s for s in run.tracked if s.count("1") % 2 == 0]
    odd = [s for s in run.tracked if s.count("1") % 2 == 1]
    if len(even) < 2 or not odd:
        raise ValueError("run must track at least two strings of even parity and one of odd parity "
                         "(train_parity(..., track_strings=...))")
    t = np.linspace(0.0, t_end, n_t)
    ex = run.extract_automaton(c)
    state = dict(zip(ex.strings, ex.assignment))
    merged = [(x, y) for i, x in enumerate(even) for y in even[i + 1:] if state[x] == state[y]]
    pair_a = merged[0] if merged else (even[0], even[1])
    pair_d = (even[0], odd[0])
    dist = {k: np.sum((run.tracked[p[0]] - run.tracked[p[1]]) ** 2, axis=1) for k, p in (("a", pair_a), ("d", pair_d))}
    agree, disagree = dist["a"], dist["d"]
    return {"t": t, "theory_agree": _theory(m1, m2, 1.0, t), "theory_disagree": _theory(m1, m2, -1.0, t),
            "record_epochs": run.record_epochs, "measured_agree": agree / run.mean_sq_distance,
            "measured_disagree": disagree / run.mean_sq_distance,
            "pairs": {"agree": list(pair_a), "disagree": list(pair_d)}, "agree_pair_merged": bool(merged)}


def compute(ctx) -> dict:
    """The numbers figure ``merging-f6`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f6.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``t``, ``theory_agree``, ``theory_disagree``, ``record_epochs``,
    ``measured_agree``, ``measured_disagree``, ``pairs``, ``agree_pair_merged``.
    """
    return figure_data(training_run(ctx), n_t=301 if ctx.quick else 1501)


def draw(data: dict):
    """Draw figure ``merging-f6`` from the dict :func:`compute` returns (or
    ``read_data("figures/merging-f6.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=4.2, height=3.2)
    a, b = axes[0]
    a.plot(data["t"], data["theory_agree"], color="tab:blue", label="agreeing (1, 10)")
    a.plot(data["t"], data["theory_disagree"], color="tab:red", label="disagreeing (1, 10)")
    a.set_xlabel("time")
    a.set_ylabel("‖dh‖² (fixed-expansion theory)")
    a.legend(fontsize=7, frameon=False)
    b.plot(data["record_epochs"], data["measured_agree"], color="tab:blue", marker=".",
           label="agreeing pair" + (", merged" if data["agree_pair_merged"] else ""))
    b.plot(data["record_epochs"], data["measured_disagree"], color="tab:red", marker=".", label="disagreeing pair")
    b.set_yscale("log")
    b.set_xlabel("epoch")
    b.set_ylabel("‖h(s₁) - h(s₂)‖² / mean over pairs")
    b.legend(fontsize=7, frameon=False)
    return fig
