"""The three cells' steps, each written once as a graph of the book's equations (see :mod:`.graph`).

Node names are the book's symbols; a gate ``g`` has its pre-activation ``a_g`` (:func:`.ops.affine`) and its
value ``g`` (:func:`.ops.squash`). Unmutated, each graph computes exactly what :mod:`rnnlab.cells` computes
(``tests/grading/test_diagnosis_graphs.py``), without calling it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...params import CellParams
from .equations import QUANTITIES
from .graph import Graph, Node
from .ops import affine, cell_update, gated, interpolate, reset_after, squash

#: the inputs of each cell's step, besides the parameters
STATES = {"rnn": ("x", "h_prev"), "lstm": ("x", "h_prev", "c_prev"), "gru": ("x", "h_prev")}


def _gate(cell: str, gate: str, weights: str, fn: str, state: str = "h_prev") -> tuple[Node, Node]:
    """``a_g = W_g [state, x] + b_g`` and ``g = fn(a_g)``, both belonging to the equation of ``g``."""
    title, label = QUANTITIES[cell][gate]
    pre = Node(f"a_{gate}", affine, (f"W_{weights}", f"b_{weights}", state, "x"), title=title, label=label)
    return pre, Node(gate, squash, (f"a_{gate}",), (("fn", fn),), title=title, label=label)


def rnn_graph() -> Graph:
    """:math:`a_t = W [h_{t-1}, x_t] + b`, :math:`h_t = \\tanh(a_t)` (eq. ``rnn-eq-cell``)."""
    title, label = QUANTITIES["rnn"]["h"]
    nodes = (
        Node("a", affine, ("W", "b", "h_prev", "x"), title=title, label=label),
        Node("h", squash, ("a",), (("fn", "tanh"),), title=title, label=label),
    )
    return Graph("rnn", nodes, ("h",))


def lstm_graph() -> Graph:
    """The six LSTM equations: gates f, i, o, the candidate, the cell update and the hidden state."""
    h_title, h_label = QUANTITIES["lstm"]["h"]
    c_title, c_label = QUANTITIES["lstm"]["c"]
    nodes = (
        *_gate("lstm", "f", "f", "sigmoid"),
        *_gate("lstm", "i", "i", "sigmoid"),
        *_gate("lstm", "c_tilde", "c", "tanh"),
        Node("c", cell_update, ("f", "c_prev", "i", "c_tilde"), title=c_title, label=c_label),
        *_gate("lstm", "o", "o", "sigmoid"),
        Node("tanh_c", squash, ("c",), (("fn", "tanh"),), title=h_title, label=h_label),
        Node("h", gated, ("o", "tanh_c"), title=h_title, label=h_label),
    )
    return Graph("lstm", nodes, ("h", "c"))


def gru_graph(z_weights: str = "old", reset: str = "before") -> Graph:
    """The four GRU equations under a convention (see :func:`rnnlab.gru_step`)."""
    h_title, _ = QUANTITIES["gru"]["h"]
    cand_title, _ = QUANTITIES["gru"]["h_tilde"]
    h_label = "gru-eq-hidden" if z_weights == "old" else "conv-z-new"
    cand_label = "gru-eq-candidate" if reset == "before" else "conv-reset-after"
    if reset == "before":
        pre = Node("a_h", affine, ("W_h", "b_h", "rh", "x"), title=cand_title, label=cand_label)
    else:
        pre = Node("a_h", reset_after, ("W_h", "b_h", "b_hn", "r", "h_prev", "x"), title=cand_title, label=cand_label)
    nodes = (
        *_gate("gru", "r", "r", "sigmoid"),
        *_gate("gru", "z", "z", "sigmoid"),
        Node("rh", gated, ("r", "h_prev"), title=cand_title, label=cand_label),
        pre,
        Node("h_tilde", squash, ("a_h",), (("fn", "tanh"),), title=cand_title, label=cand_label),
        Node("h", interpolate, ("z", "h_prev", "h_tilde"), (("z_weights", z_weights),), title=h_title, label=h_label),
    )
    return Graph("gru", nodes, ("h",), (("z_weights", z_weights), ("reset", reset)))


def graph_of(cell: str, **conventions: str) -> Graph:
    """The graph of ``cell`` (``"rnn"``, ``"lstm"`` or ``"gru"`` with its conventions)."""
    if cell == "rnn":
        return rnn_graph()
    if cell == "lstm":
        return lstm_graph()
    return gru_graph(**conventions)


def step_inputs(cell: str, p: CellParams, values: Mapping[str, object]) -> dict[str, object]:
    """The environment a step's graph starts from: float64 input and states on a common batch, and ``p``'s arrays.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    p : the params object
    values : ``x``, ``h_prev`` (and ``c_prev``), arrays (D,)/(B, D) and (H,)/(B, H)
    """
    arrays = [np.asarray(values[name], dtype=np.float64) for name in STATES[cell]]
    batch = {a.shape[0] for a in arrays if a.ndim == 2}
    if batch:
        B = batch.pop()
        arrays = [np.broadcast_to(a, (B, a.shape[-1])) if a.ndim == 1 else a for a in arrays]
    env: dict[str, object] = dict(zip(STATES[cell], arrays, strict=True))
    env.update({name: getattr(p, name) for name in type(p).__dataclass_fields__})
    env["ones"] = 1.0  # what a gate left out multiplies by
    return env
