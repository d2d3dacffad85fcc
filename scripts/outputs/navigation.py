"""One-tap route planning to a station in the map apps riders already have.

Each button opens the provider's *route-planning* page with the station as destination and the rider's
current position as origin, so one tap shows the route (the old marker pages needed one more). None of
these links needs an API key; all are plain ``https`` links, so they work with or without the app.

Sources: each provider's own URI API documentation — 高德 "URI API 开发指南 › 出行相关 › 路径规划"
(lbs.amap.com/api/uri-api/guide/travel/route), 百度 "Web 端 URI API" (lbsyun.baidu.com, 地图调起 › Web,
"公交、驾车、步行导航" /direction) and 腾讯 "URI API › Web 端 › 路线规划" (lbs.qq.com/webApi/uriV1/
uriGuide/uriWebRoute); and DESIGN §5 (coordinate systems, argument order).

高德 ``https://uri.amap.com/navigation?to=LNG,LAT,NAME&mode=ride&src=SITE&callnative=1``
    ``to`` is ``lng,lat[,name]``. Unlike ``/marker`` this endpoint has **no** coordinate-system
    parameter: it takes GCJ-02 only, so the WGS-84 location is converted here. Without ``from`` the
    origin is the phone's current position (mobile only). ``mode=ride`` (骑行, mobile only, app ≥ 8.0)
    suits an e-bike. ``callnative=1`` opens the 高德 app when installed; otherwise — or in WeChat/QQ,
    which the docs say block the hand-over — the same route opens in 高德's mobile web page. ``,``
    separates the fields of ``to``, so a name's ASCII comma is written as a full-width "，".
百度 ``https://api.map.baidu.com/direction?origin=我的位置&destination=name:NAME|latlng:LAT,LNG
    &mode=driving&coord_type=wgs84&output=html&src=webapp.SITE``
    Points are ``lat,lng`` (latitude first) and ``coord_type=wgs84`` declares our system (the default
    would be BD-09, ≈1.35 km away here). ``output=html`` is required for the web map, which is what opens
    when the app is absent (the app ignores it). ``origin`` is required on the web endpoint; a bare
    name is allowed, and "我的位置" is what 百度's own pages call the device position — the docs do not
    promise it is geolocated, so at worst the rider picks the start point. The web endpoint documents
    only transit/driving/walking (``riding`` is an app-scheme value), so: ``driving``. ``|`` separates
    the destination's fields, so a name's ``|`` is written as a full-width "｜".
腾讯 ``https://apis.map.qq.com/uri/v1/routeplan?type=drive&to=NAME&tocoord=LAT,LNG&coord_type=1&referer=SITE``
    ``tocoord`` is ``lat,lng``; ``coord_type=1`` means GPS (WGS-84), the default 2 being GCJ-02. With
    neither ``from`` nor ``fromcoord`` the mobile page starts at the current position. The name has a
    parameter of its own, so unlike ``/marker`` no ``;``/``:`` needs replacing. The web endpoint opens
    腾讯's web/wap map; it documents bus/drive/walk (``bike`` is app-scheme only), so: ``drive``.

Why not walking for 百度 and 腾讯: walking routes take footbridges, stairs and underpasses and ignore
one-way streets, none of which an e-bike may use; a driving route keeps to roads, and the app switches
mode in one tap. Every value is percent-encoded (``quote``), so a name with ``&``, ``#``, ``=``, spaces
or any other character stays inside its own parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ..records.models import Station
from ..rules import coords


@dataclass(frozen=True)
class NavigationLink:
    app: str  # 高德地图 / 百度地图 / 腾讯地图
    url: str


AMAP_ROUTE = "https://uri.amap.com/navigation"
BAIDU_ROUTE = "https://api.map.baidu.com/direction"
TENCENT_ROUTE = "https://apis.map.qq.com/uri/v1/routeplan"
BAIDU_CURRENT_POSITION = "我的位置"


def _coord(value: float) -> str:
    return f"{value:.6f}"


def _query(args: dict[str, str], safe: str = ",") -> str:
    return urlencode(args, quote_via=quote, safe=safe)


# What 高德's ``to`` cannot hold in a name, and what is written instead.
AMAP_NAME_REPLACEMENTS = {",": "，"}


def _amap_route(lat: str, lng: str, name: str, app_name: str) -> str:
    args = {"to": f"{lng},{lat},{name}", "mode": "ride", "src": app_name, "callnative": "1"}
    return f"{AMAP_ROUTE}?{_query(args)}"


def amap_url(station: Station, app_name: str) -> str:
    lat, lng = coords.wgs84_to_gcj02(station.location.lat, station.location.lng)  # /navigation: GCJ-02 only
    name = station.name
    for character, replacement in AMAP_NAME_REPLACEMENTS.items():
        name = name.replace(character, replacement)
    return _amap_route(_coord(lat), _coord(lng), name, app_name)


def amap_template(app_name: str) -> dict[str, object]:
    """高德's route link with slots, for the finder, which draws its cards in the browser from maps/stations.json.

    The browser fills ``{lat}``/``{lng}`` with the station's GCJ-02 point (6 decimals) and ``{name}`` with the
    percent-encoded name after ``replace``; the link's other parts come from here, so there is one rule for
    it. tests/test_rider_browser.py compares the browser's links with ``amap_url``, character for character."""
    url = _amap_route("{lat}", "{lng}", "{name}", app_name)
    for slot in ("lat", "lng", "name"):
        url = url.replace(quote("{" + slot + "}", safe=""), "{" + slot + "}")
    return {"app": "高德地图", "url": url, "crs": "gcj02", "replace": AMAP_NAME_REPLACEMENTS}


def baidu_url(station: Station, app_name: str) -> str:
    lat, lng = station.location.lat, station.location.lng
    name = station.name.replace("|", "｜")
    args = {"origin": BAIDU_CURRENT_POSITION, "destination": f"name:{name}|latlng:{_coord(lat)},{_coord(lng)}",
            "mode": "driving", "coord_type": "wgs84", "output": "html", "src": f"webapp.{app_name}"}
    return f"{BAIDU_ROUTE}?{_query(args)}"


def tencent_url(station: Station, app_name: str) -> str:
    lat, lng = station.location.lat, station.location.lng
    args = {"type": "drive", "to": station.name, "tocoord": f"{_coord(lat)},{_coord(lng)}", "coord_type": "1",
            "referer": app_name}
    return f"{TENCENT_ROUTE}?{_query(args)}"


def navigation_links(station: Station, app_name: str) -> list[NavigationLink]:
    """The three apps, for a station whose location is already WGS-84."""
    assert station.location.crs == "wgs84", "the catalogue converts every station to WGS-84"
    return [
        NavigationLink("高德地图", amap_url(station, app_name)),
        NavigationLink("百度地图", baidu_url(station, app_name)),
        NavigationLink("腾讯地图", tencent_url(station, app_name)),
    ]
