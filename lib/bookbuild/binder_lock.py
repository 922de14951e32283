"""Print binder/requirements.txt: what the notebooks import, every dependency pinned from constraints.txt.

Run from the repository root after ``make lock``::

    .venv/bin/python -m bookbuild.binder_lock > binder/requirements.txt

pip resolves the closure (``--dry-run --report``, nothing is installed) under ``-c constraints.txt``, so
every pin is the one in constraints.txt; tests/book/test_pins.py checks that they stay equal.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Besides rnnlab's own dependencies (pyproject.toml), what running a notebook in JupyterLab needs;
# myst-nb because chapters call myst_nb.glue to put computed numbers into the prose.
NOTEBOOK_SERVER = ["jupyterlab", "ipykernel", "myst-nb"]
HEADER = """\
# What Binder (repo2docker) installs: the packages the chapters and exercises import, with every
# transitive dependency pinned to the same version as constraints.txt (tests/book/test_pins.py checks it).
# myst-nb is here because chapters call myst_nb.glue. Deliberately absent: PyTorch, nbgrader,
# jupyter-book and the test tools; no notebook needs them.
# repo2docker runs `pip install -r binder/requirements.txt` from the repository root, so the last
# line installs rnnlab from this repository (lib/rnnlab).
# Regenerate the pins after `make lock` with:
#   .venv/bin/python -m bookbuild.binder_lock > binder/requirements.txt"""


def top_level_requirements() -> list[str]:
    """rnnlab's runtime dependencies (names only) plus the notebook server."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [dependency.split("==")[0].split(">")[0].split("<")[0].strip() for dependency in project["dependencies"]]
    return names + NOTEBOOK_SERVER


def resolve(requirements: list[str]) -> list[tuple[str, str]]:
    """Return ``(name, version)`` for the whole closure of ``requirements`` under constraints.txt."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
        command += ["--report", str(report), "-c", str(ROOT / "constraints.txt"), *requirements]
        subprocess.run(command, check=True, stdout=sys.stderr)
        installs = json.loads(report.read_text())["install"]
    pins = [(item["metadata"]["name"], item["metadata"]["version"]) for item in installs]
    return sorted(pins, key=lambda pin: pin[0].lower())


def main() -> None:
    print(HEADER)
    for name, version in resolve(top_level_requirements()):
        print(f"{name}=={version}")
    print("-e .")


if __name__ == "__main__":
    main()
