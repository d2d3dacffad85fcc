"""A record type is a registry entry: one added to a copy of the project, with its model and one template and
no other code, is loaded, checked with file, line and field, given a JSON Schema, a page and a search entry.
Also: what the registry says and what the site and the editors' tools do agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import DATA, ROOT, build_site, project_copy, run_cli
from scripts.editors.schemas import vscode_schema_mapping
from scripts.outputs.search_index import indexed_pages
from scripts.records.registry import RECORD_TYPES, field_values, record_type

NOTICE_MODULE = '''"""通知: a throw-away record type, declared in one module."""

from pydantic import Field

from . import spec
from .models import Name, Record, Ref, Text


class Notice(Record):
    title: Name = Field(description="标题。")
    body: Text = Field(description="内容。")
    station: Ref = Field(description="相关驿站（stations 中的 id）。")


RECORD_TYPE = spec.RecordType(
    "notice", Notice, "notices/*.yaml", "record", "通知", collection="notices",
    references=(spec.Reference("station", "station"),), variable="notice",
    pages=(spec.Page("notice.md", "notices/{id}.md"),), search_kind="通知",
)
'''
NOTICE_TEMPLATE = """---
title: {{ notice.title | yaml_str }}
---

# {{ notice.title }}

{{ notice.body }}

[{{ catalogue.stations[notice.station].name }}]({{ link("stations/" ~ (notice.station | token) ~ ".md") }})
"""
NOTICE = """id: water-cut
title: 停水通知
body: 长征街小哥驿站明天停水，饮水请到暖新驿站。
station: xiaoge-01
"""


@pytest.fixture(scope="module")
def notice_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the project with the 通知 type added (module, registry line, template), and data with one."""
    base = tmp_path_factory.mktemp("notice")
    root = project_copy(base)
    (root / "scripts" / "records" / "notice.py").write_text(NOTICE_MODULE, encoding="utf-8")
    registry = root / "scripts" / "records" / "registry.py"
    text = registry.read_text(encoding="utf-8")
    assert "    event.RECORD_TYPE,\n" in text and "from . import event, models\n" in text
    text = text.replace("from . import event, models\n", "from . import event, models, notice\n")
    registry.write_text(text.replace("    event.RECORD_TYPE,\n", "    event.RECORD_TYPE,\n    notice.RECORD_TYPE,\n"),
                        encoding="utf-8")
    (root / "scripts" / "outputs" / "templates" / "notice.md").write_text(NOTICE_TEMPLATE, encoding="utf-8")
    data = base / "data"
    shutil.copytree(DATA, data)
    (data / "notices").mkdir()
    (data / "notices" / "water-cut.yaml").write_text(NOTICE, encoding="utf-8")
    return root, data


def test_a_new_type_is_checked_with_file_line_and_field(notice_project: tuple[Path, Path]) -> None:
    root, data = notice_project
    assert run_cli("--data", data, "validate", root=root).exit_code == 0
    dangling = data / "notices" / "dangling.yaml"
    dangling.write_text("id: dangling\ntitle: 停电\nbody: 明天停电。\nstation: xiaoge-1\n", encoding="utf-8")
    unknown = data / "notices" / "unknown.yaml"
    unknown.write_text(NOTICE.replace("water-cut", "unknown") + "colour: red\n", encoding="utf-8")
    try:
        result = run_cli("--data", data, "validate", root=root)
    finally:
        dangling.unlink()
        unknown.unlink()
    assert result.exit_code == 1
    assert "data/notices/dangling.yaml:4:" in result.output and "字段 station：找不到驿站 xiaoge-1" in result.output
    assert "是不是想写 xiaoge-" in result.output
    assert "data/notices/unknown.yaml:5:" in result.output and "未知字段 colour" in result.output
    assert "Traceback" not in result.output


def test_a_new_type_gets_a_schema_and_a_vscode_mapping(notice_project: tuple[Path, Path], tmp_path: Path) -> None:
    root, data = notice_project
    (root / ".vscode").mkdir(exist_ok=True)
    shutil.copy2(ROOT / ".vscode" / "settings.json", root / ".vscode" / "settings.json")
    assert run_cli("--data", data, "schema", root=root).exit_code == 0
    schema = json.loads((data / "schemas" / "notice.schema.json").read_text(encoding="utf-8"))
    assert set(schema["required"]) == {"id", "title", "body", "station"}
    assert schema["properties"]["title"]["description"] == "标题。"
    mapping = json.loads((root / ".vscode" / "settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    assert mapping["./data/schemas/notice.schema.json"] == ["data/notices/*.yaml"]
    assert (data / "notices" / "water-cut.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schemas/notice.schema.json")


def test_a_new_type_gets_a_page_and_a_search_entry(notice_project: tuple[Path, Path], built_site: Path) -> None:
    root, data = notice_project
    work, site = root.parent / "work", root.parent / "site"
    result = build_site(data, work, site, root=root)
    assert result.exit_code == 0, result.output
    page = (site / "notices" / "water-cut" / "index.html").read_text(encoding="utf-8")
    assert "<h1" in page and "停水通知" in page and 'href="../../stations/xiaoge-01/"' in page
    fields = (site / "fields" / "index.html").read_text(encoding="utf-8")
    assert 'id="notice"' in fields, "the editors' field table has the new type"
    table = BeautifulSoup(fields, "html.parser").select_one("article").get_text(" ")
    assert "data/notices/*.yaml" in table and "相关驿站（stations 中的 id）。" in table and "&#" not in table

    def pages_indexed(site_dir: Path) -> int:
        entry = json.loads((site_dir / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
        return sum(language["page_count"] for language in entry["languages"].values())

    assert pages_indexed(site) == pages_indexed(built_site) + 1


# --- the registry and what is derived from it agree ------------------------------------------------


def test_every_reference_names_a_record_type_and_a_field_of_the_model() -> None:
    names = {kind.name for kind in RECORD_TYPES}
    for kind in RECORD_TYPES:
        for ref in kind.references:
            assert ref.target in names | {"source"}, (kind.name, ref)
            assert ref.target == "source" or record_type(ref.target).collection
            first = ref.field.split(".")[0].removesuffix("[]")
            assert first in kind.model.model_fields, (kind.name, ref.field)
        for used in kind.vocabularies:
            assert used.field.split(".")[0].removesuffix("[]") in kind.model.model_fields


def test_field_values_give_exact_paths() -> None:
    from scripts.records.models import Service

    service = Service.model_validate({
        "id": "s", "name": "n", "kind": "k", "summary": "s", "eligibility": "e", "cost": "c",
        "stations": ["a", "b"], "provider": "p", "verified": "2026-01-01"})
    assert list(field_values(service, "stations[]")) == [(("stations", 0), "a"), (("stations", 1), "b")]
    assert list(field_values(service, "provider")) == [(("provider",), "p")]
    assert list(field_values(service, "phone")) == []


def test_the_checked_in_vscode_mapping_is_the_registrys() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == vscode_schema_mapping()


def test_search_kinds_come_from_the_registry(built_site: Path) -> None:
    kinds = {kind for _, kind in indexed_pages(built_site)}
    assert {kind.search_kind for kind in RECORD_TYPES if kind.search_kind} <= kinds
