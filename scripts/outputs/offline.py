"""Offline stage: the site works with no signal after the first visit (issue 16).

A rider opens the site once with a signal; afterwards, in a basement car park or out of town, the station
finder, its data and every page they opened still load, and a note says how old the data is. Nothing
third-party: a hand-written service worker, a Web App Manifest and icons drawn at build time.

What this stage adds to the site, once MkDocs has written the pages (``on_post_build``):

* ``sw.js`` at the site root (so its scope is the whole site), from ``templates/sw.js``: the shell it
  precaches is found in the built pages — the home page, the finder, the offline page and the station map
  frame, every file of the site they load (the theme's fingerprinted bundles, our styles and scripts, the
  files the styles point at, the district map frame and its Leaflet files) — plus ``maps/stations.json``,
  which the finder's script fetches. ``VERSION`` is a hash of all of those files and of the template, so a
  deploy that changes any of them (new data changes ``stations.json``) installs a new shell and deletes the
  old one; two builds of the same input write the same bytes.
* ``site.webmanifest``: the name, the address (``site_url``'s path: start and scope), standalone display,
  the colours of ``site.css``'s palette, and the icons;
* the PNG icons (``app_icons``: drawn from the favicon, cached in ``work/cache/app-icons``).

What the pages do: ``overrides/main.html`` links the manifest, the theme colour and the iOS icon when the
build set ``config.extra.offline`` (``on_config``), and the site-wide ``assets/javascripts/offline.js``
registers the worker named on the manifest link and shows the offline note. The live preview never sets it,
so it has no worker (a worker there would keep serving pages the editor has just changed).
"""

from __future__ import annotations

import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from ..pipeline.reuse import digest
from . import app_icons

TEMPLATE = Path(__file__).with_name("templates") / "sw.js"
WORKER = "sw.js"
MANIFEST = "site.webmanifest"
OFFLINE_PAGE = "offline/"  # docs/offline.md
# The shell: these pages and frames, and every file of the site they load (found in the built HTML and CSS).
SHELL_PAGES = ("./", "stations/", OFFLINE_PAGE)
SHELL_FRAMES = ("maps/station.html",)  # a station page's map, opened from a saved station page
SHELL_DATA = ("maps/stations.json",)  # fetched by the finder's and the district map's scripts
PAGE_LIMIT = 50  # pages a rider opened, kept on the phone (the most recent)
ASSET_LIMIT = 100  # other files those pages loaded (photos, QR codes …)
SEARCH_LIMIT = 60  # search index files
NETWORK_TIMEOUT_MS = 3000  # a page waits this long for the network before showing the phone's copy
LANG = "zh-CN"
DEFAULT_BACKGROUND = "#ffffff"  # Material's page background when site.css does not set one
_COLOUR = r"\s*:\s*(#[0-9a-fA-F]{3,8})\b"
# (tag, attribute) pairs of subresources a page loads; <link> only for these rel values.
_LOADED = {("script", "src"), ("img", "src"), ("iframe", "src"), ("link", "href")}
_LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


class _Subresources(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and not _LINK_RELS & set((attributes.get("rel") or "").lower().split()):
            return
        for name, value in attrs:
            if (tag, name) in _LOADED and value:
                self.found.append(value)

    handle_startendtag = handle_starttag


def _site_path(reference: str, from_path: str, base_path: str) -> str | None:
    """A reference in the file at ``from_path`` as a path under the site, or None when it is not the site's."""
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # another site, data:, or a fragment of the same page
    if parts.path.startswith("/"):
        if not parts.path.startswith(base_path):
            return None
        path = parts.path[len(base_path):]
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), parts.path))
    return None if path.startswith("..") else path + ("/" if parts.path.endswith("/") and path != "." else "")


def _file(site_dir: Path, path: str) -> Path:
    """The file served for a path under the site ("stations/" is stations/index.html)."""
    return site_dir / (path + "index.html" if path.endswith("/") or path in ("", "./") else path)


def shell(site_dir: Path, base_path: str) -> list[str]:
    """The paths the worker precaches, in a stable order: the shell pages and frames, what they load, the data."""
    paths: list[str] = []
    queue = [*SHELL_PAGES, *SHELL_FRAMES]
    while queue:
        path = queue.pop(0)
        file = _file(site_dir, path)
        if path in paths or not file.is_file():
            continue
        paths.append(path)
        from_path = "index.html" if path == "./" else (path + "index.html" if path.endswith("/") else path)
        if file.suffix == ".html":
            parser = _Subresources()
            parser.feed(file.read_text(encoding="utf-8"))
            references = parser.found
        elif file.suffix == ".css":
            references = [m.group(2) for m in _CSS_URL.finditer(file.read_text(encoding="utf-8"))]
        else:
            continue
        for reference in references:
            found = _site_path(reference, from_path, base_path)
            if found is not None and found not in paths:
                queue.append(found)
    missing = [path for path in (*SHELL_PAGES, *SHELL_FRAMES, *SHELL_DATA) if not _file(site_dir, path).is_file()]
    if missing:
        raise PluginError(f"离线缓存需要的页面或文件没有生成：{'、'.join(missing)}（offline shell incomplete）")
    return paths + [path for path in SHELL_DATA if path not in paths]


def shell_bytes(site_dir: Path, paths: list[str]) -> int:
    return sum(_file(site_dir, path).stat().st_size for path in paths)


def worker_source(site_dir: Path, paths: list[str]) -> str:
    """``sw.js``: the template with the shell's paths and a version that changes with any of their bytes."""
    template = TEMPLATE.read_text(encoding="utf-8")
    settings = {"offline_page": OFFLINE_PAGE, "page_limit": PAGE_LIMIT, "asset_limit": ASSET_LIMIT,
                "search_limit": SEARCH_LIMIT, "network_timeout_ms": NETWORK_TIMEOUT_MS}
    version = digest(template, json.dumps(settings, sort_keys=True),
                     *(part for path in paths for part in (path, _file(site_dir, path).read_bytes())))[:16]
    values = {"version": version, "precache": paths, **settings}
    # The values are our own (paths of files the build wrote, numbers), printed as JSON: JavaScript literals.
    return jinja2.Template(template, undefined=jinja2.StrictUndefined, keep_trailing_newline=True).render(
        {name: json.dumps(value, ensure_ascii=True) for name, value in values.items()})


def palette(config: MkDocsConfig) -> tuple[str, str]:
    """(theme colour, background colour) from the site's stylesheets (``extra_css``): the one palette."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in
                     (Path(config.docs_dir) / str(css) for css in config.extra_css) if path.is_file())
    primary = re.search(r"--md-primary-fg-color" + _COLOUR, text)
    if primary is None:
        raise PluginError("离线支持需要网站的主题色：extra_css 的样式表里没有 --md-primary-fg-color"
                          "（the theme colour for the web app manifest）")
    background = re.search(r"--md-default-bg-color" + _COLOUR, text)
    return primary.group(1), background.group(1) if background else DEFAULT_BACKGROUND


def base_path(config: MkDocsConfig) -> str:
    """The site's path on its host, from ``site_url`` ("/xinfu/"); relative ("./") when no address is set."""
    path = urlsplit(config.site_url or "").path
    return (path if path.endswith("/") else path + "/") if path else "./"


def manifest(config: MkDocsConfig, theme_colour: str, background: str) -> str:
    base = base_path(config)
    icons = [{"src": icon.path, "sizes": f"{icon.size}x{icon.size}", "type": "image/png", "purpose": icon.purpose}
             for icon in app_icons.ICONS if icon.purpose in ("any", "maskable")]
    content = {
        "id": base,
        "name": config.site_name,
        "short_name": config.extra.get("short_name") or config.site_name,
        "description": config.site_description or "",
        "lang": LANG,
        "dir": "ltr",
        "start_url": base,
        "scope": base,
        "display": "standalone",
        "theme_color": theme_colour,
        "background_color": background,
        "icons": icons,
        "shortcuts": [
            {"name": "驿站地图", "url": base + "stations/"},
            {"name": "正在开放的驿站", "short_name": "正在开放", "url": base + "stations/?open=1"},
        ],
    }
    return json.dumps(content, ensure_ascii=False, indent=2) + "\n"


class _OfflineStage:
    """MkDocs events: the pages' head learns of the manifest (``on_config``), then the files are written."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.colours: tuple[str, str] | None = None

    def on_config(self, config: MkDocsConfig, **kwargs: Any) -> MkDocsConfig:
        self.colours = palette(config)
        config.extra["offline"] = {"manifest": MANIFEST, "worker": WORKER, "theme_color": self.colours[0],
                                   "apple_touch_icon": app_icons.APPLE_TOUCH_ICON}
        return config

    def on_post_build(self, config: MkDocsConfig, **kwargs: Any) -> None:
        assert self.colours is not None  # on_config ran
        site_dir = Path(config.site_dir)
        files: dict[str, str | bytes] = {}
        favicon = site_dir / str(config.theme["favicon"])
        files.update(app_icons.icon_files(favicon, self.colours[0], self.cache_dir))
        files[MANIFEST] = manifest(config, *self.colours)
        files[WORKER] = worker_source(site_dir, shell(site_dir, base_path(config)))
        for path, content in files.items():
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def add_to(config: MkDocsConfig, cache_dir: Path) -> None:
    """Make the build that ``config`` is for write the worker, the manifest and the icons (see the module)."""
    config.plugins["xinfu-offline"] = _OfflineStage(cache_dir)  # type: ignore[assignment]
