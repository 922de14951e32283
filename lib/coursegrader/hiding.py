"""Feedback a student can read without learning the hidden tests.

nbgrader's autograde restores every test cell from the gradebook, hidden tests included, and runs them in
the student's kernel. Code the student wrote can watch them arrive (an IPython hook sees every cell's
source) and write them into any later output, in any encoding: printed, base64-encoded, as an exception's
message, as an image. So the page is built around one boundary, the first cell (in notebook order) whose
trusted source, from the gradebook, holds ``BEGIN HIDDEN TESTS``:

- **Before it** the kernel has seen no hidden code: outputs are shown as they are, except that a test cell's
  traceback is shortened to the error's name and message (an IPython traceback quotes the test's source).
- **At and after it** nothing the kernel produced is shown. A graded test cell shows one output the grader
  writes: "passed", or the failure re-rendered from a strict parse of the error's message
  (:mod:`rnnlab.grading.messages`: what was expected and received, the likely mistake), or, when the
  message does not parse, a fixed sentence and, for well-known errors, a fixed explanation. Every other
  code cell shows a note instead of its outputs.

The names, choices and diagnoses a re-rendered message may use come from the test cell's trusted source,
counted only when the gradebook and the autograded notebook agree on it (:func:`trusted_source`). Sources
stay as they are, except that each hidden region becomes the one-line ``NOTE``; scores and the grader's
comments come from the gradebook (nbgrader's ``GetGrades``). What a student's code can still
choose after the boundary is, per graded test cell, its outcome (passed, or which known error name) and
which message it shows, with its numbers and names: at most ``rnnlab.grading.messages.MAX_CHANNEL_BITS``
(180) bits per graded test cell, and nothing for other cells. rnn_step, for instance, has 7 graded test
cells from its boundary on: at most some 160 bytes per page, where raw outputs could carry megabytes.

:func:`coursegrader.leaks.find_leaks` then reads the finished HTML as text and lists any line of
hidden-test source still in it (for instance printed before the boundary by code that read the gradebook
file); the page is then withheld, not handed out.
"""

from __future__ import annotations

import builtins
import html
import re

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.api import Gradebook

from rnnlab.grading import messages

BEGIN = "BEGIN HIDDEN TESTS"
END = "END HIDDEN TESTS"
NOTE = "# (hidden tests ran here; their code is not shown)"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

AFTER_HIDDEN = (
    "Outputs of cells that ran after the first hidden test are not shown in feedback; your own notebook has them."
)
PASSED = "This test passed."
FAILED = "This test failed."
STDERR = (
    "This test wrote to the error stream (a warning, for instance), which counts as a failure. The text is not "
    "shown here because the test ran after hidden tests; run the visible part of the test in your notebook to "
    "see it."
)
UNREADABLE = (
    "This test failed, but its message is not shown: the test ran after hidden tests, and its message is not in "
    "the format of the course's checks, so this page cannot be sure it repeats no hidden test code. Your "
    "instructor can show it to you."
)
EXPLANATIONS = {
    "NotImplementedError": "Not answered yet: a cell this test needs still holds a placeholder (... or raise "
    "NotImplementedError()). Replace it by your answer.",
    "ReferenceCallError": "Your function called rnnlab's reference implementation. This exercise checks your own "
    "numpy code (rnnlab.sigmoid, rnnlab.tanh and the params objects are fine).",
    "TamperingError": "numpy or rnnlab.grading functions were replaced in this notebook, so the checks could not "
    "trust any result. Restart the kernel and run the notebook without changing them.",
    "CellTimeoutError": "This cell ran past the time limit and was stopped. Look for a loop that never ends, or "
    "for work that grows much faster than the inputs.",
    "KeyboardInterrupt": "This cell was interrupted, usually because it ran past the time limit. Look for a loop "
    "that never ends.",
    "MemoryError": "Your code ran out of memory (the grader limits it). Look for an array far larger than the "
    "exercise needs.",
    "RecursionError": "Your code called itself without end (the maximum recursion depth was exceeded).",
    "NameError": "A name this test uses is not defined. Did every cell above it run without an error, and do "
    "your functions and variables have the names the exercise asks for?",
    "SystemExit": "Your code called sys.exit() or exit(), which stops the cell; remove that call.",
    "BlockingIOError": "Your code tried to start more processes or threads than the grader allows.",
    "ZeroDivisionError": "Your code divided by zero.",
}
KNOWN_ERRORS = frozenset(
    [name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)]
    + ["ReferenceCallError", "TamperingError", "CellTimeoutError", "DeadKernelError"]
)


def split_hidden(source: str) -> tuple[list[str], list[str]]:
    """(visible lines with each hidden region replaced by ``NOTE``, the hidden lines)."""
    visible, hidden, inside = [], [], False
    for line in source.split("\n"):
        if BEGIN in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            visible.append(indent + NOTE)
        elif END in line:
            inside = False
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    return visible, hidden


def trusted_sources(db_url: str, assignment: str, notebook: str) -> dict[str, str]:
    """``{grade_id: source}`` of every cell the gradebook holds for this notebook (hidden tests included).

    Parameters
    ----------
    db_url : str
        The gradebook.
    assignment, notebook : str

    Returns
    -------
    dict of str to str
    """
    with Gradebook(db_url) as gradebook:
        return gradebook_sources(gradebook, assignment, notebook)


def gradebook_sources(gradebook: Gradebook, assignment: str, notebook: str) -> dict[str, str]:
    return {cell.name: cell.source for cell in gradebook.find_notebook(notebook, assignment).source_cells}


def grade_id(cell: NotebookNode) -> str | None:
    """The cell's nbgrader ``grade_id``, if any."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def first_hidden_cell(nb: NotebookNode, sources: dict[str, str]) -> int:
    """Index of the first cell that ran hidden-test code: the boundary of what feedback may show raw.

    A cell counts when its trusted source (from the gradebook) or its own source holds ``BEGIN HIDDEN
    TESTS``. When the gradebook knows hidden tests that no cell of ``nb`` carries, the answer is 0 (show
    nothing raw); without hidden tests it is ``len(nb.cells)``.

    Parameters
    ----------
    nb : NotebookNode
        The autograded notebook.
    sources : dict of str to str
        :func:`trusted_sources` of its notebook.

    Returns
    -------
    int
    """
    hidden = {name for name, source in sources.items() if BEGIN in source}
    for index, cell in enumerate(nb.cells):
        if BEGIN in cell.source or grade_id(cell) in hidden:
            return index
    return 0 if hidden else len(nb.cells)


def is_test_cell(cell: NotebookNode) -> bool:
    """True for nbgrader's graded test cells: graded code cells that are not the student's answer."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def clean(text: object) -> str:
    """Text without ANSI colour codes (empty for anything that is not a string)."""
    return ANSI.sub("", text) if isinstance(text, str) else ""


def failure_text(ename: str, evalue: str, allowed: messages.Allowed) -> tuple[str, str]:
    """(error name, text) a page may show for a test's error after the boundary.

    The text is the check's message re-rendered from :func:`rnnlab.grading.messages.parse`, or fixed
    sentences when it does not parse. An error name outside ``KNOWN_ERRORS`` is shown as ``Error``.

    Parameters
    ----------
    ename, evalue : str
        The error output's name and message, as the kernel reported them.
    allowed : rnnlab.grading.messages.Allowed
        What the test cell's trusted source allows in a message.

    Returns
    -------
    tuple of str
    """
    name = ename if ename in KNOWN_ERRORS else "Error"
    message = messages.parse(evalue, allowed) if name == ename else None
    if message is not None and message.error in (None, ename):
        return name, messages.render(message)
    sentences = [EXPLANATIONS[name]] if name in EXPLANATIONS else []
    if evalue.strip():
        sentences.append(UNREADABLE)
    return name, " ".join(sentences) or FAILED


def test_output(cell: NotebookNode, allowed: messages.Allowed) -> NotebookNode:
    """The one output a graded test cell after the boundary shows: passed, or its failure."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name, text = failure_text(clean(output.get("ename")), clean(output.get("evalue")), allowed)
            return new_output("error", ename=name, evalue=text, traceback=[f"{name}: {text}"])
    if any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in cell.get("outputs", [])):
        return new_output("error", ename="Error", evalue=STDERR, traceback=[STDERR])
    return new_output("stream", name="stdout", text=PASSED + "\n")


def note_output() -> NotebookNode:
    """What a code cell other than a graded test shows after the boundary, instead of its outputs."""
    return new_output(
        "display_data", data={"text/plain": AFTER_HIDDEN, "text/html": f"<p><em>{html.escape(AFTER_HIDDEN)}</em></p>"}
    )


def shorten_tracebacks(cell: NotebookNode) -> None:
    """Keep only ``name: message`` of each error (a traceback quotes the test's source)."""
    for output in cell.outputs:
        if output.output_type == "error":
            output.traceback = [f"{clean(output.ename)}: {clean(output.evalue)}"]


def hide(nb: NotebookNode, sources: dict[str, str]) -> NotebookNode:
    """Make ``nb`` (autograded) fit for a student's eyes, in place: the rules of this module's docstring.

    Parameters
    ----------
    nb : NotebookNode
    sources : dict of str to str
        :func:`trusted_sources` of this notebook.

    Returns
    -------
    NotebookNode
        ``nb``.
    """
    boundary = first_hidden_cell(nb, sources)
    nb.metadata.pop("widgets", None)  # widget state comes from the kernel, and the page would embed it
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and index >= boundary:
            allowed = messages.Allowed.from_source(trusted_source(cell, sources))
            cell.outputs = [test_output(cell, allowed) if is_test_cell(cell) else note_output()]
            cell.execution_count = None
        elif cell.cell_type == "code" and (utils.is_grade(cell) or utils.is_locked(cell)):
            shorten_tracebacks(cell)
        if BEGIN in cell.source:
            cell.source = "\n".join(split_hidden(cell.source)[0])
    return nb


def trusted_source(cell: NotebookNode, sources: dict[str, str]) -> str:
    """The gradebook's source of ``cell`` if the autograded notebook holds exactly the same, else ``""``.

    nbgrader restored the test cells from the gradebook before the kernel started (their checksum covers
    the exact source), so the two agree; a kernel that wrote into its gradebook copy while it ran (possible
    only without the sandbox) makes them differ, and then the cell's source allows nothing.
    """
    source = sources.get(grade_id(cell) or "")
    return source if source is not None and source == cell.source else ""
