"""A Jupyter kernel manager whose kernels run in a bubblewrap sandbox, one scratch folder each.

nbclient (through nbgrader's ``Execute``) creates one :class:`SandboxedKernelManager` per notebook. It:

1. makes a fresh scratch folder holding the student's own notebook (never the autograded copy, which
   already contains the hidden tests) and the assignment's other files;
2. talks to the kernel over ZeroMQ IPC sockets in that folder: the sandbox has no network, not even the
   host's loopback, so TCP ports could not reach it, and a socket file is reachable only through the one
   folder both sides see;
3. starts the sandbox through :func:`coursegrader.sandbox.bwrap.command` with a placeholder inside, has the
   zygote (:mod:`.forkserver`, :mod:`.zygote`) fork the kernel into the placeholder's namespaces, interrupts
   the kernel by message (a signal to the bubblewrap process would not reach it), and watches it (:mod:`.watch`);
4. at shutdown notes the processes the student's code left running, kills the whole sandbox, waits until
   its PID namespace is empty, and only then lets nbgrader go on to save the results. What the grader
   keeps is what it received over the sockets; nothing in the scratch folder is read back.

The outcome of each sandbox (a limit that was hit, processes left behind, a violation) is appended to
:data:`REPORTS`, which the grading worker reads after each notebook.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict, DottedObjectName, List, Type, Unicode

from .bwrap import KERNEL_SIGNALLED, PARENT_SIGNALLED, SANDBOX_GID, SANDBOX_UID, Plan, command, placeholder, rlimits
from .forkserver import KernelRequest, ZygoteError, zygote_for
from .limits import Limits
from .scratch import copy_into, give_to_sandbox_user, is_root, passwd_files, remove_tree, sandbox_env
from .view import View, build_view, import_path
from .watch import StatusReader, Watchdog, children, is_zombie, kill_all, namespace_members, process_table

#: What every kernel imports by the end of a graded notebook (ipykernel's shell, debugger and history, numpy),
#: imported once by the zygote instead of once per kernel.
PRELOAD = ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
           "IPython.core.completerlib", "IPython.core.debugger", "sqlite3", "numpy", "numpy.random"]  # fmt: skip
#: How long the sandbox may take to start its placeholder.
START_SECONDS = 20.0
SHELL = "/bin/sh"

GONE_SECONDS = 5.0
#: How often the client retries to reach a kernel that has not bound its sockets yet (milliseconds).
RECONNECT_MS = 10
#: Silence on IOPub that ends a new kernel's start-up messages.
FLUSH_SECONDS = 0.01
#: A single message from the kernel larger than this disconnects it (the grader's memory is not the student's).
MAX_MESSAGE_BYTES = 64 * 1024**2


class SandboxError(RuntimeError):
    """The sandbox could not be set up for this kernel (a configuration problem, never the student's)."""


@dataclass
class SandboxReport:
    """What happened in one sandbox, as the grader observed it from outside."""

    limit: str | None = None  # "memory", "cpu", "disk": the limit that ended the kernel
    leftovers: int = 0  # processes still running when the notebook had finished
    violation: str | None = None  # something the sandbox should have made impossible
    exit_code: int | None = None


#: Reports of the sandboxes that ended in this process, oldest first (the worker empties it per notebook).
REPORTS: list[SandboxReport] = []


class LimitedKernelClient(AsyncKernelClient):
    """A kernel client whose sockets refuse messages over :data:`MAX_MESSAGE_BYTES`, quick to see a kernel ready."""

    def _create_connected_socket(self, channel, identity=None):
        self.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        # The client connects before the new kernel has bound its sockets: retry every 10 ms, not zmq's 100 ms
        self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        return super()._create_connected_socket(channel, identity)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """jupyter_client's ``wait_for_ready``, except that the IOPub flush at its end waits for
        :data:`FLUSH_SECONDS` of silence, not 0.2 s (a third of a forked kernel's start).

        The flush only drops the start-up messages; nbclient ignores any later one, which names no cell of its.
        """
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:  # IOPub is connected once the kernel_info request's status arrives on it
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=FLUSH_SECONDS)
            except Empty:
                return


class SandboxedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that runs each kernel inside a fresh bubblewrap sandbox."""

    client_class = DottedObjectName("coursegrader.sandbox.kernel.LimitedKernelClient")
    # AsyncKernelManager names its client class twice; without this one, client() makes a plain AsyncKernelClient
    client_factory = Type(klass="coursegrader.sandbox.kernel.LimitedKernelClient")

    scratch_root = Unicode(help="folder under which each kernel gets its scratch folder").tag(config=True)
    notebook = Unicode("", help="the student's own notebook, copied into the scratch folder").tag(config=True)
    limits = Dict(help="coursegrader.sandbox.Limits fields").tag(config=True)
    packages = List(["rnnlab"], help="packages outside the environment the kernel may import").tag(config=True)
    preload = List(PRELOAD, help="modules the zygote imports once for every kernel (besides the packages)").tag(
        config=True
    )
    bwrap = Unicode("bwrap", help="the bubblewrap executable").tag(config=True)
    setpriv = Unicode("setpriv", help="util-linux setpriv, used when the grader is root").tag(config=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scratch: Path | None = None
        self.watchdog: Watchdog | None = None
        self.status: StatusReader | None = None
        self.report = SandboxReport()
        self.killing = False  # the grader is ending the kernel (as opposed to the kernel ending by itself)
        self.finished = False

    @property
    def kernel_spec(self):
        """The kernel's spec, interrupted by message: a signal would stop at the sandbox's first process."""
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    @property
    def sandbox_limits(self) -> Limits:
        return Limits(**self.limits)

    async def _async_pre_start_kernel(self, **kw):
        if not self.scratch_root:
            raise SandboxError("SandboxedKernelManager.scratch_root is not configured")
        self.scratch = Path(self.scratch_root) / uuid.uuid4().hex[:12]
        self.scratch.mkdir(parents=True)
        self.scratch.chmod(0o755)
        source = Path(kw["cwd"]) if kw.get("cwd") else None
        copy_into(self.scratch, Path(self.notebook) if self.notebook else None, source)
        self.transport = "ipc"
        self.ip = str(self.scratch / "kernel")
        self.connection_file = str(self.scratch / "connection.json")
        kw["cwd"] = str(self.scratch)
        return await super()._async_pre_start_kernel(**kw)

    def plan(self) -> Plan:
        assert self.scratch is not None
        view: View = build_view(list(self.packages))
        bwrap = shutil.which(self.bwrap)
        if bwrap is None:
            raise SandboxError(f"{self.bwrap} not found (install bubblewrap)")
        setpriv = None
        if is_root():
            setpriv = shutil.which(self.setpriv)
            if setpriv is None:
                raise SandboxError(f"{self.setpriv} not found (install util-linux)")
        etc = passwd_files(self.scratch.parent / ".etc", self.scratch)
        env = sandbox_env(self.scratch, Path(sys.executable), import_path(list(self.packages)))
        return Plan(bwrap, view, self.scratch, self.sandbox_limits, env, setpriv, etc)

    def format_kernel_cmd(self, extra_arguments=None):
        """Replace ``python -m ipykernel_launcher ...`` by the sandboxed command (status fd set at launch)."""
        original = super().format_kernel_cmd(extra_arguments)
        if original[1:3] != ["-m", "ipykernel_launcher"]:
            raise SandboxError(f"the sandbox runs Python (ipykernel) kernels only, not {original}")
        return original

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        assert self.scratch is not None
        status_read, status_write = os.pipe()
        exit_read, exit_write = os.pipe()
        os.set_inheritable(status_write, True)
        self.status = StatusReader(status_read)
        plan = self.plan()
        sandboxed = command(plan, placeholder(SHELL), status_write)
        if is_root():
            give_to_sandbox_user(self.scratch)
        kw = dict(kw, pass_fds=(status_write,), env={}, stdin=exit_read)
        try:
            await super()._async_launch_kernel(sandboxed, **kw)
        finally:
            os.close(status_write)
            os.close(exit_read)
        try:
            loop = asyncio.get_running_loop()
            watcher = await loop.run_in_executor(None, self.fork_kernel, plan, kernel_cmd[3:], exit_write)
        except (SandboxError, ZygoteError):
            kill_all(self.provisioner.pid)
            raise
        finally:
            os.close(exit_write)
        self.watchdog = Watchdog(self.provisioner.pid, self.scratch, self.sandbox_limits, self.status, watcher)
        self.watchdog.start()

    def fork_kernel(self, plan: Plan, arguments: list[str], exit_write: int) -> int:
        """Have the zygote fork the kernel into the sandbox's placeholder; return the host pid of its watcher."""
        assert self.status is not None and self.scratch is not None
        deadline = time.monotonic() + START_SECONDS
        while not {"child-pid", "pid-namespace"} <= set(self.status.info):
            if time.monotonic() > deadline or self.status.fd < 0:
                raise SandboxError(f"bubblewrap did not start the sandbox (it reported {self.status.info})")
            self.status.poll(0.05)
        reaper, namespace = int(self.status.info["child-pid"]), int(self.status.info["pid-namespace"])
        shell = os.path.realpath(SHELL)
        while (waiting := placeholder_of(reaper, shell)) is None:
            if time.monotonic() > deadline or is_zombie(reaper):
                raise SandboxError("the sandbox did not start its placeholder")
            time.sleep(0.002)
        preload = [*self.preload, *self.packages]
        zygote = zygote_for(sys.executable, preload, import_path(list(self.packages)))
        uid, gid = (SANDBOX_UID, SANDBOX_GID) if is_root() else (os.getuid(), os.getgid())
        request = KernelRequest(waiting, namespace, tuple(arguments), str(self.scratch), plan.env, uid, gid,
                                tuple(rlimits(plan.limits)))  # fmt: skip
        return zygote.spawn(request, exit_write)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Note what the student left running, then shut the kernel down (and with it, the sandbox)."""
        if self.watchdog is not None and not self.finished:
            self.watchdog.check()
            self.report.leftovers = len(self.watchdog.last.pids - self.watchdog.helpers())
            self.watchdog.stop()  # from here on processes end because the grader ends them
        self.killing = True
        await super()._async_shutdown_kernel(now=now, restart=restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            await self.destroy_sandbox()

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Wait until the sandbox has exited, looking every 10 ms (jupyter_client's 100 ms were a sixth of a
        notebook's grading: the sandbox ends within milliseconds of being killed)."""
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    # AsyncKernelManager binds its public names to the base class's functions: point them at ours.
    shutdown_kernel = _async_shutdown_kernel
    cleanup_resources = _async_cleanup_resources

    async def destroy_sandbox(self) -> None:
        """Kill everything in the sandbox, wait until its PID namespace is empty, remove the scratch folder.

        A sandbox that ended by itself (the grader neither shut it down nor killed it) says how in its
        exit code: a CPU-time limit, or its kernel's parent killed by the student's code.
        """
        if self.finished or self.watchdog is None:
            return
        self.finished = True
        watchdog, status = self.watchdog, self.status
        watchdog.stop()
        by_itself = not self.killing and watchdog.breach is None and not self.provisioner_running()
        if by_itself:
            status.poll(0.5)
        code = status.info.get("exit-code") if by_itself else None
        reaper = status.info.get("child-pid")  # pid 1 of the sandbox: its end ends every process in it
        if reaper and not is_zombie(reaper):
            try:
                os.kill(reaper, signal.SIGKILL)
            except OSError:
                pass
        kill_all(watchdog.root_pid)
        await self.wait_until_empty(status.info.get("pid-namespace"))
        status.close()
        self.report.exit_code = code
        self.report.violation = self.report.violation or watchdog.violation or parent_killed(code)
        if self.report.violation is None:
            self.report.limit = watchdog.breach or self.limit_from_exit(code, watchdog.last.kernel_cpu)
        REPORTS.append(self.report)
        if self.scratch is not None:
            remove_tree(self.scratch)

    async def wait_until_empty(self, namespace: int | None) -> None:
        """Wait until no process is left in the sandbox's PID namespace; kill stragglers after a while."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GONE_SECONDS
        while True:
            left = namespace_members(namespace) if namespace else []
            if not left and not self.provisioner_running():
                return
            if loop.time() > deadline:
                self.report.violation = f"{len(left)} processes outlived the end of the sandbox"
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                return
            await asyncio.sleep(0.02)

    def provisioner_running(self) -> bool:
        process = getattr(self.provisioner, "process", None)
        return process is not None and process.poll() is None

    def limit_from_exit(self, code: int | None, kernel_cpu: float) -> str | None:
        """``"cpu"`` when the kernel was ended by its CPU-time limit (SIGXCPU, or SIGKILL at the hard limit)."""
        if code == KERNEL_SIGNALLED + signal.SIGXCPU:
            return "cpu"
        if code == KERNEL_SIGNALLED + signal.SIGKILL and kernel_cpu >= self.sandbox_limits.cpu_seconds - 0.5:
            return "cpu"
        return None


def placeholder_of(reaper: int, shell: str) -> int | None:
    """Host pid of the reaper's child once it runs ``shell`` (then bubblewrap has set the whole sandbox up)."""
    for child in children(reaper, process_table()):
        try:
            if os.readlink(f"/proc/{child}/exe") == shell:
                return child
        except OSError:
            continue
    return None


def parent_killed(code: int | None) -> str | None:
    """The violation an exit code shows: the kernel's parent or the placeholder killed by a signal (see
    :mod:`coursegrader.sandbox.zygote`)."""
    if code is not None and code > PARENT_SIGNALLED:
        return f"the notebook's code killed the process that runs its kernel (signal {code - PARENT_SIGNALLED})"
    return None
