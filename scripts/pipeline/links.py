"""Guard stage: every internal link and resource of every built page points at something that was built.

MkDocs checks the links of Markdown (``validation:`` in ``mkdocs.yml``), not those in HTML: the station pages'
bodies (``outputs/html_pages.py``), our templates' HTML, the theme's. This check reads what was built instead,
so it covers all of them the same way: an ``href``/``src``/``srcset`` that is not an external address must name
a file in the site (a folder address, its ``index.html``), and its ``#anchor`` an id in that page.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import forks

# Attributes as our templates, Markdown and the theme write them: after a space, lower case, double-quoted, no
# spaces around "=" (none of them starts a line). A pattern that starts with a fixed character is ten times
# faster over 20,000 pages. The guard stage reads what a browser would for unsafe markup; this one follows links.
_URL_ATTRIBUTE = re.compile(r' (href|src|srcset)="([^"]*)"')
_ID = re.compile(r' id="([^"]*)"')
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")  # https:, tel:, mailto:, data:, //host


@dataclass(frozen=True)
class BrokenLink:
    page: str  # under the site folder
    url: str
    why: str

    def __str__(self) -> str:
        return f"{self.page}：{self.url}（{self.why}）"


_QUOTED = re.compile(r'"[^"]*"|\'[^\']*\'')


def _in_tag(text: str, position: int) -> bool:
    """Whether ``position`` is inside a tag, not in text that only reads like an attribute (a description may
    say ``写 <img src="photo.png">``: its ``<`` is encoded, its quotes need not be). A ``>`` inside an earlier
    quoted attribute value (``title="1 > 0"``) does not end the tag."""
    start = text.rfind("<", 0, position)
    return start >= 0 and ">" not in _QUOTED.sub("", text[start:position])


def _ids(text: str) -> set[str]:
    return {html.unescape(m.group(1)) for m in _ID.finditer(text) if _in_tag(text, m.start())}


def _urls(text: str) -> Iterator[str]:
    """The addresses in a page's ``href``, ``src`` and ``srcset`` attributes, entities decoded, each once."""
    seen: set[str] = set()
    for match in _URL_ATTRIBUTE.finditer(text):
        name, value = match.groups()
        if value in seen or not _in_tag(text, match.start()):
            continue
        seen.add(value)
        if name == "srcset" and not value.lstrip().startswith("data:"):  # a data: URL holds commas
            yield from (html.unescape(part.split()[0]) for part in value.split(",") if part.strip())
        else:
            yield html.unescape(value).strip()


def _target(page: str, url: str, base_path: str) -> tuple[str, str] | None:
    """(file under the site, anchor) that ``url`` on ``page`` names, or None for an external address."""
    if not url or _EXTERNAL.match(url):
        return None
    parts = urllib.parse.urlsplit(url)
    path = urllib.parse.unquote(parts.path)
    anchor = urllib.parse.unquote(parts.fragment)
    if not path:
        return page, anchor
    if path.startswith("/"):  # absolute: under the site's own path (the 404 page's links)
        if not path.startswith(base_path):
            return path, anchor
        path = path[len(base_path):]
    else:
        path = posixpath.join(posixpath.dirname(page), path)
    path = posixpath.normpath(path)
    return ("" if path == "." else path), anchor


def _existing(path: str, files: set[str]) -> str | None:
    """The file ``path`` names: itself, or a folder's ``index.html`` (``..``, ``../stations/``)."""
    if path in files:
        return path
    index = posixpath.join(path, "index.html") if path else "index.html"
    return index if index in files else None


_from_root: dict[tuple[str, str], tuple[str, str] | None] = {}  # per process: see ``check`` in broken_links


def broken_links(site_dir: Path, base_path: str = "/", *, parallel: bool = True) -> list[BrokenLink]:
    """Every internal link of every HTML page in ``site_dir`` whose file or anchor is not there.

    ``base_path`` is the path of ``site_url`` (``/xinfu/``), which absolute links start with. Each page is read
    once, in forked workers; a link to an anchor in another page reads that page's ids here."""
    files = {posixpath.join(Path(folder).relative_to(site_dir).as_posix(), name).removeprefix("./")
             for folder, _, names in os.walk(site_dir) for name in names}
    pages = sorted(name for name in files if name.endswith(".html"))

    def check(page: str) -> tuple[list[BrokenLink], list[tuple[str, str, str]]]:
        """A page's broken links, and its links to anchors in other pages as (url, target file, anchor)."""
        text = (site_dir / page).read_text(encoding="utf-8", errors="replace")
        broken: list[BrokenLink] = []
        elsewhere: list[tuple[str, str, str]] = []
        own_ids: set[str] | None = None
        to_root = "../" * page.count("/")
        for url in _urls(text):
            # Most links climb to the site's root first (the theme's assets and navigation): where they lead does
            # not depend on which page they are on, so each is worked out once per worker.
            from_root = to_root and url.startswith(to_root) and not url.startswith("../", len(to_root))
            target = _from_root.get((base_path, url)) if from_root else None
            if target is None:
                target = _target(page, url, base_path)
                if from_root:
                    _from_root[(base_path, url)] = target
            if target is None:
                continue
            path, anchor = target
            path = _existing(path, files) if not path.startswith("..") else None
            if path is None:
                broken.append(BrokenLink(page, url, "没有这个文件（no such file）"))
            elif anchor and path == page:
                own_ids = _ids(text) if own_ids is None else own_ids
                if anchor not in own_ids:
                    broken.append(BrokenLink(page, url, f"页面里没有 #{anchor}（no such anchor）"))
            elif anchor and path.endswith(".html"):
                elsewhere.append((url, path, anchor))
        return broken, elsewhere

    found: list[BrokenLink] = []
    ids_of: dict[str, set[str]] = {}
    for page, (broken, elsewhere) in zip(pages, forks.ordered_map(check, pages, batch=500, parallel=parallel),
                                        strict=True):
        found.extend(broken)
        for url, path, anchor in elsewhere:
            if path not in ids_of:
                ids_of[path] = _ids((site_dir / path).read_text(encoding="utf-8", errors="replace"))
            if anchor not in ids_of[path]:
                found.append(BrokenLink(page, url, f"页面里没有 #{anchor}（no such anchor）"))
    return found


def describe(found: Iterable[BrokenLink], sources: Mapping[str, Path] | None = None, root: Path | None = None,
             limit: int = 20) -> str:
    """The findings in Chinese; a page made from a record (``sources``: page under the site → its data file) names
    that file, and the line where the link is written if it is there as written (a link in the record's text)."""
    found = list(found)
    lines = []
    for link in found[:limit]:
        line = str(link)
        source = (sources or {}).get(link.page)
        if source is not None:
            shown = source.relative_to(root).as_posix() if root and source.is_relative_to(root) else str(source)
            number = _line_of(source, link.url)
            line += f"\n    来自 {shown}" + (f" 第 {number} 行" if number else "")
        lines.append(line)
    if len(found) > limit:
        lines.append(f"……另有 {len(found) - limit} 处")
    return ("生成的页面里有指向不存在的页面或锚点的链接（broken links），网站没有发布：\n  " + "\n  ".join(lines)
            + "\n链接来自数据里的文字时，请改正那条记录：本站的页面写从这一页出发的地址（如驿站页里写 ../xiaoge-02/），"
              "或写完整的网址；来自模板时，请报告给网站的维护人员。")


def _line_of(source: Path, url: str) -> int | None:
    """The first line of ``source`` that holds ``url`` as written, if any."""
    try:
        text = source.read_text(encoding="utf-8")
    except OSError:
        return None
    index = text.find(url)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
