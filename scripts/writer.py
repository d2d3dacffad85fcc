"""The one place that writes generated files.

It refuses to write the same path twice in a run, leaves a file alone when its
content is unchanged (so a live preview only rebuilds what changed), and at the
end removes whatever an earlier run left that this run did not write. Given the
digests of an earlier run's writes (the live preview keeps them), it knows an
unchanged file without reading it back.
"""

from __future__ import annotations

import os
from pathlib import Path

from .incremental import digest


class DuplicateOutputError(Exception):
    pass


class TreeWriter:
    def __init__(self, root: Path, known: dict[Path, str] | None = None):
        self.root = root
        self.written: set[Path] = set()
        self.changed = 0
        self.known = known  # path -> digest of the content an earlier run wrote there

    def write(self, relative: str, content: str | bytes) -> None:
        self.write_bytes(relative, content.encode("utf-8") if isinstance(content, str) else content)

    def write_bytes(self, relative: str, content: bytes) -> None:
        path = self.root / relative
        if path in self.written:
            raise DuplicateOutputError(f"两处内容都要写入 {relative}（duplicate output path）")
        self.written.add(path)
        if self.known is not None:
            content_digest = digest(content)
            if self.known.get(path) == content_digest and path.is_file():
                return
            self.known[path] = content_digest
        if path.is_file() and path.read_bytes() == content:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.changed += 1

    def copy_tree(self, source: Path, prefix: str = "") -> None:
        """Copy every file under ``source`` (sorted, dot-files skipped)."""
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                self.write_bytes(f"{prefix}{relative.as_posix()}", path.read_bytes())

    def remove_stale(self) -> int:
        """Delete files (and then empty folders) this run did not write."""
        removed = 0
        for path in sorted(self.root.rglob("*"), reverse=True):
            if path.is_file() and path not in self.written:
                path.unlink()
                if self.known is not None:
                    self.known.pop(path, None)
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                os.rmdir(path)
        return removed
