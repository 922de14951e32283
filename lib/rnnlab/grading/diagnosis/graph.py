"""A step written as a small graph of its equations: named quantities, each computed by one op from earlier ones.

A :class:`Graph` is evaluated in order on an environment holding the inputs and the parameters. A mutation
replaces some nodes (a different option, or different inputs) or the outputs; :meth:`Graph.rerun` recomputes
only the replaced nodes and what depends on them, reusing every other value of an earlier evaluation, so
trying many mutations of one step costs little more than the nodes each one changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

Env = dict[str, object]


@dataclass(frozen=True)
class Node:
    """One quantity of a step: ``name = op(*inputs, **options)``.

    Parameters
    ----------
    name : str
        The symbol, as in the book (``f``, ``c_tilde``) or for an intermediate (``a_f``, the pre-activation).
    op : callable
        One equation, written in numpy (see :mod:`.ops`).
    inputs : tuple of str
        Names of earlier nodes, inputs or parameters.
    options : tuple of (str, object)
        Keyword arguments of ``op`` (frozen); a mutation changes one.
    title : str
        What the book calls the quantity this node belongs to, e.g. ``the forget gate f``.
    label : str
        The label of the book's equation defining it (see :mod:`.equations`).
    """

    name: str
    op: Callable[..., np.ndarray]
    inputs: tuple[str, ...]
    options: tuple[tuple[str, object], ...] = ()
    title: str = ""
    label: str = ""

    @cached_property
    def kwargs(self) -> dict[str, object]:
        return dict(self.options)

    def option(self, key: str, default: object = None) -> object:
        return self.kwargs.get(key, default)

    def compute(self, env: Env) -> np.ndarray:
        return self.op(*[env[name] for name in self.inputs], **self.kwargs)

    def changed(self, **options: object) -> Node:
        """This node with some options set."""
        return replace(self, options=tuple({**dict(self.options), **options}.items()))

    def reading(self, **renamed: str) -> Node:
        """This node with some inputs read from other names (``reading(c="c_prev")``)."""
        return replace(self, inputs=tuple(renamed.get(name, name) for name in self.inputs))


@dataclass(frozen=True)
class Graph:
    """A step's equations in order, and the names of what the step returns.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"} or another model's name
    nodes : tuple of Node, in an order where every input comes before its use
    outputs : tuple of str
    conventions : the GRU's ``z_weights`` and ``reset``, for the messages
    """

    cell: str
    nodes: tuple[Node, ...]
    outputs: tuple[str, ...]
    conventions: tuple[tuple[str, str], ...] = ()
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {node.name: k for k, node in enumerate(self.nodes)})

    @cached_property
    def downstream(self) -> dict[str, frozenset[int]]:
        """For each node, the positions of itself and of every node computed from it."""
        below: dict[str, set[int]] = {}
        for k in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[k]
            reached = {k}
            for later in self.nodes[k + 1 :]:
                if node.name in later.inputs:
                    reached |= below[later.name]
            below[node.name] = reached
        return {name: frozenset(reached) for name, reached in below.items()}

    def node(self, name: str) -> Node:
        return self.nodes[self.index[name]]

    def convention(self, key: str) -> str:
        return dict(self.conventions)[key]

    def with_nodes(self, replaced: Mapping[str, Node], outputs: tuple[str, ...] | None = None) -> Graph:
        """This graph with some nodes replaced (by name) and, optionally, other outputs."""
        nodes = tuple(replaced.get(node.name, node) for node in self.nodes)
        return Graph(self.cell, nodes, self.outputs if outputs is None else outputs, self.conventions)

    def evaluate(self, inputs: Mapping[str, object]) -> Env:
        """Every node's value, from the inputs and parameters in ``inputs``."""
        env = dict(inputs)
        for node in self.nodes:
            env[node.name] = node.compute(env)
        return env

    def rerun(self, base: Env, replaced: Mapping[str, Node], changed: frozenset[str] | set[str]) -> Env:
        """The values once some nodes are ``replaced``: the ``changed`` ones and their dependants are recomputed.

        ``base`` is an evaluation of this graph with ``replaced`` applied except for the nodes ``changed``
        (a node replaced only by reading other inputs has the same dependants, so the positions below hold).
        """
        env = dict(base)
        positions = set().union(*(self.downstream[name] for name in changed))
        for k in sorted(positions):
            node = self.nodes[k]
            node = replaced.get(node.name, node)
            env[node.name] = node.compute(env)
        return env

    def returned(self, env: Env) -> tuple[np.ndarray, ...]:
        return tuple(env[name] for name in self.outputs)
