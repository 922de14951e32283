"""The catalogues the checks define: known diagnoses, watched functions, reference functions, gradient order.

Read from the checks themselves (lazily: the check modules import this package), so a diagnosis, a
watched function or a reference function the parser accepts is always one the checks can write.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from .kinds import RejectedError
from .texts import ACCURACY_MISTAKE, CRASH_HINTS, GRADIENT_NAMES, NO_DIAGNOSIS_TEXT, SHAPE_HINTS


@lru_cache(maxsize=1)
def known_mistakes() -> frozenset[str]:
    """Every diagnosis the checks can name (each ``*_mistakes`` table's keys, shape hints and fixed texts)."""
    from ...params import GRUParams, LSTMParams
    from ..backward import _mistakes as backward_mistakes
    from ..mistakes import gru_mistakes, lstm_mistakes, rnn_mistakes
    from ..sequences import gradient_norm_mistakes, unroll_mistakes

    x, h, W, b = np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 2)), np.zeros(1)
    gru = GRUParams.random(1, 1, seed=0)
    found = {*rnn_mistakes(x, h, W, b), *lstm_mistakes(x, h, h, LSTMParams.random(1, 1, seed=0))}
    for z_weights in ("old", "new"):
        for reset in ("before", "after"):
            found.update(gru_mistakes(x, h, gru, z_weights=z_weights, reset=reset))
    found.update(unroll_mistakes(np.zeros((2, 1)), np.zeros(1), W, b))
    found.update(gradient_norm_mistakes(np.zeros((2, 1)), np.zeros(1), W, b))
    found.update(backward_mistakes(x, h, gru, h))
    return frozenset({*found, *SHAPE_HINTS, *CRASH_HINTS, NO_DIAGNOSIS_TEXT, ACCURACY_MISTAKE})


def replaceable() -> tuple[str, ...]:
    """The functions the tamper check watches, in the order its message lists them."""
    from .. import _guard

    return _guard.watched_names()


def canonical_functions(names: Iterable[str]) -> list[str]:
    """``names`` in the tamper check's order, without repeats; raises :class:`RejectedError` on an unknown one."""
    order = {name: k for k, name in enumerate(replaceable())}
    chosen = set(names)
    if not chosen <= order.keys():
        raise RejectedError(", ".join(sorted(chosen - order.keys())))
    return sorted(chosen, key=order.__getitem__)


def canonical_gradients(names: Sequence[str]) -> list[str]:
    """``names`` in the order of ``GRADIENT_NAMES``, without repeats."""
    chosen = set(names)
    if not chosen <= set(GRADIENT_NAMES):
        raise RejectedError(str(sorted(chosen)))
    return [name for name in GRADIENT_NAMES if name in chosen]


@lru_cache(maxsize=1)
def reference_functions() -> frozenset[str]:
    """``rnnlab.<module>.<function>`` for every function the reference modules define (and their lambdas)."""
    from .. import _guard

    folder = Path(_guard.__file__).resolve().parents[1]
    found = set()
    for module in _guard.REFERENCE_MODULES:
        tree = ast.parse((folder / _guard.reference_file(module)).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        names |= {"<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>", "<module>"}
        found |= {f"{_guard.shown_module(module)}.{name}" for name in names}
    return frozenset(found)
