"""Every place that shows open or closed uses the one evaluator, at the moment the page is read (issue 15).

A site is built on 2026-11-28 from a copy of the shipped data with a few dated changes, then read in
Chromium at fixed clocks: a 24-hour station on its 春节 closing day, a station page and a map popup at
01:50, an alert before, within and after its dates, an exception that was still to come when the page was
built and is over when it is read. And the schema.org hours say what the evaluator says, every hour.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from conftest import PageVisit, build_site, data_with_station_changes, serve_site
from scripts.outputs.station_extras import compact_hours
from scripts.records.models import Station
from scripts.rules import opening

CHINA = dt.timezone(dt.timedelta(hours=8))
CHANGES = {
    # A 24-hour station closed for 春节.
    "xiaoge-05": {"hours": {"open_24h": True, "exceptions": [
        {"date": "2027-02-16", "until": "2027-02-18", "closed": True, "note": "春节闭站"}]}},
    # An alert whose dates begin after the build, and an exception that is over soon after it.
    "xiaoge-07": {"alerts": [{"text": "门前道路施工，请从侧门进入。", "start": "2026-12-05", "end": "2026-12-10"}],
                  "hours": {"weekly": [{"days": ["mo", "tu", "we", "th", "fr", "sa", "su"],
                                        "periods": ["08:00-20:00"]}],
                            "exceptions": [{"date": "2026-09-30", "closed": True, "note": "已过去的检修"},
                                           {"date": "2026-11-30", "closed": True, "note": "设备检修"}]}},
}


def _station(data: Path, station_id: str) -> Station:
    return Station.model_validate(yaml.safe_load((data / "stations" / f"{station_id}.yaml").read_text("utf-8")))


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """(site URL, data, site) of the site built on 2026-11-28 from the changed data."""
    base = tmp_path_factory.mktemp("dated")
    data = base / "data"
    data_with_station_changes(data, CHANGES)
    result = build_site(data, base / "work", base / "site")
    assert result.exit_code == 0, result.output
    with serve_site(base / "site") as url:
        yield url, data, base / "site"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def open_at(visit: PageVisit, url: str, moment: dt.datetime) -> None:
    visit.page.clock.set_fixed_time(moment)
    visit.page.goto(url)


def test_a_24_hour_station_on_its_closed_day(phone: PageVisit, dated: tuple[str, Path, Path]) -> None:
    url, data, _ = dated
    moment = at("2027-02-17T12:00:00+08:00")
    expected = opening.status(compact_hours(_station(data, "xiaoge-05")), moment)
    assert expected["state"] == "closed_today" and "春节闭站" in expected["text"]
    open_at(phone, url + "stations/xiaoge-05/", moment)
    expect(phone.page.locator(".open-now")).to_have_text(expected["text"])
    expect(phone.page.locator(".hours-today")).to_contain_text("今日闭站")
    open_at(phone, url + "stations/", moment)
    item = phone.page.locator('#station-list li[data-station="xiaoge-05"] .station-item-open')
    expect(item).to_have_text(expected["text"])
    assert not phone.console_errors, phone.console_errors


def test_the_page_and_the_map_popup_at_night_say_closed(phone: PageVisit, dated: tuple[str, Path, Path]) -> None:
    url, data, _ = dated
    moment = at("2026-12-02T01:50:00+08:00")  # a Wednesday, 01:50
    expected = opening.status(compact_hours(_station(data, "xinfu-centre")), moment)
    assert expected["state"] == "closed"
    open_at(phone, url + "stations/xinfu-centre/", moment)
    expect(phone.page.locator(".open-now")).to_have_text(expected["text"])
    assert "正常开放" not in phone.page.locator("article").inner_text(), "the record's status is not the state now"

    open_at(phone, url + "stations/", moment)
    phone.page.locator("iframe.district-map").scroll_into_view_if_needed()  # below the list on a phone, lazy
    frame = phone.page.frame_locator("iframe.district-map")
    frame.locator("html[data-stations]").wait_for(state="attached")
    marker = frame.locator(".station-marker").first
    name = marker.get_attribute("title").split("（")[0]
    station_id = next(p.stem for p in (data / "stations").glob("*.yaml")
                      if yaml.safe_load(p.read_text("utf-8"))["name"] == name)
    marker.focus()
    marker.press("Enter")
    state = frame.locator(".station-popup .station-popup__state")
    expect(state).to_have_text(opening.status(compact_hours(_station(data, station_id)), moment)["text"])
    assert "正常开放" not in frame.locator(".station-popup").inner_text()


@pytest.mark.parametrize("moment, shown", [
    ("2026-12-01T09:00:00+08:00", False),  # built 2026-11-28, read before the alert's dates
    ("2026-12-07T09:00:00+08:00", True),
    ("2026-12-11T09:00:00+08:00", False),
])
def test_an_alert_shows_only_within_its_dates(phone: PageVisit, dated: tuple[str, Path, Path], moment: str,
                                              shown: bool) -> None:
    url, _, site = dated
    page_html = (site / "stations" / "xiaoge-07" / "index.html").read_text(encoding="utf-8")
    assert "门前道路施工" in page_html and "2026-12-05 至 2026-12-10" in page_html, "dated text for no-JS readers"
    open_at(phone, url + "stations/xiaoge-07/", at(moment))
    alert = phone.page.locator(".station-alert", has_text="门前道路施工")
    expect(alert).to_be_visible() if shown else expect(alert).to_be_hidden()


def test_exceptions_are_listed_only_until_they_are_over(phone: PageVisit, dated: tuple[str, Path, Path]) -> None:
    url, _, site = dated
    page = BeautifulSoup((site / "stations" / "xiaoge-07" / "index.html").read_text("utf-8"), "html.parser")
    listed = page.select_one(".hours-exceptions").get_text()
    assert "已过去的检修" not in listed, "over when the site was built: not listed"
    assert "设备检修" in listed
    open_at(phone, url + "stations/xiaoge-07/", at("2026-11-29T10:00:00+08:00"))
    expect(phone.page.locator(".hours-exceptions")).to_contain_text("设备检修")
    open_at(phone, url + "stations/xiaoge-07/", at("2026-12-01T10:00:00+08:00"))
    expect(phone.page.locator(".hours-exceptions")).to_be_hidden()


# --- schema.org says what the evaluator says ------------------------------------------------------

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _minutes(clock: str) -> int:
    return 1440 if clock == "23:59" else int(clock[:2]) * 60 + int(clock[3:])


def _specs_for(data: dict, day: dt.date) -> list[dict]:
    """The specifications that apply to ``day``, as schema.org reads them: special ones replace regular ones."""
    special = [s for s in data.get("specialOpeningHoursSpecification", [])
               if s["validFrom"] <= day.isoformat() <= s["validThrough"]]
    return special or [s for s in data.get("openingHoursSpecification", []) if _DAYS[day.weekday()] in s["dayOfWeek"]]


def schema_org_open(data: dict, moment: dt.datetime) -> bool:
    local = moment.astimezone(CHINA)
    day, minute = local.date(), local.hour * 60 + local.minute
    for spec in _specs_for(data, day):
        opens, closes = _minutes(spec["opens"]), _minutes(spec["closes"])
        if opens == closes == 0:
            continue  # closed that day
        if opens <= minute < (closes if closes > opens else 1440):
            return True
    for spec in _specs_for(data, day - dt.timedelta(days=1)):  # yesterday's overnight period
        opens, closes = _minutes(spec["opens"]), _minutes(spec["closes"])
        if closes < opens and minute < closes:
            return True
    return False


def _hours_over(start: str, days: int) -> list[dt.datetime]:
    first = dt.datetime.fromisoformat(start)
    return [first + dt.timedelta(minutes=30 * n) for n in range(days * 48)]


MOMENTS = _hours_over("2026-11-28T00:15:00+08:00", 16) + _hours_over("2027-02-13T00:15:00+08:00", 12)


def test_schema_org_hours_agree_with_the_evaluator(dated: tuple[str, Path, Path]) -> None:
    _, data, site = dated
    checked = 0
    for path in sorted((data / "stations").glob("*.yaml")):
        station = _station(data, path.stem)
        page = BeautifulSoup((site / "stations" / path.stem / "index.html").read_text("utf-8"), "html.parser")
        ld = json.loads(page.select_one('script[type="application/ld+json"]').string)
        if station.status != "open":  # closed at every hour: no regular hours to misread as open
            assert "openingHoursSpecification" not in ld
        hours = compact_hours(station)
        for moment in MOMENTS:
            assert schema_org_open(ld, moment) == opening.status(hours, moment)["open"], (path.stem, moment)
            checked += 1
    assert checked > 10_000
