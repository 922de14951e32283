"""Cap how much output one cell may keep, in characters (nbgrader's LimitOutput only counts lines).

A student who prints 10 MB on one line would otherwise carry it into the autograded notebook, the
feedback HTML and the report. Stream text is cut to ``max_chars`` per cell; stderr stays stderr, so a
failing test still fails.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

NOTICE = "\n... output truncated by the grader ({} characters dropped) ...\n"


class LimitOutputBytes(NbGraderPreprocessor):
    """Truncate each code cell's stream outputs to at most ``max_chars`` characters in total."""

    max_chars = Integer(20_000, help="characters of stream output kept per cell (-1: no limit)").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or self.max_chars < 0:
            return cell, resources
        budget = self.max_chars
        for output in cell.outputs:
            if output.output_type != "stream":
                continue
            text = output.text if isinstance(output.text, str) else "".join(output.text)
            if len(text) > budget:
                output.text = text[: max(budget, 0)] + NOTICE.format(len(text) - max(budget, 0))
            budget -= min(len(text), budget)
        return cell, resources
