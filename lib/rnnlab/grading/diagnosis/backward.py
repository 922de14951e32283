"""The GRU step's backward pass as a graph, one chain-rule line per node, and the ways students write it wrong.

The forward values come from this package's own GRU graph (``z_weights="old"``, ``reset="before"``, the
BPTT exercise's step); then, in reverse order of the book's equations (shapes (B, ·), gradients of
``sum(dh * h)``):

.. math::
    \\delta \\tilde h = \\delta h \\odot (1 - z), \\quad \\delta z = \\delta h \\odot (h_{t-1} - \\tilde h), \\quad
    \\delta a_h = \\delta \\tilde h \\odot (1 - \\tilde h^2), \\\\
    [\\delta (r \\odot h_{t-1}), \\delta x_h] = \\delta a_h W_h, \\quad
    \\delta r = \\delta (r \\odot h_{t-1}) \\odot h_{t-1}, \\quad \\delta a_z = \\delta z \\odot z (1 - z), \\\\
    \\delta a_r = \\delta r \\odot r (1 - r), \\quad \\delta W_g = \\delta a_g^\\top v_g, \\quad
    \\delta b_g = \\textstyle\\sum_B \\delta a_g

and :math:`\\delta h_{t-1}` sums its three paths (directly, through :math:`r \\odot h_{t-1}`, through the gates).
"""

from __future__ import annotations

import numpy as np

from ...params import GRUParams
from .cells import gru_graph, step_inputs
from .equations import eq, eqs
from .graph import Graph, Node
from .mutations import Mutation
from .search import StepModel

GRADIENTS = ("W_r", "b_r", "W_z", "b_z", "W_h", "b_h", "x", "h_prev")


def d_candidate(dh: np.ndarray, z: np.ndarray, *, gate: str = "1-z") -> np.ndarray:
    """:math:`\\delta \\tilde h = \\delta h \\odot (1 - z)`."""
    return dh * (1.0 - z) if gate == "1-z" else dh * z


def d_update(dh: np.ndarray, h_prev: np.ndarray, h_tilde: np.ndarray, *, sign: float = 1.0) -> np.ndarray:
    """:math:`\\delta z = \\delta h \\odot (h_{t-1} - \\tilde h)`."""
    return sign * (dh * (h_prev - h_tilde))


DERIVATIVES = {  # d (squash(a)) / da, from s = squash(a)
    ("tanh", "book"): lambda s, a: 1.0 - s**2,
    ("tanh", "linear"): lambda s, a: 1.0 - s,
    ("tanh", "other"): lambda s, a: s * (1.0 - s),
    ("tanh", "pre"): lambda s, a: 1.0 - a**2,
    ("sigmoid", "book"): lambda s, a: s * (1.0 - s),
    ("sigmoid", "other"): lambda s, a: 1.0 - s**2,
}


def d_squash(d: np.ndarray, s: np.ndarray, a: np.ndarray, *, fn: str, form: str = "book") -> np.ndarray:
    """The gradient of a pre-activation, :math:`\\delta a = \\delta s \\odot \\mathrm{squash}'(a)`."""
    return d if form == "none" else d * DERIVATIVES[fn, form](s, a)


def d_inputs(da: np.ndarray, W: np.ndarray, *, transpose: bool = False) -> np.ndarray:
    """:math:`[\\delta h, \\delta x] = \\delta a\\, W` (B, H + D).

    ``transpose``: the square block acting on ``h`` used as its transpose.
    """
    if transpose:
        H = da.shape[-1]
        W = np.concatenate([W[:, :H].T, W[:, H:]], axis=1)
    return da @ W


def d_gates(da_z: np.ndarray, W_z: np.ndarray, da_r: np.ndarray, W_r: np.ndarray, *, drop: str = "",
            transpose: bool = False) -> np.ndarray:  # fmt: skip
    """What flows back through both gates' products, :math:`\\delta a_z W_z + \\delta a_r W_r`."""
    through_z = 0.0 if drop == "z" else d_inputs(da_z, W_z, transpose=transpose)
    through_r = 0.0 if drop == "r" else d_inputs(da_r, W_r, transpose=transpose)
    return through_z + through_r


def part(values: np.ndarray, H: int, *, block: str) -> np.ndarray:
    """The columns of ``values`` (B, H + D) belonging to ``h`` or to ``x``."""
    return values[:, :H] if block == "h" else values[:, H:]


def d_x(through_candidate: np.ndarray, through_gates: np.ndarray, H: int, *, drop: str = "") -> np.ndarray:
    """:math:`\\delta x`: the candidate's part and the gates' part."""
    gates = 0.0 if drop == "gates" else through_gates[:, H:]
    return (0.0 if drop == "candidate" else through_candidate) + gates


def d_h_prev(dh: np.ndarray, z: np.ndarray, through_reset: np.ndarray, through_gates: np.ndarray, H: int, *,
             drop: str = "", gate: str = "z") -> np.ndarray:  # fmt: skip
    """:math:`\\delta h_{t-1} = \\delta h \\odot z + \\delta (r \\odot h_{t-1}) \\odot r`, plus the gates' part."""
    direct = 0.0 if drop == "direct" else dh * (z if gate == "z" else 1.0 - z)
    reset = 0.0 if drop == "reset" else through_reset
    gates = 0.0 if drop == "gates" else through_gates[:, :H]
    return direct + reset + gates


def d_weights(da: np.ndarray, v: np.ndarray, *, average: bool = False) -> np.ndarray:
    """:math:`\\delta W = \\delta a^\\top v`, summed over the batch (H, N)."""
    return da.T @ v / (len(da) if average else 1)


def d_bias(da: np.ndarray, *, average: bool = False) -> np.ndarray:
    """:math:`\\delta b = \\sum_B \\delta a` (H,)."""
    return da.sum(axis=0) / (len(da) if average else 1)


def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * b


def backward_graph() -> Graph:
    """The backward pass, in the order of the chain rule, each node under the forward equation it differentiates."""
    state, cand, upd, res = "the backward pass of the new state", "the backward pass of the candidate", \
        "the backward pass of the update gate", "the backward pass of the reset gate"  # fmt: skip
    nodes = (
        Node("dh_tilde", d_candidate, ("dh", "z"), title=state, label="gru-eq-hidden"),
        Node("dz", d_update, ("dh", "h_prev", "h_tilde"), title=state, label="gru-eq-hidden"),
        Node("da_h", d_squash, ("dh_tilde", "h_tilde", "a_h"), (("fn", "tanh"),), title=cand, label="gru-eq-candidate"),
        Node("dv_h", d_inputs, ("da_h", "W_h"), title=cand, label="gru-eq-candidate"),
        Node("d_rh", part, ("dv_h", "H"), (("block", "h"),), title=cand, label="gru-eq-candidate"),
        Node("dx_h", part, ("dv_h", "H"), (("block", "x"),), title=cand, label="gru-eq-candidate"),
        Node("dr", product, ("d_rh", "h_prev"), title=cand, label="gru-eq-candidate"),
        Node("dh_reset", product, ("d_rh", "r"), title=cand, label="gru-eq-candidate"),
        Node("da_z", d_squash, ("dz", "z", "a_z"), (("fn", "sigmoid"),), title=upd, label="gru-eq-update"),
        Node("da_r", d_squash, ("dr", "r", "a_r"), (("fn", "sigmoid"),), title=res, label="gru-eq-reset"),
        Node(
            "dv", d_gates, ("da_z", "W_z", "da_r", "W_r"), title="the backward pass of the gates", label="gru-eq-update"
        ),
        Node("dW_r", d_weights, ("da_r", "v")),
        Node("db_r", d_bias, ("da_r",)),
        Node("dW_z", d_weights, ("da_z", "v")),
        Node("db_z", d_bias, ("da_z",)),
        Node("dW_h", d_weights, ("da_h", "v_h")),
        Node("db_h", d_bias, ("da_h",)),
        Node("dx", d_x, ("dx_h", "dv", "H")),
        Node("dh_prev", d_h_prev, ("dh", "z", "dh_reset", "dv", "H")),
    )
    return Graph("gru-backward", nodes, tuple(f"d{name}" for name in GRADIENTS))


def _where(node: Node) -> str:
    return f"in {node.title} ({eq(node.label)})"


def backward_mutations(graph: Graph) -> list[Mutation]:
    """The slips of a GRU step's backward pass, the most common first."""
    n = graph.node
    gates = eqs(["gru-eq-reset", "gru-eq-update"])
    found = [
        Mutation(
            "dz:sign",
            "the sign of dz flipped, as for the other z convention (from "
            f"{eq('gru-eq-hidden')}, dz = dh * (h_prev - h_tilde))",
            {"dz": n("dz").changed(sign=-1.0)},
        ),
        Mutation(
            "dh_tilde:z",
            f"{_where(n('dh_tilde'))}, dh_tilde = dh * z was used instead of dh * (1 - z)",
            {"dh_tilde": n("dh_tilde").changed(gate="z")},
        ),
        Mutation(
            "tanh:linear",
            f"{_where(n('da_h'))}, the tanh derivative was written as 1 - h_tilde instead of 1 - h_tilde**2",
            {"da_h": n("da_h").changed(form="linear")},
        ),
        Mutation(
            "tanh:other",
            f"{_where(n('da_h'))}, the tanh derivative was written as h_tilde * (1 - h_tilde), "
            "the sigmoid's, instead of 1 - h_tilde**2",
            {"da_h": n("da_h").changed(form="other")},
        ),
        Mutation(
            "tanh:pre",
            f"{_where(n('da_h'))}, the tanh derivative was taken at the pre-activation "
            "(1 - a_h**2 instead of 1 - h_tilde**2)",
            {"da_h": n("da_h").changed(form="pre")},
        ),
        Mutation(
            "tanh:none",
            f"{_where(n('da_h'))}, the tanh derivative 1 - h_tilde**2 was left out",
            {"da_h": n("da_h").changed(form="none")},
        ),
        Mutation(
            "sigmoid:none",
            f"the sigmoid derivative s * (1 - s) was left out of dr and dz ({gates})",
            {"da_z": n("da_z").changed(form="none"), "da_r": n("da_r").changed(form="none")},
        ),
    ]
    for gate in ("z", "r"):
        node = n(f"da_{gate}")
        found += [
            Mutation(f"sigmoid:{gate}:none", f"{_where(node)}, the sigmoid derivative {gate} * (1 - {gate}) was "
                     "left out", {node.name: node.changed(form="none")}),
            Mutation(f"sigmoid:{gate}:other", f"{_where(node)}, the sigmoid derivative was written as "
                     f"1 - {gate}**2, the tanh's, instead of {gate} * (1 - {gate})",
                     {node.name: node.changed(form="other")}),
        ]  # fmt: skip
    h_prev, x = n("dh_prev"), n("dx")
    found += [
        Mutation("h_prev:reset", "in the gradient of h_prev, the path through r * h_prev into the candidate "
                 f"({eq('gru-eq-candidate')}) was left out", {"dh_prev": h_prev.changed(drop="reset")}),
        Mutation("h_prev:direct", f"in the gradient of h_prev, the direct path dh * z ({eq('gru-eq-hidden')}) was "
                 "left out", {"dh_prev": h_prev.changed(drop="direct")}),
        Mutation("h_prev:gates", f"in the gradient of h_prev, the paths through the gates r and z ({gates}) were "
                 "left out", {"dh_prev": h_prev.changed(drop="gates")}),
        Mutation("h_prev:1-z", f"in the gradient of h_prev, the direct path used dh * (1 - z) instead of dh * z "
                 f"({eq('gru-eq-hidden')})", {"dh_prev": h_prev.changed(gate="1-z")}),
        Mutation("x:candidate", f"in the gradient of x, the path through the candidate ({eq('gru-eq-candidate')}) "
                 "was left out", {"dx": x.changed(drop="candidate")}),
        Mutation("x:gates", f"in the gradient of x, the paths through the gates r and z ({gates}) were left out",
                 {"dx": x.changed(drop="gates")}),
        Mutation("gates:z", f"the path back through the update gate z ({eq('gru-eq-update')}) was left out of the "
                 "gradients of x and h_prev", {"dv": n("dv").changed(drop="z")}),
        Mutation("gates:r", f"the path back through the reset gate r ({eq('gru-eq-reset')}) was left out of the "
                 "gradients of x and h_prev", {"dv": n("dv").changed(drop="r")}),
        Mutation("transpose:candidate", f"{_where(n('dv_h'))}, U_h, the block of W_h that multiplies r * h_prev, "
                 "was used transposed", {"dv_h": n("dv_h").changed(transpose=True)}),
        Mutation("transpose:gates", f"in the backward pass of the gates ({gates}), U_r and U_z, the blocks of W_r "
                 "and W_z that multiply h_prev, were used transposed", {"dv": n("dv").changed(transpose=True)}),
        Mutation("W_h:v", f"the gradient of W_h was computed from [h_prev, x] instead of [r * h_prev, x] "
                 f"({eq('gru-eq-candidate')})", {"dW_h": n("dW_h").reading(v_h="v")}),
        Mutation("batch:average", "the weight and bias gradients were averaged over the batch instead of summed",
                 {name: n(name).changed(average=True) for name in ("dW_r", "db_r", "dW_z", "db_z", "dW_h", "db_h")}),
    ]  # fmt: skip
    return found


class BackwardModel(StepModel):
    """The backward graph on the forward values of one GRU step: ``x`` (B, D), ``h_prev`` and ``dh`` (B, H)."""

    def __init__(self, x: np.ndarray, h_prev: np.ndarray, p: GRUParams, dh: np.ndarray) -> None:
        forward = gru_graph("old", "before").evaluate(step_inputs("gru", p, {"x": x, "h_prev": h_prev}))
        values = {**forward, "dh": dh, "H": p.hidden_size}
        values["v"] = np.concatenate([forward["h_prev"], forward["x"]], axis=-1)
        values["v_h"] = np.concatenate([forward["rh"], forward["x"]], axis=-1)
        graph = backward_graph()
        super().__init__(graph, values, backward_mutations(graph))
