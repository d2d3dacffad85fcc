"""Dates and numbers written the way Chinese readers expect them."""

from __future__ import annotations

import datetime as dt

from ..records.models import DAY_NAMES, Statement

_WEEKDAY_NAMES = list(DAY_NAMES.values())  # 周一 … 周日, in Python's weekday() order


def date_text(day: dt.date, weekday: bool = False) -> str:
    """``2026-12-09`` → ``2026年12月9日``, or ``2026年12月9日（周三）`` with ``weekday``."""
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{_WEEKDAY_NAMES[day.weekday()]}）" if weekday else text


def partial_date_text(value: str) -> str:
    """``2025`` → ``2025年``, ``2025-07`` → ``2025年7月``, ``2025-07-08`` → ``2025年7月8日``."""
    parts = [int(p) for p in value.split("-")]
    return "".join(f"{number}{unit}" for number, unit in zip(parts, "年月日", strict=False))


def number_text(value: float) -> str:
    """Whole numbers without ``.0``; round ten-thousands as 万, as the article writes them (13000 → 1.3万)."""
    if value == int(value):
        value = int(value)
        if value >= 10_000 and value % 1_000 == 0:
            return f"{value / 10_000:g}万"
    return str(value)


def statement_text(statement: Statement) -> str:
    """``1.3万余人``: value, 余 when the source says "more than", unit."""
    more = "余" if statement.qualifier == "more_than" else ""
    return f"{number_text(statement.value)}{more}{statement.unit}"
