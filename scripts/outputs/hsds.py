"""Open data in Open Referral's Human Services Data Specification (HSDS 3.1), for directories and apps that read it.

Two forms of the same objects, written under ``hsds/``:

* ``services.json`` and ``organizations.json``: HSDS's canonical JSON, dereferenced as the specification asks
  (each service embeds its organisation's name, its phones, schedules and attributes, and its
  service-at-locations with their whole locations); ``organizations.json`` lists every organisation, some of
  which run no service, with its phones and address. One object per line, so a changed record is a small diff.
  Measured on 10,000 synthetic stations and 500 services (``scripts/devtools/synthetic.py``): JSON ≈ 52 MB,
  CSV ≈ 23 MB, ≈ 11 MB in the .gz copies, made in 5–10 s on two cores; it grows with the records, nothing faster.
* ``datapackage.json`` and one CSV per HSDS table (``organizations.csv``, ``services.csv``, ``locations.csv``,
  ``service_at_location.csv``, ``schedules.csv``, ``phones.csv``, ``addresses.csv``, …): the tabular data
  package, where objects refer to each other by ``id``. Columns are HSDS's, in HSDS's order.

How our records map (and what a reader of the export should know):

* A station (驿站) is a physical ``location`` (WGS-84, its address, its phone, its opening hours as
  ``schedules``) plus one ``service`` named after it, offered there through one ``service_at_location``: the
  service is what a rider comes for (歇脚、饮水、充电…, as ``attributes`` from our amenity vocabulary), the
  location is where and when. A station's status is its service's: ``temporarily closed`` (with the reason in
  ``alert`` and no opening hours), or ``defunct`` for a withdrawn one; HSDS locations have no status.
* A service from the service menu (健康义诊, 法律援助…) is a ``service`` of its provider, offered at its
  stations (``service_at_location``), with its own ``schedules`` (``MONTHLY`` and ``2WE`` for "每月第二个周三").
* An organisation is an ``organization``; its address, when it has one, is a ``postal`` location.
* Our vocabularies (station types, amenities, service kinds) are HSDS taxonomies; sample records carry the
  ``sample`` term of the 数据状态 taxonomy, and their descriptions begin with 【示例数据】.

Opening hours become schedules as RFC 5545 reads them (the one definition is ``rules/opening.py``):

* one ``WEEKLY`` schedule per period and day group (``byday`` ``MO,TU,WE``), times with the China offset
  (``08:30:00+08:00``) and ``timezone`` 8;
* a period past midnight (``18:00-02:00``) closes before it opens: it belongs to the day it starts on;
* until midnight (``24:00``, and 24 hours a day) closes at ``23:59:00+08:00``, the convention HSDS's
  schedules guidance gives for 24-hour opening (RFC 5545 times have no 24:00);
* an exception (holiday hours, a closure) splits the regular schedules' ``valid_from``/``valid_to`` around its
  dates, as HSDS's guidance on changed hours says; changed hours are schedules valid on those dates only, and a
  closure is a schedule with those dates, a description and no times (HSDS has no "closed" field);
* a temporarily closed or withdrawn station has no opening schedules (a closure with dates keeps its row).

Identifiers are UUIDs (version 5) derived from the district's name and our ids, so they stay the same from build
to build, whatever the site's address, and differ between districts that fork this site.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..pipeline.resolve import Catalogue
from ..records.models import DAY_NAMES, Hours, Organisation, Phone, Service, ServiceSchedule, Station
from ..rules import hours as hours_text
from .render import SiteInfo
from .station_extras import closure, page_url

FOLDER = "hsds"
HSDS_VERSION = "3.1"
# The root the district's namespace hangs from. Never change it: every published identifier would change with it.
ROOT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:xinfu-stations:hsds")
CHINA_OFFSET = "+08:00"
TIMEZONE = 8  # HSDS schedule.timezone: the UTC offset all dates and times are in
SAMPLE_NOTE = "【示例数据：地址、坐标、电话、时间等为演示虚构，不能据此前往】"
_RFC_DAYS = {key: key.upper() for key in DAY_NAMES}  # mo → MO
_ALL_DAYS = ",".join(_RFC_DAYS.values())
_STATUS = {"open": "active", "temporarily_closed": "temporarily closed", "closed": "defunct"}

# The tables of the tabular package: file, then columns in HSDS's order (the properties of the object's schema
# file that are not lists or embedded objects). tests/test_hsds.py checks them against the HSDS schemas.
TABLES: dict[str, tuple[str, str]] = {
    "organization": ("organizations.csv", "id name alternate_name description email website tax_status tax_id "
                     "year_incorporated legal_status logo uri parent_organization_id"),
    "service": ("services.csv", "id organization_id program_id name alternate_name description url email status "
                "interpretation_services application_process fees_description wait_time fees accreditations "
                "eligibility_description minimum_age maximum_age assured_date assurer_email licenses alert "
                "last_modified"),
    "location": ("locations.csv", "id location_type url organization_id name alternate_name description "
                 "transportation latitude longitude external_identifier external_identifier_type"),
    "service_at_location": ("service_at_location.csv", "id service_id location_id description"),
    "schedule": ("schedules.csv", "id service_id location_id service_at_location_id valid_from valid_to dtstart "
                 "timezone until count wkst freq interval byday byweekno bymonthday byyearday description opens_at "
                 "closes_at schedule_link attending_type notes"),
    "phone": ("phones.csv", "id location_id service_id organization_id contact_id service_at_location_id number "
              "extension type description"),
    "address": ("addresses.csv", "id location_id attention address_1 address_2 city region state_province "
                "postal_code country address_type"),
    "required_document": ("required_documents.csv", "id service_id document uri"),
    # label: in attribute.json, though the compiled tabular.json of the same release lacks it.
    "attribute": ("attributes.csv", "id link_id taxonomy_term_id link_type link_entity value label"),
    "taxonomy_term": ("taxonomy_terms.csv", "id code name description parent_id taxonomy language taxonomy_id "
                      "term_uri"),
    "taxonomy": ("taxonomies.csv", "id name description uri version"),
}
_NUMBER = {"year_incorporated", "minimum_age", "maximum_age", "latitude", "longitude", "timezone", "count",
           "interval", "extension"}
_DATE = {"assured_date", "valid_from", "valid_to", "dtstart", "until"}
_TIME = {"opens_at", "closes_at"}
_URI = {"website", "uri", "url", "schedule_link", "term_uri"}
_EMAIL = {"email", "assurer_email"}


def column_type(column: str) -> dict[str, str]:
    """A column's Table Schema type (and format), as HSDS declares it."""
    if column == "id" or (column.endswith("_id") and column != "tax_id"):
        return {"type": "string", "format": "uuid"}
    if column in _NUMBER:
        return {"type": "number"}
    if column in _DATE:
        return {"type": "date"}
    if column in _TIME:
        return {"type": "time"}
    if column == "last_modified":
        return {"type": "datetime"}
    if column in _URI:
        return {"type": "string", "format": "uri"}
    if column in _EMAIL:
        return {"type": "string", "format": "email"}
    return {"type": "string"}


# --- identifiers ---------------------------------------------------------------------------------


def namespace(catalogue: Catalogue) -> uuid.UUID:
    """The district's namespace: its name under ``ROOT_NAMESPACE``."""
    return uuid.uuid5(ROOT_NAMESPACE, catalogue.settings.district)


def make_id(space: uuid.UUID, *parts: str) -> str:
    """``make_id(ns, "station", "xiaoge-01", "location")``: the same parts give the same UUID on every build.

    ``str(uuid.uuid5(space, "/".join(parts)))``, written out (RFC 4122 §4.3: SHA-1 of the namespace and the name,
    version and variant bits set): at 10,000 stations the export makes 150,000 ids, and ``uuid.UUID`` objects
    were a second of each build and of each save in the live preview."""
    digest = bytearray(hashlib.sha1(space.bytes + "/".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


# --- addresses -----------------------------------------------------------------------------------

_DIVISIONS = re.compile(r"^(?P<province>.+?(?:省|自治区|特别行政区))?(?P<city>.+?(?:市|自治州|盟|地区))?"
                        r"(?P<county>.+?(?:区|县|旗|市))?$")


@dataclass(frozen=True)
class Divisions:
    """The district's place in China's divisions, read from its name (山西省忻州市忻府区)."""

    province: str
    city: str
    county: str

    @classmethod
    def of(cls, district: str) -> Divisions:
        match = _DIVISIONS.match(district)
        parts = match.groupdict("") if match else {"province": "", "city": "", "county": district}
        # A municipality (北京市朝阳区) is its own province-level division.
        return cls(parts["province"] or parts["city"], parts["city"], parts["county"])

    def street_part(self, address: str) -> str:
        """The address without the divisions it starts with: 忻州市忻府区光明街26号 → 光明街26号."""
        for prefix in (self.province + self.city + self.county, self.city + self.county, self.county):
            if prefix and address.startswith(prefix) and len(address) > len(prefix):
                return address[len(prefix):]
        return address


def _address(space: uuid.UUID, owner: tuple[str, ...], location_id: str, text: str, street: str | None,
             divisions: Divisions, kind: str) -> dict[str, Any]:
    return _clean({
        "id": make_id(space, *owner, "address"), "location_id": location_id,
        "address_1": divisions.street_part(text), "address_2": street,
        "city": divisions.city, "region": divisions.county or None, "state_province": divisions.province,
        "postal_code": "",  # not in our records: HSDS requires the field, so it is present and empty
        "country": "CN", "address_type": kind,
    })


def _phone(space: uuid.UUID, owner: tuple[str, ...], phone: Phone | None, **link: str) -> list[dict[str, Any]]:
    if phone is None:
        return []
    return [_clean({"id": make_id(space, *owner, "phone"), **link, "number": phone.number, "type": "voice",
                    "description": phone.label})]


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    """No key for a value we do not have (HSDS's optional fields are absent, not null)."""
    return {k: v for k, v in item.items() if v is not None and v != []}


def _described(text: str, sample: bool) -> str:
    return f"{SAMPLE_NOTE}{text}" if sample else text


# --- schedules -----------------------------------------------------------------------------------

DateRange = tuple[dt.date, dt.date]
_FOREVER: DateRange = (dt.date.min, dt.date.max)


def _without(ranges: list[DateRange], cut: DateRange) -> list[DateRange]:
    """``ranges`` with the dates of ``cut`` taken out."""
    kept = []
    for start, end in ranges:
        if cut[1] < start or end < cut[0]:
            kept.append((start, end))
            continue
        if start < cut[0]:
            kept.append((start, cut[0] - dt.timedelta(days=1)))
        if cut[1] < end:
            kept.append((cut[1] + dt.timedelta(days=1), end))
    return kept


def _time(clock: str) -> str:
    """``08:30`` → ``08:30:00+08:00``; ``24:00`` (midnight at the end of the day) → ``23:59:00+08:00``."""
    return ("23:59" if clock == "24:00" else clock) + ":00" + CHINA_OFFSET


@dataclass
class _Schedules:
    """Collects one owner's schedules, with identifiers from their content (a repeated one is written once)."""

    space: uuid.UUID
    owner: tuple[str, ...]
    link: dict[str, str]
    found: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, valid: DateRange = _FOREVER, *, period: str | None = None, freq: str = "WEEKLY",
            byday: str = _ALL_DAYS, description: str, notes: str | None = None) -> None:
        valid_from = None if valid[0] == dt.date.min else valid[0].isoformat()
        valid_to = None if valid[1] == dt.date.max else valid[1].isoformat()
        timing: dict[str, Any] = {}
        if period is not None:
            opens, closes = period.split("-")
            timing = {"timezone": TIMEZONE, "freq": freq, "byday": byday,
                      "opens_at": _time(opens), "closes_at": _time(closes)}
        key = "|".join(map(str, (valid_from, valid_to, freq if period else "", byday if period else "",
                                 period, description)))
        if key not in self.found:
            self.found[key] = _clean({"id": make_id(self.space, *self.owner, "schedule", key), **self.link,
                                      "valid_from": valid_from, "valid_to": valid_to, **timing,
                                      "description": description, "notes": notes})

    def all(self) -> list[dict[str, Any]]:
        return list(self.found.values())


def _date_text(valid: DateRange) -> str:
    return str(valid[0]) if valid[0] == valid[1] else f"{valid[0]} 至 {valid[1]}"


def station_schedules(space: uuid.UUID, station: Station, location_id: str) -> list[dict[str, Any]]:
    """A station's opening hours as HSDS schedules of its location (see the module docstring)."""
    found = _Schedules(space, ("station", station.id), {"location_id": location_id})
    if station.status == "temporarily_closed":
        reason = closure(station)
        for alert in station.alerts:
            if alert.start and alert.end:
                found.add((alert.start, alert.end), description=f"临时关闭：{reason[0] if reason else alert.text}")
        return found.all()
    if station.status != "open":
        return []
    hours: Hours = station.hours
    rules = [(_ALL_DAYS, "00:00-24:00", "每天 24 小时开放")] if hours.open_24h else [
        (",".join(_RFC_DAYS[d] for d in rule.days), period,
         f"{hours_text.days_text(list(rule.days))} {hours_text.period_text(period)}")
        for rule in hours.weekly for period in rule.periods]
    regular = [_FOREVER]
    for exception in hours.exceptions:
        regular = _without(regular, (exception.date, exception.until or exception.date))
    for valid in regular:
        for byday, period, text in rules:
            found.add(valid, period=period, byday=byday, description=text, notes=hours.note)
    taken: list[DateRange] = []  # the first exception covering a day decides it (rules/opening.py, rule 3)
    for exception in hours.exceptions:
        dates = (exception.date, exception.until or exception.date)
        mine = [dates]
        for earlier in taken:
            mine = _without(mine, earlier)
        taken.append(dates)
        note = f"（{exception.note}）" if exception.note else ""
        for valid in mine:
            if exception.closed:
                found.add(valid, description=f"{_date_text(valid)} 闭站{note}", notes=exception.note)
            for period in exception.periods:
                found.add(valid, period=period,
                          description=f"{_date_text(valid)} {hours_text.period_text(period)}{note}",
                          notes=exception.note)
    return found.all()


def _service_rule(schedule: ServiceSchedule) -> tuple[str, str]:
    """(freq, byday): daily is every day of the week (HSDS's freq is WEEKLY or MONTHLY); monthly prefixes the
    week of the month, ``2WE`` for the second Wednesday and ``-1FR`` for the last Friday."""
    if schedule.freq == "daily":
        return "WEEKLY", _ALL_DAYS
    days = [_RFC_DAYS[d] for d in schedule.days]
    if schedule.freq == "weekly":
        return "WEEKLY", ",".join(days)
    return "MONTHLY", ",".join(f"{week}{day}" for week in schedule.week_of_month for day in days)


def service_schedules(space: uuid.UUID, service: Service, service_id: str) -> list[dict[str, Any]]:
    found = _Schedules(space, ("service", service.id), {"service_id": service_id})
    for schedule in service.schedule:
        freq, byday = _service_rule(schedule)
        for period in schedule.periods:
            found.add(period=period, freq=freq, byday=byday, description=hours_text.schedule_text(schedule),
                      notes=service.schedule_note)
    if not service.schedule and service.schedule_note:  # "时间不固定": said in words, no times to give
        found.add(description=service.schedule_note)
    return found.all()


# --- taxonomies ----------------------------------------------------------------------------------

# Our vocabularies as HSDS taxonomies: key in vocabularies.yaml (or "sample"), name, description.
TAXONOMIES = (
    ("station_types", "驿站类型", "新就业群体服务阵地的类型（data/vocabularies.yaml 的 station_types）。"),
    ("amenities", "驿站设施", "驿站提供的设施（data/vocabularies.yaml 的 amenities）。"),
    ("service_kinds", "服务类别", "服务菜单的类别（data/vocabularies.yaml 的 service_kinds）。"),
    ("sample", "数据状态", "sample：为演示网站虚构的示例记录，不是真实信息。"),
)


class _Taxonomy:
    def __init__(self, space: uuid.UUID, catalogue: Catalogue):
        self.space = space
        self.taxonomies = [{"id": make_id(space, "taxonomy", key), "name": name, "description": text,
                            "version": "1"} for key, name, text in TAXONOMIES]
        self.terms: dict[tuple[str, str], dict[str, Any]] = {}
        self._embedded_terms: dict[tuple[str, str], dict[str, Any]] = {}
        for (key, name, _), taxonomy in zip(TAXONOMIES, self.taxonomies, strict=True):
            words = {"sample": ("示例数据", "为演示网站虚构的记录：地址、坐标、电话、时间等不是真实信息。")} \
                if key == "sample" else {k: (v.label, v.description or v.label)
                                         for k, v in getattr(catalogue.vocabularies, key).items()}
            for code, (label, description) in words.items():
                self.terms[(key, code)] = {
                    "id": make_id(space, "taxonomy", key, code), "code": code, "name": label,
                    "description": description, "taxonomy": name, "language": "zh", "taxonomy_id": taxonomy["id"]}

    def attributes(self, entity: str, link_id: str, owner: tuple[str, ...],
                   terms: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        """Each attribute embeds its term's id, code, name and description (the whole term, with its taxonomy, is
        in taxonomy_terms.csv): a station has a dozen, and at 10,000 stations every byte is 10 KB."""
        return [{"id": make_id(self.space, *owner, "attribute", key, code), "link_id": link_id,
                 "taxonomy_term_id": self.terms[(key, code)]["id"], "link_type": key, "link_entity": entity,
                 "taxonomy_term": self._embedded(key, code)}
                for key, code in terms]

    def _embedded(self, key: str, code: str) -> dict[str, Any]:
        """The term as an attribute embeds it (the same for each of 10,000 stations: made once)."""
        embedded = self._embedded_terms.get((key, code))
        if embedded is None:
            term = self.terms[(key, code)]
            embedded = self._embedded_terms[(key, code)] = {k: term[k] for k in ("id", "code", "name", "description")}
        return embedded


# --- the objects ---------------------------------------------------------------------------------


@dataclass
class Export:
    """Every HSDS object of the site: services (dereferenced), organisations (with their locations)."""

    services: list[dict[str, Any]]
    organizations: list[dict[str, Any]]
    taxonomies: list[dict[str, Any]]
    taxonomy_terms: list[dict[str, Any]]


def _organization(space: uuid.UUID, org: Organisation, taxonomy: _Taxonomy) -> dict[str, Any]:
    org_id = make_id(space, "organisation", org.id)
    return _clean({
        "id": org_id, "name": org.name, "description": _described(f"单位性质：{org.kind}", org.sample),
        "phones": _phone(space, ("organisation", org.id), org.phone, organization_id=org_id),
        "attributes": taxonomy.attributes("organization", org_id, ("organisation", org.id),
                                          [("sample", "sample")] if org.sample else []),
    })


def _office(space: uuid.UUID, org: Organisation, divisions: Divisions) -> dict[str, Any] | None:
    """An organisation's address, as HSDS holds addresses: on a (postal) location."""
    if not org.address:
        return None
    location_id = make_id(space, "organisation", org.id, "location")
    return {"id": location_id, "location_type": "postal", "organization_id": make_id(space, "organisation", org.id),
            "name": org.name, "description": _described("单位地址（联系地址，不是驿站或服务场所）。", org.sample),
            "addresses": [_address(space, ("organisation", org.id), location_id, org.address, None, divisions,
                                   "postal")]}


def _location(space: uuid.UUID, station: Station, catalogue: Catalogue, divisions: Divisions) -> dict[str, Any]:
    owner = ("station", station.id)
    location_id = make_id(space, *owner, "location")
    kind = catalogue.station_type(station).label
    status = {"temporarily_closed": "临时关闭。", "closed": "已撤销。"}.get(station.status, "")
    return _clean({
        "id": location_id, "location_type": "physical",
        "organization_id": make_id(space, "organisation", station.organisation),
        "name": station.name, "description": _described(f"{status}{kind}。" + (station.description or ""),
                                                        station.sample),
        "latitude": station.location.lat, "longitude": station.location.lng,  # WGS-84, converted at load
        "external_identifier": station.id, "external_identifier_type": "站点编号（本站网址中的 id）",
        "addresses": [_address(space, owner, location_id, station.address, station.street, divisions, "physical")],
        "phones": _phone(space, owner, station.phone, location_id=location_id),
        "schedules": station_schedules(space, station, location_id),
    })


def _alert(station: Station, today: dt.date | None) -> str | None:
    """The closure reason of a temporarily closed station, else its alerts that are not over."""
    reason = closure(station)
    if reason:
        return f"临时关闭：{reason[0]}" + (f"（至 {reason[1]}）" if reason[1] else "")
    current = [a for a in station.alerts if not (today and a.end and a.end < today)]
    return "；".join(a.text for a in current) or None


def _service_at(space: uuid.UUID, service_id: str, owner: tuple[str, ...], location: dict[str, Any]) -> dict:
    return {"id": make_id(space, *owner, "at", location["external_identifier"]), "service_id": service_id,
            "location_id": location["id"], "location": location}


def _station_service(space: uuid.UUID, station: Station, catalogue: Catalogue, site: SiteInfo,
                     location: dict[str, Any], org: dict[str, Any], taxonomy: _Taxonomy) -> dict[str, Any]:
    owner = ("station", station.id)
    service_id = make_id(space, *owner, "service")
    offers = "、".join(catalogue.amenity(key).label for key in station.amenities)
    terms = [("station_types", station.type), *(("amenities", key) for key in station.amenities)]
    return _clean({
        "id": service_id, "organization_id": org["id"], "name": station.name,
        "description": _described(f"{catalogue.station_type(station).label}，提供{offers}。", station.sample),
        "url": page_url(site.url, station) if site.url else None, "status": _STATUS[station.status],
        "alert": _alert(station, catalogue.today), "assured_date": station.verified.isoformat(),
        "service_at_locations": [_service_at(space, service_id, owner, location)],
        "attributes": taxonomy.attributes("service", service_id, owner,
                                          [*terms, *([("sample", "sample")] if station.sample else [])]),
        "organization": org,
    })


def _menu_service(space: uuid.UUID, service: Service, locations: dict[str, dict[str, Any]], site: SiteInfo,
                  org: dict[str, Any], taxonomy: _Taxonomy) -> dict[str, Any]:
    owner = ("service", service.id)
    service_id = make_id(space, *owner)
    text = service.summary + (f"\n\n{service.description}" if service.description else "")
    return _clean({
        "id": service_id, "organization_id": org["id"], "name": service.name,
        "description": _described(text, service.sample),
        "url": f"{site.url.rstrip('/')}/services/{service.id}/" if site.url else None, "status": "active",
        "application_process": "\n".join(f"{n}. {step}" for n, step in enumerate(service.steps, 1)) or None,
        "fees_description": service.cost, "eligibility_description": service.eligibility,
        "assured_date": service.verified.isoformat(),
        "phones": _phone(space, owner, service.phone, service_id=service_id),
        "schedules": service_schedules(space, service, service_id),
        "service_at_locations": [_service_at(space, service_id, owner, locations[s]) for s in service.stations],
        "required_documents": [{"id": make_id(space, *owner, "document", str(n)), "service_id": service_id,
                                "document": document} for n, document in enumerate(service.bring)],
        "attributes": taxonomy.attributes("service", service_id, owner, [
            ("service_kinds", service.kind), *([("sample", "sample")] if service.sample else [])]),
        "organization": org,
    })


def export(catalogue: Catalogue, site: SiteInfo) -> Export:
    """Every organisation, station and service as HSDS objects, in id order."""
    space = namespace(catalogue)
    divisions = Divisions.of(catalogue.settings.district)
    taxonomy = _Taxonomy(space, catalogue)
    orgs = {key: _organization(space, org, taxonomy) for key, org in sorted(catalogue.organisations.items())}
    locations = {key: _location(space, station, catalogue, divisions)
                 for key, station in sorted(catalogue.stations.items())}
    # A service embeds its organisation's id, name and description; its phones and address are in
    # organizations.json, not repeated in each of the organisation's services.
    brief = {key: {k: org[k] for k in ("id", "name", "description")} for key, org in orgs.items()}
    services = [_station_service(space, station, catalogue, site, locations[key], brief[station.organisation],
                                 taxonomy) for key, station in sorted(catalogue.stations.items())]
    services += [_menu_service(space, service, locations, site, brief[service.provider], taxonomy)
                 for _, service in sorted(catalogue.services.items())]
    # Every organisation, with its address; the stations it runs are in services.json (their locations name it in
    # organization_id), not repeated here: at 10,000 stations that would be as large again.
    organizations = []
    for key, org in sorted(catalogue.organisations.items()):
        office = _office(space, org, divisions)
        organizations.append(_clean({**orgs[key], "locations": [office] if office else []}))
    return Export(services, organizations, taxonomy.taxonomies, list(taxonomy.terms.values()))


# --- the tabular package -------------------------------------------------------------------------


def tables(data: Export) -> dict[str, list[dict[str, Any]]]:
    """The objects flattened into HSDS's tables; each object once, in the order first met."""
    found: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in TABLES}

    def put(table: str, item: dict[str, Any]) -> None:
        found[table].setdefault(item["id"], {k: v for k, v in item.items() if not isinstance(v, (list, dict))})

    def location(item: dict[str, Any]) -> None:
        put("location", item)
        for name, table in (("addresses", "address"), ("phones", "phone"), ("schedules", "schedule")):
            for child in item.get(name, []):
                put(table, child)

    for org in data.organizations:
        put("organization", org)
        for phone in org.get("phones", []):
            put("phone", phone)
        for item in org.get("locations", []):
            location(item)
    for service in data.services:
        put("service", service)
        for name, table in (("phones", "phone"), ("schedules", "schedule"), ("required_documents",
                                                                                "required_document")):
            for child in service.get(name, []):
                put(table, child)
        for at in service["service_at_locations"]:
            put("service_at_location", at)
            location(at["location"])
    for item in [*data.organizations, *data.services]:
        for attribute in item.get("attributes", []):
            put("attribute", attribute)
    for term in data.taxonomy_terms:
        put("taxonomy_term", term)
    for taxonomy in data.taxonomies:
        put("taxonomy", taxonomy)
    return {name: list(rows.values()) for name, rows in found.items()}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def table_csv(name: str, rows: list[dict[str, Any]]) -> str:
    """One table as CSV: UTF-8 without a byte order mark (for programs; Excel users have stations.csv), CRLF
    line ends, HSDS's columns, values exactly as in the JSON (nothing prefixed: this is data, not a sheet)."""
    columns = TABLES[name][1].split()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


_FOREIGN_KEYS = {"organization_id": "organization", "service_id": "service", "location_id": "location",
                 "service_at_location_id": "service_at_location", "taxonomy_term_id": "taxonomy_term",
                 "taxonomy_id": "taxonomy"}


def datapackage(catalogue: Catalogue, site: SiteInfo) -> dict[str, Any]:
    """The Tabular Data Package descriptor: our licence, HSDS's tables, their columns' types and keys."""
    resources = []
    for name, (path, columns) in TABLES.items():
        keys = [{"fields": column, "reference": {"resource": _FOREIGN_KEYS[column], "fields": "id"}}
                for column in columns.split() if column in _FOREIGN_KEYS and _FOREIGN_KEYS[column] in TABLES]
        resources.append({
            "name": name, "path": path, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": [{"name": column, **column_type(column)} for column in columns.split()],
                       "primaryKey": "id", **({"foreignKeys": keys} if keys else {})},
        })
    return {
        "profile": "tabular-data-package", "name": "new-employment-stations-hsds",
        "title": f"{catalogue.settings.district}新就业群体驿站和服务（Open Referral HSDS {HSDS_VERSION}）",
        "description": "驿站（场所、开放时间、设施）、服务菜单和运营单位，按 Open Referral 人类服务数据规范"
                       f"（Human Services Data Specification，HSDS）{HSDS_VERSION} 的表格形式发布。"
                       "标有“示例数据”的记录是为演示网站虚构的。",
        **({"homepage": f"{site.url.rstrip('/')}/open-data/"} if site.url else {}),
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }


def _json_lines(items: list[dict[str, Any]]) -> str:
    """A JSON array with one object per line: small diffs when one record changes."""
    return "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False, separators=(",", ":")) for i in items) + "\n]\n"


def hsds_files(catalogue: Catalogue, site: SiteInfo) -> Iterator[tuple[str, str]]:
    """The HSDS files, as (path under docs, content): the JSON, then the data package and its CSV files."""
    data = export(catalogue, site)
    yield f"{FOLDER}/services.json", _json_lines(data.services)
    yield f"{FOLDER}/organizations.json", _json_lines(data.organizations)
    yield f"{FOLDER}/datapackage.json", json.dumps(datapackage(catalogue, site), ensure_ascii=False, indent=1) + "\n"
    for name, rows in tables(data).items():
        yield f"{FOLDER}/{TABLES[name][0]}", table_csv(name, rows)
