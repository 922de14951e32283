"""Presets: weights that push the gates to their extremes, and the book's worked example.

Every preset starts from the worked example's weights (:mod:`rnnlab.examples`) and pins some gates:
a gate whose weight rows are zero and whose bias is :data:`SATURATE` (or its negative) reads
:math:`\\sigma(\\pm 12) = 1 - 6 \\cdot 10^{-6}` (or :math:`6 \\cdot 10^{-6}`) whatever the input, so the promise
holds while the learner moves the sliders. A preset also puts the inputs back to the worked example's.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import examples
from ..params import CellParams

#: Bias that saturates a gate whose weights are zero: sigmoid(12) = 0.999994.
SATURATE = 12.0


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named set of weights.

    Attributes
    ----------
    name : str
    promise : str
        What the preset does to the gates, in words (the tests check each promise numerically).
    cells : tuple of str
        The cells it changes; on any other cell it leaves the worked example's weights.
    """

    name: str
    promise: str
    cells: tuple[str, ...]


PRESETS = {
    "worked example": Preset(
        "worked example",
        "The book's worked example: the seeds' inputs and the weights that reproduce their gate values.",
        ("rnn", "lstm", "gru"),
    ),
    "remember everything": Preset(
        "remember everything",
        "LSTM: forget gate f = 1 and input gate i = 0, so c_t = c_{t-1}. GRU: the update gate z keeps the old "
        "state (z = 1 with z_weights='old', z = 0 with 'new'), so h_t = h_{t-1}. The plain RNN has no gate: "
        "the closest it gets, W = [I | 0], still squashes the state, h_t = tanh(h_{t-1}).",
        ("rnn", "lstm", "gru"),
    ),
    "forget everything": Preset(
        "forget everything",
        "LSTM: f = 0 and i = 1, so c_t = c~_t and c_{t-1} is gone. GRU: z takes the candidate and r = 0, so "
        "h_t = h~_t no longer depends on h_{t-1}. RNN: W = [0 | V], so h_t ignores h_{t-1}.",
        ("rnn", "lstm", "gru"),
    ),
    "reset the history": Preset(
        "reset the history",
        "GRU only: reset gate r = 0, so the candidate h~_t is computed as if h_{t-1} were zero; the update "
        "gate still mixes in the old state. (The LSTM has no reset gate; it keeps the worked example.)",
        ("gru",),
    ),
    "copy the input": Preset(
        "copy the input",
        "The new state is the input squashed by tanh. RNN and GRU: h_t = tanh(x_t). LSTM: f = 0, i = 1, "
        "o = 1 and c~_t = tanh(x_t), so c_t = tanh(x_t) and h_t = tanh(tanh(x_t)).",
        ("rnn", "lstm", "gru"),
    ),
}


def presets_for(cells: tuple[str, ...]) -> dict[str, Preset]:
    """The presets that change at least one of ``cells``, in display order."""
    return {name: preset for name, preset in PRESETS.items() if set(preset.cells) & set(cells)}


def worked_example(cell: str) -> examples.Example:
    """The worked 3-D example of ``cell`` from :mod:`rnnlab.examples`."""
    return {"rnn": examples.rnn_3d, "lstm": examples.lstm_3d, "gru": examples.gru_3d}[cell]()


def preset_params(name: str, cell: str, z_weights: str = "old") -> CellParams:
    """The weights of preset ``name`` for ``cell``.

    Parameters
    ----------
    name : a key of :data:`PRESETS`
    cell : {"rnn", "lstm", "gru"}
    z_weights : {"old", "new"}
        The GRU convention the preset is made for: "keep the old state" is z = 1 under ``"old"`` and
        z = 0 under ``"new"``. Toggling the convention afterwards keeps the weights, so the gate then
        does the opposite (the chapter's convention experiment).
    """
    if name not in PRESETS:
        raise ValueError(f"preset: expected one of {list(PRESETS)}, got {name!r}")
    base = worked_example(cell).params
    if name == "worked example" or cell not in PRESETS[name].cells:
        return base
    return {"rnn": _rnn, "lstm": _lstm, "gru": _gru}[cell](name, base, z_weights)


def _pinned(p: CellParams, gate: str, bias: float) -> dict[str, np.ndarray]:
    """Fields that make ``gate`` (a letter such as ``"f"``) a constant: zero weights, every bias ``bias``."""
    W = getattr(p, f"W_{gate}")
    return {f"W_{gate}": np.zeros_like(W), f"b_{gate}": np.full(W.shape[0], bias)}


def _reads_only_x(W: np.ndarray, W_x: np.ndarray) -> np.ndarray:
    """A weight matrix with zero columns on ``h_prev`` and ``W_x`` (H, D) on ``x``."""
    H = W.shape[0]
    return np.concatenate([np.zeros((H, H)), W_x], axis=1)


def _rnn(name: str, p: CellParams, z_weights: str) -> CellParams:
    H = p.hidden_size
    if name == "remember everything":
        return p.replace(W=np.concatenate([np.eye(H), np.zeros((H, p.input_size))], axis=1), b=np.zeros(H))
    if name == "forget everything":
        return p.replace(W=_reads_only_x(p.W, p.W[:, H:]))
    return p.replace(W=_reads_only_x(p.W, np.eye(H, p.input_size)), b=np.zeros(H))  # copy the input


def _lstm(name: str, p: CellParams, z_weights: str) -> CellParams:
    if name == "remember everything":
        return p.replace(**_pinned(p, "f", SATURATE), **_pinned(p, "i", -SATURATE))
    open_to_new = _pinned(p, "f", -SATURATE) | _pinned(p, "i", SATURATE)
    if name == "forget everything":
        return p.replace(**open_to_new)
    H = p.hidden_size  # copy the input
    return p.replace(
        **open_to_new,
        **_pinned(p, "o", SATURATE),
        W_c=_reads_only_x(p.W_c, np.eye(H, p.input_size)),
        b_c=np.zeros(H),
    )


def _gru(name: str, p: CellParams, z_weights: str) -> CellParams:
    keep = SATURATE if z_weights == "old" else -SATURATE
    no_history = _pinned(p, "r", -SATURATE)
    if name == "remember everything":
        return p.replace(**_pinned(p, "z", keep))
    if name == "reset the history":
        return p.replace(**no_history)
    take_candidate = _pinned(p, "z", -keep) | no_history
    if name == "forget everything":
        return p.replace(**take_candidate)
    H = p.hidden_size  # copy the input
    return p.replace(**take_candidate, W_h=_reads_only_x(p.W_h, np.eye(H, p.input_size)), b_h=np.zeros(H))
