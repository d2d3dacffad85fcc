"""One-tap navigation links into the map apps riders already have.

Each app wants its own argument order and coordinate system (DESIGN §5):
高德 takes ``lng,lat`` and accepts ``coordinate=wgs84``; 百度 and 腾讯 take
``lat,lng`` and accept WGS-84 with ``coord_type=wgs84`` and ``coord_type=1``.
None of these links needs an API key.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ..records.models import Station


@dataclass(frozen=True)
class NavigationLink:
    app: str  # 高德 / 百度 / 腾讯
    url: str


def _coord(value: float) -> str:
    return f"{value:.6f}"


def amap_url(station: Station, app_name: str) -> str:
    lat, lng = station.location.lat, station.location.lng
    query = {"position": f"{_coord(lng)},{_coord(lat)}", "name": station.name, "src": app_name,
             "coordinate": "wgs84", "callnative": "1"}
    return "https://uri.amap.com/marker?" + urlencode(query, quote_via=quote, safe=",")


def baidu_url(station: Station, app_name: str) -> str:
    lat, lng = station.location.lat, station.location.lng
    query = {"location": f"{_coord(lat)},{_coord(lng)}", "title": station.name, "content": station.address,
             "output": "html", "coord_type": "wgs84", "src": app_name}
    return "https://api.map.baidu.com/marker?" + urlencode(query, quote_via=quote, safe=",")


def tencent_url(station: Station, app_name: str) -> str:
    lat, lng = station.location.lat, station.location.lng
    # ";" and ":" structure the marker value: in a name or an address they would start a field of their own.
    name, address = (text.replace(";", "；").replace(":", "：") for text in (station.name, station.address))
    marker = f"coord:{_coord(lat)},{_coord(lng)};title:{name};addr:{address}"
    query = {"marker": marker, "coord_type": "1", "referer": app_name}
    return "https://apis.map.qq.com/uri/v1/marker?" + urlencode(query, quote_via=quote, safe=",:;")


def navigation_links(station: Station, app_name: str) -> list[NavigationLink]:
    """The three apps, for a station whose location is already WGS-84."""
    assert station.location.crs == "wgs84", "the catalogue converts every station to WGS-84"
    return [
        NavigationLink("高德地图", amap_url(station, app_name)),
        NavigationLink("百度地图", baidu_url(station, app_name)),
        NavigationLink("腾讯地图", tencent_url(station, app_name)),
    ]
