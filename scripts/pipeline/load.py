"""Load stage: find the data files, parse them, and split them into raw records.

Which files hold which record type is said by the record types themselves (``records/registry.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records.registry import RECORD_TYPES, RecordType
from .limits import MAX_FILE_BYTES, MAX_LIST_FILE_BYTES
from .problems import ProblemLog
from .yamlfile import FieldPath, Finder, YamlDocument, YamlFileError, load_yaml_file


@dataclass(frozen=True)
class RawRecord:
    """One record's parsed data, with the document and path it sits at."""

    kind: RecordType
    document: YamlDocument
    prefix: FieldPath  # () for a whole file, (index,) for an item of a list file
    data: Any

    def locate(self, field: FieldPath = (), at_key: bool = False) -> tuple[int, int]:
        position = self.document.locate((*self.prefix, *field), at_key)
        return position.line, position.column

    def locate_text(self, field: FieldPath, found: Finder) -> tuple[int, int]:
        """The line of the text at ``field`` where ``found`` finds something (see ``YamlDocument.locate_text``)."""
        position = self.document.locate_text((*self.prefix, *field), found)
        return position.line, position.column

    def field_name(self, field: FieldPath) -> str:
        return format_field_path((*self.prefix, *field))


def format_field_path(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def data_files(data_dir: Path, kind: RecordType) -> list[Path]:
    """The kind's files, sorted so every run sees them in the same order."""
    if kind.shape == "record":
        return sorted(data_dir.glob(kind.pattern))
    path = data_dir / kind.pattern
    return [path]


def data_paths(data_dir: Path, log: ProblemLog) -> Iterator[tuple[RecordType, Path]]:
    """Every data file there should be, in a fixed order; a missing required file is reported."""
    for kind in RECORD_TYPES:
        for path in data_files(data_dir, kind):
            if path.exists():
                yield kind, path
            elif kind.required:
                log.add(path, 1, 1, "", f"缺少{kind.label}文件（missing file）。",
                        f"新建 data/{kind.pattern}，可参考示例数据。")


def max_file_bytes(kind: RecordType) -> int:
    return MAX_LIST_FILE_BYTES if kind.shape == "list" else MAX_FILE_BYTES


def load_file(kind: RecordType, path: Path, log: ProblemLog) -> Iterator[RawRecord]:
    """Parse one data file into raw records; a file that cannot be read is reported instead."""
    try:
        document = load_yaml_file(path, max_file_bytes(kind))
    except YamlFileError as error:
        log.add(path, error.line, error.column, "", error.message, error.hint)
        if kind.one_per_file:
            log.rejected_ids.add(path.stem)  # such a file is named by its record's id
        return
    yield from _split(kind, document, log)


def load_raw_records(data_dir: Path, log: ProblemLog) -> Iterator[RawRecord]:
    """Parse every data file; report files that cannot be read or have the wrong shape."""
    for kind, path in data_paths(data_dir, log):
        yield from load_file(kind, path, log)


def _split(kind: RecordType, document: YamlDocument, log: ProblemLog) -> Iterator[RawRecord]:
    if kind.shape == "list":
        if not isinstance(document.data, list):
            log.add(document.path, 1, 1, "", f"这个文件应是{kind.label}的列表（expected a list）。",
                    "每条记录以“- id: …”开头。")
            return
        for index, item in enumerate(document.data):
            yield RawRecord(kind, document, (index,), item)
    else:
        if not isinstance(document.data, dict):
            log.add(document.path, 1, 1, "", f"这个文件应是一条{kind.label}记录（expected a mapping）。",
                    "每行写成“字段名: 值”，不要以“- ”开头。")
            return
        yield RawRecord(kind, document, (), document.data)
