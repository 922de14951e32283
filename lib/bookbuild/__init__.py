"""Sphinx extension that makes the built book work without a network.

Loaded by Jupyter Book through ``sphinx.local_extensions`` in ``_config.yml``. It does three things:

1. serves MathJax 3 from the book itself: the files come from the ``django-static-mathjax`` package on
   PyPI (pure data, no dependencies) and are copied into ``_build/html/_static/mathjax``; the page loads
   ``_static/mathjax/tex-mml-chtml.js`` instead of a CDN;
2. removes duplicate ``<script>`` tags: Sphinx 7.4 registers an inline script added after the builder
   started twice (once with ``filename=None``, once with ``''``), so sphinx-thebe's
   ``const THEBE_JS_URL = ...`` appeared twice on every page and the second copy threw
   "Identifier 'THEBE_JS_URL' has already been declared" in every reader's console;
3. ships the ipywidgets HTML manager vendored in ``lib/bookbuild/static/vendor/jupyter-widgets`` (see
   its PROVENANCE.txt) as ``_static/vendor/...``; ``nb_ipywidgets_js`` in ``_config.yml`` points pages with
   embedded widget state at it. It lives here, not in the book's ``_static``, because Jupyter Book adds
   every ``.js`` file under ``_static`` to every page;
4. gives bibliography entries the ``listitem`` role their ``role="list"`` container requires.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

__all__ = ["MATHJAX_ENTRY", "mathjax_source", "setup"]

MATHJAX_ENTRY = "mathjax/tex-mml-chtml.js"
"""Path of the MathJax entry point relative to ``_static`` in the built book."""

MATHJAX_PACKAGE = "django-static-mathjax==3.2.2.1"
STATIC = Path(__file__).parent / "static"
"""Copied into ``_static`` of the built book (``vendor/jupyter-widgets/embed.js`` and its fonts)."""


def mathjax_source() -> Path:
    """Return the ``es5`` folder of the MathJax 3 distribution shipped by ``django-static-mathjax``.

    Raises
    ------
    ExtensionError
        If the package is not installed or does not contain MathJax 3's ``es5`` build.
    """
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(f"MathJax is served from the book; install it with: pip install {MATHJAX_PACKAGE}")
    for location in spec.submodule_search_locations:
        es5 = Path(location) / "static" / "mathjax" / "es5"
        if (es5 / "tex-mml-chtml.js").is_file():
            return es5
    raise ExtensionError(
        f"the installed 'mathjax' module has no static/mathjax/es5/tex-mml-chtml.js; install {MATHJAX_PACKAGE}"
    )


def use_local_mathjax(app: Sphinx, config: Any) -> None:
    """Point Sphinx's MathJax loader at the copy inside ``_static`` (unless a local path is already set)."""
    mathjax_source()  # fail early, before reading any page, if the package is missing
    if "://" in str(config.mathjax_path):
        config.mathjax_path = MATHJAX_ENTRY


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Copy MathJax into ``<outdir>/_static/mathjax`` once per build output (skipped when up to date)."""
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    stamp = target / ".source"
    if stamp.is_file() and stamp.read_text() == str(source):
        return
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=_unused_mathjax_files(source))
    stamp.write_text(str(source))


def _unused_mathjax_files(source: Path):
    """``copytree`` filter: keep the one combined entry point we load and the parts it loads lazily
    (TeX extensions, CommonHTML fonts, menu, accessibility and speech); skip the other entry points and
    the SVG output (about half of the 24 MB)."""
    entry = Path(MATHJAX_ENTRY).name

    def ignore(folder: str, names: list[str]) -> set[str]:
        if Path(folder) == source:
            return {name for name in names if name.endswith(".js") and name != entry}
        if Path(folder) == source / "output":
            return {name for name in names if name.startswith("svg")}
        return set()

    return ignore


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Keep the first of several identical ``<script>`` entries (same file or same inline body)."""
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def add_vendored_static(app: Sphinx, config: Any) -> None:
    """Add our static folder to ``html_static_path``; fail if ``nb_ipywidgets_js`` names a missing file."""
    config.html_static_path.append(str(STATIC))
    static_folders = [Path(app.confdir) / folder for folder in config.html_static_path]
    for path in getattr(config, "nb_ipywidgets_js", {}) or {}:
        if "://" not in path and not any((folder / path).is_file() for folder in static_folders):
            raise ExtensionError(f"nb_ipywidgets_js names _static/{path}, which no static folder provides")


def fix_citation_list_roles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """docutils writes the bibliography as ``<div role="list">`` whose entries have role ``doc-biblioentry``;
    a list must contain list items (axe-core: aria-required-children, critical), so give them that role."""
    body = context.get("body")
    if isinstance(body, str) and 'class="citation-list"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", use_local_mathjax)
    app.connect("config-inited", add_vendored_static)
    app.connect("build-finished", copy_mathjax)
    # After every other handler (myst-nb adds per-page scripts in this event too).
    app.connect("html-page-context", drop_duplicate_scripts, priority=999)
    app.connect("html-page-context", fix_citation_list_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
