"""Guard stage: the last check before publishing: no built page can run script that our code did not write.

The templates encode every value (``safe_output``), record Markdown goes through nh3, and every page
carries a Content-Security-Policy. This stage checks the result anyway, so that a hole in any of those
(a theme update, a new template, a library that changed its escaping) fails the build instead of
reaching every visitor's phone. Our own markup uses no event-handler attributes, no script URLs and no
inline scripts, so any of these in a built page is a finding.

A cheap scan with regular expressions decides which pages need a look; only those are parsed, by the
same tokenizer rules a browser uses for attributes (``html.parser``), and the findings say where.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..outputs.safe_output import URL_SCHEMES
from . import forks

_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite",
                             "data", "ping", "srcset", "manifest", "codebase"})
_FORBIDDEN_TAGS = frozenset({"base", "object", "embed", "applet", "frame", "frameset"})
_DATA_TYPES = frozenset({"application/json", "application/ld+json"})  # script elements that never run

# Anything that could be one of the findings below; most pages match none of it. The patterns run on
# the lower-cased page and start with a literal where they can: this scan reads every byte of the site.
_EVENT_ATTRIBUTE = re.compile(r"on[a-z]+\s*=")
_SUSPECT_WORD = re.compile(r"<script|srcdoc|expression|<base|<object|<embed|<applet|<frame|refresh")
_SCRIPT_WITHOUT_SRC = re.compile(r"""<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*["']?application/(?:ld\+)?json)""")
_URL_ATTRIBUTE_VALUE = re.compile(
    r"""(?:href|src|action|poster|background|cite|data|ping|srcset|manifest|codebase)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)"""
)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_LEFTOVER_REFERENCE = re.compile(r"&[a-z0-9]+;?")


def unsafe_url(value: str) -> bool:
    """A URL that would run script or carry a document: any scheme but http(s), tel and mailto.

    Browsers ignore tabs, newlines and leading spaces in a scheme, and entities are already decoded
    in an attribute, so ``java&#115;cript:`` and ``java\\tscript:`` count as what they are."""
    for candidate in value.split(","):  # srcset and ping hold several URLs
        url = _INVISIBLE.sub("", html.unescape(candidate)).lower()
        scheme = _SCHEME.match(url)
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return True
    return False


def _looks_unsafe(page: str) -> bool:
    lower = page.lower()
    if any(m.start() > 0 and lower[m.start() - 1] in " \t\n\r\f\"'/" for m in _EVENT_ATTRIBUTE.finditer(lower)):
        return True
    for word in _SUSPECT_WORD.finditer(lower):
        if word.group(0) != "<script" or _SCRIPT_WITHOUT_SRC.match(lower, word.start()):
            return True
    # Named references are case-sensitive (&Tab;) and this text is lower-cased: drop any left undecoded.
    return any(unsafe_url(_LEFTOVER_REFERENCE.sub("", html.unescape(m.group(1).strip("\"'"))))
               for m in _URL_ATTRIBUTE_VALUE.finditer(lower) if ":" in m.group(1) or "&" in m.group(1))


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


class _Inspector(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.findings: list[Finding] = []
        self._script_type: str | None = None

    def _find(self, what: str) -> None:
        self.findings.append(Finding(self.path, self.getpos()[0], what))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _FORBIDDEN_TAGS:
            self._find(f"<{tag}> 元素")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._find(f"<{tag} {name}=…> 事件属性（event handler）")
            elif name in _URL_ATTRIBUTES and unsafe_url(value):
                self._find(f"<{tag} {name}=\"{value[:40]}\"> 脚本或数据网址（script URL）")
            elif name == "srcdoc":
                self._find(f"<{tag} srcdoc> 内嵌文档")
            elif name == "style" and re.search(r"(?i)expression\s*\(|javascript:", _INVISIBLE.sub("", value)):
                self._find(f"<{tag} style=\"{value[:40]}\"> 样式里的脚本")
            elif tag == "meta" and name == "http-equiv" and value.lower() == "refresh":
                self._find("<meta http-equiv=refresh> 自动跳转")
        if tag == "script":
            attributes = dict(attrs)
            kind = (attributes.get("type") or "").strip().lower()
            if attributes.get("src") is None and kind not in _DATA_TYPES:
                self._find("<script> 内联脚本（inline script）")

    handle_startendtag = handle_starttag


def inspect_page(path: Path, shown_as: str) -> list[Finding]:
    page = path.read_text(encoding="utf-8", errors="replace")
    if not _looks_unsafe(page):
        return []
    inspector = _Inspector(shown_as)
    inspector.feed(page)
    inspector.close()
    return inspector.findings


def _pages(site_dir: Path) -> Iterator[Path]:
    yield from sorted(site_dir.rglob("*.html"))


def check_site(site_dir: Path, shown_as: str = "site") -> list[Finding]:
    """Every finding in every built HTML page (the site folder shown as ``shown_as`` in messages)."""
    pages = list(_pages(site_dir))

    def inspect(path: Path) -> list[Finding]:
        return inspect_page(path, f"{shown_as}/{path.relative_to(site_dir).as_posix()}")

    return [finding for findings in forks.ordered_map(inspect, pages, batch=500) for finding in findings]


def describe(findings: list[Finding], limit: int = 20) -> str:
    lines = [str(f) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"……另有 {len(findings) - limit} 处")
    return ("生成的页面里有能运行脚本的内容（unsafe markup in the built site），网站没有发布：\n  "
            + "\n  ".join(lines)
            + "\n这是程序的问题，不是数据的错：请把这段信息报告给网站的维护人员。")
