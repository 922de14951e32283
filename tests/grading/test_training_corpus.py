"""The training_practice corpus (tests/grading/training_corpus.py) through the notebook's own graded test cells.

Each wrong function replaces the student's answer and runs the graded cells of its part, hidden tests
included: it must fail, its likely mistake must be the one named in the corpus (every one of them: the
mutations are few and written for this exercise), and the message must parse in the feedback's strict
grammar against that cell's source. Every right function, in whatever style, must pass every cell.
"""

from __future__ import annotations

import types
from pathlib import Path

import nbformat
import pytest
from training_corpus import RIGHT, WRONG, Case

from rnnlab.grading import messages
from rnnlab.grading.diagnosis import training
from rnnlab.grading.messages import likely

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "training_practice" / "training_practice.ipynb"
PART = {  # check -> (the answer's name in the notebook, its graded cells)
    "clip": ("clip_by_global_norm", ["clip_example_gradient", "clip_below_threshold", "clip_random"]),
    "run": ("clip_by_global_norm", ["clipped_run_losses"]),
    "softmax": ("softmax_with_temperature", ["softmax_example", "softmax_batch", "softmax_large_logits"]),
    "sample": ("sample_next", ["sample_example", "sample_boundaries", "sample_small_temperature"]),
}
SKIPPED = {"exploding_runs"}  # slow and only shows the runs

pytestmark = pytest.mark.skipif(not SOLUTION.exists(), reason="solutions/ is kept in the private repository")


def cells() -> dict[str, str]:
    notebook = nbformat.read(SOLUTION, as_version=4)
    return {c.metadata.nbgrader.grade_id: c.source for c in notebook.cells if c.cell_type == "code"}


def solved_namespace() -> dict:
    """The notebook run with the reference answers, graded cells left out."""
    namespace: dict = {}
    graded = {grade_id for _, ids in PART.values() for grade_id in ids}
    for grade_id, source in cells().items():
        if grade_id not in graded | SKIPPED | {"clip_norm_by_hand", "clip_scale_by_hand"}:
            exec(compile(source, grade_id, "exec"), namespace)
    return namespace


def failure(case: Case) -> tuple[str, str] | None:
    """(cell source, message) of the first graded cell of ``case``'s part that fails, None when all pass."""
    name, grade_ids = PART[case.check]
    namespace = solved_namespace()
    fn = case.fn
    namespace[name] = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    sources = cells()
    for grade_id in grade_ids:
        try:
            exec(compile(sources[grade_id], grade_id, "exec"), namespace)
        except AssertionError as error:
            return sources[grade_id], str(error)
    return None


@pytest.mark.parametrize("case", WRONG, ids=lambda case: f"{case.check}-{case.name}")
def test_every_wrong_function_fails_with_its_mistake_named(case: Case) -> None:
    found = failure(case)
    assert found is not None, f"{case.name} passed every graded cell of its part"
    source, message = found
    ours = message if case.expected == "implement it yourself" else likely.likely_mistake(message)
    assert ours and case.expected.rstrip(".") in ours, f"{case.name}: ours {ours!r} vs expected {case.expected!r}"
    parsed = messages.parse(message, messages.Allowed.from_source(source))
    assert parsed is not None, f"{case.name}: the feedback's parser rejects {message!r}"


@pytest.mark.parametrize("case", RIGHT, ids=lambda case: f"{case.check}-{case.name}")
def test_right_functions_in_other_styles_pass(case: Case) -> None:
    assert failure(case) is None


def test_every_sentence_is_said_by_some_wrong_function() -> None:
    said = {case.expected for case in WRONG}
    unused = sorted(training.sentences() - said)
    assert not unused, f"sentences no corpus function produces: {unused}"


def test_by_hand_answers_are_diagnosed_without_revealing_the_value() -> None:
    import rnnlab
    from rnnlab import grading

    grads, max_norm = grading.clip_example()
    norm = rnnlab.train.global_norm(grads)
    scale = min(1.0, max_norm / norm)
    for name, value, quantity, expected in [("norm_by_hand", norm**2, "norm", training.SQUARED),
                                            ("norm_by_hand", 4.12, "norm", training.SUM_OF_NORMS),
                                            ("norm_by_hand", 6.5, "norm", training.ABSOLUTE),
                                            ("scale_by_hand", 0.1, "scale", training.SQUARED),
                                            ("scale_by_hand", 0.33, "scale", training.LARGEST)]:  # fmt: skip
        with pytest.raises(AssertionError) as error:
            grading.check_clip_by_hand(name, value, quantity)
        message = str(error.value)
        assert likely.likely_mistake(message) == expected.rstrip("."), message
        right = f"{norm:.2f}" if quantity == "norm" else f"{scale:.2f}"
        assert right not in message, f"the answer {right} is in {message!r}"
    grading.check_clip_by_hand("norm_by_hand", round(norm, 2), "norm")
    grading.check_clip_by_hand("scale_by_hand", round(scale, 2), "scale")
