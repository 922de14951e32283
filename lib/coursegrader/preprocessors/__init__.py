"""coursegrader's nbgrader preprocessors, in one place (as nbgrader keeps its own in ``nbgrader.preprocessors``).

- :mod:`.execute`: ``CappedExecute`` (nbgrader's ``Execute``, each cell's output capped as it arrives) and
  ``SandboxedExecute`` (the same, its kernels in a bubblewrap sandbox): autograde's execution step.
- :mod:`.restore_metadata`: ``RestoreCellMetadata``, which puts back the nbgrader metadata a student changed
  or the read-only cells they deleted: autograde's sanitize step.
- :mod:`.feedback`: ``GetGradesAndSources`` and ``HideHiddenTests``, the feedback page's steps
  (``FEEDBACK_PREPROCESSORS``, used by :class:`coursegrader.feedback.FeedbackWriter`).

The grading worker (:func:`coursegrader.worker.worker_config`) lists the autograde ones in nbgrader's
``Autograde.sanitize_preprocessors`` and ``Autograde.autograde_preprocessors``. The feedback ones are
imported from their module when a feedback page is first made, not here: the worker needs none of them.
"""

from .execute import CappedExecute, SandboxedExecute
from .restore_metadata import RestoreCellMetadata

__all__ = ["CappedExecute", "RestoreCellMetadata", "SandboxedExecute"]
