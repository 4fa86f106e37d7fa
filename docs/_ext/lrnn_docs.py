"""Build-time page generation for the lrnn_theory documentation.

Three folders of the site are written by this extension when the configuration
is read, before Sphinx reads any source, so that they cannot drift from the
code (all three are git-ignored):

* ``api/``: one page per public module, listing every name of its
  ``__all__`` through ``autosummary`` (which then writes one page per
  function and class).  A name that a package re-exports from one of its
  public submodules is documented once, on the submodule's page, and the
  package page links to it.
* ``gallery/``: one entry per figure of :data:`lrnn_theory.figures.REGISTRY`,
  made of the module's ``TITLE`` and docstring, its image from ``figures/``,
  the command that regenerates it, a download link to its numbers (JSON) and
  a link to the module that draws it.
* ``tutorials/notebooks/``: copies of ``notebooks/*.ipynb``, rendered by
  myst-nb with their stored outputs (never executed here).
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Public modules that are not given an API page.  ``lrnn_theory.cite`` is shadowed by the
#: function ``lrnn_theory.cite`` of the same dotted name, which is documented instead.
SKIP_MODULES = {"lrnn_theory.cite"}


def _title(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def public_modules() -> list[str]:
    import lrnn_theory

    names = ["lrnn_theory"]
    for info in pkgutil.walk_packages(lrnn_theory.__path__, "lrnn_theory."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]) or info.name in SKIP_MODULES:
            continue
        names.append(info.name)
    return names


def _is_package(mod) -> bool:
    return hasattr(mod, "__path__")


def _canonical(pkg_name: str, name: str, obj, modules: list[str]) -> str | None:
    """Dotted path of the public submodule of ``pkg_name`` that defines ``name`` in its ``__all__``."""
    for sub in modules:
        if not sub.startswith(pkg_name + ".") or sub == pkg_name:
            continue
        mod = importlib.import_module(sub)
        if name in getattr(mod, "__all__", ()) and getattr(mod, name, None) is obj and not inspect.ismodule(obj):
            return f"{sub}.{name}"
    return None


def _module_page(modname: str, modules: list[str]) -> str:
    mod = importlib.import_module(modname)
    lines = [_title(modname), f".. automodule:: {modname}", "   :no-members:", "", f".. currentmodule:: {modname}", ""]
    names = list(getattr(mod, "__all__", []))
    if modname == "lrnn_theory":
        names = [n for n in names if n != "__version__"]
    if modname.startswith("lrnn_theory.figures.") and isinstance(getattr(mod, "TITLE", None), str):
        # a figure module: its TITLE is text (autosummary would show the docstring of str), its
        # API the public functions it defines (compute, draw, and the function with the figure's
        # parameters), in source order
        lines += [f"**Title** (``TITLE``): {_escape(mod.TITLE)}", ""]
        names = [n for n in names if n != "TITLE"] or [
            n for n, obj in vars(mod).items()
            if inspect.isfunction(obj) and obj.__module__ == modname and not n.startswith("_")]
    submods, own, linked = [], [], []
    for name in names:
        obj = getattr(mod, name)
        if inspect.ismodule(obj):
            submods.append(obj.__name__)
            continue
        target = _canonical(modname, name, obj, modules) if _is_package(mod) and modname != "lrnn_theory" else None
        (linked if target else own).append(target or name)
    if own:
        lines += [".. autosummary::", "   :toctree: generated/", "", *[f"   {n}" for n in own], ""]
    if linked:
        rel = [n[len(modname) + 1:] for n in linked]
        lines += [_title("Re-exported from submodules", "-"), ".. autosummary::", "", *[f"   ~{n}" for n in rel], ""]
    if submods:
        lines += [_title("Submodules", "-"), *[f"* :mod:`{s}`" for s in submods], ""]
    return "\n".join(lines)


def write_api(folder: Path) -> None:
    modules = public_modules()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for modname in modules:
        (folder / f"{modname}.rst").write_text(_module_page(modname, modules), encoding="utf-8")
    groups = {
        "Theory engine": ["tasks", "conventions", "modes", "integrate", "closed_forms", "landscape", "symbolic"],
        "Data, network and simulation": ["data", "model", "sim", "ntk", "sensory", "optim"],
        "Extensions": ["memory", "merging"],
        "Workflow": ["sweep", "plot", "figures", "bench", "cli"],
    }
    index = [
        _title("API reference"),
        "Every public name of the package, one page each, generated from the docstrings.",
        "The package namespace :mod:`lrnn_theory` collects the most used names; every module",
        "page below lists the whole of its ``__all__``.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
        "   lrnn_theory",
        "",
    ]
    placed = {"lrnn_theory"}
    for group, stems in groups.items():
        index += [_title(group, "-"), ".. toctree::", "   :maxdepth: 1", ""]
        for stem in stems:
            for m in modules:
                if (m == f"lrnn_theory.{stem}" or m.startswith(f"lrnn_theory.{stem}.")) and m not in placed:
                    index.append(f"   {m}")
                    placed.add(m)
        index.append("")
    rest = [m for m in modules if m not in placed]
    if rest:
        index += [_title("Other modules", "-"), ".. toctree::", "   :maxdepth: 1", "", *[f"   {m}" for m in rest], ""]
    (folder / "index.rst").write_text("\n".join(index), encoding="utf-8")


def write_gallery(folder: Path) -> None:
    from lrnn_theory import figures

    if folder.exists():
        shutil.rmtree(folder)
    (folder / "files").mkdir(parents=True)
    out = [
        ".. _gallery:",
        "",
        _title("Gallery"),
        "Every figure that ``lrnn-theory figures --list`` names, generated from the figure",
        "registry (:data:`lrnn_theory.figures.REGISTRY`) when the documentation is built.",
        "Each entry shows the image committed in ``figures/``, the command that regenerates",
        "it, the numbers it plots (JSON) and the module that draws it.  Opt-in figures",
        "run only with ``--full`` or when named with ``--only``.",
        "",
        ".. contents:: Figures",
        "   :local:",
        "   :depth: 1",
        "",
    ]
    for name in figures.REGISTRY:
        mod = figures.load(name)
        doc = inspect.getdoc(mod) or ""
        title = getattr(mod, "TITLE", name)
        png, js = ROOT / "figures" / f"{name}.png", ROOT / "figures" / f"{name}.json"
        out += [f".. _gallery-{name}:", "", _title(_escape(f"{name}: {title}"), "-")]
        if png.exists():
            shutil.copy2(png, folder / "files" / png.name)
            out += [f".. image:: files/{png.name}", f"   :alt: {name}", "   :width: 100%", ""]
        else:
            out += [f"*No image committed: run the command below to draw* ``{name}``.", ""]
        out += [
            ".. code-block:: bash",
            "",
            f"   lrnn-theory figures --only {name}",
            "",
        ]
        facts = [f"* Drawn by :mod:`{mod.__name__}`."]
        if js.exists():
            shutil.copy2(js, folder / "files" / js.name)
            npz = js.with_suffix(".npz")
            grids = ""
            if npz.exists():
                shutil.copy2(npz, folder / "files" / npz.name)
                grids = f" and grids :download:`{npz.name} <files/{npz.name}>`"
            facts.append(f"* Numbers plotted: :download:`{js.name} <files/{js.name}>`{grids}; load them in one line "
                         f"with ``lrnn_theory.figures.read_data(\"figures/{js.name}\")``.")
        if name in figures.OPT_IN:
            facts.append("* Opt-in: runs only with ``--full`` or ``--only``.")
        out += [*facts, "", ".. rubric:: Caption", ""]
        if _plain_rst(doc):
            out += [*doc.splitlines(), ""]
        else:  # markup that plain reStructuredText cannot parse: show the docstring verbatim
            out += [".. code-block:: text", "", *[f"   {ln}" for ln in doc.splitlines()], ""]
    (folder / "index.rst").write_text("\n".join(out), encoding="utf-8")


def _escape(text: str) -> str:
    """Escape the characters that reStructuredText would read as inline markup."""
    for ch in "\\|*`_":
        text = text.replace(ch, "\\" + ch)
    return text


def _plain_rst(text: str) -> bool:
    """True if ``text`` parses as reStructuredText without any message (no section titles either)."""
    import io

    from docutils import nodes
    from docutils.core import publish_doctree

    # Sphinx roles (:ref:, :func:, ...) are unknown to plain docutils: check the text with them
    # read as plain interpreted text; Sphinx resolves them (and -W catches broken ones) at build time.
    text = re.sub(r":[a-z]+(?::[a-z]+)?:`", "`", text)
    tree = publish_doctree(text, settings_overrides={"report_level": 5, "halt_level": 5, "warning_stream": io.StringIO()})
    return "|" not in text and not any(True for _ in tree.findall(nodes.system_message)) and not any(True for _ in tree.findall(nodes.section)) \
        and not any(True for _ in tree.findall(nodes.title))


def copy_notebooks(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, folder / nb.name)


def _generate(app, config=None) -> None:
    src = Path(app.srcdir)
    write_api(src / "api")
    write_gallery(src / "gallery")
    copy_notebooks(src / "tutorials" / "notebooks")


def setup(app):
    # at config time, before the environment lists the source files, so that autosummary
    # (which runs at builder-inited) sees the generated pages
    app.connect("config-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
