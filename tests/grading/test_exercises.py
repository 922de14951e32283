"""The exercises: exercises/ is exactly nbgrader's release of solutions/, nothing leaks, and the stubs fail cleanly.

No field is ignored when comparing the regenerated release with the committed one: nbgrader's output is
deterministic (cell ids come from the source, checksums from the cell contents).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from coursegrader import release

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ("rnn_step", "lstm_gates", "gru_gates", "lstm_vs_gru", "bptt", "training_practice")
SOLUTIONS = {a: ROOT / "solutions" / a / f"{a}.ipynb" for a in ASSIGNMENTS}
EXERCISES = {a: ROOT / "exercises" / a / f"{a}.ipynb" for a in ASSIGNMENTS}
REGION = re.compile(r"BEGIN (SOLUTION|HIDDEN TESTS)(.*?)END \1", re.S)


def test_every_assignment_has_a_solution_and_a_release():
    assert release.assignments() == sorted(ASSIGNMENTS)
    missing = [str(p) for p in [*SOLUTIONS.values(), *EXERCISES.values()] if not p.exists()]
    assert not missing, f"missing notebooks: {missing}"


def files_under(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for a in ASSIGNMENTS for p in (folder / a).rglob("*"))


def test_release_is_exactly_what_nbgrader_generates(tmp_path):
    generated = release.generate_into(tmp_path, list(ASSIGNMENTS))
    committed_files = files_under(ROOT / "exercises")
    generated_files = files_under(generated)
    assert committed_files == generated_files, f"ours {committed_files} vs nbgrader {generated_files}"
    for assignment in ASSIGNMENTS:
        ours = nbformat.read(EXERCISES[assignment], as_version=4)
        theirs = nbformat.read(generated / assignment / f"{assignment}.ipynb", as_version=4)
        assert ours.metadata == theirs.metadata, f"{assignment}: notebook metadata differs; run `make exercises`"
        assert len(ours.cells) == len(theirs.cells), f"{assignment}: {len(ours.cells)} vs {len(theirs.cells)} cells"
        for mine, fresh in zip(ours.cells, theirs.cells, strict=True):
            where = f"{assignment}, cell {fresh.get('id')}"
            assert mine == fresh, f"{where}: ours\n{mine}\nvs nbgrader\n{fresh}\nrun `make exercises`"


def test_nbgrader_validate_passes_on_every_solution():
    """`nbgrader validate` on each solution notebook (one process each, run side by side to save time).

    Each kernel talks over its own IPC socket files rather than TCP: kernels started side by side on
    loopback can pick the same free port ("Address already in use"), which is a race, not a wrong solution.
    """
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    sockets = Path(tempfile.mkdtemp(prefix="validate-"))  # short: a socket path has at most ~100 characters
    runs = {
        a: subprocess.Popen([*release.nbgrader_command(), "validate", str(path), "--KernelManager.transport=ipc",
                             f"--KernelManager.ip={sockets / a}"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for a, path in SOLUTIONS.items()
    }  # fmt: skip
    failures = []
    for assignment, run in runs.items():
        output, _ = run.communicate(timeout=600)
        if run.returncode != 0 or "Success! Your notebook passes all the tests." not in output:
            failures.append(f"{assignment} (exit {run.returncode}):\n{output}")
    shutil.rmtree(sockets, ignore_errors=True)
    assert not failures, "nbgrader validate failed (ours) vs passes (expected):\n" + "\n".join(failures)


def solution_lines(nb: nbformat.NotebookNode) -> set[str]:
    """Lines inside solution and hidden-test regions that do not also appear outside them."""
    inside, outside = set(), set()
    for cell in nb.cells:
        source = cell.source
        for match in REGION.finditer(source):
            inside |= {line.strip() for line in match.group(2).splitlines()[1:-1]}
        outside |= {line.strip() for line in REGION.sub("", source).splitlines()}
        if cell.metadata.get("nbgrader", {}).get("solution") and "BEGIN SOLUTION" not in source:
            inside |= {line.strip() for line in source.splitlines()}
    return {line for line in inside - outside if len(line) > 3}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_or_hidden_test_text_in_release(assignment):
    text = EXERCISES[assignment].read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{assignment}: {marker!r} in exercises/"
    released = {line.strip() for cell in nbformat.read(EXERCISES[assignment], as_version=4).cells
                for line in cell.source.splitlines()}  # fmt: skip
    secret = solution_lines(nbformat.read(SOLUTIONS[assignment], as_version=4))
    assert secret, f"{assignment}: found no solution region at all"
    leaked = sorted(secret & released)
    assert not leaked, f"{assignment}: solution lines in the release: {leaked}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_release_fails_only_with_not_implemented(assignment):
    from nbclient import NotebookClient

    nb = nbformat.read(EXERCISES[assignment], as_version=4)
    resources = {"metadata": {"path": str(ROOT)}}
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3", resources=resources).execute()
    problems = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        errors = [o for o in cell.outputs if o.output_type == "error"]
        stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        if any(e.ename != "NotImplementedError" for e in errors):
            problems.append(f"{cell.id}: {[f'{e.ename}: {e.evalue}' for e in errors]}")
        if errors and not meta:
            problems.append(f"{cell.id}: an error in a cell that is not an nbgrader cell")
        if meta.get("grade") and not errors:
            problems.append(f"{cell.id}: a graded test passes on the blank notebook (an undeserved point)")
        if stderr:
            problems.append(f"{cell.id}: wrote to stderr {stderr}")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


def test_index_lists_every_exercise_with_its_time_and_points():
    """exercises/index.md's table agrees with the notebooks (points from nbgrader's metadata)."""
    rows = {}
    for line in (ROOT / "exercises" / "index.md").read_text().splitlines():
        match = re.match(r"\| \[.*?\]\((\w+)/\1\) \| .* \| (\d+) min \| (\d+) \|$", line)
        if match:
            rows[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    assert sorted(rows) == sorted(ASSIGNMENTS), f"index rows {sorted(rows)} vs assignments {sorted(ASSIGNMENTS)}"
    for assignment, (minutes, points) in rows.items():
        nb = nbformat.read(SOLUTIONS[assignment], as_version=4)
        total = sum(cell.metadata.get("nbgrader", {}).get("points", 0) for cell in nb.cells)
        header = nb.cells[0].source
        assert points == total, f"{assignment}: index says {points} points, the notebook's tests hold {total}"
        assert f"About {minutes} minutes; {total:g} points" in header, f"{assignment}: header {header[:200]!r}"
