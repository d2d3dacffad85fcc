"""Live preview: regenerate pages when ``data/``, ``docs/`` or ``overrides/`` change.

MkDocs' own server watches the staging folder and reloads the browser; this
module keeps the staging folder up to date. A broken edit is reported in the
terminal and the preview keeps showing the last good pages.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from mkdocs.commands.serve import serve as mkdocs_serve

from .build import Project, generate_pages, load_catalogue, mkdocs_config, quiet_jieba
from .problems import DataError
from .render import SiteInfo

POLL_SECONDS = 0.5


def serve(project: Project, dev_addr: str) -> None:
    config = mkdocs_config(project, project.work_dir / "serve-config-probe")
    site = SiteInfo(config.site_name, config.site_url or "")
    if not regenerate(project, site) and not (project.staging_dir / "index.md").exists():
        sys.exit(1)  # nothing good to show yet; the problems were printed
    watched = [project.data_dir, project.docs_dir, project.root / "overrides"]
    watcher = threading.Thread(target=_watch, args=(project, site, watched), daemon=True)
    watcher.start()
    quiet_jieba()
    mkdocs_serve(
        str(project.config_file),
        livereload=True,
        watch_theme=True,
        docs_dir=str(project.staging_dir),
        dev_addr=dev_addr,
    )


def regenerate(project: Project, site: SiteInfo) -> bool:
    """Validate and write changed pages; on bad data keep the last good pages."""
    try:
        catalogue = load_catalogue(project)
    except DataError as error:
        print(error.report().replace("网站没有生成，已发布的 site/ 保持不变。", "预览保持上一次正确的版本。"),
              file=sys.stderr, flush=True)
        return False
    writer = generate_pages(project, catalogue, site)
    print(f"数据校验通过，{writer.changed} 个页面已更新。", file=sys.stderr, flush=True)
    return True


def _snapshot(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    state = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                stat = path.stat()
                state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


def _watch(project: Project, site: SiteInfo, folders: list[Path]) -> None:
    before = _snapshot(folders)
    while True:
        time.sleep(POLL_SECONDS)
        now = _snapshot(folders)
        if now != before:
            before = now
            regenerate(project, site)
