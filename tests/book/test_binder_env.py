"""A Binder-like run: a fresh virtual environment built only from binder/ executes every notebook.

The environment lives in .venv-binder, keyed by a hash of binder/'s files and pyproject.toml (the
``-e .`` line installs rnnlab with its pinned dependencies), so it is rebuilt only when they change.
Chapters must run without any error; exercises may fail only in the students' stubs
(``NotImplementedError``), and every exercise notebook must have at least one such stub.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT
from test_pins import read_pins

VENV = ROOT / ".venv-binder"
KEY_FILE = VENV / ".binder-key"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("**/*.ipynb"))
STUB_ERROR = "NotImplementedError"

# Runs inside the Binder venv: executes one notebook in its own folder (as JupyterLab would) and prints
# the errors of its cells as JSON. The first line checks which Python and which rnnlab the kernel sees.
RUNNER = r"""
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

path = Path(sys.argv[1])
notebook = nbformat.read(path, as_version=4)
# The probe finds rnnlab without importing it (nor numpy): a chapter's first cell sets OpenBLAS's thread count
# before numpy loads, which an earlier import would silently defeat.
probe = nbformat.v4.new_code_cell(
    "import sys, importlib.util; print(sys.prefix, importlib.util.find_spec('rnnlab').origin)"
)
notebook.cells.insert(0, probe)
NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": str(path.parent)}}).execute()
errors = [
    {"cell": index - 1, "ename": output["ename"], "evalue": output["evalue"][:300],
     "source": "".join(cell.source)[:200]}
    for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
    for output in cell.get("outputs", []) if output.get("output_type") == "error"
]
probe_text = "".join(o.get("text", "") for o in notebook.cells[0].outputs if o.get("output_type") == "stream")
print(json.dumps({"probe": probe_text.strip(), "errors": errors}))
"""


def binder_key() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(Path(ROOT / "binder").rglob("*")) + [ROOT / "pyproject.toml"]:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def clean_environment() -> dict[str, str]:
    """The test's environment minus anything that would let the kernel see the development venv."""
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    environment["PATH"] = f"{VENV / 'bin'}{os.pathsep}{environment.get('PATH', '')}"
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return environment


@pytest.fixture(scope="session")
def binder_python() -> Path:
    """Python of a venv made from binder/ alone (created on first use, reused while binder/ is unchanged)."""
    python = VENV / "bin" / "python"
    key = binder_key()
    if python.exists() and KEY_FILE.is_file() and KEY_FILE.read_text() == key:
        return python
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    # Exactly what repo2docker does, from the repository root.
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, f"pip install -r binder/requirements.txt failed:\n{install.stderr[-3000:]}"
    KEY_FILE.write_text(key)
    return python


def test_binder_env_is_exactly_the_pins(binder_python):
    """Nothing unpinned was pulled in and nothing pinned is missing (pip freeze vs binder/requirements.txt)."""
    frozen = subprocess.run(
        [str(binder_python), "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
        env=clean_environment(),
    ).stdout
    installed = {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1]
        for line in frozen.splitlines()
        if "==" in line
    }
    pinned = {
        name: version
        for name, version in read_pins(ROOT / "binder" / "requirements.txt").items()
        if not name.startswith("<")
    }
    installed = {name.replace(".", "-"): version for name, version in installed.items()}
    assert installed == pinned, (
        f"installed but not pinned: {sorted(set(installed) - set(pinned))}; "
        f"pinned but not installed: {sorted(set(pinned) - set(installed))}; "
        f"version differs: {[n for n in installed if n in pinned and installed[n] != pinned[n]]}"
    )
    check = subprocess.run(
        [str(binder_python), "-m", "pip", "check"], capture_output=True, text=True, env=clean_environment()
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.fixture(scope="session")
def executed(binder_python) -> dict[Path, dict]:
    """Run every chapter and exercise notebook in the Binder venv, two at a time, longest first (the
    durations of the previous run are kept in .venv-binder/durations.json)."""
    durations_file = VENV / "durations.json"
    previous = json.loads(durations_file.read_text()) if durations_file.is_file() else {}

    def run(path: Path) -> dict:
        start = time.perf_counter()
        result = subprocess.run(
            [str(binder_python), "-c", RUNNER, str(path)],
            capture_output=True,
            text=True,
            env=clean_environment(),
            timeout=600,
        )
        durations[path.relative_to(ROOT).as_posix()] = time.perf_counter() - start
        if result.returncode != 0:
            return {
                "probe": "",
                "errors": [{"cell": None, "ename": "RunnerFailed", "evalue": result.stderr[-2000:], "source": ""}],
            }
        return json.loads(result.stdout.strip().splitlines()[-1])

    durations: dict[str, float] = {}
    notebooks = sorted(CHAPTERS + EXERCISES, key=lambda p: -previous.get(p.relative_to(ROOT).as_posix(), 1e9))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(notebooks, pool.map(run, notebooks), strict=True))
    durations_file.write_text(json.dumps(durations, indent=1))
    return results


def assert_kernel_is_binders(result: dict, path: Path) -> None:
    prefix, _, rnnlab_file = result["probe"].partition(" ")
    assert Path(prefix).resolve() == VENV.resolve(), f"{path.name}: kernel ran in {prefix!r}, not {VENV}"
    assert Path(rnnlab_file).resolve().is_relative_to(ROOT / "lib"), f"rnnlab imported from {rnnlab_file!r}"


def describe(errors: list[dict]) -> str:
    return "\n".join(f"  cell {e['cell']}: {e['ename']}: {e['evalue']}\n    {e['source']!r}" for e in errors)


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_runs_on_binder(executed, path):
    result = executed[path]
    assert not result["errors"], f"{path.name} raised on Binder:\n{describe(result['errors'])}"
    assert_kernel_is_binders(result, path)


@pytest.mark.slow
@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.relative_to(ROOT / "exercises").as_posix())
def test_exercise_fails_only_in_stubs(executed, path):
    result = executed[path]
    others = [error for error in result["errors"] if error["ename"] != STUB_ERROR]
    assert not others, f"{path.name}: errors other than the students' stubs:\n{describe(others)}"
    assert result["errors"], f"{path.name}: no stub raised {STUB_ERROR}; is a solution left in the student notebook?"
    assert_kernel_is_binders(result, path)


def test_there_are_notebooks_to_run():
    assert CHAPTERS, "no chapters/*.ipynb found"
