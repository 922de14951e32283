"""Validation for the one-step functions: params, inputs and states, GRU conventions, traces, upstream gradients.

Every error names the argument, what was received and what was expected.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_shape
from .params import CellParams, GRUParams

Z_WEIGHTS = ("old", "new")
RESET = ("before", "after")


def check_params(name: str, p: object, expected: type[CellParams]) -> None:
    """Raise ``TypeError`` unless ``p`` is an ``expected`` params object."""
    if not isinstance(p, expected):
        raise TypeError(f"{name}: expected {expected.__name__}, got {type(p).__name__}")


def check_gru_conventions(p: GRUParams, z_weights: object, reset: object) -> None:
    """Raise ``ValueError`` for an unknown convention or a ``b_hn`` that the convention would ignore.

    Parameters
    ----------
    p : GRUParams
    z_weights, reset : the conventions requested (see :func:`rnnlab.gru_step`)
    """
    if z_weights not in Z_WEIGHTS:
        raise ValueError(f"z_weights: expected 'old' (h = z*h_prev + (1-z)*h_tilde) or 'new', got {z_weights!r}")
    if reset not in RESET:
        raise ValueError(f"reset: expected 'before' (r*h_prev inside the product) or 'after', got {reset!r}")
    if reset == "before" and p.b_hn is not None:
        raise ValueError(
            "p.b_hn: this bias exists only with reset='after' (PyTorch's layout), but reset='before' was "
            "requested; pass reset='after', or p.replace(b_hn=None) to drop it on purpose"
        )


def step_inputs(x: object, states: dict[str, object], p: CellParams) -> tuple[np.ndarray, list[np.ndarray]]:
    """Validate one step's input and states against ``p`` and broadcast them to a common batch.

    Parameters
    ----------
    x : array (D,) or (B, D)
    states : dict of name to array (H,) or (B, H), e.g. ``{"h_prev": h_prev}``
    p : params object giving ``D`` and ``H``
    """
    D, H = p.input_size, p.hidden_size
    x = as_float_array("x", x)
    check_shape("x", x, [(D,), (None, D)])
    arrays = []
    for name, value in states.items():
        array = as_float_array(name, value)
        check_shape(name, array, [(H,), (None, H)])
        arrays.append(array)
    batches = {a.shape[0] for a in [x, *arrays] if a.ndim == 2}
    if len(batches) > 1:
        named = zip(["x", *states], [x, *arrays], strict=True)
        sizes = ", ".join(f"{n}: {a.shape[0]}" for n, a in named if a.ndim == 2)
        raise ValueError(f"batch sizes differ ({sizes}); every batched argument needs the same B")
    if batches:
        B = batches.pop()
        x = np.broadcast_to(x, (B, D)) if x.ndim == 1 else x
        arrays = [np.broadcast_to(a, (B, H)) if a.ndim == 1 else a for a in arrays]
    return x, arrays


def backward_inputs(
    trace: object, trace_type: type, step: str, p: object, upstream: dict[str, object]
) -> list[np.ndarray]:
    """Validate a step backward's trace, params and upstream gradients; return the gradients as float64.

    Parameters
    ----------
    trace : the trace ``step`` returned (checked to be a ``trace_type``)
    trace_type : RNNTrace, LSTMTrace or GRUTrace
    step : the step function's name, for the message
    p : the params object the step was run with; its sizes must match the trace's
    upstream : dict of name to gradient, e.g. ``{"dh": dh}``; each must have the shape of ``trace.h``
    """
    if not isinstance(trace, trace_type):
        raise TypeError(f"trace: expected the {trace_type.__name__} returned by {step}, got {type(trace).__name__}")
    sizes = (trace.x.shape[-1], trace.h.shape[-1])
    if (p.input_size, p.hidden_size) != sizes:
        raise ValueError(
            f"p: expected D={sizes[0]}, H={sizes[1]} like the trace's, got D={p.input_size}, H={p.hidden_size}"
        )
    arrays = []
    for name, value in upstream.items():
        array = as_float_array(name, value)
        check_shape(name, array, [trace.h.shape])
        arrays.append(array)
    return arrays
