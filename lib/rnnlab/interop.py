"""Conversions between rnnlab's layout and PyTorch's and Keras' weight layouts.

rnnlab: one matrix per gate, shape (H, H + D), acting on ``[h_prev, x]``; one bias per gate.

PyTorch: see :mod:`rnnlab.torch_layout` (``from_torch`` / ``to_torch`` below are its entry points, for one
cell and for stacked, bidirectional modules).

Keras (``SimpleRNN``/``LSTM``/``GRU``): ``kernel`` (D, G*H) and ``recurrent_kernel`` (H, G*H) are applied
as ``x @ kernel``; gate order LSTM i, f, c, o and GRU z, r, h. The GRU's ``bias`` is (3H,) when
``reset_after=False`` and (2, 3H) (input row, recurrent row) when ``reset_after=True``, the default.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import as_float_array, check_shape
from .kinds import cell_kind
from .params import CellParams
from .stacked_params import StackedParams

# rnnlab gate (field suffix) for each Keras gate, in Keras' stacking order
KERAS_ORDER = {"rnn": ("",), "lstm": ("i", "f", "c", "o"), "gru": ("z", "r", "h")}


def from_torch(cls: type[CellParams] | type[StackedParams], module: Any) -> CellParams | StackedParams:
    """Build ``cls`` (RNNParams, LSTMParams, GRUParams or StackedParams) from a PyTorch module's weights.

    The layout is described in :mod:`rnnlab.torch_layout`; this is ``cls.from_torch(module)``.

    Parameters
    ----------
    cls : type
        A cell's params class, for ``torch.nn.RNNCell | RNN``, ``LSTMCell | LSTM`` or ``GRUCell | GRU``
        (one layer, one direction); or :class:`~rnnlab.StackedParams`, for ``nn.RNN``, ``nn.LSTM`` or
        ``nn.GRU`` with any ``num_layers`` and ``bidirectional``.
    module : the PyTorch module

    Returns
    -------
    params of type ``cls``; for the GRU it carries ``b_hn`` and must be used with ``reset="after"``.
    """
    if cls is StackedParams:
        return StackedParams.from_torch(module)
    if not (isinstance(cls, type) and issubclass(cls, CellParams) and cls is not CellParams):
        raise TypeError(f"cls: expected RNNParams, LSTMParams, GRUParams or StackedParams, got {cls!r}")
    return cls.from_torch(module)


def to_torch(p: CellParams | StackedParams) -> Any:
    """The float64 PyTorch module holding ``p``'s weights: a cell for a cell's params, a layer module for a stack.

    ``nn.RNNCell``, ``nn.LSTMCell`` or ``nn.GRUCell`` for RNNParams, LSTMParams or GRUParams;
    ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (``num_layers`` and ``bidirectional`` as ``p``'s) for
    StackedParams. Biases go to ``bias_ih``; ``bias_hh`` is zero except the GRU's ``b_hn``, so a PyTorch GRU
    computes rnnlab's ``reset="after", z_weights="old"``. This is ``p.to_torch()``.

    Parameters
    ----------
    p : RNNParams, LSTMParams, GRUParams or StackedParams
    """
    if not isinstance(p, (CellParams, StackedParams)):
        raise TypeError(f"p: expected RNNParams, LSTMParams, GRUParams or StackedParams, got {type(p).__name__}")
    return p.to_torch()


def to_keras(p: CellParams, *, reset_after: bool = True) -> dict[str, np.ndarray]:
    """Keras' arrays for ``p``: ``kernel`` (D, G*H), ``recurrent_kernel`` (H, G*H) and ``bias``.

    For the GRU, ``reset_after=True`` gives ``bias`` of shape (2, 3H) whose second row holds ``b_hn``
    (zero if ``p.b_hn`` is None); ``reset_after=False`` gives (3H,) and requires ``p.b_hn`` to be None.

    Parameters
    ----------
    p : RNNParams, LSTMParams or GRUParams
    reset_after : bool
        Keras' GRU option; ignored for the other cells.
    """
    if not isinstance(p, CellParams):
        raise TypeError(f"p: expected RNNParams, LSTMParams or GRUParams, got {type(p).__name__}")
    kind, H = p.kind, p.hidden_size
    if kind == "gru" and not reset_after and p.b_hn is not None:
        raise ValueError("p.b_hn: Keras' reset_after=False layout has no recurrent candidate bias")
    kernels, recurrent, biases, recurrent_biases = [], [], [], []
    for gate in KERAS_ORDER[kind]:
        W_name, b_name = p.field_names(gate)
        W = getattr(p, W_name)
        recurrent.append(W[:, :H].T)
        kernels.append(W[:, H:].T)
        biases.append(getattr(p, b_name))
        is_candidate = kind == "gru" and gate == "h"
        recurrent_biases.append(p.b_hn if is_candidate and p.b_hn is not None else np.zeros(H))
    bias = np.concatenate(biases)
    if kind == "gru" and reset_after:
        bias = np.stack([bias, np.concatenate(recurrent_biases)])
    return {"kernel": np.hstack(kernels), "recurrent_kernel": np.hstack(recurrent), "bias": bias}


def from_keras(kind: str, kernel: object, recurrent_kernel: object, bias: object) -> CellParams:
    """Inverse of :func:`to_keras`: build rnnlab params from Keras' three arrays.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
    kernel : array (D, G*H)
    recurrent_kernel : array (H, G*H)
    bias : array (G*H,), or (2, 3H) for a GRU with ``reset_after=True``
    """
    cls = cell_kind(kind).params
    G = len(KERAS_ORDER[kind])
    recurrent_kernel = as_float_array("recurrent_kernel", recurrent_kernel)
    if recurrent_kernel.ndim != 2 or recurrent_kernel.shape[0] < 1:
        raise ValueError(f"recurrent_kernel: expected shape (H, {G}H) with H >= 1, got {recurrent_kernel.shape}")
    H = recurrent_kernel.shape[0]
    check_shape("recurrent_kernel", recurrent_kernel, [(H, G * H)])
    kernel = as_float_array("kernel", kernel)
    if kernel.ndim != 2 or kernel.shape[1] != G * H:
        raise ValueError(f"kernel: expected shape (D, {G * H}), got {kernel.shape}")
    bias = as_float_array("bias", bias)
    check_shape("bias", bias, [(G * H,), (2, G * H)] if kind == "gru" else [(G * H,)])
    input_bias, recurrent_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, None)
    fields: dict[str, np.ndarray] = {}
    for k, gate in enumerate(KERAS_ORDER[kind]):
        cols = slice(k * H, (k + 1) * H)
        W_name, b_name = cls.field_names(gate)
        fields[W_name] = np.hstack([recurrent_kernel[:, cols].T, kernel[:, cols].T])
        fields[b_name] = input_bias[cols].copy()
        if recurrent_bias is not None:
            if gate == "h":
                fields["b_hn"] = recurrent_bias[cols].copy()
            else:
                fields[b_name] = fields[b_name] + recurrent_bias[cols]
    return cls(**fields)
