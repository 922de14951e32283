"""Building an attacker's notebook: payload source into cells, cells into the released notebook."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from .constants import LEAK_MARKER, PROCESS_MARKER
from .payload_disk import _payload_install_neuter
from .payload_processes import _payload_daemon


def _source(*functions: Callable) -> str:
    """The source of payload functions, to paste into a notebook cell or a daemon's ``-c`` code."""
    return "\n\n".join(textwrap.dedent(inspect.getsource(function)) for function in functions)


def _constants(**extra: object) -> str:
    """The constants the payload reads, as assignments.

    The leak marker is spelt in two halves, so a page shows it only where leaked output is shown (the
    feedback also shows the attacker's own code).
    """
    half = len(LEAK_MARKER) // 2
    lines = [f"_MARKER = {PROCESS_MARKER!r}", f"_LEAK = {LEAK_MARKER[:half]!r} + {LEAK_MARKER[half:]!r}"]
    return "\n".join(lines + [f"{name} = {value!r}" for name, value in extra.items()])


_NEUTER_SOURCE = _source(_payload_install_neuter)


def _daemon_code(call: str, *functions: Callable, **constants: object) -> str:
    """``python -c`` code for a daemon: constants, the functions it needs, then ``call`` (argv[2]: the kernel pid)."""
    header = "import sys\n_KERNEL = int(sys.argv[2])\n" + _constants(**constants)
    return "\n\n".join([header, _source(*functions), call])


def _cell(name: str, body: str, *functions: Callable, **constants: object) -> NotebookNode:
    """A code cell of the attacker's: a ``# attack:`` header, constants, payload functions, then ``body``."""
    parts = [f"# attack: {name}", _constants(**constants), _source(*functions), textwrap.dedent(body).strip()]
    return new_code_cell("\n\n".join(part for part in parts if part) + "\n")


def _guarded(body: str) -> str:
    """``body`` inside ``try``: whatever the grader refuses, the notebook runs on."""
    indented = textwrap.indent(textwrap.dedent(body).strip(), "    ")
    return f"try:\n{indented}\nexcept Exception as error:  # refused: carry on\n    print('refused:', repr(error))\n"


def answer_indices(nb: NotebookNode) -> list[int]:
    """Indices of the code answer cells (``metadata.nbgrader.solution``) of a notebook."""
    cells = enumerate(nb.cells)
    return [i for i, c in cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def _before_first_answer(nb: NotebookNode, *cells: NotebookNode) -> NotebookNode:
    """Insert ``cells`` just before the first code answer cell (after the notebook's own imports)."""
    indices = answer_indices(nb)
    if not indices:
        raise ValueError("the released notebook has no code answer cell to attack from")
    nb.cells[indices[0] : indices[0]] = list(cells)
    return nb


def _after_each_answer(nb: NotebookNode, make: Callable[[], NotebookNode]) -> NotebookNode:
    """Insert a fresh ``make()`` cell after every code answer cell."""
    for index in reversed(answer_indices(nb)):
        nb.cells.insert(index + 1, make())
    return nb


def _at_end(nb: NotebookNode, *cells: NotebookNode) -> NotebookNode:
    nb.cells.extend(cells)
    return nb


def _daemon_cell(name: str, tag: str, call: str, *functions: Callable, **constants: object) -> NotebookNode:
    """A cell that starts one marked daemon (double fork, setsid) running ``call``."""
    code = _daemon_code(call, *functions, **constants)
    return _cell(name, _guarded(f"_payload_daemon({code!r}, {tag!r})\nprint('started the {tag} daemon')"),
                 _payload_daemon)  # fmt: skip


def _disguised(nb: NotebookNode) -> NotebookNode:
    """Every attacker cell rewritten as ``exec(bytes.fromhex(...))``: no word the review flags look for remains."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("# attack:"):
            cell.source = f"exec(bytes.fromhex({cell.source.encode().hex()!r}).decode(), globals())\n"
    return nb
