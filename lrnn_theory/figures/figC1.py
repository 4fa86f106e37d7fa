"""Figure C1: learning a rotational task with real weights (Proca et al. (2025), App. N–O; theory guide :ref:`theory-complex-simulation`, :ref:`theory-complex-ntk`).

Two complex modes ``s_t = δ λ^{T-t}`` (:func:`lrnn_theory.tasks.rotational`),
``(δ, λ) = (1, e^{iπ/12})`` and ``(0.8, 0.9 e^{iπ/6})``, ``T = 5``, each held as a
2×2 real Schur block of a square dataset whose correlations share eigenvectors
(:func:`lrnn_theory.data.make_rotational_dataset`, ``N = 4``, exact whitening).
An aligned network of width 4 starts at ``a = b = c = 0.1`` (real) and is trained by
full-batch gradient descent on its real weight matrices; the complex modes are read
from the 2×2 blocks of the trained weights (:func:`lrnn_theory.sim.aligned_complex_modes`).
Panels: ``|b|`` (→ ``|λ|``), ``arg b`` (→ ``arg λ``) and ``|ac|`` (→ ``|δ|``); solid = gradient
descent, dashed = the complex mode flow (:func:`lrnn_theory.integrate_modes` at ODE time
``n·η``).  Last panel: kernel distance between the initial and final tangent kernels vs
``T`` for ``λ = e^{iπ/12}`` from ``σ = 0.1``: the modes' closed reduction
(:func:`lrnn_theory.ntk.kernel_distance_complex`, line) and trained networks
(:func:`lrnn_theory.ntk.rotational_kernel_movement`, dots).
"""
from __future__ import annotations

import numpy as np

from .. import tasks
from .._validation import check_finite_scalar, check_int, check_positive_float
from ..data import make_rotational_dataset
from ..integrate import integrate_modes
from ..ntk import kernel_distance_complex, rotational_kernel_movement
from ..plot import mode_colors, panel_grid, reference_line, theory_vs_simulation
from ..sim import simulate_gd

TITLE = "Rotational task: |b|, arg b and |ac| of complex modes learned by real weights; kernel distance vs T"
T = 5
MODES = ((1.0, np.exp(1j * np.pi / 12)), (0.8, 0.9 * np.exp(1j * np.pi / 6)))
SCALE = 0.1
T_END = 8.0


def figure_data(modes=MODES, T: int = T, *, lr: float = 1e-3, t_end: float = T_END, scale: float = SCALE,
                kernel_T=range(1, 11), n_h: int = 4, seed: int = 0) -> dict:
    """The numbers of figure ``figC1`` for any rotational modes ``(δ, λ)``, length and learning rate.

    Left panels: real gradient descent (:func:`lrnn_theory.simulate_gd`, ``n_h`` hidden units,
    aligned-scale initialisation ``scale``) on an exactly whitened rotational dataset
    (:func:`lrnn_theory.make_rotational_dataset`, ``32 T`` samples) of the complex task dynamics
    ``s_t = δ λ^{T-t}`` (:func:`lrnn_theory.tasks.rotational`), the complex modes read back from
    the weights (``run.modes()``) against the complex gradient flow
    (:func:`lrnn_theory.integrate_modes`) up to ODE time ``t_end``.  Right panel: the kernel
    distance on the first mode's rotational task against its length, closed form
    (:func:`lrnn_theory.ntk.kernel_distance_complex`) and trained
    (:func:`lrnn_theory.ntk.rotational_kernel_movement`); theory guide :ref:`theory-complex-modes`,
    Proca et al. (2025), App. N–O.  :func:`draw` draws the result.

    Parameters
    ----------
    modes : sequence of (float, complex)
        ``(δ, λ)`` of each complex mode, ``|λ| < 1`` (default ``(1, e^{iπ/12})``, ``(0.8, 0.9 e^{iπ/6})``).
    T : int
        Task length (default 5).
    lr : float
        Learning rate of gradient descent (quick figure: 0.01); ``round(t_end / lr)`` steps.
    t_end : float
        Learning time in units of ``τ``.
    scale : float
        Initial scale of the modes.
    kernel_T : sequence of int
        Lengths of the kernel-distance panel (quick figure: 1..6).
    n_h : int
        Hidden units of the trained network (at least 2 per complex mode).
    seed : int
        Seed of the dataset, the initialisation and the trained kernel runs.

    Returns
    -------
    dict
        ``lr``, ``steps``, ``T``; ``delta``, ``lam_abs``, ``lam_arg`` (n_modes,); ``time`` (n_records,);
        ``b_abs_*``, ``b_arg_*``, ``ac_abs_*`` (n_records, n_modes) for ``simulation`` and ``theory``;
        ``off_block_residual``; ``max_abs_diff_b``, ``max_abs_diff_ac`` (n_modes,);
        ``b_final_simulation_re_im`` (n_modes, 2); ``kernel_T``, ``kernel_distance_theory``,
        ``kernel_distance_trained`` (n_T,).

    Examples
    --------
    >>> from lrnn_theory.figures import load
    >>> c1 = load("figC1")
    >>> data = c1.figure_data(modes=[(1.0, 0.9j)], T=3, lr=0.05, t_end=2.0, n_h=2, kernel_T=[2])
    >>> data["b_abs_simulation"].shape[1], len(data["kernel_distance_theory"])
    (1, 1)
    """
    T = check_int("T", T, minimum=1)
    lr = check_positive_float("lr", lr)
    t_end = check_positive_float("t_end", t_end)
    scale = check_positive_float("scale", scale)
    modes = [(check_finite_scalar("modes", d), complex(check_finite_scalar("modes", lam, allow_complex=True)))
             for d, lam in modes]
    if not modes:
        raise ValueError("modes must hold at least one (delta, lam) pair")
    steps = int(round(t_end / lr))
    every = max(1, steps // 200)
    S = np.stack([tasks.rotational(T, d, lam) for d, lam in modes])
    data = make_rotational_dataset(S, 8 * T * 4, seed=seed)
    run = simulate_gd(data, n_h, lr=lr, steps=steps, scale=scale, seed=seed, record_every=every)
    m = run.modes()
    th = integrate_modes(S, complex(scale), scale, scale, run.time)
    b_th, u_th = th.b.T, (th.a * th.c).T
    Ts = [check_int("kernel_T", t, minimum=1) for t in kernel_T]
    d_theory = [kernel_distance_complex((scale,) * 3, (1.0, modes[0][1], 1.0), t) for t in Ts]
    d_trained = [rotational_kernel_movement(scale, t, seed=seed).distance for t in Ts]
    return {
        "lr": lr, "steps": steps, "T": T,
        "delta": [d for d, _ in modes], "lam_abs": [abs(lam) for _, lam in modes],
        "lam_arg": [float(np.angle(lam)) for _, lam in modes],
        "time": run.time,
        "b_abs_simulation": np.abs(m.b), "b_abs_theory": np.abs(b_th),
        "b_arg_simulation": np.angle(m.b), "b_arg_theory": np.angle(b_th),
        "ac_abs_simulation": np.abs(m.u), "ac_abs_theory": np.abs(u_th),
        "off_block_residual": float(np.max(m.off_diagonal)),
        "max_abs_diff_b": np.max(np.abs(m.b - b_th), axis=0),
        "max_abs_diff_ac": np.max(np.abs(m.u - u_th), axis=0),
        "b_final_simulation_re_im": np.stack([m.b[-1].real, m.b[-1].imag], axis=1),
        "kernel_T": Ts, "kernel_distance_theory": d_theory, "kernel_distance_trained": d_trained,
    }


def compute(ctx) -> dict:
    """The numbers figure ``figC1`` plots, as the dict that :func:`draw` takes.

    ``ctx`` is a :class:`~lrnn_theory.figures.FigureContext`: ``ctx.quick`` selects the reduced grids
    and step counts (``lrnn-theory figures --quick``, the tests), ``ctx.progress`` progress bars.
    The same numbers, written by ``lrnn-theory figures``, are in ``figures/figC1.json``
    (:func:`~lrnn_theory.figures.read_data`).

    Keys (full setting): ``lr``, ``steps``, ``T``, ``delta``, ``lam_abs``, ``lam_arg``, ``time``,
    ``b_abs_simulation``, ``b_abs_theory``, ``b_arg_simulation``, ``b_arg_theory``,
    ``ac_abs_simulation``, ``ac_abs_theory``, ``off_block_residual``, ``max_abs_diff_b``,
    ``max_abs_diff_ac``, ``b_final_simulation_re_im``, ``kernel_T``, ``kernel_distance_theory``,
    ``kernel_distance_trained``.
    """
    return figure_data(lr=0.01 if ctx.quick else 1e-3, kernel_T=range(1, 7 if ctx.quick else 11), seed=ctx.seed)


def draw(data: dict):
    """Draw figure ``figC1`` from the dict :func:`compute` returns (or
    ``read_data("figures/figC1.json")["data"]``); return the :class:`matplotlib.figure.Figure`."""
    fig, axes = panel_grid(2, 2, width=4.6, height=3.2)
    colors = mode_colors(len(data["delta"]))
    steps = np.asarray(data["time"]) / data["lr"]
    panels = (("b_abs", "|b|", data["lam_abs"]), ("b_arg", "arg b (rad)", data["lam_arg"]),
              ("ac_abs", "|ac|", data["delta"]))
    for ax, (key, ylabel, targets) in zip(axes.flat, panels):
        for i, (d, lam_abs, lam_arg) in enumerate(zip(data["delta"], data["lam_abs"], data["lam_arg"])):
            theory_vs_simulation(ax, steps, np.asarray(data[f"{key}_theory"])[:, i], steps,
                                 np.asarray(data[f"{key}_simulation"])[:, i], color=colors[i],
                                 label=f"δ = {d:g}, λ = {lam_abs:g}·e^(i·{lam_arg:.3f})")
            reference_line(ax, targets[i])
        ax.set_ylabel(ylabel)
        ax.set_xlabel(f"training steps (η = {data['lr']:g})")
    axes[0, 0].legend(frameon=False, fontsize=7)
    ax = axes[1, 1]
    ax.plot(data["kernel_T"], data["kernel_distance_theory"], color="k", label="from the modes")
    ax.plot(data["kernel_T"], data["kernel_distance_trained"], "o", color="C1", label="trained network")
    ax.set_xlabel("T")
    ax.set_ylabel("kernel distance D_K")
    ax.set_title("λ = e^(iπ/12), σ = 0.1", fontsize=9)
    ax.legend(frameon=False, fontsize=8)
    fig.suptitle("complex modes in 2×2 blocks; solid: gradient descent on real weights, dashed: theory", fontsize=9)
    return fig
