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
