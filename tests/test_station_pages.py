"""Station pages read as HTML: schema.org markup, QR codes, posters, alerts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import DATA, TODAY

STATIONS = {p.stem: yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
            for p in sorted((DATA / "stations").glob("*.yaml"))}


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("station_id", list(STATIONS))
def test_station_has_qr_code_poster_and_structured_data(built_site: Path, station_id: str) -> None:
    record = STATIONS[station_id]
    page = soup_of(built_site / "stations" / station_id / "index.html")

    qr = page.select_one(".station-qr img")
    assert qr["alt"] and (built_site / "stations" / station_id / qr["src"]).resolve().is_file()
    assert (built_site / "assets" / "qr" / f"{station_id}.svg").read_bytes().startswith(b"<svg")

    poster = soup_of(built_site / "stations" / station_id / "poster" / "index.html")
    assert poster.select_one(".poster h1").get_text(strip=True) == record["name"]
    assert (built_site / "stations" / station_id / "poster" / poster.select_one(".poster-qr img")["src"]).resolve() \
        == (built_site / "assets" / "qr" / f"{station_id}.svg").resolve()
    assert [li["data-amenity"] for li in poster.select(".amenities li")] == record["amenities"]

    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["@type"] == "CivicStructure" and data["name"] == record["name"]
    assert data["address"]["streetAddress"] == record["address"]
    assert set(data["geo"]) == {"@type", "latitude", "longitude"}
    # Regular hours only for an open station; a temporarily closed one has its closure's dates instead.
    assert bool(data.get("openingHoursSpecification")) == (record.get("status", "open") == "open")
    if record.get("status") == "temporarily_closed":
        assert data["specialOpeningHoursSpecification"][-1]["opens"] == "00:00"
    if record.get("location", {}).get("crs", "wgs84") == "wgs84":
        assert (data["geo"]["latitude"], data["geo"]["longitude"]) == (
            float(record["location"]["lat"]), float(record["location"]["lng"]))


def test_only_current_alerts_are_shown(built_site: Path) -> None:
    for station_id, record in STATIONS.items():
        page = soup_of(built_site / "stations" / station_id / "index.html")
        titles = [t.get_text() for t in page.select(".admonition.info .admonition-title")]
        expected = [a for a in record.get("alerts", []) if not a.get("end") or a["end"] >= TODAY]
        assert len(titles) == len(expected), station_id


def test_stale_record_warns_and_fresh_one_does_not(built_site: Path) -> None:
    stale = [sid for sid, r in STATIONS.items() if r["verified"] < "2025-11-28"]
    assert stale, "the shipped data should include a record verified more than a year ago"
    for station_id in STATIONS:
        page = soup_of(built_site / "stations" / station_id / "index.html")
        warned = any("过期" in t.get_text() for t in page.select(".admonition-title"))
        assert warned == (station_id in stale), station_id


def test_report_problem_link_names_the_station(built_site: Path) -> None:
    page = soup_of(built_site / "stations" / "xiaoge-01" / "index.html")
    links = page.select(".report-problem a")
    assert any("xiaoge-01" in a["href"] for a in links)
    assert any(a["href"].startswith("tel:") for a in links)


def test_the_map_waits_behind_a_disclosure_and_the_navigation_buttons_do_not(built_site: Path) -> None:
    page = soup_of(built_site / "stations" / "xiaoge-01" / "index.html")
    disclosure = page.select_one("details.station-map-details")
    assert disclosure is not None and not disclosure.has_attr("open")
    assert disclosure.summary.get_text(strip=True) == "显示位置地图"
    frame = disclosure.select_one("iframe.station-map")
    assert frame["loading"] == "lazy" and frame["title"].endswith("位置地图")
    buttons = page.select(".navigation-links a")
    assert [a["data-app"] for a in buttons] == ["高德地图", "百度地图", "腾讯地图"]
    assert not any(a.find_parent("details") for a in buttons)


def scripts_of(site: Path, path: str) -> set[str]:
    page = soup_of(site / path / "index.html")
    return {(site / path / script["src"]).resolve().relative_to(site.resolve()).as_posix()
            for script in page.select("script[src]")}


# The theme's globals and the early elderly-mode switch are files, not inline scripts, for the CSP.
SITE_WIDE = {"assets/javascripts/search.js", "assets/javascripts/elderly-mode.js",
             "assets/javascripts/header-buttons.js", "assets/javascripts/theme-globals.js",
             "assets/javascripts/elderly-mode-early.js", "assets/javascripts/time-limited.js",
             "assets/javascripts/offline.js", "assets/javascripts/scrollable-tables.js"}


@pytest.mark.parametrize("path, own", [
    ("stations/xiaoge-01", {"assets/javascripts/opening-hours.js"}),
    ("stations", {"assets/javascripts/opening-hours.js", "assets/javascripts/stations.js"}),
    ("", set()),
    ("services", set()),
])
def test_each_page_loads_the_site_wide_scripts_and_only_its_own(built_site: Path, path: str, own: set[str]) -> None:
    scripts = {s for s in scripts_of(built_site, path) if not s.startswith("assets/javascripts/bundle.")}
    assert scripts == SITE_WIDE | own
    assert all((built_site / script).is_file() for script in scripts)


def test_a_station_page_gives_the_theme_no_reason_to_download_the_sitemap(built_site: Path) -> None:
    """Instant navigation, and any <link rel="alternate"> (read as another language of the site),
    make the theme's script fetch sitemap.xml, which grows with every station."""
    page = soup_of(built_site / "stations" / "xiaoge-01" / "index.html")
    assert "navigation.instant" not in json.loads(page.select_one("script#__config").string)["features"]
    assert page.select('link[rel="alternate"]') == []
