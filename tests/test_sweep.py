"""Parameter sweeps: exact values, labels, executors, seeds, cache (issue #7)."""
import concurrent.futures as cf
import functools
import os

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
