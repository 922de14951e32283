"""The values the grading parent and its workers exchange: they pickle, survive JSON, and read older files."""

from __future__ import annotations

import json
import pickle
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from coursegrader.contracts import NotebookOutcome, StudentOutcome, StudentResult, Task, WorkerSpec
from coursegrader.report import load_results, save_results
from coursegrader.sandbox import Limits

SPEC = WorkerSpec(
    assignment="rnn_step",
    nbgrader_config={"CourseDirectory": {"course_id": "gated-rnn", "ignore": ["*.md"]}, "Execute": {"timeout": 60}},
    pristine_sha256="ab" * 32,
    library_sha256="cd" * 32,
    packages=("rnnlab",),
    sandbox=True,
    limits=Limits(memory=1024**3),
    cell_timeout=30,
    cell_order={"rnn_step": ("a", "b")},
    work_area="/scratch/worker-0",
)
OUTCOME = StudentOutcome(
    "alice",
    (NotebookOutcome("rnn_step", True, ("kernel died",), ()), NotebookOutcome("extra", False, (), ("log line",))),
    work_area="/scratch/worker-0",
    violation="the installed course library changed while this student was graded",
)
VALUES = [SPEC, Task("alice", ["rnn_step"]), OUTCOME, StudentResult("alice", ["late"], ["q1: x"], True, "zip entry")]


@pytest.mark.parametrize("value", VALUES, ids=[type(v).__name__ for v in VALUES])
def test_every_contract_pickles_and_goes_through_json(value: object) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
    ours = type(value).from_json(json.loads(json.dumps(value.to_json())))
    assert ours == value, f"ours {ours} vs reference {value}"
    with pytest.raises(FrozenInstanceError):
        value.student = "mallory" if hasattr(value, "student") else None  # type: ignore[misc]
        value.assignment = "other"  # type: ignore[misc]


def test_the_wire_format_of_an_outcome_is_unchanged() -> None:
    """What a worker writes on its pipe: only the keys it always wrote, and those that say what went wrong."""
    reference = {"student": "bob", "notebooks": [{"notebook": "nb", "ran": True, "problems": [], "log": []}],
                 "work_area": "/w"}  # fmt: skip
    ours = json.loads(json.dumps(StudentOutcome.from_json(reference).to_json()))
    assert ours == reference, f"ours {ours} vs reference {reference}"
    assert StudentOutcome.from_json({"student": "c", "fatal": "stop"}) == StudentOutcome("c", fatal="stop")


def test_results_files_written_before_the_contracts_still_load(tmp_path: Path) -> None:
    path = tmp_path / "results-rnn_step.json"
    older = {"alice": {"student": "alice", "problems": ["kernel died"], "mistakes": [], "blank": False,
                       "time_source": "timestamp.txt", "scores": {"q": 1.0}},  # older files held scores
             "bob": {"student": "bob"}}  # fmt: skip
    path.write_text(json.dumps(older))
    ours = load_results(path)
    assert ours == {"alice": StudentResult("alice", ("kernel died",), (), False, "timestamp.txt"),
                    "bob": StudentResult("bob")}  # fmt: skip
    save_results(ours, path)
    assert json.loads(path.read_text())["alice"] == {k: v for k, v in older["alice"].items() if k != "scores"}
