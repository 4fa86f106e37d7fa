"""File output shared by the CLI, the figures and the sweep cache: atomic writes, folder checks."""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager

import numpy as np

__all__ = ["atomic_write", "to_jsonable", "writable_folder", "write_json"]


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb"):
    """Open a temporary file beside ``path``; on success rename it to ``path``.

    An interrupted write (exception, Ctrl-C) removes the temporary file and
    leaves any previous ``path`` untouched: never a half-written file.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def writable_folder(path: str | os.PathLike, name: str) -> str:
    """Create ``path`` if needed and check that files can be written there; raise ``ValueError``
    naming ``name`` otherwise (before any work starts)."""
    path = os.path.abspath(os.fspath(path))
    try:
        os.makedirs(path, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=path)
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise ValueError(f"{name}: folder {path!r} is not writable ({exc.strerror})") from None
    return path


def to_jsonable(obj):
    """Nested dicts/lists of NumPy arrays and scalars as JSON-compatible objects (non-finite -> null)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if np.isfinite(v) else None
    if obj is None or isinstance(obj, str):
        return obj
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def write_json(path: str | os.PathLike, data) -> str:
    """Write ``data`` as JSON atomically (see :func:`atomic_write`)."""
    with atomic_write(path, "w") as fh:
        json.dump(to_jsonable(data), fh, indent=1)
    return os.fspath(path)
