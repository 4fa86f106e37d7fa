"""Figure staircase: simulated loss curves over the predicted plateaus and drop times (theory guide :ref:`theory-staircase`).

One mode (``N_x = N_y = 1``, ``T = 10``) carried by ``n_h = 2`` hidden units, trained by
:func:`lrnn_theory.simulate_gd` from a random start of scale ``1e-6`` (seeds 0, 1, 2), against
:func:`lrnn_theory.staircase`: dashed lines are the best order-j pole fits ``E*_j``
(:func:`lrnn_theory.pole_fit`), dotted lines the predicted drop times (deterministic small-scale
limit).  Tasks: ``0.9^{T-t} - 0.7·0.4^{T-t}`` and ``0.9^{T-t} cos(0.7(t-1))`` (lr 0.01), and the
paper's modified exponential family (``λ = 0.8``, ``κ = 2``, Proca et al. (2025), eq. 11; lr 0.01).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import tasks as _tasks_mod
from .._validation import as_float_array, check_int, check_positive_float, check_seed
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
        "modified_exponential": (r"modified exponential, $\lambda = 0.8$, $\kappa = 2$", _tasks_mod.modified("exponential", T, kappa=2.0), 0.01),
    }


def figure_data(tasks=None, n_h: int = 2, *, labels=None, lr: float = 0.01, scale: float = SCALE, seeds=(0, 1, 2),
                horizon: float = 1.4, n_records: int = 400, max_steps: int = 1_000_000) -> dict:
    """The numbers of figure ``staircase`` for any one-mode tasks, width and random starts.

    For each task ``s`` (one mode, ``N_x = N_y = 1``): the predicted plateau levels, escape rates and
    drop times of :func:`lrnn_theory.staircase` (``n_h`` units, random start of scale ``scale``),
    then full-matrix gradient descent (:func:`lrnn_theory.simulate_gd`, ``init="random"``, one run
    per seed) on the exactly whitened dataset of :func:`lrnn_theory.make_dataset` (``T`` samples,
    seed 0) up to ``horizon`` times the last predicted drop, and the plateau levels and drop times
    measured on each simulated loss curve (:func:`lrnn_theory.plateaus.measure_staircase`).
    Theory guide :ref:`theory-staircase`; Proca et al. (2025), eqs. 5–8 (the one-unit flow of the
    first drop).  :func:`draw` draws the result, one panel per task.

    Parameters
    ----------
    tasks : dict of str to array_like, shape (T,), optional
        Task dynamics by name, ``s[t-1] = s_t`` (default: the figure's ``two_poles``
        ``0.9^{T-t} - 0.7·0.4^{T-t}``, ``rotation`` ``0.9^{T-t} cos(0.7(t-1))`` and
        ``modified_exponential`` (``λ = 0.8``, ``κ = 2``, Proca et al. (2025), eq. 11), ``T = 10``).
    n_h : int
        Hidden units (default 2).
    labels : dict of str to str, optional
        Panel titles by task name (default: the figure's titles for its own tasks, else the name).
    lr : float
        Learning rate of the gradient descent (default 0.01).
    scale : float
        Scale of the random start, in ``(0, 1)`` (default ``1e-6``).
    seeds : sequence of int
        Seeds of the random starts, one run each (default 0, 1, 2; quick figure: 0).
    horizon : float
        Simulated learning time as a multiple of the last predicted drop time (default 1.4).
    n_records : int
        About that many recorded steps per run (default 400).
    max_steps : int
        Largest number of gradient-descent steps a run may take (default 1 000 000): a task whose
        last drop lies further out is refused rather than run for hours.

    Returns
    -------
    dict
        ``n_h``, ``scale``, ``seeds``; one dict per task, in order, with ``label``, ``s`` (T,), ``lr``,
        ``levels`` (J + 1,), ``rates`` (J,), ``drop_times`` (J,) (predicted), ``time`` (n_t,) (learning
        time ``step · lr`` of the recorded steps, ``n_t`` about ``n_records``), ``loss`` (n_seeds, n_t),
        ``measured_levels`` (n_seeds, J + 1), ``measured_drops`` (n_seeds, J) (NaN where a run did not
        get there).

    Raises
    ------
    TypeError
        ``tasks`` or ``labels`` not a dict; a wrong type for a number.
    ValueError
        A task that :func:`lrnn_theory.staircase` refuses, or with no drop within its horizon; a label
        for an unknown task; ``lr``, ``horizon`` not positive; ``seeds`` empty or negative;
        ``n_records < 1``; a run needing more than ``max_steps`` steps.

    Examples
    --------
    A two-pole task of one's own, one seed: the plateau is the best one-pole fit (to rounding, the
    level that :func:`lrnn_theory.pole_fit` computes) and the simulated drop comes near the prediction:

    >>> import numpy as np
    >>> import lrnn_theory as lt
    >>> from lrnn_theory.figures import load
    >>> t = np.arange(1, 7)
    >>> s = 0.9 ** (6 - t) - 0.5 * 0.3 ** (6 - t)
    >>> data = load("staircase").figure_data({"mine": s}, lr=0.02, seeds=[0])
    >>> d = data["mine"]
    >>> bool(np.isclose(d["measured_levels"][0, 1], lt.pole_fit(s, 1).energy, rtol=1e-6))
    True
    >>> np.round(d["measured_drops"][0] / d["drop_times"], 1).tolist()
    [1.0, 1.0]
    """
    if tasks is None:
        defaults = _tasks()
        tasks = {k: s for k, (_, s, _) in defaults.items()}
        own_labels = {k: label for k, (label, _, _) in defaults.items()}
    else:
        own_labels = {}
    if not isinstance(tasks, Mapping):
        raise TypeError(f"tasks must be a dict of name -> task dynamics s (T,), got {type(tasks).__name__}")
    if not tasks:
        raise ValueError("tasks must hold at least one task")
    if labels is None:
        labels = {}
    if not isinstance(labels, Mapping):
        raise TypeError(f"labels must be a dict of task name -> title, got {type(labels).__name__}")
    unknown = [k for k in labels if k not in tasks]
    if unknown:
        raise ValueError(f"labels: no task named {', '.join(map(repr, unknown))} (tasks: {', '.join(map(repr, tasks))})")
    n_h = check_int("n_h", n_h, minimum=1)
    lr = check_positive_float("lr", lr)
    scale = check_positive_float("scale", scale)
    if not scale < 1:
        raise ValueError(f"scale must be in (0, 1) (a small start), got {scale}")
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__len__"):
        raise TypeError(f"seeds must be a sequence of seeds, got {seeds!r}")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed")
    seeds = [check_seed("seeds", v) for v in seeds]
    horizon = check_positive_float("horizon", horizon)
    n_records = check_int("n_records", n_records, minimum=1)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    out = {"n_h": n_h, "scale": scale, "seeds": seeds}
    for key, s in tasks.items():
        name = f"tasks[{key!r}]"
        s = as_float_array(name, s, ndim=1)
        try:
            sc = staircase(s, n_h, scale)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        if sc.drop_times.size == 0 or not np.isfinite(sc.drop_times[-1]):
            raise ValueError(f"{name}: the staircase predicts no drop to simulate up to (drop times "
                             f"{sc.drop_times.tolist()}; levels {sc.levels.tolist()})")
        t_end = horizon * float(sc.drop_times[-1])
        steps = int(round(t_end / lr))
        if steps > max_steps:
            raise ValueError(f"max_steps: {name} needs {steps} gradient-descent steps at lr={lr:g} to reach "
                             f"{horizon:g} x its last predicted drop ({float(sc.drop_times[-1]):.4g}); "
                             f"raise max_steps or lr, or lower horizon")
        if steps < 1:
            raise ValueError(f"horizon: {name} would run {steps} steps (horizon {horizon:g} x last drop "
                             f"{float(sc.drop_times[-1]):.4g} at lr={lr:g}); raise horizon")
        every = max(1, steps // n_records)
        data = make_dataset(s, 1, 1, s.size, seed=0)
        loss, lv, td = [], [], []
        for seed in seeds:
            run = simulate_gd(data, n_h, lr=lr, steps=steps, init="random", scale=scale, seed=seed, record_every=every)
            m_lv, m_td = measure_staircase(run.time, run.loss, sc.levels)
            loss.append(run.loss)
            lv.append(m_lv)
            td.append(m_td)
        out[key] = {"label": labels.get(key, own_labels.get(key, str(key))), "s": s, "lr": lr, "levels": sc.levels,
                    "rates": sc.rates, "drop_times": sc.drop_times, "time": run.time, "loss": np.array(loss),
                    "measured_levels": np.array(lv), "measured_drops": np.array(td)}
    return out


def compute(ctx) -> dict:
    """The numbers figure ``staircase`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext` (``ctx.quick`` runs one seed instead of
    three; ``ctx.seed`` is the first seed).  The same numbers, written by ``lrnn-theory figures``, are in
    ``figures/staircase.json`` (:func:`~lrnn_theory.figures.read_data`).

    Keys: one per task (``two_poles``, ``rotation``, ``modified_exponential``), each with ``label``,
    ``s``, ``lr``, ``levels``, ``rates``, ``drop_times`` (predicted), ``time``, ``loss`` (one row per
    seed), ``measured_levels``, ``measured_drops``; and ``n_h``, ``scale``, ``seeds``.
    """
    return figure_data(seeds=[ctx.seed] if ctx.quick else [ctx.seed + k for k in range(3)])


def draw(data: dict):
    """Draw figure ``staircase`` from the dict :func:`compute` returns (or
    ``read_data("figures/staircase.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    keys = [k for k, v in data.items() if isinstance(v, dict)]  # one panel per task
    fig, axes = panel_grid(1, len(keys), width=3.6, height=3.0)
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
