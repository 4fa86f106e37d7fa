"""The benchmark record: ``lrnn-theory bench --save FILE`` appends one JSON line per case.

Each line holds the case's numbers (``result``, as printed by the suite) and the facts needed to
compare runs across commits and machines: the git commit (and whether the tree had local
changes), the UTC date, the CPU model, the core count and the library versions.  The README's
performance table is generated from this file by ``tools/perf_table.py``; the record kept in the
repository is ``bench/records.jsonl``.

Example
-------
>>> from lrnn_theory.bench.record import environment
>>> env = environment()
>>> sorted(env)  # doctest: +NORMALIZE_WHITESPACE
['commit', 'cores', 'cpu', 'date', 'dirty', 'numba_threads', 'platform', 'versions']
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

__all__ = ["LIBRARIES", "append", "check_path", "environment", "read"]

#: Distributions whose versions go into every record (absent ones are recorded as None).
LIBRARIES = ("lrnn-theory", "numpy", "scipy", "numba", "llvmlite", "tbb", "torch", "scipy-openblas64", "scipy-openblas32")


def _git(*args: str) -> str | None:
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> dict:
    """Commit, date, CPU model, core count and library versions of this run.

    Returns
    -------
    dict
        ``commit`` (str or None outside a git checkout), ``dirty`` (bool or None: local changes),
        ``date`` (UTC, ISO 8601), ``cpu`` (model name), ``cores`` (usable CPUs), ``numba_threads``,
        ``platform``, ``versions`` ({distribution: version or None}).
    """
    import numba

    status = _git("status", "--porcelain", "--untracked-files=no")
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return dict(
        commit=_git("rev-parse", "HEAD"), dirty=None if status is None else bool(status),
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        cpu=_cpu_model(), cores=cores, numba_threads=numba.get_num_threads(),
        platform=f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        versions=versions,
    )


def check_path(path: str | os.PathLike) -> Path:
    """The record file as a Path, after checking that it can be appended to (ValueError otherwise)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"--save must be a file path, got {type(path).__name__}")
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"--save must be a file, got the directory {str(p)!r}")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"--save: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise ValueError(f"--save: {str(p)!r} is not writable")
    return p


def append(path: str | os.PathLike, suite: str, records: list[dict], env: dict | None = None) -> int:
    """Append one JSON line ``{**env, "suite": suite, "result": record}`` per record; return the count."""
    p = check_path(path)
    env = environment() if env is None else env
    lines = [json.dumps({**env, "suite": suite, "result": r}, sort_keys=False) + "\n" for r in records]
    with open(p, "a", encoding="utf-8") as f:
        f.write("".join(lines))
    return len(lines)


def read(path: str | os.PathLike) -> list[dict]:
    """All records of a record file, in file order (ValueError naming the line if one is not JSON)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}: line {i} is not JSON ({e.msg})") from None
    return out
