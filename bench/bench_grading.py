"""Grading speed: our parallel pipeline against plain sequential nbgrader, in the same run.

60 synthetic rnn_step submissions (perfect ones and the common mistakes, see tests/coursegrader/students) are graded
twice, each time in a fresh course directory:

- ours: ``python -m coursegrader grade`` (registration, collection, one worker per core, merge,
  feedback, grades.csv and report);
- sequential: ``nbgrader generate_assignment``, ``nbgrader autograde`` and ``nbgrader generate_feedback``,
  the same work done by stock nbgrader one student at a time.

Both wall-clock times include starting the Python processes. The goal on 2 cores is a ratio of at
most 0.6. The two gradebooks must agree on every student's score. ``BENCH_GRADING_STUDENTS`` changes
the class size (default 60).
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "rnn_step"
MIX = ["perfect", "perfect", "concat_xh", "sigmoid", "forgot_tanh_by_hand", "gradient_without_derivative",
       "wrong_choice", "blank"]  # fmt: skip


def make_class(work: Path, size: int) -> Path:
    """``size`` student folders (student000, ...) cycling through the honest simulated students."""
    sys.path.insert(0, str(ROOT / "tests" / "coursegrader"))
    from students import STUDENTS
    from students.kit import Kit, release, to_bytes

    released = release(ROOT / "solutions", ASSIGNMENT)[ASSIGNMENT]
    kit = Kit.build(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", released)
    folder = work / "class"
    for number, kind in zip(range(size), cycle(MIX), strict=False):
        student = folder / f"student{number:03d}"
        student.mkdir(parents=True)
        (student / f"{ASSIGNMENT}.ipynb").write_bytes(to_bytes(STUDENTS[kind](kit)))
    return folder


def fresh_course(work: Path, name: str) -> Path:
    root = work / name
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    if (ROOT / "nbgrader_config.py").exists():
        shutil.copyfile(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def environment() -> dict[str, str]:
    """nbgrader runs ``alembic`` by name: put this interpreter's scripts on PATH."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes and their children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of running ``command`` to completion."""
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return elapsed


def run_ours(root: Path, submissions: Path) -> tuple[float, float]:
    command = [sys.executable, "-m", "coursegrader", "grade", "--assignment", ASSIGNMENT, "--submissions",
               str(submissions), "--root", str(root)]  # fmt: skip
    return timed(command, root)


def run_sequential(root: Path, submissions: Path) -> tuple[float, float]:
    """Stock nbgrader, one student after the other; collecting is a plain copy (not timed)."""
    for student in sorted(submissions.iterdir()):
        shutil.copytree(student, root / "submitted" / student.name / ASSIGNMENT)
    settings = [f"--CourseDirectory.{name}={value}" for name, value in {
        "root": root, "source_directory": "solutions", "release_directory": root / "release",
        "submitted_directory": "submitted", "autograded_directory": "autograded", "feedback_directory": "feedback",
        "db_url": f"sqlite:///{root / 'gradebook.db'}",
    }.items()]  # fmt: skip
    nbgrader = [sys.executable, "-m", "nbgrader"]
    steps = [timed([*nbgrader, step, ASSIGNMENT, "--force", *settings], root)
             for step in ("generate_assignment", "autograde", "generate_feedback")]  # fmt: skip
    return sum(wall for wall, _ in steps), sum(cpu for _, cpu in steps)


def agreement(ours: Path, sequential: Path) -> tuple[int, int]:
    """How many students both pipelines scored the same, out of how many."""
    from nbgrader.api import Gradebook

    with open(ours / "grading" / "grades.csv", newline="") as handle:
        our_totals = {row["student_id"]: float(row["total"]) for row in csv.DictReader(handle)}
    with Gradebook(f"sqlite:///{sequential / 'gradebook.db'}") as gradebook:
        their = {s.student.id: float(s.score) for s in gradebook.find_assignment(ASSIGNMENT).submissions}
    same = sum(1 for student, total in our_totals.items() if their.get(student) == total)
    return same, len(our_totals)


def main() -> list[str]:
    size = int(os.environ.get("BENCH_GRADING_STUDENTS", "60"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        work = Path(scratch)
        submissions = make_class(work, size)
        ours_root, sequential_root = fresh_course(work, "ours"), fresh_course(work, "sequential")
        ours, ours_cpu = run_ours(ours_root, submissions)
        sequential, sequential_cpu = run_sequential(sequential_root, submissions)
        same, total = agreement(ours_root, sequential_root)
    return [
        f"{size} rnn_step notebooks, {cores} cores, load average {os.getloadavg()[0]:.1f} at the end",
        f"make grade (ours, {cores} workers): {ours:.1f} s = {ours / size:.2f} s per notebook (CPU {ours_cpu:.0f} s)",
        f"sequential nbgrader (generate_assignment + autograde + generate_feedback): {sequential:.1f} s = "
        f"{sequential / size:.2f} s per notebook (CPU {sequential_cpu:.0f} s)",
        f"ratio ours / sequential, wall clock: {ours / sequential:.2f} (goal <= 0.6 on 2 cores)",
        f"ratio ours / sequential, CPU time: {ours_cpu / sequential_cpu:.2f} (the work done; wall-clock gains need "
        "idle cores)",
        f"scores agree on {same}/{total} students",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
