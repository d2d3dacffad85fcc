"""The live preview's error banner: while the latest edit fails validation, every
preview page starts with a red box that lists the problems.

``serve`` writes the problems to ``<work>/preview/problems.txt`` (and deletes the
file once the data is good again) and loads this file as a MkDocs hook for the
preview only, so published builds never contain the banner. MkDocs loads hooks
by file path, not as part of the ``scripts`` package: keep this module to the
standard library.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

TITLE = "预览没有更新：最近一次修改没有通过校验（the latest edit has problems; showing the last good version）"


def problems_file(work_dir: Path) -> Path:
    return work_dir / "preview" / "problems.txt"


def show(work_dir: Path, report: str) -> None:
    """Write in one step (rename), so a rebuild never reads a half-written file."""
    path = problems_file(work_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(".problems.partial")
    partial.write_text(report, encoding="utf-8")
    os.replace(partial, path)


def clear(work_dir: Path) -> None:
    problems_file(work_dir).unlink(missing_ok=True)


def banner(report: str) -> str:
    """A Material admonition as an HTML block: the report is escaped, so nothing in it becomes markup, and
    it wraps instead of scrolling sideways on a phone."""
    return (
        '<div class="admonition danger preview-problems" role="alert">\n'
        f'<p class="admonition-title">{TITLE}</p>\n'
        '<pre style="white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.6em 0;">'
        f"<code>{html.escape(report.strip())}</code></pre>\n"
        "<p>改正后保存，预览会自动刷新。</p>\n"
        "</div>\n\n"
    )


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any, **kwargs: Any) -> str:
    """MkDocs hook. The staging folder is ``<work>/docs``, so the problems file sits beside it."""
    path = problems_file(Path(config["docs_dir"]).parent)
    if not path.is_file():
        return markdown
    return banner(path.read_text(encoding="utf-8")) + markdown
