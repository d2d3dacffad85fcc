"""Open data: the station records as GeoJSON and CSV downloads, and the page that explains them.

* ``stations.geojson`` follows RFC 7946: a FeatureCollection, one Point Feature
  per station, coordinates ``[longitude, latitude]`` in WGS-84 (the catalogue
  has already converted GCJ-02 and BD-09 input), no ``crs`` member.
* ``stations.csv`` has the same fields plus ``lng`` and ``lat``, one row per
  station, written by the ``csv`` module and prefixed with a UTF-8 byte order
  mark, without which Excel on Chinese Windows reads UTF-8 as GBK and garbles it.

Each published field is declared once in ``FIELDS``; both files and the table
on the open-data page come from that list, so the documentation cannot drift
from the files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..pipeline.resolve import Catalogue
from ..records.models import Station
from ..rules import hours
from .hsds import hsds_files
from .render import PageRenderer, SiteInfo
from .safe_output import spreadsheet_cell
from .station_extras import page_url

GEOJSON_PATH = "stations.geojson"
CSV_PATH = "stations.csv"
PAGE_PATH = "open-data.md"
# The workbook district offices fill in for `python -m scripts import`; the editors' guide links to it.
IMPORT_TEMPLATE_PATH = "stations-import-template.xlsx"
CSV_LIST_SEPARATOR = ";"
_BOM = "\ufeff"

Value = str | bool | list[str] | None


@dataclass(frozen=True)
class Field:
    name: str
    description: str  # Chinese: shown in the table on the open-data page
    value: Callable[[Station, Catalogue, SiteInfo], Value]


def _hours_text(station: Station) -> str:
    """``周一至周五 08:30–12:00、14:30–18:00；周六 09:00–12:00``: the same words as the station page."""
    return "；".join(f"{days} {periods}" for days, periods in hours.weekly_lines(station.hours))


FIELDS: tuple[Field, ...] = (
    Field("id", "编号，也是驿站页面网址的一部分，长期不变", lambda s, c, site: s.id),
    Field("name", "名称", lambda s, c, site: s.name),
    Field("type", "类型代码（见 data/vocabularies.yaml 的 station_types）", lambda s, c, site: s.type),
    Field("type_label", "类型名称", lambda s, c, site: c.station_type(s).label),
    Field("status", "状态：open 正常开放、temporarily_closed 临时关闭、closed 已撤销", lambda s, c, site: s.status),
    Field("address", "详细地址", lambda s, c, site: s.address),
    Field("street", "所在街道或乡镇", lambda s, c, site: s.street),
    Field("open_24h", "是否 24 小时开放", lambda s, c, site: s.hours.open_24h),
    Field("hours", "开放时间（文字）", lambda s, c, site: _hours_text(s)),
    Field("amenities", "设施代码（见 data/vocabularies.yaml 的 amenities）", lambda s, c, site: list(s.amenities)),
    Field("amenities_text", "设施名称", lambda s, c, site: "、".join(c.amenity(k).label for k in s.amenities)),
    Field("phone", "公开电话", lambda s, c, site: s.phone.number if s.phone else None),
    Field("organisation", "运营单位", lambda s, c, site: c.organisations[s.organisation].name),
    Field("services", "这里提供的服务（服务编号）", lambda s, c, site: [v.id for v in c.services_at(s)]),
    Field("url", "驿站页面网址", lambda s, c, site: page_url(site.url, s)),
    Field("verified", "最近一次核实信息的日期", lambda s, c, site: s.verified.isoformat()),
    Field("sample", "true 表示示例数据：地址、坐标、电话等为演示虚构，不能据此前往", lambda s, c, site: s.sample),
)
CSV_COLUMNS = (*(f.name for f in FIELDS), "lng", "lat")


def properties(station: Station, catalogue: Catalogue, site: SiteInfo) -> dict[str, Value]:
    return {f.name: f.value(station, catalogue, site) for f in FIELDS}


def station_rows(catalogue: Catalogue, site: SiteInfo) -> list[tuple[Station, dict[str, Value]]]:
    """Every station with its published fields, computed once for both downloads."""
    return [(station, properties(station, catalogue, site)) for station in catalogue.stations.values()]


def stations_geojson(rows: list[tuple[Station, dict[str, Value]]]) -> str:
    features = [
        {
            "type": "Feature",
            "id": station.id,
            "geometry": {"type": "Point", "coordinates": [station.location.lng, station.location.lat]},
            "properties": fields,
        }
        for station, fields in rows  # sorted by id: stable output
    ]
    collection = {"type": "FeatureCollection", "features": features}
    # One feature per line: small diffs when one station changes, and still compact at 10,000 stations.
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def _csv_cell(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return spreadsheet_cell(CSV_LIST_SEPARATOR.join(value))
    return "" if value is None else spreadsheet_cell(str(value))


def stations_csv(rows: list[tuple[Station, dict[str, Value]]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # excel dialect: commas, quotes where needed, CRLF line ends
    writer.writerow(CSV_COLUMNS)
    for station, fields in rows:
        cells = [_csv_cell(v) for v in fields.values()]
        writer.writerow([*cells, station.location.lng, station.location.lat])
    return _BOM + buffer.getvalue()


def open_data_files(catalogue: Catalogue, site: SiteInfo,
                    renderer: PageRenderer) -> Iterator[tuple[str, str | bytes]]:
    """The two downloads, the Open Referral HSDS export (``hsds.py``) and the page describing them, as (path
    under docs, content)."""
    rows = station_rows(catalogue, site)
    sizes: dict[str, int] = {}
    for path, content in ((GEOJSON_PATH, stations_geojson(rows)), (CSV_PATH, stations_csv(rows))):
        sizes[path] = len(content.encode("utf-8"))
        yield path, content
    hsds_sizes = []  # each file as soon as it is made: the live preview can stop between two
    for path, content in hsds_files(catalogue, site):
        hsds_sizes.append((path, len(content.encode("utf-8"))))
        yield path, content
    yield IMPORT_TEMPLATE_PATH, import_template(catalogue)
    yield PAGE_PATH, renderer.render(
        "open_data.md", PAGE_PATH, fields=FIELDS, sizes=sizes, separator=CSV_LIST_SEPARATOR,
        geojson_path=GEOJSON_PATH, csv_path=CSV_PATH, hsds_files=hsds_sizes,
    )


def import_template(catalogue: Catalogue) -> bytes:
    """The spreadsheet import's template, its drop-down lists made from the current vocabularies and units."""
    # Imported here: the editors' modules import the pipeline, which imports this module.
    from ..editors.spreadsheet.exporter import lists_of
    from ..editors.spreadsheet.workbook import template_bytes

    return template_bytes(lists_of(catalogue))
