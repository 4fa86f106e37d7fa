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
  of (what ``fn`` computes, as far as it can be hashed: code, defaults, closure
  variables, module constants, instance state, partial arguments, arrays by
  their bytes; the point's parameters and seed; the package version; the
  caller's ``cache_key``) as an ``.npz`` written atomically (temporary file,
  then rename) with its key and a checksum inside; a rerun reuses finished
  points, an interrupted sweep resumes, and a damaged or foreign entry
  (truncated, garbage, a directory in its place) is recomputed and
  overwritten, never trusted.  ``refresh=True`` recomputes every point.
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
import shutil
import types
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool

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

    >>> from lrnn_theory.sweep import Replicated
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
    >>> from lrnn_theory.sweep import SweepError, sweep
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

    >>> from lrnn_theory.sweep import default_executor
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
        for p in grid:  # the same keys in any order
            if len(p) != len(names) or set(p) != set(names):
                raise ValueError(f"every parameter dict must have the same keys {sorted(map(str, names))}, "
                                 f"got {sorted(map(str, p))}")
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
    >>> from lrnn_theory.sweep import point_seed
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


# ----------------------------------------------------------------------------- cache identity of fn
_PLAIN = (type(None), bool, int, float, complex, str, bytes)


def _library_roots() -> tuple[str, ...]:
    import site
    import sysconfig

    paths = {sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    try:
        paths.update(site.getsitepackages())
        paths.add(site.getusersitepackages())
    except Exception:  # pragma: no cover - embedded interpreters without site
        pass
    return tuple(os.path.realpath(p) + os.sep for p in paths if p)


def _is_library(module_name, roots: tuple[str, ...]) -> bool:
    """True for installed or standard-library modules (and built-in ones): their code is identified
    by name (and versions), not walked.  The user's own modules (a script, ``__main__``, a package
    installed in editable mode) are walked."""
    import sys

    mod = sys.modules.get(module_name) if isinstance(module_name, str) else None
    if mod is None or module_name == "__main__":  # code made by exec, a script, an interactive session
        return False
    path = getattr(mod, "__file__", None)
    return path is None or os.path.realpath(path).startswith(roots)


def _is_data(obj, depth: int = 0) -> bool:
    """Plain data (numbers, strings, numeric arrays and containers of them): module constants of this
    kind that ``fn`` reads are part of its cache key."""
    if type(obj) in _PLAIN or isinstance(obj, np.generic):
        return True
    if isinstance(obj, np.ndarray):
        return not obj.dtype.hasobject
    if depth > 20:
        return False
    if type(obj) in (tuple, list, set, frozenset):
        return all(_is_data(v, depth + 1) for v in obj)
    if type(obj) is dict:
        return all(_is_data(k, depth + 1) and _is_data(v, depth + 1) for k, v in obj.items())
    return False


def _code_names(code, out: set) -> set:
    out.update(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _code_names(c, out)
    return out


class _Fingerprint:
    """SHA-256 over everything that decides what a callable computes and can be hashed.

    Functions: bytecode with constants (nested code objects included), defaults, keyword defaults,
    closure cells, and the module-level names their code reads that are plain data or functions and
    classes of the same module (walked the same way).  Callable objects: their class (the code of its
    methods) and their state (``__dict__``/``__slots__``, through the pickle protocol).
    ``functools.partial``: its function, arguments and keywords.  Arrays: dtype, shape and bytes.
    Library code (the standard library and installed packages) is identified by qualified name and the
    version of its top-level package (Python's version for built-ins).
    Anything else that cannot be reduced to such parts (locks, open files, generators) is *opaque*:
    a ``TypeError`` naming it, or, with ``allow_opaque``, recorded in :attr:`opaque` and identified
    by its type only (the caller's ``cache_key`` stands for it).
    """

    def __init__(self, allow_opaque: bool = False, roots: tuple[str, ...] | None = None):
        self.roots = _library_roots() if roots is None else roots
        self.h = hashlib.sha256()
        self.memo: dict[int, int] = {}
        self.keep: list = []  # keeps walked objects alive, so that their ids stay unique
        self.allow_opaque = allow_opaque
        self.opaque: list[str] = []

    def hexdigest(self) -> str:
        return self.h.hexdigest()

    def feed(self, tag: str, data: bytes = b"") -> None:
        self.h.update(tag.encode() + b"\0" + len(data).to_bytes(8, "little") + data)

    def _opaque(self, obj, path: str, reason: str) -> None:
        what = f"{type(obj).__module__}.{type(obj).__qualname__}"
        if not self.allow_opaque:
            raise TypeError(
                f"sweep cache: cannot hash {path} (a {what} object: {reason}), so the cache key cannot tell "
                "whether fn's results changed; pass cache_key=<a string or numbers identifying it> to stand "
                "for it (and refresh=True once after changing it in a way cache_key does not capture), "
                "or run without cache")
        self.opaque.append(path)
        self.feed("opaque", what.encode())

    def walk(self, obj, path: str = "fn") -> None:
        if type(obj) in _PLAIN:
            data = obj if type(obj) is bytes else obj.encode("utf-8", "surrogatepass") if type(obj) is str else repr(obj).encode()
            self.feed(type(obj).__name__, data)
            return
        if id(obj) in self.memo:  # shared or cyclic reference
            self.feed("ref", str(self.memo[id(obj)]).encode())
            return
        self.memo[id(obj)] = len(self.memo)
        self.keep.append(obj)
        if type(obj) is np.ndarray:
            if obj.dtype.hasobject:
                self.feed("object-array", repr(obj.shape).encode())
                for i, v in enumerate(obj.ravel().tolist()):
                    self.walk(v, f"{path}[{i}]")
            else:
                self.feed("ndarray", repr((obj.dtype.descr, obj.shape)).encode())
                self.feed("bytes", np.ascontiguousarray(obj).tobytes())
        elif isinstance(obj, np.generic) and not isinstance(obj, np.object_):
            self.feed("numpy-scalar", repr(obj.dtype.descr).encode() + b"\0" + obj.tobytes())
        elif type(obj) in (tuple, list):
            self.feed(type(obj).__name__, str(len(obj)).encode())
            for i, v in enumerate(obj):
                self.walk(v, f"{path}[{i}]")
        elif type(obj) is dict:
            self.feed("dict", str(len(obj)).encode())
            for k, v in obj.items():
                self.walk(k, f"{path} key")
                self.walk(v, f"{path}[{k!r}]")
        elif type(obj) in (set, frozenset):  # iteration order varies between processes: sort the parts
            parts = []
            for v in obj:
                sub = _Fingerprint(self.allow_opaque, self.roots)
                sub.walk(v, f"{path} element")
                self.opaque += sub.opaque
                parts.append(sub.hexdigest())
            self.feed(type(obj).__name__, "".join(sorted(parts)).encode())
        elif isinstance(obj, types.FunctionType):
            self._function(obj, path)
        elif isinstance(obj, types.CodeType):
            self._code(obj, path)
        elif isinstance(obj, types.MethodType):
            self.feed("method")
            self.walk(obj.__func__, f"{path}.__func__")
            self.walk(obj.__self__, f"{path}.__self__")
        elif isinstance(obj, functools.partial):
            self.feed("partial", _qualified(type(obj)).encode())
            if type(obj) is not functools.partial:
                self._class(type(obj), f"{path}.__class__")
            self.walk(obj.func, f"{path}.func")
            self.walk(tuple(obj.args), f"{path}.args")
            self.walk(dict(obj.keywords), f"{path}.keywords")
            if getattr(obj, "__dict__", None):
                self.walk(dict(obj.__dict__), f"{path}.__dict__")
        elif isinstance(obj, type):
            self._class(obj, path)
        elif isinstance(obj, types.ModuleType):
            self.feed("module", obj.__name__.encode())
        elif isinstance(obj, (types.BuiltinFunctionType, types.WrapperDescriptorType, types.MethodDescriptorType,
                              types.MethodWrapperType, types.ClassMethodDescriptorType, np.ufunc)):
            self.feed("builtin", f"{getattr(obj, '__module__', None)}.{getattr(obj, '__qualname__', obj.__name__)}".encode())
            self._library_version(getattr(obj, "__module__", None) or type(obj).__module__)
            owner = getattr(obj, "__self__", None)
            if owner is not None and not isinstance(owner, (types.ModuleType, type)):
                self.walk(owner, f"{path}.__self__")
        elif type(obj).__module__.split(".")[0] == "numba" and isinstance(getattr(obj, "py_func", None), types.FunctionType):
            self.feed("numba")
            self.walk(obj.py_func, f"{path}.py_func")
        elif callable(getattr(obj, "__wrapped__", None)):  # functools.lru_cache/cache and other wrapper objects
            self.feed("wrapper", _qualified(type(obj)).encode())
            self.walk(obj.__wrapped__, f"{path}.__wrapped__")
            self._reduce(obj, path)  # the wrapper's own state (a named singleton for lru_cache)
        else:
            self._reduce(obj, path)

    def _code(self, code, path: str) -> None:
        parts = (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_flags, code.co_names,
                 code.co_varnames, code.co_freevars, code.co_cellvars)
        self.feed("code", repr(parts).encode())
        self.feed("bytecode", code.co_code)
        self.feed("exceptiontable", getattr(code, "co_exceptiontable", b""))
        self.walk(code.co_consts, f"{path}.co_consts")

    def _library_version(self, module_name) -> None:
        """Library code is identified by name and by the version of its distribution."""
        import sys

        top = module_name.split(".")[0] if isinstance(module_name, str) else ""
        version = getattr(sys.modules.get(top), "__version__", None)
        self.feed("library", f"{top}=={version if isinstance(version, str) else sys.version}".encode())

    def _function(self, fn, path: str) -> None:
        self.feed("function", f"{fn.__module__}.{fn.__qualname__}".encode())
        if _is_library(fn.__module__, self.roots):
            self._library_version(fn.__module__)
            return
        self._code(fn.__code__, f"{path}.__code__")
        self.walk(fn.__defaults__, f"{path}.__defaults__")
        self.walk(fn.__kwdefaults__, f"{path}.__kwdefaults__")
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                self.feed("empty-cell", name.encode())
                continue
            self.feed("cell", name.encode())
            self.walk(value, f"{path} closure variable {name!r}")
        # module-level names the code reads: constants (plain data) and the module's own functions and classes
        glb = fn.__globals__
        for name in sorted(_code_names(fn.__code__, set())):
            if name not in glb:
                continue
            value = glb[name]
            same_module = (isinstance(value, types.FunctionType) and value.__globals__ is glb) or \
                (isinstance(value, type) and value.__module__ == fn.__module__)
            if same_module or _is_data(value):
                self.feed("global", name.encode())
                self.walk(value, f"module-level {name!r} read by {fn.__qualname__}")

    def _class(self, cls, path: str) -> None:
        self.feed("class", _qualified(cls).encode())
        for base in cls.__mro__:
            if _is_library(base.__module__, self.roots):
                self._library_version(base.__module__)
                continue
            for name, attr in sorted(vars(base).items()):
                if isinstance(attr, (staticmethod, classmethod)):
                    attr = attr.__func__
                if isinstance(attr, property):
                    attr = (attr.fget, attr.fset, attr.fdel)
                    if not all(f is None or isinstance(f, types.FunctionType) for f in attr):
                        continue
                elif not (isinstance(attr, types.FunctionType) or _is_data(attr)) or name in ("__dict__", "__weakref__"):
                    continue
                self.feed("attribute", name.encode())
                self.walk(attr, f"{_qualified(base)}.{name}")

    def _reduce(self, obj, path: str) -> None:
        try:
            rv = obj.__reduce_ex__(4)
        except Exception as exc:
            self._opaque(obj, path, str(exc) or type(exc).__name__)
            return
        if isinstance(rv, str):  # a named singleton
            self.feed("singleton", f"{getattr(obj, '__module__', None)}.{rv}".encode())
            return
        if not isinstance(rv, tuple) or len(rv) < 2:
            self._opaque(obj, path, "unexpected __reduce_ex__ result")
            return
        self.feed("object", _qualified(type(obj)).encode())
        func, args, *rest = rv
        self.walk(func, f"{path} (reconstructor)")
        self.walk(args, f"{path} (arguments)")
        state = rest[0] if rest else None
        if isinstance(state, tuple) and len(state) == 2 and all(s is None or type(s) is dict for s in state):
            state = {**(state[0] or {}), **(state[1] or {})}  # (__dict__, __slots__)
        if type(state) is dict:
            self.feed("state", str(len(state)).encode())
            for k, v in sorted(state.items(), key=lambda kv: str(kv[0])):
                self.walk(k, f"{path} attribute")
                self.walk(v, f"{path}.{k}")
        else:
            self.walk(state, f"{path} (state)")
        for i, extra in enumerate(rest[1:3]):
            if extra is not None:
                self.walk(list(extra), f"{path} (items)" if i == 0 else f"{path} (mapping items)")


def _qualified(obj) -> str:
    return f"{getattr(obj, '__module__', None)}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"


def _fn_identity(fn, cache_key=None) -> str:
    """Hex digest identifying what ``fn`` computes (see :class:`_Fingerprint`) and ``cache_key``.

    Objects that cannot be hashed raise ``TypeError`` unless ``cache_key`` is given, which then
    stands for them."""
    fp = _Fingerprint(allow_opaque=cache_key is not None)
    try:
        fp.walk(fn, "fn")
        if cache_key is not None:
            sub = _Fingerprint(allow_opaque=False, roots=fp.roots)
            try:
                sub.walk(cache_key, "cache_key")
            except TypeError as exc:
                raise TypeError(f"cache_key must be made of strings, numbers, arrays and containers of them: {exc}") from None
            fp.feed("cache_key", sub.hexdigest().encode())
    except RecursionError:
        raise TypeError("sweep cache: fn holds too deeply nested objects to hash; pass cache_key=<a string "
                        "identifying it> or run without cache") from None
    return fp.hexdigest()


def _accepts_seed(fn) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return "seed" in sig.parameters or any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())


# ----------------------------------------------------------------------------- cache
class _Cache:
    MAGIC = "lrnn_theory-sweep-v2"
    PREFIX = "out:"  # output names are stored prefixed (no clash with np.savez's own arguments or __meta__)

    def __init__(self, folder: str, fn_id: str):
        self.folder = writable_folder(folder, "cache")
        self.fn_id = fn_id

    def key(self, params: dict, seed: int) -> str:
        blob = _json({"magic": self.MAGIC, "fn": self.fn_id, "params": params, "seed": seed, "version": __version__})
        return hashlib.sha256(blob.encode()).hexdigest()

    def path(self, key: str) -> str:
        return os.path.join(self.folder, key + ".npz")

    @staticmethod
    def _checksum(arrays: dict) -> str:
        h = hashlib.sha256()
        for k in sorted(arrays):
            a = np.ascontiguousarray(arrays[k])
            h.update(k.encode() + str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
        return h.hexdigest()

    def load(self, key: str):
        """The stored outputs of ``key``, or None when absent or damaged in any way (truncated, garbage,
        a directory, another key's or a foreign file, a checksum mismatch): the point is recomputed."""
        path = self.path(key)
        if not os.path.isfile(path):
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["__meta__"]))
                names = meta["outputs"]
                arrays = {n: z[self.PREFIX + n] for n in names}
                if sorted(z.files) != sorted(["__meta__", *(self.PREFIX + n for n in names)]):
                    return None
            if meta.get("magic") != self.MAGIC or meta.get("key") != key or meta.get("checksum") != self._checksum(arrays):
                return None
            return arrays
        except Exception:  # corrupt, truncated or foreign: recompute
            return None

    def store(self, key: str, arrays: dict) -> None:
        """Write ``arrays`` atomically, replacing whatever occupies the entry's path (a damaged file,
        a directory)."""
        path = self.path(key)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        meta = json.dumps({"magic": self.MAGIC, "key": key, "outputs": list(arrays), "checksum": self._checksum(arrays)})
        with atomic_write(path, "wb") as fh:
            np.savez(fh, __meta__=np.array(meta), **{self.PREFIX + k: v for k, v in arrays.items()})


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


_GUARD = 'if __name__ == "__main__":'


def _spawn_guard() -> None:
    """Refuse to run inside a worker process that is still importing the caller's main module."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(
            "sweep() was called while a worker process was starting: each worker of a 'spawn' process pool "
            "(the default executor, dask's local cluster) imports the main script again, so a script must "
            f"call sweep() only under  {_GUARD}  (user guide: 'Run a sweep, locally or on a dask cluster'), "
            "or use executor='serial'")


def _broken_pool_error(exc: BaseException, point: dict) -> SweepError:
    """A ``BrokenProcessPool`` explained: in a script, usually a missing main guard."""
    import sys

    script = getattr(sys.modules.get("__main__"), "__file__", None)
    msg = f"the worker processes died before returning the chunk starting at {point} (BrokenProcessPool: {exc}). "
    if script:
        msg += (f"Each worker of the default 'spawn' process pool imports the main script {script!r} again: "
                f"the code that calls sweep() must sit under  {_GUARD}  (the usual cause of this error; "
                "user guide: 'Run a sweep, locally or on a dask cluster'). Otherwise a worker ")
    else:
        msg += "A worker "
    msg += "was killed (out of memory?) or crashed; executor='serial' runs in this process"
    err = SweepError(msg, point)
    err.__cause__ = exc
    return err


def _signature(out: dict) -> tuple:
    return tuple(sorted((name, a.shape) for name, a in out.items()))


def _stale_entries(results: list, from_cache: list) -> list:
    """Cached points whose output names or shapes differ from the reference (the first point computed
    in this run, else the most common among the cached ones): to be recomputed and overwritten."""
    sigs = [_signature(r) for r in results]
    if len(set(sigs)) <= 1:
        return []
    fresh = [i for i, c in enumerate(from_cache) if not c]
    if fresh:
        ref = sigs[fresh[0]]
    else:
        counts: dict = {}
        for sg in sigs:
            counts[sg] = counts.get(sg, 0) + 1
        ref = max(counts, key=counts.get)
    return [i for i, c in enumerate(from_cache) if c and sigs[i] != ref]


def _check_consistent(results: list, points: list, from_cache: list) -> None:
    """Every point must return the same output names with the same shapes; name both points if not."""
    ref = results[0]
    for i, r in enumerate(results):
        hint = ""
        if from_cache[i] != from_cache[0]:
            hint = (f" (the point {points[i] if from_cache[i] else points[0]} comes from the cache: if fn changed in a "
                    "way its cache key cannot see, rerun with refresh=True or a new cache_key)")
        if set(r) != set(ref):
            raise SweepError(f"fn must return the same outputs at every point: {sorted(ref)} at {points[0]} but "
                             f"{sorted(r)} at {points[i]}{hint}", points[i])
        for name in ref:
            if r[name].shape != ref[name].shape:
                raise SweepError(f"output {name!r} must have the same shape at every point: {ref[name].shape} at "
                                 f"{points[0]} but {r[name].shape} at {points[i]}{hint}", points[i])


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
    refresh: bool = False,
    cache_key=None,
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
        order); a list of parameter dicts (the same keys, in any order) gives
        one dimension ``"point"``.
    executor : concurrent.futures.Executor, "serial", or None
        None: a local process pool (:func:`default_executor`, shut down
        afterwards; on an interrupt its workers are terminated at once);
        ``"serial"``: in-process, one chunk at a time; any ``Executor`` (e.g.
        ``dask.distributed.Client(...).get_executor()``) is used as given and
        never shut down by ``sweep``.
    cache : str or os.PathLike, optional
        Folder of per-point results (see module docstring), written as each
        chunk finishes: rerunning the same call after a crash or an interrupt
        recomputes only the points not yet cached.  A point's key covers the
        point's parameters and seed, the package version and what ``fn``
        computes, as far as it can be hashed: its bytecode and constants
        (nested functions included), defaults, closure variables, the
        module-level constants (numbers, strings, arrays and containers of
        them) and same-module functions and classes its code names, a
        callable object's class and state, a ``functools.partial``'s function,
        arguments and keywords, arrays by their bytes; functions of installed
        libraries count by name and library version.  Not covered: anything
        else ``fn`` reads (files, environment variables, mutable objects of
        other modules, the code of installed libraries beyond their version):
        pass ``cache_key`` or ``refresh=True`` when those change.  A damaged
        entry (truncated, garbage, a directory in its place), or one whose
        outputs (names, shapes) differ from those computed in this run, is
        recomputed and overwritten.
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
    refresh : bool
        Recompute every point and overwrite its cache entry (needs ``cache``).
    cache_key : str, number, array or a tuple/list/dict of them, optional
        Extra component of every point's cache key (needs ``cache``), for what
        the key cannot see: e.g. ``cache_key=("T_END", T_END)`` for a global
        read by ``fn``, a data file's version, or an object that cannot be hashed
        (an open file, a lock; without ``cache_key`` such an object raises
        ``TypeError``).  A different ``cache_key`` gives different entries.

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
        raised after every other chunk has run and been cached.  Also: ``fn`` returned
        different output names or shapes at two points (both named), or the worker
        processes died (``BrokenProcessPool``; in a script, most often a missing
        ``if __name__ == "__main__":`` guard, which the message explains).
    KeyboardInterrupt
        Ctrl-C: never captured.  Chunks not yet started are cancelled, the pool created
        by ``sweep`` is stopped without waiting, what is cached stays cached.
    TypeError
        ``fn`` not callable (or not picklable for a process or cluster executor), a grid value of
        another type than number, bool or string, outputs that are not numeric; with ``cache``,
        an object in ``fn`` that cannot be hashed (named; pass ``cache_key``).
    ValueError
        An empty grid or axis, an unknown ``executor`` string, ``chunksize < 1``, ``refresh``
        or ``cache_key`` without ``cache``, an output named like a grid axis.

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

    With a cache, a rerun reuses the stored points; a different closure value is a different key:

    >>> import tempfile
    >>> def make(k):
    ...     return lambda x: x * k
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     a = sweep(make(2), {"x": [1.0, 2.0]}, executor="serial", cache=folder, progress=False)
    ...     b = sweep(make(3), {"x": [1.0, 2.0]}, executor="serial", cache=folder, progress=False)
    >>> a["value"].values.tolist(), b["value"].values.tolist()
    ([2.0, 4.0], [3.0, 6.0])
    """
    import xarray as xr
    from tqdm.auto import tqdm

    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    seed = check_seed("seed", seed)
    _spawn_guard()
    for flag, value in (("vectorized", vectorized), ("refresh", refresh), ("progress", progress)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{flag} must be a bool, got {value!r}")
    if cache is not None and not isinstance(cache, (str, os.PathLike)):
        raise TypeError(f"cache must be a folder path (str or os.PathLike), got {type(cache).__name__} {cache!r}")
    if cache is None and (refresh or cache_key is not None):
        raise ValueError(f"{'refresh' if refresh else 'cache_key'} needs cache=<folder>")
    dims, coords, points, shape = _points(grid)
    pass_seed = _accepts_seed(fn)
    seeds = [point_seed(seed, p) for p in points]
    store = _Cache(cache, _fn_identity(fn, cache_key)) if cache is not None else None
    keys = [store.key(p, s) for p, s in zip(points, seeds)] if store else None

    results: list = [None] * len(points)
    from_cache = [False] * len(points)
    n_cached = 0
    if store and not refresh:
        for i, k in enumerate(keys):
            hit = store.load(k)
            if hit is not None:
                results[i] = hit
                from_cache[i] = True
                n_cached += 1
    todo = [i for i, r in enumerate(results) if r is None]

    own_executor = False
    if isinstance(executor, str):
        if executor != "serial":
            raise ValueError(f"executor must be an Executor, 'serial' or None, got {executor!r}")
        executor = _Serial()
    elif executor is not None and not isinstance(executor, cf.Executor):
        raise TypeError(f"executor must be a concurrent.futures.Executor, 'serial' or None, got {type(executor).__name__}")
    if chunksize is not None:
        chunksize = check_int("chunksize", chunksize, minimum=1)

    def start_executor() -> None:
        """Create the default pool (first time there is work) and check that fn can reach it."""
        nonlocal executor, own_executor
        if executor is None:
            executor = default_executor()
            own_executor = True
        if not isinstance(executor, _Serial):
            try:
                pickle.dumps(fn)
            except Exception as exc:
                raise TypeError(f"fn cannot be pickled for a process or cluster executor ({exc}); define it at module "
                                "top level (or use functools.partial of a top-level function), or pass "
                                "executor='serial'") from None

    bar = tqdm(total=len(points), initial=n_cached, disable=not progress, desc="sweep", unit="pt")
    bar.set_postfix(cached=n_cached)
    pending: dict = {}

    def compute(indices: list) -> None:
        """Evaluate the points ``indices``; each chunk is cached and counted the moment it finishes."""
        start_executor()
        workers = _n_workers(executor)
        size = chunksize or max(1, min(256, math.ceil(len(indices) / (4 * workers))))
        chunks = iter([indices[i:i + size] for i in range(0, len(indices), size)])
        # Submit as you go: at most `window` chunks pending.
        window = 1 if isinstance(executor, _Serial) else 2 * workers + 2
        error = None

        def fill() -> None:
            nonlocal chunks, error
            while len(pending) < window:
                ch = next(chunks, None)
                if ch is None:
                    return
                try:
                    fut = executor.submit(_run_chunk, fn, [points[i] for i in ch], [seeds[i] for i in ch], vectorized,
                                          pass_seed)
                except BrokenProcessPool as exc:
                    error = error or _broken_pool_error(exc, points[ch[0]])
                    chunks = iter(())
                    return
                except Exception as exc:  # executor shut down or broken: submit nothing more
                    error = error or SweepError(f"could not submit the chunk starting at {points[ch[0]]}: "
                                                f"{type(exc).__name__}: {exc}", points[ch[0]])
                    chunks = iter(())
                    return
                pending[fut] = ch

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
                except BrokenProcessPool as exc:
                    error = error or _broken_pool_error(exc, points[ch[0]])
                    continue
                except Exception as exc:  # worker crash, unpicklable result, ...
                    error = error or SweepError(f"chunk starting at {points[ch[0]]} failed: {type(exc).__name__}: {exc}",
                                                points[ch[0]])
                    continue
                for i, out in zip(ch, outs):
                    results[i] = out
                    from_cache[i] = False
                    if store:
                        store.store(keys[i], out)
                bar.update(len(ch))
            fill()
        if error is not None:
            raise error

    try:
        if todo:
            compute(todo)
        # cached entries whose outputs (names, shapes) disagree with the others are stale: recompute them
        suspects = _stale_entries(results, from_cache)
        if suspects:
            bar.update(-len(suspects))
            compute(suspects)
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

    _check_consistent(results, points, from_cache)
    names = list(results[0])
    data_vars = {}
    for name in names:
        arrs = [r[name] for r in results]
        stacked = np.stack(arrs).reshape(shape + arrs[0].shape)
        extra = [f"{name}_dim{i}" for i in range(arrs[0].ndim)]
        data_vars[name] = (dims + extra, stacked)
    if dims == ["point"]:
        xcoords = {"point": np.arange(len(points)), **{n: ("point", np.asarray(v)) for n, v in coords.items()}}
    else:
        xcoords = {d: np.asarray(coords[d]) for d in dims}
    clash = sorted(set(names) & set(xcoords))
    if clash:
        raise ValueError(f"fn's output(s) {clash} have the name of a grid axis or coordinate ({sorted(xcoords)}); "
                         "return them under other names")
    name = getattr(fn, "__qualname__", type(fn).__name__)
    attrs = {"fn": f"{getattr(fn, '__module__', '?')}.{name}", "seed": seed, "grid": json.dumps(coords),
             "lrnn_theory_version": __version__}
    return xr.Dataset(data_vars, coords=xcoords, attrs=attrs)
