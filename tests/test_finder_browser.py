"""The station finder on a phone, with everything off this machine blocked:
filters drive both the list and the map, open now follows a fixed clock,
near me sorts by distance, the URL carries the state, QR codes scan."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from pathlib import Path

import pytest
import yaml
import zxingcpp
from PIL import Image

from conftest import DATA, ROOT, PageVisit, published_site_url
from scripts.outputs.station_extras import compact_hours
from scripts.pipeline.build import Project, load_catalogue
from scripts.rules import opening

STATIONS = {p.stem: yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
            for p in sorted((DATA / "stations").glob("*.yaml"))}
DAYS = ["mo", "tu", "we", "th", "fr", "sa", "su"]


def visible_ids(visit: PageVisit) -> list[str]:
    return visit.page.eval_on_selector_all("#station-list li[data-station]:not([hidden])",
                                           "items => items.map(li => li.dataset.station)")


def map_count(visit: PageVisit) -> int:
    frame = visit.page.frame_locator("iframe.district-map")
    frame.locator("html[data-stations]").wait_for(state="attached")
    return int(frame.locator("html").get_attribute("data-stations"))


def open_finder(visit: PageVisit, site_url: str, query: str = "") -> None:
    visit.page.goto(site_url + "stations/" + query)
    visit.page.wait_for_selector("#finder:not([hidden])")
    visit.page.locator("iframe.district-map").scroll_into_view_if_needed()
    map_count(visit)


def assert_clean(visit: PageVisit) -> None:
    assert visit.console_errors == [] and visit.failed_local == []
    assert {u.split("/")[2] for u in visit.third_party} <= {"tile.openstreetmap.org"}


def expand_filters(visit: PageVisit) -> None:
    if not visit.page.locator("#finder-more").evaluate("d => d.open"):
        visit.page.locator("#finder-more > summary").click()


@pytest.mark.parametrize("name, value, expected", [
    ("type", "nuanxin", lambda s: s["type"] == "nuanxin"),
    ("amenity", "microwave", lambda s: "microwave" in s["amenities"]),
    ("amenity", "first_aid", lambda s: "first_aid" in s["amenities"]),
])
def test_a_filter_changes_list_and_map(phone: PageVisit, site_url: str, name, value, expected) -> None:
    open_finder(phone, site_url)
    assert len(visible_ids(phone)) == len(STATIONS)
    expand_filters(phone)
    phone.page.locator(f'#finder input[name="{name}"][value="{value}"]').check()
    wanted = sorted(sid for sid, s in STATIONS.items() if expected(s))
    assert 0 < len(wanted) < len(STATIONS)
    assert sorted(visible_ids(phone)) == wanted
    phone.page.wait_for_function(f"() => document.querySelector('iframe.district-map').contentDocument"
                                 f".documentElement.dataset.stations === '{len(wanted)}'")
    assert f"{name}={value}" in phone.page.url
    assert_clean(phone)


def test_applied_resolves_once_list_and_map_show_a_filter(phone: PageVisit, site_url: str) -> None:
    """stationFinder.applied (what the benchmark waits for) settles when both show the new result."""
    open_finder(phone, site_url)
    expand_filters(phone)
    seen = phone.page.evaluate("""async () => {
        document.querySelector('#finder input[name=amenity][value=charging]').click();
        const applied = await window.stationFinder.applied;
        const map = document.querySelector('iframe.district-map').contentDocument.documentElement;
        return {applied, list: document.querySelectorAll('#station-list li[data-station]').length,
                map: Number(map.dataset.stations)};
    }""")
    wanted = [sid for sid, s in STATIONS.items() if "charging" in s["amenities"]]
    assert 0 < len(wanted) < len(STATIONS)
    assert seen == {"applied": {"list": len(wanted), "map": len(wanted)}, "list": len(wanted), "map": len(wanted)}


def test_amenities_combine(phone: PageVisit, site_url: str) -> None:
    open_finder(phone, site_url, "?amenity=charging&amenity=toilet")
    wanted = sorted(sid for sid, s in STATIONS.items() if {"charging", "toilet"} <= set(s["amenities"]))
    assert sorted(visible_ids(phone)) == wanted
    assert phone.page.locator('#finder input[value="toilet"]').is_checked()
    assert map_count(phone) == len(wanted)


def test_24_hours_filter(phone: PageVisit, site_url: str) -> None:
    open_finder(phone, site_url)
    phone.page.locator('#finder input[name="h24"]').check()
    wanted = sorted(sid for sid, s in STATIONS.items()
                    if s["hours"].get("open_24h") == "true" and s.get("status", "open") == "open")
    assert wanted and sorted(visible_ids(phone)) == wanted


def test_text_filter_on_name_and_address(phone: PageVisit, site_url: str) -> None:
    open_finder(phone, site_url)
    phone.page.locator('#finder input[name="q"]').fill("长征街")
    wanted = sorted(sid for sid, s in STATIONS.items()
                    if "长征街" in s["name"] + s["address"] + s.get("street", ""))
    assert wanted and sorted(visible_ids(phone)) == wanted
    assert "q=" in phone.page.url


def open_at(record: dict, when: dt.datetime) -> bool:
    """Test oracle for a daytime instant (no period crosses midnight at 10:00)."""
    if record.get("status", "open") != "open":
        return False
    if record["hours"].get("open_24h") == "true":
        return True
    day = when.date().isoformat()
    periods = None
    for exception in record["hours"].get("exceptions", []):
        if exception["date"] <= day <= exception.get("until", exception["date"]):
            periods = [] if exception.get("closed") == "true" else exception["periods"]
    if periods is None:
        periods = [p for rule in record["hours"]["weekly"] if DAYS[when.weekday()] in rule["days"]
                   for p in rule["periods"]]
    clock = when.strftime("%H:%M")
    return any(p.split("-")[0] <= clock < p.split("-")[1] for p in periods if p.split("-")[0] < p.split("-")[1])


@pytest.mark.parametrize("moment", ["2026-12-02T10:00:00+08:00", "2026-12-06T07:30:00+08:00",
                                    "2026-10-03T10:00:00+08:00"])
def test_open_now_at_a_fixed_clock(phone: PageVisit, site_url: str, moment: str) -> None:
    when = dt.datetime.fromisoformat(moment)
    phone.page.clock.set_fixed_time(when)
    open_finder(phone, site_url)
    phone.page.locator('#finder input[name="open"]').check()
    wanted = sorted(sid for sid, s in STATIONS.items() if open_at(s, when))
    assert sorted(visible_ids(phone)) == wanted
    assert map_count(phone) == len(wanted)
    for sid in wanted:  # text_content: items far off screen are not laid out (content-visibility: auto)
        assert phone.page.locator(f'li[data-station="{sid}"] .station-item-open').text_content().startswith(
            ("营业中", "24 小时"))


@pytest.mark.parametrize("moment", ["2026-12-02T10:00:00+08:00", "2026-12-02T01:50:00+08:00"])
def test_near_me_sorts_open_stations_first_then_by_distance(browser, site_url: str, moment: str) -> None:
    """At night the nearest stations are mostly closed: the rider sees the nearest *open* one first."""
    here = {"latitude": 38.4050, "longitude": 112.7450}
    context = browser.new_context(viewport={"width": 390, "height": 844}, geolocation=here,
                                  permissions=["geolocation"], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime.fromisoformat(moment))
    page.goto(site_url + "stations/")
    page.locator("#finder-near").click()
    page.wait_for_function("() => document.getElementById('finder-count').textContent.includes('按距离')")
    order = page.eval_on_selector_all("#station-list li[data-station]", "items => items.map(li => li.dataset.station)")
    catalogue = load_catalogue(Project())
    when = dt.datetime.fromisoformat(moment)

    def metres(sid: str) -> float:
        loc = catalogue.stations[sid].location
        lat1, lng1, lat2, lng2 = map(math.radians, (here["latitude"], here["longitude"], loc.lat, loc.lng))
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
        return 2 * 6371008.8 * math.asin(math.sqrt(h))

    def is_open(sid: str) -> bool:  # the Python evaluator, the one specification of opening hours
        return opening.status(compact_hours(catalogue.stations[sid]), when)["open"]

    expected = sorted(STATIONS, key=lambda sid: (not is_open(sid), metres(sid)))
    assert order == expected
    assert 0 < sum(map(is_open, STATIONS)) < len(STATIONS)  # both kinds present: the order is a real test
    if moment.endswith("01:50:00+08:00"):  # the nearest station is closed at night, and is not first
        assert not is_open(min(STATIONS, key=metres)) and order[0] != min(STATIONS, key=metres)
    first = page.locator(f'li[data-station="{order[0]}"] .station-item-distance').text_content()
    assert re.fullmatch(r" · 约 \d+ 米| · 约 \d+\.\d 公里", first)
    assert "near=1" in page.url
    assert "正在开放的排在前面" in page.locator("#finder-count").text_content()
    context.close()


def test_filtered_view_can_be_shared(phone: PageVisit, site_url: str) -> None:
    open_finder(phone, site_url)
    expand_filters(phone)
    phone.page.locator('#finder input[name="type"][value="xiaoge"]').check()
    phone.page.locator('#finder input[name="amenity"][value="charging"]').check()
    shared = phone.page.url
    shown = visible_ids(phone)
    again = phone.page.context.new_page()
    again.goto(shared)
    again.wait_for_selector("#finder:not([hidden])")
    assert again.eval_on_selector_all("#station-list li[data-station]:not([hidden])",
                                      "items => items.map(li => li.dataset.station)") == shown
    assert again.locator('#finder input[value="charging"]').is_checked()


def test_without_javascript_the_list_is_complete_and_the_filters_hidden(browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "stations/")
    assert page.locator("#station-list li[data-station]").count() == len(STATIONS)
    assert not page.locator("#finder").is_visible()
    context.close()


def test_station_page_shows_open_now_and_todays_hours(phone: PageVisit, site_url: str) -> None:
    phone.page.clock.set_fixed_time(dt.datetime.fromisoformat("2026-12-02T10:00:00+08:00"))
    phone.page.goto(site_url + "stations/xinfu-centre/")
    badge = phone.page.locator(".open-now")
    badge.wait_for()
    assert badge.inner_text() == "营业中 · 12:00 关门"
    assert phone.page.locator(".hours-today").inner_text() == "今天 08:30–12:00、14:30–18:00"
    assert_clean(phone)


HOURS_CASES = [
    # (hours, Shanghai time, expected text)
    ({"s": "open", "a": 0, "w": [[["18:00", "02:00"]]] * 7, "x": []}, "2026-12-02T01:00:00+08:00",
     "营业中 · 02:00 关门"),
    ({"s": "open", "a": 0, "w": [[["18:00", "02:00"]]] * 7, "x": []}, "2026-12-02T03:00:00+08:00",
     "已关门 · 18:00 开门"),
    ({"s": "open", "a": 1, "w": [[]] * 7, "x": []}, "2026-12-02T03:00:00+08:00", "24 小时开放"),
    ({"s": "temporarily_closed", "a": 0, "w": [[["08:00", "20:00"]]] * 7, "x": []}, "2026-12-02T10:00:00+08:00",
     "临时关闭"),
    ({"s": "open", "a": 0, "w": [[["08:00", "20:00"]]] * 7, "x": [["2026-10-01", "2026-10-07", None]]},
     "2026-10-03T10:00:00+08:00", "今日闭站 · 周四 08:00 开门"),
    ({"s": "open", "a": 0, "w": [[["08:00", "20:00"]]] * 5 + [[], []], "x": []}, "2026-12-04T21:00:00+08:00",
     "已关门 · 周一 08:00 开门"),
    ({"s": "open", "a": 0, "w": [[["08:00", "20:00"]]] * 7, "x": []}, "2026-12-02T21:00:00+08:00",
     "已关门 · 明天 08:00 开门"),
    ({"s": "open", "a": 0, "w": [[["08:30", "12:00"], ["14:30", "18:00"]]] * 7, "x": []},
     "2026-12-02T12:30:00+08:00", "已关门 · 14:30 开门"),
    ({"s": "open", "a": 0, "w": [[["10:30", "24:00"]]] * 7, "x": []}, "2026-12-02T23:59:00+08:00",
     "营业中 · 明天 00:00 关门"),
    ({"s": "open", "a": 0, "w": [[["08:00", "20:00"]]] * 7, "x": [["2026-12-24", "2026-12-24", [["09:00", "12:00"]]]]},
     "2026-12-24T13:00:00+08:00", "已关门 · 明天 08:00 开门"),
]


@pytest.mark.parametrize("hours, moment, expected", HOURS_CASES)
def test_hours_model_in_the_browser(browser, hours: dict, moment: str, expected: str) -> None:
    """The real opening-hours.js, run in Chromium, in a UTC browser: the zone must not matter."""
    context = browser.new_context(timezone_id="UTC")
    page = context.new_page()
    page.add_script_tag(path=str(ROOT / "docs" / "assets" / "javascripts" / "opening-hours.js"))
    text = page.evaluate("([h, t]) => OpeningHours.status(h, new Date(t)).text", [hours, moment])
    context.close()
    assert text == expected


def test_qr_code_scans_to_the_station_page(phone: PageVisit, site_url: str) -> None:
    published = published_site_url()
    for station_id in ["xinfu-centre", "nuanxin-02", "xiaoge-30"]:
        phone.page.goto(site_url + f"stations/{station_id}/")
        image = phone.page.locator(".station-qr img")
        image.scroll_into_view_if_needed()
        png = image.screenshot()
        results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert [r.text for r in results] == [f"{published.rstrip('/')}/stations/{station_id}/"]


def test_screenshots_for_people(phone: PageVisit, site_url: str) -> None:
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    open_finder(phone, site_url)
    phone.page.screenshot(path=str(out / "phone-finder.png"))
    phone.page.goto(site_url + "stations/xiaoge-07/poster/")
    phone.page.screenshot(path=str(out / "phone-poster.png"), full_page=True)
    assert Path(out / "phone-finder.png").stat().st_size > 10_000
