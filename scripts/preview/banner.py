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
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mkdocs.utils import get_relative_url

FOLDER = "_preview"
SCRIPT = Path(__file__).with_name("banner.js")
TITLE = "预览没有更新：最近一次修改没有通过校验（the latest edit has problems; showing the last good version）"
AFTER = "改正后保存，预览会自动刷新。"


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
