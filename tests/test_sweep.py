"""Parameter sweeps: exact values, labels, executors, seeds, cache (issue #7)."""
import concurrent.futures as cf
import functools
import os
import subprocess
import sys
import threading
import types

import numpy as np
import pytest

from lrnn_theory.sweep import SweepError, default_executor, point_seed, sweep


def quadratic(x, y):
    return x ** 2 + 3 * y


def several(x, y):
    return {"sum": x + y, "vec": np.array([x, y, x * y])}


def noisy(x, seed):
    return np.random.default_rng(seed).normal() + x


def noisy_vectorized(x, seed):
    return np.array([np.random.default_rng(int(s)).normal() for s in seed]) + x


def quadratic_vectorized(x, y):
    return x ** 2 + 3 * y


def counting(x, folder):
    with open(os.path.join(folder, f"called-{x}"), "a") as fh:
        fh.write("x")
    if x == 3 and os.path.exists(os.path.join(folder, "fail")):
        raise RuntimeError("boom")
    return 2.0 * x


def test_closed_form_values_dims_and_attrs():
    ds = sweep(quadratic, {"x": [1.0, 2.0, 3.0], "y": [0, 10]}, executor="serial", progress=False)
    assert ds["value"].dims == ("x", "y")
    assert np.array_equal(ds["value"].values, np.array([[1, 31], [4, 34], [9, 39]], dtype=float))
    assert ds.attrs["lrnn_theory_version"] and ds.attrs["fn"].endswith("quadratic") and ds.attrs["seed"] == 0


def test_list_of_dicts_and_dict_and_array_outputs():
    ds = sweep(several, [{"x": 1.0, "y": 2.0}, {"x": 3.0, "y": -1.0}], executor="serial", progress=False)
    assert ds["sum"].dims == ("point",) and ds["sum"].values.tolist() == [3.0, 2.0]
    assert ds["vec"].shape == (2, 3) and ds["vec"].values[1].tolist() == [3.0, -1.0, -3.0]
    assert ds["x"].values.tolist() == [1.0, 3.0]


def test_vectorized_equals_pointwise():
    grid = {"x": np.linspace(0, 1, 7), "y": [1.0, 2.0]}
    a = sweep(quadratic, grid, executor="serial", progress=False)
    b = sweep(quadratic_vectorized, grid, executor="serial", progress=False, vectorized=True, chunksize=5)
    assert np.array_equal(a["value"].values, b["value"].values)
    c = sweep(noisy, {"x": [0.0, 1.0, 2.0]}, executor="serial", progress=False, seed=3)
    d = sweep(noisy_vectorized, {"x": [0.0, 1.0, 2.0]}, executor="serial", progress=False, seed=3, vectorized=True)
    assert np.array_equal(c["value"].values, d["value"].values)


def test_seeds_depend_on_parameters_not_position():
    assert point_seed(0, {"x": 1.0}) != point_seed(1, {"x": 1.0}) != point_seed(0, {"x": 2.0})
    a = sweep(noisy, {"x": [0.0, 1.0, 2.0]}, executor="serial", progress=False)
    b = sweep(noisy, {"x": [2.0, 0.0]}, executor="serial", progress=False)
    assert a["value"].sel(x=2.0).item() == b["value"].sel(x=2.0).item()


def test_serial_process_pool_and_dask_are_bitwise_identical():
    grid = {"x": np.arange(12.0)}
    serial = sweep(noisy, grid, executor="serial", progress=False, seed=5)
    with default_executor(2) as ex:
        pooled = sweep(noisy, grid, executor=ex, progress=False, seed=5, chunksize=5)
    assert np.array_equal(serial["value"].values, pooled["value"].values)
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, Client(cluster) as client:
        dasked = sweep(noisy, grid, executor=client.get_executor(), progress=False, seed=5, chunksize=3)
    assert np.array_equal(serial["value"].values, dasked["value"].values)


def test_default_executor_is_a_process_pool():
    ds = sweep(quadratic, {"x": [1.0, 2.0], "y": [0.5]}, progress=False)
    assert ds["value"].values.ravel().tolist() == [2.5, 5.5]


def compile_in_worker(x):
    """Compile a new numba function inside the worker (what a cold cache does in a fresh clone)."""
    import numba

    f = numba.njit(lambda y: 2.0 * y + 1.0)
    return f(x), numba.get_num_threads()


def test_default_executor_workers_can_compile_numba_code():
    # numba is already imported when the worker initialiser runs (unpickling it imports the package):
    # the worker must still compile new functions, with one numba thread
    with default_executor(1) as ex:
        assert ex.submit(compile_in_worker, 3.0).result() == (7.0, 1)


def test_cache_reuse_resume_and_corruption(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    cache = tmp_path / "cache"
    fn = functools.partial(counting, folder=str(calls))
    grid = {"x": [1, 2, 3, 4]}
    (calls / "fail").write_text("")
    with pytest.raises(SweepError, match=r"x.: 3"):
        sweep(fn, grid, executor="serial", cache=cache, progress=False, chunksize=1)
    finished = sorted(p.name for p in cache.iterdir())
    assert len(finished) == 3 and not any(n.startswith(".tmp") for n in finished)  # atomic, nothing half-written
    (calls / "fail").unlink()
    ds = sweep(fn, grid, executor="serial", cache=cache, progress=False)
    assert ds["value"].values.tolist() == [2.0, 4.0, 6.0, 8.0]
    assert [len((calls / f"called-{x}").read_text()) for x in (1, 2, 3, 4)] == [1, 1, 2, 1]  # resumed: only x = 3 again
    sweep(fn, grid, executor="serial", cache=cache, progress=False)
    assert [len((calls / f"called-{x}").read_text()) for x in (1, 2, 3, 4)] == [1, 1, 2, 1]  # all cached
    # corrupt one file, replace another by a foreign one: both recomputed, never trusted
    files = sorted(cache.glob("*.npz"))
    files[0].write_bytes(b"garbage")
    np.savez(files[1], value=np.array(99.0))
    ds = sweep(fn, grid, executor="serial", cache=cache, progress=False)
    assert ds["value"].values.tolist() == [2.0, 4.0, 6.0, 8.0]
    assert sum(len((calls / f"called-{x}").read_text()) for x in (1, 2, 3, 4)) == 5 + 2


def test_cache_identical_after_round_trip(tmp_path):
    a = sweep(noisy, {"x": [0.0, 1.0]}, executor="serial", cache=tmp_path, progress=False)
    b = sweep(noisy, {"x": [0.0, 1.0]}, executor="serial", cache=tmp_path, progress=False)
    assert np.array_equal(a["value"].values, b["value"].values)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(grid={}), ValueError, "grid must not be empty"),
        (dict(grid={"x": []}), ValueError, "axis 'x' is empty"),
        (dict(grid=[]), ValueError, "grid must not be empty"),
        (dict(grid={"x": [1.0, "a"]}), TypeError, "mixes value types"),
        (dict(grid={"x": [[1, 2], [3]]}), TypeError, "axis 'x'"),
        (dict(grid=[{"x": 1}, {"y": 2}]), ValueError, "same keys"),
        (dict(grid=5), TypeError, "grid must be"),
        (dict(executor="threads"), ValueError, "executor"),
        (dict(executor=42), TypeError, "executor"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(chunksize=0), ValueError, "chunksize"),
        (dict(fn=3), TypeError, "fn must be callable"),
        (dict(progress="yes"), TypeError, "progress must be a bool"),
        (dict(cache=3), TypeError, "cache must be a folder path"),
        (dict(refresh=1), TypeError, "refresh must be a bool"),
        (dict(refresh=True), ValueError, "refresh needs cache"),
        (dict(cache_key="v1"), ValueError, "cache_key needs cache"),
        (dict(grid=[{"x": 1, "y": 2}, {"x": 1}]), ValueError, "same keys"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = dict(fn=quadratic, grid={"x": [1.0], "y": [1.0]}, executor="serial", progress=False)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        sweep(args.pop("fn"), args.pop("grid"), **args)


def test_unpicklable_fn_for_process_executor_is_explained():
    with default_executor(1) as ex, pytest.raises(TypeError, match="top level"):
        sweep(lambda x: x, {"x": [1.0]}, executor=ex, progress=False)


def test_unwritable_cache_reported_before_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="cache"):
        sweep(quadratic, {"x": [1.0], "y": [1.0]}, executor="serial", cache=blocker / "sub", progress=False)


def test_exception_names_the_point():
    def bad(x):
        if x > 1:
            raise ValueError("no")
        return x

    with pytest.raises(SweepError, match="x.: 2") as info:
        sweep(bad, {"x": [1, 2]}, executor="serial", progress=False)
    assert info.value.params == {"x": 2}
    with pytest.raises(SweepError, match="leading axis"):
        sweep(lambda x: 1.0, {"x": [0, 1]}, executor="serial", progress=False, vectorized=True)
    assert isinstance(cf.ThreadPoolExecutor(1), cf.Executor)


def test_replicated_axis_varies_only_the_seed_and_keeps_fixed_keywords_in_the_identity():
    from lrnn_theory.sweep import Replicated, _fn_identity, point_seed

    def draw(a, seed, scale=1.0):
        return {"x": scale * np.random.default_rng(seed).normal() + a}

    fn = Replicated(draw, scale=2.0)
    ds = sweep(fn, {"a": [0.0, 1.0], "replicate": [0, 1]}, executor="serial", progress=False, seed=3)
    for a in (0.0, 1.0):
        for r in (0, 1):
            s = point_seed(3, {"a": a, "replicate": r}) % (2 ** 31)
            assert float(ds["x"].sel(a=a, replicate=r)) == 2.0 * np.random.default_rng(s).normal() + a
    assert _fn_identity(Replicated(draw, scale=2.0)) != _fn_identity(Replicated(draw, scale=3.0))


# ----------------------------------------------------------------------------- cache key (issue #23)
def _make_multiplier(k):
    def f(x):
        return x * k
    return f


class Mul:
    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return x * self.k


class SlotMul:
    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return x * self.k


def add_entry(x, w):
    return x + w[1000]


T_END = 300.0
SETTINGS = types.SimpleNamespace(t_end=300.0)  # an object: not part of the key (only plain-data constants are)


def scaled_by_constant(x):
    return x * T_END


def scaled_by_settings(x):
    return x * SETTINGS.t_end


GRID = {"x": [1.0, 2.0, 3.0]}


def _values(fn, cache, **kw):
    return sweep(fn, GRID, executor="serial", cache=cache, progress=False, **kw)["value"].values.tolist()


@pytest.mark.parametrize("factory", [_make_multiplier, Mul, SlotMul], ids=["closure", "instance", "slots-instance"])
def test_cache_key_separates_closures_and_callable_instances(tmp_path, factory):
    assert _values(factory(2), tmp_path) == [2.0, 4.0, 6.0]
    assert _values(factory(3), tmp_path) == [3.0, 6.0, 9.0]  # not the k = 2 results
    assert len(list(tmp_path.glob("*.npz"))) == 6
    assert _values(factory(2), tmp_path) == [2.0, 4.0, 6.0]  # reused: no new entry
    assert len(list(tmp_path.glob("*.npz"))) == 6


def test_cache_key_hashes_partial_arrays_by_their_bytes(tmp_path):
    w1 = np.zeros(2000)
    w2 = w1.copy()
    w2[1000] = 1.0  # hidden in the middle of NumPy's abbreviated repr
    assert repr(w1) == repr(w2)
    assert _values(functools.partial(add_entry, w=w1), tmp_path) == [1.0, 2.0, 3.0]
    assert _values(functools.partial(add_entry, w=w2), tmp_path) == [2.0, 3.0, 4.0]
    assert _values(functools.partial(add_entry, w=w1.astype(np.float32)), tmp_path) == [1.0, 2.0, 3.0]
    assert len(list(tmp_path.glob("*.npz"))) == 9  # dtype is part of the key too


def test_cache_key_defaults_and_code(tmp_path):
    def f(x, k=2.0):
        return x * k

    def g(x, k=3.0):
        return x * k

    def h(x, k=2.0):
        return x + k

    assert _values(f, tmp_path) == [2.0, 4.0, 6.0]
    assert _values(g, tmp_path) == [3.0, 6.0, 9.0]
    assert _values(h, tmp_path) == [3.0, 4.0, 5.0]


def test_module_constants_refresh_and_cache_key(tmp_path, monkeypatch):
    # a plain module-level constant read by fn is part of the key
    assert _values(scaled_by_constant, tmp_path) == [300.0, 600.0, 900.0]
    monkeypatch.setattr(sys.modules[__name__], "T_END", 5.0)
    assert _values(scaled_by_constant, tmp_path) == [5.0, 10.0, 15.0]
    # an attribute of a module-level object is not: refresh recomputes and overwrites, cache_key separates
    folder = tmp_path / "settings"
    assert _values(scaled_by_settings, folder) == [300.0, 600.0, 900.0]
    monkeypatch.setattr(SETTINGS, "t_end", 5.0)
    assert _values(scaled_by_settings, folder, refresh=True) == [5.0, 10.0, 15.0]
    assert _values(scaled_by_settings, folder) == [5.0, 10.0, 15.0]  # the refreshed entries were stored
    assert len(list(folder.glob("*.npz"))) == 3
    assert _values(scaled_by_settings, folder, cache_key={"t_end": 5.0}) == [5.0, 10.0, 15.0]
    monkeypatch.setattr(SETTINGS, "t_end", 7.0)
    assert _values(scaled_by_settings, folder, cache_key={"t_end": 7.0}) == [7.0, 14.0, 21.0]
    assert len(list(folder.glob("*.npz"))) == 9


def test_unhashable_object_is_named_and_cache_key_stands_for_it(tmp_path):
    lock = threading.Lock()

    def f(x):
        with lock:
            return 2 * x

    with pytest.raises(TypeError, match=r"closure variable 'lock'.*cache_key"):
        _values(f, tmp_path)
    with pytest.raises(TypeError, match=r"fn.keywords\['w'\].*cache_key"):
        _values(functools.partial(add_entry, w=lock), tmp_path)
    assert _values(f, tmp_path, cache_key="lock-v1") == [2.0, 4.0, 6.0]
    with pytest.raises(TypeError, match="cache_key"):
        _values(f, tmp_path, cache_key=lock)
    assert sweep(f, GRID, executor="serial", progress=False)["value"].values.tolist() == [2.0, 4.0, 6.0]  # no cache, no key
    with pytest.raises(ValueError, match="refresh needs cache"):
        sweep(f, GRID, executor="serial", progress=False, refresh=True)
    with pytest.raises(ValueError, match="cache_key needs cache"):
        sweep(f, GRID, executor="serial", progress=False, cache_key="v")


def _entry_files(cache):
    return sorted(p for p in cache.iterdir() if p.name.endswith(".npz"))


def test_damaged_entries_are_recomputed_and_overwritten(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    cache = tmp_path / "cache"
    fn = functools.partial(counting, folder=str(calls))
    grid = {"x": [1, 2, 3, 4, 5]}
    sweep(fn, grid, executor="serial", cache=cache, progress=False)
    entries = _entry_files(cache)
    assert len(entries) == 5
    entries[0].write_bytes(entries[0].read_bytes()[:40])  # truncated
    entries[1].unlink()
    entries[1].mkdir()  # a directory where the file should be
    (entries[1] / "inside").write_text("x")
    with np.load(entries[2]) as z:  # valid archive with an output missing
        kept = {k: z[k] for k in z.files if k == "__meta__"}
    np.savez(entries[2], **kept)
    entries[3].write_bytes(b"")  # empty
    ds = sweep(fn, grid, executor="serial", cache=cache, progress=False)
    assert ds["value"].values.tolist() == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert sum(len((calls / f"called-{x}").read_text()) for x in grid["x"]) == 5 + 4
    assert _entry_files(cache) == entries and all(p.is_file() for p in entries)  # overwritten in place
    sweep(fn, grid, executor="serial", cache=cache, progress=False)
    assert sum(len((calls / f"called-{x}").read_text()) for x in grid["x"]) == 5 + 4  # all valid again


def outputs_by_point(x):
    return {1.0: {"a": x}, 2.0: {"b": x}, 3.0: {"a": x, "b": x}}[x]


def test_inconsistent_outputs_raise_naming_outputs_and_points():
    with pytest.raises(SweepError, match=r"\['a'\] at \{'x': 1.0\} but \['b'\] at \{'x': 2.0\}") as info:
        sweep(outputs_by_point, {"x": [1.0, 2.0]}, executor="serial", progress=False)
    assert info.value.params == {"x": 2.0}
    with pytest.raises(SweepError, match=r"\['a'\] at \{'x': 1.0\} but \['a', 'b'\] at \{'x': 3.0\}"):
        sweep(outputs_by_point, {"x": [1.0, 3.0]}, executor="serial", progress=False)
    with pytest.raises(SweepError, match=r"output 'value' must have the same shape.*\(2,\) at \{'x': 1\}.*\(1,\) at \{'x': 2\}"):
        sweep(lambda x: np.ones(3 - x), {"x": [1, 2]}, executor="serial", progress=False)


def test_output_names_that_clash_with_the_archive_format_are_cached(tmp_path):
    def f(x):
        return {"file": x, "allow_pickle": 2 * x, "__meta__": 3 * x}

    for _ in range(2):  # computed, then read back
        ds = sweep(f, {"x": [1.0, 2.0]}, executor="serial", cache=tmp_path, progress=False)
        assert ds["file"].values.tolist() == [1.0, 2.0] and ds["__meta__"].values.tolist() == [3.0, 6.0]


def test_list_of_dicts_in_any_key_order():
    ds = sweep(quadratic, [{"x": 1.0, "y": 2.0}, {"y": 0.0, "x": 3.0}], executor="serial", progress=False)
    assert ds["value"].values.tolist() == [1.0 + 6.0, 9.0]
    assert ds["x"].values.tolist() == [1.0, 3.0] and ds["y"].values.tolist() == [2.0, 0.0]


UNGUARDED = """
from lrnn_theory.sweep import sweep
ds = sweep(pow, {"base": [3], "exp": [2]}, progress=False)
print(ds["value"].values.ravel().tolist())
"""


def test_script_without_main_guard_gets_the_fix_named(tmp_path):
    # issue #24 §2: pasted into a script without the guard, the default pool broke with a bare BrokenProcessPool.
    # (The guarded version is the README's and the sweeps guide's example, run as scripts by tests/test_readme.py.)
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode != 0 and "[9]" not in run.stdout
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("lrnn_theory.sweep.SweepError") and 'if __name__ == "__main__":' in last, run.stderr[-3000:]
    assert "BrokenProcessPool" in last and str(script) in last
    # the worker itself says why it refused to run the script's sweep
    assert "sweep() was called while a worker process was starting" in run.stderr


OUTPUT_NAME = types.SimpleNamespace(name="a")  # an object's attribute: not part of the cache key


def named_output(x):
    return {OUTPUT_NAME.name: 2.0 * x}


def test_cached_entries_with_other_outputs_are_recomputed(tmp_path, monkeypatch):
    from lrnn_theory.sweep import _Cache, _fn_identity

    ds = sweep(named_output, {"x": [1.0, 2.0]}, executor="serial", cache=tmp_path, progress=False)
    assert list(ds.data_vars) == ["a"]
    monkeypatch.setattr(OUTPUT_NAME, "name", "b")  # the function changed in a way its key cannot see
    ds = sweep(named_output, {"x": [1.0, 2.0, 3.0]}, executor="serial", cache=tmp_path, progress=False)
    assert list(ds.data_vars) == ["b"] and ds["b"].values.tolist() == [2.0, 4.0, 6.0]  # stale {'a'} entries redone
    assert len(_entry_files(tmp_path)) == 3
    # all points cached, one entry of another shape (a valid, checksummed file): the odd one is recomputed
    store = _Cache(tmp_path, _fn_identity(named_output))
    store.store(store.key({"x": 2.0}, point_seed(0, {"x": 2.0})), {"b": np.zeros(3)})
    ds = sweep(named_output, {"x": [1.0, 2.0, 3.0]}, executor="serial", cache=tmp_path, progress=False)
    assert ds["b"].values.tolist() == [2.0, 4.0, 6.0]
    with np.load(store.path(store.key({"x": 2.0}, point_seed(0, {"x": 2.0})))) as z:
        assert z["out:b"].shape == ()  # overwritten


def test_output_named_like_a_grid_axis_is_refused_by_name():
    with pytest.raises(ValueError, match=r"output\(s\) \['x'\] have the name of a grid axis"):
        sweep(lambda x: {"x": x, "y": 2 * x}, {"x": [1.0, 2.0]}, executor="serial", progress=False)
    with pytest.raises(ValueError, match=r"\['point'\]"):
        sweep(lambda x: {"point": x}, [{"x": 1.0}], executor="serial", progress=False)


def test_cache_key_sees_through_lru_cache_and_numba_wrappers(tmp_path):
    import numba

    def cached(k):
        @functools.cache
        def f(x):
            return x * k
        return f

    def jitted(k):
        @numba.njit
        def f(x):
            return x * k
        return f

    for factory in (cached, jitted):
        folder = tmp_path / factory.__name__
        assert _values(factory(2), folder) == [2.0, 4.0, 6.0]
        assert _values(factory(3), folder) == [3.0, 6.0, 9.0]
