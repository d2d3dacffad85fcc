"""What the live preview keeps between two runs, so that one edit does not redo work for every record.

A published build starts from nothing and needs none of this. The live preview
rebuilds after every save; at 10,000 stations, parsing every file again and
rendering every station page again took longer than the editor should wait.

* ``RecordCache``: the checked records of each data file, keyed by the file's
  size and modification time. A file that had a problem is never cached, so
  its problems are reported again on every run until it is fixed.
* ``PageCache``: rendered pages whose inputs are known exactly (a station page
  and its poster: the station and the services held there; a service page:
  the service and its stations; a page of the station list: its stations),
  keyed by a hash of those inputs and of the shared settings, vocabularies,
  organisations and templates, with the icons the page used.
* ``WrittenFiles``: a digest of every file the writer wrote, so an unchanged
  output is recognised without reading it back, and a run that wrote the
  same set of files as the last one has nothing stale to look for.

The cross-record checks, the finder and open data files and the few pages
that read the whole catalogue are redone on every run: they are cheap next to
parsing and rendering everything, and caching them would risk a stale preview.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from ..pipeline.load import RawRecord

FileStamp = tuple[int, int]  # (modification time in ns, size)


def file_stamp(path: Path) -> FileStamp:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def digest(*parts: str | bytes) -> str:
    """A short hash of the parts; the separator keeps ("ab", "c") apart from ("a", "bc")."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
        hasher.update(b"\x00")
    return hasher.hexdigest()


@dataclass
class RecordCache:
    files: dict[Path, tuple[FileStamp, list[tuple[RawRecord, BaseModel]]]] = field(default_factory=dict)
    reused: int = 0  # files taken from the cache in the latest run

    def get(self, path: Path, stamp: FileStamp) -> list[tuple[RawRecord, BaseModel]] | None:
        entry = self.files.get(path)
        if entry is None or entry[0] != stamp:
            return None
        self.reused += 1
        return entry[1]

    def put(self, path: Path, stamp: FileStamp, checked: list[tuple[RawRecord, BaseModel]]) -> None:
        self.files[path] = (stamp, checked)


@dataclass
class CachedPage:
    key: str
    text: str
    icons: frozenset[str]


@dataclass
class PageCache:
    pages: dict[str, CachedPage] = field(default_factory=dict)  # by output path
    reused: int = 0  # pages taken from the cache in the latest run


@dataclass
class WrittenFiles:
    digests: dict[str, str] = field(default_factory=dict)  # output path -> digest of what was written
    complete: bool = False  # a run has walked the output folder: no file there is missing from ``digests``


@dataclass
class Caches:
    """Everything one live preview session keeps; ``clear()`` when templates or hand-written docs change."""

    records: RecordCache = field(default_factory=RecordCache)
    pages: PageCache = field(default_factory=PageCache)
    written: WrittenFiles = field(default_factory=WrittenFiles)

    def start_run(self) -> None:
        self.records.reused = self.pages.reused = 0

    def clear(self) -> None:
        self.records.files.clear()
        self.pages.pages.clear()
        self.written = WrittenFiles()
