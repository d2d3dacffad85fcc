"""``python -m scripts import <file.xlsx|file.csv> [--write]``: a district office's station list → station files.

Without ``--write`` it only shows what it would do (a dry run): a table of the rows and whether each would
create, update or leave unchanged a station file. With ``--write`` it writes those files. Either way every
problem in the sheet is reported at once, by file, sheet, row and column, and nothing is written while there
is any: the staged files are checked by the project's validator first (``stage.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...pipeline.build import Project, today
from ...pipeline.problems import DataError
from .. import scaffold
from .plan import ACTION_LABELS, Planned, Planner, changed_headers
from .stage import WriteFailed, render_all, validate_staged, write_files
from .table import Table, UnreadableFile, read_tables

NOTHING_WRITTEN = "没有写入任何文件（nothing written）。改正后再导入一次。"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GBK）")
    parser.add_argument("--write", action="store_true",
                        help="写入驿站文件（默认只预演：列出会新建、更新和不变的驿站，不写任何文件）")


def run(project: Project, args: argparse.Namespace) -> int:
    try:
        known = scaffold.survey(project)
    except DataError as error:  # the vocabulary itself is broken: nothing to match labels against
        print(error.report(after="先改正词表。"), file=sys.stderr)
        return 1
    try:
        reading = read_tables(args.file)
    except UnreadableFile as error:
        print(error.problem.format(), file=sys.stderr)
        return 2
    tables, problems = reading.tables, reading.problems
    for hidden in reading.hidden_sheets:
        print(f"{args.file.name} 工作表“{hidden}”是隐藏的，没有导入（hidden sheet skipped）。要导入就先取消隐藏。")
    planner = Planner(project.data_dir, known, today())
    plans = [p for table in tables for row in table.rows if (p := planner.plan(table, row, problems))]
    made_by = f"表格 {args.file.name} 导入（`python -m scripts import`）"
    problems += render_all(project, plans, known, made_by)
    if any(p.action != "unchanged" and p.text for p in plans):
        problems += validate_staged(project, plans)
    show(tables, plans if not problems else [])
    if problems:
        print(DataError(problems).report(after=NOTHING_WRITTEN), file=sys.stderr)
        return 1
    changed = [p for p in plans if p.action != "unchanged"]
    if not changed:
        print("表格和驿站文件一致，没有要改的（nothing to change）。")
        return 0
    if not args.write:
        print(f"\n这是预演（dry run），没有写入任何文件。核对无误后加上 --write 写入：\n"
              f"  python -m scripts import {args.file} --write")
        return 0
    try:
        written = write_files(changed)
    except WriteFailed as error:
        print(f"{error.message}\n{_what_was_written(error.written, len(changed))}", file=sys.stderr)
        return 1
    print(f"\n已写入 {len(written)} 个驿站文件，数据校验通过（data OK）。用 make serve 预览，核对后提交。")
    return 0


def _what_was_written(written: list[Path], planned: int) -> str:
    if not written:
        return NOTHING_WRITTEN
    names = "、".join(path.name for path in written)
    return (f"已经写入了 {len(written)} 个文件（partly written）：{names}；其余 {planned - len(written)} 个没有写。"
            "用 git diff data/stations 查看，改正原因后再导入一次（已写入的会显示为“不变”）。")


def show(tables: list[Table], plans: list[Planned]) -> None:
    """What the import does, row by row: 第 3 行  新建  xiaoge-31  光明街小哥驿站."""
    for table in tables:  # the rows only when they can all be imported: otherwise the problems say what to do
        where = table.file + (f" 工作表“{table.sheet}”" if table.sheet else "")
        encoding = f"，{table.encoding} 编码" if table.encoding else ""
        print(f"{where}：表头在第 {table.header_row} 行，{len(table.rows)} 行驿站{encoding}。")
        if table.ignored:
            print(f"  没有用到的列（ignored）：{'、'.join(table.ignored)}")
        if table.hidden_rows:
            numbers = "、".join(str(n) for n in table.hidden_rows)
            print(f"  隐藏或被筛选掉的行没有导入（hidden rows skipped）：第 {numbers} 行。要导入就取消隐藏、清除筛选。")
        for planned in (p for p in plans if p.table is table):
            line = f"  第 {planned.row.number:>4} 行  {ACTION_LABELS[planned.action]}  {planned.station_id:<16} " \
                   f"{planned.record.get('name', '')}"
            if planned.action == "update":
                line += f"  改：{changed_headers(planned)}"
            print(line)
            for note in planned.notes:
                print(f"            提示：{note}")
    if not plans:
        return
    counts = {label: sum(p.action == action for p in plans) for action, label in ACTION_LABELS.items()}
    print("共：" + "，".join(f"{label} {count} 个" for label, count in counts.items()) + "。")

