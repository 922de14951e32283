"""Every page of the built book in headless Chromium, with the network off (only loopback is allowed).

The book is built from scratch once per session into a temporary folder and served on 127.0.0.1. Each
page is checked: HTTP 200, no script errors, no failed or off-machine requests, images loaded,
equations typeset, internal links and anchors resolve, launch buttons open files that exist, embedded
widgets render, no solution text. A full-page screenshot of each page goes to test-artifacts/book/.
"""

from __future__ import annotations

import atexit
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import pytest
import yaml
from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, require_executable, require_module

MARKERS = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME"]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


# ---------------------------------------------------------------------------------------------- pages
def toc_pages() -> list[str]:
    """Page names (``chapters/02_rnn``) listed in _toc.yml, plus Sphinx's own pages."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(str(Path(entry["file"]).with_suffix("")))
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [*names, "genindex", "search"]


PAGES = toc_pages()


def source_of(page: str) -> Path | None:
    for suffix in (".ipynb", ".md"):
        if (ROOT / page).with_suffix(suffix).is_file():
            return (ROOT / page).with_suffix(suffix)
    return None


# ------------------------------------------------------------------------------------ build and serve
@functools.cache
def build() -> tuple[Path, list[str]]:
    """Build the book from scratch (``jupyter-book build -n --keep-going``, as on a fresh clone) into a
    temporary folder, once per session; return the HTML folder and the build's warnings. Not reusing
    _build/html: Sphinx does not rewrite unchanged pages when only an extension or a template changed,
    so an incremental build can look fine while a fresh one is not. Without -W, so that a warning
    (reported by test_book_builds_without_warnings) does not hide the browser checks."""
    output = Path(tempfile.mkdtemp(prefix="book-"))
    atexit.register(shutil.rmtree, output, ignore_errors=True)
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(ROOT),
        "--path-output",
        str(output),
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    html = output / "_build" / "html"
    assert result.returncode == 0 and (html / "index.html").is_file(), (
        f"book build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    warnings = [
        re.sub(r"\x1b\[[0-9;]*m", "", line)
        for line in (result.stdout + result.stderr).splitlines()
        if "WARNING" in line or "ERROR" in line
    ]
    return html, warnings


def built_site() -> Path:
    return build()[0]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@functools.cache
def served_site() -> str:
    """Serve the built book on 127.0.0.1 (a daemon thread, shut down when the test process exits)."""
    handler = functools.partial(QuietHandler, directory=str(built_site()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    atexit.register(server.shutdown)
    return f"http://127.0.0.1:{server.server_port}/"


def is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def site() -> str:
    return served_site()


@pytest.fixture(scope="module")
def browser():
    sync_api = require_module("playwright.sync_api")
    chromium = require_executable(CHROMIUM)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class PageVisit:
    """Opens one page with every non-loopback request aborted and records what went wrong."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))
        self.response = self.page.goto(url, wait_until="load")
        # MathJax typesets after load; wait for it when the page uses it.
        self.page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
        self.page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        self.page.wait_for_load_state("networkidle")

    def _route(self, route) -> None:
        if is_loopback(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


# ------------------------------------------------------------------------------------- what to check
@functools.cache
def solution_lines() -> frozenset[str]:
    """Lines inside solution and hidden-test blocks of solutions/*, minus lines students see anyway."""
    released = set()
    for notebook in (ROOT / "exercises").glob("**/*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            released.update(normalise(line) for line in "".join(cell["source"]).splitlines())
    hidden = set()
    for notebook in (ROOT / "solutions").glob("**/*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            inside = False
            for line in "".join(cell["source"]).splitlines():
                if re.search(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS)", line):
                    inside = "BEGIN" in line
                elif inside and len(normalise(line)) >= 20 and not line.strip().startswith("#"):
                    hidden.add(normalise(line))
    return frozenset(hidden - released)


def normalise(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def url_status(url: str) -> int:
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@functools.cache
def anchors_of(url: str) -> frozenset[str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return frozenset(re.findall(r'\bid="([^"]+)"', response.read().decode()))


def launch_target(href: str) -> str | None:
    """Repository path a Binder or JupyterHub button opens, or None if ``href`` is no launch link."""
    query = parse_qs(urlsplit(href).query)
    if "urlpath" not in query:
        return None
    path = unquote(query["urlpath"][0]).removeprefix("lab/tree/").removeprefix("tree/")
    if "git-pull" in href:  # JupyterHub + nbgitpuller: lab/tree/<repository name>/<path>
        path = path.split("/", 1)[1]
    return path


@pytest.fixture(scope="module")
def artifacts_book(artifacts) -> Path:
    folder = artifacts / "book"
    folder.mkdir(exist_ok=True)
    return folder


def test_book_builds_without_warnings():
    warnings = build()[1]
    assert not warnings, "the book build warns (make book runs with -W):\n" + "\n".join(warnings[:30])


def test_every_built_page_is_tested():
    html = built_site()
    built = {
        p.relative_to(html).with_suffix("").as_posix()
        for p in html.glob("**/*.html")
        if not p.relative_to(html).parts[0].startswith("_")
    } - {"index"}
    assert built == set(PAGES), f"built pages vs pages under test: {sorted(built ^ set(PAGES))}"
    assert not (html / "solutions").exists() and not (html / "_sources" / "solutions").exists()


@pytest.mark.parametrize("name", PAGES)
def test_page(browser, site, artifacts_book, name):
    url = urljoin(site, f"{name}.html")
    visit = PageVisit(browser, url)
    try:
        problems = check_page(visit, name, url)
        visit.page.screenshot(path=str(artifacts_book / f"{name.replace('/', '__')}.png"), full_page=True)
    finally:
        visit.close()
    assert not problems, f"{name}.html:\n  " + "\n  ".join(problems)


def check_page(visit: PageVisit, name: str, url: str) -> list[str]:
    page, problems = visit.page, []
    if visit.response is None or visit.response.status != 200:
        problems.append(f"HTTP {visit.response and visit.response.status} (expected 200)")
    problems += visit.errors
    problems += [f"request to the network (offline reader would miss it): {u}" for u in visit.blocked]
    problems += [f"failed request: {u}" for u in visit.failed]
    problems += check_images(page)
    problems += check_math(page)
    problems += check_links(page, url)
    problems += check_launch_buttons(page, name)
    problems += check_no_solutions(page, name)
    problems += check_widgets(page)
    return problems


def check_widgets(page) -> list[str]:
    """Every embedded widget view was rendered by the vendored HTML manager (no kernel, no network)."""
    views, rendered = page.evaluate("""() => [
        document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
        document.querySelectorAll('.widget-subarea, .jupyter-widgets-view').length]""")
    return [f"{views} embedded widget views but {rendered} rendered"] if rendered < views else []


def check_images(page) -> list[str]:
    broken = page.evaluate("""async () => {
        const images = [...document.images];
        images.forEach(img => { img.loading = 'eager'; });
        await Promise.all(images.map(img => img.decode().catch(() => null)));
        return images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.currentSrc || img.src);
    }""")
    return [f"image did not load: {src}" for src in broken]


def check_math(page) -> list[str]:
    report = page.evaluate("""() => {
        const math = [...document.querySelectorAll('.math')];
        const raw = math.filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.slice(0, 80));
        const prose = document.querySelector('main') ? document.querySelector('main').cloneNode(true) : null;
        if (prose) prose.querySelectorAll('pre, code, script, style, mjx-container, .cell_input')
            .forEach(el => el.remove());
        return {count: math.length, raw: raw, text: prose ? prose.textContent : '',
                mathjax: Boolean(window.MathJax && window.MathJax.version)};
    }""")
    problems = [f"equation not typeset: {tex!r}" for tex in report["raw"]]
    if report["count"] and not report["mathjax"]:
        problems.append("page has math but MathJax did not load")
    for delimiter in ("$$", "\\(", "\\[", "\\begin{"):
        if delimiter in report["text"]:
            at = report["text"].index(delimiter)
            problems.append(f"raw TeX {delimiter!r} left in the prose: {report['text'][at - 40 : at + 40]!r}")
    return problems


def check_links(page, url: str) -> list[str]:
    problems = []
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href], link[href]')].map(a => a.href)")
    for href in sorted(set(hrefs)):
        if not is_loopback(href):
            continue
        target, _, fragment = href.partition("#")
        status = url_status(target)
        if status != 200:
            problems.append(f"internal link {href} -> HTTP {status}")
        elif fragment and target.endswith(".html") and unquote(fragment) not in anchors_of(target):
            problems.append(f"internal link {href}: no element with id {fragment!r}")
    return problems


def check_launch_buttons(page, name: str) -> list[str]:
    source = source_of(name)
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    targets = [(href, launch_target(href)) for href in hrefs]
    targets = [(href, path) for href, path in targets if path is not None]
    problems = [
        f"launch button opens {path}, which is not in the repository ({href})"
        for href, path in targets
        if not (ROOT / path).is_file()
    ]
    if source is not None and source.suffix == ".ipynb":
        opened = {path for _, path in targets}
        expected = source.relative_to(ROOT).as_posix()
        binder = CONFIG["launch_buttons"].get("binderhub_url", "").rstrip("/")
        if not any(href.startswith(binder) for href, _ in targets) or opened != {expected}:
            problems.append(f"notebook page should have a Binder button opening {expected}; found {opened}")
        hub = (CONFIG["launch_buttons"].get("jupyterhub_url") or "").rstrip("/")
        if hub and not any(href.startswith(hub) for href, _ in targets):
            problems.append(f"jupyterhub_url is set but the page has no JupyterHub button to {hub}")
    return problems


def check_no_solutions(page, name: str) -> list[str]:
    """No nbgrader marker anywhere; on exercise pages, also no line of a solution or hidden test (chapters
    may legitimately show the same code as a solution, e.g. a call to rnnlab they explain)."""
    html = page.content()
    problems = [f"solution marker {marker!r} on the page" for marker in MARKERS if marker in html]
    if name.startswith("exercises/"):
        text = normalise(page.evaluate("() => document.body.innerText"))
        problems += [f"solution line on the page: {line!r}" for line in solution_lines() if line in text]
    return problems


def test_search_finds_update_gate(browser, site, artifacts_book):
    visit = PageVisit(browser, urljoin(site, "search.html?q=update+gate"))
    try:
        visit.page.wait_for_selector(
            "#search-results p.search-summary, #search-results .search-summary", timeout=20_000
        )
        results = visit.page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
        visit.page.screenshot(path=str(artifacts_book / "search-update-gate.png"), full_page=True)
        errors = visit.errors + visit.blocked + visit.failed
    finally:
        visit.close()
    assert results, "searching the book for 'update gate' found nothing"
    assert not errors, errors


def test_search_index_has_no_solutions():
    index = (built_site() / "searchindex.js").read_text()
    assert not [marker for marker in MARKERS if marker in index]
