"""GitHub issue forms for the public: 驿站信息有误, 推荐新驿站, 发布动态; and how a submitted form's text is read.

The forms in ``.github/ISSUE_TEMPLATE/`` are generated, like the JSON Schemas (``schemas.py``): their
dropdowns and checkboxes offer the current station types, amenities, story categories and organisations,
so ``python -m scripts schema`` rewrites them after the vocabulary changes, and a test fails when the files
in the repository are stale. Each form is declared once here (``forms``); the same declaration reads a
submitted issue back (``read_body``): GitHub writes each answered field as ``### <label>`` followed by the
answer, ``_No response_`` for an empty one and ``- [X] <option>`` for a ticked checkbox.

Turning the answers into a record is ``from_issue.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from ..outputs.report_links import (
    CORRECTION_FORM,
    NEW_STATION_FORM,
    STATION_ID_FIELD,
    STATION_NAME_FIELD,
    STORY_FORM,
)
from ..pipeline.build import Project
from ..rules.coords import MAP_SOURCES

FieldType = Literal["input", "textarea", "dropdown", "checkboxes"]

OTHER_ORGANISATION = "其他单位（请在“补充说明”里写明）"
STATUS_CHOICES = {"正常开放": "open", "临时关闭": "temporarily_closed", "已撤销（不再开放）": "closed"}
UNCHANGED = "没有变化"
NO_RESPONSE = "_No response_"

PRIVACY_NOTE = (
    "**请保护个人信息**：这里填写的内容和你的账号都是公开的。不要填写任何人的手机号、身份证号、家庭住址，"
    "不要上传能认出别人的照片（《个人信息保护法》）。驿站电话只写单位对外公开的号码。"
)
PRIVACY_CONSENT = "我填写的内容不含个人手机号、身份证号等个人信息"
COORDINATE_HELP = (
    "在地图上找到驿站，复制它的经纬度，两个数字，如 112.733600,38.416500（先写经度、先写纬度都可以）。"
    "高德、腾讯、百度地图的坐标各不相同，所以下面一定要选对是从哪种地图复制的。"
)


@dataclass(frozen=True)
class FormField:
    id: str
    type: FieldType
    label: str
    description: str = ""
    placeholder: str = ""
    required: bool = False
    options: tuple[str, ...] = ()  # dropdown choices or checkbox labels
    multiple: bool = False  # a dropdown that takes several choices

    def as_yaml(self) -> dict[str, object]:
        attributes: dict[str, object] = {"label": self.label}
        if self.description:
            attributes["description"] = self.description
        if self.placeholder:
            attributes["placeholder"] = self.placeholder
        if self.type == "dropdown":
            attributes["options"] = list(self.options)
            if self.multiple:
                attributes["multiple"] = True
        if self.type == "checkboxes":
            attributes["options"] = [{"label": o, "required": self.required} if self.required else {"label": o}
                                     for o in self.options]
        element: dict[str, object] = {"type": self.type, "id": self.id, "attributes": attributes}
        if self.required and self.type != "checkboxes":
            element["validations"] = {"required": True}
        return element


@dataclass(frozen=True)
class Form:
    file: str  # in .github/ISSUE_TEMPLATE/
    name: str
    description: str
    title: str
    labels: tuple[str, ...]
    intro: str
    fields: tuple[FormField, ...] = field(default=())

    def field_by_label(self) -> dict[str, FormField]:
        return {f.label: f for f in self.fields}

    def as_yaml(self) -> dict[str, object]:
        body: list[dict[str, object]] = [{"type": "markdown", "attributes": {"value": self.intro}}]
        body += [f.as_yaml() for f in self.fields]
        return {"name": self.name, "description": self.description, "title": self.title,
                "labels": list(self.labels), "body": body}


@dataclass(frozen=True)
class Choices:
    """What the forms offer, read from the data: key → label."""

    station_types: dict[str, str]
    amenities: dict[str, str]
    story_categories: dict[str, str]
    organisations: dict[str, str]


def choices_of(project: Project) -> Choices:
    from .scaffold import survey  # scaffold imports the pipeline; so does this, but only when asked

    known = survey(project)
    return Choices(known.choices("station_types"), known.choices("amenities"), known.choices("story_categories"),
                   known.choices("organisations"))


# --- the forms ------------------------------------------------------------------------------


def _coordinate_fields(required: bool) -> tuple[FormField, ...]:
    return (
        FormField("coordinates", "input", "坐标（经纬度）", COORDINATE_HELP, "112.733600,38.416500", required),
        FormField("map_source", "dropdown", "坐标是从哪种地图复制的",
                  "高德、腾讯地图用的是火星坐标（GCJ-02），百度地图是百度坐标（BD-09），GPS 和天地图是 WGS-84；"
                  "选错了，驿站在地图上会偏几百米到一公里多。", options=tuple(MAP_SOURCES), required=required),
    )


HOURS_HELP = ("每天的开放时段，24 小时制，如 08:00-20:00；一天几段用逗号隔开，如 08:00-12:00,14:00-20:00；"
              "全天开放写 24h。")


def forms(choices: Choices) -> tuple[Form, ...]:
    station_types = tuple(choices.station_types.values())
    amenities = tuple(choices.amenities.values())
    correction = Form(
        CORRECTION_FORM, "驿站信息有误", "驿站的地址、开放时间、设施、电话或位置不对，告诉我们。",
        "信息有误：", ("驿站信息有误",),
        "谢谢你帮我们把驿站信息改对。**只填写不对的几项**，没有变化的留空。\n\n" + PRIVACY_NOTE,
        (
            FormField(STATION_ID_FIELD, "input", "驿站编号",
                      "驿站页面网址里 stations/ 后面的那一段，如 xiaoge-01。从驿站页面点“在线报告问题”会自动填好。",
                      "xiaoge-01", required=True),
            FormField(STATION_NAME_FIELD, "input", "驿站现在显示的名称", placeholder="长征街小哥驿站"),
            FormField("problem", "textarea", "哪里不对",
                      "用几句话说明，如：驿站已经搬到对面；周日不开门；没有微波炉了。", required=True),
            FormField("status", "dropdown", "驿站现在的状态", "临时关闭时，请在“哪里不对”里写明原因和恢复的日期。",
                      options=(UNCHANGED, *STATUS_CHOICES)),
            FormField("name", "input", "正确的名称"),
            FormField("address", "input", "正确的地址", placeholder="忻州市忻府区长征街8号"),
            FormField("hours", "input", "正确的开放时间", HOURS_HELP, "08:00-20:00"),
            *_coordinate_fields(required=False),
            FormField("amenities", "checkboxes", "驿站现在实际有的设施",
                      "勾选现在实际有的全部设施；设施没有变化就一项也不勾。", options=amenities),
            FormField("phone", "input", "正确的公开电话", "只写单位对外公开的号码，不写个人手机号。", "0350-3031234"),
            FormField("consent", "checkboxes", "个人信息", options=(PRIVACY_CONSENT,), required=True),
        ),
    )
    new_station = Form(
        NEW_STATION_FORM, "推荐新驿站", "网站上还没有的驿站、党群服务中心或爱心歇脚点，告诉我们。",
        "推荐新驿站：", ("推荐新驿站",),
        "谢谢推荐！工作人员核实后会把它加到网站上。带 * 的必须填写。\n\n" + PRIVACY_NOTE,
        (
            FormField("name", "input", "驿站名称", "门口牌子上的名称。", "光明街小哥驿站", required=True),
            FormField("type", "dropdown", "驿站类型", options=station_types, required=True),
            FormField("address", "input", "详细地址", "写到门牌号，或“某路与某路交叉口东北角”。",
                      "忻州市忻府区光明街8号", required=True),
            FormField("street", "input", "所在街道或乡镇", placeholder="新建路街道"),
            *_coordinate_fields(required=True),
            FormField("hours", "input", "开放时间", HOURS_HELP, "08:00-20:00", required=True),
            FormField("amenities", "checkboxes", "设施", "驿站里有的全部勾上（至少一项）。", options=amenities),
            FormField("organisation", "dropdown", "运营单位", "谁在管理这个驿站。",
                      options=(*choices.organisations.values(), OTHER_ORGANISATION), required=True),
            FormField("phone", "input", "公开电话", "只写单位对外公开的号码，不写个人手机号。", "0350-3031234"),
            FormField("description", "textarea", "介绍", "一两句话：在哪里、有什么特别的。"),
            FormField("notes", "textarea", "补充说明", "给工作人员看的，不会发布：怎么找到、你是怎么知道的。"),
            FormField("consent", "checkboxes", "个人信息", options=(PRIVACY_CONSENT,), required=True),
        ),
    )
    story = Form(
        STORY_FORM, "发布动态", "驿站和服务中心的新鲜事、志愿服务的故事，投稿给网站的“动态”栏目。",
        "动态：", ("发布动态",),
        "谢谢投稿！编辑审核后发布。正文可以用 Markdown：空一行分段，**加粗**，“- ”开头是列表。"
        "图片可以拖进正文框，编辑会去掉照片里的位置信息后再放到网站上。\n\n" + PRIVACY_NOTE
        + "照片里能认出的人，要先征得本人同意。",
        (
            FormField("title", "input", "标题", placeholder="暖新驿站开展义诊", required=True),
            FormField("category", "dropdown", "栏目", options=tuple(choices.story_categories.values()),
                      required=True),
            FormField("date", "input", "发布日期", "如 2026-11-28；不填就是发布当天。", "2026-11-28"),
            FormField("summary", "textarea", "摘要", "一两句话，显示在动态列表里。", required=True),
            FormField("body", "textarea", "正文", "不写就只发布摘要。"),
            FormField("tags", "input", "标签", "用逗号隔开。", "骑手, 志愿服务"),
            FormField("consent", "checkboxes", "个人信息",
                      options=(PRIVACY_CONSENT, "照片里能认出的人都同意公开"), required=True),
        ),
    )
    return correction, new_station, story


def form_named(file: str, choices: Choices) -> Form:
    return next(f for f in forms(choices) if f.file == file)


# --- the files ----------------------------------------------------------------------------------

FORMS_DIR = Path(".github") / "ISSUE_TEMPLATE"
GENERATED = ("# 由 `python -m scripts schema` 根据 data/vocabularies.yaml 和 data/organisations.yaml 生成，"
             "不要手改（scripts/editors/issue_forms.py）。\n")
# Blank issues stay possible: service pages link to a plain issue with a title (there is no service form),
# and editors and developers file ordinary issues.
CONFIG = GENERATED + "blank_issues_enabled: true\n"


class _FormDumper(yaml.SafeDumper):
    """Texts over several lines as literal blocks (``|``), as a person would write them."""


_FormDumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_FormDumper, allow_unicode=True, sort_keys=False, width=10_000,
                     default_flow_style=False)


def generate_forms(project: Project) -> dict[Path, str]:
    folder = project.root / FORMS_DIR
    files = {folder / form.file: GENERATED + _dump(form.as_yaml()) for form in forms(choices_of(project))}
    files[folder / "config.yml"] = CONFIG
    return files


def write_forms(project: Project) -> list[Path]:
    outputs = generate_forms(project)
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return list(outputs)


# --- reading a submitted form ----------------------------------------------------------------------

_HEADING = re.compile(r"^###[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_CHECKBOX = re.compile(r"^\s*[-*][ \t]+\[([ xX])\][ \t]*(.+?)\s*$", re.MULTILINE)


def sections(body: str) -> dict[str, str]:
    """``### label`` → the text under it, stripped; ``_No response_`` becomes empty."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    found: dict[str, str] = {}
    matches = list(_HEADING.finditer(text))
    for match, following in zip(matches, [*matches[1:], None], strict=False):
        value = text[match.end():following.start() if following else len(text)].strip()
        found[match.group(1).strip()] = "" if value == NO_RESPONSE else value
    return found


def read_body(form: Form, body: str) -> dict[str, str | list[str]]:
    """The answers by field id: text for inputs, textareas and dropdowns; the ticked labels for checkboxes."""
    found = sections(body)
    answers: dict[str, str | list[str]] = {}
    for label, value in found.items():
        form_field = form.field_by_label().get(label)
        if form_field is None:
            continue
        if form_field.type == "checkboxes":
            answers[form_field.id] = [m.group(2) for m in _CHECKBOX.finditer(value) if m.group(1) in "xX"]
        else:
            answers[form_field.id] = value
    return answers


def which_form(body: str, choices: Choices) -> Form | None:
    """The form whose labels the body's headings match best; None when no form's first field is there."""
    headings = set(sections(body))
    scored = [(len(headings & set(f.field_by_label())) / len(f.fields), f) for f in forms(choices)
              if f.fields[0].label in headings]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None
