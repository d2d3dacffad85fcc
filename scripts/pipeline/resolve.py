"""Resolve stage: resolve references between records and hand templates a catalogue.

The cross-record checks (unique ids, references, vocabularies, coordinates,
dates) run here, after every record has passed its own shape check. The
``Catalogue`` is what every later stage receives: typed records, sorted, with
query methods, never raw YAML.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..outputs.icons import THEME_ICONS
from ..records.models import (
    Location,
    Organisation,
    Service,
    SiteSettings,
    Statement,
    Station,
    Story,
    SynonymGroup,
    Vocabularies,
    VocabularyEntry,
    VolunteerProject,
    VolunteerTeam,
)
from ..records.registry import RECORD_TYPES, RecordType, collections, field_values, record_type, replace_field
from ..rules import coords
from .load import RawRecord
from .problems import ProblemLog
from .yamlfile import FieldPath


@dataclass(frozen=True)
class Figures:
    """Counts computed from the records; nothing here is typed by hand."""

    stations_by_type: dict[str, int]
    stations: int
    services: int
    projects: int
    teams: int
    volunteers: int
    people_served: int
    stories: int


@dataclass
class Catalogue:
    """Every record by type (``records``: the registry's ``collection`` name → id → record), and the settings.
    The properties name the collections the shared templates and outputs use."""

    settings: SiteSettings
    vocabularies: Vocabularies
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    synonyms: list[SynonymGroup] = field(default_factory=list)  # for search (outputs/search_index.py)
    # Records dated after the build's today: checked, but not published until their date (not in ``records``).
    held_back: list[HeldBack] = field(default_factory=list)
    # The data file of each record in ``records``: (collection, id) → path, for messages about what it became.
    sources: dict[tuple[str, str], Path] = field(default_factory=dict)
    today: dt.date | None = None  # the build's today: no date the site shows as "updated" is later

    def collection(self, name: str) -> dict[str, Any]:
        return self.records.setdefault(name, {})

    @property
    def organisations(self) -> dict[str, Organisation]:
        return self.collection("organisations")

    @property
    def stations(self) -> dict[str, Station]:
        return self.collection("stations")

    @property
    def services(self) -> dict[str, Service]:
        return self.collection("services")

    @property
    def projects(self) -> dict[str, VolunteerProject]:
        return self.collection("projects")

    @property
    def teams(self) -> dict[str, VolunteerTeam]:
        return self.collection("teams")

    @property
    def statements(self) -> dict[str, Statement]:
        return self.collection("statements")

    @property
    def stories(self) -> dict[str, Story]:
        return self.collection("stories")

    # --- references, both ways --------------------------------------------------------

    def referring(self, type_name: str, record_id: str) -> list[Any]:
        """The records of type ``type_name`` that name ``record_id`` in any of their references, in id order."""
        return self._referring.get((type_name, record_id), [])

    @cached_property
    def _referring(self) -> dict[tuple[str, str], list[Any]]:
        """(type, id named) → records of that type naming it; built once, as every record page asks."""
        index: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for kind in collections():
            for record in self.collection(kind.collection).values():
                named = {value for ref in kind.references for _, value in field_values(record, ref.field)}
                for value in sorted(named):
                    index[(kind.name, value)].append(record)
        return index

    def references_of(self, kind: RecordType, record: BaseModel) -> list[Any]:
        """The records that ``record`` names (the sources in site.yaml aside)."""
        found = []
        for ref in kind.references:
            if ref.target != "source":
                target = self.collection(record_type(ref.target).collection)
                found += [target[value] for _, value in field_values(record, ref.field) if value in target]
        return found

    # --- queries used by templates -------------------------------------------------

    def stations_of_type(self, type_key: str) -> list[Station]:
        return list(self._stations_by_type.get(type_key, ()))

    @cached_property
    def _stations_by_type(self) -> dict[str, list[Station]]:
        """Grouped once per catalogue (the templates ask for every type on every list page: 0.4 s a run at 10,000
        stations, in every preview save). A catalogue is complete when templates first ask."""
        grouped: dict[str, list[Station]] = {}
        for station in self.stations.values():
            grouped.setdefault(station.type, []).append(station)
        return grouped

    def stations_in_directory_order(self) -> list[Station]:
        """By type, in the vocabulary's order: the finder's list and maps/stations.json, so the list the
        browser redraws from the data is in the order the server wrote it (nothing moves when it does)."""
        return [s for key in self.vocabularies.station_types for s in self.stations_of_type(key)]

    def station_type(self, station: Station) -> VocabularyEntry:
        return self.vocabularies.station_types[station.type]

    def amenity(self, key: str) -> VocabularyEntry:
        return self.vocabularies.amenities[key]

    def services_at(self, station: Station) -> list[Service]:
        return self.referring("service", station.id)

    def services_of_kind(self, kind: str) -> list[Service]:
        return [s for s in self.services.values() if s.kind == kind]

    def teams_in(self, project: VolunteerProject) -> list[VolunteerTeam]:
        return [t for t in self.teams.values() if project.id in t.projects]

    def stories_newest_first(self) -> list[Story]:
        return sorted(self.stories.values(), key=lambda s: (s.date, s.id), reverse=True)

    def source(self, source_id: str):
        return next(s for s in self.settings.sources if s.id == source_id)

    def figures(self) -> Figures:
        return Figures(
            stations_by_type={
                key: len(self.stations_of_type(key)) for key in self.vocabularies.station_types
            },
            stations=len(self.stations),
            services=len(self.services),
            projects=len(self.projects),
            teams=len(self.teams),
            volunteers=sum(t.members for t in self.teams.values()),
            people_served=sum(p.people_served or 0 for p in self.projects.values()),
            stories=len(self.stories),
        )

    def latest_date(self) -> dt.date:
        """The newest date in the data, never after today: a reproducible timestamp for the build
        (SOURCE_DATE_EPOCH, the sitemap's lastmod, the feed's updated). Dates of something done count
        (verification, publication), not those of things to come (an event's start)."""
        dates = [
            value
            for kind in collections()
            for path in (*kind.not_after_today, *([kind.publish_date] if kind.publish_date else []))
            for record in self.collection(kind.collection).values()
            for _, value in field_values(record, path)
        ]
        latest = max(dates, default=dt.date(2025, 1, 1))
        return min(latest, self.today) if self.today else latest


@dataclass(frozen=True)
class HeldBack:
    """A record dated after today (a story): valid, published by the first build on or after its date."""

    file: str  # as editors see it: data/stories/…
    date: dt.date

    def note(self, today: dt.date) -> str:
        return (f"说明：{self.file}：定于 {self.date} 发布，今天（{today}）的构建不包含它"
                f"（scheduled, held back）。到那天的构建会自动发布它。")


# --- building and checking -------------------------------------------------------------


def build_catalogue(
    checked: list[tuple[RawRecord, BaseModel]], today: dt.date, log: ProblemLog
) -> Catalogue | None:
    """Assemble the records and run every cross-record check, as the record types declare them."""
    by_kind: dict[str, list[tuple[RawRecord, Any]]] = defaultdict(list)
    for raw, record in checked:
        by_kind[raw.kind.name].append((raw, record))
    singles = {name: by_kind[name][0] for name in ("site", "vocabularies") if by_kind.get(name)}
    if len(singles) < 2:
        return None  # already reported: without settings and vocabularies nothing resolves
    site_raw, settings = singles["site"]
    vocabularies_raw, vocabularies = singles["vocabularies"]
    catalogue = Catalogue(settings=settings, vocabularies=vocabularies, today=today)
    catalogue.synonyms = [group for _, group in by_kind.get("synonyms", [])]
    checker = _CrossChecker(catalogue, today, log)

    seen_ids: dict[str, RawRecord] = {}
    for source_index, source in enumerate(settings.sources):
        checker.unique_id(source.id, site_raw, ("sources", source_index, "id"), seen_ids)
    to_check: list[tuple[RecordType, RawRecord, Any]] = [
        (kind, raw, record) for kind in RECORD_TYPES if not kind.collection for raw, record in by_kind[kind.name]
    ]
    for kind in collections():
        collection = catalogue.collection(kind.collection)
        for raw, record in sorted(by_kind.get(kind.name, []), key=lambda pair: pair[1].id):
            if checker.unique_id(record.id, raw, ("id",), seen_ids):
                record = checker.locations(kind, raw, record)
                publish = getattr(record, kind.publish_date) if kind.publish_date else None
                if publish is not None and publish > today:
                    catalogue.held_back.append(HeldBack(log.display_path(raw.document.path), publish))
                else:
                    collection[record.id] = record
                    catalogue.sources[(kind.collection, record.id)] = raw.document.path
            to_check.append((kind, raw, record))
            if kind.one_per_file and raw.document.path.stem != record.id:
                checker.report(raw, ("id",),
                               f"文件名 {raw.document.path.name} 与 id {record.id} 不一致（file name ≠ id）。",
                               f"把文件改名为 {record.id}.yaml，或把 id 改为 {raw.document.path.stem}。")
    for kind, raw, record in to_check:
        checker.fields(kind, raw, record)
    checker.vocabulary_names(vocabularies_raw)
    checker.icons(vocabularies_raw)
    if not len(log):
        for held in catalogue.held_back:  # not a problem: validate and build go on, and say so
            print(held.note(today), flush=True)
    return catalogue


class _CrossChecker:
    def __init__(self, catalogue: Catalogue, today: dt.date, log: ProblemLog):
        self.catalogue, self.today, self.log = catalogue, today, log

    def report(self, raw: RawRecord, field: FieldPath, message: str, hint: str = "") -> None:
        line, column = raw.locate(field)
        self.log.add(raw.document.path, line, column, raw.field_name(field), message, hint)

    def unique_id(self, record_id: str, raw: RawRecord, field: FieldPath, seen: dict[str, RawRecord]) -> bool:
        if record_id in seen:
            first = seen[record_id]
            line, _ = first.locate(field[-1:] if first.kind.name != "site" else ())
            self.report(raw, field, f"id {record_id} 已被使用（duplicate id）。",
                        f"id 在全站必须唯一；它已用于 {self.log.display_path(first.document.path)} "
                        f"第 {line} 行。换一个 id。")
            return False
        seen[record_id] = raw
        return True

    # --- what the record type declares ---------------------------------------------------

    def fields(self, kind: RecordType, raw: RawRecord, record: BaseModel) -> None:
        """The record's references, vocabulary keys and dates of things done, as its type declares them."""
        for ref in kind.references:
            if ref.target == "source":
                target: dict[str, Any] = {s.id: s for s in self.catalogue.settings.sources}
                label = "来源"
            else:
                target_kind = record_type(ref.target)
                target, label = self.catalogue.collection(target_kind.collection), target_kind.label
            for path, value in field_values(record, ref.field):
                self.reference(raw, path, value, target, label)
        for used in kind.vocabularies:
            entries = getattr(self.catalogue.vocabularies, used.vocabulary, None)
            for path, value in field_values(record, used.field) if entries is not None else ():
                self.vocabulary(raw, path, value, entries, used.label)
        for name in kind.not_after_today:
            for path, value in field_values(record, name):
                self.not_in_future(raw, path, value)
        for rule in kind.rules:
            for path, message, hint in rule(record):
                self.report(raw, path, message, hint)

    def reference(self, raw: RawRecord, field: FieldPath, value: str, target: dict, label: str) -> None:
        # A record that failed its own checks is reported once, in its own file, not again by every record naming it.
        if value in target or value in self.log.rejected_ids:
            return
        close = difflib.get_close_matches(value, list(target), n=1, cutoff=0.6)
        hint = f"是不是想写 {close[0]}？" if close else f"先在{label}中添加 id 为 {value} 的记录，或改用已有的 id。"
        self.report(raw, field, f"找不到{label} {value}（unknown reference）。", hint)

    def vocabulary(
        self, raw: RawRecord, field: FieldPath, value: str, entries: dict[str, VocabularyEntry], label: str
    ) -> None:
        if value in entries:
            return
        close = self.meaning(value, entries) or difflib.get_close_matches(value, list(entries), n=1, cutoff=0.5)
        hint = f"是不是想写 {close[0]}（{entries[close[0]].label}）？" if close else ""
        hint += "可选：" + "、".join(f"{k}（{e.label}）" for k, e in entries.items()) + "。见 data/vocabularies.yaml。"
        self.report(raw, field, f"未知的{label} {value}（unknown vocabulary key）。", hint)

    def meaning(self, value: str, entries: dict[str, VocabularyEntry]) -> list[str]:
        """Keys that ``value`` names in other words: the entry's label, its synonyms, or a word in a group of
        data/synonyms.yaml that shares a word with them (充电, 冲电, chongdian → charging)."""
        wanted = value.strip().casefold()
        for key, entry in entries.items():
            words = {entry.label, *entry.synonyms}
            for group in self.catalogue.synonyms:
                if words.intersection(group.words):
                    words.update(group.words)
            if wanted in {word.casefold() for word in words}:
                return [key]
        return []

    def vocabulary_names(self, raw: RawRecord) -> None:
        """Every vocabulary a record type takes keys from is in vocabularies.yaml, and nothing else is."""
        needed = {used.vocabulary: (kind, used) for kind in RECORD_TYPES for used in kind.vocabularies}
        present = dict(self.catalogue.vocabularies)
        for name, (kind, used) in needed.items():
            if name not in present and self.catalogue.collection(kind.collection):
                self.report(raw, (), f"词表里缺少 {name}（missing vocabulary）：{kind.label}的 {used.field} 要用它。",
                            f"在 data/vocabularies.yaml 里加上 {name}:，下面每项写键和 label（{used.label}）。")
        for name in present.keys() - needed.keys():
            close = difflib.get_close_matches(name, list(needed), n=1, cutoff=0.6)
            self.report(raw, (name,), f"没有哪类记录用到词表 {name}（unused vocabulary）。",
                        (f"是不是想写 {close[0]}？" if close else "")
                        + "已有的词表：" + "、".join(needed) + "。")

    def icons(self, raw: RawRecord) -> None:
        """Every vocabulary icon must be one the theme ships (we copy it into the site)."""
        for group, entries in self.catalogue.vocabularies:
            for key, entry in entries.items():
                if entry.icon and not (THEME_ICONS / f"{entry.icon}.svg").is_file():
                    family = THEME_ICONS / entry.icon.rsplit("/", 1)[0]
                    known = sorted(f"{entry.icon.rsplit('/', 1)[0]}/{p.stem}" for p in family.glob("*.svg"))
                    close = difflib.get_close_matches(entry.icon, known, n=1, cutoff=0.7)
                    self.report(raw, (group, key, "icon"), f"主题里没有图标 {entry.icon}（unknown icon）。",
                                (f"是不是想写 {close[0]}？" if close else "")
                                + "图标名见 Material for MkDocs 的图标列表，如 material/battery-charging。")

    def not_in_future(self, raw: RawRecord, field: FieldPath, value: dt.date) -> None:
        if value > self.today:
            self.report(raw, field,
                        f"核实日期不能晚于今天：写的是 {value}，今天是 {self.today}（date in the future）。",
                        "写实际核实信息的那一天；还没核实的，先不要改这个日期。")

    # --- coordinates ---------------------------------------------------------------------

    def locations(self, kind: RecordType, raw: RawRecord, record: Any) -> Any:
        """Check the record's points against the district and return it with WGS-84 coordinates."""
        for name in kind.locations:
            for path, location in list(field_values(record, name)):
                lat, lng = self.point(raw, path, location)
                if location.crs != "wgs84":
                    record = replace_field(record, path, Location(lat=round(lat, 6), lng=round(lng, 6), crs="wgs84"))
        return record

    def point(self, raw: RawRecord, field: FieldPath, location: Location) -> tuple[float, float]:
        lat, lng = coords.to_wgs84(location.lat, location.lng, location.crs)
        bounds = self.catalogue.settings.map.bounds
        if not bounds.contains(lat, lng):
            if bounds.contains(*coords.to_wgs84(location.lng, location.lat, location.crs)):
                hint = (f"纬度和经度像是写反了（swapped?）：lat 应约为 {bounds.south:.1f}–{bounds.north:.1f}，"
                        f"lng 约为 {bounds.west:.1f}–{bounds.east:.1f}。把两个数字对调。")
            else:
                hint = (f"辖区范围是北纬 {bounds.south}–{bounds.north}、东经 {bounds.west}–{bounds.east}"
                        "（site.yaml 的 map.bounds）。请在地图上重新拾取坐标，并用 crs 注明坐标系。")
            self.report(raw, field,
                        f"坐标 ({location.lat}, {location.lng}) 不在辖区范围内（outside the district）。", hint)
        return lat, lng
