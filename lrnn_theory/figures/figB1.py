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
from .._validation import as_float_array, check_int, check_positive_float, check_seed
from ..empirical import perturbed_dataset, train_and_compare
from ..plot import panel_grid

TITLE = "Theory on data: prediction error vs misalignment and cross-step input correlation"

LR = 0.01


def _sweep(S, key, values, lr, steps, seed):
    n_modes, T = S.shape
    rows = []
    for v in values:
        d = perturbed_dataset(S, n_modes, n_modes, n_modes * T, seed=seed, **{key: float(v)})
        c = train_and_compare(d.X, d.Y, lr=lr, steps=steps, seed=seed)
        rows.append((c.dynamics.misalignment_total, c.dynamics.whiteness_cross, c.final_loss_error, c.loss_error,
                     float(np.max(c.final_u_error))))
    a = np.array(rows)
    return {key: np.asarray(values, float), "misalignment": a[:, 0], "whiteness_cross": a[:, 1],
            "final_loss_error": a[:, 2], "loss_error": a[:, 3], "final_u_error": a[:, 4]}


def figure_data(S=None, thetas=None, rs=None, *, lr: float = LR, steps: int = 3000, seed: int = 0) -> dict:
    """The numbers of figure ``figB1`` for any task dynamics and departures from the theory's assumptions.

    For each angle ``θ`` of ``thetas``, a dataset whose last step's output singular vectors of modes 0
    and 1 are rotated by ``θ``; for each ``r`` of ``rs``, one whose inputs are correlated across steps,
    ``Σ^{X_t X_t'} = r^{|t-t'|} I`` (:func:`lrnn_theory.empirical.perturbed_dataset`, ``N_x = N_y =
    n_modes``, ``P = n_modes · T`` samples).  On each, :func:`lrnn_theory.empirical.train_and_compare`
    estimates the task dynamics, predicts the learning curve of an aligned network and trains the
    full network on the raw data by gradient descent; the measured departure (misalignment,
    cross-step whiteness) and the prediction errors are collected.  Theory guide
    :ref:`own-data-validation`, :ref:`own-data-regression`; Proca et al. (2025), Sec. 3.
    :func:`draw` draws the result.

    Parameters
    ----------
    S : array_like, shape (n_modes, T), optional
        Task dynamics, ``n_modes >= 2`` (default: inverse exponentials ``(δ, λ) = (1.5, 0.7)`` and
        ``(1.0, 0.5)``, ``T = 4``).
    thetas : array_like, shape (n_theta,), optional
        Rotation angles in radians (default 11 angles evenly spaced on ``[0, 0.8]``; quick figure
        0, 0.1, 0.3, 0.6).
    rs : array_like, shape (n_r,), optional
        Cross-step correlations, each in ``(-1, 1)`` (default 11 values evenly spaced on ``[0, 0.5]``;
        quick figure 0, 0.05, 0.15, 0.3).
    lr : float
        Learning rate of the gradient descent (default 0.01).
    steps : int
        Gradient-descent steps of each run (default 3000).
    seed : int
        Seed of the datasets and of the hidden rotation of the initial network.

    Returns
    -------
    dict
        ``S`` (n_modes, T), ``lr``, ``steps``; ``rotation``: ``theta`` (n_theta,) and, per angle,
        ``misalignment`` (off-diagonal energy fraction), ``whiteness_cross``, ``final_loss_error``
        (error of the predicted final loss relative to the initial loss), ``loss_error`` (largest
        relative error over the loss curve), ``final_u_error`` (largest error of the final modes
        ``u``), each (n_theta,); ``correlation``: ``r`` (n_r,) and the same five, each (n_r,).

    Raises
    ------
    ValueError
        ``S`` not 2-D with at least 2 modes or not finite; ``thetas`` or ``rs`` not 1-D, empty or not
        finite; an ``r`` outside ``(-1, 1)``; ``lr`` not positive; ``steps < 1``; negative ``seed``.

    Examples
    --------
    Rotating the singular vectors by 0.5 rad misaligns the data and moves the end point: the
    error of the predicted final modes grows more than a hundredfold over the aligned data's:

    >>> import numpy as np
    >>> from lrnn_theory.figures import load
    >>> b1 = load("figB1")
    >>> data = b1.figure_data(thetas=[0.0, 0.5], rs=[0.0], steps=500)
    >>> rot = data["rotation"]
    >>> np.round(rot["misalignment"], 3).tolist(), bool(rot["final_u_error"][1] > 100 * rot["final_u_error"][0])
    ([0.0, 0.056], True)
    """
    if S is None:
        S = np.stack([tasks.inverse_exponential(4, 1.5, 0.7), tasks.inverse_exponential(4, 1.0, 0.5)])
    S = as_float_array("S", S, ndim=2)
    if S.shape[0] < 2 or S.shape[1] < 1:
        raise ValueError(f"S must have shape (n_modes, T) with n_modes >= 2 (rotation mixes modes 0 and 1), "
                         f"got shape {S.shape}")
    thetas = np.linspace(0.0, 0.8, 11) if thetas is None else as_float_array("thetas", thetas, ndim=1)
    rs = np.linspace(0.0, 0.5, 11) if rs is None else as_float_array("rs", rs, ndim=1)
    if not np.all(np.abs(rs) < 1):
        raise ValueError(f"rs must lie in (-1, 1) (cross-step correlations), got {rs.tolist()}")
    lr = check_positive_float("lr", lr)
    steps = check_int("steps", steps, minimum=1)
    seed = check_seed("seed", seed)
    return {"S": S, "lr": lr, "steps": steps, "rotation": _sweep(S, "theta", thetas, lr, steps, seed),
            "correlation": _sweep(S, "r", rs, lr, steps, seed)}


def compute(ctx) -> dict:
    """The numbers figure ``figB1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/figB1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``S``, ``lr``, ``steps``, ``rotation``, ``correlation``.
    """
    if ctx.quick:
        return figure_data(thetas=[0.0, 0.1, 0.3, 0.6], rs=[0.0, 0.05, 0.15, 0.3])
    return figure_data()


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
