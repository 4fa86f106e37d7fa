"""Running figures: context, executors, atomic output of images and numbers."""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _jit
from .._io import writable_folder
from ._data import Mismatch, Tolerance, compare, read_data, write_data

__all__ = ["FigureCheck", "FigureContext", "FigureRecord", "check_figures", "figure_groups", "main", "run_figures"]


@dataclass(frozen=True)
class FigureContext:
    """What a figure's ``compute`` may depend on besides the library.

    Attributes
    ----------
    quick : bool
        Reduced grids and step counts (tests, ``--quick``).
    executor : concurrent.futures.Executor or None
        Where independent runs go (passed to :func:`lrnn_theory.sweep.sweep`);
        None runs serially in-process.
    progress : bool
        Show progress bars.
    seed : int
        Base seed; figures derive every random draw from it.
    shared : dict
        Results shared between the figures of one invocation (see :meth:`shared_result`).

    Examples
    --------
    A figure module's ``compute(ctx)`` receives one; shared results are computed once:

    >>> from lrnn_theory.figures import FigureContext
    >>> ctx = FigureContext(quick=True, progress=False)
    >>> calls = []
    >>> ctx.shared_result("run", lambda: calls.append(1) or 42), ctx.shared_result("run", lambda: 0)
    (42, 42)
    >>> len(calls), ctx.quick, ctx.seed
    (1, True, 0)
    """

    quick: bool = False
    executor: Any = None
    progress: bool = True
    seed: int = 0
    shared: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self):
        from .._validation import check_seed

        for name in ("quick", "progress"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be a bool, got {getattr(self, name)!r}")
        object.__setattr__(self, "seed", check_seed("seed", self.seed))
        if not isinstance(self.shared, dict):
            raise TypeError(f"shared must be a dict, got {type(self.shared).__name__}")

    def shared_result(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute ``key`` once per context and share it between figures (e.g. one training run that
        several figures plot).  The store is this context's explicit ``shared`` dict: it lives for one
        ``lrnn-theory figures`` invocation (or one test module) and is never written to disk."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]


@dataclass(frozen=True)
class FigureRecord:
    """Outcome of one figure: the files written and the wall time.

    Attributes
    ----------
    name : str
        Figure name.
    paths : tuple of str
        Image(s), ``<name>.json`` and, for figures with grids, ``<name>.npz``.
    seconds : float
        Wall time of compute, draw and write.

    Examples
    --------
    :func:`run_figures` returns one per figure; constructed by hand:

    >>> from lrnn_theory.figures import FigureRecord
    >>> rec = FigureRecord(name="fig1", paths=("out/fig1.png", "out/fig1.json"), seconds=1.5)
    >>> rec.name, [p.rsplit(".", 1)[1] for p in rec.paths]
    ('fig1', ['png', 'json'])
    """

    name: str
    paths: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class FigureCheck:
    """Outcome of regenerating one figure and comparing its numbers with the stored ones.

    Attributes
    ----------
    name : str
        Figure name.
    mismatches : tuple of Mismatch
        Every differing entry (empty when the figure reproduces).
    tolerance : Tolerance
        The tolerance the figure declares (module attribute ``CHECK_TOLERANCE``).

    Examples
    --------
    :func:`check_figures` returns one per figure; ``ok`` is true when nothing differs:

    >>> from lrnn_theory.figures import FigureCheck, Mismatch, Tolerance
    >>> FigureCheck("fig1", (), Tolerance()).ok
    True
    >>> bad = FigureCheck("fig1", (Mismatch("data/loss", "shape (3,) vs (4,)"),), Tolerance())
    >>> bad.ok, str(bad.mismatches[0])
    (False, 'data/loss: shape (3,) vs (4,)')
    """

    name: str
    mismatches: tuple[Mismatch, ...]
    tolerance: Tolerance

    @property
    def ok(self) -> bool:
        return not self.mismatches


def tolerance_of(module) -> Tolerance:
    """The check tolerance a figure module declares (``CHECK_TOLERANCE``), else the default."""
    return getattr(module, "CHECK_TOLERANCE", Tolerance())


def _check_out(out: str) -> str:
    return writable_folder(out, "out")


@contextmanager
def _executor(jobs: int | None, scheduler: str | None):
    if scheduler:
        try:
            from dask.distributed import Client
        except ImportError:
            raise ValueError("scheduler: dask.distributed is not installed; pip install 'lrnn_theory[distributed]'") from None
        try:
            client = Client(scheduler)
        except Exception as exc:  # unreachable or malformed address: one line, not dask's traceback
            raise ValueError(f"scheduler: cannot connect to {scheduler!r} ({type(exc).__name__}: {exc}); expected the "
                             "address of a running dask scheduler, e.g. tcp://host:8786") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif jobs and jobs > 1:
        from ..sweep import default_executor

        ex = default_executor(jobs)
        try:
            yield ex
        finally:
            ex.shutdown(cancel_futures=True)
    else:
        yield None


def _check_run_arguments(names, jobs, seed, **flags):
    """``names`` as a list (one name may be given as a string), ``jobs`` and ``seed`` as ints, flags as bools."""
    from .._validation import check_int, check_seed

    if isinstance(names, str):
        names = [names]
    elif names is not None:
        try:
            names = list(names)
        except TypeError:
            raise TypeError(f"names must be a list of figure names, got {type(names).__name__} {names!r}") from None
        if not all(isinstance(n, str) for n in names):
            raise TypeError(f"names must be figure names (strings), got {names!r}")
    jobs = None if jobs is None else check_int("jobs", jobs, minimum=1)
    seed = check_seed("seed", seed)
    for flag, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{flag} must be a bool, got {value!r}")
    return names, jobs, seed


def run_figures(
    names: list[str] | None = None,
    *,
    out: str = "figures",
    quick: bool = False,
    full: bool = False,
    jobs: int | None = None,
    scheduler: str | None = None,
    formats: tuple[str, ...] = ("png",),
    progress: bool = True,
    seed: int = 0,
) -> list[FigureRecord]:
    """Compute, draw and write the selected figures.

    Parameters
    ----------
    names : list of str, optional
        Figure names (see :func:`lrnn_theory.figures.available`); default all
        core figures, plus the opt-in ones with ``full=True``.
    out : str
        Output folder (created; checked writable before any work starts).
    quick : bool
        Reduced grids and step counts.
    jobs : int, optional
        Local worker processes.  With several figures, the figures run in parallel, one process
        each (figures that share a result, such as the state-merging training run, stay in one
        process: :func:`figure_groups`); with a single figure (or group), its independent runs
        (sweep points) go to the workers instead.  None or 1: everything in this process.
    scheduler : str, optional
        dask scheduler address: the independent runs within figures go to the cluster.
    formats : tuple of str
        Image formats (``png``, ``pdf``, ``svg``).

    Returns
    -------
    list of FigureRecord
        In the order of ``names``, however the figures were scheduled.  Every figure computes the
        same numbers serially and in a pool (each derives its random draws from ``seed``).

    Raises
    ------
    ValueError
        An unknown figure name or image format, an output folder that cannot be written, or a
        ``scheduler`` without ``dask.distributed`` installed.

    See Also
    --------
    check_figures : regenerate and compare with stored numbers.

    Notes
    -----
    How to reproduce one figure, and the gallery of all of them: user guide
    :ref:`guide-reproduce-figure`, :ref:`gallery`.

    Examples
    --------
    Arguments are checked before any work starts:

    >>> from lrnn_theory.figures import run_figures
    >>> run_figures(["fig99"], out="unused")
    Traceback (most recent call last):
    ...
    ValueError: unknown figure 'fig99'; valid names: fig1, ...

    A real run takes about a second per quick figure (drawing and writing the PNG):

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as out:                         # doctest: +SKIP
    ...     recs = run_figures(["fig1"], out=out, quick=True, progress=False)
    ...     print([os.path.basename(p) for p in recs[0].paths])
    ['fig1.png', 'fig1.json']
    """
    from . import OPT_IN, REGISTRY

    names, jobs, seed = _check_run_arguments(names, jobs, seed, quick=quick, full=full, progress=progress)
    if names is None:
        names = [n for n in REGISTRY if full or n not in OPT_IN]
    for n in names:
        if n not in REGISTRY:
            raise ValueError(f"unknown figure {n!r}; valid names: {', '.join(REGISTRY)}")
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    for fmt in formats:
        if fmt not in ("png", "pdf", "svg"):
            raise ValueError(f"format: unknown image format {fmt!r}; expected png, pdf or svg")
    out = _check_out(out)
    groups = figure_groups(names)
    if jobs and jobs > 1 and not scheduler and len(groups) > 1:
        return _run_groups_in_pool(groups, names, min(jobs, len(groups)), out, quick, formats, progress, seed)
    records = []
    with _executor(jobs, scheduler) as ex:
        ctx = FigureContext(quick=quick, executor=ex, progress=progress, seed=seed)
        for n in names:
            rec = _render(n, ctx, out, formats)
            records.append(rec)
            if progress:
                _report(rec)
    return records


def figure_groups(names: list[str]) -> list[list[str]]:
    """Split figures into groups that must run in one process: figures sharing a result (module
    attribute ``SHARES``, e.g. the one training run of the state-merging figures) stay together,
    every other figure is a group of its own.  Order: first appearance in ``names``.

    Examples
    --------
    >>> from lrnn_theory.figures import figure_groups
    >>> figure_groups(["fig1", "merging-f1", "fig2", "merging-f2"])
    [['fig1'], ['merging-f1', 'merging-f2'], ['fig2']]
    """
    from . import load

    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(getattr(load(n), "SHARES", None) or n, []).append(n)
    return list(groups.values())


def _render(name: str, ctx: FigureContext, out: str, formats: tuple[str, ...]) -> FigureRecord:
    """Compute, draw and write one figure."""
    import matplotlib.pyplot as plt

    from ..plot import save_figure
    from . import load

    t0 = time.perf_counter()
    mod = load(name)
    # figure numbers come from the compiled kernels, even on a cold cache, and from one BLAS thread
    # whether the figure runs serially or in a pool worker: OpenBLAS's multi-threaded dgemm rounds
    # differently from its one-thread kernel on some CPUs (measured on an AMD EPYC: the streaming-parity
    # training run of the merging figures differs between 1 and 2 BLAS threads and is chaotic), so a
    # thread count that depended on the runner would make `--check` depend on `--jobs`.
    from threadpoolctl import threadpool_limits

    with _jit.compiled_only(), threadpool_limits(limits=1, user_api="blas"):
        data = mod.compute(ctx)
    fig = mod.draw(data)
    paths = []
    for fmt in formats:
        paths.append(save_figure(fig, os.path.join(out, f"{name}.{fmt}"), dpi=150, palette=True))
    plt.close(fig)
    paths += write_data(os.path.join(out, f"{name}.json"), {"figure": name, "title": mod.TITLE, "quick": ctx.quick},
                        data, grid_dtype=getattr(mod, "GRID_DTYPE", "float32"))
    return FigureRecord(name=name, paths=tuple(paths), seconds=time.perf_counter() - t0)


def _report(rec: FigureRecord) -> None:
    from . import load

    print(f"{rec.name}: {load(rec.name).TITLE} -> {', '.join(os.path.relpath(p) for p in rec.paths)} ({rec.seconds:.1f} s)",
          flush=True)


def _render_group(names: list[str], out: str, quick: bool, formats: tuple[str, ...], seed: int) -> list[FigureRecord]:
    """Worker side of :func:`_run_groups_in_pool`: one group, serially, with its own context."""
    ctx = FigureContext(quick=quick, executor=None, progress=False, seed=seed)
    return [_render(n, ctx, out, formats) for n in names]


def _run_groups_in_pool(groups, names, workers, out, quick, formats, progress, seed) -> list[FigureRecord]:
    """Run figure groups on a local process pool; records come back in ``names`` order.

    Each group runs serially in one worker (one BLAS and numba thread per worker), so a figure
    computes exactly what it computes in a serial run; the largest groups are submitted first.
    """
    import concurrent.futures as cf

    from ..sweep import default_executor

    pool = default_executor(workers)
    done: dict[str, FigureRecord] = {}
    try:
        futures = [pool.submit(_render_group, g, out, quick, formats, seed) for g in sorted(groups, key=len, reverse=True)]
        for fut in cf.as_completed(futures):
            for rec in fut.result():
                done[rec.name] = rec
                if progress:
                    _report(rec)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [done[n] for n in names]


def check_figures(names: list[str] | None = None, *, reference: str = "figures", quick: bool = False,
                  full: bool = False, jobs: int | None = None, scheduler: str | None = None,
                  progress: bool = True, seed: int = 0) -> list[FigureCheck]:
    """Regenerate figures into a temporary folder and compare their numbers with ``reference``.

    Each figure is compared within the tolerance its module declares (``CHECK_TOLERANCE``, a
    :class:`~lrnn_theory.figures.Tolerance`); a figure missing from ``reference``, or stored in
    the other mode (quick vs full), is a mismatch.  Arguments as in :func:`run_figures`.

    Returns
    -------
    list of FigureCheck
        One per figure, in run order.

    Raises
    ------
    ValueError
        ``reference`` is not a folder, or a stored file is damaged (named; raised before any figure
        is computed); otherwise as :func:`run_figures`.

    Examples
    --------
    >>> from lrnn_theory.figures import check_figures
    >>> check_figures(["fig1"], reference="no/such/folder")
    Traceback (most recent call last):
    ...
    ValueError: reference: no folder 'no/such/folder' to compare with

    Against the committed numbers (about a second per figure, as ``lrnn-theory figures --check``):

    >>> checks = check_figures(["fig1"], reference="figures", progress=False)  # doctest: +SKIP
    >>> [(c.name, c.ok) for c in checks]                                         # doctest: +SKIP
    [('fig1', True)]
    """
    import tempfile

    from . import OPT_IN, REGISTRY, load

    names, jobs, seed = _check_run_arguments(names, jobs, seed, quick=quick, full=full, progress=progress)
    if not os.path.isdir(reference):
        raise ValueError(f"reference: no folder {reference!r} to compare with")
    # read the stored numbers first: a damaged file is reported (ValueError naming it) before any work
    selected = names if names is not None else [n for n in REGISTRY if full or n not in OPT_IN]
    stored_docs = {n: read_data(os.path.join(reference, f"{n}.json")) for n in selected
                   if n in REGISTRY and os.path.lexists(os.path.join(reference, f"{n}.json"))}
    with tempfile.TemporaryDirectory(prefix="lrnn-figures-check-") as tmp:
        records = run_figures(names, out=tmp, quick=quick, full=full, jobs=jobs, scheduler=scheduler,
                              progress=progress, seed=seed)
        checks = []
        for rec in records:
            tol = tolerance_of(load(rec.name))
            stored = os.path.join(reference, f"{rec.name}.json")
            if rec.name not in stored_docs:
                mism = (Mismatch(rec.name, f"no stored data at {stored}"),)
            else:
                new, old = read_data(os.path.join(tmp, f"{rec.name}.json")), stored_docs[rec.name]
                mism = tuple(compare(new, old, tol))
            checks.append(FigureCheck(name=rec.name, mismatches=mism, tolerance=tol))
    return checks


def _jobs(jobs: int | None) -> int:
    """``--jobs`` of the command line: default all local cores."""
    return (os.cpu_count() or 1) if jobs is None else jobs


def main(args) -> int:
    """``lrnn-theory figures`` (arguments parsed by :mod:`lrnn_theory.cli`)."""
    from . import OPT_IN, REGISTRY, load

    if args.list:
        width = max(map(len, REGISTRY))
        for n in REGISTRY:
            print(f"{n:{width}s} {'[opt-in] ' if n in OPT_IN else ''}{load(n).TITLE}")
        return 0
    names = None if args.only is None else [x.strip() for x in args.only.split(",") if x.strip()]
    formats = tuple(x.strip() for x in args.format.split(",") if x.strip())
    t0 = time.perf_counter()
    if args.check:
        checks = check_figures(names, reference=args.out, quick=args.quick, full=args.full, jobs=_jobs(args.jobs),
                               scheduler=args.scheduler, progress=False)
        bad = [c for c in checks if not c.ok]
        for c in checks:
            print(f"{c.name}: {'reproduces' if c.ok else f'{len(c.mismatches)} entries differ'}", flush=True)
            for m in c.mismatches[:20]:
                print(f"MISMATCH {c.name}: {m}", flush=True)
        print(f"checked {len(checks)} figure(s) against {args.out}/ in {time.perf_counter() - t0:.1f} s: "
              + (f"{len(bad)} differ ({', '.join(c.name for c in bad)})" if bad else "all reproduce"))
        return 1 if bad else 0
    recs = run_figures(names, out=args.out, quick=args.quick, full=args.full, jobs=_jobs(args.jobs),
                       scheduler=args.scheduler, formats=formats)
    print(f"{len(recs)} figure(s) in {time.perf_counter() - t0:.1f} s")
    return 0
