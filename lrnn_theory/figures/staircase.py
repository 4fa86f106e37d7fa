"""Figure staircase: simulated loss curves over the predicted plateaus and drop times (theory guide :ref:`theory-staircase`).

One mode (``N_x = N_y = 1``, ``T = 10``) carried by ``n_h = 2`` hidden units, trained by
:func:`lrnn_theory.simulate_gd` from a random start of scale ``1e-6`` (seeds 0, 1, 2), against
:func:`lrnn_theory.staircase`: dashed lines are the best order-j pole fits ``E*_j``
(:func:`lrnn_theory.pole_fit`), dotted lines the predicted drop times (deterministic small-scale
limit).  Tasks: ``0.9^{T-t} - 0.7·0.4^{T-t}`` and ``0.9^{T-t} cos(0.7(t-1))`` (lr 0.01), and the
paper's modified exponential family (``λ = 0.8``, ``κ = 2``, Proca et al. (2025), eq. 11; lr 0.01).
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from ..data import make_dataset
from ..plateaus import measure_staircase, staircase
from ..plot import panel_grid
from ..sim import simulate_gd
from ._data import Tolerance

TITLE = "Loss staircase: plateaus at the best order-j pole fits, drops at the saddles' escape times"

#: The predicted drop times come from adaptive (LSODA) integrations: reproducible to ~1e-8.
CHECK_TOLERANCE = Tolerance(rtol=1e-6, atol=1e-10)

T = 10
SCALE = 1e-6


def _tasks():
    t = np.arange(1, T + 1)
    return {
        "two_poles": (r"$0.9^{T-t} - 0.7\cdot 0.4^{T-t}$", 0.9 ** (T - t) - 0.7 * 0.4 ** (T - t), 0.01),
        "rotation": (r"$0.9^{T-t} \cos(0.7(t-1))$", 0.9 ** (T - t) * np.cos(0.7 * (t - 1)), 0.01),
        "modified_exponential": (r"modified exponential, $\lambda = 0.8$, $\kappa = 2$", tasks.modified("exponential", T, kappa=2.0), 0.01),
    }


def compute(ctx) -> dict:
    """The numbers figure ``staircase`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext` (``ctx.quick`` runs one seed instead of
    three; ``ctx.seed`` is the first seed).  The same numbers, written by ``lrnn-theory figures``, are in
    ``figures/staircase.json`` (:func:`~lrnn_theory.figures.read_data`).

    Keys: one per task (``two_poles``, ``rotation``, ``modified_exponential``), each with ``label``,
    ``s``, ``lr``, ``levels``, ``rates``, ``drop_times`` (predicted), ``time``, ``loss`` (one row per
    seed), ``measured_levels``, ``measured_drops``; and ``n_h``, ``scale``, ``seeds``.
    """
    n_h = 2
    seeds = [ctx.seed] if ctx.quick else [ctx.seed + k for k in range(3)]
    out = {"n_h": n_h, "scale": SCALE, "seeds": seeds}
    for key, (label, s, lr) in _tasks().items():
        sc = staircase(s, n_h, SCALE)
        t_end = 1.4 * float(sc.drop_times[-1])
        steps = int(round(t_end / lr))
        every = max(1, steps // 400)
        data = make_dataset(s, 1, 1, T, seed=0)
        loss, lv, td = [], [], []
        for seed in seeds:
            run = simulate_gd(data, n_h, lr=lr, steps=steps, init="random", scale=SCALE, seed=seed, record_every=every)
            m_lv, m_td = measure_staircase(run.time, run.loss, sc.levels)
            loss.append(run.loss)
            lv.append(m_lv)
            td.append(m_td)
        out[key] = {"label": label, "s": s, "lr": lr, "levels": sc.levels, "rates": sc.rates,
                    "drop_times": sc.drop_times, "time": run.time, "loss": np.array(loss),
                    "measured_levels": np.array(lv), "measured_drops": np.array(td)}
    return out


def draw(data: dict):
    """Draw figure ``staircase`` from the dict :func:`compute` returns (or
    ``read_data("figures/staircase.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    keys = ["two_poles", "rotation", "modified_exponential"]
    fig, axes = panel_grid(1, 3, width=3.6, height=3.0)
    for ax, key in zip(axes[0], keys):
        d = data[key]
        tt = np.asarray(d["time"])
        for i, L in enumerate(np.atleast_2d(d["loss"])):
            ax.plot(tt, np.maximum(L, 1e-16), color="k", lw=1.0, alpha=1.0 if i == 0 else 0.4,
                    label="simulate_gd" if i == 0 else None)
        for j, E in enumerate(d["levels"]):
            if E > 1e-20:
                ax.axhline(E, ls="--", lw=0.8, color=f"C{j}", label=f"$E^*_{j}$ = {E:.4g}")
        for j, tp in enumerate(d["drop_times"]):
            ax.axvline(tp, ls=":", lw=1.2, color=f"C{j + 1}", label=f"drop {j + 1}: {tp:.1f}")
        ax.set_yscale("log")
        ax.set_ylim(1e-12, 3 * d["levels"][0])
        ax.set_xlabel("learning time t/τ")
        ax.set_title(d["label"], fontsize=9)
        ax.legend(fontsize=6, loc="lower left")
    axes[0, 0].set_ylabel(f"loss (n_h = {data['n_h']}, scale {data['scale']:g})")
    return fig
