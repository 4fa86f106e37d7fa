"""Appendix A2: energy landscape of the Dirac task (theory guide :ref:`theory-energy-decomposition`).

Data term, effective regulariser and total energy (eq. 9) over ``(u, b)``
for the Dirac task with ``s_T = 1`` and ``s_1 ∈ {0.5, 1.5, 2.5}`` at ``T = 3``
(balanced modes ``a = c = √u``), with ``u*(b)`` (:ref:`theory-profile-energy`) overlaid.
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from ..landscape import energy_decomposition, u_star
from ..plot import panel_grid

TITLE = "Energy landscape of the Dirac task: data term, effective regulariser, total"
T = 3
S1 = (0.5, 1.5, 2.5)


def compute(ctx) -> dict:
    n = 81 if ctx.quick else 161  # contours of smooth landscapes: 161² is what the panels resolve
    u = np.linspace(0.0, 1.6, n)
    b = np.linspace(-2.0, 2.0, n)
    U, B = np.meshgrid(u, b, indexing="xy")
    out = {"T": T, "u": u, "b": b, "s1": S1, "data": [], "regulariser": [], "u_star": []}
    for s1 in S1:
        s = tasks.dirac(T, s1, 1.0)
        data, reg = energy_decomposition(np.sqrt(U), B, np.sqrt(U), s)
        out["data"].append(data)
        out["regulariser"].append(reg)
        out["u_star"].append(u_star(b, s))
    return out


def draw(data: dict):
    fig, axes = panel_grid(3, 3, width=3.4, height=2.7)
    u, b = np.asarray(data["u"]), np.asarray(data["b"])
    for i, s1 in enumerate(data["s1"]):
        D = np.asarray(data["data"][i])
        R = np.asarray(data["regulariser"][i])
        for j, (Z, name) in enumerate(((D, "data term"), (R, "regulariser"), (D + R, "total E"))):
            ax = axes[i, j]
            cs = ax.contourf(u, b, np.log10(Z - Z.min() + 1e-3), levels=20, cmap="viridis")
            fig.colorbar(cs, ax=ax, label="log10(E - min + 1e-3)")
            if j == 2:
                ax.plot(np.clip(data["u_star"][i], u[0], u[-1]), b, "w--", linewidth=1, label="u*(b)")
                ax.legend(fontsize=7, loc="lower right")
            ax.set_title(f"{name}, $s_1$ = {s1}", fontsize=9)
            ax.set_xlabel("u = ac")
            ax.set_ylabel("b")
    fig.suptitle(f"Dirac task, T = {data['T']}, $s_T$ = 1", fontsize=10)
    return fig
