"""What the live preview keeps between two runs, so that one edit does not redo work for every record.

It plugs into the pipeline as ``Project.reuse`` (the interface is ``pipeline/reuse.py``); a published
build reuses nothing. The live preview rebuilds after every save; at 10,000 stations, parsing every file
again and rendering every station page again took longer than the editor should wait.

* ``records``: the checked records of each data file, keyed by the file's size and modification time.
  A file that had a problem is never kept, so its problems are reported again on every run until fixed.
* ``pages``: rendered record pages (and pages of the station list), keyed by a hash of what they are made
  from: the record, the records it names and those naming it (a station page: its services and events),
  and the shared settings, vocabularies, organisations and templates; with the icons the page used.
* ``written``: a digest of every file the writer wrote, so an unchanged output is recognised without
  reading it back, and a run that wrote the same set of files as the last one has nothing stale to look for.

The cross-record checks, the finder and open data files and the few pages that read the whole catalogue
are redone on every run: they are cheap next to parsing and rendering everything, and caching them would
risk a stale preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pipeline.reuse import CachedPage, FileStamp, Reuse, WrittenFiles


@dataclass
class Caches(Reuse):
    """Everything one live preview session keeps; ``clear()`` when templates or hand-written docs change."""

    records: dict[Path, tuple[FileStamp, list[Any]]] = field(default_factory=dict)
    pages: dict[str, CachedPage] = field(default_factory=dict)  # by output path
    written: WrittenFiles = field(default_factory=lambda: WrittenFiles({}))
    files_reused: int = 0  # in the latest run
    pages_reused: int = 0
    extra: dict[str, bytes] = field(default_factory=dict)  # the preview's own files, written with the site's

    parallel = False  # the cache lives in this process; most work comes from it anyway

    def start_run(self) -> None:
        self.files_reused = self.pages_reused = 0

    def clear(self) -> None:
        self.records.clear()
        self.pages.clear()
        self.written = WrittenFiles({})

    def checked_file(self, path: Path, stamp: FileStamp) -> list[Any] | None:
        entry = self.records.get(path)
        if entry is None or entry[0] != stamp:
            return None
        self.files_reused += 1
        return entry[1]

    def keep_checked_file(self, path: Path, stamp: FileStamp, records: list[Any]) -> None:
        self.records[path] = (stamp, records)

    def page(self, path: str, key: str) -> CachedPage | None:
        cached = self.pages.get(path)
        if cached is None or cached.key != key:
            return None
        self.pages_reused += 1
        return cached

    def keep_page(self, path: str, page: CachedPage) -> None:
        self.pages[path] = page

    @property
    def keeps_pages(self) -> bool:
        return True

    def written_files(self) -> WrittenFiles:
        return self.written

    def extra_files(self) -> dict[str, bytes]:
        return self.extra
