"""Appendix A2: energy landscape of the Dirac task (theory guide :ref:`theory-energy-decomposition`).

Data term, effective regulariser and total energy (eq. 9) over ``(u, b)``
for the Dirac task with ``s_T = 1`` and ``s_1 ∈ {0.5, 1.5, 2.5}`` at ``T = 3``
(balanced modes ``a = c = √u``), with ``u*(b)`` (:ref:`theory-profile-energy`) overlaid.
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from .._validation import as_float_array, check_finite_scalar, check_int, check_positive_float
from ..landscape import energy_decomposition, u_star
from ..plot import panel_grid

TITLE = "Energy landscape of the Dirac task: data term, effective regulariser, total"
T = 3
S1 = (0.5, 1.5, 2.5)


def figure_data(s1=S1, T: int = T, *, n: int = 161, u_max: float = 1.6, b_range=(-2.0, 2.0)) -> dict:
    """The numbers of figure ``figA2`` for any first-step values ``s_1`` and length ``T``.

    For the Dirac task ``s = (s_1, 0, …, 0, 1)`` (:func:`lrnn_theory.tasks.dirac`), the data term and
    the effective regulariser of eq. 9 (:func:`lrnn_theory.landscape.energy_decomposition`, balanced
    modes ``a = c = √u``) on an ``n × n`` grid of ``(u, b)``, and the profile ``u*(b)``
    (:func:`lrnn_theory.landscape.u_star`); theory guide :ref:`theory-energy-decomposition`,
    :ref:`theory-profile-energy`; Proca et al. (2025), eq. 9 and App. H.  :func:`draw` draws one
    row per ``s_1``.

    Parameters
    ----------
    s1 : sequence of float, shape (n_s1,)
        First-step singular values (default: 0.5, 1.5, 2.5).
    T : int
        Task length, ``>= 2`` (default 3).
    n : int
        Grid points per axis (quick figure: 81).
    u_max : float
        ``u`` runs over ``[0, u_max]``.
    b_range : (float, float)
        ``b`` runs over this interval.

    Returns
    -------
    dict
        ``T``; ``u``, ``b`` (n,): grid axes; ``s1`` (n_s1,); ``data``, ``regulariser``: lists of
        n_s1 arrays (n, n), rows along ``b``, columns along ``u``; ``u_star``: list of n_s1
        arrays (n,), ``u*(b)``.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> a2 = load("figA2")
    >>> data = a2.figure_data(s1=[1.0], T=4, n=11)
    >>> data["data"][0].shape, len(data["u_star"])
    ((11, 11), 1)
    """
    s1 = tuple(float(v) for v in as_float_array("s1", s1, ndim=1))
    T = check_int("T", T, minimum=2)
    n = check_int("n", n, minimum=2)
    u_max = check_positive_float("u_max", u_max)
    b_lo, b_hi = (check_finite_scalar("b_range", v) for v in b_range)
    if not b_lo < b_hi:
        raise ValueError(f"b_range must be an increasing pair, got {b_range!r}")
    u = np.linspace(0.0, u_max, n)
    b = np.linspace(b_lo, b_hi, n)
    U, B = np.meshgrid(u, b, indexing="xy")
    out = {"T": T, "u": u, "b": b, "s1": s1, "data": [], "regulariser": [], "u_star": []}
    for s1_ in s1:
        s = tasks.dirac(T, s1_, 1.0)
        data, reg = energy_decomposition(np.sqrt(U), B, np.sqrt(U), s)
        out["data"].append(data)
        out["regulariser"].append(reg)
        out["u_star"].append(u_star(b, s))
    return out


def compute(ctx) -> dict:
    """The numbers figure ``figA2`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/figA2.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``T``, ``u``, ``b``, ``s1``, ``data``, ``regulariser``, ``u_star``.
    """
    return figure_data(n=81 if ctx.quick else 161)  # contours of smooth landscapes: 161² is what the panels resolve


def draw(data: dict):
    """Draw figure ``figA2`` from the dict :func:`compute` returns (or
    ``read_data("figures/figA2.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(len(data["s1"]), 3, width=3.4, height=2.7)
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
