"""coursegrader: the instructor's grading pipeline for the course's nbgrader assignments.

One command (``python -m coursegrader grade``, or ``make grade``) goes from a folder or zip of student
submissions to a gradebook, ``grading/grades.csv``, feedback HTML and a class report. nbgrader grades
one student at a time; here every student is a task of a Dask cluster (a local one by default), graded by
a supervised child process in its own work area with its own gradebook file, and the client merges every
student into the course gradebook in one transaction. This package is instructor tooling: students never
import it.

Modules, one job each: ``course`` (paths and nbgrader configuration), ``register`` (put an assignment in
the gradebook), ``collect`` (read and validate submissions), ``cluster`` (the Dask cluster),
``dispatch`` (one task per student, results merged as they arrive), ``remote`` (a task, on a Dask worker),
``supervisor`` (the grading child, its time limit and restarts), ``worker`` (the grading child itself),
``journal`` (resuming an interrupted run), ``merge`` (scores into the
course gradebook), ``feedback`` (hide hidden tests from the HTML), ``report`` (grades.csv, report.md,
histogram), ``grade`` (the whole pipeline), ``release`` (regenerate ``exercises/``).
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
