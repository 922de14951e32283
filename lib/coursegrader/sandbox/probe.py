"""Can this machine make the grading sandbox? Checked once before a class is graded, never silently skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .bwrap import Plan, command
from .limits import Limits
from .scratch import give_to_sandbox_user, is_root, passwd_files, sandbox_env
from .view import View, build_view, import_path

INSTALL = (
    "install bubblewrap (Debian or Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install "
    "bubblewrap; Arch: sudo pacman -S bubblewrap)"
)
NAMESPACES = (
    "bubblewrap needs user namespaces: on Debian 10 and older run sudo sysctl kernel.unprivileged_userns_clone=1; "
    "on Ubuntu 24.04 and newer install the bwrap AppArmor profile (apparmor-profiles) or run "
    "sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0; inside a container, allow user namespaces"
)
UNSAFE = (
    "or grade without it with --unsandboxed (make grade UNSANDBOXED=1), which runs every student's code with "
    "your rights"
)


class SandboxUnavailableError(RuntimeError):
    """No sandbox can be made here; the message says what to install or change."""


def find_tools(bwrap: str = "bwrap", setpriv: str = "setpriv") -> tuple[str, str | None]:
    """Absolute paths of bubblewrap and (when the grader is root) setpriv."""
    found = shutil.which(bwrap)
    if found is None:
        raise SandboxUnavailableError(
            f"cannot sandbox the students' kernels: {bwrap} was not found; {INSTALL}, {UNSAFE}"
        )
    helper = None
    if is_root():
        helper = shutil.which(setpriv)
        if helper is None:
            raise SandboxUnavailableError(
                f"cannot sandbox the students' kernels: {setpriv} (util-linux) was not found; install util-linux, "
                f"{UNSAFE}"
            )
    return found, helper


def exposed_private(view: View, private: list[Path]) -> list[str]:
    """Private folders (solutions, gradebook, work areas) that the read-only view would expose."""
    found = []
    for folder in private:
        folder = folder.resolve()
        for path in view.read_only:
            if folder == path or path in folder.parents:
                found.append(f"{folder} (inside the exposed {path})")
    return found


def check_sandbox(private: list[Path], packages: list[str], *, bwrap: str = "bwrap") -> float:
    """Start one trial sandbox that imports ``packages``; raise :class:`SandboxUnavailableError` if it cannot.

    ``private`` are folders the sandbox must not show (the course's ``solutions/`` and ``grading/``).
    Returns the seconds the trial took.
    """
    bwrap_path, setpriv = find_tools(bwrap)
    try:
        view = build_view(packages)
    except ValueError as error:
        raise SandboxUnavailableError(f"cannot sandbox the students' kernels: {error}") from error
    leaks = exposed_private(view, private)
    if leaks:
        raise SandboxUnavailableError(
            "cannot sandbox the students' kernels: the Python environment would expose "
            + "; ".join(leaks)
            + ". Install the course's environment outside those folders."
        )
    with tempfile.TemporaryDirectory(prefix="coursegrader-probe-") as work:
        scratch = Path(work) / "scratch"
        scratch.mkdir()
        scratch.chmod(0o755)
        env = sandbox_env(scratch, Path(sys.executable), import_path(packages))
        plan = Plan(bwrap_path, view, scratch, Limits(), env, setpriv, passwd_files(Path(work) / "etc", scratch))
        if is_root():
            give_to_sandbox_user(scratch)
        read_end, write_end = os.pipe()
        trial = command(plan, [sys.executable, "-c", "import " + ", ".join(["ipykernel", *packages])], write_end)
        started = time.perf_counter()
        try:
            run = subprocess.run(trial, pass_fds=(write_end,), capture_output=True, text=True, timeout=120, env={})
        finally:
            os.close(write_end)
            os.close(read_end)
        took = time.perf_counter() - started
    if run.returncode != 0:
        detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no message"]
        namespaces = any(sign in run.stderr for sign in ("namespace", "uid map", "Permission", "not permitted"))
        hint = NAMESPACES if namespaces else INSTALL
        raise SandboxUnavailableError(
            f"cannot sandbox the students' kernels: the trial sandbox failed ({detail[0]}); {hint}, {UNSAFE}"
        )
    return took
