"""The book's equation numbers, as its readers see them, and the quantities each equation defines.

``EQUATION_NUMBERS`` is the one table of numbers the diagnoses cite; ``tests/grading/test_diagnosis_equations.py``
recomputes it from the chapters' labelled ``{math}`` blocks in the table of contents' order (as Sphinx numbers
them), so a chapter that gains an equation cannot leave a message citing the wrong one.
"""

from __future__ import annotations

#: label of a ``{math}`` block -> the number the book shows beside it
EQUATION_NUMBERS: dict[str, int] = {
    "rnn-eq-cell": 1,
    "rnn-eq-bptt-h": 2,
    "rnn-eq-bptt-a": 3,
    "rnn-eq-bptt-w": 4,
    "lstm-eq-forget": 6,
    "lstm-eq-input": 7,
    "lstm-eq-candidate": 8,
    "lstm-eq-cell": 9,
    "lstm-eq-output": 10,
    "lstm-eq-hidden": 11,
    "gru-eq-reset": 13,
    "gru-eq-update": 14,
    "gru-eq-candidate": 15,
    "gru-eq-hidden": 16,
    "conv-z-old": 24,
    "conv-z-new": 25,
    "conv-reset-before": 27,
    "conv-reset-after": 28,
}

#: cell -> quantity -> (what the book calls it, the label of the equation defining it)
QUANTITIES: dict[str, dict[str, tuple[str, str]]] = {
    "rnn": {
        "a": ("the pre-activation a", "rnn-eq-cell"),
        "h": ("the new state h", "rnn-eq-cell"),
    },
    "lstm": {
        "f": ("the forget gate f", "lstm-eq-forget"),
        "i": ("the input gate i", "lstm-eq-input"),
        "c_tilde": ("the candidate c_tilde", "lstm-eq-candidate"),
        "c": ("the cell state c", "lstm-eq-cell"),
        "o": ("the output gate o", "lstm-eq-output"),
        "h": ("the hidden state h", "lstm-eq-hidden"),
    },
    "gru": {
        "r": ("the reset gate r", "gru-eq-reset"),
        "z": ("the update gate z", "gru-eq-update"),
        "h_tilde": ("the candidate h_tilde", "gru-eq-candidate"),
        "h": ("the new state h", "gru-eq-hidden"),
    },
}


def eq(label: str) -> str:
    """``eq. N``: how a message cites the equation ``label``."""
    return f"eq. {EQUATION_NUMBERS[label]}"


def eqs(labels: list[str] | tuple[str, ...]) -> str:
    """``eqs. 6, 7, 8, 10`` (or ``eq. 1`` for one): the equations a mistake made everywhere touches."""
    numbers = sorted({EQUATION_NUMBERS[label] for label in labels})
    if len(numbers) == 1:
        return f"eq. {numbers[0]}"
    return "eqs. " + ", ".join(str(n) for n in numbers)


def quantity(cell: str, name: str) -> str:
    """``the forget gate f (eq. 6)``: a quantity as a message names it."""
    title, label = QUANTITIES[cell][name]
    return f"{title} ({eq(label)})"
