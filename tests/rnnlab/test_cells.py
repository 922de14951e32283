"""One step of each cell, and each single-equation function, against numpy written here from the equations.

The reference reads the weights through plain indexing (``W[:, :H]`` multiplies ``h_prev``), so a mix-up of
the ``[h_prev, x]`` order, of a gate or of a convention shows as a difference. Error paths: test_errors.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams, cells

D, H, B = 3, 4, 2
ATOL = 1e-14


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def pre(W, b, h_prev, x):
    """W [h_prev, x] + b, with the two column blocks applied separately."""
    return h_prev @ W[:, :H].T + x @ W[:, H:].T + b


def close(ours, reference, what: str) -> None:
    np.testing.assert_allclose(ours, reference, rtol=0, atol=ATOL, err_msg=f"{what}: ours vs reference")


def data(seed: int, batch: bool):
    rng = np.random.default_rng(seed)
    shape = (B,) if batch else ()
    return rng.normal(size=(*shape, D)), rng.normal(size=(*shape, H)), rng.normal(size=(*shape, H))


# --- the two squashing functions -----------------------------------------------------------------


def test_sigmoid_and_tanh_values():
    a = np.array([-3.0, -0.5, 0.0, 0.25, 2.0])
    close(rnnlab.sigmoid(a), [1 / (1 + math.exp(-v)) for v in a], "sigmoid")
    close(rnnlab.tanh(a), [math.tanh(v) for v in a], "tanh")
    assert rnnlab.sigmoid(0.0) == 0.5, f"sigmoid(0): ours {rnnlab.sigmoid(0.0)} vs 0.5"
    close(rnnlab.sigmoid(-a), 1 - rnnlab.sigmoid(a), "sigmoid(-a) vs 1 - sigmoid(a)")


def test_sigmoid_saturates_without_warnings():
    """pyproject turns RuntimeWarning into errors, so an overflow in exp would fail this test."""
    out = rnnlab.sigmoid(np.array([-1e308, -1000.0, 1000.0, 1e308]))
    np.testing.assert_array_equal(out, [0.0, 0.0, 1.0, 1.0], err_msg="sigmoid at extremes: ours vs limits")


# --- the plain RNN -------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [False, True])
def test_rnn_step(batch):
    p = RNNParams.random(D, H, seed=1)
    x, h_prev, _ = data(1, batch)
    trace = rnnlab.rnn_step(x, h_prev, p)
    a = pre(p.W, p.b, h_prev, x)
    close(trace.a, a, "a")
    close(trace.h, np.tanh(a), "h")
    assert isinstance(trace, rnnlab.RNNTrace), f"ours {type(trace).__name__} vs RNNTrace"
    assert trace.h.shape == h_prev.shape, f"h shape: ours {trace.h.shape} vs {h_prev.shape}"
    close(trace.x, x, "trace.x")
    close(trace.h_prev, h_prev, "trace.h_prev")
    a_fn, h_fn = cells.rnn_hidden(p, np.concatenate([h_prev, x], axis=-1))
    close(a_fn, a, "rnn_hidden a")
    close(h_fn, np.tanh(a), "rnn_hidden h")


# --- the LSTM ------------------------------------------------------------------------------------


def lstm_reference(p, x, h_prev, c_prev):
    f = sig(pre(p.W_f, p.b_f, h_prev, x))
    i = sig(pre(p.W_i, p.b_i, h_prev, x))
    c_tilde = np.tanh(pre(p.W_c, p.b_c, h_prev, x))
    c = f * c_prev + i * c_tilde
    o = sig(pre(p.W_o, p.b_o, h_prev, x))
    return {"f": f, "i": i, "c_tilde": c_tilde, "c": c, "o": o, "h": o * np.tanh(c)}


@pytest.mark.parametrize("batch", [False, True])
def test_lstm_step(batch):
    p = LSTMParams.random(D, H, seed=2)
    x, h_prev, c_prev = data(2, batch)
    trace = rnnlab.lstm_step(x, h_prev, c_prev, p)
    for name, reference in lstm_reference(p, x, h_prev, c_prev).items():
        close(getattr(trace, name), reference, name)
    close(trace.tanh_c, np.tanh(trace.c), "tanh_c")
    close(trace.c_prev, c_prev, "trace.c_prev")


def test_lstm_single_equations():
    p = LSTMParams.random(D, H, seed=3)
    x, h_prev, c_prev = data(3, True)
    v = np.concatenate([h_prev, x], axis=1)
    ref = lstm_reference(p, x, h_prev, c_prev)
    close(cells.forget_gate(p, v), ref["f"], "forget_gate")
    close(cells.input_gate(p, v), ref["i"], "input_gate")
    close(cells.candidate_cell(p, v), ref["c_tilde"], "candidate_cell")
    close(cells.output_gate(p, v), ref["o"], "output_gate")
    close(cells.cell_state(ref["f"], c_prev, ref["i"], ref["c_tilde"]), ref["c"], "cell_state")
    close(cells.lstm_hidden(ref["o"], ref["c"]), ref["h"], "lstm_hidden")


def test_lstm_forget_gate_one_input_gate_zero_copies_the_cell():
    """f = 1, i = 0 (biases +-40, zero weights) keeps c_prev exactly: the additive path the book describes."""
    p = LSTMParams.random(D, H, seed=4)
    zero = np.zeros((H, H + D))
    p = p.replace(W_f=zero, b_f=np.full(H, 40.0), W_i=zero, b_i=np.full(H, -40.0))
    x, h_prev, c_prev = data(4, False)
    np.testing.assert_array_equal(rnnlab.lstm_step(x, h_prev, c_prev, p).c, c_prev, err_msg="c: ours vs c_prev")


# --- the GRU -------------------------------------------------------------------------------------


def gru_reference(p, x, h_prev, z_weights, reset):
    r = sig(pre(p.W_r, p.b_r, h_prev, x))
    z = sig(pre(p.W_z, p.b_z, h_prev, x))
    if reset == "before":
        h_tilde = np.tanh(pre(p.W_h, p.b_h, r * h_prev, x))
    else:
        b_hn = 0.0 if p.b_hn is None else p.b_hn
        h_tilde = np.tanh(x @ p.W_h[:, H:].T + p.b_h + r * (h_prev @ p.W_h[:, :H].T + b_hn))
    if z_weights == "old":
        h = z * h_prev + (1 - z) * h_tilde
    else:
        h = (1 - z) * h_prev + z * h_tilde
    return {"r": r, "z": z, "h_tilde": h_tilde, "h": h}


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("z_weights", ["old", "new"])
@pytest.mark.parametrize(("reset", "b_hn"), [("before", False), ("after", False), ("after", True)])
def test_gru_step(batch, z_weights, reset, b_hn):
    p = GRUParams.random(D, H, seed=5)
    if b_hn:
        p = p.replace(b_hn=np.linspace(-0.5, 0.5, H))
    x, h_prev, _ = data(5, batch)
    trace = rnnlab.gru_step(x, h_prev, p, z_weights=z_weights, reset=reset)
    for name, reference in gru_reference(p, x, h_prev, z_weights, reset).items():
        close(getattr(trace, name), reference, f"{name} ({z_weights}, {reset})")
    assert (trace.z_weights, trace.reset) == (z_weights, reset), f"ours {(trace.z_weights, trace.reset)}"


def test_gru_defaults_are_old_and_before():
    p = GRUParams.random(D, H, seed=6)
    x, h_prev, _ = data(6, False)
    close(rnnlab.gru_step(x, h_prev, p).h, gru_reference(p, x, h_prev, "old", "before")["h"], "default h")


def test_gru_conventions_really_differ():
    """Each convention gives different numbers here, so the tests above can tell them apart."""
    p = GRUParams.random(D, H, seed=7).replace(b_hn=np.full(H, 0.3))
    x, h_prev, _ = data(7, False)
    hs = {
        (z, r): rnnlab.gru_step(x, h_prev, p if r == "after" else p.replace(b_hn=None), z_weights=z, reset=r).h
        for z in ("old", "new")
        for r in ("before", "after")
    }
    keys = list(hs)
    for k, first in enumerate(keys):
        for second in keys[k + 1 :]:
            gap = np.max(np.abs(hs[first] - hs[second]))
            assert gap > 1e-3, f"h under {first} and {second} differ by only {gap}"


def test_gru_single_equations():
    p = GRUParams.random(D, H, seed=8).replace(b_hn=np.full(H, -0.2))
    x, h_prev, _ = data(8, True)
    v = np.concatenate([h_prev, x], axis=1)
    for reset in ("before", "after"):
        ref = gru_reference(p, x, h_prev, "old", reset)
        close(cells.reset_gate(p, v), ref["r"], "reset_gate")
        close(cells.update_gate(p, v), ref["z"], "update_gate")
        close(cells.candidate_hidden(p, x, h_prev, ref["r"], reset), ref["h_tilde"], f"candidate_hidden {reset}")
    z, h_tilde = ref["z"], ref["h_tilde"]
    close(cells.gru_hidden(z, h_prev, h_tilde, "old"), z * h_prev + (1 - z) * h_tilde, "gru_hidden old")
    close(cells.gru_hidden(z, h_prev, h_tilde, "new"), (1 - z) * h_prev + z * h_tilde, "gru_hidden new")


# --- shapes, broadcasting, no side effects -------------------------------------------------------


def test_one_dimensional_state_broadcasts_over_a_batch():
    p = LSTMParams.random(D, H, seed=9)
    x, h_prev, c_prev = data(9, True)
    shared = rnnlab.lstm_step(x, h_prev[0], c_prev[0], p)
    tiled = rnnlab.lstm_step(x, np.tile(h_prev[0], (B, 1)), np.tile(c_prev[0], (B, 1)), p)
    assert shared.h.shape == (B, H), f"h shape: ours {shared.h.shape} vs {(B, H)}"
    close(shared.h, tiled.h, "h with a 1-D state vs tiled")
    one_x = rnnlab.gru_step(x[0], h_prev, GRUParams.random(D, H))
    assert one_x.h.shape == (B, H), f"h shape with a 1-D x: ours {one_x.h.shape} vs {(B, H)}"


def test_steps_accept_lists_and_do_not_change_their_inputs():
    p = RNNParams.random(D, H, seed=10)
    x, h_prev, _ = data(10, False)
    saved = x.copy(), h_prev.copy()
    from_lists = rnnlab.rnn_step(x.tolist(), h_prev.tolist(), p)
    close(from_lists.h, rnnlab.rnn_step(x, h_prev, p).h, "h from lists vs arrays")
    np.testing.assert_array_equal(x, saved[0], err_msg="x was changed")
    np.testing.assert_array_equal(h_prev, saved[1], err_msg="h_prev was changed")
    assert not from_lists.h.flags.writeable, "trace arrays must be read-only"
