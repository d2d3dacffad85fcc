"""Every kind of broken input an editor can produce gets a Chinese message that
names the file, the line and the field, a non-zero exit, and no traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import VALID_STATION, build_site, run_cli

# A valid station; each case below breaks one thing in it. Line numbers matter.
STATION = VALID_STATION + "sample: true\n"
STATION_FILE = "stations/test-station.yaml"

ALIAS_BOMB = """\
id: test-station
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
"""


@dataclass
class Case:
    name: str
    file: str  # under data/
    content: bytes
    line: int
    field: str  # "" when the problem is with the file as a whole
    says: str  # a fragment of the Chinese message or hint


def station(change: Callable[[str], str]) -> bytes:
    return change(STATION).encode("utf-8")


def add(text: str) -> Callable[[str], str]:
    return lambda s: s + text


CASES = [
    Case("missing required field", STATION_FILE, station(lambda s: s.replace("address: 忻州市忻府区测试路1号\n", "")),
         1, "address", "缺少必填字段"),
    Case("wrong type", STATION_FILE, station(lambda s: s.replace("lat: 38.41", "lat: 北纬38度")),
         6, "location.lat", "应为数字"),
    Case("unknown field with suggestion", STATION_FILE, station(lambda s: s.replace("address:", "adress:")),
         4, "adress", "是不是想写 address"),
    Case("duplicate id", "stories/xiaoge-01.yaml",
         "id: xiaoge-01\ntitle: 标题\ndate: 2026-01-01\nsummary: 摘要\nbody: 正文\ncategory: work\n".encode(),
         1, "id", "已被使用"),
    Case("dangling reference", STATION_FILE, station(lambda s: s.replace("xinfu-union", "xinfu-unoin")),
         13, "organisation", "是不是想写 xinfu-union"),
    Case("swapped coordinates", STATION_FILE,
         station(lambda s: s.replace("lat: 38.41", "lat: 112.73").replace("lng: 112.73", "lng: 38.41")),
         5, "location", "写反"),
    Case("point outside the district", STATION_FILE,
         station(lambda s: s.replace("lat: 38.41", "lat: 39.90").replace("lng: 112.73", "lng: 116.40")),
         5, "location", "不在辖区范围内"),
    Case("unknown amenity", STATION_FILE, station(lambda s: s.replace("[rest, water]", "[rest, wter]")),
         12, "amenities[1]", "是不是想写 water"),
    Case("amenity written as its Chinese label", STATION_FILE,
         station(lambda s: s.replace("[rest, water]", "[rest, 充电]")),
         12, "amenities[1]", "是不是想写 charging"),
    Case("invalid date", STATION_FILE, station(lambda s: s.replace("2026-05-01", "2026-02-30")),
         14, "verified", "日期无效"),
    Case("invalid time period", STATION_FILE, station(lambda s: s.replace("08:00-20:00", "8点-20点")),
         11, "hours.weekly[0].periods[0]", "格式不对"),
    Case("tab-indented YAML", STATION_FILE, station(lambda s: s.replace("  lat:", "\tlat:")),
         6, "", "制表符"),
    Case("file that is not UTF-8", STATION_FILE, STATION.encode("gbk"), 2, "", "UTF-8"),
    Case("empty file", STATION_FILE, b"# nothing here yet\n", 1, "", "文件是空的"),
    Case("YAML alias bomb", STATION_FILE, ALIAS_BOMB.encode(), 3, "", "别名"),
    Case("duplicate key", STATION_FILE, station(add("name: 另一个名字\n")), 16, "", "重复"),
    Case("personal mobile number", STATION_FILE, station(add("description: 有事请打站长手机 139-1234-5678\n")),
         16, "description", "手机号码"),
    Case("mobile number not marked as public line", STATION_FILE,
         station(add("phone:\n  number: \"13912345678\"\n")), 17, "phone.number", "public_line"),
    Case("18-digit ID number", STATION_FILE, station(add("description: 负责人身份证 14090219800101123X\n")),
         16, "description", "身份证"),
    Case("raw <script> in a text field", STATION_FILE, station(add("description: 你好<script>alert(1)</script>\n")),
         16, "description", "HTML"),
    Case("javascript: link", STATION_FILE, station(add("description: \"[点这里](javascript:alert(1))\"\n")),
         16, "description", "javascript:"),
    Case("image path with ../", STATION_FILE,
         station(add("images:\n  - src: ../../etc/passwd\n    alt: 照片\n")), 17, "images[0].src", "网站目录之外"),
    Case("image from another host", STATION_FILE,
         station(add("images:\n  - src: https://example.com/a.jpg\n    alt: 照片\n")), 17, "images[0].src", "外部网址"),
    Case("file name differs from id", "stations/wrong-name.yaml", STATION.encode(), 1, "id", "文件名"),
    Case("hours neither 24h nor weekly", STATION_FILE,
         station(lambda s: s.replace("  weekly:\n    - days: [mo, tu, we, th, fr]\n      periods: [\"08:00-20:00\"]\n",
                                     "  note: 看情况\n")), 8, "hours", "open_24h"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_record_is_reported_in_chinese(case: Case, data_copy: Path) -> None:
    target = data_copy / case.file
    target.write_bytes(case.content)

    result = run_cli("--data", data_copy, "validate")

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    shown_file = f"{target.relative_to(data_copy.parent).as_posix()}:{case.line}:"
    matching = [line for line in result.output.splitlines() if shown_file in line or line.endswith(shown_file)]
    assert matching, f"expected a problem at {shown_file}\n{result.output}"
    assert f"第 {case.line} 行" in matching[0], result.output
    if case.field:
        assert f"字段 {case.field}：" in matching[0], result.output
    assert case.says in result.output, result.output
    assert "校验失败" in result.output


def test_all_problems_of_a_run_are_reported_together(data_copy: Path) -> None:
    (data_copy / STATION_FILE).write_text(STATION.replace("[rest, water]", "[rest, wter]"), encoding="utf-8")
    (data_copy / "stations/other.yaml").write_text(
        STATION.replace("test-station", "other").replace("2026-05-01", "2026-13-01"), encoding="utf-8"
    )
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 1
    assert "test-station.yaml:12:" in result.output
    assert "other.yaml:14:" in result.output
    assert "共 2 个问题" in result.output


def test_public_service_mobile_line_is_allowed(data_copy: Path) -> None:
    text = STATION + 'phone:\n  number: "13912345678"\n  public_line: true\n  label: 服务专线\n'
    (data_copy / STATION_FILE).write_text(text, encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 0, result.output


def test_coordinates_copied_from_amap_are_accepted_and_converted(data_copy: Path) -> None:
    # 38.41/112.73 in GCJ-02 is about 570 m from the same numbers in WGS-84, still inside the district.
    text = STATION.replace("  lng: 112.73\n", "  lng: 112.73\n  crs: gcj02\n")
    (data_copy / STATION_FILE).write_text(text, encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 0, result.output


def test_failed_build_leaves_the_previous_site_untouched(built_site: Path, data_copy: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (data_copy / STATION_FILE).write_text(STATION.replace("lat: 38.41", "lat: 112.73"), encoding="utf-8")

    result = build_site(data_copy, tmp_path / "work", site)

    assert result.exit_code == 1
    assert "site/ 保持不变" in result.output
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before


def test_a_broken_record_is_not_also_reported_as_missing_everywhere(data_copy: Path) -> None:
    station = data_copy / "stations" / "xiaoge-01.yaml"
    station.write_text(station.read_text(encoding="utf-8").replace("verified: 2026", "verified: 2026-02-30 #"),
                       encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 1
    assert "日期无效" in result.output
    assert "找不到驿站 xiaoge-01" not in result.output
