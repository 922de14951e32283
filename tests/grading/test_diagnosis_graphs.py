"""The diagnosis engine's own graphs: unmutated, they compute exactly what rnnlab.cells computes; and the
checks run the engine only when a comparison fails."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import grading
from rnnlab.grading.diagnosis import search
from rnnlab.grading.diagnosis.backward import BackwardModel
from rnnlab.grading.diagnosis.catalogue import sentences
from rnnlab.grading.diagnosis.cells import QUANTITIES, graph_of, step_inputs
from rnnlab.grading.diagnosis.sentences import PAIR_SEPARATOR
from rnnlab.grading.diagnosis.sequences import NormsModel, UnrollModel
from rnnlab.grading.sequences import reference_gradient_norms, reference_unroll

CASES = [("rnn", {}), ("lstm", {})] + [
    ("gru", {"z_weights": z, "reset": r}) for z in ("old", "new") for r in ("before", "after")
]
SHAPES = {"unbatched": (), "batched": (4,), "state broadcast": "mixed"}


def inputs(cell: str, shape, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    batch = (4,) if shape else ()
    state = () if shape == "mixed" else batch
    return {"x": rng.normal(size=batch + (3,)), "h_prev": rng.normal(size=state + (5,)),
            "c_prev": rng.normal(size=state + (5,))}  # fmt: skip


def params(cell: str, conventions: dict):
    p = {"rnn": rnnlab.RNNParams, "lstm": rnnlab.LSTMParams, "gru": rnnlab.GRUParams}[cell].random(3, 5, seed=1)
    if conventions.get("reset") == "after":
        p = p.replace(b_hn=np.random.default_rng(2).normal(size=5))
    return p


@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))
@pytest.mark.parametrize(("cell", "conventions"), CASES, ids=lambda c: str(c))
def test_unmutated_graph_equals_rnnlab_exactly(cell, conventions, shape) -> None:
    p, values = params(cell, conventions), inputs(cell, shape)
    env = graph_of(cell, **conventions).evaluate(step_inputs(cell, p, values))
    states = [values[name] for name in ("x", "h_prev", "c_prev")[: 3 if cell == "lstm" else 2]]
    trace = rnnlab.kinds.cell_kind(cell).step(*states, p, **conventions)
    for name in QUANTITIES[cell]:
        ours, reference = env[name], getattr(trace, name)
        assert np.array_equal(ours, reference), f"{cell} {conventions} {name}: ours {ours} vs rnnlab {reference}"


def test_unmutated_sequence_models_agree_with_rnnlab() -> None:
    rng = np.random.default_rng(3)
    p = rnnlab.RNNParams.random(3, 4, seed=0)
    xs, h0 = rng.normal(size=(7, 3)), rng.normal(size=4)
    (ours,) = UnrollModel(xs, h0, p).reference()
    np.testing.assert_allclose(ours, reference_unroll(xs, h0, p.W, p.b), rtol=0, atol=1e-14)
    (norms,) = NormsModel(xs, h0, p).reference()
    np.testing.assert_allclose(norms, reference_gradient_norms(xs, h0, p.W, p.b), rtol=1e-12)


def test_unmutated_backward_graph_agrees_with_rnnlab() -> None:
    rng = np.random.default_rng(4)
    p = rnnlab.GRUParams.random(3, 4, seed=0)
    x, h_prev, dh = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    ours = BackwardModel(x, h_prev, p, dh).reference()
    reference = grading.backward.reference_step_gradients(x, h_prev, p, dh)
    for name, value in zip(grading.backward.GRADIENT_NAMES, ours, strict=True):
        np.testing.assert_allclose(value, reference[name], rtol=1e-12, atol=1e-14, err_msg=name)


def test_no_sentence_contains_the_pair_separator_or_a_line_break() -> None:
    every = sentences()
    assert len(every) > 100, f"ours {len(every)} sentences"
    assert not [s for s in every if PAIR_SEPARATOR in s or "\n" in s]


def right_rnn(x, h_prev, W, b):
    return np.tanh(np.concatenate([h_prev, x], axis=-1) @ W.T + b)


def test_a_passing_check_never_runs_the_engine(monkeypatch) -> None:
    calls = []
    real = search.search
    monkeypatch.setattr(search, "search", lambda *a, **k: calls.append(1) or real(*a, **k))
    ex = rnnlab.examples.rnn_3d()
    grading.check_rnn_step(right_rnn, ex.x, ex.h_prev, ex.params.W, ex.params.b)
    grading.check_by_hand("h_by_hand", np.round(rnnlab.rnn_step(ex.x, ex.h_prev, ex.params).h, 2), "rnn", "h")
    assert calls == [], "the engine ran on a passing check"

    def sigmoid_rnn(x, h_prev, W, b):
        return rnnlab.sigmoid(np.concatenate([h_prev, x], axis=-1) @ W.T + b)

    with pytest.raises(AssertionError, match="tanh was replaced by sigmoid"):
        grading.check_rnn_step(sigmoid_rnn, ex.x, ex.h_prev, ex.params.W, ex.params.b)
    assert calls == [1], f"the engine ran {len(calls)} times on one failure"


def test_lstm_diagnoses_once_for_both_results(monkeypatch) -> None:
    calls = []
    real = search.search
    monkeypatch.setattr(search, "search", lambda *a, **k: calls.append(1) or real(*a, **k))
    ex = rnnlab.examples.lstm_3d()

    with pytest.raises(AssertionError):
        grading.check_lstm_step(lambda x, h, c, p: (h, c), ex.x, ex.h_prev, ex.c_prev, ex.params)
    assert len(calls) == 1, f"the engine ran {len(calls)} times for one wrong step"


@pytest.mark.parametrize(
    ("cell", "asked", "typed", "expected"),
    [
        ("lstm", "f", "i", "this is the input gate i (eq. 7), not the forget gate f (eq. 6)"),
        ("lstm", "c", "c_tilde", "this is the candidate c_tilde (eq. 8), not the cell state c (eq. 9)"),
        ("gru", "h", "h_tilde", "this is the candidate h_tilde (eq. 15), not the new state h (eq. 16)"),
        ("gru", "z", "r", "this is the reset gate r (eq. 13), not the update gate z (eq. 14)"),
        ("rnn", "h", "a", "in the new state h (eq. 1), the tanh was left out"),
    ],
)
def test_by_hand_names_the_quantity_the_value_came_from(cell, asked, typed, expected) -> None:
    ex = getattr(rnnlab.examples, f"{cell}_3d")()
    states = [ex.x, ex.h_prev] + ([ex.c_prev] if cell == "lstm" else [])
    trace = rnnlab.kinds.cell_kind(cell).step(*states, ex.params)
    typed_value = np.round(getattr(trace, typed), 2).tolist()
    with pytest.raises(AssertionError) as raised:
        grading.check_by_hand(f"{asked}_by_hand", typed_value, cell, asked)
    ours = str(raised.value)
    assert f"Likely mistake: {expected}." in ours, f"ours {ours!r} vs expected {expected!r}"
    right = np.round(getattr(trace, asked), 2)
    assert not any(f"{v:g}" in ours.split("Likely mistake")[0].split("received")[0] for v in right), "answer shown"
