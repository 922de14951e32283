"""The worked 3-D examples every chapter, exercise and test uses.

Inputs are the seeds': :math:`x_t = [0.5, -0.3, 0.8]`, :math:`h_{t-1} = [0.2, 0.4, -0.1]`,
:math:`c_{t-1} = [0.6, -0.2, 0.3]`. The seeds give gate values rounded to two decimals but no weights,
so the one-decimal weights below were found by the search in :mod:`rnnlab.example_search` (re-run by
``tests/rnnlab/test_examples.py``, which fails if it no longer yields exactly these numbers). Rounded to two
decimals they give the seeds' LSTM values f = [0.65, 0.42, 0.78], i = [0.53, 0.71, 0.48],
c_tilde = [0.32, -0.54, 0.67], c = [0.56, -0.47, 0.55], and the GRU's r = [0.58, 0.73, 0.45],
z = [0.66, 0.42, 0.51] (default conventions). Every matrix is (3, 6): columns 1-3 multiply
:math:`h_{t-1}`, columns 4-6 multiply :math:`x_t`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._checks import frozen
from .params import CellParams, GRUParams, LSTMParams, RNNParams

X = (0.5, -0.3, 0.8)
H_PREV = (0.2, 0.4, -0.1)
C_PREV = (0.6, -0.2, 0.3)


@dataclasses.dataclass(frozen=True)
class Example:
    """A worked example: inputs ``x`` (3,), ``h_prev`` (3,), ``c_prev`` (3,) or None, and ``params``."""

    x: np.ndarray
    h_prev: np.ndarray
    params: CellParams
    c_prev: np.ndarray | None = None


def lstm_3d() -> Example:
    """The LSTM example: the seeds' inputs, with f, i, c_tilde and c matching the seeds to two decimals."""
    params = LSTMParams(
        W_f=[[0.1, 0.1, -0.1, 0.1, -0.1, 0.2], [-0.1, -0.1, 0.1, -0.1, 0.1, -0.1], [0.1, 0.1, 0.1, 0.1, -0.1, 0.3]],
        b_f=[0.3, -0.1, 0.9],
        W_i=[[-0.1, 0.1, -0.1, 0.1, 0.1, 0.1], [-0.1, 0.1, -0.1, 0.1, -0.1, 0.1], [-0.1, 0.1, 0.1, -0.1, -0.1, -0.1]],
        b_i=[0.0, 0.7, 0.0],
        W_c=[[0.1, 0.1, -0.1, 0.1, -0.1, 0.1], [-0.1, -0.1, -0.1, -0.1, 0.1, -0.1], [0.1, 0.1, -0.1, 0.1, -0.1, 0.2]],
        b_c=[0.1, -0.4, 0.5],
        W_o=[[-0.1, 0.1, -0.1, 0.1, -0.1, 0.1], [-0.1, 0.1, 0.1, -0.1, -0.1, -0.1], [-0.1, 0.1, -0.1, 0.1, -0.1, 0.1]],
        b_o=[0.3, 0.0, 0.7],
    )
    return Example(x=frozen(X), h_prev=frozen(H_PREV), c_prev=frozen(C_PREV), params=params)


def gru_3d() -> Example:
    """The GRU example: the seeds' inputs, with r and z matching the seeds to two decimals."""
    params = GRUParams(
        W_r=[[0.1, 0.1, -0.1, 0.1, -0.1, 0.1], [-0.1, 0.1, -0.1, 0.1, -0.1, 0.1], [-0.1, -0.1, -0.1, -0.1, 0.1, -0.1]],
        b_r=[0.1, 0.8, 0.0],
        W_z=[[0.1, 0.1, -0.1, 0.1, -0.2, 0.1], [-0.1, -0.1, 0.1, -0.1, 0.1, -0.1], [-0.1, -0.1, -0.1, 0.1, 0.1, 0.1]],
        b_z=[0.4, -0.1, 0.0],
        W_h=[[0.1, 0.1, -0.1, 0.1, -0.2, 0.1], [0.1, -0.1, 0.1, -0.1, 0.1, -0.2], [-0.1, 0.1, -0.1, 0.1, -0.1, 0.3]],
        b_h=[0.2, 0.0, 0.4],
    )
    return Example(x=frozen(X), h_prev=frozen(H_PREV), params=params)


def rnn_3d() -> Example:
    """The plain-RNN example on the seeds' inputs."""
    params = RNNParams(
        W=[[-0.1, 0.1, -0.2, 0.1, -0.1, 0.1], [-0.1, -0.1, -0.1, -0.1, -0.2, -0.1], [-0.1, 0.1, -0.2, 0.1, -0.1, 0.1]],
        b=[0.3, 0.0, 0.2],
    )
    return Example(x=frozen(X), h_prev=frozen(H_PREV), params=params)
