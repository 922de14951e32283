"""The grader's side of the zygote (:mod:`coursegrader.sandbox.zygote`): start it once, ask it for kernels.

One zygote serves one grading process: :func:`zygote_for` starts it at the first kernel and keeps it
while the settings it was started with (interpreter, preloaded modules, import path) stay the same.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .scratch import sandbox_env

SOURCE = (Path(__file__).with_name("zygote.py")).read_text()
READY_SECONDS = 60.0
REPLY_SECONDS = 30.0


class ZygoteError(RuntimeError):
    """The zygote could not start, or could not put a kernel into its sandbox."""


@dataclass(frozen=True)
class KernelRequest:
    """One kernel to fork: into the sandbox of ``placeholder`` (host pid), in PID namespace ``pid_namespace``.

    ``argv``: ipykernel's arguments; ``cwd`` and ``env``: the kernel's working folder and whole environment;
    ``uid``/``gid``: its user inside the sandbox; ``limits``: ``(resource, soft, hard)`` to set.
    """

    placeholder: int
    pid_namespace: int
    argv: tuple[str, ...]
    cwd: str
    env: dict[str, str]
    uid: int
    gid: int
    limits: tuple[tuple[int, int, int], ...]

    def to_json(self) -> dict:
        return {"pid": self.placeholder, "pid_namespace": self.pid_namespace, "argv": list(self.argv),
                "cwd": self.cwd, "env": self.env, "uid": self.uid, "gid": self.gid,
                "limits": [list(limit) for limit in self.limits]}  # fmt: skip


class Zygote:
    """A running zygote process and the socket it listens on."""

    def __init__(self, python: str, preload: list[str], pythonpath: str) -> None:
        self.home = home = Path(tempfile.mkdtemp(prefix="coursegrader-zygote-"))  # empty: imports find nothing here
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.socket = ours
        self.lock = threading.Lock()
        # the zygote's own environment (each kernel gets its sandbox's): the debugger ipykernel imports would
        # warn in every grading log that Python's frozen modules hide a few of its files
        env = {**sandbox_env(home, Path(python), pythonpath), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        self.process = subprocess.Popen(
            [python, "-c", SOURCE, json.dumps(preload), str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), env=env, cwd=home, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        theirs.close()
        ready, _, _ = select.select([ours], [], [], READY_SECONDS)
        message = ours.recv(64) if ready else b""
        if message != b"ready":
            self.close()
            raise ZygoteError(f"the kernel zygote did not start (exit code {self.process.poll()})")

    def alive(self) -> bool:
        return self.process.poll() is None

    def spawn(self, request: KernelRequest, exit_pipe: int) -> int:
        """Fork a kernel into the request's sandbox; return the host pid of its watcher (its parent, W)."""
        read_end, write_end = os.pipe()
        try:
            with self.lock:
                socket.send_fds(self.socket, [json.dumps(request.to_json()).encode()], [write_end, exit_pipe])
        except OSError as error:
            os.close(read_end)
            raise ZygoteError(f"the kernel zygote is gone ({error})") from error
        finally:
            os.close(write_end)
        text = read_all(read_end, REPLY_SECONDS)
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        errors = [line["error"] for line in lines if "error" in line]
        watchers = [line["watcher"] for line in lines if "watcher" in line]
        if errors or not watchers:
            raise ZygoteError("the kernel could not enter its sandbox: " + ("\n".join(errors) or "no reply"))
        return int(watchers[0])

    def close(self) -> None:
        self.socket.close()
        if self.alive():
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def read_all(fd: int, timeout: float) -> str:
    """Everything written to the pipe ``fd`` until all its writers close it (or ``timeout`` seconds)."""
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode(errors="replace")


_ZYGOTES: dict[tuple, Zygote] = {}
_LOCK = threading.Lock()


def zygote_for(python: str, preload: list[str], pythonpath: str) -> Zygote:
    """The zygote of this process for these settings, started (or restarted) when needed."""
    key = (python, tuple(preload), pythonpath)
    with _LOCK:
        zygote = _ZYGOTES.get(key)
        if zygote is None or not zygote.alive():
            if zygote is not None:
                zygote.close()
            _ZYGOTES[key] = zygote = Zygote(python, preload, pythonpath)
        return zygote


@atexit.register
def close_all() -> None:
    """Stop every zygote of this process (also when it exits)."""
    with _LOCK:
        for zygote in _ZYGOTES.values():
            zygote.close()
        _ZYGOTES.clear()
