"""Execute the notebooks of ``notebooks/`` and store their outputs in them.

The documentation renders the tutorials from the outputs stored in the notebooks
(``nb_execution_mode = "off"`` in ``docs/conf.py``: the site build never runs
code), so every notebook is committed executed.  Run this after changing a
notebook (or after ``python tools/make_notebooks.py``, which writes them without
outputs) or the code it calls::

    python tools/execute_notebooks.py                    # every notebook
    python tools/execute_notebooks.py notebooks/06_curse_of_memory.ipynb

Notebooks are run in their quick setting (``LRNN_QUICK=1``: reduced grids and
shorter training, the same setting ``tests/test_notebooks.py`` executes and
compares with the stored outputs), with the working directory a temporary
folder (nothing is written into the repository besides the notebook), figures as
PNG at ``DPI`` dots per inch, and without execution timestamps, so that running
it twice on the same code changes no byte that matters.  Any error in a cell
aborts with the cell's traceback and leaves the notebook unchanged.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: Resolution of the stored PNG figures (matplotlib's default is 100): small files, legible plots.
DPI = 72
#: Environment of the kernel: quick setting, non-interactive plotting, no one-time "compiling
#: kernels" notice (it appears only on a fresh install, so it must not be part of the outputs), and
#: one BLAS thread, as the figures runner uses: the stored numbers must not depend on the machine's
#: number of cores (the state-merging training of notebook 07 is chaotic in the rounding of OpenBLAS's
#: multi-threaded products), and multi-threaded BLAS on that training's small products leaves threads
#: spinning (on a busy 2-core machine its 300 epochs took minutes instead of about 10 s).
ENV = {"LRNN_QUICK": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONHASHSEED": "0",
       "LRNN_THEORY_COMPILE_NOTICE": "0", "OPENBLAS_NUM_THREADS": "1"}


def execute(nb: nbformat.NotebookNode, cwd: str, timeout: int = 1200) -> nbformat.NotebookNode:
    """Execute ``nb`` in place in quick mode with working directory ``cwd``; return it."""
    old = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", record_timing=False,
            resources={"metadata": {"path": cwd}},
            extra_arguments=[f"--InlineBackend.rc={{'figure.dpi': {DPI}}}"],
        )
        client.execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks to execute (default: every notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as tmp:
            execute(nb, tmp)
        nb.metadata.pop("widgets", None)  # widget state of the explore notebook: large, useless without a kernel
        nbformat.write(nb, path)
        print(f"executed {path.relative_to(ROOT) if path.is_absolute() else path} "
              f"in {time.perf_counter() - start:.0f} s ({path.stat().st_size / 1e3:.0f} kB)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
