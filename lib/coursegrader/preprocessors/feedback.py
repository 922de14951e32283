"""The feedback page's nbgrader preprocessors: scores and trusted sources from the gradebook, hidden tests hidden.

What they hide, and why, is :mod:`coursegrader.hiding`'s; they run in :class:`coursegrader.feedback.FeedbackWriter`.
"""

from __future__ import annotations

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader import utils
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor

from ..gradebook import cell_score
from ..hiding import gradebook_sources, hide, trusted_sources


class GetGradesAndSources(GetGrades):
    """nbgrader's ``GetGrades``, also putting the notebook's trusted sources into ``resources`` (same session).

    A notebook with answers still to be graded by hand shows its total as ``14 (+ 2 pending)``.
    """

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        waiting = sum(
            float(c.metadata.nbgrader.get("points") or 0)
            for c in nb.cells
            if utils.is_grade(c) and c.metadata.nbgrader.get("score") is None
        )
        if waiting:
            resources["nbgrader"]["score"] = f"{resources['nbgrader']['score']:g} (+ {waiting:g} pending)"
        return nb, resources

    def _get_score(self, cell, resources):
        """nbgrader's, except that an answer not graded yet gets the score None (shown "pending"), not 0."""
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"], self.notebook_id, self.assignment_id, self.student_id
        )
        cell.metadata.nbgrader["score"] = cell_score(grade)
        cell.metadata.nbgrader["points"] = grade.max_score

    def preprocess_cell(self, cell, resources, cell_index):
        if "trusted_sources" not in resources["nbgrader"]:
            resources["nbgrader"]["trusted_sources"] = gradebook_sources(
                self.gradebook, self.assignment_id, self.notebook_id
            )
        return super().preprocess_cell(cell, resources, cell_index)


class HideHiddenTests(NbGraderPreprocessor):
    """:func:`hide` as an nbconvert preprocessor (after ``GetGradesAndSources``, or reading the gradebook itself)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        sources = info.get("trusted_sources")
        if sources is None:
            sources = trusted_sources(info["db_url"], info["assignment"], info["notebook"])
        return hide(nb, sources), resources


FEEDBACK_PREPROCESSORS = [GetGradesAndSources, HideHiddenTests, CSSHTMLHeaderPreprocessor]
