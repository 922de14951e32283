"""Grading speed: our parallel pipeline against plain sequential nbgrader, in the same run.

60 synthetic rnn_step submissions (perfect ones and the common mistakes, see tests/coursegrader/students) are graded
twice, each time in a fresh course directory:

- ours: ``python -m coursegrader grade`` (registration, collection, one worker per core, merge,
  feedback, grades.csv and report);
- sequential: ``nbgrader generate_assignment``, ``nbgrader autograde`` and ``nbgrader generate_feedback``,
  the same work done by stock nbgrader one student at a time.

Both wall-clock times include starting the Python processes (ours: the local Dask cluster too). CPU time is
every process's, kernels and sandboxes included, read from a cgroup (cpuacct) the command runs in; without
one (not root) it falls back to ``RUSAGE_CHILDREN``, which misses processes their parent never waited for
(the sandboxed kernels) and is marked as a lower bound. The two are run alternately
``BENCH_GRADING_REPEATS`` times (default 2) and reported as median and range. Goals on 2 cores: at most
1.0 s of CPU per notebook, and at most 0.3x the wall time of sequential nbgrader. The two gradebooks must
agree on every student's score. ``BENCH_GRADING_STUDENTS`` changes the class size (default 60).
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
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


CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def cgroup() -> Path | None:
    """A fresh cpuacct cgroup to run one command in, or None when this machine does not let us make one."""
    if not (CPUACCT / "tasks").exists():
        return None
    group = CPUACCT / f"bench-grading-{uuid.uuid4().hex[:8]}"
    try:
        group.mkdir()
    except OSError:
        return None
    return group


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes and their children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> tuple[float, float, bool]:
    """(wall-clock seconds, CPU seconds, whether the CPU is exact) of running ``command`` to completion."""
    group = cgroup()
    enter = None if group is None else (lambda: (group / "tasks").write_text(str(os.getpid())))
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True, check=False,
                          preexec_fn=enter)  # fmt: skip
    wall = time.perf_counter() - start
    if group is None:
        used = children_cpu() - cpu
    else:
        used = int((group / "cpuacct.usage").read_text()) / 1e9
        for _ in range(50):  # the last processes of the command may still be leaving the group
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.1)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return wall, used, group is not None


def run_ours(root: Path, submissions: Path) -> tuple[float, float, bool]:
    command = [sys.executable, "-m", "coursegrader", "grade", "--assignment", ASSIGNMENT, "--submissions",
               str(submissions), "--root", str(root)]  # fmt: skip
    return timed(command, root)


def run_sequential(root: Path, submissions: Path) -> tuple[float, float, bool]:
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
    return sum(wall for wall, _, _ in steps), sum(cpu for _, cpu, _ in steps), all(exact for _, _, exact in steps)


def agreement(ours: Path, sequential: Path) -> tuple[int, int]:
    """How many students both pipelines scored the same, out of how many."""
    from nbgrader.api import Gradebook

    with open(ours / "grading" / "grades.csv", newline="") as handle:
        our_totals = {row["student_id"]: float(row["total"]) for row in csv.DictReader(handle)}
    with Gradebook(f"sqlite:///{sequential / 'gradebook.db'}") as gradebook:
        their = {s.student.id: float(s.score) for s in gradebook.find_assignment(ASSIGNMENT).submissions}
    same = sum(1 for student, total in our_totals.items() if their.get(student) == total)
    return same, len(our_totals)


def spread(values: list[float], digits: int = 2) -> str:
    """``median (min-max)`` of ``values``."""
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main() -> list[str]:
    size = int(os.environ.get("BENCH_GRADING_STUDENTS", "60"))
    repeats = int(os.environ.get("BENCH_GRADING_REPEATS", "2"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    ours, theirs, agree, exact = [], [], [], True
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        work = Path(scratch)
        submissions = make_class(work, size)
        for k in range(repeats):  # alternate, so a noisy neighbour slows both alike
            ours_root, sequential_root = fresh_course(work, f"ours{k}"), fresh_course(work, f"sequential{k}")
            *measured, exact_ours = run_ours(ours_root, submissions)
            *measured_theirs, exact_theirs = run_sequential(sequential_root, submissions)
            ours.append(measured)
            theirs.append(measured_theirs)
            exact = exact and exact_ours and exact_theirs
            agree.append(agreement(ours_root, sequential_root))
    cpu_kind = "all processes, from a cgroup" if exact else "lower bound: RUSAGE_CHILDREN misses the kernels"
    wall_ratio = [o[0] / t[0] for o, t in zip(ours, theirs, strict=True)]
    cpu_ratio = [o[1] / t[1] for o, t in zip(ours, theirs, strict=True)]
    return [
        f"{size} rnn_step notebooks, {cores} cores, {repeats} alternating runs of each; median (min-max); "
        f"load average {os.getloadavg()[0]:.1f} at the end",
        f"make grade (ours, local Dask cluster of {cores} workers): wall {spread([o[0] / size for o in ours])} s per "
        f"notebook, CPU {spread([o[1] / size for o in ours])} s per notebook ({cpu_kind}; goal <= 1.0)",
        f"sequential nbgrader (generate_assignment + autograde + generate_feedback): wall "
        f"{spread([t[0] / size for t in theirs])} s per notebook, CPU {spread([t[1] / size for t in theirs])} s",
        f"ratio ours / sequential, wall clock: {spread(wall_ratio)} (goal <= 0.3 on 2 cores)",
        f"ratio ours / sequential, CPU time: {spread(cpu_ratio)}",
        "scores agree on " + ", ".join(f"{same}/{total}" for same, total in agree) + " students",
    ]


if __name__ == "__main__":
    print("\n".join(main()))
