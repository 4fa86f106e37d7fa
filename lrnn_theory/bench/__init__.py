"""Benchmarks behind ``lrnn-theory bench``.

Each submodule exposes ``run(quick: bool = False) -> list[dict]``: it measures
the package and a baseline *in the same run* and prints one JSON line per case
with the ratio, so numbers stay comparable when the machine's speed drifts.
Speed is never asserted in tests.
"""
from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

__all__ = ["SUITES", "emit", "timeit"]

#: Benchmark suites by name (module under ``lrnn_theory.bench``).
SUITES = ("theory", "sim", "sweep", "bptt", "merging", "cold")


def timeit(fn: Callable[[], object], *, repeat: int = 5, number: int = 1) -> float:
    """Median wall time (seconds) of ``number`` calls of ``fn`` over ``repeat`` repetitions."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def emit(record: dict) -> dict:
    """Print one benchmark record as a JSON line and return it."""
    print(json.dumps(record, sort_keys=False), flush=True)
    return record
