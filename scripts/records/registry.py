"""The record types: one entry per kind of record, saying in one place everything the pipeline knows about it.

Loading (``pipeline/load.py``), the one cross-record checker (``pipeline/resolve.py``), the JSON Schemas and
the VS Code mapping (``editors/schemas.py``), the scaffolds (``editors/scaffold.py``), the record pages and
listings (``outputs/render.py``), the search kinds (``outputs/search_index.py``) and the editors' field tables
(``outputs/templates/fields.md``) all read this registry. A new kind of record is its module in this package
(the model, and whatever it alone needs), one entry in ``RECORD_TYPES``, its templates and its data.
What each part of an entry means is in ``spec.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import event, models
from .answers import parse_date, parse_hours, parse_number
from .spec import FieldPath, Listing, Page, Question, RecordType, Reference, Scaffold, VocabularyField

__all__ = ["RECORD_TYPES", "RecordType", "field_values", "record_type", "replace_field"]

RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("site", models.SiteSettings, "site.yaml", "single", "网站设置",
               references=(Reference("volunteer_contact", "organisations"),)),
    RecordType("vocabularies", models.Vocabularies, "vocabularies.yaml", "single", "词表"),
    RecordType("organisations", models.Organisation, "organisations.yaml", "list", "单位",
               collection="organisations"),
    RecordType(
        "station", models.Station, "stations/*.yaml", "record", "驿站", collection="stations",
        references=(Reference("organisation", "organisations"),),
        vocabularies=(VocabularyField("type", "station_types", "驿站类型"),
                      VocabularyField("amenities[]", "amenities", "设施")),
        locations=("location",), not_after_today=("verified",),
        rules=(models.closure_has_a_reason, models.photos_are_photos), variable="station",
        # The poster is a standalone document, not a theme page: it prints on one A4 sheet.
        pages=(Page("station.html", "stations/{id}.md"), Page("poster.html", "stations/{id}/poster/index.html")),
        search_kind="驿站",
        scaffold=Scaffold(
            (
                Question("name", "驿站名称，如 光明街小哥驿站"),
                Question("type", "驿站类型", choices="station_types"),
                Question("address", "详细地址"),
                Question("lat", "纬度 lat（北纬，如 38.4165）", parse=parse_number),
                Question("lng", "经度 lng（东经，如 112.7336）", parse=parse_number),
                # No default: 高德 and 腾讯 coordinates stored as GPS ones would put the station ~500 m off.
                Question("crs", "坐标是从哪里取得的：高德、腾讯、百度、天地图，还是 GPS 定位", choices="crs"),
                Question("hours", "每天的开放时段，如 08:00-20:00（多段用逗号隔开；全天开放写 24h）",
                         parse=parse_hours),
                Question("amenities", "设施（可多选，用逗号隔开）", choices="amenities", many=True),
                Question("organisation", "运营单位", choices="organisations"),
            ),
            id_stem=lambda v: v["type"], numbered=True,
            example="python -m scripts new station --name 光明街小哥驿站 --type xiaoge --address 忻州市忻府区光明街8号 "
                    "--lat 38.4165 --lng 112.7336 --crs 高德 --hours 08:00-20:00 --amenities rest,water,charging "
                    "--organisation xinfu-union",
        ),
    ),
    RecordType(
        "service", models.Service, "services/*.yaml", "record", "服务", collection="services",
        references=(Reference("stations[]", "station"), Reference("provider", "organisations")),
        vocabularies=(VocabularyField("kind", "service_kinds", "服务类别"),),
        not_after_today=("verified",), variable="service",
        pages=(Page("service.md", "services/{id}.md"),),
        listing=Listing("services_index.md", "services/index.md"),
        search_kind="服务",
        scaffold=Scaffold(
            (
                Question("name", "服务名称"),
                Question("kind", "服务类别", choices="service_kinds"),
                Question("summary", "一句话介绍"),
                Question("stations", "在哪些驿站或中心提供（可多选，用逗号隔开）", choices="station", many=True),
                Question("provider", "提供单位", choices="organisations"),
                Question("eligibility", "谁可以使用", default="在{district}工作的新就业群体。"),
                Question("cost", "费用", default="免费"),
            ),
            id_stem=lambda v: v["kind"], numbered=False,
            example="python -m scripts new service --name 免费理发 --kind care --summary 每月一次为骑手免费理发。 "
                    "--stations xinfu-centre --provider xinfu-union",
        ),
    ),
    RecordType(
        "projects", models.VolunteerProject, "volunteer/projects.yaml", "list", "志愿项目", collection="projects",
        references=(Reference("organiser", "organisations"),), variable="project",
        pages=(Page("project.md", "volunteer/{id}.md"),),
        listing=Listing("volunteer_index.md", "volunteer/index.md"),
        search_kind="志愿",
    ),
    RecordType(
        "teams", models.VolunteerTeam, "volunteer/teams.yaml", "list", "志愿服务队", collection="teams",
        references=(Reference("projects[]", "projects"), Reference("organisation", "organisations"),
                    Reference("station", "station")),
    ),
    RecordType("statements", models.Statement, "statements.yaml", "list", "报道数字", collection="statements",
               references=(Reference("source", "source"),)),
    RecordType(
        "story", models.Story, "stories/*.yaml", "record", "动态", collection="stories",
        references=(Reference("source", "source"),),
        vocabularies=(VocabularyField("category", "story_categories", "动态栏目"),),
        publish_date="date", variable="story",
        pages=(Page("story.md", "stories/{id}.md"),),
        listing=Listing("stories_index.md", "stories/index.md", per_page=5, page_path="stories/page/{}.md",
                        order=lambda story: (story.date, story.id), newest_first=True),
        search_kind="动态", own_headings=True,
        scaffold=Scaffold(
            (
                Question("title", "标题"),
                Question("category", "栏目", choices="story_categories"),
                Question("summary", "摘要（一两句话，显示在动态列表里）"),
                Question("date", "发布日期", parse=parse_date, default="{today}"),
                Question("body", "正文（可以以后在文件里写）", default=""),
            ),
            id_stem=lambda v: v["date"].isoformat(), numbered=False,
            example="python -m scripts new story --title 暖新驿站开展义诊 --category volunteer "
                    "--summary 社区医生到暖新驿站为骑手免费量血压。",
        ),
    ),
    event.RECORD_TYPE,
    RecordType("synonyms", models.SynonymGroup, "synonyms.yaml", "list", "搜索同义词", required=False,
               references=(Reference("services[]", "service"),),
               vocabularies=(VocabularyField("amenities[]", "amenities", "设施"),)),
)


def record_type(name: str) -> RecordType:
    return next(t for t in RECORD_TYPES if t.name == name)


def collections() -> Iterator[RecordType]:
    """The record types the catalogue holds by id, in the registry's order."""
    return (t for t in RECORD_TYPES if t.collection)


def field_values(record: BaseModel, path: str) -> Iterator[tuple[FieldPath, Any]]:
    """Every value at ``path`` in ``record`` with its exact field path: ``stations[]`` gives
    ``(("stations", 0), "xiaoge-01"), (("stations", 1), …)``; a missing part gives nothing."""
    found: list[tuple[FieldPath, Any]] = [((), record)]
    for part in path.split("."):
        many = part.endswith("[]")
        name = part.removesuffix("[]")
        step: list[tuple[FieldPath, Any]] = []
        for prefix, value in found:
            inner = getattr(value, name, None)
            if inner is None:
                continue
            if many:
                step.extend(((*prefix, name, index), item) for index, item in enumerate(inner))
            else:
                step.append(((*prefix, name), inner))
        found = step
    yield from found


def replace_field(record: BaseModel, path: FieldPath, value: Any) -> BaseModel:
    """A copy of ``record`` with the (non-list) field at ``path`` set to ``value``."""
    name, rest = path[0], path[1:]
    assert isinstance(name, str)
    inner = value if not rest else replace_field(getattr(record, name), rest, value)
    return record.model_copy(update={name: inner})


@dataclass(frozen=True)
class FieldRow:
    """One row of the editors' field table of a record type."""

    name: str
    required: bool
    description: str


def field_table(kind: RecordType) -> list[FieldRow]:
    """The record's top-level fields, as its model describes them to editors (also their tooltips)."""
    schema = kind.model.model_json_schema()
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        description = prop.get("description") or _referenced_description(schema, prop)
        rows.append(FieldRow(name, name in required, description))
    return rows


def _referenced_description(schema: dict[str, Any], prop: dict[str, Any]) -> str:
    for branch in [prop, *prop.get("anyOf", [])]:
        ref = branch.get("$ref", "")
        if ref:
            return schema.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {}).get("description", "")
    return ""
