"""Plotting helpers shared by the figures, the notebooks and the CLI (THEORY §9 styles).

Conventions: theory is drawn dashed, simulation solid; predicted values are
grey horizontal lines; every helper takes an optional ``ax`` and returns it,
so it composes in scripts and notebooks.  Helpers only draw: they compute
nothing that the library does not already return.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

__all__ = [
    "THEORY_STYLE",
    "SIM_STYLE",
    "REFERENCE_STYLE",
    "mode_colors",
    "plot_mode_trajectory",
    "reference_line",
    "save_figure",
]

#: Line style of theory curves (mode ODE or closed forms).
THEORY_STYLE = dict(linestyle="--", linewidth=1.6)
#: Line style of simulation curves (full-matrix gradient descent).
SIM_STYLE = dict(linestyle="-", linewidth=2.2, alpha=0.75)
#: Style of predicted values / reference solutions.
REFERENCE_STYLE = dict(color="0.6", linestyle="-", linewidth=1.0, zorder=0)


def mode_colors(n: int, cmap: str = "viridis") -> list:
    """``n`` distinguishable colours from ``cmap`` (end-points trimmed for visibility)."""
    return [plt.get_cmap(cmap)(x) for x in np.linspace(0.1, 0.85, max(n, 1))]


def reference_line(ax, value: float, **kwargs):
    """Horizontal grey line at a predicted value."""
    style = dict(REFERENCE_STYLE)
    style.update(kwargs)
    return ax.axhline(value, **style)


def plot_mode_trajectory(traj, *, axes: Sequence | None = None, index=(), fixed_point=None, label: str | None = None):
    """Plot ``a, b, c`` and the energy of one mode of a :class:`~lrnn_theory.integrate.ModeTrajectory`.

    Parameters
    ----------
    traj : ModeTrajectory
    axes : sequence of 2 Axes, optional
        Left: the three modes; right: the energy (log scale).
    index : tuple
        Batch index of the mode to draw (``()`` for a single mode).
    fixed_point : (b*, u*), optional
        Drawn as grey reference lines (``u*`` as ``√u*`` for balanced a, c).

    Returns
    -------
    axes : the two Axes used.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
    ax, axe = axes
    t = traj.t
    for name, color in zip("abc", ("C0", "C1", "C2")):
        ax.plot(t, getattr(traj, name)[index], color=color, label=f"{name}" if label is None else f"{label} {name}")
    ax.plot(t, traj.u[index], color="C3", label="u = ac", **THEORY_STYLE)
    if fixed_point is not None:
        b_star, u_star = fixed_point
        reference_line(ax, b_star)
        reference_line(ax, u_star)
    ax.set_xlabel("learning time t / τ")
    ax.set_ylabel("mode value")
    ax.legend(frameon=False, fontsize=8)
    e = np.asarray(traj.energy[index], dtype=float)
    axe.semilogy(t, np.maximum(e, 1e-300), color="k")
    axe.set_xlabel("learning time t / τ")
    axe.set_ylabel("energy E")
    return axes


def save_figure(fig, path: str | os.PathLike, **kwargs) -> str:
    """Save ``fig`` atomically: write a temporary file in the same folder, then rename.

    An interrupted run (Ctrl-C) never leaves a half-written figure behind.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    ext = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=ext, dir=folder)
    os.close(fd)
    try:
        fig.savefig(tmp, **kwargs)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
