"""The bubblewrap command line that starts one student's kernel in its sandbox.

Inside, the kernel has:

- its own PID namespace: it is not pid 1 (bubblewrap's reaper is), and when that reaper ends the Linux
  kernel kills every process left in the namespace, however it was started (double forks included);
- no network (an empty network namespace), its own IPC and UTS namespaces, no further user namespaces;
- the read-only :class:`~coursegrader.sandbox.view.View`, a fresh ``/proc`` and ``/dev``, a private
  ``/tmp`` and ``/dev/shm`` of fixed size, and one writable folder, its scratch folder, which is also its
  working directory and home and holds the IPC sockets the grader talks to it over;
- a clean environment, and the resource limits of :class:`~coursegrader.sandbox.limits.Limits`
  (:func:`rlimits`), set before anything of the student's runs.

The kernel itself is not started by bubblewrap: bubblewrap runs a :func:`placeholder`, and the kernel is
forked into the placeholder's namespaces by the zygote (:mod:`coursegrader.sandbox.zygote`), which has
imported the kernel's packages once for every student.

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
#: Exit codes: 0-63 the kernel's own; KERNEL_SIGNALLED + N the kernel was killed by signal N; 128 + N the
#: kernel's parent (or the placeholder) was killed by signal N, which only the student's code does; 70 the
#: zygote could not put the kernel in its sandbox.
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


def rlimits(limits: Limits) -> list[tuple[int, int, int]]:
    """``(resource, soft, hard)`` for every limit the kernel's processes get, set by the zygote's watcher.

    They are set inside the sandbox's user namespace, so the process limit counts the sandbox's processes
    only (set outside, it would count every process of the user on the machine).
    """
    return [
        (resource.RLIMIT_AS, limits.memory, limits.memory),
        (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 5),
        (resource.RLIMIT_NPROC, limits.processes, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_size, limits.file_size),
        (resource.RLIMIT_CORE, 0, 0),
    ]


#: What bubblewrap runs in a kernel's sandbox: a shell that waits for the zygote to say how the kernel ended
#: (one line on its standard input, a pipe) and exits with it, so that bubblewrap reports it
#: (:mod:`coursegrader.sandbox.zygote`). No word from the zygote means its helper died: "setup failed".
PLACEHOLDER = 'read -r code; exit "${code:-70}"'


def placeholder(shell: str = "/bin/sh") -> list[str]:
    """The command line of the placeholder (its standard input must be the pipe the zygote writes the end to)."""
    return [shell, "-c", PLACEHOLDER, "placeholder"]


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


def command(plan: Plan, inside: list[str], status_fd: int) -> list[str]:
    """The whole command line: [outer bubblewrap + setpriv] + inner bubblewrap + ``inside``.

    ``inside`` is what the sandbox runs (for a kernel, :func:`placeholder`); ``status_fd`` is an inherited
    pipe on which bubblewrap reports the sandbox's first pid and namespaces and, at the end, its exit code.
    """
    inner = [*inner_arguments(plan, status_fd), "--", *inside]
    if plan.setpriv is None:
        return inner
    return [*outer_arguments(plan), "--", *inner]
