"""What a station page carries beyond its text: a QR code of its address for
posters, and schema.org markup so search engines and map apps read it right."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import importlib.metadata
import re
from pathlib import Path

import zxingcpp
from markupsafe import Markup

from ..pipeline.resolve import Catalogue
from ..records.models import Station
from ..rules import hours
from .safe_output import script_json

QR_QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
_ZXING_VERSION = importlib.metadata.version("zxing-cpp")  # part of the cache key
_ZXING_SVG = re.compile(r'<svg width="(\d+)" height="(\d+)".*<path d="([^"]+)"', re.S)
_SCHEMA_DAYS = {
    "mo": "Monday", "tu": "Tuesday", "we": "Wednesday", "th": "Thursday",
    "fr": "Friday", "sa": "Saturday", "su": "Sunday",
}


def closure(station: Station) -> tuple[str, dt.date | None] | None:
    """Why a temporarily closed station is closed, and until when: its alert without an end, else the one
    ending last (the validator requires one). Pages show it as 临时关闭（原因，至何时）."""
    if station.status != "temporarily_closed" or not station.alerts:
        return None
    alert = max(station.alerts, key=lambda a: (a.end is None, a.end or dt.date.min))
    return alert.text.rstrip("。.；;，, "), alert.end  # it is quoted inside 临时关闭（…，至 M月D日）


def compact_hours(station: Station) -> dict:
    """The station's hours and closure in the form both opening-hours evaluators read (rules/opening.py)."""
    return hours.browser_hours(station.hours, station.status, closure(station))


def page_url(site_url: str, station: Station) -> str:
    return f"{site_url.rstrip('/')}/stations/{station.id}/"


def qr_svg(url: str, title: str) -> bytes:
    """A scannable SVG (error correction M, quiet zone of 4 modules, 4 px per module), identical on every build.

    zxing-cpp encodes in C++ (about 0.3 ms a code, ten times faster than a pure
    Python encoder, which 10,000 stations feel). Its SVG is one path of module
    rectangles; we keep that path and write our own element around it, with a
    title and a viewBox so the code scales.
    """
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    match = _ZXING_SVG.search(code.to_svg(add_quiet_zones=False))
    if match is None:  # a zxing-cpp upgrade changed its SVG; tests/test_finder_browser.py scans the result
        raise RuntimeError("zxing-cpp's SVG has no <path d=…>; update station_extras.qr_svg")
    width, height, path = int(match[1]), int(match[2]), match[3]
    q = QR_QUIET_ZONE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{(width + 2 * q) * 4}" height="{(height + 2 * q) * 4}" '
        f'viewBox="-{q} -{q} {width + 2 * q} {height + 2 * q}" role="img" shape-rendering="crispEdges">'
        f"<title>{html.escape(title)}</title>"
        f'<rect x="-{q}" y="-{q}" width="{width + 2 * q}" height="{height + 2 * q}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>\n'
    ).encode()


def qr_file(station: Station, site_url: str, cache_dir: Path) -> tuple[str, bytes]:
    """A station's QR code; an unchanged one comes from the cache instead of being encoded again."""
    url, title = page_url(site_url, station), f"{station.name} 页面二维码"
    key = hashlib.sha256(f"{_ZXING_VERSION}|{QR_QUIET_ZONE}|{url}|{title}".encode()).hexdigest()[:32]
    cached = cache_dir / f"{key}.svg"
    if cached.is_file():
        svg = cached.read_bytes()
    else:
        svg = qr_svg(url, title)
        cached.write_bytes(svg)
    return qr_path(station.id), svg


def qr_path(station_id: str) -> str:
    """Where a station's QR code is published, under the site."""
    return f"assets/qr/{station_id}.svg"


def _spec(opens: str, closes: str, **scope: object) -> dict[str, object]:
    """One schema.org OpeningHoursSpecification. "24:00" is written 23:59 (schema.org has no 24:00); a close
    before the open runs past midnight, as schema.org reads it too."""
    return {"@type": "OpeningHoursSpecification", **scope, "opens": opens, "closes": closes.replace("24:00", "23:59")}


def opening_hours_specification(station: Station) -> tuple[list[dict], list[dict]]:
    """(regular, special) schema.org hours: every period of every weekday, and every exception, each of its
    periods, with ``validFrom``/``validThrough``; a closed day (and a temporary closure with dates) is
    opens = closes = 00:00, as schema.org marks a day closed. Checked against the opening-hours evaluator
    (tests/test_station_pages.py)."""
    hours = station.hours
    if hours.open_24h:
        regular = [_spec("00:00", "24:00", dayOfWeek=list(_SCHEMA_DAYS.values()))]
    else:
        regular = [_spec(*period.split("-"), dayOfWeek=[_SCHEMA_DAYS[d] for d in rule.days])
                   for rule in hours.weekly for period in rule.periods]
    special = []
    for x in hours.exceptions:
        scope = {"validFrom": str(x.date), "validThrough": str(x.until or x.date)}
        special += [_spec("00:00", "00:00", **scope)] if x.closed else [
            _spec(*period.split("-"), **scope) for period in x.periods]
    if station.status == "temporarily_closed":  # closed at every hour: say so for the closure's dates only
        return [], [_spec("00:00", "00:00", validFrom=str(a.start), validThrough=str(a.end))
                    for a in station.alerts if a.start and a.end]
    return regular, special


def json_ld(station: Station, catalogue: Catalogue, site_url: str) -> Markup:
    """schema.org CivicStructure with geo, address and opening hours, safe to put in a <script>. A withdrawn
    or temporarily closed station carries no regular hours (only the closure's dates, when it has them)."""
    regular, special = opening_hours_specification(station)
    data = {
        "@context": "https://schema.org",
        "@type": "CivicStructure",
        "@id": page_url(site_url, station),
        "name": station.name,
        "url": page_url(site_url, station),
        "description": catalogue.station_type(station).label,
        "address": {"@type": "PostalAddress", "streetAddress": station.address,
                    "addressLocality": catalogue.settings.district, "addressCountry": "CN"},
        "geo": {"@type": "GeoCoordinates", "latitude": station.location.lat, "longitude": station.location.lng},
        "amenityFeature": [{"@type": "LocationFeatureSpecification", "name": catalogue.amenity(key).label,
                            "value": True} for key in station.amenities],
    }
    if station.status == "open":  # the evaluator says closed at every hour otherwise (opening.py, rule 2)
        data["openingHoursSpecification"] = regular
    if special and station.status != "closed":
        data["specialOpeningHoursSpecification"] = special
    if station.phone:
        data["telephone"] = station.phone.number
    return script_json(data)


