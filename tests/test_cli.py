"""The ``lrnn-theory`` command: a thin layer; its numbers come from the library (theory guide `theory-fixed-points`)."""
import json

import pytest

from lrnn_theory.cli import main


def test_solve_reaches_the_closed_form_fixed_point(tmp_path, capsys):
    out = tmp_path / "mode.png"
    assert main(["solve", "--task", "inverse_exponential", "--T", "10", "--delta", "2", "--lam", "0.8",
                 "--init", "0.1", "--t-end", "50", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "closed form" in text and "zero-loss solution" in text
    assert out.exists()
    data = json.loads((tmp_path / "mode.json").read_text())
    # theory guide `theory-fixed-points`: inverse-exponential b* = λ, u* = δ
    assert abs(data["reached"]["b"] - 0.8) < 1e-8 and abs(data["reached"]["u"] - 2.0) < 1e-8
    assert data["closed_form"]["b"] == pytest.approx(0.8, abs=1e-12)
    assert len(data["trajectory"]["t"]) == len(data["trajectory"]["b"])


def test_solve_modified_task_reports_global_minimiser(tmp_path, capsys):
    out = tmp_path / "m.png"
    assert main(["solve", "--task", "constant", "--T", "4", "--delta", "1.0", "--kappa", "0.2",
                 "--t-end", "2000", "--points", "11", "--out", str(out)]) == 0
    data = json.loads((tmp_path / "m.json").read_text())
    assert not data["closed_form"]["zero_loss"]
    assert abs(data["reached"]["b"] - data["closed_form"]["b"]) < 1e-6


@pytest.mark.parametrize(
    "argv",
    [
        ["solve", "--T", "0"],
        ["solve", "--T", "ten"],
        ["solve", "--delta", "nan"],
        ["solve", "--task", "sine"],
        ["solve", "--t-end", "-1"],
        ["bench", "nosuch"],
        ["figures", "--jobs", "0"],
    ],
)
def test_bad_arguments_exit_with_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_figures_unknown_name_lists_valid_ones(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["figures", "--only", "fig99", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "fig99" in err and "fig1" in err and "fig6" in err


def test_output_path_that_is_a_file_is_reported_before_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SystemExit) as exc:
        main(["figures", "--only", "fig1", "--out", str(blocker / "sub")])
    assert exc.value.code == 2 and "out" in capsys.readouterr().err
    assert not any(p.name.endswith(".png") for p in tmp_path.rglob("*"))


def test_figures_list(capsys):
    assert main(["figures", "--list"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names[:6] == ["fig1", "fig2", "fig3", "fig4", "fig5", "fig6"]


@pytest.mark.parametrize("argv,expected", [(["bench"], None), (["bench", "all"], None), (["bench", "bptt", "sim"], ["bptt", "sim"])])
def test_bench_selects_suites(argv, expected, monkeypatch):
    """``lrnn-theory bench`` with no suite runs every suite (without timing anything here)."""
    import importlib

    from lrnn_theory.bench import SUITES

    ran = []
    for name in SUITES:
        mod = importlib.import_module(f"lrnn_theory.bench.{name}")
        monkeypatch.setattr(mod, "run", lambda quick=False, _n=name: ran.append((_n, quick)))
    assert main(argv + ["--quick"]) == 0
    assert [n for n, _ in ran] == (list(SUITES) if expected is None else expected) and all(q for _, q in ran)


@pytest.mark.parametrize("key", [None, "package", "core", "memory", "merging"])
def test_cite_prints_what_cite_returns(key, capsys):
    """``lrnn-theory cite [KEY]`` is ``print(lrnn_theory.cite(KEY))``: one answer to "how do I cite this"."""
    import lrnn_theory

    assert main(["cite"] + ([key] if key else [])) == 0
    assert capsys.readouterr().out == lrnn_theory.cite(key) + "\n"


def test_every_subcommand_help_shows_its_defaults():
    """Each option's default is in ``--help`` (e.g. ``analyse``: lr 0.01, 2000 steps), read from the
    parser's own actions, so an option added later without its default shown fails here."""
    import argparse
    import re

    from lrnn_theory.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {"solve", "bench", "figures", "analyse", "cite"} <= set(subparsers.choices)
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            if not action.option_strings or action.default in (None, argparse.SUPPRESS) or action.default is False:
                continue
            entry = re.sub(r"\s+", " ", sub._get_formatter()._format_action(action))  # this option's help lines
            assert f"(default: {action.default})" in entry, (name, action.option_strings, entry)
    analyse = re.sub(r"\s+", " ", subparsers.choices["analyse"].format_help())
    assert "(default: 0.01)" in analyse and "(default: 2000)" in analyse


# ------------------------------------------------------------------ analyse (theory guide `own-data`)


def _analyse(tmp_path, capsys, X, Y, *extra):
    import numpy as np

    path = tmp_path / "d.npz"
    np.savez(path, X=X, Y=Y)
    assert main(["analyse", str(path), *extra]) == 0
    return capsys.readouterr().out, json.loads((tmp_path / "d_analysis.json").read_text())


def test_analyse_reports_reachable_and_global_fixed_points_flags_errors_and_verdict(tmp_path, capsys):
    """s = (1, 1, 1, -1): the flow from a small start ends in the negative-b basin, not at the global
    minimiser of E*(b) (checked against landscape.global_minimiser); both are printed and flagged."""
    import lrnn_theory as lt

    s = lt.tasks.modified("constant", 4, kappa=-1.0)
    d = lt.make_dataset(s[None], 1, 1, 8, seed=0)
    out, rep = _analyse(tmp_path, capsys, d.X, d.Y, "--lr", "0.05", "--steps", "4000", "--check-order")
    gm = lt.landscape.global_minimiser(s)
    assert "<- differs" in out and "local minimum of E*(b)" in out
    assert rep["reachable"]["differs"] == [True] and abs(rep["reachable"]["global_b"][0] - float(gm.b)) < 1e-9
    assert rep["reachable"]["b"][0] < 0 < float(gm.b)
    for key in ("converged: prediction", "relative to the trained loss at the same step", "relative to the initial loss",
                "observed order in lr", "verdict: "):
        assert key in out, key
    c = rep["comparison"]
    assert c["loss_error_step"] >= c["loss_error"] - 1e-15  # the same-step scale is never larger than L0
    assert c["prediction_converged"] and rep["comparison"]["verdict"] in out


def test_analyse_leaves_numpy_print_options_as_they_were(tmp_path, capsys):
    """The report's 4-digit arrays are local to it: a process-wide np.set_printoptions had made a later
    doctest of landscape.profile_energy print 0.6562 for 0.65625 (test-order dependent CI failure)."""
    import numpy as np

    import lrnn_theory as lt

    before = np.get_printoptions()
    d = lt.make_dataset(lt.tasks.constant(3)[None], 1, 1, 6, seed=0)
    _analyse(tmp_path, capsys, d.X, d.Y, "--steps", "50")
    assert np.get_printoptions() == before and repr(np.array([0.65625])) == "array([0.65625])"


def test_analyse_non_centred_data_says_it_centred_them(tmp_path, capsys):
    import numpy as np

    import lrnn_theory as lt

    d = lt.make_dataset(lt.tasks.inverse_exponential(3, 1.0, 0.5)[None], 2, 2, 40, seed=0)
    out, rep = _analyse(tmp_path, capsys, d.X + 0.5, d.Y + 1.0, "--steps", "200")
    assert out.splitlines()[1].startswith("centred: means removed") and rep["centred"]
    assert np.allclose(rep["mean_y"], (d.Y + 1.0).mean(0)) and min(rep["curves"]["loss_theory"]) >= 0
    out, rep = _analyse(tmp_path, capsys, d.X + 0.5, d.Y + 1.0, "--steps", "200", "--no-centre")
    assert "not centred (--no-centre)" in out and not rep["centred"] and min(rep["curves"]["loss_theory"]) >= 0


@pytest.mark.parametrize("kind,words", [
    ("truncated", "damaged or truncated"),
    ("empty", "empty"),
    ("npy", "single array (.npy format)"),
    ("python", "does not hold NumPy array data"),
    ("pickle", "does not hold NumPy array data"),
])
def test_analyse_unreadable_file_is_one_line_exit_2(tmp_path, capsys, kind, words):
    """Issue 23 §5: one line naming the file, what is wrong and the expected format; exit 2; no traceback;
    never a suggestion to unpickle."""
    import pickle

    import numpy as np

    path = tmp_path / f"bad_{kind}.npz"
    if kind == "truncated":
        np.savez(tmp_path / "good.npz", X=np.ones((4, 3, 2)), Y=np.ones((4, 1)))
        path.write_bytes((tmp_path / "good.npz").read_bytes()[:300])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "npy":
        path = tmp_path / "x.npy"
        np.save(path, np.ones((4, 3, 2)))
    elif kind == "python":
        path = tmp_path / "script.py"
        path.write_text("import os\nprint(os.getcwd())\n")
    else:
        path.write_bytes(pickle.dumps({"X": [1.0]}))
    with pytest.raises(SystemExit) as info:
        main(["analyse", str(path)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1
    assert path.name in err and words in err and "np.savez(FILE, X=X, Y=Y)" in err
    assert "Traceback" not in err and "allow_pickle" not in err
