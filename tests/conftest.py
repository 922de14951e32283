"""Shared test set-up. The tests are grouped by area:

- ``rnnlab/``: the library (cells, sequences, gradients, PyTorch and Keras cross-checks, plots, explainer);
- ``grading/``: ``rnnlab.grading``, the checks the exercises call, and the exercises themselves;
- ``coursegrader/``: the instructor's pipeline, with a simulated class (``coursegrader/students/``);
- ``book/``: the pages' sources, the built book in a browser, Binder's environment;
- ``test_lint.py``: ruff over the whole repository.

CI sets RNNLAB_REQUIRE_ALL=1: then a test that would be skipped because a tool is missing (PyTorch,
Chromium) fails instead, so CI never passes by skipping.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_ALL = os.environ.get("RNNLAB_REQUIRE_ALL") == "1"
ARTIFACTS = ROOT / "test-artifacts"

# Debian's Chromium, driven by Playwright's Python package (Playwright's own browser download needs the
# internet). The flags keep it from reaching out to Google's services, which this network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_module(name: str) -> ModuleType:
    """Import ``name``, or skip the test locally / fail it in CI when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        if REQUIRE_ALL:
            pytest.fail(f"{name} is required in CI but cannot be imported: {error}")
        pytest.skip(f"{name} is not installed (.ci/run installs it)")


def require_executable(path: str) -> str:
    """Return ``path`` if it exists, else skip locally / fail in CI."""
    found = shutil.which(path) or (path if Path(path).exists() else None)
    if found is None:
        if REQUIRE_ALL:
            pytest.fail(f"{path} is required in CI but is missing")
        pytest.skip(f"{path} is missing (.ci/run installs it)")
    return found


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    module = require_module("torch")
    module.set_default_dtype(module.float64)
    return module


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and other files a human may want to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
