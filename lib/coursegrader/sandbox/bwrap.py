"""The bubblewrap command line that starts one student's kernel in its sandbox.

Inside, the kernel has:

- its own PID namespace: it is not pid 1 (bubblewrap's reaper is), and when that reaper ends the Linux
  kernel kills every process left in the namespace, however it was started (double forks included);
- no network (an empty network namespace), its own IPC and UTS namespaces, no further user namespaces;
- the read-only :class:`~coursegrader.sandbox.view.View`, a fresh ``/proc`` and ``/dev``, a private
  ``/tmp`` and ``/dev/shm`` of fixed size, and one writable folder, its scratch folder, which is also its
  working directory and home and holds the IPC sockets the grader talks to it over;
- a clean environment, and the resource limits of :class:`~coursegrader.sandbox.limits.Limits` set by
  the first lines it runs (:func:`boot_code`), before anything of the student's.

When the grader runs as root, the kernel must not run as root (root ignores the process limit and
could undo a read-only mount): an outer bubblewrap, still root, builds the read-only view (root can read
an interpreter installed under ``/root``), then ``setpriv`` becomes the unprivileged sandbox user and an
inner, unprivileged bubblewrap creates the namespaces. A grader that is not root needs only the inner one.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass
from pathlib import Path

from .limits import Limits
from .view import View

#: The user and group the kernel runs as when the grader is root ("nobody").
SANDBOX_UID = 65534
SANDBOX_GID = 65534
SHM_BYTES = 64 * 1024**2
HOSTNAME = "sandbox"
#: Exit codes: 0-63 the kernel's own; KERNEL_SIGNALLED + N the kernel was killed by signal N; 128 + N (as
#: bubblewrap reports it) the kernel's parent itself was killed by signal N, which only the student's code does.
KERNEL_SIGNALLED = 64
PARENT_SIGNALLED = 128


@dataclass(frozen=True)
class Plan:
    """Everything the command line depends on."""

    bwrap: str
    view: View
    scratch: Path
    limits: Limits
    env: dict[str, str]
    setpriv: str | None = None  # set when the grader is root: the outer bubblewrap then drops to SANDBOX_UID
    etc_files: tuple[tuple[Path, str], ...] = ()  # (file on the host, path inside), e.g. a passwd for the user


def parents(path: Path) -> list[Path]:
    """Every ancestor of ``path`` below ``/``, outermost first."""
    return [p for p in reversed(path.parents) if p != Path("/")]


def folders_for(destinations: list[Path]) -> list[str]:
    """``--perms 0755 --dir`` for every ancestor of the destinations, so an unprivileged user can reach them.

    A root bubblewrap otherwise creates them with mode 0700.
    """
    arguments: list[str] = []
    for folder in sorted({p for d in destinations for p in parents(d)}, key=lambda p: (len(p.parts), str(p))):
        arguments += ["--perms", "0755", "--dir", str(folder)]
    return arguments


def view_arguments(plan: Plan) -> list[str]:
    """Bind the read-only view, the extra /etc files and the scratch folder at their own paths."""
    destinations = [*plan.view.read_only, *(Path(inside) for _, inside in plan.etc_files), plan.scratch]
    arguments = folders_for(destinations)
    for target, link in plan.view.symlinks:
        arguments += ["--symlink", target, link]
    for path in plan.view.read_only:
        arguments += ["--ro-bind", str(path), str(path)]
    for host, inside in plan.etc_files:
        arguments += ["--ro-bind", str(host), inside]
    return arguments


BOOT = """\
import os, resource, signal
for which, soft, hard in {limits}:
    resource.setrlimit(which, (soft, hard))
kernel = os.fork()
if kernel:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    status = os.waitpid(kernel, 0)[1]
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else {signalled} + os.WTERMSIG(status))
import runpy
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
"""


def boot_code(limits: Limits) -> str:
    """The Python the sandbox runs first: set the limits, then fork into a watcher and the kernel.

    The process limit is set here, inside the sandbox's user namespace, so it counts the sandbox's
    processes only (set outside, it would count every process of the user on the machine).

    The parent of the fork only waits for the kernel and passes on its exit status (a kernel killed by
    signal N as ``KERNEL_SIGNALLED + N``). It is what the
    kernel sees as its parent (``os.getppid()``): code that stops or kills it is trying to stop the
    grader, which the watchdog reports as a sandbox violation (bubblewrap's reaper, pid 1, would
    silently ignore such signals).
    """
    settings = [
        (resource.RLIMIT_AS, limits.memory, limits.memory),
        (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 5),
        (resource.RLIMIT_NPROC, limits.processes, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_size, limits.file_size),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    return BOOT.format(limits=settings, signalled=KERNEL_SIGNALLED)


def inner_arguments(plan: Plan, status_fd: int) -> list[str]:
    """The unprivileged bubblewrap: namespaces, fresh /proc, /dev and /tmp, environment, working folder."""
    arguments = [plan.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                 "--new-session", "--hostname", HOSTNAME, "--json-status-fd", str(status_fd)]  # fmt: skip
    if plan.setpriv:
        arguments += ["--ro-bind", "/", "/"]  # the outer bubblewrap's view
    arguments += ["--proc", "/proc", "--dev", "/dev"]
    arguments += ["--size", str(plan.limits.disk), "--tmpfs", "/tmp"]
    arguments += ["--size", str(SHM_BYTES), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    # After the private /tmp: the environment (a fresh clone's .venv) and the scratch folder may lie
    # under the host's /tmp, and bubblewrap binds them from the view as it was before that mount.
    if plan.setpriv:
        under_tmp = [path for path in plan.view.read_only if Path("/tmp") in path.parents]
        arguments += [word for path in under_tmp for word in ("--ro-bind", str(path), str(path))]
    else:
        arguments += view_arguments(plan)
    arguments += ["--bind", str(plan.scratch), str(plan.scratch)]
    arguments += ["--remount-ro", "/", "--chdir", str(plan.scratch), "--clearenv"]
    for name, value in sorted(plan.env.items()):
        arguments += ["--setenv", name, value]
    return arguments


def outer_arguments(plan: Plan) -> list[str]:
    """The root bubblewrap that builds the view, then ``setpriv`` to the sandbox user (grader is root)."""
    assert plan.setpriv is not None
    arguments = [plan.bwrap, "--die-with-parent", *view_arguments(plan)]
    arguments += ["--bind", str(plan.scratch), str(plan.scratch), "--dev-bind", "/proc", "/proc", "--dev", "/dev"]
    return [*arguments, "--", plan.setpriv, f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_GID}", "--clear-groups"]


def command(plan: Plan, python: str, kernel_arguments: list[str], status_fd: int) -> list[str]:
    """The whole command line: [outer bubblewrap + setpriv] + inner bubblewrap + the kernel.

    ``kernel_arguments`` are ipykernel's own (``-f <connection file>`` and the like); ``status_fd`` is
    an inherited pipe on which bubblewrap reports the kernel's pid and, at the end, its exit code.
    """
    kernel = [python, "-c", boot_code(plan.limits), *kernel_arguments]
    inner = [*inner_arguments(plan, status_fd), "--", *kernel]
    if plan.setpriv is None:
        return inner
    return [*outer_arguments(plan), "--", *inner]
