"""Keras' weight layout: round trips, the layout by hand, and Keras' own equations written in numpy.

The reference cells below follow Keras' ``GRUCell``/``LSTMCell``/``SimpleRNNCell``: ``x @ kernel`` and
``h @ recurrent_kernel``, gate order z, r, h (GRU) and i, f, c, o (LSTM), recurrent activation sigmoid,
``h = z * h_prev + (1 - z) * hh``. They read only Keras' arrays, never rnnlab's params.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams, interop

CLASSES = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
D, H, B = 3, 4, 2


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def keras_gru(x, h_prev, kernel, recurrent_kernel, bias, reset_after: bool):
    """Keras' GRU step in numpy (gate order z, r, h)."""
    n = recurrent_kernel.shape[0]
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros(3 * n))
    x_z, x_r, x_h = np.split(x @ kernel + input_bias, 3, axis=-1)
    if reset_after:
        inner_z, inner_r, inner_h = np.split(h_prev @ recurrent_kernel + recurrent_bias, 3, axis=-1)
    else:
        inner_z, inner_r = np.split(h_prev @ recurrent_kernel[:, : 2 * n], 2, axis=-1)
    z = sigmoid(x_z + inner_z)
    r = sigmoid(x_r + inner_r)
    if reset_after:
        hh = np.tanh(x_h + r * inner_h)
    else:
        hh = np.tanh(x_h + (r * h_prev) @ recurrent_kernel[:, 2 * n :])
    return z * h_prev + (1 - z) * hh, z, r, hh


def keras_lstm(x, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """Keras' LSTM step in numpy (gate order i, f, c, o)."""
    i, f, g, o = np.split(x @ kernel + h_prev @ recurrent_kernel + bias, 4, axis=-1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def keras_simple_rnn(x, h_prev, kernel, recurrent_kernel, bias):
    return np.tanh(x @ kernel + bias + h_prev @ recurrent_kernel)


def random_params(kind: str, seed: int = 0, b_hn: bool = False):
    p = CLASSES[kind].random(D, H, seed=seed)
    return p.replace(b_hn=np.random.default_rng(seed).uniform(-1, 1, H)) if b_hn else p


def inputs(seed: int = 0):
    rng = np.random.default_rng(seed + 100)
    return rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))


def close(ours, reference, what: str) -> None:
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-13, err_msg=f"{what}: ours vs Keras equations")


# --- round trips and layout ----------------------------------------------------------------------

ROUND_TRIPS = [("rnn", False, True), ("lstm", False, True), ("gru", True, True), ("gru", False, False)]


@pytest.mark.parametrize(("kind", "b_hn", "reset_after"), ROUND_TRIPS)
def test_round_trip(kind, b_hn, reset_after):
    p = random_params(kind, seed=3, b_hn=b_hn)
    arrays = interop.to_keras(p, reset_after=reset_after)
    G = GATES[kind]
    expected_bias = (2, G * H) if kind == "gru" and reset_after else (G * H,)
    shapes = {name: a.shape for name, a in arrays.items()}
    assert shapes == {"kernel": (D, G * H), "recurrent_kernel": (H, G * H), "bias": expected_bias}, f"ours {shapes}"
    back = interop.from_keras(kind, **arrays)
    assert type(back) is type(p), f"ours {type(back).__name__} vs {type(p).__name__}"
    assert set(back.arrays()) == set(p.arrays()), f"fields: ours {sorted(back.arrays())} vs {sorted(p.arrays())}"
    for name, array in p.arrays().items():
        np.testing.assert_array_equal(getattr(back, name), array, err_msg=f"from_keras(to_keras(p)).{name} vs p")


def test_gru_without_b_hn_in_the_reset_after_layout_gets_a_zero_b_hn():
    p = random_params("gru")
    back = interop.from_keras("gru", **interop.to_keras(p))
    np.testing.assert_array_equal(back.b_hn, np.zeros(H), err_msg="b_hn: ours vs zeros")
    np.testing.assert_array_equal(back.b_z, p.b_z, err_msg="b_z")


def test_keras_layout_by_hand():
    gru = random_params("gru", b_hn=True)
    k = interop.to_keras(gru)
    for block, gate in enumerate("zrh"):  # Keras' order z, r, h
        cols = slice(block * H, (block + 1) * H)
        W = getattr(gru, f"W_{gate}")
        np.testing.assert_array_equal(k["kernel"][:, cols], W[:, H:].T, err_msg=f"kernel block {gate}")
        np.testing.assert_array_equal(k["recurrent_kernel"][:, cols], W[:, :H].T, err_msg=f"recurrent block {gate}")
        np.testing.assert_array_equal(k["bias"][0, cols], getattr(gru, f"b_{gate}"), err_msg=f"bias block {gate}")
    np.testing.assert_array_equal(k["bias"][1], np.concatenate([np.zeros(2 * H), gru.b_hn]), err_msg="recurrent bias")
    lstm = random_params("lstm")
    k = interop.to_keras(lstm)
    for block, gate in enumerate("ifco"):  # Keras' order i, f, c, o
        cols = slice(block * H, (block + 1) * H)
        np.testing.assert_array_equal(k["kernel"][:, cols], getattr(lstm, f"W_{gate}")[:, H:].T, err_msg=gate)
        np.testing.assert_array_equal(k["bias"][cols], getattr(lstm, f"b_{gate}"), err_msg=gate)


def test_from_keras_adds_the_recurrent_bias_of_z_and_r():
    """Keras keeps a recurrent bias for every gate; outside the candidate it simply adds to the input bias."""
    p = random_params("gru", b_hn=True)
    arrays = interop.to_keras(p)
    bias = arrays["bias"].copy()
    bias[1, : 2 * H] = 0.25
    q = interop.from_keras("gru", arrays["kernel"], arrays["recurrent_kernel"], bias)
    np.testing.assert_allclose(q.b_z, p.b_z + 0.25, rtol=0, atol=1e-15, err_msg="b_z: ours vs input + recurrent")
    np.testing.assert_allclose(q.b_r, p.b_r + 0.25, rtol=0, atol=1e-15, err_msg="b_r: ours vs input + recurrent")
    x, h, _ = inputs()
    reference = keras_gru(x, h, arrays["kernel"], arrays["recurrent_kernel"], bias, reset_after=True)[0]
    close(rnnlab.gru_step(x, h, q, reset="after").h, reference, "h")


# --- Keras' equations ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_keras_equations(seed, reset_after):
    p = random_params("gru", seed=seed, b_hn=reset_after)
    arrays = interop.to_keras(p, reset_after=reset_after)
    x, h, _ = inputs(seed)
    h_ref, z_ref, r_ref, hh_ref = keras_gru(x, h, **arrays, reset_after=reset_after)
    trace = rnnlab.gru_step(x, h, p, z_weights="old", reset="after" if reset_after else "before")
    for name, reference in [("h", h_ref), ("z", z_ref), ("r", r_ref), ("h_tilde", hh_ref)]:
        close(getattr(trace, name), reference, f"{name} (reset_after={reset_after})")


def test_gru_other_convention_does_not_match_keras():
    """The comparison can fail: the wrong reset convention gives different numbers."""
    p = random_params("gru", seed=5)
    x, h, _ = inputs(5)
    h_ref = keras_gru(x, h, **interop.to_keras(p, reset_after=False), reset_after=False)[0]
    wrong = rnnlab.gru_step(x, h, p, reset="after").h
    assert np.max(np.abs(wrong - h_ref)) > 1e-6, "reset='after' should differ from Keras' reset_after=False"


@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_and_simple_rnn_match_keras_equations(seed):
    x, h, c = inputs(seed)
    lstm = random_params("lstm", seed=seed)
    h_ref, c_ref = keras_lstm(x, h, c, **interop.to_keras(lstm))
    trace = rnnlab.lstm_step(x, h, c, lstm)
    close(trace.h, h_ref, "lstm h")
    close(trace.c, c_ref, "lstm c")
    rnn = random_params("rnn", seed=seed)
    close(rnnlab.rnn_step(x, h, rnn).h, keras_simple_rnn(x, h, **interop.to_keras(rnn)), "rnn h")


# --- errors --------------------------------------------------------------------------------------


def expect_error(error, call, *fragments):
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), f"ours: {str(info.value)!r}\nexpected it to contain {fragment!r}"


def test_to_keras_rejects_b_hn_without_reset_after():
    expect_error(ValueError, lambda: interop.to_keras(random_params("gru", b_hn=True), reset_after=False), "b_hn")


def good(kind: str) -> dict[str, np.ndarray]:
    return interop.to_keras(random_params(kind))


@pytest.mark.parametrize("kind", ["GRU", "", "conv"])
def test_from_keras_unknown_kind(kind):
    expect_error(ValueError, lambda: interop.from_keras(kind, **good("gru")), "kind:", repr(kind))


def test_from_keras_non_string_kind():
    expect_error(TypeError, lambda: interop.from_keras(None, **good("gru")), "kind:", "None")
    expect_error(TypeError, lambda: interop.from_keras(["gru"], **good("gru")), "kind:", "list")


@pytest.mark.parametrize("kind", CLASSES)
def test_from_keras_bad_shapes(kind):
    G = GATES[kind]
    arrays = good(kind)
    cases = {
        "recurrent_kernel": [((H, G * H + 1), f"({H}, {G * H})"), ((G * H,), f"(H, {G}H)"), ((0, 0), "H >= 1")],
        "kernel": [((D, G * H - 1), f"(D, {G * H})"), ((G * H,), f"(D, {G * H})")],
        "bias": [((G * H + 1,), f"({G * H},)"), ((3, G * H), f"({G * H},)")],
    }
    if kind != "gru":
        cases["bias"].append(((2, G * H), f"({G * H},)"))  # two bias rows exist only for the GRU
    for name, shapes in cases.items():
        for shape, expected in shapes:
            bad = arrays | {name: np.zeros(shape)}
            expect_error(ValueError, lambda bad=bad: interop.from_keras(kind, **bad), f"{name}:", expected, str(shape))


@pytest.mark.parametrize("name", ["kernel", "recurrent_kernel", "bias"])
def test_from_keras_bad_values_and_types(name):
    arrays = good("lstm")
    with_nan = arrays[name].copy()
    with_nan.flat[0] = np.nan
    expect_error(ValueError, lambda: interop.from_keras("lstm", **(arrays | {name: with_nan})), f"{name}:", "finite")
    expect_error(TypeError, lambda: interop.from_keras("lstm", **(arrays | {name: "zeros"})), f"{name}:")
    as_complex = arrays[name].astype(complex)
    expect_error(TypeError, lambda: interop.from_keras("lstm", **(arrays | {name: as_complex})), f"{name}:", "complex")
