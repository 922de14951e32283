"""Argument types of the command line: each turns a bad value into a message that says what was expected."""

from __future__ import annotations

import argparse
from pathlib import Path

from .late import parse_due, penalty_plugin
from .sandbox import parse_bytes


def positive(kind: type):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, received {text}")
        return value

    return parse


def size(text: str) -> int:
    try:
        return parse_bytes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def due_date(text: str):
    try:
        return parse_due(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def penalty_rule(text: str) -> str:
    try:
        penalty_plugin(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return text


def course_options(command: argparse.ArgumentParser, assignment_help: str = "assignment id, a folder of solutions/"):
    """The options every command shares: ``--assignment`` (when ``assignment_help``) and ``--root``."""
    if assignment_help:
        command.add_argument("--assignment", required=True, help=assignment_help)
    command.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="course root, the folder holding solutions/ and grading/ (default: here)",
    )
