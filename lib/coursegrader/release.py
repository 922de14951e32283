"""``python -m coursegrader release``: regenerate exercises/ from solutions/ with nbgrader.

nbgrader writes the student versions into a temporary course directory (``--no-db``, so the course
gradebook is untouched and nothing stale from an earlier release survives); the release notebooks are
then copied into exercises/<assignment>/, replacing what was there. exercises/index.md (the book page)
is left alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .course import Course

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Course(ROOT).source
RELEASE = Course(ROOT).release


def assignments(source: Path = SOURCE) -> list[str]:
    """Every assignment id: the sub-folders of solutions/ holding at least one notebook."""
    return sorted(d.name for d in source.iterdir() if d.is_dir() and any(d.glob("*.ipynb")))


def nbgrader_command() -> list[str]:
    """Run nbgrader with this interpreter (works without activating the virtual environment)."""
    return [sys.executable, "-m", "nbgrader"]


def generate_into(workdir: Path, ids: list[str] | None = None, source: Path = SOURCE) -> Path:
    """Run ``nbgrader generate_assignment`` for ``ids`` (default: all) in ``workdir``; return its release dir.

    ``workdir`` becomes a throw-away course root holding a copy of ``source`` as ``solutions/``.
    Raises ``RuntimeError`` with nbgrader's log if it fails.
    """
    ids = ids or assignments(source)
    course = Path(workdir)
    layout = Course(course)
    for assignment in ids:
        shutil.copytree(source / assignment, layout.source / assignment, dirs_exist_ok=True)
    env = dict(os.environ)
    # nbgrader runs helpers such as `alembic` by name: put this interpreter's scripts first on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    pattern = ids[0] if len(ids) == 1 else "*"
    command = [
        *nbgrader_command(), "generate_assignment", pattern, "--no-db", "--force",
        f"--CourseDirectory.root={course}",
        f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    release = layout.release
    missing = [a for a in ids if not (release / a).is_dir()]
    if missing:
        raise RuntimeError(f"nbgrader produced no release for {missing}:\n{done.stdout}{done.stderr}")
    return release


def copy_release(release: Path, ids: list[str], destination: Path = RELEASE) -> list[Path]:
    """Make destination/<id>/ hold exactly the release notebooks of each assignment; return the files."""
    written = []
    for assignment in ids:
        target = destination / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(release / assignment, target)
        written += sorted(target.rglob("*.ipynb"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coursegrader release", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: every folder of solutions/)")
    args = parser.parse_args(argv)
    known = assignments()
    unknown = [a for a in args.assignments if a not in known]
    if unknown:
        print(f"unknown assignment(s) {unknown}; solutions/ holds {known}", file=sys.stderr)
        return 2
    ids = args.assignments or known
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        try:
            release = generate_into(Path(tmp), ids)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        for path in copy_release(release, ids):
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
