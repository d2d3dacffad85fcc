"""One cell as a station value: how people type things into a spreadsheet, read the way they meant it.

Structured cells (times, numbers, phone numbers, dates) are NFKC-normalised first, so full-width digits and
punctuation (９：００—１８：００, ０３５０－…) read as ASCII; names, addresses and descriptions are only trimmed
(NFKC would turn their full-width brackets half-width). Choices (类型, 设施, 运营单位, 坐标系, 状态) accept the
key, the Chinese label, the short name and the vocabulary's synonyms, and an unknown one gets the scaffold's
did-you-mean. What the cell cannot say is left to the project's validator, which checks the staged record
(stage.py): a period of zero length, a mobile number, a point outside the district.

Hours, dates and numbers are read by ``records/answers.py``, the parsers ``new station`` and the issue forms
use too. Every parser raises ``CellError`` (message and hint, Chinese) for what it cannot read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.datetime import from_excel

from ...records.answers import AnswerError, parse_number, parse_opening_hours
from ...records.answers import normal as normal_text
from ...records.answers import parse_date as parse_answered_date
from ...records.models import id_is_valid
from ...rules.coords import COORDINATE_SYSTEMS, crs_named
from ...rules.hours import days_text
from ..scaffold import Known
from ..scaffold import choose as scaffold_choose
from .columns import COLUMNS
from .table import Cell

# The parsers shared with the scaffolds and issue forms raise AnswerError; a cell's problem is the same thing.
CellError = AnswerError


def plain(value: Cell) -> str:
    """A cell as trimmed text (full-width spaces too); a whole number without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().strip("\u3000").strip()
    # The export's CSV writes '=… so that Excel shows a formula-like text as text (safe_output.spreadsheet_cell).
    return text[1:] if re.match("'[=+\\-@\uff1d\uff0b\uff0d\uff20]", text) else text


def normal(value: Cell) -> str:
    """A structured cell: NFKC (full-width → ASCII), dashes and tildes as ``-``, no spaces."""
    return normal_text(plain(value))


# --- choices -----------------------------------------------------------------------------------------


# The workbook writes these labels (and the template's drop-down lists offer them); the import reads them back.
CRS_LABELS = {crs: system.label for crs, system in COORDINATE_SYSTEMS.items()}
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
        return aliases[scaffold_choose(text, {label: "" for label in labels.values()}).lower()]
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


COORDINATE_DECIMALS = 7  # about 1 cm: digits past it are a float's noise (112.7167000001), not a move


def parse_coordinate(value: Cell) -> float:
    """Rounded, so that the noise of a computed cell never reads as a change of place."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # nan and inf are refused as typed text is
    return round(parse_number(plain(value)), COORDINATE_DECIMALS)


def parse_date(value: Cell) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and 30000 < value < 80000:  # an Excel date serial shown without its format
        return from_excel(value).date()
    return parse_answered_date(plain(value))


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


def parse_hours(value: Cell) -> dict[str, Any]:
    """The one reading of opening hours (``answers.parse_opening_hours``, as the issue forms' corrections)."""
    return parse_opening_hours(plain(value))


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
