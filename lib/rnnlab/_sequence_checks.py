"""Validation shared by the sequence functions: time-major inputs, initial states, upstream gradients, dtype."""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_shape
from .params import CellParams


def sequence_inputs(xs: object, p: CellParams, expected_type: type[CellParams]) -> np.ndarray:
    """Validate ``p`` and the time-major input ``xs`` of shape (T, B, D); return ``xs`` as float64."""
    if not isinstance(p, expected_type):
        raise TypeError(f"p: expected {expected_type.__name__}, got {type(p).__name__}")
    xs = as_float_array("xs", xs)
    if xs.ndim == 2 and xs.shape[1] == p.input_size:
        raise ValueError(
            f"xs: expected a time-major batch (T, B, {p.input_size}), got {xs.shape}; "
            "for a single sequence pass xs[:, None, :]"
        )
    if xs.ndim != 3 or xs.shape[2] != p.input_size:
        raise ValueError(f"xs: expected shape (T, B, {p.input_size}), got {xs.shape}")
    if xs.shape[0] == 0 or xs.shape[1] == 0:
        raise ValueError(f"xs: expected at least one time step and one sequence, got shape {xs.shape}")
    return np.ascontiguousarray(xs)


def initial_state(name: str, value: object, batch: int, hidden: int) -> tuple[np.ndarray, bool]:
    """Return the state as (B, H) and whether it was given as one (H,) vector shared by the batch."""
    if value is None:
        return np.zeros((batch, hidden)), False
    state = as_float_array(name, value)
    check_shape(name, state, [(hidden,), (batch, hidden)])
    if state.ndim == 1:
        return np.broadcast_to(state, (batch, hidden)).copy(), True
    return state, False


def upstream(dhs: object, shape: tuple[int, ...], name: str = "dhs") -> np.ndarray:
    """Validate ``dhs``, the loss gradient with respect to every output state, of shape (T, B, H) (or ``shape``)."""
    dhs = as_float_array(name, dhs)
    check_shape(name, dhs, [shape])
    return dhs


def reduce_like(grad: np.ndarray, shared: bool) -> np.ndarray:
    """A state given as one (H,) vector shared by the batch receives the sum of the batch's gradients."""
    return grad.sum(axis=0) if shared else grad


def previous_states(h0: np.ndarray, hs: np.ndarray) -> np.ndarray:
    """Stack :math:`h_{t-1}` for every step: ``[h_0, h_1, ..., h_{T-1}]``, shape (T, B, H)."""
    return np.concatenate([h0[None], hs[:-1]], axis=0)


def flat(array: np.ndarray) -> np.ndarray:
    """Merge time and batch axes, (T, B, N) -> (T*B, N), so a sum over both is one matrix product."""
    return array.reshape(-1, array.shape[-1])


def working_dtype(dtype: object) -> np.dtype:
    """The fast path's working precision: float64 (default, what the book uses) or float32."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype: expected numpy.float64 or numpy.float32, got {dtype!r}")
    return resolved


def sequence_preamble(
    xs: object, p: CellParams, expected_type: type[CellParams], states: dict[str, object], dtype: object
) -> tuple[np.ndarray, list[tuple[np.ndarray, bool]]]:
    """What every fused forward pass starts with: check ``p`` and ``xs``, resolve the dtype, build the states.

    Parameters
    ----------
    xs : array (T, B, D)
    p : params object, checked to be an ``expected_type``
    expected_type : RNNParams, LSTMParams or GRUParams
    states : dict of name to initial state, e.g. ``{"h0": h0, "c0": c0}``; each (B, H), (H,) or None
    dtype : numpy.float64 or numpy.float32

    Returns
    -------
    xs : array (T, B, D) in the working dtype
    states : list of ``(state (B, H) in the working dtype, shared)``, ``shared`` telling whether the
        state was one (H,) vector for the whole batch
    """
    xs = sequence_inputs(xs, p, expected_type)
    dtype = working_dtype(dtype)
    xs = xs.astype(dtype, copy=False)
    _, B, _ = xs.shape
    starts = []
    for name, value in states.items():
        state, shared = initial_state(name, value, B, p.hidden_size)
        starts.append((state.astype(dtype, copy=False), shared))
    return xs, starts
