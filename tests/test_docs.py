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

def _public_modules() -> list[str]:
    """Every public module of the package (no leading underscore in any part of its name)."""
    import pkgutil

    import lrnn_theory

    names = ["lrnn_theory"]
    for info in pkgutil.walk_packages(lrnn_theory.__path__, "lrnn_theory."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return sorted(names)


#: Every public module: its docstring examples are run here (keep each example short and fast).
DOCTEST_MODULES = _public_modules()


#: Modules whose examples still rely on the module's own names, ``np`` and ``lt`` being in scope
#: (as pytest's doctest collection provides).  Every other module's examples run on their own,
#: with empty globals, as pasted into a fresh session: each example imports what it uses.
#: This set only shrinks.
EXAMPLES_NOT_SELF_CONTAINED: set[str] = set()


@pytest.mark.parametrize("modname", DOCTEST_MODULES)
def test_docstring_examples_run(modname):
    """Every example of every public docstring runs on its own: with empty globals, as a user
    would paste it into a fresh session (imports included), except the modules listed in
    :data:`EXAMPLES_NOT_SELF_CONTAINED`."""
    import numpy as np

    import lrnn_theory as lt

    mod = importlib.import_module(modname)
    if modname in EXAMPLES_NOT_SELF_CONTAINED:
        globs = {**vars(mod), "np": np, "lt": lt}
    else:
        globs = {"__name__": "__main__"}
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(mod, modname, globs=globs) if t.examples and t.name.startswith(modname)]
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
    assert all(f'id="gallery-{name.lower()}"' in gallery for name in REGISTRY)  # Sphinx lower-cases ids
    missing = [n for n in names if n not in ("__version__",) and not (
        (html / "api" / "generated" / f"lrnn_theory.{n}.html").exists() or (html / "api" / f"lrnn_theory.{n}.html").exists())]
    assert not missing, f"no API page for {missing}"
    # every tutorial page renders the figures stored in its notebook (never executed by the build)
    import nbformat

    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        n_png = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        page = (html / "tutorials" / "notebooks" / f"{nb_path.stem}.html").read_text(encoding="utf-8")
        assert page.count("<img") >= max(n_png, 1), f"tutorial {nb_path.name}: {page.count('<img')} images, {n_png} stored"
    # figure modules: TITLE shown as text (not the docstring of str), compute documented
    f1 = (html / "api" / "lrnn_theory.figures.memory_f1.html").read_text(encoding="utf-8")
    assert "Curse of memory" in f1 and "str(object=" not in f1 and "figure_data" in f1


def _doc_pages() -> list[Path]:
    """The hand-written pages of the site (the generated api/, gallery/ and notebook copies excluded)."""
    skip = {"_build", "api", "gallery", "notebooks"}
    return sorted(p for p in (ROOT / "docs").rglob("*.md") if not skip & set(p.relative_to(ROOT / "docs").parts))


@pytest.mark.parametrize("page", [p for p in _doc_pages() if "```python" in p.read_text(encoding="utf-8")],
                         ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_page_code_blocks_run_as_scripts(page, tmp_path):
    """The Python blocks of each page, in order, run as one script in a fresh process in an empty
    folder, as a reader pasting them into a file would run them; a block marked
    ``<!-- own-script -->`` runs alone, ``<!-- fragment -->`` not at all (tests/codeblocks.py)."""
    from codeblocks import page_scripts, run_script

    name = str(page.relative_to(ROOT))
    scripts = page_scripts(page.read_text(encoding="utf-8"), name)
    assert scripts, f"{name}: every Python block is marked as a fragment"
    for i, script in enumerate(scripts):
        run_script(script.code, tmp_path / f"script{i}")


#: Modules that are tools of the command line, not a library API: no example required.
_NO_EXAMPLES_REQUIRED = ("lrnn_theory.bench", "lrnn_theory.cli")


def _missing_examples(modname: str) -> list[str]:
    import inspect

    mod = importlib.import_module(modname)
    missing = []
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name, None)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)) or getattr(obj, "__module__", None) != modname:
            continue  # documented (and exemplified) where it is defined
        if ">>>" not in (obj.__doc__ or ""):
            missing.append(f"{modname}.{name}")
    return missing


@pytest.mark.parametrize("modname", [m for m in DOCTEST_MODULES if not m.startswith(_NO_EXAMPLES_REQUIRED)])
def test_every_public_name_has_a_runnable_example(modname):
    """The API reference promises a short runnable example for every public function and class;
    the examples themselves are run by :func:`test_docstring_examples_run`."""
    assert not _missing_examples(modname), f"no example in the docstring of: {', '.join(_missing_examples(modname))}"
