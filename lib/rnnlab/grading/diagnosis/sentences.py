"""What each mutation says to the student: the equation by its number in the book, and what differs.

Every sentence is built from a node's title and equation (see :mod:`.cells`), never from values, so a
by-hand answer's expected value is never in it, and the catalogue of sentences the feedback accepts is
finite (:func:`rnnlab.grading.diagnosis.catalogue.sentences`). Two mutations found together are joined by
``PAIR`` (no single sentence contains it).
"""

from __future__ import annotations

from .equations import eq, eqs
from .graph import Node

PAIR = "{first}; and also, {second}"
PAIR_SEPARATOR = "; and also, "
SQUASH_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "identity": "nothing (no squashing)", "relu": "ReLU"}


def where(node: Node) -> str:
    """``in the forget gate f (eq. 6)``."""
    return f"in {node.title} ({eq(node.label)})"


def pair(first: str, second: str) -> str:
    return PAIR.format(first=first, second=second)


# --- activations --------------------------------------------------------------------------------------


def squash_replaced(node: Node, old: str, new: str) -> str:
    if new == "identity":
        return f"{where(node)}, the {old} was left out"
    return f"{where(node)}, {old} was replaced by {SQUASH_NAMES[new]}"


def every_gate(labels: list[str], new: str) -> str:
    if new == "identity":
        return f"in every gate ({eqs(labels)}), the sigmoid was left out"
    return f"in every gate ({eqs(labels)}), sigmoid was replaced by {SQUASH_NAMES[new]}"


def complement(node: Node) -> str:
    return f"{where(node)}, 1 - {node.name} was used where {node.name} belongs (the gate's complement)"


def squashes_swapped(labels: list[str]) -> str:
    return (
        f"sigmoid and tanh were swapped everywhere ({eqs(labels)}): the gates use sigmoid, the candidate and "
        "the squashing of the state use tanh"
    )


# --- affine maps --------------------------------------------------------------------------------------


def bias_left_out(node: Node) -> str:
    return f"{where(node)}, the bias {node.inputs[1]} was left out"


def every_bias_left_out(labels: list[str]) -> str:
    return f"every bias was left out ({eqs(labels)})"


def recurrent_block(weights: str) -> str:
    """The book's name for the block of ``weights`` that multiplies ``h_prev``: ``W`` -> ``U``, ``W_f`` -> ``U_f``."""
    return "U" + weights[1:] if weights.startswith("W") else f"the recurrent block of {weights}"


def transposed(node: Node) -> str:
    weights = node.inputs[0]
    return (
        f"{where(node)}, {recurrent_block(weights)}, the block of {weights} that multiplies h_prev, was used transposed"
    )


def every_transposed(labels: list[str]) -> str:
    return f"the block U_* of each weight matrix W_* that multiplies h_prev was used transposed ({eqs(labels)})"


def order_xh(labels: list[str]) -> str:
    return (
        f"[x, h] was concatenated instead of [h, x] ({eqs(labels)}): the first H columns of each weight matrix "
        "multiply h_prev, the last D multiply x"
    )


def other_weights(node: Node, other: Node) -> str:
    W, b = other.inputs[:2]
    return f"{where(node)}, {W} and {b} were used, the weights of {other.title}"


def weights_exchanged(first: Node, second: Node) -> str:
    return f"the weights of {first.title} ({eq(first.label)}) and {second.title} ({eq(second.label)}) were exchanged"


# --- products and updates -----------------------------------------------------------------------------

CELL_UPDATE = {
    "gates_exchanged": "f and i were exchanged (c = i * c_prev + f * c_tilde)",
    "no_forget_term": "the term f * c_prev was left out (c = i * c_tilde)",
    "no_input_term": "the term i * c_tilde was left out (c = f * c_prev)",
    "no_forget_gate": "the forget gate was left out (c = c_prev + i * c_tilde)",
    "no_input_gate": "the input gate was left out (c = f * c_prev + c_tilde)",
    "coupled": "1 - f was used where the input gate i belongs (c = f * c_prev + (1 - f) * c_tilde)",
}


def cell_update(node: Node, form: str) -> str:
    return f"{where(node)}, {CELL_UPDATE[form]}"


def interpolation(node: Node, form: str, z_weights: str) -> str:
    keep, other = ("z", "(1 - z)") if z_weights == "old" else ("(1 - z)", "z")
    texts = {
        "no_interpolation": "there is no interpolation (h = h_tilde)",
        "no_old_term": f"the term {keep} * h_prev was left out (h = {other} * h_tilde)",
        "no_new_term": f"the term {other} * h_tilde was left out (h = {keep} * h_prev)",
        "no_complement": f"{keep} was used in both terms (h = {keep} * h_prev + {keep} * h_tilde)",
        "new_ungated": f"the candidate was added without its gate (h = {keep} * h_prev + h_tilde)",
    }
    return f"{where(node)}, {texts[form]}"


def other_z_convention(z_weights: str) -> str:
    other = "new" if z_weights == "old" else "old"
    keep = "h_prev" if z_weights == "old" else "h_tilde"
    this_eq, other_eq = (eq("conv-z-old"), eq("conv-z-new"))[:: 1 if z_weights == "old" else -1]
    return (
        f"the other z convention ({other_eq} instead of {this_eq}): with z_weights={z_weights!r}, z multiplies "
        f"{keep}; this result is the z_weights={other!r} one: is the z_weights argument used?"
    )


def other_reset_convention(node: Node, reset: str) -> str:
    other = "after" if reset == "before" else "before"
    return (
        f"{where(node)}, the reset gate was applied {other} the matrix product ({eq('conv-reset-' + other)}) "
        f"instead of {reset} it ({eq('conv-reset-' + reset)})"
    )


def reset_not_applied(node: Node) -> str:
    return f"{where(node)}, the reset gate was not applied (h_prev used instead of r * h_prev)"


def output_gate_left_out(node: Node) -> str:
    return f"{where(node)}, the output gate was left out (h = tanh(c))"


def old_cell(node: Node) -> str:
    return f"{where(node)}, the old cell c_prev was used instead of the new cell c"


# --- what was returned ------------------------------------------------------------------------------


def returned_order(order: tuple[str, ...], outputs: tuple[str, ...]) -> str:
    return f"the results were returned in the wrong order: ({', '.join(order)}) instead of ({', '.join(outputs)})"


def returned_other(other: Node, asked: Node, single: bool) -> str:
    head = "this is" if single else f"the value returned for {asked.name} is"
    return f"{head} {other.title} ({eq(other.label)}), not {asked.title} ({eq(asked.label)})"
