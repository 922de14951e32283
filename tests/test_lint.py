"""ruff reports nothing anywhere in the repository (configuration in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, require_executable


@pytest.mark.parametrize("check", [["check", "--no-cache"], ["format", "--check", "--no-cache"]], ids=" ".join)
def test_ruff_is_clean(check):
    """Everything: the library, tests, benchmarks, nbgrader_config.py and the pages' code cells (ruff reads the
    notebooks of chapters/ and solutions/; exercises/ is their nbgrader release)."""
    beside_python = Path(sys.executable).with_name("ruff")  # .venv's ruff, the pinned version
    ruff = str(beside_python) if beside_python.exists() else require_executable("ruff")
    command = [ruff, *check, "."]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"`ruff {' '.join(command[1:])}` found problems (ours) vs none (expected):\n{report}"
