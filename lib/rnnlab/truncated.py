"""Truncated backpropagation through time: training on a stream too long to backpropagate through whole.

The stream of :math:`T` steps is cut into windows of :math:`k` steps (the last one may be shorter).
Each window runs forward from the state the previous one ended in, so the forward pass is the full
one; but the carried-in state :math:`s_{c-1}` is treated as a constant, so no gradient crosses a window
boundary:

.. math::
    \\tilde g = \\sum_c \\frac{T_c}{T} \\, \\nabla_\\theta L_c(\\theta;\\, s_{c-1}), \\qquad
    s_{c-1} \\text{ held constant}

where :math:`L_c` is the loss (a mean) over window :math:`c` of :math:`T_c` steps. With :math:`k \\ge T`
this is the full gradient. With :math:`k < T` it drops every path from a loss at step :math:`t` back to a
parameter's use at a step before :math:`t`'s window: a biased gradient, cheaper in memory, blind to
dependencies longer than the window. On a contracting recurrence the dropped paths shrink
geometrically with their length, so the bias shrinks as :math:`k` grows.

Two ways to use it: :func:`truncated_bptt` gives one gradient for a whole stream (one update per
stream), and :class:`CarriedState` with :func:`stream_windows` makes :func:`rnnlab.train.train` update
after every window, carrying the state on (as Karpathy's min-char-rnn does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._checks import positive_int
from .models import SequenceModel

Arrays = dict[str, np.ndarray]
LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def windows(T: int, window: int) -> list[slice]:
    """The time slices ``[0, k), [k, 2k), ...`` covering ``T`` steps; the last may be shorter.

    Parameters
    ----------
    T : int, the number of steps
    window : int, ``k``
    """
    T, k = positive_int("T", T), positive_int("window", window)
    return [slice(start, min(start + k, T)) for start in range(0, T, k)]


def _check_model(model: object) -> SequenceModel:
    if not isinstance(model, SequenceModel):
        raise TypeError(f"model: expected a SequenceModel, got {type(model).__name__}")
    if model.readout != "all":
        raise ValueError(f"model.readout: expected 'all' (a loss at every step of the stream), got {model.readout!r}")
    return model


def truncated_bptt(
    model: SequenceModel,
    params: Arrays,
    inputs: object,
    targets: object,
    loss_fn: LossFn,
    window: int,
    start: tuple[object, ...] | None = None,
) -> tuple[float, Arrays, tuple[np.ndarray, ...]]:
    """Loss and truncated gradient of a whole stream, in windows of ``window`` steps (see the module docstring).

    .. math:: L = \\sum_c \\frac{T_c}{T} L_c, \\qquad
              \\tilde g = \\sum_c \\frac{T_c}{T} \\nabla_\\theta L_c(\\theta;\\, s_{c-1} \\text{ constant})

    ``L`` is the loss of the whole stream when ``loss_fn`` is a mean over the entries (as
    :func:`rnnlab.train.mse` and :func:`~rnnlab.train.bce_with_logits` are). With ``window >= T`` the loss
    and the gradient are exactly ``model.loss_and_grads(loss_fn)``'s.

    Parameters
    ----------
    model : SequenceModel with ``readout="all"``
    params : dict of arrays, the model's weights
    inputs : array (T, B, D), or token ids (T, B)
    targets : array (T, B, O)
    loss_fn : callable (outputs, targets) -> (mean loss, d loss / d outputs)
    window : int, ``k``, the number of steps backpropagated through at a time
    start : tuple or None, the state the stream starts from, ``(h0,)`` or ``(h0, c0)``; None means zeros

    Returns
    -------
    loss : float
    grads : dict shaped like ``params``
    final : tuple of arrays (B, H), the state at the end of the stream (to carry into the next one)
    """
    model = _check_model(model)
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    T = inputs.shape[0] if inputs.ndim else 0
    if targets.ndim < 1 or targets.shape[0] != T:
        raise ValueError(f"targets: expected {T} steps like inputs, got shape {np.shape(targets)}")
    loss, grads, state = 0.0, {}, start
    for piece in windows(T, window):
        outputs, state, cache = model.forward_carry(params, inputs[piece], state)
        piece_loss, doutputs = loss_fn(outputs, targets[piece])
        weight = (piece.stop - piece.start) / T  # 1.0 with one window: the full gradient, bit for bit
        piece_grads = model.backward(params, doutputs * weight, cache)
        loss += weight * piece_loss
        grads = piece_grads if not grads else {name: grads[name] + g for name, g in piece_grads.items()}
    return loss, grads, state


class CarriedState:
    """A ``loss_and_grads`` for :func:`rnnlab.train.train` that starts each batch from the last one's final state.

    Each call runs one window from the carried state (treated as a constant: its gradient is dropped),
    so an update after every window is truncated BPTT with window = the batch's length. A batch is
    ``(inputs, targets)`` or ``(inputs, targets, restart)``; ``restart=True`` starts from zeros again
    (the start of a new pass over the stream).

    Parameters
    ----------
    model : SequenceModel with ``readout="all"``
    loss_fn : callable (outputs, targets) -> (mean loss, d loss / d outputs)
    """

    def __init__(self, model: SequenceModel, loss_fn: LossFn) -> None:
        self.model, self.loss_fn = _check_model(model), loss_fn
        self.state: tuple[np.ndarray, ...] | None = None

    def reset(self) -> None:
        """Start the next window from zeros."""
        self.state = None

    def __call__(self, params: Arrays, batch: tuple[Any, ...]) -> tuple[float, Arrays]:
        """One window: the loss and the gradients (the state it ends in is kept for the next call)."""
        if not isinstance(batch, tuple) or len(batch) not in (2, 3):
            raise ValueError(f"batch: expected (inputs, targets) or (inputs, targets, restart), got {type(batch)}")
        if len(batch) == 3 and batch[2]:
            self.reset()
        inputs, targets = batch[:2]
        outputs, final, cache = self.model.forward_carry(params, inputs, self.state)
        loss, doutputs = self.loss_fn(outputs, targets)
        self.state = final
        return loss, self.model.backward(params, doutputs, cache)


def stream_windows(inputs: object, targets: object, window: int) -> Callable[[int], tuple[Any, Any, bool]]:
    """A ``next_batch`` for :func:`rnnlab.train.train` that walks through a stream window by window, in a loop.

    Step ``s`` gets window ``s mod n`` of the ``n`` windows, with ``restart=True`` on window 0, so a
    :class:`CarriedState` carries the state along the stream and starts again from zeros at its start.

    Parameters
    ----------
    inputs : array (T, B, D), or token ids (T, B)
    targets : array (T, B, O)
    window : int, ``k``
    """
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    T = inputs.shape[0] if inputs.ndim else 0
    if targets.ndim < 1 or targets.shape[0] != T:
        raise ValueError(f"targets: expected {T} steps like inputs, got shape {targets.shape}")
    pieces = windows(T, window)

    def next_batch(step: int) -> tuple[Any, Any, bool]:
        piece = pieces[step % len(pieces)]
        return inputs[piece], targets[piece], piece.start == 0

    return next_batch
