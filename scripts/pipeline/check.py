"""Check stage: check each record's shape against its model, with messages in Chinese.

Pydantic does the checking; this module turns its English errors into
messages an editor can act on, using the field descriptions of the model
(the same text editors see as tooltips) as hints.
"""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from ..records.models import BrokenRule
from .limits import MAX_MARKDOWN_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS
from .load import RawRecord
from .problems import ProblemLog

_TYPE_MESSAGES: dict[str, tuple[str, str]] = {
    "string_type": ("应为文本（expected text）。", "文字两边加上引号，如 \"2024\"。"),
    "int_type": ("应为整数（expected an integer）。", "只写数字，如 12。"),
    "int_parsing": ("应为整数（expected an integer）。", "只写数字，如 12。"),
    "int_from_float": ("应为整数（expected an integer）。", "去掉小数部分。"),
    "float_type": ("应为数字（expected a number）。", "只写数字，如 38.4165。"),
    "float_parsing": ("应为数字（expected a number）。", "只写数字，如 38.4165。"),
    "bool_type": ("应为 true 或 false（expected a boolean）。", "写 true（是）或 false（否）。"),
    "bool_parsing": ("应为 true 或 false（expected a boolean）。", "写 true（是）或 false（否）。"),
    "list_type": ("应为列表（expected a list）。", "每一项另起一行，以“- ”开头；或写成 [a, b]。"),
    "dict_type": ("应为一组字段（expected a mapping）。", "在下一行缩进两个空格，写“字段名: 值”。"),
    "model_type": ("应为一组字段（expected a mapping）。", "在下一行缩进两个空格，写“字段名: 值”。"),
    "model_attributes_type": ("应为一组字段（expected a mapping）。", "在下一行缩进两个空格，写“字段名: 值”。"),
}

_TOO_LONG_HINTS: dict[int, str] = {
    MAX_NAME_CHARS: "名称和标题要简短；详细内容写进介绍（description）或正文（body）。",
    MAX_TEXT_CHARS: "这里写一两句话；详细内容写进介绍（description）或正文（body），"
                    f"那里最多 {MAX_MARKDOWN_CHARS:,} 个字符。",
    MAX_MARKDOWN_CHARS: "删去重复的部分或精简内容；粘贴来的文字请检查是否重复了多遍、是否带进了图片数据。",
}

_RULE_MESSAGES: dict[str, tuple[str, str]] = {
    "date_order": ("结束日期早于开始日期（end before start）。", "检查两个日期是否写反。"),
    "hours_24h_or_weekly": (
        "开放时间要么是 24 小时，要么按星期填写（open_24h or weekly）。",
        "24 小时开放写 open_24h: true；否则删去 open_24h，在 weekly 下填写星期和时段。",
    ),
    "exception_closed_or_periods": (
        "例外日期要么闭站，要么给出时段（closed or periods）。",
        "闭站写 closed: true；改时间则删去 closed，写 periods: [\"09:00-12:00\"]。",
    ),
    "schedule_days": ("没有写星期几（days missing）。", "加上 days: [we] 这样的星期。"),
    "schedule_week_of_month": (
        "每月的服务要写第几周（week_of_month missing）。",
        "如每月第二个周三写 week_of_month: [2] 和 days: [we]。",
    ),
}


def check_record(raw: RawRecord, log: ProblemLog) -> BaseModel | None:
    """The validated record, or ``None`` after logging every problem it has."""
    try:
        return raw.kind.model.model_validate(raw.data)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            _log_error(raw, detail, log)
        return None


def _log_error(raw: RawRecord, detail: dict[str, Any], log: ProblemLog) -> None:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    at_key = False
    if loc and loc[-1] == "[key]":  # a problem with a mapping's key (a vocabulary's), not its value
        loc, at_key = loc[:-1], True
    schema = _schema_at(raw.kind.model, loc)
    described = (schema or {}).get("description", "")
    name = str(loc[-1]) if loc else ""
    if at_key and kind == "string_pattern_mismatch":
        message = f"词表的键 {name} 格式不对（invalid vocabulary key）。"
        hint = ("键只能用小写英文字母、数字和下划线，并以字母开头，如 first_aid；"
                "中文名称写在 label 里。改了键以后，记录里用到它的地方也要一起改。")
    elif kind == "missing":
        message = f"缺少必填字段 {name}（required field missing）。"
        hint = f"加上 {name}: …" + (f"（{described}）" if described else "")
    elif kind == "extra_forbidden":
        at_key = True
        allowed = list(_properties(_schema_at(raw.kind.model, loc[:-1])))
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
        message = f"未知字段 {name}（unknown field）。"
        hint = f"是不是想写 {close[0]}？" if close else ""
        hint += "允许的字段：" + "、".join(allowed) + "。"
    elif kind in _TYPE_MESSAGES:
        message, hint = _TYPE_MESSAGES[kind]
        if described:
            hint += described
    elif kind.startswith("date") or kind.startswith("datetime"):
        message = f"日期无效：{detail.get('input')!r}（invalid date）。"
        hint = "写成 2026-05-01 这样的格式，并确认这一天存在。"
    elif kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        message = f"取值 {detail.get('input')!r} 不在允许范围内（invalid value）。"
        options = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        close = difflib.get_close_matches(str(detail.get("input")), options, n=1, cutoff=0.5)
        hint = (f"是不是想写 {close[0]}？" if close else "") + f"可选：{expected}。" + described
    elif kind == "string_pattern_mismatch":
        message = f"格式不对：{detail.get('input')!r}（wrong format）。"
        hint = described
    elif kind in ("too_short", "string_too_short"):
        message = "不能为空（must not be empty）。"
        hint = described
    elif kind == "string_too_long":
        limit = int(detail.get("ctx", {}).get("max_length", 0))
        actual = len(str(detail.get("input", "")))
        message = f"文字太长：{actual:,} 个字符，最多 {limit:,} 个（text too long: {actual:,} > {limit:,}）。"
        hint = _TOO_LONG_HINTS.get(limit, "删去多余的部分；粘贴来的文字请检查是否重复了多遍。")
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        message = f"数值 {detail.get('input')!r} 超出范围（out of range）。"
        hint = described
    elif kind == "value_error" and isinstance(detail.get("ctx", {}).get("error"), BrokenRule):
        broken = detail["ctx"]["error"]
        message, hint = broken.message, broken.hint or described
    elif kind == "value_error":
        code = str(detail.get("ctx", {}).get("error", ""))
        message, hint = _RULE_MESSAGES.get(code, (f"取值无效（{code}）。", described))
    else:
        message = f"取值无效（{detail.get('msg')}）。"
        hint = described
    line, column = raw.locate(loc, at_key=at_key)
    log.add(raw.document.path, line, column, raw.field_name(loc), message, hint)


@cache
def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _schema_at(model: type[BaseModel], loc: tuple) -> dict[str, Any] | None:
    """The JSON Schema of the field at ``loc``, following refs, lists and unions."""
    root = _model_schema(model)
    node: dict[str, Any] | None = root
    for part in loc:
        node = _concrete(root, node)
        if node is None:
            return None
        if isinstance(part, int):
            node = node.get("items")
        elif "properties" in node:
            node = node["properties"].get(part)
        elif "patternProperties" in node:  # a vocabulary: every key has the same kind of value
            node = next(iter(node["patternProperties"].values()), None)
        else:
            node = node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else None
    return _described(root, node)


def _concrete(root: dict, node: dict | None) -> dict | None:
    """Resolve ``$ref`` and pick the non-null branch of ``X | None``."""
    while node is not None:
        if "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in node:
            branches = [b for b in node["anyOf"] if b.get("type") != "null"]
            node = branches[0] if branches else None
        else:
            return node
    return None


def _described(root: dict, node: dict | None) -> dict | None:
    """Keep the field's own description even when its type is a ref."""
    if node is None:
        return None
    concrete = _concrete(root, node) or {}
    return {**concrete, **{k: v for k, v in node.items() if k == "description"}}


def _properties(schema: dict | None) -> dict[str, Any]:
    return (schema or {}).get("properties", {})
