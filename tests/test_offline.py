"""Offline use (issue 16), in the built files: the worker's shell and version, the manifest, the icons, the policy.

The browser side (a phone that goes offline after one visit) is tests/test_offline_browser.py.
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from conftest import build_site, published_site_url
from scripts.outputs import app_icons, csp, offline

BASE = re.sub(r"^https?://[^/]+", "", published_site_url())  # "/xinfu/": the site's path, from mkdocs.yml


def worker_constant(site: Path, name: str) -> object:
    match = re.search(rf"^const {name} = (.*);$", (site / "sw.js").read_text(encoding="utf-8"), re.M)
    assert match, f"sw.js has no {name}"
    return json.loads(match.group(1))


def test_the_worker_sits_at_the_site_root_with_the_shell_found_in_the_pages(built_site: Path) -> None:
    precache = worker_constant(built_site, "PRECACHE")
    assert isinstance(precache, list) and len(precache) == len(set(precache))
    # The pages and the finder's data; the theme's fingerprinted bundles, named as the pages name them.
    assert {"./", "stations/", "offline/", "maps/stations.json", "maps/district.html"} <= set(precache)
    home = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    finder = BeautifulSoup((built_site / "stations" / "index.html").read_text(encoding="utf-8"), "html.parser")
    bundles = [s["src"] for s in home.select("script[src*='bundle.']")] + \
              [s["href"] for s in home.select("link[rel=stylesheet][href*='main.']")]
    assert bundles and all(b in precache for b in bundles)
    for script in finder.select("script[src]"):  # everything the finder runs, stations.js too
        assert script["src"].removeprefix("../") in precache
    assert "assets/vendor/leaflet/leaflet.js" in precache and "assets/stylesheets/offline.css" in precache
    assert any(p.startswith("assets/icons/") for p in precache), "the icons icons.css draws"
    # Only files of this site, each of which exists; no source maps, no search index, no station pages.
    for path in precache:
        assert not re.match(r"^[a-z]+:|^//|^/", path), path
        assert (built_site / (path + "index.html" if path.endswith("/") else path)).is_file(), path
    assert not any(p.endswith(".map") or p.startswith("pagefind/") for p in precache)
    assert not any(re.match(r"stations/[^/]+/", p) for p in precache)
    # Small: about 0.65 MB with 35 stations (stations.json grows by ≈25 bytes a station).
    assert offline.shell_bytes(built_site, precache) < 1_000_000


def test_the_worker_handles_only_the_sites_own_requests(built_site: Path) -> None:
    worker = (built_site / "sw.js").read_text(encoding="utf-8")
    # The fetch handler returns (leaves the request to the browser) for another origin, before anything is
    # answered or stored; the base path is the worker's own location, not a path written into it.
    handler = worker[worker.index('addEventListener("fetch"'):]
    leave = handler.index("url.origin !== ROOT.origin")
    assert leave < handler.index("respondWith")
    assert BASE not in worker  # no "/xinfu/" written in: the site's path is where the worker is
    assert 'const ROOT = new URL("./", self.location.href);' in worker
    assert "importScripts" not in worker and "https://" not in worker


def test_every_page_links_the_manifest_theme_colour_and_worker(built_site: Path) -> None:
    for path in [built_site / "index.html", built_site / "stations" / "xiaoge-07" / "index.html",
                 built_site / "404.html"]:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        manifest = soup.select_one('link[rel="manifest"]')
        assert manifest is not None and manifest["href"].endswith("site.webmanifest"), path
        assert manifest["data-worker"].endswith("sw.js")
        assert soup.select_one('meta[name="theme-color"]')["content"] == "#a8231c"
        assert soup.select_one('link[rel="apple-touch-icon"]')["href"].endswith(app_icons.APPLE_TOUCH_ICON)
        scripts = [s["src"] for s in soup.select("script[src]")]
        assert any(s.endswith("assets/javascripts/offline.js") for s in scripts), path


def test_the_manifest_parses_and_its_icons_are_pngs_of_their_sizes(built_site: Path) -> None:
    manifest = json.loads((built_site / offline.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["name"] == "忻府区新就业群体服务站点" and 0 < len(manifest["short_name"]) <= 6
    assert manifest["lang"] == "zh-CN" and manifest["display"] == "standalone"
    assert manifest["start_url"] == manifest["scope"] == manifest["id"] == BASE
    assert all(s["url"].startswith(BASE) for s in manifest["shortcuts"])
    site_css = (Path(__file__).parents[1] / "docs/assets/stylesheets/site.css").read_text(encoding="utf-8")
    assert manifest["theme_color"] in site_css and manifest["background_color"] == "#ffffff"
    purposes = set()
    for icon in manifest["icons"]:
        width, height = map(int, icon["sizes"].split("x"))
        data = (built_site / icon["src"]).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and icon["type"] == "image/png"
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG" and image.size == (width, height)
            rgba = image.convert("RGBA")
            corner, centre = rgba.getpixel((1, 1)), rgba.getpixel((width // 2, height // 3))
        if icon["purpose"] == "maskable":  # full bleed: a mask may cut anywhere outside the safe circle
            assert corner[3] == 255
        else:
            assert corner[3] == 0  # the round favicon, transparent around it
        assert centre[:3] == (255, 255, 255) and centre[3] == 255, "the white figure is drawn"
        purposes.add((icon["purpose"], width))
    assert {("any", 192), ("any", 512), ("maskable", 512)} <= purposes
    with Image.open(built_site / app_icons.APPLE_TOUCH_ICON) as apple:
        assert apple.size == (180, 180) and apple.convert("RGBA").getpixel((0, 0))[3] == 255


def test_the_policy_allows_the_sites_own_worker_and_manifest() -> None:
    directives = dict(d.split(" ", 1) for d in csp.policy(None).split("; "))
    assert directives["worker-src"] == "'self'" and directives["manifest-src"] == "'self'"


def test_changed_data_changes_the_workers_version(built_site: Path, tmp_path: Path, data_copy: Path) -> None:
    station = data_copy / "stations" / "xiaoge-07.yaml"
    text = station.read_text(encoding="utf-8")
    name = re.search(r"^name: (.+)$", text, re.M).group(1)
    station.write_text(text.replace(f"name: {name}", "name: 改了名字的驿站"), encoding="utf-8")
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert worker_constant(tmp_path / "site", "VERSION") != worker_constant(built_site, "VERSION")
    assert worker_constant(tmp_path / "site", "PRECACHE") == worker_constant(built_site, "PRECACHE")
    # The icons were drawn once: the second build took them from its cache.
    assert list((tmp_path / "work" / "cache" / "app-icons").glob("*/icon-512.png"))


def test_the_shipped_data_gives_the_same_version_as_its_build(built_site: Path, tmp_path: Path) -> None:
    """The version depends on the precached bytes only (no clock): rebuilding is byte-identical (test_build)."""
    paths = worker_constant(built_site, "PRECACHE")
    assert offline.worker_source(built_site, paths) == (built_site / "sw.js").read_text(encoding="utf-8")


# --- the icons, drawn from the favicon ------------------------------------------------------------------

def test_path_arcs_and_curves_are_flattened_where_they_belong() -> None:
    # A circle of radius 3 about (12, 5) drawn as two arcs, and a cubic curve that ends where it should.
    (circle,) = app_icons.path_polygons("M12 8a3 3 0 0 0 3-3 3 3 0 0 0-3-3 3 3 0 0 0-3 3 3 3 0 0 0 3 3z")
    assert all(abs(math.dist(p, (12, 5)) - 3) < 1e-6 for p in circle)
    (curve,) = app_icons.path_polygons("M0 0C0 10 10 10 10 0s10-10 20 0H25V4h-5z")
    assert curve[0] == (0, 0) and (10.0, 0.0) in curve and curve[-1] == (20.0, 4.0)


def test_an_svg_favicon_this_cannot_read_still_gives_icons(tmp_path: Path, caplog) -> None:
    favicon = tmp_path / "favicon.svg"
    favicon.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><text>字</text></svg>',
                       encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        files = app_icons.icon_files(favicon, "#a8231c", tmp_path / "cache")
    assert "画不了" in caplog.text
    with Image.open(io.BytesIO(files[f"{app_icons.FOLDER}/icon-192.png"])) as image:
        assert image.size == (192, 192) and image.convert("RGB").getpixel((96, 96)) == (0xa8, 0x23, 0x1c)


@pytest.mark.parametrize("favicon", ["favicon.png"])
def test_a_bitmap_favicon_is_scaled(tmp_path: Path, favicon: str) -> None:
    path = tmp_path / favicon
    Image.new("RGBA", (64, 64), (0, 90, 0, 255)).save(path)
    files = app_icons.icon_files(path, "#a8231c", tmp_path / "cache")
    with Image.open(io.BytesIO(files[f"{app_icons.FOLDER}/icon-maskable-512.png"])) as image:
        assert image.size == (512, 512)
        assert image.convert("RGB").getpixel((2, 2)) == (0xa8, 0x23, 0x1c)  # the theme colour around it
        assert image.convert("RGB").getpixel((256, 256)) == (0, 90, 0)
