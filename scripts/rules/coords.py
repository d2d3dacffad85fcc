"""Coordinate systems used by maps in China.

WGS-84 is what GPS, OpenStreetMap and 天地图 use and what we store. 高德 and
腾讯 use GCJ-02, 百度 uses BD-09. ``coordTransform`` implements the standard
forward formulas; its one-step inverse is off by up to ~3 m, so the inverse
here iterates the forward transform until it agrees to a few centimetres.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import coordTransform

_EARTH_RADIUS_M = 6_371_008.8

# Where coordinates were picked, as a person names it → the coordinate system (DESIGN §5). The issue forms offer
# these names; the scaffold's question, the spreadsheet import and ``crs_named`` accept them and the short forms.
MAP_SOURCES: dict[str, str] = {
    "高德地图": "gcj02",
    "腾讯地图": "gcj02",
    "百度地图": "bd09",
    "天地图": "wgs84",
    "手机 GPS 定位": "wgs84",
    "OpenStreetMap": "wgs84",
}

# Each system as the import/export workbook, the scaffold's question and a new file's comment name it, declared
# once: ``label`` is the workbook's cell and drop-down entry (``crs_named`` reads it back, so export → import
# round-trips), ``maps`` the scaffold's list of where such coordinates come from, ``note`` the comment a new
# station file gets above its coordinates ("" for WGS-84, which needs no conversion).
@dataclass(frozen=True)
class CoordinateSystem:
    label: str
    maps: str
    note: str


COORDINATE_SYSTEMS: dict[str, CoordinateSystem] = {
    "gcj02": CoordinateSystem("高德/腾讯（GCJ-02）", "高德地图、腾讯地图",
                              "坐标从高德或腾讯地图拾取（GCJ-02），构建时换算为 WGS-84。"),
    "bd09": CoordinateSystem("百度（BD-09）", "百度地图", "坐标从百度地图拾取（BD-09），构建时换算为 WGS-84。"),
    "wgs84": CoordinateSystem("GPS/天地图（WGS-84）", "GPS 定位、天地图、OpenStreetMap", ""),
}
_OTHER_NAMES: dict[str, str] = {
    "wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84", "北斗": "wgs84", "手机定位": "wgs84", "osm": "wgs84",
    "tianditu": "wgs84",
    "gcj02": "gcj02", "gcj-02": "gcj02", "火星坐标": "gcj02", "高德": "gcj02", "腾讯": "gcj02", "amap": "gcj02",
    "gaode": "gcj02", "qq": "gcj02",
    "bd09": "bd09", "bd-09": "bd09", "百度": "bd09", "baidu": "bd09", "百度坐标": "bd09",
}


def crs_named(text: str) -> str | None:
    """The coordinate system a person means by ``text`` (高德地图, 百度, GPS, gcj02…), or None when it is not one
    we know: a guess would put the station hundreds of metres off."""
    name = "".join(text.split()).lower()
    return _BY_NAME.get(name) or _BY_NAME.get(name.removesuffix("地图")) or _BY_NAME.get(name.removesuffix("坐标"))


_BY_NAME = ({"".join(key.split()).lower(): crs for key, crs in MAP_SOURCES.items()} | _OTHER_NAMES
            | {"".join(system.label.split()).lower(): crs for crs, system in COORDINATE_SYSTEMS.items()})


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    g_lng, g_lat = coordTransform.wgs84_to_gcj02(lng, lat)
    return g_lat, g_lng


def wgs84_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    b_lng, b_lat = coordTransform.wgs84_to_bd09(lng, lat)
    return b_lat, b_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    return _invert(wgs84_to_gcj02, lat, lng)


def bd09_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    return _invert(wgs84_to_bd09, lat, lng)


def _invert(forward: Callable[[float, float], tuple[float, float]], lat: float, lng: float) -> tuple[float, float]:
    """Exact inverse of ``forward`` by fixed-point iteration (a handful of steps)."""
    w_lat, w_lng = lat, lng
    for _ in range(30):
        f_lat, f_lng = forward(w_lat, w_lng)
        d_lat, d_lng = f_lat - lat, f_lng - lng
        w_lat, w_lng = w_lat - d_lat, w_lng - d_lng
        if abs(d_lat) < 1e-10 and abs(d_lng) < 1e-10:
            break
    return w_lat, w_lng


def to_wgs84(lat: float, lng: float, crs: str) -> tuple[float, float]:
    if crs == "gcj02":
        return gcj02_to_wgs84(lat, lng)
    if crs == "bd09":
        return bd09_to_wgs84(lat, lng)
    return lat, lng


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lat, lng) points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(h))
