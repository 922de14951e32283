"""The readable step backwards (``rnn_step_backward``, ``lstm_step_backward``, ``gru_step_backward``).

Each is checked against central finite differences, and a loop of step backwards over a sequence must
give the fused sequence backward's gradients to 1e-12, for every GRU convention, with batches and with
an initial state that is batched, shared by the batch (H,) or absent.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams

D, H, B, T = 3, 4, 2, 5
LOOP_ATOL = 1e-12
GRU_CONVENTIONS = [(z, r) for z in ("old", "new") for r in ("before", "after")]
KINDS = [("rnn", {}), ("lstm", {})] + [("gru", {"z_weights": z, "reset": r}) for z, r in GRU_CONVENTIONS]
IDS = ["rnn", "lstm"] + [f"gru-{z}-{r}" for z, r in GRU_CONVENTIONS]


def params(kind: str, seed: int = 0, **conventions):
    p = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}[kind].random(D, H, seed=seed)
    if conventions.get("reset") == "after":
        p = p.replace(b_hn=np.random.default_rng(seed + 7).uniform(-0.5, 0.5, H))
    return p


def step(kind, x, h_prev, c_prev, p, **conventions):
    if kind == "lstm":
        return rnnlab.lstm_step(x, h_prev, c_prev, p)
    if kind == "gru":
        return rnnlab.gru_step(x, h_prev, p, **conventions)
    return rnnlab.rnn_step(x, h_prev, p)


def step_backward(kind, dh, dc, trace, p):
    """(grads, dx, dh_prev, dc_prev); dc_prev is None except for the LSTM."""
    if kind == "lstm":
        return rnnlab.lstm_step_backward(dh, dc, trace, p)
    backward = rnnlab.gru_step_backward if kind == "gru" else rnnlab.rnn_step_backward
    return (*backward(dh, trace, p), None)


def upstream_loss(kind, trace, dh, dc) -> float:
    """L = dh . h (+ dc . c), whose gradient with respect to h (and c) is the upstream gradient."""
    loss = float(np.sum(dh * trace.h))
    return loss + (float(np.sum(dc * trace.c)) if kind == "lstm" else 0.0)


@pytest.mark.parametrize("batch", [False, True], ids=["vector", "batch"])
@pytest.mark.parametrize(("kind", "conventions"), KINDS, ids=IDS)
def test_step_backward_matches_finite_differences(kind, conventions, batch):
    rng = np.random.default_rng(3)
    shape = (B,) if batch else ()
    x, h_prev, c_prev = rng.normal(size=(*shape, D)), rng.normal(size=(*shape, H)), rng.normal(size=(*shape, H))
    dh, dc = rng.normal(size=(*shape, H)), rng.normal(size=(*shape, H))
    p = params(kind, **conventions)
    grads, dx, dh_prev, dc_prev = step_backward(kind, dh, dc, step(kind, x, h_prev, c_prev, p, **conventions), p)

    def loss(x=x, h_prev=h_prev, c_prev=c_prev, p=p):
        return upstream_loss(kind, step(kind, x, h_prev, c_prev, p, **conventions), dh, dc)

    errors = {
        "params": rnnlab.gradcheck(lambda q: loss(p=q), p, grads),
        "x": rnnlab.gradcheck(lambda a: loss(x=a), x, dx),
        "h_prev": rnnlab.gradcheck(lambda a: loss(h_prev=a), h_prev, dh_prev),
    }
    if kind == "lstm":
        errors["c_prev"] = rnnlab.gradcheck(lambda a: loss(c_prev=a), c_prev, dc_prev)
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-7, f"{kind} {conventions}: relative error of d{worst} {errors[worst]:.2e} vs < 1e-7"
    assert dx.shape == x.shape and dh_prev.shape == h_prev.shape, f"shapes: ours {dx.shape}, {dh_prev.shape}"
    if conventions.get("reset") == "after":
        assert grads.b_hn is not None, "reset='after': expected a gradient for b_hn, got None"


def initial(rng, form: str):
    """An initial state: batched (B, H), shared by the batch (H,), or None."""
    return {"batched": rng.normal(size=(B, H)), "shared": rng.normal(size=H), "none": None}[form]


def fused(kind, xs, h0, c0, p, dhs, **conventions):
    """The sequence backward's (grads, dxs, dh0, dc0)."""
    if kind == "lstm":
        _, _, cache = rnnlab.lstm_forward(xs, h0, c0, p)
        return rnnlab.lstm_backward(dhs, cache)
    if kind == "gru":
        _, cache = rnnlab.gru_forward(xs, h0, p, **conventions)
        return (*rnnlab.gru_backward(dhs, cache), None)
    _, cache = rnnlab.rnn_forward(xs, h0, p)
    return (*rnnlab.rnn_backward(dhs, cache), None)


def looped(kind, xs, h0, c0, p, dhs, **conventions):
    """The same gradients from one step forward and one step backward per time step."""
    zeros = np.zeros((B, H))
    h, c = (zeros if h0 is None else h0), (zeros if c0 is None else c0)
    traces = []
    for x in xs:
        traces.append(step(kind, x, h, c, p, **conventions))
        h, c = traces[-1].h, (traces[-1].c if kind == "lstm" else c)
    total = {name: np.zeros_like(a) for name, a in p.arrays().items()}
    dxs = np.empty_like(xs)
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    for t in reversed(range(len(xs))):
        grads, dxs[t], dh_next, dc_next = step_backward(kind, dhs[t] + dh_next, dc_next, traces[t], p)
        for name, g in grads.arrays().items():
            total[name] = total.get(name, 0.0) + g
    dh0 = dh_next.sum(axis=0) if h0 is not None and h0.ndim == 1 else dh_next
    dc0 = None
    if kind == "lstm":
        dc0 = dc_next.sum(axis=0) if c0 is not None and c0.ndim == 1 else dc_next
    return total, dxs, dh0, dc0


@pytest.mark.parametrize("form", ["batched", "shared", "none"])
@pytest.mark.parametrize(("kind", "conventions"), KINDS, ids=IDS)
def test_fused_backward_equals_a_loop_of_step_backwards(kind, conventions, form):
    rng = np.random.default_rng(11)
    xs, dhs = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    h0, c0 = initial(rng, form), initial(rng, form)
    p = params(kind, seed=5, **conventions)
    grads, dxs, dh0, dc0 = fused(kind, xs, h0, c0, p, dhs, **conventions)
    total, loop_dxs, loop_dh0, loop_dc0 = looped(kind, xs, h0, c0, p, dhs, **conventions)
    assert set(grads.arrays()) == set(total), f"fields: fused {sorted(grads.arrays())} vs loop {sorted(total)}"
    pairs = {**{name: (grads.arrays()[name], total[name]) for name in total}, "dxs": (dxs, loop_dxs)}
    pairs["dh0"] = (dh0, loop_dh0)
    if kind == "lstm":
        pairs["dc0"] = (dc0, loop_dc0)
    for name, (ours, loop) in pairs.items():
        np.testing.assert_allclose(
            ours, loop, rtol=0, atol=LOOP_ATOL, err_msg=f"{kind} {conventions} {name}: fused vs loop"
        )


def test_step_backward_is_exported():
    for name in ("rnn_step_backward", "lstm_step_backward", "gru_step_backward", "CellParams"):
        assert name in rnnlab.__all__, f"{name} missing from rnnlab.__all__"


@pytest.mark.parametrize(("kind", "conventions"), KINDS[:3], ids=IDS[:3])
def test_step_backward_bad_upstream_shape(kind, conventions):
    p = params(kind, **conventions)
    trace = step(kind, np.zeros((B, D)), np.zeros((B, H)), np.zeros((B, H)), p, **conventions)
    with pytest.raises(ValueError, match=rf"dh: expected shape \({B}, {H}\), got \({H},\)"):
        step_backward(kind, np.zeros(H), np.zeros((B, H)), trace, p)
    if kind == "lstm":
        with pytest.raises(ValueError, match=rf"dc: expected shape \({B}, {H}\), got \({B}, {H + 1}\)"):
            step_backward(kind, np.zeros((B, H)), np.zeros((B, H + 1)), trace, p)


def test_step_backward_wrong_trace_or_params():
    p = params("rnn")
    gru_trace = rnnlab.gru_step(np.zeros(D), np.zeros(H), params("gru"))
    with pytest.raises(TypeError, match="trace: expected the RNNTrace returned by rnn_step, got GRUTrace"):
        rnnlab.rnn_step_backward(np.zeros(H), gru_trace, p)
    trace = rnnlab.rnn_step(np.zeros(D), np.zeros(H), p)
    with pytest.raises(TypeError, match="p: expected RNNParams, got GRUParams"):
        rnnlab.rnn_step_backward(np.zeros(H), trace, params("gru"))
    with pytest.raises(ValueError, match=f"p: expected D={D}, H={H} like the trace's, got D={D + 1}, H={H}"):
        rnnlab.rnn_step_backward(np.zeros(H), trace, RNNParams.random(D + 1, H))
