"""How people's typed answers are read: the scaffolds (``python -m scripts new …``), the issue forms
(``from-issue``) and the spreadsheet import all use these parsers, so 9：00-18：00 means the same everywhere.

Every parser raises ``AnswerError`` (a ``ValueError``): ``message`` says what is wrong and ``hint`` what to
write instead, both in Chinese; ``str(error)`` is the two together, for callers that show one line.

Text is NFKC-normalised first, so full-width digits and punctuation (９：００—１８：００, ２０２６／１１／２０) read
as ASCII.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from .models import DAY_NAMES

WEEK = list(DAY_NAMES)  # mo … su


class AnswerError(ValueError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message + hint)
        self.message, self.hint = message, hint


def normal(text: str) -> str:
    """NFKC (full-width → ASCII), dashes and tildes as ``-``, no spaces."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    return re.sub(r"\s+", "", re.sub(r"[—–―−‐‑~〜～]+", "-", text))


# --- numbers and dates -----------------------------------------------------------------------------------


def parse_number(text: str) -> float:
    """``38.4165``, ``３８．４１６５``, ``112.7336°``; never nan or inf (they pass ``float`` but mean nothing)."""
    cleaned = normal(text).rstrip("°度")
    try:
        number = float(cleaned)
    except ValueError:
        number = math.nan
    if math.isfinite(number):
        return number
    if len(re.findall(r"\d+(?:\.\d+)?", cleaned)) == 2:
        raise AnswerError(f"一格里有两个数：{text}（two numbers in one cell）。",
                          "地图拾取器复制的是“经度,纬度”两个数：逗号前的是经度，逗号后的是纬度，分开填。")
    raise AnswerError(f"不是数字：{text}（not a number）。", "只写数字，如 38.4165；不要写“北纬”“°”以外的字。")


def parse_date(text: str) -> dt.date:
    """``2026-11-28``, ``2026/11/28``, ``2026.11.28``, ``2026年11月28日``."""
    cleaned = normal(text).replace("年", "-").replace("月", "-").rstrip("日号")
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", cleaned)
    try:
        if match:
            return dt.date(*map(int, match.groups()))
    except ValueError:
        pass
    raise AnswerError(f"日期无效（bad date）：{text}。", "写成 2026-11-28 或 2026年11月28日，并确认这一天存在。")


def parse_when(text: str) -> str:
    """``2026-12-09`` (all day) or ``2026-12-09 09:00``, as the event file writes it; ``：`` and ``T`` accepted."""
    cleaned = text.strip().replace("：", ":").replace("T", " ")
    try:
        if len(cleaned) == 10:
            return dt.date.fromisoformat(cleaned).isoformat()
        return dt.datetime.strptime(cleaned, "%Y-%m-%d %H:%M").strftime("%Y-%m-%d %H:%M")
    except ValueError:
        raise ValueError(f"日期或时间无效（bad date or time）：{text}。全天写 2026-12-09，"
                         "有具体时间写 2026-12-09 09:00。") from None


# --- opening hours ---------------------------------------------------------------------------------------


_TIME = r"(\d{1,2})(?::(\d{2})|点(?:(半)|(\d{1,2})分?)?)"  # 9:00, 9点, 9点半, 9点30分
_PERIOD = re.compile(_TIME + r"-(?:次日)?" + _TIME)
_ALL_DAY = re.compile(r"(全天|全天候|24小时|24h|24|7[x×*]24小时?)(开放|营业|服务|值守)?")
_CLOSED = re.compile(r"(休息|休馆|闭馆|闭站|关闭|不开放|不营业)")
_SEPARATORS = "、,/和及"
_DAY_CHARS = {"一": "mo", "二": "tu", "三": "we", "四": "th", "五": "fr", "六": "sa", "日": "su", "天": "su"}
_DAY_WORDS = {"每天": WEEK, "每日": WEEK, "天天": WEEK, "全周": WEEK, "全年": WEEK, "工作日": WEEK[:5],
              "周末": WEEK[5:], "双休日": WEEK[5:]}
HOURS_HINT = ("写成 9:00-18:00（每天），或 周一至周五 9:00-18:00；周六 10:00-16:00；一天几段用顿号或逗号隔开，"
              "如 8:00-12:00、14:00-18:00；全天开放写 24小时；不开放的日子写 周日休息。节假日的安排写在驿站文件的 "
              "hours.exceptions 里（见编辑指南“修改开放时间”）。")

Group = tuple[list[str], list[str]]  # (days, periods); no periods: closed on those days


def _clock(hour: str, minute: str | None, half: str | None, minutes: str | None) -> str:
    return f"{int(hour):02d}:{int(minute or minutes or (30 if half else 0)):02d}"


def _span(first: str, last: str, text: str) -> list[str]:
    """The days after ``first`` up to ``last``; 周五至周一 goes round the weekend."""
    start, end = WEEK.index(first), WEEK.index(last)
    if start == end:
        raise AnswerError(f"“{text}”的星期范围从同一天到同一天（empty range of days）。", HOURS_HINT)
    return WEEK[start + 1:end + 1] if start < end else WEEK[start + 1:] + WEEK[:end + 1]


def parse_days(text: str) -> list[str]:
    """``周一至周五`` → mo … fr; ``周六、日``, ``星期六日``, ``工作日``, ``每天``, ``周五至周一`` too."""
    text = text.replace("星期", "周").replace("礼拜", "周").strip(_SEPARATORS + ":")
    for word, days in _DAY_WORDS.items():
        if text.replace("周", "") == word.replace("周", ""):
            return list(days)
    days: list[str] = []
    chars = text.replace("周", "").replace("至", "-").replace("到", "-")
    pending_range = False
    for char in chars:
        if char in _DAY_CHARS:
            day = _DAY_CHARS[char]
            days.extend(_span(days[-1], day, text) if pending_range and days else [day])
            pending_range = False
        elif char == "-" and days:
            pending_range = True
        elif char not in _SEPARATORS:
            raise AnswerError(f"看不懂“{text}”是星期几（unknown days）。", HOURS_HINT)
    if not days:
        raise AnswerError(f"看不懂“{text}”是星期几（unknown days）。", HOURS_HINT)
    return [d for d in WEEK if d in days]


def parse_opening_hours(text: str) -> dict[str, Any]:
    """``{"open_24h": True}`` or ``{"weekly": [{"days": [...], "periods": [...]}, ...]}``, as the station file
    writes them."""
    cleaned = normal(text).lower().rstrip("。.")
    cleaned = re.sub(r"(?<=\d)(至|到)(?=\d|次日)", "-", cleaned)  # 9:00至18:00
    if _ALL_DAY.fullmatch(cleaned) or _ALL_DAY.fullmatch(cleaned.replace("每天", "")):
        return {"open_24h": True}
    groups: list[Group] = []
    for segment in filter(None, re.split(r"[;；\n。]", cleaned)):
        _read_segment(segment, groups)
    _check_each_day_once(groups, text)
    weekly = [{"days": days, "periods": periods} for days, periods in groups if periods and days]
    if sorted(d for rule in weekly for d in rule["days"]) == sorted(WEEK) and all(
            rule["periods"] == ["00:00-24:00"] for rule in weekly):
        return {"open_24h": True}  # 周一至周日 24小时
    if not weekly:
        raise AnswerError(f"看不出开放时间：{text or '空'}（no opening hours）。", HOURS_HINT)
    return {"weekly": weekly}


def _check_each_day_once(groups: list[Group], text: str) -> None:
    seen: dict[str, int] = {}
    for days, _ in groups:
        for day in days:
            seen[day] = seen.get(day, 0) + 1
    twice = [DAY_NAMES[d] for d in WEEK if seen.get(d, 0) > 1]
    if twice:
        raise AnswerError(f"{'、'.join(twice)}写了不止一次（day given twice）：{text}。",
                          "每个星期几只写一次，如 周一至周五 9:00-18:00；周六、周日 10:00-16:00。")


def _read_segment(segment: str, groups: list[Group]) -> None:
    """One ``；``-separated part: periods, each run of them after the days it is for (every day by default)."""
    end = 0
    for match in _PERIOD.finditer(segment):
        before = segment[end:match.start()].strip(_SEPARATORS + ":")
        if before or not groups or end == 0:
            groups.append((parse_days(before) if before else list(WEEK), []))
        groups[-1][1].append(_clock(*match.groups()[:4]) + "-" + _clock(*match.groups()[4:]))
        end = match.end()
    rest = segment[end:].strip(_SEPARATORS)
    if not rest:
        return
    closed = _CLOSED.search(rest)
    all_day = _ALL_DAY.search(rest)
    if closed and closed.end() == len(rest):
        _close(parse_days(rest[:closed.start()]), groups)
    elif all_day and all_day.end() == len(rest):
        groups.append((parse_days(rest[:all_day.start()]) if all_day.start() else list(WEEK), ["00:00-24:00"]))
    else:
        raise AnswerError(f"时段格式不对：开放时间里“{rest}”看不懂（cannot read）。", HOURS_HINT)


def _close(days: list[str], groups: list[Group]) -> None:
    """``每天 9:00-18:00；周一闭馆``: the closed days are taken out of an every-day group written before them.
    A day named twice otherwise (周一 9:00-18:00；周一休息) is still a contradiction, reported as such."""
    for open_days, periods in groups:
        if periods and open_days == WEEK:
            open_days[:] = [d for d in WEEK if d not in days]
            return
    groups.append((days, []))


def parse_hours(text: str) -> dict[str, Any]:
    """The scaffold's question and the new-station form: ``{"open_24h": …, "periods": [...]}``, the same every
    day (the scaffold's template writes one weekly rule); hours that differ by day go in the file afterwards."""
    hours = parse_opening_hours(text)
    if hours.get("open_24h"):
        return {"open_24h": True, "periods": []}
    rules = hours["weekly"]
    if len(rules) != 1 or rules[0]["days"] != WEEK:
        raise AnswerError(f"这里只写每天都一样的时段：{text}（same hours every day）。",
                          "写成 08:00-20:00，多段用逗号隔开；全天开放写 24h。各天不同的时间，建好后在驿站文件的 "
                          "hours.weekly 里改。")
    return {"open_24h": False, "periods": rules[0]["periods"]}
