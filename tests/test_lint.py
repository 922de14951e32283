"""ruff reports nothing on the library, the tests and the benchmarks (configuration in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, require_executable


def test_ruff_is_clean():
    beside_python = Path(sys.executable).with_name("ruff")  # .venv's ruff, the pinned version
    ruff = str(beside_python) if beside_python.exists() else require_executable("ruff")
    command = [ruff, "check", "--no-cache", "lib", "tests", "bench"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"`ruff {' '.join(command[1:])}` found problems (ours) vs none (expected):\n{report}"
