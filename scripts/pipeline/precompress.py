"""Publish stage: pre-compressed copies of the site's text files, for servers that send them as they are.

Beside each text file big enough to gain from it, the build writes ``name.gz`` and ``name.br``. A server that
knows them (nginx with ``gzip_static``, and ``brotli_static`` where its module is installed: see
``scripts/deploy``) sends the copy to a browser that accepts it and compresses nothing per request. Hosts that
compress by themselves (GitHub Pages, a CDN in front of object storage) never see the copies: nothing links
to them.

- Text types only (``TEXT_SUFFIXES``); images, fonts and Pagefind's files are compressed already.
- Only where it pays: a file of at least ``MIN_SIZE`` bytes whose copy is at least ``MIN_SAVING`` smaller.
- The same bytes every build: gzip with no time and no file name in its header; Brotli has neither.
- The levels are measured, not the maximum (README, “预压缩”): gzip 9 saves 0.4 % over 6 in three times as long,
  Brotli 11 saves 12 % over 6 in 60 times as long, and the site grows with the stations (10,000 stations: some
  300 MB of text). The files are spread over the cores.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import brotli

from . import forks

TEXT_SUFFIXES = frozenset({".html", ".css", ".js", ".mjs", ".json", ".geojson", ".xml", ".svg", ".txt", ".csv",
                           ".ics", ".webmanifest"})  # not source maps (.map): only a developer's tools fetch them
# Under 4 KB a copy saves at most 2–3 KB, and nginx gzips such a file on the fly (gzip_min_length 1024, see
# scripts/deploy): at 10,000 stations the stations' QR codes and posters alone were 40,000 copies, each a file to
# create (0.2–0.3 ms on the build machine's disk).
MIN_SIZE = 4096
MIN_SAVING = 0.10
GZIP_LEVEL = 6
BROTLI_QUALITY = 6


class PrecompressFailed(Exception):
    """A compressed copy already in the site does not hold its file (the message says which)."""


@dataclass(frozen=True)
class Compressed:
    """What one file became: its size and the size of each copy (0: none written)."""

    path: str
    size: int
    gzip: int
    brotli: int


@dataclass
class Summary:
    files: int = 0  # files with at least one copy
    original: int = 0  # their bytes
    gzip: int = 0  # the bytes of their .gz copies, counting a file with none as itself
    brotli: int = 0  # likewise for .br

    def add(self, one: Compressed) -> None:
        if one.gzip or one.brotli:
            self.files += 1
            self.original += one.size
            self.gzip += one.gzip or one.size
            self.brotli += one.brotli or one.size


def candidates(folder: Path) -> list[Path]:
    """The text files worth a look in ``folder`` and below, in a stable order."""
    return sorted(path for path in folder.rglob("*")
                  if path.suffix in TEXT_SUFFIXES and path.is_file() and path.stat().st_size >= MIN_SIZE)


def gzip_bytes(data: bytes) -> bytes:
    """gzip with time 0 and no file name in the header, so that the same input gives the same bytes."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def compress_file(path: Path, site_dir: Path) -> Compressed:
    """Write the copies of one file that save enough. A ``.gz`` already there (MkDocs writes ``sitemap.xml.gz``,
    a public address of its own) is kept if it holds the file, and is an error if it does not."""
    data = path.read_bytes()
    worth = len(data) * (1 - MIN_SAVING)
    shown = path.relative_to(site_dir).as_posix()
    gz_path, br_path = path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")
    if gz_path.exists():
        if gzip.decompress(gz_path.read_bytes()) != data:
            raise PrecompressFailed(f"{shown}.gz 已存在，但解压后与 {shown} 不同（a stale compressed copy）")
        gz_size = gz_path.stat().st_size
    else:
        compressed = gzip_bytes(data)
        gz_size = len(compressed) if len(compressed) <= worth else 0
        if gz_size:
            gz_path.write_bytes(compressed)
    compressed = brotli.compress(data, quality=BROTLI_QUALITY)
    br_size = len(compressed) if len(compressed) <= worth else 0
    if br_size:
        br_path.write_bytes(compressed)
    return Compressed(shown, len(data), gz_size, br_size)


def precompress_site(site_dir: Path, *, under: Path | None = None, parallel: bool = True) -> Summary:
    """Write the compressed copies for ``site_dir``, or only for its folder ``under`` (see the module), and say how
    much they save."""
    summary = Summary()
    for one in forks.ordered_map(lambda path: compress_file(path, site_dir), candidates(under or site_dir),
                                 parallel=parallel):
        summary.add(one)
    return summary
