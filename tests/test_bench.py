"""The benchmark record (``lrnn-theory bench --save``) and the README table generated from it (``tools/perf_table.py``)."""
import importlib.util
import json
import os
import subprocess
from pathlib import Path

import numba
import pytest

from lrnn_theory.bench import record
from lrnn_theory.cli import main

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("perf_table", ROOT / "tools" / "perf_table.py")
perf_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(perf_table)

SMALL = dict(bench="sim", case="small", n_x=4, n_y=4, n_h=16, T=10, P=80, modes=4, lrnn_steps_per_s=121000.0,
             numpy_steps_per_s=2000.0, speedup_vs_numpy=60.5, torch_1thread_steps_per_s=1500.0,
             speedup_vs_torch_1thread=80.66666)
LARGE = dict(bench="sim", case="large", n_x=64, n_y=64, n_h=64, T=20, P=1280, modes=64, lrnn_steps_per_s=700.0,
             numpy_steps_per_s=50.0, speedup_vs_numpy=14.0)


def test_environment_matches_git_and_the_os():
    env = record.environment()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert env["commit"] == head
    assert env["cores"] == len(os.sched_getaffinity(0))
    assert env["numba_threads"] == numba.get_num_threads()
    assert env["versions"]["numba"] == numba.__version__
    assert env["cpu"] and env["date"].endswith("+00:00")


def test_append_then_read_round_trips_and_appends(tmp_path):
    path = tmp_path / "r.jsonl"
    env = dict(commit="abc", dirty=False, date="2026-01-01T00:00:00+00:00", cpu="X", cores=2, numba_threads=2,
               platform="p", versions={"numpy": "2"})
    assert record.append(path, "sim", [SMALL], env) == 1
    assert record.append(path, "sim", [LARGE, SMALL], env) == 2
    recs = record.read(path)
    assert [r["result"] for r in recs] == [SMALL, LARGE, SMALL]
    assert all(r["suite"] == "sim" and r["commit"] == "abc" for r in recs)
    assert len(path.read_text().splitlines()) == 3


def test_bad_record_paths_raise_naming_the_option(tmp_path):
    with pytest.raises(ValueError, match="--save.*does not exist"):
        record.check_path(tmp_path / "missing" / "r.jsonl")
    with pytest.raises(ValueError, match="--save must be a file"):
        record.check_path(tmp_path)
    with pytest.raises(TypeError, match="--save must be a file path"):
        record.check_path(3)
    (tmp_path / "bad.jsonl").write_text('{"a": 1}\nnot json\n')
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        record.read(tmp_path / "bad.jsonl")


def test_cli_rejects_a_bad_save_path_before_running(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["bench", "sim", "--save", str(tmp_path / "no" / "r.jsonl")])
    assert exc.value.code == 2
    err = capsys.readouterr()
    assert "--save" in err.err and '"bench": "sim"' not in err.out  # nothing was measured


def _records(env_date="2026-01-02T00:00:00+00:00"):
    env = dict(commit="0123456789abcdef", dirty=False, date=env_date, cpu="Test CPU", cores=2, numba_threads=2,
               platform="p", versions={})
    old = dict(SMALL, lrnn_steps_per_s=1.0, speedup_vs_torch_1thread=1.0)
    quick = dict(SMALL, lrnn_steps_per_s=5.0, quick=True)
    return [{**env, "suite": "sim", "result": r} for r in (old, SMALL, LARGE, quick)]


def test_table_takes_the_latest_full_record_per_case():
    text = perf_table.table(_records())
    rows = [line for line in text.splitlines() if line.startswith("| GD")]
    assert rows == [
        "| GD, N_x=N_y=4, N_h=16, T=10, P=80 | 121 000 steps/s | PyTorch eager autograd (1 thread): 1 500 steps/s | 80.7× |",
        "| GD, N_x=N_y=N_h=64, T=20, P=1280 | 700 steps/s | NumPy full-batch BPTT: 50 steps/s | 14× |",
    ]
    assert "Test CPU, 2 cores, commit 0123456789, 2026-01-02" in text
    assert "| 5 steps/s |" in perf_table.table(_records(), quick=True)  # the quick run is the latest then


def test_write_readme_replaces_only_the_marked_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# T\n\nbefore\n\n{perf_table.START}\n| old |\n{perf_table.END}\n\nafter\n")
    rec = tmp_path / "r.jsonl"
    rec.write_text("".join(json.dumps(r) + "\n" for r in _records()))
    assert perf_table.main([str(rec), "--write-readme", str(readme)]) == 0
    out = readme.read_text()
    assert out.startswith("# T\n\nbefore\n\n") and out.endswith(f"{perf_table.END}\n\nafter\n")
    assert "| old |" not in out and "121 000 steps/s" in out
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="markers"):
        perf_table.write_readme(readme, "x")


def test_committed_record_has_a_full_sim_run():
    """The record kept in the repository holds at least one full-size ``bench sim`` run with its environment."""
    recs = record.read(ROOT / "bench" / "records.jsonl")
    sim = [r for r in recs if r["suite"] == "sim" and not r["result"].get("quick")]
    assert {r["result"]["case"] for r in sim} >= {"small", "large", "batch64_small"}
    for r in sim:
        assert r["commit"] and r["cpu"] and r["cores"] >= 1 and r["versions"]["numba"]
    assert "GD, N_x=N_y=4" in perf_table.table(recs)


def test_merging_phase_bench_counts_the_cells_of_its_grid():
    """``bench merging``'s phase case: grid cells per second of the serial and batched paths (here on a
    2-cell grid whose networks give few states, so that the serial path's extraction stays short)."""
    from lrnn_theory.bench.merging import PHASE_GRID, _measure_phase

    assert len(PHASE_GRID["p"]) * len(PHASE_GRID["gain"]) == 6
    rec = _measure_phase(quick=True, grid={"p": (0.5, 1.0), "gain": (0.1,)})
    assert rec["case"] == "phase" and rec["cells"] == 2 and rec["epochs_per_cell"] == 20
    assert rec["threads"] == numba.get_num_threads()
    for key in ("serial", "batched_1thread", "batched"):
        assert rec[f"{key}_cells_per_s"] > 0
    assert rec["speedup"] == pytest.approx(rec["batched_cells_per_s"] / rec["serial_cells_per_s"], rel=1e-12)
    assert 0 <= rec["cells_reporting_the_same_numbers"] <= 2


def test_every_suite_has_its_own_row_with_the_ratio_it_measured():
    """Rows of the non-simulator suites name the baseline and carry the run's own ratio and work counts."""
    rows = {
        "theory": [dict(case="single_mode", T=10, t_end=100.0, rtol=1e-10, lrnn_ms=0.2, lsoda_ms=10.0, speedup_vs_lsoda=50.0,
                        nfev_lrnn=1300, nfev_lsoda=947.4),
                   dict(case="batch_10000_vs_lsoda", n_modes=10000, lrnn_s=1.25, baseline_s_estimated=100.0,
                        baseline_modes_timed=50, speedup=80.0, nfev_per_mode_lrnn=1295.1, nfev_per_mode_baseline=947.4)],
        "sweep": [dict(case="grid_100x100_mode_ode", points=10000, vectorized_s=2.5, one_point_per_task_s_estimated=20.0,
                       speedup=8.0)],
        "bptt": [dict(P=64, T=50, n_h=32, core_steps_per_s=100.0, off_steps_per_s=250.0)],
        "merging": [dict(case="phase", cells=6, epochs_per_cell=100, threads=2, batched_cells_per_s=2.0,
                         serial_cells_per_s=0.5, speedup=4.0),
                    dict(lrnn_s_per_epoch=0.017, numpy_s_per_epoch=0.055, speedup_vs_numpy=3.24)],
    }
    got = [perf_table._ROWS[suite](r) for suite, rs in rows.items() for r in rs]
    assert got == [
        ("mode ODE, one mode, T=10 to 100τ, rtol 1e-10", "0.2 ms, 1 300 RHS evals", "SciPy LSODA: 10 ms, 947 RHS evals", "50×"),
        ("mode ODE, 10 000 modes (same settings)", "1.25 s, 1 295 RHS evals/mode",
         "SciPy LSODA loop: 100 s (est. from 50 modes), 947 RHS evals/mode", "80×"),
        ("sweep, 10 000-point grid of the mode ODE (local pool)", "2.5 s", "one point per task: 20 s (est.)", "8×"),
        ("BPTT simulator, options off, P=64, T=50, N_h=32", "250 steps/s", "per-sample BPTT kernel loop: 100 steps/s", "2.5×"),
        ("state-merging phase diagram, 6 cells × 100 epochs, batched (2 threads)", "2 cells/s",
         "one cell after another: 0.5 cells/s", "4×"),
        ("streaming parity, one epoch (P = 100, N_h = 100)", "17 ms", "NumPy BPTT: 55 ms", "3.24×"),
    ]
    # a record of an older shape still gets a (generic) row instead of failing the table
    old = [{"suite": "theory", "commit": "0" * 40, "cpu": "c", "cores": 2, "date": "2026-01-01", "result": {"case": "single_mode", "lrnn_ms": 1.0}}]
    assert "| theory: single_mode | lrnn_ms = 1 |" in perf_table.table(old)


def test_cold_start_row_reports_cold_and_warm_of_the_same_run():
    r = dict(case="first_simulate_gd", cold_s=1.5, cold_backend="numpy", compile_s=31.0, warm_first_s=0.5,
             warm_backend="compiled", hot_s=0.03, import_s=0.4, cold_over_warm=3.0)
    assert perf_table._ROWS["cold"](r) == (
        "README tour, first `simulate_gd` in a fresh process, empty numba cache",
        "1.5 s (numpy; kernels compiled in the background in 31 s)", "warm cache, fresh process: 0.5 s", "3×")
    assert perf_table._ROWS["cold"](dict(case="other")) is None
