"""The documentation: docstring examples run, no reference to files outside the repository, the site builds.

The site build is the check the documentation issue asks for: ``sphinx-build -W --keep-going``
(every warning is an error: a broken reference, a malformed docstring) into a temporary folder,
with the notebooks rendered from their stored outputs, never executed.  It needs the ``docs``
extra (``pip install -e '.[test,docs]'``).
"""
import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Modules whose docstring examples are run here (keep each example short and fast).
DOCTEST_MODULES = [
    "lrnn_theory.cite",
    "lrnn_theory.conventions",
    "lrnn_theory.closed_forms",
    "lrnn_theory.model",
    "lrnn_theory.tasks",
]


@pytest.mark.parametrize("modname", DOCTEST_MODULES)
def test_docstring_examples_run(modname):
    mod = importlib.import_module(modname)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(mod, modname, globs={}) if t.examples]
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples of {modname} failed"


def test_cite_has_examples():
    """cite's docstring is the one the issue asks to be an example; it must not silently lose them."""
    import lrnn_theory.cite as mod

    assert sum(len(t.examples) for t in doctest.DocTestFinder().find(mod)) >= 2


# Built by concatenation so that this file does not itself contain the forbidden strings.
FORBIDDEN = (".." + "/shared", "THEORY" + ".md", "THEORY" + "-EXTENSIONS")


def test_no_reference_to_files_outside_the_repository():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offending = {}
    for name in files:
        if name.startswith("docs/_build/"):
            continue
        path = ROOT / name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        hits = [s for s in FORBIDDEN if s in text]
        if hits:
            offending[name] = hits
    assert not offending, (
        f"{len(offending)} tracked files refer to the developers' spec instead of the theory guide: "
        + "; ".join(f"{k} ({', '.join(v)})" for k, v in sorted(offending.items()))
    )


def test_site_builds_without_warnings(tmp_path):
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-j", "2",
           "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "html")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stderr[-20000:]}"
    html = tmp_path / "html"
    # every figure of the registry is in the gallery, and every public name of the package has a page
    from lrnn_theory import __all__ as names
    from lrnn_theory.figures import REGISTRY

    gallery = (html / "gallery" / "index.html").read_text(encoding="utf-8")
    assert all(f'id="gallery-{name}"' in gallery for name in REGISTRY)
    missing = [n for n in names if n not in ("__version__",) and not (
        (html / "api" / "generated" / f"lrnn_theory.{n}.html").exists() or (html / "api" / f"lrnn_theory.{n}.html").exists())]
    assert not missing, f"no API page for {missing}"
