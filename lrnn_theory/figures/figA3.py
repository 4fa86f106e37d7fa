"""Appendix A3: Dirac phase diagram (theory guide :ref:`theory-dirac`).

``b*``, ``u*`` and ``E*`` against β in the paper's scaling ``s_1 = β``,
``s_T = 1/β`` (so ``ρ = β²``) for T = 3 (closed form: continuous transition
at ``β_c = 1/√2``) and T = 6 (global switch to the runaway branch at
``β = 1``), from the global minimiser of ``E*(b)`` on ``b ∈ [0, 5]``; minima
on the boundary (runaway) are marked.
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from .._validation import check_int, check_positive_float
from ..landscape import dirac_t3_solution, global_minimiser
from ..plot import panel_grid

TITLE = "Dirac phase diagram: continuous transition at T = 3, first-order switch for T >= 4"
B_MAX = 5.0


def figure_data(beta_min: float = 0.05, beta_max: float = 1.6, *, n_beta: int = 311, b_max: float = B_MAX) -> dict:
    """The numbers of figure ``figA3`` for any range of ``β`` and search bound on ``b``.

    For the Dirac task in the paper's scaling ``s_1 = β``, ``s_T = 1/β`` at ``T = 3`` and
    ``T = 6``: the global minimiser ``(b*, u*, E*)`` of the profile energy over
    ``b ∈ [0, b_max]`` (:func:`lrnn_theory.landscape.global_minimiser`; a minimum on the bound
    with ``b > 1`` is the runaway branch) and the ``T = 3`` closed form
    (:func:`lrnn_theory.landscape.dirac_t3_solution`); theory guide :ref:`theory-dirac`,
    Proca et al. (2025), App. H.  The critical values ``β = 1/√2`` (``T = 3``) and ``β = 1``
    (``T = 6``) are the closed forms of that section.  :func:`draw` draws the result.

    Parameters
    ----------
    beta_min, beta_max : float
        Range of ``β > 0``.
    n_beta : int
        Points of the ``β`` grid (quick figure: 64).
    b_max : float
        Upper bound of the search over ``b`` (default 5).

    Returns
    -------
    dict
        ``beta`` (n_beta,); ``b_max``; ``critical``: ``{"3": 1/√2, "6": 1}``; ``T``: for ``"3"``
        and ``"6"`` the arrays ``b``, ``u``, ``energy``, ``runaway`` (n_beta,); ``T3_closed_form``:
        ``b``, ``u`` (n_beta,).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> a3 = load("figA3")
    >>> data = a3.figure_data(0.5, 1.0, n_beta=3)
    >>> data["T"]["3"]["b"].shape
    (3,)
    """
    beta_min = check_positive_float("beta_min", beta_min)
    beta_max = check_positive_float("beta_max", beta_max)
    if not beta_min < beta_max:
        raise ValueError(f"beta_min must be below beta_max, got {beta_min} and {beta_max}")
    n_beta = check_int("n_beta", n_beta, minimum=2)
    b_max = check_positive_float("b_max", b_max)
    beta = np.linspace(beta_min, beta_max, n_beta)
    out = {"beta": beta, "b_max": b_max, "critical": {"3": 1 / np.sqrt(2), "6": 1.0}, "T": {}}
    for T in (3, 6):
        s = tasks.dirac(T, beta, 1.0 / beta)
        gm = global_minimiser(s, b_range=(0.0, b_max))
        out["T"][str(T)] = {"b": gm.b, "u": gm.u, "energy": gm.energy, "runaway": gm.at_boundary & (gm.b > 1)}
    b3, u3, _ = dirac_t3_solution(beta ** 2, kappa=1.0 / beta)
    out["T3_closed_form"] = {"b": b3, "u": u3}
    return out


def compute(ctx) -> dict:
    """The numbers figure ``figA3`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/figA3.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``beta``, ``b_max``, ``critical``, ``T``, ``T3_closed_form``.
    """
    return figure_data(n_beta=64 if ctx.quick else 311)


def draw(data: dict):
    """Draw figure ``figA3`` from the dict :func:`compute` returns (or
    ``read_data("figures/figA3.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 3, width=4.0, height=3.2)
    beta = np.asarray(data["beta"])
    for T, color in (("3", "C0"), ("6", "C1")):
        d = data["T"][T]
        run = np.asarray(d["runaway"], dtype=bool)
        for ax, key in zip(axes[0], ("b", "u", "energy")):
            ax.plot(beta, d[key], color=color, label=f"T = {T}")
            if key == "b" and run.any():
                ax.plot(beta[run], np.asarray(d[key])[run], "^", color=color, markersize=3, label=f"T = {T}: runaway (at b = {data['b_max']:g})")
            ax.axvline(data["critical"][T], color=color, linestyle=":", linewidth=1)
    axes[0, 0].plot(beta, data["T3_closed_form"]["b"], "k--", linewidth=0.8, label="T = 3 closed form")
    for ax, name in zip(axes[0], ("b*", "u*", "E*")):
        ax.set_xlabel("β  ($s_1$ = β, $s_T$ = 1/β)")
        ax.set_ylabel(name)
    axes[0, 0].legend(fontsize=7, frameon=False)
    axes[0, 1].set_yscale("log")
    fig.suptitle("dotted: critical lines β = 1/√2 (T = 3, continuous) and β = 1 (T ≥ 4, global switch)", fontsize=9)
    return fig
