"""The paper's figures, one module per figure, registered by name (theory guide :ref:`gallery`).

Every figure module defines

* ``TITLE`` (str): one line saying what the figure shows;
* ``compute(ctx: FigureContext) -> dict``: all the numbers the figure plots
  (NumPy arrays / scalars / nested dicts), computed by calling the library;
  ``ctx.quick`` selects reduced grids and step counts;
* ``draw(data: dict) -> matplotlib.figure.Figure``: drawing only.

:func:`run_figures` writes ``<name>.<fmt>`` and the numbers, ``<name>.json`` (compact JSON) plus
``<name>.npz`` for figures with grids, atomically into the output folder (see
:func:`read_data`).  A module may declare ``CHECK_TOLERANCE`` (a :class:`Tolerance`) for
:func:`check_figures` / ``lrnn-theory figures --check``, and ``GRID_DTYPE`` for its stored grids.  The registry is a static mapping from
name to module, so listing figures imports nothing heavy.
"""
from __future__ import annotations

from ._data import Mismatch, Tolerance, read_data
from ._runner import FigureCheck, FigureContext, FigureRecord, check_figures, figure_groups, main, run_figures

__all__ = ["REGISTRY", "OPT_IN", "FigureCheck", "FigureContext", "FigureRecord", "Mismatch", "Tolerance",
           "available", "check_figures", "figure_groups", "load", "main", "read_data", "run_figures"]

#: Figure name -> module (relative to this package).  Order is the default run order.
REGISTRY = {
    "fig1": ".fig1",
    "fig2": ".fig2",
    "fig3": ".fig3",
    "fig4": ".fig4",
    "fig5": ".fig5",
    "fig6": ".fig6",
    "figA1": ".figA1",
    "figA2": ".figA2",
    "figA3": ".figA3",
    "memory-f1": ".memory_f1",
    "memory-f2": ".memory_f2",
    "memory-f3": ".memory_f3",
    "memory-f4": ".memory_f4",
    "memory-f5": ".memory_f5",
    "memory-f6": ".memory_f6",
    "memory-f7": ".memory_f7",
    "memory-f8": ".memory_f8",
    "merging-f1": ".merging_f1",
    "merging-f2": ".merging_f2",
    "merging-f3": ".merging_f3",
    "merging-f4": ".merging_f4",
    "merging-f5": ".merging_f5",
    "merging-f6": ".merging_f6",
    "merging-f7": ".merging_f7",
    "merging-f8": ".merging_f8",
    "figB1": ".figB1",
    "figC1": ".figC1",
    "staircase": ".staircase",
}

#: Figures that run only with ``--full`` or when named with ``--only``.
OPT_IN: tuple[str, ...] = ("memory-f5", "memory-f8", "merging-f5")


def available() -> list[str]:
    """Names of the registered figures, in run order (the gallery, :ref:`gallery`, shows each).

    Returns
    -------
    list of str
        The keys of :data:`REGISTRY`; the opt-in ones are also in :data:`OPT_IN`.

    Examples
    --------
    >>> from lrnn_theory.figures import OPT_IN, available
    >>> names = available()
    >>> names[:3], "memory-f1" in names, set(OPT_IN) <= set(names)
    (['fig1', 'fig2', 'fig3'], True, True)
    """
    return list(REGISTRY)


def load(name: str):
    """Import and return the module of figure ``name``.

    Parameters
    ----------
    name : str
        A name of :func:`available`.

    Returns
    -------
    module
        With ``TITLE``, ``compute(ctx)`` and ``draw(data)`` (see the package docstring).

    Raises
    ------
    ValueError
        ``name`` is not a registered figure; the message lists the valid names.

    Examples
    --------
    >>> from lrnn_theory.figures import FigureContext, load
    >>> mod = load("fig1")
    >>> mod.__name__, callable(mod.compute), callable(mod.draw)
    ('lrnn_theory.figures.fig1', True, True)
    >>> data = mod.compute(FigureContext(quick=True, progress=False))   # the numbers it plots
    >>> isinstance(data, dict)
    True
    >>> load("fig99")
    Traceback (most recent call last):
    ...
    ValueError: unknown figure 'fig99'; valid names: fig1, ...
    """
    import importlib

    if name not in REGISTRY:
        raise ValueError(f"unknown figure {name!r}; valid names: {', '.join(REGISTRY)}")
    return importlib.import_module(REGISTRY[name], __name__)
