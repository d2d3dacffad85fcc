"""Every page type in a real browser, on a phone and on a desktop (issue 7).

Each page must pass axe-core's WCAG 2.1 A/AA rules (and the 24 px target size) in the page and in
its map frames, plus what axe leaves out: lang="zh-CN", one h1 and no skipped heading level, alt
text on every image, a name on every control (as Chromium's accessibility tree computes it), a
skip link first in the Tab order, every Tab stop on screen and visibly marked, nothing wider than
the screen. The network must be clean: no console error, no failed request to the site, and no
request to any other host except map tiles, which are blocked, and the maps must still show their
markers. Nothing may be refused by the pages' Content-Security-Policy. A phone screenshot of each
page type goes to test-artifacts/pages/ for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_checks import (
    PAGE_TYPES,
    SEARCH_QUERY,
    axe_problems,
    csp_problems,
    document_problems,
    local_frames,
    network_problems,
    open_visit,
    page_label,
    page_problems,
    report,
    search_box,
    search_results,
    wait_until_ready,
)
from conftest import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "pages"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_page_passes_accessibility_checks(browser, site_url: str, kind: str, viewport: str) -> None:
    url = site_url + PAGE_TYPES[kind]
    with open_visit(browser, viewport) as visit:
        page = visit.page
        page.goto(url)
        wait_until_ready(page)
        label = page_label(page, viewport, kind)
        if kind == "search":
            search_box(page).fill(SEARCH_QUERY)
            assert search_results(page), "the search shows no results"
        if viewport == "phone":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"phone-{kind}.png"), full_page=kind != "search")
        for frame in local_frames(page):  # tiles are blocked: the markers must still be there
            assert int(frame.locator("html").get_attribute("data-stations") or 0) > 0, f"{label}: no markers"
        # An open search is a dialog over the page: its result list is checked, not the page's outline.
        problems = page_problems(page, label, headings=kind != "search", keyboard=kind != "search")
        problems += network_problems(visit, label, expected_404=url if kind == "not-found" else None)
    assert problems == [], report(problems)


def map_documents(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "maps").glob("*.html"))


def test_map_documents_opened_on_their_own_pass_axe(browser, site_url: str, built_site: Path) -> None:
    """The map frames are checked inside their pages above; here each file is opened by itself."""
    problems = []
    point = "?lat=38.4165&lng=112.734&type=xiaoge&short=小哥&label=小哥驿站&name=测试"  # as a station page asks
    with open_visit(browser, "phone") as visit:
        for name in map_documents(built_site):
            query = point if name == "station.html" else ""
            visit.page.goto(f"{site_url}maps/{name}{query}")
            visit.page.wait_for_selector("html[data-stations]", state="attached")
            problems += axe_problems(visit.page, f"maps/{name}") + document_problems(visit.page, f"maps/{name}",
                                                                                      headings=False)
            problems += csp_problems(visit.page, f"maps/{name}")
        problems += network_problems(visit, "maps")
    assert map_documents(built_site), "no map documents were built"
    assert problems == [], report(problems)
