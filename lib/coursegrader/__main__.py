"""Command line: ``python -m coursegrader release`` and ``python -m coursegrader grade``."""

from __future__ import annotations

# isort: off
from . import _startup  # noqa: F401 - first: skips a slow import (see the module)

# isort: on

import argparse
import sys
from pathlib import Path

from .collect import SubmissionsError
from .grade import Settings, default_workers, grade


def positive(kind: type):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, received {text}")
        return value

    return parse


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m coursegrader", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "release", help="regenerate exercises/ from solutions/ (nbgrader generate_assignment)", add_help=False
    )
    grading = commands.add_parser("grade", help="grade a class: gradebook, grades.csv, feedback, report")
    grading.add_argument("--assignment", required=True, help="assignment id, a folder of solutions/")
    grading.add_argument(
        "--submissions", required=True, type=Path, help="folder with one sub-folder per student id, or a zip of it"
    )
    grading.add_argument(
        "--workers",
        type=positive(int),
        default=default_workers(),
        help="parallel grading processes (default: all CPU cores)",
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
    args = parser().parse_args(argv)
    if not args.assignment or not str(args.submissions):
        print("usage: make grade ASSIGNMENT=<id> SUBMISSIONS=<folder or zip>", file=sys.stderr)
        return 2
    settings = Settings(args.workers, args.timeout, args.student_timeout)
    try:
        summary = grade(args.root, args.assignment, args.submissions, settings)
    except (SubmissionsError, FileNotFoundError) as error:
        print(f"coursegrader: {error}", file=sys.stderr)
        return 2
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
