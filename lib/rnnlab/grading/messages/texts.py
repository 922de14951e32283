"""The fixed texts of the messages: limits, phrases, shape hints, and the names the checks compose.

Everything here is plain text (and the regex of the one hint with numbers in it); the templates
(:mod:`.templates`) and the checks build their messages from these, and the parser accepts exactly them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .likely import LIKELY, NO_DIAGNOSIS  # noqa: F401 - the clause is defined with its parser

SIGNIFICANT = 6
MAX_TEXT = 4000  # longer outputs are never a check's message
MAX_LITERAL = 200  # longer (or several-line) literals of a test source never appear in a message
NO_DIAGNOSIS_TEXT = (
    f"{NO_DIAGNOSIS}; recompute one entry by hand, term by term, and compare it with each line of your code"
)
ROUNDING_TEXT = "two decimals are enough: any value within 0.005 of the exact one passes"
ACCURACY_MISTAKE = (
    "a wrong gradient (do the tests of Part A pass?), a learning rate too small or too large, or too few steps"
)
INSIDE_THE_STEP = "inside the step: "
GRADIENT_NAMES = ("W_r", "b_r", "W_z", "b_z", "W_h", "b_h", "x", "h_prev")
UNKNOWN_TYPE = "an object of a type not named here (your notebook shows it)"
UNKNOWN_DTYPE = "a dtype not named here (your notebook shows it)"

# --- shape hints (diagnoses of a wrong shape) ---------------------------------------------------------

HINT_SWAPPED = "the two axes are swapped (a transposed result, or W @ X where X @ W.T was needed for a batch)"
HINT_LAYOUT = "the right number of entries in the wrong layout (an extra or missing axis of length 1?)"
HINT_BATCH = "the batch axis was lost: with a batch of inputs (B, D) the result must be (B, H)"
HINT_LONG = (
    "the last axis is too long ({got} instead of {want}): was the concatenation [h_prev, x] returned, or a "
    "weight matrix used with the wrong orientation?"
)
HINT_OTHER = "a shape mismatch; print the shapes of every intermediate array to find where they first differ"
SHAPE_HINTS = (HINT_SWAPPED, HINT_LAYOUT, HINT_BATCH, HINT_OTHER)

# --- crash hints (an error inside the student's function; rnnlab.grading.crashes) ----------------------

CRASH_CONCATENATE = (
    "np.concatenate joined the arrays along the wrong axis: with a batch, h_prev is (B, H) and x is (B, D), so "
    "join them with np.concatenate([h_prev, x], axis=-1)"
)
CRASH_MATMUL = (
    "a matrix product of mismatched shapes: W is (H, H + D), so W @ v needs v of shape (H + D,), and a batch v "
    "of shape (B, H + D) needs v @ W.T; a batch also needs np.concatenate([h_prev, x], axis=-1), since without "
    "axis=-1 the two are stacked as extra rows"
)
CRASH_BROADCAST = (
    "two arrays of shapes that do not combine element-wise: print the shapes in that line (a transposed product, "
    "or a gate or bias of the wrong size?)"
)
CRASH_UNPACK = "unpacking the wrong number of values: check how many values the function or object on the right gives"
CRASH_NAME = (
    "a name that is not defined where that line runs: a misspelling, a variable of another function or cell, or a "
    "helper defined in a cell that has not run"
)
CRASH_NONE = (
    "a value is None where an array belongs: a function without a return statement (yours or a helper), or the "
    "result of a method that changes its object in place"
)
CRASH_INDEX = (
    "an index past the end of an array: with a batch the arrays have an extra first axis (B, ...); index the last "
    "axis (a[..., j]) or avoid indexing"
)
CRASH_UNBOUND = (
    "a variable used before this function assigned it: assign it on every path before that line (an if without "
    "an else?), or pass it in as an argument"
)
CRASH_ATTRIBUTE = (
    "an attribute the object does not have: the params objects have W_f, b_f, ... (LSTM) or W_r, b_r, ... (GRU) "
    "and p.hidden_size; print(type(obj)) to see what the object is"
)
CRASH_KEY = "a key the dict does not have: print(cache.keys()) to see the names the forward step stored"
CRASH_NOT_CALLABLE = (
    "an array or number was called like a function: a name such as sigmoid or tanh was reused for a value "
    "(sigmoid = sigmoid(a)); give the value another name"
)
CRASH_ARGUMENTS = (
    "a function called with the wrong number of arguments: compare the call with the function's definition "
    "(a helper of yours, or a numpy function such as np.concatenate, which takes one list of arrays)"
)
CRASH_TRUTH = (
    "an array used as True or False (in an if, with and / or, or in Python's max / min): use np.maximum, "
    "np.where or elementwise operators (&, |) instead"
)
CRASH_ASSIGN = (
    "a result stored into a preallocated array of another shape: print the shapes of both sides of that "
    "assignment (with a batch, each row is (B, H))"
)
CRASH_SEQUENCE = (
    "arithmetic on a Python list: lists do not add or multiply element-wise; convert with np.asarray(...) first"
)
CRASH_HINTS = (
    CRASH_CONCATENATE, CRASH_MATMUL, CRASH_BROADCAST, CRASH_UNPACK, CRASH_NAME, CRASH_NONE, CRASH_INDEX,
    CRASH_UNBOUND, CRASH_ATTRIBUTE, CRASH_KEY, CRASH_NOT_CALLABLE, CRASH_ARGUMENTS, CRASH_TRUTH, CRASH_ASSIGN,
    CRASH_SEQUENCE,
)  # fmt: skip


@lru_cache(maxsize=1)
def _hint_long() -> re.Pattern:
    """``HINT_LONG`` with any two lengths of at most 3 digits (compiled when first needed: only parse uses it)."""
    return re.compile(re.escape(HINT_LONG).replace(r"\{got\}", r"\d{1,3}").replace(r"\{want\}", r"\d{1,3}"))


# --- names the checks compose ---------------------------------------------------------------------------

RETURNED = "the value returned by {function}"
RETURNED_ITEM = "the value returned by {function}[{k}]"
RESULT_ITEM = "{function}(...)[{k}]"
CALL = "{function}(...)"
CALL_PART = "{function}(...) {part}"
GRADIENT = "the gradient {gradient}"
GRADIENT_RETURNED = "the gradient {gradient} returned by gru_step_backward"
GRU_STEP_H = "h returned by gru_step(..., z_weights={convention})"
RNN_STEP_H = "h returned by rnn_step"
LSTM_STEP_C = "c (the second value lstm_step returns)"
LSTM_STEP_H = "h (the first value lstm_step returns)"
UNROLL_HS = "hs returned by rnn_unroll"
NORMS = "norms returned by gradient_norms"
CLIPPED = "the clipped gradient {gradient} returned by {function}"
SAMPLED = "[sample_next(logits, temperature, u) for u in us]"
CLIPPED_LOSSES = "the losses of the run clipped by your clip_by_global_norm"
FIXED_NAMES = (RNN_STEP_H, LSTM_STEP_C, LSTM_STEP_H, UNROLL_HS, NORMS, SAMPLED, CLIPPED_LOSSES)
NAME_FORMS = (
    RETURNED, RETURNED_ITEM, RESULT_ITEM, CALL, CALL_PART, GRADIENT, GRADIENT_RETURNED, GRU_STEP_H, CLIPPED,
)  # fmt: skip
ANONYMOUS = ("<lambda>", "your function")
CONVENTIONS = ("old", "new")  # the GRU's z_weights
TOLERANCES = (1e-6, 1e-8)  # the atol defaults of check_close and of the step and sequence checks


def function_name(fn: object) -> str:
    """The name a message uses for a student's function (``your function`` when it has none)."""
    name = getattr(fn, "__name__", None)
    return name if type(name) is str else "your function"


def safe_repr(value: object) -> str:
    """``repr(value)`` for a message in the student's own notebook, or a note when the object's ``__repr__`` fails.

    Parameters
    ----------
    value : object

    Returns
    -------
    str
    """
    try:
        return repr(value)
    except Exception:  # noqa: BLE001 - a student's __repr__ may raise anything
        return "an object whose repr() failed"


def number(value: float) -> str:
    """``value`` with at most 6 significant digits, as every message prints numbers."""
    return f"{float(value):.{SIGNIFICANT}g}"
