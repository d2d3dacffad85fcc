"""Check stage: rules for what any text in the data may say, checked on every build.

* Personal data (PIPL Art. 25): no ID numbers ever; no personal mobile numbers
  unless the record marks the number as a public service line.
* No raw HTML, no script links (``javascript:``, ``vbscript:``, ``livescript:``,
  ``data:`` with a content type): text is Markdown and must not be able to inject
  script into the site. The rules read text as a browser or a careless converter
  might: character references decoded (``&#115;``, ``&colon;``) until nothing
  changes, compatibility forms folded (NFKC: full-width ``ｊａｖａ``, ``：``, ``＜``),
  zero-width characters dropped, and spaces, tabs and control characters allowed
  between a scheme's letters. So ``java&#115;cript:`` and ``java<Tab>script:`` are
  caught as well as ``javascript:``, while ``data: 2026`` and ``java 课程`` are not.
* No control characters (C0 but tab and line breaks, C1) and no bidi overrides: they
  are invisible and can make a page show something other than what the file says.
* Images stay inside the site: no paths that leave ``docs/``, no external hosts.
* Every image has alt text (WCAG 1.1.1), in Markdown ``![…](…)`` as in ``images``.

A problem inside a text over several lines (``body: |``) is reported at the line
that holds the offending text (``RawRecord.locate_text``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ..outputs.safe_output import CONTROL_CHARACTERS
from .load import RawRecord
from .problems import ProblemLog
from .yamlfile import FieldPath, Finder

_MOBILE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ID_NUMBER = re.compile(
    r"(?<![\dA-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])"
)
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
# A tag written with character references or full-width brackets (&lt;script&gt;, ＜script＞) only counts when
# it names a real element, so that Chinese text with ＜ and ＞ (＜Ａ类＞, ＜100 元) is not refused.
_ELEMENTS = (
    "a|abbr|address|applet|area|article|aside|audio|b|base|basefont|bdi|bdo|blockquote|body|br|button|canvas|"
    "caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|dialog|div|dl|dt|em|embed|fieldset|"
    "figcaption|figure|font|footer|form|frame|frameset|h[1-6]|head|header|hgroup|hr|html|i|iframe|image|img|input|"
    "ins|isindex|kbd|keygen|label|legend|li|link|listing|main|map|mark|marquee|math|menu|meta|meter|nav|noembed|"
    "noframes|noscript|object|ol|optgroup|option|output|p|param|picture|plaintext|pre|progress|q|rp|rt|ruby|s|"
    "samp|script|section|select|slot|small|source|span|strong|style|sub|summary|sup|svg|table|tbody|td|template|"
    "textarea|tfoot|th|thead|time|title|tr|track|u|ul|var|video|wbr|xmp"
)
_ENCODED_TAG = re.compile(rf"(?i)<\s*/?\s*(?:{_ELEMENTS})(?=[\s/>])[^<>]*>|<!--")
# What may sit unseen between a scheme's letters: spaces, tabs, line breaks and other control characters.
_GAP = r"[\s\x00-\x1f\x7f-\x9f]*"


def _spaced(word: str) -> str:
    return _GAP.join(word)


_SCRIPT_SCHEME = re.compile(
    rf"(?i)(?<![a-z0-9+.\-])(?:{_spaced('javascript')}|{_spaced('vbscript')}|{_spaced('livescript')}){_GAP}:"
)
# data: as a link or image target, or followed by a content type ("data:text/html", "data:image/svg+xml",
# "data:;base64,", "data:,"): not "data: 2026" in a sentence.
_DATA_URL = re.compile(
    rf"(?i)(?<![a-z0-9+.\-]){_spaced('data')}{_GAP}:{_GAP}"
    rf"(?:(?:text|image|application|audio|video|font|model|multipart|message){_GAP}/|[;,])"
    rf"|\]\(\s*<?\s*{_spaced('data')}{_GAP}:"
)
_CONTROL = re.compile(CONTROL_CHARACTERS)
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Soft hyphen, zero-width space, non-joiner and joiner, word joiner, byte order mark: dropped before checking.
_INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u200c\u200d\u2060\ufeff")
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_MARKDOWN_IMAGE_ALT = re.compile(r"!\[([^\]]*)\]\(")
_BLANK_ALT = re.compile(r"!\[\s*\]\(")
# Every rule below needs one of these to match: most text has none, and one search instead of the whole
# check matters at 10,000 stations' 200,000 strings. A number needs four digits in a row (\d includes
# full-width digits); a script link needs the letters of "script" or "data" (perhaps with gaps), a character
# reference (&) or a full-width or other compatibility letter (folded by NFKC).
_MAY_MATTER = re.compile(
    r"(?i)\d{4}|[<&]|!\[|s\W*c\W*r\W*i\W*p\W*t|d\W*a\W*t\W*a"
    "|[\uff1c\uff1e\uff21-\uff3a\uff41-\uff5a\U0001d400-\U0001d7ff]"
    f"|{CONTROL_CHARACTERS}"
)


def readable(text: str) -> str:
    """The text as the rules read it: references decoded until stable, NFKC-folded, zero-width characters dropped."""
    for _ in range(10):  # &amp;#115; takes two rounds; ＆#115; needs NFKC first
        folded = unicodedata.normalize("NFKC", html.unescape(text)).translate(_INVISIBLE)
        if folded == text:
            break
        text = folded
    return text


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


def _finder(pattern: re.Pattern[str], decoded: bool = True) -> Finder:
    """Where ``pattern`` matches in a piece of text: as written, or else (``decoded``) once made ``readable``."""

    def found(text: str) -> int | None:
        match = pattern.search(text)
        if match:
            return match.start()
        if decoded and pattern.search(readable(text)):
            return len(text) - len(text.lstrip())
        return None

    return found


def _substring(snippet: str) -> Finder:
    def found(text: str) -> int | None:
        where = text.find(snippet)
        return where if where >= 0 else None

    return found


def _check_text(raw: RawRecord, field: FieldPath, text: str, docs_dir: Path, log: ProblemLog) -> None:
    if not _MAY_MATTER.search(text) and not (field and field[-1] in ("src", "alt")):
        return

    def report(found: Finder, message: str, hint: str) -> None:
        line, column = raw.locate_text(field, found)
        log.add(raw.document.path, line, column, raw.field_name(field), message, hint)

    plain = readable(text)
    if _ID_NUMBER.search(plain):
        report(_finder(_ID_NUMBER), "包含身份证号码（ID card number）。",
               "依据《个人信息保护法》，身份证号在任何情况下都不能发布，请删除。")
    if _MOBILE.search(plain) and not _is_public_line(raw, field):
        report(_finder(_MOBILE), "包含手机号码（personal mobile number）。",
               "依据《个人信息保护法》第二十五条，不得公开个人手机号。请改用单位的公开座机；"
               "如果这是单位公开的服务专线，把它写在 phone 的 number 里并加上 public_line: true。")
    tag = _HTML_TAG.search(text)
    encoded_tag = None if tag else _ENCODED_TAG.search(plain)
    if tag:
        report(_finder(_HTML_TAG, decoded=False),
               f"不能包含 HTML 标签 {tag.group(0)[:40]}（raw HTML is not allowed）。",
               "用 Markdown 写格式，如 **加粗**、[链接文字](https://…)；或删去这个标签。")
    elif encoded_tag:
        report(_finder(_ENCODED_TAG),
               f"不能包含 HTML 标签 {encoded_tag.group(0)[:40]}（encoded HTML is not allowed）。",
               "这个标签是用字符实体（如 &lt;）或全角符号（＜ ＞）写的，还原后仍是 HTML，同样不接受。"
               "用 Markdown 写格式，或删去它。")
    script = _SCRIPT_SCHEME.search(plain)
    if script:
        written = re.sub(_GAP, "", script.group(0)).lower()
        disguised = "" if written in text.lower() else (
            f"这里的写法经过变形（字符实体、全角字母、空格或看不见的字符），还原后是 {written}。")
        report(_finder(_SCRIPT_SCHEME), "不能包含 javascript: 等脚本链接（script link）。",
               disguised + "删除这个链接，或改为 https:// 开头的网址；如果只是提到这个词，去掉紧跟在后面的冒号。")
    if _DATA_URL.search(plain):
        report(_finder(_DATA_URL), "不能用 data: 网址嵌入内容（data: URL）。",
               "图片放进 docs/assets/images/，写成 ![替代文字](assets/images/照片.jpg)；链接改为 https:// 开头的网址。")
    control = _CONTROL.search(text)
    if control:
        character = control.group(0)
        kind = "文字方向控制字符" if character in _BIDI else "控制字符"
        report(_finder(_CONTROL, decoded=False),
               f"含有看不见的{kind} U+{ord(character):04X}（control character）。",
               "删除这个字符：页面上看不见它，它却能打乱文字的显示顺序，让读者看到的和文件里写的不一样，或让页面出错。"
               "从网页、聊天软件或 Word 复制的文字有时会带上它；VS Code 会用方框标出它，"
               "也可以把这段文字删掉重新输入。")
    blank_alt = any(not alt.strip() for alt in _MARKDOWN_IMAGE_ALT.findall(text))
    if blank_alt or (len(field) >= 3 and field[-1] == "alt" and field[-3] == "images" and not text.strip()):
        report(_finder(_BLANK_ALT, decoded=False), "图片缺少替代文字（image without alt text）。",
               "在 ![ ] 的方括号里用一句话写图上是什么，如 ![驿站门口的饮水机](assets/images/water.jpg)："
               "看不见图片的人靠它知道图片的内容。")
    images = [m.group(1) for m in _MARKDOWN_IMAGE.finditer(text)]
    if field and field[-1] == "src" and len(field) >= 3 and field[-3] == "images":
        images.append(text)
    for src in images:
        problem = _image_problem(src, docs_dir)
        if problem:
            report(_substring(src), *problem)


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
