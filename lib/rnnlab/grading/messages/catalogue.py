"""The catalogues the checks define: known diagnoses, watched functions, reference functions, gradient order.

Read from the checks themselves (lazily: the check modules import this package), so a diagnosis, a
watched function or a reference function the parser accepts is always one the checks can write.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from .kinds import RejectedError
from .texts import ACCURACY_MISTAKE, CRASH_HINTS, GRADIENT_NAMES, NO_DIAGNOSIS_TEXT, SHAPE_HINTS


@lru_cache(maxsize=1)
def known_mistakes() -> frozenset[str]:
    """Every single diagnosis the checks can name: the engine's sentences, shape and crash hints, fixed texts.

    The engine's sentences come from its mutation definitions (:mod:`rnnlab.grading.diagnosis.catalogue`, and
    :mod:`rnnlab.grading.diagnosis.training` for clipping and sampling); a pair of the engine's
    (:func:`is_known_mistake`) is accepted too.
    """
    from ..diagnosis import training
    from ..diagnosis.catalogue import sentences

    engine = {*sentences(), *training.sentences()}
    return frozenset({*engine, *SHAPE_HINTS, *CRASH_HINTS, NO_DIAGNOSIS_TEXT, ACCURACY_MISTAKE})


def engine_sentences() -> int:
    """How many single sentences the engine can say (a pair is two of them)."""
    from ..diagnosis.catalogue import sentences

    return len(sentences())


def is_known_mistake(text: str) -> bool:
    """True if ``text`` is a known diagnosis, or two of the engine's sentences joined as it joins them."""
    from ..diagnosis.catalogue import is_pair

    return text in known_mistakes() or is_pair(text)


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
    for module in (*_guard.REFERENCE_MODULES, *_guard.WATCHED_ON_REQUEST):
        tree = ast.parse((folder / _guard.reference_file(module)).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        names |= {"<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>", "<module>"}
        found |= {f"{_guard.shown_module(module)}.{name}" for name in names}
    return frozenset(found)
