"""Property-based tests (hypothesis): what must hold for every size, weight and input.

Inputs are bounded so that no pre-activation exceeds 37 in size: beyond that the float64 sigmoid
rounds to exactly 0 or 1, and "gates lie in (0, 1)" would fail for a reason that is not a bug.
Examples are derandomized so ``make test`` is reproducible, and the database is off so nothing is written.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams

# applied per test (not as a global profile, which would also change other files' hypothesis tests)
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None)

CLASSES = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}
CONVENTIONS = [{"z_weights": z, "reset": r} for z in ("old", "new") for r in ("before", "after")]
VALUES = st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False)


def values(shape) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=VALUES)


@st.composite
def problems(draw, kind: str, sequence: bool = False, batch: bool = True):
    """Params (weights scaled by up to 1.5, so |pre-activation| <= 1.5 * 2 * (H + D) / sqrt(H) + 1.5 < 37)
    plus inputs and states drawn by hypothesis."""
    D, H = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    B = draw(st.integers(1, 3))
    T = draw(st.integers(1, 4))
    scale = draw(st.floats(0.1, 1.5))
    p = CLASSES[kind].random(D, H, seed=draw(st.integers(0, 2**16)))
    p = p.replace(**{name: scale * array for name, array in p.arrays().items()})
    if kind == "gru" and draw(st.booleans()):
        p = p.replace(b_hn=draw(values((H,))) / 2)
    lead = (T, B) if sequence else ((B,) if batch else ())
    x = draw(values((*lead, D)))
    h = draw(values((B, H) if sequence or batch else (H,)))
    c = draw(values((B, H) if sequence or batch else (H,)))
    return p, x, h, c


def conventions_for(p: GRUParams, draw_index: int) -> dict:
    """A convention valid for ``p`` (b_hn exists only with reset="after")."""
    convention = CONVENTIONS[draw_index]
    return convention | {"reset": "after"} if p.b_hn is not None else convention


def close(ours, reference, what: str, atol: float = 1e-12) -> None:
    np.testing.assert_allclose(ours, reference, rtol=0, atol=atol, err_msg=f"{what}: ours vs reference")


# --- gates lie in (0, 1) -------------------------------------------------------------------------


@SETTINGS
@given(problems("lstm"))
def test_lstm_gates_in_open_unit_interval(problem):
    p, x, h, c = problem
    trace = rnnlab.lstm_step(x, h, c, p)
    for name in ("f", "i", "o"):
        gate = getattr(trace, name)
        assert np.all((gate > 0) & (gate < 1)), f"{name} = {gate} is not inside (0, 1)"
    assert np.all(np.abs(trace.h) < 1), f"h = {trace.h} is not inside (-1, 1)"
    assert np.all(np.abs(trace.c) <= np.abs(c) + 1), f"|c| = {np.abs(trace.c)} exceeds |c_prev| + 1"


@SETTINGS
@given(problems("gru"), st.integers(0, 3))
def test_gru_gates_in_open_unit_interval(problem, index):
    p, x, h, _ = problem
    trace = rnnlab.gru_step(x, h, p, **conventions_for(p, index))
    for name in ("r", "z"):
        gate = getattr(trace, name)
        assert np.all((gate > 0) & (gate < 1)), f"{name} = {gate} is not inside (0, 1)"
    # h is a convex combination of h_prev and h_tilde, so it lies between them
    low, high = np.minimum(h, trace.h_tilde), np.maximum(h, trace.h_tilde)
    assert np.all((trace.h >= low - 1e-15) & (trace.h <= high + 1e-15)), f"h = {trace.h} outside [{low}, {high}]"


# --- z forced to 1 or 0 --------------------------------------------------------------------------


@SETTINGS
@given(problems("gru"), st.integers(0, 3), st.sampled_from([1.0, 0.0]))
def test_forced_update_gate_keeps_or_replaces_the_state(problem, index, z_value):
    p, x, h, _ = problem
    conventions = conventions_for(p, index)
    bias = 40.0 if z_value == 1.0 else -40.0  # sigmoid(+-40) is exactly 1.0 / 0.0 in float64
    forced = p.replace(W_z=np.zeros_like(p.W_z), b_z=np.full(p.hidden_size, bias))
    trace = rnnlab.gru_step(x, h, forced, **conventions)
    np.testing.assert_array_equal(trace.z, np.full_like(trace.z, z_value), err_msg="z: ours vs forced value")
    keeps = (conventions["z_weights"] == "old") == (z_value == 1.0)
    reference = h if keeps else trace.h_tilde
    what = "h_prev" if keeps else "h_tilde"
    close(trace.h, reference, f"h with z={z_value}, {conventions}: ours vs {what}", atol=0)
    if keeps:  # over a whole sequence the state never changes
        xs = np.stack([x, x[::-1]])
        hs, _ = rnnlab.gru_forward(xs, h, forced, **conventions)
        close(hs, np.stack([h, h]), "hs with the state kept: ours vs h0")


# --- batch results equal row-by-row results ------------------------------------------------------


@SETTINGS
@given(problems("rnn"))
def test_rnn_batch_equals_rows(problem):
    p, x, h, _ = problem
    batch = rnnlab.rnn_step(x, h, p)
    for b in range(len(x)):
        row = rnnlab.rnn_step(x[b], h[b], p)
        close(batch.h[b], row.h, f"h[{b}]")
        close(batch.a[b], row.a, f"a[{b}]")


@SETTINGS
@given(problems("lstm"))
def test_lstm_batch_equals_rows(problem):
    p, x, h, c = problem
    batch = rnnlab.lstm_step(x, h, c, p)
    for b in range(len(x)):
        row = rnnlab.lstm_step(x[b], h[b], c[b], p)
        for name in ("f", "i", "c_tilde", "c", "o", "h"):
            close(getattr(batch, name)[b], getattr(row, name), f"{name}[{b}]")


@SETTINGS
@given(problems("gru"), st.integers(0, 3))
def test_gru_batch_equals_rows(problem, index):
    p, x, h, _ = problem
    conventions = conventions_for(p, index)
    batch = rnnlab.gru_step(x, h, p, **conventions)
    for b in range(len(x)):
        row = rnnlab.gru_step(x[b], h[b], p, **conventions)
        for name in ("r", "z", "h_tilde", "h"):
            close(getattr(batch, name)[b], getattr(row, name), f"{name}[{b}] {conventions}")


@SETTINGS
@given(problems("lstm", sequence=True), st.sampled_from(["rnn", "lstm", "gru"]))
def test_sequence_batch_equals_one_sequence_at_a_time(problem, kind):
    _, xs, h0, c0 = problem
    p = CLASSES[kind].random(xs.shape[2], h0.shape[1], seed=xs.shape[0])
    run = {
        "rnn": lambda xs, h0, c0: rnnlab.rnn_forward(xs, h0, p)[0],
        "lstm": lambda xs, h0, c0: rnnlab.lstm_forward(xs, h0, c0, p)[0],
        "gru": lambda xs, h0, c0: rnnlab.gru_forward(xs, h0, p)[0],
    }[kind]
    batch = run(xs, h0, c0)
    for b in range(xs.shape[1]):
        close(batch[:, b], run(xs[:, b : b + 1], h0[b : b + 1], c0[b : b + 1])[:, 0], f"{kind} hs[:, {b}]")


# --- the two z conventions mirror each other -----------------------------------------------------


@SETTINGS
@given(problems("gru", sequence=True), st.sampled_from(["before", "after"]))
def test_z_conventions_mirror(problem, reset):
    """sigma(-a) = 1 - sigma(a): negating the update row turns "new" into "old"."""
    p, xs, h0, _ = problem
    if p.b_hn is not None:
        reset = "after"
    mirrored = p.replace(W_z=-p.W_z, b_z=-p.b_z)
    old = rnnlab.gru_step(xs[0], h0, p, z_weights="old", reset=reset)
    new = rnnlab.gru_step(xs[0], h0, mirrored, z_weights="new", reset=reset)
    close(new.z, 1.0 - old.z, "z (new, mirrored) vs 1 - z (old)")
    close(new.h, old.h, "h (new, mirrored) vs h (old)")
    hs_old, cache_old = rnnlab.gru_forward(xs, h0, p, z_weights="old", reset=reset)
    hs_new, cache_new = rnnlab.gru_forward(xs, h0, mirrored, z_weights="new", reset=reset)
    close(hs_new, hs_old, "hs (new, mirrored) vs hs (old)")
    dhs = np.cos(np.arange(hs_old.size)).reshape(hs_old.shape)
    g_old, dxs_old, dh0_old = rnnlab.gru_backward(dhs, cache_old)
    g_new, dxs_new, dh0_new = rnnlab.gru_backward(dhs, cache_new)
    close(dxs_new, dxs_old, "dxs", atol=1e-11)
    close(dh0_new, dh0_old, "dh0", atol=1e-11)
    for name, grad in g_old.arrays().items():
        sign = -1.0 if name in ("W_z", "b_z") else 1.0
        close(getattr(g_new, name), sign * grad, f"d{name} (new, mirrored) vs {sign:+} d{name} (old)", atol=1e-11)


# --- the step functions and the sequence forward agree at every t ------------------------------


@SETTINGS
@given(problems("rnn", sequence=True))
def test_rnn_steps_agree_with_forward(problem):
    p, xs, h, _ = problem
    hs, _ = rnnlab.rnn_forward(xs, h, p)
    for t in range(len(xs)):
        h = rnnlab.rnn_step(xs[t], h, p).h
        close(hs[t], h, f"hs[{t}] vs rnn_step")


@SETTINGS
@given(problems("lstm", sequence=True))
def test_lstm_steps_agree_with_forward(problem):
    p, xs, h, c = problem
    hs, cs, _ = rnnlab.lstm_forward(xs, h, c, p)
    for t in range(len(xs)):
        trace = rnnlab.lstm_step(xs[t], h, c, p)
        h, c = trace.h, trace.c
        close(hs[t], h, f"hs[{t}] vs lstm_step")
        close(cs[t], c, f"cs[{t}] vs lstm_step")


@SETTINGS
@given(problems("gru", sequence=True), st.integers(0, 3))
def test_gru_steps_agree_with_forward(problem, index):
    p, xs, h, _ = problem
    conventions = conventions_for(p, index)
    hs, _ = rnnlab.gru_forward(xs, h, p, **conventions)
    for t in range(len(xs)):
        h = rnnlab.gru_step(xs[t], h, p, **conventions).h
        close(hs[t], h, f"hs[{t}] vs gru_step {conventions}")


# --- a 1-D initial state broadcasts, and its gradient is the batch sum ---------------------------


@SETTINGS
@given(problems("lstm", sequence=True), st.sampled_from(["rnn", "lstm", "gru"]))
def test_one_dimensional_initial_state(problem, kind):
    _, xs, h0s, c0s = problem
    T, B, D = xs.shape
    H = h0s.shape[1]
    p = CLASSES[kind].random(D, H, seed=B + 7 * T)
    h0, c0 = h0s[0], c0s[0]
    tiled_h0, tiled_c0 = np.tile(h0, (B, 1)), np.tile(c0, (B, 1))
    dhs = np.sin(np.arange(T * B * H)).reshape(T, B, H)
    if kind == "lstm":
        hs, _, cache = rnnlab.lstm_forward(xs, h0, c0, p)
        hs_tiled, _, cache_tiled = rnnlab.lstm_forward(xs, tiled_h0, tiled_c0, p)
        _, _, dh0, dc0 = rnnlab.lstm_backward(dhs, cache)
        _, _, dh0_tiled, dc0_tiled = rnnlab.lstm_backward(dhs, cache_tiled)
        assert dc0.shape == (H,), f"dc0 shape: ours {dc0.shape} vs expected {(H,)}"
        close(dc0, dc0_tiled.sum(axis=0), "dc0 vs batch sum of the tiled dc0")
    else:
        forward = rnnlab.gru_forward if kind == "gru" else rnnlab.rnn_forward
        backward = rnnlab.gru_backward if kind == "gru" else rnnlab.rnn_backward
        hs, cache = forward(xs, h0, p)
        hs_tiled, cache_tiled = forward(xs, tiled_h0, p)
        dh0 = backward(dhs, cache)[2]
        dh0_tiled = backward(dhs, cache_tiled)[2]
    close(hs, hs_tiled, f"{kind}: hs with a 1-D h0 vs tiled h0", atol=0)
    assert dh0.shape == (H,), f"dh0 shape: ours {dh0.shape} vs expected {(H,)}"
    close(dh0, dh0_tiled.sum(axis=0), f"{kind}: dh0 vs batch sum of the tiled dh0")
    step = rnnlab.gru_step if kind == "gru" else rnnlab.rnn_step
    if kind != "lstm":
        close(step(xs[0], h0, p).h, step(xs[0], tiled_h0, p).h, f"{kind}: step with a 1-D h_prev", atol=0)
