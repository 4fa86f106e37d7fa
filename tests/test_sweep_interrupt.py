"""Interrupted sweeps (issue 14): a real process killed (SIGKILL) or interrupted (SIGINT) mid-sweep
keeps every finished chunk in the cache, resumes by recomputing only the missing points and ends
with exactly the numbers of an uninterrupted run; the progress bar advances once per finished chunk.

The sweeps run ``_sweep_interrupt_helper.py`` in a subprocess of its own session (so that the
test can kill it together with its pool workers).  Evaluations are counted through a file that
the point function appends one byte to per call.  The ``timeout``s below only guard against a
hang; no test measures speed.
"""
import concurrent.futures as cf
import functools
import os
import signal
import subprocess
import sys
import time

import _sweep_interrupt_helper as helper
import numpy as np
import pytest

from lrnn_theory.sweep import _Cache, _fn_identity, default_executor, point_seed, sweep

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sweep_interrupt_helper.py")
N = helper.N_POINTS
HANG_GUARD = 120.0  # seconds: a bound against hangs, not a speed requirement


# ----------------------------------------------------------------------------- utilities
def _sigint_as_in_a_terminal() -> None:
    """In the script's process, before it starts: SIGINT back to its default disposition.

    A process started with SIGINT ignored keeps it ignored across ``exec``, and Python then installs
    no ``KeyboardInterrupt`` handler.  pytest-xdist's workers run with SIGINT ignored, so without
    this the script would sit through the test's SIGINT (a hang, not the behaviour under test);
    a script started from a terminal has the default disposition.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cached_files(folder) -> set:
    """Names of the finished cache entries (temporary files of an interrupted write excluded)."""
    if not os.path.isdir(folder):
        return set()
    return {f for f in os.listdir(folder) if f.endswith(".npz") and not f.startswith(".")}


def evaluations(counter) -> int:
    return os.path.getsize(counter) if os.path.exists(counter) else 0


def key_file(folder, x) -> str:
    """Cache file name of the point ``x`` (same key as :func:`sweep` computes)."""
    store = _Cache(str(folder), _fn_identity(helper.slow_point))
    return store.key({"x": x}, point_seed(helper.SEED, {"x": x})) + ".npz"


def reference() -> dict:
    """The uninterrupted result, point by point without :func:`sweep`."""
    outs = [helper.slow_point(x, point_seed(helper.SEED, {"x": x})) for x in range(N)]
    return {"y": np.stack([o["y"] for o in outs]), "k": np.array([o["k"] for o in outs])}


def group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (zombies awaiting their reaper do not count)."""
    if os.path.isdir("/proc"):
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class Run:
    """``_sweep_interrupt_helper.py`` in its own session, blocked for good at point ``block_at``."""

    def __init__(self, tmp_path, executor: str, block_at: int, sleep: float):
        self.cache = str(tmp_path / "cache")
        self.counter = str(tmp_path / "evaluations-run1")
        self.marker = str(tmp_path / "blocked")
        self.stderr_path = tmp_path / "stderr.txt"
        env = dict(os.environ, SWEEP_TEST_COUNTER=self.counter, SWEEP_TEST_SLEEP=str(sleep),
                   SWEEP_TEST_BLOCK=f"{block_at}:{self.marker}")
        with open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen([sys.executable, HELPER, self.cache, executor, str(tmp_path / "out.npz")],
                                         env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                         preexec_fn=_sigint_as_in_a_terminal)

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + HANG_GUARD
        while not condition():
            if self.proc.poll() is not None:
                pytest.fail(f"the sweep exited (code {self.proc.returncode}) before {what}:\n{self.stderr()}")
            if time.monotonic() > deadline:
                pytest.fail(f"hang guard: no {what} after {HANG_GUARD} s")
            time.sleep(0.005)

    def kill_all(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(HANG_GUARD)


@pytest.fixture
def runs():
    started = []
    yield started
    for run in started:  # never leave a blocked sweep behind
        run.kill_all()


def resume(tmp_path, monkeypatch, cache, executor):
    """Rerun the same sweep in this process; return (its result, number of evaluations)."""
    counter = str(tmp_path / "evaluations-resume")
    monkeypatch.setenv("SWEEP_TEST_COUNTER", counter)  # inherited by the pool's spawned workers
    for var in ("SWEEP_TEST_BLOCK", "SWEEP_TEST_SLEEP"):
        monkeypatch.delenv(var, raising=False)
    ds = sweep(helper.slow_point, helper.grid(), executor=executor, cache=cache, progress=False,
               seed=helper.SEED, chunksize=helper.CHUNKSIZE)
    return ds, evaluations(counter)


def test_helper_reference_equals_an_uninterrupted_sweep():
    ref = reference()
    ds = sweep(helper.slow_point, helper.grid(), executor="serial", progress=False, seed=helper.SEED)
    assert np.array_equal(ds["y"].values, ref["y"]) and np.array_equal(ds["k"].values, ref["k"])
    assert len(np.unique(ref["k"])) == N  # the points really differ


# ----------------------------------------------------------------------------- SIGKILL
@pytest.mark.parametrize("executor", ["serial", "pool"])
def test_sigkill_mid_sweep_resumes_only_the_unfinished_points(tmp_path, monkeypatch, runs, executor):
    # the last point never returns, so the sweep cannot finish before the kill; the kill moment is
    # otherwise arbitrary (possibly inside a cache write)
    run = Run(tmp_path, executor, block_at=N - 1, sleep=0.05)
    runs.append(run)
    run.wait_for(lambda: len(cached_files(run.cache)) >= 3 * helper.CHUNKSIZE, "three cached chunks")
    run.kill_all()
    kept = cached_files(run.cache)
    assert 3 * helper.CHUNKSIZE <= len(kept) < N
    assert key_file(run.cache, N - 1) not in kept
    ds, n_eval = resume(tmp_path, monkeypatch, run.cache, executor="serial" if executor == "serial" else None)
    assert n_eval == N - len(kept)  # only the points missing from the cache are recomputed
    ref = reference()
    assert np.array_equal(ds["y"].values, ref["y"]) and np.array_equal(ds["k"].values, ref["k"])
    assert len(cached_files(run.cache)) == N


# ----------------------------------------------------------------------------- SIGINT
@pytest.mark.parametrize("executor,target", [("serial", "process"), ("pool", "process"), ("pool", "group")])
def test_sigint_mid_sweep_raises_keyboardinterrupt_and_keeps_the_cache(tmp_path, monkeypatch, runs, executor, target):
    # point 9 (in the fifth chunk, [8, 9]) blocks for good: the sweep can only end by the interrupt
    run = Run(tmp_path, executor, block_at=9, sleep=0.05)
    runs.append(run)
    run.wait_for(lambda: os.path.exists(run.marker), "blocked point")
    before = cached_files(run.cache)
    if executor == "serial":  # chunks run one after the other, each cached before the next starts
        assert before == {key_file(run.cache, x) for x in range(8)}
    if target == "group":  # Ctrl-C in a terminal: the main process and the pool workers
        os.killpg(run.proc.pid, signal.SIGINT)
    else:  # kill -INT <pid>: the main process only
        run.proc.send_signal(signal.SIGINT)
    try:
        returncode = run.proc.wait(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hang guard: the sweep ran on {HANG_GUARD} s after SIGINT")
    stderr = run.stderr()
    assert returncode == -signal.SIGINT, stderr  # how Python exits on an uncaught KeyboardInterrupt
    assert "KeyboardInterrupt" in stderr and "SweepError" not in stderr, stderr
    deadline = time.monotonic() + HANG_GUARD
    while group_alive(run.proc.pid):  # the pool's workers do not outlive the interrupted sweep
        assert time.monotonic() < deadline, "hang guard: workers still running after the sweep exited"
        time.sleep(0.01)
    kept = cached_files(run.cache)
    assert before <= kept and key_file(run.cache, 8) not in kept and key_file(run.cache, 9) not in kept
    ds, n_eval = resume(tmp_path, monkeypatch, run.cache, executor="serial")
    assert n_eval == N - len(kept)
    ref = reference()
    assert np.array_equal(ds["y"].values, ref["y"]) and np.array_equal(ds["k"].values, ref["k"])


# ----------------------------------------------------------------------------- in-process interrupts
def interrupting(x, counter, at, exc):
    with open(counter, "ab") as fh:
        fh.write(b"x")
    if x == at:
        raise {"KeyboardInterrupt": KeyboardInterrupt, "SystemExit": SystemExit}[exc]()
    return float(x)


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit])
def test_serial_interrupt_propagates_at_once_and_keeps_finished_chunks(tmp_path, exc):
    counter = str(tmp_path / "n")
    fn = functools.partial(interrupting, counter=counter, at=5, exc=exc.__name__)
    with pytest.raises(exc):
        sweep(fn, {"x": list(range(12))}, executor="serial", cache=tmp_path / "c", progress=False, chunksize=2)
    assert evaluations(counter) == 6  # x = 0..5: nothing after the interrupted point ran
    assert len(cached_files(tmp_path / "c")) == 4  # chunks [0, 1] and [2, 3]; [4, 5] was interrupted
    ds = sweep(functools.partial(interrupting, counter=counter, at=-1, exc=exc.__name__), {"x": list(range(12))},
               executor="serial", progress=False)
    assert ds["value"].values.tolist() == [float(x) for x in range(12)]


def test_interrupt_on_a_callers_executor_cancels_only_the_sweeps_futures(tmp_path):
    counter = str(tmp_path / "n")
    fn = functools.partial(interrupting, counter=counter, at=0, exc="KeyboardInterrupt")
    with cf.ThreadPoolExecutor(1) as ex:
        with pytest.raises(KeyboardInterrupt):
            sweep(fn, {"x": list(range(40))}, executor=ex, progress=False, chunksize=1)
        assert ex.submit(pow, 2, 10).result() == 1024  # the caller's executor is not shut down
    # everything still queued on the executor ran before its shutdown returned: the sweep's own
    # unstarted futures were cancelled (a bounded window of them was ever submitted)
    assert 1 <= evaluations(counter) < 40


# ----------------------------------------------------------------------------- progress
class RecordingBar:
    """Stands in for ``tqdm``: records each ``update`` with the cache and evaluation counts at that moment."""

    made: list = []
    cache = counter = ""  # set by the test

    def __init__(self, *, total, initial=0, **kwargs):
        self.total, self.n, self.initial, self.closed = total, initial, initial, False
        self.updates: list = []
        RecordingBar.made.append(self)

    def set_postfix(self, *args, **kwargs):
        pass

    def update(self, n):
        self.n += n
        self.updates.append((n, len(cached_files(RecordingBar.cache)), evaluations(RecordingBar.counter)))

    def close(self):
        self.closed = True


@pytest.mark.parametrize("executor", ["serial", "pool"])
def test_progress_advances_once_per_finished_chunk_as_it_is_cached(tmp_path, monkeypatch, executor):
    cache, counter = str(tmp_path / "cache"), str(tmp_path / "n")
    monkeypatch.setenv("SWEEP_TEST_COUNTER", counter)
    monkeypatch.setattr(RecordingBar, "made", [])
    monkeypatch.setattr(RecordingBar, "cache", cache)
    monkeypatch.setattr(RecordingBar, "counter", counter)
    monkeypatch.setattr("tqdm.auto.tqdm", RecordingBar)
    sweep(helper.slow_point, {"x": list(range(6))}, executor="serial", cache=cache, seed=helper.SEED)  # 6 cached
    os.remove(counter)
    if executor == "serial":
        ds = sweep(helper.slow_point, helper.grid(), executor="serial", cache=cache, seed=helper.SEED, chunksize=4)
    else:
        with default_executor(2) as pool:
            ds = sweep(helper.slow_point, helper.grid(), executor=pool, cache=cache, seed=helper.SEED, chunksize=4)
            assert pool.submit(pow, 3, 3).result() == 27  # the caller's pool is still usable
    bar = RecordingBar.made[-1]
    assert (bar.total, bar.initial, bar.n, bar.closed) == (N, 6, N, True)
    sizes = [u[0] for u in bar.updates]
    assert sorted(sizes) == [2, 4, 4, 4, 4]  # 18 points to do in chunks of 4: one update per chunk
    done = np.cumsum(sizes)
    assert [u[1] for u in bar.updates] == (6 + done).tolist()  # each chunk is cached when the bar counts it
    if executor == "serial":
        assert sizes == [4, 4, 4, 4, 2]
        assert [u[2] for u in bar.updates] == done.tolist()  # counted before the next chunk starts
    else:
        assert all(u[2] >= d for u, d in zip(bar.updates, done))
    assert evaluations(counter) == N - 6
    ref = reference()
    assert np.array_equal(ds["y"].values, ref["y"]) and np.array_equal(ds["k"].values, ref["k"])
