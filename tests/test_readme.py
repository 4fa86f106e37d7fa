"""The README stays true: its two commands match .ci/run and its Python examples run as scripts."""
import re
from pathlib import Path

from codeblocks import page_scripts, run_script

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_two_commands_first_and_ci_runs_the_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    assert "lrnn-theory figures" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1] and "'.[test]'" in blocks[1]
    assert blocks[1].strip() in (ROOT / ".ci" / "run").read_text()


#: Appended to the README's script: the numbers its comments promise.
README_CHECKS = """
import cmath
assert abs(float(sol.b[-1]) - 0.8) < 1e-8                  # b* = lambda (theory guide theory-fixed-points)
z = complex(zsol.b[-1])                                    # rotational task: b* = lambda = 0.9 e^{i pi/12}
assert abs(z - 0.9 * cmath.exp(1j * cmath.pi / 12)) < 1e-8
assert fit.status == "converged" and not bp.diverged
print("README checks passed")
"""


def test_python_examples_run_as_scripts(tmp_path):
    """Every Python block of the README runs as a script in a fresh process (the blocks in order
    make one script; a block marked ``<!-- own-script -->`` runs alone), as a reader pasting them
    into a file would run them: see tests/codeblocks.py for the convention."""
    scripts = page_scripts(README, "README.md")
    assert scripts and scripts[0].name == "README.md"
    out = run_script(scripts[0].code + README_CHECKS, tmp_path / "readme").stdout
    assert "README checks passed" in out
    printed = {}
    for i, script in enumerate(scripts[1:]):
        printed[script.name] = run_script(script.code, tmp_path / f"own{i}").stdout
    # the sweeps (default process pool, dask cluster) are scripts of their own, guarded by __main__
    # (their worker processes import the script); both print b along delta at kappa = 0.6, which
    # must not depend on the executor
    sweeps = [s for s in scripts[1:] if "sweep(" in s.code]
    assert len(sweeps) >= 2 and any("LocalCluster" in s.code for s in sweeps)
    assert all('if __name__ == "__main__":' in s.code for s in sweeps)
    outputs = {printed[s.name] for s in sweeps}
    assert len(outputs) == 1 and len(outputs.pop().split()) >= 41
