"""Reading a workbook or CSV file into tables: the header row found wherever it is, the rows under it.

District offices' sheets are rarely plain: a merged title row above the header, a two-level header
(``坐标`` merged over ``经度`` and ``纬度``), a 街道 cell merged down over the stations of one street, empty
rows between groups. Merged cells are filled with their value before anything else reads them, so every
cell a merge covers says what the merge says.

CSV files come as Excel and WPS save them: UTF-8 with a byte order mark, plain UTF-8, GBK ("CSV (逗号分隔)"
on Chinese Windows) or UTF-16 with tabs ("Unicode 文本"). The encoding is recognised, never asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...pipeline.problems import Problem
from .columns import BY_KEY, Column, recognise


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell saved without its result (written by a program, never opened in Excel): its value is not
    known, and reading it as empty would drop an edit or ask for a cell that looks filled."""

    formula: str


Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | Uncomputed | None
HEADER_SEARCH_ROWS = 20  # a header further down than this is not a header
MIN_HEADERS = 3  # 名称 and at least two more: a 选项 or 说明 sheet is not a station table


@dataclass(frozen=True, order=True)
class CellProblem(Problem):
    """A problem in a spreadsheet: ``line`` is the row and ``column`` the column as the spreadsheet numbers
    them, ``field`` the column's header. ``in_table=False`` wraps a data file's problem (the staged files'
    validation may find some outside the sheet), so one report can sort and print both."""

    sheet: str = ""
    in_table: bool = True

    def format(self) -> str:
        if not self.in_table:
            return super().format()
        where = self.file + (f" 工作表“{self.sheet}”" if self.sheet else "")
        if self.line:
            where += f" 第 {self.line} 行"
        if self.field:
            where += f"“{self.field}”列"
            if self.line and self.column:
                where += f"（{get_column_letter(self.column)}{self.line}）"
        text = f"{where}：{self.message}"
        return text + (f"\n    修改建议：{self.hint}" if self.hint else "")


@dataclass
class Row:
    number: int  # as the spreadsheet shows it, counting from 1
    cells: dict[str, Cell]  # column key → the cell's value (None when empty)


@dataclass
class Table:
    """One sheet's stations: where each recognised column is, and the non-empty rows under the header."""

    file: str  # the file's name, as messages show it
    sheet: str  # "" for a CSV file
    header_row: int
    columns: dict[str, int]  # column key → column number (1 = A)
    headers: dict[str, str]  # column key → the header as written
    rows: list[Row] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers not recognised (序号, 负责人 …)
    encoding: str = ""  # a CSV file's, as recognised
    hidden_rows: list[int] = field(default_factory=list)  # hidden or filtered out in Excel: not imported

    def covers(self, key: str) -> bool:
        return key in self.columns

    def problem(self, line: int, key: str, message: str, hint: str = "") -> CellProblem:
        """At row ``line`` and the column of ``key`` (the whole row when ``key`` is "")."""
        header = self.headers.get(key) or (BY_KEY[key].header if key else "")
        return CellProblem(self.file, line, self.columns.get(key, 0), header, message, hint, sheet=self.sheet)


@dataclass
class Sheet:
    """One worksheet's cells, every merged cell filled, and the rows Excel hides (a filter hides rows too)."""

    title: str  # "" for a CSV file
    grid: list[list[Cell]]
    hidden_rows: set[int] = field(default_factory=set)


@dataclass
class Reading:
    """What ``read_tables`` found: the station tables, the problems with their headers and cells, and the
    hidden sheets it left out (the summary names them: someone may have hidden a sheet to keep it out)."""

    tables: list[Table]
    problems: list[CellProblem]
    hidden_sheets: list[str] = field(default_factory=list)


class UnreadableFile(Exception):
    """The file cannot be opened at all: one problem, named after the file."""

    def __init__(self, problem: CellProblem):
        super().__init__(problem.message)
        self.problem = problem


def read_tables(path: Path) -> Reading:
    """Every station table in the file, and the problems with their headers (a missing or doubled column)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise _unreadable(name, "这是旧的 Excel 97-2003 格式（.xls），旧的 .xls 格式读不了（old .xls format）。",
                          _SAVE_AS_XLSX)
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise _unreadable(name, f"不认识 {suffix or '没有扩展名'} 格式的文件（unsupported）。",
                          "在 Excel 或 WPS 里“另存为”Excel 工作簿（.xlsx）或 CSV（.csv）再导入；旧的 .xls 格式读不了。")
    if not path.is_file():
        raise _unreadable(name, f"找不到文件 {path}（file not found）。",
                          "检查文件名和所在的文件夹；文件名有空格时两边加引号。")
    encoding = ""
    if suffix == ".csv":
        grid, encoding = _csv_grid(path)
        sheets, hidden = [Sheet("", grid)], []
    else:
        sheets, hidden = _workbook_sheets(path)
    reading = Reading([], [], hidden)
    for sheet in sheets:
        table = _table(name, sheet, reading.problems)
        if table is not None:
            table.encoding = encoding
            reading.tables.append(table)
    if not reading.tables and not reading.problems:
        raise _unreadable(
            name, "找不到驿站表格的表头（no header row）：前 20 行里没有一行同时有“名称”和另外两个认得的列名。"
            + (f"隐藏的工作表没有读：{'、'.join(hidden)}。" if hidden else ""),
            "表头写“名称、类型、地址、经度、纬度、坐标系、开放时间、设施、运营单位”等（见编辑指南“用表格导入驿站”），"
            "或者从网站下载导入模板来填。")
    return reading


_SAVE_AS_XLSX = "在 Excel 或 WPS 里打开它，“另存为”Excel 工作簿（.xlsx）后再导入。"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls files and of password-protected .xlsx
# What openpyxl raises for a damaged file: a bad zip, a missing part, XML that does not parse (ParseError is a
# SyntaxError), a value of the wrong kind deep in its reader. The person needs the same message for each.
_DAMAGED = (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, SyntaxError)


def _unreadable(name: str, message: str, hint: str = _SAVE_AS_XLSX) -> UnreadableFile:
    return UnreadableFile(CellProblem(name, 0, 0, "", message, hint))


def _refuse_other_formats(path: Path) -> None:
    """A password-protected workbook and an old .xls with a new name are OLE files, not zip files: say which."""
    with path.open("rb") as file:
        head = file.read(len(_OLE))
    if head != _OLE:
        return
    if "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
        raise _unreadable(path.name, "这个 Excel 文件设了打开密码（password-protected），读不了。",
                          "在 Excel 里打开它，“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码后保存"
                          "（WPS：“文件 → 文档加密 → 密码加密”，删去打开密码），再导入。")
    raise _unreadable(path.name, "这其实是旧的 Excel 97-2003 格式（.xls）的文件，只是扩展名写成了 "
                      f"{path.suffix}（old .xls format）。", _SAVE_AS_XLSX)


def _workbook_sheets(path: Path) -> tuple[list[Sheet], list[str]]:
    """The visible sheets, and the names of the hidden ones (not read)."""
    _refuse_other_formats(path)
    try:
        book = openpyxl.load_workbook(path)  # formulas as written: a formula is told apart from an empty cell
        # A formula's last computed value, as the person saw it in Excel (only when there are formulas).
        results = openpyxl.load_workbook(path, data_only=True) if _has_formulas(book) else None
    except _DAMAGED as error:
        raise _unreadable(path.name,
                          f"打不开这个 Excel 文件，文件可能损坏了（{type(error).__name__}: {error}）。") from None
    sheets, hidden = [], []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            hidden.append(sheet.title)
            continue
        computed = results[sheet.title] if results is not None else None
        rows = {number for number, dimension in sheet.row_dimensions.items() if dimension.hidden}
        sheets.append(Sheet(sheet.title, _filled(sheet, computed), rows))
    return sheets, hidden


def _has_formulas(book: openpyxl.Workbook) -> bool:
    return any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)


def _filled(sheet: Worksheet, computed: Worksheet | None) -> list[list[Cell]]:
    """The sheet's values (a formula's computed result), every cell of a merged range holding the range's value."""
    grid: list[list[Cell]] = [list(row) for row in sheet.iter_rows(values_only=True)]
    if computed is not None:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    result = computed.cell(cell.row, cell.column).value
                    grid[cell.row - 1][cell.column - 1] = result if result is not None else Uncomputed(str(cell.value))
    for merged in sheet.merged_cells.ranges:
        line = grid[merged.min_row - 1] if merged.min_row <= len(grid) else []
        value = line[merged.min_col - 1] if merged.min_col <= len(line) else None
        for row in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            line = grid[row - 1]
            line.extend([None] * (merged.max_col - len(line)))
            for column in range(merged.min_col, merged.max_col + 1):
                line[column - 1] = value
    return grid


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding's name: a byte order mark says it; else UTF-8 if it decodes, else GBK."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "UTF-8（带 BOM）"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GBK"  # GB 18030 reads every GBK file and the few characters GBK lacks
    except UnicodeDecodeError:
        raise ValueError("文字编码认不出来（unknown encoding）") from None


def _csv_grid(path: Path) -> tuple[list[list[Cell]], str]:
    try:
        text, encoding = decode(path.read_bytes())
    except ValueError as error:
        raise UnreadableFile(CellProblem(path.name, 0, 0, "", f"{error}：既不是 UTF-8，也不是 GBK。",
                                         "在 Excel 或 WPS 里打开它，“另存为”Excel 工作簿（.xlsx）后再导入。")) from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","  # "Unicode 文本" is tab-separated
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return [[cell if cell.strip() else None for cell in row] for row in rows], encoding
    except csv.Error as error:  # a cell over 131,072 characters, a NUL byte: the file is not a table we can read
        raise _unreadable(path.name, f"第 {rows.line_num} 行读不了（{error}）：可能有一格太长（超过 131072 个字），"
                          "或者文件里混进了不是文字的内容（bad CSV）。",
                          "打开文件看这一行；如果是从别的系统导出的，请在 Excel 或 WPS 里“另存为”Excel 工作簿（.xlsx）"
                          "后再导入。") from None


def _empty(value: Cell) -> bool:  # a formula without a result is not empty: it is reported
    return value is None or (isinstance(value, str) and not value.strip())


def _recognised(line: list[Cell]) -> dict[int, Column]:
    found = {}
    for index, value in enumerate(line, start=1):
        column = recognise(value) if isinstance(value, str) else None
        if column is not None:
            found[index] = column
    return found


def _table(file: str, source: Sheet, problems: list[CellProblem]) -> Table | None:
    """The sheet's table, or None when it has no station header (an instructions or lists sheet)."""
    sheet, grid = source.title, source.grid
    candidates = ((index, _recognised(line)) for index, line in enumerate(grid[:HEADER_SEARCH_ROWS]))
    index, found = next(((i, f) for i, f in candidates
                         if len(f) >= MIN_HEADERS and any(c.key == "name" for c in f.values())), (-1, {}))
    if index < 0:
        return None
    header_row = index + 1
    texts = {number: str(grid[index][number - 1]).strip() for number in found}
    # A two-level header: 坐标 (merged over two columns) above 经度 and 纬度. The row below adds its columns.
    below = _recognised(grid[index + 1]) if index + 1 < len(grid) else {}
    if len(below) >= 2:
        for number, column in below.items():
            if found.get(number) != column:
                found[number] = column
                texts[number] = str(grid[index + 1][number - 1]).strip()
        index += 1
    table = Table(file, sheet, header_row, {}, {})
    for number, column in sorted(found.items()):
        if column.key in table.columns:
            first = table.columns[column.key]
            problems.append(CellProblem(
                file, header_row, number, texts[number],
                f"这一列和第 {get_column_letter(first)} 列“{table.headers[column.key]}”是同一项（duplicate column）。",
                "删去或改名其中一列，只留一列。", sheet=sheet))
            continue
        table.columns[column.key] = number
        table.headers[column.key] = texts[number]
    header_line = grid[index]
    table.ignored = [str(v).strip() for number, v in enumerate(header_line, start=1)
                     if not _empty(v) and number not in found]
    for offset, line in enumerate(grid[index + 1:], start=index + 2):
        cells = {key: (line[number - 1] if number <= len(line) else None) for key, number in table.columns.items()}
        if all(_empty(v) for v in cells.values()):
            continue  # empty rows, or rows with only an ignored column (序号) filled
        if offset in source.hidden_rows:
            # A hidden or filtered-out row is left out: what someone hid may be what they meant not to publish.
            table.hidden_rows.append(offset)
            continue
        _uncomputed(table, offset, cells, problems)
        table.rows.append(Row(offset, {k: (None if _empty(v) else v) for k, v in cells.items()}))
    _check_columns(table, problems)
    return table


def _uncomputed(table: Table, line: int, cells: dict[str, Cell], problems: list[CellProblem]) -> None:
    """A formula without a result is a problem at its cell, never an empty cell."""
    for key, value in cells.items():
        if isinstance(value, Uncomputed):
            problems.append(table.problem(
                line, key, f"单元格是公式但没有计算结果（formula without a computed value）：{value.formula}。",
                "请在 Excel/WPS 里打开并保存，或复制后“粘贴为数值”。"))
            cells[key] = None


def _check_columns(table: Table, problems: list[CellProblem]) -> None:
    """Coordinates need all three columns: a number without its map would put a station hundreds of metres off."""
    coordinates = ("location.lng", "location.lat", "location.crs")
    present = [key for key in coordinates if table.covers(key)]
    if present and len(present) < 3:
        missing = "、".join(f"“{BY_KEY[key].header}”" for key in coordinates if key not in present)
        problems.append(CellProblem(
            table.file, table.header_row, 0, "", f"有坐标列，但缺少 {missing} 列（coordinate columns incomplete）。",
            "经度、纬度和坐标系三列要一起有：坐标系写坐标是从哪里取的（高德/腾讯、百度、GPS/天地图），"
            "选错了驿站在地图上会偏几百米到一公里多。", sheet=table.sheet))
