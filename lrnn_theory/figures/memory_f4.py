"""Figure memory-f4: Adam on the ``(ω_ν, ω_θ)`` loss surface for three parametrisations (theory guide :ref:`memory-reparametrisation`, :ref:`memory-teacher-student`; Zucchet & Orvieto (2024)).

``λ_0 = 0.99 e^{iπ/4}``, teacher ``λ* = 0.99 e^{iπ/100}``, Adam with learning rate
``10⁻³`` for ``5·10⁴`` steps (``5·10³`` in quick mode) on the closed-form
``γ``-normalised loss; the trajectory is drawn over the loss surface.
"""
from __future__ import annotations

import numpy as np

from .._validation import check_finite_scalar, check_int
from ..memory import Parametrisation, loss_in_omega, train_lambda
from ..optim import Adam
from ..plot import field_map, panel_grid
from ._memory import PARAMETRISATION_ROWS

TITLE = "Adam trajectories on the (ω_ν, ω_θ) loss surface: direct, exp, tanh + ν-scaled"
LAM0 = 0.99 * np.exp(1j * np.pi / 4)
LAM_STAR = 0.99 * np.exp(1j * np.pi / 100)


def figure_data(lam_star: complex = LAM_STAR, lam0: complex = LAM0, *, lr: float = 1e-3, steps: int = 50_000,
                rows=PARAMETRISATION_ROWS, n: int = 241, target: float = 1e-6) -> dict:
    """The numbers of figure ``memory-f4`` for any teacher, initial eigenvalue, learning rate and parametrisations.

    For each parametrisation (``γ``-normalised, :class:`lrnn_theory.memory.Parametrisation`):
    Adam on the 1-D teacher–student loss from ``λ0`` towards ``λ*``
    (:func:`lrnn_theory.memory.train_lambda`; stops once the loss is below ``target``), and the
    loss surface over ``(ω_ν, ω_θ)`` around the trajectory (:func:`lrnn_theory.memory.loss_in_omega`);
    theory guide :ref:`memory-reparametrisation`, Zucchet & Orvieto (2024).
    :func:`draw` draws the result.

    Parameters
    ----------
    lam_star, lam0 : complex
        Teacher and initial eigenvalues, ``|λ| < 1`` (defaults ``0.99 e^{iπ/100}`` and ``0.99 e^{iπ/4}``).
    lr : float
        Adam's learning rate (default 1e-3).
    steps : int
        Largest number of Adam steps (quick figure: 5 000).
    rows : sequence of (label, modulus, phase)
        Parametrisations, one panel each (default: direct, exp, tanh + ν-scaled).
    n : int
        Points per axis of the loss surface (quick figure: 81).
    target : float
        Loss at which training stops.

    Returns
    -------
    dict
        ``lam0``, ``lam_star``: ``[real, imag]``; ``lr``, ``steps``; ``panels``: per parametrisation
        ``label``, ``omega`` (n_kept, 2) and ``loss`` (n_kept,) every ``max(1, steps // 2000)``-th step,
        ``omega0``, ``omega_star`` (2,), ``final_loss``, ``status``, ``grid_nu``, ``grid_theta`` (n,)
        and ``surface`` (n, n).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f4 = load("memory-f4")
    >>> data = f4.figure_data(lam_star=0.9j, lam0=0.5 + 0.1j, lr=1e-2, steps=200, rows=[("exp", "exp", "exp")], n=11)
    >>> data["panels"][0]["surface"].shape
    (11, 11)
    """
    lam_star = complex(check_finite_scalar("lam_star", lam_star, allow_complex=True))
    lam0 = complex(check_finite_scalar("lam0", lam0, allow_complex=True))
    steps = check_int("steps", steps, minimum=1)
    n = check_int("n", n, minimum=2)
    panels = []
    for label, modulus, phase in rows:
        param = Parametrisation(modulus, phase, normalised=True)
        run = train_lambda(lam_star, lam0, Adam(lr), parametrisation=param, steps=steps, target=target)
        w, w0, ws = run.omega, param.to_omega(lam0), param.to_omega(lam_star)
        lo, hi = np.minimum(w.min(axis=0), ws), np.maximum(w.max(axis=0), ws)
        pad = 0.15 * (hi - lo) + 1e-3 * (1 + np.abs(hi))
        gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n)
        gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)
        surface = loss_in_omega(gx[None, :], gy[:, None], lam_star, param)
        panels.append({"label": label, "omega": w[:: max(1, steps // 2000)], "omega0": w0, "omega_star": ws,
                       "loss": run.loss[:: max(1, steps // 2000)], "final_loss": run.loss[-1], "status": run.status,
                       "grid_nu": gx, "grid_theta": gy, "surface": surface})
    return {"lam0": [lam0.real, lam0.imag], "lam_star": [lam_star.real, lam_star.imag], "lr": lr, "steps": steps,
            "panels": panels}


def compute(ctx) -> dict:
    """The numbers figure ``memory-f4`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f4.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``lam0``, ``lam_star``, ``lr``, ``steps``, ``panels``.
    """
    return figure_data(steps=5_000 if ctx.quick else 50_000, n=81 if ctx.quick else 241)


def draw(data: dict):
    """Draw figure ``memory-f4`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f4.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(1, 3, width=4.0, height=3.4)
    for ax, p in zip(axes.ravel(), data["panels"]):
        field_map(ax, p["surface"], p["grid_nu"], p["grid_theta"], label="L", contours=12)
        w = np.asarray(p["omega"])
        ax.plot(w[:, 0], w[:, 1], color="c", linewidth=1.2)
        ax.plot(*p["omega0"], "wo", markersize=4)
        ax.plot(*p["omega_star"], "c*", markersize=9)
        ax.set_title(f"{p['label']}: final L = {p['final_loss']:.1e}", fontsize=9)
        ax.set_xlabel("ω_ν")
        ax.set_ylabel("ω_θ")
    return fig
