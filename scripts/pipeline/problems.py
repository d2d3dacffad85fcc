"""Problems found in the data, collected so that one run reports all of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located as precisely as we can.

    ``message`` says what is wrong and ``hint`` how to fix it, both in Chinese
    (an English gloss in brackets is welcome); ``field`` is the path inside the
    record, such as ``hours.weekly[0].periods[1]``.
    """

    file: str
    line: int
    column: int
    field: str
    message: str
    hint: str = ""

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        field = f" 字段 {self.field}" if self.field else ""
        text = f"{where}: 第 {self.line} 行{field}：{self.message}"
        if self.hint:
            text += f"\n    修改建议：{self.hint}"
        return text


SITE_UNCHANGED = "网站没有生成，已发布的 site/ 保持不变。"
"""The closing sentence of a build's report; the preview and ``new`` pass their own to ``DataError.report``."""


class DataError(Exception):
    """Raised when the data has problems; carries all of them, sorted by place."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the data")

    def report(self, after: str = SITE_UNCHANGED) -> str:
        """Every problem, then a count and ``after``: what happens now (by default, that nothing was published)."""
        lines = [p.format() for p in self.problems]
        lines.append(
            f"\n校验失败：共 {len(self.problems)} 个问题（{len(self.problems)} problem(s) found）。{after}"
        )
        return "\n".join(lines)


class ProblemLog:
    """Collects problems from every stage of a run."""

    def __init__(self, root: Path):
        self.root = root
        self._problems: list[Problem] = []
        # Ids of records that failed their own checks (or whose file could not be read): reported once, where they
        # are, and not again as an unknown reference by every record that names them.
        self.rejected_ids: set[str] = set()

    def add(
        self, file: Path, line: int, column: int, field: str, message: str, hint: str = ""
    ) -> None:
        self._problems.append(
            Problem(self.display_path(file), line, column, field, message, hint)
        )

    def display_path(self, file: Path) -> str:
        """Paths relative to the project, as editors see them in git."""
        try:
            return file.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return file.as_posix()

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._problems)

    def __len__(self) -> int:
        return len(self._problems)

    def raise_if_any(self) -> None:
        if self._problems:
            raise DataError(self._problems)
