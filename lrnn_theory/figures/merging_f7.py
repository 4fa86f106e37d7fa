"""Figure merging-f7: the interaction model's phase portrait (theory guide :ref:`merging-interaction`; van Rossem & Saxe (2025)).

Left: the fixed point ``H_∞ = ½A_high + sqrt(¼A_high² + A_low²)`` against ``A_high`` for several
``A_low`` (``A_low = 0``: merge iff ``A_high <= 0``).  Right: trajectories of the reduced system
in ``(H, W)`` from several initial conditions, agreeing (``δ² = 0``) and disagreeing.
"""
from __future__ import annotations

import numpy as np

from ..merging.interaction import merger_quantities, reduced_flow
from ..plot import mode_colors, panel_grid

TITLE = "Interaction model: H_inf vs A_high for several A_low, and (H, W) trajectories"
A_LOWS = (0.0, 0.25, 0.5, 1.0)


def compute(ctx) -> dict:
    A_high = np.linspace(-2.0, 2.0, 81 if ctx.quick else 401)
    H_inf = np.stack([0.5 * A_high + np.sqrt(0.25 * A_high ** 2 + al ** 2) for al in A_LOWS])
    H_inf[0, A_high <= 0] = 0.0
    t = np.linspace(0.0, 2000.0, 401 if ctx.quick else 801)  # output times only; the solver picks its own steps
    traj = []
    for delta2 in (0.0, 0.5):
        for H0, Y0 in ((1.5, 0.2), (0.5, 0.4), (0.3, 1.0), (1.0, 1.5)):
            r = reduced_flow(H0, Y0, Y0, delta2, t, N=2, tau_h=1.0, tau_y=1.0)
            mq = merger_quantities(H0, Y0, delta2, N=2, tau_h=1.0, tau_y=1.0)
            traj.append({"delta2": delta2, "H0": H0, "Y0": Y0, "H": r.H, "W": r.W, "H_inf": mq.H_inf, "A_high": mq.A_high})
    return {"A_high": A_high, "A_low": A_LOWS, "H_inf": H_inf, "trajectories": traj}


def draw(data: dict):
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
