"""Crash hints and the GRU convention's diagnosis: what a student whose function stops with an error is told."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab import examples, grading
from rnnlab.grading.messages import texts

RNN = examples.rnn_3d().params
GRU = examples.gru_3d().params
X, H = np.ones((4, 3)), np.ones((4, 3))


def rows_stacked(x, h, W, b):
    return np.tanh(W @ np.concatenate([h, x]) + b)


def batch_not_transposed(x, h, W, b):
    return np.tanh(W @ np.concatenate([h, x], axis=-1) + b)


def misspelled(x, h, W, b):
    v = np.concatenate([h, x], axis=-1)
    return np.tanh(v @ W.T + bais)  # noqa: F821 - the student's typo


def short_input(x, h, W, b):
    return np.tanh(np.concatenate([h, x[:, :2]]) @ W.T + b)


def helper_returns_none(x, h, W, b):
    def pre(v):
        v @ W.T + b  # the return was forgotten

    return np.tanh(pre(np.concatenate([h, x], axis=-1)))


def unpacked(x, h, W, b):
    W_h, W_x, extra = np.split(W, 2, axis=1)
    return np.tanh(h @ W_h.T + x @ W_x.T + b)


def indexed(x, h, W, b):
    return np.tanh(np.array([W[j] @ np.concatenate([h[j], x[j]]) for j in range(5)]) + b)


def unbound(x, h, W, b):
    if x.ndim == 1:
        v = np.concatenate([h, x])
    return np.tanh(v @ W.T + b)


def attribute(x, h, W, b):
    return np.tanh(np.concatenate([h, x], axis=-1) @ W.T + b.bias)


def reused_name(x, h, W, b):
    tanh = np.tanh(np.concatenate([h, x], axis=-1) @ W.T + b)
    return tanh(tanh)


def concatenate_two_arguments(x, h, W, b):
    return np.tanh(np.concatenate(h, x) @ W.T + b)


def relu_with_if(x, h, W, b):
    a = np.concatenate([h, x], axis=-1) @ W.T + b
    return a if a > 0 else 0 * a


def preallocated(x, h, W, b):
    out = np.zeros(W.shape[0])
    out[:] = np.tanh(np.concatenate([h, x], axis=-1) @ W.T + b)
    return out


def list_arithmetic(x, h, W, b):
    return np.tanh(list(np.concatenate([h, x], axis=-1) @ W.T) + b.tolist() * 0.5)


def cache_key(x, h, W, b):
    cache = {"v": np.concatenate([h, x], axis=-1)}
    return np.tanh(cache["concat"] @ W.T + b)


CRASHES = {
    rows_stacked: texts.CRASH_MATMUL,
    batch_not_transposed: texts.CRASH_MATMUL,
    misspelled: texts.CRASH_NAME,
    short_input: texts.CRASH_CONCATENATE,
    helper_returns_none: texts.CRASH_NONE,
    unpacked: texts.CRASH_UNPACK,
    indexed: texts.CRASH_INDEX,
    unbound: texts.CRASH_UNBOUND,
    attribute: texts.CRASH_ATTRIBUTE,
    reused_name: texts.CRASH_NOT_CALLABLE,
    concatenate_two_arguments: texts.CRASH_ARGUMENTS,
    relu_with_if: texts.CRASH_TRUTH,
    preallocated: texts.CRASH_ASSIGN,
    list_arithmetic: texts.CRASH_SEQUENCE,
    cache_key: texts.CRASH_KEY,
}


@pytest.mark.parametrize("fn", list(CRASHES), ids=lambda fn: fn.__name__)
def test_a_common_crash_names_the_line_and_the_fix(fn) -> None:
    with pytest.raises(AssertionError) as raised:
        grading.check_rnn_step(fn, X, H, RNN.W, RNN.b)
    ours = str(raised.value)
    reference = f"{fn.__name__} stopped with an error at line "
    assert ours.startswith(reference) and ours.endswith(f"Likely mistake: {CRASHES[fn]}"), (
        f"ours {ours!r} vs reference {reference}... {CRASHES[fn]}"
    )
    assert raised.value.__cause__ is not None, "the student's own error must stay chained to the hint"


def test_the_line_is_the_one_that_raised() -> None:
    with pytest.raises(AssertionError) as raised:
        grading.check_rnn_step(misspelled, X, H, RNN.W, RNN.b)
    expected = misspelled.__code__.co_firstlineno + 2
    assert f"at line {expected} of its cell" in str(raised.value), f"ours {raised.value} vs reference line {expected}"


def test_other_errors_propagate_unchanged() -> None:
    def fails(x, h, W, b):
        raise RuntimeError("mine")

    with pytest.raises(RuntimeError, match="mine"):
        grading.check_rnn_step(fails, X, H, RNN.W, RNN.b)


def gru_step_always(convention: str):
    """A student's gru_step that ignores its z_weights argument and always computes ``convention``."""

    def gru_step(x, h_prev, p, z_weights="old"):
        sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
        v = np.concatenate([h_prev, x], axis=-1)
        r, z = sig(v @ p.W_r.T + p.b_r), sig(v @ p.W_z.T + p.b_z)
        h_tilde = np.tanh(np.concatenate([r * h_prev, x], axis=-1) @ p.W_h.T + p.b_h)
        keep = z if convention == "old" else 1 - z
        return keep * h_prev + (1 - keep) * h_tilde

    return gru_step


@pytest.mark.parametrize("asked", ["old", "new"])
def test_ignoring_z_weights_is_told_what_was_asked(asked: str) -> None:
    """Checked under the convention it does not compute, the message names the one the test asked for."""
    computed = "new" if asked == "old" else "old"
    ex = examples.gru_3d()
    grading.check_gru_step(gru_step_always(asked), ex.x, ex.h_prev, GRU, z_weights=asked)  # it is a right GRU
    with pytest.raises(AssertionError) as raised:
        grading.check_gru_step(gru_step_always(computed), ex.x, ex.h_prev, GRU, z_weights=asked)
    ours = str(raised.value)
    reference = f"with z_weights={asked!r}"
    assert "Likely mistake: the other z convention" in ours and reference in ours, f"ours {ours!r} vs {reference}"
    assert f"z_weights={computed!r} one" in ours and "this exercise uses" not in ours, f"ours {ours!r}"
