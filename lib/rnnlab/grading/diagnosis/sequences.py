"""Sequence models for the search: the plain RNN unrolled over time, and the norms of BPTT's gradients.

:class:`UnrollModel` applies the step's mutations (:mod:`.mutations`) at every time step, plus the ways a
loop over time goes wrong (the state not carried, the states shifted by one, returned or read backwards).
:class:`NormsModel` is the backward recursion of the book's eqs. ``rnn-eq-bptt-h`` and ``rnn-eq-bptt-a``,
with its own mutations (the tanh derivative left out or written wrong, the transpose missing, the carried
gradient left out) and the ways the list of norms goes wrong.
"""

from __future__ import annotations

import numpy as np

from ...params import RNNParams
from ..messages.texts import INSIDE_THE_STEP
from . import sentences as say
from .cells import rnn_graph, step_inputs
from .equations import eq
from .graph import Graph, Node
from .mutations import Mutation, applied, mutations

SEQUENCE = "<sequence>"  # the pseudo-node a mutation of the loop over time touches

UNROLL_SENTENCES = {
    "not_carried": "the state is not carried forward (every step starts again from h0)",
    "shifted": "the states are shifted by one step (h0 is returned first and the last state is missing)",
    "reversed": "the states were returned from the last step to the first",
    "read_backwards": "the sequence was read from its last input to its first",
}


def _loop(key: str) -> Mutation:
    return Mutation(f"sequence:{key}", UNROLL_SENTENCES[key], scope=frozenset({SEQUENCE}))


def _inside(mutation: Mutation) -> Mutation:
    return Mutation(mutation.key, INSIDE_THE_STEP + mutation.sentence, mutation.nodes, mutation.outputs,
                    mutation.pairs)  # fmt: skip


def unroll_mutations(graph: Graph) -> list[Mutation]:
    """The step's mutations (said to be inside the step), then the loop's."""
    return [*(_inside(m) for m in mutations(graph)), *(_loop(key) for key in UNROLL_SENTENCES)]


class LoopModel:
    """A step's graph run over time (by :meth:`run`), with the step's mutations and the loop's own."""

    graph: Graph
    _mutations: list[Mutation]

    def mutations(self) -> list[Mutation]:
        return self._mutations

    def reference(self) -> tuple[np.ndarray, ...]:
        return self.run((), None)[0]

    def split(self, chosen: tuple[Mutation, ...]) -> tuple[str | None, Graph]:
        """The loop's mutation (its key's last part, or None) and the step's graph with the others applied."""
        loop = next((m.key.split(":")[1] for m in chosen if SEQUENCE in m.touched), None)
        return loop, applied(self.graph, tuple(m for m in chosen if SEQUENCE not in m.touched))

    def run(self, chosen: tuple[Mutation, ...], base: object | None) -> tuple[tuple[np.ndarray, ...], None]:
        raise NotImplementedError


class UnrollModel(LoopModel):
    """``hs[t] = step(xs[t], hs[t - 1])`` from ``h0``: ``xs`` (T, D) with ``h0`` (H,), or (T, B, D) with (B, H)."""

    def __init__(self, xs: object, h0: object, p: RNNParams) -> None:
        self.xs = np.asarray(xs, dtype=np.float64)
        self.h0 = np.asarray(h0, dtype=np.float64)
        self.p, self.graph = p, rnn_graph()
        self._mutations = unroll_mutations(self.graph)

    def run(self, chosen: tuple[Mutation, ...], base: object | None) -> tuple[tuple[np.ndarray, ...], None]:
        loop, graph = self.split(chosen)
        xs = self.xs[::-1] if loop == "read_backwards" else self.xs
        states, h = [], self.h0
        for x in xs:
            env = graph.evaluate(
                step_inputs("rnn", self.p, {"x": x, "h_prev": self.h0 if loop == "not_carried" else h})
            )
            states.append(h if loop == "shifted" else env[graph.outputs[0]])
            h = env[graph.outputs[0]]
        hs = np.stack(states)
        return ((hs[::-1] if loop == "reversed" else hs),), None


# --- the norms of the gradient flowing back through time -------------------------------------------------

DERIVATIVES = {
    "book": lambda h, a, h_before: 1.0 - h**2,
    "none": lambda h, a, h_before: 1.0,
    "earlier": lambda h, a, h_before: 1.0 - h_before**2,
    "linear": lambda h, a, h_before: 1.0 - h,
    "sigmoid": lambda h, a, h_before: h * (1.0 - h),
    "pre": lambda h, a, h_before: 1.0 - a**2,
}
DERIVATIVE_SENTENCES = {
    "none": "the tanh derivative (1 - h**2) was left out",
    "earlier": "the tanh derivative was taken at the wrong step (h_{k-1} instead of h_k)",
    "linear": "the tanh derivative was written as 1 - h instead of 1 - h**2",
    "sigmoid": "the tanh derivative was written as h * (1 - h), the sigmoid's, instead of 1 - h**2",
    "pre": "the tanh derivative was taken at the pre-activation (1 - a**2 instead of 1 - h**2)",
}
NORMS_SENTENCES = {
    "reversed": "the norms were listed from the last step to the first",
    "squared": "the squared norms were returned (np.sum(g**2) instead of np.linalg.norm(g))",
}


def through_tanh(
    g: np.ndarray, h: np.ndarray, a: np.ndarray, h_before: np.ndarray, *, form: str = "book"
) -> np.ndarray:
    """:math:`\\delta a_k = \\delta h_k \\odot (1 - h_k^2)` (eq. ``rnn-eq-bptt-a``); (H,)."""
    return g * DERIVATIVES[form](h, a, h_before)


def back_to_state(da: np.ndarray, U: np.ndarray, *, transpose: bool = True) -> np.ndarray:
    """:math:`\\delta h_{k-1} = U^\\top \\delta a_k` (eq. ``rnn-eq-bptt-h``, no loss term before the end); (H,)."""
    return (U.T if transpose else U) @ da


def norms_graph() -> Graph:
    through = "the step back through tanh"
    back = "the step back to h_{k-1}"
    nodes = (
        Node("da", through_tanh, ("g", "h", "a", "h_before"), title=through, label="rnn-eq-bptt-a"),
        Node("g_before", back_to_state, ("da", "U"), title=back, label="rnn-eq-bptt-h"),
    )
    return Graph("rnn-bptt", nodes, ("g_before",))


def norms_mutations(graph: Graph) -> list[Mutation]:
    da, back = graph.node("da"), graph.node("g_before")
    found = [Mutation(f"derivative:{form}", f"{say.where(da)}, {text}", {"da": da.changed(form=form)})
             for form, text in DERIVATIVE_SENTENCES.items()]  # fmt: skip
    found.append(Mutation("transpose", f"{say.where(back)}, U = W[:, :H] was used where its transpose belongs",
                          {"g_before": back.changed(transpose=False)}))  # fmt: skip
    carried = (
        f"the gradient carried from the later step was left out ({eq('rnn-eq-bptt-h')}): every step started again "
        "from ones"
    )
    found.append(Mutation("carried", carried, {"da": da.reading(g="ones")}))
    found += [Mutation(f"norms:{key}", text, scope=frozenset({SEQUENCE})) for key, text in NORMS_SENTENCES.items()]
    return found


class NormsModel(LoopModel):
    """``norms[k]``: the norm of :math:`\\partial L / \\partial h_k`, L = sum(h_{T-1}); ``xs`` (T, D), ``h0`` (H,)."""

    def __init__(self, xs: object, h0: object, p: RNNParams) -> None:
        forward = UnrollModel(xs, h0, p)
        graph, self.H = forward.graph, p.hidden_size
        self.hs, self.pre, h = [], [], forward.h0
        for x in forward.xs:
            env = graph.evaluate(step_inputs("rnn", p, {"x": x, "h_prev": h}))
            self.hs.append(env["h"])
            self.pre.append(env["a"])
            h = env["h"]
        self.U = p.W[:, : self.H]  # W = [U | V]
        self.graph = norms_graph()
        self._mutations = norms_mutations(self.graph)

    def run(self, chosen: tuple[Mutation, ...], base: object | None) -> tuple[tuple[np.ndarray, ...], None]:
        listing, graph = self.split(chosen)
        T = len(self.hs)
        g = np.ones(self.H)
        gradients = [g] * T
        for k in range(T - 1, 0, -1):
            env = {"g": g, "h": self.hs[k], "a": self.pre[k], "h_before": self.hs[k - 1], "U": self.U,
                   "ones": 1.0}  # fmt: skip
            g = graph.evaluate(env)["g_before"]
            gradients[k - 1] = g
        norms = np.array([np.sum(g**2) if listing == "squared" else np.linalg.norm(g) for g in gradients])
        return ((norms[::-1] if listing == "reversed" else norms),), None
