"""The numbers beside each figure: compact storage, loading, and comparison against a new run.

Each figure writes ``<name>.json``: compact JSON (no indentation) with the figure's name, title,
mode and every scalar and curve it plots at float64 precision.  Arrays of two or more dimensions
with at least :data:`GRID_MIN_SIZE` elements (heat maps, landscapes) go to ``<name>.npz`` instead,
a compressed NumPy archive, stored in the dtype the figure declares (``GRID_DTYPE``, float32 by
default: a colour map resolves far less than float32's 7 digits); the JSON holds a reference
``{"npz": key}`` in their place.  Both are standard formats, loaded in one line::

    data = lrnn_theory.figures.read_data("figures/figA2.json")   # the nested dict, arrays included
    grids = numpy.load("figures/figA2.npz")                        # the grids alone, by path key

:func:`compare` walks two such trees and reports every number that differs beyond a tolerance;
``lrnn-theory figures --check`` uses it to prove that the committed numbers match the code.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

from .._io import atomic_write, to_jsonable

__all__ = ["GRID_MIN_SIZE", "Mismatch", "Tolerance", "compare", "read_data", "write_data"]

#: Arrays with ``ndim >= 2`` and at least this many elements are stored in the ``.npz`` archive.
GRID_MIN_SIZE = 2048
_REF = "npz"


@dataclass(frozen=True)
class Tolerance:
    """How closely a regenerated figure must reproduce its committed numbers.

    A number passes when ``|new - old| <= atol + rtol * |old|``; grids stored in float32 are
    compared after rounding the new values to float32, so their ``rtol`` need only cover the
    float32 rounding (``grid_rtol``).  NaN/None (non-finite values) must match in position.

    Attributes
    ----------
    rtol, atol : float
        Relative and absolute tolerance of float64 numbers.
    grid_rtol : float
        Relative tolerance of grids stored in float32.

    Examples
    --------
    A figure module declares ``CHECK_TOLERANCE = Tolerance(...)`` when its numbers are only
    reproducible to a looser tolerance (e.g. iterative solvers):

    >>> from lrnn_theory.figures import Tolerance
    >>> tol = Tolerance(rtol=1e-6)
    >>> tol.rtol, tol.atol, tol.grid_rtol
    (1e-06, 1e-12, 1e-06)
    >>> new, old = 1.0 + 5e-7, 1.0
    >>> abs(new - old) <= tol.atol + tol.rtol * abs(old)
    True
    """

    rtol: float = 1e-9
    atol: float = 1e-12
    grid_rtol: float = 1e-6

    def __post_init__(self):
        from .._validation import check_positive_float

        for name in ("rtol", "atol", "grid_rtol"):  # Python or NumPy numbers >= 0, stored as float
            object.__setattr__(self, name, check_positive_float(name, getattr(self, name), allow_zero=True))


@dataclass(frozen=True)
class Mismatch:
    """One differing entry: its path in the data tree and what differs.

    Attributes
    ----------
    path : str
        Slash-separated path in the figure's data tree.
    message : str

    Examples
    --------
    >>> from lrnn_theory.figures import Mismatch
    >>> print(Mismatch("data/loss", "1 of 10 numbers differ"))
    data/loss: 1 of 10 numbers differ
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _split(obj, path, grids, grid_dtype):
    if isinstance(obj, dict):
        return {str(k): _split(v, f"{path}/{k}", grids, grid_dtype) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and not _is_numeric_sequence(obj):
        return [_split(v, f"{path}/{i}", grids, grid_dtype) for i, v in enumerate(obj)]
    if isinstance(obj, (list, tuple, np.ndarray)):
        arr = np.asarray(obj)
        if arr.ndim >= 2 and arr.size >= GRID_MIN_SIZE and arr.dtype.kind in "fc":
            key = path.lstrip("/") or "data"
            grids[key] = arr.astype(np.dtype(grid_dtype) if arr.dtype.kind == "f" else arr.dtype)
            return {_REF: key}
    return obj


def _is_numeric_sequence(obj) -> bool:
    try:
        arr = np.asarray(obj)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "biufc"


def write_data(path: str | os.PathLike, header: dict, data, *, grid_dtype: str = "float32") -> list[str]:
    """Write ``data`` as ``<path>`` (compact JSON) and, if it holds grids, ``<path minus .json>.npz``.

    Parameters
    ----------
    path : str or PathLike
        The ``.json`` file to write (atomically).
    header : dict
        Fields stored beside ``"data"`` (figure name, title, quick flag).
    data : nested dict/list of arrays and scalars
        What the figure plots.
    grid_dtype : str
        Storage dtype of the grids (``"float32"`` or ``"float64"``).

    Returns
    -------
    list of str
        The files written.
    """
    path = os.fspath(path)
    if not path.endswith(".json"):
        raise ValueError(f"path: expected a .json file name, got {path!r}")
    if grid_dtype not in ("float32", "float64"):
        raise ValueError(f"grid_dtype: expected 'float32' or 'float64', got {grid_dtype!r}")
    grids: dict[str, np.ndarray] = {}
    tree = _split(data, "", grids, grid_dtype)
    npz = path[:-5] + ".npz"
    written = []
    with atomic_write(path, "w") as fh:
        json.dump({**to_jsonable(header), "data": to_jsonable(tree)}, fh, separators=(",", ":"), allow_nan=False)
    written.append(path)
    if grids:
        with atomic_write(npz, "wb") as fh:
            np.savez_compressed(fh, **grids)
        written.append(npz)
    elif os.path.exists(npz):  # a stale archive from an older version of the figure
        os.remove(npz)
    return written


def _grid_refs(obj, out: list) -> list:
    """Keys of every ``{"npz": key}`` reference in a JSON tree."""
    if isinstance(obj, dict):
        if set(obj) == {_REF}:
            out.append(obj[_REF])
        else:
            for v in obj.values():
                _grid_refs(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _grid_refs(v, out)
    return out


def _join(obj, grids):
    if isinstance(obj, dict):
        if set(obj) == {_REF}:
            return grids[obj[_REF]]
        return {k: _join(v, grids) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join(v, grids) for v in obj]
    return obj


def _load_grids(npz: str, keys: set, expected: str) -> dict:
    """The arrays ``keys`` of the archive ``npz``, or a ValueError naming the file and the problem."""
    def fail(what):
        return ValueError(f"{npz}: {what}; {expected}")

    try:
        z = np.load(npz, allow_pickle=False)
    except ValueError:  # neither a zip nor a .npy header (NumPy would then try to unpickle: never done here)
        raise fail("not a NumPy .npz archive (unrecognised content)") from None
    except Exception as exc:  # BadZipFile (truncated), EOFError (empty), OSError, ...
        raise fail(f"not a readable .npz archive ({type(exc).__name__}: {exc})") from None
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise fail("a single .npy array, not an .npz archive")
    try:
        with z:
            missing = sorted(keys - set(z.files))
            if missing:
                raise fail(f"grid(s) {missing} missing (found: {', '.join(z.files) or 'nothing'})")
            grids = {k: z[k] for k in sorted(keys)}
    except ValueError as exc:
        if str(exc).startswith(npz):
            raise
        raise fail("holds object (pickled) arrays, which are never loaded") from None
    except Exception as exc:  # a damaged member: CRC or decompression error
        raise fail(f"not a readable .npz archive ({type(exc).__name__}: {exc})") from None
    bad = sorted(k for k, v in grids.items() if v.dtype.kind not in "biufc")
    if bad:
        raise fail(f"grid(s) {bad} are not numeric arrays")
    return grids


_JSON_FORMAT = ('expected the JSON object that lrnn-theory figures writes, {"figure": name, "title": text, '
                '"quick": true/false, "data": {...}}')


def read_data(path: str | os.PathLike) -> dict:
    """Load a figure's numbers: the JSON document with its grids put back as arrays.

    Parameters
    ----------
    path : str or PathLike
        ``figures/<name>.json``; the ``.npz`` beside it is read when the JSON refers to it.

    Returns
    -------
    dict
        ``{"figure", "title", "quick", "data"}``; curves are lists, grids NumPy arrays.

    Raises
    ------
    TypeError
        ``path`` is not a str or path-like object.
    ValueError
        Naming the file and what is wrong with it: no file at ``path``; a file that is not UTF-8
        JSON, or JSON that is not an object with a ``"data"`` entry; grids referred to by the JSON but absent from
        the ``.npz`` beside it, or an ``.npz`` that is not a readable NumPy archive of numeric
        arrays (truncated, garbage, pickled objects: never unpickled).

    Examples
    --------
    In a clone of the repository, ``read_data("figures/figA3.json")`` loads the committed
    numbers of Figure A3.  A minimal document of the same format, written by hand:

    >>> import json, os, tempfile
    >>> from lrnn_theory.figures import read_data
    >>> doc = {"figure": "demo", "title": "a demo", "quick": True, "data": {"t": [0.0, 1.0]}}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "demo.json")
    ...     with open(path, "w") as fh:
    ...         json.dump(doc, fh)
    ...     back = read_data(path)
    >>> sorted(back), back["data"]["t"]
    (['data', 'figure', 'quick', 'title'], [0.0, 1.0])
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike naming a figure's .json file, got {type(path).__name__}")
    path = os.fspath(path)
    if not os.path.isfile(path):
        what = "a directory" if os.path.isdir(path) else "no such file"
        raise ValueError(f"{path}: {what}; expected a figure's .json data file")
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                         f"{_JSON_FORMAT}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text; {_JSON_FORMAT}") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not isinstance(doc, dict) or "data" not in doc:
        found = f"keys {sorted(doc)} without \"data\"" if isinstance(doc, dict) else f"a JSON {type(doc).__name__}"
        raise ValueError(f"{path}: found {found}; {_JSON_FORMAT}")
    refs = _grid_refs(doc["data"], [])
    if not refs:
        return doc
    if not all(isinstance(r, str) for r in refs):
        raise ValueError(f"{path}: grid references must be {{\"npz\": <key>}} with a string key, got {refs!r}")
    npz = path[:-5] + ".npz" if path.endswith(".json") else path + ".npz"
    expected = f"expected a NumPy .npz archive holding the grids {sorted(set(refs))} that {path} refers to"
    if not os.path.isfile(npz):
        raise ValueError(f"{npz}: {'a directory' if os.path.isdir(npz) else 'no such file'}; {expected}")
    grids = _load_grids(npz, set(refs), expected)
    doc["data"] = _join(doc["data"], grids)
    return doc


def compare(new, old, tol: Tolerance = Tolerance(), path: str = "") -> list[Mismatch]:
    """Every entry where ``new`` and ``old`` (data trees as :func:`read_data` returns) differ.

    Structure (keys, lengths, shapes), strings and booleans must be equal; numbers must agree
    within ``tol``; grids stored at lower precision are compared at that precision.
    """
    if isinstance(old, dict):
        if not isinstance(new, dict) or set(new) != set(old):
            return [Mismatch(path or "/", f"keys differ: {sorted(new) if isinstance(new, dict) else type(new).__name__} vs {sorted(old)}")]
        out = []
        for k in old:
            out += compare(new[k], old[k], tol, f"{path}/{k}")
        return out
    if isinstance(old, str) or old is None and not isinstance(new, (list, np.ndarray)):
        if isinstance(new, (list, tuple, dict, np.ndarray)):
            return [Mismatch(path, f"types differ: {type(new).__name__} vs {type(old).__name__}")]
        return [] if new == old or (old is None and _is_nan(new)) else [Mismatch(path, f"{new!r} vs {old!r}")]
    if isinstance(old, bool):
        return [] if new is old or new == old else [Mismatch(path, f"{new!r} vs {old!r}")]
    if isinstance(old, list) and not _is_numeric_sequence(_nan_none(old)):
        if not isinstance(new, (list, tuple)) or len(new) != len(old):
            return [Mismatch(path, "list lengths differ")]
        out = []
        for i, (a, b) in enumerate(zip(new, old)):
            out += compare(a, b, tol, f"{path}/{i}")
        return out
    try:
        a = np.asarray(_nan_none(new))
        b = np.asarray(_nan_none(old))
    except (TypeError, ValueError):  # ragged nesting
        return [Mismatch(path, f"structure differs: {type(new).__name__} vs {type(old).__name__}")]
    if a.shape != b.shape:
        return [Mismatch(path, f"shape {a.shape} vs {b.shape}")]
    if b.dtype.kind == "b" or a.dtype.kind == "b":
        return [] if np.array_equal(a, b) else [Mismatch(path, "booleans differ")]
    rtol = tol.rtol
    if b.dtype == np.float32:
        a = a.astype(np.float32)
        rtol = max(rtol, tol.grid_rtol)
    try:
        a = a.astype(complex if np.iscomplexobj(a) or np.iscomplexobj(b) else float)
        b = b.astype(a.dtype)
    except (TypeError, ValueError):  # e.g. a number stored where the figure now writes a string or a dict
        return [Mismatch(path, f"types differ: {type(new).__name__} vs {type(old).__name__}")]
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb):
        return [Mismatch(path, f"non-finite entries differ ({int(np.sum(fa != fb))} positions)")]
    err = np.abs(a[fa] - b[fb])
    bound = tol.atol + rtol * np.abs(b[fb])
    if np.all(err <= bound):
        return []
    worst = int(np.argmax(err - bound))
    rel = err[worst] / max(abs(b[fb][worst]), 1e-300)
    return [Mismatch(path, f"{int(np.sum(err > bound))} of {err.size} numbers differ; worst |Δ| = {err[worst]:.3g} "
                           f"(relative {rel:.3g}; allowed atol {tol.atol:g} + rtol {rtol:g})")]


def _nan_none(x):
    if isinstance(x, list):
        return [_nan_none(v) for v in x]
    return np.nan if x is None else x


def _is_nan(x) -> bool:
    try:
        return bool(np.isnan(x))
    except TypeError:
        return False
