"""Every sentence the engine can say, listed from the same mutation definitions the search uses.

The feedback's parser accepts a diagnosis only if it is one of these, ``INSIDE_THE_STEP`` and one of
these, or two of these joined by ``PAIR``: a finite catalogue, so the bound on what a message can carry
(:mod:`rnnlab.grading.messages.channel`) stays sound.
"""

from __future__ import annotations

from functools import lru_cache

from .backward import backward_graph, backward_mutations
from .cells import graph_of
from .equations import QUANTITIES
from .graph import Graph
from .mutations import mutations
from .sentences import PAIR_SEPARATOR
from .sequences import norms_graph, norms_mutations, rnn_graph, unroll_mutations

CONVENTIONS = [{"z_weights": z, "reset": r} for z in ("old", "new") for r in ("before", "after")]


def _graphs() -> list[Graph]:
    """Every graph a check searches: each cell's step (both GRU conventions), and each by-hand quantity."""
    found = []
    for cell in QUANTITIES:
        for conventions in CONVENTIONS if cell == "gru" else [{}]:
            full = graph_of(cell, **conventions)
            found.append(full)
            found += [Graph(cell, full.nodes, (name,), full.conventions) for name in QUANTITIES[cell]]
    return found


@lru_cache(maxsize=1)
def sentences() -> frozenset[str]:
    """Every single sentence (a pair is two of these, see :func:`is_pair`)."""
    found = {m.sentence for graph in _graphs() for m in mutations(graph)}
    found |= {m.sentence for m in unroll_mutations(rnn_graph())}
    found |= {m.sentence for m in norms_mutations(norms_graph())}
    found |= {m.sentence for m in backward_mutations(backward_graph())}
    return frozenset(found)


def is_pair(text: str) -> bool:
    """True if ``text`` is two known sentences joined as the engine joins them."""
    parts = text.split(PAIR_SEPARATOR)
    return len(parts) == 2 and all(part in sentences() for part in parts)
