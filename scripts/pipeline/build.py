"""The pipeline, top to bottom: load → check → resolve → render → write → MkDocs → search → guard.

Each stage's modules say which stage they are in by name, at the top of their docstring.

Everything is read and checked before anything is written, and MkDocs builds
into a temporary folder that replaces ``site/`` only when the build succeeded,
so a broken record never leaves a half-built or missing site.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.utils.yaml import yaml_load
from pydantic import BaseModel

from ..outputs import csp, maps, offline, open_data, photos, record_pages, search_index, station_extras
from ..outputs.render import PageRenderer, SiteInfo, published_path
from ..records.models import SiteSettings
from ..records.registry import RecordType, collections
from . import forks, guard, links, precompress, publish_check
from .check import check_record
from .content_rules import check_content
from .load import RawRecord, data_paths, load_file
from .problems import ProblemLog
from .resolve import Catalogue, build_catalogue
from .reuse import NOTHING_REUSED, Reuse, file_stamp
from .write import DuplicateOutputError, TreeWriter

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_SITE = "site.previous"  # under the work folder: the site the last build replaced, deleted by the next
TIME_ZONE = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Project:
    """Where things are, and what a run may reuse from an earlier one (nothing, but in the live preview).
    Tests point ``data_dir``, ``work_dir`` and ``site_dir`` elsewhere."""

    root: Path = ROOT
    data_dir: Path = ROOT / "data"
    work_dir: Path = ROOT / "build"
    site_dir: Path = ROOT / "site"
    reuse: Reuse = NOTHING_REUSED
    publish: bool = False  # the official site's build: placeholders fail it (publish_check) instead of warning
    # Pages with an HTML body built in parallel outside MkDocs' loop (outputs/record_pages.py); False builds
    # them in MkDocs' loop, as plain MkDocs does (the same HTML: tests compare the two).
    fast_pages: bool = True

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def templates_dir(self) -> Path:
        return self.root / "scripts" / "outputs" / "templates"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def staging_dir(self) -> Path:
        """Hand-written docs plus generated pages: the ``docs_dir`` MkDocs builds."""
        return self.work_dir / "docs"


class BuildFailed(Exception):
    """A stage after validation failed: the map settings, MkDocs (for example a broken link in strict
    mode) or the search index. The message says which."""


@dataclass
class BuildReport:
    pages_written: int = 0
    pages_unchanged: int = 0
    files_in_memory: int = 0  # handed to MkDocs without the staging folder (per_record_paths)
    seconds: dict[str, float] = field(default_factory=dict)


def today() -> dt.date:
    """Today in China, or ``SITE_TODAY`` (YYYY-MM-DD) so date checks can be tested."""
    override = os.environ.get("SITE_TODAY")
    return dt.date.fromisoformat(override) if override else dt.datetime.now(TIME_ZONE).date()


def check_file(kind: RecordType, path: Path, docs_dir: Path, problems: ProblemLog) -> list[tuple[RawRecord, BaseModel]]:
    """One data file's records that pass their own checks; every problem found goes to ``problems``."""
    checked = []
    for raw in load_file(kind, path, problems):
        check_content(raw, docs_dir, problems)
        record = check_record(raw, problems)
        if record is not None:
            checked.append((raw, record))
        elif isinstance(raw.data, dict) and isinstance(raw.data.get("id"), str):
            problems.rejected_ids.add(raw.data["id"])
    return checked


def load_catalogue(project: Project) -> Catalogue:
    """Read and check all data; raise ``DataError`` listing every problem found.

    The files are checked in one forked process per core; a file with a problem is checked again here,
    where its problems are logged. A file ``project.reuse`` has kept since it last passed its own checks
    unchanged is not parsed or checked again. Cross-record checks always run here.
    """
    problems = ProblemLog(project.data_dir.parent)  # paths show as data/…
    checked: list[tuple[RawRecord, BaseModel]] = []
    reuse = project.reuse
    stamped = [(kind, path, file_stamp(path)) for kind, path in data_paths(project.data_dir, problems)]
    kept = [reuse.checked_file(path, stamp) for _, path, stamp in stamped]
    to_check = [(kind, path) for (kind, path, _), records in zip(stamped, kept, strict=True) if records is None]

    def check_alone(kind_and_path: tuple[RecordType, Path]) -> list[tuple[RawRecord, BaseModel]] | None:
        own = ProblemLog(project.data_dir.parent)
        records = check_file(*kind_and_path, project.docs_dir, own)
        return None if len(own) else records

    fresh = iter(forks.ordered_map(check_alone, to_check, parallel=reuse.parallel))
    for (kind, path, stamp), records in zip(stamped, kept, strict=True):
        if records is None:
            records = next(fresh)
            if records is None:  # it has problems: check it again here, to log them
                records = check_file(kind, path, project.docs_dir, problems)
            else:
                reuse.keep_checked_file(path, stamp, records)
        checked.extend(records)
    catalogue = build_catalogue(checked, today(), problems)
    problems.raise_if_any()
    assert catalogue is not None  # every reason for None was reported above
    return catalogue


def generated_files(project: Project, catalogue: Catalogue, site: SiteInfo, *,
                    open_data_too: bool = True) -> Iterator[tuple[str, str | bytes]]:
    """Every generated file as (path under docs, content): pages, then data files and assets; without the open data
    (``open_data_files``) when not ``open_data_too``."""
    # Station photos: checked (size, format, no GPS in the source) before any page is made; see photos.py.
    photo_cache = project.work_dir / "cache" / "photos"
    photo_cache.mkdir(parents=True, exist_ok=True)
    try:
        station_photos = {station_id: photos.check_station_photos(station, project.docs_dir)
                          for station_id, station in catalogue.stations.items() if station.images}
    except photos.PhotoError as error:
        raise BuildFailed(str(error)) from None
    renderer = PageRenderer(project.templates_dir, catalogue, site, today(), project.reuse, station_photos)
    qr_cache = project.work_dir / "cache" / "qr"
    qr_cache.mkdir(parents=True, exist_ok=True)
    with_pages = {kind.name: kind for kind in collections() if kind.pages}
    records = [(name, record_id) for name, kind in with_pages.items()
               for record_id in catalogue.collection(kind.collection)]

    def record_files(item: tuple[str, str]) -> tuple[list[tuple[str, str]], set[str]]:
        kind = with_pages[item[0]]
        with renderer.icons.recording() as icons:
            return renderer.record_pages(kind, catalogue.collection(kind.collection)[item[1]]), icons

    # The records' pages are most of this stage's work: a build spreads them over the cores (the live preview
    # takes most of them from what it kept instead), and the stations' QR codes too.
    for files, icons in forks.ordered_map(record_files, records, parallel=project.reuse.parallel):
        renderer.icons.used |= icons
        yield from files

    def qr_code(station_id: str) -> tuple[str, bytes]:
        return station_extras.qr_file(catalogue.stations[station_id], site.url, qr_cache)

    yield from forks.ordered_map(qr_code, list(catalogue.stations), parallel=project.reuse.parallel)
    every_photo = [photo for shown in station_photos.values() for photo in shown]
    for files in forks.ordered_map(lambda photo: photos.variant_files(photo, project.docs_dir, photo_cache),
                                   every_photo, batch=4, parallel=project.reuse.parallel):
        yield from files
    yield from renderer.pages()
    for kind in collections():
        if kind.files is not None:
            yield from kind.files(catalogue, site.url)
    if open_data_too:
        yield from open_data.open_data_files(catalogue, site, renderer)
    try:
        yield from maps.map_files(catalogue)
    except maps.MapConfigError as error:
        raise BuildFailed(str(error)) from None
    yield from renderer.icons.files()  # last, so it holds exactly the icons the pages used


def open_data_files(project: Project, catalogue: Catalogue, site: SiteInfo) -> Iterator[tuple[str, str | bytes]]:
    """The open data downloads and their page, which read every record (seconds at 10,000 stations): the live
    preview writes them after it has shown an edit (``generate_pages(open_data_too=False)``)."""
    renderer = PageRenderer(project.templates_dir, catalogue, site, today(), project.reuse, {})
    yield from open_data.open_data_files(catalogue, site, renderer)


def html_page_paths(catalogue: Catalogue) -> set[str]:
    """The generated pages (under docs) whose body is HTML, not Markdown: those of an ``.html`` page template."""
    return {path for kind in collections() for record_id in catalogue.collection(kind.collection)
            for page, path in zip(kind.pages, kind.page_paths(record_id), strict=True)
            if page.template.endswith(".html") and path.endswith(".md")}


def per_record_paths(catalogue: Catalogue) -> set[str]:
    """The files (under docs) made for each record: its pages, a station's poster and QR code. At 10,000 stations
    these are 30,000 files, which a build hands MkDocs in memory instead of writing them to the staging folder
    for MkDocs to copy (on a disk where creating a file costs 0.3 ms, 15 s of the build)."""
    return {path for kind in collections() for record_id in catalogue.collection(kind.collection)
            for path in kind.page_paths(record_id)} | {station_extras.qr_path(s) for s in catalogue.stations}


def record_files(catalogue: Catalogue) -> dict[str, Path]:
    """The data file each record's pages come from, by the page's file in the site (for messages)."""
    pages: dict[str, Path] = {}
    for kind in collections():
        for record_id in catalogue.collection(kind.collection):
            source = catalogue.sources.get((kind.collection, record_id))
            for path in kind.page_paths(record_id) if source is not None else ():
                published = published_path(path)
                pages[published + "index.html" if published.endswith("/") or not published else published] = source
    return pages


def generate_pages(project: Project, catalogue: Catalogue, site: SiteInfo,
                   in_memory: dict[str, bytes] | None = None, *, later: set[str] | None = None) -> TreeWriter:
    """Write hand-written docs and generated files (and any files ``project.reuse`` adds) into the staging folder;
    with ``in_memory``, the files made for each record (``per_record_paths``) go there instead. With ``later`` (the
    paths the open data had last time), the open data is left as it is, for ``open_data_files`` to write after."""
    writer = TreeWriter(project.staging_dir, project.reuse.written_files())
    writer.copy_tree(project.docs_dir)
    kept = per_record_paths(catalogue) if in_memory is not None else set()
    for path in sorted(later or ()):
        writer.keep(path)
    for path, content in generated_files(project, catalogue, site, open_data_too=later is None):
        if in_memory is not None and (path in in_memory or path in kept and writer.has_written(path)):
            raise DuplicateOutputError(f"两处内容都要写入 {path}（duplicate output path）")
        if path in kept:
            assert in_memory is not None
            in_memory[path] = content.encode("utf-8") if isinstance(content, str) else content
        else:
            writer.write(path, content)
    for path, content in project.reuse.extra_files().items():
        writer.write(path, content)
    writer.remove_stale()
    return writer


def site_url(config_file: Path = ROOT / "mkdocs.yml") -> str:
    """``site_url`` from ``mkdocs.yml``, read with MkDocs' own YAML loader (``!ENV`` works as in a build).

    For callers that need only the address and no build; a build reads it with the rest of the configuration.
    """
    with config_file.open(encoding="utf-8") as file:
        return yaml_load(file).get("site_url") or ""


def mkdocs_config(project: Project, site_dir: Path, settings: SiteSettings | None = None) -> MkDocsConfig:
    """The MkDocs configuration, with what the site's settings add to ``extra`` (``site_extra``)."""
    project.staging_dir.mkdir(parents=True, exist_ok=True)
    config = load_config(
        str(project.config_file), docs_dir=str(project.staging_dir), site_dir=str(site_dir), strict=True
    )
    config.extra.update(site_extra(settings))
    return config


def site_extra(settings: SiteSettings | None) -> dict[str, object]:
    """The Content-Security-Policy every page carries (overrides/main.html) and the site's identity for every
    page's footer (overrides/partials/copyright.html); the live preview passes the same to MkDocs."""
    extra: dict[str, object] = {"content_security_policy": csp.policy(settings.map if settings else None)}
    if settings is not None:
        identity = settings.identity
        extra["identity"] = {
            **identity.model_dump(),
            "phone_uri": identity.phone.uri if identity.phone else None,
            # The public-security filing's query page takes the number's 14 digits.
            "police_code": re.sub(r"\D", "", identity.police_number) if identity.police_number else None,
        }
        extra["generator"] = False  # no English theme credit: the footer is the publisher's
    return extra


def check_publishable(project: Project, config: MkDocsConfig, catalogue: Catalogue) -> None:
    """Placeholders fail a publishing build (nothing is written) and are warnings in any other."""
    found = publish_check.findings(config.site_url or "", catalogue)
    if found and project.publish:
        raise BuildFailed("这个网站还不能正式发布（not ready to publish）：\n" + "\n".join(f"- {f}" for f in found))
    if found:
        log.warning("正式发布前要改的 %d 处（to fix before publishing; `build --publish` refuses them）：\n%s",
                    len(found), "\n".join(f"- {f}" for f in found))


def build(project: Project) -> BuildReport:
    report = BuildReport()
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        report.seconds[stage] = round(now - started, 3)
        started = now

    previous = project.work_dir / PREVIOUS_SITE
    sweeper = _delete_in_background(previous)
    catalogue = load_catalogue(project)
    lap("validate")

    temporary_site = project.work_dir / "site.partial"
    shutil.rmtree(temporary_site, ignore_errors=True)
    config = mkdocs_config(project, temporary_site, catalogue.settings)
    check_publishable(project, config, catalogue)
    # Works with no signal after the first visit: MkDocs' pages link the manifest, and once it has written
    # them it also writes the service worker, the manifest and the icons (outputs/offline.py).
    offline.add_to(config, project.work_dir / "cache" / "app-icons")
    in_memory: dict[str, bytes] | None = {} if project.fast_pages else None
    try:
        writer = generate_pages(project, catalogue, SiteInfo(config.site_name, config.site_url or ""), in_memory)
    except DuplicateOutputError as error:  # a hand-written page in docs/ where the build makes one
        raise BuildFailed(f"{error}（docs/ 里的文件与生成的文件同名时，请给 docs/ 里的文件改名）。") from None
    report.pages_written, report.pages_unchanged = writer.changed, len(writer.written) - writer.changed
    report.files_in_memory = len(in_memory or ())
    lap("generate")

    if in_memory is not None:
        record_pages.add_to(config, html_page_paths(catalogue), in_memory, parallel=project.reuse.parallel)
    latest = dt.datetime.combine(catalogue.latest_date(), dt.time(), tzinfo=dt.UTC)
    try:
        with _source_date_epoch(latest):
            mkdocs_build(config)
    except MkDocsException as error:
        shutil.rmtree(temporary_site, ignore_errors=True)
        raise BuildFailed(f"MkDocs：{error}") from None
    _return_freed_memory()  # the pages MkDocs held: Pagefind and the checks' workers run beside this process next
    lap("mkdocs")

    try:
        _check_and_index(project, catalogue, config, temporary_site, lap)
    except BuildFailed:
        shutil.rmtree(temporary_site, ignore_errors=True)
        raise
    if sweeper is not None:
        sweeper.wait()
    _replace_directory(temporary_site, project.site_dir, previous)
    lap("publish")
    return report


def _check_and_index(project: Project, catalogue: Catalogue, config: MkDocsConfig, site_dir: Path,
                     lap: Callable[[str], None]) -> None:
    """The stages after MkDocs, on the built ``site_dir``: the search index (part of the site: if it fails, nothing
    is published), the guard, the link check and the compressed copies. Pagefind runs while the pages are checked
    and compressed; a failure anywhere stops it and raises ``BuildFailed``."""
    try:
        indexing = search_index.start_search_index(
            site_dir, project.work_dir, catalogue.synonyms,
            {key: entry.label for key, entry in catalogue.vocabularies.amenities.items()})
    except search_index.SearchIndexFailed as error:
        raise BuildFailed(str(error)) from None
    lap("search")
    parallel = project.reuse.parallel
    with indexing:
        findings = guard.check_site(site_dir)  # the last line of defence: see guard.py
        if findings:
            raise BuildFailed(guard.describe(findings))
        # MkDocs checked the Markdown pages' links; this checks every page's, HTML bodies and templates too.
        broken = links.broken_links(site_dir, urllib.parse.urlsplit(config.site_url or "/").path or "/",
                                    parallel=parallel)
        if broken:
            raise BuildFailed(links.describe(broken, record_files(catalogue), project.root))
        lap("guard")
        # Compressed copies of the checked text files, for a server that sends them as they are (precompress.py).
        try:
            precompress.precompress_site(site_dir, parallel=parallel)
            lap("compress")
            indexing.finish(parallel=parallel)
            precompress.precompress_site(site_dir, under=site_dir / search_index.OUTPUT, parallel=parallel)
        except (search_index.SearchIndexFailed, precompress.PrecompressFailed) as error:
            raise BuildFailed(str(error)) from None
        lap("index")


def _return_freed_memory() -> None:
    """Hand memory Python has freed back to the system: glibc keeps freed blocks of a few KB (a page's content) for
    later use, so they would count against the build until it ends. Elsewhere than glibc, nothing happens."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@contextlib.contextmanager
def _source_date_epoch(moment: dt.datetime) -> Iterator[None]:
    """Reproducible output: MkDocs dates the sitemap from the ``SOURCE_DATE_EPOCH`` environment variable and
    takes the date no other way, so it is set here for the MkDocs stage only and put back afterwards."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _replace_directory(new: Path, target: Path, previous: Path) -> None:
    """Swap ``new`` into place with renames, so ``target`` is never half-written (and put back if the swap fails).
    What was there is moved to ``previous``, for the next build to delete while it works
    (``_delete_in_background``): on a slow disk deleting a site of 10,000 stations takes 10–20 s."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)  # left by a build that stopped right here
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except OSError as error:
        if old.exists():
            old.rename(target)  # the published site stays as it was
        raise BuildFailed(f"新网站无法放到 {target}（could not publish）：{error.strerror}。"
                          "--work 和 --site 要在同一个磁盘分区上。") from None
    try:
        old.rename(previous)
    except OSError:  # no site was there, or the work folder is on another file system
        shutil.rmtree(old, ignore_errors=True)


def _delete_in_background(folder: Path) -> subprocess.Popen[bytes] | None:
    """Start deleting ``folder`` (the site the last build replaced) in a process of its own, while this build
    validates and generates; the build waits for it before it publishes. A process, not a thread: the stages fork
    workers, and a thread would also compete with them for this process's lock on Python."""
    if not folder.exists():
        return None
    return subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                             str(folder)])
