"""Watch a running sandbox from outside: what it runs, how much memory and disk it uses, when it is gone.

The Linux resource limits (:mod:`coursegrader.sandbox.bwrap`) are per process; a sandbox can hold many
processes, so the watchdog also adds up the resident memory of all of them and the bytes in the scratch
folder, and ends the whole sandbox when either passes its limit. It also keeps the last list of the
sandbox's processes, which tells the grader whether the student's code left any behind.
"""

from __future__ import annotations

import json
import os
import select
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from .limits import Limits

POLL_SECONDS = 0.1
MAX_SCRATCH_ENTRIES = 20_000  # more files than this in the scratch folder counts as filling the disk


@dataclass
class Sample:
    """One look at the sandbox: its processes (host pids), their resident memory, the scratch folder's size."""

    pids: set[int] = field(default_factory=set)
    resident: int = 0
    scratch: int = 0
    kernel_cpu: float = 0.0


@dataclass(frozen=True)
class Entry:
    """One process as ``/proc/<pid>/stat`` shows it: its parent, when it started (clock ticks), its state letter."""

    parent: int
    started: int
    state: str


def process_table() -> dict[int, Entry]:
    """Every process of the machine, read in one pass over ``/proc`` (psutil reads it again per parent asked)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(name)] = Entry(int(fields[1]), int(fields[19]), fields[0].decode())
    return table


def children(pid: int, table: dict[int, Entry]) -> list[int]:
    """The direct children of ``pid`` in ``table``."""
    return [child for child, entry in table.items() if entry.parent == pid]


def descendants(pid: int | None, table: dict[int, Entry] | None = None) -> list[int]:
    """Every live (not zombie) descendant of ``pid``, parents before their children."""
    if pid is None:
        return []
    table = process_table() if table is None else table
    children: dict[int, list[int]] = {}
    for child, entry in table.items():
        children.setdefault(entry.parent, []).append(child)
    found, queue = [], list(children.get(pid, []))
    while queue:
        child = queue.pop(0)
        found.append(child)
        queue += children.get(child, [])
    return [child for child in found if table[child].state not in ("Z", "X")]


def folder_size(folder: Path, limit_entries: int = MAX_SCRATCH_ENTRIES) -> int:
    """Bytes in ``folder`` (recursively, symbolic links not followed); huge if it holds too many entries."""
    total, seen, stack = 0, 0, [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > limit_entries:
                return 1 << 62
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
    return total


def is_zombie(pid: int) -> bool:
    """True if ``pid`` has exited and only waits to be reaped (or is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def namespace_members(inode: int) -> list[int]:
    """Host pids of every live process in the PID namespace ``inode`` (as ``/proc/<pid>/ns/pid`` names it)."""
    wanted = f"pid:[{inode}]"
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{name}/ns/pid") == wanted and not is_zombie(int(name)):
                members.append(int(name))
        except OSError:
            continue
    return members


class StatusReader:
    """Read bubblewrap's ``--json-status-fd`` reports: the kernel's pid and namespaces, then its exit code."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = ""
        self.info: dict = {}

    def poll(self, timeout: float = 0.0) -> None:
        if self.fd < 0:
            return
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return
        chunk = os.read(self.fd, 65536)
        if not chunk:
            os.close(self.fd)
            self.fd = -1
        self.buffer += chunk.decode(errors="replace")
        decoder = json.JSONDecoder()
        while self.buffer.strip():
            text = self.buffer.lstrip()
            try:
                document, end = decoder.raw_decode(text)
            except json.JSONDecodeError:
                break
            if isinstance(document, dict):
                self.info.update(document)
            self.buffer = text[end:]

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Watchdog(threading.Thread):
    """Samples the sandbox started as ``root_pid`` until :meth:`stop`; ends it if a limit is passed."""

    def __init__(self, root_pid: int, scratch: Path, limits: Limits, status: StatusReader, watcher_pid: int) -> None:
        super().__init__(name=f"sandbox-watchdog-{root_pid}", daemon=True)
        self.root_pid = root_pid
        self.watcher_pid = watcher_pid
        self.scratch = scratch
        self.limits = limits
        self.status = status
        self.last = Sample()
        self.breach: str | None = None
        self._kernel_pid: int | None = None
        self._placeholder_pid: int | None = None
        self.violation: str | None = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    @property
    def reaper_pid(self) -> int | None:
        """Host pid of the sandbox's pid 1 (bubblewrap's reaper)."""
        return self.status.info.get("child-pid")

    def first_child(self, pid: int | None, table: dict[int, Entry] | None = None) -> int | None:
        """The oldest child of ``pid`` (orphans the student's code leaves are adopted later)."""
        if pid is None:
            return None
        table = process_table() if table is None else table
        found = children(pid, table)
        return min(found, key=lambda child: (table[child].started, child)) if found else None

    @property
    def placeholder_pid(self) -> int | None:
        """Host pid of what bubblewrap runs in the sandbox (:func:`coursegrader.sandbox.bwrap.placeholder`)."""
        if self._placeholder_pid is None:
            self._placeholder_pid = self.first_child(self.reaper_pid)
        return self._placeholder_pid

    @property
    def kernel_pid(self) -> int | None:
        """Host pid of the kernel process."""
        if self._kernel_pid is None:
            self._kernel_pid = self.first_child(self.watcher_pid)
        return self._kernel_pid

    def helpers(self) -> set[int]:
        """The sandbox's own processes: the bubblewrap chain down to the reaper, the placeholder, the kernel's
        watcher (its parent, forked in by the zygote) and the kernel."""
        own = {self.root_pid, self.reaper_pid, self.placeholder_pid, self.watcher_pid, self.kernel_pid}
        if self.reaper_pid is not None:
            try:
                process = psutil.Process(self.reaper_pid).parent()
                while process is not None and process.pid != self.root_pid:
                    own.add(process.pid)
                    process = process.parent()
            except psutil.NoSuchProcess:
                pass
        return {pid for pid in own if pid is not None}

    def attacked_watcher(self, table: dict[int, Entry]) -> str | None:
        """Why the kernel's parent (or the placeholder) is not simply waiting, if the student's code stopped it.

        (Code that kills either ends the sandbox at once; its exit code says so, see ``kernel.parent_killed``.)
        """
        for pid in (self.watcher_pid, self.placeholder_pid):
            if pid in table and table[pid].state in ("T", "t"):  # stopped, or stopped by a tracer
                return "the notebook's code stopped the process that runs its kernel"
        return None

    def members(self, table: dict[int, Entry]) -> list[int]:
        """Every live process of the sandbox: under bubblewrap (orphans are adopted there) and under the watcher."""
        family = descendants(self.root_pid, table) + descendants(self.watcher_pid, table)
        if self.watcher_pid in table and table[self.watcher_pid].state not in ("Z", "X"):
            family.append(self.watcher_pid)
        return list(dict.fromkeys(family))

    def sample(self, table: dict[int, Entry]) -> Sample:
        processes = self.members(table)
        sample = Sample(pids=set(processes))
        for pid in processes:
            try:
                process = psutil.Process(pid)
                sample.resident += process.memory_info().rss
                if pid == self.kernel_pid:
                    times = process.cpu_times()
                    sample.kernel_cpu = times.user + times.system
            except psutil.NoSuchProcess:
                continue
        sample.scratch = folder_size(self.scratch)
        return sample

    def check(self) -> None:
        """Take one sample; end the sandbox if it is over a limit."""
        with self.lock:
            self.status.poll()
            if self.breach is not None:
                return
            table = process_table()
            if self._placeholder_pid is None:
                self._placeholder_pid = self.first_child(self.reaper_pid, table)
            if self._kernel_pid is None:
                self._kernel_pid = self.first_child(self.watcher_pid, table)
            sample = self.sample(table)
            if sample.pids or not self.last.pids:
                self.last = sample
            attack = self.attacked_watcher(table)
            if attack is not None:
                self.violation = attack
                self.end("violation")
            elif sample.resident > self.limits.memory:
                self.end("memory")
            elif sample.scratch > self.limits.disk:
                self.end("disk")

    def end(self, reason: str) -> None:
        """Kill every process of the sandbox now, and remember why."""
        self.breach = reason
        kill_all(self.root_pid)
        kill_all(self.watcher_pid)

    def run(self) -> None:
        while not self.stopped.wait(POLL_SECONDS):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - a failed sample must not stop the watching
                time.sleep(POLL_SECONDS)

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=5)


def kill_all(root_pid: int) -> None:
    """SIGKILL ``root_pid``'s process group and every descendant of it (deepest first)."""
    for pid in reversed(descendants(root_pid)):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(os.getpgid(root_pid), signal.SIGKILL)
    except OSError:
        pass
