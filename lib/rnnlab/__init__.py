"""rnnlab: the small numpy library behind every number in the course.

One step of each cell (``rnn_step``, ``lstm_step``, ``gru_step``) returns an immutable trace of every
intermediate value, and its ``*_step_backward`` turns that trace and the upstream gradient into the
step's gradients; the sequence functions (``*_forward`` / ``*_backward``) are the fast, fused path.
:mod:`rnnlab.kinds` is the one table of what differs by cell kind. ``stacked_forward`` /
``stacked_backward`` run :class:`StackedParams`, ``L`` layers of one or two directions.
"""

from . import examples, interop
from .cells import gru_step, gru_step_backward, lstm_step, lstm_step_backward, rnn_step, rnn_step_backward
from .functions import sigmoid, tanh
from .gradcheck import gradcheck, numerical_gradient, relative_error
from .kinds import CellKind, cell_kind, count_params
from .params import CellParams, GRUParams, LSTMParams, RNNParams
from .sequence_gru import gru_backward, gru_forward
from .sequence_lstm import lstm_backward, lstm_forward
from .sequence_rnn import rnn_backward, rnn_forward
from .stacked import stacked_backward, stacked_forward
from .stacked_params import StackedParams
from .traces import GRUTrace, LSTMTrace, RNNTrace
from .vanishing import state_gradient_norms

__version__ = "0.1.0"

__all__ = [
    "CellKind",
    "CellParams",
    "GRUParams",
    "GRUTrace",
    "LSTMParams",
    "LSTMTrace",
    "RNNParams",
    "RNNTrace",
    "StackedParams",
    "cell_kind",
    "count_params",
    "examples",
    "interop",
    "gradcheck",
    "gru_backward",
    "gru_forward",
    "gru_step",
    "gru_step_backward",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "lstm_step_backward",
    "numerical_gradient",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "rnn_step",
    "rnn_step_backward",
    "sigmoid",
    "stacked_backward",
    "stacked_forward",
    "state_gradient_norms",
    "tanh",
]
