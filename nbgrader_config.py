"""nbgrader configuration of the course: solutions/ -> exercises/, grading work area under grading/."""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "gated-rnn"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'grading' / 'gradebook.db'}"

# What a solution region becomes in the student version.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Every cell of a correct notebook runs in well under a second; 60 s catches infinite loops.
c.Execute.timeout = 60
c.ExecutePreprocessor.timeout = 60

# Each source notebook is paired with its MyST Markdown source (solutions/<a>/<a>.md, solutions and hidden
# tests included): nbgrader must never copy it into a release. The first four are nbgrader's defaults.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.md"]
