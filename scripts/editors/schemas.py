"""JSON Schemas for editors' tools, generated from the record models.

The files in ``data/schemas/`` are kept in git so editors get completion and
inline errors without running anything; a test fails when they are stale.
The current vocabulary keys are added as ``enum`` so that station types,
amenities, service kinds and story categories complete too.

Each data file starts with a ``# yaml-language-server: $schema=…`` comment so
that editors that ignore ``.vscode/settings.json`` (or files opened outside the
project) still find their schema; ``link_data_files`` adds or refreshes it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..pipeline.build import Project
from ..pipeline.check import check_record
from ..pipeline.load import RawRecord, data_files
from ..pipeline.problems import DataError, ProblemLog
from ..pipeline.yamlfile import YamlFileError, load_yaml_file
from ..records.models import Vocabularies, VocabularyEntry
from ..records.registry import RECORD_TYPES, RecordType


def schema_path(project: Project, kind: RecordType) -> Path:
    return project.data_dir / "schemas" / f"{kind.name}.schema.json"


def generate_schemas(project: Project) -> dict[Path, str]:
    vocabularies = load_vocabularies(project)
    return {schema_path(project, kind): _render(kind, vocabularies) for kind in RECORD_TYPES}


def vscode_schema_mapping() -> dict[str, list[str]]:
    """``yaml.schemas`` of ``.vscode/settings.json``: each record type's schema for its files."""
    return {f"./data/schemas/{kind.name}.schema.json": [f"data/{kind.pattern}"] for kind in RECORD_TYPES}


def vscode_settings(project: Project) -> str:
    """``.vscode/settings.json`` with the schema mapping made from the registry; the other settings kept."""
    path = project.root / ".vscode" / "settings.json"
    settings = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    settings["yaml.schemas"] = vscode_schema_mapping()
    return json.dumps(settings, ensure_ascii=False, indent=2) + "\n"


def write_schemas(project: Project) -> list[Path]:
    outputs = generate_schemas(project)
    outputs[project.root / ".vscode" / "settings.json"] = vscode_settings(project)
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(outputs)


SCHEMA_COMMENT = "# yaml-language-server: $schema="


def schema_comment(project: Project, kind: RecordType, data_file: Path) -> str:
    """The first line of a data file: its schema, relative to the file (as the YAML extension wants)."""
    relative = os.path.relpath(schema_path(project, kind), data_file.parent)
    return SCHEMA_COMMENT + Path(relative).as_posix()


def link_data_files(project: Project) -> list[Path]:
    """Add or refresh the schema comment at the top of every data file; return the files changed."""
    changed = []
    for kind in RECORD_TYPES:
        for path in data_files(project.data_dir, kind):
            if path.is_file() and _set_first_line(path, schema_comment(project, kind, path)):
                changed.append(path)
    return changed


def _set_first_line(path: Path, comment: str) -> bool:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False  # validation reports the encoding, with a hint
    first, _, rest = text.partition("\n")
    eol = "\r\n" if first.endswith("\r") else "\n"
    body = rest if first.startswith("# yaml-language-server:") else text
    updated = (comment + eol + body).encode("utf-8")
    if updated == raw:
        return False
    path.write_bytes(updated)
    return True


def _render(kind: RecordType, vocabularies: Vocabularies) -> str:
    record_schema: dict[str, Any] = kind.model.model_json_schema()
    for used in kind.vocabularies:
        entries: dict[str, VocabularyEntry] | None = getattr(vocabularies, used.vocabulary, None)
        if entries is None:
            continue  # the cross-record check reports the missing vocabulary
        prop = _property_at(record_schema, used.field)
        target = prop["items"] if used.field.endswith("[]") else prop
        target["enum"] = list(entries)
        prop["description"] += " 可选：" + "、".join(f"{k}（{e.label}）" for k, e in entries.items())
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if kind.shape == "list":
        defs = record_schema.pop("$defs", None)
        schema |= {"title": f"{kind.label}列表", "type": "array", "items": record_schema}
        if defs:
            schema["$defs"] = defs
    else:
        schema |= {"title": kind.label, **record_schema}
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def _property_at(schema: dict[str, Any], field_path: str) -> dict[str, Any]:
    """The schema of the field at ``field_path`` (``kind``, ``amenities[]``, ``place.kind``), following refs."""
    node = schema
    names = [part.removesuffix("[]") for part in field_path.split(".")]
    for index, name in enumerate(names):
        prop = node["properties"][name]
        if index == len(names) - 1:
            return prop
        ref = prop.get("$ref") or next((b["$ref"] for b in prop.get("anyOf", []) if "$ref" in b), "")
        node = schema["$defs"][ref.rsplit("/", 1)[-1]]
    raise ValueError(field_path)


def load_vocabularies(project: Project) -> Vocabularies:
    kind = next(k for k in RECORD_TYPES if k.model is Vocabularies)
    log = ProblemLog(project.root)
    path = project.data_dir / kind.pattern
    if not path.is_file():
        log.add(path, 1, 1, "", f"缺少{kind.label}文件（missing file）。", "检查 --data 指向的目录是否正确。")
        raise DataError(log)
    try:
        document = load_yaml_file(path)
    except YamlFileError as error:
        log.add(path, error.line, error.column, "", error.message, error.hint)
        raise DataError(log) from None
    record = check_record(RawRecord(kind, document, (), document.data), log)
    log.raise_if_any()
    assert isinstance(record, Vocabularies)
    return record
