"""Theme icons, shipped once as files and drawn with a CSS mask.

Inlining each SVG into every page made a station page carry a dozen copies of
the same paths, and made MkDocs' HTML parser work through them 10,000 times.
Pages now reference ``<span class="si si-…">``; the icon files and one small
stylesheet are written once. The mask takes ``currentColor``, so icons follow
the text colour in every palette, including the high-contrast one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import material
from markupsafe import Markup

THEME_ICONS = Path(material.__file__).parent / "templates" / ".icons"
STYLESHEET = "assets/stylesheets/icons.css"


def _slug(name: str) -> str:
    return name.replace("/", "-")


@cache
def _is_theme_icon(name: str) -> bool:
    return (THEME_ICONS / f"{name}.svg").is_file()


class IconSet:
    """Collects the icons the templates use, then writes them and their CSS."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self._page: set[str] | None = None

    def markup(self, name: str) -> Markup:
        """The icon's element: safe to print, since the name must be one of the theme's icon files."""
        if not _is_theme_icon(name):
            raise ValueError(f"unknown theme icon {name!r}")  # vocabulary icons are checked when data loads
        self.used.add(name)
        if self._page is not None:
            self._page.add(name)
        return Markup(f'<span class="si si-{_slug(name)}" aria-hidden="true"></span>')

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """The icons used inside the ``with`` block (one page), so a cached page can claim them again."""
        outer, self._page = self._page, set()
        page = self._page
        try:
            yield page
        finally:
            self._page = outer
            if outer is not None:
                outer |= page

    def files(self) -> Iterator[tuple[str, str | bytes]]:
        rules = [
            ".si{display:inline-block;width:1.25em;height:1.25em;vertical-align:-.25em;flex:none;"
            "background-color:currentColor;-webkit-mask:var(--si) center/contain no-repeat;"
            "mask:var(--si) center/contain no-repeat}"
        ]
        for name in sorted(self.used):
            yield f"assets/icons/{_slug(name)}.svg", (THEME_ICONS / f"{name}.svg").read_bytes()
            rules.append(f'.si-{_slug(name)}{{--si:url("../icons/{_slug(name)}.svg")}}')
        yield STYLESHEET, "\n".join(rules) + "\n"
