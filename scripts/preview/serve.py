"""Live preview: regenerate pages when ``data/``, ``docs/``, ``overrides/``, the page templates or ``mkdocs.yml``
change, and show them in the browser, which reloads by itself.

The operating system tells the preview which source files changed (polling 10,000 data files twice a second
kept half a core busy). An edit re-parses only the changed data files and re-renders only the pages whose input
records changed (``incremental``), and the writer touches only files whose content changed; MkDocs, kept loaded
between edits (``resident``), then renders just the pages whose files the writer changed. So one edit costs
little at 10,000 stations. A broken edit is reported in the terminal and the preview keeps showing the last good
pages, each with a banner listing the problems (``banner``) until the data is good again.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import jinja2
from mkdocs.config import load_config
from mkdocs.config.base import ValidationError
from mkdocs.config.config_options import IpAddress
from mkdocs.config.defaults import MkDocsConfig
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
    open_data_files,
    site_extra,
    site_url,
)
from ..pipeline.problems import DataError
from ..pipeline.resolve import Catalogue
from ..pipeline.write import TreeWriter
from ..records.models import SiteSettings
from . import banner, reload
from .incremental import Caches
from .resident import ResidentSite

QUIET_SECONDS = 0.3  # an editor saving several files: wait for the last


@dataclasses.dataclass
class Regenerated:
    """One run of the pipeline for the preview: the catalogue (None when the data has problems), the files it
    changed in the staging folder (paths under it), and whether MkDocs must look at every file instead (a file was
    removed, or a run that failed half-way may have written some)."""

    catalogue: Catalogue | None
    changed: list[str]
    rescan: bool = False


def serve(project: Project, dev_addr: str) -> None:
    try:
        host, port = IpAddress().validate(dev_addr)
    except ValidationError:
        sys.exit(f"--dev-addr {dev_addr}：要写成 地址:端口，如 127.0.0.1:8000（expected IP:PORT）。")
    mount_path = urllib.parse.urlsplit(site_url(project.config_file) or "/").path or "/"
    changes = _Changes(project)
    observer = Observer()  # started before the first build: a save during it is not lost
    for folder in changes.folders:
        observer.schedule(changes, str(folder), recursive=True)
    observer.schedule(changes, str(project.config_file.parent), recursive=False)  # mkdocs.yml
    site_dir = Path(tempfile.mkdtemp(prefix="xinfu-preview-"))
    server: reload.PreviewServer | None = None
    preview: LivePreview | None = None
    try:
        preview = LivePreview(project, site_dir, f"http://{host}:{port}{mount_path}")
        server = reload.PreviewServer(builder=lambda: preview.rebuild(changes.take()), host=host, port=port,
                                      root=str(site_dir), mount_path=mount_path,
                                      watched=[str(f) for f in changes.folders])
        server.build_delay = QUIET_SECONDS
        server.error_handler = lambda code: _error_page(site_dir, code)
        changes.on_change = server.request_rebuild
        try:
            server.listen()
        except OSError as error:  # the port is taken: say so now, not after the first build
            sys.exit(f"无法在 {host}:{port} 上预览（cannot listen）：{error.strerror}。"
                     f"换一个端口，如 --dev-addr {host}:{port + 1}。")
        observer.start()
        if not preview.start():
            sys.exit(1)  # nothing good to show yet; the problems were printed
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        if preview is not None:
            preview.later.stop()
        if observer.is_alive():
            observer.stop()
        if server is not None:
            server.shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None


class LivePreview:
    """What the preview keeps between edits: the pipeline's caches (``incremental``), MkDocs loaded (``resident``)
    with its site in ``site_dir``, served at ``serve_url``, and the open data written after each edit."""

    def __init__(self, project: Project, site_dir: Path, serve_url: str) -> None:
        self.config = mkdocs_config(project, project.work_dir / "serve-config-probe")
        self.site = SiteInfo(self.config.site_name, self.config.site_url or "")
        self.caches = Caches(extra={**banner.preview_files(), **reload.files()})
        self.project = dataclasses.replace(project, reuse=self.caches)  # the preview is a cache over the pipeline
        self.site_dir = site_dir
        self.settings: SiteSettings | None = None  # the last good data's, for the frame of every page (site_extra)
        self.extra = dict(self.config.extra)
        self.resident = ResidentSite(self._fresh_config, serve_url)
        self.later = _OpenDataLater(self.project, self.site, self.caches, self.resident)

    def _fresh_config(self) -> MkDocsConfig:
        served = load_config(str(self.project.config_file), docs_dir=str(self.project.staging_dir),
                             site_dir=str(self.site_dir), extra=self.extra,
                             hooks=[*self.config.hooks, banner.__file__])  # preview only: the error banner's script
        served.site_url = self.resident.serve_url
        return served

    def start(self) -> bool:
        """The first complete run; False when there is nothing good to show (the problems were printed)."""
        first = regenerate(self.project, self.site, self.caches)
        if first.catalogue is None and not (self.project.staging_dir / "index.md").exists():
            return False
        if first.catalogue is not None:
            self.settings = first.catalogue.settings
            self.later.write(first.catalogue)
            check_publishable(self.project, self.config, first.catalogue)  # what must change before publishing
        # The pages' Content-Security-Policy and the footer's identity, as in a build (a change to either renders
        # every page again: ``rebuild``).
        self.extra.update(site_extra(self.settings))
        # Generated pages are kept out of the nav on purpose; listing them on every rebuild would bury our errors.
        logging.getLogger("mkdocs.structure.nav").setLevel(logging.WARNING)
        # MkDocs warns on every dirty build that links may be stale: the preview chose that, so not on every save.
        logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
        os.environ[banner.DOCS_DIR_VARIABLE] = str(self.project.docs_dir)  # the hook names an editor's page docs/…
        self.resident.build(dirty=False)
        return True

    def rebuild(self, changed: set[Path]) -> None:
        """After a change of sources: regenerate what they feed, let MkDocs render what that changed, and return
        (the server then reloads the browsers); the open data follows in the background."""
        if not changed:
            return
        project = self.project
        self.later.stop()  # it would write what this run may change: this run starts it again
        configured = project.config_file in changed
        if configured:  # mkdocs.yml: the site's name and address, and its extra settings
            self.config = mkdocs_config(project, project.work_dir / "serve-config-probe")
            self.site = self.later.site = SiteInfo(self.config.site_name, self.config.site_url or "")
        if any(not path.is_relative_to(project.data_dir) for path in changed):
            self.caches.clear()  # templates or hand-written docs changed: pages may depend on them in any way
        result = regenerate(project, self.site, self.caches, self.later.paths)
        if result.catalogue is not None:
            self.settings = result.catalogue.settings
        # The policy and the footer's identity are in every page's frame (data/site.yaml, or mkdocs.yml's extra).
        extra = {**self.config.extra, **site_extra(self.settings)}
        complete = configured or extra != self.extra or any(
            path.is_relative_to(project.root / "overrides") for path in changed)
        self.extra = extra
        shown = list(dict.fromkeys([*result.changed, *sorted(self.later.unshown)]))
        if _show_or_say(self.resident, shown, complete=complete, rescan=result.rescan):
            self.later.unshown.clear()
        if result.catalogue is not None:
            self.later.start(result.catalogue)


def _show(resident: ResidentSite, changed: list[str], *, complete: bool = False, rescan: bool = False) -> str:
    """Have MkDocs render what changed, the cheapest way that is right; say which way."""
    needs = "complete" if complete else "dirty" if rescan else resident.update(changed)
    if needs == "complete":  # the theme, the configuration, the footer's identity: every page's frame may change
        resident.build(dirty=False)
        return "全部页面重新生成（complete build）"
    if needs == "dirty":
        resident.build(dirty=True)
        return "重新登记全部文件（dirty build）"
    return f"{len(changed)} 个文件重新生成（changed files only）"


def _show_or_say(resident: ResidentSite, changed: list[str], **how: bool) -> bool:
    """``_show``, saying when and how long; if MkDocs fails (a Markdown extension, a theme template), say so in the
    terminal and return False: the preview keeps serving, and the next save tries again."""
    started = time.perf_counter()
    try:
        done = _show(resident, changed, **how)
    except Exception as error:  # noqa: BLE001 - whatever MkDocs raised, the editor gets a message, not a traceback
        where = "".join(traceback.format_exception_only(error)).strip()
        print(f"[{time.strftime('%H:%M:%S')}] MkDocs 生成页面失败（MkDocs failed）：{where}\n"
              "改好后保存，预览会再试（the next save tries again）。", file=sys.stderr, flush=True)
        return False
    print(f"[{time.strftime('%H:%M:%S')}] 预览已更新（preview updated）：{done}，"
          f"{time.perf_counter() - started:.1f} 秒。", file=sys.stderr, flush=True)
    return True


class _OpenDataLater:
    """The open data downloads (``open_data_files``: every record, seconds at 10,000 stations), written after an
    edit has been shown, in a thread of their own. The next edit stops them (between two files) and starts them
    again once its pages are shown; until then the downloads are those of an earlier edit. They do not reload the
    browsers a second time: the open data page shows its new sizes when it is next opened."""

    def __init__(self, project: Project, site: SiteInfo, caches: Caches, resident: ResidentSite) -> None:
        self.project, self.site, self.caches, self.resident = project, site, caches, resident
        self.paths: set[str] = set()  # what the open data wrote last time: the pages' runs leave these alone
        self.unshown: set[str] = set()  # written to the staging folder by a run that stopped before MkDocs saw them
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, catalogue: Catalogue) -> None:
        self.stopping.clear()
        self._thread = threading.Thread(target=self.write, args=(catalogue,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.stopping.set()
            self._thread.join()
            self._thread = None

    def wait(self) -> None:
        """Until the open data of the latest edit is written."""
        if self._thread is not None:
            self._thread.join()

    def write(self, catalogue: Catalogue) -> None:
        started = time.perf_counter()
        staging = self.project.staging_dir
        writer = TreeWriter(staging, self.caches.written_files())
        try:
            for path, content in open_data_files(self.project, catalogue, self.site):
                if self.stopping.is_set():
                    self.unshown.update(writer.changed_paths)  # the next edit's run shows them
                    return
                writer.write(path, content)
        except Exception as error:  # noqa: BLE001 - a bug: say so; the pages are shown, the next save tries again
            self.unshown.update(writer.changed_paths)
            where = "".join(traceback.format_exception(error)[-3:]).rstrip()
            print(f"[{time.strftime('%H:%M:%S')}] 开放数据没有更新（open data not updated）：{where}",
                  file=sys.stderr, flush=True)
            return
        written = {Path(path).relative_to(staging).as_posix() for path in writer.written}
        gone = self.paths - written
        for path in gone:
            (staging / path).unlink(missing_ok=True)
            self.caches.written_files().digests.pop(str(staging / path), None)
        self.paths = written
        self.unshown.update(writer.changed_paths)
        if self.resident.config is not None and (self.unshown or gone) \
                and not _show_or_say(self.resident, sorted(self.unshown), rescan=bool(gone)):
            return  # the next edit shows them
        self.unshown.clear()  # shown, or MkDocs has not built yet (its next build reads the whole staging folder)
        print(f"[{time.strftime('%H:%M:%S')}] 开放数据已更新（open data updated）：{writer.changed} 个文件，"
              f"{time.perf_counter() - started:.1f} 秒。", file=sys.stderr, flush=True)


def regenerate(project: Project, site: SiteInfo, caches: Caches, later: set[str] | None = None) -> Regenerated:
    """Validate and write changed pages, all but the open data (its files last time: ``later``), which
    ``_OpenDataLater`` writes; on bad data keep the last good pages (no catalogue then)."""
    started = time.perf_counter()
    caches.start_run()
    try:
        catalogue = load_catalogue(project)
        writer = generate_pages(project, catalogue, site, later=later or set())
    except DataError as error:
        report = error.report(after="预览保持上一次正确的版本。")
        return _failed(project, caches, report, rescan=False)  # found before anything was written
    except (BuildFailed, jinja2.TemplateError) as error:  # a page template or the map settings
        where = f"{error.filename}:{error.lineno}: " if isinstance(error, jinja2.TemplateSyntaxError) else ""
        return _failed(project, caches,
                       f"{where}页面生成失败（page generation failed）：{error}\n预览保持上一次正确的版本。")
    except Exception as error:  # noqa: BLE001 - a bug, or a template raising ValueError: say so, keep serving
        caches.clear()  # a run that stopped half-way may have left its caches half-updated
        where = "".join(traceback.format_exception(error)[-3:]).rstrip()
        return _failed(project, caches, f"生成页面时出错（unexpected error）：{where}\n预览保持上一次正确的版本；"
                                        "改好后保存，预览会再试（the next save tries again）。")
    # What is alive now is the cache, kept for the whole session: out of the collector's way, or its full
    # passes over 10,000 records' objects cost seconds of each run.
    gc.collect()
    gc.freeze()
    print(f"[{time.strftime('%H:%M:%S')}] 数据校验通过（data OK），{writer.changed} 个文件已更新；"
          f"沿用未改动的 {caches.files_reused} 个数据文件和 {caches.pages_reused} 个页面"
          f"（{time.perf_counter() - started:.1f} 秒）。", file=sys.stderr, flush=True)
    return Regenerated(catalogue, writer.changed_paths, rescan=bool(writer.removed))


def _failed(project: Project, caches: Caches, report: str, rescan: bool = True) -> Regenerated:
    """Say it in the terminal, with a time so a new failure is told from an old one, and on every page."""
    red, plain = ("\033[1;31m", "\033[0m") if sys.stderr.isatty() else ("", "")
    print(f"\n{red}[{time.strftime('%H:%M:%S')}] ✗ 最近一次修改没有通过校验（validation failed）：{plain}\n{report}\n",
          file=sys.stderr, flush=True)
    banner.show(project.staging_dir, report)
    # Written behind the writer's back: the next good run must write its empty report again.
    report_file = banner.report_file(project.staging_dir)
    caches.written.digests.pop(str(report_file), None)
    return Regenerated(None, [report_file.relative_to(project.staging_dir).as_posix()], rescan)


class _Changes(FileSystemEventHandler):
    """Source paths that changed since the last ``take()``, told by the operating system; each change calls
    ``on_change`` (the server's rebuild request)."""

    def __init__(self, project: Project) -> None:
        self.folders = [project.data_dir, project.docs_dir, project.root / "overrides", project.templates_dir]
        self.config_file = project.config_file
        self.on_change: Callable[[], None] = lambda: None
        self._paths: set[Path] = set()
        self._lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Not "opened"/"closed": the rebuild itself reads every data file.
        if event.is_directory or event.event_type not in ("created", "modified", "deleted", "moved"):
            return
        paths = {Path(os.fsdecode(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p}
        paths = {p for p in paths if p == self.config_file or any(p.is_relative_to(f) for f in self.folders)}
        if paths:
            with self._lock:
                self._paths.update(paths)
            self.on_change()

    def take(self) -> set[Path]:
        with self._lock:
            paths, self._paths = self._paths, set()
        return paths
