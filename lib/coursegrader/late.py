"""When a submission was handed in, how late it was, and the penalty for it.

**Submission time**, for each student, from the first source that has one:

1. ``timestamp.txt`` in the student's folder (or its assignment sub-folder), as ``nbgrader collect`` and
   the nbgrader exchange write it (``2026-12-10 21:03:11.861000 UTC``), read with nbgrader's own parser;
2. the time of the notebook's entry in the zip of submissions (zip entries carry a local time);
3. the notebook file's modification time.

Times are stored in the gradebook as nbgrader stores them: UTC without a time zone
(``SubmittedAssignment.timestamp``; the due date in ``Assignment.duedate``).

**Penalty**: nbgrader's ``LateSubmissionPlugin`` interface, ``late_submission_penalty(student_id, score,
total_seconds_late) -> points or None``, applied to each notebook's score and kept between 0 and that
score (as nbgrader's ``AssignLatePenalties`` does). The rule comes from ``--late-penalty``:

- ``none`` (the default): no penalty, lateness is only reported;
- ``zero``: a late notebook scores 0 (nbgrader's own ``penalty_method = 'zero'``);
- ``P%/hour`` or ``P%/day``: P percent of the notebook's score for every started hour (day) late, at
  most all of it. ``10%/day`` and 1 hour late: 10%; 25 hours late: 20%.

A course can also name its own plugin class in ``nbgrader_config.py``
(``c.AssignLatePenalties.plugin_class = "mymodule.MyPenalty"``), as for nbgrader; ``--late-penalty``
then overrides it for one run.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.utils import parse_utc
from traitlets import Enum, Float
from traitlets.utils.importstring import import_item

TIMESTAMP = "timestamp.txt"
RULE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*/\s*(hour|day)\s*$")


class PercentPerPeriod(LateSubmissionPlugin):
    """``percent`` of the score for every started ``period`` late, at most the whole score."""

    percent = Float(10.0, help="percent of the notebook's score per started period late").tag(config=True)
    period = Enum(("hour", "day"), default_value="day", help="the period").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        if total_seconds_late <= 0:
            return None
        seconds = 3600.0 if self.period == "hour" else 86400.0
        periods = math.ceil(total_seconds_late / seconds)
        return score * min(1.0, self.percent / 100.0 * periods)


def penalty_plugin(rule: str | None, config=None) -> LateSubmissionPlugin:
    """The plugin for a ``--late-penalty`` rule, or the course's configured one when ``rule`` is None.

    Parameters
    ----------
    rule : str or None
        ``none``, ``zero``, ``P%/hour`` or ``P%/day``.
    config : traitlets.config.Config, optional
        The course's nbgrader configuration (``AssignLatePenalties.plugin_class``).

    Returns
    -------
    LateSubmissionPlugin

    Raises
    ------
    ValueError
        For a rule in none of these forms.
    """
    if rule is None:
        name = (config or {}).get("AssignLatePenalties", {}).get("plugin_class")
        plugin_class = import_item(name) if isinstance(name, str) else (name or LateSubmissionPlugin)
        return plugin_class(config=config)
    text = rule.strip().lower()
    if text in ("none", "zero"):
        return LateSubmissionPlugin(penalty_method=text)
    match = RULE.match(text)
    if not match:
        raise ValueError(f"--late-penalty: expected none, zero, P%/hour or P%/day (e.g. 10%/day), received {rule!r}")
    return PercentPerPeriod(percent=float(match.group(1)), period=match.group(2))


def penalty(plugin: LateSubmissionPlugin, student: str, score: float, seconds_late: float) -> float:
    """The plugin's penalty for one notebook, between 0 and ``score`` (0 when not late)."""
    if seconds_late <= 0:
        return 0.0
    value = plugin.late_submission_penalty(student, score, seconds_late)
    return 0.0 if value is None else min(max(float(value), 0.0), max(score, 0.0))


def parse_due(text: str) -> datetime:
    """A due date, ``2026-12-10T23:59`` (the grading machine's local time) or with an offset, as naive UTC.

    Raises
    ------
    ValueError
        When the text is not an ISO 8601 date and time.
    """
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(f"--due: expected a date and time such as 2026-12-10T23:59, received {text!r}") from error
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time of this machine
    return moment.astimezone(UTC).replace(tzinfo=None)


def utc_from_local(moment: datetime) -> datetime:
    """A naive local time (a zip entry's) as naive UTC."""
    return moment.astimezone().astimezone(UTC).replace(tzinfo=None)


def file_time(path: Path) -> datetime:
    """A file's modification time as naive UTC."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def read_timestamp(folder: Path, assignment_id: str) -> datetime | None:
    """nbgrader's ``timestamp.txt`` in ``folder`` or ``folder/<assignment_id>`` as naive UTC, if readable."""
    for candidate in (folder / assignment_id / TIMESTAMP, folder / TIMESTAMP):
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8", errors="replace").strip()
            try:
                return parse_utc(text) if text else None
            except (ValueError, OverflowError):
                return None
    return None


def submission_time(folder: Path, assignment_id: str, notebooks: list[Path],
                    zip_times: dict[Path, datetime]) -> tuple[datetime | None, str]:  # fmt: skip
    """When one student handed in, and where that time came from (``timestamp.txt``, ``zip entry``, ``file time``).

    Parameters
    ----------
    folder : Path
        The student's folder as handed in (extracted, for a zip).
    assignment_id : str
    notebooks : list of Path
        The student's notebooks found in ``folder``; the latest of their times counts.
    zip_times : dict of Path to datetime
        Naive UTC times of the zip's entries by extracted path (empty for a folder of submissions).

    Returns
    -------
    (datetime or None, str)
    """
    stamp = read_timestamp(folder, assignment_id)
    if stamp is not None:
        return stamp, "timestamp.txt"
    if not notebooks:
        return None, ""
    if zip_times and all(path in zip_times for path in notebooks):
        return max(zip_times[path] for path in notebooks), "zip entry"
    return max(file_time(path) for path in notebooks), "file time"


def minutes_late(seconds_late: float) -> int:
    """Whole minutes late, started minutes counted (0 when on time)."""
    return math.ceil(seconds_late / 60.0) if seconds_late > 0 else 0
