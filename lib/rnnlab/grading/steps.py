"""Checks of a whole step function and of by-hand answers, each diagnosed by the engine when it fails.

The reference values come from :mod:`rnnlab` (computed here, outside the student's call); the
student's function is run through :func:`call_student`, which rejects calls into rnnlab's reference
implementation and converts the result strictly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import cells, examples
from ..kinds import cell_kind
from ..params import GRUParams, LSTMParams, RNNParams
from . import messages
from ._guard import call_student as _guarded_call
from ._guard import check_untampered
from .checks import ROUNDING, check_close, check_rounded, once
from .convert import as_answer, describe
from .diagnosis import api
from .diagnosis.cells import STATES
from .diagnosis.search import closeness


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


def check_rnn_step(fn: Callable[..., object], x: object, h_prev: object, W: object, b: object, *, atol=1e-8) -> None:
    """Check ``fn(x, h_prev, W, b) -> h`` against :func:`rnnlab.rnn_step`."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    (h,) = call_returning(fn, 1, x, h_prev, W, b)
    p = RNNParams(W, b)
    expected = cells.rnn_step(x, h_prev, p).h
    close = closeness(max(atol, 1e-9))
    diagnose = once(lambda: api.step("rnn", p, {"x": x, "h_prev": h_prev}, (h,), close))
    check_close(messages.RNN_STEP_H, h, expected, atol=atol, diagnose=diagnose)


def check_lstm_step(
    fn: Callable[..., object], x: object, h_prev: object, c_prev: object, p: LSTMParams, *, atol=1e-8
) -> None:
    """Check ``fn(x, h_prev, c_prev, p) -> (h, c)`` against :func:`rnnlab.lstm_step`.

    Both results are diagnosed together: a mutation must reproduce ``h`` and ``c`` (so ``(c, h)`` returned
    in the wrong order is named as such).
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    h, c = call_returning(fn, 2, x, h_prev, c_prev, p)
    ref = cells.lstm_step(x, h_prev, c_prev, p)
    close = closeness(max(atol, 1e-9))
    diagnose = once(lambda: api.step("lstm", p, {"x": x, "h_prev": h_prev, "c_prev": c_prev}, (h, c), close))
    check_close(messages.LSTM_STEP_C, c, ref.c, atol=atol, diagnose=diagnose)
    check_close(messages.LSTM_STEP_H, h, ref.h, atol=atol, diagnose=diagnose)


def check_gru_step(
    fn: Callable[..., object], x: object, h_prev: object, p: GRUParams, *, z_weights: str = "old", atol=1e-8
) -> None:
    """Check ``fn(x, h_prev, p, z_weights=...) -> h`` against :func:`rnnlab.gru_step` (reset before)."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    (h,) = call_returning(fn, 1, x, h_prev, p, z_weights=z_weights)
    expected = cells.gru_step(x, h_prev, p, z_weights=z_weights).h
    close = closeness(max(atol, 1e-9))
    inputs = {"x": x, "h_prev": h_prev}
    diagnose = once(lambda: api.step("gru", p, inputs, (h,), close, z_weights=z_weights, reset="before"))
    name = messages.GRU_STEP_H.format(convention=repr(z_weights))
    check_close(name, h, expected, atol=atol, diagnose=diagnose)


#: the worked example of each cell, for by-hand answers
WORKED = {"rnn": examples.rnn_3d, "lstm": examples.lstm_3d, "gru": examples.gru_3d}


def check_by_hand(name: str, received: object, cell: str, quantity: str, *, z_weights: str = "old") -> None:
    """Check a by-hand answer for one quantity of a worked example, to two decimals.

    A wrong answer is diagnosed by the engine (:mod:`rnnlab.grading.diagnosis`): a mistake in the equation of
    ``quantity``, or the value of another quantity of the step (``this is the input gate i (eq. 7), not
    the forget gate f (eq. 6)``). The right value is never shown.

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
    if cell not in WORKED:
        raise ValueError(messages.build("by_hand_cell", cell=repr(cell)))
    ex = WORKED[cell]()
    inputs = {state: getattr(ex, state) for state in STATES[cell]}
    conventions = {"z_weights": z_weights, "reset": "before"} if cell == "gru" else {}
    trace = cell_kind(cell).step(*inputs.values(), ex.params, **conventions)
    diagnose = once(lambda: api.by_hand(cell, ex.params, inputs, quantity, got[0], ROUNDING, **conventions))
    got = [as_answer(name, received)]
    check_rounded(name, got[0], getattr(trace, quantity), diagnose=diagnose)
