"""A small simulated class for the training_practice assignment: full marks, nothing, three common mistakes
(one per part's trap), and a student who calls rnnlab's own clipping. Perfect and blank are the honest ones."""

from __future__ import annotations

from nbformat import NotebookNode

from .honest import blank, perfect
from .kit import Kit, replace_in


def clip_each_array(kit: Kit) -> NotebookNode:
    """Clips every array by its own norm instead of the global norm (Part B's run inherits it)."""
    per_array = "return {name: g * min(1.0, max_norm / np.linalg.norm(g)) for name, g in grads.items()}, norm"
    return replace_in(kit, "clip_answer", "return {name: g * scale for name, g in grads.items()}, norm", per_array)


def softmax_no_max(kit: Kit) -> NotebookNode:
    """Forgets to subtract the largest logit: exp overflows on large logits and at a tiny temperature."""
    return replace_in(kit, "softmax_answer", "np.exp(scaled - scaled.max(axis=-1, keepdims=True))", "np.exp(scaled)")


def sample_greater_equal(kit: Kit) -> NotebookNode:
    """Returns the first index whose cumulative probability reaches u (>=) instead of exceeding it (>)."""
    return replace_in(kit, "sample_answer", 'side="right"', 'side="left"')


def calls_reference(kit: Kit) -> NotebookNode:
    """clip_by_global_norm returns rnnlab's own clipping."""
    reference = "    return rnnlab.train.clip_by_global_norm(grads, max_norm)\n"
    return replace_in(kit, "clip_answer", "    norm = float(", reference + "    norm = float(")


CLASS = {
    student.__name__: student
    for student in (perfect, blank, clip_each_array, softmax_no_max, sample_greater_equal, calls_reference)
}
