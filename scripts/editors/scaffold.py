"""Scaffolds: ``python -m scripts new <type>`` writes one new record of a type whose registry entry has a scaffold.

The few required fields come from options; a missing one is asked for only when
a person is at the terminal (stdin is a TTY), so CI and scripts fail at once
instead of waiting for an answer. The text of the record comes from a template in
``scripts/editors/scaffolds/`` (Chinese comments that explain each field), the record
gets a fresh id that no other record uses, and the whole data set is validated
straight away: a new record that does not validate is removed again, so the
command never leaves a broken file behind.

The templates are YAML, not Markdown pages, so they get their own small Jinja2
environment rather than the page renderer's (whose comment syntax suits Markdown).
"""

from __future__ import annotations

import argparse
import difflib
import functools
import itertools
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

from ..pipeline.build import Project, load_catalogue, today
from ..pipeline.load import data_files, load_raw_records
from ..pipeline.problems import DataError, ProblemLog
from ..records.models import Vocabularies, id_is_valid
from ..records.registry import RECORD_TYPES, RecordType, record_type
from ..records.spec import Question, Scaffold
from ..rules.coords import COORDINATE_SYSTEMS, crs_named
from .schemas import load_vocabularies, schema_comment

SCAFFOLD_TEMPLATES = Path(__file__).with_name("scaffolds")


class ScaffoldError(Exception):
    """A missing or wrong option: a message for the editor (exit status 2), never a traceback."""


# --- what each scaffold asks for ------------------------------------------------------


# The scaffolds the record types declare (records/registry.py), by the name ``new`` takes.
SCAFFOLDS: dict[str, Scaffold] = {kind.name: kind.scaffold for kind in RECORD_TYPES if kind.scaffold}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="record", required=True, metavar="|".join(SCAFFOLDS))
    for name, scaffold in SCAFFOLDS.items():
        label = record_type(name).label
        sub = kinds.add_parser(name, help=f"新建一条{label}记录",
                               description=f"新建一条{label}记录。例如：\n  {scaffold.example}",
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--id", help="唯一编号：小写英文字母、数字和连字符（默认自动生成）")
        for q in scaffold.questions:
            # A default may name today or the district ({today}, {district}), filled in when the record is made.
            shown = (q.default or "").replace("{today}", "今天").replace("{district}", "本辖区")
            sub.add_argument(f"--{q.name}", help=q.prompt + (f"（默认：{shown}）" if shown else ""))


# --- what is already there --------------------------------------------------------------


@dataclass
class Known:
    """What the data already holds: every id in use, and the choices the questions offer."""

    vocabularies: Vocabularies
    ids: set[str] = field(default_factory=set)
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # "organisations"/"station": id → name
    district: str = ""

    def choices(self, source: str) -> dict[str, str]:
        """key → label, in the data's order."""
        if source == "crs":
            return {key: system.maps for key, system in COORDINATE_SYSTEMS.items()}
        if source in self.names:
            return self.names[source]
        return {key: entry.label for key, entry in getattr(self.vocabularies, source).items()}

    def named(self, source: str, text: str) -> str | None:
        """The choice ``text`` names in words other than its key or label: a map's name for the coordinate system."""
        return crs_named(text) if source == "crs" else None


def survey(project: Project) -> Known:
    """Read what is there, tolerating broken files: a scaffold must work while other records are being fixed."""
    # A question may offer the records of any type (choices="station"): id → name (or title).
    known = Known(load_vocabularies(project), names={kind.name: {} for kind in RECORD_TYPES if kind.collection})
    for raw in load_raw_records(project.data_dir, ProblemLog(project.root)):
        known.ids.update(_ids_in(raw.data))
        if isinstance(raw.data, dict) and raw.kind.name in known.names and isinstance(raw.data.get("id"), str):
            known.names[raw.kind.name][raw.data["id"]] = str(raw.data.get("name") or raw.data.get("title") or "")
        if raw.kind.name == "site" and isinstance(raw.data, dict):
            known.district = str(raw.data.get("district", ""))
    for kind in RECORD_TYPES:
        if kind.one_per_file:
            known.ids.update(path.stem for path in data_files(project.data_dir, kind))
    return known


def _ids_in(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        if isinstance(data.get("id"), str):
            yield data["id"]
        for value in data.values():
            yield from _ids_in(value)
    elif isinstance(data, list):
        for item in data:
            yield from _ids_in(item)


def fresh_id(stem: str, numbered: bool, taken: set[str]) -> str:
    """An id no record uses: ``xiaoge-31`` after ``xiaoge-30``, or ``2026-11-28-2`` after ``2026-11-28``."""
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "record"
    if numbered:
        pattern = re.compile(re.escape(stem) + r"-(\d+)")
        last = max((int(m.group(1)) for i in taken if (m := pattern.fullmatch(i))), default=0)
        candidates: Iterator[str] = (f"{stem}-{n:02d}" for n in itertools.count(last + 1))
    else:
        candidates = itertools.chain([stem], (f"{stem}-{n}" for n in itertools.count(2)))
    return next(c for c in candidates if c not in taken)


# --- answers ------------------------------------------------------------------------------


def answer(question: Question, text: str, known: Known) -> Any:
    """Check and convert one answer; ``ValueError`` carries the Chinese message."""
    items = [t.strip() for t in re.split(r"[,，、]", text)] if question.many else [text.strip()]
    items = [t for t in items if t]
    if not items and question.default != "":
        raise ValueError("不能为空（required）。")
    if question.choices:
        items = [known.named(question.choices, item) or choose(item, known.choices(question.choices))
                 for item in items]
    values = [question.parse(item) for item in items]
    return values if question.many else (values[0] if values else "")


def choose(item: str, choices: dict[str, str]) -> str:
    """The key ``item`` names (the key itself or its label), else ``ValueError`` with a did-you-mean; the
    issue forms and the spreadsheet import use it too."""
    if item in choices:
        return item
    by_label = {label: key for key, label in choices.items()}
    if item in by_label:  # an editor may type the Chinese label: 充电 → charging
        return by_label[item]
    near = difflib.get_close_matches(item, list(choices) + list(by_label), n=1, cutoff=0.6)
    guess = f"是不是想写 {by_label.get(near[0], near[0])}？" if near else ""
    listed = "、".join(f"{key}（{label}）" if label else key for key, label in list(choices.items())[:12])
    more = " ……" if len(choices) > 12 else ""
    raise ValueError(f"没有 {item} 这一项（unknown）。{guess}可选：{listed}{more}")


def collect(scaffold: Scaffold, args: argparse.Namespace, known: Known, interactive: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    missing: list[Question] = []
    context = {"today": today().isoformat(), "district": known.district}
    for q in scaffold.questions:
        given = getattr(args, q.name, None)
        if given is None and q.default is not None:
            given = q.default.format(**context)
        if given is None:
            if interactive:
                values[q.name] = _ask(q, known)
            else:
                missing.append(q)
            continue
        try:
            values[q.name] = answer(q, given, known)
        except ValueError as error:
            raise ScaffoldError(f"选项 --{q.name}：{error}") from None
    if missing:
        listed = "\n".join(f"  --{q.name}  {q.prompt}" for q in missing)
        raise ScaffoldError(f"缺少选项（missing options）：\n{listed}\n"
                            f"在终端里直接运行时会逐项询问；在脚本或 CI 里请用选项给出，例如：\n  {scaffold.example}")
    return values


def _ask(question: Question, known: Known) -> Any:
    choices = known.choices(question.choices) if question.choices else {}
    if choices:
        print("\n".join(f"  {key}  {label}" for key, label in choices.items()), file=sys.stderr)
    while True:
        text = input(f"{question.prompt}：")
        try:
            return answer(question, text, known)
        except ValueError as error:
            print(f"  {error}", file=sys.stderr)


# --- writing ------------------------------------------------------------------------------


def yaml_scalar(value: object) -> str:
    """Plain when YAML reads it back as the same string, else double-quoted (a JSON string is valid YAML)."""
    text = str(value)
    if text and text == text.strip() and "\n" not in text:
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment for every record rendered: it compiles each template once (an import of 3,000 rows
    rendered them 3,000 times). What depends on the data (``choices``) is passed to each render instead."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(SCAFFOLD_TEMPLATES), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(yaml=yaml_scalar, quoted=lambda v: json.dumps(str(v), ensure_ascii=False))
    return env


def render(project: Project, kind: RecordType, path: Path, values: dict[str, Any],
           known: Known) -> str:
    try:
        template = _environment().get_template(f"{kind.name}.yaml")
    except jinja2.TemplateNotFound:
        raise ScaffoldError(f"找不到模板 {SCAFFOLD_TEMPLATES / kind.name}.yaml（template missing）。") from None
    def choices(source: str) -> str:
        return "、".join(f"{k}（{label}）" for k, label in known.choices(source).items())
    return template.render(**values, today=today().isoformat(), schema_comment=schema_comment(project, kind, path),
                           choices=choices)


def write_record(project: Project, kind: RecordType, values: dict[str, Any], known: Known,
                 wanted_id: str | None) -> Path:
    """Write the new file; never overwrite one (two editors may run this at the same moment)."""
    assert kind.scaffold is not None
    folder = project.data_dir / kind.pattern.split("/")[0]
    if wanted_id is not None and not id_is_valid(wanted_id):
        raise ScaffoldError(f"选项 --id：{wanted_id} 不能用作编号。只用小写英文字母、数字和连字符，如 xiaoge-31。")
    if wanted_id is not None and wanted_id in known.ids:
        raise ScaffoldError(f"选项 --id：{wanted_id} 已被使用（duplicate id），换一个，或不写 --id 自动生成。")
    taken = set(known.ids)
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        record_id = wanted_id or fresh_id(kind.scaffold.id_stem(values), kind.scaffold.numbered, taken)
        path = folder / f"{record_id}.yaml"
        text = render(project, kind, path, {**values, "id": record_id}, known)
        try:
            with path.open("x", encoding="utf-8", newline="\n") as file:
                file.write(text)
            return path
        except FileExistsError:
            if wanted_id:
                raise ScaffoldError(f"文件 {path.name} 已存在（file exists）。") from None
            taken.add(record_id)


def check_written(project: Project, kind: RecordType, path: Path) -> int:
    """Validate everything now; take the new file back if it is the one at fault."""
    shown = ProblemLog(project.data_dir.parent).display_path(path)
    try:
        load_catalogue(project)
    except DataError as error:
        own = [p for p in error.problems if p.file == shown]
        if own:
            path.unlink()
            print("\n".join(p.format() for p in own), file=sys.stderr)
            print(f"\n新{kind.label}记录没有通过校验，没有保存（not saved）。按上面的建议改正选项后重新运行。",
                  file=sys.stderr)
            return 1
        print(f"已新建{kind.label}记录：{shown}\n但数据里还有别的问题（other files have problems）：\n",
              file=sys.stderr)
        print(error.report(after="改正后再提交。"), file=sys.stderr)
        return 1
    print(f"已新建{kind.label}记录（created）：{shown}（id {path.stem}），数据校验通过（data OK）。\n"
          "下一步：用编辑器打开这个文件，按注释补充或修改内容；用 make serve 预览。")
    return 0


def run(project: Project, args: argparse.Namespace) -> int:
    kind = record_type(args.record)
    scaffold = SCAFFOLDS[args.record]
    interactive = sys.stdin is not None and sys.stdin.isatty()
    try:
        known = survey(project)
        values = collect(scaffold, args, known, interactive)
        path = write_record(project, kind, values, known, args.id)
    except ScaffoldError as error:
        print(error, file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\n已取消（cancelled），没有写入任何文件。", file=sys.stderr)
        return 2
    except DataError as error:  # the vocabulary itself is broken: nothing to offer yet
        print(error.report(after="先改正词表。"), file=sys.stderr)
        return 1
    return check_written(project, kind, path)
