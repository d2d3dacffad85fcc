"""Live preview: regenerate pages when ``data/``, ``docs/`` or ``overrides/`` change.

MkDocs' own server watches the staging folder and reloads the browser; this
module keeps the staging folder up to date. A broken edit is reported in the
terminal and the preview keeps showing the last good pages, each with a
banner listing the problems (``preview_banner``) until the data is good again.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

import jinja2
from mkdocs.commands.serve import serve as mkdocs_serve

from . import preview_banner
from .build import BuildFailed, Project, generate_pages, load_catalogue, mkdocs_config
from .problems import DataError
from .render import SiteInfo

POLL_SECONDS = 0.5


def serve(project: Project, dev_addr: str) -> None:
    config = mkdocs_config(project, project.work_dir / "serve-config-probe")
    site = SiteInfo(config.site_name, config.site_url or "")
    if not regenerate(project, site) and not (project.staging_dir / "index.md").exists():
        sys.exit(1)  # nothing good to show yet; the problems were printed
    preview_banner.problems_file(project.work_dir).parent.mkdir(parents=True, exist_ok=True)
    watched = [project.data_dir, project.docs_dir, project.root / "overrides"]
    watcher = threading.Thread(target=_watch, args=(project, site, watched), daemon=True)
    watcher.start()
    # Generated pages are kept out of the nav on purpose; listing them on every rebuild would bury our errors.
    logging.getLogger("mkdocs.structure.nav").setLevel(logging.WARNING)
    mkdocs_serve(
        str(project.config_file),
        livereload=True,
        watch_theme=True,
        docs_dir=str(project.staging_dir),
        dev_addr=dev_addr,
        # Preview only: the error banner's hook, and its problems file's folder to watch.
        hooks=[*config.hooks, preview_banner.__file__],
        watch=[str(preview_banner.problems_file(project.work_dir).parent)],
    )


def regenerate(project: Project, site: SiteInfo) -> bool:
    """Validate and write changed pages; on bad data keep the last good pages."""
    try:
        catalogue = load_catalogue(project)
        writer = generate_pages(project, catalogue, site)
    except DataError as error:
        report = error.report().replace("网站没有生成，已发布的 site/ 保持不变。", "预览保持上一次正确的版本。")
        _failed(project, report)
        return False
    except (BuildFailed, jinja2.TemplateError) as error:  # a page template or the map settings
        where = f"{error.filename}:{error.lineno}: " if isinstance(error, jinja2.TemplateSyntaxError) else ""
        _failed(project, f"{where}页面生成失败（page generation failed）：{error}\n预览保持上一次正确的版本。")
        return False
    preview_banner.clear(project.work_dir)
    print(f"[{time.strftime('%H:%M:%S')}] 数据校验通过（data OK），{writer.changed} 个页面已更新。",
          file=sys.stderr, flush=True)
    return True


def _failed(project: Project, report: str) -> None:
    """Say it in the terminal, with a time so a new failure is told from an old one, and on every page."""
    red, plain = ("\033[1;31m", "\033[0m") if sys.stderr.isatty() else ("", "")
    print(f"\n{red}[{time.strftime('%H:%M:%S')}] ✗ 最近一次修改没有通过校验（validation failed）：{plain}\n{report}\n",
          file=sys.stderr, flush=True)
    preview_banner.show(project.work_dir, report)


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
