"""Adversarial students against the sandboxed grader: none may gain a point, touch anything, or leave a trace.

A course grades a first class (honest students, and one graded by hand earlier). Then a second class is
graded: every attack of ``tests/coursegrader/students/attacks/``, each built from the released notebook with its
answers blank, between honest students. For every attacker the tests assert no point above the blank
notebook, and for the run as a whole: the honest students' exact scores, the first class's gradebook
rows, files and results byte for byte, the gradebook's assignment tables, the installed library (by
hashes), no attack process alive, and no hidden test, plain or encoded, in any feedback page.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, require_executable
from students import STUDENTS
from students.attacks import ATTACKS, LEAK_MARKER, encodings, kill_marked, library_folders, marked_processes
from students.kit import Kit, release, to_bytes
from test_grading_pipeline import ASSIGNMENT, EARLIER, FULL, add_earlier_student, run_grade

import rnnlab
from coursegrader.course import Course
from coursegrader.leaks import hidden_lines
from coursegrader.register import register
from coursegrader.report import BLANK

FIRST_CLASS = ["perfect", "blank", "sigmoid", "concat_xh"]
HONEST = {"honest_perfect": "perfect", "honest_blank": "blank", "honest_sigmoid": "sigmoid"}
SCORES = {"perfect": 16.0, "blank": 0.0, "sigmoid": 5.0, "concat_xh": 5.0}
ASSIGNMENT_TABLES = ("assignment", "notebook", "base_cell", "grade_cells", "solution_cells", "source_cell",
                     "task_cells")  # fmt: skip


def digest_files(paths: list[Path]) -> dict[str, str]:
    """``{path: sha256}`` of every file in ``paths`` (folders: their files, recursively for the package)."""
    found = {}
    for path in paths:
        if not path.exists():
            found[str(path)] = "missing"
            continue
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" not in file.parts:
                found[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


def library_files() -> list[Path]:
    """The installed course library, and the top level of every folder the library attack writes into.

    A folder that does not exist (the user's site-packages, often) is listed as a path of its own: if the
    attack created it, the digests differ.
    """
    files: list[Path] = [Path(rnnlab.__file__).parent]
    for folder in library_folders():
        files += [p for p in sorted(folder.iterdir()) if p.is_file()] if folder.is_dir() else [folder]
    return files


def gradebook_rows(course: Course, students: list[str]) -> dict[str, list[tuple]]:
    """Every grade and comment row of these students, and every row of the assignment's own tables."""
    connection = sqlite3.connect(course.gradebook)
    rows: dict[str, list[tuple]] = {}
    for student in students:
        rows[student] = connection.execute(
            "SELECT grade.auto_score, grade.manual_score, grade.needs_manual_grade, grade.cell_id FROM grade "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "WHERE submitted_assignment.student_id = ? ORDER BY grade.cell_id",
            (student,),
        ).fetchall()
    for table in ASSIGNMENT_TABLES:
        rows[table] = connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
    connection.close()
    return rows


def student_files(course: Course, students: list[str]) -> dict[str, str]:
    roots = (course.autograded, course.feedback, course.submitted)
    folders = [root / student / ASSIGNMENT for root in roots for student in students]
    return digest_files([folder for folder in folders if folder.exists()])


def results_of(course: Course, students: list[str]) -> dict[str, object]:
    stored = json.loads((course.grading / f"results-{ASSIGNMENT}.json").read_text())
    return {student: stored.get(student) for student in students}


def snapshot(course: Course) -> dict:
    graded = [*FIRST_CLASS, EARLIER]
    return {
        "library": digest_files(library_files()),
        "rows": gradebook_rows(course, graded),
        "files": student_files(course, FIRST_CLASS),
        "results": results_of(course, FIRST_CLASS),
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Grade the first class, take a snapshot, grade the attackers with honest students, take another."""
    require_executable("bwrap")
    if not (ROOT / "solutions" / ASSIGNMENT).is_dir():
        pytest.skip("solutions/ is kept in the private repository; the attack class needs it")
    root = tmp_path_factory.mktemp("attacked-course")
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    shutil.copyfile(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root)
    register(course, ASSIGNMENT, keep_release=root / "release")
    add_earlier_student(course)
    released = nbformat.read(root / "release" / f"{ASSIGNMENT}.ipynb", as_version=4)
    kit = Kit.build(course.source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", released)

    def write(folder: Path, students: dict[str, object]) -> Path:
        for name, make in students.items():
            (folder / name).mkdir(parents=True)
            (folder / name / f"{ASSIGNMENT}.ipynb").write_bytes(to_bytes(make(kit)))
        return folder

    first = run_grade(root, write(tmp_path_factory.mktemp("first"), {n: STUDENTS[n] for n in FIRST_CLASS}))
    assert first.returncode == 0, first.stderr[-3000:]
    before = snapshot(course)
    from students import attacks

    second = {**{name: getattr(attacks, name) for name in ATTACKS}, **{n: STUDENTS[k] for n, k in HONEST.items()}}
    try:
        run = run_grade(root, write(tmp_path_factory.mktemp("attackers"), second))
        left = marked_processes()  # measured before any clean-up of ours
    finally:
        kill_marked()
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr[-5000:]}"
    with open(course.grading / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    pages = {page.parent.parent.name: page.read_text() for page in course.feedback.glob(f"*/{ASSIGNMENT}/*.html")}
    return {"course": course, "before": before, "after": snapshot(course), "rows": rows, "left": left,
            "pages": pages, "run": run}  # fmt: skip


def total(attacked: dict, student: str) -> float:
    return float(attacked["rows"][student]["total"])


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_attack_scores_above_the_blank_notebook(attacked: dict, attack: str) -> None:
    ours, reference = total(attacked, attack), total(attacked, "honest_blank")
    assert ours <= reference, f"{attack}: ours {ours}/{FULL} vs blank {reference}/{FULL} ({attacked['rows'][attack]})"


def test_honest_students_between_the_attackers_get_their_scores(attacked: dict) -> None:
    ours = {name: total(attacked, name) for name in HONEST}
    reference = {name: SCORES[kind] for name, kind in HONEST.items()}
    assert ours == reference, f"ours {ours} vs reference {reference}"
    statuses = {name: attacked["rows"][name]["status"] for name in HONEST}
    reference = {name: BLANK if kind == "blank" else "ok" for name, kind in HONEST.items()}
    assert statuses == reference, f"ours {statuses} vs reference {reference}"


def test_the_first_class_is_untouched(attacked: dict) -> None:
    before, after = attacked["before"], attacked["after"]
    for part in ("rows", "files", "results"):
        changed = [key for key in before[part] if before[part][key] != after[part].get(key)]
        assert changed == [], f"{part} changed by the attack class: {changed}"
    ours = {s: total(attacked, s) for s in FIRST_CLASS}
    reference = {s: SCORES[s] for s in FIRST_CLASS}
    assert ours == reference, f"ours {ours} vs reference {reference}"


def test_the_installed_library_is_unchanged(attacked: dict) -> None:
    before, after = attacked["before"]["library"], attacked["after"]["library"]
    changed = sorted(set(before) ^ set(after) | {k for k in before if before[k] != after.get(k)})
    assert changed == [], f"library files changed, added or removed: {changed}"


def test_no_attack_process_outlives_grading(attacked: dict) -> None:
    assert attacked["left"] == [], f"{len(attacked['left'])} attack processes alive after grading"


def test_processes_left_behind_are_reported(attacked: dict) -> None:
    status = attacked["rows"]["attack_outlive"]["status"]
    assert "processes left behind were killed" in status, status


def test_a_full_disk_is_reported(attacked: dict) -> None:
    status = attacked["rows"]["attack_fill_disk"]["status"]
    assert status.startswith("disk limit (512 MiB)"), status


def test_no_page_carries_hidden_tests_in_any_encoding(attacked: dict) -> None:
    course = attacked["course"]
    secret = hidden_lines([course.source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"])
    assert len(secret) >= 5 and set(attacked["pages"]) >= set(HONEST), "the check needs hidden lines and pages"
    forms = {line: [form for form in (line, *encodings(line)) if len(form) > 8] for line in secret}
    for student, page in attacked["pages"].items():
        text = html.unescape(page)
        assert LEAK_MARKER not in text, f"{student}'s page carries a leaked payload"
        found = [(line, form) for line, variants in forms.items() for form in variants if form in text]
        assert found == [], f"{student}'s page shows hidden-test lines: {found[:3]}"


def test_every_attack_builds_from_every_released_notebook() -> None:
    """Generic: each attack works on all five assignments' released notebooks, their own cells untouched."""
    from students import attacks

    for assignment in sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()):
        for name, released in release(ROOT / "solutions", assignment).items():
            kit = Kit.build(ROOT / "solutions" / assignment / f"{name}.ipynb", released)
            graded = [c for c in released.cells if c.metadata.get("nbgrader")]
            for attack in ATTACKS:
                nb = getattr(attacks, attack)(kit)
                nbformat.validate(nb)
                kept = [c for c in nb.cells if c.metadata.get("nbgrader")]
                assert kept == graded, f"{attack} changed nbgrader cells of {assignment}/{name}"
