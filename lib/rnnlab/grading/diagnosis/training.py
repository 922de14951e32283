"""Mutations of the training-in-practice exercise: clipping by the global norm, and sampling with a temperature.

Each mutation is the reference written with one common mistake, as a student would write it, with the
sentence that names it (never a value, so a by-hand answer is never revealed). The checks of
:mod:`rnnlab.grading.training` run the mutations on the checked inputs after a comparison failed and name the
first whose output matches the student's. :func:`sentences` lists every sentence, for the feedback's parser
(:func:`rnnlab.grading.messages.catalogue.known_mistakes`): a finite catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

import numpy as np

from .search import Close

Grads = Mapping[str, np.ndarray]

# --- the sentences ----------------------------------------------------------------------------------------

PER_ARRAY = (
    "each array was clipped by its own norm; clip them all together by the global norm "
    "||g|| = sqrt(sum_k ||g_k||^2), so the gradient keeps its direction"
)
NO_MIN = (
    "the scale max_norm / ||g|| lost its min(1, ...): gradients already below the threshold were scaled up; "
    "scale by min(1, max_norm / ||g||)"
)
SQUARED = "the squared norm sum_k ||g_k||^2 was used: the square root is missing from ||g||"
SUM_OF_NORMS = (
    "the norms of the arrays were added; the global norm is the square root of the sum of their squares, "
    "sqrt(sum_k ||g_k||^2)"
)
LARGEST = "the largest norm of one array was used; the global norm takes every array, sqrt(sum_k ||g_k||^2)"
ABSOLUTE = "the absolute values were added (an L1 norm); the global norm squares every entry, sqrt(sum_k ||g_k||^2)"
NORM_AFTER = "the norm returned is the one after clipping; return the global norm ||g|| before clipping"
BY_VALUE = (
    "each entry was clipped to [-max_norm, max_norm] (clipping by value); clipping by the global norm scales "
    "every array by the same factor min(1, max_norm / ||g||)"
)
UNSCALED = (
    "the gradients came back unscaled: multiply every array by min(1, max_norm / ||g||) (a max where the min "
    "belongs, or the product left out?)"
)
INVERTED = "the scale was inverted: ||g|| / max_norm where max_norm / ||g|| belongs"
RETURNED_SCALE = (
    "the scale min(1, max_norm / ||g||) was returned instead of the clipped gradients; return the dict "
    "{name: g_k * scale}"
)
SWAPPED = "the two values were returned in the wrong order: return (clipped, norm)"
CLIPPED_FORM = (
    "the first value returned must be the dict of clipped gradients, one array per key of grads, "
    "{name: g_k * min(1, max_norm / ||g||)}"
)

TIMES_T = "the logits were multiplied by the temperature; divide them by it, softmax(logits / temperature)"
NO_T = "the temperature was ignored: the softmax must be taken of logits / temperature"
WRONG_AXIS = (
    "the softmax was taken over the wrong axis: with a batch of logits (B, V) every row is one distribution, "
    "so take max and sum over the last axis (axis=-1, keepdims=True)"
)
NO_MAX = (
    "the largest logit was not subtracted before exp, which overflows on large logits / temperature: "
    "compute exp(logits / temperature - max), which gives the same probabilities"
)
NUMERATOR_ONLY = (
    "the temperature divided the logits above the fraction only: the sum below must use the same "
    "exp(logits / temperature)"
)
AFTER_SOFTMAX = "the probabilities were divided by the temperature after the softmax; divide the logits before it"
LOG_PROBS = "the log-probabilities were returned; return the probabilities themselves, exp(...) / sum(exp(...))"
NO_EXP = "exp was left out: the softmax is exp(s_j) / sum_k exp(s_k), with s = logits / temperature"

ARGMAX = "u was ignored: the most probable token (the argmax) was returned; sample with the cumulative probabilities"
GREATER_EQUAL = (
    "the cumulative sum was compared with u using >= instead of >: return the first index whose cumulative "
    "probability exceeds u (np.searchsorted(cdf, u, side='right'))"
)
NOT_CUMULATIVE = "u was compared with each probability p_j; compare it with the cumulative sums p_0 + ... + p_j"
ONE_TOO_LARGE = "the index is one too large: tokens are counted from 0"
ONE_MINUS_U = "1 - u was used where u belongs: return the first index whose cumulative probability exceeds u"


# --- clipping -----------------------------------------------------------------------------------------------


def global_norm(grads: Grads) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())))


def _scale(norm: float, max_norm: float) -> float:
    return min(1.0, max_norm / norm) if norm > 0 else 1.0


def _scaled(grads: Grads, scale: float) -> dict[str, np.ndarray]:
    return {name: np.asarray(g) * scale for name, g in grads.items()}


def clip(grads: Grads, max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """The reference: ``(g * min(1, max_norm / ||g||), ||g||)``."""
    norm = global_norm(grads)
    return _scaled(grads, _scale(norm, max_norm)), norm


def _with_norm(norm_of: Callable[[Grads], float]) -> Callable[[Grads, float], tuple[dict, float]]:
    def mutant(grads: Grads, max_norm: float) -> tuple[dict, float]:
        norm = norm_of(grads)
        return _scaled(grads, _scale(norm, max_norm)), norm

    return mutant


def _per_array(grads: Grads, max_norm: float) -> tuple[dict, float]:
    clipped = {k: np.asarray(g) * _scale(float(np.linalg.norm(g)), max_norm) for k, g in grads.items()}
    return clipped, global_norm(grads)


def _no_min(grads: Grads, max_norm: float) -> tuple[dict, float]:
    norm = global_norm(grads)
    return _scaled(grads, max_norm / norm if norm > 0 else 1.0), norm


def _norm_after(grads: Grads, max_norm: float) -> tuple[dict, float]:
    clipped, norm = clip(grads, max_norm)
    return clipped, min(norm, max_norm)


def _by_value(grads: Grads, max_norm: float) -> tuple[dict, float]:
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, global_norm(grads)


def _unscaled(grads: Grads, max_norm: float) -> tuple[dict, float]:
    return _scaled(grads, 1.0), global_norm(grads)


def _inverted(grads: Grads, max_norm: float) -> tuple[dict, float]:
    norm = global_norm(grads)
    return _scaled(grads, norm / max_norm if norm > max_norm else 1.0), norm


NORMS_BY_MISTAKE: tuple[tuple[str, Callable[[Grads], float]], ...] = (
    (SQUARED, lambda g: global_norm(g) ** 2),
    (SUM_OF_NORMS, lambda g: sum(float(np.linalg.norm(a)) for a in g.values())),
    (LARGEST, lambda g: max(float(np.linalg.norm(a)) for a in g.values())),
    (ABSOLUTE, lambda g: sum(float(np.abs(a).sum()) for a in g.values())),
)


CLIP_MUTATIONS: tuple[tuple[str, Callable[[Grads, float], tuple[dict, float]]], ...] = (
    (PER_ARRAY, _per_array),
    (NO_MIN, _no_min),
    *((sentence, _with_norm(norm_of)) for sentence, norm_of in NORMS_BY_MISTAKE),
    (NORM_AFTER, _norm_after),
    (BY_VALUE, _by_value),
    (UNSCALED, _unscaled),
    (INVERTED, _inverted),
)


def clip_mistake(
    grads: Grads, max_norm: float, quantity: str, received: object, close: Close, other: object = None
) -> str | None:
    """The mutation reproducing ``received``, the student's ``"norm"`` (a float array) or ``"clipped"`` (a dict).

    A mutation that also reproduces ``other`` (the student's other result) is preferred.
    """
    matching = []
    for sentence, mutant in CLIP_MUTATIONS:
        clipped, norm = mutant(grads, max_norm)
        ours, theirs = (norm, clipped) if quantity == "norm" else (clipped, norm)
        if matches(ours, received, close):
            if other is None or matches(theirs, other, close):
                return sentence
            matching.append(sentence)
    return matching[0] if matching else None


def by_hand_values(grads: Grads, max_norm: float, quantity: str) -> dict[str, float]:
    """``{sentence: the value that mistake gives}`` for a by-hand ``"norm"`` or ``"scale"`` (no reference)."""
    found = {sentence: norm_of(grads) for sentence, norm_of in NORMS_BY_MISTAKE}
    if quantity == "norm":
        return found
    scales = {sentence: _scale(norm, max_norm) for sentence, norm in found.items()}
    norm = global_norm(grads)
    return {INVERTED: norm / max_norm, NO_MIN: max_norm / norm, **scales}


def returned_form_mistake(grads: Grads, max_norm: float, first: object, second: object) -> str:
    """The mistake behind a first returned value that is not the dict of clipped gradients."""
    reference, norm = clip(grads, max_norm)
    if isinstance(second, dict) and _number_close(first, norm):
        return SWAPPED
    if _number_close(first, _scale(norm, max_norm)):
        return RETURNED_SCALE
    return CLIPPED_FORM


# --- softmax with a temperature -----------------------------------------------------------------------------


def _stable(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    weights = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return weights / weights.sum(axis=axis, keepdims=True)


def softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    """The reference, over the last axis."""
    return _stable(np.asarray(logits, dtype=float) / temperature)


def _naive(logits: np.ndarray, temperature: float) -> np.ndarray:
    with np.errstate(all="ignore"):
        weights = np.exp(np.asarray(logits, dtype=float) / temperature)
        return weights / weights.sum(axis=-1, keepdims=True)


def _numerator_only(logits: np.ndarray, temperature: float) -> np.ndarray:
    s = np.asarray(logits, dtype=float)
    m = s.max(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        return np.exp((s - m) / temperature) / np.exp(s - m).sum(axis=-1, keepdims=True)


def _no_exp(logits: np.ndarray, temperature: float) -> np.ndarray:
    s = np.asarray(logits, dtype=float) / temperature
    with np.errstate(all="ignore"):
        return s / s.sum(axis=-1, keepdims=True)


SOFTMAX_MUTATIONS: tuple[tuple[str, Callable[[np.ndarray, float], np.ndarray]], ...] = (
    (TIMES_T, lambda s, t: _stable(np.asarray(s, dtype=float) * t)),
    (NO_T, lambda s, t: _stable(np.asarray(s, dtype=float))),
    (WRONG_AXIS, lambda s, t: _stable(np.asarray(s, dtype=float) / t, axis=0)),
    (NO_MAX, _naive),
    (NUMERATOR_ONLY, _numerator_only),
    (AFTER_SOFTMAX, lambda s, t: _stable(np.asarray(s, dtype=float)) / t),
    (LOG_PROBS, lambda s, t: np.log(softmax(s, t))),
    (NO_EXP, _no_exp),
)


def softmax_mistake(logits: np.ndarray, temperature: float, received: np.ndarray, close: Close) -> str | None:
    """The mutation whose probabilities are ``received``; an overflow on large logits is :data:`NO_MAX`."""
    if not np.all(np.isfinite(received)) and np.all(np.isfinite(softmax(logits, temperature))):
        return NO_MAX
    for sentence, mutant in SOFTMAX_MUTATIONS:
        with np.errstate(all="ignore"):
            candidate = mutant(logits, temperature)
        if matches(candidate, received, close):
            return sentence
    return None


# --- sampling -----------------------------------------------------------------------------------------------


def _first_above(cumulative: np.ndarray, u: float) -> int:
    return int(min(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1))


def sample(logits: np.ndarray, temperature: float, u: float) -> int:
    """The reference: the first index whose cumulative probability exceeds ``u``."""
    return _first_above(np.cumsum(softmax(logits, temperature)), u)


def _first_true(flags: np.ndarray) -> int:
    return int(np.argmax(flags))  # 0 when none is true, as np.argmax(cdf > u) gives


SAMPLE_MUTATIONS: tuple[tuple[str, Callable[[np.ndarray, float, float], int]], ...] = (
    (ARGMAX, lambda s, t, u: int(np.argmax(s))),
    (GREATER_EQUAL, lambda s, t, u: int(min(np.searchsorted(np.cumsum(softmax(s, t)), u, side="left"), len(s) - 1))),
    (TIMES_T, lambda s, t, u: _first_above(np.cumsum(_stable(np.asarray(s, dtype=float) * t)), u)),
    (NO_T, lambda s, t, u: _first_above(np.cumsum(_stable(np.asarray(s, dtype=float))), u)),
    (NO_MAX, lambda s, t, u: _first_true(np.cumsum(_naive(s, t)) > u)),
    (NOT_CUMULATIVE, lambda s, t, u: _first_true(softmax(s, t) > u)),
    (ONE_TOO_LARGE, lambda s, t, u: sample(s, t, u) + 1),
    (ONE_MINUS_U, lambda s, t, u: sample(s, t, 1.0 - u) if u > 0 else sample(s, t, 1.0 - 1e-12)),
)


def samples(logits: object, temperature: float, us: object) -> np.ndarray:
    """The reference's token for every ``u`` of ``us``, as a float array (what the check compares)."""
    logits = np.asarray(logits, dtype=float)
    return np.array([sample(logits, temperature, float(u)) for u in np.ravel(us)], dtype=float)


def sample_mistake(logits: object, temperature: float, us: object, received: np.ndarray) -> str | None:
    """The mutation whose tokens, one per ``u``, are ``received``."""
    logits = np.asarray(logits, dtype=float)
    for sentence, mutant in SAMPLE_MUTATIONS:
        with np.errstate(all="ignore"):
            candidate = np.array([mutant(logits, temperature, float(u)) for u in np.ravel(us)], dtype=float)
        if candidate.shape == received.shape and np.array_equal(candidate, received):
            return sentence
    return None


# --- helpers and the catalogue --------------------------------------------------------------------------------


def matches(ours: object, received: object, close: Close) -> bool:
    if isinstance(ours, dict):
        if not isinstance(received, Mapping) or set(received) != set(ours):
            return False
        return all(matches(ours[k], received[k], close) for k in ours)
    ours, received = np.asarray(ours, dtype=float), np.asarray(received, dtype=float)
    if ours.shape != received.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(ours) == np.isfinite(received))) and close(
            np.nan_to_num(received), np.nan_to_num(ours)
        )


def _number_close(value: object, target: float) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer, np.ndarray)):
        return False
    array = np.asarray(value, dtype=float)
    return array.shape == () and bool(np.isclose(array, target, rtol=1e-6, atol=1e-9))


@lru_cache(maxsize=1)
def sentences() -> frozenset[str]:
    """Every sentence this module can say."""
    found = {s for s, _ in CLIP_MUTATIONS} | {s for s, _ in SOFTMAX_MUTATIONS} | {s for s, _ in SAMPLE_MUTATIONS}
    return frozenset(found | {RETURNED_SCALE, SWAPPED, CLIPPED_FORM})
