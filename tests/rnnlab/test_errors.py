"""Every error path of the public API.

Each bad call must raise the right exception (``ValueError`` for bad values and sizes, ``TypeError`` for
bad types) with a message that names the argument, what was received and what was expected. The
assertions check those words, so a vague message fails.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams

D, H, B, T = 3, 4, 2, 2
PARAMS = {
    "rnn": RNNParams.random(D, H, seed=1),
    "lstm": LSTMParams.random(D, H, seed=2),
    "gru": GRUParams.random(D, H, seed=3),
}
CLASSES = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}
BAD_TYPES = {
    "str": "abc",
    "None": None,
    "object array": np.array([1.0, "a", None], dtype=object),
    "bool array": np.ones(D, dtype=bool),
    "complex array": np.ones(D, dtype=complex),
    "ragged list": [1.0, [2.0, 3.0]],
    "plain object": object(),
}
NON_FINITE = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def message_of(error_type: type[Exception], call, *fragments: str) -> str:
    """Run ``call``, expect ``error_type``, and require every fragment in the message."""
    with pytest.raises(error_type) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"ours: {message!r}\nexpected it to contain: {fragment!r}"
    return message


# --- parameter records ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["lstm", "gru"])  # the plain RNN has one weight, which sets H and D
def test_params_other_weight_with_wrong_shape_names_field_and_both_shapes(kind):
    fields = dict(PARAMS[kind].arrays())
    name = CLASSES[kind].weight_names[-1]
    fields[name] = np.zeros((H, H + D + 1))
    message_of(ValueError, lambda: CLASSES[kind](**fields), f"{name}:", f"({H}, {H + D})", f"({H}, {H + D + 1})")


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bad_shape", [(H, H), (H,), (0, D), (H, 1, D)])
def test_params_first_weight_with_impossible_shape(kind, bad_shape):
    fields = dict(PARAMS[kind].arrays())
    name = CLASSES[kind].weight_names[0]
    fields[name] = np.zeros(bad_shape)
    message_of(ValueError, lambda: CLASSES[kind](**fields), f"{name}:", "(H, H + D)", str(bad_shape))


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bad_shape", [(H + 1,), (1, H), ()])
def test_params_bias_with_wrong_shape(kind, bad_shape):
    fields = dict(PARAMS[kind].arrays())
    name = CLASSES[kind].bias_names[0]
    fields[name] = np.zeros(bad_shape)
    message_of(ValueError, lambda: CLASSES[kind](**fields), f"{name}:", f"({H},)", str(bad_shape))


def test_gru_b_hn_with_wrong_shape():
    message_of(ValueError, lambda: PARAMS["gru"].replace(b_hn=np.zeros(H - 1)), "b_hn:", f"({H},)", f"({H - 1},)")


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("value", NON_FINITE.values(), ids=NON_FINITE.keys())
def test_params_non_finite_entries(kind, value):
    p = PARAMS[kind]
    for name, array in p.arrays().items():
        bad = np.array(array)
        bad.flat[-1] = value
        index = str(tuple(int(i) for i in np.unravel_index(bad.size - 1, bad.shape)))
        message_of(ValueError, lambda bad=bad, name=name: p.replace(**{name: bad}), f"{name}:", "finite", index)


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bad", BAD_TYPES.values(), ids=BAD_TYPES.keys())
def test_params_wrong_types(kind, bad):
    p = PARAMS[kind]
    for name in p.arrays():
        message_of(TypeError, lambda name=name: p.replace(**{name: bad}), f"{name}:", "expected", "got")


@pytest.mark.parametrize("kind", CLASSES)
def test_params_missing_field(kind):
    fields = dict(PARAMS[kind].arrays())
    fields.pop(CLASSES[kind].bias_names[0])
    message_of(TypeError, lambda: CLASSES[kind](**fields), CLASSES[kind].bias_names[0])


@pytest.mark.parametrize("kind", CLASSES)
def test_params_are_immutable(kind):
    p = PARAMS[kind]
    for name, array in p.arrays().items():
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(p, name, np.zeros_like(array))
        with pytest.raises(ValueError, match="read-only"):
            array[(0,) * array.ndim] = 1.0
    assert not p.arrays()[CLASSES[kind].weight_names[0]].flags.writeable, "weights should be read-only"


def test_params_copy_their_input():
    W, b = np.zeros((H, H + D)), np.zeros(H)
    p = RNNParams(W=W, b=b)
    W[0, 0], b[0] = 5.0, 5.0
    assert p.W[0, 0] == 0.0 and p.b[0] == 0.0, f"ours: W[0,0]={p.W[0, 0]}, b[0]={p.b[0]}; reference: 0.0, 0.0"


def test_traces_are_immutable():
    trace = rnnlab.gru_step(np.ones(D), np.zeros(H), PARAMS["gru"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace.h = np.zeros(H)
    with pytest.raises(ValueError, match="read-only"):
        trace.z[0] = 0.5


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize(
    ("sizes", "error", "name"),
    [
        ((0, H), ValueError, "input_size"),
        ((D, -1), ValueError, "hidden_size"),
        ((2.5, H), TypeError, "input_size"),
        ((D, "4"), TypeError, "hidden_size"),
        ((True, H), TypeError, "input_size"),
        ((D, None), TypeError, "hidden_size"),
    ],
)
def test_random_bad_sizes(kind, sizes, error, name):
    message_of(error, lambda: CLASSES[kind].random(*sizes), f"{name}:", "positive int")


@pytest.mark.parametrize(
    ("args", "error", "fragments"),
    [
        (("GRU", D, H), ValueError, ["kind:", "'GRU'", "'rnn', 'lstm', 'gru'"]),
        (("", D, H), ValueError, ["kind:", "''"]),
        ((None, D, H), TypeError, ["kind:", "None"]),
        ((["gru"], D, H), TypeError, ["kind:", "list"]),
        (("gru", 3.0, H), TypeError, ["input_size:", "float 3.0"]),
        (("gru", D, "4"), TypeError, ["hidden_size:", "str '4'"]),
        (("gru", False, H), TypeError, ["input_size:", "bool"]),
        (("gru", 0, H), ValueError, ["input_size:", "positive", "got 0"]),
        (("lstm", D, -2), ValueError, ["hidden_size:", "positive", "got -2"]),
    ],
)
def test_count_params_bad_arguments(args, error, fragments):
    message_of(error, lambda: rnnlab.count_params(*args), *fragments)


# --- one step ------------------------------------------------------------------------------------


def call_step(kind: str, x, states: dict, p, **conventions):
    """Call the step function of ``kind`` with default (valid) states where ``states`` gives none."""
    h_prev = states.get("h_prev", np.zeros(H))
    if kind == "lstm":
        return rnnlab.lstm_step(x, h_prev, states.get("c_prev", np.zeros(H)), p)
    if kind == "gru":
        return rnnlab.gru_step(x, h_prev, p, **conventions)
    return rnnlab.rnn_step(x, h_prev, p)


STATES = {"rnn": ["h_prev"], "lstm": ["h_prev", "c_prev"], "gru": ["h_prev"]}
STEP_STATE_CASES = [(kind, name) for kind, names in STATES.items() for name in names]


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bad_shape", [(D + 1,), (B, D - 1), (T, B, D), ()])
def test_step_x_wrong_size(kind, bad_shape):
    message_of(
        ValueError,
        lambda: call_step(kind, np.zeros(bad_shape), {}, PARAMS[kind]),
        "x:",
        f"({D},) or (B, {D})",
        str(bad_shape),
    )


@pytest.mark.parametrize(("kind", "state"), STEP_STATE_CASES)
@pytest.mark.parametrize("bad_shape", [(H + 1,), (B, H - 1), (1, B, H)])
def test_step_state_wrong_size(kind, state, bad_shape):
    message_of(
        ValueError,
        lambda: call_step(kind, np.zeros(D), {state: np.zeros(bad_shape)}, PARAMS[kind]),
        f"{state}:",
        f"({H},) or (B, {H})",
        str(bad_shape),
    )


@pytest.mark.parametrize(("kind", "state"), STEP_STATE_CASES)
def test_step_batch_sizes_differ(kind, state):
    message_of(
        ValueError,
        lambda: call_step(kind, np.zeros((B, D)), {state: np.zeros((B + 1, H))}, PARAMS[kind]),
        "batch sizes differ",
        f"x: {B}",
        f"{state}: {B + 1}",
    )


@pytest.mark.parametrize(("kind", "argument"), [(k, "x") for k in CLASSES] + STEP_STATE_CASES)
@pytest.mark.parametrize("value", NON_FINITE.values(), ids=NON_FINITE.keys())
def test_step_non_finite(kind, argument, value):
    size = D if argument == "x" else H
    bad = np.zeros(size)
    bad[1] = value
    x, states = (bad, {}) if argument == "x" else (np.zeros(D), {argument: bad})
    message_of(ValueError, lambda: call_step(kind, x, states, PARAMS[kind]), f"{argument}:", "finite", "(1,)")


@pytest.mark.parametrize(("kind", "argument"), [(k, "x") for k in CLASSES] + STEP_STATE_CASES)
@pytest.mark.parametrize("bad", BAD_TYPES.values(), ids=BAD_TYPES.keys())
def test_step_wrong_types(kind, argument, bad):
    if argument == "x":
        call = lambda: call_step(kind, bad, {}, PARAMS[kind])  # noqa: E731
    else:
        call = lambda: call_step(kind, np.zeros(D), {argument: bad}, PARAMS[kind])  # noqa: E731
    message_of(TypeError, call, f"{argument}:", "expected", "got")


@pytest.mark.parametrize(
    ("kind", "wrong"), [(k, w) for k in CLASSES for w in ["rnn", "lstm", "gru", None, "dict"] if w != k]
)
def test_step_mismatched_params_type(kind, wrong):
    p = {"dict": dict(PARAMS[kind].arrays()), None: None}.get(wrong, PARAMS.get(wrong))
    expected = CLASSES[kind].__name__
    received = type(p).__name__
    message_of(TypeError, lambda: call_step(kind, np.zeros(D), {}, p), "p:", expected, received)


@pytest.mark.parametrize("bad", ["Old", "", "both", None, 1, ("old",)])
def test_gru_step_unknown_z_weights(bad):
    message_of(
        ValueError,
        lambda: call_step("gru", np.zeros(D), {}, PARAMS["gru"], z_weights=bad),
        "z_weights:",
        "'old'",
        "'new'",
        repr(bad),
    )


@pytest.mark.parametrize("bad", ["After", "", None, 0])
def test_gru_step_unknown_reset(bad):
    message_of(
        ValueError,
        lambda: call_step("gru", np.zeros(D), {}, PARAMS["gru"], reset=bad),
        "reset:",
        "'before'",
        "'after'",
        repr(bad),
    )


def test_gru_step_b_hn_with_reset_before():
    p = PARAMS["gru"].replace(b_hn=np.ones(H))
    message_of(ValueError, lambda: rnnlab.gru_step(np.zeros(D), np.zeros(H), p), "b_hn", "reset='after'")
    message_of(
        ValueError,
        lambda: rnnlab.gru_step(np.zeros(D), np.zeros(H), p, reset="before", z_weights="new"),
        "b_hn",
        "reset='before'",
    )
    rnnlab.gru_step(np.zeros(D), np.zeros(H), p, reset="after")  # the valid call still works


def test_gru_step_conventions_are_keyword_only():
    with pytest.raises(TypeError):
        rnnlab.gru_step(np.zeros(D), np.zeros(H), PARAMS["gru"], "old")  # type: ignore[misc]


# --- sequences -----------------------------------------------------------------------------------


def call_forward(kind: str, xs, p, h0=None, c0=None, **conventions):
    if kind == "lstm":
        return rnnlab.lstm_forward(xs, h0, c0, p)
    if kind == "gru":
        return rnnlab.gru_forward(xs, h0, p, **conventions)
    return rnnlab.rnn_forward(xs, h0, p)


def good_xs() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(T, B, D))


@pytest.mark.parametrize(("kind", "wrong"), [(k, w) for k in CLASSES for w in ["rnn", "lstm", "gru", None] if w != k])
def test_forward_mismatched_params_type(kind, wrong):
    p = PARAMS.get(wrong)
    message_of(TypeError, lambda: call_forward(kind, good_xs(), p), "p:", CLASSES[kind].__name__, type(p).__name__)


@pytest.mark.parametrize("kind", CLASSES)
def test_forward_two_dimensional_xs_gets_the_time_major_hint(kind):
    message_of(
        ValueError,
        lambda: call_forward(kind, np.zeros((T, D)), PARAMS[kind]),
        "xs:",
        f"(T, B, {D})",
        f"({T}, {D})",
        "xs[:, None, :]",
    )


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bad_shape", [(T, B, D + 1), (T, D + 1), (D,), (T, B, D, 1), (T, B, 1)])
def test_forward_xs_wrong_shape(kind, bad_shape):
    message = message_of(
        ValueError, lambda: call_forward(kind, np.zeros(bad_shape), PARAMS[kind]), "xs:", f"(T, B, {D})", str(bad_shape)
    )
    assert "xs[:, None, :]" not in message, f"ours: {message!r}; the 2-D hint fits only (T, {D})"


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bad_shape", [(0, B, D), (T, 0, D)])
def test_forward_empty_xs(kind, bad_shape):
    message_of(
        ValueError, lambda: call_forward(kind, np.zeros(bad_shape), PARAMS[kind]), "xs:", "at least one", str(bad_shape)
    )


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bad", BAD_TYPES.values(), ids=BAD_TYPES.keys())
def test_forward_xs_wrong_type(kind, bad):
    message_of(TypeError, lambda: call_forward(kind, bad, PARAMS[kind]), "xs:", "expected", "got")


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("value", NON_FINITE.values(), ids=NON_FINITE.keys())
def test_forward_xs_non_finite(kind, value):
    xs = good_xs()
    xs[1, 0, 2] = value
    message_of(ValueError, lambda: call_forward(kind, xs, PARAMS[kind]), "xs:", "finite", "(1, 0, 2)")


SEQUENCE_STATES = [("rnn", "h0"), ("lstm", "h0"), ("lstm", "c0"), ("gru", "h0")]


@pytest.mark.parametrize(("kind", "state"), SEQUENCE_STATES)
@pytest.mark.parametrize("bad_shape", [(H + 1,), (B + 1, H), (B, H + 1), (T, B, H)])
def test_forward_initial_state_wrong_shape(kind, state, bad_shape):
    message_of(
        ValueError,
        lambda: call_forward(kind, good_xs(), PARAMS[kind], **{state: np.zeros(bad_shape)}),
        f"{state}:",
        f"({H},) or ({B}, {H})",
        str(bad_shape),
    )


@pytest.mark.parametrize(("kind", "state"), SEQUENCE_STATES)
def test_forward_initial_state_non_finite_and_wrong_type(kind, state):
    bad = np.zeros(H)
    bad[0] = np.nan
    message_of(ValueError, lambda: call_forward(kind, good_xs(), PARAMS[kind], **{state: bad}), f"{state}:", "finite")
    message_of(TypeError, lambda: call_forward(kind, good_xs(), PARAMS[kind], **{state: "zeros"}), f"{state}:")
    message_of(
        TypeError,
        lambda: call_forward(kind, good_xs(), PARAMS[kind], **{state: np.zeros(H, complex)}),
        f"{state}:",
        "complex",
    )


def test_gru_forward_unknown_conventions_and_b_hn_before():
    p = PARAMS["gru"]
    message_of(ValueError, lambda: rnnlab.gru_forward(good_xs(), None, p, z_weights="cho"), "z_weights:", "'cho'")
    message_of(ValueError, lambda: rnnlab.gru_forward(good_xs(), None, p, reset="late"), "reset:", "'late'")
    with_b_hn = p.replace(b_hn=np.ones(H))
    message_of(ValueError, lambda: rnnlab.gru_forward(good_xs(), None, with_b_hn), "b_hn", "reset='after'")


def run_forward(kind: str):
    out = call_forward(kind, good_xs(), PARAMS[kind])
    return out[-1]


BACKWARD = {"rnn": rnnlab.rnn_backward, "lstm": rnnlab.lstm_backward, "gru": rnnlab.gru_backward}


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bad_shape", [(T, H), (T, B, H + 1), (T + 1, B, H), (T, B + 1, H), (T, B, H, 1)])
def test_backward_dhs_wrong_shape(kind, bad_shape):
    cache = run_forward(kind)
    message_of(
        ValueError, lambda: BACKWARD[kind](np.zeros(bad_shape), cache), "dhs:", f"({T}, {B}, {H})", str(bad_shape)
    )


@pytest.mark.parametrize("kind", CLASSES)
def test_backward_dhs_non_finite_and_wrong_type(kind):
    cache = run_forward(kind)
    dhs = np.zeros((T, B, H))
    dhs[0, 1, 3] = np.inf
    message_of(ValueError, lambda: BACKWARD[kind](dhs, cache), "dhs:", "finite", "(0, 1, 3)")
    message_of(TypeError, lambda: BACKWARD[kind](None, cache), "dhs:")
    message_of(TypeError, lambda: BACKWARD[kind](np.zeros((T, B, H), dtype=bool), cache), "dhs:", "bool")


# --- finite differences --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eps", "error"),
    [
        (0.0, ValueError),
        (-1e-6, ValueError),
        (np.nan, ValueError),
        (np.inf, ValueError),
        ("1e-6", TypeError),
        (None, TypeError),
        (True, TypeError),
    ],
)
def test_bad_eps(eps, error):
    message_of(error, lambda: rnnlab.numerical_gradient(lambda x: float(x.sum()), np.ones(2), eps=eps), "eps:")
    message_of(error, lambda: rnnlab.gradcheck(lambda x: float(x.sum()), np.ones(2), np.ones(2), eps=eps), "eps:")
    p = PARAMS["rnn"]
    message_of(error, lambda: rnnlab.gradcheck(lambda q: float(q.b.sum()), p, p, eps=eps), "eps:")


def test_gradcheck_type_and_shape_mismatches():
    gru, lstm = PARAMS["gru"], PARAMS["lstm"]
    message_of(TypeError, lambda: rnnlab.gradcheck(lambda q: 0.0, gru, lstm), "analytic:", "GRUParams", "LSTMParams")
    message_of(TypeError, lambda: rnnlab.gradcheck(lambda q: 0.0, gru, dict(gru.arrays())), "analytic:", "dict")
    with_b_hn = gru.replace(b_hn=np.zeros(H))
    message_of(ValueError, lambda: rnnlab.gradcheck(lambda q: 0.0, with_b_hn, gru), "analytic.b_hn", "None")
    smaller = GRUParams.random(D, H - 1)
    message_of(
        ValueError,
        lambda: rnnlab.gradcheck(lambda q: 0.0, gru, smaller),
        "analytic.W_r",
        f"({H}, {H + D})",
        f"({H - 1}, {H - 1 + D})",
    )
    message_of(ValueError, lambda: rnnlab.gradcheck(lambda x: 0.0, np.ones(4), np.ones(3)), "analytic:", "(4,)", "(3,)")
    message_of(TypeError, lambda: rnnlab.gradcheck(lambda x: 0.0, np.ones(4), gru), "analytic:")
    message_of(TypeError, lambda: rnnlab.gradcheck(lambda x: 0.0, "point", np.ones(3)), "point:")


def test_numerical_gradient_and_relative_error_bad_input():
    message_of(TypeError, lambda: rnnlab.numerical_gradient(lambda x: 0.0, "x"), "x:")
    message_of(ValueError, lambda: rnnlab.numerical_gradient(lambda x: 0.0, [1.0, np.nan]), "x:", "finite")
    message_of(ValueError, lambda: rnnlab.relative_error(np.ones(3), np.ones(4)), "numeric:", "(3,)", "(4,)")
    message_of(TypeError, lambda: rnnlab.relative_error(None, np.ones(4)), "analytic:")
