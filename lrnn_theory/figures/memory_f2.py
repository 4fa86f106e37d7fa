"""Figure memory-f2: input normalisation and the exp reparametrisation tame the curse (theory guide :ref:`memory-reparametrisation`; Zucchet & Orvieto (2024)).

Left: ``E[h²]`` with ``γ = sqrt(1-λ²)``; right: ``E[(∂_ω h)²]`` with ``γ`` (held
fixed) and the LRU parametrisation ``ν = exp(-e^ω)``; unnormalised curves in grey.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_int
from ..memory import modulus_sensitivity, normalisation, stationary_moments
from ..plot import mode_colors, panel_grid
from ._memory import RHOS, label_memory_axis

TITLE = "Normalisation and reparametrisation: E[h²] with γ and E[(∂ω h)²] with γ + exp"


def figure_data(rhos=RHOS, *, n_memory: int = 401) -> dict:
    """The numbers of figure ``memory-f2`` for any input auto-correlations ``ρ``.

    For ``λ = 1 - 10^{-x}`` on the memory axis ``x ∈ (0, 4]``: ``E[h²]`` and ``E[(∂_λ h)²]``
    without normalisation, ``E[h²]`` with the input normalisation ``γ = sqrt(1-λ²)``, and the
    sensitivity ``E[(∂_ω h)²]`` of the normalised LRU parametrisation ``ν = exp(-e^ω)`` with
    ``γ`` held fixed (:func:`lrnn_theory.memory.stationary_moments`,
    :func:`lrnn_theory.memory.modulus_sensitivity`; theory guide :ref:`memory-reparametrisation`,
    Zucchet & Orvieto (2024)).  :func:`draw` draws the result.

    Parameters
    ----------
    rhos : sequence of float, shape (n_rho,)
        Input auto-correlations ``ρ ∈ [-1, 1]`` (default: 0, 0.9, 0.99, 0.999, 1).
    n_memory : int
        Points of ``x ∈ [0, 4]``; ``x = 0`` (``λ = 0``, where ``ν = exp(-e^ω)`` has no ``ω``) is
        dropped, so the curves have ``n_memory - 1`` points (quick figure: 81).

    Returns
    -------
    dict
        ``x``, ``lam`` (n_memory - 1,); ``rho`` (n_rho,); ``h2``, ``d2``, ``h2_normalised``,
        ``d_omega2_normalised_exp`` (n_rho, n_memory - 1).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f2 = load("memory-f2")
    >>> data = f2.figure_data(rhos=[0.0, 0.5], n_memory=6)
    >>> data["h2_normalised"].shape
    (2, 5)
    >>> bool(abs(data["h2_normalised"][0] - 1).max() < 1e-12)   # white inputs: E[h²] = 1 with γ
    True
    """
    rhos = tuple(float(v) for v in as_float_array("rhos", rhos, ndim=1))
    n_memory = check_int("n_memory", n_memory, minimum=2)
    x = np.linspace(0.0, 4.0, n_memory)
    lam = 1 - 10.0 ** (-x)
    lam = lam[1:]  # the exp parametrisation needs ν > 0
    x = x[1:]
    g = normalisation(lam)
    h2 = np.stack([stationary_moments(lam, r)[0] for r in rhos])
    d2 = np.stack([stationary_moments(lam, r)[1] for r in rhos])
    return {"x": x, "lam": lam, "rho": rhos, "h2": h2, "d2": d2, "h2_normalised": h2 * g ** 2,
            "d_omega2_normalised_exp": np.stack([modulus_sensitivity(lam, r, "exp", "fixed") for r in rhos])}


def compute(ctx) -> dict:
    """The numbers figure ``memory-f2`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f2.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``x``, ``lam``, ``rho``, ``h2``, ``d2``, ``h2_normalised``,
    ``d_omega2_normalised_exp``.
    """
    return figure_data(n_memory=81 if ctx.quick else 401)


def draw(data: dict):
    """Draw figure ``memory-f2`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f2.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=4.0, height=3.0)
    a, b = axes[0]
    for i, (r, col) in enumerate(zip(data["rho"], mode_colors(len(data["rho"]), "plasma"))):
        a.plot(data["x"], data["h2"][i], color="0.75", linewidth=0.8)
        b.plot(data["x"], data["d2"][i], color="0.75", linewidth=0.8)
        a.plot(data["x"], data["h2_normalised"][i], color=col, label=f"ρ = {r:g}")
        b.plot(data["x"], data["d_omega2_normalised_exp"][i], color=col)
    for ax, lab in ((a, "E[h²]  (γ; grey: none)"), (b, "E[(∂ω h)²]  (γ + exp; grey: ∂λ, none)")):
        ax.set_yscale("log")
        ax.set_ylabel(lab)
        label_memory_axis(ax)
    a.legend(fontsize=6, frameon=False)
    return fig
