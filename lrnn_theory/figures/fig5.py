"""Figure 5: recurrence drives kernel movement (Proca et al. (2025), Fig. 5; theory guide :ref:`theory-ntk-aligned`, :ref:`theory-kernel-distance`, :ref:`theory-ntk-experiment`).

Kernel distance ``D_K`` between the initial and final NTK on the training
inputs, for ``T = 1..8`` and initialisation scales ``σ ∈ linspace(0.01, 0.5, 10)``.
Aligned: closed form of :ref:`theory-ntk-aligned` with converged modes ``a = b = c = 1``.
Unaligned: full-matrix gradient descent (:func:`lrnn_theory.ntk.kernel_movement`),
mean over seeds of converged runs; cells where a run stalled on a plateau are
hatched (the reference table of :ref:`theory-ntk-experiment` shows them as NaN) and counted in the JSON.  The unaligned
grid runs through :func:`lrnn_theory.sweep.sweep`.
"""
from __future__ import annotations

import functools

import numpy as np

from ..ntk import kernel_distance_aligned, kernel_movement
from ..plot import heatmap, panel_grid
from ..sweep import sweep

TITLE = "Kernel distance between initial and final NTK: aligned (closed form) vs unaligned (gradient descent)"


def unaligned_point(T, sigma, replicate, seed, *, max_steps: int) -> dict:
    """One unaligned :ref:`theory-ntk-experiment` run (the sweep's point function; ``replicate`` indexes seeds)."""
    r = kernel_movement(float(sigma), int(T), aligned=False, seed=int(seed % (2 ** 31)), max_steps=max_steps)
    return {"distance": r.distance, "final_loss": r.final_loss, "steps": r.steps, "stalled": r.stalled}


def compute(ctx) -> dict:
    """The numbers figure ``fig5`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/fig5.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``sigma``, ``T``, ``aligned``, ``unaligned_T``, ``unaligned_sigma``,
    ``unaligned``, ``unaligned_runs``, ``stalled``, ``n_stalled``, ``final_loss``, ``steps``,
    ``max_steps``, ``n_seeds``.
    """
    sigma = np.linspace(0.01, 0.5, 10)
    Ts = np.arange(1, 9)
    aligned = np.array([[kernel_distance_aligned((s, s, s), (1.0, 1.0, 1.0), int(T)) for s in sigma] for T in Ts])
    if ctx.quick:
        uT, usig, reps, max_steps = np.array([1, 2, 4]), sigma[[0, 5, 9]], [0], 100_000
    else:
        uT, usig, reps, max_steps = Ts, sigma, [0, 1, 2], 300_000
    executor = "serial" if ctx.executor is None else ctx.executor
    ds = sweep(functools.partial(unaligned_point, max_steps=max_steps),
               {"T": uT.tolist(), "sigma": usig.tolist(), "replicate": reps},
               executor=executor, progress=ctx.progress, seed=ctx.seed)
    dist = ds["distance"].values
    stalled = ds["stalled"].values.astype(bool)
    n_ok = np.sum(~stalled, axis=-1)
    with np.errstate(invalid="ignore"):
        mean = np.where(n_ok > 0, np.sum(np.where(stalled, 0.0, dist), axis=-1) / np.maximum(n_ok, 1), np.nan)
    return {"sigma": sigma, "T": Ts, "aligned": aligned, "unaligned_T": uT, "unaligned_sigma": usig,
            "unaligned": mean, "unaligned_runs": dist, "stalled": stalled, "n_stalled": np.sum(stalled, axis=-1),
            "final_loss": ds["final_loss"].values, "steps": ds["steps"].values, "max_steps": max_steps,
            "n_seeds": len(reps)}


def draw(data: dict):
    """Draw figure ``fig5`` from the dict :func:`compute` returns (or
    ``read_data("figures/fig5.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=5.6, height=4.0)
    heatmap(axes[0, 0], data["aligned"], data["sigma"], data["T"], vmax=1.0, label="kernel distance")
    axes[0, 0].set_title("aligned (closed form)")
    heatmap(axes[0, 1], data["unaligned"], data["unaligned_sigma"], data["unaligned_T"], vmax=1.0,
            label="kernel distance", flagged=np.asarray(data["n_stalled"]) > 0)
    axes[0, 1].set_title(f"unaligned (GD, mean of {data['n_seeds']} seed(s); hatched: a run stalled)")
    for ax in axes[0]:
        ax.set_xlabel("initialisation scale σ")
        ax.set_ylabel("trajectory length T")
    return fig
