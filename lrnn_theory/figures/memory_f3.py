"""Figure memory-f3: loss and curvature along each trainable coordinate, per parametrisation (theory guide :ref:`memory-reparametrisation`, :ref:`memory-teacher-student`; Zucchet & Orvieto (2024)).

Rows: direct, exp, tanh + ν-scaled phase; ``γ``-normalised loss; teacher
``λ* = ν* e^{iπ/100}`` for the moduli ``ν*`` of :ref:`memory-teacher-student`.  Columns: loss and Hessian
against ``ω_ν`` (``ω_θ`` at the teacher's value), then against ``ω_θ`` (``ω_ν``
at the teacher's value).  Curvatures are central differences of the analytic gradient.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, check_finite_scalar, check_int
from ..memory import Parametrisation, loss_in_omega, omega_curvature
from ..plot import mode_colors, panel_grid
from ._memory import NU0, PARAMETRISATION_ROWS

TITLE = "Loss and Hessian along ω_ν and ω_θ for direct, exp and tanh + ν-scaled parametrisations"
THETA_STAR = np.pi / 100


def _row(param: Parametrisation, nus_star, n, theta_star=THETA_STAR):
    nu_grid = np.linspace(0.02, 0.998, n)
    theta_grid = np.linspace(1e-3, np.pi, n) if param.phase == "exp" else np.linspace(-np.pi, np.pi, n)
    out = {"omega_nu": [], "loss_nu": [], "hess_nu": [], "omega_theta": [], "loss_theta": [], "hess_theta": []}
    for nu_s in nus_star:
        ls = nu_s * np.exp(1j * theta_star)
        w_star = param.to_omega(ls)
        w_nu = np.array([param.to_omega(v * np.exp(1j * theta_star))[0] for v in nu_grid])
        w_th = np.array([param.to_omega(nu_s * np.exp(1j * th))[1] if th != 0 else 0.0 for th in theta_grid])
        out["omega_nu"].append(w_nu)
        out["loss_nu"].append(loss_in_omega(w_nu, w_star[1], ls, param))
        out["hess_nu"].append([omega_curvature(np.array([w, w_star[1]]), ls, param, axis=0) for w in w_nu])
        out["omega_theta"].append(w_th)
        out["loss_theta"].append(loss_in_omega(w_star[0], w_th, ls, param))
        out["hess_theta"].append([omega_curvature(np.array([w_star[0], w]), ls, param, axis=1) for w in w_th])
    return {k: np.asarray(v) for k, v in out.items()}


def figure_data(nu_stars=NU0, theta_star: float = THETA_STAR, rows=PARAMETRISATION_ROWS, *, n: int = 301) -> dict:
    """The numbers of figure ``memory-f3`` for any teacher moduli, phase and parametrisations.

    For each parametrisation (``γ``-normalised loss, :class:`lrnn_theory.memory.Parametrisation`)
    and each teacher ``λ* = ν* e^{iθ*}``: the loss (:func:`lrnn_theory.memory.loss_in_omega`) and
    its curvature (:func:`lrnn_theory.memory.omega_curvature`, central differences of the
    analytic gradient) along ``ω_ν`` with ``ω_θ`` at the teacher's value, and along ``ω_θ`` with
    ``ω_ν`` at the teacher's value; theory guide :ref:`memory-reparametrisation`,
    :ref:`memory-teacher-student`, Zucchet & Orvieto (2024).  :func:`draw` draws the result.

    Parameters
    ----------
    nu_stars : sequence of float, shape (n_teachers,)
        Teacher moduli ``ν* ∈ (0, 1)`` (default: 0.36, 0.68, ..., 0.99).
    theta_star : float
        Teacher phase ``θ*`` (default ``π/100``).
    rows : sequence of (label, modulus, phase)
        Parametrisations, one row of panels each (default: direct, exp, tanh + ν-scaled).
    n : int
        Points of the ``ν`` grid on ``[0.02, 0.998]`` and of the ``θ`` grid (quick figure: 61).

    Returns
    -------
    dict
        ``theta_star``; ``nu_star`` (n_teachers,); ``rows``: per parametrisation a dict with
        ``label`` and ``omega_nu``, ``loss_nu``, ``hess_nu``, ``omega_theta``, ``loss_theta``,
        ``hess_theta``, each (n_teachers, n).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> f3 = load("memory-f3")
    >>> data = f3.figure_data(nu_stars=[0.9], rows=[("exp", "exp", "exp")], n=7)
    >>> data["rows"][0]["loss_nu"].shape
    (1, 7)
    """
    nus = tuple(float(v) for v in as_float_array("nu_stars", nu_stars, ndim=1))
    theta_star = check_finite_scalar("theta_star", theta_star)
    n = check_int("n", n, minimum=2)
    out = []
    for label, modulus, phase in rows:
        row = _row(Parametrisation(modulus, phase, normalised=True), nus, n, theta_star)
        row["label"] = label
        out.append(row)
    return {"theta_star": theta_star, "nu_star": nus, "rows": out}


def compute(ctx) -> dict:
    """The numbers figure ``memory-f3`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/memory-f3.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``theta_star``, ``nu_star``, ``rows``.
    """
    return figure_data(NU0[::2] if ctx.quick else NU0, n=61 if ctx.quick else 301)


def draw(data: dict):
    """Draw figure ``memory-f3`` from the dict :func:`compute` returns (or
    ``read_data("figures/memory-f3.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(3, 4, width=3.2, height=2.5)
    cols = mode_colors(len(data["nu_star"]), "viridis")
    for i, row in enumerate(data["rows"]):
        for j, (xk, yk, ylab) in enumerate((("omega_nu", "loss_nu", "L"), ("omega_nu", "hess_nu", "∂²L/∂ω_ν²"),
                                            ("omega_theta", "loss_theta", "L"), ("omega_theta", "hess_theta", "∂²L/∂ω_θ²"))):
            ax = axes[i, j]
            for k, (nu, col) in enumerate(zip(data["nu_star"], cols)):
                y = np.abs(np.asarray(row[yk][k], dtype=float))
                ax.plot(np.asarray(row[xk][k]), np.maximum(y, 1e-10), color=col, label=f"ν* = {nu:g}")
            ax.set_yscale("log")
            ax.set_xlabel("ω_ν" if "nu" in xk else "ω_θ")
            ax.set_ylabel(ylab if j else f"{row['label']}\n{ylab}")
    axes[0, 0].legend(fontsize=6, frameon=False)
    return fig
