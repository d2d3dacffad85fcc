"""Rows matched to station files: what an import would create, update or leave alone.

A row is the station of its 编号 when it has one; otherwise the station with the same 名称 and 地址; otherwise a
new station with a fresh id (``scaffold.fresh_id``: xiaoge-31 after xiaoge-30). An empty cell says nothing:
the file keeps its value (a sheet cannot delete a phone number by leaving it blank, nor a clerk by accident).
Values are compared by meaning — the same hours written as one weekly rule or two, 112.7 or 112.70 — so
exporting and importing again, or importing a sheet twice, changes nothing.

What the sheet has no column for stays as the file has it: alerts, images, the phone's label, the hours'
exceptions and note.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ...pipeline.yamlfile import YamlFileError, load_yaml_file
from ..scaffold import Known, fresh_id
from .cells import COORDINATE_DECIMALS, Parsed, parse_row
from .columns import COLUMNS
from .table import CellProblem, Row, Table

Action = Literal["create", "update", "unchanged"]
ACTION_LABELS: dict[Action, str] = {"create": "新建", "update": "更新", "unchanged": "不变"}


@dataclass
class Existing:
    """A station file as the project's loader reads it (YAML 1.2 core, as ``validate``), or why it cannot."""

    path: Path
    data: dict[str, Any]
    broken: str = ""  # the loader's problem, with its line: the file must be fixed before a row may touch it


@dataclass
class Planned:
    """What one row does to one station file."""

    table: Table
    row: Row
    action: Action
    station_id: str
    path: Path
    record: dict[str, Any]  # the whole record as it will be (for a new station: what the row says)
    changes: dict[str, Any]  # top-level fields whose meaning changes → their new value
    notes: list[str] = field(default_factory=list)
    text: str = ""  # the file's new text (stage.py)


def existing_stations(data_dir: Path) -> dict[str, Existing]:
    """Every station file by id. One that cannot be read is listed too, with its problem: skipping it would
    plan a row with its id as a new station, and writing that would replace the file."""
    found: dict[str, Existing] = {}
    for path in sorted((data_dir / "stations").glob("*.yaml")):
        try:
            data = load_yaml_file(path).data
        except YamlFileError as error:
            found[path.stem] = Existing(path, {}, f"第 {error.line} 行：{error.message}")
            continue
        except (OSError, UnicodeDecodeError) as error:
            found[path.stem] = Existing(path, {}, f"读不出来（{error}）")
            continue
        broken = "" if isinstance(data, dict) else "内容不是“字段: 值”的形式（not a mapping）"
        found[path.stem] = Existing(path, data if isinstance(data, dict) else {}, broken)
    return found


def _squeeze(text: object) -> str:
    return re.sub(r"\s+", "", str(text or ""))


# --- meaning ---------------------------------------------------------------------------------------------


def _week(hours: Any) -> Any:
    """Hours as what they mean: 24 h, or each day's sorted periods (one rule or two for the same week)."""
    if not isinstance(hours, dict):
        return hours
    if hours.get("open_24h"):
        return "24h"
    week: dict[str, list[str]] = {}
    for rule in hours.get("weekly") or []:
        if isinstance(rule, dict):
            for day in rule.get("days") or []:
                week.setdefault(day, []).extend(rule.get("periods") or [])
    return ({day: sorted(periods) for day, periods in week.items()}, hours.get("exceptions"), hours.get("note"))


def meaning(name: str, value: Any) -> Any:
    """A field's value reduced to what it means, so equal meanings compare equal."""
    if name == "hours":
        return _week(value)
    if name == "location" and isinstance(value, dict):
        return (_rounded(value.get("lat")), _rounded(value.get("lng")), value.get("crs") or "wgs84")
    if name == "phone" and isinstance(value, dict):
        return (_squeeze(value.get("number")), value.get("label"), bool(value.get("public_line")))
    if name == "sample":
        return bool(value)
    if name == "status":
        return value or "open"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _rounded(number: Any) -> Any:
    """A coordinate to the digits the import keeps: 112.7167000001 is the place 112.7167 is."""
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        return round(float(number), COORDINATE_DECIMALS)
    return number


def same(name: str, old: Any, new: Any) -> bool:
    return meaning(name, old) == meaning(name, new)


# --- a row against its file ---------------------------------------------------------------------------------


def merged(existing: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``existing`` with the row's values; parts of a field that the sheet has no column for are kept."""
    record = dict(existing)
    for name, value in values.items():
        old = existing.get(name)
        if name == "location":
            crs = value["crs"]
            value = {"lat": value["lat"], "lng": value["lng"]}
            if crs != "wgs84" or (isinstance(old, dict) and "crs" in old):
                value["crs"] = crs
        elif name == "hours" and isinstance(old, dict):
            value = {**value, **{k: v for k, v in old.items() if k in ("exceptions", "note")}}
        elif name == "phone":
            value = _phone(old if isinstance(old, dict) else {}, value)
        record[name] = value
    return record


def _phone(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The row's number with the file's label and ``public_line`` kept only while the number is the same: both
    were written for that number, and a new mobile must pass the validator's personal-number rule afresh."""
    if _squeeze(old.get("number")) != _squeeze(new.get("number")):
        return dict(new)
    return {**old, **new}


def _ordered(record: dict[str, Any]) -> dict[str, Any]:
    """A new record's fields in the order the station files write them."""
    order = ["id", "name", "type", "sample", "status", "address", "street", "location", "hours", "amenities",
             "organisation", "phone", "description", "verified"]
    return {name: record[name] for name in order if name in record}


class Planner:
    """Matches each row to a station, remembering which stations and ids this import has already used."""

    def __init__(self, data_dir: Path, known: Known, today: dt.date):
        self.data_dir = data_dir
        self.known = known
        self.today = today
        self.stations = existing_stations(data_dir)
        self.by_name = {(_squeeze(e.data.get("name")), _squeeze(e.data.get("address"))): i
                        for i, e in self.stations.items()}
        self.taken = set(known.ids) | set(self.stations)  # a broken file's id too: a new station never takes it
        self.claimed: dict[str, tuple[Table, Row]] = {}  # station id → the row that has it

    def plan(self, table: Table, row: Row, problems: list[CellProblem]) -> Planned | None:
        parsed = parse_row(row.cells, self.known)
        for key, error in parsed.errors.items():
            problems.append(table.problem(row.number, key, error.message, error.hint))
        if parsed.errors:
            return None
        station_id = self._match(parsed)
        if station_id in self.claimed:
            other_table, other = self.claimed[station_id]
            where = f"第 {other.number} 行" + (f"（工作表“{other_table.sheet}”）" if other_table is not table else "")
            problems.append(table.problem(row.number, "id" if table.covers("id") else "name",
                                          f"和{where}是同一个驿站 {station_id}（duplicate row）。",
                                          "每个驿站只占一行：删去重复的一行，或者改正编号、名称和地址。"))
            return None
        existing = self.stations.get(station_id) if station_id is not None else None
        if existing is not None and existing.broken:
            problems.append(self._broken(table, row, existing))
            return None
        if existing is not None:
            self.claimed[existing.path.stem] = (table, row)
            return self._update(table, row, parsed, existing)
        missing = [c for c in COLUMNS if c.required and c.field not in parsed.values]
        if missing:
            for column in missing:
                if column.key.startswith("location.") and column.key != "location.lat" and not table.covers(column.key):
                    continue  # one problem for the coordinates when their columns are missing
                problems.append(table.problem(row.number, column.key if table.covers(column.key) else "",
                                              f"新驿站要填“{column.header}”（required for a new station）。",
                                              column.help))
            return None
        values = parsed.values
        station_id = station_id or fresh_id(values["type"], True, self.taken)
        self.taken.add(station_id)
        self.claimed[station_id] = (table, row)
        record = _ordered(merged({"id": station_id, "verified": self.today}, values))
        return Planned(table, row, "create", station_id, self.data_dir / "stations" / f"{station_id}.yaml",
                       record, record, parsed.notes)

    def _broken(self, table: Table, row: Row, existing: Existing) -> CellProblem:
        shown = f"{self.data_dir.name}/stations/{existing.path.name}"
        return table.problem(row.number, "id" if table.covers("id") else "name",
                             f"先修好这个文件 {shown}：{existing.broken}（station file cannot be read）。",
                             f"这一行的编号 {existing.path.stem} 是这个驿站文件的；文件读不出来，"
                             "就无法判断这一行改了什么。用 make validate 看文件的问题，改好后再导入。")

    def _match(self, parsed: Parsed) -> str | None:
        if "id" in parsed.values:
            return str(parsed.values["id"])
        return self.by_name.get((_squeeze(parsed.values.get("name")), _squeeze(parsed.values.get("address"))))

    def _update(self, table: Table, row: Row, parsed: Parsed, existing: Existing) -> Planned:
        values = {k: v for k, v in parsed.values.items() if k != "id"}
        record = merged(existing.data, values)
        changes = {name: record[name] for name in values if not same(name, existing.data.get(name), record[name])}
        return Planned(table, row, "update" if changes else "unchanged", existing.path.stem, existing.path, record,
                       changes, parsed.notes)


def changed_headers(planned: Planned) -> str:
    """The columns whose values change, by the sheet's headers: 开放时间、设施."""
    names = []
    for name in planned.changes:
        headers = [planned.table.headers.get(c.key) or c.header for c in COLUMNS if c.field == name]
        names.append("/".join(headers) if name != "location" else "坐标")
    return "、".join(names)

