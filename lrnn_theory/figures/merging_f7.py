"""Figure merging-f7: the interaction model's phase portrait (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025)).

Left: the fixed point ``H_∞ = ½A_high + sqrt(¼A_high² + A_low²)`` against ``A_high`` for several
``A_low`` (``A_low = 0``: merge iff ``A_high <= 0``).  Right: trajectories of the reduced system
in ``(H, W)`` from several initial conditions, agreeing (``δ² = 0``) and disagreeing.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_int, check_positive_float
from ..merging.interaction import merger_quantities, reduced_flow
from ..plot import mode_colors, panel_grid

TITLE = "Interaction model: H_inf vs A_high for several A_low, and (H, W) trajectories"
A_LOWS = (0.0, 0.25, 0.5, 1.0)


#: Initial conditions ``(H0, Y0)`` of the trajectories of :ref:`gallery-merging-f7`.
STARTS = ((1.5, 0.2), (0.5, 0.4), (0.3, 1.0), (1.0, 1.5))


def figure_data(a_lows=A_LOWS, starts=STARTS, delta2s=(0.0, 0.5), *, N: int = 2, t_end: float = 2000.0,
                n_a: int = 401, n_t: int = 801) -> dict:
    """The numbers of figure ``merging-f7`` for any ``A_low`` values and initial conditions.

    Left panel: the fixed point ``H_∞ = ½A_high + sqrt(¼A_high² + A_low²)`` of the interaction
    model against ``A_high ∈ [-2, 2]`` for each ``A_low`` (0 for ``A_high <= 0`` when
    ``A_low = 0``: the pair merges).  Right panel: trajectories of the reduced ``(H, W)`` system
    (:func:`lrnn_theory.merging.interaction.reduced_flow`, ``τ_h = τ_y = 1``) from each start
    ``(H0, Y0)`` for each output disagreement ``δ²``, with their predicted ``H_∞`` and ``A_high``
    (:func:`lrnn_theory.merging.interaction.merger_quantities`); theory guide
    :ref:`merging-interaction`, van Rossem & Saxe (2025).  :func:`draw` draws the result.

    Parameters
    ----------
    a_lows : sequence of float, shape (n_low,)
        ``A_low`` values of the left panel (default 0, 0.25, 0.5, 1).
    starts : sequence of (float, float)
        Initial ``(H0, Y0)`` of the trajectories (default :data:`STARTS`).
    delta2s : sequence of float
        Output disagreements ``δ²`` (default 0: agreeing, 0.5: disagreeing).
    N : int
        Number of interacting inputs of the model (default 2).
    t_end : float
        Final time of the trajectories (in units of ``τ_h``).
    n_a, n_t : int
        Points of the ``A_high`` axis and output times of the trajectories (quick figure: 81, 401).

    Returns
    -------
    dict
        ``A_high`` (n_a,), ``A_low`` (n_low,), ``H_inf`` (n_low, n_a); ``trajectories``: one dict per
        ``(δ², start)`` with ``delta2``, ``H0``, ``Y0``, ``H``, ``W`` (n_t,), ``H_inf``, ``A_high``.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> m7 = load("merging-f7")
    >>> data = m7.figure_data(a_lows=[0.0, 2.0], starts=[(1.0, 0.5)], delta2s=[0.0], n_a=5, n_t=11, t_end=50.0)
    >>> data["H_inf"].shape, len(data["trajectories"]), data["trajectories"][0]["H"].shape
    ((2, 5), 1, (11,))
    """
    a_lows = tuple(float(v) for v in as_float_array("a_lows", a_lows, ndim=1))
    starts = as_float_array("starts", starts, ndim=2)
    if starts.shape[1] != 2:
        raise ValueError(f"starts must be a sequence of (H0, Y0) pairs, got shape {starts.shape}")
    delta2s = as_float_array("delta2s", delta2s, ndim=1)
    n_a = check_int("n_a", n_a, minimum=2)
    n_t = check_int("n_t", n_t, minimum=2)
    t_end = check_positive_float("t_end", t_end)
    A_high = np.linspace(-2.0, 2.0, n_a)
    H_inf = np.stack([0.5 * A_high + np.sqrt(0.25 * A_high ** 2 + al ** 2) for al in a_lows])
    for i, al in enumerate(a_lows):
        if al == 0:
            H_inf[i, A_high <= 0] = 0.0
    t = np.linspace(0.0, t_end, n_t)  # output times only; the solver picks its own steps
    traj = []
    for delta2 in delta2s.tolist():
        for H0, Y0 in starts.tolist():
            r = reduced_flow(H0, Y0, Y0, delta2, t, N=N, tau_h=1.0, tau_y=1.0)
            mq = merger_quantities(H0, Y0, delta2, N=N, tau_h=1.0, tau_y=1.0)
            traj.append({"delta2": delta2, "H0": H0, "Y0": Y0, "H": r.H, "W": r.W, "H_inf": mq.H_inf, "A_high": mq.A_high})
    return {"A_high": A_high, "A_low": a_lows, "H_inf": H_inf, "trajectories": traj}


def compute(ctx) -> dict:
    """The numbers figure ``merging-f7`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/merging-f7.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``A_high``, ``A_low``, ``H_inf``, ``trajectories``.
    """
    return figure_data(n_a=81 if ctx.quick else 401, n_t=401 if ctx.quick else 801)


def draw(data: dict):
    """Draw figure ``merging-f7`` from the dict :func:`compute` returns (or
    ``read_data("figures/merging-f7.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=4.2, height=3.3)
    a, b = axes[0]
    for al, h, col in zip(data["A_low"], data["H_inf"], mode_colors(len(data["A_low"]))):
        a.plot(data["A_high"], h, color=col, label=f"A_low = {al:g}")
    a.set_xlabel("A_high")
    a.set_ylabel("H_∞")
    a.legend(fontsize=7, frameon=False)
    for tr in data["trajectories"]:
        col = "tab:blue" if tr["delta2"] == 0 else "tab:red"
        b.plot(tr["H"], tr["W"], color=col, linewidth=1)
        b.plot(tr["H"][0], tr["W"][0], "o", color=col, markersize=3)
    b.axhline(0, color="0.7", linewidth=0.6)
    b.set_xlabel("H = ‖dh‖²")
    b.set_ylabel("W (output alignment)")
    b.set_title("blue: agreeing, red: disagreeing", fontsize=8)
    return fig
