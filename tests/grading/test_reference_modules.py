"""The reference-call trap knows every module that computes a cell, so a new one cannot slip past it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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


def test_the_modules_watched_on_request_exist_and_catch_their_callers():
    from rnnlab import train
    from rnnlab.grading import ReferenceCallError

    for name in _guard.WATCHED_ON_REQUEST:
        assert (PACKAGE / _guard.reference_file(name)).is_file(), f"{name}: no {_guard.reference_file(name)}"
    grads = {"W": np.ones((2, 2))}
    assert _guard.call_student(train.clip_by_global_norm, (grads, 1.0), {})[1] == 2.0  # not watched by default
    with pytest.raises(ReferenceCallError, match=r"rnnlab\.train\.clip_by_global_norm was called"):
        _guard.call_student(train.clip_by_global_norm, (grads, 1.0), {}, watch=_guard.TRAINING)
