"""What the checks call: the likely mistake behind a wrong step, by-hand answer, sequence or backward pass.

Each function returns the sentence naming the mutation(s) whose output matches the student's, or None;
the checks call them only once a comparison has failed (lazily), so a passing check computes no diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ...params import CellParams, GRUParams, RNNParams
from . import search as engine
from . import sentences as say
from .backward import GRADIENTS, BackwardModel
from .cells import graph_of, step_inputs
from .graph import Graph
from .mutations import Mutation, mutations
from .sequences import NormsModel, UnrollModel


def named(found: tuple[Mutation, ...]) -> str | None:
    """The sentence of one mutation, both joined for a pair, None for none."""
    if not found:
        return None
    if len(found) == 1:
        return found[0].sentence
    return say.pair(found[0].sentence, found[1].sentence)


def step(
    cell: str,
    p: CellParams,
    inputs: Mapping[str, object],
    received: Sequence[np.ndarray],
    close: engine.Close,
    **conventions: str,
) -> str | None:
    """The likely mistake of a step function whose results (in the order it returns them) are ``received``.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    p : the params the step was called with
    inputs : ``x`` and the states (``h_prev``, ``c_prev``)
    received : the student's arrays: ``(h,)`` or, for the LSTM, ``(h, c)``
    close : the check's closeness
    conventions : the GRU's ``z_weights`` and ``reset``
    """
    graph = graph_of(cell, **conventions)
    model = engine.StepModel(graph, step_inputs(cell, p, inputs))
    return named(engine.search(model, received, close))


def by_hand(
    cell: str,
    p: CellParams,
    inputs: Mapping[str, object],
    quantity: str,
    received: np.ndarray,
    tolerance: float,
    **conventions: str,
) -> str | None:
    """The likely mistake behind a by-hand value of ``quantity`` (single mutations only: one number each).

    Another quantity's value is tried first (``this is the input gate i (eq. 7), not the forget gate f (eq.
    6)``): a by-hand answer copied from the wrong line is more likely than a gate computed with another's
    weights, which gives the same numbers.
    """
    full = graph_of(cell, **conventions)
    graph = Graph(full.cell, full.nodes, (quantity,), full.conventions)
    found = mutations(graph)
    found = [m for m in found if m.outputs is not None] + [m for m in found if m.outputs is None]
    model = engine.StepModel(graph, step_inputs(cell, p, inputs), found)
    return named(engine.search(model, (received,), engine.rounding(tolerance), pairs=False))


def unroll(xs: object, h0: object, p: RNNParams, received: np.ndarray, close: engine.Close) -> str | None:
    """The likely mistake of an unrolled plain RNN whose states (T, H) or (T, B, H) are ``received``."""
    return named(engine.search(UnrollModel(xs, h0, p), (received,), close))


def gradient_norms(xs: object, h0: object, p: RNNParams, received: np.ndarray, close: engine.Close) -> str | None:
    """The likely mistake of the norms (T,) of BPTT's gradients, ``received``."""
    return named(engine.search(NormsModel(xs, h0, p), (received,), close))


def gru_backward(
    x: np.ndarray,
    h_prev: np.ndarray,
    p: GRUParams,
    dh: np.ndarray,
    received: Mapping[str, np.ndarray],
    close: engine.Close,
) -> str | None:
    """The likely mistake of a GRU step's backward pass returning the gradients ``received`` (by name)."""
    model = BackwardModel(x, h_prev, p, dh)
    return named(engine.search(model, tuple(received[name] for name in GRADIENTS), close))
