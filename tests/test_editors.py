"""Editors' tools: scaffolds, schema lines and editor settings, and a guide that cannot drift from the code."""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import subprocess
import sys
import typing
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from pydantic import BaseModel

from conftest import DATA, ROOT, TODAY, CliResult, build_site, run_cli
from scripts.editors.scaffold import SCAFFOLDS
from scripts.editors.schemas import SCHEMA_COMMENT, schema_comment
from scripts.pipeline.build import Project
from scripts.pipeline.load import data_files
from scripts.pipeline.yamlfile import load_yaml_file
from scripts.records.models import Station
from scripts.records.registry import RECORD_TYPES, record_type

GUIDE = ROOT / "docs" / "editors.md"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"


def new(data_dir: Path, *args: str, stdin: int | None = subprocess.DEVNULL) -> CliResult:
    """``python -m scripts new …`` with no terminal attached, as in CI or a script."""
    completed = subprocess.run(
        [sys.executable, "-m", "scripts", "--data", str(data_dir), "new", *args],
        cwd=ROOT, env={**os.environ, "SITE_TODAY": TODAY}, stdin=stdin, capture_output=True, text=True, timeout=120,
    )
    return CliResult(completed.returncode, completed.stdout + completed.stderr)


def example_args(kind: str) -> list[str]:
    """The scaffold's own example (shown to editors when options are missing), minus ``python -m scripts new``."""
    words = shlex.split(SCAFFOLDS[kind].example)
    assert words[:4] == ["python", "-m", "scripts", "new"]
    return words[4:]


def written_file(result: CliResult, data_dir: Path) -> Path:
    match = re.search(r"(data/\S+\.yaml)（id ", result.output)
    assert match, result.output
    return data_dir.parent / match.group(1)


# --- scaffolds ---------------------------------------------------------------------------------


def test_scaffolds_write_records_that_validate_and_build(data_copy: Path, tmp_path: Path) -> None:
    written = {}
    for kind in SCAFFOLDS:
        result = new(data_copy, *example_args(kind))
        assert result.exit_code == 0, result.output
        assert "数据校验通过" in result.output
        written[kind] = written_file(result, data_copy)

    schemas = {k.name: json.loads((data_copy / "schemas" / f"{k.name}.schema.json").read_text("utf-8"))
               for k in RECORD_TYPES}
    for kind, path in written.items():
        text = path.read_text(encoding="utf-8")
        assert text.startswith(SCHEMA_COMMENT), path
        assert "\n# " in text, "the record explains its fields in comments"
        validator = jsonschema.Draft202012Validator(schemas[kind])
        errors = [e.message for e in validator.iter_errors(load_yaml_file(path).data)]
        assert errors == [], path

    result = build_site(data_copy, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    for kind, path in written.items():
        page_path = record_type(kind).page_paths(path.stem)[0]
        page = tmp_path / "site" / page_path.removesuffix(".md") / "index.html"
        heading = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").h1
        args = example_args(kind)
        title = args[args.index("--title" if "--title" in args else "--name") + 1]
        assert heading is not None and title in heading.get_text(), page


def test_running_a_scaffold_twice_gives_distinct_ids(data_copy: Path) -> None:
    for kind in SCAFFOLDS:
        first, second = new(data_copy, *example_args(kind)), new(data_copy, *example_args(kind))
        assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
        one, two = written_file(first, data_copy), written_file(second, data_copy)
        assert one.stem != two.stem and one.is_file() and two.is_file()
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", two.stem), two.stem  # ASCII, usable in a URL
    assert run_cli("--data", data_copy, "validate").exit_code == 0


def test_station_ids_count_up_from_the_highest_of_their_type(data_copy: Path) -> None:
    highest = max(int(p.stem.split("-")[1]) for p in (data_copy / "stations").glob("xiaoge-*.yaml"))
    result = new(data_copy, *example_args("station"))
    assert written_file(result, data_copy).stem == f"xiaoge-{highest + 1:02d}"


def test_missing_options_without_a_terminal_fail_at_once(data_copy: Path) -> None:
    before = sorted((data_copy / "stations").iterdir())
    result = new(data_copy, "station", "--name", "光明街小哥驿站")
    assert result.exit_code == 2, result.output
    assert "缺少选项" in result.output and "--lat" in result.output and "--amenities" in result.output
    assert "--crs" in result.output, "which map the coordinates came from is asked, never assumed"
    assert "Traceback" not in result.output
    assert sorted((data_copy / "stations").iterdir()) == before


@pytest.mark.parametrize(("change", "says"), [
    ({"--lat": "112.7336", "--lng": "38.4165"}, "写反"),  # the validator's own hint
    ({"--amenities": "rest,wter"}, "是不是想写 water"),
    ({"--hours": "8点到20点"}, "时段格式不对"),
    ({"--organisation": "xinfu-unoin"}, "是不是想写 xinfu-union"),
    ({"--id": "xiaoge-01"}, "已被使用"),
    ({"--id": "光明街"}, "不能用作编号"),
])
def test_a_wrong_option_is_explained_and_nothing_is_left_behind(data_copy: Path, change: dict, says: str) -> None:
    args = example_args("station")
    for option, value in change.items():
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    before = sorted((data_copy / "stations").iterdir())
    result = new(data_copy, *args)
    assert result.exit_code in (1, 2), result.output
    assert says in result.output and "Traceback" not in result.output
    assert sorted((data_copy / "stations").iterdir()) == before


@pytest.mark.parametrize(("source", "crs"), [("高德", "gcj02"), ("腾讯地图", "gcj02"), ("百度地图", "bd09"),
                                           ("GPS", "wgs84"), ("天地图", "wgs84"), ("gcj02", "gcj02")])
def test_the_map_the_coordinates_came_from_sets_their_system(data_copy: Path, source: str, crs: str) -> None:
    args = example_args("station")
    args[args.index("--crs") + 1] = source
    result = new(data_copy, *args)
    assert result.exit_code == 0, result.output
    record = load_yaml_file(written_file(result, data_copy)).data
    assert record["location"]["crs"] == crs


def test_an_unknown_map_is_refused_with_the_choices(data_copy: Path) -> None:
    args = example_args("station")
    args[args.index("--crs") + 1] = "谷歌地图"
    result = new(data_copy, *args)
    assert result.exit_code == 2, result.output
    assert "没有 谷歌地图 这一项" in result.output and "高德地图" in result.output, result.output


def test_a_person_at_a_terminal_is_asked_for_what_is_missing(data_copy: Path) -> None:
    """At a TTY a missing option becomes a question; a wrong answer is explained and asked again."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts", "--data", str(data_copy), "new", "story",
             "--title", "驿站义诊", "--summary", "社区医生为骑手量血压。"],
            cwd=ROOT, env={**os.environ, "SITE_TODAY": TODAY}, stdin=terminal,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        os.write(controller, "volunter\n志愿服务\n".encode())  # a typo, then the Chinese label
        output, _ = process.communicate(timeout=120)
    finally:
        os.close(controller)
        os.close(terminal)
    assert process.returncode == 0, output
    assert "是不是想写 volunteer" in output
    story = (data_copy / "stories" / f"{TODAY}.yaml").read_text(encoding="utf-8")
    assert "category: volunteer\n" in story and "title: 驿站义诊\n" in story


# --- schema lines and editor settings ------------------------------------------------------------


@pytest.mark.parametrize("kind", RECORD_TYPES, ids=[k.name for k in RECORD_TYPES])
def test_every_data_file_names_its_schema_on_the_first_line(kind) -> None:
    project = Project()
    for path in data_files(DATA, kind):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == schema_comment(project, kind, path), f"{path}: run `make schema`"
        assert (path.parent / first.removeprefix(SCHEMA_COMMENT)).resolve().is_file(), path


def test_vscode_maps_every_data_folder_to_its_schema() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    expected = {f"./data/schemas/{k.name}.schema.json": [f"data/{k.pattern}"] for k in RECORD_TYPES}
    assert settings["yaml.schemas"] == expected
    for schema in expected:
        assert (ROOT / schema).is_file(), schema


def test_schema_command_adds_the_line_to_a_file_without_it(data_copy: Path) -> None:
    station = data_copy / "stations" / "xiaoge-01.yaml"
    original = station.read_text(encoding="utf-8")
    station.write_text(original.split("\n", 1)[1], encoding="utf-8")  # as if written by hand

    result = run_cli("--data", data_copy, "schema")
    assert result.exit_code == 0, result.output
    assert station.read_text(encoding="utf-8") == original
    assert "xiaoge-01.yaml" in result.output

    again = run_cli("--data", data_copy, "schema")
    assert "xiaoge-01.yaml" not in again.output, "a second run changes no data file"
    assert run_cli("--data", data_copy, "validate").exit_code == 0  # the line is only a YAML comment


# --- the guide cannot drift --------------------------------------------------------------------


def _models_in(annotation: object) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def field_names(model: type[BaseModel]) -> set[str]:
    """Every field of the model and of the records nested in it (location.lat, hours.weekly.days …)."""
    names = set()
    for name, info in model.model_fields.items():
        names.add(name)
        for inner in _models_in(info.annotation):
            names |= field_names(inner)
    return names


def test_guide_explains_every_station_field() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    missing = sorted(name for name in field_names(Station) if not re.search(rf"`{name}(?!\w)", guide))
    assert missing == [], f"docs/editors.md does not mention these station fields: {missing}"


def cli_commands() -> list[str]:
    """Every command of the real command line, read from its own --help."""
    help_text = run_cli("--help").output
    commands = re.search(r"\{([a-z,-]+)\}", help_text).group(1).split(",")
    assert "validate" in commands and "new" in commands, help_text
    return [c for c in commands if c != "new"] + [f"new {kind}" for kind in SCAFFOLDS]


@pytest.mark.parametrize("document", [GUIDE, CONTRIBUTING], ids=lambda p: p.name)
def test_documents_name_every_command(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    missing = [c for c in cli_commands() if f"python -m scripts {c}" not in text]
    assert missing == [], f"{document.name} does not mention: {missing}"


# The guide quotes the validator's real output; each case here makes that output again.
GUIDE_STATION = """\
id: {id}
name: 测试驿站
type: xiaoge
address: 忻州市忻府区测试路1号
location:
  lat: 38.40742
  lng: 112.72772
hours:
  weekly:
    - days: [mo, tu, we, th, fr]
      periods: ["07:00-22:00"]
amenities: [rest, water, repair, toilet, umbrella]
organisation: xinfu-union
description: 测试。
verified: 2026-05-01
"""
GUIDE_ERRORS = [
    ("toilet,", "tolet,"),
    ("  lat: 38.40742\n  lng: 112.72772", "  lat: 112.72772\n  lng: 38.40742"),
    ('"07:00-22:00"', '"7:00-22:00"'),
    ("verified: 2026-05-01", "verified: 2026-02-30"),
    ("verified:", "alerts:\n  - text: 装修暂停开放\n    start: 2027-01-20\n    end: 2027-01-10\nverified:"),
    ("  lat:", "\tlat:"),
    ("description: 测试。", "description: 注意: 周日不开放"),
    ("name: 测试驿站\n", "name: 测试驿站\nname: 重复的名字\n"),
    ("address: 忻州市忻府区测试路1号\n", ""),
    ("type: xiaoge\n", "type: xiaoge\nstatus: closed-temporarily\n"),
    ("organisation: xinfu-union", "organisation: xinfu-unoin"),
    ("description: 测试。", "description: 有事请打站长手机 13912345678"),
    ("description: 测试。", "description: 欢迎<b>骑手</b>来歇脚"),
    ("[rest, water,", "[rest，water,"),
    # 安全 (docs/editors.md#safety)
    ("description: 测试。", 'description: "[点这里](java&#115;cript:alert(1))"'),
    ("description: 测试。", 'description: "测试\\u202e。"'),
    ("name: 测试驿站\n", "name: " + "很长的名字" * 25 + "\n"),
    ("verified: 2026-05-01", "verified: 2027-03-01"),
]
PROBLEM = re.compile(r"^(?P<file>\S+):\d+:\d+: 第 \d+ 行(?: 字段 \S+?)?：(?P<message>.*)$")


def loose(text: str) -> re.Pattern[str]:
    """Numbers (lines, coordinates, dates, ids) may differ between the guide's example and this test."""
    return re.compile(re.sub(r"\d+", r"\\d+", re.escape(text)))


def test_guide_quotes_the_validators_real_messages(data_copy: Path) -> None:
    for number, (old, new_text) in enumerate(GUIDE_ERRORS, start=1):
        text = GUIDE_STATION.format(id=f"guide-{number}")
        assert old in text
        (data_copy / "stations" / f"guide-{number}.yaml").write_text(text.replace(old, new_text, 1), "utf-8")
    # A copied file whose id was not changed.
    (data_copy / "stations" / "xiaoge-99.yaml").write_text(GUIDE_STATION.format(id="xiaoge-01"), "utf-8")

    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 1

    guide = GUIDE.read_text(encoding="utf-8")
    lines = result.output.splitlines()
    reported, missing = set(), []
    for index, line in enumerate(lines):
        match = PROBLEM.match(line)
        if not match or not re.search(r"/(guide-\d+|xiaoge-99)\.yaml$", match.group("file")):
            continue
        reported.add(match.group("file"))
        quoted = [match.group("message")]
        if index + 1 < len(lines) and lines[index + 1].startswith("    修改建议："):
            quoted.append(lines[index + 1].split("可选：")[0])  # the vocabulary list may grow
        missing += [q for q in quoted if not loose(q).search(guide)]
    assert len(reported) == len(GUIDE_ERRORS) + 1, result.output
    assert missing == [], "docs/editors.md should quote these messages as the validator prints them now:\n" + \
        "\n".join(missing)


# --- when a record last changed --------------------------------------------------------------


def test_station_pages_show_when_their_record_was_last_verified(built_site: Path) -> None:
    """The data's changelog is each record's `verified` date, not git history: the same commit builds the same."""
    station = next(k for k in RECORD_TYPES if k.name == "station")
    for path in data_files(DATA, station):
        verified = load_yaml_file(path).data["verified"]
        page = BeautifulSoup((built_site / "stations" / path.stem / "index.html").read_text("utf-8"), "html.parser")
        assert page.find("time", attrs={"datetime": verified}), path


@pytest.mark.parametrize("kind", sorted(SCAFFOLDS))
def test_help_shows_defaults_in_words_not_placeholders(kind: str) -> None:
    """`new story --help` said （默认：{today}）: a default that is filled in later is named in words."""
    output = run_cli("new", kind, "--help").output
    assert "{" not in output and "}" not in output, output


def test_outside_the_projects_python_the_command_says_what_to_do() -> None:
    """`python -m scripts` run by a Python without the project's packages (outside .venv): a Chinese hint, no traceback.
    The test hides mkdocs from this interpreter, as a system Python without it would."""
    code = (
        "import runpy, sys\n"
        "class HideMkdocs:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'mkdocs':\n"
        "            raise ModuleNotFoundError(f\"No module named '{name}'\", name=name)\n"
        "sys.meta_path.insert(0, HideMkdocs())\n"
        "sys.argv = ['scripts', 'validate']\n"
        "runpy.run_module('scripts', run_name='__main__', alter_sys=True)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "缺少运行所需的软件包 mkdocs" in result.stderr and "make setup" in result.stderr
    assert "-m scripts validate" in result.stderr and "Traceback" not in result.stderr
