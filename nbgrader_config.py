"""nbgrader configuration of the course: solutions/ -> exercises/, grading work area under grading/.

The folders and the gradebook come from ``coursegrader.course`` (``LAYOUT``), the one place that names them.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if (ROOT / "lib" / "coursegrader").is_dir() and str(ROOT / "lib") not in sys.path:
    sys.path.insert(0, str(ROOT / "lib"))  # this checkout's coursegrader, whichever one is installed

from coursegrader.course import Course  # noqa: E402 (needs the path above)

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

Course(ROOT).configure(c)
c.CourseDirectory.course_id = "gated-rnn"

# What a solution region becomes in the student version.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Every cell of a correct notebook runs in well under a second; 60 s catches infinite loops.
c.Execute.timeout = 60
c.ExecutePreprocessor.timeout = 60

# Each source notebook is paired with its MyST Markdown source (solutions/<a>/<a>.md, solutions and hidden
# tests included): nbgrader must never copy it into a release. The first four are nbgrader's defaults.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.md"]
