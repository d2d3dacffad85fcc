"""The live preview's error banner: while the latest edit fails validation, every
preview page starts with a red box that lists the problems.

The preview rebuilds only the pages whose files changed (MkDocs' dirty builds),
so the banner cannot be written into each page. Instead ``serve`` keeps
``_preview/problems.json`` in the staging folder up to date (an empty report
once the data is good again), and this module, loaded as a MkDocs hook for the
preview only, adds ``_preview/banner.js`` to every page. The script reads the
report each time a page loads, and MkDocs' live reload reloads the page when the
report changes. Published builds have neither the hook nor the files. MkDocs
loads hooks by file path, not as part of the ``scripts`` package: keep this
module to the standard library and MkDocs.

MkDocs' own warnings (a broken link or anchor in a ``docs/`` page) do not stop
the preview, but they fail ``make build``: the hook collects them while MkDocs
builds, says them in Chinese with the ``docs/`` file, and writes them to
``_preview/warnings.json`` in the served site, shown as a second box. A dirty
build renders only the changed pages, so the file keeps the other pages'
warnings and replaces only those of the pages rendered again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.utils import get_relative_url

FOLDER = "_preview"
SCRIPT = Path(__file__).with_name("banner.js")
TITLE = "预览没有更新：最近一次修改没有通过校验（the latest edit has problems; showing the last good version）"
AFTER = "改正后保存，预览会自动刷新。"
WARNINGS_TITLE = "正式构建（make build）会因为下面的问题失败（MkDocs warnings）"
WARNINGS_AFTER = "预览照常显示；改正后保存，这里的提示会消失。"
WARNINGS_FILE = "warnings.json"
# Set by ``serve``: the hand-written pages' folder, to tell an editor's docs/ page from a generated one.
DOCS_DIR_VARIABLE = "PREVIEW_DOCS_DIR"


def report_file(staging_dir: Path) -> Path:
    return staging_dir / FOLDER / "problems.json"


def _report_json(report: str) -> bytes:
    return json.dumps({"title": TITLE, "report": report.strip(), "after": AFTER}, ensure_ascii=False).encode()


def preview_files(report: str = "") -> dict[str, bytes]:
    """The files a good run writes into the staging folder (the report is empty then)."""
    return {f"{FOLDER}/banner.js": SCRIPT.read_bytes(), f"{FOLDER}/problems.json": _report_json(report)}


def show(staging_dir: Path, report: str) -> None:
    """After a failed run (nothing else is written): replace the report in one step (rename), so the
    preview server never copies a half-written file."""
    path = report_file(staging_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(".problems.partial")
    partial.write_bytes(_report_json(report))
    os.replace(partial, path)


def on_post_page(output: str, page: Any, config: Any, **kwargs: Any) -> str:
    """MkDocs hook: load the banner script on every preview page."""
    src = get_relative_url(f"{FOLDER}/banner.js", page.url)
    return output.replace("</head>", f'<script src="{src}" defer></script>\n</head>', 1)


# --- MkDocs' warnings ---------------------------------------------------------------------------------

_DOC_FILE = re.compile(r"^Doc file '(?P<page>[^']+)' ")
# MkDocs' link and anchor warnings (mkdocs/structure/pages.py) → what an editor reads.
_IN_CHINESE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"contains a link '(?P<url>[^']*)', but the target(?: '[^']*')? is not found among documentation "
                r"files\."), "链接 {url} 指向的页面不存在（link target not found）。"),
    (re.compile(r"contains a link '(?P<url>[^']*)', but there is no such anchor on this page\."),
     "链接 {url} 指向本页的一个标题，但本页没有这个标题（anchor not found）。"),
    (re.compile(r"contains a link '(?P<url>[^']*)', but the doc '(?P<doc>[^']*)' does not contain an anchor "
                r"'(?P<anchor>[^']*)'\."), "链接 {url}：{doc} 里没有 {anchor} 这个标题（anchor not found）。"),
    (re.compile(r"contains an unrecognized relative link '(?P<url>[^']*)'"),
     "链接 {url} 没有指向一个 .md 文件（unrecognized link）：链接到别的页面请写它的文件名，如 about.md。"),
    (re.compile(r"contains an absolute link '(?P<url>[^']*)'"),
     "链接 {url} 以 / 开头（absolute link）：网站放在子路径下时会失效，请写相对于本页的文件名，如 about.md。"),
]
_SUGGESTION = re.compile(r"Did you mean '(?P<url>[^']*)'\?")
# What a kept warning waits for: a missing file (its path under docs), or a heading in another page.
_MISSING_TARGET = re.compile(
    r"contains a link '(?P<url>[^'#]*)[^']*', but the target(?: '(?P<target>[^']*)')? is not found")
_MISSING_ANCHOR = re.compile(r"but the doc '(?P<doc>[^']*)' does not contain an anchor '#(?P<anchor>[^']*)'")


def in_chinese(message: str) -> str:
    for pattern, text in _IN_CHINESE:
        found = pattern.search(message)
        if found:
            suggestion = _SUGGESTION.search(message)
            return text.format(**found.groupdict()) + (f"是不是想写 {suggestion['url']}？" if suggestion else "")
    return message


def shown_path(src_uri: str) -> str:
    """docs/about.md for an editor's page; a generated page says so (its text comes from data/ and templates)."""
    docs = os.environ.get(DOCS_DIR_VARIABLE)
    if not src_uri or (docs and Path(docs, src_uri).is_file()):
        return f"docs/{src_uri}" if src_uri else "mkdocs.yml"
    return f"{src_uri}（生成的页面 generated page）"


def still_holds(message: str, files: Any) -> bool:
    """Whether a warning about a page that was not rendered again still holds. A dirty build validates only the
    pages it renders, so a link fixed by adding the missing page, or the missing heading to another page, would
    otherwise be warned about until its own page is saved again."""
    if files is None:
        return True
    target = _MISSING_TARGET.search(message)
    if target:
        return files.get_file_from_path(target["target"] or target["url"].lstrip("/")) is None
    anchor = _MISSING_ANCHOR.search(message)
    if anchor:
        doc = files.get_file_from_path(anchor["doc"])
        anchors = getattr(getattr(doc, "page", None), "present_anchor_ids", None)
        return doc is not None and (anchors is None or anchor["anchor"] not in anchors)
    return True


class _Collector(logging.Handler):
    """MkDocs' warnings during one build, by the page they are about ("" when about none)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.page = ""  # the page being rendered
        self.rendered: set[str] = set()
        self.found: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        named = _DOC_FILE.match(message)
        self.found.append((named["page"] if named else self.page, message))


_collector: _Collector | None = None
_files: Any = None  # this build's files (MkDocs' Files), to see whether a kept warning still holds


def on_pre_build(config: Any, **kwargs: Any) -> None:
    global _collector
    _collector = _Collector()
    logging.getLogger("mkdocs").addHandler(_collector)


def on_files(files: Any, config: Any, **kwargs: Any) -> Any:
    global _files
    _files = files
    return files


def on_build_error(error: Exception, **kwargs: Any) -> None:
    """A failed build: stop collecting (the next build starts a new collector)."""
    global _collector
    if _collector is not None:
        logging.getLogger("mkdocs").removeHandler(_collector)
        _collector = None


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if _collector is not None:
        _collector.page = page.file.src_uri
        _collector.rendered.add(page.file.src_uri)
    return markdown


def on_page_content(html: str, page: Any, **kwargs: Any) -> str:
    if _collector is not None:
        _collector.page = ""
    return html


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Write every page's warnings: the pages rendered now replace their earlier ones."""
    global _collector
    collector, _collector = _collector, None
    if collector is None:
        return
    logging.getLogger("mkdocs").removeHandler(collector)
    path = Path(config.site_dir, FOLDER, WARNINGS_FILE)
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))["warnings"]
    except (OSError, ValueError, KeyError):
        earlier = []
    # A page rendered again, or gone, has only its new warnings; one not warned about "" (the site) is fresh each time.
    kept = [w for w in earlier if w["page"] and w["page"] not in collector.rendered
            and Path(config.docs_dir, w["page"]).is_file() and "mkdocs" in w]
    kept = [w for w in kept if still_holds(w["mkdocs"], _files)]
    new = [{"page": page, "file": shown_path(page), "message": in_chinese(message), "mkdocs": message}
           for page, message in dict.fromkeys(collector.found)]
    for warning in new:
        print(f"MkDocs 警告 {warning['file']}：{warning['message']}", file=sys.stderr, flush=True)
    warnings = sorted(kept + new, key=lambda w: (w["file"], w["message"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"title": WARNINGS_TITLE, "warnings": warnings, "after": WARNINGS_AFTER},
                               ensure_ascii=False), encoding="utf-8")
