"""The reference-call trap knows every module that computes a cell, so a new one cannot slip past it."""

from __future__ import annotations

from pathlib import Path

import rnnlab
from rnnlab.grading import _guard

PACKAGE = Path(rnnlab.__file__).parent


def test_every_cell_module_is_a_reference_module():
    cell_modules = {f"cells.{p.stem}" for p in (PACKAGE / "cells").glob("*.py") if p.stem != "__init__"}
    missing = sorted(cell_modules - set(_guard.REFERENCE_MODULES))
    assert not missing, f"modules of rnnlab.cells the trap does not watch: {missing} (add to REFERENCE_MODULES)"


def test_every_reference_module_exists_and_is_named_as_students_import_it():
    for name in _guard.REFERENCE_MODULES:
        assert (PACKAGE / _guard.reference_file(name)).is_file(), f"{name}: no {_guard.reference_file(name)}"
    assert _guard.shown_module("cells.gru") == "rnnlab.cells"
    assert _guard.shown_module("sequence_gru") == "rnnlab.sequence_gru"
