"""The grading pipeline's speed-ups change nothing but the speed: each is compared with what it replaces."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coursegrader.course import alembic_head


def test_the_in_process_schema_revision_is_what_alembic_prints() -> None:
    """nbgrader stamps a new gradebook with ``alembic heads``' first word; we read it without a subprocess."""
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        printed = subprocess.run([str(Path(sys.executable).parent / "alembic"), "-c", ini, "heads"],
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
    reference = printed.split("\n")[0].split(" ")[0]
    assert alembic_head() == reference, f"ours {alembic_head()} vs reference {reference}"


def test_only_the_grading_child_skips_disk_syncs(tmp_path: Path) -> None:
    """The grading child's gradebooks are scratch copies; the client's course gradebook keeps SQLite's full sync."""
    probe = (
        "import sys\n"
        "from sqlalchemy import create_engine, text\n"
        "if sys.argv[1] == 'child':\n"
        "    from coursegrader.worker import scratch_gradebooks\n"
        "    scratch_gradebooks()\n"
        f"engine = create_engine('sqlite:///{tmp_path / 'g.db'}')\n"
        "with engine.connect() as connection:\n"
        "    print(connection.execute(text('PRAGMA synchronous')).scalar())\n"
    )
    seen = {role: subprocess.run([sys.executable, "-c", probe, role], capture_output=True, text=True,
                                 check=True).stdout.strip() for role in ("child", "client")}  # fmt: skip
    reference = {"child": "0", "client": "2"}  # OFF; FULL, SQLite's default
    assert seen == reference, f"ours {seen} vs reference {reference}"
