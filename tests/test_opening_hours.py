"""Opening hours: one specification (scripts/rules/opening.py's docstring), two evaluators that agree.

The case table tests/hours_cases.json is run against the Python reference evaluator and, in Chromium on
a phone set to Los Angeles time, against the real docs/assets/javascripts/opening-hours.js; a property
test then compares the two on a thousand random schedules and instants."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from scripts.records.models import Hours
from scripts.rules import opening
from scripts.rules.hours import browser_hours

CASES = json.loads((ROOT / "tests" / "hours_cases.json").read_text(encoding="utf-8"))
SCRIPT = ROOT / "docs" / "assets" / "javascripts" / "opening-hours.js"
PHONE_ZONE = "America/Los_Angeles"
FIELDS = {"state", "open", "reason", "next", "text", "always", "closed", "until"}
EVALUATE = """examples => examples.map(([hours, at]) =>
    [OpeningHours.status(hours, new Date(at)), OpeningHours.today(hours, new Date(at))])"""


def python_answer(hours: dict, at: str) -> list:
    instant = dt.datetime.fromisoformat(at)
    return [opening.status(hours, instant), opening.today(hours, instant)]


@pytest.fixture(scope="module")
def script_page(browser) -> Iterator[object]:
    """A blank page with the real opening-hours.js, on a phone whose clock is set to another zone."""
    context = browser.new_context(timezone_id=PHONE_ZONE, locale="zh-CN")
    blank = context.new_page()
    blank.add_script_tag(path=str(SCRIPT))
    assert blank.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == PHONE_ZONE
    yield blank
    context.close()


def test_the_case_table_covers_what_it_must() -> None:
    names = [case["name"] for case in CASES]
    assert len(CASES) >= 40 and len(names) == len(set(names))
    states = {case["expect"]["state"] for case in CASES}
    assert states == {"open", "closed", "closed_today", "temporarily_closed", "withdrawn"}
    assert any(case["at"].endswith("Z") for case in CASES), "an instant given in UTC"
    assert any("2028-02-29" in json.dumps(case) for case in CASES), "the leap day"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_python_evaluator(case: dict) -> None:
    state, today = python_answer(case["hours"], case["at"])
    assert set(state) == FIELDS
    assert {key: state[key] for key in case["expect"]} == case["expect"]
    assert today == case["today"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_browser_evaluator_gives_the_same_answer(script_page, case: dict) -> None:
    state, today = script_page.evaluate(EVALUATE, [[case["hours"], case["at"]]])[0]
    assert [state, today] == python_answer(case["hours"], case["at"])
    assert {key: state[key] for key in case["expect"]} == case["expect"]
    assert today == case["today"]


def test_browser_hours_writes_notes_and_the_closure() -> None:
    """The 春节 closure of a 24-hour station reaches both evaluators with its note (it used to read 24 小时开放)."""
    hours = Hours(open_24h=True, exceptions=[{"date": "2027-02-16", "until": "2027-02-22", "closed": True,
                                             "note": "春节期间闭站"}])
    compact = browser_hours(hours, "open")
    assert compact == {"s": "open", "a": 1, "w": [[]] * 7, "t": None,
                       "x": [["2027-02-16", "2027-02-22", None, "春节期间闭站"]]}
    state = opening.status(compact, dt.datetime.fromisoformat("2027-02-17T10:00:00+08:00"))
    assert state["text"] == "今日闭站（春节期间闭站） · 周二 00:00 开门"
    closed = browser_hours(hours, "temporarily_closed", ("装修", dt.date(2027, 3, 1)))
    assert closed["t"] == ["装修", "2027-03-01"]
    assert opening.status(closed, dt.datetime.now(dt.UTC))["text"] == "临时关闭（装修，至 3月1日）"


def test_the_legacy_compact_form_still_reads(script_page) -> None:
    """Pages built before notes and closures (x entries of three, no t) give the same answers."""
    hours = {"s": "open", "a": 0, "w": [[["08:00", "20:00"]]] * 7, "x": [["2026-10-01", "2026-10-07", None]]}
    at = "2026-10-03T10:00:00+08:00"
    assert script_page.evaluate(EVALUATE, [[hours, at]])[0] == python_answer(hours, at)
    assert python_answer(hours, at)[0]["text"] == "今日闭站 · 周四 08:00 开门"


# --- property: random schedules × instants ---------------------------------------------------------------

FIRST, LAST = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2028, 12, 31, 23, 59, tzinfo=dt.UTC)
ZONES = [dt.timezone(dt.timedelta(minutes=m)) for m in (480, 0, -420, -480, 330, 345, 540, -210, 840, -720)]
NOTES = st.sampled_from([None, "春节期间闭站", "检修", "（括号）与，标点"])


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


# Times on the quarter hour most of the time, so that periods touch and overlap often.
times = st.one_of(st.integers(0, 95).map(lambda q: clock(q * 15)), st.integers(0, 1439).map(clock))
periods = st.tuples(times, st.one_of(times, st.just("24:00"))).map(list)
day_periods = st.lists(periods, max_size=3)


@st.composite
def schedule_and_instant(draw) -> tuple[dict, str]:
    span = int((LAST - FIRST).total_seconds())
    # On the quarter hour half the time, so that instants fall on openings, closings and midnights.
    seconds = draw(st.one_of(st.integers(0, span // 900).map(lambda q: q * 900), st.integers(0, span)))
    instant = (FIRST + dt.timedelta(seconds=seconds)).astimezone(draw(st.sampled_from(ZONES)))
    china_day = instant.astimezone(opening.CHINA).date()

    def near(offset: int) -> str:
        return (china_day + dt.timedelta(days=offset)).isoformat()

    exceptions = []
    for _ in range(draw(st.integers(0, 3))):
        first = draw(st.integers(-9, 9))
        exceptions.append([near(first), near(first + draw(st.integers(0, 4))),
                           draw(st.one_of(st.none(), st.lists(periods, min_size=1, max_size=3))), draw(NOTES)])
    all_day = draw(st.integers(0, 1))
    hours = {
        "s": draw(st.sampled_from(["open"] * 6 + ["temporarily_closed", "closed"])),
        "a": all_day,
        "w": [[] for _ in range(7)] if all_day else draw(st.lists(day_periods, min_size=7, max_size=7)),
        "x": exceptions,
        "t": draw(st.one_of(st.none(), st.tuples(NOTES, st.one_of(st.none(), st.integers(-30, 30).map(near)))
                            .map(list))),
    }
    return hours, instant.isoformat()


PROPERTY = settings(max_examples=1000, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
BATCH = 250


def test_python_and_browser_agree_on_random_schedules(script_page) -> None:
    examples: list[tuple[dict, str]] = []

    @PROPERTY
    @given(schedule_and_instant())
    def collect(example: tuple[dict, str]) -> None:
        examples.append(example)

    collect()
    assert len(examples) >= 1000
    mismatched = []
    for start in range(0, len(examples), BATCH):
        batch = examples[start:start + BATCH]
        for example, answer in zip(batch, script_page.evaluate(EVALUATE, batch), strict=True):
            if answer != python_answer(*example):
                mismatched.append(example)
    if mismatched:
        # Let hypothesis find the smallest disagreeing schedule, one browser call per example.
        @PROPERTY
        @given(schedule_and_instant())
        def agree(example: tuple[dict, str]) -> None:
            assert script_page.evaluate(EVALUATE, [example])[0] == python_answer(*example)

        agree()
        example = json.dumps(mismatched[0], ensure_ascii=False)
        pytest.fail(f"{len(mismatched)} of {len(examples)} disagree, e.g. {example}")
    states = {python_answer(*example)[0]["state"] for example in examples}
    assert states == {"open", "closed", "closed_today", "temporarily_closed", "withdrawn"}, "the examples vary"
