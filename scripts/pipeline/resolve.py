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
from pathlib import PurePosixPath

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
    settings: SiteSettings
    vocabularies: Vocabularies
    organisations: dict[str, Organisation] = field(default_factory=dict)
    stations: dict[str, Station] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    projects: dict[str, VolunteerProject] = field(default_factory=dict)
    teams: dict[str, VolunteerTeam] = field(default_factory=dict)
    statements: dict[str, Statement] = field(default_factory=dict)
    stories: dict[str, Story] = field(default_factory=dict)
    synonyms: list[SynonymGroup] = field(default_factory=list)  # for search (scripts/outputs/search_index.py)
    # Stories dated after the build's today: checked, but not published until their date (not in ``stories``).
    held_back: list[HeldBack] = field(default_factory=list)
    today: dt.date | None = None  # the build's today: no date the site shows as "updated" is later

    # --- queries used by templates -------------------------------------------------

    def stations_of_type(self, type_key: str) -> list[Station]:
        return [s for s in self.stations.values() if s.type == type_key]

    def station_type(self, station: Station) -> VocabularyEntry:
        return self.vocabularies.station_types[station.type]

    def amenity(self, key: str) -> VocabularyEntry:
        return self.vocabularies.amenities[key]

    def services_at(self, station: Station) -> list[Service]:
        return self._services_by_station.get(station.id, [])

    @cached_property
    def _services_by_station(self) -> dict[str, list[Service]]:
        """Station id → services offered there; built once, as every station page asks."""
        index: dict[str, list[Service]] = defaultdict(list)
        for service in self.services.values():
            for station_id in service.stations:
                index[station_id].append(service)
        return index

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
        (SOURCE_DATE_EPOCH, the sitemap's lastmod, the feed's updated)."""
        dates = [s.verified for s in self.stations.values()]
        dates += [s.verified for s in self.services.values()]
        dates += [s.date for s in self.stories.values()]
        latest = max(dates, default=dt.date(2025, 1, 1))
        return min(latest, self.today) if self.today else latest


@dataclass(frozen=True)
class HeldBack:
    """A story dated after today: valid, published by the first build on or after its date."""

    file: str  # as editors see it: data/stories/…
    story: Story

    def note(self, today: dt.date) -> str:
        return (f"说明：{self.file}：定于 {self.story.date} 发布，今天（{today}）的构建不包含它"
                f"（scheduled, held back）。到那天的构建会自动发布它。")


# --- building and checking -------------------------------------------------------------


_COLLECTIONS = {
    "organisations": "organisations",
    "station": "stations",
    "service": "services",
    "projects": "projects",
    "teams": "teams",
    "statements": "statements",
    "story": "stories",
}


def build_catalogue(
    checked: list[tuple[RawRecord, object]], today: dt.date, log: ProblemLog
) -> Catalogue | None:
    """Assemble the records and run every cross-record check."""
    by_kind: dict[str, list[tuple[RawRecord, object]]] = defaultdict(list)
    for raw, record in checked:
        by_kind[raw.kind.name].append((raw, record))
    singles = {name: by_kind[name][0] for name in ("site", "vocabularies") if by_kind.get(name)}
    if len(singles) < 2:
        return None  # already reported: without settings and vocabularies nothing resolves
    site_raw, settings = singles["site"]
    vocabularies_raw, vocabularies = singles["vocabularies"]
    catalogue = Catalogue(settings=settings, vocabularies=vocabularies, today=today)  # type: ignore[arg-type]
    catalogue.synonyms = [group for _, group in by_kind.get("synonyms", [])]  # type: ignore[misc]
    checker = _CrossChecker(catalogue, today, log)

    seen_ids: dict[str, RawRecord] = {}
    station_raws: dict[str, RawRecord] = {}
    for source_index, source in enumerate(settings.sources):  # type: ignore[attr-defined]
        checker.unique_id(source.id, site_raw, ("sources", source_index, "id"), seen_ids)
    for kind_name, attribute in _COLLECTIONS.items():
        collection = getattr(catalogue, attribute)
        for raw, record in sorted(by_kind.get(kind_name, []), key=lambda pair: pair[1].id):
            if checker.unique_id(record.id, raw, ("id",), seen_ids):
                if kind_name == "story" and record.date > today:
                    catalogue.held_back.append(HeldBack(log.display_path(raw.document.path), record))
                else:
                    collection[record.id] = record
                if kind_name == "station":
                    station_raws[record.id] = raw
            if raw.kind.one_per_file and raw.document.path.stem != record.id:
                checker.report(raw, ("id",),
                               f"文件名 {raw.document.path.name} 与 id {record.id} 不一致（file name ≠ id）。",
                               f"把文件改名为 {record.id}.yaml，或把 id 改为 {raw.document.path.stem}。")
    catalogue.stations = {
        key: checker.station(station_raws[key], station) for key, station in catalogue.stations.items()
    }
    checker.all_references(by_kind, site_raw)
    checker.icons(vocabularies_raw)
    if not len(log):
        for held in catalogue.held_back:  # not a problem: validate and build go on, and say so
            print(held.note(today), flush=True)
    return catalogue


class _CrossChecker:
    def __init__(self, catalogue: Catalogue, today: dt.date, log: ProblemLog):
        self.catalogue, self.today, self.log = catalogue, today, log
        # A record whose own file is already reported (one record per file, named by its id)
        # is not reported again as a dangling reference from every record that names it.
        self.already_reported = {PurePosixPath(problem.file).stem for problem in log}

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

    # --- references and vocabularies ---------------------------------------------------

    def reference(self, raw: RawRecord, field: FieldPath, value: str | None, target: dict, label: str) -> None:
        if value is None or value in target or value in self.already_reported:
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

    def all_references(self, by_kind: dict[str, list[tuple[RawRecord, object]]], site_raw: RawRecord) -> None:
        c = self.catalogue
        vocab = c.vocabularies
        sources = {s.id: s for s in c.settings.sources}
        self.reference(site_raw, ("volunteer_contact",), c.settings.volunteer_contact, c.organisations, "单位")
        for raw, station in by_kind.get("station", []):
            self.vocabulary(raw, ("type",), station.type, vocab.station_types, "驿站类型")
            for index, key in enumerate(station.amenities):
                self.vocabulary(raw, ("amenities", index), key, vocab.amenities, "设施")
            self.reference(raw, ("organisation",), station.organisation, c.organisations, "单位")
            self.not_in_future(raw, ("verified",), station.verified)
        for raw, service in by_kind.get("service", []):
            self.vocabulary(raw, ("kind",), service.kind, vocab.service_kinds, "服务类别")
            for index, station_id in enumerate(service.stations):
                self.reference(raw, ("stations", index), station_id, c.stations, "驿站")
            self.reference(raw, ("provider",), service.provider, c.organisations, "单位")
            self.not_in_future(raw, ("verified",), service.verified)
        for raw, project in by_kind.get("projects", []):
            self.reference(raw, ("organiser",), project.organiser, c.organisations, "单位")
        for raw, team in by_kind.get("teams", []):
            for index, project_id in enumerate(team.projects):
                self.reference(raw, ("projects", index), project_id, c.projects, "志愿项目")
            self.reference(raw, ("organisation",), team.organisation, c.organisations, "单位")
            self.reference(raw, ("station",), team.station, c.stations, "驿站")
        for raw, statement in by_kind.get("statements", []):
            self.reference(raw, ("source",), statement.source, sources, "来源")
        for raw, story in by_kind.get("story", []):
            self.vocabulary(raw, ("category",), story.category, vocab.story_categories, "动态栏目")
            self.reference(raw, ("source",), story.source, sources, "来源")

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

    def station(self, raw: RawRecord, station: Station) -> Station:
        """Check the station's point and return it with WGS-84 coordinates."""
        location = station.location
        lat, lng = coords.to_wgs84(location.lat, location.lng, location.crs)
        bounds = self.catalogue.settings.map.bounds
        if not bounds.contains(lat, lng):
            if bounds.contains(*coords.to_wgs84(location.lng, location.lat, location.crs)):
                hint = (f"纬度和经度像是写反了（swapped?）：lat 应约为 {bounds.south:.1f}–{bounds.north:.1f}，"
                        f"lng 约为 {bounds.west:.1f}–{bounds.east:.1f}。把两个数字对调。")
            else:
                hint = (f"辖区范围是北纬 {bounds.south}–{bounds.north}、东经 {bounds.west}–{bounds.east}"
                        "（site.yaml 的 map.bounds）。请在地图上重新拾取坐标，并用 crs 注明坐标系。")
            self.report(raw, ("location",),
                        f"坐标 ({location.lat}, {location.lng}) 不在辖区范围内（outside the district）。", hint)
        if location.crs == "wgs84":
            return station
        converted = Location(lat=round(lat, 6), lng=round(lng, 6), crs="wgs84")
        return station.model_copy(update={"location": converted})
