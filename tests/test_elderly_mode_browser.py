"""The elderly-friendly mode (适老化): a visible 大字 button in the header switches every page to
larger text (at least 1.25×) and a high-contrast palette; the choice is remembered from page to page
(large before the first paint) and across reloads; pages still pass axe and fit the screen, on a
390 px phone and at 200 % zoom. A phone screenshot of each page in this mode goes to
test-artifacts/pages/ beside the normal ones."""

from __future__ import annotations

import pytest

from browser_checks import (
    PAGE_TYPES,
    SEARCH_QUERY,
    VIEWPORTS,
    axe_problems,
    name_problems,
    network_problems,
    open_visit,
    overflow_problems,
    page_label,
    report,
    search_box,
    search_results,
    wait_until_ready,
)
from conftest import ARTIFACTS

BUTTON = "button.elderly-toggle"
# The poster is a print document of its own, already in large type, without the site's header.
KINDS = [kind for kind in PAGE_TYPES if kind != "poster"]


def switch(page, on: bool) -> None:
    """Press the header button (as a person would) until the mode is ``on``."""
    if page.locator(BUTTON).get_attribute("aria-pressed") != ("true" if on else "false"):
        page.locator(BUTTON).click()
    assert page.evaluate("document.documentElement.hasAttribute('data-elderly')") is on


def text_size(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('article p')).fontSize)")


def button_size(page) -> float:
    """Buttons (navigation, call) grow with the text: bigger targets too."""
    return page.evaluate("document.querySelector('article .md-button').getBoundingClientRect().height")


def contrast(page, selector: str) -> float:
    """WCAG contrast of an element's text against the page background."""
    return page.evaluate("""s => {
      const rgba = c => { const v = c.match(/[\\d.]+/g).map(Number); return [...v.slice(0, 3), v[3] ?? 1]; };
      const linear = v => { v /= 255; return v <= .03928 ? v / 12.92 : ((v + .055) / 1.055) ** 2.4; };
      const lum = rgb => { const [r, g, b] = rgb.map(linear); return .2126 * r + .7152 * g + .0722 * b; };
      const back = rgba(getComputedStyle(document.body).backgroundColor);
      const text = rgba(getComputedStyle(document.querySelector(s)).color);
      const fg = lum(text.slice(0, 3).map((v, i) => v * text[3] + back[i] * (1 - text[3])));  // see-through text
      const bg = lum(back.slice(0, 3));
      return (Math.max(fg, bg) + .05) / (Math.min(fg, bg) + .05);
    }""", selector)


def test_the_button_is_visible_named_and_switches_size_and_contrast(browser, site_url: str) -> None:
    with open_visit(browser, "phone") as visit:
        page = visit.page
        page.goto(site_url + f"{PAGE_TYPES['station']}")
        button = page.get_by_role("button", name="大字")
        button.wait_for()
        box = button.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24 and box["y"] < 60, box  # in the header, easy to tap
        assert button.get_attribute("aria-pressed") == "false"
        normal_size, normal_contrast, normal_button = text_size(page), contrast(page, "article p"), button_size(page)
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        assert text_size(page) >= 1.25 * normal_size
        assert contrast(page, "article p") >= 19 > normal_contrast  # black on white (AAA asks for 7:1)
        assert button_size(page) >= 1.25 * normal_button
        button.click()
        assert text_size(page) == normal_size and button.get_attribute("aria-pressed") == "false"


def test_the_choice_lasts_from_page_to_page_and_across_reloads(browser, site_url: str) -> None:
    with open_visit(browser, "phone") as visit:
        page = visit.page
        # Record whether the mode is on when <body> starts, i.e. before anything is painted.
        page.add_init_script("""new MutationObserver((_, observer) => {
          if (document.body) { window.__elderlyAtFirstPaint = document.documentElement.hasAttribute('data-elderly');
                               observer.disconnect(); }
        }).observe(document, {childList: true, subtree: true});""")
        page.goto(site_url)
        switch(page, True)
        page.locator("a.find-station").click()  # following a link, as a reader does
        page.wait_for_url("**/stations/")
        page.locator("h1", has_text="驿站地图").wait_for()
        assert page.evaluate("window.__elderlyAtFirstPaint") is True
        assert page.locator(BUTTON).get_attribute("aria-pressed") == "true"
        page.goto(site_url + PAGE_TYPES["service"])  # typed or bookmarked
        assert page.evaluate("window.__elderlyAtFirstPaint") is True
        assert page.locator(BUTTON).get_attribute("aria-pressed") == "true"
        switch(page, False)
        page.reload()
        assert page.evaluate("window.__elderlyAtFirstPaint") is False
        assert network_problems(visit, "elderly mode") == []


@pytest.mark.parametrize("kind", KINDS)
def test_page_in_elderly_mode_passes_axe_and_fits_the_screen(browser, site_url: str, kind: str) -> None:
    url = site_url + PAGE_TYPES[kind]
    with open_visit(browser, "phone") as visit:
        page = visit.page
        page.goto(url)
        wait_until_ready(page)
        label = page_label(page, "phone 大字", kind)
        switch(page, True)
        if kind == "search":
            search_box(page).fill(SEARCH_QUERY)
            search_results(page)
        problems = axe_problems(page, label) + name_problems(page, label) + overflow_problems(page, label)
        (ARTIFACTS / "pages").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "pages" / f"phone-elderly-{kind}.png"), full_page=kind != "search")
        # 200 % zoom of a 1280 px window lays out at 640 CSS px: in this mode and in the normal one.
        page.set_viewport_size(VIEWPORTS["zoom200"]["viewport"])
        problems += overflow_problems(page, page_label(page, "200% 大字", kind))
        if kind == "search":
            page.keyboard.press("Escape")  # close the search, which covers the header on a narrow screen
        switch(page, False)
        problems += overflow_problems(page, page_label(page, "200%", kind))
        problems += network_problems(visit, label, expected_404=url if kind == "not-found" else None)
    assert problems == [], report(problems)
