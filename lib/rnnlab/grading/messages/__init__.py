"""The failure messages of the grading checks, defined once: built by the checks, parsed and re-rendered in feedback.

Why a grammar
-------------
nbgrader's autograde runs the hidden tests in the student's kernel, so a student's code that ran before them
can watch them arrive (an IPython hook sees every cell's source) and write what it saw into any later output,
in any encoding. The feedback page (:mod:`coursegrader.feedback`) therefore never shows raw output of a cell
that ran at or after the first hidden test. For a graded test cell it shows the check's message instead,
*re-rendered* from :func:`parse`: the parse accepts only the messages below, with every slot typed and
bounded, so a page can carry nothing but what these templates say.

The same definitions build the messages in the student's kernel (:func:`build`, :func:`compose`), so the
checks and the parser cannot drift apart, and the instructor's report reads the likely mistake with
:func:`diagnosis` (permissive: the report is for the instructor).

A message is one template of ``TEMPLATES`` (the key says which check writes it; a wrong-value message is a
head line and optional lines in a fixed order, see :mod:`.forms`), or a string literal or f-string of
the test cell's own source (:class:`Allowed`), which also adds its literals and identifiers as names.

The modules, one job each: :mod:`.texts` (fixed texts and name forms), :mod:`.kinds` and
:mod:`.vocabulary_kinds` (the slot kinds), :mod:`.received` (:func:`describe` of received values),
:mod:`.likely` (the ``Likely mistake:`` clause and its reader), :mod:`.templates` (the templates),
:mod:`.forms` (how they make whole messages), :mod:`.catalogue` (the
diagnoses and functions the checks know), :mod:`.allowed` (what a trusted source allows), :mod:`.parsing`
(build, parse, render), :mod:`.channel` (the bound below). The checks, in the student's kernel, only build
messages: :mod:`.forms`, :mod:`.allowed` and :mod:`.channel` are loaded when the feedback first uses them
(``Allowed``, ``channel_bits``, ``MAX_CHANNEL_BITS``, or :func:`parse`), so importing ``rnnlab.grading``
costs no more than the checks need.

Slots
-----
======================== ======================================================================================
kind                     accepts (anything else: the whole message does not parse)
======================== ======================================================================================
``name``                 a string literal or identifier of the trusted test source, a name the checks compose
                         (``the value returned by <identifier>[<k>]``, ``the gradient 'W_h'``, ...), or one of
                         the source's f-strings with integers (at most 4 digits), literals or identifiers in
                         its fields
``count``                an integer of at most 6 digits
``number``               a number, re-rendered with 6 significant digits
``threshold``            a percentage (no decimals) of a number of the source, e.g. ``at_least=0.9``
``percent1``             a percentage 0-100 with one decimal
``shape``/``index``      a tuple / list of at most 4 integers of at most 3 digits
``letters``/``letter``   the choices of a multiple-choice check (a literal of the source) / one capital letter
``mistake``              a known diagnosis: a sentence of the diagnosis engine (its finite catalogue, listed
                         from the mutation definitions), two of them joined by ``; and also, ``, a shape or
                         crash hint, the "none of the common ones matches" text, ``inside the step:
                         <diagnosis>``, or a string literal of the trusted source
``tolerance``            ``allowed difference <atol>`` (an ``atol`` the checks use, 1e-06 or 1e-08, or a number
                         of the source) or the two-decimal rounding text
``description``          what :func:`describe` says of a value: an array's shape and dtype (numpy's own dtype
                         names), a list's or tuple's length, None, a type name from ``KNOWN_TYPES``
``functions``            names of replaced functions, from the fixed list the tamper check knows
``reference``            ``rnnlab.<reference module>.<function defined there>``
``gradients``            a list of gradient names (``GRADIENT_NAMES``)
``text``                 anything; never re-rendered (replaced by a fixed phrase)
``numbers``/``indices``  the contents of the lines left out (nested lists of numbers; indices): checked, not
                         shown
``value``                a field of a trusted f-string: a number (re-rendered with the f-string's format), or
                         a literal or identifier of the source
======================== ======================================================================================

Normalisations
--------------
``render(parse(m))`` reproduces every message the checks write, except that:

1. the lines listing the whole expected and received arrays (``dump_expected``, ``dump_received``) and the
   right entries of a by-hand answer (``right_entries``) are left out: they are long and the student's own
   notebook has them;
2. text the student's code chose is replaced by a fixed phrase: the repr of a received value (``text``
   slots), a type name outside ``KNOWN_TYPES`` and a dtype outside numpy's own names;
3. numbers are re-rendered with 6 significant digits, shapes and indices as Python prints them, and lists of
   replaced functions or missing gradients in a fixed order without repeats (the checks write them so
   already).

The channel that remains
------------------------
Whoever controls an output can still pick any message that parses. What such a pick can carry is bounded
by :func:`channel_bits`: log2 of the number of distinct renderings, summed over forms, each form's count
being the product of its slots' choices (the bound of each slot kind: :mod:`.channel`).

For the 38 graded test cells of this course's assignments the bound is 152 to 172 bits per message, below
``MAX_CHANNEL_BITS`` = 180 bits (``tests/coursegrader/test_feedback.py`` checks it). The largest is a wrong-value
message whose name is an f-string with two integer fields (lstm_vs_gru's parameter counts): name, index,
two counts, tolerance, expected and received value, diagnosis. That is at most some 20 bytes per failing
test cell: enough to smuggle a short fact (a multiple-choice letter, a seed), not a page of hidden code.
The string literals of a hidden test can also appear as names or diagnoses, as they do in honest
messages: the feedback protects the hidden tests' code, not the names they check.
"""

import importlib

from . import likely
from .likely import LIKELY, diagnosis, likely_mistake
from .parsing import build, compose, parse, render
from .received import describe
from .templates import TEMPLATES
from .texts import (
    CALL,
    CALL_PART,
    GRADIENT,
    GRADIENT_NAMES,
    GRADIENT_RETURNED,
    GRU_STEP_H,
    HINT_BATCH,
    HINT_LAYOUT,
    HINT_LONG,
    HINT_OTHER,
    HINT_SWAPPED,
    INSIDE_THE_STEP,
    LSTM_STEP_C,
    LSTM_STEP_H,
    NO_DIAGNOSIS_TEXT,
    NORMS,
    RESULT_ITEM,
    RETURNED,
    RETURNED_ITEM,
    RNN_STEP_H,
    UNKNOWN_TYPE,
    UNROLL_HS,
    function_name,
    safe_repr,
)

__all__ = [
    "CALL",
    "CALL_PART",
    "GRADIENT",
    "GRADIENT_NAMES",
    "GRADIENT_RETURNED",
    "GRU_STEP_H",
    "HINT_BATCH",
    "HINT_LAYOUT",
    "HINT_LONG",
    "HINT_OTHER",
    "HINT_SWAPPED",
    "INSIDE_THE_STEP",
    "LIKELY",
    "LSTM_STEP_C",
    "LSTM_STEP_H",
    "MAX_CHANNEL_BITS",
    "NORMS",
    "NO_DIAGNOSIS_TEXT",
    "RESULT_ITEM",
    "RETURNED",
    "RETURNED_ITEM",
    "RNN_STEP_H",
    "TEMPLATES",
    "UNKNOWN_TYPE",
    "UNROLL_HS",
    "Allowed",
    "build",
    "channel_bits",
    "compose",
    "describe",
    "diagnosis",
    "function_name",
    "likely",
    "likely_mistake",
    "parse",
    "render",
    "safe_repr",
]

_LAZY = {"Allowed": "allowed", "channel_bits": "channel", "MAX_CHANNEL_BITS": "channel"}


def __getattr__(name: str) -> object:
    """``Allowed``, ``channel_bits`` and ``MAX_CHANNEL_BITS``, from their module, loaded when first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
