"""Finding what attacks leave behind: marked processes, library writes, leaked encodings."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from .constants import PROCESS_MARKER
from .payload_disk import _payload_numpy_file, _payload_site_dirs
from .payload_leak import _leak_forms


def _line_hash(line: str) -> str:
    import hashlib

    return hashlib.sha1(line.strip().encode()).hexdigest()[:12]


def encodings(line: str) -> list[str]:
    """The encoded forms of one hidden-test line (stripped) the leaking students write out.

    Search a feedback page's text (``html.unescape`` it first: the rot13 and reversed forms contain
    quotes and brackets) for each; the PNG channel carries ``LEAK_MARKER`` and the base64 forms in the
    text chunk of an embedded image.
    """
    return [value for _, value in _leak_forms(line.strip())]


def marked_processes() -> list[int]:
    """pids of the live processes whose command line carries ``PROCESS_MARKER`` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if PROCESS_MARKER.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def kill_marked(rounds: int = 20) -> int:
    """SIGKILL every marked process until none is left (fork-hoppers change pid); how many were killed."""
    killed = 0
    for _ in range(rounds):
        pids = marked_processes()
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        time.sleep(0.2)
    return killed


def library_folders() -> list[Path]:
    """Every folder ``attack_write_library`` writes into, for this interpreter (the kernel's, in the tests)."""
    import numpy

    import rnnlab.grading

    numeric = Path(_payload_numpy_file()).parent
    sites = {Path(folder) for folder in _payload_site_dirs()}
    return sorted({Path(rnnlab.grading.__file__).parent, numeric, Path(numpy.__file__).parent, *sites})


def undo_writes(*folders: Path) -> list[Path]:
    """Take ``attack_write_library``'s marked blocks out of the files in ``folders`` (not below), delete its files.

    Call it with :func:`library_folders` after a test that may have let the attack write.
    """
    begin, end = f"\n\n# {PROCESS_MARKER} begin", f"# {PROCESS_MARKER} end\n"
    alternative = f"\n# {PROCESS_MARKER} begin"
    changed = []
    for folder in folders:
        for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
            if not path.is_file() or path.suffix not in (".py", ".pth"):
                continue
            if PROCESS_MARKER in path.name:
                path.unlink()
                changed.append(path)
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if f"# {PROCESS_MARKER} begin" not in text:
                continue
            while f"# {PROCESS_MARKER} begin" in text:
                start = text.find(begin) if begin in text else text.find(alternative)
                stop = text.find(end, start)
                text = text[:start] + text[stop + len(end) :] if stop >= 0 else text[:start]
            if text.strip() or path.name not in ("sitecustomize.py", "usercustomize.py"):
                path.write_text(text, encoding="utf-8")
            else:
                path.unlink()
            changed.append(path)
    return changed
