"""Maps made with folium, with Leaflet served from the site itself.

Two small map documents are generated and embedded in pages as iframes, so
Leaflet's full-page CSS never touches the theme:

* ``maps/district.html`` loads ``maps/stations.json`` (one compact file for all
  stations) and clusters the markers in the browser (``station-map.js``) — one
  file, not one JS block per marker, so 10,000 stations stay light;
* ``maps/station.html`` shows one point taken from its query string, so every
  station page shares the same document.

Records are WGS-84. When the configured tiles are drawn in GCJ-02 (高德), the
coordinates handed to the map are converted so markers sit on the right street.
Leaflet and the cluster bubbles' stylesheet come from the ``xstatic-*`` packages
installed from PyPI (the clustering is ``station-map.js``'s own: the plugin's
index of every zoom level cost hundreds of milliseconds per filter at 10,000
stations); folium's default CDN links (jQuery, Bootstrap, Font Awesome…) are
replaced, so no map loads anything but its own files and the tiles.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import folium
import jinja2
import xstatic.pkg.leaflet as xstatic_leaflet
import xstatic.pkg.leaflet_markercluster as xstatic_markercluster
from branca.element import Element, MacroElement

from ..pipeline.resolve import Catalogue
from ..records.models import MapSettings, Station
from ..rules import coords
from . import csp, navigation
from .station_extras import compact_hours

VENDOR = "assets/vendor"
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
_TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class TileLayer:
    url: str
    subdomains: str = ""
    max_zoom: int = 18


@dataclass(frozen=True)
class TileProvider:
    name: str
    crs: str  # the coordinate system the tiles are drawn in
    attribution: str
    layers: tuple[TileLayer, ...]


_TIANDITU = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}" \
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"

PROVIDERS: dict[str, TileProvider] = {
    "osm": TileProvider(
        "OpenStreetMap", "wgs84",
        '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener">'
        "OpenStreetMap</a> 贡献者",
        (TileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_zoom=19),),
    ),
    "tianditu": TileProvider(
        "天地图", "wgs84",  # CGCS2000, within metres of WGS-84
        '&copy; <a href="https://www.tianditu.gov.cn/" target="_blank" rel="noopener">天地图</a>',
        (TileLayer(_TIANDITU.replace("{layer}", "vec"), "01234567"),
         TileLayer(_TIANDITU.replace("{layer}", "cva"), "01234567")),
    ),
    "amap": TileProvider(
        "高德地图", "gcj02", "&copy; 高德地图",
        (TileLayer("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                   "1234"),),
    ),
}


class MapConfigError(Exception):
    """The map settings cannot be used (for example a missing 天地图 key)."""


def provider_for(settings: MapSettings) -> TileProvider:
    return PROVIDERS[settings.tiles]


def to_map_coordinates(station: Station, settings: MapSettings) -> tuple[float, float]:
    """The station's (lat, lng) in the system the tiles are drawn in, rounded to ~0.1 m."""
    lat, lng = station.location.lat, station.location.lng
    if provider_for(settings).crs == "gcj02":
        lat, lng = coords.wgs84_to_gcj02(lat, lng)
    return round(lat, 6), round(lng, 6)


def station_map_src(station: Station, catalogue: Catalogue) -> str:
    """The iframe address of a station's small map, relative to the station page."""
    lat, lng = to_map_coordinates(station, catalogue.settings.map)
    entry = catalogue.station_type(station)
    query = {"lat": lat, "lng": lng, "type": station.type, "short": entry.short or entry.label[:2],
             "label": entry.label, "name": station.name}
    return "../../maps/station.html?" + urlencode(query, quote_via=quote)


class _StationLayer(MacroElement):
    """Calls ``stationMap.show`` on the folium map, after our script is loaded."""

    def __init__(self, options: dict, scripts: list[tuple[str, str]], styles: list[tuple[str, str]]):
        super().__init__()
        self._name = "StationLayer"
        self._id = "stations"
        self._template = jinja2.Template((_TEMPLATES / "station_layer.html").read_text(encoding="utf-8"))
        self.options = options
        self.default_js = scripts
        self.default_css = styles

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(folium.JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(folium.CssLink(url), name=name)
        super().render(**kwargs)


def _tile_url(layer: TileLayer, settings: MapSettings) -> str:
    if "{key}" not in layer.url:
        return layer.url
    key = os.environ.get(settings.tianditu_key_env, "").strip()
    if not key:
        raise MapConfigError(
            f"底图设为天地图，但没有找到密钥：请设置环境变量 {settings.tianditu_key_env}"
            "（天地图密钥绑定网站域名，不要写进仓库），"
            "或在 data/site.yaml 里把 map.tiles 改为 osm。"
        )
    return layer.url.replace("{key}", key)


# folium's page, with the Content-Security-Policy first and the map's script in a file beside the page
# (the policy refuses inline scripts): folium writes the script inline after </body>.
_FIGURE = jinja2.Template(
    "<!DOCTYPE html>\n"
    '<html lang="zh-CN">\n'
    "<head>\n"
    "<title>{{ this.title }}</title>"
    "    {{ this.header.render(**kwargs) }}\n"
    "</head>\n"
    "<body>\n"
    "    {{ this.html.render(**kwargs) }}\n"
    '<script src="{{ this.script_file }}"></script>\n'
    "</body>\n"
    "</html>\n"
)
# folium's inline <script> setting Leaflet's global switches to their defaults, after leaflet.js has read them:
# it does nothing, and the policy would refuse it.
_GLOBAL_SWITCHES = re.compile(r"\s*<script>\s*L_NO_TOUCH = false;\s*L_DISABLE_3D = false;\s*</script>")


def _map_document(name: str, catalogue: Catalogue, mode: str, zoom: int) -> tuple[str, str]:
    """A folium document for one map and its script (``maps/<name>.js``); element ids are fixed so builds are
    byte-identical."""
    settings = catalogue.settings.map
    provider = provider_for(settings)
    center = settings.center
    lat, lng = center.lat, center.lng
    if provider.crs == "gcj02":
        lat, lng = coords.wgs84_to_gcj02(lat, lng)
    # The title and the attribution are HTML (folium writes the title as it is, Leaflet the attribution with
    # innerHTML): the editors' text in them is escaped.
    figure = folium.Figure(title=html.escape(f"{catalogue.settings.district}驿站地图"))
    figure._id = name
    figure._template = _FIGURE
    figure.script_file = f"{name}.js"
    # Right after folium's charset meta, before any script.
    figure.header.add_child(
        Element(f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp.policy(settings))}">'),
        name="content_security_policy")
    # No folium scale bar: it shows miles too. station-map.js adds a metric one.
    leaflet_map = folium.Map(location=[round(lat, 6), round(lng, 6)], zoom_start=zoom, tiles=None,
                             control_scale=False)
    leaflet_map._id = name
    leaflet_map.default_js = [("leaflet", f"../{VENDOR}/leaflet/leaflet.js")]
    leaflet_map.default_css = [("leaflet_css", f"../{VENDOR}/leaflet/leaflet.css")]
    figure.add_child(leaflet_map)
    attribution = provider.attribution
    if settings.review_number:
        attribution += f" · 审图号：{html.escape(settings.review_number)}"
    for index, layer in enumerate(provider.layers):
        tiles = folium.TileLayer(tiles=_tile_url(layer, settings), attr=attribution if index == 0 else " ",
                                 name=f"{provider.name}{index}", max_zoom=layer.max_zoom,
                                 subdomains=layer.subdomains or "abc", control=False, overlay=index > 0)
        tiles._id = f"{name}_{index}"
        leaflet_map.add_child(tiles)
    options = {"mode": mode, "data": "stations.json", "pages": "../stations/"}
    # The popups say open or closed now, with the evaluator the pages use (opening-hours.js).
    scripts = [("opening_hours", "../assets/javascripts/opening-hours.js"),
               ("station_map", "../assets/javascripts/station-map.js")]
    styles = [("station_map_css", "../assets/stylesheets/station-map.css")]
    if mode == "district":
        styles += [("markercluster_css", f"../{VENDOR}/leaflet.markercluster/MarkerCluster.css"),
                   ("markercluster_default_css", f"../{VENDOR}/leaflet.markercluster/MarkerCluster.Default.css")]
    leaflet_map.add_child(_StationLayer(options, scripts, styles))
    document = figure.render()
    document, switches = _GLOBAL_SWITCHES.subn("", document, count=1)
    if not switches or "<script>" in document:
        raise RuntimeError("folium 的页面里有内联脚本（an inline script in folium's map page）：检查 folium 的版本")
    # folium's viewport forbids pinch-zoom (user-scalable=no): people who need larger text must be able to zoom.
    document = _VIEWPORT.sub('<meta name="viewport" content="width=device-width, initial-scale=1.0" />', document,
                             count=1)
    return document, figure.script.render().strip() + "\n"


# The columns of a row in maps/stations.json; the finder and the map both read this file.
STATION_COLUMNS = ["id", "lat", "lng", "type", "name", "address", "street", "status", "amenities", "hours",
                   "map_lat", "map_lng"]


def station_data(catalogue: Catalogue) -> str:
    """All stations in one compact JSON file, for the map and the finder.

    Rows are lists (see ``STATION_COLUMNS``) rather than objects, and what repeats
    is stored once: amenities are a bit mask over ``amenities``, opening hours an
    index into ``hours``, streets an index into ``streets``. ``lat``/``lng`` are
    WGS-84 (distances from the phone's position); ``map_lat``/``map_lng`` are
    present only when the tiles are drawn in another system (高德: GCJ-02).
    """
    settings = catalogue.settings.map
    amenity_bits = {key: 1 << index for index, key in enumerate(catalogue.vocabularies.amenities)}
    hours_table: dict[str, int] = {}
    streets: dict[str, int] = {}
    rows = []
    ordered = catalogue.stations_in_directory_order()
    for s in ordered:
        hours_json = json.dumps(compact_hours(s), ensure_ascii=False, separators=(",", ":"))
        row: list = [
            s.id, round(s.location.lat, 6), round(s.location.lng, 6), s.type, s.name, s.address,
            streets.setdefault(s.street or "", len(streets)), s.status,
            sum(amenity_bits[key] for key in s.amenities), hours_table.setdefault(hours_json, len(hours_table)),
        ]
        if provider_for(settings).crs != "wgs84":
            row += list(to_map_coordinates(s, settings))
        rows.append(row)
    payload = {
        "crs": provider_for(settings).crs,
        "columns": STATION_COLUMNS[: max(len(r) for r in rows)] if rows else STATION_COLUMNS,
        "types": {key: {"label": entry.label, "short": entry.short or entry.label[:2]}
                  for key, entry in catalogue.vocabularies.station_types.items()},
        "amenities": list(amenity_bits),
        "streets": list(streets),
        "hours": [json.loads(text) for text in hours_table],
        # Few stations have a public number: row index → [as shown, tel: link], not a column of nulls.
        "phones": {str(n): [s.phone.number, s.phone.uri]
                   for n, s in enumerate(ordered) if s.phone},
        # The finder cards' 导航 button (the station page offers all three apps).
        "navigate": navigation.amap_template(settings.app_name),
        "stations": rows,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def vendor_files() -> Iterator[tuple[str, bytes]]:
    """Leaflet, and Leaflet.markercluster's bubble styles, from their PyPI packages (no source maps)."""
    packages = [("leaflet", Path(xstatic_leaflet.BASE_DIR), ["leaflet.js", "leaflet.css", "images/*.png"]),
                ("leaflet.markercluster", Path(xstatic_markercluster.BASE_DIR),
                 ["MarkerCluster.css", "MarkerCluster.Default.css"])]
    for folder, base, patterns in packages:
        for pattern in patterns:
            for path in sorted(base.glob(pattern)):
                yield f"{VENDOR}/{folder}/{path.relative_to(base).as_posix()}", path.read_bytes()


def map_files(catalogue: Catalogue) -> Iterator[tuple[str, str | bytes]]:
    yield from vendor_files()
    yield "maps/stations.json", station_data(catalogue)
    for name, mode, zoom in [("district", "district", catalogue.settings.map.zoom), ("station", "point", 16)]:
        document, script = _map_document(name, catalogue, mode, zoom)
        yield f"maps/{name}.html", document
        yield f"maps/{name}.js", script
