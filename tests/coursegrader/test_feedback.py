"""Feedback that cannot carry hidden tests out: the message grammar, the pages, and ``coursegrader feedback``.

- The grammar (:mod:`rnnlab.grading.messages`): every message the checks write, called in-process with
  wrong answers, parses and re-renders to itself or to its documented normalisation; messages with free
  text do not parse, or lose the free text; the channel that remains is bounded.
- Pages (:mod:`coursegrader.feedback`) of synthetic autograded notebooks of rnn_step: hidden lines in any
  encoding, in any output from the first hidden test on, never reach the page, while honest failures keep
  their message (expected, received, likely mistake). No kernel: the "autograded" notebooks are built here,
  the honest one by running the notebook's cells in this process.
- The command (:mod:`coursegrader.feedback_command`) on a synthetic course.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import io
import re
import shutil
import sys
import warnings
import zlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import ROOT
from nbformat.v4 import new_output

import rnnlab
from coursegrader import feedback_command
from coursegrader.course import Course
from coursegrader.feedback import (
    FeedbackWriter,
)
from coursegrader.hiding import (
    AFTER_HIDDEN,
    EXPLANATIONS,
    NOTE,
    PASSED,
    UNREADABLE,
    failure_text,
    first_hidden_cell,
    hide,
    note_output,
    trusted_sources,
)
from coursegrader.leaks import (
    find_leaks,
    hidden_lines,
    html_text,
)
from coursegrader.register import register
from coursegrader.report import diagnosed_mistakes
from rnnlab import grading
from rnnlab.grading import messages

ASSIGNMENT = "rnn_step"
SOLUTION = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))

# --- the checks, called in-process with wrong answers -------------------------------------------------------

RNG = np.random.default_rng(0)
X, H_PREV, C_PREV = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 5)), RNG.normal(size=(4, 5))
RNN = rnnlab.RNNParams.random(3, 5, seed=1)
LSTM = rnnlab.LSTMParams.random(3, 5, seed=2)
GRU = rnnlab.GRUParams.random(3, 5, seed=3)
XS = RNG.normal(size=(6, 3))
DH = RNG.normal(size=(4, 5))


def cat(a, b):
    return np.concatenate([a, b], axis=-1)


def rnn_step(x, h, W, b):
    return np.tanh(cat(h, x) @ W.T + b)


def rnn_sigmoid(x, h, W, b):
    return rnnlab.sigmoid(cat(h, x) @ W.T + b)


def rnn_linear(x, h, W, b):
    return cat(h, x) @ W.T + b


def rnn_xh(x, h, W, b):
    return np.tanh(cat(x, h) @ W.T + b)


def rnn_no_bias(x, h, W, b):
    return np.tanh(cat(h, x) @ W.T)


def rnn_transposed(x, h, W, b):
    H = h.shape[-1]
    return np.tanh(h @ W[:, :H] + x @ W[:, H:].T + b)


def rnn_reference(x, h, W, b):
    return rnnlab.rnn_step(x, h, rnnlab.RNNParams(W, b)).h


def rnn_profiler(x, h, W, b):
    sys.setprofile(None)
    return rnn_step(x, h, W, b)


def lstm_step(x, h, c_prev, p, swap=False):
    gate, squash = (np.tanh, rnnlab.sigmoid) if swap else (rnnlab.sigmoid, np.tanh)
    f, i, o = (gate(cat(h, x) @ W.T + b) for W, b in ((p.W_f, p.b_f), (p.W_i, p.b_i), (p.W_o, p.b_o)))
    c = f * c_prev + i * squash(cat(h, x) @ p.W_c.T + p.b_c)
    return o * squash(c), c


def gru_step(x, h, p, z_weights="old", flip=False):
    r = rnnlab.sigmoid(cat(h, x) @ p.W_r.T + p.b_r)
    z = rnnlab.sigmoid(cat(h, x) @ p.W_z.T + p.b_z)
    h_tilde = np.tanh(cat(r * h, x) @ p.W_h.T + p.b_h)
    keep = z if (z_weights == "old") != flip else 1 - z
    return keep * h + (1 - keep) * h_tilde


def rnn_unroll(xs, h0, W, b, carry=True):
    hs, h = [], h0
    for x in xs:
        h = rnn_sigmoid(x, h if carry else h0, W, b)
        hs.append(h)
    return np.stack(hs)


def gradient_norms(xs, h0, W, b):
    H = len(h0)
    g, out = np.ones(H), [np.sqrt(H)]
    for _ in range(len(xs) - 1):
        g = W[:, :H].T @ g  # the tanh derivative left out
        out.append(np.linalg.norm(g))
    return np.array(out[::-1])


def gru_forward_step(x, h_prev, p):
    return gru_step(x, h_prev, p), {"x": x, "h_prev": h_prev}


def step_backward(x, h_prev, p, dh, z_sign=False):
    """One GRU step's backward pass, written out; ``z_sign`` flips the sign of dz (a common slip)."""
    H, sig = p.hidden_size, rnnlab.sigmoid
    v = np.concatenate([h_prev, x], axis=-1)
    r, z = sig(v @ p.W_r.T + p.b_r), sig(v @ p.W_z.T + p.b_z)
    v_h = np.concatenate([r * h_prev, x], axis=-1)
    h_tilde = np.tanh(v_h @ p.W_h.T + p.b_h)
    dz = dh * (h_prev - h_tilde) * (-1.0 if z_sign else 1.0)
    da_h = dh * (1 - z) * (1 - h_tilde**2)
    dv_h = da_h @ p.W_h
    da_z, da_r = dz * z * (1 - z), dv_h[:, :H] * h_prev * r * (1 - r)
    dv = da_z @ p.W_z + da_r @ p.W_r
    return {
        "W_r": da_r.T @ v, "b_r": da_r.sum(axis=0), "W_z": da_z.T @ v, "b_z": da_z.sum(axis=0),
        "W_h": da_h.T @ v_h, "b_h": da_h.sum(axis=0), "x": dv_h[:, H:] + dv[:, H:],
        "h_prev": dh * z + dv_h[:, :H] * r + dv[:, :H],
    }  # fmt: skip


def backward_with(**slip):
    return lambda dh, cache, p: step_backward(cache["x"], cache["h_prev"], p, dh, **slip)


def train_gru(xs, ys):
    return GRU, np.zeros(5), -1.0


def rnn_plus(x, h, W, b):
    return rnn_step(x, h, W, b) + 0.1


def rnn_swapped_axes(x, h, W, b):
    return rnn_step(x, h, W, b).T


def rnn_flat(x, h, W, b):
    return rnn_step(x, h, W, b).ravel()


def rnn_first_row(x, h, W, b):
    return rnn_step(x, h, W, b)[0]


def rnn_with_input(x, h, W, b):
    return cat(h, rnn_step(x, h, W, b))


def rnn_three_rows(x, h, W, b):
    return rnn_step(x, h, W, b)[:3]


def rnn_rows_concatenated(x, h, W, b):
    return np.tanh(np.concatenate([h, x]) @ W.T + b)  # no axis=-1: a batch's h and x stacked as rows


def rnn_misspelled(x, h, W, b):
    return np.tanh(cat(h, x) @ W.T + bias)  # noqa: F821 - the misspelled name is the mistake


def rnn_none_helper(x, h, W, b):
    a = None  # a helper that forgot to return
    return np.tanh(a @ W.T + b)


def lstm_swapped(x, h, c, p):
    return lstm_step(x, h, c, p, swap=True)


def lstm_h_only(x, h, c, p):
    return lstm_step(x, h, c, p)[0]


def lstm_c_text(x, h, c, p):
    return lstm_step(x, h, c, p)[0], "c"


def gru_flipped(x, h, p, z_weights="old"):
    return gru_step(x, h, p, z_weights, flip=True)


def unroll_not_carried(xs, h0, W, b):
    return rnn_unroll(xs, h0, W, b, carry=False)


def backward_list(dh, cache, p):
    return [1.0]


def backward_one_key(dh, cache, p):
    return {"W_r": 1.0}


def backward_none(dh, cache, p):
    return {**backward_with()(dh, cache, p), "W_z": None}


def train_pair(xs, ys):
    return 1, 2


def train_short(xs, ys):
    return GRU, np.zeros(2), 0.0


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = None


class FloatLike(float):
    def __repr__(self):
        return "FloatLike(a student's text)"


NAMESPACE = {name: value for name, value in globals().items() if not name.startswith("__")}


@dataclass(frozen=True)
class Case:
    """A test cell's code that makes a check fail, and how its message is normalised for the feedback."""

    id: str
    code: str
    replaced: dict[str, str] = field(default_factory=dict)  # raw text -> what the page shows


def step(fn: str, x: str = "X, H_PREV") -> Case:
    return Case(fn, f"grading.check_rnn_step({fn}, {x}, RNN.W, RNN.b)")


def backward(fn: str) -> Case:
    return Case(fn, f"grading.check_gru_step_backward({fn}, gru_forward_step, X, H_PREV, GRU, DH)")


def train(fn: str) -> Case:
    return Case(fn, f"grading.check_accuracy({fn}, XS[:, None], [1.0], XS[:, None], [1.0], at_least=0.9)")


UNKNOWN = {"an object of type AlwaysEqual": messages.UNKNOWN_TYPE}
CASES = [
    *(step(fn) for fn in ["rnn_sigmoid", "rnn_linear", "rnn_xh", "rnn_no_bias", "rnn_transposed", "rnn_plus"]),
    *(step(fn) for fn in ["rnn_swapped_axes", "rnn_flat", "rnn_first_row", "rnn_with_input", "rnn_three_rows"]),
    step("rnn_reference"),
    step("rnn_profiler"),
    *(step(fn) for fn in ["rnn_rows_concatenated", "rnn_misspelled", "rnn_none_helper"]),
    Case("one vector", "grading.check_rnn_step(rnn_sigmoid, X[0], H_PREV[0], RNN.W, RNN.b)"),
    Case("lstm swapped", "grading.check_lstm_step(lstm_swapped, X, H_PREV, C_PREV, LSTM)"),
    Case("lstm one result", "grading.check_lstm_step(lstm_h_only, X, H_PREV, C_PREV, LSTM)"),
    Case("lstm a string", "grading.check_lstm_step(lstm_c_text, X, H_PREV, C_PREV, LSTM)"),
    Case("gru old", "grading.check_gru_step(gru_flipped, X, H_PREV, GRU)"),
    Case("gru new", "grading.check_gru_step(gru_flipped, X, H_PREV, GRU, z_weights='new')"),
    Case("unroll inside the step", "grading.check_rnn_unroll(rnn_unroll, XS, H_PREV[0], RNN.W, RNN.b)"),
    Case("unroll not carried", "grading.check_rnn_unroll(unroll_not_carried, XS, H_PREV[0], RNN.W, RNN.b)"),
    Case("gradient norms", "grading.check_gradient_norms(gradient_norms, XS, H_PREV[0], RNN.W, RNN.b)"),
    Case("by hand", "grading.check_by_hand('h_by_hand', [0.46, 0.5, 0.38], 'rnn', 'h')"),
    Case("by hand unanswered", "grading.check_by_hand('a_by_hand', [..., ..., ...], 'rnn', 'a')"),
    Case("by hand wrong cell", "grading.check_by_hand('a_by_hand', [1.0], 'cnn', 'a')", {"'cnn'": "another value"}),
    Case("close scalar", "grading.check_close('lstm_param_count(3, 3)', 5, 7)"),
    Case("close big array", "grading.check_close('h', np.zeros(30), np.ones(30))"),
    Case("close own diagnosis", "grading.check_close('h', [1, 2], [1, 3], diagnose={'a slip of this test': [1, 2]})"),
    Case("close f-string name", "for D, H in [(3, 3), (10, 2)]:\n"
                                "    grading.check_close(f'lstm_param_count({D}, {H})', D * H, 4 * H * (D + H + 1))"),
    Case("not finite", "grading.check_close('h', [1.0, np.nan], [1.0, 2.0])"),
    Case("ragged", "grading.check_close('h', [[1.0, 2.0], [3.0]], [1.0, 2.0])"),
    Case("object array", "grading.check_close('h', np.array([AlwaysEqual()] * 3, dtype=object), [1.0, 2.0, 3.0])"),
    Case("bool array", "grading.check_close('h', np.array([True, False]), [1.0, 2.0])"),
    Case("text array", "grading.check_close('h', np.array(['0.5', '1']), [1.0, 2.0])"),
    Case("complex array", "grading.check_close('h', np.array([1j, 2.0]), [1.0, 2.0])"),
    Case("boolean", "grading.check_close('h', True, 1.0)"),
    Case("numpy boolean", "grading.check_close('h', np.True_, 1.0)"),
    Case("nested too deeply", "grading.check_close('h', [[[[[[1.0]]]]]], [1.0])"),
    Case("float look-alike", "grading.check_close('h', [FloatLike(1.0), 2.0], [1.0, 2.0])",
         {"(FloatLike(a student's text))": "(its value is in your notebook)",
          "an object of type FloatLike": messages.UNKNOWN_TYPE}),
    Case("fraction", "grading.check_close('h', Fraction(1, 2), 0.5)",
         {"(Fraction(1, 2))": "(its value is in your notebook)"}),
    Case("complex number", "grading.check_close('h', 1j, 0.5)", {"(1j)": "(its value is in your notebook)"}),
    Case("custom object", "grading.check_close('h', AlwaysEqual(), [1.0])", UNKNOWN),
    Case("none", "grading.check_close('h', None, [1.0])"),
    Case("string", "grading.check_close('h', '0.5', [1.0])"),
    Case("positive", "grading.check_array('time_forward(...)', [1.0, -2.0, 3.0], (3,), positive=True)"),
    Case("positive f-string name", "kind, repeats = 'lstm', 3\n"
                                   "grading.check_array(f'time_forward({kind!r}, ..., repeats={repeats})', "
                                   "[1.0, 0.0, 3.0], (repeats,), positive=True)"),
    Case("array shape", "grading.check_array('max_gradcheck_error(...)', [1.0, 2.0], ())"),
    Case("choice unanswered", "grading.check_choice('answer_shrink', ..., 'ABCD')"),
    Case("choice type", "grading.check_choice('answer_shrink', 3, 'ABCD')"),
    Case("choice form", "grading.check_choice('answer_shrink', 'b or c', 'ABCD')",
         {"'b or c'": "a different answer (your notebook shows it)"}),
    Case("choice wrong", "grading.check_choice('answer_shrink', 'c', 'ABCD', expected='B')"),
    *(backward(fn) for fn in ["backward_list", "backward_one_key", "backward_none", "backward_with(z_sign=True)"]),
    *(train(fn) for fn in ["train_pair", "train_short", "train_gru"]),
    Case("not callable", "grading.call_student(3)", {"(3)": "(its value is in your notebook)"}),
    Case("call student item", "grading.call_student(lambda: (1.0, 'x'))"),
    Case("tampering", "original = np.isclose\nnp.isclose = lambda *a, **k: True\ntry:\n"
                      "    grading.check_close('h', [1.0], [1.0])\nfinally:\n    np.isclose = original"),
    Case("clip each array", "def clip_by_global_norm(grads, max_norm):\n"
                            "    return {k: g * min(1, max_norm / np.linalg.norm(g)) for k, g in grads.items()}, "
                            "np.sqrt(sum(np.sum(g**2) for g in grads.values()))\n"
                            "grading.check_clip_by_global_norm(clip_by_global_norm, *grading.clip_example())"),
    Case("clip returns the scale", "def clip_by_global_norm(grads, max_norm):\n    return 0.5, 1.0\n"
                                   "grading.check_clip_by_global_norm(clip_by_global_norm, *grading.clip_example())"),
    Case("clip by hand", "grading.check_clip_by_hand('norm_by_hand', 10.25, 'norm')"),
    Case("clipped run", "def clip_by_global_norm(grads, max_norm):\n    return grads, 1.0\n"
                        "grading.check_clipped_run(clip_by_global_norm, 1.0)"),
    Case("softmax overflows", "def softmax_with_temperature(logits, temperature):\n"
                              "    with np.errstate(all='ignore'):\n"
                              "        e = np.exp(logits / temperature)\n        return e / e.sum()\n"
                              "grading.check_softmax_with_temperature(softmax_with_temperature, [1000.0, 999.0], 1.0)"),
    Case("sample >=", "def sample_next(logits, temperature, u):\n    return 0\n"
                      "grading.check_sample_next(sample_next, np.zeros(4), 1.0, [0.0, 0.25, 0.5])"),
    Case("test cell's own assert", "error = 0.5\n"
                                   "assert error < 1e-6, f'max_gradcheck_error: expected a relative error below 1e-6, "
                                   "received {float(error):.3g}'"),
]  # fmt: skip
DROPPED = re.compile(r"^  (?:(?:expected|received) .+ = \[.*\]|these entries are right: .*)$")


def raised(code: str) -> BaseException:
    """The exception ``code`` raises, run like a test cell."""
    namespace = dict(NAMESPACE, np=np, rnnlab=rnnlab, grading=grading, sys=sys, Fraction=Fraction)
    try:
        exec(compile(code, "<test cell>", "exec"), namespace)
    except BaseException as error:  # noqa: BLE001 - whatever the check raises is what we look at
        return error
    raise AssertionError(f"the test code did not fail:\n{code}")


def normalised(raw: str, replaced: dict[str, str]) -> str:
    """What the page must show for ``raw``: the documented normalisations, written out independently."""
    text = "\n".join(line for line in raw.split("\n") if not DROPPED.match(line))
    for before, after in replaced.items():
        assert before in text, f"the case expects {before!r} in the message:\n{text}"
        text = text.replace(before, after)
    return text


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_message_of_the_checks_parses_and_renders_back(case: Case) -> None:
    error = raised(case.code)
    raw = str(error)
    allowed = messages.Allowed.from_source(case.code)
    parsed = messages.parse(raw, allowed)
    ours = None if parsed is None else messages.render(parsed)
    reference = normalised(raw, case.replaced)
    assert ours == reference, f"ours {ours!r}\nvs reference {reference!r}\n(raw {raw!r})"
    assert parsed.error in (None, type(error).__name__), f"ours {parsed.error} vs reference {type(error).__name__}"
    shown = failure_text(type(error).__name__, raw, allowed)
    assert shown == (type(error).__name__, reference), f"ours {shown} vs reference {(type(error).__name__, reference)}"


def test_every_template_is_exercised_by_a_case() -> None:
    used = set()
    for case in CASES:
        raw = str(raised(case.code))
        parsed = messages.parse(raw, messages.Allowed.from_source(case.code))
        used |= {part.template.key for part in parsed.parts} if parsed else set()
        used |= {"dump_expected", "dump_received"} if "\n  expected " in raw and " = [" in raw else set()
        used |= {"right_entries"} if "these entries are right" in raw else set()
    missing = sorted(set(messages.TEMPLATES) - used - {"source"})
    assert not missing, f"ours: templates no case produces {missing} vs reference: none"


def test_free_text_in_messages_is_replaced_by_fixed_phrases() -> None:
    """An unknown type's name, a dtype outside numpy's names and reprs are never re-rendered."""
    allowed = messages.Allowed.from_source("grading.check_close('h', x, y)")
    secret = "for seed in range(6): leak()"
    for text in (
        f"h: expected a numpy array of real numbers (or a list of numbers), received an object of type {secret}. "
        "Return the numbers themselves, e.g. the result of np.tanh(...), not a custom object.",
        f"h: expected an array of real numbers, received an array of shape (3,) and dtype {secret[:30]}",
        f"h: expected a real number, received an object of type complex ({secret}); use float values",
    ):
        parsed = messages.parse(text, allowed)
        ours = None if parsed is None else messages.render(parsed)
        assert ours is not None and secret[:12] not in ours, f"ours {ours!r} vs reference: parsed, without the text"


HIDDEN = hidden_lines([SOLUTION]) if SOLUTION.exists() else []
CODE = [c.source for c in nbformat.read(SOLUTION, as_version=4).cells if c.cell_type == "code"] if HIDDEN else []
SOURCE = "\n".join([*CODE, "f'lstm_param_count({D}, {H})'"])  # and an f-string name, as lstm_vs_gru has
SIGMOID = "in the new state h (eq. 1), tanh was replaced by sigmoid"  # a sigmoid where the RNN's tanh belongs
WRONG = (
    "entry [0] of h returned by rnn_step is wrong (3 of 3 entries differ; allowed difference 1e-08).\n"
    "  expected 0.5, received 0.3\n"
    f"Likely mistake: {SIGMOID}."
)


def rejected_texts(secret: str) -> dict[str, str]:
    """Messages forged to carry ``secret``: each must not parse."""
    b64 = base64.b64encode(secret.encode()).decode()
    return {
        "as a name": f"{secret}: not answered yet; replace every ... by your answer",
        "as a mistake": WRONG.replace(SIGMOID, secret),
        "as a shape hint": "h returned by rnn_step: expected shape (4, 5), received shape (5, 4). Likely mistake: "
        + secret,
        "as an extra line": WRONG + "\n" + secret,
        "inside a line": WRONG.replace("received 0.3", f"received 0.3 {secret}"),
        "in base64 as a number": WRONG.replace("0.3", b64),
        "as a reference function": f"implement it yourself; rnnlab.cells.{b64[:40]} was called. This exercise "
        "checks your own numpy code, so it may not call rnnlab's reference implementation (rnnlab.sigmoid, "
        "rnnlab.tanh and the params objects are fine).",
        "as a replaced function": f"these functions were replaced in this notebook: np.isclose, {secret}. The "
        "checks need the original numpy and rnnlab.grading; restart the kernel and run the notebook without "
        "changing them.",
        "as choices": f"answer_shrink: expected one letter out of 'Z', 'Q', received {secret!r}",
        "in an f-string's field": f"lstm_param_count({b64[:8]}, 3) is wrong (1 of 1 entries differ; allowed "
        "difference 1e-06).\n  expected 7, received 5",
        "as a long message": WRONG + "\n" * 5000,
    }


@pytest.mark.skipif(not SOLUTION.exists(), reason="solutions/ is kept in the private repository")
@pytest.mark.parametrize("how", sorted(rejected_texts("x")))
def test_messages_carrying_hidden_lines_do_not_parse(how: str) -> None:
    allowed = messages.Allowed.from_source(SOURCE)
    assert messages.parse(WRONG, allowed) is not None, "the forged messages start from one that parses"
    for secret in HIDDEN:
        text = rejected_texts(secret)[how]
        parsed = messages.parse(text, allowed)
        ours = None if parsed is None else messages.render(parsed)
        assert ours is None, f"{how}: ours {ours!r} vs reference None"


def test_numbers_are_re_rendered_with_bounded_digits() -> None:
    allowed = messages.Allowed.from_source("")
    text = WRONG.replace("0.5", "3.14159265358979323").replace("h returned by rnn_step", "hs returned by rnn_unroll")
    ours = messages.render(messages.parse(text, allowed))
    reference = WRONG.replace("0.5", "3.14159").replace("h returned by rnn_step", "hs returned by rnn_unroll")
    assert ours == reference, f"ours {ours!r} vs reference {reference!r}"


@pytest.mark.skipif(not SOLUTIONS, reason="solutions/ is kept in the private repository")
def test_the_channel_left_is_bounded_for_every_test_cell_of_the_course() -> None:
    bits = {}
    for path in SOLUTIONS:
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                bits[f"{path.stem}/{meta['grade_id']}"] = messages.channel_bits(
                    messages.Allowed.from_source(cell.source)
                )
    worst = max(bits, key=bits.get)
    bound = messages.MAX_CHANNEL_BITS
    assert bits[worst] <= bound, f"ours {worst}: {bits[worst]:.0f} bits vs reference at most {bound}"
    assert f"``MAX_CHANNEL_BITS`` = {messages.MAX_CHANNEL_BITS} bits" in messages.__doc__, "document the bound"


def test_report_reads_likely_mistakes_through_the_same_module(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("grading.check_rnn_step(...)")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "rnn_step_example", "solution": False, "points": 2}
    cell.outputs = [new_output("error", ename="AssertionError", evalue=WRONG, traceback=[])]
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "nb.ipynb")
    ours = diagnosed_mistakes(tmp_path / "nb.ipynb")
    assert ours == [f"rnn_step_example: {SIGMOID}"], f"ours {ours} vs reference the mistake"
    assert messages.diagnosis(WRONG.replace(SIGMOID, messages.NO_DIAGNOSIS_TEXT)) is None


# --- pages -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """A throw-away course with rnn_step registered in its gradebook."""
    if not SOLUTION.exists():
        pytest.skip("solutions/ is kept in the private repository; these tests need rnn_step's hidden tests")
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    if (ROOT / "nbgrader_config.py").exists():
        shutil.copyfile(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root)
    register(course, ASSIGNMENT)
    return course


@pytest.fixture(scope="module")
def writer(course: Course) -> FeedbackWriter:
    return FeedbackWriter(course.nbgrader_config())


def add_student(course: Course, student: str, comment: str | None = None) -> None:
    """A submission in the gradebook (scores and comments for the page), as the pipeline leaves it."""
    from sqlalchemy.exc import SAWarning

    with course.open_gradebook() as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's own add_submission triggers it
        gradebook.update_or_create_student(student)
        gradebook.add_submission(ASSIGNMENT, student)
        gradebook.find_grade("rnn_step_batch", ASSIGNMENT, ASSIGNMENT, student).auto_score = 2.0
        if comment:
            gradebook.find_comment("rnn_step_answer", ASSIGNMENT, ASSIGNMENT, student).manual_comment = comment
        gradebook.db.commit()


def cells_by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells if "nbgrader" in cell.metadata}


SIGMOID_STEP = (
    "def rnn_step(x, h_prev, W, b):\n    return rnnlab.sigmoid(np.concatenate([h_prev, x], axis=-1) @ W.T + b)"
)
BEFORE = "the student printed this before any hidden test"


def honest_autograded() -> nbformat.NotebookNode:
    """rnn_step as autograde leaves it for a student with a sigmoid step and a wrong choice: run here, cell by cell.

    The test cells hold their hidden tests (as nbgrader restores them); each error output carries an
    IPython-like traceback that quotes the cell's source, hidden lines included.
    """
    nb = nbformat.read(SOLUTION, as_version=4)
    cells = cells_by_id(nb)
    cells["rnn_step_answer"].source = SIGMOID_STEP
    cells["answer_shrink_answer"].source = "answer_shrink = 'C'"
    cells["rnn_by_hand_answer"].source += f"\nprint({BEFORE!r})"
    cells["gradient_norms_answer"].source = "def gradient_norms(xs, h0, W, b):\n    raise NotImplementedError()"
    namespace: dict = {}
    with np.printoptions():
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(printed):
                    exec(compile(cell.source, "<cell>", "exec"), namespace)
                error = None
            except Exception as raised_error:  # noqa: BLE001 - recorded as the cell's error output
                error = raised_error
            cell.outputs = [new_output("stream", name="stdout", text=printed.getvalue())] if printed.getvalue() else []
            if error is not None:
                name = type(error).__name__
                traceback = ["Traceback (most recent call last)", *cell.source.splitlines(), f"{name}: {error}"]
                cell.outputs.append(new_output("error", ename=name, evalue=str(error), traceback=traceback))
    return nb


def page_of(nb: nbformat.NotebookNode, writer: FeedbackWriter, course: Course, student: str) -> str:
    path = course.autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return writer.render(path, student=student, assignment=ASSIGNMENT, db_url=course.db_url)


def test_the_boundary_is_the_first_cell_with_hidden_tests(course: Course) -> None:
    nb = nbformat.read(SOLUTION, as_version=4)
    sources = trusted_sources(course.db_url, ASSIGNMENT, ASSIGNMENT)
    ours = first_hidden_cell(nb, sources)
    reference = [
        k for k, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "rnn_step_example"
    ]
    assert [ours] == reference, f"ours {ours} vs reference {reference}"
    for cell in nb.cells:  # the notebook lost its hidden regions: the gradebook still knows where they are
        cell.source = cell.source.replace("BEGIN HIDDEN", "begin")
    assert first_hidden_cell(nb, sources) == reference[0]
    assert first_hidden_cell(nb, {"elsewhere": "### BEGIN HIDDEN TESTS\n"}) == 0, "unknown position: show nothing raw"


def test_honest_failures_keep_their_message_after_the_boundary(course: Course, writer: FeedbackWriter) -> None:
    add_student(course, "honest", comment="Nice work on part A.")
    nb = honest_autograded()
    raw = {
        gid: [o.evalue for o in c.get("outputs", []) if o.output_type == "error"] for gid, c in cells_by_id(nb).items()
    }
    page = page_of(nb, writer, course, "honest")
    text = html_text(page)
    expected_lines = [line for line in raw["rnn_step_example"][0].splitlines() if not DROPPED.match(line)]
    assert expected_lines[-1] == f"Likely mistake: {SIGMOID}.", raw["rnn_step_example"]
    for line in [*expected_lines, BEFORE, f"Likely mistake: inside the step: {SIGMOID}.",
                 "answer_shrink: 'C' is not the right answer; reread the question and the hint above it",
                 EXPLANATIONS["NotImplementedError"], "Nice work on part A.", NOTE, AFTER_HIDDEN]:  # fmt: skip
        assert line in text, f"ours: the page lacks {line!r} vs reference: it shows it"
    assert "  expected h returned by rnn_step = " not in text, "the array dumps are left out"
    leaks = find_leaks(page, HIDDEN)
    assert leaks == [], f"ours {leaks} vs reference []"


def encodings(line: str) -> dict[str, str]:
    data = line.encode()
    return {
        "plain": line,
        "base64": base64.b64encode(data).decode(),
        "hex": data.hex(),
        "rot13": codecs.encode(line, "rot13"),
        "zlib+base64": base64.b64encode(zlib.compress(data)).decode(),
        "reversed": line[::-1],
        "char codes": ",".join(str(ord(c)) for c in line),
        "html entities": "".join(f"&#{ord(c)};" for c in line),
    }


MARK = "ZQXLEAK"


def forged_outputs(secret: str) -> list[nbformat.NotebookNode]:
    """Every kind of output, each carrying ``secret`` in every encoding (and split across outputs)."""
    outputs = []
    half = len(secret) // 2
    outputs += [new_output("stream", name="stdout", text=f"{MARK}{secret[:half]}"),
                new_output("stream", name="stdout", text=f"{secret[half:]}\n")]  # fmt: skip
    for how, payload in encodings(secret).items():
        tagged = f"{MARK} {how}: {payload}"
        outputs += [
            new_output("stream", name="stdout", text=tagged + "\n"),
            new_output("stream", name="stderr", text=tagged + "\n"),
            new_output("execute_result", data={"text/plain": tagged}, execution_count=7),
            new_output("display_data", data={"text/html": f"<b>{tagged}</b>", "text/markdown": tagged,
                                             "text/latex": tagged, "application/json": {"x": tagged},
                                             "image/svg+xml": f"<svg><text>{tagged}</text></svg>"}),
            new_output("display_data", data={"image/png": base64.b64encode(tagged.encode()).decode()},
                       metadata={"image/png": {"alt": tagged}}),
            new_output("error", ename="AssertionError", evalue=f"h returned by rnn_step: {tagged}",
                       traceback=[tagged]),
            new_output("error", ename=f"{MARK}Error", evalue=tagged, traceback=[tagged]),
            new_output("error", ename="AssertionError", traceback=[tagged],
                       evalue=f"answer_shrink: expected one letter out of 'A', 'B', 'C', 'D', received {tagged!r}"),
        ]  # fmt: skip
    return outputs


def test_hidden_lines_in_any_encoding_never_reach_the_page(course: Course, writer: FeedbackWriter) -> None:
    add_student(course, "forger")
    nb = honest_autograded()
    boundary = first_hidden_cell(nb, trusted_sources(course.db_url, ASSIGNMENT, ASSIGNMENT))
    secrets = HIDDEN
    for cell in nb.cells[boundary:]:
        if cell.cell_type == "code":
            cell.outputs = [output for secret in secrets for output in forged_outputs(secret)]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": f"{MARK} {secrets[0]}"}}}
    page = page_of(nb, writer, course, "forger")
    views = {"raw page": page, "page text": html_text(page)}
    found = [
        f"{secret!r} {how} in the {where}"
        for secret in secrets
        for how, payload in encodings(secret).items()
        for where, view in views.items()
        if payload in view
    ]
    assert found == [], f"ours {found} vs reference []"
    assert MARK not in page, "ours: an output written after the hidden tests reached the page vs reference: none"
    assert find_leaks(page, HIDDEN) == [], f"ours {find_leaks(page, HIDDEN)} vs reference []"
    assert BEFORE in page, "outputs before the first hidden test are still shown"


def test_after_the_boundary_every_output_is_the_graders(course: Course) -> None:
    nb = honest_autograded()
    sources = trusted_sources(course.db_url, ASSIGNMENT, ASSIGNMENT)
    boundary = first_hidden_cell(nb, sources)
    for cell in nb.cells[boundary:]:
        if cell.cell_type == "code":
            cell.outputs = forged_outputs(HIDDEN[0])
    hide(nb, sources)
    ours = []
    for cell in nb.cells[boundary:]:
        if cell.cell_type != "code":
            continue
        test = cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata["nbgrader"].get("solution")
        reference = [new_output("error", ename="AssertionError", evalue=UNREADABLE,
                                traceback=[f"AssertionError: {UNREADABLE}"])] if test else [note_output()]  # fmt: skip
        if cell.outputs != reference or cell.execution_count is not None:
            ours.append((cell.metadata.get("nbgrader", {}).get("grade_id"), cell.outputs))
    assert ours == [], f"ours {ours} vs reference: only the grader's outputs"


def test_a_gradebook_source_that_differs_from_the_notebook_allows_nothing(course: Course) -> None:
    """A kernel that wrote a literal into its gradebook copy cannot use it as a name."""
    nb = nbformat.read(SOLUTION, as_version=4)
    sources = trusted_sources(course.db_url, ASSIGNMENT, ASSIGNMENT)
    forged = "aGlkZGVuIHRlc3Qgc291cmNl"  # base64 of a secret, say
    sources["rnn_step_batch"] += f"\n{forged!r}"
    error = new_output("error", ename="NotImplementedError", evalue=messages.build("not_answered", name=forged))
    cells_by_id(nb)["rnn_step_batch"].outputs = [error]
    hide(nb, sources)
    ours = [o.evalue for o in cells_by_id(nb)["rnn_step_batch"].outputs]
    reference = [f"{EXPLANATIONS['NotImplementedError']} {UNREADABLE}"]
    assert ours == reference, f"ours {ours} vs reference {reference}"


def test_a_passing_test_and_a_failure_without_message(course: Course) -> None:
    allowed = messages.Allowed.from_source("")
    ours = failure_text("NotImplementedError", "", allowed)
    assert ours == ("NotImplementedError", EXPLANATIONS["NotImplementedError"]), f"ours {ours}"
    assert failure_text("AssertionError", "", allowed) == ("AssertionError", "This test failed.")
    ours = failure_text("CellTimeoutError", "Cell execution timed out after 60 s: while True: leak()", allowed)
    reference = ("CellTimeoutError", f"{EXPLANATIONS['CellTimeoutError']} {UNREADABLE}")
    assert ours == reference, f"ours {ours} vs reference {reference}"
    nb = nbformat.read(SOLUTION, as_version=4)
    hide(nb, trusted_sources(course.db_url, ASSIGNMENT, ASSIGNMENT))
    ours = [o.text for o in cells_by_id(nb)["rnn_step_batch"].outputs]
    assert ours == [PASSED + "\n"], f"ours {ours} vs reference {[PASSED]}"


# --- the command --------------------------------------------------------------------------------------------


def put_student(course: Course, student: str, nb: nbformat.NotebookNode, typed: str = "") -> None:
    """A graded student: gradebook rows, an autograded notebook, and the notebook handed in (with ``typed``)."""
    add_student(course, student, comment=f"Comment for {student}.")
    autograded = course.autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    autograded.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, autograded)
    submitted = nbformat.read(ROOT / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    submitted.cells.append(nbformat.v4.new_markdown_cell(typed))
    (course.submitted / student / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
    nbformat.write(submitted, course.submitted / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


@pytest.fixture(scope="module")
def command_course(course: Course) -> Course:
    """alice is honest; bob printed a hidden line before the hidden tests (read from a file); carol typed it."""
    honest = honest_autograded()
    leaking = honest_autograded()
    printed = new_output("stream", name="stdout", text=HIDDEN[0] + "\n")
    cells_by_id(leaking)["rnn_by_hand_answer"].outputs.append(printed)
    put_student(course, "alice", honest)
    put_student(course, "bob", leaking)
    put_student(course, "carol", leaking, typed=f"I wondered about this line:\n{HIDDEN[0]}")
    stale = course.feedback / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("an old page")
    return course


def run_command(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = feedback_command.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_command_remakes_pages_with_the_gradebook_and_withholds_leaks(command_course: Course, capsys) -> None:
    course = command_course
    code, out, err = run_command(["--assignment", ASSIGNMENT, "--root", str(course.root)], capsys)
    assert code == 0, f"ours exit {code} vs reference 0:\n{out}\n{err}"
    students = sorted(p.name for p in course.autograded.iterdir() if p.is_dir())
    progress = [line for line in err.splitlines() if line.startswith("[")]
    assert len(progress) == len(students), f"ours {progress} vs reference one line for each of {students}"
    assert any(line.startswith("[") and "bob: withheld rnn_step" in line for line in progress), progress
    summary = out.strip().splitlines()[-1]
    reference = (f"feedback for {ASSIGNMENT}: {len(students) - 1}/{len(students)} students complete; "
                 "withheld (hidden-test lines): bob; pages in grading/feedback/")  # fmt: skip
    assert summary == reference, f"ours {summary!r} vs reference {reference!r}"
    pages = {s: course.feedback / s / ASSIGNMENT / f"{ASSIGNMENT}.html" for s in ("alice", "bob", "carol")}
    assert not pages["bob"].exists(), "bob's page (and the stale one) must be withheld"
    for student in ("alice", "carol"):
        text = html_text(pages[student].read_text())
        assert f"Comment for {student}." in text and NOTE in text, f"{student}: ours lacks the comment or the note"
        assert f"Likely mistake: {SIGMOID}." in text
    staging = sorted(str(p) for p in course.feedback.rglob("*.staging"))
    assert staging == [], f"ours {staging} vs reference []"


def test_command_for_some_students_only(command_course: Course, capsys) -> None:
    code, out, err = run_command(["--assignment", ASSIGNMENT, "--root", str(command_course.root),
                                  "--student", "alice", "nobody"], capsys)  # fmt: skip
    progress = [line for line in err.splitlines() if line.startswith("[")]
    assert (code, progress) == (0, ["[1/1] alice: 1 page(s) written"]), f"ours {(code, progress)}"
    assert "no autograded notebook of 'rnn_step' for nobody" in err, err


def test_command_refuses_unknown_assignments_and_missing_notebooks(command_course: Course, capsys) -> None:
    root = str(command_course.root)
    code, _, err = run_command(["--assignment", "no_such_thing", "--root", root], capsys)
    assert code == 2 and "unknown assignment" in err, f"ours {code} {err!r} vs reference 2, unknown assignment"
    code, _, err = run_command(["--assignment", ASSIGNMENT, "--root", root, "--student", "nobody"], capsys)
    assert code == 2 and "no autograded notebooks" in err, f"ours {code} {err!r} vs reference 2, no notebooks"
    other = command_course.source / "other_assignment"
    other.mkdir(exist_ok=True)
    shutil.copyfile(SOLUTION, other / "other_assignment.ipynb")
    code, _, err = run_command(["--assignment", "other_assignment", "--root", root], capsys)
    assert code == 2 and "grade the class first" in err, f"ours {code} {err!r} vs reference 2, grade first"


def test_remembered_highlighting_changes_no_page(course: Course) -> None:
    """Pages made with the remembering highlighter (twice: the second time from memory) equal pygments' own."""
    from coursegrader.feedback import RememberingHighlight

    add_student(course, "remembering")
    nb = honest_autograded()
    fresh = FeedbackWriter(course.nbgrader_config())
    first, second = page_of(nb, fresh, course, "remembering"), page_of(nb, fresh, course, "remembering")
    remembered = [h.remembered.cache_info().hits for h in fresh.exporter.highlighters.values()]
    original = RememberingHighlight.__call__
    try:
        RememberingHighlight.__call__ = lambda self, source, language=None, metadata=None: self.highlight(
            source, language, metadata
        )
        reference = page_of(nb, FeedbackWriter(course.nbgrader_config()), course, "remembering")
    finally:
        RememberingHighlight.__call__ = original
    assert sum(remembered) > 0, "the second page was coloured again, not remembered"
    for ours in (first, second):
        assert ours == reference, next(
            (f"first difference at {i}: ours {ours[i - 80:i + 80]!r} vs reference {reference[i - 80:i + 80]!r}"
             for i, (a, b) in enumerate(zip(ours, reference, strict=False)) if a != b), "lengths differ"
        )  # fmt: skip
