"""Accessibility and polish of the built book, in headless Chromium with the network off.

axe-core (the copy shipped by the axe-playwright-python package) must report no serious or critical
violation on the content pages; images carry real alt text; headings do not skip levels; code blocks have
copy buttons; the book has a favicon and a logo; figures stay readable in dark mode.
"""

from __future__ import annotations

from importlib import resources
from urllib.parse import urljoin

import pytest
from conftest import require_module
from test_book_browser import PAGES, PageVisit, served_site, source_of
from test_book_browser import browser as browser  # noqa: F401  (the shared fixture)

CONTENT_PAGES = [name for name in PAGES if source_of(name) is not None]
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def site() -> str:
    return served_site()


@pytest.fixture(scope="module")
def axe_source() -> str:
    require_module("axe_playwright_python")
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text()


@pytest.mark.parametrize("name", CONTENT_PAGES)
def test_page_is_accessible(browser, site, axe_source, name):  # noqa: F811
    """One visit per page (they are slow): axe-core, alt texts, heading order, copy buttons."""
    visit = PageVisit(browser, urljoin(site, f"{name}.html"))
    try:
        problems = axe_violations(visit.page, axe_source) + missing_alt_texts(visit.page)
        problems += heading_jumps(visit.page) + missing_copy_buttons(visit.page)
    finally:
        visit.close()
    assert not problems, f"{name}.html:\n  " + "\n  ".join(problems)


def axe_violations(page, axe_source: str) -> list[str]:
    """axe-core findings of impact serious or critical."""
    page.add_script_tag(content=axe_source)
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 120))}));
    }""")
    return [
        f"axe [{v['impact']}] {v['id']}: {v['help']}\n      " + "\n      ".join(v["nodes"])
        for v in violations
        if v["impact"] in SERIOUS
    ]


def missing_alt_texts(page) -> list[str]:
    """Images without a real alt text (a file name, as myst-nb writes by default, is not one)."""
    missing = page.evaluate("""() => [...document.querySelectorAll('main img, .navbar-brand img')]
        .filter(img => img.getAttribute('aria-hidden') !== 'true')
        .filter(img => { const alt = (img.getAttribute('alt') || '').trim();
                         return !alt || /\\.(png|svg|jpe?g|gif)$/i.test(alt); })
        .map(img => img.getAttribute('src') + ' alt=' + JSON.stringify(img.getAttribute('alt')))""")
    return [f"image without alt text: {image}" for image in missing]


def heading_jumps(page) -> list[str]:
    """Exactly one h1, and no heading more than one level below the one before it."""
    levels = page.evaluate(
        "() => [...document.querySelectorAll('article h1, article h2, article h3, article h4, article h5, "
        "article h6')].map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"
    )
    problems = [] if [level for level, _ in levels].count(1) == 1 else [f"expected one h1, got {levels[:3]}"]
    for (before, _), (after, text) in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading h{before} followed by h{after} ({text!r})")
    return problems


def missing_copy_buttons(page) -> list[str]:
    blocks, buttons = page.evaluate(
        "() => [document.querySelectorAll('div.highlight pre').length, "
        "document.querySelectorAll('div.highlight button.copybtn').length]"
    )
    return [] if buttons == blocks else [f"{blocks} code blocks but {buttons} copy buttons (sphinx-copybutton?)"]


def test_favicon_and_logo(browser, site):  # noqa: F811
    visit = PageVisit(browser, urljoin(site, "index.html"))
    try:
        favicon = visit.page.evaluate("() => document.querySelector('link[rel~=icon]')?.href")
        logo = visit.page.evaluate(
            "() => { const i = document.querySelector('img.logo__image');"
            " return i && [i.naturalWidth, i.getAttribute('alt')]; }"
        )
        problems = visit.failed + visit.errors
    finally:
        visit.close()
    assert favicon and favicon.endswith("favicon.svg"), f"favicon link: {favicon}"
    assert logo and logo[0] > 0 and logo[1], f"logo image (naturalWidth, alt): {logo}"
    assert not problems, problems


@pytest.mark.parametrize("name", [n for n in CONTENT_PAGES if n.startswith("chapters/")][:2])
def test_figures_have_white_background_in_dark_mode(browser, site, artifacts, name):  # noqa: F811
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
        page.goto(urljoin(site, f"{name}.html"), wait_until="networkidle")
        theme = page.evaluate("() => document.documentElement.dataset.theme")
        backgrounds = page.evaluate(
            "() => [...document.querySelectorAll('.cell_output img, figure img')]"
            ".map(img => getComputedStyle(img).backgroundColor)"
        )
        page.screenshot(path=str(artifacts / "book" / f"dark__{name.replace('/', '__')}.png"), full_page=True)
    finally:
        context.close()
    assert theme == "dark", f"the book did not follow the reader's dark colour scheme (data-theme={theme!r})"
    assert all(bg == "rgb(255, 255, 255)" for bg in backgrounds), f"figure backgrounds in dark mode: {backgrounds}"
