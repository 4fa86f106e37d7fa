"""Parameter sweeps on any executor, cached and labelled (xarray).

:func:`sweep` evaluates a function over a grid of parameters on any
:class:`concurrent.futures.Executor` — a local process pool by default, a
``dask.distributed`` cluster through ``client.get_executor()`` — and returns
an :class:`xarray.Dataset` whose dimensions are the grid axes.

Design
------
* **Chunks.** Points are grouped into chunks (one task per chunk) so that the
  per-task overhead stays small; with ``vectorized=True`` a chunk is one call
  of ``fn`` on arrays of parameter values (how batched theory, e.g.
  :func:`lrnn_theory.integrate_modes`, sweeps 10⁴ points in seconds).
* **Seeds.** Each point's seed is derived from ``seed`` and the point's
  parameters (:func:`point_seed`), never from its position, its chunk or the
  order of completion: results are identical on every executor.
* **Cache.** With ``cache=<folder>`` each point is stored under a content hash
  of (function identity and source, parameters, seed, package version) as an
  ``.npz`` written atomically (temporary file, then rename) with its key and a
  checksum inside; a rerun reuses finished points, an interrupted sweep
  resumes, and a corrupt or foreign file is recomputed, never trusted.
* **Submit as you go.** At most a small window of chunks is pending at any
  time (one for ``"serial"``, which therefore runs each chunk only after the
  previous one is cached; about two per worker otherwise).  Each chunk is
  cached and counted on the progress bar the moment it finishes, so a run
  killed at any moment (``SIGKILL``, out of memory) loses only the chunks
  that were running, and a rerun recomputes only the points not yet cached.
* **Interrupts.** ``KeyboardInterrupt`` (Ctrl-C) and ``SystemExit`` are never
  captured: the sweep cancels the chunks it submitted that have not started,
  stops the worker processes of the pool it created itself (a pool passed in
  by the caller is left running; only its pending sweep tasks are
  cancelled), keeps everything already cached and re-raises.
"""
from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import inspect
import itertools
import json
import math
import multiprocessing
import numbers
import os
import pickle
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ._io import atomic_write, writable_folder
from ._validation import check_int, check_seed
from ._version import __version__

__all__ = ["Replicated", "SweepError", "default_executor", "point_seed", "sweep"]


class Replicated(functools.partial):
    """``func`` with fixed keywords, for grids with a ``replicate`` axis that only varies the seed.

    ``Replicated(func, **fixed)(replicate=r, seed=s, **params)`` calls
    ``func(**params, **fixed, seed=s mod 2³¹)``: the replicate index reaches ``func`` only through
    the per-point seed that :func:`sweep` derives from all parameters.  A ``functools.partial``,
    so the cache identity includes ``func`` and the fixed keywords (user guide :ref:`guide-sweeps`).

    Examples
    --------
    The ``replicate`` index is dropped; the seed reaches ``func`` reduced modulo ``2³¹``:

    >>> def run(x, seed):
    ...     return x + seed
    >>> f = Replicated(run, x=1)
    >>> f(replicate=3, seed=2 ** 31 + 5)
    6
    >>> f.func is run, f.keywords
    (True, {'x': 1})
    """

    def __call__(self, /, *, replicate, seed, **params):
        return self.func(*self.args, **{**self.keywords, **params}, seed=int(seed) % (2 ** 31))


class SweepError(RuntimeError):
    """``fn`` raised at one point; ``params`` names it.  Finished points are already cached.

    Attributes
    ----------
    params : dict or None
        Parameters of the failing point (None when not attributable to one point).

    Examples
    --------
    >>> def fail(x):
    ...     raise ArithmeticError("no")
    >>> try:
    ...     sweep(fail, {"x": [1, 2]}, executor="serial", progress=False)
    ... except SweepError as err:
    ...     print(err.params, isinstance(err, RuntimeError))
    {'x': 1} True
    """

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message)
        self.params = params


# ----------------------------------------------------------------------------- executors
def _worker_init() -> None:
    import sys

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    if "numba" not in sys.modules:
        os.environ["NUMBA_NUM_THREADS"] = "1"
    # else: the spawn preparation (re-importing the caller's main module) already imported numba, whose
    # configuration then holds the default thread count; changing the variable now would make numba's
    # next compilation (a cold cache) fail with "Cannot set NUMBA_NUM_THREADS ... once the threads
    # have been launched".  set_num_threads limits the threads a kernel uses either way.
    try:
        import numba

        numba.set_num_threads(1)
    except Exception:  # pragma: no cover - numba absent
        pass


def default_executor(max_workers: int | None = None) -> cf.ProcessPoolExecutor:
    """A process pool over the local cores with one BLAS/numba thread per worker ("spawn" start).

    Parameters
    ----------
    max_workers : int >= 1, optional
        Number of worker processes (default: ``os.cpu_count()``).

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor
        The caller shuts it down (or uses it as a context manager).

    Raises
    ------
    TypeError
        ``max_workers`` is not an integer.
    ValueError
        ``max_workers < 1``.

    Examples
    --------
    Workers start only when a task is submitted:

    >>> ex = default_executor(2)
    >>> type(ex).__name__, ex._max_workers
    ('ProcessPoolExecutor', 2)
    >>> ex.shutdown()
    """
    n = (os.cpu_count() or 1) if max_workers is None else check_int("max_workers", max_workers, minimum=1)
    return cf.ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init)


class _Serial(cf.Executor):
    """In-process executor (``executor="serial"``).

    ``submit`` runs the call at once; :func:`sweep` submits one chunk at a time, so each
    chunk is cached before the next starts.  Only ``Exception`` is handed over through the
    future: ``KeyboardInterrupt`` and ``SystemExit`` propagate from ``submit`` immediately.
    """

    def submit(self, fn, /, *args, **kwargs):
        fut = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller through the future
            fut.set_exception(exc)
        return fut


def _n_workers(executor) -> int:
    """Parallel slots of ``executor``: ``_max_workers`` of a local pool, the total threads of a
    ``dask.distributed`` cluster behind ``client.get_executor()``, else the local core count."""
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            total = sum(int(v) for v in client.nthreads().values())
            if total > 0:
                return total
        except Exception:  # pragma: no cover - cluster not reachable: fall back
            pass
    return os.cpu_count() or 1


def _stop_own_pool(executor: cf.ProcessPoolExecutor) -> None:
    """Shut down a pool created by :func:`sweep` without waiting for running chunks: cancel what
    has not started and terminate the workers (their unfinished chunks are lost, never cached)."""
    procs = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        try:
            proc.terminate()
        except Exception:  # pragma: no cover - already gone
            pass


# ----------------------------------------------------------------------------- grid handling
def _canonical(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"grid values must be numbers, bools or strings, got {type(value).__name__} {value!r}")


def _axis_kind(name: str, values) -> list:
    vals = list(values)
    if not vals:
        raise ValueError(f"grid axis {name!r} is empty")
    try:
        canon = [_canonical(v) for v in vals]
    except TypeError as exc:
        raise TypeError(f"grid axis {name!r}: {exc}") from None
    kinds = {"str" if isinstance(v, str) else "bool" if isinstance(v, bool) else "num" for v in canon}
    if len(kinds) > 1:
        raise TypeError(f"grid axis {name!r} mixes value types {sorted(kinds)}; use one type per axis")
    return canon


def _points(grid):
    """(dims, coords, list of parameter dicts, shape)."""
    if isinstance(grid, Mapping):
        if not grid:
            raise ValueError("grid must not be empty")
        dims = [str(k) for k in grid]
        coords = {d: _axis_kind(d, np.atleast_1d(np.asarray(grid[d], dtype=object)) if not isinstance(grid[d], str) else [grid[d]])
                  for d in dims}
        pts = [dict(zip(dims, combo)) for combo in itertools.product(*(coords[d] for d in dims))]
        return dims, coords, pts, tuple(len(coords[d]) for d in dims)
    if isinstance(grid, Sequence) and not isinstance(grid, str):
        if len(grid) == 0:
            raise ValueError("grid must not be empty")
        if not all(isinstance(p, Mapping) for p in grid):
            raise TypeError("grid must be a mapping name -> values or a list of parameter dicts")
        names = list(grid[0])
        for p in grid:
            if list(p) != names:
                raise ValueError(f"every parameter dict must have the same keys {names}, got {list(p)}")
        coords = {n: _axis_kind(n, [p[n] for p in grid]) for n in names}
        pts = [{n: coords[n][i] for n in names} for i in range(len(grid))]
        return ["point"], coords, pts, (len(grid),)
    raise TypeError(f"grid must be a mapping name -> values or a list of parameter dicts, got {type(grid).__name__}")


def _json(params: dict) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def point_seed(seed: int, params: dict) -> int:
    """Seed of one point: derived from ``seed`` and the point's parameters only (stable across runs,
    processes, executors and chunkings; not Python's salted ``hash``).

    Parameters
    ----------
    seed : int >= 0
        Base seed of the sweep.
    params : dict
        The point's parameters (numbers, bools or strings); key order does not matter.

    Returns
    -------
    int
        A seed in ``[0, 2⁶³)``.

    Raises
    ------
    TypeError
        ``seed`` not an integer, or a parameter value that is not a number, bool or string.
    ValueError
        Negative ``seed``.

    Examples
    --------
    >>> a = point_seed(0, {"lr": 0.1, "T": 5})
    >>> a == point_seed(0, {"T": 5, "lr": 0.1}), a == point_seed(1, {"lr": 0.1, "T": 5})
    (True, False)
    >>> 0 <= a < 2 ** 63
    True
    """
    seed = check_seed("seed", seed)
    digest = hashlib.sha256(_json({k: _canonical(v) for k, v in params.items()}).encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]
    return int(np.random.SeedSequence([seed, *words]).generate_state(1, dtype=np.uint64)[0] >> 1)


def _fn_identity(fn) -> str:
    target = fn.func if hasattr(fn, "func") and hasattr(fn, "args") else fn  # functools.partial
    name = f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', type(target).__name__)}"
    try:
        src = inspect.getsource(target)
    except (OSError, TypeError):
        src = ""
    extra = ""
    if target is not fn:
        extra = repr((fn.args, sorted(fn.keywords.items())))
    return name + "|" + hashlib.sha256((src + extra).encode()).hexdigest()


def _accepts_seed(fn) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return "seed" in sig.parameters or any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())


# ----------------------------------------------------------------------------- cache
class _Cache:
    MAGIC = "lrnn_theory-sweep-v1"

    def __init__(self, folder: str, fn_id: str):
        self.folder = writable_folder(folder, "cache")
        self.fn_id = fn_id

    def key(self, params: dict, seed: int) -> str:
        blob = _json({"magic": self.MAGIC, "fn": self.fn_id, "params": params, "seed": seed, "version": __version__})
        return hashlib.sha256(blob.encode()).hexdigest()

    @staticmethod
    def _checksum(arrays: dict) -> str:
        h = hashlib.sha256()
        for k in sorted(arrays):
            a = np.ascontiguousarray(arrays[k])
            h.update(k.encode() + str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
        return h.hexdigest()

    def load(self, key: str):
        path = os.path.join(self.folder, key + ".npz")
        if not os.path.exists(path):
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["__meta__"]))
                arrays = {k: z[k] for k in z.files if k != "__meta__"}
            if meta.get("magic") != self.MAGIC or meta.get("key") != key or meta.get("checksum") != self._checksum(arrays):
                return None
            return arrays
        except Exception:  # corrupt, truncated or foreign: recompute
            return None

    def store(self, key: str, arrays: dict) -> None:
        meta = json.dumps({"magic": self.MAGIC, "key": key, "checksum": self._checksum(arrays)})
        with atomic_write(os.path.join(self.folder, key + ".npz"), "wb") as fh:
            np.savez(fh, __meta__=np.array(meta), **arrays)


# ----------------------------------------------------------------------------- evaluation
def _as_outputs(value) -> dict:
    if isinstance(value, Mapping):
        out = {str(k): np.asarray(v) for k, v in value.items()}
    else:
        out = {"value": np.asarray(value)}
    for k, v in out.items():
        if v.dtype == object or v.dtype.kind not in "biufc":
            raise TypeError(f"sweep outputs must be numbers or numeric arrays; output {k!r} has dtype {v.dtype}")
    return out


def _run_chunk(fn, points: list, seeds: list, vectorized: bool, pass_seed: bool) -> list:
    """Evaluate ``fn`` on a chunk; returns one dict of arrays per point (module level: picklable)."""
    if vectorized:
        kwargs = {k: np.array([p[k] for p in points]) for k in points[0]}
        if pass_seed:
            kwargs["seed"] = np.array(seeds, dtype=np.uint64)
        try:
            out = _as_outputs(fn(**kwargs))
        except Exception as exc:
            raise SweepError(f"fn raised {type(exc).__name__}: {exc} in the chunk starting at {points[0]}", points[0]) from exc
        n = len(points)
        for k, v in out.items():
            if v.ndim == 0 or v.shape[0] != n:
                raise SweepError(f"vectorized fn must return arrays with a leading axis of length {n} (one per point); "
                                 f"output {k!r} has shape {v.shape}", points[0])
        return [{k: v[i] for k, v in out.items()} for i in range(n)]
    results = []
    for p, s in zip(points, seeds):
        try:
            results.append(_as_outputs(fn(**p, seed=s) if pass_seed else fn(**p)))
        except Exception as exc:
            raise SweepError(f"fn raised {type(exc).__name__}: {exc} at point {p}", p) from exc
    return results


def sweep(
    fn: Callable,
    grid,
    *,
    executor=None,
    cache=None,
    progress: bool = True,
    seed: int = 0,
    chunksize: int | None = None,
    vectorized: bool = False,
):
    """Evaluate ``fn`` over a parameter grid and return a labelled :class:`xarray.Dataset`.

    How-to, locally and on a dask cluster: user guide :ref:`guide-sweeps`.

    Parameters
    ----------
    fn : callable
        ``fn(**params)`` (plus ``seed=`` if it accepts one) returning a
        number, an array, or a dict name -> number/array.  Must be picklable
        (a module-level function or a ``functools.partial`` of one) for process
        or cluster executors.
    grid : mapping name -> values, or list of dicts
        A mapping gives the full Cartesian product (dimensions in mapping
        order); a list of parameter dicts gives one dimension ``"point"``.
    executor : concurrent.futures.Executor, "serial", or None
        None: a local process pool (:func:`default_executor`, shut down
        afterwards; on an interrupt its workers are terminated at once);
        ``"serial"``: in-process, one chunk at a time; any ``Executor`` (e.g.
        ``dask.distributed.Client(...).get_executor()``) is used as given and
        never shut down by ``sweep``.
    cache : str or os.PathLike, optional
        Folder of per-point results (see module docstring), written as each
        chunk finishes: rerunning the same call after a crash or an interrupt
        recomputes only the points not yet cached.
    progress : bool
        Show a tqdm progress bar (points done, cached, remaining); it advances
        as each chunk finishes.
    seed : int
        Base seed; each point gets :func:`point_seed` ``(seed, params)``.
    chunksize : int, optional
        Points per task (default: about 4 chunks per worker, at most 256 points).
    vectorized : bool
        ``fn`` takes 1-D arrays of parameter values (one entry per point of the
        chunk; ``seed`` as a uint64 array) and returns arrays with that leading axis.

    Returns
    -------
    xarray.Dataset
        One variable per output, dimensions = grid axes (+ ``<name>_dim<i>``
        for array outputs); attrs: ``fn``, ``seed``, ``grid`` (JSON),
        ``lrnn_theory_version``.

    Raises
    ------
    SweepError
        ``fn`` raised at a point (its parameters are in the message and in ``.params``);
        raised after every other chunk has run and been cached.
    KeyboardInterrupt
        Ctrl-C: never captured.  Chunks not yet started are cancelled, the pool created
        by ``sweep`` is stopped without waiting, what is cached stays cached.
    TypeError
        ``fn`` not callable (or not picklable for a process or cluster executor), a grid value of
        another type than number, bool or string, outputs that are not numeric.
    ValueError
        An empty grid or axis, an unknown ``executor`` string, ``chunksize < 1``.

    Examples
    --------
    A 3 × 1 grid evaluated in-process; the result is labelled by the grid axes:

    >>> from lrnn_theory.sweep import sweep
    >>> ds = sweep(pow, {"base": [1, 2, 3], "exp": [2]}, executor="serial", progress=False)
    >>> dict(ds.sizes), ds["value"].sel(exp=2).values.tolist()
    ({'base': 3, 'exp': 1}, [1, 4, 9])

    A list of parameter dicts gives one ``point`` dimension:

    >>> ds = sweep(pow, [{"base": 2, "exp": 3}, {"base": 3, "exp": 2}], executor="serial", progress=False)
    >>> ds["value"].values.tolist(), ds["base"].values.tolist()
    ([8, 9], [2, 3])
    """
    import xarray as xr
    from tqdm.auto import tqdm

    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    seed = check_seed("seed", seed)
    if not isinstance(vectorized, (bool, np.bool_)):
        raise TypeError(f"vectorized must be a bool, got {vectorized!r}")
    dims, coords, points, shape = _points(grid)
    pass_seed = _accepts_seed(fn)
    seeds = [point_seed(seed, p) for p in points]
    store = _Cache(cache, _fn_identity(fn)) if cache is not None else None
    keys = [store.key(p, s) for p, s in zip(points, seeds)] if store else None

    results: list = [None] * len(points)
    n_cached = 0
    if store:
        for i, k in enumerate(keys):
            hit = store.load(k)
            if hit is not None:
                results[i] = hit
                n_cached += 1
    todo = [i for i, r in enumerate(results) if r is None]

    own_executor = False
    if executor is None and todo:
        executor = default_executor()
        own_executor = True
    elif isinstance(executor, str):
        if executor != "serial":
            raise ValueError(f"executor must be an Executor, 'serial' or None, got {executor!r}")
        executor = _Serial()
    elif executor is not None and not isinstance(executor, cf.Executor):
        raise TypeError(f"executor must be a concurrent.futures.Executor, 'serial' or None, got {type(executor).__name__}")
    if todo and not isinstance(executor, _Serial):
        try:
            pickle.dumps(fn)
        except Exception as exc:
            if own_executor:
                executor.shutdown()
            raise TypeError(f"fn cannot be pickled for a process or cluster executor ({exc}); define it at module "
                            "top level (or use functools.partial of a top-level function), or pass executor='serial'") from None
    workers = _n_workers(executor)
    if chunksize is None:
        chunksize = max(1, min(256, math.ceil(len(todo) / (4 * workers)))) if todo else 1
    else:
        chunksize = check_int("chunksize", chunksize, minimum=1)
    chunks = iter([todo[i:i + chunksize] for i in range(0, len(todo), chunksize)])
    # Submit as you go: at most `window` chunks pending, each cached and counted when it finishes.
    window = 1 if isinstance(executor, _Serial) else 2 * workers + 2

    bar = tqdm(total=len(points), initial=n_cached, disable=not progress, desc="sweep", unit="pt")
    bar.set_postfix(cached=n_cached)
    pending: dict = {}
    error = None

    def fill() -> None:
        nonlocal chunks, error
        while len(pending) < window:
            ch = next(chunks, None)
            if ch is None:
                return
            try:
                fut = executor.submit(_run_chunk, fn, [points[i] for i in ch], [seeds[i] for i in ch], vectorized, pass_seed)
            except Exception as exc:  # executor shut down or broken: submit nothing more
                error = error or SweepError(f"could not submit the chunk starting at {points[ch[0]]}: "
                                            f"{type(exc).__name__}: {exc}", points[ch[0]])
                chunks = iter(())
                return
            pending[fut] = ch

    try:
        fill()
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: pending[f][0]):
                ch = pending.pop(fut)
                try:
                    outs = fut.result()
                except SweepError as exc:  # fn raised: keep going, so that every other point is cached
                    error = error or exc
                    continue
                except Exception as exc:  # worker crash, unpicklable result, ...
                    error = error or SweepError(f"chunk starting at {points[ch[0]]} failed: {type(exc).__name__}: {exc}",
                                                points[ch[0]])
                    continue
                for i, out in zip(ch, outs):
                    results[i] = out
                    if store:
                        store.store(keys[i], out)
                bar.update(len(ch))
            fill()
        if error is not None:
            raise error
    except BaseException:  # Ctrl-C, SystemExit, a failing cache write: stop now, keep the cache
        for fut in pending:
            fut.cancel()  # only the futures this sweep submitted; running ones cannot be cancelled
        if own_executor and pending:
            _stop_own_pool(executor)
            own_executor = False
        raise
    finally:
        bar.close()
        if own_executor:
            executor.shutdown(cancel_futures=True)

    names = list(results[0])
    data_vars = {}
    for name in names:
        arrs = [r[name] for r in results]
        shapes = {a.shape for a in arrs}
        if len(shapes) != 1:
            raise SweepError(f"output {name!r} has different shapes across points: {sorted(shapes)}")
        stacked = np.stack(arrs).reshape(shape + arrs[0].shape)
        extra = [f"{name}_dim{i}" for i in range(arrs[0].ndim)]
        data_vars[name] = (dims + extra, stacked)
    if dims == ["point"]:
        xcoords = {"point": np.arange(len(points)), **{n: ("point", np.asarray(v)) for n, v in coords.items()}}
    else:
        xcoords = {d: np.asarray(coords[d]) for d in dims}
    name = getattr(fn, "__qualname__", type(fn).__name__)
    attrs = {"fn": f"{getattr(fn, '__module__', '?')}.{name}", "seed": seed, "grid": json.dumps(coords),
             "lrnn_theory_version": __version__}
    return xr.Dataset(data_vars, coords=xcoords, attrs=attrs)
