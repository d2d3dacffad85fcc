"""Live preview: regenerate pages when ``data/``, ``docs/``, ``overrides/`` or the page templates change.

MkDocs' own server watches the staging folder, rebuilds only the pages whose
files changed (a dirty build) and reloads the browser; this module keeps the
staging folder up to date. An edit re-parses only the changed data files and
re-renders only the pages whose input records changed (``incremental``), and
the writer touches only files whose content changed, so one edit costs little
at 10,000 stations. A broken edit is reported in the terminal and the preview
keeps showing the last good pages, each with a banner listing the problems
(``banner``) until the data is good again.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path

import jinja2
from mkdocs.commands.serve import serve as mkdocs_serve
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ..outputs.render import SiteInfo
from ..pipeline.build import (
    BuildFailed,
    Project,
    check_publishable,
    generate_pages,
    load_catalogue,
    mkdocs_config,
    site_extra,
)
from ..pipeline.problems import DataError
from ..pipeline.resolve import Catalogue
from . import banner, reload
from .incremental import Caches

QUIET_SECONDS = 0.3


def serve(project: Project, dev_addr: str) -> None:
    config = mkdocs_config(project, project.work_dir / "serve-config-probe")
    site = SiteInfo(config.site_name, config.site_url or "")
    caches = Caches(extra={**banner.preview_files(), **reload.files()})
    project = dataclasses.replace(project, reuse=caches)  # the preview is a cache over the same pipeline
    catalogue = regenerate(project, site, caches)
    if catalogue is None and not (project.staging_dir / "index.md").exists():
        sys.exit(1)  # nothing good to show yet; the problems were printed
    # The pages' Content-Security-Policy, as in a build. The map documents, the only pages that load tiles,
    # are regenerated with their own policy on every run, so a change of tiles needs no restart.
    # The footer's identity too; and what must change before publishing, as warnings.
    extra = {**config.extra, **site_extra(catalogue.settings if catalogue else None)}
    if catalogue is not None:
        check_publishable(project, config, catalogue)
    watched = [project.data_dir, project.docs_dir, project.root / "overrides", project.templates_dir]
    watcher = threading.Thread(target=_watch, args=(project, site, caches, watched), daemon=True)
    watcher.start()
    # Generated pages are kept out of the nav on purpose; listing them on every rebuild would bury our errors.
    logging.getLogger("mkdocs.structure.nav").setLevel(logging.WARNING)
    # MkDocs warns on every dirty build that links may be stale: the preview chose that, so not on every save.
    logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
    reload.install()  # MkDocs' live reload from a file: the policy refuses inline scripts
    os.environ[banner.DOCS_DIR_VARIABLE] = str(project.docs_dir)  # the hook names an editor's page docs/…
    mkdocs_serve(
        str(project.config_file),
        livereload=True,
        build_type="dirty",  # the first build is complete; later ones rebuild only changed files
        watch_theme=True,
        docs_dir=str(project.staging_dir),
        dev_addr=dev_addr,
        hooks=[*config.hooks, banner.__file__],  # preview only: the error banner's script
        extra=extra,
    )


def regenerate(project: Project, site: SiteInfo, caches: Caches) -> Catalogue | None:
    """Validate and write changed pages; on bad data keep the last good pages (and return None)."""
    started = time.perf_counter()
    caches.start_run()
    try:
        catalogue = load_catalogue(project)
        writer = generate_pages(project, catalogue, site)
    except DataError as error:
        report = error.report(after="预览保持上一次正确的版本。")
        _failed(project, caches, report)
        return None
    except (BuildFailed, jinja2.TemplateError) as error:  # a page template or the map settings
        where = f"{error.filename}:{error.lineno}: " if isinstance(error, jinja2.TemplateSyntaxError) else ""
        _failed(project, caches, f"{where}页面生成失败（page generation failed）：{error}\n预览保持上一次正确的版本。")
        return None
    except Exception as error:  # noqa: BLE001 - a bug, or a template raising ValueError: say so, keep serving
        caches.clear()  # a run that stopped half-way may have left its caches half-updated
        where = "".join(traceback.format_exception(error)[-3:]).rstrip()
        _failed(project, caches, f"生成页面时出错（unexpected error）：{where}\n"
                                 "预览保持上一次正确的版本；改好后保存，预览会再试（the next save tries again）。")
        return None
    # What is alive now is the cache, kept for the whole session: out of the collector's way, or its full
    # passes over 10,000 records' objects cost seconds of each run.
    gc.collect()
    gc.freeze()
    print(f"[{time.strftime('%H:%M:%S')}] 数据校验通过（data OK），{writer.changed} 个文件已更新；"
          f"沿用未改动的 {caches.files_reused} 个数据文件和 {caches.pages_reused} 个页面"
          f"（{time.perf_counter() - started:.1f} 秒）。", file=sys.stderr, flush=True)
    return catalogue


def _failed(project: Project, caches: Caches, report: str) -> None:
    """Say it in the terminal, with a time so a new failure is told from an old one, and on every page."""
    red, plain = ("\033[1;31m", "\033[0m") if sys.stderr.isatty() else ("", "")
    print(f"\n{red}[{time.strftime('%H:%M:%S')}] ✗ 最近一次修改没有通过校验（validation failed）：{plain}\n{report}\n",
          file=sys.stderr, flush=True)
    banner.show(project.staging_dir, report)
    # Written behind the writer's back: the next good run must write its empty report again.
    caches.written.digests.pop(str(banner.report_file(project.staging_dir)), None)


class _Changes(FileSystemEventHandler):
    """Paths that changed since the last ``take()``, told by the operating system: polling 10,000 data
    files twice a second kept half a core busy and slowed the very rebuild it was waiting for."""

    def __init__(self) -> None:
        self._paths: set[Path] = set()
        self._lock = threading.Lock()
        self.happened = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Not "opened"/"closed": the rebuild itself reads every data file.
        if event.is_directory or event.event_type not in ("created", "modified", "deleted", "moved"):
            return
        with self._lock:
            self._paths.update(Path(os.fsdecode(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p)
        self.happened.set()

    def take(self) -> set[Path]:
        with self._lock:
            paths, self._paths = self._paths, set()
        self.happened.clear()
        return paths


def _watch(project: Project, site: SiteInfo, caches: Caches, folders: list[Path]) -> None:
    changes = _Changes()
    observer = Observer()
    for folder in folders:
        observer.schedule(changes, str(folder), recursive=True)
    observer.start()
    while True:
        changes.happened.wait()
        while changes.happened.wait(QUIET_SECONDS):  # an editor saving several files: wait for the last
            changes.happened.clear()
        changed = changes.take()
        if any(not path.is_relative_to(project.data_dir) for path in changed):
            caches.clear()  # templates or hand-written docs changed: pages may depend on them in any way
        regenerate(project, site, caches)
