"""Search stage, after Pagefind: the files a rider's first search downloads, compressed harder.

Pagefind gzips every file it writes (its browser code inflates them itself, so no server compresses them again)
at zlib's usual effort. libdeflate at its highest level (12) makes the same gzip stream 4–11 % smaller: measured
on the index of 10,000 stations, the metadata (one entry per page, fetched by every search) 68.8 → 61.0 KB, the
WebAssembly 68.0 → 65.8 KB, the largest index chunk 32.7 → 29.2 KB; a first search for 驿站 downloads 12–14 KB
less. The bytes inflate to exactly what Pagefind wrote, and the names stay: Pagefind names a file by what is in
it, not by how it is packed.

Recompressed here: the WebAssembly and the index chunks (the metadata and the filter files are rewritten by
``pagefind_order`` with ``pack``). Left as Pagefind wrote them: the fragments, one per page of about 0.4 KB, where
a few bytes each are not worth rewriting 10,000 files.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import deflate

LEVEL = 12  # libdeflate's highest: at 10,000 stations about 2.7 CPU-seconds for all the chunks, 1 % smaller than 10
RECOMPRESSED = ("wasm.*.pagefind", "index/*.pf_index")


def pack(raw: bytes) -> bytes:
    """``raw`` as a gzip file (no name, no time: the same bytes every build), as small as libdeflate makes it."""
    return bytes(deflate.gzip_compress(raw, LEVEL))


def recompressed_files(output: Path) -> list[Path]:
    """The files of a Pagefind bundle that ``recompress`` rewrites, sorted."""
    return sorted(path for pattern in RECOMPRESSED for path in output.glob(pattern))


def recompress(path: Path) -> int:
    """Rewrite ``path`` (a gzip file of Pagefind's) with ``pack`` when that is smaller; return the bytes saved.
    A file that is not gzip raises ``OSError`` naming it (it crosses back from a worker process as it is)."""
    packed = path.read_bytes()
    try:
        smaller = pack(gzip.decompress(packed))
    except (EOFError, zlib.error, gzip.BadGzipFile, deflate.DeflateError) as error:
        raise OSError(f"{path.name}: {error}") from None
    if len(smaller) >= len(packed):
        return 0
    path.write_bytes(smaller)
    return len(packed) - len(smaller)
