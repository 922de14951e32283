"""Students who work honestly: full marks, nothing at all, and the course's common mistakes (rnn_step)."""

from __future__ import annotations

from nbformat import NotebookNode

from .kit import Kit, answered, replace_in


def perfect(kit: Kit) -> NotebookNode:
    """Every answer right."""
    return answered(kit)


def blank(kit: Kit) -> NotebookNode:
    """Hands in the notebook as released: stubs raise NotImplementedError, answers are ``...``."""
    return kit.released


def concat_xh(kit: Kit) -> NotebookNode:
    """Builds [x, h_prev] instead of [h_prev, x] in rnn_step (unroll and gradients inherit the error)."""
    return replace_in(kit, "rnn_step_answer", "[h_prev, x]", "[x, h_prev]")


def sigmoid(kit: Kit) -> NotebookNode:
    """Squashes with the sigmoid instead of tanh in rnn_step."""
    return replace_in(kit, "rnn_step_answer", "np.tanh(v @ W.T + b)", "1 / (1 + np.exp(-(v @ W.T + b)))")


def forgot_tanh_by_hand(kit: Kit) -> NotebookNode:
    """Part A: copies the pre-activation a as the state h (forgot the tanh)."""
    return replace_in(kit, "rnn_by_hand_answer", "h_by_hand = [0.46, -0.12, 0.38]", "h_by_hand = [0.50, -0.12, 0.40]")


def gradient_without_derivative(kit: Kit) -> NotebookNode:
    """Part D: leaves out tanh's derivative (1 - h^2) in the backward step."""
    return replace_in(kit, "gradient_norms_answer", "grad * (1 - hs[k] ** 2)", "grad")


def wrong_choice(kit: Kit) -> NotebookNode:
    """Picks A (rounding error) for why the gradient shrinks."""
    return replace_in(kit, "answer_shrink_answer", 'answer_shrink = "B"', 'answer_shrink = "A"')
