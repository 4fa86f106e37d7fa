"""Figure memory-f7: the sensitivity kernel ``|S(λ, λ_0; ρ)|`` over the complex plane (theory guide :ref:`memory-moments`, :ref:`memory-multidim`; Zucchet & Orvieto (2024)).

``λ_0 = 0.99 e^{iπ/4}``; ``ρ ∈ {0, 0.9, 0.99}``.  Large values near ``λ_0`` and its
conjugate (and, for correlated inputs, near the positive real axis) are the
entries that dominate the diagonal Hessian of :ref:`memory-multidim`.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_finite_scalar, check_int, check_positive_float
from ..memory import sensitivity_kernel
from ..plot import field_map, panel_grid

TITLE = "Sensitivity kernel |S(λ, λ0; ρ)| over the complex plane, λ0 = 0.99 e^{iπ/4}"
LAM0 = 0.99 * np.exp(1j * np.pi / 4)
RHOS = (0.0, 0.9, 0.99)


def figure_data(lam0: complex = LAM0, rhos=RHOS, *, n: int = 241, radius: float = 0.999) -> dict:
    """The numbers of figure ``memory-f7`` for any reference eigenvalue ``λ_0`` and correlations ``ρ``.

    ``|S(λ, λ_0; ρ)|`` (:func:`lrnn_theory.memory.sensitivity_kernel`; theory guide
    :ref:`memory-moments`, :ref:`memory-multidim`; Zucchet & Orvieto (2024)) on an ``n × n``
    grid of ``λ`` over ``[-1, 1]²`` in the complex plane, NaN outside ``|λ| < radius``.
    :func:`draw` draws the result.

    Parameters
    ----------
    lam0 : complex
        Reference eigenvalue, ``|λ_0| < 1`` (default ``0.99 e^{iπ/4}``).
    rhos : sequence of float, shape (n_rho,)
        Input auto-correlations ``ρ ∈ [-1, 1]`` (default: 0, 0.9, 0.99).
    n : int
        Grid points per axis (quick figure: 121).
    radius : float in (0, 1)
        Points with ``|λ| >= radius`` are left NaN (the kernel diverges on the unit circle).

    Returns
    -------
    dict
        ``re``, ``im`` (n,): grid axes; ``rho`` (n_rho,); ``lam0``: ``[Re λ_0, Im λ_0]``;
        ``abs_S`` (n_rho, n, n): ``|S|`` with rows along ``im`` and columns along ``re``.

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f7 = load("memory-f7")
    >>> data = f7.figure_data(lam0=0.9j, rhos=[0.0], n=21)
    >>> data["abs_S"].shape
    (1, 21, 21)
    """
    lam0 = complex(check_finite_scalar("lam0", lam0, allow_complex=True))
    rhos = tuple(float(v) for v in as_float_array("rhos", rhos, ndim=1))
    n = check_int("n", n, minimum=2)
    radius = check_positive_float("radius", radius)
    if radius >= 1:
        raise ValueError(f"radius must lie in (0, 1), got {radius}")
    re = np.linspace(-1.0, 1.0, n)
    im = np.linspace(-1.0, 1.0, n)
    lam = re[None, :] + 1j * im[:, None]
    inside = np.abs(lam) < radius
    maps = []
    for r in rhos:
        s = np.full(lam.shape, np.nan)
        s[inside] = np.abs(sensitivity_kernel(lam[inside], lam0, r))
        maps.append(s)
    return {"re": re, "im": im, "rho": rhos, "lam0": [lam0.real, lam0.imag], "abs_S": np.stack(maps)}


def compute(ctx) -> dict:
    """The numbers figure ``memory-f7`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f7.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``re``, ``im``, ``rho``, ``lam0``, ``abs_S``.
    """
    return figure_data(n=121 if ctx.quick else 241)  # a 241² map resolves the kernel at the size it is drawn


def draw(data: dict):
    """Draw figure ``memory-f7`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f7.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 3, width=4.0, height=3.4)
    for ax, r, s in zip(axes.ravel(), data["rho"], data["abs_S"]):
        field_map(ax, s, data["re"], data["im"], label="|S(λ, λ0)|")
        ax.plot(*data["lam0"], "c+", markersize=8)
        ax.plot(data["lam0"][0], -data["lam0"][1], "cx", markersize=6)
        ax.set_aspect("equal")
        ax.set_title(f"ρ = {r:g}")
        ax.set_xlabel("Re λ")
        ax.set_ylabel("Im λ")
    return fig
