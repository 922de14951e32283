"""The sequence functions: forward against a plain loop written here, and what backward returns.

Gradient values are checked in test_gradients.py (finite differences) and test_torch.py (PyTorch);
error paths in test_errors.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams

T, B, D, H = 4, 3, 2, 5
CLASSES = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def lin(W, b, h, x):
    return np.concatenate([h, x], axis=-1) @ W.T + b


def reference_hs(kind, p, xs, h0, c0, z_weights="old", reset="before"):
    """The recurrence as a plain loop over t, one line per equation."""
    h, c, hs, cs = h0, c0, [], []
    for x in xs:
        if kind == "rnn":
            h = np.tanh(lin(p.W, p.b, h, x))
        elif kind == "lstm":
            f, i, o = sig(lin(p.W_f, p.b_f, h, x)), sig(lin(p.W_i, p.b_i, h, x)), sig(lin(p.W_o, p.b_o, h, x))
            c = f * c + i * np.tanh(lin(p.W_c, p.b_c, h, x))
            h = o * np.tanh(c)
            cs.append(c)
        else:
            r, z = sig(lin(p.W_r, p.b_r, h, x)), sig(lin(p.W_z, p.b_z, h, x))
            if reset == "before":
                h_tilde = np.tanh(lin(p.W_h, p.b_h, r * h, x))
            else:
                b_hn = 0.0 if p.b_hn is None else p.b_hn
                h_tilde = np.tanh(x @ p.W_h[:, H:].T + p.b_h + r * (h @ p.W_h[:, :H].T + b_hn))
            keep = z if z_weights == "old" else 1 - z
            h = keep * h + (1 - keep) * h_tilde
        hs.append(h)
    return np.array(hs), (np.array(cs) if cs else None)


def run(kind, p, xs, h0, c0, **kw):
    """Forward then backward with dhs = 1; returns hs, cs (or None), and backward's outputs."""
    if kind == "lstm":
        hs, cs, cache = rnnlab.lstm_forward(xs, h0, c0, p, **kw)
        return hs, cs, rnnlab.lstm_backward(np.ones_like(hs), cache)
    forward, backward = (
        (rnnlab.gru_forward, rnnlab.gru_backward) if kind == "gru" else (rnnlab.rnn_forward, rnnlab.rnn_backward)
    )
    hs, cache = forward(xs, h0, p, **kw)
    return hs, None, backward(np.ones_like(hs), cache)


def data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))


def close(ours, reference, what, atol=1e-13):
    np.testing.assert_allclose(ours, reference, rtol=0, atol=atol, err_msg=f"{what}: ours vs reference")


GRU_CASES = [("old", "before", False), ("new", "before", False), ("old", "after", True), ("new", "after", False)]


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_forward_matches_a_plain_loop(kind):
    p = CLASSES[kind].random(D, H, seed=1)
    xs, h0, c0 = data(1)
    hs, cs, _ = run(kind, p, xs, h0, c0)
    hs_ref, cs_ref = reference_hs(kind, p, xs, h0, c0)
    close(hs, hs_ref, "hs")
    if kind == "lstm":
        close(cs, cs_ref, "cs")


@pytest.mark.parametrize(("z_weights", "reset", "b_hn"), GRU_CASES)
def test_gru_forward_matches_a_plain_loop(z_weights, reset, b_hn):
    p = GRUParams.random(D, H, seed=2)
    if b_hn:
        p = p.replace(b_hn=np.full(H, 0.4))
    xs, h0, _ = data(2)
    hs, _ = rnnlab.gru_forward(xs, h0, p, z_weights=z_weights, reset=reset)
    close(hs, reference_hs("gru", p, xs, h0, None, z_weights, reset)[0], f"hs ({z_weights}, {reset})")


@pytest.mark.parametrize("kind", CLASSES)
def test_none_initial_state_is_zeros(kind):
    p = CLASSES[kind].random(D, H, seed=3)
    xs, _, _ = data(3)
    hs_none, cs_none, (_, _, dh0, *dc0) = run(kind, p, xs, None, None)
    hs_zero, cs_zero, _ = run(kind, p, xs, np.zeros((B, H)), np.zeros((B, H)))
    close(hs_none, hs_zero, "hs with None vs zeros", atol=0)
    assert dh0.shape == (B, H), f"dh0 shape for h0=None: ours {dh0.shape} vs {(B, H)}"
    if kind == "lstm":
        close(cs_none, cs_zero, "cs with None vs zeros", atol=0)
        assert dc0[0].shape == (B, H), f"dc0 shape for c0=None: ours {dc0[0].shape} vs {(B, H)}"


@pytest.mark.parametrize("kind", CLASSES)
def test_backward_returns_the_right_types_and_shapes(kind):
    p = CLASSES[kind].random(D, H, seed=4)
    xs, h0, c0 = data(4)
    hs, cs, out = run(kind, p, xs, h0, c0)
    grads, dxs, dh0 = out[:3]
    assert hs.shape == (T, B, H), f"hs: ours {hs.shape} vs {(T, B, H)}"
    assert type(grads) is type(p), f"grads: ours {type(grads).__name__} vs {type(p).__name__}"
    for name, array in p.arrays().items():
        assert getattr(grads, name).shape == array.shape, f"d{name}: ours {getattr(grads, name).shape} vs {array.shape}"
    assert dxs.shape == xs.shape, f"dxs: ours {dxs.shape} vs {xs.shape}"
    assert dh0.shape == (B, H), f"dh0: ours {dh0.shape} vs {(B, H)}"
    if kind == "lstm":
        assert cs.shape == (T, B, H) and out[3].shape == (B, H), f"cs {cs.shape}, dc0 {out[3].shape}"


def test_gru_backward_returns_b_hn_only_when_reset_is_after():
    p = GRUParams.random(D, H, seed=5)
    xs, h0, _ = data(5)
    for reset, has_b_hn in [("before", False), ("after", True)]:
        grads = run("gru", p, xs, h0, None, reset=reset)[2][0]
        assert (grads.b_hn is not None) == has_b_hn, f"reset={reset}: ours b_hn={grads.b_hn}"


@pytest.mark.parametrize("kind", CLASSES)
def test_backward_is_linear_repeatable_and_leaves_inputs_alone(kind):
    p = CLASSES[kind].random(D, H, seed=6)
    xs, h0, c0 = data(6)
    saved = xs.copy(), h0.copy(), c0.copy()
    if kind == "lstm":
        hs, _, cache = rnnlab.lstm_forward(xs, h0, c0, p)
        backward = rnnlab.lstm_backward
    else:
        forward = rnnlab.gru_forward if kind == "gru" else rnnlab.rnn_forward
        hs, cache = forward(xs, h0, p)
        backward = rnnlab.gru_backward if kind == "gru" else rnnlab.rnn_backward
    hs_saved = hs.copy()
    dhs = np.random.default_rng(6).normal(size=hs.shape)
    first, again, doubled = backward(dhs, cache), backward(dhs, cache), backward(2 * dhs, cache)
    for k, (a, b, c) in enumerate(zip(first, again, doubled, strict=True)):
        arrays = (a.arrays(), b.arrays(), c.arrays()) if k == 0 else ({"": a}, {"": b}, {"": c})
        for name in arrays[0]:
            close(arrays[1][name], arrays[0][name], f"output {k} {name}: second call vs first", atol=0)
            close(arrays[2][name], 2 * arrays[0][name], f"output {k} {name}: 2*dhs vs 2*first", atol=1e-12)
    for name, before, after in zip(["xs", "h0", "c0"], saved, (xs, h0, c0), strict=True):
        np.testing.assert_array_equal(after, before, err_msg=f"{name} was changed")
    np.testing.assert_array_equal(hs, hs_saved, err_msg="backward changed hs")


@pytest.mark.parametrize("kind", CLASSES)
def test_inputs_as_lists_and_a_single_sequence(kind):
    p = CLASSES[kind].random(D, H, seed=7)
    xs, h0, c0 = data(7)
    hs_lists = run(kind, p, xs.tolist(), h0.tolist(), c0.tolist())[0]
    close(hs_lists, run(kind, p, xs, h0, c0)[0], "hs from lists vs arrays", atol=0)
    one = run(kind, p, xs[:, :1], h0[:1], c0[:1])[0]
    close(one[:, 0], run(kind, p, xs, h0, c0)[0][:, 0], "a batch of one vs the first of three")


@pytest.mark.parametrize("kind", CLASSES)
def test_float32_working_precision(kind):
    """The speed option: float32 gives float32 states, float64 gradient records, and numbers close to float64."""
    p = CLASSES[kind].random(D, H, seed=8)
    xs, h0, c0 = data(8)
    kw = {"reset": "after"} if kind == "gru" else {}
    hs64, _, out64 = run(kind, p, xs, h0, c0, **kw)
    hs32, _, out32 = run(kind, p, xs, h0, c0, dtype=np.float32, **kw)
    assert hs32.dtype == np.float32, f"hs dtype: ours {hs32.dtype} vs float32"
    close(hs32, hs64, "hs float32 vs float64", atol=1e-5)
    for name, grad in out64[0].arrays().items():
        assert getattr(out32[0], name).dtype == np.float64, f"d{name} dtype: ours {getattr(out32[0], name).dtype}"
        close(getattr(out32[0], name), grad, f"d{name} float32 vs float64", atol=1e-4)
    close(out32[1], out64[1], "dxs float32 vs float64", atol=1e-4)


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("dtype", [np.float16, "int64", "complex128", None, "float"])
def test_unknown_dtype(kind, dtype):
    if dtype in (None, "float"):  # numpy reads both as float64, which is allowed
        run(kind, CLASSES[kind].random(D, H), *data(), dtype=dtype)
        return
    with pytest.raises(ValueError) as info:
        run(kind, CLASSES[kind].random(D, H), *data(), dtype=dtype)
    message = str(info.value)
    assert "dtype:" in message and "float32" in message, f"ours: {message!r}"
