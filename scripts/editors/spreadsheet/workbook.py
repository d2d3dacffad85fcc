"""Writing the workbook: the stations in the layout of ``columns.py`` (export), or none of them (the template).

Both have the same three sheets: 驿站 (one row per station, drop-down lists for 类型, 状态, 坐标系, 运营单位 and
示例数据, the 编号 and 电话 columns formatted as text so a leading 0 survives), 填写说明 (the columns and how to
fill them) and 选项 (what the lists offer; 设施 is several words in one cell, which a drop-down cannot do, so
its names and their other accepted words are listed there and the column shows a hint when selected).

The bytes are deterministic, as everything the build writes: the site offers the template for download.
openpyxl stamps the save time into the document properties and the zip entries; both are fixed here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ...outputs.safe_output import spreadsheet_cell
from ...records.models import Station, Vocabularies
from .cells import CRS_LABELS, NO, STATUS_LABELS, YES, hours_text
from .columns import COLUMNS, STATION_SHEET
from .table import Cell

LISTS_SHEET = "选项"
HELP_SHEET = "填写说明"
TEMPLATE_ROWS = 1000  # rows of the 驿站 sheet that get the drop-down lists (at least)
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # in every zip entry and the document properties: the same bytes every build
_HEADER_FILL = PatternFill("solid", fgColor="FFE8D5B5")


@dataclass(frozen=True)
class Lists:
    """What the drop-down lists offer and the export writes: key → Chinese name."""

    station_types: dict[str, str]
    amenities: dict[str, str]
    amenity_words: dict[str, list[str]]  # key → other words the import accepts (short name, synonyms)
    organisations: dict[str, str]

    @classmethod
    def of(cls, vocabularies: Vocabularies, organisations: dict[str, str]) -> Lists:
        return cls({k: e.label for k, e in vocabularies.station_types.items()},
                   {k: e.label for k, e in vocabularies.amenities.items()},
                   {k: [w for w in (e.short, *e.synonyms) if w] for k, e in vocabularies.amenities.items()},
                   organisations)


# Column key → the cell the export writes for a station (its file's values, not the build's WGS-84 copy).
EXPORTERS: dict[str, Any] = {
    "id": lambda s, lists: s.id,
    "name": lambda s, lists: s.name,
    "type": lambda s, lists: lists.station_types.get(s.type, s.type),
    "status": lambda s, lists: STATUS_LABELS[s.status],
    "address": lambda s, lists: s.address,
    "street": lambda s, lists: s.street,
    "location.lng": lambda s, lists: s.location.lng,
    "location.lat": lambda s, lists: s.location.lat,
    "location.crs": lambda s, lists: CRS_LABELS[s.location.crs],
    "hours": lambda s, lists: hours_text(s.hours.model_dump()),
    "amenities": lambda s, lists: "、".join(lists.amenities.get(k, k) for k in s.amenities),
    "phone.number": lambda s, lists: s.phone.number if s.phone else None,
    "organisation": lambda s, lists: lists.organisations.get(s.organisation, s.organisation),
    "description": lambda s, lists: s.description,
    "verified": lambda s, lists: s.verified,
    "sample": lambda s, lists: YES if s.sample else NO,
}
assert set(EXPORTERS) == {c.key for c in COLUMNS}, "every column needs an exporter"


def station_rows(stations: list[Station], lists: Lists) -> list[list[Cell]]:
    return [[EXPORTERS[c.key](station, lists) for c in COLUMNS] for station in stations]


# --- the workbook ----------------------------------------------------------------------------------------


def workbook(rows: list[list[Cell]], lists: Lists) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = STATION_SHEET
    _station_sheet(sheet, rows)
    ranges = _lists_sheet(book.create_sheet(LISTS_SHEET), lists)
    _validations(sheet, ranges, max(TEMPLATE_ROWS, len(rows) + 200))
    _help_sheet(book.create_sheet(HELP_SHEET, 1))
    book.properties.creator = "python -m scripts export"
    book.properties.created = dt.datetime(*_FIXED_TIME)
    return book


def _station_sheet(sheet: Worksheet, rows: list[list[Cell]]) -> None:
    sheet.append([c.header for c in COLUMNS])
    for number, column in enumerate(COLUMNS, start=1):
        header = sheet.cell(1, number)
        header.font = Font(bold=True)
        header.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "C2"  # the 编号 and 名称 stay in view while scrolling right
    for values in rows:
        sheet.append([None] * len(COLUMNS))
        line = sheet.max_row
        for number, value in enumerate(values, start=1):
            cell = sheet.cell(line, number, value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=…" is text here, never a formula
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for key in ("id", "phone.number"):  # typed digits stay text: 0350… keeps its 0
        letter = get_column_letter(_number(key))
        sheet.column_dimensions[letter].number_format = "@"
        for (cell,) in sheet.iter_rows(min_col=_number(key), max_col=_number(key), min_row=2):
            cell.number_format = "@"
    for (cell,) in sheet.iter_rows(min_col=_number("description"), max_col=_number("description"), min_row=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _number(key: str) -> int:
    return next(index for index, c in enumerate(COLUMNS, start=1) if c.key == key)


def _lists_sheet(sheet: Worksheet, lists: Lists) -> dict[str, str]:
    """The lists, one per column; the ranges the 驿站 sheet's drop-downs refer to, by column key."""
    columns: list[tuple[str, str, list[str]]] = [
        ("type", "类型", list(lists.station_types.values())),
        ("amenities", "设施", list(lists.amenities.values())),
        ("", "设施的其他写法", ["、".join(lists.amenity_words[k]) for k in lists.amenities]),
        ("location.crs", "坐标系", list(CRS_LABELS.values())),
        ("status", "状态", list(STATUS_LABELS.values())),
        ("organisation", "运营单位", list(lists.organisations.values())),
        ("sample", "示例数据", [YES, NO]),
    ]
    ranges = {}
    for number, (key, header, values) in enumerate(columns, start=1):
        letter = get_column_letter(number)
        sheet.cell(1, number, header).font = Font(bold=True)
        sheet.column_dimensions[letter].width = 34 if key in ("organisation", "") else 20
        for row, value in enumerate(values, start=2):
            sheet.cell(row, number, value).data_type = "s"
        if key:
            ranges[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    sheet.cell(1, len(columns) + 2, "设施一格里可以写几项，用顿号隔开，如 饮水、充电、热饭；"
               "写“设施”列的名称或“其他写法”里的词都可以。")
    return ranges


def _validations(sheet: Worksheet, ranges: dict[str, str], rows: int) -> None:
    for key, source in ranges.items():
        column = next(c for c in COLUMNS if c.key == key)
        letter = get_column_letter(_number(key))
        rule = DataValidation(type="list", formula1=f"={source}", allow_blank=True, showErrorMessage=True,
                              errorTitle=f"{column.header}：请从列表选", error=column.help,
                              promptTitle=column.header, prompt=column.help[:250], showInputMessage=True)
        rule.add(f"{letter}2:{letter}{rows}")
        sheet.add_data_validation(rule)
    for key in ("amenities", "hours", "location.lng", "location.lat", "phone.number", "verified"):
        column = next(c for c in COLUMNS if c.key == key)
        letter = get_column_letter(_number(key))
        hint = DataValidation(showInputMessage=True, promptTitle=column.header, prompt=column.help[:250])
        hint.add(f"{letter}2:{letter}{rows}")
        sheet.add_data_validation(hint)


def _help_sheet(sheet: Worksheet) -> None:
    sheet.append(["怎样填这张表：每个驿站占“驿站”工作表的一行；表头不要改。填好后交给网站维护人员，"
                  "或运行 python -m scripts import 这个文件.xlsx 预览、加 --write 写入"
                  "（见网站“编辑指南”的“用表格导入驿站”）。"])
    sheet.append(["已有的驿站按“编号”对上（没有编号时按名称加地址）；留空的格子不会清除网站上已有的内容。"])
    sheet.append([])
    sheet.append(["列", "新驿站必填", "怎么填"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        sheet.append([column.header, YES if column.required else "", column.help])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 100


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    """The saved workbook with its timestamps fixed: the same content gives the same bytes."""
    saved = io.BytesIO()
    book.save(saved)
    fixed = io.BytesIO()
    stamp = dt.datetime(*_FIXED_TIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            target.writestr(zipfile.ZipInfo(entry.filename, _FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


def csv_text(rows: list[list[Cell]]) -> str:
    """The same table as CSV: UTF-8 with a byte order mark (Excel on Chinese Windows needs it), no formulas."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in COLUMNS])
    for values in rows:
        writer.writerow([_csv_cell(v) for v in values])
    return "\ufeff" + buffer.getvalue()


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return spreadsheet_cell(value)
    return str(value)


def template_bytes(lists: Lists) -> bytes:
    return workbook_bytes(workbook([], lists))
