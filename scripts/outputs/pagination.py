"""Split a long listing into numbered pages with stable paths.

Page 1 keeps the section's own address (``stories/index.md``) so links to the
section never change; later pages are ``stories/page/2.md``, ``…/3.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ListingPage(Generic[T]):
    number: int
    count: int  # how many pages the listing has
    items: tuple[T, ...]
    path: str
    previous: str | None  # path of the previous page under docs, if any
    next: str | None


def page_path(number: int, first: str, nth: str) -> str:
    return first if number == 1 else nth.format(number)


def paginate(items: Sequence[T], per_page: int, first: str, nth: str) -> list[ListingPage[T]]:
    """``first`` is page 1's path; ``nth`` a pattern such as ``stories/page/{}.md``. Always at least one page."""
    count = max(1, -(-len(items) // per_page))
    return [
        ListingPage(
            number=n,
            count=count,
            items=tuple(items[(n - 1) * per_page:n * per_page]),
            path=page_path(n, first, nth),
            previous=page_path(n - 1, first, nth) if n > 1 else None,
            next=page_path(n + 1, first, nth) if n < count else None,
        )
        for n in range(1, count + 1)
    ]
