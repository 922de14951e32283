"""The instructor's grading pipeline, end to end, on a simulated class of rnn_step submissions.

One pipeline run grades the whole class (``tests/coursegrader/students``): honest students, the course's common
mistakes, and students who try to break or cheat the grader. Each must get exactly the score, status
and report line below. Two cheats cannot be stopped from outside the student's own kernel (see
instructors.md, "What the pipeline cannot stop"): for those the test asserts the documented behaviour,
the undeserved score *and* the review flag the pipeline raises.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile
from functools import partial
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from students import STUDENTS, write_class
from students.kit import Kit, course_kit, throwaway_course

from coursegrader.collect import SubmissionsError, extract_zip, open_submissions
from coursegrader.contracts import StudentOutcome, Task, WorkerSpec
from coursegrader.course import Course
from coursegrader.flags import flags
from coursegrader.gradebook import StudentGrades
from coursegrader.hiding import NOTE
from coursegrader.leaks import find_leaks, hidden_lines
from coursegrader.questions import Question
from coursegrader.report import BLANK, Row, StudentResult, summary_line
from coursegrader.sandbox.view import library_digest
from coursegrader.supervisor import GraderProcess

ASSIGNMENT = "rnn_step"
CELL_TIMEOUT = 8  # seconds; loop_in_cell and stuck use it up, honest cells take well under a second
STUDENT_TIMEOUT = 90  # seconds; generous, only a frozen grader would reach it
FULL = 16

SIGMOID_STEP = "in the new state h (eq. 1), tanh was replaced by sigmoid"
SIGMOID = (
    f"{SIGMOID_STEP} (rnn_step_example, rnn_step_batch); inside the step: {SIGMOID_STEP} "
    "(rnn_unroll_sequence, rnn_unroll_batch)"
)
CONCAT_STEP = (
    "[x, h] was concatenated instead of [h, x] (eq. 1): the first H columns of each weight matrix multiply h_prev, "
    "the last D multiply x"
)
CONCAT = (
    f"{CONCAT_STEP} (rnn_step_example, rnn_step_batch); inside the step: {CONCAT_STEP} "
    "(rnn_unroll_sequence, rnn_unroll_batch)"
)
REFERENCE = (
    "called rnnlab's reference implementation (rnn_step_example, rnn_step_batch, rnn_unroll_sequence, "
    "rnn_unroll_batch, gradient_norms_sequence, gradient_norms_random)"
)
TAMPERED = (
    "replaced numpy or rnnlab.grading functions (rnn_step_example, rnn_step_batch, rnn_unroll_sequence, "
    "rnn_unroll_batch, gradient_norms_sequence, gradient_norms_random, gradient_shrink_reason)"
)
REBINDS = "flagged for review: rebinds np, numpy, grading or rnnlab"
STOPPED = "the notebook's code stopped the process that runs its kernel"
KILLED = "the notebook's code killed the process that runs its kernel"

# student: (total out of 16, status, likely mistakes as the report lists them)
EXPECTED = {
    # honest work
    "perfect": (16, "ok", "-"),
    "blank": (0, BLANK, "-"),
    "concat_xh": (5, "ok", CONCAT),  # parts B, C and D's two gradient tests (3) depend on rnn_step
    "sigmoid": (5, "ok", SIGMOID),
    "forgot_tanh_by_hand": (14, "ok", "in the new state h (eq. 1), the tanh was left out (rnn_state_by_hand)"),
    "gradient_without_derivative": (
        13,
        "ok",
        "in the step back through tanh (eq. 3), the tanh derivative (1 - h**2) was left out "
        "(gradient_norms_sequence, gradient_norms_random)",
    ),
    "wrong_choice": (15, "ok", "-"),
    # test cells and their metadata: restored from the gradebook
    "edited_tests": (0, BLANK, "-"),  # its answers are the released stubs
    "deleted_tests": (16, "ok", "-"),  # put back and run (nbgrader alone: a crash); its odd kernel is replaced
    "changed_metadata": (5, "ok", SIGMOID),  # points and renamed grade_ids: restored from the gradebook
    # code that never ends, ends the kernel, or attacks the grader: the rest of the class is graded
    "loop_in_cell": (12, "time limit (8 s per cell)", "-"),  # part A's answers never ran
    "stuck": (0, "time limit (8 s per cell); flagged for review: process control", "-"),
    # signal the process that runs the kernel (in the sandbox: a watcher, never the grader): not graded
    "freeze_grader": (0, f"sandbox violation: {STOPPED}; flagged for review: process control", "-"),
    "kill_grader": (0, f"sandbox violation: {KILLED} (signal 9); flagged for review: process control", "-"),
    "exits": (5, "ok", "-"),  # SystemExit is an ordinary error in IPython: every test calling rnn_step fails
    "os_exit": (0, "kernel died; flagged for review: process control", "-"),
    "segfault": (0, "kernel died; flagged for review: ctypes", "-"),
    "flood": (16, "ok", "-"),
    "huge_allocation": (12, "memory limit (2 GiB)", "-"),  # part A's answers never ran
    # cheating the checks
    "patch_numpy": (4, REBINDS, TAMPERED),  # part A ran before the patch; the helpers refused the assignment
    "always_equal": (5, "flagged for review: custom __eq__", "-"),
    "calls_reference": (5, "ok", REFERENCE),
    # documented as unstoppable inside the kernel: graded as written, flagged for a human
    "rebind_grading": (16, REBINDS, "-"),
    "hide_errors": (16, "flagged for review: IPython internals", "-"),
    # looks for the gradebook to print the hidden tests: the sandbox shows it none
    "leak_hidden_tests": (16, "flagged for review: gradebook access", "-"),
    # not a notebook we can grade
    "malformed": (0, "malformed notebook", "-"),
    "missing": (0, "missing notebook", "-"),
}
EARLIER = "earlier_student"  # graded before this run, by hand: must survive untouched


def run_grade(root: Path, submissions: Path, *options: str, env: dict | None = None,
              assignment: str = ASSIGNMENT) -> subprocess.CompletedProcess:  # fmt: skip
    command = [sys.executable, "-m", "coursegrader", "grade", "--assignment", assignment, "--submissions",
               str(submissions), "--root", str(root), "--workers", "2", "--timeout", str(CELL_TIMEOUT),
               "--student-timeout", str(STUDENT_TIMEOUT), *options]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, env=env)


def add_earlier_student(course: Course) -> None:
    """A student graded in an earlier session, with a manual score the pipeline must not touch."""
    from sqlalchemy.exc import SAWarning

    with course.open_gradebook() as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's own add_submission triggers it
        gradebook.update_or_create_student(EARLIER, first_name="Earl")
        gradebook.add_submission(ASSIGNMENT, EARLIER)
        grade = gradebook.find_grade("rnn_step_example", ASSIGNMENT, ASSIGNMENT, EARLIER)
        grade.manual_score = 1.5
        gradebook.db.commit()


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """A throw-away course holding rnn_step, registered, with one earlier student in its gradebook."""
    if not (ROOT / "solutions" / ASSIGNMENT).is_dir():  # the public copy (instructors.md, "two repositories")
        pytest.skip("solutions/ is kept in the private repository; the simulated class needs it")
    course = throwaway_course(tmp_path_factory.mktemp("course"), ROOT, ASSIGNMENT)
    add_earlier_student(course)
    return course


@pytest.fixture(scope="module")
def kit(course: Course) -> Kit:
    return course_kit(course, ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(course: Course, kit: Kit, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Grade the whole simulated class in one pipeline run."""
    folder = write_class(kit, tmp_path_factory.mktemp("class"))
    run = run_grade(course.root, folder, "--dashboard")
    assert run.returncode == 0, f"pipeline failed:\n{run.stdout}\n{run.stderr[-5000:]}"
    with open(course.grading / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    report = (course.grading / "report.md").read_text()
    return {"run": run, "rows": rows, "report": report}


def assert_score(student: str, row: dict, total: float, full: float, status: str) -> None:
    """The grades CSV row of ``student`` has the expected total, maximum and status."""
    ours = (float(row["total"]), float(row["max"]), row["status"])
    reference = (float(total), float(full), status)
    assert ours == reference, f"{student}: ours {ours} vs reference {reference}"


def test_the_suite_covers_every_simulated_student() -> None:
    assert set(EXPECTED) == set(STUDENTS), f"ours {sorted(STUDENTS)} vs expected {sorted(EXPECTED)}"


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_score_and_status(graded: dict, student: str) -> None:
    total, status, _ = EXPECTED[student]
    row = graded["rows"][student]
    assert_score(student, row, total, FULL, status)
    assert float(row[ASSIGNMENT]) == float(row["total"])


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_report_line(graded: dict, student: str) -> None:
    total, status, mistakes = EXPECTED[student]
    reference = f"| {student} | {total}/{FULL} | {status} | {mistakes} |"
    ours = [line for line in graded["report"].splitlines() if line.startswith(f"| {student} |")]
    assert ours == [reference], f"ours {ours} vs reference {[reference]}"


def test_the_dashboard_asked_for_is_printed(graded: dict) -> None:
    output = graded["run"].stdout + graded["run"].stderr
    found = re.findall(r"Dask dashboard: http://127\.0\.0\.1:\d+/status", output)
    assert len(found) == 1, f"ours {found} vs reference ['Dask dashboard: http://127.0.0.1:<port>/status']"


def test_summary_and_progress(graded: dict) -> None:
    run = graded["run"]
    summary = run.stdout.strip().splitlines()[-1]
    problems = sorted(s for s, (_, status, _) in EXPECTED.items() if status not in ("ok", BLANK))
    mean = sum(total for total, _, _ in EXPECTED.values()) / len(EXPECTED)
    assert summary.startswith(f"graded {len(EXPECTED) - len(problems)}/{len(EXPECTED)} students; "), summary
    assert f"{len(problems)} problems: {problems[0]} (" in summary, summary
    assert summary.endswith(f"; mean {mean:.1f}/{FULL}; report: grading/report.md"), summary
    progress = [line for line in run.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == len(EXPECTED), f"ours {len(progress)} progress lines vs reference {len(EXPECTED)}"


def test_gradebook_holds_every_student(graded: dict, course: Course) -> None:
    with course.open_gradebook() as gradebook:
        earlier = gradebook.find_grade("rnn_step_example", ASSIGNMENT, ASSIGNMENT, EARLIER)
        assert (earlier.manual_score, earlier.auto_score) == (1.5, None), "the earlier student's grade changed"
        scores = {s.student.id: s.score for s in gradebook.find_assignment(ASSIGNMENT).submissions}
    ours = {student: scores.get(student) for student in EXPECTED}
    reference = {student: float(total) for student, (total, _, _) in EXPECTED.items()}
    assert ours == reference, f"ours {ours} vs reference {reference}"
    assert set(scores) == set(EXPECTED) | {EARLIER}


def test_report_has_questions_mistakes_and_histogram(graded: dict, course: Course) -> None:
    report = graded["report"]
    assert "| Part A: one step by hand | 4 | " in report and "| Part A: rnn_state_by_hand | 2 | " in report
    with_sigmoid = sum(1 for _, _, mistakes in EXPECTED.values() if mistakes.startswith(SIGMOID_STEP))
    where = "Part B (rnn_step_example, rnn_step_batch)"
    assert f"| {with_sigmoid} | {SIGMOID_STEP} | {where} |" in report, report
    histogram = course.grading / f"histogram-{ASSIGNMENT}.png"
    assert histogram.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"]({histogram.name})" in report


def test_feedback_never_shows_hidden_tests(graded: dict, course: Course) -> None:
    secret = hidden_lines([course.source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"])
    assert len(secret) >= 5, "the hidden-test leak check needs hidden lines to look for"
    autograded = (course.autograded / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert any(line in autograded for line in secret), "nbgrader restores hidden tests: the check must see them"
    pages = sorted(course.feedback.glob(f"*/{ASSIGNMENT}/*.html"))
    # no feedback where the notebook never ran to its end (a dead kernel, a stopped grader, no notebook)
    without = {"freeze_grader", "kill_grader", "malformed", "missing", "os_exit", "segfault", "stuck"}
    ours = sorted(page.parent.parent.name for page in pages)
    assert ours == sorted(set(EXPECTED) - without), f"ours {ours} vs reference {sorted(set(EXPECTED) - without)}"
    for page in pages:
        text = page.read_text()
        assert find_leaks(text, secret) == [], f"{page} shows hidden test lines"
    assert NOTE in (course.feedback / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()


def test_flood_is_capped(graded: dict, course: Course) -> None:
    for path in (course.autograded / "flood" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                 course.feedback / "flood" / ASSIGNMENT / f"{ASSIGNMENT}.html"):  # fmt: skip
        assert path.stat().st_size < 1_000_000, f"{path} is {path.stat().st_size} bytes"


def test_regrading_from_a_zip_replaces_never_duplicates(graded: dict, course: Course, kit: Kit, tmp_path: Path) -> None:
    """Re-run with the sigmoid student's fixed notebook, zipped inside a wrapping folder: rows are replaced."""
    folder = write_class(kit, tmp_path / "wrapping", ["perfect"])
    (folder / "perfect").rename(folder / "sigmoid")  # the sigmoid student fixed their code
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*.ipynb")):
            zf.write(path, path.relative_to(tmp_path))
    run = run_grade(course.root, archive)
    assert run.returncode == 0, run.stderr[-3000:]
    with course.open_gradebook() as gradebook:
        submissions = gradebook.find_assignment(ASSIGNMENT).submissions
        scores = {s.student.id: s.score for s in submissions}
    assert len(submissions) == len(EXPECTED) + 1, f"ours {len(submissions)} submissions vs {len(EXPECTED) + 1}"
    assert (scores["sigmoid"], scores["perfect"], scores["blank"]) == (16.0, 16.0, 0.0)
    with open(course.grading / "grades.csv", newline="") as handle:
        students = [row["student_id"] for row in csv.DictReader(handle)]
    assert sorted(students) == sorted([*EXPECTED, EARLIER]), "grades.csv must list each student once"
    stored = json.loads((course.grading / f"results-{ASSIGNMENT}.json").read_text())
    assert stored["sigmoid"]["problems"] == [] and stored["sigmoid"]["mistakes"] == []


def test_no_sandbox_no_grading_unless_asked(course: Course, kit: Kit, tmp_path: Path) -> None:
    """Without bubblewrap, make grade stops and says what to install; --unsandboxed grades and says so on top."""
    folder = write_class(kit, tmp_path / "class", ["perfect", "blank"])
    before = (course.grading / "grades.csv").read_bytes() if (course.grading / "grades.csv").exists() else None
    no_bwrap = dict(os.environ, PATH=str(Path(sys.executable).parent))  # the venv's scripts, no bwrap
    run = run_grade(course.root, folder, env=no_bwrap)
    assert run.returncode == 2, run.stderr[-2000:]
    for part in ("bwrap was not found", "apt-get install bubblewrap", "--unsandboxed"):
        assert part in run.stderr, f"{part!r} missing from: {run.stderr[-2000:]}"
    after = (course.grading / "grades.csv").read_bytes() if (course.grading / "grades.csv").exists() else None
    assert after == before, "a refused run must not touch the grades"
    graded = tmp_path / "course"
    shutil.copytree(course.root / "solutions", graded / "solutions")
    shutil.copyfile(course.root / "nbgrader_config.py", graded / "nbgrader_config.py")
    run = run_grade(graded, folder, "--unsandboxed", env=no_bwrap)
    assert run.returncode == 0, run.stderr[-3000:]
    report = (graded / "grading" / "report.md").read_text().splitlines()
    assert report[2].startswith("> **Graded without a sandbox**"), report[:4]
    assert "no sandbox (--unsandboxed)" in run.stderr.splitlines()[1], run.stderr[:500]
    with open(graded / "grading" / "grades.csv", newline="") as handle:
        totals = {row["student_id"]: float(row["total"]) for row in csv.DictReader(handle)}
    assert totals == {"perfect": 16.0, "blank": 0.0}, totals


# The same class on a real Dask cluster: a scheduler and two workers on loopback, one killed mid-run.


def is_grading_child(command_line: list[str] | None) -> bool:
    return "coursegrader.worker" in " ".join(command_line or [])


def dask_command(*arguments: str) -> list[str]:
    return [str(Path(sys.executable).parent / "dask"), *arguments]


@pytest.fixture
def dask_cluster(tmp_path: Path):
    """``dask scheduler`` and two ``dask worker`` processes (one thread each) on 127.0.0.1; stopped afterwards.

    They run in the repository's root, whose ``nbgrader_config.py`` points at another course's gradebook:
    the grading must take its settings from the client, never from the folder a worker was started in.
    """
    import psutil

    from coursegrader.supervisor import kill_tree

    address_file = tmp_path / "scheduler.json"
    loopback = ["--host", "127.0.0.1", "--no-dashboard"]
    scheduler = dask_command("scheduler", "--port", "0", "--scheduler-file", str(address_file), *loopback)
    started = [subprocess.Popen(scheduler, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert address_file.exists(), "the dask scheduler did not start"
        address = json.loads(address_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:"), address
        for name in ("w1", "w2"):
            worker = dask_command("worker", address, "--nthreads", "1", "--nworkers", "1", "--name", name,
                                  "--local-directory", str(tmp_path / name), *loopback)  # fmt: skip
            started.append(subprocess.Popen(worker, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield {"address": address, "workers": started[1:]}
    finally:
        for process in started:
            kill_tree(process.pid)
        leftovers = [
            p for p in psutil.process_iter(["cmdline"]) if "coursegrader.worker" in " ".join(p.info["cmdline"] or [])
        ]
        assert leftovers == [], f"grading children outlived their cluster: {leftovers}"


def test_the_class_on_a_dask_cluster_with_a_worker_killed(graded: dict, kit: Kit, dask_cluster: dict,
                                                          tmp_path: Path) -> None:  # fmt: skip
    """Every student graded exactly once, with the same score, status and report line as on the local cluster."""
    import psutil

    from coursegrader.supervisor import kill_tree

    course = throwaway_course(tmp_path / "course", ROOT, ASSIGNMENT)
    add_earlier_student(course)
    folder = write_class(kit, tmp_path / "class")
    command = [sys.executable, "-m", "coursegrader", "grade", "--assignment", ASSIGNMENT, "--submissions", str(folder),
               "--root", str(course.root), "--scheduler", dask_cluster["address"], "--timeout", str(CELL_TIMEOUT),
               "--student-timeout", str(STUDENT_TIMEOUT)]  # fmt: skip
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = psutil.Process(dask_cluster["workers"][0].pid)
    busy = False  # the victim is killed while a student's kernel runs under it
    deadline = time.monotonic() + 300
    while not busy and run.poll() is None and time.monotonic() < deadline:
        family = victim.children(recursive=True)
        busy = any(is_grading_child(p.cmdline()) for p in family) and any("bwrap" in p.name() for p in family)
        time.sleep(0.1)
    kill_tree(victim.pid)
    _, stderr = run.communicate(timeout=900)
    lines = stderr.splitlines(keepends=True)
    assert run.returncode == 0, "".join(lines)[-5000:]
    assert busy, "the killed worker was not grading anyone: the test did not test a death mid-run"
    progress = [line.split("]")[1].split(":")[0].strip() for line in lines if line.startswith("[")]
    assert sorted(progress) == sorted(EXPECTED), f"ours {sorted(progress)} vs each student once {sorted(EXPECTED)}"
    with open(course.grading / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    local = {s: (r["total"], r["status"]) for s, r in graded["rows"].items()}
    ours = {s: (r["total"], r["status"]) for s, r in rows.items()}
    assert ours == local, f"ours {ours} vs the local cluster's {local}"
    report = (course.grading / "report.md").read_text()
    for student in EXPECTED:
        line = [ln for ln in report.splitlines() if ln.startswith(f"| {student} |")]
        local_line = [ln for ln in graded["report"].splitlines() if ln.startswith(f"| {student} |")]
        assert line == local_line, f"ours {line} vs the local cluster's {local_line}"


def test_an_interrupted_run_resumes_without_regrading(course: Course, kit: Kit, tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group) mid-run, then the same command: only the rest are graded."""
    import signal

    names = ["perfect", "sigmoid", "concat_xh", "blank", "forgot_tanh_by_hand", "wrong_choice", "perfect2", "sig2"]
    folder = write_class(kit, tmp_path / "class", names[:6])
    shutil.copytree(folder / "perfect", folder / "perfect2")
    shutil.copytree(folder / "sigmoid", folder / "sig2")
    root = tmp_path / "course"
    shutil.copytree(course.root / "solutions", root / "solutions")
    shutil.copyfile(course.root / "nbgrader_config.py", root / "nbgrader_config.py")
    command = [sys.executable, "-m", "coursegrader", "grade", "--assignment", ASSIGNMENT, "--submissions", str(folder),
               "--root", str(root), "--workers", "1", "--timeout", str(CELL_TIMEOUT)]  # fmt: skip
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = []
    for line in first.stderr:
        seen.append(line)
        if line.startswith("[3/"):
            os.killpg(first.pid, signal.SIGINT)
            break
    _, rest = first.communicate(timeout=300)
    seen += rest.splitlines(keepends=True)
    assert first.returncode == 130, "".join(seen)[-3000:]
    assert "Run the same command again" in "".join(seen)
    journal = json.loads((root / "grading" / f"run-{ASSIGNMENT}.json").read_text())
    merged = set(journal["merged"])
    assert 3 <= len(merged) < len(names), f"merged before the interruption: {sorted(merged)}"
    second = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"resuming the interrupted run: {len(merged)} of {len(names)} students" in second.stderr, second.stderr
    regraded = {line.split("]")[1].split(":")[0].strip() for line in second.stderr.splitlines() if line.startswith("[")}
    assert regraded == set(names) - merged, f"ours {sorted(regraded)} vs the rest {sorted(set(names) - merged)}"
    with open(root / "grading" / "grades.csv", newline="") as handle:
        totals = {row["student_id"]: float(row["total"]) for row in csv.DictReader(handle)}
    copies = {"perfect2": "perfect", "sig2": "sigmoid"}
    reference = {name: float(EXPECTED[copies.get(name, name)][0]) for name in names}
    assert totals == reference, f"ours {totals} vs reference {reference}"
    assert json.loads((root / "grading" / f"run-{ASSIGNMENT}.json").read_text())["finished"] is True
    third = subprocess.run([*command, "--workers", "2"], capture_output=True, text=True, timeout=600, check=False)
    progress = [line for line in third.stderr.splitlines() if line.startswith("[")]
    assert "resuming" not in third.stderr and len(progress) == len(names), third.stderr[-2000:]


# A second, small class: the training_practice assignment (clipping and sampling).

TRAINING = "training_practice"
TRAINING_FULL = 16  # 2 of them graded by hand, pending after autograding
PER_ARRAY = (
    "each array was clipped by its own norm; clip them all together by the global norm ||g|| = sqrt(sum_k "
    "||g_k||^2), so the gradient keeps its direction"
)
NO_MAX = (
    "the largest logit was not subtracted before exp, which overflows on large logits / temperature: compute "
    "exp(logits / temperature - max), which gives the same probabilities"
)
GREATER_EQUAL = (
    "the cumulative sum was compared with u using >= instead of >: return the first index whose cumulative "
    "probability exceeds u (np.searchsorted(cdf, u, side='right'))"
)
PENDING = "ok; pending: Part B (graded by hand)"  # the explanation (2 points) waits for a human
# student: (total out of 16 so far, status, likely mistakes as the report lists them)
TRAINING_EXPECTED = {
    "perfect": (14, PENDING, "-"),
    "blank": (0, BLANK, "-"),  # nothing to grade by hand either
    # also loses clip_below_threshold's hidden test: np.linalg.norm of a zero array is 0, and its division by
    # zero writes a RuntimeWarning to stderr, which nbgrader scores 0 (the values themselves are right)
    "clip_each_array": (8, PENDING, f"{PER_ARRAY} (clip_example_gradient, clip_random, clipped_run_losses)"),
    "softmax_no_max": (12, PENDING, f"{NO_MAX} (softmax_large_logits, sample_small_temperature)"),
    # u = 0 at a tiny temperature: >= picks token 0, whose probability is 0
    "sample_greater_equal": (12, PENDING, f"{GREATER_EQUAL} (sample_boundaries, sample_small_temperature)"),
    "calls_reference": (
        8,
        PENDING,
        "called rnnlab's reference implementation (clip_example_gradient, clip_below_threshold, clip_random, "
        "clipped_run_losses)",
    ),
}


@pytest.fixture(scope="module")
def training_graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Grade the training_practice class in one pipeline run, in its own throw-away course."""
    from students.training_practice import CLASS

    if not (ROOT / "solutions" / TRAINING).is_dir():
        pytest.skip("solutions/ is kept in the private repository; the simulated class needs it")
    course = throwaway_course(tmp_path_factory.mktemp("training-course"), ROOT, TRAINING)
    folder = write_class(course_kit(course, TRAINING), tmp_path_factory.mktemp("training-class"), roster=CLASS)
    run = run_grade(course.root, folder, assignment=TRAINING)
    assert run.returncode == 0, f"pipeline failed:\n{run.stdout}\n{run.stderr[-5000:]}"
    with open(course.grading / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    return {"rows": rows, "report": (course.grading / "report.md").read_text(), "class": CLASS}


def test_training_class_is_the_expected_one(training_graded: dict) -> None:
    assert set(training_graded["class"]) == set(TRAINING_EXPECTED)


@pytest.mark.parametrize("student", sorted(TRAINING_EXPECTED))
def test_training_class_scores_statuses_and_mistakes(training_graded: dict, student: str) -> None:
    total, status, mistakes = TRAINING_EXPECTED[student]
    assert_score(student, training_graded["rows"][student], total, TRAINING_FULL, status)
    pending = " + 2 pending" if status == PENDING else ""
    line = f"| {student} | {total}/{TRAINING_FULL}{pending} | {status} | {mistakes} |"
    report = [ln for ln in training_graded["report"].splitlines() if ln.startswith(f"| {student} |")]
    assert report == [line], f"ours {report} vs reference {[line]}"


# Fast checks of the pieces, no kernels involved.


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return path


@pytest.mark.parametrize("name", ["../evil/x.ipynb", "/abs/x.ipynb", "a/../../x.ipynb"])
def test_zip_with_path_traversal_is_refused(tmp_path: Path, name: str) -> None:
    archive = make_zip(tmp_path / "bad.zip", {"alice/rnn_step.ipynb": b"{}", name: b"{}"})
    with pytest.raises(SubmissionsError, match="unsafe path"):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "evil").exists()


def test_zip_with_symlink_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("alice/rnn_step.ipynb")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(SubmissionsError, match="symbolic link"):
        extract_zip(archive, tmp_path / "out")


def test_wrapping_folder_is_unwrapped_but_a_lone_student_is_not(tmp_path: Path) -> None:
    wrapped = make_zip(tmp_path / "w.zip", {"class/alice/rnn_step.ipynb": b"{}", "class/bob/rnn_step.ipynb": b"{}"})
    assert open_submissions(wrapped, tmp_path / "w").name == "class"
    lone = make_zip(tmp_path / "l.zip", {"alice/rnn_step.ipynb": b"{}"})
    assert sorted(p.name for p in open_submissions(lone, tmp_path / "l").iterdir()) == ["alice"]


def test_find_leaks_sees_through_html_markup() -> None:
    secret = ["for seed in range(6):", "grading.check_rnn_step(rnn_step, 3 * x)"]
    page = '<span class="k">for</span> <span>seed</span> in range(6):<br>grading.check_rnn_step(rnn_step, 3 &#42; x)'
    assert find_leaks(page, secret) == secret
    assert find_leaks("<p>nothing to see</p>", secret) == []


def test_flags_skip_locked_cells(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import sys\nsys.modules['x'] = 1", metadata={"nbgrader": {"grade_id": "t"}}),
        nbformat.v4.new_code_cell("def __eq__(self, other):\n    return True"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert flags(path, {"t"}) == ["custom __eq__"]
    assert flags(path, set()) == ["sys.modules", "custom __eq__"]


def test_summary_line_format() -> None:
    asked = [Question("nb", "q", 100.0, "Part A: all", False)]
    table = [
        Row("alice", StudentGrades("alice", {"nb/q": 0.0}), StudentResult("alice", ["kernel died"])),
        Row("bob", StudentGrades("bob", {"nb/q": 0.0}), StudentResult("bob", ["malformed notebook"])),
        Row("carol", StudentGrades("carol", {"nb/q": 86.0}), StudentResult("carol")),
    ]
    ours = summary_line(table, asked, 100.0, Path("grading/report.md"))
    reference = ("graded 1/3 students; 2 problems: alice (kernel died), bob (malformed notebook); mean 28.7/100; "
                 "report: grading/report.md")  # fmt: skip
    assert ours == reference, f"ours {ours!r} vs reference {reference!r}"


FAKE_WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    out = os.fdopen(int(sys.argv[2]), "w", buffering=1)
    for line in sys.stdin:
        task = json.loads(line)
        if task["student"] == "hangs":
            time.sleep(600)
        if task["student"] == "dies":
            os._exit(3)
        if task["student"] == "violates":
            out.write(json.dumps({"student": "violates", "notebooks": [], "violation": "library changed"}) + "\\n")
            continue
        if task["student"] == "fatal":
            out.write(json.dumps({"student": "fatal", "fatal": "the worker's pristine gradebook was modified"}) + "\\n")
            continue
        out.write(json.dumps({"student": task["student"], "notebooks": []}) + "\\n")
    """
)

FAKE_SPEC = WorkerSpec(assignment="x", library_sha256=library_digest([]))  # no course packages


def test_a_grader_survives_hanging_dying_and_failing_children(tmp_path: Path) -> None:
    """The per-student time limit stops a hung child; a dead or failing child is replaced; everyone is reported."""
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER)
    grader = GraderProcess(FAKE_SPEC, tmp_path / "area", command=[sys.executable, str(script)])
    names = ["a", "hangs", "b", "dies", "c", "fatal", "d"]
    seen = {name: grader.grade(Task(name, ["nb"]), 3.0) for name in names}
    grader.stop()
    assert seen["hangs"] == StudentOutcome("hangs", problem="timed out")
    assert seen["dies"] == StudentOutcome("dies", problem="grader process died")
    assert seen["fatal"] == StudentOutcome("fatal", problem="the worker's pristine gradebook was modified")
    assert all(seen[s] == StudentOutcome(s) for s in "abcd"), seen


def test_a_sandbox_violation_stops_the_whole_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When a result says the library changed, no later student is merged and every grading child is killed."""
    import psutil
    from distributed import Client, LocalCluster

    from coursegrader import remote
    from coursegrader.dispatch import grade_class

    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER)
    monkeypatch.setattr(remote, "GraderProcess", partial(GraderProcess, command=[sys.executable, str(script)]))
    pristine = tmp_path / "pristine.db"
    pristine.write_bytes(b"")
    seen: list[str] = []

    def on_result(task: Task, result: StudentOutcome) -> None:
        seen.append(task.student)
        if result.violation:
            raise RuntimeError(result.violation)

    tasks = [Task(name, ["nb"]) for name in ["violates", "a", "b", "c", "d", "e"]]
    logs: list[list[bytes]] = []
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with Client(cluster) as client, pytest.raises(RuntimeError, match="library changed"):
            grade_class(client, FAKE_SPEC, pristine, tasks, lambda task: {}, on_result, tmp_path / "received", 30.0,
                        "timed out", logs.append)  # fmt: skip
    assert seen == ["violates"], f"ours {seen} vs reference ['violates']"
    assert len(logs) == 1, "the grading children's logs must reach the client however the run ends"
    workers = [p for p in psutil.Process().children(recursive=True) if str(script) in " ".join(p.cmdline())]
    assert workers == [], f"grading children still running: {workers}"


def test_the_library_digest_sees_any_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "somelib"
    package.mkdir()
    (package / "__init__.py").write_text("x = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = library_digest(["somelib"])
    (package / "__init__.py").write_text("x = 2\n")
    second = library_digest(["somelib"])
    (package / "extra.py").write_text("")
    assert len({first, second, library_digest(["somelib"])}) == 3
