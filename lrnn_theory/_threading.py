"""numba's threading layer, chosen so that the parallel kernels survive ``fork`` and threads.

The package's three parallel kernels (the batched Radau integrator, batched gradient descent and
the Monte-Carlo chains of the curse of memory) run their ``prange`` loops on one of numba's
threading layers.  numba prefers TBB and, when TBB is missing, falls back to GNU OpenMP on Linux.
GNU OpenMP is not fork-safe: once a parallel kernel has run, every process forked from this one
(``ProcessPoolExecutor``'s default start method on Linux, ``multiprocessing.Pool``, joblib,
pytest-xdist) aborts with ``fork() called from a process already using GNU OpenMP`` the first time
it runs a parallel kernel.  The choice made here, once, when :mod:`lrnn_theory` is imported and
before any parallel kernel has started:

1. An explicit choice by the user wins: the ``NUMBA_THREADING_LAYER`` environment variable, or
   ``numba.config.THREADING_LAYER`` set before importing the package.
2. Otherwise **TBB**, fork-safe and thread-safe, when the ``tbb`` wheel is installed (it is a
   dependency of the package on x86-64 Linux and Windows).  A virtual environment does not put the
   wheel's shared library on the loader path, so it is loaded here by its full path first.
3. Otherwise numba's ``workqueue`` layer, which is fork-safe but not thread-safe: calls from
   several threads are then serialised by a lock (:func:`parallel_section`), so that a
   ``ThreadPoolExecutor`` gets the right numbers instead of an abort.

If the user forces GNU OpenMP and a forked child calls a parallel kernel after the parent had
started OpenMP, :func:`parallel_section` raises a :class:`RuntimeError` that names the fixes,
instead of letting the child die.

The state kept here is per process by nature (the layer cannot change once numba has started it):
the serialising lock, and whether this process was forked from one running GNU OpenMP.  Both are
reset in a forked child by an ``os.register_at_fork`` hook.
"""
from __future__ import annotations

import ctypes
import os
import re
import threading
from contextlib import contextmanager

__all__ = ["configure", "layer", "parallel_section"]

_TBB_LIBRARY = re.compile(r"(^|/)(lib)?tbb(\.so\.12|12\.dll|\.12\.dylib)$")


class _ProcessState:
    """Per-process facts about the threading layer (see the module docstring)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.forked_from_omp = False
        self.requested: str | None = None


_STATE = _ProcessState()


def _tbb_importable() -> bool:
    try:
        from numba.np.ufunc import parallel, tbbpool  # noqa: F401

        parallel._check_tbb_version_compatible()
        return True
    except (ImportError, OSError, AttributeError):
        return False


def _load_tbb_wheel() -> bool:
    """Load the ``tbb`` wheel's shared library globally, so that numba's TBB layer links to it."""
    if _tbb_importable():
        return True
    try:
        from importlib import metadata

        files = metadata.distribution("tbb").files or []
    except Exception:  # not installed, or metadata unreadable
        return False
    for f in files:
        if _TBB_LIBRARY.search(str(f).replace("\\", "/")):
            path = str(f.locate())
            if os.path.exists(path):
                try:
                    ctypes.CDLL(path, mode=getattr(ctypes, "RTLD_GLOBAL", 0))
                except OSError:
                    continue
                return _tbb_importable()
    return False


def configure() -> str:
    """Choose numba's threading layer for this process; called once when the package is imported.

    Also installs the cross-process compile lock of :func:`lrnn_theory._jit.install_compile_lock`.

    Returns
    -------
    str
        The layer requested: the user's explicit choice, ``"tbb"`` or ``"workqueue"`` (see the
        module docstring).  If numba already started a layer before the package was imported,
        that layer, which can no longer change.
    """
    import numba
    from numba.np.ufunc import parallel

    from . import _jit

    _jit.install_compile_lock()  # each kernel compiled once per machine, even by a pool (lrnn_theory._jit)
    if parallel._is_initialized:
        _STATE.requested = parallel._threading_layer
    elif "NUMBA_THREADING_LAYER" in os.environ or str(numba.config.THREADING_LAYER).lower() != "default":
        _STATE.requested = str(numba.config.THREADING_LAYER).lower()
    else:
        _STATE.requested = "tbb" if _load_tbb_wheel() else "workqueue"
        numba.config.THREADING_LAYER = _STATE.requested
    return _STATE.requested


def layer() -> str:
    """The threading layer in use: numba's own answer once a parallel kernel has run, else the request."""
    from numba.np.ufunc import parallel

    if parallel._is_initialized:
        return str(parallel._threading_layer)
    return _STATE.requested or "default"


def _after_fork_in_child() -> None:
    from numba.np.ufunc import parallel

    _STATE.lock = threading.Lock()  # a lock held by another thread at fork time stays held in the child
    if parallel._is_initialized and str(parallel._threading_layer).startswith("omp"):
        _STATE.forked_from_omp = True


os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def parallel_section():
    """Wrap every call of a parallel numba kernel.

    Raises
    ------
    RuntimeError
        In a process forked from one that had started GNU OpenMP (the kernel would abort it).
    """
    if _STATE.forked_from_omp:
        raise RuntimeError(
            "numba's GNU OpenMP threading layer cannot run in a process forked after it started "
            "(the child would abort). Fix: install TBB (pip install tbb) and leave "
            "NUMBA_THREADING_LAYER unset (lrnn_theory then uses TBB, fork-safe), or set "
            "NUMBA_THREADING_LAYER=workqueue, or start workers with the 'spawn' or 'forkserver' "
            "method, e.g. ProcessPoolExecutor(mp_context=multiprocessing.get_context('spawn'))."
        )
    if layer() in ("tbb", "omp"):  # thread-safe layers
        yield
    else:  # workqueue (not thread-safe), or not yet started: serialise launches
        with _STATE.lock:
            yield
