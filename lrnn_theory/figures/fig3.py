"""Figure 3: stability and extrapolation by task family (Proca et al. (2025), Fig. 3; theory guide :ref:`theory-fixed-points`, :ref:`theory-stability`, :ref:`theory-extrapolation`).

Columns: constant, inverse-exponential, exponential (T = 10).  Top: task
profiles (early importance, ``|b*| > 1``, dashed green) with the solutions
of :ref:`theory-fixed-points`.  Middle: learned ``b`` and ``ac`` from ``a = b = c = 0.1`` (mode ODE)
with the solutions as grey lines; constant column inset: largest stable
learning rate ``2/λ_max`` against δ (:ref:`theory-stability`).  Bottom: extrapolation energy
``E_test(T')`` for ``T' = 1..20`` (:ref:`theory-extrapolation`).
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from ..closed_forms import extrapolation_energy, family_fixed_point, max_stable_lr
from ..integrate import integrate_modes
from ..plot import mode_colors, panel_grid, reference_line

TITLE = "Stability and extrapolation: profiles, learned modes, largest stable step, extrapolation energy"
T = 10
COLUMNS = (
    ("constant", "δ", ((0.25, 1.0), (0.5, 1.0), (1.0, 1.0), (2.0, 1.0))),
    ("inverse_exponential", "λ", ((1.0, 0.6), (1.0, 0.8), (1.0, 1.1), (1.0, 1.25))),
    ("exponential", "λ", ((1.0, 0.8), (1.0, 0.9), (1.0, 1.1), (1.0, 1.25))),
)


def compute(ctx) -> dict:
    """The numbers figure ``fig3`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/fig3.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``T``, ``t``, ``T_test``, ``columns``.
    """
    t = np.linspace(0.0, 30.0, 301 if ctx.quick else 1201)
    T_test = np.arange(1, 21)
    out = {"T": T, "t": t, "T_test": T_test, "columns": []}
    for family, label, params in COLUMNS:
        delta = np.array([p[0] for p in params])
        lam = np.array([p[1] for p in params])
        s = tasks.make_task(family, T, delta, lam)
        b_star, u_star, stable = family_fixed_point(family, T, delta, lam)
        sol = integrate_modes(s, 0.1, 0.1, 0.1, t)
        col = {
            "family": family, "label": label, "delta": delta, "lam": lam, "s": s,
            "b_star": b_star, "u_star": u_star, "early_importance": ~stable,
            "b": sol.b, "ac": sol.u, "status": sol.status,
            "extrapolation": np.stack([extrapolation_energy(family, T, T_test, d, l) for d, l in zip(delta, lam)]),
        }
        if family == "constant":
            deltas = np.linspace(0.1, 3.0, 30 if ctx.quick else 59)
            col["stable_lr_delta"] = deltas
            col["max_stable_lr"] = max_stable_lr(tasks.constant(T, deltas))
        out["columns"].append(col)
    return out


def draw(data: dict):
    """Draw figure ``fig3`` from the dict :func:`compute` returns (or
    ``read_data("figures/fig3.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(3, 3, width=4.0, height=2.9)
    t = np.asarray(data["t"])
    for j, col in enumerate(data["columns"]):
        colors = mode_colors(len(col["delta"]))
        ax_p, ax_m, ax_e = axes[0, j], axes[1, j], axes[2, j]
        s = np.asarray(col["s"])
        for i in range(s.shape[0]):
            val = col["delta"][i] if col["label"] == "δ" else col["lam"][i]
            early = bool(col["early_importance"][i])
            ax_p.plot(np.arange(1, data["T"] + 1), s[i], color="tab:green" if early else colors[i],
                      linestyle="--" if early else "-", marker="o", markersize=3,
                      label=f"{col['label']}={val:g}: b*={col['b_star'][i]:.2f}, u*={col['u_star'][i]:.2g}")
            ax_m.plot(t, np.asarray(col["b"])[i], color=colors[i])
            ax_m.plot(t, np.asarray(col["ac"])[i], color=colors[i], linestyle=":")
            reference_line(ax_m, col["b_star"][i])
            ax_e.plot(data["T_test"], np.asarray(col["extrapolation"])[i], color=colors[i], marker=".")
        ax_p.set_title(col["family"].replace("_", "-"))
        ax_p.set_xlabel("input step t")
        ax_p.set_ylabel("$s_t$")
        ax_p.set_yscale("log")
        ax_p.legend(fontsize=6, frameon=False)
        ax_m.set_xlabel("learning time t / τ")
        ax_m.set_ylabel("b (solid), ac (dotted)")
        ax_m.set_ylim(-0.05, 2.3)
        ax_e.set_xlabel("test length T'")
        ax_e.set_ylabel("$E_{test}(T')$")
        ax_e.axvline(data["T"], color="0.7", linewidth=0.8)
        if "max_stable_lr" in col:
            ins = ax_m.inset_axes([0.5, 0.2, 0.46, 0.33])
            ins.plot(col["stable_lr_delta"], col["max_stable_lr"], color="k")
            ins.set_yscale("log")
            ins.set_title("2/λ_max vs δ", fontsize=7)
            ins.tick_params(labelsize=6)
    axes[2, 2].set_yscale("symlog", linthresh=1e-2)
    axes[2, 2].set_ylim(0, None)
    return fig
