"""The corpus of wrong implementations (tests/grading/mistake_corpus.py) through the course's own checks.

Every wrong function must fail; at least 90% must get the right named mistake (the rate is printed), the
rest a hint; every right function, in whatever style, must pass, also on float32 inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from mistake_corpus import RIGHT, WRONG, Case

import rnnlab
from rnnlab import examples, grading
from rnnlab.grading.messages import likely


def gru_forward(x, h_prev, p):
    """The BPTT notebook's given forward step: h and its cache."""
    v = np.concatenate([h_prev, x], axis=-1)
    r = rnnlab.sigmoid(v @ p.W_r.T + p.b_r)
    z = rnnlab.sigmoid(v @ p.W_z.T + p.b_z)
    v_h = np.concatenate([r * h_prev, x], axis=-1)
    h_tilde = np.tanh(v_h @ p.W_h.T + p.b_h)
    h = z * h_prev + (1 - z) * h_tilde
    return h, {"x": x, "h_prev": h_prev, "v": v, "v_h": v_h, "r": r, "z": z, "h_tilde": h_tilde}


def runs(case: Case, dtype=np.float64) -> list:
    """The check calls of the exercise for ``case``: the worked example, then a hidden test's sizes."""
    rng = np.random.default_rng(7)
    D, H, B = 3, 4, 5

    def arr(*shape):
        return rng.normal(size=shape).astype(dtype)

    if case.check == "rnn":
        ex, p = examples.rnn_3d(), rnnlab.RNNParams.random(D, H, seed=1)
        return [lambda: grading.check_rnn_step(case.fn, ex.x, ex.h_prev, ex.params.W, ex.params.b),
                lambda: grading.check_rnn_step(case.fn, arr(B, D), arr(B, H), p.W, 2 * p.b)]  # fmt: skip
    if case.check == "lstm":
        ex, p = examples.lstm_3d(), rnnlab.LSTMParams.random(D, H, seed=2)
        return [lambda: grading.check_lstm_step(case.fn, ex.x, ex.h_prev, ex.c_prev, ex.params),
                lambda: grading.check_lstm_step(case.fn, arr(B, D), arr(B, H), arr(B, H), p)]  # fmt: skip
    if case.check in ("gru", "gru_new"):
        z = "old" if case.check == "gru" else "new"
        ex, p = examples.gru_3d(), rnnlab.GRUParams.random(D, H, seed=3)
        return [lambda: grading.check_gru_step(case.fn, ex.x, ex.h_prev, ex.params, z_weights=z),
                lambda: grading.check_gru_step(case.fn, arr(B, D), arr(B, H), p, z_weights=z)]  # fmt: skip
    if case.check == "unroll":
        ex, p = examples.rnn_3d(), rnnlab.RNNParams.random(D, H, seed=1)
        return [lambda: grading.check_rnn_unroll(case.fn, arr(12, 3), ex.h_prev, ex.params.W, ex.params.b),
                lambda: grading.check_rnn_unroll(case.fn, arr(6, B, D), arr(B, H), p.W, p.b)]  # fmt: skip
    if case.check == "norms":
        ex, p = examples.rnn_3d(), rnnlab.RNNParams.random(D, H, seed=1)
        return [lambda: grading.check_gradient_norms(case.fn, arr(12, 3), ex.h_prev, ex.params.W, ex.params.b),
                lambda: grading.check_gradient_norms(case.fn, arr(8, D), arr(H), 2 * p.W, p.b)]  # fmt: skip
    p = rnnlab.GRUParams.random(D, H, seed=4)
    p = p.replace(**{name: 2 * value for name, value in p.arrays().items()})
    return [lambda: grading.check_gru_step_backward(case.fn, gru_forward, arr(B, D), arr(B, H), p, arr(B, H))]


def failure(case: Case) -> str | None:
    """The first failing check's message, or None when every check passes."""
    for run in runs(case):
        try:
            run()
        except AssertionError as error:
            return str(error)
    return None


def test_the_corpus_is_large_and_distinct() -> None:
    names = [case.name + case.check for case in WRONG]
    assert len(set(names)) == len(names) >= 40, f"ours {len(set(names))} distinct vs at least 40"


@pytest.mark.parametrize("case", WRONG, ids=lambda case: f"{case.check}-{case.name}")
def test_no_wrong_implementation_passes(case: Case) -> None:
    message = failure(case)
    assert message is not None, f"{case.name} passed every check"
    assert likely.likely_mistake(message), f"{case.name}: no hint at all in {message!r}"


def test_most_wrong_implementations_get_their_mistake_named(capsys) -> None:
    named, wrong = 0, []
    for case in WRONG:
        message = failure(case) or ""
        ours = likely.likely_mistake(message)
        if ours and case.expected.rstrip(".") in ours:
            named += 1
        else:
            wrong.append(f"{case.check}/{case.name}: ours {ours!r} vs expected {case.expected!r}")
    rate = named / len(WRONG)
    with capsys.disabled():
        print(f"\nright named mistake: {named}/{len(WRONG)} = {rate:.1%}")
        for line in wrong:
            print("  ", line)
    assert rate >= 0.9, "\n".join(wrong)


@pytest.mark.parametrize("case", RIGHT, ids=lambda case: f"{case.check}-{case.name}")
def test_right_implementations_in_other_styles_pass(case: Case) -> None:
    for run in runs(case):
        run()


@pytest.mark.parametrize("case", [c for c in RIGHT if c.check in ("rnn", "lstm", "gru")], ids=lambda c: c.name)
def test_right_implementations_pass_on_float32_inputs(case: Case) -> None:
    for run in runs(case, np.float32):
        run()
