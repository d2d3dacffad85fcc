"""The Open Referral HSDS export (hsds/ in the site): valid against HSDS's own schemas, and saying what the
opening-hours rules say when read as RFC 5545 reads it.

The HSDS 3.1 schemas are vendored in tests/standards/hsds/ (CC BY-SA 4.0, attribution in its README), so this
runs wherever the repository is cloned. The opening hours are read back with python-dateutil's RFC 5545 rrule
(an iCalendar implementation that is not ours) and compared with rules/opening.py at every half hour of four
weeks around 春节.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from dateutil import rrule
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conftest import DATA, TODAY, data_with_station_changes
from scripts.outputs import hsds
from scripts.outputs.render import SiteInfo
from scripts.outputs.station_extras import compact_hours
from scripts.pipeline.build import Project, load_catalogue, site_url
from scripts.pipeline.resolve import Catalogue
from scripts.rules import opening, recurrence

SCHEMAS = Path(__file__).resolve().parent / "standards" / "hsds" / "schema"
CHINA = dt.timezone(dt.timedelta(hours=8))
SITE = SiteInfo("测试", "https://example.org/xinfu/")

# Hours the shipped data lacks: a 24-hour station closed for 春节, a day of changed hours overlapping a closure
# (the first exception in the list decides), a withdrawn station, and one record that is not sample data.
CHANGES = {
    "xiaoge-05": {"hours": {"open_24h": True, "exceptions": [
        {"date": "2027-02-16", "until": "2027-02-18", "closed": True, "note": "春节闭站"}]}},
    "xiaoge-07": {"sample": False, "hours": {
        "weekly": [{"days": ["mo", "tu", "we", "th", "fr", "sa", "su"], "periods": ["08:00-20:00", "22:00-24:00"]}],
        "exceptions": [{"date": "2027-02-14", "until": "2027-02-16", "closed": True, "note": "春节"},
                       {"date": "2027-02-16", "until": "2027-02-17", "periods": ["20:00-03:00"], "note": "夜班"}]}},
    "xiaoge-09": {"status": "closed"},
}


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry() -> Registry:
    if not SCHEMAS.is_dir():
        pytest.fail(f"HSDS 的 JSON Schema 不在 {SCHEMAS}（missing HSDS schemas）："
                    "从 Open Referral 的 HSDS 3.1 规范复制 schema/*.json，见 tests/standards/hsds/README.md")
    resources = [(path.name, Resource.from_contents(json.loads(path.read_text("utf-8")),
                                                    default_specification=DRAFT202012))
                 for path in sorted(SCHEMAS.glob("*.json"))]
    return Registry().with_resources(resources)


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.json").read_text("utf-8"))


def problems(registry: Registry, name: str, item: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator({"$ref": f"{name}.json"}, registry=registry,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{name} {item.get('name') or item.get('id')}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(item)]


def catalogue_of(data: Path, monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    monkeypatch.setenv("SITE_TODAY", TODAY)
    return load_catalogue(Project(data_dir=data))


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return catalogue_of(DATA, monkeypatch)


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    data = tmp_path_factory.mktemp("hsds") / "data"
    data_with_station_changes(data, CHANGES)
    with pytest.MonkeyPatch.context() as monkeypatch:
        return catalogue_of(data, monkeypatch)


def services_by_station(export: hsds.Export) -> dict[str, dict[str, Any]]:
    """Each station's own service, by station id."""
    found = {}
    for service in export.services:
        location = service["service_at_locations"][0]["location"]
        if service["name"] == location["name"]:
            found[location["external_identifier"]] = service
    return found


# --- valid HSDS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["shipped", "changed"])
def test_every_exported_object_validates_against_the_hsds_schemas(registry: Registry, which: str,
                                                                  request: pytest.FixtureRequest) -> None:
    export = hsds.export(request.getfixturevalue(which), SITE)
    found = [p for service in export.services for p in problems(registry, "service", service)]
    found += [p for org in export.organizations for p in problems(registry, "organization", org)]
    found += [p for item in export.taxonomies for p in problems(registry, "taxonomy", item)]
    found += [p for item in export.taxonomy_terms for p in problems(registry, "taxonomy_term", item)]
    assert found == []
    assert len(export.services) == len(request.getfixturevalue(which).stations) + len(
        request.getfixturevalue(which).services)


def test_the_schema_check_catches_a_broken_object(registry: Registry, shipped: Catalogue) -> None:
    """The validation above is not vacuous: a wrong status, a missing name and a bad id each fail."""
    service = hsds.export(shipped, SITE).services[0]
    broken = {**service, "status": "open", "id": "xiaoge-01"}
    del broken["name"]
    messages = " ".join(problems(registry, "service", broken))
    assert "'open' is not one of" in messages and "'name' is a required property" in messages
    assert "is not a 'uuid'" in messages


def test_every_identifier_is_a_unique_uuid_and_every_reference_resolves(shipped: Catalogue) -> None:
    tables = hsds.tables(hsds.export(shipped, SITE))
    ids = [row["id"] for rows in tables.values() for row in rows]
    assert len(ids) == len(set(ids))
    assert all(uuid.UUID(i).version == 5 for i in ids)
    known = {name: {row["id"] for row in rows} for name, rows in tables.items()}
    for name, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                if column.endswith("_id") and column != "contact_id":
                    target = {"link_id": None}.get(column, column.removesuffix("_id"))
                    targets = known[target] if target else {i for v in known.values() for i in v}
                    assert value in targets, (name, column, value)


def test_the_tables_have_hsds_columns_and_types() -> None:
    """TABLES (written out in hsds.py, which must build without the schemas) is what the schemas say."""
    kinds = {"number": "number", "date": "date", "time": "time", "datetime": "datetime"}
    for name, (path, columns) in hsds.TABLES.items():
        declared = schema(name)
        assert path == declared["path"], name
        flat = {k: v for k, v in declared["properties"].items() if v.get("type") not in ("array", "object")
                and "$ref" not in v}
        assert columns.split() == list(flat), name
        for column, spec in flat.items():
            kind = kinds.get(spec.get("datapackage_type") or spec.get("format") or spec["type"], "string")
            expected = {"type": kind, **({"format": spec["format"]} if kind == "string" and "format" in spec
                                         else {})}
            assert hsds.column_type(column) == expected, (name, column)


# --- the files in the built site -----------------------------------------------------------------


def _typed(value: str, field: dict[str, str]) -> Any:
    return float(value) if field["type"] == "number" else value


def test_the_tabular_package_validates_and_matches_the_json(built_site: Path, registry: Registry) -> None:
    folder = built_site / "hsds"
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    services = json.loads((folder / "services.json").read_text("utf-8"))
    organizations = json.loads((folder / "organizations.json").read_text("utf-8"))
    expected = hsds.tables(hsds.Export(services, organizations, [], []))
    found: list[str] = []
    rows_by_table: dict[str, list[dict[str, Any]]] = {}
    for resource in package["resources"]:
        raw = (folder / resource["path"]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), "no byte order mark: this package is for programs"
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        assert reader.fieldnames == list(fields), resource["name"]
        declared = schema(resource["name"])
        # An empty cell is a value we do not have; a required one (postal_code) stays an empty string.
        rows = [{k: _typed(v, fields[k]) for k, v in row.items() if v != "" or k in declared["required"]}
                for row in reader]
        rows_by_table[resource["name"]] = rows
        for row in rows:
            found += problems(registry, resource["name"], row)
            found += [f"{resource['name']} {row['id']}: no {c}" for c in declared.get("tabular_required", [])
                      if not row.get(c)]
        if expected[resource["name"]]:  # the same objects as the JSON, value for value (taxonomies aside)
            assert rows == [{k: (float(v) if isinstance(v, int) and not isinstance(v, bool) else v)
                             for k, v in row.items()} for row in expected[resource["name"]]], resource["name"]
    assert found == []
    for resource in package["resources"]:
        for key in resource["schema"].get("foreignKeys", []):
            targets = {r["id"] for r in rows_by_table[key["reference"]["resource"]]}
            rows = rows_by_table[resource["name"]]
            assert all(r[key["fields"]] in targets for r in rows if key["fields"] in r), (resource["name"], key)
    assert rows_by_table["schedule"] and rows_by_table["location"] and rows_by_table["organization"]


def test_the_built_files_are_what_the_export_gives(built_site: Path, shipped: Catalogue) -> None:
    """Byte for byte, from a catalogue loaded on its own: nothing in the output depends on the run."""
    site = SiteInfo("", site_url())
    for path, content in hsds.hsds_files(shipped, site):
        assert (built_site / path).read_bytes() == content.encode("utf-8"), path


def test_the_open_data_page_links_every_hsds_file(built_site: Path, shipped: Catalogue) -> None:
    article = BeautifulSoup((built_site / "open-data" / "index.html").read_text("utf-8"), "html.parser")
    linked = {a["href"].removeprefix("../") for a in article.select("article a[href]")}
    files = {path for path, _ in hsds.hsds_files(shipped, SITE)}
    assert files <= linked
    assert "HSDS" in article.select_one("article").get_text()


# --- identifiers ---------------------------------------------------------------------------------


def test_identifiers_are_stable_and_follow_the_documented_recipe(shipped: Catalogue, changed: Catalogue) -> None:
    root = uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "urn:xinfu-stations:hsds"), shipped.settings.district)
    export = hsds.export(shipped, SITE)
    location = services_by_station(export)["xiaoge-01"]["service_at_locations"][0]["location"]
    assert location["id"] == str(uuid.uuid5(root, "station/xiaoge-01/location"))
    # The same with another site address, and from another load of the data: ids belong to the records.
    elsewhere = hsds.export(shipped, SiteInfo("", "https://stations.example.net/"))
    assert [s["id"] for s in elsewhere.services] == [s["id"] for s in export.services]
    assert services_by_station(hsds.export(changed, SITE))["xiaoge-01"]["id"] == \
        services_by_station(export)["xiaoge-01"]["id"]


# --- sample data ---------------------------------------------------------------------------------


def test_sample_records_stay_marked_as_sample(changed: Catalogue) -> None:
    by_station = services_by_station(hsds.export(changed, SITE))
    for station_id, service in by_station.items():
        sample = changed.stations[station_id].sample
        terms = {(a["link_type"], a["taxonomy_term"]["code"]) for a in service["attributes"]}
        assert (("sample", "sample") in terms) is sample, station_id
        assert service["description"].startswith(hsds.SAMPLE_NOTE) is sample, station_id
        assert service["service_at_locations"][0]["location"]["description"].startswith(hsds.SAMPLE_NOTE) is sample
    assert not changed.stations["xiaoge-07"].sample


# --- opening hours, read back as RFC 5545 reads them ---------------------------------------------

_RRULE_DAYS = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA,
               "SU": rrule.SU}


def occurs_on(schedule: dict[str, Any], day: dt.date) -> bool:
    """Whether a schedule with times has an occurrence that starts on ``day``: its RRULE (dateutil) within
    valid_from–valid_to. A schedule without freq or times opens nothing (a closure, a note)."""
    if "freq" not in schedule or "opens_at" not in schedule:
        return False
    if not schedule.get("valid_from", "0001-01-01") <= day.isoformat() <= schedule.get("valid_to", "9999-12-31"):
        return False
    days = []
    for part in schedule["byday"].split(","):
        nth, code = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", part).groups()
        days.append(_RRULE_DAYS[code](int(nth)) if nth else _RRULE_DAYS[code])
    start = dt.datetime(day.year, day.month, 1)
    rule = rrule.rrule(getattr(rrule, schedule["freq"]), dtstart=start, interval=int(schedule.get("interval", 1)),
                       byweekday=days)
    midnight = dt.datetime(day.year, day.month, day.day)
    return rule.after(midnight, inc=True) == midnight


def _minute(text: str, closing: bool = False) -> int:
    clock = dt.time.fromisoformat(text)
    assert clock.utcoffset() == dt.timedelta(hours=8), text
    minute = clock.hour * 60 + clock.minute
    return 1440 if closing and minute == 23 * 60 + 59 else minute  # HSDS: 23:59 means until midnight


def open_spans(schedules: list[dict[str, Any]], day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The open stretches that start on ``day``; a close not after the open runs into the next day."""
    spans = []
    for schedule in schedules:
        if occurs_on(schedule, day):
            opens, closes = _minute(schedule["opens_at"]), _minute(schedule["closes_at"], closing=True)
            midnight = dt.datetime(day.year, day.month, day.day, tzinfo=CHINA)
            end = closes if closes > opens else closes + 1440
            spans.append((midnight + dt.timedelta(minutes=opens), midnight + dt.timedelta(minutes=end)))
    return spans


def hsds_open(schedules: list[dict[str, Any]], status: str, moment: dt.datetime) -> bool:
    if status != "active":
        return False
    local = moment.astimezone(CHINA)
    return any(start <= local < end for offset in (0, -1)
               for start, end in open_spans(schedules, local.date() + dt.timedelta(days=offset)))


def _half_hours(start: str, days: int) -> list[dt.datetime]:
    first = dt.datetime.fromisoformat(start)
    return [first + dt.timedelta(minutes=30 * n) for n in range(days * 48)]


MOMENTS = _half_hours("2026-11-28T00:15:00+08:00", 14) + _half_hours("2027-02-10T00:15:00+08:00", 16)


def test_opening_hours_read_back_as_rrules_agree_with_the_evaluator(changed: Catalogue) -> None:
    by_station = services_by_station(hsds.export(changed, SITE))
    checked = 0
    for station_id, station in changed.stations.items():
        service = by_station[station_id]
        schedules = service["service_at_locations"][0]["location"].get("schedules", [])
        hours = compact_hours(station)
        for moment in MOMENTS:
            assert hsds_open(schedules, service["status"], moment) == opening.status(hours, moment)["open"], \
                (station_id, moment.isoformat())
            checked += 1
    assert checked > 10_000


def _location_schedules(export: hsds.Export, station_id: str) -> list[dict[str, Any]]:
    return services_by_station(export)[station_id]["service_at_locations"][0]["location"].get("schedules", [])


def test_known_stations_hours_as_schedules(changed: Catalogue) -> None:
    export = hsds.export(changed, SITE)
    # Overnight: 18:00 to 02:00 the next day closes before it opens, on the day it starts.
    overnight = [s for s in _location_schedules(export, "xiaoge-15") if s["opens_at"].startswith("18:00")]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in overnight] == \
        [("MO,TU,WE,TH,FR,SA,SU", "18:00:00+08:00", "02:00:00+08:00")]
    # 24 hours, closed for 春节: 00:00–23:59 every day, valid until the day before and from the day after.
    always = _location_schedules(export, "xiaoge-05")
    timed = [(s.get("valid_from"), s.get("valid_to"), s["opens_at"], s["closes_at"]) for s in always if "freq" in s]
    assert timed == [(None, "2027-02-15", "00:00:00+08:00", "23:59:00+08:00"),
                     ("2027-02-19", None, "00:00:00+08:00", "23:59:00+08:00")]
    closed = [s for s in always if "freq" not in s]
    assert [(s["valid_from"], s["valid_to"], "opens_at" in s) for s in closed] == [("2027-02-16", "2027-02-18", False)]
    assert "春节闭站" in closed[0]["description"]
    # 党群服务中心: two closures split its weekday and Saturday hours into three stretches of dates.
    centre = _location_schedules(export, "xinfu-centre")
    assert {(s.get("valid_from"), s.get("valid_to")) for s in centre if "freq" in s} == {
        (None, "2026-09-30"), ("2026-10-08", "2027-02-15"), ("2027-02-23", None)}
    # Temporarily closed: no opening times, the reason in the service's alert. Withdrawn: defunct, no schedules.
    shut = services_by_station(export)["xiaoge-26"]
    assert shut["status"] == "temporarily closed" and shut["alert"].startswith("临时关闭：")
    assert all("opens_at" not in s for s in _location_schedules(export, "xiaoge-26"))
    assert services_by_station(export)["xiaoge-09"]["status"] == "defunct"
    assert _location_schedules(export, "xiaoge-09") == []


def test_service_schedules_fall_on_the_dates_the_site_lists(shipped: Catalogue) -> None:
    """每月第二个周三 is MONTHLY 2WE: dateutil's dates for a year are the site's own (rules/recurrence.py)."""
    export = {s["name"]: s for s in hsds.export(shipped, SITE).services}
    compared = 0
    start, end = dt.date(2027, 1, 1), dt.date(2027, 12, 31)
    for service in shipped.services.values():
        schedules = export[service.name]["schedules"]
        for rule in service.schedule:
            mine = [s for s in schedules if s["opens_at"] == rule.periods[0].split("-")[0] + ":00+08:00"
                    and s["description"] == hsds.hours_text.schedule_text(rule)]
            assert mine, service.id
            days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
            assert [d for d in days if occurs_on(mine[0], d)] == list(recurrence.dates_of(rule, start, end))
            compared += 1
    assert compared >= 2
    monthly = [s for s in export["健康义诊"]["schedules"]]
    assert [(s["freq"], s["byday"]) for s in monthly] == [("MONTHLY", "2WE")]


@pytest.mark.parametrize("parts", [("station", "xiaoge-01", "location"), ("taxonomy", "amenities", "热水"),
                                   ("organisation", "忻府区 总工会", "phone"), ("",), ("a/b", "ü", "\u2028")])
def test_make_id_is_uuid5_of_the_joined_parts(parts: tuple[str, ...]) -> None:
    space = uuid.uuid5(uuid.NAMESPACE_URL, "urn:test")
    assert hsds.make_id(space, *parts) == str(uuid.uuid5(space, "/".join(parts)))
