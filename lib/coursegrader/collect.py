"""Read a class's submissions (a folder or a zip), validate them, and copy them into ``grading/submitted``.

The folder holds one sub-folder per student, named by student id, with that student's notebooks in it
(directly, or in a sub-folder named after the assignment). A zip of such a folder works too, also
when everything sits in one wrapping folder. Zips are checked before anything is extracted: absolute
paths, ``..`` and symbolic links are refused.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import nbformat

from .course import STUDENT_ID_PATTERN, Course
from .late import submission_time, utc_from_local

MAX_ZIP_BYTES = 2 * 1024**3
IGNORED_FOLDERS = {"__MACOSX", ".ipynb_checkpoints"}


class SubmissionsError(ValueError):
    """The submissions path cannot be used at all (missing, unsafe zip, no student folders)."""


@dataclass
class Submission:
    """One student's collected work: the notebooks that can be graded, and what is wrong with the rest."""

    student: str
    notebooks: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    submitted_at: datetime | None = None  # naive UTC (coursegrader.late)
    time_source: str = ""  # "timestamp.txt", "zip entry" or "file time"


def extract_zip(archive: Path, destination: Path) -> Path:
    """Extract ``archive`` into ``destination`` after checking every member; return the class folder."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as error:
        raise SubmissionsError(f"{archive} is not a readable zip file: {error}") from error
    with zf:
        total = 0
        for info in zf.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or re.match(r"^[A-Za-z]:", info.filename):
                raise SubmissionsError(f"{archive}: refusing unsafe path {info.filename!r} (outside the folder)")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise SubmissionsError(f"{archive}: refusing symbolic link {info.filename!r}")
            total += info.file_size
        if total > MAX_ZIP_BYTES:
            raise SubmissionsError(f"{archive}: {total} bytes uncompressed, more than the {MAX_ZIP_BYTES} allowed")
        zf.extractall(destination)
    return unwrap(destination)


def zip_entry_times(archive: Path, destination: Path) -> dict[Path, datetime]:
    """Naive UTC time of every file entry of ``archive``, by the path it was extracted to in ``destination``."""
    with zipfile.ZipFile(archive) as zf:
        return {
            (destination / info.filename.replace("\\", "/")).resolve(): utc_from_local(datetime(*info.date_time))
            for info in zf.infolist()
            if not info.is_dir()
        }


def entries(folder: Path) -> list[Path]:
    """The visible entries of ``folder`` (no dot files, no macOS zip debris), sorted."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in IGNORED_FOLDERS)


def unwrap(folder: Path) -> Path:
    """If ``folder`` holds a single wrapping folder of student folders, return that folder instead."""
    inside = entries(folder)
    if len(inside) == 1 and inside[0].is_dir():
        only = inside[0]
        if not any(p.is_file() and p.suffix == ".ipynb" for p in entries(only)):
            if any(p.is_dir() for p in entries(only)):
                return only
    return folder


def open_submissions(path: Path, scratch: Path) -> Path:
    """The class folder behind ``path`` (a folder, or a zip extracted safely into ``scratch``)."""
    if not path.exists():
        raise SubmissionsError(f"submissions path {path} does not exist")
    if path.is_dir():
        return unwrap(path)
    return extract_zip(path, scratch)


def find_notebook(student_folder: Path, assignment_id: str, name: str) -> Path | None:
    """``<student>/<name>.ipynb`` or ``<student>/<assignment_id>/<name>.ipynb``, whichever exists."""
    for candidate in (student_folder / f"{name}.ipynb", student_folder / assignment_id / f"{name}.ipynb"):
        if candidate.is_file():
            return candidate
    return None


def is_readable_notebook(path: Path) -> bool:
    """True if ``path`` parses as a valid nbformat-4 notebook."""
    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except Exception:  # noqa: BLE001 - any parse or schema error means "malformed"
        return False
    return True


def replace_folder(new: Path, final: Path) -> None:
    """Move ``new`` to ``final``, replacing what was there (re-collecting never duplicates files)."""
    old = final.with_name(final.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    final.parent.mkdir(parents=True, exist_ok=True)
    new.rename(final)
    if old.exists():
        shutil.rmtree(old)


def collect_student(course: Course, assignment_id: str, folder: Path, names: list[str],
                    zip_times: dict[Path, datetime] | None = None) -> Submission:  # fmt: skip
    """Validate one student's folder and copy its notebooks to ``grading/submitted/<id>/<assignment>``.

    The submission time comes from :func:`coursegrader.late.submission_time` (``zip_times``: the zip's
    entry times, when the class came as a zip).
    """
    submission = Submission(folder.name)
    if not re.fullmatch(STUDENT_ID_PATTERN, folder.name):
        submission.problems.append("invalid student id")
        return submission
    staging = course.submitted / f".staging-{folder.name}" / assignment_id
    if staging.parent.exists():
        shutil.rmtree(staging.parent)
    staging.mkdir(parents=True)
    handed_in = []
    for name in names:
        found = find_notebook(folder, assignment_id, name)
        if found is not None:
            handed_in.append(found.resolve())
        if found is None:
            submission.problems.append("missing notebook" if len(names) == 1 else f"missing notebook {name}")
        elif not is_readable_notebook(found):
            submission.problems.append("malformed notebook" if len(names) == 1 else f"malformed notebook {name}")
        else:
            shutil.copyfile(found, staging / f"{name}.ipynb")
    final = course.submitted / folder.name / assignment_id
    replace_folder(staging, final)
    shutil.rmtree(staging.parent)
    submission.notebooks = {p.stem: p for p in sorted(final.glob("*.ipynb"))}
    submission.submitted_at, submission.time_source = submission_time(folder, assignment_id, handed_in, zip_times or {})
    return submission


def collect(course: Course, assignment_id: str, class_folder: Path, names: list[str],
            zip_times: dict[Path, datetime] | None = None) -> list[Submission]:  # fmt: skip
    """Collect every student folder in ``class_folder``; a bad student never stops the others."""
    students = [p for p in entries(class_folder) if p.is_dir()]
    if not students:
        raise SubmissionsError(f"{class_folder} holds no student folders (expected one folder per student id)")
    return [collect_student(course, assignment_id, folder, names, zip_times) for folder in students]
