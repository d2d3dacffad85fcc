"""Safe by construction, the validator's part: what text may hold, how big the data may be, stories dated
later, where a problem inside a long text is, and suggestions for vocabulary keys. Every rejection is a
Chinese message with the file, the line and the field, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from conftest import DATA, TODAY, CliResult, build_site, run_cli
from scripts.pipeline import limits
from scripts.pipeline.build import check_file
from scripts.pipeline.problems import ProblemLog
from scripts.pipeline.resolve import Catalogue
from scripts.pipeline.yamlfile import load_yaml_file
from scripts.records.models import Story
from scripts.records.registry import RECORD_TYPES

ROOT = DATA.parent
STATION = """\
id: test-station
name: 测试驿站
type: xiaoge
address: 忻州市忻府区测试路1号
location:
  lat: 38.41
  lng: 112.73
hours:
  open_24h: true
amenities: [rest, water]
organisation: xinfu-union
verified: 2026-05-01
"""
STORY = """\
id: test-story
title: 测试动态
date: 2026-05-01
summary: 摘要。
category: work
body: |
  第一段。

  第三行，没问题。
  有事请打站长手机 139-1234-5678。
  最后一行。
"""


def problems_at(result: CliResult, file: str) -> list[str]:
    """The problem lines of ``file`` (as shown: data/…) in the output."""
    return [line for line in result.output.splitlines() if line.startswith(f"{file}:")]


def assert_reported(result: CliResult, file: str, line: int, field: str, says: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output, result.output
    matching = [p for p in problems_at(result, file) if p.startswith(f"{file}:{line}:") and says in p]
    assert matching, f"expected {says!r} at {file}:{line}\n{result.output}"
    assert f"第 {line} 行" in matching[0]
    if field:
        assert f" 字段 {field}：" in matching[0], matching[0]
    return matching[0]


# --- what text may hold -------------------------------------------------------------------------------

def text_problems(tmp_path: Path, description: str) -> list[str]:
    """Validate one station whose description is ``description`` (in process: quick for long tables)."""
    (tmp_path / "stations").mkdir(exist_ok=True)
    path = tmp_path / "stations" / "test-station.yaml"
    # JSON is YAML: every character, visible or not, arrives in the value exactly.
    path.write_text(STATION + f"description: {json.dumps(description)}\n", encoding="utf-8")
    log = ProblemLog(tmp_path)
    kind = next(k for k in RECORD_TYPES if k.name == "station")
    check_file(kind, path, ROOT / "docs", log)
    return [f"{p.line} {p.field}：{p.message}" for p in log]


SCRIPT_LINKS = [
    "[点这里](javascript:alert(1))",
    "[点这里](java&#115;cript:alert(1))",
    "[点这里](javascript&colon;alert(1))",
    "[点这里](JaVaScRiPt:alert(1))",
    "[点这里](java\tscript:alert(1))",
    "[点这里](java\u200bscript:alert(1))",
    "[点这里](java\u200cscript:alert(1))",
    "[点这里](java\u200dscript:alert(1))",
    "[点这里](java\u2060script:alert(1))",
    "[点这里](java\ufeffscript:alert(1))",
    "[点这里](ｊａｖａｓｃｒｉｐｔ：alert(1))",
    "[点这里](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[点这里](&#x6A;avascript:alert(1))",
    "[点这里](&amp;#106;avascript:alert(1))",  # decoded twice
    "[点这里](＆#106;avascript:alert(1))",  # a full-width ampersand
    "[点这里](java\nscript:alert(1))",
    "<javascript:alert(1)>",
    "[点这里](vbscript:msgbox(1))",
    "[点这里](livescript:alert(1))",
    "[点这里]( javascript :alert(1))",
]
DATA_URLS = [
    "[点这里](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![驿站](data:image/svg+xml,<svg onload=alert(1)>)",
    "[点这里](data:,hello)",
    "[点这里](ＤＡＴＡ：text/html,x)",
]
ENCODED_TAGS = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "＜script＞alert(1)＜/script＞",
    "&lt;img src=x onerror=alert(1)&gt;",
    "&amp;lt;iframe src=x&amp;gt;",
]
INNOCENT = [
    "时间：data: 2026 年",
    "java 课程，每周三晚上。",
    "开放时间：每天 8:00-20:00；地址：光明街 8 号；电话：0350-3031234。",
    "数据（data）：每日更新。",
    "价格＜100 元，＞50 元的另算。",
    "＜Ａ类＞驿站，＜优秀＞称号。",
    "scriptwriter: 张三",
    "**加粗**，[区政府](https://www.example.gov.cn/)，[值班电话](tel:03503031234)，[写信](mailto:a@example.cn)。",
    "Tab\t分隔\t也可以。",
]


@pytest.mark.parametrize("text", SCRIPT_LINKS, ids=[repr(t)[1:30] for t in SCRIPT_LINKS])
def test_script_links_are_refused_however_they_are_spelled(tmp_path: Path, text: str) -> None:
    problems = text_problems(tmp_path, f"介绍。{text}")
    assert any("description：不能包含 javascript: 等脚本链接（script link）。" in p for p in problems), problems


@pytest.mark.parametrize("text", DATA_URLS, ids=[t[:30] for t in DATA_URLS])
def test_data_urls_are_refused(tmp_path: Path, text: str) -> None:
    problems = text_problems(tmp_path, f"介绍。{text}")
    assert any("description：不能用 data: 网址嵌入内容（data: URL）。" in p for p in problems), problems


@pytest.mark.parametrize("text", ENCODED_TAGS, ids=[t[:20] for t in ENCODED_TAGS])
def test_html_tags_written_with_references_or_full_width_brackets_are_refused(tmp_path: Path, text: str) -> None:
    problems = text_problems(tmp_path, f"介绍。{text}")
    assert any(re.search(r"description：不能包含 HTML 标签 <!?/?[a-z]+.*（encoded HTML is not allowed）。", p)
               for p in problems), problems


@pytest.mark.parametrize("text", INNOCENT, ids=[t[:12] for t in INNOCENT])
def test_ordinary_text_is_not_refused(tmp_path: Path, text: str) -> None:
    assert text_problems(tmp_path, text) == []


@pytest.mark.parametrize(("character", "kind"), [
    ("\x01", "控制字符 U+0001"), ("\x1b", "控制字符 U+001B"), ("\x7f", "控制字符 U+007F"), ("\x9b", "控制字符 U+009B"),
    ("\u202e", "文字方向控制字符 U+202E"), ("\u202a", "文字方向控制字符 U+202A"), ("\u2066", "文字方向控制字符 U+2066"),
    ("\u2069", "文字方向控制字符 U+2069"),
])
def test_control_characters_are_refused_with_their_code(tmp_path: Path, character: str, kind: str) -> None:
    problems = text_problems(tmp_path, f"营业时间{character}见门口公告。")
    assert problems == [f"13 description：含有看不见的{kind}（control character）。"]


def test_a_disguised_script_link_says_what_it_decodes_to(data_copy: Path) -> None:
    path = data_copy / "stations" / "test-station.yaml"
    path.write_text(STATION + 'description: "[点这里](java&#115;cript:alert(1))"\n', encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert_reported(result, "data/stations/test-station.yaml", 13, "description", "脚本链接")
    assert "还原后是 javascript:" in result.output


# --- where a problem inside a long text is -------------------------------------------------------------

def test_a_problem_in_a_block_is_reported_at_its_own_line(data_copy: Path) -> None:
    (data_copy / "stories" / "test-story.yaml").write_text(STORY, encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    # body: | is line 6; the mobile number is on the block's 4th line, line 10, after 11 characters.
    problem = assert_reported(result, "data/stories/test-story.yaml", 10, "body", "包含手机号码")
    assert problem.startswith("data/stories/test-story.yaml:10:12: ")


@pytest.mark.parametrize(("style", "value", "line"), [
    # description: is line 12
    ("literal", "|\n  一\n  二\n  [x](javascript:alert(1))\n  四\n", 15),
    ("literal, keep", "|+\n  一\n\n\n  [x](javascript:alert(1))\n", 16),
    ("folded", ">\n  一\n  二\n  [x](javascript:alert(1))\n  四\n", 15),
    ("plain over lines", "一\n  二\n  [x](javascript:alert(1))\n  四\n", 14),
    ("double-quoted over lines", '"一\n  二 [x](javascript:alert(1))\n  四"\n', 13),
    ("split over lines", ">\n  一\n  [x](java\n  script:alert(1))\n", 15),  # where all of it has appeared
])
def test_every_kind_of_multi_line_text_points_at_the_line(tmp_path: Path, style: str, value: str, line: int) -> None:
    (tmp_path / "stations").mkdir()
    path = tmp_path / "stations" / "test-station.yaml"
    path.write_text(STATION.replace("hours:\n  open_24h: true\n", "") + "hours: {open_24h: true}\ndescription: "
                    + value, encoding="utf-8")
    log = ProblemLog(tmp_path)
    check_file(next(k for k in RECORD_TYPES if k.name == "station"), path, ROOT / "docs", log)
    assert [(p.line, p.field, p.message) for p in log] == \
        [(line, "description", "不能包含 javascript: 等脚本链接（script link）。")], style


# --- how big the data may be --------------------------------------------------------------------------

def test_nesting_a_thousand_deep_is_refused_without_a_traceback(data_copy: Path) -> None:
    path = data_copy / "stations" / "test-station.yaml"
    path.write_text(STATION + "note: " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    problem = assert_reported(result, "data/stations/test-station.yaml", 13, "", "嵌套超过 20 层（nesting too deep）")
    assert problem.startswith("data/stations/test-station.yaml:13:26: ")  # the 20th "[": the record is level 1

    path.write_text(STATION + "note:\n  " + "- " * 1000 + "x\n", encoding="utf-8")  # block lists, one line
    result = run_cli("--data", data_copy, "validate")
    assert_reported(result, "data/stations/test-station.yaml", 14, "", "嵌套超过 20 层")


def test_a_five_thousand_digit_number_is_refused_without_a_traceback(data_copy: Path) -> None:
    """Python will not turn a number of more than 4,300 digits into an int: the loader says so first."""
    path = data_copy / "stations" / "test-station.yaml"
    path.write_text(STATION + "note: " + "3" * 5000 + "\n", encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    problem = assert_reported(result, "data/stations/test-station.yaml", 13, "", "数字太长：5,000 位")
    assert problem.startswith("data/stations/test-station.yaml:13:7: ")


def test_a_twenty_megabyte_description_is_refused_before_it_is_read(data_copy: Path) -> None:
    path = data_copy / "stations" / "test-station.yaml"
    path.write_text(STATION + "description: " + "很长的介绍。" * 1_200_000 + "\n", encoding="utf-8")
    assert path.stat().st_size > 20 * 1024 * 1024
    result = run_cli("--data", data_copy, "validate")
    problem = assert_reported(result, "data/stations/test-station.yaml", 1, "", "文件太大")
    assert "文件太大：20.6 MB，上限是 256 KB（file too large）。" in problem


def test_text_fields_have_lengths_with_the_field_the_limit_and_the_length(data_copy: Path) -> None:
    (data_copy / "stories" / "test-story.yaml").write_text(
        STORY.replace("title: 测试动态", "title: " + "标" * 101)
        .replace("summary: 摘要。", "summary: " + "摘" * 501)
        .replace("  最后一行。\n", "  " + "正" * 20_001 + "\n"), encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    file = "data/stories/test-story.yaml"
    assert_reported(result, file, 2, "title", "文字太长：101 个字符，最多 100 个（text too long: 101 > 100）。")
    assert_reported(result, file, 4, "summary", "文字太长：501 个字符，最多 500 个（text too long: 501 > 500）。")
    assert_reported(result, file, 6, "body", "最多 20,000 个（text too long:")
    assert "修改建议：名称和标题要简短" in result.output


def test_limits_are_in_the_json_schema() -> None:
    station = json.loads((DATA / "schemas" / "station.schema.json").read_text(encoding="utf-8"))
    assert station["properties"]["name"]["maxLength"] == limits.MAX_NAME_CHARS
    assert station["properties"]["address"]["maxLength"] == limits.MAX_TEXT_CHARS
    story = json.loads((DATA / "schemas" / "story.schema.json").read_text(encoding="utf-8"))
    assert story["properties"]["body"]["maxLength"] == limits.MAX_MARKDOWN_CHARS


# --- vocabulary keys ----------------------------------------------------------------------------------

def test_shipped_vocabulary_keys_follow_the_pattern() -> None:
    vocabularies = load_yaml_file(DATA / "vocabularies.yaml").data
    keys = [key for group in vocabularies.values() for key in group]
    assert keys and all(re.fullmatch(r"[a-z][a-z0-9_]*", key) for key in keys), keys


def test_a_vocabulary_key_with_capitals_or_hyphens_is_refused_at_its_line(data_copy: Path) -> None:
    path = data_copy / "vocabularies.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index("  first_aid:") + 1
    path.write_text(text.replace("  first_aid:", "  First-Aid:"), encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert_reported(result, "data/vocabularies.yaml", line, "amenities.First-Aid",
                    "词表的键 First-Aid 格式不对（invalid vocabulary key）。")

    schema = json.loads((DATA / "schemas" / "vocabularies.schema.json").read_text(encoding="utf-8"))
    assert not jsonschema.Draft202012Validator(schema).is_valid(load_yaml_file(path).data)


@pytest.mark.parametrize(("written", "meant"), [
    ("chongdian", "charging（充电）"),  # data/synonyms.yaml: [充电, 冲电, 充电桩, chongdian]
    ("冲电", "charging（充电）"),  # a typo listed there
    ("厕所", "toilet（卫生间）"),  # the entry's own synonyms
    ("cesuo", "toilet（卫生间）"),
    ("饮水", "water（饮水）"),  # the label
    ("wter", "water（饮水）"),  # no meaning: the nearest spelling
])
def test_unknown_vocabulary_keys_are_answered_with_what_they_mean(data_copy: Path, written: str, meant: str) -> None:
    path = data_copy / "stations" / "test-station.yaml"
    path.write_text(STATION.replace("[rest, water]", f"[rest, {written}]"), encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert_reported(result, "data/stations/test-station.yaml", 10, "amenities[1]", f"未知的设施 {written}")
    assert f"修改建议：是不是想写 {meant}？" in result.output


# --- dates --------------------------------------------------------------------------------------------

def test_a_future_verified_date_is_an_error(data_copy: Path) -> None:
    path = data_copy / "stations" / "test-station.yaml"
    path.write_text(STATION.replace("verified: 2026-05-01", "verified: 2030-01-01"), encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert_reported(result, "data/stations/test-station.yaml", 12, "verified",
                    f"核实日期不能晚于今天：写的是 2030-01-01，今天是 {TODAY}（date in the future）。")


def test_a_story_dated_later_is_held_back_until_its_date(data_copy: Path, tmp_path: Path) -> None:
    later = STORY.replace("date: 2026-05-01", "date: 2030-01-01").replace("  有事请打站长手机 139-1234-5678。\n", "")
    later = later.replace("title: 测试动态", "title: 定时发布的动态")
    (data_copy / "stories" / "test-story.yaml").write_text(later, encoding="utf-8")
    note = (f"说明：data/stories/test-story.yaml：定于 2030-01-01 发布，今天（{TODAY}）的构建不包含它"
            "（scheduled, held back）。到那天的构建会自动发布它。")

    validated = run_cli("--data", data_copy, "validate")
    assert validated.exit_code == 0, validated.output
    assert note in validated.output

    result = build_site(data_copy, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert note in result.output
    site = tmp_path / "site"
    assert not (site / "stories" / "test-story").exists()
    every_page = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "定时发布的动态" not in every_page and "test-story" not in every_page
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "test-story" not in feed
    today = dt.date.fromisoformat(TODAY)
    for stamp in re.findall(r"<updated>(\d{4}-\d{2}-\d{2})", feed):
        assert dt.date.fromisoformat(stamp) <= today, feed
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    lastmods = re.findall(r"<lastmod>(\d{4}-\d{2}-\d{2})</lastmod>", sitemap)
    assert lastmods and all(dt.date.fromisoformat(d) <= today for d in lastmods), sitemap
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "2030" not in home.get_text()

    # On its date, the same data publishes it.
    (data_copy / "stories" / "test-story.yaml").write_text(later.replace("2030-01-01", TODAY), encoding="utf-8")
    result = build_site(data_copy, tmp_path / "work", site)
    assert result.exit_code == 0 and "held back" not in result.output, result.output
    assert (site / "stories" / "test-story" / "index.html").is_file()


def test_the_build_date_is_never_later_than_today() -> None:
    """Even a record that got past the checks cannot move the sitemap's and the feed's dates past today."""
    story = Story.model_validate({"id": "x", "title": "标题", "date": "2030-01-01", "summary": "摘要",
                                  "body": "正文", "category": "work"})
    today = dt.date.fromisoformat(TODAY)
    catalogue = Catalogue(settings=None, vocabularies=None, records={"stories": {"x": story}}, today=today)  # type: ignore[arg-type]
    assert catalogue.latest_date() == today
    catalogue.stories["x"] = story.model_copy(update={"date": dt.date(2026, 1, 2)})
    assert catalogue.latest_date() == dt.date(2026, 1, 2)
