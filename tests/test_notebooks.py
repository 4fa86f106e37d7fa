"""The tutorial notebooks: committed executed (the documentation renders their stored outputs,
never runs them), and those outputs are what the code computes today.

``python tools/execute_notebooks.py`` stores the outputs (quick setting, ``LRNN_QUICK=1``, PNG
figures at 72 dpi).  Here every notebook is executed again in the same setting and every number it
prints is compared with the stored one, so a notebook whose outputs went stale fails.
"""
import base64
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)

#: A cell that draws: a figure module's ``draw``, a result's ``plot``, a ``plot.*`` helper or pyplot.
DRAWS = re.compile(r"\.draw\(|\.plot\(|lt\.plot\.\w+\(|plt\.plot\(")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
#: Text that legitimately changes from one run to the next (object addresses).
VOLATILE = re.compile(r" at 0x[0-9a-fA-F]+")
#: PNG figures are stored at modest resolution: the notebooks stay small.
MAX_PNG_BYTES = 250_000


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _texts(cell) -> list[str]:
    """The printed text of a cell: all it wrote to stdout, all to stderr (the kernel splits a stream
    into messages as timing allows), then its plain-text results, in order."""
    streams = {"stdout": "", "stderr": ""}
    results = []
    for o in cell.outputs:
        if o.output_type == "stream":
            streams[o.name] = streams.get(o.name, "") + o.text
        elif o.output_type in ("execute_result", "display_data") and "text/plain" in o.data \
                and "image/png" not in o.data and "application/vnd.jupyter.widget-view+json" not in o.data:
            results.append(o.data["text/plain"])
    return [VOLATILE.sub("", t) for t in (streams["stdout"], streams["stderr"], *results)]


def _images(cell) -> list[bytes]:
    return [base64.b64decode(o.data["image/png"]) for o in cell.outputs
            if o.output_type in ("display_data", "execute_result") and "image/png" in o.data]


def _last_digit(token: str) -> float:
    """One unit in the last printed digit of a number as printed (``'0.435'`` -> 1e-3, ``'1.2e-05'`` -> 1e-6)."""
    mant, _, exp = token.lower().partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 10.0 ** (int(exp or 0) - decimals)


def assert_same_numbers(stored: str, fresh: str, where: str) -> None:
    """Same text around the numbers; each number equal to the stored one within one unit of its last
    printed digit (a value printed to 3 digits may round the other way) or 1e-6 relative, and
    round-off-level values (``|x| < 1e-9``, e.g. a reconstruction error of 1e-15) only to 1e-9."""
    assert NUMBER.sub("#", stored) == NUMBER.sub("#", fresh), f"{where}: text differs:\n{stored}\n---\n{fresh}"
    for a, b in zip(NUMBER.findall(stored), NUMBER.findall(fresh)):
        x, y = float(a), float(b)
        tol = max(_last_digit(a), 1e-6 * abs(x), 1e-9) * (1 + 1e-9)  # (float rounding of the unit itself)
        assert abs(x - y) <= tol, f"{where}: stored {a}, computed now {b}"


def test_notebooks_are_stored_executed_with_their_figures():
    """Every code cell ran (in order, without error), every cell that draws holds its figure as a
    PNG, and each notebook shows at least one figure: the tutorial pages render them."""
    names = {p.name for p in NOTEBOOKS}
    assert "explore.ipynb" in names and len(names) >= 9
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        cells = _code_cells(nb)
        assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1)), \
            f"{path.name}: not executed top to bottom; run python tools/execute_notebooks.py {path.name}"
        for i, cell in enumerate(cells):
            assert not [o for o in cell.outputs if o.output_type == "error"], f"{path.name} cell {i}: error stored"
            widget = any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
            if DRAWS.search(cell.source) and not widget:  # a widget draws only with a live kernel
                assert _images(cell), f"{path.name} cell {i} draws but stores no figure"
            for png in _images(cell):
                assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < MAX_PNG_BYTES, f"{path.name} cell {i}"
        assert sum(len(_images(c)) for c in cells) >= 1, f"{path.name} shows no figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes_and_matches_its_stored_outputs(path, tmp_path):
    """Runs top to bottom in the quick setting the stored outputs were made in, and prints the same
    numbers and draws the same number of figures per cell."""
    stored = nbformat.read(path, as_version=4)
    fresh = execute_notebooks.execute(nbformat.read(path, as_version=4), str(tmp_path))  # raises on any error
    for i, (old, new) in enumerate(zip(_code_cells(stored), _code_cells(fresh))):
        assert len(_images(old)) == len(_images(new)), f"{path.name} cell {i}: number of figures"
        old_t, new_t = _texts(old), _texts(new)
        assert len(old_t) == len(new_t), f"{path.name} cell {i}: outputs {old_t} vs {new_t}"
        for a, b in zip(old_t, new_t):
            assert_same_numbers(a, b, f"{path.name} cell {i}")


def test_number_comparison_catches_a_stale_output():
    """The comparison used above fails on a changed number or changed text, and tolerates rounding of
    the last printed digit."""
    assert_same_numbers("loss 0.435, steps 12", "loss 0.436, steps 12", "ok")
    assert_same_numbers("error 8.9e-16", "error 1.1e-15", "ok")
    with pytest.raises(AssertionError):
        assert_same_numbers("loss 0.435", "loss 0.441", "x")
    with pytest.raises(AssertionError):
        assert_same_numbers("b* = 0.8", "u* = 0.8", "x")
