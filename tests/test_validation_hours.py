"""Implausible opening hours and unexplained closures are refused where they are written (issue 15): a
zero-length period, an hour past 24, an overnight period that is most of two days, and a temporarily closed
station that does not say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import VALID_STATION, run_cli

STATION = VALID_STATION


def _validate(data_copy: Path, text: str) -> str:
    (data_copy / "stations" / "test-station.yaml").write_text(text, encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert "Traceback" not in result.output
    return result.output if result.exit_code else ""


@pytest.mark.parametrize("period, says, hint", [
    ("12:00-12:00", "时段的开始和结束相同", "open_24h"),
    ("08:00-08:00", "时段的开始和结束相同", "open_24h"),
    ("09:00-08:59", "这个跨夜时段长达 23 小时 59 分", "写反"),
    ("22:00-30:00", "时段里的钟点超过 24", "22:00-06:00"),
])
def test_an_implausible_period_is_refused_at_its_line(data_copy: Path, period: str, says: str, hint: str) -> None:
    output = _validate(data_copy, STATION.replace('"08:00-20:00"', f'"{period}"'))
    line = next((text for text in output.splitlines() if text.startswith("data/stations/test-station.yaml:11:")), "")
    assert says in line and "字段 hours.weekly[0].periods[0]：" in line, output
    assert hint in output


@pytest.mark.parametrize("period", ["22:00-06:00", "20:00-24:00", "06:00-02:00", "00:00-24:00"])
def test_plausible_periods_pass(data_copy: Path, period: str) -> None:
    assert _validate(data_copy, STATION.replace('"08:00-20:00"', f'"{period}"')) == ""


def test_an_exception_and_a_service_schedule_follow_the_same_rule(data_copy: Path) -> None:
    text = STATION.replace("amenities:", '  exceptions:\n    - date: 2026-12-24\n      periods: ["10:00-10:00"]\n'
                                         "amenities:")
    output = _validate(data_copy, text)
    assert "字段 hours.exceptions[0].periods[0]：时段的开始和结束相同" in output, output


def test_a_temporarily_closed_station_must_say_why(data_copy: Path) -> None:
    output = _validate(data_copy, STATION.replace("address:", "status: temporarily_closed\naddress:"))
    assert "data/stations/test-station.yaml:4:" in output and "字段 status：临时关闭的驿站要写明原因" in output, output
    assert "alerts" in output
    with_reason = STATION.replace("address:", "status: temporarily_closed\naddress:") + (
        "alerts:\n  - text: 内部装修，暂停开放。\n    end: 2027-01-15\n")
    assert _validate(data_copy, with_reason) == ""


def test_a_station_photo_must_be_a_photo(data_copy: Path) -> None:
    """Station images are resized and stripped as photographs (outputs/photos.py): an SVG is refused at its line."""
    output = _validate(data_copy, STATION + "images:\n  - src: assets/images/favicon.svg\n    alt: 图标\n")
    assert "data/stations/test-station.yaml:16:" in output, output
    assert "字段 images[0].src：驿站照片只能是 JPEG、PNG 或 WebP" in output, output
