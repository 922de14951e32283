"""The instructor's whole term on gru_gates, with the real parts: grade, hand-grade in formgrader, report, export.

A small class is graded once through ``coursegrader grade`` (sandboxed): alice answers everything (her
written answer waits for a human), bob hands in the released notebook untouched, carol is 91 minutes late
(nbgrader's ``timestamp.txt``) with the written answer left blank. Then a real Jupyter server with nbgrader's
formgrader extension runs on loopback, and alice's written answer gets 2 points through formgrader's own HTTP
API; ``coursegrader report`` and ``coursegrader feedback`` must count it; re-grading keeps it until her answer
changes; the exports are read back column by column against the formats' documented headers.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from students.kit import Kit, answered, cell_index, course_kit, throwaway_course, to_bytes

from coursegrader.collect import collect, extract_zip, zip_entry_times
from coursegrader.course import Course
from coursegrader.export import CANVAS_COLUMNS, CANVAS_POINTS_ROW, MOODLE_COLUMNS
from coursegrader.late import parse_due, penalty, penalty_plugin, read_timestamp

ASSIGNMENT = "gru_gates"
FULL = 16
WRITTEN = "reset_zero_explanation"  # Part D, 2 points, graded by hand
DUE = "2026-12-10T23:59+00:00"
LATE_STAMP = "2026-12-11 01:30:00.000000 UTC"  # 91 minutes late: 2 started hours at 10%/hour
ANSWER = "With r = 0 the candidate ignores the previous state and reads only the input."


def run(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "coursegrader", *args, "--root", str(root)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if check:
        assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-4000:]}"
    return done


def grade(root: Path, folder: Path, *extra: str) -> subprocess.CompletedProcess:
    return run(root, "grade", "--assignment", ASSIGNMENT, "--submissions", str(folder), "--workers", "2",
               "--timeout", "30", *extra)  # fmt: skip


def csv_rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def write_student(folder: Path, student: str, nb, timestamp: str | None = None) -> None:
    (folder / student).mkdir(parents=True, exist_ok=True)
    (folder / student / f"{ASSIGNMENT}.ipynb").write_bytes(to_bytes(nb))
    if timestamp:
        (folder / student / "timestamp.txt").write_text(timestamp)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    if not (ROOT / "solutions" / ASSIGNMENT).is_dir():  # the public copy (instructors.md, "two repositories")
        pytest.skip("solutions/ is kept in the private repository; the term's test needs it")
    return throwaway_course(tmp_path_factory.mktemp("term"), ROOT, ASSIGNMENT)  # formgrader reads its config


@pytest.fixture(scope="module")
def kit(course: Course) -> Kit:
    return course_kit(course, ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(course: Course, kit: Kit, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The class graded once; what every output said at that moment."""
    folder = tmp_path_factory.mktemp("class")
    write_student(folder, "alice", answered(kit, **{WRITTEN: ANSWER}))
    write_student(folder, "bob", kit.released)
    stub = kit.released.cells[cell_index(kit.released, WRITTEN)].source
    write_student(folder, "carol", answered(kit, **{WRITTEN: stub}), LATE_STAMP)
    done = grade(course.root, folder, "--due", DUE, "--late-penalty", "10%/hour")
    return {
        "run": done,
        "folder": folder,
        "rows": csv_rows(course.grading / "grades.csv"),
        "report": (course.grading / "report.md").read_text(),
        "page": (course.feedback / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(),
    }


def test_an_answer_not_graded_by_hand_is_pending_never_zero(graded: dict) -> None:
    alice = graded["rows"]["alice"]
    ours = {k: alice[k] for k in ("total", "pending", "max", "final", "status")}
    reference = {"total": "14", "pending": "2", "max": str(FULL), "final": "pending",
                 "status": "ok; pending: Part D (graded by hand)"}  # fmt: skip
    assert ours == reference, f"ours {ours} vs reference {reference}"
    line = "| alice | 14/16 + 2 pending | ok; pending: Part D (graded by hand) | - |"
    assert line in graded["report"].splitlines(), f"ours {graded['report']} vs reference line {line}"
    # Part D: alice pending; bob and carol left the stub, which scores 0 without a human
    assert "| Part D: what does r = 0 do? (graded by hand) | 2 | 0.00 | 0/3 | 1 |" in graded["report"]
    assert "Score: pending (graded by hand) / 2.0" in graded["page"], "the written answer's score on the page"
    assert "Score: 0.0 / 2.0" not in graded["page"], "an answer nobody graded must not show 0 on the page"
    assert "Score: 14 (+ 2 pending) / 16.0" in graded["page"]


def test_blank_late_and_progress(graded: dict) -> None:
    rows = graded["rows"]
    ours = (rows["bob"]["status"], rows["bob"]["total"], rows["carol"]["late_minutes"], rows["carol"]["penalty"],
            rows["carol"]["final"], rows["carol"]["submitted"])  # fmt: skip
    reference = ("blank (nothing attempted)", "0", "91", "2.8", "11.2", "2026-12-11T01:30:00Z")
    assert ours == reference, f"ours {ours} vs reference {reference}"
    progress = [line for line in graded["run"].stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 3 and all("elapsed, about " in line and " left)" in line for line in progress), progress
    summary = graded["run"].stdout.strip().splitlines()[-1]
    assert summary.startswith("graded 3/3 students; 1 blank; 1 with answers pending hand grading; 1 late; "), summary
    assert "- carol: 91 minutes late, penalty 2.8" in graded["report"]


def test_zero_point_cells_never_need_hand_grading(graded: dict, course: Course) -> None:
    with course.open_gradebook() as gradebook:
        flagged = sorted(
            (s.student.id, g.cell.name)
            for s in gradebook.find_assignment(ASSIGNMENT).submissions
            for nb in s.notebooks
            for g in nb.grades
            if g.needs_manual_grade
        )
    assert flagged == [("alice", WRITTEN)], f"ours {flagged} vs reference {[('alice', WRITTEN)]}"


# --- formgrader, for real --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Formgrader:
    """A Jupyter server with nbgrader's formgrader on loopback, in the course folder; stopped by ``close``."""

    def __init__(self, root: Path, log: Path) -> None:
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{free_port()}"
        port = self.url.rsplit(":", 1)[1]
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               "JUPYTER_RUNTIME_DIR": str(log.parent / "runtime")}  # fmt: skip
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "server", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
             "--ServerApp.allow_root=True"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            try:
                self.call("GET", "/formgrader/api/status")
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise RuntimeError(f"formgrader did not start: {log.read_text()[-3000:]}") from None
                time.sleep(0.5)

    def call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def give(self, student: str, grade_id: str, score: float) -> dict:
        """Enter a manual score as formgrader's page does: find the grade's row id, PUT the score."""
        notebooks = self.call("GET", f"/formgrader/api/student_notebook_submissions/{student}/{ASSIGNMENT}")
        (submission,) = [nb for nb in notebooks if nb["name"] == ASSIGNMENT]
        grades = self.call("GET", f"/formgrader/api/grades?submission_id={submission['id']}")
        (grade,) = [g for g in grades if g["name"] == grade_id]
        return self.call("PUT", f"/formgrader/api/grade/{grade['id']}", {"manual_score": score, "extra_credit": None})

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def hand_graded(graded: dict, course: Course, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """alice's written answer graded 2/2 in formgrader; then ``coursegrader report`` and ``feedback``."""
    server = Formgrader(course.root, tmp_path_factory.mktemp("formgrader") / "server.log")
    try:
        given = server.give("alice", WRITTEN, 2.0)
    finally:
        server.close()
    report = run(course.root, "report", "--assignment", ASSIGNMENT)
    feedback = run(course.root, "feedback", "--assignment", ASSIGNMENT, "--student", "alice")
    return {
        "given": given,
        "report": report,
        "feedback": feedback,
        "rows": csv_rows(course.grading / f"grades-{ASSIGNMENT}.csv"),
        "text": (course.grading / "report.md").read_text(),
        "page": (course.feedback / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(),
    }


def test_a_score_given_in_formgrader_reaches_the_grades(hand_graded: dict) -> None:
    assert (hand_graded["given"]["manual_score"], hand_graded["given"]["needs_manual_grade"]) == (2.0, False)
    alice = hand_graded["rows"]["alice"]
    ours = (alice["total"], alice["pending"], alice["final"], alice["status"])
    assert ours == ("16", "0", "16", "ok"), f"ours {ours} vs reference ('16', '0', '16', 'ok')"
    assert "| alice | 16/16 | ok | - |" in hand_graded["text"].splitlines()
    # Part D: alice 2 (graded), bob 0 (blank: nothing to grade), carol 0 (the stub left): mean 2/3, no one pending
    assert "| Part D: what does r = 0 do? (graded by hand) | 2 | 0.67 | 1/3 | 0 |" in hand_graded["text"]
    assert hand_graded["report"].stdout.strip().startswith("graded 3/3 students; 1 blank; 1 late; mean ")


def test_feedback_shows_the_hand_given_score(hand_graded: dict) -> None:
    assert "Score: 2.0 / 2.0" in hand_graded["page"] and "pending" not in hand_graded["page"]
    assert "Score: 16.0 / 16.0" in hand_graded["page"]
    assert "1/1 students complete" in hand_graded["feedback"].stdout


@pytest.fixture(scope="module")
def regraded(hand_graded: dict, graded: dict, course: Course, kit: Kit, tmp_path_factory) -> dict:
    """alice re-graded twice: with the same notebook, then with her written answer rewritten."""
    same = grade(course.root, graded["folder"])
    with course.open_gradebook() as gradebook:
        kept = gradebook.find_grade(WRITTEN, ASSIGNMENT, ASSIGNMENT, "alice")
        after_same = (kept.manual_score, kept.needs_manual_grade)
    rows_same = csv_rows(course.grading / "grades.csv")
    folder = tmp_path_factory.mktemp("rewritten")
    write_student(folder, "alice", answered(kit, **{WRITTEN: ANSWER + " (rewritten)"}))
    changed = grade(course.root, folder)
    with course.open_gradebook() as gradebook:
        cleared = gradebook.find_grade(WRITTEN, ASSIGNMENT, ASSIGNMENT, "alice")
        after_change = (cleared.manual_score, cleared.needs_manual_grade)
    return {"same": same, "after_same": after_same, "rows_same": rows_same, "changed": changed,
            "after_change": after_change, "rows_changed": csv_rows(course.grading / "grades.csv"),
            "log": (course.grading / "logs" / ASSIGNMENT / "alice.log").read_text()}  # fmt: skip


def test_regrading_keeps_a_hand_given_score(regraded: dict) -> None:
    assert regraded["after_same"] == (2.0, False), f"ours {regraded['after_same']} vs reference (2.0, False)"
    alice = regraded["rows_same"]["alice"]
    assert (alice["total"], alice["final"]) == ("16", "16"), f"ours {alice}"
    assert regraded["rows_same"]["carol"]["penalty"] == "2.8", "the late-penalty rule given once is remembered"


def test_a_changed_answer_is_pending_again(regraded: dict) -> None:
    assert regraded["after_change"] == (None, True), f"ours {regraded['after_change']} vs reference (None, True)"
    alice = regraded["rows_changed"]["alice"]
    assert (alice["total"], alice["pending"], alice["final"]) == ("14", "2", "pending"), f"ours {alice}"
    assert "the manual score 2 was cleared" in regraded["log"], regraded["log"]
    assert regraded["rows_changed"]["bob"]["status"] == "blank (nothing attempted)", "others keep their results"


# --- exports ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exports(regraded: dict, course: Course, tmp_path_factory) -> dict:
    roster = tmp_path_factory.mktemp("roster") / "roster.csv"
    roster.write_text(
        'student_id,name,email\nalice,Alice Liddell,alice@example.org\nbob,"Builder, Bob",bob@example.org\n'
        "carol,Carol Ann,carol@example.org\nerin,Erin Absent,erin@example.org\n"
    )
    found = {}
    for fmt in ("canvas", "moodle", "csv"):
        output = roster.parent / f"{fmt}.csv"
        done = run(course.root, "export", "--format", fmt, "--roster", str(roster), "--output", str(output))
        with open(output, newline="", encoding="utf-8") as handle:
            found[fmt] = (list(csv.reader(handle)), done.stdout)
    return found


def test_canvas_export_has_canvas_columns(exports: dict) -> None:
    lines, summary = exports["canvas"]
    assert (
        lines[0]
        == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
        == [*CANVAS_COLUMNS, ASSIGNMENT]
    )
    assert lines[1] == [CANVAS_POINTS_ROW, "", "", "", "", str(FULL)]
    body = {line[2]: line for line in lines[2:]}
    reference = {
        "alice": ["Alice Liddell", "", "alice", "alice@example.org", "", ""],  # pending: no grade yet
        "bob": ["Builder, Bob", "", "bob", "bob@example.org", "", "0"],
        "carol": ["Carol Ann", "", "carol", "carol@example.org", "", "11.2"],
        "erin": ["Erin Absent", "", "erin", "erin@example.org", "", "0"],  # missing
    }
    assert body == reference, f"ours {body} vs reference {reference}"
    assert "1 missing (0): erin" in summary and "1 pending hand grading (left empty): alice" in summary, summary


def test_moodle_export_has_moodle_columns(exports: dict) -> None:
    lines, _ = exports["moodle"]
    assert lines[0] == ["ID number", "First name", "Last name", "Email address", ASSIGNMENT, f"{ASSIGNMENT} feedback"]
    assert lines[0][:4] == MOODLE_COLUMNS
    body = {line[0]: line[1:] for line in lines[1:]}
    assert body["bob"] == ["Bob", "Builder", "bob@example.org", "0", "blank (nothing attempted)"], body["bob"]
    assert body["erin"] == ["Erin", "Absent", "erin@example.org", "0", "missing"], body["erin"]
    assert body["carol"][3] == "11.2" and body["alice"][3] == "", body


def test_plain_export_has_every_detail(exports: dict) -> None:
    lines, _ = exports["csv"]
    details = ["points", "pending", "max", "late_minutes", "penalty", "final", "status"]
    assert lines[0] == ["student_id", "name", "email", *[f"{ASSIGNMENT} {d}" for d in details]]
    body = {line[0]: dict(zip(lines[0], line, strict=True)) for line in lines[1:]}
    ours = [body["carol"][f"{ASSIGNMENT} {d}"] for d in details]
    assert ours == ["14", "0", "16", "91", "2.8", "11.2", "ok"], f"ours {ours}"
    assert body["alice"][f"{ASSIGNMENT} final"] == "pending" and body["erin"][f"{ASSIGNMENT} status"] == "missing"


def test_commands_explain_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "course"
    (empty / "solutions" / ASSIGNMENT).mkdir(parents=True)
    (empty / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    report = run(empty, "report", "--assignment", ASSIGNMENT, check=False)
    export = run(empty, "export", "--format", "canvas", check=False)
    bad_rule = run(empty, "report", "--assignment", ASSIGNMENT, "--late-penalty", "half", check=False)
    assert (report.returncode, export.returncode, bad_rule.returncode) == (2, 2, 2)
    assert "no gradebook" in report.stderr and "grade" in report.stderr, report.stderr
    assert "expected none, zero, P%/hour or P%/day" in bad_rule.stderr, bad_rule.stderr


# --- submission times and penalties, unit by unit ---------------------------------------------------------


def test_submission_time_sources(tmp_path: Path, course: Course) -> None:
    names = course.notebook_names(ASSIGNMENT)
    folder = tmp_path / "class"
    (folder / "stamped" / ASSIGNMENT).mkdir(parents=True)
    (folder / "stamped" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (folder / "stamped" / ASSIGNMENT / "timestamp.txt").write_text("2026-12-10 22:00:00.5 UTC")
    (folder / "plain").mkdir()
    notebook = folder / "plain" / f"{ASSIGNMENT}.ipynb"
    notebook.write_text(nbformat.writes(nbformat.v4.new_notebook()))
    moment = datetime(2026, 12, 9, 8, 0).timestamp()
    os.utime(notebook, (moment, moment))
    times = {s.student: (s.submitted_at, s.time_source) for s in collect(course, ASSIGNMENT, folder, names)}
    assert times["stamped"] == (datetime(2026, 12, 10, 22, 0, 0, 500000), "timestamp.txt"), times
    assert times["plain"] == (datetime.fromtimestamp(moment, UTC).replace(tzinfo=None), "file time"), times
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo(f"zipped/{ASSIGNMENT}.ipynb", date_time=(2026, 12, 10, 23, 0, 0))
        zf.writestr(info, nbformat.writes(nbformat.v4.new_notebook()))
    unzipped = extract_zip(archive, tmp_path / "unzipped")
    entry_times = zip_entry_times(archive, tmp_path / "unzipped")
    (zipped,) = collect(course, ASSIGNMENT, unzipped, names, entry_times)
    in_utc = datetime(2026, 12, 10, 23, 0, 0).astimezone(UTC).replace(tzinfo=None)  # zip times are local
    assert (zipped.submitted_at, zipped.time_source) == (in_utc, "zip entry"), (zipped.submitted_at, in_utc)
    assert read_timestamp(tmp_path, ASSIGNMENT) is None


@pytest.mark.parametrize(
    ("rule", "seconds", "expected"),
    [("none", 3600, 0.0), ("zero", 60, 10.0), ("10%/hour", 1, 1.0), ("10%/hour", 3601, 2.0),
     ("25%/day", 86400 * 2 + 1, 7.5), ("10%/hour", 3600 * 20, 10.0), ("10%/day", 0, 0.0)],
)  # fmt: skip
def test_penalty_rules(rule: str, seconds: float, expected: float) -> None:
    ours = penalty(penalty_plugin(rule), "s", 10.0, seconds)
    assert ours == pytest.approx(expected), f"{rule}, {seconds} s late, score 10: ours {ours} vs reference {expected}"


def test_due_dates() -> None:
    assert parse_due("2026-12-10T23:59+01:00") == datetime(2026, 12, 10, 22, 59)
    assert parse_due("2026-12-10T23:59Z") == datetime(2026, 12, 10, 23, 59)
    with pytest.raises(ValueError, match="expected a date and time such as 2026-12-10T23:59"):
        parse_due("next friday")


def test_roster_errors(tmp_path: Path) -> None:
    from coursegrader.export import RosterError, read_roster

    bad = tmp_path / "r.csv"
    bad.write_text("name,email\nAda,ada@example.org\n")
    with pytest.raises(RosterError, match="expected a student id column"):
        read_roster(bad)
    bad.write_text("student_id,name\nada,Ada\nada,Ada again\n")
    with pytest.raises(RosterError, match="appears twice"):
        read_roster(bad)
    good = tmp_path / "g.csv"
    good.write_text("\ufeffStudent ID,Name,Email\nada,Ada Lovelace,ada@example.org\n")
    assert [(p.student_id, p.first_and_last) for p in read_roster(good)] == [("ada", ("Ada", "Lovelace"))]


@pytest.mark.parametrize(
    ("line", "label"),
    [("## Part B (5 points): the step in numpy", "Part B: the step in numpy"),
     ("## Part D (2 points, graded by hand): what does r = 0 do?", "Part D: what does r = 0 do?"),
     ("### Part 3. Gradients", "Part 3: Gradients"), ("## Part C", "Part C"),
     ("# Exercise 3: the GRU's gates", "Exercise 3: the GRU's gates"), ("plain text", None)],
)  # fmt: skip
def test_part_headings_name_the_questions(line: str, label: str | None) -> None:
    from coursegrader.questions import heading_label

    assert heading_label(line) == label, f"ours {heading_label(line)!r} vs reference {label!r}"


def test_every_question_of_every_assignment_has_a_part() -> None:
    """Each graded cell worth points in solutions/ sits under a "Part X" heading (the report names it so)."""
    from coursegrader.questions import part_labels

    unlabelled = {}
    for solution in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        graded = [c for c in nbformat.read(solution, as_version=4).cells if c.metadata.get("nbgrader", {}).get("grade")]
        points = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader.get("points", 0) for c in graded}
        labels = part_labels(solution)
        unlabelled.update({f"{solution.stem}/{g}": labels[g][0] for g, p in points.items()
                           if p and not labels[g][0].startswith("Part ")})  # fmt: skip
    assert unlabelled == {}, f"ours {unlabelled} vs reference: every question in a part"
