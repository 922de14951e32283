"""The ``Likely mistake:`` clause round-trips: what the checks write, the report and the feedback read back.

Every template that carries the clause (found in ``TEMPLATES``, so a new one is covered too) is written
with every diagnosis the checks know (:func:`rnnlab.grading.messages.catalogue.known_mistakes`), as the
checks write it (``build``, ``compose``). The report's permissive reader (``likely_mistake``,
``diagnosis``) gives the diagnosis back, and so does the feedback's strict parser (``parse``), whose
rendering is the text written.
"""

from __future__ import annotations

import pytest

from rnnlab.grading import messages
from rnnlab.grading.messages import likely
from rnnlab.grading.messages.catalogue import known_mistakes
from rnnlab.grading.messages.texts import ACCURACY_MISTAKE, INSIDE_THE_STEP, NO_DIAGNOSIS_TEXT

NAME = messages.RNN_STEP_H  # a name the checks compose: no test source needed
SOURCE = "check_accuracy(train, at_least=0.9)\n"  # the accuracy threshold comes from the trusted source
WRONG = {"name": NAME, "wrong": 2, "size": 20, "tolerance": 1e-6}


def written(key: str, mistake: str) -> str:
    """The message of template ``key`` naming ``mistake``, as the checks write it."""
    if key == "likely":  # a line of its own, after a wrong-value head
        return messages.compose(("wrong_value", WRONG), ("likely", {"mistake": mistake}))
    if key == "shape":
        return messages.build("shape", name=NAME, expected=(4, 5), received=(5, 4), hint=mistake)
    if key == "crash":
        return messages.build("crash", name=NAME, line=3, hint=mistake)
    if key == "accuracy":
        return messages.build("accuracy", name=NAME, at_least=0.9, score=0.615)
    if key == "clipped_type":
        return messages.build("clipped_type", name=NAME, keys=["W_h", "b_h"], received=messages.describe(0.5),
                              mistake=mistake)  # fmt: skip
    raise AssertionError(f"no example values for template {key!r}: add them here")


def clause_templates() -> list[str]:
    """Keys of the templates whose text holds the ``Likely mistake:`` clause."""
    return [
        key
        for key, template in messages.TEMPLATES.items()
        if any(isinstance(piece, str) and likely.LIKELY in piece for piece in template.pieces)
    ]


def mistakes_of(key: str) -> list[str]:
    """The diagnoses template ``key`` can name (the accuracy message names one, fixed)."""
    if key == "accuracy":
        return [ACCURACY_MISTAKE]
    every = sorted(known_mistakes())
    return [*every, *(INSIDE_THE_STEP + m for m in every if m != NO_DIAGNOSIS_TEXT)] if key == "likely" else every


CASES = [(key, mistake) for key in clause_templates() for mistake in mistakes_of(key)]


def test_the_clause_templates_are_the_known_ones() -> None:
    ours = sorted(clause_templates())
    assert ours == ["accuracy", "clipped_type", "crash", "likely", "shape"], f"ours {ours} vs reference the five kinds"


@pytest.mark.parametrize(("key", "mistake"), CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_written_then_read_gives_the_mistake_back(key: str, mistake: str) -> None:
    text = written(key, mistake)
    assert likely.clause(mistake) in text, f"{text!r} lacks the clause"
    ours = likely.likely_mistake(text)
    reference = mistake.rstrip(".")
    assert ours == reference, f"report reads {ours!r} vs reference {reference!r} (message {text!r})"
    expected_diagnosis = None if likely.NO_DIAGNOSIS in mistake else reference
    assert messages.diagnosis(text) == expected_diagnosis, f"diagnosis of {text!r}"
    parsed = messages.parse(text, messages.Allowed.from_source(SOURCE))
    assert parsed is not None, f"the strict parser rejects {text!r}"
    assert parsed.mistake == mistake, f"parser reads {parsed.mistake!r} vs reference {mistake!r}"
    assert messages.render(parsed) == text, f"rendered {messages.render(parsed)!r} vs written {text!r}"


def test_the_clause_text_students_see() -> None:
    mistake = "in the new state h (eq. 1), tanh was replaced by sigmoid"
    reference = f"Likely mistake: {mistake}"
    assert likely.clause(mistake) == reference
    assert likely.likely_mistake(f"a\nLikely mistake: {mistake}.\n") == mistake
    assert likely.likely_mistake("no clause here") is None
