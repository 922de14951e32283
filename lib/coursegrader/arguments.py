"""Argument types of the command line: each turns a bad value into a message that says what was expected."""

from __future__ import annotations

import argparse

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
