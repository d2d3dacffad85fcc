"""Opening hours and service schedules as Chinese text, for pages that must read
correctly without scripts ("周一至周五 08:30–12:00、14:30–18:00")."""

from __future__ import annotations

from ..records.models import DAY_NAMES, Hours, HoursException, ServiceSchedule

_DAY_ORDER = list(DAY_NAMES)
_ORDINALS = {1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", 5: "第五个", -1: "最后一个"}


def period_text(period: str) -> str:
    """``08:00-20:00`` → ``08:00–20:00``; a period that crosses midnight says so."""
    opens, closes = period.split("-")
    text = f"{opens}–{closes}"
    return f"{text}（次日）" if closes != "24:00" and closes <= opens else text


def days_text(days: list[str]) -> str:
    """Consecutive days collapse into ranges: ``[mo, tu, we, fr]`` → ``周一至周三、周五``."""
    indexes = sorted({_DAY_ORDER.index(d) for d in days})
    if indexes == list(range(7)):
        return "每天"
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        first, last = DAY_NAMES[_DAY_ORDER[run[0]]], DAY_NAMES[_DAY_ORDER[run[-1]]]
        parts.append(first if len(run) == 1 else (f"{first}、{last}" if len(run) == 2 else f"{first}至{last}"))
    return "、".join(parts)


def weekly_lines(hours: Hours) -> list[tuple[str, str]]:
    """(days, periods) pairs in week order, e.g. ``("周一至周五", "08:30–12:00、14:30–18:00")``."""
    if hours.open_24h:
        return [("每天", "24 小时开放")]
    rows = sorted(hours.weekly, key=lambda w: min(_DAY_ORDER.index(d) for d in w.days))
    return [(days_text(list(w.days)), "、".join(period_text(p) for p in w.periods)) for w in rows]


def exception_line(exception: HoursException) -> str:
    dates = str(exception.date) + (f" 至 {exception.until}" if exception.until else "")
    what = "闭站" if exception.closed else "、".join(period_text(p) for p in exception.periods)
    return f"{dates}：{what}" + (f"（{exception.note}）" if exception.note else "")


def schedule_text(schedule: ServiceSchedule) -> str:
    """``每月第二个周三 09:00–11:30``."""
    periods = "、".join(period_text(p) for p in schedule.periods)
    if schedule.freq == "daily":
        return f"每天 {periods}"
    days = days_text(list(schedule.days))
    if schedule.freq == "weekly":
        return f"{'每周' if days != '每天' else ''}{days} {periods}".strip()
    weeks = "、".join(_ORDINALS[w] for w in schedule.week_of_month)
    return f"每月{weeks}{days} {periods}"


def browser_hours(hours: Hours, status: str, closure: tuple[str | None, str | None] | None = None) -> dict:
    """The compact form ``opening-hours.js`` and ``scripts/rules/opening.py`` compute "open now" from.

    ``s`` is the station's status, ``a`` 1 for 24 hours, ``w`` seven lists of ``[opens, closes]``
    (Monday first), ``x`` the dated exceptions as ``[first, last, periods or null when closed, note or
    null]``, ``t`` a temporary closure as ``[reason or null, until date or null]`` (``closure``: an
    alert's text and end date) or null. The semantics are defined in ``scripts/rules/opening.py``.
    """
    week: list[list[list[str]]] = [[] for _ in _DAY_ORDER]
    for rule in hours.weekly:
        for day in rule.days:
            week[_DAY_ORDER.index(day)].extend(p.split("-") for p in rule.periods)
    for periods in week:
        periods.sort()
    exceptions = [
        [str(x.date), str(x.until or x.date), None if x.closed else [p.split("-") for p in x.periods], x.note]
        for x in hours.exceptions
    ]
    return {"s": status, "a": int(hours.open_24h), "w": week, "x": exceptions,
            "t": None if closure is None else [closure[0], None if closure[1] is None else str(closure[1])]}
