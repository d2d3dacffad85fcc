"""Open now? The one definition of opening-hours semantics, and its Python reference evaluator.

``docs/assets/javascripts/opening-hours.js`` evaluates the same rules in the browser; both are run
against one case table (``tests/hours_cases.json``) and a property test of random schedules and
instants (``tests/test_opening_hours.py``) that asserts identical answers. Change a rule here, in
the JS and in the table together.

Input: the compact form ``scripts/rules/hours.py`` ``browser_hours`` writes (JSON):

    {"s": "open" | "temporarily_closed" | "closed",      the station record's status
     "a": 1 when open 24 hours, else 0,
     "w": seven lists of ["HH:MM", "HH:MM"] periods, Monday first,
     "x": [[first, last, periods or null, note or null], ...]   dated exceptions, dates "YYYY-MM-DD"
                                                                 inclusive; null periods: closed
     "t": [reason or null, until "YYYY-MM-DD" or null] or null}  a temporary closure

Rules:

1. Time. The instant is read as China wall-clock time, UTC+8 with no daylight saving, whatever the
   device's zone; seconds are dropped (the answer changes on the minute). "Today" is that date.
2. Status first. ``s == "closed"``: state ``withdrawn``, text ``已撤销``. ``s ==
   "temporarily_closed"``: state ``temporarily_closed``, reason ``t[0]``, text ``临时关闭（reason，至
   M月D日）``, ``临时关闭（reason）``, ``临时关闭（至 M月D日）`` or ``临时关闭`` — the until date is
   shown only when given, and the state stays temporarily closed after it (the record decides).
   Otherwise the periods decide.
3. A day's periods. The first exception (in list order) whose dates cover the day replaces that
   day's hours: null → none, a list → exactly those periods. Without one: ``a == 1`` → the whole day
   (00:00–24:00), else that weekday's list in ``w``. "24:00" is midnight at the end of the day; a
   period whose close is not after its open (and is not "24:00") runs past midnight into the next day
   and belongs to the day it starts on: an exception on a day does not cut short the previous
   evening's overnight period, and a day's own overnight period runs on whatever the next day's hours.
4. Open stretches. The periods of yesterday through today + 8 are laid on one time line; periods
   that overlap or touch merge (20:00–24:00 then 00:00–02:00 is one stretch). The station is open
   when now is in a stretch (start inclusive, end exclusive).
5. The next change is the end of the current stretch when open, else the start of the next one;
   it counts only if it is at most 8 × 24 hours after now, else there is none (null).
6. State when the status is open: ``open``; else ``closed_today`` when today's covering exception
   is a closed one (reason: its note); else ``closed`` (a changed day whose periods are over or not
   yet begun is plain closed).

Output of ``status`` (a JSON-able dict; both evaluators give identical ones):

    state   "open" | "closed" | "closed_today" | "temporarily_closed" | "withdrawn"
    open    true only for state "open"
    reason  the closed exception's note (closed_today), the closure reason (temporarily_closed), else null
    next    the next change as "YYYY-MM-DD HH:MM" China time, or null
    text    the line a rider reads:
              open          "营业中 · {when} 关门", or "24 小时开放" when open with no change in 8 days
              closed        "已关门 · {when} 开门", or "已关门 · 近期不开放" with no opening in 8 days
              closed_today  "今日闭站（note） · {when} 开门" / "今日闭站 · {when} 开门" / "… · 近期不开放"
            where {when} is "HH:MM" today, "明天 HH:MM", "周X HH:MM" two to six days ahead, and
            "M月D日 HH:MM" seven or eight days ahead (a weekday name would then read as this week's).
    legacy fields, for callers written before these: always (a 24-hour station that is open), closed
    (withdrawn or temporarily closed), until (minutes from now to the next change while open, or null).

``today``: today's hours as a line — ``今天 08:30–12:00、14:30–18:00`` (today's own periods sorted by
opening, each "HH:MM–HH:MM" with "24:00" as is and an overnight one showing its closing time),
``今天 24 小时开放``, ``今天不开放``, ``今日闭站（note）`` / ``今日闭站`` for a closed exception, or the
status text for a withdrawn or temporarily closed station.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "China")
DAY = 1440  # minutes
HORIZON = 8 * DAY
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def china_clock(at: dt.datetime) -> tuple[dt.date, int]:
    """The China date and minute of the day for an aware instant (rule 1)."""
    if at.tzinfo is None:
        raise ValueError("an instant needs its time zone")
    local = at.astimezone(CHINA)
    return local.date(), local.hour * 60 + local.minute


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def _clock(minute: int) -> str:
    minute %= DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _exception_on(hours: dict, day: dt.date) -> list | None:
    iso = day.isoformat()
    return next((x for x in hours.get("x") or [] if x[0] <= iso <= x[1]), None)


def period_span(opens: str, closes: str) -> tuple[int, int]:
    """A period as [start, end) minutes from its day's midnight: "24:00" is 1440, and a close not after the open
    runs into the next day, so end passes 1440 (rule 3)."""
    start, end = _minutes(opens), DAY if closes == "24:00" else _minutes(closes)
    return start, end + DAY if end <= start else end


def day_periods(hours: dict, day: dt.date) -> list[tuple[int, int]]:
    """The periods of one day as [start, end) minutes from its midnight; end may pass 1440 (rule 3)."""
    exception = _exception_on(hours, day)
    if exception is not None:
        periods = exception[2] or []
    elif hours["a"]:
        return [(0, DAY)]
    else:
        periods = hours["w"][day.weekday()]
    return [period_span(opens, closes) for opens, closes in periods]


def _stretches(hours: dict, today: dt.date) -> list[tuple[int, int]]:
    """Merged open stretches from yesterday to today + 8, in minutes from today's midnight (rule 4)."""
    spans = sorted((offset * DAY + start, offset * DAY + end)
                   for offset in range(-1, 9)
                   for start, end in day_periods(hours, today + dt.timedelta(days=offset)))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _when(today: dt.date, minute: int) -> str:
    """"HH:MM", "明天 HH:MM", "周X HH:MM" or "M月D日 HH:MM" for a minute counted from today's midnight."""
    offset = minute // DAY
    day = today + dt.timedelta(days=offset)
    if offset == 0:
        return _clock(minute)
    if offset == 1:
        return f"明天 {_clock(minute)}"
    if offset < 7:
        return f"{WEEKDAYS[day.weekday()]} {_clock(minute)}"
    return f"{_month_day(day)} {_clock(minute)}"


def _closure_text(hours: dict) -> tuple[str | None, str]:
    """The reason and the line for a temporarily closed station (rule 2)."""
    reason, until = hours.get("t") or (None, None)
    parts = [p for p in (reason, until and f"至 {_month_day(dt.date.fromisoformat(until))}") if p]
    return reason or None, "临时关闭" + (f"（{'，'.join(parts)}）" if parts else "")


def _note(exception: list) -> str | None:
    return (exception[3] if len(exception) > 3 else None) or None


def _closed_today_label(exception: list) -> str:
    note = _note(exception)
    return f"今日闭站（{note}）" if note else "今日闭站"


def status(hours: dict, at: dt.datetime) -> dict:
    """The state of a station at an instant: see the module docstring for every field."""
    result: dict = {"state": None, "open": False, "reason": None, "next": None, "text": "",
                    "always": False, "closed": False, "until": None}
    if hours["s"] == "closed":
        return {**result, "state": "withdrawn", "text": "已撤销", "closed": True}
    if hours["s"] == "temporarily_closed":
        reason, text = _closure_text(hours)
        return {**result, "state": "temporarily_closed", "reason": reason, "text": text, "closed": True}

    today, now = china_clock(at)
    stretches = _stretches(hours, today)
    current = next(((start, end) for start, end in stretches if start <= now < end), None)
    change = current[1] if current else next((start for start, _ in stretches if start > now), None)
    if change is not None and change - now > HORIZON:
        change = None
    if change is not None:
        result["next"] = f"{today + dt.timedelta(days=change // DAY)} {_clock(change)}"

    if current:
        result.update(state="open", open=True, always=bool(hours["a"]),
                      until=None if change is None else change - now,
                      text="24 小时开放" if change is None else f"营业中 · {_when(today, change)} 关门")
        return result
    opening = "近期不开放" if change is None else f"{_when(today, change)} 开门"
    exception = _exception_on(hours, today)
    if exception is not None and exception[2] is None:
        label = _closed_today_label(exception)
        result.update(state="closed_today", reason=_note(exception), text=f"{label} · {opening}")
    else:
        result.update(state="closed", text=f"已关门 · {opening}")
    return result


def today(hours: dict, at: dt.datetime) -> str:
    """Today's hours as one line, e.g. ``今天 08:30–12:00、14:30–18:00`` (see the module docstring)."""
    if hours["s"] == "closed":
        return "已撤销"
    if hours["s"] == "temporarily_closed":
        return _closure_text(hours)[1]
    day, _ = china_clock(at)
    exception = _exception_on(hours, day)
    if exception is not None and exception[2] is None:
        return _closed_today_label(exception)
    if exception is None and hours["a"]:
        return "今天 24 小时开放"
    spans = sorted(day_periods(hours, day))
    if not spans:
        return "今天不开放"
    return "今天 " + "、".join(f"{_clock(start)}–{'24:00' if end == DAY else _clock(end)}" for start, end in spans)
