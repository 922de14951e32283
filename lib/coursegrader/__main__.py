"""Command line: ``python -m coursegrader release | grade | report | feedback | export``.

The term's flow: ``grade`` (autograde the class) -> nbgrader's formgrader for the written answers ->
``report`` and ``feedback`` (rewrite the grades and the pages from the gradebook) -> ``export`` (a file
for Canvas, Moodle or any spreadsheet).
"""

from __future__ import annotations

# isort: off
from . import _startup  # noqa: F401 - first: skips a slow import (see the module)

# isort: on

import argparse
import os
import sys
from pathlib import Path

from .arguments import due_date, penalty_rule, positive, size
from .cluster import ClusterError
from .collect import SubmissionsError
from .grade import Settings, default_workers, grade
from .sandbox import Limits
from .sandbox.probe import SandboxUnavailableError


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m coursegrader", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "release", help="regenerate exercises/ from solutions/ (nbgrader generate_assignment)", add_help=False
    )
    commands.add_parser(
        "feedback", help="re-make the feedback pages after hand grading (never nbgrader generate_feedback)",
        add_help=False,
    )  # fmt: skip
    commands.add_parser("report", help="rewrite grades.csv and the report from the gradebook", add_help=False)
    commands.add_parser("export", help="grades for Canvas, Moodle or a spreadsheet (csv)", add_help=False)
    grading = commands.add_parser("grade", help="grade a class: gradebook, grades.csv, feedback, report")
    grading.add_argument("--assignment", required=True, help="assignment id, a folder of solutions/")
    grading.add_argument(
        "--submissions", required=True, type=Path, help="folder with one sub-folder per student id, or a zip of it"
    )
    grading.add_argument(
        "--workers",
        type=positive(int),
        default=default_workers(),
        help="worker processes of the local Dask cluster (default: all CPU cores)",
    )
    grading.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=os.environ.get("SCHEDULER") or None,
        help="grade on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (default: $SCHEDULER, else a local "
        "cluster of --workers processes)",
    )
    grading.add_argument(
        "--dashboard",
        action="store_true",
        help="give the local Dask cluster its dashboard (a web page of the workers' progress); it costs about a "
        "third more CPU, so it is off by default. An existing cluster (--scheduler) shows its own.",
    )
    grading.add_argument(
        "--restart",
        action="store_true",
        help="grade every student again, even if an interrupted run already merged some (default: resume it)",
    )
    grading.add_argument(
        "--timeout",
        type=positive(int),
        default=60,
        help="seconds one cell may run before it is interrupted (default 60)",
    )
    grading.add_argument(
        "--student-timeout",
        type=positive(float),
        default=600.0,
        help="seconds one student may take in total before being stopped (default 600)",
    )
    defaults = Limits()
    sandbox = grading.add_argument_group("sandbox", "every student's kernel runs in a bubblewrap sandbox with limits")
    sandbox.add_argument(
        "--unsandboxed",
        action="store_true",
        help="grade without the sandbox (student code runs with your rights; the report says so at the top)",
    )
    sandbox.add_argument(
        "--memory-limit", type=size, default=defaults.memory, metavar="SIZE",
        help="memory of one student's kernel and its processes, e.g. 2G or 512M (default 2G)",
    )  # fmt: skip
    sandbox.add_argument(
        "--cpu-limit", type=positive(int), default=defaults.cpu_seconds, metavar="SECONDS",
        help=f"CPU seconds of each of the kernel's processes (default {defaults.cpu_seconds})",
    )  # fmt: skip
    sandbox.add_argument(
        "--process-limit", type=positive(int), default=defaults.processes, metavar="N",
        help=f"processes and threads of one kernel together (default {defaults.processes})",
    )  # fmt: skip
    sandbox.add_argument(
        "--file-size-limit", type=size, default=defaults.file_size, metavar="SIZE",
        help="the largest file a kernel may write (default 256M)",
    )  # fmt: skip
    sandbox.add_argument(
        "--disk-limit", type=size, default=defaults.disk, metavar="SIZE",
        help="bytes in the kernel's scratch folder, and the size of its /tmp (default 512M)",
    )  # fmt: skip
    grading.add_argument(
        "--due", type=due_date, metavar="DATE", help="due date, e.g. 2026-12-10T23:59 (local time) or with +01:00"
    )
    grading.add_argument(
        "--late-penalty",
        type=penalty_rule,
        metavar="RULE",
        help="none, zero, P%%/hour or P%%/day (default none; remembered)",
    )
    grading.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="course root, the folder holding solutions/ and grading/ (default: here)",
    )
    return main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["release"]:
        from .release import main as release_main

        return release_main(argv[1:])
    if argv[:1] == ["feedback"]:
        from .feedback_command import main as feedback_main

        return feedback_main(argv[1:])
    if argv[:1] == ["report"]:
        from .report_command import main as report_main

        return report_main(argv[1:])
    if argv[:1] == ["export"]:
        from .export import main as export_main

        return export_main(argv[1:])
    args = parser().parse_args(argv)
    if not args.assignment or not str(args.submissions):
        print("usage: make grade ASSIGNMENT=<id> SUBMISSIONS=<folder or zip>", file=sys.stderr)
        return 2
    limits = Limits(args.memory_limit, args.cpu_limit, args.process_limit, args.file_size_limit, args.disk_limit)
    settings = Settings(args.workers, args.timeout, args.student_timeout, not args.unsandboxed, limits, args.due,
                        args.late_penalty, args.scheduler, args.restart, args.dashboard)  # fmt: skip
    try:
        summary = grade(args.root, args.assignment, args.submissions, settings)
    except (SubmissionsError, FileNotFoundError, SandboxUnavailableError, ClusterError) as error:
        print(f"coursegrader: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("coursegrader: interrupted; the students merged so far are kept. Run the same command again to grade "
              "the rest (--restart grades everyone again).", file=sys.stderr)  # fmt: skip
        return 130
    print(summary)
    return 3 if summary.startswith("grading stopped") else 0


if __name__ == "__main__":
    sys.exit(main())
