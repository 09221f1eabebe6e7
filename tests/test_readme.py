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
