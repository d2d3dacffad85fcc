"""One cell as a station value: how people type things into a spreadsheet, read the way they meant it.

Structured cells (times, numbers, phone numbers, dates) are NFKC-normalised first, so full-width digits and
punctuation (９：００—１８：００, ０３５０－…) read as ASCII; names, addresses and descriptions are only trimmed
(NFKC would turn their full-width brackets half-width). Choices (类型, 设施, 运营单位, 坐标系, 状态) accept the
key, the Chinese label, the short name and the vocabulary's synonyms, and an unknown one gets the scaffold's
did-you-mean. What the cell cannot say is left to the project's validator, which checks the staged record
(stage.py): a period of zero length, a mobile number, a point outside the district.

Every parser raises ``CellError`` (message and hint, Chinese) for what it cannot read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.datetime import from_excel

from ...records.models import DAY_NAMES, id_is_valid
from ...rules.coords import crs_named
from ...rules.hours import days_text
from ..scaffold import Known, _choose
from .columns import COLUMNS
from .table import Cell

WEEK = list(DAY_NAMES)  # mo … su


class CellError(ValueError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


def plain(value: Cell) -> str:
    """A cell as trimmed text (full-width spaces too); a whole number without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().strip("\u3000").strip()
    # The export's CSV writes '=… so that Excel shows a formula-like text as text (safe_output.spreadsheet_cell).
    return text[1:] if re.match("'[=+\\-@\uff1d\uff0b\uff0d\uff20]", text) else text


def normal(value: Cell) -> str:
    """A structured cell: NFKC (full-width → ASCII), dashes and tildes as ``-``, no spaces."""
    text = unicodedata.normalize("NFKC", plain(value))
    return re.sub(r"[\s]+", "", re.sub(r"[—–―−‐‑~〜～]+", "-", text))


# --- choices -----------------------------------------------------------------------------------------


# The workbook writes these labels (and the template's drop-down lists offer them); the import reads them back.
CRS_LABELS = {"gcj02": "高德/腾讯（GCJ-02）", "bd09": "百度（BD-09）", "wgs84": "GPS/天地图（WGS-84）"}
STATUS_LABELS = {"open": "正常开放", "temporarily_closed": "临时关闭", "closed": "已撤销"}
YES, NO = "是", "否"
_STATUS_WORDS = {"正常": "open", "开放": "open", "运营": "open", "营业": "open", "暂停": "temporarily_closed",
                 "临时关闭": "temporarily_closed", "装修": "temporarily_closed", "撤销": "closed", "停用": "closed",
                 "关闭": "closed", "取消": "closed"}


def choose(text: str, aliases: dict[str, str], labels: dict[str, str], hint: str = "") -> str:
    """A key from a key, label or alias; else the scaffold's did-you-mean, offering the Chinese names (a sheet
    is filled in with those, not with keys)."""
    found = aliases.get(text) or aliases.get(text.lower())
    if found:
        return found
    try:
        return aliases[_choose(text, {label: "" for label in labels.values()}).lower()]
    except ValueError as error:
        raise CellError(str(error), hint) from None


def parse_crs(value: Cell) -> str:
    """高德, 百度地图, GPS, gcj02 (``coords.crs_named``), or the export's label 高德/腾讯（GCJ-02）: each part of it."""
    found = crs_named(plain(value))
    if found:
        return found
    named = {crs_named(part) for part in re.split(r"[/、,()]", normal(value)) if part} - {None}
    if len(named) == 1:
        return str(named.pop())
    raise CellError(f"{'说不清' if named else '不认识'}坐标系“{plain(value)}”（unknown coordinate system）。",
                    f"写坐标是从哪里取的：{'、'.join(CRS_LABELS.values())}。")


def parse_status(value: Cell) -> str:
    text = plain(value)
    if text in STATUS_LABELS:
        return text
    named = {status for word, status in _STATUS_WORDS.items() if word in text}
    if "临时关闭" in text:  # 关闭 alone means closed for good; 临时关闭 says it is not
        named = {"temporarily_closed"}
    if len(named) == 1:
        return named.pop()
    raise CellError(f"不认识状态“{text}”（unknown status）。", "写 " + "、".join(STATUS_LABELS.values()) + " 之一。")


def parse_yes_no(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    text = normal(value).lower()
    if text in (YES, "true", "yes", "y", "1", "√", "✓", "示例"):
        return True
    if text in (NO, "false", "no", "n", "0", "×", "x"):
        return False
    raise CellError(f"“{plain(value)}”不是“是”或“否”（expected yes or no）。", "示例数据写“是”，真实驿站写“否”或不填。")


# --- numbers, dates, phone numbers -----------------------------------------------------------------------


def parse_coordinate(value: Cell) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = normal(value).rstrip("°度")
    try:
        return float(text)
    except ValueError:
        pass
    if len(re.findall(r"\d+(?:\.\d+)?", text)) == 2:
        raise CellError(f"一格里有两个数：{plain(value)}（two numbers in one cell）。",
                        "地图拾取器复制的是“经度,纬度”两个数：逗号前的填进“经度”列，逗号后的填进“纬度”列。")
    raise CellError(f"不是数字：{plain(value)}（not a number）。", "只写数字，如 112.7336；不要写“东经”“°”以外的字。")


def parse_date(value: Cell) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and 30000 < value < 80000:  # an Excel date serial shown without its format
        return from_excel(value).date()
    text = normal(value).replace("年", "-").replace("月", "-").rstrip("日号")
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    try:
        if match:
            return dt.date(*map(int, match.groups()))
    except ValueError:
        pass
    raise CellError(f"日期看不懂：{plain(value)}（bad date）。", "写成 2026-09-15 或 2026年9月15日，并确认这一天存在。")


def parse_phone(value: Cell) -> tuple[str, str]:
    """The number as it should be written, and a note when a lost leading 0 was put back."""
    text = normal(value) if not isinstance(value, (int, float)) else plain(value)
    if re.fullmatch(r"\d(\.\d+)?e\+?\d+", text.lower()):
        raise CellError(f"表格把电话存成了科学计数法 {text}，后几位已经丢了（number stored in scientific notation）。",
                        "把“电话”列设成“文本”格式，重新输入完整号码，如 0350-3031234。")
    digits = text.removesuffix(".0")
    # Excel stores 03503031234 typed into a number cell as 3503031234. Mobiles (1xx, 11 digits) and short
    # service numbers (12345) have no 0 to lose; a landline's area code is 0 + 2 digits (010, 02x) or 0 + 3.
    mobile = len(digits) == 11 and digits.startswith("1")
    if digits.isdigit() and 9 <= len(digits) <= 11 and not mobile and digits[0] != "0":
        area = 2 if digits.startswith(("10", "2")) else 3
        restored = f"0{digits[:area]}-{digits[area:]}"
        return restored, f"电话 {digits} 像是开头的 0 被表格丢掉了，已补回为 {restored}，请核对"
    if re.fullmatch(r"\(0\d+\)\d+", text):  # (0350)3031234
        text = text[1:].replace(")", "-")
    return text, ""


# --- opening hours -------------------------------------------------------------------------------------


_TIME = r"(\d{1,2})(?::(\d{2})|点(?:(半)|(\d{1,2})分?)?)"  # 9:00, 9点, 9点半, 9点30分
_PERIOD = re.compile(_TIME + r"-(?:次日)?" + _TIME)
_ALL_DAY = re.compile(r"(全天|全天候|24小时|24h|7[x×*]24小时?)(开放|营业|服务|值守)?")
_CLOSED = re.compile(r"(休息|休馆|闭馆|闭站|关闭|不开放|不营业)")
_SEPARATORS = "、,/和及"
_DAY_CHARS = {"一": "mo", "二": "tu", "三": "we", "四": "th", "五": "fr", "六": "sa", "日": "su", "天": "su"}
_DAY_WORDS = {"每天": WEEK, "每日": WEEK, "天天": WEEK, "全周": WEEK, "全年": WEEK, "工作日": WEEK[:5],
              "周末": WEEK[5:], "双休日": WEEK[5:]}
HOURS_HINT = ("写成 9:00-18:00（每天），或 周一至周五 9:00-18:00；周六 10:00-16:00；一天几段用顿号隔开，"
              "如 8:00-12:00、14:00-18:00；全天开放写 24小时；不开放的日子写 周日休息。节假日的安排写在驿站文件的 "
              "hours.exceptions 里（见编辑指南“修改开放时间”）。")


def _clock(hour: str, minute: str | None, half: str | None, minutes: str | None) -> str:
    return f"{int(hour):02d}:{int(minute or minutes or (30 if half else 0)):02d}"


def parse_days(text: str) -> list[str]:
    """``周一至周五`` → mo … fr; ``周六、日``, ``星期六日``, ``工作日``, ``每天`` too."""
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
            if pending_range and days:
                span = WEEK[WEEK.index(days[-1]) + 1:WEEK.index(day) + 1]
                if not span:
                    raise CellError(f"“{text}”的星期范围前后颠倒了（days in the wrong order）。", HOURS_HINT)
                days.extend(span)
            else:
                days.append(day)
            pending_range = False
        elif char == "-" and days:
            pending_range = True
        elif char not in _SEPARATORS:
            raise CellError(f"看不懂“{text}”是星期几（unknown days）。", HOURS_HINT)
    if not days:
        raise CellError(f"看不懂“{text}”是星期几（unknown days）。", HOURS_HINT)
    return [d for d in WEEK if d in days]


def parse_hours(value: Cell) -> dict[str, Any]:
    """``{"open_24h": True}`` or ``{"weekly": [{"days": [...], "periods": [...]}, ...]}``, as the station file
    writes them."""
    text = normal(value).lower().rstrip("。.")
    text = re.sub(r"(?<=\d)(至|到)(?=\d|次日)", "-", text)  # 9:00至18:00
    if _ALL_DAY.fullmatch(text) or _ALL_DAY.fullmatch(text.replace("每天", "")):
        return {"open_24h": True}
    groups: list[tuple[list[str], list[str]]] = []  # (days, periods); no periods: closed on those days
    for segment in filter(None, re.split(r"[;；\n。]", text)):
        _read_segment(segment, groups)
    seen: dict[str, int] = {}
    for days, _ in groups:
        for day in days:
            seen[day] = seen.get(day, 0) + 1
    twice = [DAY_NAMES[d] for d in WEEK if seen.get(d, 0) > 1]
    if twice:
        raise CellError(f"{'、'.join(twice)}写了不止一次（day given twice）：{plain(value)}。",
                        "每个星期几只写一次，如 周一至周五 9:00-18:00；周六、周日 10:00-16:00。")
    weekly = [{"days": days, "periods": periods} for days, periods in groups if periods]
    if sorted(d for rule in weekly for d in rule["days"]) == sorted(WEEK) and all(
            rule["periods"] == ["00:00-24:00"] for rule in weekly):
        return {"open_24h": True}  # 周一至周日 24小时
    if not weekly:
        raise CellError(f"看不出开放时间：{plain(value) or '空'}（no opening hours）。", HOURS_HINT)
    return {"weekly": weekly}


def _read_segment(segment: str, groups: list[tuple[list[str], list[str]]]) -> None:
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
        groups.append((parse_days(rest[:closed.start()]), []))
    elif all_day and all_day.end() == len(rest):
        groups.append((parse_days(rest[:all_day.start()]) if all_day.start() else list(WEEK), ["00:00-24:00"]))
    else:
        raise CellError(f"开放时间里“{rest}”看不懂（cannot read）。", HOURS_HINT)


def hours_text(hours: dict[str, Any]) -> str:
    """What the export writes: ``周一至周五 08:00-18:30；周六、周日 09:00-17:00``, or ``24小时``."""
    if hours.get("open_24h"):
        return "24小时"
    return "；".join(f"{days_text(rule['days'])} {'、'.join(rule['periods'])}" for rule in hours["weekly"])


# --- vocabularies and organisations ---------------------------------------------------------------------


def vocabulary_aliases(known: Known, name: str) -> dict[str, str]:
    """Every word that names an entry (key, label, short name, synonyms) → its key; labels win over synonyms."""
    aliases: dict[str, str] = {}
    entries = getattr(known.vocabularies, name)
    for key, entry in entries.items():
        for word in entry.synonyms:
            aliases.setdefault(word.lower(), key)
    for key, entry in entries.items():
        for word in (entry.short, entry.label, key):
            if word:
                aliases[word.lower()] = key
    return aliases


def parse_amenities(value: Cell, known: Known) -> list[str]:
    aliases, labels = vocabulary_aliases(known, "amenities"), known.choices("amenities")
    words = [w for w in re.split(r"[、,，;；/|\s]+", plain(value)) if w]
    keys: list[str] = []
    wrong: list[str] = []
    for word in words:
        try:
            key = choose(unicodedata.normalize("NFKC", word), aliases, labels)
        except CellError as error:
            wrong.append(error.message)
            continue
        if key not in keys:
            keys.append(key)
    if wrong:
        raise CellError("；".join(wrong), "设施用顿号隔开，如 饮水、充电、热饭；可写的名称见模板的“选项”工作表。")
    return keys


# --- one row ---------------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """A row's values as station fields (only what its cells say: an empty cell says nothing), and notes."""

    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    errors: dict[str, CellError] = field(default_factory=dict)  # column key → what is wrong there


def _text(value: Cell, known: Known) -> str:
    return plain(value)


def _id(value: Cell, known: Known) -> str:
    text = normal(value).lower()
    if not id_is_valid(text):
        raise CellError(f"“{plain(value)}”不能用作编号（bad id）。",
                        "编号只用小写英文字母、数字和连字符，如 xiaoge-31；新驿站可以不填，导入时自动编号。")
    return text


def _type(value: Cell, known: Known) -> str:
    return choose(plain(value), vocabulary_aliases(known, "station_types"), known.choices("station_types"),
                  "从下拉列表选；新类型要先加进 data/vocabularies.yaml 的 station_types。")


def _organisation(value: Cell, known: Known) -> str:
    names = known.choices("organisations")
    aliases = {name.lower(): key for key, name in names.items()} | {key: key for key in names}
    return choose(plain(value), aliases, names, "写 data/organisations.yaml 里的单位名称（模板里可以从下拉列表选）；"
                  "新单位要先加进那个文件。")


# Column key → how its cell is read. Every column of the layout has one (checked below).
PARSERS: dict[str, Callable[[Cell, Known], Any]] = {
    "id": _id,
    "name": _text,
    "type": _type,
    "status": lambda v, k: parse_status(v),
    "address": _text,
    "street": _text,
    "location.lng": lambda v, k: parse_coordinate(v),
    "location.lat": lambda v, k: parse_coordinate(v),
    "location.crs": lambda v, k: parse_crs(v),
    "hours": lambda v, k: parse_hours(v),
    "amenities": parse_amenities,
    "phone.number": lambda v, k: parse_phone(v),
    "organisation": _organisation,
    "description": _text,
    "verified": lambda v, k: parse_date(v),
    "sample": lambda v, k: parse_yes_no(v),
}
assert set(PARSERS) == {c.key for c in COLUMNS}, "every column needs a parser"


def parse_row(cells: dict[str, Cell], known: Known) -> Parsed:
    parsed = Parsed()
    for key, value in cells.items():
        if value is None:
            continue
        try:
            result = PARSERS[key](value, known)
        except CellError as error:
            parsed.errors[key] = error
            continue
        if key == "phone.number":
            result, note = result
            if note:
                parsed.notes.append(note)
        top, _, inner = key.partition(".")
        if inner:
            parsed.values.setdefault(top, {})[inner] = result
        else:
            parsed.values[top] = result
    location = parsed.values.get("location")
    if location is not None and len(location) < 3:
        for key in ("location.lng", "location.lat", "location.crs"):
            if key.split(".")[1] not in location and key not in parsed.errors:
                parsed.errors[key] = CellError("经度、纬度和坐标系要一起填（coordinates incomplete）。",
                                               "三格都填，或者三格都空着（空着就保留驿站文件里原有的坐标）。")
        del parsed.values["location"]
    return parsed
