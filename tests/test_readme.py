"""The README's Python examples run as written (in order, in one namespace, as a reader would)."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    return [b for b in blocks if not b.startswith(" ")]  # indented ones are excerpts of the code


def test_readme_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _python_blocks()
    assert len(blocks) >= 5
    namespace: dict = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"README block {i}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message says which block broke
            raise AssertionError(f"README python block {i} failed: {e!r}\n{block}") from e
    tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    assert tests, "the README's Hypothesis example defines a test"
    for t in tests:
        t()
    assert (tmp_path / "model.npz").exists()


def test_quickstart_runs_tests_doctests_and_notebooks_and_ci_needs_no_apt():
    """The Quickstart's test command covers the docstring examples too, and CI runs it on a
    machine set up by pip alone: pygraphviz (its wheels bundle Graphviz) is a dependency."""
    root = README.parent
    quickstart = README.read_text().split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in quickstart.splitlines() if "pytest" in line and "&&" in line]
    assert commands == [
        'python3 -m venv .venv && .venv/bin/pip install -q -e ".[dev]" && .venv/bin/python -m '
        "pytest -q -p no:cacheprovider tests --doctest-modules autograd nn optim --nbmake notebooks"
    ]
    ci = [line for line in (root / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert not any("apt-get" in line or "apt " in line for line in ci)
    pyproject = (root / "pyproject.toml").read_text()
    dependencies = re.search(r"^dependencies = \[(.*?)\]", pyproject, flags=re.M | re.S).group(1)
    assert '"pygraphviz>=2.0.4"' in dependencies
