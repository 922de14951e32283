"""Checks of a whole step function and of by-hand answers, each diagnosed against the common mistakes.

The reference values come from :mod:`rnnlab` (computed here, outside the student's call); the
student's function is run through :func:`call_student`, which rejects calls into rnnlab's reference
implementation and converts the result strictly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import cells, examples
from ..params import GRUParams, LSTMParams, RNNParams
from . import messages
from ._guard import call_student as _guarded_call
from ._guard import check_untampered
from .checks import check_close, check_rounded
from .convert import as_answer, describe
from .mistakes import gru_mistakes, lstm_mistakes, rnn_mistakes


def call_student(fn: Callable[..., object], *args: object, **kwargs: object) -> np.ndarray | tuple[np.ndarray, ...]:
    """Call a student's function and return its result as float64 array(s).

    Fails with "implement it yourself; rnnlab.xxx was called" if the function reached rnnlab's
    reference implementation. A tuple result is converted element by element (a tuple of arrays);
    anything else becomes one array. Objects that merely look like numbers are rejected.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    result = _guarded_call(fn, args, kwargs)
    function = messages.function_name(fn)
    if type(result) is tuple:
        return tuple(
            as_answer(messages.RETURNED_ITEM.format(function=function, k=k), item) for k, item in enumerate(result)
        )
    return as_answer(messages.RETURNED.format(function=function), result)


def call_returning(fn: Callable[..., object], n: int, *args: object, **kwargs: object) -> list[np.ndarray]:
    """Call ``fn`` like :func:`call_student` and check that it returned ``n`` results (n = 1: one array)."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    result = _guarded_call(fn, args, kwargs)
    name = messages.function_name(fn)
    if n == 1:
        return [as_answer(messages.RETURNED.format(function=name), result)]
    if type(result) not in (tuple, list) or len(result) != n:
        raise AssertionError(messages.build("return_count", name=name, n=n, received=describe(result)))
    return [as_answer(messages.RESULT_ITEM.format(function=name, k=k), item) for k, item in enumerate(result)]


def pick(variants: dict[str, dict[str, np.ndarray]], quantity: str) -> dict[str, np.ndarray]:
    """``{mistake: value of quantity}`` from the output of one of the ``*_mistakes`` functions."""
    return {mistake: values[quantity] for mistake, values in variants.items()}


def check_rnn_step(fn: Callable[..., object], x: object, h_prev: object, W: object, b: object, *, atol=1e-8) -> None:
    """Check ``fn(x, h_prev, W, b) -> h`` against :func:`rnnlab.rnn_step`."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    (h,) = call_returning(fn, 1, x, h_prev, W, b)
    expected = cells.rnn_step(x, h_prev, RNNParams(W, b)).h
    check_close(messages.RNN_STEP_H, h, expected, atol=atol, diagnose=pick(rnn_mistakes(x, h_prev, W, b), "h"))


def check_lstm_step(
    fn: Callable[..., object], x: object, h_prev: object, c_prev: object, p: LSTMParams, *, atol=1e-8
) -> None:
    """Check ``fn(x, h_prev, c_prev, p) -> (h, c)`` against :func:`rnnlab.lstm_step`."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    h, c = call_returning(fn, 2, x, h_prev, c_prev, p)
    ref = cells.lstm_step(x, h_prev, c_prev, p)
    variants = lstm_mistakes(x, h_prev, c_prev, p)
    check_close(messages.LSTM_STEP_C, c, ref.c, atol=atol, diagnose=pick(variants, "c"))
    check_close(messages.LSTM_STEP_H, h, ref.h, atol=atol, diagnose=pick(variants, "h"))


def check_gru_step(
    fn: Callable[..., object], x: object, h_prev: object, p: GRUParams, *, z_weights: str = "old", atol=1e-8
) -> None:
    """Check ``fn(x, h_prev, p, z_weights=...) -> h`` against :func:`rnnlab.gru_step` (reset before)."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    (h,) = call_returning(fn, 1, x, h_prev, p, z_weights=z_weights)
    expected = cells.gru_step(x, h_prev, p, z_weights=z_weights).h
    variants = gru_mistakes(x, h_prev, p, z_weights=z_weights)
    name = messages.GRU_STEP_H.format(convention=repr(z_weights))
    check_close(name, h, expected, atol=atol, diagnose=pick(variants, "h"))


def check_by_hand(name: str, received: object, cell: str, quantity: str, *, z_weights: str = "old") -> None:
    """Check a by-hand answer for one quantity of a worked example, to two decimals.

    Parameters
    ----------
    name : str
        The student's variable, e.g. ``"f_by_hand"``.
    received : list of numbers
    cell : {"rnn", "lstm", "gru"}
        Which worked example of :mod:`rnnlab.examples`.
    quantity : str
        A field of the example's trace: ``a, h`` (rnn); ``f, i, c_tilde, c, o, h`` (lstm);
        ``r, z, h_tilde, h`` (gru).
    z_weights : {"old", "new"}
        The GRU convention the exercise uses.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    if cell == "rnn":
        ex = examples.rnn_3d()
        ref = cells.rnn_step(ex.x, ex.h_prev, ex.params)
        variants = rnn_mistakes(ex.x, ex.h_prev, ex.params.W, ex.params.b)
    elif cell == "lstm":
        ex = examples.lstm_3d()
        ref = cells.lstm_step(ex.x, ex.h_prev, ex.c_prev, ex.params)
        variants = lstm_mistakes(ex.x, ex.h_prev, ex.c_prev, ex.params)
    elif cell == "gru":
        ex = examples.gru_3d()
        ref = cells.gru_step(ex.x, ex.h_prev, ex.params, z_weights=z_weights)
        variants = gru_mistakes(ex.x, ex.h_prev, ex.params, z_weights=z_weights)
    else:
        raise ValueError(messages.build("by_hand_cell", cell=repr(cell)))
    check_rounded(name, received, getattr(ref, quantity), diagnose=pick(variants, quantity))
