"""Students who break things, on purpose or not (rnn_step). None may gain a point they did not earn."""

from __future__ import annotations

from nbformat import NotebookNode

from .kit import Kit, answered, cell_index, replace_in

RNN_STEP_BODY = "v = np.concatenate([h_prev, x], axis=-1)\n    return np.tanh(v @ W.T + b)"


def graded_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


def rnn_step_doing(kit: Kit, body: str, nb: NotebookNode | None = None) -> NotebookNode:
    """The perfect notebook whose rnn_step does ``body`` (indented 4) instead of the right computation."""
    return replace_in(kit, "rnn_step_answer", RNN_STEP_BODY, body)


def edited_tests(kit: Kit) -> NotebookNode:
    """Blank answers, and every test cell rewritten to ``pass``."""
    nb = kit.released
    for cell in graded_cells(nb):
        cell.source = "pass"
    return nb


def deleted_tests(kit: Kit) -> NotebookNode:
    """Right answers, every test cell deleted, and a kernel the grading machine does not have.

    The tests come back from the gradebook and pass; nbgrader runs the course's kernel.
    """
    nb = answered(kit)
    nb.cells = [c for c in nb.cells if c not in graded_cells(nb)]
    nb.metadata["kernelspec"] = {"name": "my-own-kernel", "display_name": "Mine", "language": "python"}
    return nb


def changed_metadata(kit: Kit) -> NotebookNode:
    """The sigmoid mistake; every test claims 100 points, and the failing ones are renamed and emptied.

    Points come back from the gradebook; a renamed cell is ungraded plain code and the real test is put
    back where it was.
    """
    nb = rnn_step_doing(kit, "v = np.concatenate([h_prev, x], axis=-1)\n    return 1 / (1 + np.exp(-(v @ W.T + b)))")
    for cell in graded_cells(nb):
        meta = cell.metadata["nbgrader"]
        meta["points"] = 100
        if meta["grade_id"].startswith(("rnn_step", "rnn_unroll", "gradient_norms")):
            meta["grade_id"] = "mine_" + meta["grade_id"]
            cell.source = "pass"
    return nb


def loop_in_cell(kit: Kit) -> NotebookNode:
    """An endless loop in the Part A answer cell: that cell is interrupted, the rest is graded."""
    nb = answered(kit)
    index = cell_index(nb, "rnn_by_hand_answer")
    nb.cells[index].source = "while True:\n    pass\n" + nb.cells[index].source
    return nb


def stuck(kit: Kit) -> NotebookNode:
    """An endless loop that ignores interrupts: only the per-student time limit stops it."""
    nb = answered(kit)
    index = cell_index(nb, "rnn_by_hand_answer")
    nb.cells[index].source = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
    return nb


def freeze_grader(kit: Kit) -> NotebookNode:
    """Stops the grading process that runs the kernel (SIGSTOP): only the per-student time limit helps."""
    nb = answered(kit)
    index = cell_index(nb, "rnn_by_hand_answer")
    nb.cells[index].source = "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\n" + nb.cells[index].source
    return nb


def kill_grader(kit: Kit) -> NotebookNode:
    """Kills the grading process that runs the kernel (SIGKILL)."""
    nb = answered(kit)
    index = cell_index(nb, "rnn_by_hand_answer")
    nb.cells[index].source = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + nb.cells[index].source
    return nb


def exits(kit: Kit) -> NotebookNode:
    """rnn_step calls sys.exit(): IPython turns it into an error in each test; the kernel survives."""
    return rnn_step_doing(kit, "import sys\n    sys.exit()")


def os_exit(kit: Kit) -> NotebookNode:
    """rnn_step calls os._exit(0): the kernel dies at the first call."""
    return rnn_step_doing(kit, "import os\n    os._exit(0)")


def segfault(kit: Kit) -> NotebookNode:
    """rnn_unroll reads address 0 with ctypes: the kernel crashes."""
    crash = "    import ctypes\n    ctypes.string_at(0)\n    hs = []"
    return replace_in(kit, "rnn_unroll_answer", "    hs = []", crash)


def patch_numpy(kit: Kit) -> NotebookNode:
    """The sigmoid mistake, then np.allclose / np.isclose replaced and the grading helpers overwritten.

    rnnlab.grading refuses the assignment; every later check detects the replaced numpy functions.
    """
    nb = rnn_step_doing(kit, "v = np.concatenate([h_prev, x], axis=-1)\n    return 1 / (1 + np.exp(-(v @ W.T + b)))")
    index = cell_index(nb, "rnn_step_answer")
    nb.cells[index].source += (
        "\n\nnp.allclose = lambda *args, **kwargs: True\n"
        "np.isclose = lambda a, b, **kwargs: np.ones(np.shape(a), dtype=bool)\n"
        "for name in ['check_rnn_step', 'check_rnn_unroll', 'check_gradient_norms', 'check_choice']:\n"
        "    try:\n        setattr(grading, name, lambda *args, **kwargs: None)\n"
        "    except AttributeError:\n        pass\n"
    )
    return nb


def rebind_grading(kit: Kit) -> NotebookNode:
    """Blank answers; rebinds the notebook's name ``grading`` to a look-alike whose checks do nothing.

    No check in the student's process can see this (the real helpers never run): the pipeline grades it
    as written and flags it for review. Documented in instructors.md.
    """
    nb = kit.released
    index = cell_index(nb, "rnn_by_hand_answer")
    nb.cells[index].source = (
        "class Anything:\n    def __getattr__(self, name):\n        return lambda *args, **kwargs: None\n\n"
        "grading = Anything()\n" + nb.cells[index].source
    )
    return nb


def always_equal(kit: Kit) -> NotebookNode:
    """rnn_step returns an object equal to everything."""
    return rnn_step_doing(
        kit,
        "class Same:\n        def __eq__(self, other):\n            return True\n\n"
        "        def __array__(self, dtype=None, copy=None):\n            raise TypeError('no')\n\n    return Same()",
    )


def calls_reference(kit: Kit) -> NotebookNode:
    """rnn_step returns rnnlab's own rnn_step instead of computing it."""
    return rnn_step_doing(kit, "return rnnlab.rnn_step(x, h_prev, rnnlab.RNNParams(W, b)).h")


def huge_allocation(kit: Kit) -> NotebookNode:
    """Right answers, but Part A's answer cell first asks for 6 GiB: refused at once (memory limit)."""
    nb = answered(kit)
    index = cell_index(nb, "rnn_by_hand_answer")
    nb.cells[index].source = "block = bytearray(6 * 2**30)\n" + nb.cells[index].source
    return nb


def flood(kit: Kit) -> NotebookNode:
    """Right answers, and 10 MB printed in one line."""
    nb = answered(kit)
    nb.cells[cell_index(nb, "rnn_step_answer")].source += "\n\nprint('x' * 10_000_000)"
    return nb


def hide_errors(kit: Kit) -> NotebookNode:
    """Blank answers; an IPython input transformer wraps every later cell in ``try: ... except: pass``.

    Errors then never reach nbgrader, so every test "passes". It runs inside the student's kernel, before
    the tests, so nothing there can stop it: the pipeline flags it for review (instructors.md).
    """
    nb = kit.released
    index = cell_index(nb, "rnn_by_hand_answer")
    nb.cells[index].source = (
        "def _swallow(lines):\n"
        "    body = ['    ' + line for line in lines]\n"
        "    return ['try:\\n'] + body + ['\\n', 'except BaseException:\\n', '    pass\\n']\n"
        "get_ipython().input_transformers_post.append(_swallow)\n"
    )
    return nb


def leak_hidden_tests(kit: Kit) -> NotebookNode:
    """Right answers, and prints the hidden tests it finds in the gradebook file it is graded with.

    Grading is not sandboxed, so this works; the feedback page would show them, so it is withheld.
    """
    nb = answered(kit)
    nb.cells[cell_index(nb, "answer_shrink_answer")].source += (
        "\n\nimport glob, os, sqlite3\n"
        "for path in glob.glob(os.path.join(os.getcwd(), '..', '..', '..', '**', '*.db'), recursive=True):\n"
        "    for (source,) in sqlite3.connect(path).execute('SELECT source FROM source_cell'):\n"
        "        if 'HIDDEN' in source:\n"
        "            print(source)\n"
    )
    return nb
