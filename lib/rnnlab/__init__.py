"""rnnlab: the small numpy library behind every number in the course.

One step of each cell (``rnn_step``, ``lstm_step``, ``gru_step``) returns an immutable trace of every
intermediate value; the sequence functions (``*_forward`` / ``*_backward``) are the fast, fused path.
"""

from . import examples, interop
from .cells import gru_step, lstm_step, rnn_step
from .functions import sigmoid, tanh
from .gradcheck import gradcheck, numerical_gradient, relative_error
from .params import GRUParams, LSTMParams, RNNParams, count_params
from .sequence_gru import gru_backward, gru_forward
from .sequence_lstm import lstm_backward, lstm_forward
from .sequence_rnn import rnn_backward, rnn_forward
from .traces import GRUTrace, LSTMTrace, RNNTrace
from .vanishing import state_gradient_norms

__version__ = "0.1.0"

__all__ = [
    "GRUParams",
    "GRUTrace",
    "LSTMParams",
    "LSTMTrace",
    "RNNParams",
    "RNNTrace",
    "count_params",
    "examples",
    "interop",
    "gradcheck",
    "gru_backward",
    "gru_forward",
    "gru_step",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "numerical_gradient",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "rnn_step",
    "sigmoid",
    "state_gradient_norms",
    "tanh",
]
