"""The mutations of a step's graph: each one way a student's code can differ from the book's equations.

A :class:`Mutation` replaces some nodes of a graph (or what it returns) and says so in one sentence.
:func:`mutations` lists every single mutation of a graph, the common ones first (the search stops at the
first that matches, so when two produce the same numbers the more likely one is named):

- each squashing function replaced (sigmoid, tanh, none, ReLU), a gate replaced by its complement ``1 - g``,
  sigmoid and tanh swapped everywhere;
- each bias left out, or every bias; ``[x, h]`` instead of ``[h, x]``; the square block acting on ``h_prev``
  transposed (in one gate or all); a gate computed with another gate's weights, or two gates' weights
  exchanged;
- each term of the cell update or of the GRU's interpolation left out, its gates exchanged or left out;
  the old cell in the LSTM's hidden state; the GRU's other conventions; the reset gate left out;
- the results returned in another order, or another quantity returned.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import combinations, permutations

from . import sentences as say
from .equations import QUANTITIES
from .graph import Graph, Node
from .ops import affine, cell_update, interpolate, reset_after, squash

RETURN = "<return>"  # the pseudo-node a mutation of the outputs touches
SQUASHES = ("sigmoid", "tanh", "identity", "relu")


@dataclass(frozen=True)
class Mutation:
    """One difference from the book's equations.

    Parameters
    ----------
    key : str
        A stable identifier (``squash:f:tanh``).
    sentence : str
        What the message says.
    nodes : mapping of node name to the replacing Node
    outputs : the names returned instead, or None
    pairs : whether the search combines it with another mutation (not for the many copy-paste slips of a
        gate's weights and the quantity returned instead of another, which students rarely combine)
    scope : pseudo-nodes it changes besides (a sequence model's loop)
    touched : the nodes (and ``RETURN``) it changes; two mutations combine only if these are disjoint
    """

    key: str
    sentence: str
    nodes: Mapping[str, Node] = field(default_factory=dict)
    outputs: tuple[str, ...] | None = None
    pairs: bool = True
    scope: frozenset[str] = frozenset()
    touched: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        touched = set(self.nodes) | ({RETURN} if self.outputs is not None else set()) | set(self.scope)
        object.__setattr__(self, "touched", frozenset(touched))


def combined(chosen: tuple[Mutation, ...]) -> tuple[dict[str, Node], tuple[str, ...] | None]:
    """The nodes every mutation of ``chosen`` replaces, and the outputs one of them returns (or None)."""
    if len(chosen) == 1:
        return chosen[0].nodes, chosen[0].outputs
    nodes: dict[str, Node] = {}
    outputs = None
    for mutation in chosen:
        nodes.update(mutation.nodes)
        outputs = mutation.outputs if mutation.outputs is not None else outputs
    return nodes, outputs


def applied(graph: Graph, chosen: tuple[Mutation, ...]) -> Graph:
    """``graph`` with every mutation of ``chosen`` applied (their touched nodes are disjoint)."""
    nodes, outputs = combined(chosen)
    return graph.with_nodes(nodes, outputs)


def mutations(graph: Graph) -> list[Mutation]:
    """Every single mutation of ``graph``, the most common first."""
    found = [*_conventions(graph), *_squashes(graph), *_updates(graph), *_affines(graph), *_returns(graph)]
    return list({m.key: m for m in found}.values())


def _of(graph: Graph, op: object) -> list[Node]:
    return [node for node in graph.nodes if node.op is op]


def _squashes(graph: Graph) -> Iterator[Mutation]:
    nodes = [n for n in _of(graph, squash) if n.inputs[0].startswith("a")]  # gates and candidates
    squashes = _of(graph, squash)
    for node in squashes:
        old = node.option("fn")
        for new in SQUASHES:
            if new != old:
                yield Mutation(f"squash:{node.name}:{new}", say.squash_replaced(node, old, new),
                               {node.name: node.changed(fn=new)})  # fmt: skip
    gates = [n for n in nodes if n.option("fn") == "sigmoid"]
    if len(gates) > 1:
        for new in SQUASHES[1:]:
            every = {n.name: n.changed(fn=new) for n in gates}
            yield Mutation(f"squash:gates:{new}", say.every_gate([n.label for n in gates], new), every)
    if len(squashes) > 1:
        other = {"sigmoid": "tanh", "tanh": "sigmoid"}
        swapped = {n.name: n.changed(fn=other[n.option("fn")]) for n in squashes}
        yield Mutation("squash:swapped", say.squashes_swapped([n.label for n in squashes]), swapped)
    for node in nodes:
        if node.option("fn") == "sigmoid":
            yield Mutation(f"complement:{node.name}", say.complement(node), {node.name: node.changed(complement=True)})


def _affines(graph: Graph) -> Iterator[Mutation]:
    nodes = _of(graph, affine)
    labels = [n.label for n in nodes]
    reading_state = [n for n in nodes if n.inputs[2] in ("h_prev", "rh")]
    yield Mutation("order:xh", say.order_xh(labels), {n.name: n.changed(order="xh") for n in reading_state})
    for node in nodes:
        yield Mutation(f"bias:{node.name}", say.bias_left_out(node), {node.name: node.changed(bias=False)})
    if len(nodes) > 1:
        every = {n.name: n.changed(bias=False) for n in nodes}
        yield Mutation("bias:every", say.every_bias_left_out(labels), every)
    for node in nodes:
        yield Mutation(f"transpose:{node.name}", say.transposed(node), {node.name: node.changed(transpose=True)})
    if len(nodes) > 1:
        every = {n.name: n.changed(transpose=True) for n in nodes}
        yield Mutation("transpose:every", say.every_transposed(labels), every)
    for node in nodes:
        for other in nodes:
            if other is not node:
                weights = {node.inputs[0]: other.inputs[0], node.inputs[1]: other.inputs[1]}
                yield Mutation(f"weights:{node.name}:{other.name}", say.other_weights(node, other),
                               {node.name: node.reading(**weights)}, pairs=False)  # fmt: skip
    for first, second in combinations(nodes, 2):
        one = first.reading(**{first.inputs[0]: second.inputs[0], first.inputs[1]: second.inputs[1]})
        two = second.reading(**{second.inputs[0]: first.inputs[0], second.inputs[1]: first.inputs[1]})
        yield Mutation(f"exchanged:{first.name}:{second.name}", say.weights_exchanged(first, second),
                       {first.name: one, second.name: two})  # fmt: skip


def _updates(graph: Graph) -> Iterator[Mutation]:
    for node in _of(graph, cell_update):
        for form in say.CELL_UPDATE:
            yield Mutation(f"cell:{form}", say.cell_update(node, form), {node.name: node.changed(form=form)})
    for node in _of(graph, interpolate):
        z_weights = node.option("z_weights")
        for form in ("no_interpolation", "no_old_term", "no_new_term", "no_complement", "new_ungated"):
            yield Mutation(f"state:{form}", say.interpolation(node, form, z_weights),
                           {node.name: node.changed(form=form)})  # fmt: skip
    if "tanh_c" in graph.index:
        tanh_c, h = graph.node("tanh_c"), graph.node("h")
        yield Mutation("hidden:old_cell", say.old_cell(tanh_c), {"tanh_c": tanh_c.reading(c="c_prev")})
        yield Mutation("hidden:no_output_gate", say.output_gate_left_out(h), {"h": h.changed(use_gate=False)})


def _conventions(graph: Graph) -> Iterator[Mutation]:
    """The GRU's other conventions (``z_weights``, ``reset``) and the reset gate left out."""
    if graph.cell != "gru":
        return
    node = graph.node("h")
    z_weights = node.option("z_weights")
    other = "new" if z_weights == "old" else "old"
    yield Mutation("convention:z", say.other_z_convention(z_weights), {"h": node.changed(z_weights=other)})
    pre, rh = graph.node("a_h"), graph.node("rh")
    reset = graph.convention("reset")
    if reset == "before":
        after = Node("a_h", reset_after, ("W_h", "b_h", "b_hn", "r", "h_prev", "x"), title=pre.title, label=pre.label)
        yield Mutation("convention:reset", say.other_reset_convention(pre, reset), {"a_h": after})
        yield Mutation("reset:missing", say.reset_not_applied(rh), {"rh": rh.changed(use_gate=False)})
    else:
        before = Node("a_h", affine, ("W_h", "b_h", "rh", "x"), title=pre.title, label=pre.label)
        yield Mutation("convention:reset", say.other_reset_convention(pre, reset), {"a_h": before})
        missing = pre.reading(r="ones")
        yield Mutation("reset:missing", say.reset_not_applied(pre), {"a_h": missing})


def _returns(graph: Graph) -> Iterator[Mutation]:
    outputs = graph.outputs
    for order in permutations(outputs):
        if order != outputs:
            yield Mutation(f"return:{','.join(order)}", say.returned_order(order, outputs), outputs=order)
    quantities = [graph.node(name) for name in QUANTITIES.get(graph.cell, {}) if name in graph.index]
    for k, name in enumerate(outputs):
        asked = graph.node(name)
        for other in quantities:
            squashed = asked.op is squash and asked.inputs[0] == other.name  # said as the squash left out
            if other.name not in outputs and not squashed:
                changed = outputs[:k] + (other.name,) + outputs[k + 1 :]
                sentence = say.returned_other(other, asked, len(outputs) == 1)
                yield Mutation(f"return:{k}:{other.name}", sentence, outputs=changed, pairs=False)
