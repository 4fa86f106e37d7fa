"""Warm speed of two revisions of the package, timed in one process in alternating rounds.

Usage::

    python tools/ab_speed.py OLD_REV NEW_REV [--rounds N] [--only SUBSTR[,SUBSTR...]]

Both revisions are exported from git (``git archive``) into a temporary folder as the packages
``lrnn_theory_a`` and ``lrnn_theory_b`` (the package imports itself relatively, so a renamed copy
runs on its own), compiled once (cold: a minute or two each), and then the bench workloads below
run in alternating order, round after round, in the same process.  Load on the machine then hits
both revisions alike, which separate ``lrnn-theory bench`` runs cannot promise.  Printed per
workload: the fastest time of each revision, the ratio of the fastest times (new / old), the ratio
of the medians and the median of the per-round ratios.  Results to ``--json FILE`` if given.

Workloads (those of ``lrnn-theory bench theory sim``, smaller): the mode ODE for 50 single modes and
a 2 000-mode batch (rtol 1e-10, T = 10, to 100 τ), a 200-mode complex batch, ``simulate_gd`` on the
small case (5 000 steps; 500 steps with ``method="bptt"``), the large case (100 steps) and a batch of
16 small runs.  Cold-compile fallbacks are off (``LRNN_THEORY_COLD_FALLBACK=0``), so every call is
the compiled path.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def export(rev: str, dest: Path, name: str) -> None:
    """``lrnn_theory/`` of git revision ``rev`` as the package ``dest/name``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "lrnn_theory"], check=True,
                             capture_output=True).stdout
    tmp = dest / f"_{name}"
    tmp.mkdir()
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    (tmp / "lrnn_theory").rename(dest / name)
    tmp.rmdir()


def workloads(lt) -> dict:
    """The timed calls of one revision (module ``lt``), by name."""
    rng = np.random.default_rng(0)
    S = lt.tasks.inverse_exponential(10, rng.uniform(0.5, 2.0, 2000), rng.uniform(0.5, 1.0, 2000))
    t = np.linspace(0, 100, 11)
    tt = np.arange(1, 11)
    ang = np.random.default_rng(1).uniform(0.2, 1.5, 200)
    Sc = (0.9 * np.exp(1j * ang[:, None])) ** (10 - tt)

    def dataset(n_x, n_y, T, P, modes, seed=0):
        r = np.random.default_rng(seed)
        SS = lt.tasks.inverse_exponential(T, r.uniform(0.5, 2.0, modes), r.uniform(0.5, 1.0, modes))
        return lt.make_dataset(SS, n_x, n_y, P, seed=seed)

    ds = dataset(4, 4, 10, 80, 4)
    dl = dataset(64, 64, 20, 1280, 64)
    z = 0.1 + 0.05j
    return {
        "mode ODE, 50 single modes": lambda: [lt.integrate_modes(S[i], 0.1, 0.1, 0.1, t, rtol=1e-10, atol=1e-12)
                                              for i in range(50)],
        "mode ODE, 2000-mode batch": lambda: lt.integrate_modes(S, 0.1, 0.1, 0.1, t, rtol=1e-10, atol=1e-12),
        "complex modes, 200-mode batch": lambda: lt.integrate_modes(Sc, z, z, z, t, rtol=1e-8, atol=1e-12),
        "GD small, 5000 steps": lambda: lt.simulate_gd(ds, 16, lr=0.01, steps=5000, init="random", seed=0,
                                                       record_every=5000),
        "GD small bptt, 500 steps": lambda: lt.simulate_gd(ds, 16, lr=0.01, steps=500, init="random", seed=0,
                                                           record_every=500, method="bptt"),
        "GD large, 100 steps": lambda: lt.simulate_gd(dl, 64, lr=0.01, steps=100, init="random", seed=0,
                                                      record_every=100),
        "GD batch of 16 small, 2000 steps": lambda: lt.simulate_gd_batch(ds, 16, lr=0.005, steps=2000, init="random",
                                                                         seeds=list(range(16)), record_every=2000),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=9, help="alternating rounds (default 9)")
    ap.add_argument("--only", default="", help="comma-separated substrings of workload names")
    ap.add_argument("--json", default=None, help="write the summary to this file")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be >= 1")
    os.environ["LRNN_THEORY_COLD_FALLBACK"] = "0"
    os.environ["LRNN_THEORY_COMPILE_NOTICE"] = "0"
    with tempfile.TemporaryDirectory(prefix="ab_speed_") as tmp:
        for rev, name in ((args.old, "lrnn_theory_a"), (args.new, "lrnn_theory_b")):
            export(rev, Path(tmp), name)
        sys.path.insert(0, tmp)
        W = {v: workloads(importlib.import_module(f"lrnn_theory_{v}")) for v in "ab"}
        names = [k for k in W["a"] if not args.only or any(o in k for o in args.only.split(","))]
        for v in "ab":  # compile and warm up
            for k in names:
                W[v][k]()
        times = {v: {k: [] for k in names} for v in "ab"}
        for r in range(args.rounds):
            for k in names:
                for v in ("ab" if r % 2 == 0 else "ba"):
                    t0 = time.perf_counter()
                    W[v][k]()
                    times[v][k].append(time.perf_counter() - t0)
    summary = {}
    print(f"old = {args.old}, new = {args.new}, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}")
    for k in names:
        a, b = np.array(times["a"][k]), np.array(times["b"][k])
        summary[k] = dict(old_fastest_s=a.min(), new_fastest_s=b.min(), ratio_fastest=b.min() / a.min(),
                          ratio_median=float(np.median(b) / np.median(a)), median_ratio=float(np.median(b / a)))
        print(f"{k:34s} old {a.min() * 1e3:9.2f} ms  new {b.min() * 1e3:9.2f} ms  fastest {b.min() / a.min():.3f}  "
              f"medians {np.median(b) / np.median(a):.3f}  per-round {np.median(b / a):.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(old=args.old, new=args.new, rounds=args.rounds, cases=summary),
                                              indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
