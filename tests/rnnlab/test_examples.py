"""The worked 3-D examples reproduce the seeds' numbers, and the documented search really finds them."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnnlab
from rnnlab import example_search, examples

# The seeds' inputs and their two-decimal gate values (issue 2), typed here as the independent reference.
SEED_X = [0.5, -0.3, 0.8]
SEED_H_PREV = [0.2, 0.4, -0.1]
SEED_C_PREV = [0.6, -0.2, 0.3]
SEED_LSTM = {
    "f": [0.65, 0.42, 0.78],
    "i": [0.53, 0.71, 0.48],
    "c_tilde": [0.32, -0.54, 0.67],
    "c": [0.56, -0.47, 0.55],
}
SEED_GRU = {"r": [0.58, 0.73, 0.45], "z": [0.66, 0.42, 0.51]}


def assert_rounds_to(ours: np.ndarray, reference: list[float], what: str) -> None:
    rounded = np.round(ours, 2)
    np.testing.assert_array_equal(rounded, reference, err_msg=f"{what} rounded to 2 decimals: ours vs seeds ({ours})")
    assert np.all(np.abs(ours - reference) < 0.005), f"{what}: ours {ours} vs seeds {reference}"


@pytest.mark.parametrize("make", [examples.lstm_3d, examples.gru_3d, examples.rnn_3d])
def test_inputs_are_the_seeds(make):
    example = make()
    np.testing.assert_array_equal(example.x, SEED_X, err_msg="x: ours vs seeds")
    np.testing.assert_array_equal(example.h_prev, SEED_H_PREV, err_msg="h_prev: ours vs seeds")
    if make is examples.lstm_3d:
        np.testing.assert_array_equal(example.c_prev, SEED_C_PREV, err_msg="c_prev: ours vs seeds")
    else:
        assert example.c_prev is None, f"c_prev: ours {example.c_prev} vs None"
    sizes = (example.params.input_size, example.params.hidden_size)
    assert sizes == (3, 3), f"(D, H): ours {sizes} vs (3, 3)"


def test_lstm_example_reproduces_the_seeds():
    ex = examples.lstm_3d()
    trace = rnnlab.lstm_step(ex.x, ex.h_prev, ex.c_prev, ex.params)
    for name, reference in SEED_LSTM.items():
        assert_rounds_to(getattr(trace, name), reference, name)


def test_gru_example_reproduces_the_seeds_with_default_conventions():
    ex = examples.gru_3d()
    trace = rnnlab.gru_step(ex.x, ex.h_prev, ex.params)
    assert (trace.z_weights, trace.reset) == ("old", "before"), f"defaults: ours {trace.z_weights}, {trace.reset}"
    for name, reference in SEED_GRU.items():
        assert_rounds_to(getattr(trace, name), reference, name)


def test_values_the_seeds_do_not_give_match_our_stated_targets():
    """o, h_tilde and the plain RNN's h are ours (example_search states them); check they hold too."""
    lstm, gru, rnn = examples.lstm_3d(), examples.gru_3d(), examples.rnn_3d()
    assert_rounds_to(
        rnnlab.lstm_step(lstm.x, lstm.h_prev, lstm.c_prev, lstm.params).o, example_search.LSTM_TARGETS["o"], "o"
    )
    assert_rounds_to(
        rnnlab.gru_step(gru.x, gru.h_prev, gru.params).h_tilde, example_search.GRU_TARGETS["h_tilde"], "h_tilde"
    )
    assert_rounds_to(rnnlab.rnn_step(rnn.x, rnn.h_prev, rnn.params).h, example_search.RNN_TARGETS["h"], "rnn h")
    for name, reference in SEED_LSTM.items():
        assert example_search.LSTM_TARGETS[name] == reference, f"search target {name}: ours vs seeds"
    for name, reference in SEED_GRU.items():
        assert example_search.GRU_TARGETS[name] == reference, f"search target {name}: ours vs seeds"


@pytest.mark.parametrize("make", [examples.lstm_3d, examples.gru_3d, examples.rnn_3d])
def test_every_weight_is_a_one_decimal_number(make):
    for name, array in make().params.arrays().items():
        tenths = array * 10
        assert np.all(np.abs(tenths - np.round(tenths)) < 1e-9), f"{name}: {array} has more than one decimal"
        assert np.all(np.abs(array) < 1.0), f"{name}: {array} has a weight of size 1 or more"
        assert not array.flags.writeable, f"{name} should be read-only"


@pytest.fixture(scope="module")
def derived() -> dict[str, dict[str, np.ndarray]]:
    """The whole search, re-run once for the module."""
    return example_search.derive_examples()


@pytest.mark.parametrize(
    ("kind", "make"), [("lstm", examples.lstm_3d), ("gru", examples.gru_3d), ("rnn", examples.rnn_3d)]
)
def test_the_documented_search_yields_the_committed_weights(derived, kind, make):
    committed = make().params.arrays()
    fields = f"fields: search {sorted(derived[kind])} vs committed {sorted(committed)}"
    assert set(derived[kind]) == set(committed), fields
    for name, array in committed.items():
        np.testing.assert_array_equal(derived[kind][name], array, err_msg=f"{kind}.{name}: search vs committed")


def test_forget_gate_of_unit_one_by_hand():
    """f_1 = sigma(sum_k W_f[0, k] * [h_prev, x]_k + b_f[0]), written out in plain floats."""
    w = [0.1, 0.1, -0.1, 0.1, -0.1, 0.2]  # first row of W_f, as printed in the chapter
    v = [0.2, 0.4, -0.1, 0.5, -0.3, 0.8]  # [h_prev, x]
    b = 0.3
    ex = examples.lstm_3d()
    assert list(ex.params.W_f[0]) == w and ex.params.b_f[0] == b, "the hand values must be the example's"
    assert v == list(ex.h_prev) + list(ex.x), "the hand values must be the example's"
    a = sum(w_k * v_k for w_k, v_k in zip(w, v, strict=True)) + b
    by_hand = 1.0 / (1.0 + math.exp(-a))
    ours = rnnlab.lstm_step(ex.x, ex.h_prev, ex.c_prev, ex.params).f[0]
    assert abs(ours - by_hand) < 1e-15, f"f_1: ours {ours} vs by hand {by_hand}"
    assert round(by_hand, 2) == 0.65, f"f_1 by hand {by_hand} vs seeds 0.65"
