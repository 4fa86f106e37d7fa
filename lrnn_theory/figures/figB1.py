"""Figure B1: prediction error vs departure from the theory's assumptions (theory guide :ref:`own-data-validation`).

Data of :func:`lrnn_theory.empirical.perturbed_dataset` for a two-mode task (inverse
exponentials ``(δ, λ) = (1.5, 0.7)`` and ``(1.0, 0.5)``, ``T = 4``): the last step's output
singular vectors rotated by ``θ`` (left) or the inputs correlated across steps with
``Σ^{X_t X_t'} = r^{|t-t'|} I`` (right).  For each dataset
:func:`lrnn_theory.empirical.train_and_compare` estimates the task dynamics, predicts the
learning curve of an aligned network (Proca et al. (2025), Sec. 3) and trains the full
network on the raw data by gradient descent; the plot shows the error of the predicted
final loss (relative to the initial loss) and of the final input–output modes against the
measured diagnostic (misalignment or cross-step whiteness).  Misalignment moves the end point:
both errors vanish with it and grow smoothly.  Cross-step correlation does not: the task
dynamics are estimated through the regression coefficients (theory guide
:ref:`own-data-regression`), so the predicted fixed point is where training goes (final errors
0 to rounding, the teacher is geometric) and only the time course, the error of the whole loss
curve, grows with the whiteness; that error stays above the ``O(lr)`` floor of the Euler
discretisation.
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from ..empirical import perturbed_dataset, train_and_compare
from ..plot import panel_grid

TITLE = "Theory on data: prediction error vs misalignment and cross-step input correlation"

LR = 0.01


def _sweep(S, key, values, steps):
    rows = []
    for v in values:
        d = perturbed_dataset(S, 2, 2, 8, seed=0, **{key: float(v)})
        c = train_and_compare(d.X, d.Y, lr=LR, steps=steps)
        rows.append((c.dynamics.misalignment_total, c.dynamics.whiteness_cross, c.final_loss_error, c.loss_error,
                     float(np.max(c.final_u_error))))
    a = np.array(rows)
    return {key: np.asarray(values, float), "misalignment": a[:, 0], "whiteness_cross": a[:, 1],
            "final_loss_error": a[:, 2], "loss_error": a[:, 3], "final_u_error": a[:, 4]}


def compute(ctx) -> dict:
    """The numbers figure ``figB1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/figB1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``S``, ``lr``, ``steps``, ``rotation``, ``correlation``.
    """
    S = np.stack([tasks.inverse_exponential(4, 1.5, 0.7), tasks.inverse_exponential(4, 1.0, 0.5)])
    if ctx.quick:
        thetas, rs, steps = np.array([0.0, 0.1, 0.3, 0.6]), np.array([0.0, 0.05, 0.15, 0.3]), 3000
    else:
        thetas, rs, steps = np.linspace(0.0, 0.8, 11), np.linspace(0.0, 0.5, 11), 3000
    return {"S": S, "lr": LR, "steps": steps, "rotation": _sweep(S, "theta", thetas, steps),
            "correlation": _sweep(S, "r", rs, steps)}


def draw(data: dict):
    """Draw figure ``figB1`` from the dict :func:`compute` returns (or
    ``read_data("figures/figB1.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 2, width=4.4, height=3.4)
    for ax, key, xname, label in ((axes[0, 0], "rotation", "misalignment", "misalignment (off-diagonal energy fraction)"),
                                  (axes[0, 1], "correlation", "whiteness_cross", "cross-step input correlation (whiteness)")):
        d = data[key]
        x = np.asarray(d[xname])
        ax.plot(x, d["final_loss_error"], "o-", color="C0", label="final loss (relative to initial loss)")
        ax.plot(x, d["final_u_error"], "s-", color="C1", label="final modes u (max |Δu|)")
        ax.plot(x, d["loss_error"], "^--", color="C2", label="whole loss curve (max, relative)")
        ax.axhline(data["lr"], color="0.5", lw=0.8, ls=":")
        ax.text(x[-1], data["lr"], " lr", va="bottom", ha="right", fontsize=7, color="0.4")
        ax.set_xlabel(label)
        ax.set_ylabel("prediction error: theory vs GD")
    axes[0, 0].set_title("rotate the last step's singular vectors by θ", fontsize=9)
    axes[0, 1].set_title("correlate inputs across steps, r^|t−t'|", fontsize=9)
    axes[0, 0].legend(fontsize=7)
    return fig
