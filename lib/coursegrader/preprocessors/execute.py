"""nbgrader's ``Execute``, with each cell's output capped as it arrives, and its sandboxed variant.

Capping while the kernel runs (rather than after, as nbgrader's ``LimitOutput`` counts lines) keeps a
student who prints gigabytes from filling the grader's memory, the autograded notebook, the feedback
page and the report. Stream text is cut to ``max_chars`` per cell (stderr stays stderr, so a failing
test still fails); rich outputs (images, HTML) beyond ``max_rich_chars`` per cell are replaced by a note.
"""

from __future__ import annotations

from nbgrader.preprocessors import Execute
from traitlets import Integer

NOTICE = "\n... output truncated by the grader (more than {} characters in one cell) ...\n"
DROPPED = "[an output of {} characters, dropped by the grader]"


def rich_size(content: dict) -> int:
    return sum(len(str(value)) for value in content.get("data", {}).values())


class CappedExecute(Execute):
    """``Execute`` that keeps at most ``max_chars`` characters of stream and error text per cell."""

    max_chars = Integer(20_000, help="characters of stream and error text kept per cell").tag(config=True)
    max_rich_chars = Integer(2_000_000, help="characters of rich output (images, HTML) kept per cell").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("shutdown_kernel", "immediate")  # nothing in a graded kernel needs a clean exit
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._used: dict[tuple[int, str], int] = {}
        return super().preprocess(nb, resources, km)

    def take(self, cell_index: int, kind: str, wanted: int, budget: int) -> int:
        """Reserve up to ``wanted`` characters of the cell's ``kind`` budget; return how many are granted."""
        used = self._used.get((cell_index, kind), 0)
        self._used[(cell_index, kind)] = used + wanted
        return max(0, min(wanted, budget - used))

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        kind = msg.get("msg_type")
        if kind == "stream":  # stdout and stderr have a budget each: a flood on one never hides the other
            text, name = content.get("text", ""), content.get("name", "stdout")
            granted = self.take(cell_index, name, len(text), self.max_chars)
            if granted < len(text):
                if granted == 0 and self._used.get((cell_index, name + " notice")):
                    return None
                self._used[(cell_index, name + " notice")] = 1
                content["text"] = text[:granted] + NOTICE.format(self.max_chars)
        elif kind == "error":  # never dropped: an error is what makes a test fail
            pieces = [content.get("evalue", ""), *content.get("traceback", [])]
            wanted = sum(len(piece) for piece in pieces)
            granted = self.take(cell_index, "error", wanted, self.max_chars)
            if granted < wanted:
                content["evalue"] = content.get("evalue", "")[:granted]
                content["traceback"] = [content["evalue"] + NOTICE.format(self.max_chars)]
        elif kind in ("display_data", "execute_result", "update_display_data"):
            size = rich_size(content)
            if self.take(cell_index, "rich", size, self.max_rich_chars) < size:
                content["data"] = {"text/plain": DROPPED.format(size)}
                content["metadata"] = {}
        return super().output(outs, msg, display_id, cell_index)


class SandboxedExecute(CappedExecute):
    """``CappedExecute`` whose kernels run in a bubblewrap sandbox (:mod:`coursegrader.sandbox`)."""

    def __init__(self, *args, **kwargs):
        from ..sandbox.kernel import SandboxedKernelManager

        kwargs["kernel_manager_class"] = SandboxedKernelManager  # nbgrader's Execute forces its own default
        super().__init__(*args, **kwargs)
