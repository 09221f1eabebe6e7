"""The code base stays ruff-clean (the style checks the project agreed on in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    beside_python = Path(sys.executable).with_name("ruff")  # the one in this environment
    ruff = str(beside_python) if beside_python.exists() else shutil.which("ruff")
    assert ruff, "ruff is not installed (pip install -e '.[dev]')"
    folders = ["autograd", "nn", "optim", "tests", "examples", "benchmarks", "notebooks", "docs"]
    result = subprocess.run(
        [ruff, "check", *[f for f in folders if (ROOT / f).is_dir()]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
