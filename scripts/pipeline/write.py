"""Write stage: the one place that writes generated files.

It refuses to write the same path twice in a run, leaves a file alone when its
content is unchanged (so a live preview only rebuilds what changed), and at the
end removes whatever an earlier run left that this run did not write. Given the
digests of an earlier run's writes (the live preview keeps them), it knows an
unchanged file without reading it back.
"""

from __future__ import annotations

import os
from pathlib import Path

from .reuse import WrittenFiles, digest


class DuplicateOutputError(Exception):
    pass


class TreeWriter:
    """Paths are kept as plain strings: at 30,000 files, building ``Path`` objects was a second of each run."""

    def __init__(self, root: Path, known: WrittenFiles | None = None):
        self.root = root
        self._root = str(root)
        self.written: set[str] = set()
        self.changed_paths: list[str] = []  # as given (relative): what the live preview renders again
        self.removed = 0
        self.known = known  # what earlier runs wrote

    @property
    def changed(self) -> int:
        return len(self.changed_paths)

    def has_written(self, relative: str) -> bool:
        return os.path.join(self._root, relative) in self.written

    def write(self, relative: str, content: str | bytes) -> None:
        self.write_bytes(relative, content.encode("utf-8") if isinstance(content, str) else content)

    def write_bytes(self, relative: str, content: bytes) -> None:
        path = os.path.join(self._root, relative)
        if path in self.written:
            raise DuplicateOutputError(f"两处内容都要写入 {relative}（duplicate output path）")
        self.written.add(path)
        if self.known is not None:  # nothing else writes into the folder: the digest says it is there
            content_digest = digest(content)
            if self.known.digests.get(path) == content_digest:
                return
            self.known.digests[path] = content_digest
        if os.path.isfile(path):
            with open(path, "rb") as existing:
                if existing.read() == content:
                    return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as output:
            output.write(content)
        self.changed_paths.append(relative)

    def keep(self, relative: str) -> None:
        """Leave this file as an earlier run wrote it (not stale, not written again in this run)."""
        path = os.path.join(self._root, relative)
        if path in self.written:
            raise DuplicateOutputError(f"两处内容都要写入 {relative}（duplicate output path）")
        self.written.add(path)

    def copy_tree(self, source: Path, prefix: str = "") -> None:
        """Copy every file under ``source`` (sorted, dot-files skipped)."""
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                self.write_bytes(f"{prefix}{relative.as_posix()}", path.read_bytes())

    def remove_stale(self) -> int:
        """Delete files (and then empty folders) this run did not write.

        Walks with ``os.walk`` and plain strings: sorting 30,000 ``Path`` objects took seconds. With the
        record of earlier runs, a run that wrote exactly the files the last one did skips the walk.
        """
        if self.known is not None and self.known.complete and len(self.known.digests) == len(self.written):
            return 0
        removed = 0
        for folder, _subfolders, files in os.walk(self.root, topdown=False):
            for name in files:
                path = os.path.join(folder, name)
                if path not in self.written:
                    os.unlink(path)
                    removed += 1
                    if self.known is not None:
                        self.known.digests.pop(path, None)
            if folder != self._root and not os.listdir(folder):
                os.rmdir(folder)
        if self.known is not None:
            self.known.complete = True
        self.removed += removed
        return removed
