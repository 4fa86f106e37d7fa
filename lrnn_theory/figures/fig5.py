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

from .._validation import as_float_array, check_int
from ..ntk import kernel_distance_aligned, kernel_movement
from ..plot import heatmap, panel_grid
from ..sweep import sweep

TITLE = "Kernel distance between initial and final NTK: aligned (closed form) vs unaligned (gradient descent)"


def unaligned_point(T, sigma, replicate, seed, *, max_steps: int) -> dict:
    """One unaligned :ref:`theory-ntk-experiment` run (the sweep's point function; ``replicate`` indexes seeds)."""
    r = kernel_movement(float(sigma), int(T), aligned=False, seed=int(seed % (2 ** 31)), max_steps=max_steps)
    return {"distance": r.distance, "final_loss": r.final_loss, "steps": r.steps, "stalled": r.stalled}


def figure_data(sigma=None, Ts=None, *, unaligned_T=None, unaligned_sigma=None, n_seeds: int = 3,
                max_steps: int = 300_000, executor="serial", progress: bool = False, seed: int = 0) -> dict:
    """The numbers of figure ``fig5`` for any initial scales ``σ`` and lengths ``T``.

    The distance between the initial and final tangent kernels of a linear RNN trained on the
    constant task: closed form for an aligned network (:func:`lrnn_theory.ntk.kernel_distance_aligned`,
    on the ``σ × T`` grid) and gradient descent from an unaligned random initialisation
    (:func:`lrnn_theory.ntk.kernel_movement` through :func:`unaligned_point`, averaged over
    ``n_seeds`` runs that did not stall, on the ``unaligned_T × unaligned_sigma`` grid); theory
    guide :ref:`theory-ntk`, Proca et al. (2025).  :func:`draw` draws the result.

    Parameters
    ----------
    sigma : sequence of float, optional
        Initial scales of the aligned grid (default: 10 values on ``[0.01, 0.5]``).
    Ts : sequence of int, optional
        Lengths of the aligned grid (default ``1..8``).
    unaligned_T, unaligned_sigma : sequence, optional
        Grid of the gradient-descent runs (default: ``Ts`` and ``sigma``).
    n_seeds : int
        Runs per unaligned grid point (quick figure: 1).
    max_steps : int
        Step limit of each run (quick figure: 100 000).
    executor, progress, seed
        Passed to :func:`lrnn_theory.sweep.sweep`.

    Returns
    -------
    dict
        ``sigma``, ``T``, ``aligned`` (n_T, n_sigma); ``unaligned_T``, ``unaligned_sigma``;
        ``unaligned`` (mean), ``n_stalled`` (n_uT, n_usigma); ``unaligned_runs``, ``stalled``,
        ``final_loss``, ``steps`` (n_uT, n_usigma, n_seeds); ``max_steps``, ``n_seeds``.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f5 = load("fig5")
    >>> data = f5.figure_data([0.1, 0.3], [1, 3], unaligned_T=[1], unaligned_sigma=[0.1], n_seeds=1, max_steps=2000)
    >>> data["aligned"].shape, data["unaligned"].shape
    ((2, 2), (1, 1))
    """
    sigma = np.linspace(0.01, 0.5, 10) if sigma is None else as_float_array("sigma", sigma, ndim=1)
    Ts = np.arange(1, 9) if Ts is None else np.asarray([check_int("Ts", t, minimum=1) for t in Ts])
    uT = Ts if unaligned_T is None else np.asarray([check_int("unaligned_T", t, minimum=1) for t in unaligned_T])
    usig = sigma if unaligned_sigma is None else as_float_array("unaligned_sigma", unaligned_sigma, ndim=1)
    n_seeds = check_int("n_seeds", n_seeds, minimum=1)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    reps = list(range(n_seeds))
    aligned = np.array([[kernel_distance_aligned((s, s, s), (1.0, 1.0, 1.0), int(T)) for s in sigma] for T in Ts])
    ds = sweep(functools.partial(unaligned_point, max_steps=max_steps),
               {"T": uT.tolist(), "sigma": usig.tolist(), "replicate": reps},
               executor=executor, progress=progress, seed=seed)
    dist = ds["distance"].values
    stalled = ds["stalled"].values.astype(bool)
    n_ok = np.sum(~stalled, axis=-1)
    with np.errstate(invalid="ignore"):
        mean = np.where(n_ok > 0, np.sum(np.where(stalled, 0.0, dist), axis=-1) / np.maximum(n_ok, 1), np.nan)
    return {"sigma": sigma, "T": Ts, "aligned": aligned, "unaligned_T": uT, "unaligned_sigma": usig,
            "unaligned": mean, "unaligned_runs": dist, "stalled": stalled, "n_stalled": np.sum(stalled, axis=-1),
            "final_loss": ds["final_loss"].values, "steps": ds["steps"].values, "max_steps": max_steps,
            "n_seeds": len(reps)}


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
    executor = "serial" if ctx.executor is None else ctx.executor
    if ctx.quick:
        sigma = np.linspace(0.01, 0.5, 10)
        return figure_data(unaligned_T=[1, 2, 4], unaligned_sigma=sigma[[0, 5, 9]], n_seeds=1, max_steps=100_000,
                           executor=executor, progress=ctx.progress, seed=ctx.seed)
    return figure_data(n_seeds=3, max_steps=300_000, executor=executor, progress=ctx.progress, seed=ctx.seed)


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
