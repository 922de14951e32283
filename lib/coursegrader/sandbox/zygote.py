"""The zygote: a clean Python that imports the kernel's packages once, then forks every kernel into its sandbox.

Starting a kernel costs about half a second of CPU, nearly all of it importing ipykernel, numpy and the
course library. The zygote pays it once per grading process. For each kernel, the grader first starts the
sandbox itself with bubblewrap, exactly as before, but with a placeholder inside instead of Python
(:data:`coursegrader.sandbox.bwrap.PLACEHOLDER`). It then sends the zygote the placeholder's host pid.
The zygote's child ``A`` stays outside and enters the sandbox's PID namespace. It forks ``W`` (the watcher)
into it. ``W`` then enters the sandbox's user, mount, network, IPC, UTS and cgroup namespaces and its root,
and becomes the sandbox user with no capabilities and ``no_new_privs``. It sets the limits, closes every
descriptor and forks the kernel ``K``. So the kernel ends up in exactly the sandbox a kernel started by
bubblewrap would have: same namespaces, same view, same user, same limits. Only its memory starts as a
copy of the zygote's.

That copy is why this file imports nothing but the standard library and the packages it is asked to
preload, and why the zygote is started with the sandbox's clean environment: it never reads a solution, a
gradebook or a student's file, so a kernel has nothing in memory that it could not have imported itself.

``W`` plays the part of the old boot code's parent. It waits for ``K``, and its exit code says how ``K``
ended: 0-63 ``K``'s own, 64 + N killed by signal N. ``A`` passes that on to the placeholder, whose exit
code bubblewrap reports. If ``W`` is killed (the student's code signalled ``os.getppid()``), ``A`` passes
128 + N, which the grader reports as a violation, as before.

Run as ``python -c <this file's text> PRELOAD_JSON CONTROL_FD``. Each request arrives on the control
socket as one JSON message with two descriptors: the reply pipe and the placeholder's exit pipe.
"""

import ctypes
import fcntl
import gc
import json
import os
import resource
import signal
import socket
import sys
import traceback

CLONE = {"cgroup": 0x02000000, "ipc": 0x08000000, "mnt": 0x00020000, "net": 0x40000000, "pid": 0x20000000,
         "user": 0x10000000, "uts": 0x04000000}  # fmt: skip
#: Joined by W in this order (the PID namespace is entered by fork, in A); see :func:`join`.
JOINED = ("mnt", "net", "ipc", "uts", "cgroup", "user")
NS_GET_USERNS = 0xB701  # ioctl: the user namespace that owns a namespace
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
KERNEL_SIGNALLED, PARENT_SIGNALLED, SETUP_FAILED = 64, 128, 70

libc = ctypes.CDLL(None, use_errno=True)


def checked(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def setns(fd: int, kind: str) -> None:
    checked(libc.setns(fd, CLONE[kind]), f"setns({kind})")


def prctl(option: int, value: int) -> None:
    checked(libc.prctl(option, value, 0, 0, 0), f"prctl({option}, {value})")


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_bounding_set(last_cap: int) -> None:
    """No capability can ever be gained back (needs CAP_SETPCAP: before the change of user)."""
    for cap in range(last_cap + 1):
        prctl(PR_CAPBSET_DROP, cap)


def clear_capabilities() -> None:
    """Empty the effective, permitted and inheritable sets (and with them the ambient one)."""
    header = CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set
    checked(libc.capset(ctypes.byref(header), (CapData * 2)()), "capset")


def join(namespaces: dict[str, int]) -> None:
    """Enter the sandbox's namespaces: the mount namespace's owner first, then the others, then its own user one.

    bubblewrap's --disable-userns puts the sandbox in a user namespace nested in the one that owns its mount
    namespace; capabilities there do not reach the mount namespace, so that one is entered from its owner.
    """
    if "mnt" in namespaces:
        owner = fcntl.ioctl(namespaces["mnt"], NS_GET_USERNS)
        if os.fstat(owner).st_ino != os.stat("/proc/self/ns/user").st_ino:
            setns(owner, "user")
        os.close(owner)
    for kind in JOINED:
        if kind in namespaces and os.fstat(namespaces[kind]).st_ino != os.stat(f"/proc/self/ns/{kind}").st_ino:
            setns(namespaces[kind], kind)


def enter(request: dict, namespaces: dict[str, int], root: int) -> None:
    """Turn this process (W, already in the sandbox's PID namespace) into a member of the sandbox."""
    os.setsid()  # as bubblewrap's --new-session: no terminal to push characters into
    if os.geteuid() == 0:
        os.setgroups([])  # not allowed any more once inside the user namespace
    with open("/proc/sys/kernel/cap_last_cap") as handle:
        last_cap = int(handle.read())
    join(namespaces)
    os.fchdir(root)
    os.chroot(".")
    os.chdir(request["cwd"])
    uid, gid = request["uid"], request["gid"]
    drop_bounding_set(last_cap)
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    clear_capabilities()
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    prctl(PR_SET_DUMPABLE, 1)  # as a process bubblewrap starts: /proc/self belongs to the sandbox user
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # set after the change of user, which clears it
    for which, soft, hard in request["limits"]:
        resource.setrlimit(which, (soft, hard))
    os.environ.clear()
    os.environ.update(request["env"])


def open_namespaces(pid: int, expected_pid_namespace: int) -> tuple[dict[str, int], int, int]:
    """Descriptors of the placeholder's namespaces (:func:`join` skips those it shares), its root, its PID namespace."""
    opened = {}
    for kind in ("pid", *JOINED):
        path = f"/proc/{pid}/ns/{kind}"
        if os.path.exists(path):
            opened[kind] = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    if os.fstat(opened["pid"]).st_ino != expected_pid_namespace:
        raise RuntimeError(f"process {pid} is not in the sandbox's PID namespace {expected_pid_namespace}")
    root = os.open(f"/proc/{pid}/root", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    return {kind: fd for kind, fd in opened.items() if kind != "pid"}, root, opened["pid"]


def report(fd: int, **message) -> None:
    os.write(fd, (json.dumps(message) + "\n").encode())


def watcher(request: dict, namespaces: dict[str, int], root: int, reply: int) -> None:
    """W: enter the sandbox, fork the kernel, wait for it; exit with how it ended (never returns)."""
    try:
        enter(request, namespaces, root)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    except BaseException:  # noqa: BLE001 - whatever failed, the grader must hear it, the student must not run
        report(reply, error=traceback.format_exc(limit=4))
        os._exit(SETUP_FAILED)
    os.closerange(3, os.sysconf("SC_OPEN_MAX") if os.sysconf("SC_OPEN_MAX") > 0 else 65536)
    kernel = os.fork()
    if kernel == 0:
        run_kernel(request["argv"])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    status = os.waitpid(kernel, 0)[1]
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else KERNEL_SIGNALLED + os.WTERMSIG(status))


def run_kernel(argv: list[str]) -> None:
    """K: what ``python -m ipykernel_launcher ARGV`` would do, on the zygote's imports (never returns)."""
    gc.enable()
    if "numpy.random" in sys.modules:  # else every kernel would draw the same unseeded numbers
        sys.modules["numpy.random"].seed()
    import runpy

    sys.argv = ["-c", *argv]
    code = 0
    try:
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def outside(request: dict, reply: int, exit_pipe: int) -> None:
    """A: enter the PID namespace (for children), fork W, tell the grader W's pid, pass W's end on (never returns)."""
    code = PARENT_SIGNALLED + signal.SIGKILL
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        namespaces, root, pid_namespace = open_namespaces(request["pid"], request["pid_namespace"])
        setns(pid_namespace, "pid")
        watcher_pid = os.fork()
        if watcher_pid == 0:
            os.close(exit_pipe)
            watcher(request, namespaces, root, reply)
        report(reply, watcher=watcher_pid)
        os.close(reply)
        status = os.waitpid(watcher_pid, 0)[1]
        if os.WIFEXITED(status):
            code = os.WEXITSTATUS(status)
        else:
            code = PARENT_SIGNALLED + os.WTERMSIG(status)
    except BaseException:  # noqa: BLE001
        try:
            report(reply, error=traceback.format_exc(limit=4))
        except OSError:
            pass
        code = SETUP_FAILED
    try:
        os.write(exit_pipe, f"{code}\n".encode())
    except OSError:
        pass
    os._exit(0)


def serve(control: socket.socket) -> None:
    """Fork one ``A`` per request until the grader closes the control socket."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # A's are reaped by the system
    while True:
        message, fds, _, _ = socket.recv_fds(control, 1 << 20, 2)
        if not message:
            return
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            continue
        reply, exit_pipe = fds
        if os.fork() == 0:
            control.close()
            outside(json.loads(message), reply, exit_pipe)
        os.close(reply)
        os.close(exit_pipe)


def main(argv: list[str]) -> None:
    gc.disable()  # until the imports are frozen: a collection in between would touch every object again
    # No PR_SET_PDEATHSIG here: it fires when the *thread* that started the zygote ends. The zygote ends when
    # the grading process does, because then its control socket closes (serve returns at end of file).
    control = socket.socket(fileno=int(argv[1]))
    for name in json.loads(argv[0]):
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a kernel that imports it meets the same error itself
            pass
    import ipykernel_launcher  # noqa: F401 - its module is what run_module executes

    gc.freeze()  # the imported objects are never collected, so a kernel's collections do not copy their pages
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:  # a fork keeps only the forking thread: locks the others held would stay locked
        sys.stderr.write(f"zygote: importing {argv[0]} started {threads - 1} threads; forking would be unsafe\n")
        sys.exit(SETUP_FAILED)
    control.send(b"ready")
    serve(control)


if __name__ == "__main__":
    main(sys.argv[1:])
