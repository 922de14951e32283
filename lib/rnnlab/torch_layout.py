"""PyTorch's weight layout, and the copies between it and rnnlab's params objects.

PyTorch (``nn.RNNCell``/``LSTMCell``/``GRUCell`` and ``nn.RNN``/``LSTM``/``GRU``): ``weight_ih``
(G*H, D) and ``weight_hh`` (G*H, H) stack the gates' rows (LSTM: i, f, g, o; GRU: r, z, n), and there are
two biases, ``bias_ih`` and ``bias_hh``. Outside the GRU candidate the two biases are simply added.
PyTorch's GRU applies the reset gate after the recurrent product, with ``b_hn`` inside:
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h' = (1 - z) * n + z * h``, i.e. rnnlab's
``reset="after", z_weights="old"``.

A cell's four tensors have no suffix. A layer module names them by layer ``l`` and direction:
``weight_ih_l{l}`` for the forward direction and ``weight_ih_l{l}_reverse`` for the backward one of a
bidirectional module (:func:`torch_suffix`). Layer 0 reads ``D`` inputs; layer ``l > 0`` reads the layer
below's output, ``H`` or, bidirectional, ``2H`` numbers (forward state first).

This module reads the params classes only through what they expose (``kind``, ``field_names``, sizes),
so :mod:`rnnlab.params` can offer ``from_torch`` / ``to_torch`` without importing anything that imports it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# rnnlab gate (field suffix) for each PyTorch gate, in PyTorch's stacking order
TORCH_ORDER = {"rnn": ("",), "lstm": ("i", "f", "c", "o"), "gru": ("r", "z", "h")}
TORCH_MODULES = {"rnn": ("RNNCell", "RNN"), "lstm": ("LSTMCell", "LSTM"), "gru": ("GRUCell", "GRU")}
STACKED_API = "rnnlab.StackedParams.from_torch"


def torch_suffix(layer: int | None, reverse: bool = False) -> str:
    """The suffix of a tensor's name: ``""`` for a cell (``layer=None``), ``"_l1"``, ``"_l1_reverse"``.

    Parameters
    ----------
    layer : int or None, the layer ``l`` of a layer module, None for a cell
    reverse : bool, the backward direction of a bidirectional module
    """
    if layer is None:
        return ""
    return f"_l{layer}" + ("_reverse" if reverse else "")


def torch_kind(module: Any) -> str:
    """The rnnlab kind of a PyTorch recurrent module, by its class name, or ``TypeError``.

    Parameters
    ----------
    module : ``torch.nn.RNN``, ``LSTM``, ``GRU`` or one of their cells
    """
    name = type(module).__name__
    for kind, names in TORCH_MODULES.items():
        if name in names:
            return kind
    choices = ", ".join(f"torch.nn.{n}" for names in TORCH_MODULES.values() for n in names)
    raise TypeError(f"module: expected one of {choices}, got {name}")


def check_module(module: Any, kind: str, *, stacked: bool) -> bool:
    """Check ``module`` is the ``kind``'s cell or layer module with options rnnlab can compute; return is-layer.

    Parameters
    ----------
    module : a PyTorch module
    kind : {"rnn", "lstm", "gru"}, the cell ``module`` must be
    stacked : bool
        False for the single-cell API (a cell, or a one-layer, one-direction layer module); True for
        :class:`rnnlab.StackedParams` (any ``num_layers`` and ``bidirectional``, layer modules only).
    """
    name = type(module).__name__
    cell, layer = TORCH_MODULES[kind]
    allowed = (layer,) if stacked else (cell, layer)
    if name not in allowed:
        raise TypeError(f"module: expected torch.nn.{' or torch.nn.'.join(allowed)}, got {name}")
    if kind == "rnn" and module.nonlinearity != "tanh":
        raise ValueError(f"module: expected nonlinearity='tanh', got {module.nonlinearity!r}")
    if name == cell:
        return False
    if getattr(module, "proj_size", 0):
        raise ValueError(f"module: expected an {layer} without projection, got proj_size={module.proj_size}")
    if not stacked and (module.num_layers != 1 or module.bidirectional):
        raise ValueError(
            f"module: expected a one-layer, one-direction {layer} without projection, got "
            f"num_layers={module.num_layers}, bidirectional={module.bidirectional}; "
            f"for stacked or bidirectional modules use {STACKED_API}"
        )
    return True


def torch_tensors(
    module: Any, kind: str, layer: int | None = None, reverse: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``weight_ih, weight_hh, bias_ih, bias_hh`` of one cell of a PyTorch module as float64.

    Parameters
    ----------
    module : a PyTorch cell or layer module, already checked by :func:`check_module`
    kind : {"rnn", "lstm", "gru"}
    layer : int or None, which layer of a layer module (None for a cell)
    reverse : bool, the backward direction of that layer
    """
    suffix = torch_suffix(layer, reverse)

    def array(attr: str, rows: int) -> np.ndarray:
        tensor = getattr(module, attr + suffix, None)
        if tensor is None:  # bias=False
            return np.zeros(rows)
        return tensor.detach().cpu().double().numpy().copy()

    rows = module.hidden_size * len(TORCH_ORDER[kind])
    return array("weight_ih", rows), array("weight_hh", rows), array("bias_ih", rows), array("bias_hh", rows)


def fields_from_torch(cls: Any, module: Any, layer: int | None = None, reverse: bool = False) -> dict[str, np.ndarray]:
    """The fields of ``cls`` (RNNParams, LSTMParams or GRUParams) holding one cell of a PyTorch module.

    Parameters
    ----------
    cls : a params class
    module : the matching PyTorch cell or layer module
    layer : int or None
        None: ``module`` must be a cell or a one-layer, one-direction layer module (its layer 0 is read).
        An int: that layer of a layer module of any depth and direction.
    reverse : bool, read the backward direction of ``layer``

    Returns
    -------
    dict of field name to array; for the GRU it carries ``b_hn`` (use the params with ``reset="after"``).
    """
    is_layer = check_module(module, cls.kind, stacked=layer is not None)
    if layer is None and is_layer:
        layer = 0
    W_ih, W_hh, b_ih, b_hh = torch_tensors(module, cls.kind, layer, reverse)
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


def write_torch(module: Any, p: Any, suffix: str = "") -> None:
    """Copy ``p``'s weights into the tensors of ``module`` named with ``suffix`` (see :func:`torch_suffix`).

    Biases go to ``bias_ih``; ``bias_hh`` is zero except the GRU's ``b_hn``.

    Parameters
    ----------
    module : a float64 PyTorch cell or layer module of ``p``'s kind and sizes
    p : RNNParams, LSTMParams or GRUParams
    suffix : str, ``""`` for a cell, ``"_l0"``, ``"_l1_reverse"``, ... for a layer module
    """
    import torch  # optional dependency, needed only here

    H = p.hidden_size
    W_ih, W_hh, b_ih, b_hh = [], [], [], []
    for gate in TORCH_ORDER[p.kind]:
        W_name, b_name = p.field_names(gate)
        W = getattr(p, W_name)
        W_hh.append(W[:, :H])
        W_ih.append(W[:, H:])
        b_ih.append(getattr(p, b_name))
        is_candidate = p.kind == "gru" and gate == "h"
        b_hh.append(p.b_hn if is_candidate and p.b_hn is not None else np.zeros(H))
    with torch.no_grad():
        for attr, blocks in [("weight_ih", W_ih), ("weight_hh", W_hh), ("bias_ih", b_ih), ("bias_hh", b_hh)]:
            getattr(module, attr + suffix).copy_(torch.from_numpy(np.concatenate(blocks)))


def torch_cell(p: Any) -> Any:
    """The float64 PyTorch cell (``nn.RNNCell``, ``nn.LSTMCell`` or ``nn.GRUCell``) holding ``p``'s weights.

    Biases go to ``bias_ih``; ``bias_hh`` is zero except the GRU's ``b_hn``. A ``GRUCell`` computes
    rnnlab's ``gru_step(..., reset="after", z_weights="old")``.

    Parameters
    ----------
    p : RNNParams, LSTMParams or GRUParams
    """
    import torch  # optional dependency, needed only here

    module = getattr(torch.nn, TORCH_MODULES[p.kind][0])(p.input_size, p.hidden_size).double()
    write_torch(module, p)
    return module
