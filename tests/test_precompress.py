"""Pre-compressed copies (scripts/pipeline/precompress.py): which files get them, that they hold the file, that two
runs give the same bytes; and in the real build, every copy beside its file."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli
import pytest

from scripts.pipeline.precompress import MIN_SIZE, PrecompressFailed, compress_file, gzip_bytes, precompress_site

TEXT = ("<p>驿站开放时间 08:00–20:00，可以歇脚、喝水、充电。</p>\n" * 200).encode()


def small_site(root: Path) -> Path:
    files = {
        "index.html": TEXT,
        "assets/site.css": b"body { color: #333; }\n" * 200,
        "tiny.js": b"console.log(1);\n",  # under MIN_SIZE
        "noise.js": os.urandom(4096),  # does not shrink
        "photo.png": b"\x89PNG" + b"\x00" * 4096,  # not a text type
        "sitemap.xml": TEXT,
    }
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    (root / "sitemap.xml.gz").write_bytes(gzip.compress(TEXT, mtime=123))  # as MkDocs writes it
    return root


def test_copies_only_where_they_pay(tmp_path: Path) -> None:
    site = small_site(tmp_path)
    summary = precompress_site(site, parallel=False)
    copies = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.suffix in (".gz", ".br"))
    assert copies == ["assets/site.css.br", "assets/site.css.gz", "index.html.br", "index.html.gz",
                      "sitemap.xml.br", "sitemap.xml.gz"]
    assert summary.files == 3 and summary.gzip < summary.original / 4
    for copy in copies:
        original = (site / copy[:-3]).read_bytes()
        decompress = gzip.decompress if copy.endswith(".gz") else brotli.decompress
        assert decompress((site / copy).read_bytes()) == original, copy
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == TEXT  # MkDocs' own copy is kept


def test_two_runs_give_the_same_bytes(tmp_path: Path) -> None:
    first, second = small_site(tmp_path / "a"), small_site(tmp_path / "b")
    (second / "noise.js").write_bytes((first / "noise.js").read_bytes())
    precompress_site(first, parallel=False)
    precompress_site(second, parallel=True)
    read = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    assert read == {p.relative_to(second): p.read_bytes() for p in second.rglob("*") if p.is_file()}
    header = gzip_bytes(TEXT)[:10]
    assert header[4:8] == b"\x00\x00\x00\x00", "gzip time is 0"
    assert header[3] & 0x08 == 0, "no file name in the gzip header"


def test_a_stale_gz_beside_a_file_fails(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_bytes(TEXT)
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(b"older"))
    with pytest.raises(PrecompressFailed, match="sitemap.xml.gz"):
        compress_file(tmp_path / "sitemap.xml", tmp_path)


def test_the_build_writes_copies_that_hold_their_files(built_site: Path) -> None:
    copies = [p for p in built_site.rglob("*") if p.suffix in (".gz", ".br")]
    names = {p.relative_to(built_site).as_posix() for p in copies}
    assert {"index.html.gz", "index.html.br", "maps/stations.json.gz", "sw.js.gz"} <= names
    assert not any(name.startswith("pagefind/fragment/") for name in names), "Pagefind's files are compressed"
    for copy in copies:
        original = copy.with_suffix("").read_bytes()
        assert len(original) >= MIN_SIZE, copy
        assert (gzip.decompress if copy.suffix == ".gz" else brotli.decompress)(copy.read_bytes()) == original, copy
