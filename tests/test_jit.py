"""Compilation once per machine and in the background (lrnn_theory._jit), with real processes.

Every test here runs fresh Python processes on an empty numba cache (``NUMBA_CACHE_DIR`` in
``tmp_path``) and compiles the small kernel ``_radau.sums_batch`` (a few seconds), never the big
ones; what is counted is compilations (numba's ``numba:compile`` events) and cache entries, not time.
"""
import json
import os
import subprocess
import sys

import pytest

_COUNT = """
import json, sys
from numba.core import event as ev
compiled = []
class L(ev.Listener):
    def on_start(self, event):
        compiled.append(event.data["dispatcher"].py_func.__qualname__)
    def on_end(self, event):
        pass
ev.register("numba:compile", L())
import numpy as np
from lrnn_theory import _radau, _jit
args = (np.array([0.5]), np.array([0.9]), np.ones((1, 4)), np.empty((7, 1)))
"""


def _run(code: str, cache, **env) -> subprocess.Popen:
    full = dict(os.environ, NUMBA_CACHE_DIR=str(cache), **env)
    full.pop("LRNN_THEORY_COLD_FALLBACK", None)
    full.pop("LRNN_THEORY_COMPILE_NOTICE", None)
    full.update(env)
    return subprocess.Popen([sys.executable, "-c", _COUNT + code], env=full, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen) -> tuple[dict, str]:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1]), err


def test_two_processes_compiling_one_kernel_at_once_compile_it_once(tmp_path):
    """Two processes start on an empty cache together: one compiles, the other waits on the lock and loads."""
    code = """
_radau.sums_batch(*args)
print(json.dumps({"compiled": compiled, "out": args[3][:, 0].tolist()}))
"""
    procs = [_run(code, tmp_path) for _ in range(2)]
    results = [_result(p)[0] for p in procs]
    n_compiled = [r["compiled"].count("sums_batch") for r in results]
    assert sorted(n_compiled) == [0, 1]  # one process compiled it, the other loaded the cache
    assert results[0]["out"] == results[1]["out"]
    # the helper it calls was compiled once too (by the same process)
    assert sum(r["compiled"].count("_sums") for r in results) == 1


def test_cold_kernel_compiles_in_a_background_process_and_is_loaded_after(tmp_path):
    """ready() is False on a cold cache, starts one child and prints the notice once; the child fills the
    cache, after which this process loads the kernel without compiling, and a new process finds it ready."""
    code = """
k = _jit.Kernel(_radau.sums_batch, seconds=3)
first = k.ready(args)
again = k.ready(args)   # the child is still compiling or has finished: no second child
n_children = len(_jit._STATE.children)
_jit.wait_children()
after = k.ready(args)
_radau.sums_batch(*args)
print(json.dumps({"first": first, "n_children": n_children, "after": after, "compiled": compiled}))
"""
    res, err = _result(_run(code, tmp_path))
    assert res["first"] is False and res["after"] is True and res["n_children"] == 1
    assert res["compiled"] == []  # this process never compiled: the child did
    assert err.count("compiling lrnn_theory kernels, once per install") == 1
    res2, err2 = _result(_run(code, tmp_path))
    assert res2["first"] is True and res2["n_children"] == 0 and res2["compiled"] == []
    assert "compiling" not in err2


def test_without_fallback_a_cold_kernel_compiles_here_and_the_notice_can_be_silenced(tmp_path):
    code = """
k = _jit.Kernel(_radau.sums_batch, seconds=3)
ready = k.prepare(args)
print(json.dumps({"ready": ready, "n_children": len(_jit._STATE.children), "compiled": compiled}))
"""
    res, err = _result(_run(code, tmp_path, LRNN_THEORY_COLD_FALLBACK="0", LRNN_THEORY_COMPILE_NOTICE="0"))
    assert res["ready"] is True and res["n_children"] == 0
    assert res["compiled"].count("sums_batch") == 1
    assert err == ""


@pytest.mark.parametrize("value, shown", [("1", True), ("0", False), ("off", False)])
def test_notice_is_one_line_on_stderr_unless_silenced(tmp_path, value, shown):
    code = """
_jit.notice(12.0)
_jit.notice(12.0)
print(json.dumps({}))
"""
    _, err = _result(_run(code, tmp_path, LRNN_THEORY_COMPILE_NOTICE=value))
    lines = [ln for ln in err.splitlines() if "compiling lrnn_theory kernels" in ln]
    assert lines == (["compiling lrnn_theory kernels, once per install, ~12 s "
                      "(silence: LRNN_THEORY_COMPILE_NOTICE=0)"] if shown else [])
