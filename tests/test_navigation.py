"""Navigation buttons (issue 16): each opens the provider's route planning to the station, in the argument order
and coordinate system that provider documents, with the name intact whatever it contains; and the finder's
"显示更多" button stays hidden when every station fits on the first page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import PageVisit
from scripts.outputs import navigation
from scripts.pipeline.build import Project, load_catalogue
from scripts.records.models import Station
from scripts.rules import coords

AWKWARD = "小哥驿站 A&B #2; 门牌:3 号 100%=满?/+"
LAT, LNG = 38.41651, 112.73402
STATION = Station.model_validate({
    "id": "nav-test", "name": AWKWARD, "type": "xiaoge", "address": "忻州市忻府区长征街1号",
    "location": {"lat": LAT, "lng": LNG}, "hours": {"open_24h": True}, "amenities": ["rest"],
    "organisation": "xinfu-union", "verified": "2026-05-01",
})
APP = "xinfu-stations"


def parse(url: str) -> tuple[str, dict[str, str]]:
    """The endpoint (scheme://host/path) and the query, each parameter present exactly once."""
    parts = urlsplit(url)
    assert parts.fragment == "", "a '#' in a name must not start a fragment"
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in query.values()), query
    return f"{parts.scheme}://{parts.netloc}{parts.path}", {key: values[0] for key, values in query.items()}


def pair(text: str) -> tuple[float, float]:
    first, second = text.split(",")
    return float(first), float(second)


def test_amap_routes_to_lng_lat_in_gcj02_with_the_name() -> None:
    endpoint, args = parse(navigation.amap_url(STATION, APP))
    assert endpoint == "https://uri.amap.com/navigation"
    lng, lat, name = args["to"].split(",", 2)
    g_lat, g_lng = coords.wgs84_to_gcj02(LAT, LNG)
    # /navigation has no coordinate-system parameter: it reads GCJ-02, about 500 m off WGS-84 here.
    assert (float(lng), float(lat)) == pytest.approx((g_lng, g_lat), abs=2e-6)
    assert coords.distance_m((float(lat), float(lng)), (LAT, LNG)) > 300
    assert "coordinate" not in args
    assert name == AWKWARD
    assert "from" not in args  # origin = the phone's position
    assert args["mode"] == "ride" and args["callnative"] == "1" and args["src"] == APP


def test_amap_name_cannot_add_a_field_to_the_destination() -> None:
    station = STATION.model_copy(update={"name": "东站,西口"})
    _, args = parse(navigation.amap_url(station, APP))
    assert args["to"].split(",", 2)[2] == "东站，西口"


def test_baidu_routes_from_my_position_to_lat_lng_declared_wgs84() -> None:
    endpoint, args = parse(navigation.baidu_url(STATION, APP))
    assert endpoint == "https://api.map.baidu.com/direction"
    fields = dict(part.split(":", 1) for part in args["destination"].split("|"))
    assert pair(fields["latlng"]) == pytest.approx((LAT, LNG), abs=1e-6)  # latitude first
    assert fields["name"] == AWKWARD
    assert args["coord_type"] == "wgs84"  # the default would be BD-09, ~1.35 km away
    assert args["origin"] == "我的位置"
    assert args["mode"] == "driving" and args["output"] == "html" and args["src"] == f"webapp.{APP}"


def test_baidu_name_cannot_add_a_field_to_the_destination() -> None:
    station = STATION.model_copy(update={"name": "驿站|latlng:0,0"})
    _, args = parse(navigation.baidu_url(station, APP))
    fields = dict(part.split(":", 1) for part in args["destination"].split("|"))
    assert fields["name"] == "驿站｜latlng:0,0" and pair(fields["latlng"]) == pytest.approx((LAT, LNG))


def test_tencent_routes_to_lat_lng_declared_gps() -> None:
    endpoint, args = parse(navigation.tencent_url(STATION, APP))
    assert endpoint == "https://apis.map.qq.com/uri/v1/routeplan"
    assert pair(args["tocoord"]) == pytest.approx((LAT, LNG), abs=1e-6)  # latitude first
    assert args["coord_type"] == "1"  # 1 = GPS (WGS-84); the default 2 is GCJ-02
    assert args["to"] == AWKWARD  # its own parameter: ';' and ':' need no replacing
    assert "from" not in args and "fromcoord" not in args  # origin = the phone's position
    assert args["type"] == "drive" and args["referer"] == APP


def test_every_station_page_has_the_three_route_links(built_site: Path) -> None:
    catalogue = load_catalogue(Project())
    app = catalogue.settings.map.app_name
    for station in catalogue.stations.values():
        page = built_site / "stations" / station.id / "index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = soup.select(".navigation-links a")
        assert [(a["data-app"], a["href"]) for a in links] == [
            (link.app, link.url) for link in navigation.navigation_links(station, app)], station.id
        assert [parse(a["href"])[0] for a in links] == [
            "https://uri.amap.com/navigation", "https://api.map.baidu.com/direction",
            "https://apis.map.qq.com/uri/v1/routeplan"]


def test_show_more_is_hidden_when_every_station_fits(phone: PageVisit, site_url: str) -> None:
    page = phone.page
    page.goto(site_url + "stations/")
    page.wait_for_selector("#finder:not([hidden])")
    page.wait_for_function("document.querySelectorAll('#station-list li[data-station]:not([hidden])').length > 0")
    more = page.locator("#finder-more-results")
    assert more.get_attribute("hidden") is not None
    assert more.evaluate("b => getComputedStyle(b).display") == "none"
    assert not more.is_visible()
