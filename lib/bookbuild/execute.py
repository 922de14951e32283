"""``python -m bookbuild.execute NOTEBOOK.ipynb ...``: run pages in place, as ``make notebooks`` does.

The same as ``jupyter nbconvert --execute --inplace`` (nbclient, each notebook run in its own folder), with
one difference: a widget that the page closes before it ends (``Explainer.close()`` in chapter 08, which
drives an explainer only for its numbers and figures) is not embedded in the notebook's widget state.
nbclient keeps the state of every widget ever opened; the book would then ship, and load in every
reader's browser, hundreds of kilobytes of models no output shows. Widgets still open at the end (the
progress bars of chapters 05 and 07) are embedded as before.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient


class PageClient(NotebookClient):
    """nbclient's client, forgetting a widget's state when the kernel closes its comm."""

    def handle_comm_msg(self, outs: list, msg: dict[str, Any], cell_index: int) -> None:
        if msg["msg_type"] == "comm_close":
            comm_id = msg["content"]["comm_id"]
            self.widget_state.pop(comm_id, None)
            self.widget_buffers.pop(comm_id, None)
            return
        super().handle_comm_msg(outs, msg, cell_index)


def execute(path: Path, timeout: int = 600) -> float:
    """Execute the notebook at ``path`` in its own folder and write it back; return the seconds taken."""
    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    PageClient(nb, timeout=timeout, resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookbuild.execute", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds one cell may take (default 600)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    for number, path in enumerate(args.notebooks, 1):
        seconds = execute(path, args.timeout)
        print(f"[{number}/{len(args.notebooks)}] executed {path} in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
