"""Resuming an interrupted grading run: which students it already merged, and from which submission.

``grading/run-<assignment>.json`` is written as each student is merged into the gradebook (one atomic
write per student, after the student's transaction). A run that ends, however it ends short of an
interruption, marks it finished. If a run is interrupted (Ctrl-C, a lost connection to the cluster, the
machine), the next ``make grade`` of the same assignment with the same solutions and settings skips every
student merged from the same submission and grades the rest; ``--restart`` grades everyone again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from .course import write_atomically


def digest(parts: Iterable[bytes | str]) -> str:
    """SHA-256 over ``parts``, each length-prefixed (so no two different lists collide by concatenation)."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()


def folder_digest(folder: Path, *extra: str) -> str:
    """Digest of every file's name and bytes directly in ``folder`` (and ``extra`` strings)."""
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return digest([*extra, *(part for p in files for part in (p.name, p.read_bytes()))])


class Journal:
    """The merged students of the current run, kept on disk.

    Parameters
    ----------
    path : Path
        ``grading/run-<assignment>.json``.
    inputs : str
        Digest of what decides the grades besides the submissions (solutions, settings).
    restart : bool
        Ignore an interrupted run's journal.
    """

    def __init__(self, path: Path, inputs: str, restart: bool = False) -> None:
        self.path = path
        self.inputs = inputs
        previous = self._read()
        resumable = not restart and previous.get("inputs") == inputs and not previous.get("finished", True)
        self.earlier: dict[str, str] = dict(previous.get("merged", {})) if resumable else {}
        self.merged: dict[str, str] = dict(self.earlier)
        self._write(finished=False)

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, finished: bool) -> None:
        record = {"inputs": self.inputs, "finished": finished, "merged": self.merged}
        write_atomically(self.path, json.dumps(record, indent=1, sort_keys=True))

    def already_merged(self, student: str, submission: str) -> bool:
        """True if the interrupted run merged ``student`` from this very ``submission`` (a digest)."""
        return self.earlier.get(student) == submission

    def record(self, student: str, submission: str) -> None:
        self.merged[student] = submission
        self._write(finished=False)

    def finish(self) -> None:
        self._write(finished=True)
