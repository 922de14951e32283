"""The search: single mutations first, stopping at the first whose output matches the student's; then pairs.

A model (:class:`StepModel` for one step's graph, or the sequence models of :mod:`.sequences` and
:mod:`.backward`) evaluates the reference and any combination of its mutations on the checked inputs. A
mutation matches when every array it returns is close to the student's (the check's own closeness). Pairs
are tried only when no single mutation matches, only of mutations that each change the result and touch
different nodes, at most ``PAIR_CAP`` of them, each evaluated from the cached values of its first mutation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from .graph import Env, Graph
from .mutations import RETURN, Mutation, combined, mutations

Outputs = tuple[np.ndarray, ...]
Close = Callable[[np.ndarray, np.ndarray], bool]
PAIR_CAP = 3000


class Model(Protocol):
    """What the search needs: the mutations, and the outputs of any combination of them."""

    def mutations(self) -> list[Mutation]: ...

    def reference(self) -> Outputs: ...

    def run(self, chosen: tuple[Mutation, ...], base: object | None) -> tuple[Outputs, object]: ...


class StepModel:
    """One step's graph on fixed inputs, its reference values cached, mutants recomputed from them."""

    def __init__(self, graph: Graph, inputs: dict[str, object], found: list[Mutation] | None = None) -> None:
        self.graph = graph
        self.values = graph.evaluate(inputs)
        self._mutations = mutations(graph) if found is None else found

    def mutations(self) -> list[Mutation]:
        return self._mutations

    def reference(self) -> Outputs:
        return self.graph.returned(self.values)

    def run(self, chosen: tuple[Mutation, ...], base: object | None) -> tuple[Outputs, Env]:
        replaced, outputs = combined(chosen)
        start = self.values if base is None else base
        fresh = chosen if base is None else chosen[-1:]
        changed = {name for m in fresh for name in m.touched if name != RETURN}
        env = self.graph.rerun(start, replaced, changed) if changed else start
        return tuple(env[name] for name in outputs or self.graph.outputs), env


def closeness(atol: float, rtol: float = 1e-6) -> Close:
    """``|a - b| <= atol + rtol |b|`` everywhere (``np.isclose``'s test, for finite values)."""

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return bool((np.abs(a - b) <= atol + rtol * np.abs(b)).all())

    return close


def rounding(tolerance: float) -> Close:
    """``|a - b| <= tolerance`` everywhere: a by-hand answer rounded to two decimals."""
    return lambda a, b: bool((np.abs(a - b) <= tolerance).all())


def _matches(outputs: Outputs, received: Sequence[np.ndarray], close: Close) -> bool:
    return len(outputs) == len(received) and all(
        np.shape(o) == r.shape and close(r, np.asarray(o)) for o, r in zip(outputs, received, strict=True)
    )


def _same(outputs: Outputs, reference: Outputs) -> bool:
    return all(np.shape(o) == np.shape(r) and np.array_equal(o, r) for o, r in zip(outputs, reference, strict=True))


def search(model: Model, received: Sequence[np.ndarray], close: Close, *, pairs: bool = True) -> tuple[Mutation, ...]:
    """The mutation (or pair) whose outputs match ``received``; ``()`` when none does.

    Parameters
    ----------
    model : Model
    received : the student's arrays, in the order the model returns them
    close : the check's closeness, ``close(received, candidate) -> bool``
    pairs : also try pairs of mutations
    """
    reference = model.reference()
    useful: list[tuple[Mutation, object]] = []
    with np.errstate(all="ignore"):
        for mutation in model.mutations():
            try:
                outputs, values = model.run((mutation,), None)
            except (ValueError, IndexError, TypeError):  # a mutation that does not fit these shapes
                continue
            if _matches(outputs, received, close):
                return (mutation,)
            if mutation.pairs and not _same(outputs, reference):
                useful.append((mutation, values))
        if not pairs:
            return ()
        tried = 0
        for k, (first, values) in enumerate(useful):
            for second, _ in useful[k + 1 :]:
                if first.touched & second.touched:
                    continue
                tried += 1
                if tried > PAIR_CAP:
                    return ()
                try:
                    outputs, _ = model.run((first, second), values)
                except (ValueError, IndexError, TypeError):
                    continue
                if _matches(outputs, received, close):
                    return (first, second)
    return ()
