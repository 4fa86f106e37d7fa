"""Sphinx configuration of the lrnn_theory documentation.

Build: ``pip install -e '.[docs]' && sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import lrnn_theory  # noqa: E402

from offline_inventories import intersphinx_mapping as _offline_mapping  # noqa: E402

project = "lrnn_theory"
author = "lrnn_theory developers"
copyright = "2026, lrnn_theory developers"
release = lrnn_theory.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_nb",
    "sphinx_copybutton",
    "lrnn_docs",  # _ext/lrnn_docs.py: API pages, gallery and notebook copies, generated at build time
]

root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# -- autodoc / autosummary / numpydoc -------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types and shapes
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
add_module_names = False

# -- MyST / myst-nb -------------------------------------------------------------------
# The notebooks are committed executed (tools/execute_notebooks.py) and re-executed by
# the test suite; here they are rendered with their stored outputs, never run.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# -- intersphinx, offline --------------------------------------------------------------
# Intersphinx would download numpy's, scipy's, xarray's and matplotlib's objects.inv at
# every build.  The build must work without a network (CI has none, and a failed
# download is a warning, i.e. an error under -W), so _ext/offline_inventories.py writes
# a local inventory per project from the installed package (its public functions and
# classes, at the URL pattern each project documents) into _build/inventories, and
# intersphinx reads those files: links still point to the projects' online pages.
intersphinx_mapping = _offline_mapping(HERE / "_build" / "inventories")
intersphinx_timeout = 1

# -- HTML -------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"lrnn_theory {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False
