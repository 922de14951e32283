"""A sandbox's scratch folder and environment: what the kernel is given, and how it is taken back.

The scratch folder is the only writable place the kernel sees (its home and working folder); it holds the
student's own notebook and the assignment's other files, never a notebook nbgrader wrote. The environment
is built from nothing, so no variable of the grader's reaches the student's code.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .bwrap import SANDBOX_GID, SANDBOX_UID


def is_root() -> bool:
    return os.geteuid() == 0


def sandbox_env(scratch: Path, python: Path, pythonpath: str = "") -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's is passed on but a few numeric settings.

    ``pythonpath`` (:func:`~coursegrader.sandbox.view.import_path`) says where the course packages are.
    """
    env = {
        "HOME": str(scratch),
        "PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": str(scratch / ".matplotlib"),
        "IPYTHONDIR": str(scratch / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(scratch / ".jupyter"),
        "JUPYTER_DATA_DIR": str(scratch / ".local"),
        "JUPYTER_RUNTIME_DIR": str(scratch / ".jupyter" / "runtime"),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NBGRADER_EXECUTION": "autograde",
        "JPY_PARENT_PID": "1",  # the sandbox's reaper: ipykernel then knows it has a parent (and is quiet)
    }
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    for name in ("OPENBLAS_CORETYPE",):  # keeps numerics identical to the grader's own runs
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def copy_into(scratch: Path, notebook: Path | None, folder: Path | None) -> None:
    """Put the student's notebook and the assignment's other files (no notebooks) in the scratch folder.

    ``folder`` is nbgrader's working copy of the assignment: besides the student's and the instructor's
    other files, it holds the autograded notebook, hidden tests included, so no notebook is copied from it.
    """
    if folder is not None and folder.is_dir() and folder not in scratch.parents:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb":
                target = scratch / path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    if notebook is not None and notebook.is_file():
        shutil.copyfile(notebook, scratch / notebook.name)
    font_cache = Path(os.environ.get("MPLCONFIGDIR", "/nonexistent"))
    (scratch / ".matplotlib").mkdir(exist_ok=True)
    for cache in font_cache.glob("fontlist-*.json"):  # matplotlib would otherwise rebuild it, slowly
        shutil.copyfile(cache, scratch / ".matplotlib" / cache.name)


def remove_tree(folder: Path) -> None:
    """Delete ``folder``, also where the student's code took away permissions (``chmod 000`` a folder).

    Permissions are given back only to paths inside ``folder``, never to ``folder``'s own parent.
    """
    top = os.path.abspath(folder)

    def allow_and_retry(function, path, error) -> None:
        if isinstance(error[1], FileNotFoundError):
            return
        try:
            for inside in (os.path.dirname(path), path):
                inside = os.path.abspath(inside)
                if (inside == top or inside.startswith(top + os.sep)) and not os.path.islink(inside):
                    os.chmod(inside, 0o700)
            function(path)
        except OSError:
            pass

    if os.path.lexists(top):
        shutil.rmtree(top, onerror=allow_and_retry)


def give_to_sandbox_user(folder: Path) -> None:
    """chown the scratch folder to the sandbox user (the grader is root and the kernel runs as nobody)."""
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, SANDBOX_UID, SANDBOX_GID, follow_symlinks=False)


def passwd_files(folder: Path, home: Path) -> tuple[tuple[Path, str], ...]:
    """A minimal /etc/passwd and /etc/group naming the sandbox user (``student``, home = scratch)."""
    uid, gid = (SANDBOX_UID, SANDBOX_GID) if is_root() else (os.getuid(), os.getgid())
    folder.mkdir(parents=True, exist_ok=True)
    passwd, group = folder / "passwd", folder / "group"
    passwd.write_text(f"student:x:{uid}:{gid}:student:{home}:/bin/sh\n")
    group.write_text(f"student:x:{gid}:\n")
    for path in (passwd, group):
        path.chmod(0o644)
    return ((passwd, "/etc/passwd"), (group, "/etc/group"))
