"""Stacked and bidirectional sequences without PyTorch: against the one-layer functions (exactly), against
a loop of the step functions written here, against finite differences, and their error messages.

The cross-check against PyTorch is in test_torch_stacked.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import StackedParams

KINDS = ("rnn", "lstm", "gru")
GRU_CONVENTIONS = [{"z_weights": z, "reset": r} for z in ("old", "new") for r in ("before", "after")]
CASES = [("rnn", {}), ("lstm", {})] + [("gru", c) for c in GRU_CONVENTIONS]
IDS = ["rnn", "lstm"] + [f"gru-{c['z_weights']}-{c['reset']}" for c in GRU_CONVENTIONS]


def close(ours, reference, what: str, atol: float = 1e-12) -> None:
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert ours.shape == reference.shape, f"{what}: ours shape {ours.shape} vs reference {reference.shape}"
    np.testing.assert_allclose(ours, reference, rtol=0, atol=atol, err_msg=f"{what}: ours vs reference")


def same(ours, reference, what: str) -> None:
    assert np.array_equal(ours, reference), f"{what}: ours\n{ours}\nvs the one-layer function\n{reference}"


def with_b_hn(p: StackedParams, seed: int) -> StackedParams:
    """Give every GRU cell a nonzero b_hn (used with reset='after')."""
    rng = np.random.default_rng(seed)
    names = [name.replace("W_r", "b_hn") for name in p.arrays() if name.endswith("W_r")]
    return p.replace_arrays({name: rng.uniform(-0.5, 0.5, p.hidden_size) for name in names})


def stack(kind, conventions, D, H, L, bidirectional, seed=0):
    p = StackedParams.random(kind, D, H, num_layers=L, bidirectional=bidirectional, seed=seed)
    return with_b_hn(p, seed) if conventions.get("reset") == "after" else p


# --- one layer, one direction is the one-layer function -------------------------------------------


@pytest.mark.parametrize(("kind", "conventions"), CASES, ids=IDS)
@pytest.mark.parametrize("initial", [False, True], ids=["zeros", "h0"])
def test_one_layer_one_direction_equals_the_sequence_function_exactly(kind, conventions, initial):
    T, B, D, H = 4, 3, 2, 3
    p = stack(kind, conventions, D, H, 1, False, seed=1)
    cell = p.layers[0][0]
    rng = np.random.default_rng(2)
    xs, dhs = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    states = [rng.normal(size=(B, H)) for _ in rnnlab.cell_kind(kind).states]
    dlast = [rng.normal(size=(B, H)) for _ in states]
    kind_entry = rnnlab.cell_kind(kind)
    ref_states, ref_cache = kind_entry.run(xs, cell, tuple(states) if initial else None, **conventions)
    outputs, finals, cache = rnnlab.stacked_forward(
        xs, p, tuple(s[None] for s in states) if initial else None, **conventions
    )
    same(outputs, ref_states[0], "outputs")
    for name, final, ref in zip(kind_entry.states, finals, ref_states, strict=True):
        same(final[0], ref[-1], f"{name}_n")

    grads, dxs, dstart = rnnlab.stacked_backward(dhs, cache)
    ref_grads, ref_dxs, ref_dstart = kind_entry.backprop(dhs, ref_cache)
    assert grads.layers[0][0] == ref_grads, "parameter gradients differ from the one-layer backward"
    same(dxs, ref_dxs, "dxs")
    for name, ours, ref in zip(kind_entry.states, dstart, ref_dstart, strict=True):
        same(ours[0], ref, f"d{name}0")

    # gradients of the final states enter as dL/dh_T added to dhs[-1] and, for the LSTM, dc_last
    grads, dxs, dstart = rnnlab.stacked_backward(dhs, cache, tuple(d[None] for d in dlast))
    shifted = dhs.copy()
    shifted[-1] += dlast[0]
    extra = {"dc_last": dlast[1]} if kind == "lstm" else {}
    ref_grads, ref_dxs, *ref_dstart = kind_entry.backward(shifted, ref_cache, **extra)
    assert grads.layers[0][0] == ref_grads, "parameter gradients with final-state gradients"
    same(dxs, ref_dxs, "dxs with final-state gradients")
    for name, ours, ref in zip(kind_entry.states, dstart, ref_dstart, strict=True):
        same(ours[0], ref, f"d{name}0 with final-state gradients")


# --- against a loop of the step functions ---------------------------------------------------------


def step(kind, cell, x, states, conventions):
    """One step with rnnlab's step function (its own code path, not the fused sequence one)."""
    if kind == "lstm":
        trace = rnnlab.lstm_step(x, *states, cell)
        return (trace.h, trace.c)
    if kind == "gru":
        return (rnnlab.gru_step(x, states[0], cell, **conventions).h,)
    return (rnnlab.rnn_step(x, states[0], cell).h,)


def reference_stack(kind, p, xs, start, conventions):
    """The stack as a loop over layers, directions and time steps, written from the definitions."""
    n_states = len(start)
    layer_in, finals = xs, [[None] * (p.num_layers * p.num_directions) for _ in range(n_states)]
    for layer, cells in enumerate(p.layers):
        halves = []
        for direction, cell in enumerate(cells):
            k = layer * p.num_directions + direction
            states = tuple(s[k] for s in start)
            hs = [None] * len(xs)
            times = range(len(xs)) if direction == 0 else reversed(range(len(xs)))
            for t in times:
                states = step(kind, cell, layer_in[t], states, conventions)
                hs[t] = states[0]
            for per_state, state in zip(finals, states, strict=True):
                per_state[k] = state
            halves.append(np.array(hs))
        layer_in = np.concatenate(halves, axis=-1)
    return layer_in, [np.array(f) for f in finals]


@pytest.mark.parametrize(("kind", "conventions"), CASES, ids=IDS)
@pytest.mark.parametrize("num_layers", [1, 3])
def test_bidirectional_stack_against_a_loop_of_steps(kind, conventions, num_layers):
    T, B, D, H = 5, 2, 3, 2
    p = stack(kind, conventions, D, H, num_layers, True, seed=3)
    rng = np.random.default_rng(4)
    xs = rng.normal(size=(T, B, D))
    start = tuple(rng.normal(size=(2 * num_layers, B, H)) for _ in rnnlab.cell_kind(kind).states)
    outputs, finals, _ = rnnlab.stacked_forward(xs, p, start, **conventions)
    ref_outputs, ref_finals = reference_stack(kind, p, xs, start, conventions)
    close(outputs, ref_outputs, "outputs")
    for name, ours, ref in zip(("h_n", "c_n"), finals, ref_finals, strict=False):
        close(ours, ref, name)
    # the backward cell's final state is its state after reading x_1, i.e. at time 0 of the output
    close(finals[0][-1], outputs[0, :, H:], "h_n of the top backward cell vs outputs[0, :, H:]")


# --- finite differences ---------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "conventions"), CASES, ids=IDS)
def test_every_gradient_against_finite_differences(kind, conventions):
    """L = 2, bidirectional, initial states and final-state gradients: every array, xs and every start."""
    T, B, D, H = 3, 2, 2, 2
    p = stack(kind, conventions, D, H, 2, True, seed=5)
    rng = np.random.default_rng(6)
    n_states = len(rnnlab.cell_kind(kind).states)
    xs, dout = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, 2 * H))
    start = [rng.normal(size=(4, B, H)) for _ in range(n_states)]
    dfinals = [rng.normal(size=(4, B, H)) for _ in range(n_states)]

    def loss(p=p, xs=xs, start=start):
        outputs, finals, _ = rnnlab.stacked_forward(xs, p, tuple(start), **conventions)
        return float(np.sum(outputs * dout) + sum(np.sum(f * d) for f, d in zip(finals, dfinals, strict=True)))

    _, _, cache = rnnlab.stacked_forward(xs, p, tuple(start), **conventions)
    grads, dxs, dstart = rnnlab.stacked_backward(dout, cache, tuple(dfinals))
    errors = {}
    for name, value in p.arrays().items():
        errors[name] = rnnlab.gradcheck(
            lambda a, name=name: loss(p=p.replace_arrays({name: a})), value, grads.arrays()[name]
        )
    errors["xs"] = rnnlab.gradcheck(lambda a: loss(xs=a), xs, dxs)
    for k in range(n_states):
        errors[f"start[{k}]"] = rnnlab.gradcheck(
            lambda a, k=k: loss(start=[a if j == k else s for j, s in enumerate(start)]), start[k], dstart[k]
        )
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-7, f"relative error vs finite differences: worst {worst} {errors[worst]:.2e}; {errors}"
    assert set(grads.arrays()) >= set(p.arrays()), f"gradients {sorted(grads.arrays())} vs params {sorted(p.arrays())}"


def test_a_shared_initial_state_is_the_same_for_every_sequence():
    """start given as (L * directions, H): the same state for the whole batch; its gradient is the batch sum."""
    p = StackedParams.random("lstm", 2, 3, num_layers=2, bidirectional=True, seed=7)
    rng = np.random.default_rng(8)
    xs = rng.normal(size=(4, 3, 2))
    h0, c0 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    shared_out, _, shared_cache = rnnlab.stacked_forward(xs, p, (h0, c0))
    tiled = tuple(np.repeat(s[:, None], 3, axis=1) for s in (h0, c0))
    tiled_out, _, tiled_cache = rnnlab.stacked_forward(xs, p, tiled)
    close(shared_out, tiled_out, "outputs with a shared start vs tiled")
    dout = rng.normal(size=shared_out.shape)
    _, _, (dh0, dc0) = rnnlab.stacked_backward(dout, shared_cache)
    _, _, (dh0_tiled, dc0_tiled) = rnnlab.stacked_backward(dout, tiled_cache)
    close(dh0, dh0_tiled.sum(axis=1), "dh0 of a shared start vs batch sum")
    close(dc0, dc0_tiled.sum(axis=1), "dc0 of a shared start vs batch sum")


# --- the params container -------------------------------------------------------------------------


def test_stacked_params_shapes_names_and_seeds():
    p = StackedParams.random("gru", 3, 4, num_layers=3, bidirectional=True, seed=9)
    assert (p.kind, p.num_layers, p.num_directions, p.input_size, p.hidden_size) == ("gru", 3, 2, 3, 4), f"ours: {p}"
    inputs = [cell.input_size for _, _, cell in p.cells()]
    assert inputs == [3, 3, 8, 8, 8, 8], f"input sizes per cell: ours {inputs} vs [3, 3, 8, 8, 8, 8]"
    names = [StackedParams.cell_name(layer, d) for layer, d, _ in p.cells()]
    assert names == ["l0", "l0_reverse", "l1", "l1_reverse", "l2", "l2_reverse"], f"ours: {names}"
    assert p == StackedParams.random("gru", 3, 4, num_layers=3, bidirectional=True, seed=9), "same seed, other weights"
    cells = [cell for _, _, cell in p.cells()]
    assert all(not np.array_equal(a.W_r, b.W_r) for a, b in zip(cells, cells[1:], strict=False)), "cells share weights"
    changed = p.replace_arrays({"l1_reverse.b_z": np.ones(4)})
    assert np.array_equal(changed.layers[1][1].b_z, np.ones(4)) and changed.layers[1][0] == p.layers[1][0]


def expect_error(error, call, *fragments):
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), f"ours: {str(info.value)!r}\nexpected it to contain {fragment!r}"


def test_stacked_params_errors():
    gru = rnnlab.GRUParams.random(2, 3)
    expect_error(ValueError, lambda: StackedParams(()), "layers: expected at least one layer")
    expect_error(TypeError, lambda: StackedParams(((np.zeros(3),),)), "layers[0][0]: expected RNNParams")
    expect_error(TypeError, lambda: StackedParams(((gru, rnnlab.RNNParams.random(2, 3)),)), "layers[0][1]", "GRUParams")
    expect_error(ValueError, lambda: StackedParams(((gru,), (gru,))), "layers[1][0]", "input size 3", "input size 2")
    expect_error(ValueError, lambda: StackedParams(((gru, gru), (rnnlab.GRUParams.random(6, 3),))), "layers[1]")
    p = StackedParams.random("rnn", 2, 3)
    expect_error(ValueError, lambda: p.replace_arrays({"l0.W_f": np.zeros((3, 5))}), "changes:", "'l0.W'", "l0.W_f")
    expect_error(ValueError, lambda: StackedParams.random("rnn", 2, 3, num_layers=0), "num_layers")
    expect_error(ValueError, lambda: rnnlab.count_params("gru", 2, 3, biases_per_gate=3), "biases_per_gate")
    expect_error(TypeError, lambda: rnnlab.count_params("gru", 2, 3, bidirectional="yes"), "bidirectional")


def test_stacked_forward_and_backward_errors():
    p = StackedParams.random("lstm", 2, 3, num_layers=2, bidirectional=True)
    xs = np.zeros((4, 1, 2))
    expect_error(ValueError, lambda: rnnlab.stacked_forward(np.zeros((4, 2)), p), "xs: expected shape (T, B, 2)")
    expect_error(TypeError, lambda: rnnlab.stacked_forward(xs, p.layers[0][0]), "p: expected StackedParams")
    expect_error(ValueError, lambda: rnnlab.stacked_forward(xs, p, (np.zeros((4, 1, 3)),)), "start:", "2 (h, c)")
    bad = (np.zeros((2, 1, 3)), None)
    expect_error(ValueError, lambda: rnnlab.stacked_forward(xs, p, bad), "start[0] (h0)", "(4, 1, 3) or (4, 3)")
    expect_error(ValueError, lambda: rnnlab.stacked_forward(xs, p, reset="after"), "GRU only")
    outputs, _, cache = rnnlab.stacked_forward(xs, p)
    expect_error(ValueError, lambda: rnnlab.stacked_backward(outputs[..., :3], cache), "doutputs", "(4, 1, 6)")
    expect_error(ValueError, lambda: rnnlab.stacked_backward(outputs, cache, (None, np.zeros((4, 3)))), "dfinals[1]")
    expect_error(TypeError, lambda: rnnlab.stacked_backward(outputs, None), "cache: expected the StackedCache")
