"""Make the grading processes start faster (imported first by the command line and by each worker).

Two imports that the grader never uses cost more CPU than the rest of a process's start:

- jsonschema, which nbformat imports, builds a parser for IRI strings at import time whenever the
  optional ``rfc3987_syntax`` package is installed: about two seconds of CPU in every process, for a
  string format no notebook schema uses. That package is marked as absent.
- ``import nbgrader`` imports its four Jupyter server extensions (the formgrader and the assignment list,
  with jupyter_server and tornado): a third of a second per process, for web pages the command line never
  serves. Their modules are replaced by stand-ins whose ``load_jupyter_server_extension`` says so; the
  converters and preprocessors do not import them (the feedback template is found by its path).

Only the entry points import this module, so other programs (and tests) importing coursegrader, and a
JupyterLab with nbgrader's extensions, are untouched.
"""

import sys
import types

SERVER_EXTENSIONS = ("assignment_list", "course_list", "validate_assignment", "formgrader")


def _not_served(app) -> None:
    raise RuntimeError("coursegrader's processes do not serve nbgrader's Jupyter extensions")


sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
for _name in SERVER_EXTENSIONS:
    _stand_in = types.ModuleType(f"nbgrader.server_extensions.{_name}", "not loaded by coursegrader (see _startup)")
    _stand_in.load_jupyter_server_extension = _not_served  # type: ignore[attr-defined]
    sys.modules.setdefault(_stand_in.__name__, _stand_in)
