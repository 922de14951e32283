"""Checks for the training-in-practice exercise: clipping by the global norm, and sampling with a temperature.

The reference values come from :mod:`rnnlab.train` and :mod:`rnnlab.sampling`, computed here outside the
student's call; the student's function runs under the reference-call trap with those two modules watched
too (``watch=TRAINING``), so a clip that calls ``rnnlab.train.clip_by_global_norm`` is refused. A failure
names the likely mistake from the mutations of :mod:`rnnlab.grading.diagnosis.training`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .. import sampling, train
from ..models import SequenceModel
from ..tasks import adding_problem
from . import messages
from ._guard import TRAINING, check_untampered
from ._guard import call_student as _guarded_call
from .checks import ROUNDING, check_close, check_rounded, once
from .convert import as_answer, describe
from .diagnosis import training as mistakes
from .diagnosis.search import closeness
from .messages.texts import CALL, CLIPPED, CLIPPED_LOSSES, RESULT_ITEM, SAMPLED

ATOL = 1e-8

# The worked example of Part A: a tiny gradient (two arrays) and the threshold.
_EXAMPLE = {"W_h": [[1.0, -2.0], [2.0, 0.0]], "b_h": [0.5, -1.0]}
_EXAMPLE_MAX_NORM = 1.0


def clip_example() -> tuple[dict[str, np.ndarray], float]:
    """The worked example of the clipping part: ``(grads, max_norm)``, new arrays on every call."""
    return {name: np.array(value) for name, value in _EXAMPLE.items()}, _EXAMPLE_MAX_NORM


def check_clip_by_hand(name: str, received: object, quantity: str) -> None:
    """Check a by-hand ``"norm"`` (the global norm) or ``"scale"`` (min(1, c / norm)) of :func:`clip_example`.

    Two decimals are enough; the right value is never shown, a wrong one is matched against the common
    mistakes (the squared norm, the sum of the arrays' norms, an inverted scale, ...).
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    if quantity not in ("norm", "scale"):
        raise ValueError(f"quantity: expected 'norm' or 'scale', got {quantity!r}")
    grads, max_norm = clip_example()
    norm = train.global_norm(grads)
    expected = norm if quantity == "norm" else min(1.0, max_norm / norm)
    got = as_answer(name, received)
    candidates = mistakes.by_hand_values(grads, max_norm, quantity)
    wrong = {s: v for s, v in candidates.items() if abs(v - expected) > ROUNDING}  # mistakes that change the value
    check_rounded(name, got, expected, diagnose=wrong)


def _gradients(grads: Mapping[str, object]) -> dict[str, np.ndarray]:
    unknown = sorted(set(grads) - set(messages.GRADIENT_NAMES))
    if unknown:  # the messages name gradients from this list only
        raise ValueError(f"grads: expected keys among {messages.GRADIENT_NAMES}, got {unknown}")
    return {name: np.array(value, dtype=np.float64) for name, value in grads.items()}


def check_clip_by_global_norm(fn: Callable[..., object], grads: Mapping[str, object], max_norm: float) -> None:
    """Check ``fn(grads, max_norm) -> (clipped, norm)`` against :func:`rnnlab.train.clip_by_global_norm`.

    The norm (before clipping) is checked first, then every clipped array; ``fn`` gets copies, so a clip
    that works in place is fine.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    grads = _gradients(grads)
    copies = {name: g.copy() for name, g in grads.items()}
    result = _guarded_call(fn, (copies, max_norm), {}, watch=TRAINING)
    function = messages.function_name(fn)
    if type(result) not in (tuple, list) or len(result) != 2:
        raise AssertionError(messages.build("return_count", name=function, n=2, received=describe(result)))
    first, second = result
    if type(first) is not dict or set(first) != set(grads):
        mistake = mistakes.returned_form_mistake(grads, max_norm, first, second)
        raise AssertionError(
            messages.build("clipped_type", name=CALL.format(function=function), keys=list(grads),
                           received=describe(first), mistake=mistake)
        )  # fmt: skip
    norm = as_answer(RESULT_ITEM.format(function=function, k=1), second)
    clipped = {k: as_answer(CLIPPED.format(gradient=repr(k), function=function), first[k]) for k in grads}
    expected, expected_norm = train.clip_by_global_norm(grads, max_norm)
    close = closeness(ATOL)
    diagnose_norm = once(lambda: mistakes.clip_mistake(grads, max_norm, "norm", norm, close, clipped))
    check_close(RESULT_ITEM.format(function=function, k=1), norm, expected_norm, atol=ATOL, diagnose=diagnose_norm)
    diagnose = once(lambda: mistakes.clip_mistake(grads, max_norm, "clipped", clipped, close, norm))
    for k in grads:
        name = CLIPPED.format(gradient=repr(k), function=function)
        check_close(name, clipped[k], expected[k], atol=ATOL, diagnose=diagnose)


# --- Part B: a run where clipping matters -------------------------------------------------------------------

RUN = {"hidden": 16, "lag": 16, "batch": 64, "steps": 50, "lr": 0.1, "recurrent_scale": 2.0, "seed": 0}


def exploding_run(clip: Callable[..., object] | None, max_norm: float = 1.0) -> np.ndarray:
    """The losses of plain gradient descent on the adding problem with large recurrent weights.

    An RNN (``RUN["hidden"]`` units) whose recurrent block ``W[:, :H]`` is scaled by ``RUN["recurrent_scale"]``;
    each step ``grads, _ = clip(grads, max_norm)`` (skipped when ``clip`` is None), then
    ``param -= lr * grad``. Stops at the first loss that is not finite.
    """
    model = SequenceModel("rnn", 2, RUN["hidden"])
    xs, ys = adding_problem(RUN["batch"], RUN["lag"], seed=RUN["seed"])
    loss_and_grads = model.loss_and_grads(train.mse)
    params = model.init(seed=RUN["seed"])
    params["W"][:, : RUN["hidden"]] *= RUN["recurrent_scale"]
    losses = []
    with np.errstate(all="ignore"):  # the unclipped run overflows: its losses say so, no warning needed
        for _ in range(RUN["steps"]):
            loss, grads = loss_and_grads(params, (xs, ys))
            if not np.isfinite(loss):
                break
            if clip is not None:
                grads, _ = clip(grads, max_norm)
            for name in params:
                params[name] = params[name] - RUN["lr"] * np.asarray(grads[name], dtype=np.float64)
            losses.append(loss)
    return np.array(losses)


def check_clipped_run(fn: Callable[..., object], max_norm: float) -> None:
    """Check that :func:`exploding_run` with ``fn`` as the clip gives the losses of rnnlab's own clip."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()

    def guarded(grads: dict, c: float) -> tuple[dict, float]:
        copies = {name: np.array(g, dtype=np.float64) for name, g in grads.items()}  # writable: in place is fine
        result = _guarded_call(fn, (copies, c), {}, watch=TRAINING)
        if type(result) not in (tuple, list) or len(result) != 2 or type(result[0]) is not dict:
            name = messages.function_name(fn)
            raise AssertionError(messages.build("return_count", name=name, n=2, received=describe(result)))
        return result

    got = as_answer(CLIPPED_LOSSES, exploding_run(guarded, max_norm))
    expected = exploding_run(train.clip_by_global_norm, max_norm)
    close = closeness(1e-6)

    def diagnose() -> str | None:
        for sentence, mutant in mistakes.CLIP_MUTATIONS:
            if mistakes.matches(exploding_run(mutant, max_norm)[: len(got)], got, close):
                return sentence
        return None

    # a run stops at its first loss that is not finite: compare the steps both runs made (the same losses up
    # to a step mean the same weights, so runs of different lengths always differ before one of them stops)
    steps = min(len(got), len(expected))
    got, expected = got[:steps], expected[:steps]
    check_close(CLIPPED_LOSSES, got, expected, atol=1e-6, diagnose=once(diagnose))


# --- Part C: sampling ---------------------------------------------------------------------------------------


def _raw_nonfinite(name: str, raw: object, expected: np.ndarray, mistake: Callable[[np.ndarray], str | None]) -> None:
    """A float array with inf or nan where the reference is finite: a wrong value, with its likely mistake."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    if type(raw) is not np.ndarray or raw.dtype.kind != "f" or raw.shape != expected.shape:
        return
    finite = np.isfinite(raw)
    if finite.all():
        return
    got = np.array(raw, dtype=np.float64)
    ok = finite & np.isclose(np.nan_to_num(got), expected, rtol=1e-6, atol=ATOL)
    index = [int(i) for i in np.argwhere(~ok)[0]] if got.ndim else []
    counts = {"name": name, "wrong": int((~ok).sum()), "size": int(ok.size), "tolerance": ATOL}
    head = ("wrong_entry", {"index": index, **counts}) if index else ("wrong_value", counts)
    at = tuple(index)
    raise AssertionError(
        messages.compose(
            head,
            ("reveal", {"expected": float(expected[at]), "received": float(got[at])}),
            ("likely", {"mistake": mistake(got) or messages.NO_DIAGNOSIS_TEXT}),
        )
    )


def check_softmax_with_temperature(fn: Callable[..., object], logits: object, temperature: float) -> None:
    """Check ``fn(logits, temperature) -> p`` against :func:`rnnlab.sampling.softmax_with_temperature`."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    logits = np.array(logits, dtype=np.float64)
    expected = sampling.softmax_with_temperature(logits, temperature)
    raw = _guarded_call(fn, (logits.copy(), temperature), {}, watch=TRAINING)
    name = messages.RETURNED.format(function=messages.function_name(fn))
    close = closeness(ATOL)

    def mistake(got: np.ndarray) -> str | None:
        return mistakes.softmax_mistake(logits, temperature, got, close)

    _raw_nonfinite(name, raw, expected, mistake)
    got = as_answer(name, raw)
    check_close(name, got, expected, atol=ATOL, diagnose=once(lambda: mistake(got)))


def check_sample_next(fn: Callable[..., object], logits: object, temperature: float, us: object) -> None:
    """Check ``fn(logits, temperature, u) -> index`` for every ``u`` of ``us`` against rnnlab's ``sample_next``."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    logits = np.array(logits, dtype=np.float64)
    us = [float(u) for u in np.ravel(np.asarray(us, dtype=np.float64))]
    expected = np.array([sampling.sample_next(logits, temperature, u) for u in us], dtype=np.float64)
    function = messages.function_name(fn)
    name = CALL.format(function=function)
    picked = []
    for u in us:
        index = as_answer(name, _guarded_call(fn, (logits.copy(), temperature, u), {}, watch=TRAINING))
        if index.shape != ():
            raise AssertionError(messages.build("shape", name=name, expected=(), received=index.shape,
                                                hint=messages.HINT_OTHER))  # fmt: skip
        picked.append(float(index))
    got = np.array(picked)
    check_close(SAMPLED, got, expected, atol=ATOL,
                diagnose=once(lambda: mistakes.sample_mistake(logits, temperature, us, got)))  # fmt: skip
