"""PyTorch's weight layout, and the copies between it and rnnlab's params objects.

PyTorch (``nn.RNNCell``/``LSTMCell``/``GRUCell`` and one-layer ``nn.RNN``/``LSTM``/``GRU``): ``weight_ih``
(G*H, D) and ``weight_hh`` (G*H, H) stack the gates' rows (LSTM: i, f, g, o; GRU: r, z, n), and there are
two biases, ``bias_ih`` and ``bias_hh``. Outside the GRU candidate the two biases are simply added.
PyTorch's GRU applies the reset gate after the recurrent product, with ``b_hn`` inside:
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h' = (1 - z) * n + z * h``, i.e. rnnlab's
``reset="after", z_weights="old"``.

This module reads the params classes only through what they expose (``kind``, ``field_names``, sizes),
so :mod:`rnnlab.params` can offer ``from_torch`` / ``to_torch`` without importing anything that imports it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# rnnlab gate (field suffix) for each PyTorch gate, in PyTorch's stacking order
TORCH_ORDER = {"rnn": ("",), "lstm": ("i", "f", "c", "o"), "gru": ("r", "z", "h")}
TORCH_MODULES = {"rnn": ("RNNCell", "RNN"), "lstm": ("LSTMCell", "LSTM"), "gru": ("GRUCell", "GRU")}


def torch_tensors(module: Any, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``weight_ih, weight_hh, bias_ih, bias_hh`` of a PyTorch cell or one-layer module as float64.

    Parameters
    ----------
    module : ``torch.nn.RNNCell | RNN``, ``LSTMCell | LSTM`` or ``GRUCell | GRU``
    kind : {"rnn", "lstm", "gru"}, the cell ``module`` must be
    """
    name = type(module).__name__
    cell, layer = TORCH_MODULES[kind]
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


def fields_from_torch(cls: Any, module: Any) -> dict[str, np.ndarray]:
    """The fields of ``cls`` (RNNParams, LSTMParams or GRUParams) holding a PyTorch module's weights.

    Parameters
    ----------
    cls : a params class
    module : the matching PyTorch cell or one-layer module

    Returns
    -------
    dict of field name to array; for the GRU it carries ``b_hn`` (use the params with ``reset="after"``).
    """
    W_ih, W_hh, b_ih, b_hh = torch_tensors(module, cls.kind)
    H = module.hidden_size
    fields: dict[str, np.ndarray] = {}
    for k, gate in enumerate(TORCH_ORDER[cls.kind]):
        rows = slice(k * H, (k + 1) * H)
        W_name, b_name = cls.field_names(gate)
        fields[W_name] = np.hstack([W_hh[rows], W_ih[rows]])
        candidate = cls.kind == "gru" and gate == "h"
        fields[b_name] = b_ih[rows] if candidate else b_ih[rows] + b_hh[rows]
        if candidate:
            fields["b_hn"] = b_hh[rows]
    return fields


def torch_cell(p: Any) -> Any:
    """The float64 PyTorch cell (``nn.RNNCell``, ``nn.LSTMCell`` or ``nn.GRUCell``) holding ``p``'s weights.

    Biases go to ``bias_ih``; ``bias_hh`` is zero except the GRU's ``b_hn``. A ``GRUCell`` computes
    rnnlab's ``gru_step(..., reset="after", z_weights="old")``.

    Parameters
    ----------
    p : RNNParams, LSTMParams or GRUParams
    """
    import torch  # optional dependency, needed only here

    kind, H, D = p.kind, p.hidden_size, p.input_size
    module = getattr(torch.nn, TORCH_MODULES[kind][0])(D, H).double()
    W_ih, W_hh, b_ih, b_hh = [], [], [], []
    for gate in TORCH_ORDER[kind]:
        W_name, b_name = p.field_names(gate)
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
