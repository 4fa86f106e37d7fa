"""The ``lrnn-theory`` command: a thin layer over the library.

Subcommands
-----------
``solve``    integrate one mode and compare the fixed point it reaches with the closed form.
``figures``  regenerate the paper's figures (see :mod:`lrnn_theory.figures`).
``bench``    benchmarks, each against a baseline measured in the same run.
``analyse``  the theory on your own data (``X``, ``Y`` in an ``.npz``): diagnostics, fixed points, prediction vs training.
``cite``     BibTeX for the package and the papers behind it (what :func:`lrnn_theory.cite` returns).
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from .bench import SUITES as BENCH_SUITES

__all__ = ["main"]

TASK_CHOICES = ("constant", "inverse_exponential", "exponential", "dirac")


def _build_task(args) -> np.ndarray:
    from . import tasks

    if args.task == "dirac":
        return tasks.dirac(args.T, args.beta, 1.0 if args.kappa is None else args.kappa)
    if args.kappa is not None:
        return tasks.modified(args.task, args.T, args.delta, args.lam, args.kappa)
    return tasks.make_task(args.task, args.T, args.delta, args.lam)


def _cmd_solve(args) -> int:
    import matplotlib.pyplot as plt

    from . import plot
    from ._io import writable_folder, write_json
    from .closed_forms import fixed_point
    from .integrate import integrate_modes

    out = os.path.abspath(args.out)
    writable_folder(os.path.dirname(out), "--out")
    s = _build_task(args)
    b0 = args.init if args.b0 is None else args.b0
    t = np.linspace(0.0, args.t_end, args.points)
    sol = integrate_modes(s, args.init, b0, args.init, t)
    fin = sol.final()
    fp = fixed_point(s)
    report = {
        "task": args.task,
        "s": s.tolist(),
        "init": {"a": args.init, "b": b0, "c": args.init},
        "t_end": args.t_end,
        "status": sol.message,
        "reached": {"a": float(fin.a), "b": float(fin.b), "c": float(fin.c), "u": float(fin.u), "energy": float(fin.energy), "t": float(fin.t)},
        "closed_form": {"b": float(fp.b), "u": float(fp.u), "energy": float(fp.energy), "zero_loss": bool(fp.exact)},
        "nfev": int(sol.nfev),
    }
    print(f"task {args.task}, T={args.T}: s = {np.array2string(s, precision=4)}")
    print(f"integrated to t = {float(fin.t):g} tau ({sol.message}; {int(sol.nfev)} RHS evaluations)")
    print(f"{'':12s}{'b':>14s}{'u = ac':>14s}{'energy':>14s}")
    print(f"{'reached':12s}{float(fin.b):14.8g}{float(fin.u):14.8g}{float(fin.energy):14.4g}")
    print(f"{'closed form':12s}{float(fp.b):14.8g}{float(fp.u):14.8g}{float(fp.energy):14.4g}"
          f"   ({'zero-loss solution' if fp.exact else 'global minimiser of E*(b)'})")
    print(f"{'difference':12s}{abs(float(fin.b) - float(fp.b)):14.3g}{abs(float(fin.u) - float(fp.u)):14.3g}")
    axes = plot.plot_mode_trajectory(sol, fixed_point=(float(fp.b), float(fp.u)))
    axes[0].set_title(f"{args.task}, T={args.T}")
    fig = axes[0].figure
    plot.save_figure(fig, out, dpi=120)
    plt.close(fig)
    data_path = os.path.splitext(out)[0] + ".json"
    report["trajectory"] = {"t": t.tolist(), "a": sol.a.tolist(), "b": sol.b.tolist(), "c": sol.c.tolist(), "energy": sol.energy.tolist()}
    write_json(data_path, report)
    print(f"wrote {out} and {data_path}")
    return 0


_NPZ_FORMAT = "an .npz archive with arrays X (P, T, N_x) and Y (P, N_y), as written by np.savez(FILE, X=X, Y=Y)"


def _load_error(exc: BaseException) -> str:
    """What is wrong with a file np.load could not read, in words (never a suggestion to unpickle)."""
    import zipfile

    if isinstance(exc, EOFError):
        return "the file is empty or ends early"
    if isinstance(exc, zipfile.BadZipFile):
        return "it is a damaged or truncated zip archive"
    if isinstance(exc, ValueError) and "pickle" in str(exc).lower():
        return "it does not hold NumPy array data"
    if isinstance(exc, UnicodeDecodeError):
        return "it is not a NumPy file"
    return f"it could not be read as NumPy data ({type(exc).__name__})"


def _load_xy(file: str):
    """``X, Y`` from an .npz file, or a ValueError naming the file, what is wrong and the expected format."""
    path = os.path.abspath(file)
    if not os.path.isfile(path):
        what = "is a folder" if os.path.isdir(path) else "does not exist"
        raise ValueError(f"FILE {file!r} {what} (expected {_NPZ_FORMAT})")
    try:
        f = np.load(path, allow_pickle=False)
    except Exception as exc:  # any unreadable content: one line, no traceback
        raise ValueError(f"FILE {file!r} is not a readable .npz file: {_load_error(exc)}; expected {_NPZ_FORMAT}") from None
    if not isinstance(f, np.lib.npyio.NpzFile):
        raise ValueError(f"FILE {file!r} holds a single array (.npy format), not an .npz archive; expected {_NPZ_FORMAT}")
    with f:
        missing = [k for k in ("X", "Y") if k not in f.files]
        if missing:
            raise ValueError(f"FILE {file!r} must contain arrays X (P, T, N_x) and Y (P, N_y); "
                             f"missing {', '.join(missing)} (found: {', '.join(f.files) or 'nothing'})")
        try:
            X, Y = f["X"], f["Y"]
        except Exception as exc:
            raise ValueError(f"FILE {file!r}: arrays X and Y could not be read: {_load_error(exc)}; "
                             f"expected {_NPZ_FORMAT}") from None
    return X, Y


def _cmd_analyse(args) -> int:
    # NumPy print options for this report only: a process-wide np.set_printoptions leaked into every later
    # array repr of the process (a doctest run after main(['analyse', ...]) printed 0.6562 for 0.65625)
    with np.printoptions(precision=4, suppress=True):
        return _analyse(args)


def _analyse(args) -> int:
    import matplotlib.pyplot as plt

    from . import plot
    from ._io import writable_folder, write_json
    from ._verdict import LOSS_FLOOR
    from .empirical import train_and_compare

    path = os.path.abspath(args.file)
    X, Y = _load_xy(args.file)
    stem = os.path.splitext(path)[0] + "_analysis"
    writable_folder(os.path.dirname(stem), "FILE's folder")
    cmp = train_and_compare(X, Y, lr=args.lr, steps=args.steps, scale=args.scale, convention=args.convention,
                            whiten=args.whiten, centre=not args.no_centre, seed=args.seed,
                            check_order=args.check_order)
    td, reach, pred, run = cmp.dynamics, cmp.reachable, cmp.prediction, cmp.run
    fp = td.fixed_points()
    print(f"{args.file}: P = {td.n_samples}, T = {td.T}, N_x = {td.V_x.shape[0]}, N_y = {td.U_y.shape[0]}, "
          f"convention {td.convention}{', per-step whitened' if td.whitened else ''}")
    if td.centred:
        print(f"centred: means removed (largest |mean| {float(np.max(np.abs(td.mean_x))):.3g} in X, "
              f"{float(np.max(np.abs(td.mean_y))):.3g} in Y); losses are those of the centred data (--no-centre keeps them)")
    else:
        print("not centred" + (" (--no-centre)" if args.no_centre else " (too few samples to centre)"))
    print(f"misalignment (off-diagonal energy fraction of the regression coefficients): total "
          f"{td.misalignment_total:.3g}; per step {np.array2string(td.misalignment, precision=3)}")
    print(f"whiteness (deviation from δ_tt' I): within steps {td.whiteness_within:.3g}, across steps "
          f"{td.whiteness_cross:.3g}, whole covariance {td.whiteness:.3g}")
    print(f"rank {td.rank} of {td.n_modes} modes" + (f"; zero modes {list(td.zero_modes)}" if td.zero_modes else ""))
    print("theory applies exactly" if td.decouples else "theory does NOT apply exactly:")
    for note in td.notes:
        print(f"  - {note}")
    print(f"fixed points per mode: 'reached' = where the flow from init scale {args.scale:g} ends, "
          f"'global' = global minimiser of the profile energy E*(b)")
    print(f"{'mode':>6s}  {'task dynamics s_1..s_T':<40s}{'reached b':>12s}{'u':>10s}{'E':>10s}"
          f"{'global b*':>12s}{'u*':>10s}{'E*':>10s}")
    for i in range(td.n_modes):
        print(f"{i:>6d}  {np.array2string(td.S[i], precision=3, max_line_width=200):<40s}"
              f"{float(reach.b[i]):12.5g}{float(reach.u[i]):10.4g}{float(reach.energy[i]):10.4g}"
              f"{float(fp.b[i]):12.5g}{float(fp.u[i]):10.4g}{float(fp.energy[i]):10.4g}"
              + ("   <- differs" if reach.differs[i] else ""))
    for i in np.flatnonzero(reach.differs):
        print(f"  mode {i}: the flow from init scale {args.scale:g} ends at the {reach.basin[i]}")
    steps_needed = reach.time / args.lr
    print(f"predicted loss: {float(pred.loss[0]):.4g} at step 0, {float(pred.loss[-1]):.4g} at step {args.steps}, "
          f"limit {reach.loss:.4g} (at the global minimisers {reach.global_loss:.4g}); the prediction is within 1% "
          f"of its limit from step {steps_needed:.3g}" if np.isfinite(steps_needed) else "")
    print(f"converged: prediction {'yes' if cmp.prediction_converged else 'NO'}, "
          f"gradient descent {'yes' if cmp.run_converged else 'NO'} (status {run.status})")
    print(f"theory vs gradient descent on the data (lr {args.lr:g}, {args.steps} steps, init scale {args.scale:g}): "
          f"final loss theory {float(pred.loss[-1]):.4g} vs trained {float(run.loss[-1]):.4g}")
    print(f"  loss error relative to the trained loss at the same step (floor {LOSS_FLOOR:g} L0): "
          f"max {cmp.loss_error_step:.3g}, final {cmp.final_loss_error_step:.3g}")
    print(f"  loss error relative to the initial loss L0 = {float(run.loss[0]):.4g}: max {cmp.loss_error:.3g}, "
          f"final {cmp.final_loss_error:.3g}; final |Δu| max {float(np.max(cmp.final_u_error)):.3g}")
    print(f"  expected from the diagnostics (misalignment + whiteness, relative to L0): {cmp.expected_error:.3g}")
    if cmp.order is not None:
        print(f"  at lr/2: error {cmp.half_lr_error:.3g}; observed order in lr {cmp.order:.3g} (1 = the O(lr) regime)")
    print(f"verdict: {cmp.verdict}")
    fig = cmp.plot()
    png = plot.save_figure(fig, stem + ".png", dpi=120)
    plt.close(fig)
    report = {
        "file": args.file, "convention": td.convention, "whitened": td.whitened, "centred": td.centred,
        "mean_x": td.mean_x, "mean_y": td.mean_y, "S": td.S,
        "misalignment": td.misalignment, "misalignment_total": td.misalignment_total,
        "whiteness_within": td.whiteness_within, "whiteness_cross": td.whiteness_cross, "whiteness": td.whiteness,
        "rank": td.rank, "zero_modes": list(td.zero_modes), "decouples": td.decouples, "notes": list(td.notes),
        "fixed_points": {"b": fp.b, "u": fp.u, "energy": fp.energy, "exact": fp.exact},
        "reachable": reach.summary(),
        "settings": {"lr": args.lr, "steps": args.steps, "scale": args.scale, "seed": args.seed,
                     "centre": not args.no_centre, "check_order": args.check_order},
        "comparison": cmp.summary(),
        "curves": {"step": run.step, "time": run.time, "loss_gd": run.loss, "loss_theory": pred.loss},
    }
    js = write_json(stem + ".json", report)
    print(f"wrote {png} and {js}")
    return 0


def _suite(value: str) -> str:
    if value not in ("all", *BENCH_SUITES):
        raise argparse.ArgumentTypeError(f"unknown suite {value!r}; choose from all, {', '.join(BENCH_SUITES)}")
    return value


def _cmd_bench(args) -> int:
    import importlib

    from .bench import SUITES

    suites = SUITES if not args.suites or "all" in args.suites else args.suites
    if args.save is not None:
        from .bench import record

        record.check_path(args.save)  # fail before the benchmarks run, not after
        env = record.environment()
    from . import _jit

    for name in suites:
        with _jit.compiled_only():  # time the compiled kernels, never the cold-start fallbacks
            records = importlib.import_module(f"lrnn_theory.bench.{name}").run(quick=args.quick)
        if args.save is not None:
            record.append(args.save, name, [dict(r, quick=bool(args.quick)) for r in records], env)
    return 0


def _cmd_figures(args) -> int:
    from . import figures

    try:
        return figures.main(args)
    except OSError as exc:  # a figure's file cannot be written or read (a directory in its place, disk full, ...)
        where = exc.filename2 or exc.filename or args.out
        raise ValueError(f"{where}: {exc.strerror or exc} (the figures folder --out must hold writable files "
                         "<name>.png/.json/.npz)") from None


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
    return v


def _finite_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not np.isfinite(v):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return v


def _positive_float(text: str) -> float:
    v = _finite_float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return v


class _HelpFormatter(argparse.HelpFormatter):
    """Help that shows the default of every option (unless its help text already states it)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (not action.option_strings or "default" in text or action.default is None or action.default is False
                or action.default == argparse.SUPPRESS
                or isinstance(action, (argparse._HelpAction, argparse._VersionAction))):
            return text
        return f"{text} (default: %(default)s)".lstrip()


def _cmd_cite(args) -> int:
    from .cite import cite

    print(cite(args.key))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``lrnn-theory`` (exposed for documentation and tests)."""
    from ._version import __version__

    p = argparse.ArgumentParser(prog="lrnn-theory", description="Learning dynamics of linear RNNs: theory and simulation.",
                                formatter_class=_HelpFormatter)
    p.add_argument("--version", action="version", version=f"lrnn_theory {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("solve", help="integrate one mode and compare with the closed-form fixed point",
                       formatter_class=_HelpFormatter)
    s.add_argument("--task", choices=TASK_CHOICES, default="inverse_exponential", help="task family")
    s.add_argument("--T", type=_positive_int, default=10, help="trajectory length")
    s.add_argument("--delta", type=_finite_float, default=1.0, help="scale δ")
    s.add_argument("--lam", type=_finite_float, default=0.8, help="dynamic parameter λ")
    s.add_argument("--kappa", type=_finite_float, default=None, help="feedforward last step κ (modified task / Dirac)")
    s.add_argument("--beta", type=_finite_float, default=1.0, help="first-step value β (Dirac)")
    s.add_argument("--init", type=_finite_float, default=0.1, help="initial a = c (and b unless --b0)")
    s.add_argument("--b0", type=_finite_float, default=None, help="initial b (default: --init)")
    s.add_argument("--t-end", type=_positive_float, default=50.0, help="final learning time in units of τ")
    s.add_argument("--points", type=_positive_int, default=501, help="number of output times")
    s.add_argument("--out", default="solve.png", help="plot path; the numbers go to the same name with .json")
    s.set_defaults(func=_cmd_solve)

    b = sub.add_parser("bench", help="benchmarks (ratios against a baseline measured in the same run)",
                       formatter_class=_HelpFormatter)
    b.add_argument("suites", nargs="*", default=[], type=_suite, metavar="SUITE",
                   help=f"suites to run: {', '.join(BENCH_SUITES)} or all (default: all)")
    b.add_argument("--quick", action="store_true", help="smaller sizes")
    b.add_argument("--save", metavar="FILE", default=None,
                   help="append one JSON line per case (with commit, date, CPU, cores, library versions) to FILE")
    b.set_defaults(func=_cmd_bench)

    f = sub.add_parser("figures", help="regenerate the paper's figures with the numbers they plot",
                       formatter_class=_HelpFormatter)
    f.add_argument("--only", default=None, help="comma-separated figure names (default: all core figures)")
    f.add_argument("--out", default="figures", help="output folder")
    f.add_argument("--quick", action="store_true", help="reduced grids and step counts (what the tests run)")
    f.add_argument("--full", action="store_true", help="also the long opt-in figures")
    f.add_argument("--jobs", type=_positive_int, default=None,
                   help="local worker processes (default: all cores): figures run in parallel, or, for a single "
                        "figure, its independent runs; --jobs 1 runs everything in one process")
    f.add_argument("--scheduler", default=None, help="dask scheduler address (needs the 'distributed' extra)")
    f.add_argument("--format", default="png", help="comma-separated formats, e.g. png,pdf")
    f.add_argument("--list", action="store_true", help="list the registered figures and exit")
    f.add_argument("--check", action="store_true",
                   help="regenerate into a temporary folder and compare every number with the stored data "
                        "in --out (exit 1 naming each figure that differs)")
    f.set_defaults(func=_cmd_figures)

    a = sub.add_parser("analyse", help="the theory on your own data: diagnostics, fixed points, prediction vs training",
                       formatter_class=_HelpFormatter)
    a.add_argument("file", help=".npz file with arrays X (P, T, N_x) and Y (P, N_y); writes FILE_analysis.png/.json beside it")
    a.add_argument("--lr", type=_positive_float, default=0.01, help="learning rate of the comparison run")
    a.add_argument("--steps", type=_positive_int, default=2000, help="gradient-descent steps")
    a.add_argument("--scale", type=_positive_float, default=0.1, help="initial value of every mode (aligned init)")
    a.add_argument("--convention", choices=("normalised", "sum"), default="normalised",
                   help="data convention (loss and whitening), theory guide theory-conventions")
    a.add_argument("--whiten", action="store_true", help="apply the per-step whitening transform first")
    a.add_argument("--seed", type=int, default=0, help="seed of the hidden rotation")
    a.add_argument("--no-centre", action="store_true",
                   help="keep the means of X and Y (default: subtract them; the network has no bias)")
    a.add_argument("--check-order", action="store_true",
                   help="also train at lr/2 and report the observed order of the error in lr (1 = the O(lr) regime)")
    a.set_defaults(func=_cmd_analyse)

    c = sub.add_parser("cite", help="print BibTeX for the package and the papers behind it (lrnn_theory.cite())",
                       formatter_class=_HelpFormatter)
    c.add_argument("key", nargs="?", default=None, choices=("package", "core", "memory", "merging"),
                   help="one entry only (default: all four: the package and the three papers)")
    c.set_defaults(func=_cmd_cite)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lrnn-theory`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError) as exc:
        parser.exit(2, f"lrnn-theory {args.command}: error: {exc}\n")
    except KeyboardInterrupt:
        parser.exit(130, "interrupted\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
