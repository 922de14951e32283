"""One time step of each cell, one function per equation, symbols as in the book.

Shapes: ``x`` is ``(D,)`` or a batch ``(B, D)``; states are ``(H,)`` or ``(B, H)``. A 1-D state with a
batched input (or the reverse) is broadcast over the batch. Every step returns a trace holding every
intermediate value; each ``*_step_backward`` beside it reads that trace back, one chain-rule line per
forward equation, in reverse order. One module per cell: :mod:`.rnn`, :mod:`.lstm`, :mod:`.gru`.
"""

from .affine import affine_backward
from .gru import (
    candidate_hidden,
    candidate_hidden_backward,
    gru_hidden,
    gru_step,
    gru_step_backward,
    reset_gate,
    update_gate,
)
from .lstm import (
    candidate_cell,
    cell_state,
    forget_gate,
    input_gate,
    lstm_hidden,
    lstm_step,
    lstm_step_backward,
    output_gate,
)
from .rnn import rnn_hidden, rnn_step, rnn_step_backward

__all__ = [
    "affine_backward",
    "candidate_cell",
    "candidate_hidden",
    "candidate_hidden_backward",
    "cell_state",
    "forget_gate",
    "gru_hidden",
    "gru_step",
    "gru_step_backward",
    "input_gate",
    "lstm_hidden",
    "lstm_step",
    "lstm_step_backward",
    "output_gate",
    "reset_gate",
    "rnn_hidden",
    "rnn_step",
    "rnn_step_backward",
    "update_gate",
]
