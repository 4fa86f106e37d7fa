"""Helper of ``tests/test_sweep_interrupt.py``: a slow sweep point function and a script running it.

``python tests/_sweep_interrupt_helper.py CACHE EXECUTOR OUT`` sweeps :func:`slow_point` over
``x = 0 .. N_POINTS-1`` in chunks of ``CHUNKSIZE`` (``EXECUTOR``: ``serial`` or ``pool``, the
latter a process pool created by :func:`lrnn_theory.sweep.sweep` itself) and saves the result to
``OUT`` (``.npz``).  The point function is controlled by environment variables, which are not
part of its cache identity:

``SWEEP_TEST_COUNTER``
    file that gets one byte appended per evaluation (counts evaluations across processes);
``SWEEP_TEST_SLEEP``
    seconds to sleep per point (default 0);
``SWEEP_TEST_BLOCK``
    ``"<x>:<marker>"``: the point ``x`` writes ``marker`` and then never returns, so a sweep
    is held at a known place until the test kills or interrupts it.
"""
import os
import sys
import time

import numpy as np

N_POINTS = 24
CHUNKSIZE = 2
SEED = 7


def slow_point(x, seed):
    """A point whose value depends on ``x`` and on the per-point seed only."""
    counter = os.environ.get("SWEEP_TEST_COUNTER")
    if counter:
        fd = os.open(counter, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, b"x")  # one byte: a kill cannot leave half a record
        finally:
            os.close(fd)
    block = os.environ.get("SWEEP_TEST_BLOCK")
    if block:
        at, marker = block.split(":", 1)
        if int(at) == x:
            open(marker, "w").close()
            while True:
                time.sleep(0.02)
    time.sleep(float(os.environ.get("SWEEP_TEST_SLEEP", "0")))
    rng = np.random.default_rng(seed)
    return {"y": np.sin(x) + rng.normal(size=3), "k": rng.integers(0, 2 ** 31)}


def grid() -> dict:
    return {"x": list(range(N_POINTS))}


def main(cache: str, executor: str, out: str) -> None:
    from _sweep_interrupt_helper import slow_point as fn  # the module's name, as in the tests

    from lrnn_theory.sweep import sweep

    ds = sweep(fn, grid(), executor="serial" if executor == "serial" else None, cache=cache,
               progress=False, seed=SEED, chunksize=CHUNKSIZE)
    np.savez(out, y=ds["y"].values, k=ds["k"].values)


if __name__ == "__main__":
    main(*sys.argv[1:4])
