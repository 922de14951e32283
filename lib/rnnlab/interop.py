"""Conversions between rnnlab's layout and PyTorch's and Keras' weight layouts.

rnnlab: one matrix per gate, shape (H, H + D), acting on ``[h_prev, x]``; one bias per gate.

PyTorch (``nn.RNNCell``/``LSTMCell``/``GRUCell`` and one-layer ``nn.RNN``/``LSTM``/``GRU``):
``weight_ih`` (G*H, D) and ``weight_hh`` (G*H, H) stack the gates' rows (LSTM: i, f, g, o; GRU: r, z, n),
and there are two biases, ``bias_ih`` and ``bias_hh``. Outside the GRU candidate the two biases are
simply added. PyTorch's GRU applies the reset gate after the recurrent product, with ``b_hn`` inside:
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h' = (1 - z) * n + z * h``, i.e. rnnlab's
``reset="after", z_weights="old"``.

Keras (``SimpleRNN``/``LSTM``/``GRU``): ``kernel`` (D, G*H) and ``recurrent_kernel`` (H, G*H) are applied
as ``x @ kernel``; gate order LSTM i, f, c, o and GRU z, r, h. The GRU's ``bias`` is (3H,) when
``reset_after=False`` and (2, 3H) (input row, recurrent row) when ``reset_after=True``, the default.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import as_float_array, check_shape
from .params import GRUParams, LSTMParams, RNNParams, _Params

# rnnlab field suffix for each framework gate, in the framework's stacking order
TORCH_ORDER = {"rnn": ("",), "lstm": ("i", "f", "c", "o"), "gru": ("r", "z", "h")}
KERAS_ORDER = {"rnn": ("",), "lstm": ("i", "f", "c", "o"), "gru": ("z", "r", "h")}
_TORCH_MODULES = {"rnn": ("RNNCell", "RNN"), "lstm": ("LSTMCell", "LSTM"), "gru": ("GRUCell", "GRU")}


def _names(kind: str, gate: str) -> tuple[str, str]:
    return ("W", "b") if kind == "rnn" else (f"W_{gate}", f"b_{gate}")


def _torch_tensors(module: Any, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``weight_ih, weight_hh, bias_ih, bias_hh`` of a PyTorch cell or one-layer module as float64."""
    name = type(module).__name__
    cell, layer = _TORCH_MODULES[kind]
    if name not in (cell, layer):
        raise TypeError(f"module: expected torch.nn.{cell} or torch.nn.{layer}, got {name}")
    suffix = ""
    if name == layer:
        if module.num_layers != 1 or module.bidirectional or getattr(module, "proj_size", 0):
            raise ValueError(
                f"module: expected a one-layer, one-direction {layer} without projection, got "
                f"num_layers={module.num_layers}, bidirectional={module.bidirectional}"
            )
        suffix = "_l0"
    if kind == "rnn" and module.nonlinearity != "tanh":
        raise ValueError(f"module: expected nonlinearity='tanh', got {module.nonlinearity!r}")

    def array(attr: str, rows: int) -> np.ndarray:
        tensor = getattr(module, attr + suffix, None)
        if tensor is None:  # bias=False
            return np.zeros(rows)
        return tensor.detach().cpu().double().numpy().copy()

    rows = module.hidden_size * len(TORCH_ORDER[kind])
    return array("weight_ih", rows), array("weight_hh", rows), array("bias_ih", rows), array("bias_hh", rows)


def from_torch(cls: type[_Params], module: Any) -> _Params:
    """Build ``cls`` (RNNParams, LSTMParams or GRUParams) from a PyTorch module's weights.

    Parameters
    ----------
    cls : type
    module : ``torch.nn.RNNCell | RNN``, ``LSTMCell | LSTM`` or ``GRUCell | GRU``

    Returns
    -------
    params of type ``cls``; for the GRU it carries ``b_hn`` and must be used with ``reset="after"``.
    """
    if not (isinstance(cls, type) and issubclass(cls, _Params) and cls is not _Params):
        raise TypeError(f"cls: expected RNNParams, LSTMParams or GRUParams, got {cls!r}")
    kind = cls.kind
    W_ih, W_hh, b_ih, b_hh = _torch_tensors(module, kind)
    H = module.hidden_size
    fields: dict[str, np.ndarray] = {}
    for k, gate in enumerate(TORCH_ORDER[kind]):
        rows = slice(k * H, (k + 1) * H)
        W_name, b_name = _names(kind, gate)
        fields[W_name] = np.hstack([W_hh[rows], W_ih[rows]])
        candidate = kind == "gru" and gate == "h"
        fields[b_name] = b_ih[rows] if candidate else b_ih[rows] + b_hh[rows]
        if candidate:
            fields["b_hn"] = b_hh[rows]
    return cls(**fields)


def to_torch(p: _Params) -> Any:
    """The float64 PyTorch cell (``nn.RNNCell``, ``nn.LSTMCell`` or ``nn.GRUCell``) holding ``p``'s weights.

    Biases go to ``bias_ih``; ``bias_hh`` is zero except the GRU's ``b_hn``. A ``GRUCell`` computes
    rnnlab's ``gru_step(..., reset="after", z_weights="old")``.

    Parameters
    ----------
    p : RNNParams, LSTMParams or GRUParams
    """
    if not isinstance(p, _Params):
        raise TypeError(f"p: expected RNNParams, LSTMParams or GRUParams, got {type(p).__name__}")
    import torch

    kind, H, D = p.kind, p.hidden_size, p.input_size
    module = getattr(torch.nn, _TORCH_MODULES[kind][0])(D, H).double()
    W_ih, W_hh, b_ih, b_hh = [], [], [], []
    for gate in TORCH_ORDER[kind]:
        W_name, b_name = _names(kind, gate)
        W = getattr(p, W_name)
        W_hh.append(W[:, :H])
        W_ih.append(W[:, H:])
        b_ih.append(getattr(p, b_name))
        is_candidate = kind == "gru" and gate == "h"
        b_hh.append(p.b_hn if is_candidate and p.b_hn is not None else np.zeros(H))
    with torch.no_grad():
        for attr, blocks in [("weight_ih", W_ih), ("weight_hh", W_hh), ("bias_ih", b_ih), ("bias_hh", b_hh)]:
            getattr(module, attr).copy_(torch.from_numpy(np.concatenate(blocks)))
    return module


def to_keras(p: _Params, *, reset_after: bool = True) -> dict[str, np.ndarray]:
    """Keras' arrays for ``p``: ``kernel`` (D, G*H), ``recurrent_kernel`` (H, G*H) and ``bias``.

    For the GRU, ``reset_after=True`` gives ``bias`` of shape (2, 3H) whose second row holds ``b_hn``
    (zero if ``p.b_hn`` is None); ``reset_after=False`` gives (3H,) and requires ``p.b_hn`` to be None.

    Parameters
    ----------
    p : RNNParams, LSTMParams or GRUParams
    reset_after : bool
        Keras' GRU option; ignored for the other cells.
    """
    if not isinstance(p, _Params):
        raise TypeError(f"p: expected RNNParams, LSTMParams or GRUParams, got {type(p).__name__}")
    kind, H = p.kind, p.hidden_size
    if kind == "gru" and not reset_after and p.b_hn is not None:
        raise ValueError("p.b_hn: Keras' reset_after=False layout has no recurrent candidate bias")
    kernels, recurrent, biases, recurrent_biases = [], [], [], []
    for gate in KERAS_ORDER[kind]:
        W_name, b_name = _names(kind, gate)
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


def from_keras(kind: str, kernel: object, recurrent_kernel: object, bias: object) -> _Params:
    """Inverse of :func:`to_keras`: build rnnlab params from Keras' three arrays.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
    kernel : array (D, G*H)
    recurrent_kernel : array (H, G*H)
    bias : array (G*H,), or (2, 3H) for a GRU with ``reset_after=True``
    """
    classes = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}
    if not isinstance(kind, str):
        raise TypeError(f"kind: expected one of 'rnn', 'lstm', 'gru', got {type(kind).__name__} {kind!r}")
    if kind not in classes:
        raise ValueError(f"kind: expected one of 'rnn', 'lstm', 'gru', got {kind!r}")
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
        W_name, b_name = _names(kind, gate)
        fields[W_name] = np.hstack([recurrent_kernel[:, cols].T, kernel[:, cols].T])
        fields[b_name] = input_bias[cols].copy()
        if recurrent_bias is not None:
            if gate == "h":
                fields["b_hn"] = recurrent_bias[cols].copy()
            else:
                fields[b_name] = fields[b_name] + recurrent_bias[cols]
    return classes[kind](**fields)
