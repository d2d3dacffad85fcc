"""The site with a keyboard alone, on a phone (an external keyboard or a switch) and a desktop:
Tab reaches the finder's filters, Space applies one, and list and map follow; Tab reaches the map's
markers and Enter opens one; a station's map, not downloaded until asked for, opens with Enter; the
navigation and the search open and lead to a page."""

from __future__ import annotations

import re

import pytest
import yaml

from browser_checks import SEARCH_FIELDS, SEARCH_QUERY, SEARCH_RESULTS_JS, open_visit, report, wait_until_ready
from conftest import DATA

STATIONS = {p.stem: yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
            for p in sorted((DATA / "stations").glob("*.yaml"))}
VIEWPORTS = ["phone", "desktop"]


def tab_to(page, selector: str, limit: int = 250) -> int:
    """Press Tab until the focused element matches ``selector``; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"Tab never reached {selector} in {limit} presses")


def visible_stations(page) -> list[str]:
    return sorted(page.eval_on_selector_all("#station-list li[data-station]:not([hidden])",
                                            "items => items.map(li => li.dataset.station)"))


def open_finder(page, site_url: str) -> None:
    page.goto(site_url + "stations/")
    page.wait_for_selector("#finder:not([hidden])")
    wait_until_ready(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_finder_filters_and_list_with_the_keyboard(browser, site_url: str, viewport: str) -> None:
    with open_visit(browser, viewport) as visit:
        page = visit.page
        open_finder(page, site_url)
        everything = visible_stations(page)

        tab_to(page, '#finder input[name="h24"]')
        page.keyboard.press("Space")
        always_open = sorted(sid for sid, s in STATIONS.items()
                             if s["hours"].get("open_24h") == "true" and s.get("status", "open") == "open")
        assert visible_stations(page) == always_open and "h24=1" in page.url
        page.keyboard.press("Space")
        assert visible_stations(page) == everything

        tab_to(page, "#finder-more > summary")
        page.keyboard.press("Enter")
        assert page.locator("#finder-more").evaluate("details => details.open")
        tab_to(page, '#finder input[name="type"][value="nuanxin"]')
        page.keyboard.press("Space")
        nuanxin = sorted(sid for sid, s in STATIONS.items() if s["type"] == "nuanxin")
        assert visible_stations(page) == nuanxin and "type=nuanxin" in page.url
        page.wait_for_function(f"() => document.querySelector('iframe.district-map').contentDocument"
                               f".documentElement.dataset.stations === '{len(nuanxin)}'")

        tab_to(page, "#station-list li:not([hidden]) a")  # past the map, into the list
        target = page.evaluate("document.activeElement.closest('li').dataset.station")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/stations/{target}/")
        assert visit.console_errors == [] and visit.failed_local == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_map_marker_opens_with_the_keyboard(browser, site_url: str, viewport: str) -> None:
    with open_visit(browser, viewport) as visit:
        page = visit.page
        open_finder(page, site_url)
        for _ in range(120):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('iframe.district-map')"):
                frame = page.frame_locator("iframe.district-map")
                if frame.locator(".station-marker:focus").count():
                    break
        else:
            raise AssertionError("Tab never reached a station marker on the map")
        title = frame.locator(".station-marker:focus").get_attribute("title")
        page.keyboard.press("Enter")
        popup = frame.locator(".station-popup")
        popup.wait_for()
        assert popup.locator("strong").inner_text() == title.split("（")[0]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_station_map_loads_only_when_opened_with_the_keyboard(browser, site_url: str, viewport: str) -> None:
    """A station page downloads no map (Leaflet is most of a page's weight) until the reader asks;
    the navigation buttons need none and are there from the start."""
    with open_visit(browser, viewport) as visit:
        page = visit.page
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(site_url + "stations/xiaoge-07/")
        page.wait_for_load_state("networkidle")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # scrolled past the map too
        page.wait_for_timeout(500)
        assert [url for url in requested if re.search(r"/maps/|/vendor/|sitemap\.xml", url)] == []
        assert page.locator(".navigation-links a").filter(visible=True).count() == 3  # 高德, 百度, 腾讯

        tab_to(page, "details.station-map-details > summary")
        page.keyboard.press("Enter")
        page.frame_locator("iframe.station-map").locator('html[data-stations="1"]').wait_for(state="attached")
        assert page.locator("iframe.station-map").is_visible()
        assert visit.console_errors == [] and visit.failed_local == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_navigation_with_the_keyboard(browser, site_url: str, viewport: str) -> None:
    with open_visit(browser, viewport) as visit:
        page = visit.page
        page.goto(site_url)
        wait_until_ready(page)
        if viewport == "phone":  # the menu button opens the drawer, which is hidden from Tab until then
            tab_to(page, 'label[for="__drawer"]', limit=10)
            page.keyboard.press("Enter")
            assert page.locator("#__drawer").is_checked()
            tab_to(page, '.md-sidebar--primary a[href$="services/"]', limit=40)
        else:
            tab_to(page, '.md-tabs a[href$="services/"]', limit=40)
        page.keyboard.press("Enter")
        page.wait_for_url("**/services/")
        page.locator("h1", has_text="服务菜单").wait_for()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_search_with_the_keyboard(browser, site_url: str, viewport: str) -> None:
    """Whatever engine draws the search: reach the field, type, Tab to a result, open it."""
    field = ", ".join(SEARCH_FIELDS)
    with open_visit(browser, viewport) as visit:
        page = visit.page
        page.goto(site_url)
        wait_until_ready(page)
        opener = 'button[aria-label*="搜索"], [role="button"][aria-label*="搜索"], button[title*="搜索"]'
        reached = tab_to(page, f"{field}, {opener}", limit=40)
        if page.evaluate("s => document.activeElement.matches(s)", opener):
            page.keyboard.press("Enter")  # the field sits behind a button (on a phone)
            if not page.evaluate("s => document.activeElement.matches(s)", field):
                tab_to(page, field, limit=10)
        assert reached <= 10, f"the search is {reached} Tab presses from the top of the page"
        page.keyboard.type(SEARCH_QUERY)
        page.wait_for_function(f"() => ({SEARCH_RESULTS_JS})({SEARCH_QUERY!r}).length > 0", timeout=15_000)
        is_result = f"({SEARCH_RESULTS_JS})({SEARCH_QUERY!r}).includes(document.activeElement.href)"
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate(is_result):
                break
        else:
            raise AssertionError("Tab never reached a search result")
        target = page.evaluate("document.activeElement.href")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(re.escape(target.split("#")[0])))
        assert page.locator("h1").count() == 1
        problems = [text for text in visit.console_errors + visit.failed_local]
        assert problems == [], report(problems)
