"""Stage 2: rules for what any text in the data may say, checked on every build.

* Personal data (PIPL Art. 25): no ID numbers ever; no personal mobile numbers
  unless the record marks the number as a public service line.
* No raw HTML, no ``javascript:`` links: text is Markdown and must not be able
  to inject script into the site.
* Images stay inside the site: no paths that leave ``docs/``, no external hosts.
* Every image has alt text (WCAG 1.1.1), in Markdown ``![…](…)`` as in ``images``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from .dataset import RawRecord
from .problems import ProblemLog
from .yamlfile import FieldPath

_MOBILE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ID_NUMBER = re.compile(
    r"(?<![\dA-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])"
)
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_SCRIPT_SCHEME = re.compile(r"(?i)\b(?:javascript|vbscript)\s*:|\]\(\s*data:")
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_MARKDOWN_IMAGE_ALT = re.compile(r"!\[([^\]]*)\]\(")
# Every rule below needs one of these to match (a number needs four digits in a row): most text has none,
# and one search instead of six matters at 10,000 stations' 200,000 strings.
_MAY_MATTER = re.compile(r"(?i)\d{4}|<|script|data:|!\[")


def check_content(raw: RawRecord, docs_dir: Path, log: ProblemLog) -> None:
    for field, text in _strings(raw.data, ()):
        _check_text(raw, field, text, docs_dir, log)


def _strings(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _check_text(raw: RawRecord, field: FieldPath, text: str, docs_dir: Path, log: ProblemLog) -> None:
    if not _MAY_MATTER.search(text) and not (field and field[-1] in ("src", "alt")):
        return

    def report(message: str, hint: str) -> None:
        line, column = raw.locate(field)
        log.add(raw.document.path, line, column, raw.field_name(field), message, hint)

    if _ID_NUMBER.search(text):
        report("包含身份证号码（ID card number）。",
               "依据《个人信息保护法》，身份证号在任何情况下都不能发布，请删除。")
    if _MOBILE.search(text) and not _is_public_line(raw, field):
        report("包含手机号码（personal mobile number）。",
               "依据《个人信息保护法》第二十五条，不得公开个人手机号。请改用单位的公开座机；"
               "如果这是单位公开的服务专线，把它写在 phone 的 number 里并加上 public_line: true。")
    tag = _HTML_TAG.search(text)
    if tag:
        report(f"不能包含 HTML 标签 {tag.group(0)[:40]}（raw HTML is not allowed）。",
               "用 Markdown 写格式，如 **加粗**、[链接文字](https://…)；或删去这个标签。")
    if _SCRIPT_SCHEME.search(text):
        report("不能包含 javascript: 等脚本链接（script link）。", "删除这个链接，或改为 https:// 开头的网址。")
    blank_alt = any(not alt.strip() for alt in _MARKDOWN_IMAGE_ALT.findall(text))
    if blank_alt or (len(field) >= 3 and field[-1] == "alt" and field[-3] == "images" and not text.strip()):
        report("图片缺少替代文字（image without alt text）。",
               "在 ![ ] 的方括号里用一句话写图上是什么，如 ![驿站门口的饮水机](assets/images/water.jpg)："
               "看不见图片的人靠它知道图片的内容。")
    images = [m.group(1) for m in _MARKDOWN_IMAGE.finditer(text)]
    if field and field[-1] == "src" and len(field) >= 3 and field[-3] == "images":
        images.append(text)
    for src in images:
        problem = _image_problem(src, docs_dir)
        if problem:
            report(*problem)


def _is_public_line(raw: RawRecord, field: FieldPath) -> bool:
    """A mobile number is allowed only as ``phone.number`` with ``public_line: true``."""
    if not field or field[-1] != "number":
        return False
    parent: Any = raw.data
    for part in field[:-1]:
        parent = parent[part]
    return isinstance(parent, dict) and parent.get("public_line") is True


def _image_problem(src: str, docs_dir: Path) -> tuple[str, str] | None:
    if re.match(r"(?i)^([a-z][a-z0-9+.-]*:|//)", src):
        return (f"图片不能引用外部网址 {src}（external image）。",
                "把图片保存到 docs/assets/images/，再写相对路径，如 assets/images/photo.jpg。")
    path = PurePosixPath(src.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return (f"图片路径 {src} 指向网站目录之外（path leaves the site）。",
                "图片放在 docs/assets/images/ 下，路径相对于 docs/ 写，如 assets/images/photo.jpg，不要用 ../ 或 /。")
    if not (docs_dir / path).is_file():
        return (f"找不到图片 docs/{path}（image not found）。",
                "检查文件名和大小写，确认图片已放进 docs/ 下对应的文件夹。")
    return None
