"""What a run may take from an earlier one: the interface a cache plugs into the pipeline.

A build starts from nothing, and ``Reuse`` itself is that: it keeps and offers nothing, and lets the
stages spread their work over worker processes. The live preview plugs in its own (``preview/incremental.py``)
through ``Project.reuse``; the stages ask it, and never need to know there is a preview.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
class CachedPage:
    key: str  # a digest of everything the page was made from
    text: str
    icons: frozenset[str]  # the theme icons it uses


@dataclass
class WrittenFiles:
    """What the writer wrote last time: a digest per output path."""

    digests: dict[str, str]
    complete: bool = False  # a run has walked the output folder: no file there is missing from ``digests``


class Reuse:
    """Nothing is reused: every file is checked and every page rendered, in parallel where it pays."""

    parallel = True  # a cache kept in this process would not see what forked workers computed

    def checked_file(self, path: Path, stamp: FileStamp) -> list[Any] | None:
        """The records checked from ``path`` when it last had this stamp and no problems."""
        return None

    def keep_checked_file(self, path: Path, stamp: FileStamp, records: list[Any]) -> None:
        pass

    def page(self, path: str, key: str) -> CachedPage | None:
        """The page last rendered at ``path``, if it was made from the same inputs (``key``)."""
        return None

    def keep_page(self, path: str, page: CachedPage) -> None:
        pass

    @property
    def keeps_pages(self) -> bool:
        """Whether computing a page's key is worth it."""
        return False

    def written_files(self) -> WrittenFiles | None:
        return None

    def extra_files(self) -> dict[str, bytes]:
        """Files to write beside the site's own (the preview's error banner and reload script)."""
        return {}


NOTHING_REUSED = Reuse()
