"""Checks that the exercise notebooks' test cells call, with feedback a student can act on.

What a test cell uses
---------------------
- :func:`check_close` (name, received, expected, *, atol, diagnose): numbers from code.
- :func:`check_rounded` / :func:`check_by_hand`: numbers worked out by hand, two-decimal rounding accepted.
- :func:`check_choice`: a multiple-choice letter. :func:`check_array`: type and shape of a result.
- :func:`check_rnn_step`, :func:`check_lstm_step`, :func:`check_gru_step`: a whole step function;
  :func:`check_rnn_unroll`, :func:`check_gradient_norms`: functions over a sequence;
  :func:`check_gru_step_backward`, :func:`check_accuracy`: the BPTT exercise;
  :func:`check_clip_by_hand`, :func:`check_clip_by_global_norm`, :func:`check_clipped_run` (on
  :func:`exploding_run`), :func:`check_softmax_with_temperature`, :func:`check_sample_next`: training in
  practice (:mod:`rnnlab.grading.training`; :func:`clip_example` is its worked example).
- :func:`call_student`: call a student's function, refusing calls into rnnlab's reference code and
  converting the result strictly to float64 arrays.

A failing check names the likely mistake: the diagnosis engine (:mod:`rnnlab.grading.diagnosis`) searches
mutations of the book's equations (single ones, then pairs) for one that reproduces the received values,
and names it with the equation's number in the book. It runs only once a comparison has failed.

Every failure is an ``AssertionError`` naming the quantity and index, the expected and received
values and the likely mistake. Passing checks print nothing and emit no warning (nbgrader gives a
test cell zero points if it writes to stderr).

Tamper resistance, and what it cannot stop
------------------------------------------
Each helper first checks that numpy's key functions (``np.allclose``, ``np.isclose``, ``np.asarray``,
``np.array_equal``, ``np.testing.assert_allclose``, ...) and this module's own functions are still the
objects captured when the module was imported, and that ``sys.modules`` still maps
``rnnlab.grading`` to it. The captured numpy functions are themselves checked to be numpy's (ufuncs,
numpy's dispatchers and builtins, or functions whose code lives in numpy's files), which catches a
notebook that patched numpy before importing this module. Assigning to a helper
(``grading.check_close = ...``) raises at once, because the module refuses attribute assignment.
Answers are converted strictly, so an object whose ``__eq__`` always returns True is rejected.
:func:`call_student` uses ``sys.setprofile`` to detect calls into rnnlab's reference modules
(``cells``, ``sequence_*``, ``gradcheck``, ``interop``), by module name or file name.

All of this runs inside the student's own Python process, so a determined student can still get
past it, and the instructor's pipeline must not rely on it alone. It cannot stop:

- rebinding the name ``grading`` in the notebook to a look-alike object, or replacing the module in
  ``sys.modules`` and the ``rnnlab.grading`` attribute together before a test cell runs: the real
  helpers then never run, so nothing is checked (a write into the real module's ``__dict__`` is
  caught by the next real helper that runs, but a test cell that calls only the replaced one passes);
- numpy look-alikes built to pass the origin check (e.g. code compiled with a numpy file name);
- copying rnnlab's source into the notebook, or calling it from another thread (the profile hook is
  per thread);
- patching numpy functions the checks do not use, or numpy's C internals;
- editing or deleting test cells: that is nbgrader's job (it restores them from the gradebook).
"""

from __future__ import annotations

import sys
import types

from ._guard import ReferenceCallError, TamperingError, check_untampered, register_own
from .backward import check_accuracy, check_gru_step_backward
from .checks import check_array, check_choice, check_close, check_rounded, check_shape_matches
from .convert import as_answer
from .sequences import check_gradient_norms, check_rnn_unroll
from .steps import (
    call_returning,
    call_student,
    check_by_hand,
    check_gru_step,
    check_lstm_step,
    check_rnn_step,
)
from .training import (
    check_clip_by_global_norm,
    check_clip_by_hand,
    check_clipped_run,
    check_sample_next,
    check_softmax_with_temperature,
    clip_example,
    exploding_run,
)

__all__ = [
    "ReferenceCallError",
    "TamperingError",
    "as_answer",
    "call_returning",
    "call_student",
    "check_accuracy",
    "check_array",
    "check_by_hand",
    "check_choice",
    "check_clip_by_global_norm",
    "check_clip_by_hand",
    "check_clipped_run",
    "check_close",
    "check_gradient_norms",
    "check_gru_step",
    "check_gru_step_backward",
    "check_lstm_step",
    "check_rnn_step",
    "check_rnn_unroll",
    "check_rounded",
    "check_sample_next",
    "check_shape_matches",
    "check_softmax_with_temperature",
    "check_untampered",
    "clip_example",
    "exploding_run",
]


class _ReadOnlyModule(types.ModuleType):
    """A module whose public helpers cannot be reassigned or deleted from a notebook."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in __all__:
            raise AttributeError(f"rnnlab.grading.{name} is read-only: the checks must stay as written")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name in __all__:
            raise AttributeError(f"rnnlab.grading.{name} is read-only: the checks must stay as written")
        super().__delattr__(name)


register_own(sys.modules[__name__], __all__)
sys.modules[__name__].__class__ = _ReadOnlyModule
