"""The files an import writes, checked by the project's validator before any of them is written.

A new station's file is the scaffold's commented template (``scaffold.render``, as ``new station`` and
``from-issue`` write it) with what the template cannot say (several weekly rules, 状态, 示例数据, 核实日期)
replaced value by value with ``from_issue.patched``. An existing file is patched the same way: only the changed
top-level values are rewritten, so every comment outside them, and every field the sheet has no column for,
stays as it was. Comments inside a replaced value (between two weekly rules, say) go with it.

All files are first written into a copy of ``data/`` and the copy is validated (``load_catalogue``: the same
checks as ``make validate``). A problem in a staged file is reported at the row and column it came from; only
when there is none are the files written into ``data/`` itself: each to a temporary file beside it,
then all renamed into place (``write_files``).
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ...pipeline.build import Project, load_catalogue
from ...pipeline.problems import DataError, Problem, ProblemLog
from ...pipeline.yamlfile import YamlFileError, load_yaml_file
from ...records.registry import record_type
from ...rules.coords import COORDINATE_SYSTEMS
from .. import scaffold
from ..from_issue import patched
from .columns import COLUMNS
from .plan import Planned, meaning, same
from .table import CellProblem

STATION = record_type("station")


def read_back(text: str, folder: Path) -> dict[str, Any]:
    """``text`` as ``validate`` will read it (the project's loader, YAML 1.2 core), or {} when it cannot be.

    The loader reads files, not strings, so the text goes through a scratch file in ``folder``."""
    scratch = folder / "read-back.yaml"
    scratch.write_text(text, encoding="utf-8", newline="\n")
    try:
        data = load_yaml_file(scratch).data
    except YamlFileError:
        return {}
    return data if isinstance(data, dict) else {}


def new_text(project: Project, planned: Planned, known: scaffold.Known, made_by: str, folder: Path) -> str:
    """The scaffold's template filled with the row, then what the template cannot express patched in."""
    record = planned.record
    location, hours = record["location"], record["hours"]
    rules = hours.get("weekly", [])
    values = {
        "id": planned.station_id, "name": record["name"], "type": record["type"], "address": record["address"],
        "street": record.get("street", ""), "lat": location["lat"], "lng": location["lng"],
        "crs": location.get("crs", "wgs84"), "location_note": COORDINATE_SYSTEMS[location.get("crs", "wgs84")].note,
        "hours": {"open_24h": bool(hours.get("open_24h")), "periods": rules[0]["periods"] if rules else []},
        "amenities": record["amenities"], "organisation": record["organisation"],
        "phone": record.get("phone", {}).get("number", ""), "description": record.get("description", ""),
        "made_by": made_by,
    }
    text = scaffold.render(project, STATION, planned.path, values, known)
    written = read_back(text, folder)
    return patched(text, {k: v for k, v in record.items() if not same(k, written.get(k), v)})


def render_all(project: Project, plans: list[Planned], known: scaffold.Known, made_by: str) -> list[CellProblem]:
    """Each created or updated row's file text; a row whose change cannot be written exactly is a problem."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="import-") as scratch:
        for planned in plans:
            if planned.action == "create":
                planned.text = new_text(project, planned, known, made_by, Path(scratch))
            elif planned.action == "update":
                planned.text = patched(planned.path.read_text(encoding="utf-8"), planned.changes)
            else:
                continue
            problems += _read_back_problems(planned, Path(scratch))
    return problems


def _read_back_problems(planned: Planned, folder: Path) -> list[CellProblem]:
    """Never write what would read back differently from what the row says (from_issue checks the same)."""
    problems = []
    if True:
        loaded = read_back(planned.text, folder)
        wrong = [k for k, v in planned.record.items() if meaning(k, loaded.get(k)) != meaning(k, v)]
        if wrong:
            problems.append(planned.table.problem(
                planned.row.number, "", f"无法自动改写 {planned.path.name} 的 {'、'.join(wrong)}（unusual layout）。",
                "请直接在驿站文件里修改这几项，或者请技术人员帮忙。"))
    return problems


def _column_of(field: str) -> str:
    """The column a validator problem's field came from: ``hours.weekly[0].periods[1]`` → 开放时间."""
    for column in COLUMNS:
        if field == column.key or field.startswith((column.key + ".", column.key + "[")):
            return column.key
    top = field.split(".")[0].split("[")[0]
    if top == "location":
        return "location.lat"
    return next((c.key for c in COLUMNS if c.field == top), "")


def _relocated(problem: Problem, plans: dict[str, Planned], log: ProblemLog, data_dir: Path) -> CellProblem:
    """A staged file's problem at the sheet's row and column; any other file's as the validator says it."""
    planned = plans.get(problem.file)
    if planned is None:
        return CellProblem(**dataclasses.asdict(problem), in_table=False)
    key = _column_of(problem.field)
    if key and not planned.table.covers(key):
        key = ""
    message = problem.message
    if not key and problem.field:
        message += f"（驿站文件 {log.display_path(data_dir / 'stations' / planned.path.name)} 的 {problem.field}）"
    return planned.table.problem(planned.row.number, key, message, problem.hint)


def validate_staged(project: Project, plans: list[Planned]) -> list[CellProblem]:
    """Validate ``data/`` as it would be after the import, in a copy; the problems, at rows where they came from."""
    changed = [p for p in plans if p.action != "unchanged"]
    log = ProblemLog(project.data_dir.parent)
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        staged_dir = Path(folder) / project.data_dir.name  # same name: problems name the files as data/ does
        shutil.copytree(project.data_dir, staged_dir)
        for planned in changed:
            (staged_dir / "stations" / planned.path.name).write_text(planned.text, encoding="utf-8", newline="\n")
        staged = dataclasses.replace(project, data_dir=staged_dir, work_dir=Path(folder) / "work",
                                     site_dir=Path(folder) / "site")
        try:
            load_catalogue(staged)
        except DataError as error:
            staged_log = ProblemLog(staged_dir.parent)
            by_file = {staged_log.display_path(staged_dir / "stations" / p.path.name): p for p in changed}
            return [_relocated(problem, by_file, log, project.data_dir) for problem in error.problems]
    return []


class WriteFailed(Exception):
    """Writing stopped: ``message`` (Chinese) says why, ``written`` which files had already been replaced."""

    def __init__(self, message: str, written: list[Path]):
        super().__init__(message)
        self.message, self.written = message, written


def write_files(plans: list[Planned]) -> list[Path]:
    """Write the checked files all or (as far as the file system allows) nothing.

    Every file's text goes to a temporary file beside it first, so a full disk or a permission stops the import
    before any station file changes; a new station's file must not exist yet (an editor may have made it
    meanwhile); only then is each one renamed into place, which replaces a file whole or not at all."""
    todo = [p for p in plans if p.action != "unchanged"]
    temps: list[tuple[Planned, Path]] = []
    try:
        for planned in todo:
            temps.append((planned, _temporary(planned)))
        taken = [p.path.name for p in todo if p.action == "create" and p.path.exists()]
        if taken:
            raise WriteFailed(f"{'、'.join(taken)} 刚被别人新建了（file exists），没有覆盖它。", [])
    except OSError as error:
        _remove(temps)
        raise WriteFailed(f"写不了临时文件（{error.strerror or error}：{error.filename}）。", []) from None
    except WriteFailed:
        _remove(temps)
        raise
    return _move_into_place(temps)


def _temporary(planned: Planned) -> Path:
    """The new text beside its file; an updated file's permissions are kept, a new one gets the usual ones."""
    temp = planned.path.with_name(f".{planned.path.name}.{secrets.token_hex(4)}.tmp")
    with temp.open("x", encoding="utf-8", newline="\n") as file:
        file.write(planned.text)
    if planned.action == "update":
        shutil.copymode(planned.path, temp)
    return temp


def _move_into_place(temps: list[tuple[Planned, Path]]) -> list[Path]:
    written: list[Path] = []
    for index, (planned, temp) in enumerate(temps):
        try:
            if planned.action == "create":
                os.link(temp, planned.path)  # fails if the file appeared since the check: never overwrite it
                temp.unlink()
            else:
                os.replace(temp, planned.path)
        except OSError as error:
            _remove(temps[index:])
            exists = isinstance(error, FileExistsError)
            reason = "刚被别人新建了（file exists），没有覆盖它" if exists else f"写不进去（{error.strerror or error}）"
            raise WriteFailed(f"{planned.path.name} {reason}。", written) from None
        written.append(planned.path)
    return written


def _remove(temps: list[tuple[Planned, Path]]) -> None:
    for _, temp in temps:
        temp.unlink(missing_ok=True)
