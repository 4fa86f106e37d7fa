"""Generate the README's performance table from the benchmark record (``lrnn-theory bench --save``).

Usage::

    python tools/perf_table.py [RECORD] [--write-readme [README]] [--quick]

RECORD defaults to ``bench/records.jsonl``.  For every (suite, case) the latest full-size record
is used (``--quick`` takes quick runs too).  The table goes to stdout, or with ``--write-readme``
replaces the block between ``<!-- perf-table:start -->`` and ``<!-- perf-table:end -->`` in the
README (default ``README.md``).  Every ratio is the one the benchmark measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- perf-table:start -->", "<!-- perf-table:end -->"


def _rate(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ") if x >= 100 else f"{x:.3g}"


def _sim_row(r: dict) -> tuple[str, str, str, str] | None:
    case = r.get("case")
    if case in ("small", "large"):
        shape = (f"N_x=N_y={r['n_x']}, N_h={r['n_h']}" if case == "small" else f"N_x=N_y=N_h={r['n_h']}")
        label = f"GD, {shape}, T={r['T']}, P={r['P']}"
        ours = f"{_rate(r['lrnn_steps_per_s'])} steps/s"
        if "torch_1thread_steps_per_s" in r:
            base = f"PyTorch eager autograd (1 thread): {_rate(r['torch_1thread_steps_per_s'])} steps/s"
            ratio = r["speedup_vs_torch_1thread"]
        else:
            base = f"NumPy full-batch BPTT: {_rate(r['numpy_steps_per_s'])} steps/s"
            ratio = r["speedup_vs_numpy"]
        return label, ours, base, _x(ratio)
    if case == "batch64_small":
        return (f"{r['runs']} small GD runs, batched", f"{r['parallel_speedup']:.2g}× from 1 to {r['threads']} threads",
                "", "")
    return None


def _int(n: float) -> str:
    return f"{n:,.0f}".replace(",", " ")


def _secs(s: float) -> str:
    return f"{_int(s)} s" if s >= 100 else f"{s:.3g} s"


def _x(ratio: float) -> str:
    return f"{_int(ratio)}×" if ratio >= 1000 else f"{ratio:.3g}×"


def _theory_row(r: dict) -> tuple[str, str, str, str] | None:
    case = r.get("case", "")
    if case == "single_mode":
        nf = f", {_int(r['nfev_lrnn'])} RHS evals" if "nfev_lrnn" in r else ""
        return (f"mode ODE, one mode, T={r['T']} to {r['t_end']:g}τ, rtol {r['rtol']:g}", f"{r['lrnn_ms']:.3g} ms{nf}",
                f"SciPy LSODA: {r['lsoda_ms']:.3g} ms, {_int(r['nfev_lsoda'])} RHS evals", _x(r["speedup_vs_lsoda"]))
    if case.startswith("batch_"):
        method = case.rsplit("_", 1)[-1]
        name = {"lsoda": "SciPy LSODA", "radau": "SciPy Radau"}.get(method, method)
        return (f"mode ODE, {_int(r['n_modes'])} modes (same settings)",
                f"{r['lrnn_s']:.3g} s, {_int(r['nfev_per_mode_lrnn'])} RHS evals/mode",
                f"{name} loop: {_secs(r['baseline_s_estimated'])} (est. from {r['baseline_modes_timed']} modes), "
                f"{_int(r['nfev_per_mode_baseline'])} RHS evals/mode", _x(r["speedup"]))
    return None


def _sweep_row(r: dict) -> tuple[str, str, str, str]:
    return (f"sweep, {_int(r['points'])}-point grid of the mode ODE (local pool)", f"{r['vectorized_s']:.3g} s",
            f"one point per task: {r['one_point_per_task_s_estimated']:.3g} s (est.)", _x(r["speedup"]))


def _bptt_row(r: dict) -> tuple[str, str, str, str]:
    return (f"BPTT simulator, options off, P={r['P']}, T={r['T']}, N_h={r['n_h']}", f"{_rate(r['off_steps_per_s'])} steps/s",
            f"per-sample BPTT kernel loop: {_rate(r['core_steps_per_s'])} steps/s", _x(r["off_steps_per_s"] / r["core_steps_per_s"]))


def _merging_row(r: dict) -> tuple[str, str, str, str] | None:
    if r.get("case") == "phase":
        return (f"state-merging phase diagram, {r['cells']} cells × {r['epochs_per_cell']} epochs, batched ({r['threads']} threads)",
                f"{r['batched_cells_per_s']:.3g} cells/s", f"one cell after another: {r['serial_cells_per_s']:.3g} cells/s",
                _x(r["speedup"]))
    if "lrnn_s_per_epoch" in r:
        return ("streaming parity, one epoch (P = 100, N_h = 100)", f"{r['lrnn_s_per_epoch'] * 1e3:.3g} ms",
                f"NumPy BPTT: {r['numpy_s_per_epoch'] * 1e3:.3g} ms", _x(r["speedup_vs_numpy"]))
    return None


def _cold_row(r: dict) -> tuple[str, str, str, str] | None:
    case = r.get("case", "")
    if not case.startswith("first_"):
        return None
    return (f"README tour, first `{case[len('first_'):]}` in a fresh process, empty numba cache",
            f"{r['cold_s']:.3g} s ({r['cold_backend']}; kernels compiled in the background in {r['compile_s']:.3g} s)",
            f"warm cache, fresh process: {r['warm_first_s']:.3g} s", _x(r["cold_over_warm"]))


_ROWS = {"sim": _sim_row, "theory": _theory_row, "sweep": _sweep_row, "bptt": _bptt_row, "merging": _merging_row,
         "cold": _cold_row}


def _generic_row(suite: str, r: dict) -> tuple[str, str, str, str]:
    ours = next((f"{k} = {v:.4g}" for k, v in r.items() if k.startswith("lrnn_") and isinstance(v, (int, float))), "")
    ratio = next((f"{v:.3g}×" for k, v in r.items() if k.startswith("speedup") and isinstance(v, (int, float))), "")
    return f"{suite}: {r.get('case', '')}".rstrip(": "), ours, "", ratio


def table(records: list[dict], quick: bool = False) -> str:
    """Markdown table: one row per (suite, case), from the latest matching record."""
    latest: dict[tuple[str, str], dict] = {}
    for rec in records:
        r = rec["result"]
        if r.get("quick") and not quick:
            continue
        latest[(rec["suite"], str(r.get("case", "")))] = rec  # file order: later lines win
    if not latest:
        raise ValueError("no records to tabulate (only --quick runs? pass --quick)")
    lines = ["| case | lrnn_theory | baseline (same run) | ratio |", "|---|---|---|---|"]
    for (suite, _), rec in latest.items():
        try:
            row = _ROWS[suite](rec["result"]) if suite in _ROWS else None
        except KeyError:  # a record from an older version of the suite: fall back to the generic row
            row = None
        lines.append("| " + " | ".join(row or _generic_row(suite, rec["result"])) + " |")
    envs = {(rec["cpu"], rec["cores"], (rec["commit"] or "?")[:10] + ("+" if rec.get("dirty") else ""),
             rec["date"][:10]) for rec in latest.values()}
    for cpu, cores, commit, date in sorted(envs):
        lines.append("")
        lines.append(f"Measured on {cpu}, {cores} cores, commit {commit}, {date} (`tools/perf_table.py`).")
    return "\n".join(lines)


def write_readme(readme: Path, text: str) -> None:
    """Replace the marked block of ``readme`` by ``text`` (ValueError if the markers are missing)."""
    src = readme.read_text(encoding="utf-8")
    i, j = src.find(START), src.find(END)
    if i < 0 or j < i:
        raise ValueError(f"{readme}: markers {START} … {END} not found")
    readme.write_text(src[: i + len(START)] + "\n" + text + "\n" + src[j:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("record", nargs="?", default=str(ROOT / "bench" / "records.jsonl"))
    ap.add_argument("--write-readme", nargs="?", const=str(ROOT / "README.md"), default=None, metavar="README")
    ap.add_argument("--quick", action="store_true", help="include --quick runs")
    args = ap.parse_args(argv)
    records = []
    with open(args.record, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise SystemExit(f"{args.record}: line {i} is not JSON ({e.msg})") from None
    text = table(records, quick=args.quick)
    if args.write_readme:
        write_readme(Path(args.write_readme), text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
