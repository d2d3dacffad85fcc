"""Unit tests of the pure parts: coordinates, hours as text, YAML loading rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.pipeline.yamlfile import load_yaml_file
from scripts.records.models import Hours, ServiceSchedule
from scripts.rules import coords, hours

# Xinfu's urban centre in WGS-84; GCJ-02 shifts it about 570 m, BD-09 about 1.35 km.
XINFU = (38.4165, 112.7340)


def test_gcj02_offset_around_xinfu_is_about_570_m() -> None:
    assert 540 < coords.distance_m(XINFU, coords.wgs84_to_gcj02(*XINFU)) < 600
    assert 1300 < coords.distance_m(XINFU, coords.wgs84_to_bd09(*XINFU)) < 1400


@pytest.mark.parametrize("forward, inverse", [
    (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84),
    (coords.wgs84_to_bd09, coords.bd09_to_wgs84),
])
def test_round_trip_is_within_a_centimetre(forward, inverse) -> None:
    for point in [XINFU, (38.20, 112.30), (38.75, 113.05), (39.9087, 116.3975)]:
        assert coords.distance_m(point, inverse(*forward(*point))) < 0.01


def test_to_wgs84_leaves_wgs84_alone() -> None:
    assert coords.to_wgs84(*XINFU, "wgs84") == XINFU


def test_weekly_hours_as_text() -> None:
    schedule = Hours.model_validate({"weekly": [
        {"days": ["sa"], "periods": ["09:00-12:00"]},
        {"days": ["mo", "tu", "we", "th", "fr"], "periods": ["08:30-12:00", "14:30-18:00"]},
    ]})
    assert hours.weekly_lines(schedule) == [("周一至周五", "08:30–12:00、14:30–18:00"), ("周六", "09:00–12:00")]


def test_period_across_midnight_is_marked() -> None:
    assert hours.period_text("18:00-02:00") == "18:00–02:00（次日）"
    assert hours.period_text("10:30-24:00") == "10:30–24:00"


def test_days_collapse_into_ranges() -> None:
    assert hours.days_text(["mo", "tu", "we", "fr"]) == "周一至周三、周五"
    assert hours.days_text(["sa", "su"]) == "周六、周日"
    assert hours.days_text(["mo", "tu", "we", "th", "fr", "sa", "su"]) == "每天"


def test_service_schedule_as_text() -> None:
    monthly = ServiceSchedule(freq="monthly", days=["we"], week_of_month=[2], periods=["09:00-11:30"])
    assert hours.schedule_text(monthly) == "每月第二个周三 09:00–11:30"
    weekly = ServiceSchedule(freq="weekly", days=["tu", "th"], periods=["14:30-17:30"])
    assert hours.schedule_text(weekly) == "每周周二、周四 14:30–17:30"


def test_yaml_keeps_times_dates_and_words_as_text(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("time: 12:30\nanswer: no\nday: 2026-05-01\ncount: 3\nratio: 1.5\nflag: true\n", encoding="utf-8")
    assert load_yaml_file(path).data == {
        "time": "12:30", "answer": "no", "day": "2026-05-01", "count": 3, "ratio": 1.5, "flag": True,
    }


def test_forked_map_gives_the_results_of_map_in_order() -> None:
    from scripts.pipeline.forks import ordered_map

    offset = 7  # a closure: workers are forked, nothing but items and results is pickled
    assert list(ordered_map(lambda n: n * n + offset, list(range(23)), batch=4)) == [n * n + 7 for n in range(23)]


def test_an_error_in_a_forked_worker_reaches_the_caller() -> None:
    import jinja2

    from scripts.pipeline.forks import ordered_map

    def render(n: int) -> str:
        return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string("{{ missing }}").render() if n == 5 \
            else str(n)

    with pytest.raises(jinja2.UndefinedError):
        list(ordered_map(render, list(range(10)), batch=2))
