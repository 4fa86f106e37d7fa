"""Plotting helpers shared by the figures, the notebooks and the CLI (theory guide :ref:`gallery` styles).

Conventions: theory is drawn dashed, simulation solid; predicted values are
grey horizontal lines; every helper takes an optional ``ax`` and returns it,
so it composes in scripts and notebooks.  Helpers only draw: they compute
nothing that the library does not already return.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import matplotlib

# Headless drawing (CLI, figure workers), except inside a Jupyter kernel, whose inline
# backend must stay in place for notebooks to show their figures.
if "ipykernel" not in sys.modules:
    matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

__all__ = [
    "THEORY_STYLE",
    "SIM_STYLE",
    "REFERENCE_STYLE",
    "clipped_line",
    "colorbar",
    "draw_machine",
    "explore_panel",
    "field_map",
    "heatmap",
    "mode_colors",
    "panel_grid",
    "plot_mode_trajectory",
    "reference_line",
    "save_figure",
    "theory_vs_simulation",
]

#: Line style of theory curves (mode ODE or closed forms).
THEORY_STYLE = dict(linestyle="--", linewidth=1.6)
#: Line style of simulation curves (full-matrix gradient descent).
SIM_STYLE = dict(linestyle="-", linewidth=2.2, alpha=0.75)
#: Style of predicted values / reference solutions.
REFERENCE_STYLE = dict(color="0.6", linestyle="-", linewidth=1.0, zorder=0)


def mode_colors(n: int, cmap: str = "viridis") -> list:
    """``n`` distinguishable colours from ``cmap`` (end-points trimmed for visibility).

    Parameters
    ----------
    n : int >= 1
    cmap : str
        A matplotlib colour-map name.

    Returns
    -------
    list of RGBA tuples, length ``n``

    Raises
    ------
    TypeError, ValueError
        ``n`` is not a positive integer (ValueError also for an unknown ``cmap``).

    Examples
    --------
    >>> from lrnn_theory.plot import mode_colors
    >>> colors = mode_colors(3)
    >>> len(colors), len(colors[0])
    (3, 4)
    """
    from ._validation import check_int

    n = check_int("n", n, minimum=1)
    return [plt.get_cmap(cmap)(x) for x in np.linspace(0.1, 0.85, max(n, 1))]


def reference_line(ax, value: float, **kwargs):
    """Horizontal grey line at a predicted value (:data:`REFERENCE_STYLE`; keywords override it).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    value : float
        The predicted value, e.g. a fixed point ``b*`` (theory guide :ref:`theory-fixed-points`).

    Returns
    -------
    matplotlib.lines.Line2D

    Raises
    ------
    TypeError, ValueError
        ``value`` is not a finite real number.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import reference_line
    >>> fig, ax = plt.subplots()
    >>> line = reference_line(ax, 0.5)
    >>> list(line.get_ydata()), line.get_color()
    ([0.5, 0.5], '0.6')
    >>> plt.close(fig)
    """
    from ._validation import check_finite_scalar

    value = check_finite_scalar("value", value)
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

    Raises
    ------
    TypeError
        ``traj`` is not a ModeTrajectory.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> import lrnn_theory as lt
    >>> from lrnn_theory.plot import plot_mode_trajectory
    >>> traj = lt.integrate_modes(lt.tasks.constant(3), 0.1, 0.1, 0.1, np.linspace(0, 5, 6))
    >>> axes = plot_mode_trajectory(traj)
    >>> len(axes[0].lines), axes[1].get_yscale()          # a, b, c, u; energy on a log scale
    (4, 'log')
    >>> plt.close(axes[0].figure)
    """
    if not all(hasattr(traj, n) for n in ("t", "a", "b", "c", "energy")):
        raise TypeError(f"traj must be a ModeTrajectory (lrnn_theory.integrate_modes), got {type(traj).__name__}")
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


def save_figure(fig, path: str | os.PathLike, *, palette: bool = False, **kwargs) -> str:
    """Save ``fig`` atomically (temporary file in the same folder, then rename): an interrupted
    run (Ctrl-C) never leaves a half-written figure behind.

    ``palette=True`` stores a PNG as an optimised 256-colour palette image (Pillow, which
    matplotlib already requires): about a third of the size of the RGBA image for line plots and
    colour maps, with no visible difference; the committed figures use it.  Other keywords go to
    :meth:`matplotlib.figure.Figure.savefig`.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or PathLike
        Output file; its extension selects the format (``png`` when there is none).
    palette : bool
        Store a PNG as a 256-colour palette image.

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    TypeError
        ``fig`` is not a Figure.
    ValueError
        The format of ``path`` is not supported by matplotlib.

    Examples
    --------
    >>> import os, tempfile
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import save_figure
    >>> fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_figure(fig, os.path.join(folder, "panel.png"), palette=True)
    ...     print(os.path.basename(path), os.path.getsize(path) > 0)
    panel.png True
    >>> plt.close(fig)
    """
    from ._io import atomic_write

    if not hasattr(fig, "savefig"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fmt = os.path.splitext(os.fspath(path))[1].lstrip(".") or "png"
    if fmt not in fig.canvas.get_supported_filetypes():
        raise ValueError(f"path: unsupported image format {fmt!r}")
    with atomic_write(path, "wb") as fh:
        if palette and fmt == "png":
            import io

            from PIL import Image

            buf = io.BytesIO()
            fig.savefig(buf, format="png", **kwargs)
            buf.seek(0)
            with Image.open(buf) as im:
                q = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
                q.save(fh, format="png", optimize=True)
        else:
            fig.savefig(fh, format=fmt, **kwargs)
    return os.fspath(path)


def panel_grid(nrows: int, ncols: int, *, width: float = 3.6, height: float = 2.8, **kwargs):
    """Figure and a 2-D array of axes with constrained layout.

    Parameters
    ----------
    nrows, ncols : int >= 1
    width, height : float
        Size of one panel in inches.
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots`.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : ndarray of Axes, shape (nrows, ncols)

    Raises
    ------
    TypeError, ValueError
        ``nrows`` or ``ncols`` is not a positive integer.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import panel_grid
    >>> fig, axes = panel_grid(2, 3, width=2.0, height=1.5)
    >>> axes.shape, fig.get_size_inches().tolist()
    ((2, 3), [6.0, 3.0])
    >>> plt.close(fig)
    """
    from ._validation import check_int

    nrows = check_int("nrows", nrows, minimum=1)
    ncols = check_int("ncols", ncols, minimum=1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                             constrained_layout=True, **kwargs)
    return fig, axes


def theory_vs_simulation(ax, t_theory, y_theory, t_sim, y_sim, *, color, label: str | None = None):
    """Simulation solid, theory dashed, same colour (the paper's convention, :ref:`gallery`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    t_theory, y_theory : array_like, same shape
        Theory curve (e.g. a mode of :func:`lrnn_theory.integrate_modes`).
    t_sim, y_sim : array_like, same shape
        Simulation curve (e.g. a mode recovered from :func:`lrnn_theory.simulate_gd`).
    color : matplotlib colour
    label : str, optional
        Legend label (on the simulation curve).

    Raises
    ------
    ValueError
        Times and values of a curve differ in shape.
    TypeError
        Non-numeric values.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import theory_vs_simulation
    >>> fig, ax = plt.subplots()
    >>> theory_vs_simulation(ax, [0, 1, 2], [0.1, 0.5, 0.9], [0, 1, 2], [0.1, 0.52, 0.9], color="C0", label="b")
    >>> [line.get_linestyle() for line in ax.lines]      # simulation solid, theory dashed
    ['-', '--']
    >>> plt.close(fig)
    """
    from ._validation import as_float_array

    if np.shape(t_theory) != np.shape(y_theory) or np.shape(t_sim) != np.shape(y_sim):
        raise ValueError("t_theory/y_theory and t_sim/y_sim must have matching shapes")
    for name, v in (("y_theory", y_theory), ("y_sim", y_sim)):
        as_float_array(name, v, finite=False)
    ax.plot(t_sim, y_sim, color=color, label=label, **SIM_STYLE)
    ax.plot(t_theory, y_theory, color="k" if color is None else color, **THEORY_STYLE)


def colorbar(fig, ax, cmap: str, vmin: float, vmax: float, label: str):
    """A colour bar for values coded by colour (e.g. κ in Figure 4).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes or sequence of Axes
        Axes the bar is attached to.
    cmap : str
    vmin, vmax : float
        Range of the colour scale, ``vmin < vmax``.
    label : str

    Returns
    -------
    matplotlib.colorbar.Colorbar

    Raises
    ------
    ValueError
        ``vmin >= vmax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import colorbar
    >>> fig, ax = plt.subplots()
    >>> cb = colorbar(fig, ax, "viridis", 0.0, 2.0, "kappa")
    >>> (float(cb.vmin), float(cb.vmax)), cb.ax.get_ylabel()
    ((0.0, 2.0), 'kappa')
    >>> plt.close(fig)
    """
    if not vmin < vmax:
        raise ValueError(f"vmin must be < vmax, got {vmin}, {vmax}")
    sm = plt.cm.ScalarMappable(cmap=plt.get_cmap(cmap), norm=plt.Normalize(vmin, vmax))
    return fig.colorbar(sm, ax=ax, label=label)


def clipped_line(ax, x, y, *, clip: float, color, marker_label: str | None = None, **style):
    """Plot ``y`` clipped at ``±clip``; clipped points are marked with triangles at the clip value.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x, y : array_like, shape (n,)
        ``y`` may hold non-finite values (e.g. a diverged run).
    clip : float > 0
    color : matplotlib colour
    marker_label : str, optional
        Legend label of the triangles.
    **style
        Line style keywords.

    Returns
    -------
    ndarray of bool, shape (n,)
        Which points were clipped.

    Raises
    ------
    TypeError, ValueError
        Non-positive ``clip``, non-numeric arrays, ``x`` and ``y`` of different shapes.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import clipped_line
    >>> fig, ax = plt.subplots()
    >>> clipped_line(ax, [0, 1, 2], [0.0, 5.0, -0.5], clip=1.0, color="C1").tolist()
    [False, True, False]
    >>> plt.close(fig)
    """
    from ._validation import as_float_array, check_positive_float

    clip = check_positive_float("clip", clip)
    x = as_float_array("x", x, ndim=1)
    y = as_float_array("y", y, ndim=1, finite=False)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    yc = np.clip(y, -clip, clip)
    ax.plot(x, yc, color=color, **style)
    over = np.abs(y) > clip
    if np.any(over):
        ax.plot(x[over], yc[over], linestyle="none", marker="^", markersize=4, color=color, label=marker_label)
    return over


def heatmap(ax, values, x, y, *, vmin: float = 0.0, vmax: float | None = None, cmap: str = "viridis",
            label: str = "", annotate: bool = True, flagged=None):
    """Heat-map of ``values[y, x]`` with a colour bar; NaN cells grey and ``flagged`` cells hatched.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : array_like, shape (len(y), len(x))
        May hold NaN (drawn grey).
    x, y : sequence
        Column and row labels.
    vmin, vmax : float
        Colour range (``vmax`` default: the largest finite value).
    cmap, label : str
    annotate : bool
        Write each value in its cell.
    flagged : array_like of bool, shape (len(y), len(x)), optional
        Cells to hatch in red.

    Returns
    -------
    matplotlib.image.AxesImage

    Raises
    ------
    TypeError, ValueError
        ``values`` is not a 2-D numeric array of shape (len(y), len(x)).

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import heatmap
    >>> fig, ax = plt.subplots()
    >>> im = heatmap(ax, [[0.1, np.nan], [0.3, 0.4]], x=[0.1, 0.2], y=[1, 2])
    >>> im.get_array().shape, int(im.get_array().mask.sum())     # the NaN cell is masked
    ((2, 2), 1)
    >>> plt.close(fig)
    """
    from ._validation import as_float_array

    values = as_float_array("values", values, ndim=2, finite=False)
    if values.shape != (len(y), len(x)):
        raise ValueError(f"values must have shape (len(y), len(x)) = {(len(y), len(x))}, got {values.shape}")
    cm = plt.get_cmap(cmap).with_extremes(bad="0.85")
    im = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap=cm, vmin=vmin,
                   vmax=np.nanmax(values) if vmax is None else vmax)
    ax.set_xticks(range(len(x)))
    ax.set_xticklabels([f"{v:.2f}" for v in x], rotation=60, fontsize=7)
    ax.set_yticks(range(len(y)))
    ax.set_yticklabels([str(v) for v in y])
    if annotate:
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=5.5,
                        color="w" if v < 0.6 * (np.nanmax(values) if vmax is None else vmax) else "k")
    if flagged is not None:
        for i, j in zip(*np.nonzero(np.asarray(flagged))):
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="r", linewidth=0))
    ax.figure.colorbar(im, ax=ax, label=label)
    return im


def field_map(ax, values, x, y, *, log: bool = True, cmap: str = "magma", label: str = "", contours: int = 0):
    """A continuous 2-D field ``values[y, x]`` on its coordinates (log colour scale by default), with a colour bar.

    Used for loss surfaces, Hessian matrices and kernels over the complex plane; ``contours > 0``
    overlays that many (log-spaced) contour lines.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : array_like, shape (len(y), len(x))
        Non-finite (and, with ``log``, non-positive) entries are left blank.
    x, y : array_like, shape (n_x,), (n_y,)
        Coordinates of the columns and rows.
    log : bool
        Logarithmic colour scale.
    cmap, label : str
    contours : int
        Number of contour lines (0: none).

    Returns
    -------
    matplotlib.collections.QuadMesh

    Raises
    ------
    TypeError, ValueError
        Non-numeric or mis-shaped arrays, or no finite (positive, for ``log``) entry.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import field_map
    >>> x, y = np.linspace(0.1, 1, 4), np.linspace(0.1, 1, 3)
    >>> fig, ax = plt.subplots()
    >>> mesh = field_map(ax, np.outer(y, x), x, y)
    >>> type(mesh.norm).__name__, round(float(mesh.norm.vmin), 12), float(mesh.norm.vmax)
    ('LogNorm', 0.01, 1.0)
    >>> plt.close(fig)
    """
    from matplotlib.colors import LogNorm, Normalize

    from ._validation import as_float_array

    values = as_float_array("values", values, ndim=2, finite=False)
    x = as_float_array("x", x, ndim=1)
    y = as_float_array("y", y, ndim=1)
    if values.shape != (y.size, x.size):
        raise ValueError(f"values must have shape (len(y), len(x)) = {(y.size, x.size)}, got {values.shape}")
    finite = values[np.isfinite(values) & ((values > 0) if log else True)]
    if finite.size == 0:
        raise ValueError("values has no finite (positive, for log=True) entry to draw")
    norm = LogNorm(finite.min(), finite.max()) if log else Normalize(finite.min(), finite.max())
    v = np.ma.masked_invalid(np.where(values > 0, values, np.nan) if log else values)
    im = ax.pcolormesh(x, y, v, shading="auto", cmap=cmap, norm=norm)
    if contours:
        levels = np.geomspace(finite.min(), finite.max(), contours) if log else np.linspace(finite.min(), finite.max(), contours)
        ax.contour(x, y, v, levels=levels, colors="w", linewidths=0.4, alpha=0.6)
    ax.figure.colorbar(im, ax=ax, label=label)
    return im


def draw_machine(ax, machine, *, title: str = "", max_labels: int = 12):
    """Draw a Moore machine (transitions over ``"01"``) on a circle with matplotlib only.

    States are coloured by output, the initial state is ringed; with at most ``max_labels``
    states, arrows carry their symbol and nodes their index.  Missing transitions are not drawn.
    Solid arrows read ``0``, dashed arrows ``1`` (theory guide :ref:`merging-automaton`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    machine : MooreMachine or Automaton
        E.g. :func:`lrnn_theory.merging.parity_machine`, or an extracted automaton
        (:func:`lrnn_theory.merging.extract_automaton`; its reachable machine is drawn).
    title : str
        Axes title (default ``"<n> states"``).
    max_labels : int
        Largest number of states drawn with labels.

    Raises
    ------
    TypeError
        ``machine`` is neither a :class:`~lrnn_theory.merging.tasks.MooreMachine` nor an
        :class:`~lrnn_theory.merging.automaton.Automaton`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.merging import parity_machine
    >>> from lrnn_theory.plot import draw_machine
    >>> fig, ax = plt.subplots()
    >>> draw_machine(ax, parity_machine())
    >>> ax.get_title()
    '2 states'
    >>> plt.close(fig)
    """
    # duck-typed, so that this plotting module does not import the merging package: an extracted automaton
    # carries its reachable machine as ``.machine``; a machine has transitions, outputs, initial, n_states
    machine = getattr(machine, "machine", machine)
    if not all(hasattr(machine, a) for a in ("transitions", "outputs", "initial", "n_states")):
        raise TypeError(f"machine must be a MooreMachine or an extracted Automaton, got {type(machine).__name__}")
    n = machine.n_states
    ang = 2 * np.pi * np.arange(n) / max(n, 1) + np.pi / 2
    xy = np.stack([np.cos(ang), np.sin(ang)], axis=1) * (0.0 if n == 1 else 1.0)
    small = n <= max_labels
    colors = {0: "tab:blue", 1: "tab:orange", -1: "0.6"}
    for q in range(n):
        for a, style in ((0, "-"), (1, "--")):
            r = int(machine.transitions[q, a])
            if r < 0:
                continue
            if r == q:
                ax.add_patch(plt.Circle(xy[q] * 1.18, 0.12 if small else 0.04, fill=False, linestyle=style, linewidth=0.6,
                                        color="0.4"))
                continue
            ax.annotate("", xy=xy[r], xytext=xy[q], arrowprops=dict(arrowstyle="->", linestyle=style, linewidth=0.6 if small else 0.2,
                                                                  color="0.3", shrinkA=6, shrinkB=6,
                                                                  connectionstyle="arc3,rad=0.15"))
            if small:
                mid = 0.5 * (xy[q] + xy[r]) + 0.08 * np.array([-(xy[r] - xy[q])[1], (xy[r] - xy[q])[0]])
                ax.text(*mid, str(a), fontsize=7, ha="center", va="center")
    ax.scatter(xy[:, 0], xy[:, 1], s=120 if small else 6, c=[colors.get(int(o), "0.6") for o in machine.outputs], zorder=3)
    ax.scatter(*xy[machine.initial], s=260 if small else 30, facecolors="none", edgecolors="k", zorder=4)
    if small:
        for q in range(n):
            ax.text(*xy[q], str(q), fontsize=7, ha="center", va="center", color="w", zorder=5)
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.45, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or f"{n} states", fontsize=9)


def explore_panel(*, family: str = "inverse_exponential", T: int = 6, delta: float = 1.0, lam: float = 0.8,
                  kappa: float = 0.0, init: float = 0.1, lr: float = 0.01, steps: int = 3000, seed: int = 0):
    """Interactive-exploration panel (``notebooks/explore.ipynb``): one mode's ODE trajectory (dashed),
    full-matrix gradient descent on an aligned network (solid), and the profile energy ``E*(b)``
    (theory guide :ref:`theory-profile-energy`; Proca et al. (2025), App. H) with the point the flow reached.

    ``family="dirac"`` uses ``β = delta``; ``kappa > 0`` puts a feedforward last step ``s_T = κ``
    on the other families.  Returns the figure.

    Parameters
    ----------
    family : {"constant", "inverse_exponential", "exponential", "dirac"}
        Task family (theory guide :ref:`theory-task-families`).
    T : int
        Sequence length.
    delta, lam, kappa : float
        Task parameters.
    init : float
        Initial mode value ``a = b = c``.
    lr : float
        Learning rate of gradient descent.
    steps : int
        Number of gradient-descent steps (ODE time ``steps·lr``).
    seed : int

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: trajectories (left), profile energy (right).

    Raises
    ------
    TypeError, ValueError
        Unknown ``family``, or task or simulation parameters out of range (raised by
        :mod:`lrnn_theory.tasks` and :func:`lrnn_theory.simulate_gd`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lrnn_theory.plot import explore_panel
    >>> fig = explore_panel(T=3, lr=0.1, steps=30)
    >>> len(fig.axes), fig.axes[1].get_ylabel()
    (2, 'E*(b)')
    >>> plt.close(fig)
    """
    from . import tasks
    from ._validation import check_choice
    from .closed_forms import fixed_point
    from .data import make_dataset
    from .integrate import integrate_modes
    from .landscape import profile_energy
    from .sim import simulate_gd

    check_choice("family", family, ("constant", "inverse_exponential", "exponential", "dirac"))
    if family == "dirac":
        s = tasks.dirac(T, delta, kappa if kappa > 0 else 1.0)
    elif kappa > 0:
        s = tasks.modified(family, T, delta, lam, kappa)
    else:
        s = tasks.make_task(family, T, delta, lam)
    data = make_dataset(s, 1, 1, T, seed=seed)
    run = simulate_gd(data, 1, lr=lr, steps=steps, scale=init, seed=seed, record_every=max(1, steps // 300))
    sol = integrate_modes(s, init, init, init, run.time)
    modes = run.modes()
    fp = fixed_point(s)
    fig, (ax_t, ax_e) = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    theory_vs_simulation(ax_t, sol.t, sol.b, run.time, modes.b[:, 0], color="C0", label="b")
    theory_vs_simulation(ax_t, sol.t, sol.u, run.time, modes.u[:, 0], color="C3", label="u = ac")
    reference_line(ax_t, float(fp.b))
    reference_line(ax_t, float(fp.u))
    ax_t.set_xlabel("learning time t / τ  (steps × lr)")
    ax_t.set_title(f"{family}, T={T}: solid GD, dashed ODE" + ("  [GD diverged]" if run.diverged else ""))
    ax_t.legend(frameon=False)
    bgrid = np.linspace(-1.5, 3.0, 901)
    ax_e.plot(bgrid, profile_energy(bgrid, s), color="k")
    fin = sol.final()
    ax_e.plot([float(fin.b)], [float(profile_energy(float(fin.b), s))], "o", color="C3", label="reached by the ODE")
    ax_e.plot([float(fp.b)], [float(fp.energy)], "x", color="C2", label="global minimiser")
    ax_e.set_xlabel("b")
    ax_e.set_ylabel("E*(b)")
    ax_e.legend(frameon=False)
    return fig
