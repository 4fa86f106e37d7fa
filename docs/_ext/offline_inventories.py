"""Write intersphinx inventories for numpy, scipy, xarray and matplotlib without a network.

Sphinx's intersphinx normally downloads each project's ``objects.inv`` at build
time.  The documentation must build offline (CI and the development machines
have no network), so this module writes a small local inventory per project
from the *installed* package instead: it walks a fixed list of public
namespaces, and for every public function, class and module it records the
URL where that project's documentation puts it (each project's documented URL
pattern, e.g. ``reference/generated/numpy.<name>.html`` for NumPy).

The files use Sphinx's inventory format version 2 (the format read by
``sphinx.util.inventory``): four header lines, then zlib-compressed lines
``name domain:role priority uri dispname``.
"""
from __future__ import annotations

import importlib
import inspect
import zlib
from pathlib import Path

#: project -> (base URL, version module, [(namespace, uri pattern)]); ``{name}`` is the full dotted name.
PROJECTS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "numpy": (
        "https://numpy.org/doc/stable/",
        "numpy",
        [
            ("numpy", "reference/generated/{name}.html"),
            ("numpy.linalg", "reference/generated/{name}.html"),
            ("numpy.random", "reference/random/generated/{name}.html"),
            ("numpy.typing", "reference/typing.html"),
        ],
    ),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        "scipy",
        [
            ("scipy.integrate", "reference/generated/{name}.html"),
            ("scipy.optimize", "reference/generated/{name}.html"),
            ("scipy.linalg", "reference/generated/{name}.html"),
            ("scipy.special", "reference/generated/{name}.html"),
            ("scipy.stats", "reference/generated/{name}.html"),
        ],
    ),
    "xarray": (
        "https://docs.xarray.dev/en/stable/",
        "xarray",
        [("xarray", "generated/{name}.html")],
    ),
    "matplotlib": (
        "https://matplotlib.org/stable/",
        "matplotlib",
        [
            ("matplotlib.pyplot", "api/_as_gen/{name}.html"),
            ("matplotlib.figure", "api/figure_api.html"),
            ("matplotlib.axes", "api/_as_gen/{name}.html"),
            ("matplotlib.colors", "api/_as_gen/{name}.html"),
        ],
    ),
}

#: Page of each documented module itself.
MODULE_PAGES = {
    "numpy": "reference/index.html",
    "numpy.linalg": "reference/routines.linalg.html",
    "numpy.random": "reference/random/index.html",
    "numpy.typing": "reference/typing.html",
    "scipy.integrate": "reference/integrate.html",
    "scipy.optimize": "reference/optimize.html",
    "scipy.linalg": "reference/linalg.html",
    "scipy.special": "reference/special.html",
    "scipy.stats": "reference/stats.html",
    "xarray": "api.html",
    "matplotlib.pyplot": "api/pyplot_summary.html",
    "matplotlib.figure": "api/figure_api.html",
    "matplotlib.axes": "api/axes_api.html",
    "matplotlib.colors": "api/colors_api.html",
}


def _role(obj) -> str | None:
    if inspect.isclass(obj):
        return "py:class"
    if callable(obj):
        return "py:function"
    return None


def _entries(namespace: str, pattern: str):
    mod = importlib.import_module(namespace)
    yield namespace, "py:module", MODULE_PAGES.get(namespace, pattern.format(name=namespace))
    names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
    for short in sorted(set(names)):
        try:
            obj = getattr(mod, short)
        except Exception:  # lazily imported or deprecated names
            continue
        role = _role(obj)
        if role is None:
            continue
        full = f"{namespace}.{short}"
        yield full, role, pattern.format(name=full) + "#" + full
    if namespace == "numpy.typing":
        yield "numpy.typing.ArrayLike", "py:data", "reference/typing.html#numpy.typing.ArrayLike"
        yield "numpy.typing.NDArray", "py:data", "reference/typing.html#numpy.typing.NDArray"


def write_inventory(project: str, path: Path) -> Path:
    """Write the inventory of ``project`` (a key of :data:`PROJECTS`) to ``path``."""
    _, version_module, namespaces = PROJECTS[project]
    version = getattr(importlib.import_module(version_module), "__version__", "")
    lines, seen = [], set()
    for namespace, pattern in namespaces:
        for name, role, uri in _entries(namespace, pattern):
            if (name, role) in seen:
                continue
            seen.add((name, role))
            lines.append(f"{name} {role} 1 {uri} -")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + zlib.compress(("\n".join(lines) + "\n").encode()))
    return path


def intersphinx_mapping(folder: Path) -> dict[str, tuple[str, str]]:
    """Write every inventory into ``folder``; return the ``intersphinx_mapping`` that uses them."""
    out = {}
    for project, (base, _, _) in PROJECTS.items():
        out[project] = (base, str(write_inventory(project, folder / f"{project}.inv")))
    return out
