"""The next dates of a service's schedule ("每月第二个周三" → 2026-12-09, 2027-01-13, …).

Computed at build time from the build's "today", so a page is as fresh as its
last build (a daily scheduled build keeps it at most a day old, and pages drop a
date when it is over: see ``occurrence_ends`` in outputs/render.py). A date on which
every station offering the service is closed all day (a holiday closure, a weekday
it does not open, or the station itself closed) is skipped: a rider should never
be sent to a locked door.
"""

from __future__ import annotations

import calendar
import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..records.models import DAY_NAMES, ServiceSchedule, Station
from . import opening
from .hours import browser_hours

# Look this far ahead and no further, so a schedule that never falls on an open day cannot loop forever.
HORIZON_DAYS = 400
_WEEKDAY_KEYS = list(DAY_NAMES)  # mo … su, in Python's weekday() order


@dataclass(frozen=True, order=True)
class Occurrence:
    date: dt.date
    periods: tuple[str, ...]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date | None:
    """The ``nth`` (1–5, or -1 for last) given weekday of a month, or None when the month has no such day."""
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    days = [week[weekday] for week in weeks if week[weekday].month == month]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if nth <= len(days) else None


def dates_of(schedule: ServiceSchedule, start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every date in [start, end] on which the schedule falls, in order."""
    weekdays = {_WEEKDAY_KEYS.index(d) for d in schedule.days}
    if schedule.freq in ("daily", "weekly"):
        day = start
        while day <= end:
            if schedule.freq == "daily" or day.weekday() in weekdays:
                yield day
            day += dt.timedelta(days=1)
        return
    year, month = start.year, start.month
    while dt.date(year, month, 1) <= end:
        found = {_nth_weekday(year, month, w, n) for w in weekdays for n in schedule.week_of_month}
        yield from sorted(d for d in found if d is not None and start <= d <= end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def station_closed_on(station: Station, day: dt.date) -> bool:
    """Closed all that day, by the one definition of opening hours (``opening.py``): withdrawn or temporarily
    closed, or no period that day (a closed exception, or a weekday it does not open)."""
    if station.status != "open":
        return True
    return not opening.day_periods(browser_hours(station.hours, station.status), day)


def next_dates(
    schedules: Iterable[ServiceSchedule], stations: list[Station], today: dt.date, count: int = 3
) -> list[Occurrence]:
    """The next ``count`` dates (from today, inclusive) on which at least one of the stations is open."""
    end = today + dt.timedelta(days=HORIZON_DAYS)
    streams = [
        (Occurrence(day, tuple(schedule.periods)) for day in dates_of(schedule, today, end))
        for schedule in schedules
    ]
    found: list[Occurrence] = []
    for occurrence in heapq.merge(*streams):
        if found and found[-1].date == occurrence.date:  # two schedules on one day: one line, all periods
            found[-1] = Occurrence(occurrence.date, tuple(sorted({*found[-1].periods, *occurrence.periods})))
            continue
        if len(found) == count:
            break
        if stations and all(station_closed_on(s, occurrence.date) for s in stations):
            continue
        found.append(occurrence)
    return found
