"""Simulated adversarial students: generic attacks on the machine that runs their kernel.

Every attack is ``name(kit) -> NotebookNode`` built from *any* released notebook (``kit.released``): the
answers stay blank, as released, and the attacker adds code cells of its own (before the first code
answer cell, after each answer, or at the end), each starting with ``# attack: <name>``. No attack names
an assignment's grade_ids or functions; what it needs of the notebook (its answer cells' ids, the lines
it already shows) is read from the released notebook when the student is built. A safe grader gives
every attack exactly the blank submission's score, leaves none of its processes or files behind, keeps
every other student's grade as it would be, and shows no hidden test, plain or encoded, in any page.

The payload is written below as ordinary functions (``_payload_*``, ``_leak_forms``) and copied into the
notebook as source with ``inspect.getsource``; the test process never calls them. Every risky step is
wrapped in ``try``, as a real student's would be, so the notebook runs on when the grader refuses it.

Safety of the machine that runs the tests, whatever the grader does:

- every process an attack starts carries ``PROCESS_MARKER`` in its command line, lives at most
  ``LONG_SECONDS`` and can be found and killed by it (:func:`kill_marked`);
- the daemons that rewrite, corrupt or signal things only touch paths under the temporary directory and
  outside git work trees, and only processes of the same grading run (see ``_payload_may_write`` and
  ``_payload_neighbours``), so a test on an unsafe grader cannot damage the repository or other jobs;
- the library attack writes where it is told to (that is the point): into rnnlab, numpy and the site
  dirs of the interpreter that runs the kernel. Every block and file it adds carries ``PROCESS_MARKER``;
  ``undo_writes(*library_folders())`` takes them out. On an unsafe grader, without that clean-up, every
  later Python process of that environment passes every check: run it against a copied library, or
  clean up in a ``finally``.
"""

from .cleanup import encodings, kill_marked, library_folders, marked_processes, undo_writes
from .constants import LEAK_MARKER, PROCESS_MARKER
from .notebooks import *  # noqa: F403 - every attack_<name>, ATTACKS and MARKERS
from .notebooks import ATTACKS, MARKERS

__all__ = [
    "ATTACKS",
    "LEAK_MARKER",
    "MARKERS",
    "PROCESS_MARKER",
    "encodings",
    "kill_marked",
    "library_folders",
    "marked_processes",
    "undo_writes",
    *ATTACKS,
]
