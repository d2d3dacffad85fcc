"""MkDocs stage: pages whose body is HTML, not Markdown (front matter ``body: html``; the station pages).

A station page's body comes from our own template as finished HTML (``templates/station.html``): at 10,000
stations, a Markdown pass over it costs more than everything else a page needs. Plain MkDocs passes such a body
through unchanged (every block is raw HTML), but it takes the table of contents, and so the theme's "skip to
content" link, from Markdown headings only. This module gives both ways of building the same table of contents
from the body's own ``<h1 id>``…``<h6 id>``: MkDocs through the hook below (``hooks:`` in ``mkdocs.yml``), and the
fast path (``record_pages.py``), which fills the page in itself.

MkDocs loads this file as a hook by its path, so it imports nothing of ours.
"""

from __future__ import annotations

import html
import re
from typing import Any

from mkdocs.structure.toc import TableOfContents, get_toc

BODY_KEY = "body"  # front matter: ``body: html``
_HEADING = re.compile(r'<h([1-6]) id="([^"<>]+)"[^>]*>(.*?)</h\1>', re.S)
_ID = re.compile(r'<[a-zA-Z][^<>]*?(?<=[\s"\'])id="([^"<>]+)"')  # in a tag, not data-id="…"
_TAG = re.compile(r"<[^>]+>")


def is_html_body(meta: dict[str, Any]) -> bool:
    return meta.get(BODY_KEY) == "html"


def toc_from_html(body: str) -> TableOfContents:
    """The headings with an id, nested by level, named by their text as Markdown's ``toc`` names them."""
    roots: list[dict[str, Any]] = []
    open_headings: list[dict[str, Any]] = []
    for level, anchor, inner in _HEADING.findall(body):
        token = {"level": int(level), "id": html.unescape(anchor),
                 "name": html.escape(html.unescape(_TAG.sub("", inner)).strip(), quote=False), "children": []}
        while open_headings and open_headings[-1]["level"] >= token["level"]:
            open_headings.pop()
        (open_headings[-1]["children"] if open_headings else roots).append(token)
        open_headings.append(token)
    return get_toc(roots)


def anchor_ids(body: str) -> set[str]:
    """Every id in the body: where a link ``page#anchor`` may point (MkDocs checks links to anchors)."""
    return {html.unescape(anchor) for anchor in _ID.findall(body)}


def on_page_content(html_body: str, page: Any, **_: Any) -> str:
    """MkDocs hook: an HTML-bodied page's table of contents, from its headings."""
    if is_html_body(page.meta):
        page.toc = toc_from_html(html_body)
    return html_body
