"""What the grading client and its workers exchange, and what a grading run keeps per student, as typed values.

The client (:mod:`coursegrader.grade`, :mod:`coursegrader.dispatch`) sends every Dask task of a run the same
:class:`WorkerSpec` and one :class:`Task` per student; on the Dask worker (:mod:`coursegrader.remote`) a
supervised child process (:mod:`coursegrader.supervisor`, :mod:`coursegrader.worker`) reads the spec once
(``spec.json``) and a task per student (one JSON line on its stdin), and answers each with a
:class:`StudentOutcome` (one JSON line on its result pipe), holding a :class:`NotebookOutcome` per notebook.
The client keeps a :class:`StudentResult` per student in ``grading/results-<assignment>.json``.

Every class is a frozen dataclass of plain values (strings, numbers, booleans, tuples, dicts of those):
it pickles, so it travels to Dask workers on other machines, and holds no open file or handle. ``to_json``
gives the JSON form, ``from_json`` reads it back, ignoring keys it does not know (older files held more).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .sandbox.limits import Limits


def _known(cls: type, data: Mapping) -> dict:
    """The items of ``data`` that are fields of the dataclass ``cls``."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def _strings(values) -> tuple[str, ...]:
    return tuple(str(value) for value in values or ())


@dataclass(frozen=True)
class WorkerSpec:
    """What every worker of one grading run needs to know, the same for every student.

    Nothing in it names a folder of the instructor's machine: a worker may run anywhere. ``work_area`` is
    the grading child's own folder, set on the worker (empty until then); the submissions and the pristine
    gradebook are copied into it (:class:`coursegrader.course.WorkArea`).

    What to grade and how: ``assignment``; ``nbgrader_config`` (the course's ``nbgrader_config.py``, as
    plain values); ``cell_order`` (notebook name -> its grade_ids in the released order, where deleted cells
    go back); ``cell_timeout`` (seconds per cell); ``sandbox`` (bubblewrap or not); ``limits`` (the
    sandbox's resource limits); ``packages`` (course packages the kernels import); ``preload`` (modules of
    theirs that every notebook imports: the sandbox's zygote imports them once for all kernels).

    What must not change while grading: the pristine gradebook every student starts from (its
    ``pristine_sha256``) and ``library_sha256`` (digest of ``packages`` as the instructor has them).
    """

    assignment: str
    nbgrader_config: Mapping = field(default_factory=dict)
    pristine_sha256: str = ""
    library_sha256: str = ""
    packages: tuple[str, ...] = ()
    preload: tuple[str, ...] = ()
    sandbox: bool = True
    limits: Limits = Limits()
    cell_timeout: int = 60
    cell_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    work_area: str = ""

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> WorkerSpec:
        values = _known(cls, data)
        values["packages"] = _strings(values.get("packages"))
        values["preload"] = _strings(values.get("preload"))
        values["limits"] = Limits(**values.get("limits", {}))
        values["cell_order"] = {nb: _strings(ids) for nb, ids in values.get("cell_order", {}).items()}
        return cls(**values)


@dataclass(frozen=True)
class Task:
    """One student to grade: their id and the names (without ``.ipynb``) of their notebooks that can be graded."""

    student: str
    notebooks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "notebooks", _strings(self.notebooks))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> Task:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class NotebookOutcome:
    """How one notebook's autograde run went.

    ``ran``: it ran to its end (its autograded copy then has scores). ``problems``: its statuses (limits,
    dead kernel, processes left behind, ...; empty: fine). ``log``: the end of nbgrader's log, kept when it
    did not run.
    """

    notebook: str
    ran: bool = False
    problems: tuple[str, ...] = ()
    log: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "problems", _strings(self.problems))
        object.__setattr__(self, "log", _strings(self.log))

    @classmethod
    def from_json(cls, data: Mapping) -> NotebookOutcome:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class StudentOutcome:
    """What became of one student's task: the worker's answer, or the parent's when it had to stop the worker.

    What ran: ``notebooks`` (one outcome each) and ``work_area`` (the worker's folder, holding
    ``autograded/<student>/<assignment>/``; None when nothing was graded).

    What went wrong, at most one of: ``violation`` (the sandbox failed: the run stops), ``fatal`` (the
    worker cannot go on; the parent replaces it and reports this as the student's ``problem``), ``error``
    (a traceback of the worker's own failure), ``problem`` (a status the parent set: time limit, dead or
    stopped worker).
    """

    student: str | None = None
    notebooks: tuple[NotebookOutcome, ...] = ()
    work_area: str | None = None
    violation: str | None = None
    fatal: str | None = None
    error: str | None = None
    problem: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "notebooks", tuple(self.notebooks))

    @property
    def autograded_root(self) -> Path | None:
        """``<work area>/autograded``, where this run's autograded notebooks are (None without a work area)."""
        from .course import WorkArea

        return None if self.work_area is None else WorkArea(Path(self.work_area)).autograded

    def to_json(self) -> dict:
        """The JSON form, without the fields left at their default (what the worker writes on its pipe)."""
        data = asdict(self)
        return {key: value for key, value in data.items() if key == "student" or value not in (None, ())}

    @classmethod
    def from_json(cls, data: Mapping) -> StudentOutcome:
        values = _known(cls, data)
        values["notebooks"] = tuple(NotebookOutcome.from_json(item) for item in values.get("notebooks", ()))
        return cls(**values)


@dataclass(frozen=True)
class StudentResult:
    """What one grading run found about one student, besides the scores (those live in the gradebook).

    Parameters
    ----------
    student : str
    problems : tuple of str
        Statuses such as ``kernel died`` (empty: graded normally).
    mistakes : tuple of str
        ``"grade_id: likely mistake"`` (the diagnoses of :func:`coursegrader.report.diagnosed_mistakes`).
    blank : bool
        No answer cell differs from the released notebook.
    time_source : str
        Where the submission time came from (``timestamp.txt``, ``zip entry``, ``file time``).
    """

    student: str
    problems: tuple[str, ...] = ()
    mistakes: tuple[str, ...] = ()
    blank: bool = False
    time_source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "problems", _strings(self.problems))
        object.__setattr__(self, "mistakes", _strings(self.mistakes))

    def to_json(self) -> dict:
        data = asdict(self)
        return {**data, "problems": list(self.problems), "mistakes": list(self.mistakes)}

    @classmethod
    def from_json(cls, data: Mapping) -> StudentResult:
        return cls(**_known(cls, data))  # older files held scores too
