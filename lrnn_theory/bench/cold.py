"""Cold start: the README tour's first ``integrate_modes`` and first ``simulate_gd`` in a fresh process.

Each call runs in a fresh Python process three times, in this order, with ``NUMBA_CACHE_DIR``
pointing at a folder that starts empty (a fresh install):

1. **cold**: empty cache; the call is answered while the kernel compiles in the background
   (:mod:`lrnn_theory._jit`), and the process then waits for that compilation (``compile_s``);
2. **warm**: a new process on the cache the cold one filled (the first call loads the kernel);
3. **hot**: the same call again in the warm process (the kernel in memory).

The baseline of the ratio is the warm first call measured in the same run.  ``backend`` says which
path answered each call.  Times include nothing but the call (the import is reported apart).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from . import emit

__all__ = ["CALLS", "run"]

_SETUP = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import lrnn_theory as lt
t_import = time.perf_counter() - t0
s = lt.tasks.inverse_exponential(T=10, delta=2.0, lam=0.8)
data = lt.make_dataset(np.stack([s, 0.5 * s]), n_x=4, n_y=4, n_samples=64, seed=0)
"""

#: The two first calls of the README tour ("A short tour of the API").
CALLS = {
    "integrate_modes": "lt.integrate_modes(s, a0=0.1, b0=0.1, c0=0.1, t=np.linspace(0, 50, 501))",
    "simulate_gd": 'lt.simulate_gd(data, n_h=4, lr=0.01, steps=5000, init="aligned", scale=0.1, seed=0)',
}

_TIME = """
def timed():
    t0 = time.perf_counter()
    res = {call}
    return time.perf_counter() - t0, res.backend
first, backend = timed()
out = dict(import_s=t_import, first_s=first, backend=backend)
if {again}:
    out["again_s"], out["again_backend"] = timed()
t0 = time.perf_counter()
from lrnn_theory import _jit
_jit.wait_children()
out["compile_wait_s"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def _in_fresh_process(call: str, cache: str, again: bool) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, LRNN_THEORY_COMPILE_NOTICE="0")
    env.pop("LRNN_THEORY_COLD_FALLBACK", None)
    code = _SETUP + _TIME.format(call=call, again=again)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> list[dict]:
    """Run the cold-start benchmark; print and return one record per call (``quick`` changes nothing)."""
    records = []
    for name, call in CALLS.items():
        with tempfile.TemporaryDirectory(prefix="lrnn-cold-") as cache:
            cold = _in_fresh_process(call, cache, again=False)
            warm = _in_fresh_process(call, cache, again=True)
        records.append(emit(dict(
            bench="cold", case=f"first_{name}", cold_s=cold["first_s"], cold_backend=cold["backend"],
            compile_s=cold["first_s"] + cold["compile_wait_s"],
            warm_first_s=warm["first_s"], warm_backend=warm["backend"],
            hot_s=warm["again_s"], import_s=warm["import_s"],
            cold_over_warm=cold["first_s"] / warm["first_s"],
        )))
    return records
