"""The README stays true: its two commands match .ci/run and its Python examples run."""
import cmath
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_two_commands_first_and_ci_runs_the_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    assert "lrnn-theory figures" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1] and "'.[test]'" in blocks[1]
    assert blocks[1].strip() in (ROOT / ".ci" / "run").read_text()


def test_python_examples_run():
    namespace: dict = {}
    for block in re.findall(r"```python\n(.*?)\n```", README, re.S):
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    assert abs(float(namespace["sol"].b[-1]) - 0.8) < 1e-8
    z = complex(namespace["zsol"].b[-1])  # rotational task: b* = λ = 0.9 e^{iπ/12}
    assert abs(z - 0.9 * cmath.exp(1j * cmath.pi / 12)) < 1e-8
    assert namespace["ds"]["b"].shape == (3, 41)
    assert namespace["fit"].status == "converged" and not namespace["bp"].diverged
