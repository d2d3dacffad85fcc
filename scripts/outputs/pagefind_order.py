"""Search stage, after Pagefind: its filter files in one order, so that two builds of the same site are identical.

Pagefind 1.5.2 writes a filter's values in the order of a Rust hash map, which differs on every run: the same
filter file comes out with its values shuffled, under another name (a hash of its content), and so do the metadata
file that names it and the entry file that names that. Search uses one filter (each station's hours, see
``search_index.HOURS_FILTER``), so a build was no longer byte-identical to the one before.

Here each filter file's values are sorted, the file is written again (gzip, no timestamp) under a name made the
way Pagefind makes it (a hash of the content, as long as Pagefind's), and the new names are put where the old ones
were: in the metadata file (same length, so its CBOR stays valid) and in the entry file. A file whose layout is not
the one expected (another Pagefind version) stops the build: silently leaving it would bring back builds that
differ.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from . import pagefind_gzip

SIGNATURE = b"pagefind_dcd"


class UnexpectedLayout(Exception):
    """A Pagefind file is not laid out as this module expects."""


def make_filters_deterministic(output: Path, language: str) -> None:
    """Sort the values of every filter file under ``output`` (a Pagefind bundle) and rename what names them."""
    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    old_meta_hash = entry["languages"][language]["hash"]
    meta_path = output / f"pagefind.{old_meta_hash}.pf_meta"
    meta = _unpack(meta_path.read_bytes())
    for path in sorted((output / "filter").glob("*.pf_filter")):
        sorted_filter = _sorted_filter(_unpack(path.read_bytes()))
        new_name = _name_like(path.stem, sorted_filter)
        if meta.count(path.stem.encode()) != 1:
            raise UnexpectedLayout(f"{meta_path.name} does not name {path.stem} once")
        meta = meta.replace(path.stem.encode(), new_name.encode())
        path.unlink()
        (path.parent / f"{new_name}.pf_filter").write_bytes(pagefind_gzip.pack(sorted_filter))
    new_meta_hash = _name_like(old_meta_hash, meta)
    meta_path.unlink()
    (output / f"pagefind.{new_meta_hash}.pf_meta").write_bytes(pagefind_gzip.pack(meta))
    entry["languages"][language]["hash"] = new_meta_hash
    text = entry_path.read_text(encoding="utf-8")
    if text.count(f'"{old_meta_hash}"') != 1:
        raise UnexpectedLayout(f"pagefind-entry.json does not name {old_meta_hash} once")
    entry_path.write_text(text.replace(f'"{old_meta_hash}"', f'"{new_meta_hash}"'), encoding="utf-8")


@dataclass(frozen=True)
class IndexFiles:
    """What a Pagefind bundle's metadata names: its index chunks, as (first word, last word, file stem) in its order,
    and its filter files' stems by filter name."""

    chunks: list[tuple[str, str, str]]
    filters: dict[str, str]


def index_files(output: Path, language: str) -> IndexFiles:
    """The chunks and filter files the metadata of ``output`` (a Pagefind bundle) names.

    The metadata is CBOR ``[version, pages, chunks, filters, sorts, meta fields]``; a chunk is
    ``[from, to, hash]``, a filter ``[name, hash]``. Another layout (another Pagefind version) raises
    ``UnexpectedLayout``."""
    meta_hash = json.loads((output / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"][language]["hash"]
    raw = _unpack((output / f"pagefind.{meta_hash}.pf_meta").read_bytes())
    try:
        decoded, end = _decode(raw, len(SIGNATURE))
    except (IndexError, UnicodeDecodeError) as error:  # cut short, or not text where text belongs
        raise UnexpectedLayout(f"the metadata is not CBOR as expected: {error}") from None
    if end != len(raw) or not (isinstance(decoded, list) and len(decoded) >= 4
                               and isinstance(decoded[2], list) and isinstance(decoded[3], list)):
        raise UnexpectedLayout("the metadata is not [version, pages, chunks, filters, …]")
    chunks, filters = decoded[2], decoded[3]
    if not all(isinstance(c, list) and len(c) == 3 and all(isinstance(part, str) for part in c) for c in chunks):
        raise UnexpectedLayout("an index chunk is not [from, to, hash]")
    if not all(isinstance(f, list) and len(f) == 2 and all(isinstance(part, str) for part in f) for f in filters):
        raise UnexpectedLayout("a filter is not [name, hash]")
    return IndexFiles([(first, last, stem) for first, last, stem in chunks], {name: stem for name, stem in filters})


def _unpack(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise UnexpectedLayout("no Pagefind signature")
    return raw


def _name_like(old: str, content: bytes) -> str:
    """``zh_`` and as many hex digits as ``old`` had, from a hash of the content (as Pagefind names its files)."""
    prefix, _, digits = old.rpartition("_")
    return f"{prefix}_{hashlib.sha256(content).hexdigest()[:len(digits)]}"


# --- a filter file: SIGNATURE, then CBOR [name, [[value, [page, …]], …]] ----------------------------------------


def _sorted_filter(raw: bytes) -> bytes:
    decoded, end = _decode(raw, len(SIGNATURE))
    if end != len(raw) or not (isinstance(decoded, list) and len(decoded) == 2 and isinstance(decoded[1], list)):
        raise UnexpectedLayout("a filter file is not [name, values]")
    if _encode(decoded) != raw[len(SIGNATURE):]:
        raise UnexpectedLayout("a filter file is not encoded as expected")  # written back, it would change
    name, values = decoded
    return SIGNATURE + _encode([name, sorted(values, key=lambda value: str(value[0]))])


def _decode(data: bytes, at: int) -> tuple[object, int]:
    """One CBOR item of the kinds Pagefind's filter files hold (unsigned integers, text, arrays)."""
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        length = info
    elif 24 <= info <= 27:
        size = 1 << (info - 24)
        length, at = int.from_bytes(data[at:at + size], "big"), at + size
    else:
        raise UnexpectedLayout(f"CBOR item {major}/{info}")
    if major == 0:
        return length, at
    if major == 3:
        return data[at:at + length].decode("utf-8"), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise UnexpectedLayout(f"CBOR major type {major}")


def _encode(item: object) -> bytes:
    if isinstance(item, int):
        return _head(0, item)
    if isinstance(item, str):
        text = item.encode("utf-8")
        return _head(3, len(text)) + text
    if isinstance(item, list):
        return _head(4, len(item)) + b"".join(_encode(part) for part in item)
    raise UnexpectedLayout(f"cannot encode {type(item).__name__}")


def _head(major: int, value: int) -> bytes:
    """The shortest head for ``value``, as CBOR's preferred serialisation (and Pagefind) writes it."""
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise UnexpectedLayout("integer too large")
