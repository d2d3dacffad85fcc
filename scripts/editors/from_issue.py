"""``python -m scripts from-issue <file or ->``: a submitted issue form → a record a maintainer accepts in one step.

Copy the issue's text (GitHub: ⋯ → Copy Markdown, or ``gh issue view N --json body -q .body``) into a file
or pipe it in. The form is recognised by its headings (or named with ``--form``):

* 推荐新驿站 and 发布动态 write a new file under ``data/`` in the scaffold's commented style
  (``scaffold.py``'s templates, ids and never-overwrite rule) and validate the whole data set at once; a
  file that does not validate is taken back and the problems are printed in Chinese. Coordinates are
  converted to WGS-84 from the map they were copied from (``rules/coords.py``), the original noted in a
  comment. Pictures dragged into a story (GitHub keeps them on its own servers) are taken out of the body
  and listed in a comment: they must be downloaded, stripped and put under ``docs/assets/images/`` first.
* 驿站信息有误 prints the change to the station's file as a diff; with ``--apply`` it writes it (only the
  changed values are replaced, every comment elsewhere stays) and validates, restoring the file if the
  change does not validate. What cannot be applied safely is listed for the maintainer to do by hand.

Mistakes in the form (an empty required field, coordinates outside the district, hours in a shape the
site does not read) are named by the form's own label, so the maintainer can answer in the issue.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..outputs.report_links import CORRECTION_FORM, NEW_STATION_FORM, STATION_ID_FIELD, STORY_FORM
from ..pipeline.build import Project, load_catalogue, today
from ..pipeline.problems import DataError, ProblemLog
from ..records.answers import parse_date, parse_hours, parse_opening_hours
from ..records.models import Bounds
from ..records.registry import record_type
from ..rules.coords import MAP_SOURCES, to_wgs84
from . import scaffold
from .issue_forms import (
    OTHER_ORGANISATION,
    STATUS_CHOICES,
    UNCHANGED,
    Choices,
    Form,
    choices_of,
    form_named,
    read_body,
    which_form,
)

FORM_FILES = (NEW_STATION_FORM, STORY_FORM, CORRECTION_FORM)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("issue", help="议题正文：保存成的文件，或 - 表示从标准输入读取")
    parser.add_argument("--form", choices=[f.removesuffix(".yml") for f in FORM_FILES],
                        help="表单（默认按正文里的标题自动识别）")
    parser.add_argument("--id", help="新记录的编号（默认自动生成）")
    parser.add_argument("--overwrite", action="store_true", help="--id 指定的记录已存在时替换它（默认拒绝）")
    parser.add_argument("--apply", action="store_true", help="驿站信息有误：把改动写进驿站文件（默认只显示改动）")


class FormProblems(Exception):
    """What is wrong in the submitted form, each naming the form's label."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Answers:
    """One submitted form's answers, and the problems found while reading them."""

    form: Form
    values: dict[str, str | list[str]]
    problems: list[str] = field(default_factory=list)

    def label(self, field_id: str) -> str:
        return next(f.label for f in self.form.fields if f.id == field_id)

    def text(self, field_id: str) -> str:
        value = self.values.get(field_id, "")
        return value.strip() if isinstance(value, str) else ""

    def ticked(self, field_id: str) -> list[str]:
        value = self.values.get(field_id, [])
        return value if isinstance(value, list) else []

    def problem(self, field_id: str, message: str) -> None:
        self.problems.append(f"表单项“{self.label(field_id)}”：{message}")

    def required(self, field_id: str) -> str:
        value = self.text(field_id)
        if not value:
            self.problem(field_id, "没有填写（required）。")
        return value

    def parsed(self, field_id: str, parse: Any, value: str | None = None) -> Any:
        """``parse(value)``, or None with the parser's Chinese message recorded against the field."""
        try:
            return parse(self.text(field_id) if value is None else value)
        except ValueError as error:
            self.problem(field_id, str(error))
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise FormProblems(self.problems)


# --- reading answers --------------------------------------------------------------------------------


def choose(answers: Answers, field_id: str, options: dict[str, str], value: str | None = None) -> str | None:
    """A dropdown's or checkbox's label (or key) → the key; a did-you-mean when it is neither."""
    return answers.parsed(field_id, lambda v: scaffold.choose(v, options), value)


def district_bounds(project: Project) -> tuple[str, Bounds]:
    """The district's name and bounds from data/site.yaml, read leniently (validation reports that file)."""
    site = yaml.safe_load((project.data_dir / "site.yaml").read_text(encoding="utf-8")) or {}
    box = site.get("map", {}).get("bounds", {})
    return str(site.get("district", "")), Bounds(**box)


def coordinates(answers: Answers, project: Project) -> tuple[dict[str, float], str] | None:
    """The WGS-84 location and a note of where it came from; None (with the problem noted) if unusable."""
    text = answers.text("coordinates")
    source = answers.text("map_source")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
    if len(numbers) != 2:
        answers.problem("coordinates", f"要两个数字：经度和纬度，如 112.733600,38.416500（写的是：{text or '空'}）。")
        return None
    if source not in MAP_SOURCES:
        answers.problem("map_source", "选一种地图：" + "、".join(MAP_SOURCES) + "。不知道时请到现场用手机 GPS 定位，"
                        "或在高德地图上找到驿站再复制坐标。")
        return None
    crs = MAP_SOURCES[source]
    district, bounds = district_bounds(project)
    # 高德 and 百度 pickers give "lng,lat", others "lat,lng": the order that lands in the district is the right one.
    inside = [(lat, lng) for lat, lng in (numbers, numbers[::-1]) if bounds.contains(lat, lng)]
    if not inside:
        answers.problem("coordinates", f"{text} 不在{district}范围内（纬度 {bounds.south}–{bounds.north}，"
                        f"经度 {bounds.west}–{bounds.east}）：是不是复制错了？")
        return None
    lat, lng = inside[0]
    w_lat, w_lng = to_wgs84(lat, lng, crs)
    note = f"坐标由{source}的 {lng},{lat}（{crs}）换算为 WGS-84（from-issue）。"
    return {"lat": round(w_lat, 6), "lng": round(w_lng, 6)}, note


def station_values(answers: Answers, choices: Choices, project: Project) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": answers.required("name"),
        "address": answers.required("address"),
        "street": answers.text("street"),
        "phone": answers.text("phone"),
        "description": answers.text("description"),
    }
    if answers.required("type"):
        values["type"] = choose(answers, "type", choices.station_types, answers.text("type"))
    if answers.required("hours"):
        values["hours"] = answers.parsed("hours", parse_hours)
    amenities = answers.ticked("amenities")
    if not amenities:
        answers.problem("amenities", "至少勾选一项（required）。")
    values["amenities"] = [choose(answers, "amenities", choices.amenities, label) for label in amenities]
    organisation = answers.required("organisation")
    if organisation == OTHER_ORGANISATION:
        answers.problem("organisation", "选的是“其他单位”：先把这个单位加进 data/organisations.yaml（再运行 "
                        "python -m scripts schema 更新表单），然后把保存的议题文字里“运营单位”下面一行"
                        "改成它的名称或 id，"
                        "再运行一次。")
    elif organisation:
        values["organisation"] = choose(answers, "organisation", choices.organisations, organisation)
    if answers.text("coordinates") or answers.text("map_source"):
        found = coordinates(answers, project)
        if found:
            location, values["location_note"] = found
            values.update(lat=location["lat"], lng=location["lng"], crs="wgs84")
    else:
        answers.required("coordinates")
    return values


_REMOTE_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?(https?://[^)\s>]+)>?[^)]*\)|<img\b[^>]*\bsrc=[\"']?(https?://[^\"'\s>]+)[^>]*>",
                           re.IGNORECASE)


def story_values(answers: Answers, choices: Choices) -> dict[str, Any]:
    values: dict[str, Any] = {"title": answers.required("title"), "summary": answers.required("summary")}
    if answers.required("category"):
        values["category"] = choose(answers, "category", choices.story_categories, answers.text("category"))
    values["date"] = answers.parsed("date", parse_date) if answers.text("date") else today()
    body = answers.text("body")
    images = [m.group(1) or m.group(2) for m in _REMOTE_IMAGE.finditer(body)]
    values["body"] = re.sub(r"\n{3,}", "\n\n", _REMOTE_IMAGE.sub("", body)).strip()
    values["tags"] = [t.strip() for t in re.split(r"[,，、]", answers.text("tags")) if t.strip()]
    values["images_to_fetch"] = images
    return values


# --- writing a new record ----------------------------------------------------------------------------


def made_by(form: Form) -> str:
    return f"议题表单“{form.name}”（`python -m scripts from-issue`）"


def write_new(project: Project, answers: Answers, choices: Choices, args: argparse.Namespace) -> int:
    kind = record_type("station" if answers.form.file == NEW_STATION_FORM else "story")
    values = station_values(answers, choices, project) if kind.name == "station" else story_values(answers, choices)
    answers.raise_if_any()
    values["made_by"] = made_by(answers.form)
    known = scaffold.survey(project)
    path = project.data_dir / kind.pattern.split("/")[0] / f"{args.id}.yaml" if args.id else None
    previous = path.read_bytes() if path and path.is_file() else None
    if previous is not None:
        if not args.overwrite:
            print(f"{ProblemLog(project.data_dir.parent).display_path(path)} 已存在（file exists）：不会覆盖。"
                  "确实要用议题的内容替换它，加上 --overwrite。", file=sys.stderr)
            return 2
        known.ids.discard(args.id)
        path.unlink()
    try:
        path = scaffold.write_record(project, kind, values, known, args.id)
    except scaffold.ScaffoldError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        if previous is not None and not path.exists():
            path.write_bytes(previous)
    if values.get("images_to_fetch"):
        _note_images(path, values["images_to_fetch"])
    status = scaffold.check_written(project, kind, path)
    if status and previous is not None and not path.exists():
        path.write_bytes(previous)  # the replacement did not validate: the record is as it was
    if status == 0 and kind.name == "station":
        print("这条记录来自公众推荐：发布前请实地核实，verified 写核实的那一天。")
    return status


def _note_images(path: Path, urls: list[str]) -> None:
    """List the story's pictures (still on GitHub) in a comment under the file's first line."""
    first, _, rest = path.read_text(encoding="utf-8").partition("\n")
    lines = ["# 议题里的图片还没有放进网站：下载后去掉位置信息（见编辑指南“照片”），放进 docs/assets/images/，"
             "再写进下面的 images。", *(f"#   {url}" for url in urls)]
    path.write_text("\n".join([first, *lines, rest]), encoding="utf-8", newline="\n")
    print(f"正文里的 {len(urls)} 张图片在 GitHub 上，已从正文取出、列在文件开头的注释里。", file=sys.stderr)


# --- a correction ------------------------------------------------------------------------------------


@dataclass
class Correction:
    path: Path
    changes: dict[str, Any]  # top-level field → its new value
    by_hand: list[str]  # what the maintainer has to change themselves
    problem: str


def correction(project: Project, answers: Answers, choices: Choices) -> Correction:
    station_id = answers.required(STATION_ID_FIELD)
    path = project.data_dir / "stations" / f"{station_id}.yaml"
    if station_id and (not re.fullmatch(r"[a-z0-9-]+", station_id) or not path.is_file()):
        known = sorted(p.stem for p in (project.data_dir / "stations").glob("*.yaml"))
        near = difflib.get_close_matches(station_id, known, n=1)
        answers.problem(STATION_ID_FIELD, f"没有编号为 {station_id} 的驿站（unknown station）。"
                        + (f"是不是 {near[0]}？" if near else ""))
    problem = answers.required("problem")
    answers.raise_if_any()
    current = yaml.safe_load(path.read_text(encoding="utf-8"))
    changes: dict[str, Any] = {}
    for name in ("name", "address"):
        if answers.text(name):
            changes[name] = answers.text(name)
    status = answers.text("status")
    if status and status != UNCHANGED:
        changes["status"] = choose(answers, "status", {key: label for label, key in STATUS_CHOICES.items()}, status)
    if answers.text("hours"):
        # A correction replaces a value in the file, so it may say anything the file can (周六 10:00-16:00 too).
        hours = answers.parsed("hours", parse_opening_hours)
        if hours:
            kept = {k: v for k, v in current.get("hours", {}).items() if k in ("exceptions", "note")}
            changes["hours"] = {**hours, **kept}
    if answers.text("coordinates") or answers.text("map_source"):
        found = coordinates(answers, project)
        if found:
            changes["location"] = found[0]
    if answers.ticked("amenities"):
        changes["amenities"] = [choose(answers, "amenities", choices.amenities, a) for a in answers.ticked("amenities")]
    if answers.text("phone"):
        old = current.get("phone") or {}
        changes["phone"] = {"number": answers.text("phone"), **({"label": old["label"]} if old.get("label") else {})}
    answers.raise_if_any()
    changes = {k: v for k, v in changes.items() if _plain(current.get(k)) != _plain(v)}
    by_hand = []
    if changes.get("status") == "temporarily_closed" and not current.get("alerts"):
        by_hand.append("临时关闭要写明原因和恢复日期：在 alerts 下加一条（见编辑指南“临时关闭、恢复和撤销驿站”）。")
    return Correction(path, changes, by_hand, problem)


def _plain(value: Any) -> Any:
    """A value as YAML loaded it, comparable with a proposed one (dates as text)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def _flow(value: Any) -> str:
    """A value on one line, as the data files write lists and small parts: [mo, tu], ["08:00-20:00"]."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if re.fullmatch(r"[a-z][a-z0-9_]*", value) else json.dumps(value, ensure_ascii=False)
    return str(value)


def _render(value: Any, block: bool, indent: int) -> str:
    """A value to put where the old one started (column ``indent``): its later lines are indented to match."""
    if isinstance(value, str):
        return scaffold.yaml_scalar(value)
    if not block or not isinstance(value, (dict, list)):
        return _flow(value)
    nested = lambda v: isinstance(v, dict) or (isinstance(v, list) and any(isinstance(i, (dict, list)) for i in v))  # noqa: E731
    newline = "\n" + " " * indent
    if isinstance(value, list):
        return newline.join("- " + _render(item, True, indent + 2) for item in value)
    return newline.join(f"{k}:\n{' ' * (indent + 2)}{_render(v, True, indent + 2)}" if nested(v)
                        else f"{k}: {_render(v, False, indent)}" for k, v in value.items())


def _end(node: yaml.Node) -> int:
    """Where a value ends in the text: a block collection ends with its last item, not at the next key
    (which would swallow the comments written above that key)."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style or not node.value:
        return node.end_mark.index
    last = node.value[-1]
    return _end(last[1] if isinstance(node, yaml.MappingNode) else last)


def patched(text: str, changes: dict[str, Any]) -> str:
    """``text`` with the top-level values in ``changes`` replaced (or appended); everything else as it was."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    nodes = {key.value: value for key, value in root.value}
    edits: list[tuple[int, int, str]] = []
    appended = ""
    for name, value in changes.items():
        node = nodes.get(name)
        if node is None:
            block = isinstance(value, dict)
            appended += f"{name}:" + ("\n  " if block else " ") + _render(value, block, 2) + "\n"
            continue
        block = isinstance(node, yaml.CollectionNode) and not node.flow_style
        start, end = node.start_mark.index, _end(node)
        while end > start and text[end - 1] in "\n ":
            end -= 1
        edits.append((start, end, _render(value, block, node.start_mark.column)))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    if appended:
        text = text.rstrip("\n") + "\n" + appended
    return text


def show_correction(project: Project, fix: Correction, apply: bool) -> int:
    shown = ProblemLog(project.data_dir.parent).display_path(fix.path)
    print(f"驿站 {fix.path.stem} 的问题说明：\n  " + fix.problem.replace("\n", "\n  "))
    if not fix.changes:
        print("\n表单里没有可以直接写进文件的改动：请按上面的说明核实后手动修改。")
        return 0
    before = fix.path.read_text(encoding="utf-8")
    after = patched(before, fix.changes)
    loaded = yaml.safe_load(after)
    # Never write what would read back differently from what was asked.
    if any(_plain(loaded.get(k)) != _plain(v) for k, v in fix.changes.items()):
        print(f"\n无法自动改写 {shown}（格式特殊）。请手动修改：", file=sys.stderr)
        for name, value in fix.changes.items():
            print(f"  {name}: {_render(value, False, 0)}", file=sys.stderr)
        return 1
    print()
    print("".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                       shown, shown)), end="")
    for todo in fix.by_hand:
        print(f"还要手动处理：{todo}")
    if not apply:
        print(f"\n以上是建议的改动，还没有写入。核实无误后加上 --apply 写入 {shown}；"
              "实地核实过的话，把 verified 改成核实的日期。")
        return 0
    fix.path.write_text(after, encoding="utf-8", newline="\n")
    try:
        load_catalogue(project)
    except DataError as error:
        own = [p for p in error.problems if p.file == shown]
        if own:
            fix.path.write_text(before, encoding="utf-8", newline="\n")
            print("\n".join(p.format() for p in own), file=sys.stderr)
            print(f"\n改动没有通过校验，{shown} 保持原样（not applied）。", file=sys.stderr)
            return 1
        print(error.report(after="改正后再提交。"), file=sys.stderr)
        return 1
    print(f"\n已写入 {shown}，数据校验通过（data OK）。实地核实过的话，把 verified 改成核实的日期。")
    return 0


# --- the command --------------------------------------------------------------------------------------


def read_issue(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    return Path(source).read_text(encoding="utf-8-sig")


def run(project: Project, args: argparse.Namespace) -> int:
    try:
        body = read_issue(args.issue)
    except (OSError, UnicodeDecodeError) as error:
        print(f"读不了议题文字 {args.issue}：{error}", file=sys.stderr)
        return 2
    try:
        choices = choices_of(project)
    except DataError as error:
        print(error.report(after="先改正词表。"), file=sys.stderr)
        return 1
    form = form_named(args.form + ".yml", choices) if args.form else which_form(body, choices)
    if form is None:
        print("看不出这是哪一个表单的议题（no form found）：正文里应有“### 驿站名称”“### 驿站编号”或“### 标题”"
              "这样的小标题。复制议题的 Markdown 原文，或用 --form 指明。", file=sys.stderr)
        return 2
    answers = Answers(form, read_body(form, body))
    try:
        if form.file == CORRECTION_FORM:
            return show_correction(project, correction(project, answers, choices), args.apply)
        return write_new(project, answers, choices, args)
    except FormProblems as error:
        print(f"议题表单“{form.name}”里有 {len(error.problems)} 处问题，没有写入任何文件：", file=sys.stderr)
        print("\n".join(f"  {p}" for p in error.problems), file=sys.stderr)
        print("可以在议题里请提交的人补充，或者在保存的文字里改正后再运行一次。", file=sys.stderr)
        return 1
