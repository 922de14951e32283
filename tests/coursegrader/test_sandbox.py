"""The grading sandbox on its own: what a kernel inside it sees, can do and cannot, and what the grader hears.

Fast checks of the pieces first (limits, the read-only view, the command line, the probe's messages),
then real kernels in real bubblewrap sandboxes, each one small notebook: isolation, every resource
limit, processes left behind, attacks on the kernel's parent, and the clean-up afterwards.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest
from conftest import ROOT, require_executable
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from coursegrader.sandbox import Limits, bytes_text, parse_bytes
from coursegrader.sandbox.bwrap import Plan, command, placeholder, rlimits
from coursegrader.sandbox.kernel import REPORTS
from coursegrader.sandbox.probe import SandboxUnavailableError, check_sandbox, exposed_private
from coursegrader.sandbox.scratch import copy_into, is_root, remove_tree, sandbox_env
from coursegrader.sandbox.view import View, build_view, without_nested
from coursegrader.sandbox.watch import namespace_members

MARKER = "COURSEGRADER_SANDBOX_TEST_MARKER"


# --- the pieces ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"), [("2G", 2 * 1024**3), ("2GiB", 2 * 1024**3), ("512M", 512 * 1024**2), ("1500000", 1500000)]
)
def test_sizes_parse(text: str, size: int) -> None:
    assert parse_bytes(text) == size, f"ours {parse_bytes(text)} vs reference {size}"


@pytest.mark.parametrize("text", ["", "two gigabytes", "-1G", "0"])
def test_bad_sizes_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match="expected a"):
        parse_bytes(text)


def test_limit_statuses_name_the_limit() -> None:
    limits = Limits()
    ours = [limits.status(kind) for kind in ("memory", "cpu", "processes", "disk")]
    reference = ["memory limit (2 GiB)", "time limit (600 s of CPU)", "process limit (64 processes and threads)",
                 "disk limit (512 MiB)"]  # fmt: skip
    assert ours == reference, f"ours {ours} vs reference {reference}"
    assert bytes_text(3 * 1024**2 + 1) == f"{3 * 1024**2 + 1} bytes"


def test_nested_paths_are_bound_once() -> None:
    paths = [Path("/a/b"), Path("/a"), Path("/c/d"), Path("/a/b/c")]
    assert without_nested(paths) == (Path("/a"), Path("/c/d"))


def test_the_view_shows_the_environment_and_rnnlab_only() -> None:
    view = build_view(["rnnlab"])
    shown = set(view.read_only)
    assert Path(sys.prefix).resolve() in shown or any(p in Path(sys.prefix).resolve().parents for p in shown)
    assert (ROOT / "lib" / "rnnlab").resolve() in shown
    private = [ROOT / "solutions", ROOT / "grading", ROOT / "lib" / "coursegrader", ROOT / "tests", Path.home()]
    assert exposed_private(view, private) == [], exposed_private(view, private)
    assert ROOT not in shown and not any(path in ROOT.parents for path in shown), f"{ROOT} is exposed: {shown}"


def test_the_view_refuses_to_expose_private_folders(tmp_path: Path) -> None:
    view = View((tmp_path,), ())
    assert exposed_private(view, [tmp_path / "solutions"]) == [
        f"{tmp_path / 'solutions'} (inside the exposed {tmp_path})"
    ]


def test_the_command_line_isolates_everything(tmp_path: Path) -> None:
    plan = Plan(
        "/usr/bin/bwrap", build_view(["rnnlab"]), tmp_path, Limits(), {"HOME": str(tmp_path)}, "/usr/bin/setpriv"
    )
    argv = command(plan, placeholder(), 7)
    inner = argv[argv.index("/usr/bin/setpriv") :]
    for flag in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                 "--clearenv", "--json-status-fd"):  # fmt: skip
        assert flag in inner, f"{flag} missing from the inner bubblewrap: {inner}"
    writable = [argv[i + 1] for i, word in enumerate(argv) if word == "--bind"]
    assert set(writable) == {str(tmp_path)}, f"ours {writable} vs reference {[str(tmp_path)]}: only scratch is writable"
    assert "--remount-ro" in inner and inner[inner.index("--remount-ro") + 1] == "/dev"
    assert argv[-4:] == placeholder()
    memory = plan.limits.memory
    assert (resource.RLIMIT_AS, memory, memory) in rlimits(plan.limits), rlimits(plan.limits)


@pytest.mark.parametrize("setpriv", ["/usr/bin/setpriv", None])
def test_an_environment_under_tmp_stays_visible(tmp_path: Path, setpriv: str | None) -> None:
    """A fresh clone in /tmp has its .venv there: it must be bound after the private /tmp is mounted."""
    venv = Path("/tmp/clone/.venv")
    plan = Plan("/usr/bin/bwrap", View((Path("/usr"), venv), ()), tmp_path, Limits(), {}, setpriv)
    argv = command(plan, [str(venv / "bin" / "python")], 7)
    inner = argv[argv.index("--unshare-all") :]
    tmpfs = inner.index("/tmp", inner.index("--tmpfs"))
    binds = [i for i, word in enumerate(inner) if word == "--ro-bind" and inner[i + 1] == str(venv)]
    assert binds and all(i > tmpfs for i in binds), f"the venv is bound before the private /tmp hides it: {inner}"


def test_the_kernel_gets_none_of_the_graders_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "do-not-leak")
    env = sandbox_env(tmp_path, Path(sys.executable))
    assert "SECRET_TOKEN" not in env and env["HOME"] == str(tmp_path)
    assert set(env) <= {"HOME", "PATH", "LANG", "TMPDIR", "PYTHONNOUSERSITE", "PYTHONDONTWRITEBYTECODE", "MPLCONFIGDIR",
                        "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                        "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NBGRADER_EXECUTION",
                        "JPY_PARENT_PID", "OPENBLAS_CORETYPE"}  # fmt: skip


def test_the_scratch_folder_never_gets_a_notebook_from_nbgraders_copy(tmp_path: Path) -> None:
    """nbgrader's working folder holds the autograded notebook, hidden tests included: it must not be copied."""
    work, scratch = tmp_path / "autograded", tmp_path / "scratch"
    (work / "data").mkdir(parents=True)
    (work / "nb.ipynb").write_text("HIDDEN TESTS")
    (work / "data" / "table.csv").write_text("1,2")
    submitted = tmp_path / "submitted" / "nb.ipynb"
    submitted.parent.mkdir()
    submitted.write_text("the student's own")
    scratch.mkdir()
    copy_into(scratch, submitted, work)
    assert (scratch / "nb.ipynb").read_text() == "the student's own"
    assert (scratch / "data" / "table.csv").read_text() == "1,2"


def test_removing_a_scratch_folder_never_touches_its_parent(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    (parent / "scratch" / "locked" / "deep").mkdir(parents=True)
    (parent / "scratch" / "locked" / "deep" / "file").write_text("x")
    (parent / "scratch" / "locked").chmod(0)
    parent.chmod(0o751)
    remove_tree(parent / "scratch")
    remove_tree(parent / "scratch")  # gone already: nothing to do, nothing to change
    assert not (parent / "scratch").exists()
    assert oct(parent.stat().st_mode & 0o7777) == "0o751", oct(parent.stat().st_mode)


def test_a_missing_bubblewrap_stops_with_what_to_install() -> None:
    with pytest.raises(SandboxUnavailableError) as caught:
        check_sandbox([], ["rnnlab"], bwrap="no-such-bwrap")
    message = str(caught.value)
    for part in ("no-such-bwrap was not found", "apt-get install bubblewrap", "--unsandboxed"):
        assert part in message, f"{part!r} missing from: {message}"


# --- real sandboxes --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bwrap() -> str:
    found = require_executable("bwrap")
    check_sandbox([ROOT / "solutions", ROOT / "grading"], ["rnnlab"])
    return found


def run(cells: list[str], tmp_path: Path, timeout: int = 30, **limits: int):
    """Execute ``cells`` in a sandboxed kernel; return (outputs per cell as text, the sandbox's report)."""
    from coursegrader.preprocessors import SandboxedExecute

    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    config = Config()
    config.SandboxedKernelManager.scratch_root = str(tmp_path / "sb")
    config.SandboxedKernelManager.limits = Limits(**limits).to_json()
    REPORTS.clear()
    executor = SandboxedExecute(config=config, timeout=timeout, allow_errors=True)
    try:
        executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    except Exception as error:  # noqa: BLE001 - a dead kernel is one of the outcomes under test
        died = type(error).__name__
    else:
        died = None
    texts = [
        "".join(
            o.get("text", "") if o.output_type == "stream" else f"{o.get('ename')}: {o.get('evalue')}"
            for o in cell.outputs
            if o.output_type in ("stream", "error")
        )  # fmt: skip
        for cell in nb.cells
    ]
    assert len(REPORTS) == 1, f"one report per sandbox, got {REPORTS}"
    left = sorted(p.name for p in (tmp_path / "sb").iterdir() if p.name != ".etc")  # .etc: the passwd it binds
    assert left == [], f"scratch folders left behind: {left}"
    return texts, REPORTS[0], died


def no_marked_processes() -> list[str]:
    left = []
    for process in psutil.process_iter(["cmdline"]):
        if MARKER in " ".join(process.info["cmdline"] or []):
            left.append(" ".join(process.info["cmdline"]))
    return left


PEEK = f"""
import os, socket
def tried(action):
    try:
        return repr(action())
    except Exception as error:
        return type(error).__name__
print("uid:", os.getuid())
print("root:", sorted(os.listdir("/")))
print("repo:", tried(lambda: sorted(os.listdir({str(ROOT)!r}))))
print("solutions:", tried(lambda: os.listdir({str(ROOT / "solutions")!r})))
print("home:", tried(lambda: os.listdir({str(Path.home())!r})))
print("write rnnlab:", tried(lambda: open({str(ROOT / "lib" / "rnnlab" / "__init__.py")!r}, "a")))
print("write venv:", tried(lambda: open({str(Path(sys.prefix) / "sitecustomize.py")!r}, "w")))
print("write root:", tried(lambda: open("/evil", "w")))
print("processes:", len([p for p in os.listdir("/proc") if p.isdigit()]))
print("env:", sorted(k for k in os.environ if "SECRET" in k))
print("net:", tried(lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2)))
print("hostname:", socket.gethostname())
"""


def test_a_kernel_sees_only_its_view(bwrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "do-not-leak")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        texts, report, died = run([f"PORT = {server.getsockname()[1]}", PEEK], tmp_path)
    finally:
        server.close()
    seen = dict(line.split(": ", 1) for line in texts[1].splitlines())
    expected_uid = "65534" if is_root() else str(os.getuid())
    assert died is None and report.violation is None, (died, report)
    reference = {
        "uid": expected_uid,
        "solutions": "FileNotFoundError",
        "write root": "OSError",
        "env": "[]",
        "net": "ConnectionRefusedError",
        "hostname": "sandbox",
    }
    ours = {key: seen[key] for key in reference}
    assert ours == reference, f"ours {ours} vs reference {reference}"
    for write in ("write rnnlab", "write venv"):
        assert seen[write] in ("PermissionError", "OSError"), f"{write}: {seen[write]}"
    inside_repo = sorted({p.relative_to(ROOT).parts[0] for p in build_view(["rnnlab"]).read_only if ROOT in p.parents})
    assert seen["repo"] == repr(inside_repo), f"ours {seen['repo']} vs reference {inside_repo}"
    assert int(seen["processes"]) <= 4, f"the kernel sees {seen['processes']} processes: not its own PID namespace"


def test_memory_over_the_limit_is_refused(bwrap: str, tmp_path: Path) -> None:
    cells = ["x = bytearray(6 * 2**30)", "import numpy as np\nnp.ones(6 * 2**30 // 8)", "print('still here')"]
    texts, report, died = run(cells, tmp_path)
    assert texts[0].startswith("MemoryError") and texts[1].startswith("MemoryError"), texts
    assert texts[2] == "still here\n" and died is None


def test_memory_spread_over_processes_ends_the_sandbox(bwrap: str, tmp_path: Path) -> None:
    hog = (
        "import multiprocessing as mp, time\n"
        "def hog():\n    block = bytearray(600 * 2**20)\n    time.sleep(60)\n"
        "workers = [mp.Process(target=hog) for _ in range(4)]\n"
        "for w in workers:\n    w.start()\ntime.sleep(30)\n"
    )
    texts, report, died = run([hog, "print('not reached')"], tmp_path, memory=1536 * 1024**2)
    assert report.limit == "memory" and died == "DeadKernelError", (report, died)


def test_cpu_time_over_the_limit_ends_the_kernel(bwrap: str, tmp_path: Path) -> None:
    texts, report, died = run(["while True:\n    pass"], tmp_path, cpu_seconds=2)
    assert (report.limit, died) == ("cpu", "DeadKernelError"), (report, died)


def test_a_full_disk_ends_the_sandbox(bwrap: str, tmp_path: Path) -> None:
    fill = "with open('big', 'wb') as f:\n    for _ in range(64):\n        f.write(b'x' * 2**20)\n"
    fill += "import time\ntime.sleep(5)"
    texts, report, died = run([fill], tmp_path, disk=16 * 1024**2)
    assert report.limit == "disk", (report, texts)


def test_a_file_over_the_size_limit_is_refused(bwrap: str, tmp_path: Path) -> None:
    texts, report, died = run(["open('big', 'wb').write(b'x' * 3 * 2**20)"], tmp_path, file_size=2**20)
    assert texts[0].startswith("OSError") and "File too large" in texts[0], texts


def test_processes_over_the_limit_are_refused(bwrap: str, tmp_path: Path) -> None:
    bomb = (
        "import subprocess\nstarted = []\n"
        "try:\n    for _ in range(200):\n        started.append(subprocess.Popen(['sleep', '60']))\n"
        "except OSError as error:\n    print(len(started), type(error).__name__)\n"
    )
    texts, report, died = run([bomb], tmp_path, processes=24)
    count, name = texts[0].split()
    assert name == "BlockingIOError" and int(count) < 24, texts
    assert report.leftovers == int(count), report


def test_processes_left_behind_are_killed_and_counted(bwrap: str, tmp_path: Path) -> None:
    spawn = (
        "import os, subprocess, sys\n"
        f"for _ in range(5):\n    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{MARKER}'],"
        " start_new_session=True)\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', '{MARKER}'])\n"
        "    os._exit(0)\n"
        "import time; time.sleep(1)\n"
    )
    texts, report, died = run([spawn, "print('done')"], tmp_path)
    assert texts[1] == "done\n" and report.leftovers == 6, (texts, report)
    assert no_marked_processes() == [], no_marked_processes()


@pytest.mark.parametrize(("signal_name", "what"), [("SIGSTOP", "stopped"), ("SIGKILL", "killed")])
def test_signalling_the_kernels_parent_is_a_violation(bwrap: str, tmp_path: Path, signal_name: str, what: str) -> None:
    attack = f"import os, signal, time\nos.kill(os.getppid(), signal.{signal_name})\ntime.sleep(3)"
    texts, report, died = run([attack, "print('after')"], tmp_path)
    assert report.violation is not None and what in report.violation, report
    assert "after\n" not in texts


def test_nothing_of_the_sandbox_survives_it(bwrap: str, tmp_path: Path) -> None:
    probe = "import os\nprint(os.readlink('/proc/self/ns/pid'))"
    texts, report, died = run([probe], tmp_path)
    inode = int(texts[0].strip().split("[")[1].rstrip("]"))
    assert namespace_members(inode) == [], "processes of the sandbox's PID namespace are still alive"


def test_an_unprivileged_grader_gets_the_same_sandbox(bwrap: str, tmp_path: Path) -> None:
    """The single bubblewrap used when the grader is not root, run here as nobody with the system's Python."""
    python = shutil.which("python3", path="/usr/bin")
    if not is_root() or python is None:
        pytest.skip("needs root (to become nobody) and /usr/bin/python3")
    public = Path(tempfile.mkdtemp(prefix="sandbox-test-", dir="/tmp"))  # nobody must reach it
    public.chmod(0o755)
    scratch = public / "scratch"
    scratch.mkdir()
    os.chown(scratch, 65534, 65534)
    view = View(tuple(p for p in build_view([]).read_only if str(p).startswith(("/usr", "/etc"))),
                build_view([]).symlinks)  # fmt: skip
    plan = Plan(bwrap, view, scratch, Limits(), {"HOME": str(scratch)})
    read_end, write_end = os.pipe()
    trial = command(plan, [python, "-c", "import os; print(os.getuid(), sorted(os.listdir('/')))"], write_end)
    done = subprocess.run(trial, pass_fds=(write_end,), capture_output=True, text=True, user=65534, group=65534,
                          extra_groups=[], timeout=60, check=False)  # fmt: skip
    os.close(write_end)
    os.close(read_end)
    shutil.rmtree(public)
    assert done.returncode == 0, done.stderr
    uid, _, listing = done.stdout.partition(" ")
    assert uid == "65534" and "root" not in listing and "work" not in listing, done.stdout


def test_the_kernel_imports_the_course_packages_from_where_the_grader_found_them() -> None:
    """Another checkout's ``lib`` on the environment's ``.pth`` must not win: the exposed folder is on PYTHONPATH."""
    import rnnlab
    from coursegrader.sandbox.view import import_path

    reference = str(Path(rnnlab.__file__).resolve().parent.parent)
    assert import_path(["rnnlab"]) == reference, f"ours {import_path(['rnnlab'])} vs reference {reference}"
    assert sandbox_env(Path("/s"), Path(sys.executable), reference)["PYTHONPATH"] == reference


# --- the zygote: kernels forked into the sandbox bubblewrap made ----------------------------------

STATUS_FIELDS = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp")
CREDENTIALS = f"""
import json, os
def status(pid):
    fields = dict(line.split(":", 1) for line in open(f"/proc/{{pid}}/status").read().splitlines() if ":" in line)
    return {{key: fields[key].split() for key in {STATUS_FIELDS!r}}}
def namespaces(pid):
    return {{kind: os.readlink(f"/proc/{{pid}}/ns/{{kind}}") for kind in sorted(os.listdir(f"/proc/{{pid}}/ns"))}}
def cmdline(pid):
    return open(f"/proc/{{pid}}/cmdline", "rb").read()
placeholder = [p for p in os.listdir("/proc") if p.isdigit() and b"placeholder" in cmdline(p)]
parent = os.getppid()
print(json.dumps({{
    "status": status("self"), "namespaces": namespaces("self"), "placeholder": placeholder,
    "placeholder_namespaces": namespaces(placeholder[0]) if placeholder else None,
    "ppid": parent, "parent_cmdline": cmdline(parent).decode(),
    "parent_fds": sorted(int(fd) for fd in os.listdir(f"/proc/{{parent}}/fd")),
    "sid": os.getsid(0) == os.getpid(), "cwd": os.getcwd(), "limits": open("/proc/self/limits").read(),
}}))
"""


def test_a_forked_kernel_is_in_the_sandbox_bubblewrap_made(bwrap: str, tmp_path: Path) -> None:
    """Same namespaces as the placeholder, the sandbox user with no capabilities, the limits, nothing inherited."""
    import json

    texts, report, died = run([CREDENTIALS], tmp_path, processes=40)
    assert died is None and report.violation is None, (texts, report, died)
    seen = json.loads(texts[0])
    assert seen["namespaces"] == seen["placeholder_namespaces"], seen
    host = {kind: os.readlink(f"/proc/self/ns/{kind}") for kind in seen["namespaces"]}
    shared = sorted(kind for kind in host if host[kind] == seen["namespaces"][kind] and not kind.startswith("time"))
    assert shared in ([], ["cgroup"]), f"namespaces shared with the grader: {shared}"
    uid = "65534" if is_root() else str(os.getuid())
    status = seen["status"]
    reference = {"Uid": [uid] * 4, "CapInh": ["0" * 16], "CapPrm": ["0" * 16], "CapEff": ["0" * 16],
                 "CapBnd": ["0" * 16], "CapAmb": ["0" * 16], "NoNewPrivs": ["1"]}  # fmt: skip
    ours = {key: status[key] for key in reference}
    assert ours == reference, f"ours {ours} vs reference {reference}"
    assert "python" in seen["parent_cmdline"] and seen["ppid"] > 1, "the kernel's parent is the watcher"
    assert seen["parent_fds"] == [0, 1, 2], f"the watcher holds {seen['parent_fds']}: the kernel inherited them"
    assert seen["sid"] is False and seen["cwd"].startswith(str(tmp_path)), seen
    assert "Max processes             40                   40" in seen["limits"], seen["limits"]


def test_forked_kernels_draw_different_random_numbers(bwrap: str, tmp_path: Path) -> None:
    draw = "import numpy as np, random\nprint(np.random.rand(), random.random())"
    first, _, _ = run([draw], tmp_path)
    second, _, _ = run([draw], tmp_path)
    assert first[0] != second[0], f"two kernels drew the same unseeded numbers: {first[0]} {second[0]}"


def test_the_zygote_ends_with_the_grading_process(tmp_path: Path) -> None:
    """A grading process killed mid-run (its Dask worker died) leaves no zygote behind."""
    import signal
    import time

    owner = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from coursegrader.sandbox.forkserver import zygote_for\n"
        "from coursegrader.sandbox.view import import_path\n"
        "zygote = zygote_for(sys.executable, ['numpy'], import_path(['rnnlab']))\n"
        "print(zygote.process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )], stdout=subprocess.PIPE, text=True)  # fmt: skip
    zygote = int(owner.stdout.readline())
    assert psutil.pid_exists(zygote), "the zygote did not start"
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 10
    while psutil.pid_exists(zygote) and psutil.Process(zygote).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the zygote outlived its grading process"
        time.sleep(0.05)
