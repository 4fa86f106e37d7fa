"""Figure 1: the model and its task dynamics (Proca et al. (2025), Fig. 1; theory guide :ref:`theory-network`, :ref:`theory-assumptions`).

Left: the unrolled network (inputs x_1..x_T through W_x, a chain of W_h, readout
W_y after step T).  Right: ``Σ^{YX_t} = U_y S_t V_xᵀ`` drawn as a row of T
heat-maps of ``S_t`` for three modes with constant, inverse-exponential
(λ = 0.7) and exponential (λ = 0.7) dynamics, δ = 1, T = 5.
"""
from __future__ import annotations

import numpy as np

from .. import tasks

TITLE = "Model and task dynamics: the unrolled network and S_t with fixed singular vectors"


def compute(ctx) -> dict:
    """The numbers figure ``fig1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/fig1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``T``, ``S``, ``modes``.
    """
    T = 5
    S = tasks.stack(tasks.constant(T, 1.0), tasks.inverse_exponential(T, 1.0, 0.7), tasks.exponential(T, 1.0, 0.7))
    return {"T": T, "S": S, "modes": ["constant", "inverse exponential (λ=0.7)", "exponential (λ=0.7)"]}


def draw(data: dict):
    """Draw figure ``fig1`` from the dict :func:`compute` returns (or
    ``read_data("figures/fig1.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    import matplotlib.pyplot as plt

    T = data["T"]
    S = np.asarray(data["S"])
    fig = plt.figure(figsize=(13, 3.6), constrained_layout=True)
    gs = fig.add_gridspec(1, 2, width_ratios=[1.1, 1.6])
    ax = fig.add_subplot(gs[0])
    ax.set_axis_off()
    ax.set_xlim(-0.5, T + 1.2)
    ax.set_ylim(-1.6, 1.8)
    for t in range(1, T + 1):
        ax.add_patch(plt.Circle((t, 0), 0.28, fill=False, lw=1.5))
        ax.text(t, 0, f"$h_{{{t + 1}}}$", ha="center", va="center", fontsize=9)
        ax.text(t, -1.3, f"$x_{{{t}}}$", ha="center", va="center", fontsize=10)
        ax.annotate("", xy=(t, -0.3), xytext=(t, -1.1), arrowprops=dict(arrowstyle="->", color="C0"))
        if t < T:
            ax.annotate("", xy=(t + 0.7, 0), xytext=(t + 0.3, 0), arrowprops=dict(arrowstyle="->", color="C1"))
    ax.text(0.45, -0.75, "$W_x$", color="C0")
    ax.text(1.35, 0.25, "$W_h$", color="C1")
    ax.annotate("", xy=(T, 1.2), xytext=(T, 0.3), arrowprops=dict(arrowstyle="->", color="C2"))
    ax.text(T + 0.1, 0.7, "$W_y$", color="C2")
    ax.text(T, 1.5, r"$\hat y = W_y h_{T+1}$", ha="center")
    ax.set_title("linear RNN, output after the last step")
    sub = gs[1].subgridspec(1, T)
    vmax = float(np.max(np.abs(S)))
    for t in range(T):
        a = fig.add_subplot(sub[t])
        im = a.imshow(np.diag(S[:, t]), cmap="magma", vmin=0, vmax=vmax)
        a.set_title(f"$S_{{{t + 1}}}$")
        a.set_xticks([])
        a.set_yticks(range(S.shape[0]) if t == 0 else [])
        if t == 0:
            a.set_yticklabels(["const", "inv-exp", "exp"], fontsize=7)
    fig.colorbar(im, ax=fig.axes[-T:], shrink=0.7, label="singular value $s_{α,t}$")
    fig.suptitle(r"$\Sigma^{YX_t} = U_y S_t V_x^\top$: fixed singular vectors, time-dependent singular values")
    return fig
