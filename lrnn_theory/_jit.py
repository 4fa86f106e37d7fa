"""Compilation of the package's numba kernels: once per machine, in the background when the cache is cold.

Private module.  numba compiles a kernel the first time it is called with new argument types and,
with ``cache=True``, stores the machine code in its cache (``__pycache__`` beside the sources, or
``NUMBA_CACHE_DIR``); later processes load it in a fraction of a second.  On a fresh install the
first :func:`~lrnn_theory.integrate_modes` or :func:`~lrnn_theory.simulate_gd` would otherwise wait
20–45 s for the compiler (measured with numba's compile events, docs/performance.md).  This module
provides three things:

* **A cross-process lock per function** (:func:`install_compile_lock`).  Every compilation of a
  function of this package takes an exclusive file lock beside the function's cache index, then lets
  numba look in the cache again.  A process that finds another one compiling the same function
  waits for it and then loads the result from the cache instead of compiling it a second time:
  a pool of workers (the figures runner's, a sweep's, a user's) compiles each kernel once per
  machine.  Different kernels still compile in parallel.  Locks are taken in the order of the call
  graph (a kernel's callees are compiled while it is), so they cannot deadlock.
* **Background compilation** (:class:`Kernel`).  A kernel that is neither in memory nor in the cache
  is compiled by a child process (:func:`_child_main`) while the caller answers the call
  by an exact NumPy/SciPy path when one exists and the call is small (see ``integrate_modes`` and
  ``simulate_gd``); the child writes the cache, and the first call after it has finished loads the
  compiled kernel.  A child keeps compiling after the caller exits, so the next process finds the
  cache warm.  Worker processes of a pool never answer by the fallback paths (they wait for the
  kernel, compiled once thanks to the lock), nor does the figures runner: bulk results do not
  depend on the order in which their calls met the compiler.
* **A notice** on stderr, once per process, when a cold compilation starts:
  ``compiling lrnn_theory kernels, once per install, ~N s``.

Environment variables
---------------------
``LRNN_THEORY_COMPILE_NOTICE=0``
    Silences the notice.
``LRNN_THEORY_COLD_FALLBACK=0``
    Never answers with the NumPy/SciPy paths: calls wait for the compiled kernel (as the test suite
    does, so that its results are those of the compiled kernels).
"""
from __future__ import annotations

import base64
import os
import pickle
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

NOTICE_ENV = "LRNN_THEORY_COMPILE_NOTICE"
FALLBACK_ENV = "LRNN_THEORY_COLD_FALLBACK"

try:  # POSIX file locks; elsewhere compilations are not coordinated across processes
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class _ProcessState:
    """Per-process facts: whether the notice was shown, the compiling children, the locks held."""

    def __init__(self) -> None:
        self.noticed = False
        self.children: dict = {}
        self.held: dict = {}  # lock path -> [file, depth]
        self.compiled_only = 0  # depth of compiled_only() blocks
        self.mutex = threading.RLock()


_STATE = _ProcessState()


def _after_fork_in_child() -> None:
    global _STATE
    _STATE = _ProcessState()  # locks and children belong to the parent


os.register_at_fork(after_in_child=_after_fork_in_child)


def _env_off(name: str) -> bool:
    return os.environ.get(name, "1").strip().lower() in ("0", "false", "no", "off")


def fallback_allowed() -> bool:
    """Whether cold calls may be answered by the NumPy/SciPy paths: not if ``LRNN_THEORY_COLD_FALLBACK=0``,
    and not in a worker process of a pool (``multiprocessing``, ``concurrent.futures``, dask), whose
    results must not depend on which of its calls came before the kernel was compiled."""
    import multiprocessing

    return not _env_off(FALLBACK_ENV) and not _STATE.compiled_only and multiprocessing.parent_process() is None


@contextmanager
def compiled_only():
    """Within this block, cold calls wait for the compiled kernels (the figures runner computes in one)."""
    with _STATE.mutex:
        _STATE.compiled_only += 1
    try:
        yield
    finally:
        with _STATE.mutex:
            _STATE.compiled_only -= 1


def notice(seconds: float) -> None:
    """Print the one-line cold-compile notice on stderr (once per process; ``LRNN_THEORY_COMPILE_NOTICE=0`` silences it)."""
    with _STATE.mutex:
        if _STATE.noticed or _env_off(NOTICE_ENV):
            return
        _STATE.noticed = True
    print(f"compiling lrnn_theory kernels, once per install, ~{seconds:.0f} s "
          f"(silence: {NOTICE_ENV}=0)", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- numba cache probes

def _cache_file(disp):
    """numba's cache file object of a dispatcher, or None (no cache, JIT disabled, other numba)."""
    cache = getattr(disp, "_cache", None)
    return getattr(cache, "_cache_file", None)


def _lock_path(disp) -> str | None:
    cf = _cache_file(disp)
    if cf is None or fcntl is None:
        return None
    try:
        return os.path.join(cf._cache_path, cf._index_name[:-4] + ".lock")
    except (AttributeError, TypeError):
        return None


def in_cache(disp, sig) -> bool:
    """Whether numba's cache holds ``disp`` compiled for ``sig`` (reads the index only; False if unknown)."""
    cf = _cache_file(disp)
    if cf is None:
        return False
    try:
        key = disp._cache._index_key(sig, disp.targetctx.codegen())
        return key in cf._load_index()
    except Exception:  # an unexpected numba layout: treat as not cached
        return False


@contextmanager
def file_lock(path: str | None):
    """Exclusive lock on ``path`` across processes, reentrant within the process (no-op for None)."""
    if path is None:
        yield
        return
    with _STATE.mutex:
        entry = _STATE.held.get(path)
        if entry is not None:
            entry[1] += 1
        else:
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                f = open(path, "a+b")
            except OSError:
                f = None
            if f is not None:
                fcntl.flock(f, fcntl.LOCK_EX)
            entry = _STATE.held[path] = [f, 1]
        try:
            yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del _STATE.held[path]
                if entry[0] is not None:
                    fcntl.flock(entry[0], fcntl.LOCK_UN)
                    entry[0].close()


def locked_elsewhere(disp) -> bool:
    """Whether another process holds the compile lock of ``disp`` (it is compiling it)."""
    path = _lock_path(disp)
    if path is None or path in _STATE.held or not os.path.exists(path):
        return False
    try:
        with open(path, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(f, fcntl.LOCK_UN)
        return False
    except OSError:
        return True


# --------------------------------------------------------------------------- the compile lock

def install_compile_lock() -> None:
    """Make every compilation of a cached numba function of this package take its cross-process file lock.

    Wraps numba's ``Dispatcher.compile`` once per process; functions of other packages, and
    signatures already in memory, go straight to numba.  Called when the package is imported.
    """
    from numba.core import sigutils
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.dispatcher import Dispatcher

    original = Dispatcher.compile
    if getattr(original, "_lrnn_locked", False):
        return

    def compile(self, sig):
        py_func = getattr(self, "py_func", None)
        if not getattr(py_func, "__module__", "").startswith("lrnn_theory"):
            return original(self, sig)
        args, _ = sigutils.normalize_signature(sig)
        if tuple(args) in self.overloads:
            return original(self, sig)
        # numba's in-process lock first, then the file lock: one order everywhere, no deadlock
        with global_compiler_lock, file_lock(_lock_path(self)):
            return original(self, sig)

    compile._lrnn_locked = True
    compile.__wrapped__ = original
    compile.__doc__ = original.__doc__
    Dispatcher.compile = compile


# --------------------------------------------------------------------------- background compilation

class Kernel:
    """A numba kernel that the Python layer may call before it is compiled.

    Parameters
    ----------
    disp : numba dispatcher
        The kernel (``cache=True``).
    seconds : float
        Typical cold compile time on a 2-core machine, for the notice.
    """

    def __init__(self, disp, seconds: float) -> None:
        self.disp = disp
        self.seconds = seconds

    def signature(self, args) -> tuple:
        """numba argument types of a call with ``args``."""
        return tuple(self.disp.typeof_pyval(a) for a in args)

    def _jit_disabled(self) -> bool:
        return not hasattr(self.disp, "overloads")

    def ready(self, args) -> bool:
        """True if the kernel can run ``args`` now (compiled in memory, or loaded from the cache now).

        Otherwise starts its compilation in a background process (unless one is running) and
        returns False; :meth:`wait` then blocks until it can run.
        """
        if self._jit_disabled():
            return True
        sig = self.signature(args)
        if sig in self.disp.overloads:
            return True
        path = _lock_path(self.disp)
        if path is None:  # no cache: nothing a child could hand over
            return False
        if in_cache(self.disp, sig) and not locked_elsewhere(self.disp):
            self.disp.compile(sig)  # loads from the cache
            return True
        key = self._key(sig)
        if key in _STATE.children:
            child = _STATE.children[key]
            if child is not None and child.poll() is None:
                return False  # still compiling
            self.wait(args)  # the child could not start, or ended without a cache entry: compile here
            return True
        self._start_child(key)
        return False

    def _key(self, sig) -> tuple:
        return (self.disp.py_func.__module__, self.disp.py_func.__qualname__, sig)

    def _start_child(self, key) -> None:
        with _STATE.mutex:
            if key in _STATE.children:
                return
            if not locked_elsewhere(self.disp):
                notice(self.seconds)
            payload = base64.b64encode(pickle.dumps([key])).decode()
            env = dict(os.environ)
            env[NOTICE_ENV] = "0"
            try:
                _STATE.children[key] = subprocess.Popen(
                    [sys.executable, "-c", _CHILD, payload], env=env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            except OSError:
                _STATE.children[key] = None

    def wait(self, args) -> None:
        """Block until the kernel runs ``args``: wait for a background compilation, then load or compile here."""
        if self._jit_disabled():
            return
        sig = self.signature(args)
        if sig in self.disp.overloads:
            return
        child = _STATE.children.get(self._key(sig))
        if child is not None:
            child.wait()
        elif not in_cache(self.disp, sig) and not locked_elsewhere(self.disp):
            notice(self.seconds)
        self.disp.compile(sig)  # under the file lock: loads what another process compiled, or compiles

    def prepare(self, args) -> bool:
        """Make sure the kernel runs ``args``: True if it is ready now; False means "answer by the
        fallback path" while a background process compiles it (only with fallbacks allowed and a
        numba cache to hand the result over; otherwise this compiles here and returns True)."""
        if self._jit_disabled() or self.disp.overloads:
            # compiled in this process already (the package's calls use one signature per kernel; another
            # one compiles as numba always does, under the lock): no per-call cost on the warm path
            return True
        if fallback_allowed() and _lock_path(self.disp) is not None:
            return self.ready(args)
        self.wait(args)
        return True


#: The background compile process: at a lower priority (``nice``), so that the call it runs beside, answered
#: by the NumPy/SciPy path, keeps the CPU (measured: the README tour's NumPy GD run took 4.0 s beside a
#: compiling child of the same priority on a loaded 2-core machine, 0.46 s alone).
_CHILD = """import os, sys
try:
    os.nice(10)
except (AttributeError, OSError):
    pass
from lrnn_theory._jit import _child_main
sys.exit(_child_main(sys.argv[1]))
"""


def _child_main(payload: str) -> int:
    """Entry point of the background compile process: compile (or load) each (module, name, sig)."""
    import importlib

    import lrnn_theory  # noqa: F401  (threading layer, compile locks)

    for module, qualname, sig in pickle.loads(base64.b64decode(payload)):
        disp = getattr(importlib.import_module(module), qualname)
        disp.compile(sig)
    return 0


def wait_children(timeout: float | None = None) -> bool:
    """Wait for this process's background compilations (True if all finished)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    for child in list(_STATE.children.values()):
        if child is None:
            continue
        try:
            child.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return False
    return True
