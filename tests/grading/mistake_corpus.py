"""Wrong implementations written as students write them, each with the diagnosis it must receive.

Every function has the exercise's signature (``rnn_step(x, h_prev, W, b)``, ``lstm_step(x, h_prev, c_prev, p)
-> (h, c)``, ``gru_step(x, h_prev, p, z_weights)``, ``rnn_unroll(xs, h0, W, b)``, ``gradient_norms(xs, h0, W,
b)``, ``gru_step_backward(dh, cache, p)``); ``WRONG`` lists them with the words the likely mistake must
contain, ``RIGHT`` lists correct ones in other styles (loops, einsum, separate weight blocks, float32,
lists), which must pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def relu(a):
    return np.maximum(a, 0)


def cat(h, x):
    return np.concatenate([h, x], axis=-1)


@dataclass(frozen=True)
class Case:
    """A student's function, the check it goes through, and what its likely mistake must say."""

    check: str  # "rnn", "lstm", "gru", "gru_new", "unroll", "norms", "backward"
    fn: object
    expected: str

    @property
    def name(self) -> str:
        return self.fn.__name__


# --- plain RNN ------------------------------------------------------------------------------------------


def rnn_sigmoid(x, h_prev, W, b):
    return sigmoid(cat(h_prev, x) @ W.T + b)


def rnn_relu(x, h_prev, W, b):
    return relu(cat(h_prev, x) @ W.T + b)


def rnn_no_tanh(x, h_prev, W, b):
    return cat(h_prev, x) @ W.T + b


def rnn_xh(x, h_prev, W, b):
    return np.tanh(np.concatenate([x, h_prev], axis=-1) @ W.T + b)


def rnn_no_bias(x, h_prev, W, b):
    return np.tanh(cat(h_prev, x) @ W.T)


def rnn_transposed(x, h_prev, W, b):
    H = h_prev.shape[-1]
    return np.tanh(h_prev @ W[:, :H] + x @ W[:, H:].T + b)


def rnn_xh_sigmoid(x, h_prev, W, b):
    """Two mistakes: [x, h_prev], and the sigmoid."""
    return sigmoid(np.concatenate([x, h_prev], axis=-1) @ W.T + b)


# --- LSTM -----------------------------------------------------------------------------------------------


def lstm(x, h_prev, c_prev, p, *, gate=sigmoid, cand=np.tanh, out=np.tanh, cell=None, order=False, hidden=None,
         gates=None, bias=True, ret=None):  # fmt: skip
    v = np.concatenate([x, h_prev] if order else [h_prev, x], axis=-1)
    rows = {gate: (gates or {}).get(gate, gate) for gate in "fico"}  # whose weights each gate's line reads
    W = {gate: getattr(p, f"W_{rows[gate]}") for gate in "fico"}
    b = {gate: getattr(p, f"b_{rows[gate]}") if bias else 0 for gate in "fico"}
    f = gate(v @ W["f"].T + b["f"])
    i = gate(v @ W["i"].T + b["i"])
    c_tilde = cand(v @ W["c"].T + b["c"])
    c = cell(f, c_prev, i, c_tilde) if cell else f * c_prev + i * c_tilde
    o = gate(v @ W["o"].T + b["o"])
    h = hidden(o, c, c_prev) if hidden else o * out(c)
    return ret(h, c, f, i, c_tilde, o) if ret else (h, c)


def lstm_tanh_gates(x, h_prev, c_prev, p):
    """tanh where the gates need sigmoid (the candidate and the output kept tanh)."""
    return lstm(x, h_prev, c_prev, p, gate=np.tanh)


def lstm_sigmoid_candidate(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, cand=sigmoid)


def lstm_swapped(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, gate=np.tanh, cand=sigmoid, out=sigmoid)


def lstm_no_tanh_c(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, out=lambda c: c)


def lstm_sigmoid_c(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, out=sigmoid)


def lstm_no_forget_term(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, cell=lambda f, c_prev, i, c_tilde: i * c_tilde)


def lstm_no_input_term(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, cell=lambda f, c_prev, i, c_tilde: f * c_prev)


def lstm_f_i_exchanged(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, cell=lambda f, c_prev, i, c_tilde: i * c_prev + f * c_tilde)


def lstm_no_forget_gate(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, cell=lambda f, c_prev, i, c_tilde: c_prev + i * c_tilde)


def lstm_old_cell_output(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, hidden=lambda o, c, c_prev: o * np.tanh(c_prev))


def lstm_no_output_gate(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, hidden=lambda o, c, c_prev: np.tanh(c))


def lstm_wrong_order(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, ret=lambda h, c, *_: (c, h))


def lstm_returns_c_tilde(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, ret=lambda h, c, f, i, c_tilde, o: (h, c_tilde))


def lstm_xh(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, order=True)


def lstm_no_bias(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, bias=False)


def lstm_forget_uses_input_weights(x, h_prev, c_prev, p):
    """A copy-paste slip: the forget gate's line still reads W_i."""
    return lstm(x, h_prev, c_prev, p, gates={"f": "i"})


def lstm_f_o_weights_exchanged(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, gates={"f": "o", "o": "f"})


def lstm_forget_bias_missing(x, h_prev, c_prev, p):
    v = cat(h_prev, x)
    f = sigmoid(v @ p.W_f.T)
    i = sigmoid(v @ p.W_i.T + p.b_i)
    c = f * c_prev + i * np.tanh(v @ p.W_c.T + p.b_c)
    return sigmoid(v @ p.W_o.T + p.b_o) * np.tanh(c), c


def lstm_candidate_sigmoid_and_wrong_order(x, h_prev, c_prev, p):
    """Two mistakes: a sigmoid candidate, and (c, h) returned."""
    h, c = lstm(x, h_prev, c_prev, p, cand=sigmoid)
    return c, h


def lstm_complement_forget(x, h_prev, c_prev, p):
    return lstm(x, h_prev, c_prev, p, cell=lambda f, c_prev, i, c_tilde: (1 - f) * c_prev + i * c_tilde)


# --- GRU ------------------------------------------------------------------------------------------------


def gru(x, h_prev, p, z_weights="old", *, gate=sigmoid, cand=np.tanh, reset="r", state=None, order=False,
        bias=True, keep_of=None):  # fmt: skip
    v = np.concatenate([x, h_prev] if order else [h_prev, x], axis=-1)
    W = dict(r=p.W_r, z=p.W_z, h=p.W_h)
    b = dict(r=p.b_r, z=p.b_z, h=p.b_h) if bias else dict(r=0, z=0, h=0)
    r = gate(v @ W["r"].T + b["r"])
    z = gate(v @ W["z"].T + b["z"])
    rh = {"r": r * h_prev, "1-r": (1 - r) * h_prev, "none": h_prev}[reset]
    v_h = np.concatenate([x, rh] if order else [rh, x], axis=-1)
    h_tilde = cand(v_h @ W["h"].T + b["h"])
    keep = z if (keep_of or z_weights) == "old" else 1 - z
    if state:
        return state(keep, h_prev, h_tilde)
    return keep * h_prev + (1 - keep) * h_tilde


def gru_tanh_gates(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, gate=np.tanh)


def gru_sigmoid_candidate(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, cand=sigmoid)


def gru_reset_complement(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, reset="1-r")


def gru_no_reset(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, reset="none")


def gru_always_new(x, h_prev, p, z_weights="old"):
    """Ignores its z_weights argument: always (1 - z) * h_prev + z * h_tilde."""
    return gru(x, h_prev, p, z_weights, keep_of="new")


def gru_always_old(x, h_prev, p, z_weights="old"):
    """Ignores its z_weights argument: always z * h_prev + (1 - z) * h_tilde."""
    return gru(x, h_prev, p, z_weights, keep_of="old")


def gru_no_interpolation(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, state=lambda keep, h_prev, h_tilde: h_tilde)


def gru_no_old_term(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, state=lambda keep, h_prev, h_tilde: (1 - keep) * h_tilde)


def gru_z_both_terms(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, state=lambda keep, h_prev, h_tilde: keep * h_prev + keep * h_tilde)


def gru_r_z_weights_exchanged(x, h_prev, p, z_weights="old"):
    v = cat(h_prev, x)
    r = sigmoid(v @ p.W_z.T + p.b_z)
    z = sigmoid(v @ p.W_r.T + p.b_r)
    h_tilde = np.tanh(cat(r * h_prev, x) @ p.W_h.T + p.b_h)
    keep = z if z_weights == "old" else 1 - z
    return keep * h_prev + (1 - keep) * h_tilde


def gru_reset_after(x, h_prev, p, z_weights="old"):
    H = h_prev.shape[-1]
    v = cat(h_prev, x)
    r, z = sigmoid(v @ p.W_r.T + p.b_r), sigmoid(v @ p.W_z.T + p.b_z)
    h_tilde = np.tanh(x @ p.W_h[:, H:].T + p.b_h + r * (h_prev @ p.W_h[:, :H].T))
    keep = z if z_weights == "old" else 1 - z
    return keep * h_prev + (1 - keep) * h_tilde


def gru_xh(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, order=True)


def gru_no_bias(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, bias=False)


def gru_candidate_ungated(x, h_prev, p, z_weights="old"):
    return gru(x, h_prev, p, z_weights, state=lambda keep, h_prev, h_tilde: keep * h_prev + h_tilde)


def gru_relu_candidate_no_reset(x, h_prev, p, z_weights="old"):
    """Two mistakes: a ReLU candidate, and the reset gate left out."""
    return gru(x, h_prev, p, z_weights, cand=relu, reset="none")


# --- sequences ------------------------------------------------------------------------------------------


def rnn_step(x, h, W, b):
    return np.tanh(cat(h, x) @ W.T + b)


def unroll_not_carried(xs, h0, W, b):
    return np.stack([rnn_step(x, h0, W, b) for x in xs])


def unroll_shifted(xs, h0, W, b):
    hs, h = [], h0
    for x in xs:
        hs.append(h)
        h = rnn_step(x, h, W, b)
    return np.stack(hs)


def unroll_reversed(xs, h0, W, b):
    hs, h = [], h0
    for x in xs:
        h = rnn_step(x, h, W, b)
        hs.insert(0, h)
    return np.stack(hs)


def unroll_sigmoid(xs, h0, W, b):
    hs, h = [], h0
    for x in xs:
        h = sigmoid(cat(h, x) @ W.T + b)
        hs.append(h)
    return np.stack(hs)


def unroll_no_bias_not_carried(xs, h0, W, b):
    """Two mistakes: the bias left out in the step, and every step from h0."""
    return np.stack([np.tanh(cat(h0, x) @ W.T) for x in xs])


def states(xs, h0, W, b):
    hs, h = [], h0
    for x in xs:
        h = rnn_step(x, h, W, b)
        hs.append(h)
    return np.stack(hs)


def norms(xs, h0, W, b, *, derivative=lambda hs, k: 1 - hs[k] ** 2, transpose=True, carry=True, reverse=False):
    hs = states(xs, h0, W, b)
    H = hs.shape[-1]
    W_hh = W[:, :H].T if transpose else W[:, :H]
    g, out = np.ones(H), [np.sqrt(H)]
    for k in range(len(hs) - 1, 0, -1):
        g = W_hh @ ((g if carry else np.ones(H)) * derivative(hs, k))
        out.append(np.linalg.norm(g))
    return np.array(out if reverse else out[::-1])


def norms_no_derivative(xs, h0, W, b):
    return norms(xs, h0, W, b, derivative=lambda hs, k: 1.0)


def norms_not_transposed(xs, h0, W, b):
    return norms(xs, h0, W, b, transpose=False)


def norms_wrong_step(xs, h0, W, b):
    return norms(xs, h0, W, b, derivative=lambda hs, k: 1 - hs[k - 1] ** 2)


def norms_one_minus_h(xs, h0, W, b):
    return norms(xs, h0, W, b, derivative=lambda hs, k: 1 - hs[k])


def norms_reversed(xs, h0, W, b):
    return norms(xs, h0, W, b, reverse=True)


def norms_not_carried(xs, h0, W, b):
    return norms(xs, h0, W, b, carry=False)


# --- the GRU's backward pass ----------------------------------------------------------------------------


def backward(dh, cache, p, **slip):
    H = p.hidden_size
    r, z, h_tilde, h_prev = cache["r"], cache["z"], cache["h_tilde"], cache["h_prev"]
    dh_tilde = dh * (1 - z)
    dz = dh * (h_prev - h_tilde)
    da_h = dh_tilde * (h_tilde * (1 - h_tilde) if slip.get("tanh_as_sigmoid") else 1 - h_tilde**2)
    dv_h = da_h @ p.W_h
    d_rh, dx = dv_h[:, :H], dv_h[:, H:]
    dr = d_rh * h_prev
    dh_prev = (0 if slip.get("no_direct") else dh * z) + d_rh * r
    da_z = dz * z * (1 - z)
    da_r = dr * (1 if slip.get("no_sigmoid_r") else r * (1 - r))
    dv = da_z @ p.W_z + da_r @ p.W_r
    n = len(dh) if slip.get("mean") else 1
    return {
        "W_r": da_r.T @ cache["v"] / n, "b_r": da_r.sum(axis=0) / n, "W_z": da_z.T @ cache["v"] / n,
        "b_z": da_z.sum(axis=0) / n, "W_h": da_h.T @ (cache["v"] if slip.get("v_for_W_h") else cache["v_h"]) / n,
        "b_h": da_h.sum(axis=0) / n, "x": dx + (0 if slip.get("no_gates_x") else dv[:, H:]),
        "h_prev": dh_prev + dv[:, :H],
    }  # fmt: skip


def backward_tanh_as_sigmoid(dh, cache, p):
    return backward(dh, cache, p, tanh_as_sigmoid=True)


def backward_no_direct_path(dh, cache, p):
    """The carried gradient dh * z into h_prev left out."""
    return backward(dh, cache, p, no_direct=True)


def backward_no_sigmoid_r(dh, cache, p):
    return backward(dh, cache, p, no_sigmoid_r=True)


def backward_mean_over_batch(dh, cache, p):
    return backward(dh, cache, p, mean=True)


def backward_v_for_W_h(dh, cache, p):
    return backward(dh, cache, p, v_for_W_h=True)


def backward_no_gates_in_dx(dh, cache, p):
    return backward(dh, cache, p, no_gates_x=True)


WRONG = [
    Case("rnn", rnn_sigmoid, "in the new state h (eq. 1), tanh was replaced by sigmoid"),
    Case("rnn", rnn_relu, "in the new state h (eq. 1), tanh was replaced by ReLU"),
    Case("rnn", rnn_no_tanh, "in the new state h (eq. 1), the tanh was left out"),
    Case("rnn", rnn_xh, "[x, h] was concatenated instead of [h, x]"),
    Case("rnn", rnn_no_bias, "the bias b was left out"),
    Case("rnn", rnn_transposed, "U, the block of W that multiplies h_prev, was used transposed"),
    Case(
        "rnn",
        rnn_xh_sigmoid,
        "in the new state h (eq. 1), tanh was replaced by sigmoid; and also, [x, h] was concatenated instead of [h, x]",
    ),
    Case("lstm", lstm_tanh_gates, "in every gate (eqs. 6, 7, 10), sigmoid was replaced by tanh"),
    Case("lstm", lstm_sigmoid_candidate, "in the candidate c_tilde (eq. 8), tanh was replaced by sigmoid"),
    Case("lstm", lstm_swapped, "sigmoid and tanh were swapped everywhere"),
    Case("lstm", lstm_no_tanh_c, "in the hidden state h (eq. 11), the tanh was left out"),
    Case("lstm", lstm_sigmoid_c, "in the hidden state h (eq. 11), tanh was replaced by sigmoid"),
    Case("lstm", lstm_no_forget_term, "in the cell state c (eq. 9), the term f * c_prev was left out"),
    Case("lstm", lstm_no_input_term, "in the cell state c (eq. 9), the term i * c_tilde was left out"),
    Case("lstm", lstm_f_i_exchanged, "in the cell state c (eq. 9), f and i were exchanged"),
    Case("lstm", lstm_no_forget_gate, "the forget gate was left out (c = c_prev + i * c_tilde)"),
    Case("lstm", lstm_old_cell_output, "the old cell c_prev was used instead of the new cell c"),
    Case("lstm", lstm_no_output_gate, "the output gate was left out"),
    Case("lstm", lstm_wrong_order, "the results were returned in the wrong order: (c, h) instead of (h, c)"),
    Case("lstm", lstm_returns_c_tilde, "the value returned for c is the candidate c_tilde (eq. 8)"),
    Case("lstm", lstm_xh, "[x, h] was concatenated instead of [h, x]"),
    Case("lstm", lstm_no_bias, "every bias was left out"),
    Case("lstm", lstm_forget_uses_input_weights, "in the forget gate f (eq. 6), W_i and b_i were used"),
    Case(
        "lstm",
        lstm_f_o_weights_exchanged,
        "the weights of the forget gate f (eq. 6) and the output gate o (eq. 10) were exchanged",
    ),
    Case("lstm", lstm_forget_bias_missing, "in the forget gate f (eq. 6), the bias b_f was left out"),
    Case(
        "lstm",
        lstm_candidate_sigmoid_and_wrong_order,
        "tanh was replaced by sigmoid; and also, the results were returned in the wrong order",
    ),
    Case("lstm", lstm_complement_forget, "in the forget gate f (eq. 6), 1 - f was used where f belongs"),
    Case("gru", gru_tanh_gates, "in every gate (eqs. 13, 14), sigmoid was replaced by tanh"),
    Case("gru", gru_sigmoid_candidate, "in the candidate h_tilde (eq. 15), tanh was replaced by sigmoid"),
    Case("gru", gru_reset_complement, "in the reset gate r (eq. 13), 1 - r was used where r belongs"),
    Case("gru", gru_no_reset, "the reset gate was not applied"),
    Case("gru", gru_always_new, "the other z convention (eq. 25 instead of eq. 24)"),
    Case("gru_new", gru_always_old, "the other z convention (eq. 24 instead of eq. 25)"),
    Case("gru", gru_no_interpolation, "there is no interpolation (h = h_tilde)"),
    Case("gru_new", gru_no_old_term, "in the new state h (eq. 25), the term (1 - z) * h_prev was left out"),
    Case("gru", gru_z_both_terms, "z was used in both terms"),
    Case(
        "gru",
        gru_r_z_weights_exchanged,
        "the weights of the reset gate r (eq. 13) and the update gate z (eq. 14) were exchanged",
    ),
    Case("gru", gru_reset_after, "the reset gate was applied after the matrix product (eq. 28)"),
    Case("gru", gru_xh, "[x, h] was concatenated instead of [h, x]"),
    Case("gru_new", gru_no_bias, "every bias was left out"),
    Case("gru", gru_candidate_ungated, "the candidate was added without its gate (h = z * h_prev + h_tilde)"),
    Case("gru", gru_relu_candidate_no_reset, "the reset gate was not applied"),
    Case("unroll", unroll_not_carried, "the state is not carried forward"),
    Case("unroll", unroll_shifted, "the states are shifted by one step"),
    Case("unroll", unroll_reversed, "the states were returned from the last step to the first"),
    Case("unroll", unroll_sigmoid, "inside the step: in the new state h (eq. 1), tanh was replaced by sigmoid"),
    Case("unroll", unroll_no_bias_not_carried, "the bias b was left out; and also, the state is not carried"),
    Case("norms", norms_no_derivative, "the tanh derivative (1 - h**2) was left out"),
    Case("norms", norms_not_transposed, "U = W[:, :H] was used where its transpose belongs"),
    Case("norms", norms_wrong_step, "the tanh derivative was taken at the wrong step"),
    Case("norms", norms_one_minus_h, "the tanh derivative was written as 1 - h instead of 1 - h**2"),
    Case("norms", norms_reversed, "the norms were listed from the last step to the first"),
    Case("norms", norms_not_carried, "the gradient carried from the later step was left out"),
    Case("backward", backward_tanh_as_sigmoid, "the tanh derivative was written as h_tilde * (1 - h_tilde)"),
    Case("backward", backward_no_direct_path, "the direct path dh * z (eq. 16) was left out"),
    Case("backward", backward_no_sigmoid_r, "the sigmoid derivative r * (1 - r) was left out"),
    Case("backward", backward_mean_over_batch, "averaged over the batch instead of summed"),
    Case("backward", backward_v_for_W_h, "the gradient of W_h was computed from [h_prev, x]"),
    Case("backward", backward_no_gates_in_dx, "in the gradient of x, the paths through the gates r and z"),
]

# --- right, in other styles -------------------------------------------------------------------------------


def rnn_blocks(x, h_prev, W, b):
    H = h_prev.shape[-1]
    W_h, W_x = W[:, :H], W[:, H:]
    return np.tanh(h_prev @ W_h.T + x @ W_x.T + b)


def rnn_einsum(x, h_prev, W, b):
    return np.tanh(np.einsum("hk,...k->...h", W, cat(h_prev, x)) + b)


def rnn_loops(x, h_prev, W, b):
    v = cat(h_prev, x)
    rows = np.atleast_2d(v)
    out = [[np.tanh(sum(W[j, k] * row[k] for k in range(len(row))) + b[j]) for j in range(len(b))] for row in rows]
    return np.array(out) if v.ndim == 2 else out[0]


def rnn_as_floats(x, h_prev, W, b):
    x, h_prev, W, b = (np.asarray(a, dtype=float) for a in (x, h_prev, W, b))
    return np.tanh(cat(h_prev, x) @ W.T + b)


def rnn_list(x, h_prev, W, b):
    return np.tanh(cat(h_prev, x) @ W.T + b).tolist()


def lstm_stacked(x, h_prev, c_prev, p):
    W = np.vstack([p.W_i, p.W_f, p.W_c, p.W_o])
    b = np.concatenate([p.b_i, p.b_f, p.b_c, p.b_o])
    i, f, g, o = np.split(cat(h_prev, x) @ W.T + b, 4, axis=-1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def lstm_lists(x, h_prev, c_prev, p):
    h, c = lstm(x, h_prev, c_prev, p)
    return h.tolist(), c.tolist()


def gru_blocks(x, h_prev, p, z_weights="old"):
    H = h_prev.shape[-1]
    r = sigmoid(h_prev @ p.W_r[:, :H].T + x @ p.W_r[:, H:].T + p.b_r)
    z = sigmoid(h_prev @ p.W_z[:, :H].T + x @ p.W_z[:, H:].T + p.b_z)
    h_tilde = np.tanh((r * h_prev) @ p.W_h[:, :H].T + x @ p.W_h[:, H:].T + p.b_h)
    return z * h_prev + (1 - z) * h_tilde if z_weights == "old" else (1 - z) * h_prev + z * h_tilde


def gru_einsum(x, h_prev, p, z_weights="old"):
    v = cat(h_prev, x)
    r = sigmoid(np.einsum("...k,hk->...h", v, p.W_r) + p.b_r)
    z = sigmoid(np.einsum("...k,hk->...h", v, p.W_z) + p.b_z)
    h_tilde = np.tanh(np.einsum("...k,hk->...h", cat(r * h_prev, x), p.W_h) + p.b_h)
    keep = z if z_weights == "old" else 1 - z
    return keep * h_prev + (1 - keep) * h_tilde


def unroll_list(xs, h0, W, b):
    hs, h = [], h0
    for t in range(len(xs)):
        h = rnn_blocks(xs[t], h, W, b)
        hs.append(h.tolist())
    return hs


def norms_right(xs, h0, W, b):
    return norms(xs, h0, W, b)


def backward_right(dh, cache, p):
    return backward(dh, cache, p)


RIGHT = [
    Case("rnn", rnn_blocks, ""),
    Case("rnn", rnn_einsum, ""),
    Case("rnn", rnn_loops, ""),
    Case("rnn", rnn_as_floats, ""),
    Case("rnn", rnn_list, ""),
    Case("lstm", lstm_stacked, ""),
    Case("lstm", lstm_lists, ""),
    Case("gru", gru_blocks, ""),
    Case("gru_new", gru_blocks, ""),
    Case("gru", gru_einsum, ""),
    Case("gru_new", gru_einsum, ""),
    Case("unroll", unroll_list, ""),
    Case("norms", norms_right, ""),
    Case("backward", backward_right, ""),
]
