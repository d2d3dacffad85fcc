"""活动 (events), the record type added through the registry: its rules, its checks, its pages and its calendars.

Built from the shipped sample events with the tests' today (2026-11-28), so that which events are upcoming
does not change as real time passes; what a reader sees when a page is older than its events is
tests/test_events_browser.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import DATA, run_cli
from scripts.outputs.search_index import indexed_pages
from scripts.records.event import CHINA, Event, ends_at, past, starts_at, upcoming, when_text

EVENT_FILES = sorted((DATA / "events").glob("*.yaml"))
SHIPPED = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in EVENT_FILES}


def event(**fields: object) -> Event:
    base = {"id": "e", "title": "义诊", "kind": "clinic", "summary": "量血压。", "start": "2026-12-09",
            "place": {"station": "xinfu-centre"}, "organiser": "xinfu-union", "how_to_join": "直接来。"}
    return Event.model_validate({**base, **fields})


# --- when an event is, and when it is over --------------------------------------------------------


@pytest.mark.parametrize("fields, text, over", [
    ({"start": "2026-12-09"}, "2026年12月9日（周三）", "2026-12-10T00:00:00+08:00"),
    ({"start": "2026-12-09 09:00"}, "2026年12月9日（周三） 09:00", "2026-12-10T00:00:00+08:00"),
    ({"start": "2026-12-09 09:00", "end": "2026-12-09 11:30"}, "2026年12月9日（周三） 09:00–11:30",
     "2026-12-09T11:30:00+08:00"),
    ({"start": "2026-12-31", "end": "2027-01-02"}, "2026年12月31日（周四）至 2027年1月2日（周六）",
     "2027-01-03T00:00:00+08:00"),
    ({"start": "2026-11-20", "end": "2026-11-21"}, "2026年11月20日（周五）至 11月21日（周六）",
     "2026-11-22T00:00:00+08:00"),
    # A time written with another offset is the same instant, shown in China time.
    ({"start": "2026-12-09T01:00:00+00:00", "end": "2026-12-09T03:30:00Z"}, "2026年12月9日（周三） 09:00–11:30",
     "2026-12-09T11:30:00+08:00"),
])
def test_when_an_event_is_and_when_it_is_over(fields: dict, text: str, over: str) -> None:
    e = event(**fields)
    assert when_text(e) == text
    assert ends_at(e) == dt.datetime.fromisoformat(over)
    assert ends_at(e).utcoffset() == dt.timedelta(hours=8)


def test_upcoming_and_past_split_at_the_start_of_today_in_china() -> None:
    yesterday = event(id="a", start="2026-11-27 09:00", end="2026-11-27 23:30")
    today = event(id="b", start="2026-11-28 08:00", end="2026-11-28 09:00")
    later = event(id="c", start="2026-12-01")
    assert upcoming([later, yesterday, today], dt.date(2026, 11, 28)) == [today, later]
    assert past([later, yesterday, today], dt.date(2026, 11, 28)) == [yesterday]
    assert starts_at(today).tzinfo == CHINA


# --- checks, with file, line, field and a hint ----------------------------------------------------


def _write_event(data_copy: Path, text: str) -> Path:
    path = data_copy / "events" / "test-event.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
id: test-event
title: 测试活动
kind: clinic
summary: 一句话。
start: 2026-12-09 09:00
place:
  station: xinfu-centre
organiser: xinfu-union
how_to_join: 直接来。
"""


@pytest.mark.parametrize("change, line, field, message", [
    (("  station: xinfu-centre", "  station: xinfu-center"), 7, "place.station", "找不到驿站 xinfu-center"),
    (("kind: clinic", "kind: 义诊"), 3, "kind", "未知的活动类别 义诊"),
    (("organiser: xinfu-union", "organiser: xinfu-unoin"), 8, "organiser", "找不到单位 xinfu-unoin"),
    (("start: 2026-12-09 09:00", "start: 2026-12-09 09:00\nend: 2026-12-08 09:00"), 6, "end", "结束早于开始"),
    (("start: 2026-12-09 09:00", "start: 2026-12-32"), 5, "start", "日期或时间无效"),
    (("start: 2026-12-09 09:00", "start: 2026-12-09\nend: 2026-12-09 11:00"), 6, "end", "写法一致"),
    (("start: 2026-12-09 09:00", "start: 2026-12-09 09:00\nend: 2026-12-12"), 6, "end", "写法一致"),
    (("  station: xinfu-centre", "  name: 人才市场"), 6, "place", "地点要写驿站 station 或地址 address"),
    (("  station: xinfu-centre", "  station: xinfu-centre\n  location: {lat: 38.41, lng: 112.73}"), 6, "place",
     "不用写坐标"),
    (("  station: xinfu-centre", "  name: 人才市场\n  address: 和平街1号\n  location: {lat: 112.73, lng: 38.41}"),
     9, "place.location", "不在辖区范围内"),
])
def test_a_broken_event_is_reported_where_it_is(data_copy: Path, change: tuple[str, str], line: int, field: str,
                                                message: str) -> None:
    _write_event(data_copy, GOOD.replace(*change))
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 1, result.output
    expected = f"data/events/test-event.yaml:{line}:"
    located = [text for text in result.output.splitlines() if text.startswith(expected)]
    assert located and message in located[0], result.output
    if field:
        assert f"字段 {field}：" in located[0], result.output
    assert "修改建议" in result.output and "Traceback" not in result.output


def test_a_good_event_passes_and_the_swapped_coordinates_hint_is_the_stations(data_copy: Path) -> None:
    _write_event(data_copy, GOOD)
    assert run_cli("--data", data_copy, "validate").exit_code == 0
    elsewhere = "  name: 人才市场\n  address: 和平街1号\n  location: {lat: 112.73, lng: 38.41}"
    _write_event(data_copy, GOOD.replace("  station: xinfu-centre", elsewhere))
    assert "写反了" in run_cli("--data", data_copy, "validate").output


def test_events_need_their_vocabulary_only_when_there_are_events(data_copy: Path) -> None:
    vocabularies = data_copy / "vocabularies.yaml"
    text = vocabularies.read_text(encoding="utf-8")
    vocabularies.write_text(text[:text.index("\nevent_kinds:")] + "\n", encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 1 and "词表里缺少 event_kinds" in result.output, result.output
    for path in (data_copy / "events").glob("*.yaml"):
        path.unlink()
    assert run_cli("--data", data_copy, "validate").exit_code == 0


def test_a_misspelt_vocabulary_is_not_silently_ignored(data_copy: Path) -> None:
    vocabularies = data_copy / "vocabularies.yaml"
    vocabularies.write_text(vocabularies.read_text(encoding="utf-8").replace("event_kinds:", "event_kind:"),
                            encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert "没有哪类记录用到词表 event_kind" in result.output and "是不是想写 event_kinds" in result.output, \
        result.output


# --- the built site -----------------------------------------------------------------------------


def _article(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser").select_one("article")


def test_every_event_has_a_page_marked_as_sample_data(built_site: Path) -> None:
    assert SHIPPED, "the shipped data has sample events"
    for event_id, record in SHIPPED.items():
        article = _article(built_site, f"events/{event_id}")
        assert article.h1.get_text(strip=True) == record["title"]
        assert record["sample"] is True and "示例数据" in article.get_text()


def test_a_past_event_says_so_without_scripts(built_site: Path) -> None:
    over = {e.id for e in past([Event.model_validate(r) for r in SHIPPED.values()], dt.date(2026, 11, 28))}
    assert over, "the sample data has a past event"
    for event_id in SHIPPED:
        notice = _article(built_site, f"events/{event_id}").select_one(".event-ended")
        assert notice.has_attr("hidden") == (event_id not in over), event_id


def test_the_events_page_lists_upcoming_soonest_first_and_past_apart(built_site: Path) -> None:
    article = _article(built_site, "events")
    coming = [a["href"].strip("/") for a in article.select("ul.event-list:not(.event-list-past) a")]
    past_links = [a["href"].strip("/") for a in article.select("ul.event-list-past a")]
    today = dt.date(2026, 11, 28)
    expected = upcoming([Event.model_validate(r) for r in SHIPPED.values()], today)
    assert coming == [e.id for e in expected] and coming
    assert past_links == [e.id for e in past([Event.model_validate(r) for r in SHIPPED.values()], today)]
    for item in article.select("li.event-item"):  # each carries the instant it is over, for time-limited.js
        assert dt.datetime.fromisoformat(item["data-hide-after"]).utcoffset() == dt.timedelta(hours=8)


def test_home_and_the_host_station_show_upcoming_events(built_site: Path) -> None:
    home = [a["href"] for a in _article(built_site, ".").select(".event-list a")]
    assert home and all(href.startswith("events/") for href in home)
    hosts = {r["place"]["station"] for r in SHIPPED.values() if "station" in r["place"]}
    for station_id in hosts:
        page = _article(built_site, f"stations/{station_id}")
        listed = {a["href"].rstrip("/").rsplit("/", 1)[-1] for a in page.select(".event-list a")}
        coming = {e.id for e in upcoming([Event.model_validate(r) for r in SHIPPED.values()], dt.date(2026, 11, 28))
                  if e.place.station == station_id}
        assert listed == coming
        if coming:
            assert page.select_one('a[href="events.ics"]'), "the station's own calendar is linked"
    assert not _article(built_site, "stations/xiaoge-30").select(".event-list"), "no events, no section"


def test_the_calendars_parse_back_with_every_event(built_site: Path) -> None:
    whole = icalendar.Calendar.from_ical((built_site / "events.ics").read_bytes())
    entries = {str(e["UID"]).split("@")[0]: e for e in whole.walk("VEVENT")}
    assert set(entries) == set(SHIPPED)
    for event_id, record in SHIPPED.items():
        e = Event.model_validate(record)
        start = entries[event_id].decoded("DTSTART")
        if isinstance(record["start"], dt.date) or len(str(record["start"])) == 10:
            assert start == starts_at(e).date() and not isinstance(start, dt.datetime)
        else:
            assert start == starts_at(e)  # the same instant, written in UTC
        assert str(entries[event_id]["SUMMARY"]) == record["title"]
    for path in built_site.glob("stations/*/events.ics"):
        station_id = path.parent.name
        hosted = {str(e["UID"]).split("@")[0] for e in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")}
        assert hosted == {i for i, r in SHIPPED.items() if r["place"].get("station") == station_id}


def test_event_pages_are_in_the_search_index_as_events(built_site: Path) -> None:
    kinds = dict(indexed_pages(built_site))
    assert {f"events/{event_id}/index.html" for event_id in SHIPPED} <= {p for p, k in kinds.items() if k == "活动"}
