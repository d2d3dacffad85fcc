"""``python -m scripts export <file.xlsx|file.csv>``: the stations in the import's workbook layout;
``--template`` writes the same workbook without stations, for a district office to fill in.

Exporting and importing the file again changes nothing: the cells hold each file's own values (coordinates
in the system the file declares, not the build's WGS-84 copy) in the words the import reads back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...pipeline.build import Project, load_catalogue
from ...pipeline.problems import DataError
from ...pipeline.resolve import Catalogue
from ...pipeline.yamlfile import load_yaml_file
from ...records.models import Station
from .workbook import Lists, csv_text, station_rows, workbook, workbook_bytes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="要写的文件：.xlsx（Excel 工作簿）或 .csv（UTF-8，带 BOM）")
    parser.add_argument("--template", action="store_true",
                        help="只写空白的导入模板（表头、下拉列表和填写说明，没有驿站）")
    parser.add_argument("--force", action="store_true", help="文件已存在时覆盖它（默认拒绝）")


def lists_of(catalogue: Catalogue) -> Lists:
    return Lists.of(catalogue.vocabularies, {key: o.name for key, o in catalogue.organisations.items()})


def file_stations(project: Project) -> list[Station]:
    """Each station as its file says it, in id order (the catalogue's have coordinates converted to WGS-84),
    read as ``validate`` reads it: YAML 1.1 would read ``street: No`` as false."""
    paths = sorted((project.data_dir / "stations").glob("*.yaml"))
    return [Station.model_validate(load_yaml_file(path).data) for path in paths]


def run(project: Project, args: argparse.Namespace) -> int:
    suffix = args.file.suffix.lower()
    if suffix not in (".xlsx", ".csv") or (args.template and suffix != ".xlsx"):
        kinds = ".xlsx" if args.template else ".xlsx 或 .csv"
        print(f"{args.file.name}：要写成 {kinds} 文件（unsupported format）。", file=sys.stderr)
        return 2
    if args.file.exists() and not args.force:  # a filled-in sheet someone has not imported yet, say
        print(f"{args.file} 已经存在（file exists），没有覆盖它。换一个文件名，或者确认不要它了再加 --force。",
              file=sys.stderr)
        return 2
    try:
        catalogue = load_catalogue(project)  # only data that validates is exported
    except DataError as error:
        print(error.report(after="没有导出（nothing exported）：先改正数据。"), file=sys.stderr)
        return 1
    stations = [] if args.template else file_stations(project)
    rows = station_rows(stations, lists_of(catalogue))
    if suffix == ".csv":
        args.file.write_text(csv_text(rows), encoding="utf-8", newline="")
    else:
        args.file.write_bytes(workbook_bytes(workbook(rows, lists_of(catalogue))))
    what = "导入模板" if args.template else f"{len(rows)} 个驿站"
    print(f"已写入 {args.file}（{what}）。填好或改好后用 python -m scripts import {args.file} 预览导入。")
    return 0
