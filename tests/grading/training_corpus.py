"""Wrong clipping and sampling functions written as students write them, each with the diagnosis it must get.

Every function has the training_practice exercise's signature (``clip_by_global_norm(grads, max_norm) ->
(clipped, norm)``, ``softmax_with_temperature(logits, temperature)``, ``sample_next(logits, temperature, u)``);
``WRONG`` lists them with the words the likely mistake must contain, ``RIGHT`` lists correct ones in other
styles (loops, np.linalg.norm, in place, scipy-like log-sum-exp, searchsorted or a loop), which must pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import rnnlab
from rnnlab.grading.diagnosis import training as said


@dataclass(frozen=True)
class Case:
    """A student's function, the check it goes through ("clip", "softmax", "sample"), and its likely mistake."""

    check: str
    fn: object
    expected: str

    @property
    def name(self) -> str:
        return self.fn.__name__


def norm_of(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))


def stable(s, axis=-1):
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# --- clipping -------------------------------------------------------------------------------------------------


def clip_each_array(grads, max_norm):
    return {k: g * min(1, max_norm / np.linalg.norm(g)) for k, g in grads.items()}, norm_of(grads)


def clip_no_min(grads, max_norm):
    norm = norm_of(grads)
    return {k: g * (max_norm / norm) for k, g in grads.items()}, norm


def clip_max_not_min(grads, max_norm):
    norm = norm_of(grads)
    return {k: g * max(1, max_norm / norm) for k, g in grads.items()}, norm


def clip_squared_norm(grads, max_norm):
    norm = sum(np.sum(g**2) for g in grads.values())
    return {k: g * min(1, max_norm / norm) for k, g in grads.items()}, norm


def clip_sum_of_norms(grads, max_norm):
    norm = sum(np.linalg.norm(g) for g in grads.values())
    return {k: g * min(1, max_norm / norm) for k, g in grads.items()}, norm


def clip_largest_norm(grads, max_norm):
    norm = max(np.linalg.norm(g) for g in grads.values())
    return {k: g * min(1, max_norm / norm) for k, g in grads.items()}, norm


def clip_l1(grads, max_norm):
    norm = sum(np.abs(g).sum() for g in grads.values())
    return {k: g * min(1, max_norm / norm) for k, g in grads.items()}, norm


def clip_norm_after(grads, max_norm):
    norm = norm_of(grads)
    clipped = {k: g * min(1, max_norm / norm) for k, g in grads.items()}
    return clipped, norm_of(clipped)


def clip_by_value(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, norm_of(grads)


def clip_forgot_to_scale(grads, max_norm):
    return dict(grads), norm_of(grads)


def clip_inverted(grads, max_norm):
    norm = norm_of(grads)
    if norm > max_norm:
        return {k: g * (norm / max_norm) for k, g in grads.items()}, norm
    return grads, norm


def clip_returns_scale(grads, max_norm):
    norm = norm_of(grads)
    return min(1, max_norm / norm), norm


def clip_swapped(grads, max_norm):
    norm = norm_of(grads)
    return norm, {k: g * min(1, max_norm / norm) for k, g in grads.items()}


def clip_returns_a_list(grads, max_norm):
    norm = norm_of(grads)
    return [g * min(1, max_norm / norm) for g in grads.values()], norm


def clip_calls_rnnlab(grads, max_norm):
    return rnnlab.train.clip_by_global_norm(grads, max_norm)


# --- softmax --------------------------------------------------------------------------------------------------


def softmax_times_t(logits, temperature):
    return stable(logits * temperature)


def softmax_no_t(logits, temperature):
    return stable(logits)


def softmax_axis_0(logits, temperature):
    return stable(logits / temperature, axis=0)


def softmax_no_max(logits, temperature):
    with np.errstate(all="ignore"):
        e = np.exp(logits / temperature)
        return e / e.sum(axis=-1, keepdims=True)


def softmax_numerator_only(logits, temperature):
    m = logits.max(axis=-1, keepdims=True)
    return np.exp((logits - m) / temperature) / np.exp(logits - m).sum(axis=-1, keepdims=True)


def softmax_after(logits, temperature):
    return stable(logits) / temperature


def softmax_log(logits, temperature):
    return np.log(stable(logits / temperature))


def softmax_no_exp(logits, temperature):
    s = logits / temperature
    return s / s.sum(axis=-1, keepdims=True)


def softmax_calls_rnnlab(logits, temperature):
    return rnnlab.sampling.softmax_with_temperature(logits, temperature)


# --- sampling -------------------------------------------------------------------------------------------------


def cdf(logits, temperature):
    return np.cumsum(stable(np.asarray(logits) / temperature))


def sample_argmax(logits, temperature, u):
    return int(np.argmax(logits))


def sample_greater_equal(logits, temperature, u):
    return int(np.argmax(cdf(logits, temperature) >= u))


def sample_times_t(logits, temperature, u):
    return int(np.searchsorted(np.cumsum(stable(np.asarray(logits) * temperature)), u, side="right"))


def sample_no_t(logits, temperature, u):
    return int(np.searchsorted(np.cumsum(stable(np.asarray(logits))), u, side="right"))


def sample_no_max(logits, temperature, u):
    with np.errstate(all="ignore"):
        e = np.exp(np.asarray(logits) / temperature)
        return int(np.argmax(np.cumsum(e / e.sum()) > u))


def sample_not_cumulative(logits, temperature, u):
    return int(np.argmax(stable(np.asarray(logits) / temperature) > u))


def sample_from_one(logits, temperature, u):
    return int(np.searchsorted(cdf(logits, temperature), u, side="right")) + 1


def sample_one_minus_u(logits, temperature, u):
    return int(min(np.searchsorted(cdf(logits, temperature), 1 - u, side="right"), len(logits) - 1))


def sample_calls_rnnlab(logits, temperature, u):
    return rnnlab.sampling.sample_next(logits, temperature, u)


REFERENCE = "implement it yourself"
WRONG = [
    Case("clip", clip_each_array, said.PER_ARRAY),
    Case("clip", clip_no_min, said.NO_MIN),
    Case("clip", clip_max_not_min, said.UNSCALED),  # above the threshold max(1, .) is 1
    Case("clip", clip_squared_norm, said.SQUARED),
    Case("clip", clip_sum_of_norms, said.SUM_OF_NORMS),
    Case("clip", clip_largest_norm, said.LARGEST),
    Case("clip", clip_l1, said.ABSOLUTE),
    Case("clip", clip_norm_after, said.NORM_AFTER),
    Case("clip", clip_by_value, said.BY_VALUE),
    Case("clip", clip_forgot_to_scale, said.UNSCALED),
    Case("clip", clip_inverted, said.INVERTED),
    Case("clip", clip_returns_scale, said.RETURNED_SCALE),
    Case("clip", clip_swapped, said.SWAPPED),
    Case("clip", clip_returns_a_list, said.CLIPPED_FORM),
    Case("clip", clip_calls_rnnlab, REFERENCE),
    Case("run", clip_each_array, said.PER_ARRAY),
    Case("run", clip_by_value, said.BY_VALUE),
    Case("run", clip_squared_norm, said.SQUARED),
    Case("run", clip_calls_rnnlab, REFERENCE),
    Case("softmax", softmax_times_t, said.TIMES_T),
    Case("softmax", softmax_no_t, said.NO_T),
    Case("softmax", softmax_axis_0, said.WRONG_AXIS),
    Case("softmax", softmax_no_max, said.NO_MAX),
    Case("softmax", softmax_numerator_only, said.NUMERATOR_ONLY),
    Case("softmax", softmax_after, said.AFTER_SOFTMAX),
    Case("softmax", softmax_log, said.LOG_PROBS),
    Case("softmax", softmax_no_exp, said.NO_EXP),
    Case("softmax", softmax_calls_rnnlab, REFERENCE),
    Case("sample", sample_argmax, said.ARGMAX),
    Case("sample", sample_greater_equal, said.GREATER_EQUAL),
    Case("sample", sample_times_t, said.TIMES_T),
    Case("sample", sample_no_t, said.NO_T),
    Case("sample", sample_no_max, said.NO_MAX),
    Case("sample", sample_not_cumulative, said.NOT_CUMULATIVE),
    Case("sample", sample_from_one, said.ONE_TOO_LARGE),
    Case("sample", sample_one_minus_u, said.ONE_MINUS_U),
    Case("sample", sample_calls_rnnlab, REFERENCE),
]


# --- right, in other styles -------------------------------------------------------------------------------------


def clip_loop(grads, max_norm):
    total = 0.0
    for g in grads.values():
        for value in np.ravel(g):
            total += value * value
    norm = total**0.5
    clipped = {}
    for name, g in grads.items():
        clipped[name] = g * max_norm / norm if norm > max_norm else g.copy()
    return clipped, norm


def clip_in_place(grads, max_norm):
    norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()]))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return grads, norm


def clip_lists(grads, max_norm):
    norm = np.sqrt(sum(np.linalg.norm(g) ** 2 for g in grads.values()))
    scale = min(1.0, max_norm / (norm + 1e-300))
    return {k: (g * scale).tolist() for k, g in grads.items()}, norm


def softmax_logsumexp(logits, temperature):
    s = np.asarray(logits, dtype=float) / temperature
    m = np.max(s, axis=-1, keepdims=True)
    return np.exp(s - m - np.log(np.sum(np.exp(s - m), axis=-1, keepdims=True)))


def sample_loop(logits, temperature, u):
    total = 0.0
    p = stable(np.asarray(logits, dtype=float) / temperature)
    for j, pj in enumerate(p):
        total += pj
        if total > u:
            return j
    return len(p) - 1


def sample_count(logits, temperature, u):
    return int(min((cdf(logits, temperature) <= u).sum(), len(logits) - 1))


RIGHT = [
    Case("clip", clip_loop, ""),
    Case("clip", clip_in_place, ""),
    Case("clip", clip_lists, ""),
    Case("run", clip_loop, ""),
    Case("run", clip_in_place, ""),
    Case("softmax", softmax_logsumexp, ""),
    Case("sample", sample_loop, ""),
    Case("sample", sample_count, ""),
]
