"""Maps without a browser: coordinate systems per tile provider, navigation links, self-hosted assets."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import build_site, run_cli
from scripts.outputs import maps
from scripts.pipeline.build import Project, load_catalogue
from scripts.records.models import Location
from scripts.rules import coords


def test_same_place_in_gcj02_and_wgs84_is_drawn_within_5_m_on_every_provider(data_copy: Path) -> None:
    lat, lng = 38.40321, 112.72587
    g_lat, g_lng = coords.wgs84_to_gcj02(lat, lng)
    base = (data_copy / "stations" / "xiaoge-01.yaml").read_text(encoding="utf-8")
    points = {"pair-wgs": f"lat: {lat}\n  lng: {lng}", "pair-gcj": f"lat: {g_lat}\n  lng: {g_lng}\n  crs: gcj02"}
    for name, point in points.items():
        text = base.replace("id: xiaoge-01", f"id: {name}")
        start, end = text.index("location:"), text.index("\nhours:")
        record = text[:start] + "location:\n  " + point + text[end:]
        (data_copy / "stations" / f"{name}.yaml").write_text(record, encoding="utf-8")
    catalogue = load_catalogue(Project(data_dir=data_copy))
    for provider in maps.PROVIDERS:
        settings = catalogue.settings.map.model_copy(update={"tiles": provider})
        drawn = [maps.to_map_coordinates(catalogue.stations[n], settings) for n in ("pair-wgs", "pair-gcj")]
        assert coords.distance_m(*drawn) < 5, provider
        if maps.PROVIDERS[provider].crs == "gcj02":  # drawn shifted onto 高德's streets
            assert coords.distance_m(drawn[0], (g_lat, g_lng)) < 1
        else:
            assert coords.distance_m(drawn[0], (lat, lng)) < 1


def test_station_data_is_one_compact_file(built_site: Path) -> None:
    import json

    data = json.loads((built_site / "maps" / "stations.json").read_text(encoding="utf-8"))
    assert len(data["stations"]) == len(list((Path(__file__).parent.parent / "data" / "stations").glob("*.yaml")))
    assert set(data["types"]) == {"center", "nuanxin", "xiaoge"}


def test_maps_load_leaflet_only_from_the_site(built_site: Path) -> None:
    for document in ("district.html", "station.html"):
        soup = BeautifulSoup((built_site / "maps" / document).read_text(encoding="utf-8"), "html.parser")
        assets = [tag.get("src") for tag in soup.find_all("script") if tag.get("src")]
        assets += [tag.get("href") for tag in soup.find_all("link")]
        # The map's own script is beside it (maps/district.js): the Content-Security-Policy refuses inline scripts.
        own_script = document.replace(".html", ".js")
        assert own_script in assets
        assert all(a.startswith("../assets/") or a == own_script for a in assets), assets
        for asset in assets:
            assert (built_site / "maps" / asset).resolve().is_file(), asset
        assert not any(word in str(soup).lower() for word in ("jquery", "bootstrap", "font-awesome", "cdn"))
        assert soup.html["lang"] == "zh-CN"


def test_district_map_needs_no_block_per_marker(built_site: Path) -> None:
    html = (built_site / "maps" / "district.html").read_text(encoding="utf-8")
    script = (built_site / "maps" / "district.js").read_text(encoding="utf-8")
    assert "L.marker(" not in html + script
    assert len(html) < 6_000 and len(script) < 6_000


def test_station_page_links_the_three_navigation_apps(built_site: Path) -> None:
    soup = BeautifulSoup((built_site / "stations" / "xiaoge-01" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    apps = {a["data-app"]: a["href"] for a in soup.select(".navigation-links a")}
    assert list(apps) == ["高德地图", "百度地图", "腾讯地图"]
    frame = soup.select_one("iframe.station-map")
    assert frame["title"] and frame["src"].startswith("../../maps/station.html?")


@pytest.mark.parametrize("key", [None, "test-key-123"])
def test_tianditu_tiles_need_a_key_from_the_environment(data_copy: Path, tmp_path: Path, monkeypatch, key) -> None:
    settings = data_copy / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("tiles: osm", "tiles: tianditu"), encoding="utf-8")
    if key:
        monkeypatch.setenv("TIANDITU_KEY", key)
    else:  # set but empty: run_cli gives builds a stand-in key only when the variable is not set at all
        monkeypatch.setenv("TIANDITU_KEY", "")
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site")
    if key is None:
        assert result.exit_code == 1
        assert "TIANDITU_KEY" in result.output and "Traceback" not in result.output
    else:
        assert result.exit_code == 0, result.output
        html = (tmp_path / "site" / "maps" / "district.js").read_text(encoding="utf-8")  # the map's script
        assert "LAYER=vec" in html and "LAYER=cva" in html and "tk=test-key-123" in html
        assert "www.tianditu.gov.cn" in html  # the attribution


def test_amap_tiles_get_gcj02_markers(data_copy: Path, tmp_path: Path) -> None:
    import json

    settings = data_copy / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("tiles: osm", "tiles: amap"), encoding="utf-8")
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "site" / "maps" / "stations.json").read_text(encoding="utf-8"))
    assert data["crs"] == "gcj02"
    catalogue = load_catalogue(Project(data_dir=data_copy))
    columns = data["columns"]
    for row in data["stations"]:
        station_id, lat, lng = row[0], row[columns.index("map_lat")], row[columns.index("map_lng")]
        assert (row[1], row[2]) == (catalogue.stations[station_id].location.lat,
                                    catalogue.stations[station_id].location.lng)  # WGS-84 kept for distances
        wgs = catalogue.stations[station_id].location
        expected = coords.wgs84_to_gcj02(wgs.lat, wgs.lng)
        assert 500 < coords.distance_m((wgs.lat, wgs.lng), (lat, lng)) < 650
        assert coords.distance_m(expected, (lat, lng)) < 1


def test_location_model_defaults_to_wgs84() -> None:
    assert Location(lat=38.4, lng=112.7).crs == "wgs84"


def test_cli_validate_still_passes_on_shipped_data() -> None:
    assert run_cli("validate").exit_code == 0


@pytest.mark.parametrize("tiles", sorted(maps.PROVIDERS))
def test_the_content_security_policy_allows_the_tiles_and_no_other_host(tiles: str) -> None:
    from scripts.outputs import csp
    from scripts.records.models import MapSettings

    settings = MapSettings(center={"lat": 38.4, "lng": 112.7}, tiles=tiles,
                           bounds={"south": 38, "west": 112, "north": 39, "east": 113})
    img_src = next(d for d in csp.policy(settings).split("; ") if d.startswith("img-src")).split()[1:]
    hosts = {urlsplit(source).hostname for source in img_src if source.startswith("https://")}
    wanted = {urlsplit(layer.url.replace("{s}", s)).hostname
              for layer in maps.PROVIDERS[tiles].layers for s in (layer.subdomains or "-")}
    assert hosts == wanted and all("{" not in host for host in hosts), img_src
    assert "frame-ancestors" not in csp.policy(settings) and "frame-ancestors 'self'" in csp.header_policy(settings)
    assert "'unsafe-inline'" not in next(d for d in csp.policy(settings).split("; ") if d.startswith("script-src"))


def test_the_district_name_and_review_number_are_text_in_the_map(data_copy: Path, monkeypatch) -> None:
    """Both end up as HTML (folium's <title>, Leaflet's attribution): markup in them must show as text."""
    import codecs

    monkeypatch.setenv("SITE_TODAY", "2026-11-28")
    catalogue = load_catalogue(Project(data_dir=data_copy))
    markup = '<img src=x onerror="alert(1)">'
    catalogue.settings = catalogue.settings.model_copy(update={
        "district": f"忻府区{markup}", "map": catalogue.settings.map.model_copy(update={"review_number": markup})})
    files = dict(maps.map_files(catalogue))
    document, script = files["maps/district.html"], codecs.decode(files["maps/district.js"], "unicode_escape")
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert "<img" not in document and f"<title>忻府区{escaped}驿站地图</title>" in document
    assert "<img" not in script and f"审图号：{escaped}" in script
