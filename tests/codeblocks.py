"""Run the Python code blocks of a Markdown page (README, docs) the way a reader would: as scripts.

Convention for the ```` ```python ```` blocks of the README and of ``docs/**/*.md``:

* By default the blocks of a page, in order, make one complete script (a later block may use
  the names of an earlier one, as in a Python session).  The tests run that script in a fresh
  Python process in an empty folder: a missing import, an undefined name or an error fails.
* ``<!-- own-script -->`` on the line before a block: the block is a complete script on its own
  and runs in its own process (e.g. a dask example, which needs ``if __name__ == "__main__":``).
* ``<!-- fragment -->`` on the line before a block: not run (a snippet that needs the reader's
  own data or a cluster; the text around it says so).  Keep these rare.
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BLOCK = re.compile(r"(?:<!--\s*(?P<kind>fragment|own-script)\s*-->\s*\n)?^```python[ \t]*\n(?P<code>.*?)^```[ \t]*$",
                   re.S | re.M)


@dataclass(frozen=True)
class Script:
    name: str
    code: str


def page_scripts(text: str, page: str) -> list[Script]:
    """The scripts of a page: first the concatenation of its default blocks (if any), then one per
    ``own-script`` block; ``fragment`` blocks are left out."""
    shared, own = [], []
    for i, m in enumerate(BLOCK.finditer(text)):
        kind, code = m.group("kind"), m.group("code")
        line = text[:m.start("code")].count("\n") + 1
        tagged = f"# --- {page}, block {i + 1} (line {line}) ---\n{code}"
        if kind == "own-script":
            own.append(Script(f"{page}:{line}", tagged))
        elif kind is None:
            shared.append(tagged)
    return ([Script(page, "\n".join(shared))] if shared else []) + own


#: Scripts already run successfully in this test session, by their syntax tree (comments and layout
#: ignored): the README and the sweeps guide show the same sweep scripts, which start worker
#: processes; each is run once.
_DONE: dict[str, subprocess.CompletedProcess] = {}


def run_script(code: str, folder: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Write ``code`` to ``folder/script.py`` and run it with this interpreter in ``folder``;
    raise AssertionError with the end of stderr if it fails."""
    key = ast.dump(ast.parse(code))
    if key in _DONE:
        return _DONE[key]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "script.py"
    path.write_text(code, encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, str(path)], cwd=folder, capture_output=True, text=True,
                          timeout=timeout, env=env)
    assert proc.returncode == 0, f"script failed (exit {proc.returncode}):\n{code}\n--- stderr ---\n{proc.stderr[-6000:]}"
    _DONE[key] = proc
    return proc
