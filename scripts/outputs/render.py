"""Render stage: render the catalogue into Markdown pages with the templates in
``scripts/outputs/templates/``.

One Jinja2 environment, ``StrictUndefined`` so a typo in a template fails the
build, and every filter registered here. The output is ordinary Markdown that
any MkDocs-compatible engine can build.

Every value a template prints passes the output boundary (``safe_output``):
autoescape is on, and ``finalize`` encodes whatever is not already ``Markup``
so that it is inert in HTML, attributes, Markdown and XML alike. Markdown
fields are printed with ``markdown(...)``, ids and keys in URLs with ``token``.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from ..pipeline.resolve import Catalogue
from ..pipeline.reuse import NOTHING_REUSED, CachedPage, Reuse, digest
from ..records.models import Station, Story
from ..records.registry import RECORD_TYPES, RecordType, collections, field_table, record_type
from ..rules import chinese, hours, opening, recurrence
from . import csp, maps, navigation, report_links, station_extras
from .icons import IconSet
from .pagination import paginate
from .photos import Photo
from .safe_output import external_url, front_matter, record_markdown, site_path, text, token

_MARKDOWN_IMAGE_PATH = re.compile(r"(!\[[^\]]*\]\(\s*<?)([^)\s>]+)")
STALE_AFTER_DAYS = 365
FINDER_LIST_LIMIT = 300
STATUS_LABELS = {"open": "正常开放", "temporarily_closed": "临时关闭", "closed": "已撤销"}


@dataclass(frozen=True)
class SiteInfo:
    """What the pages need from ``mkdocs.yml``."""

    name: str
    url: str


def docs_images_relative_to(markdown: str, page_path: str) -> str:
    """Record text writes image paths relative to ``docs/``; make them relative to where the page is published
    (a record's Markdown reaches the page as HTML, whose links MkDocs does not rewrite)."""
    depth = published_path(page_path).count("/")
    return _MARKDOWN_IMAGE_PATH.sub(lambda m: m.group(1) + "../" * depth + m.group(2), markdown)


def docs_images_absolute(markdown: str, base_url: str) -> str:
    """Record text writes image paths relative to ``docs/``; a feed reader needs them absolute."""
    return _MARKDOWN_IMAGE_PATH.sub(lambda m: m.group(1) + base_url + m.group(2), markdown)


class PageRenderer:
    def __init__(self, templates_dir: Path, catalogue: Catalogue, site: SiteInfo, today: dt.date,
                 reuse: Reuse = NOTHING_REUSED, station_photos: Mapping[str, list[Photo]] | None = None):
        self.catalogue = catalogue
        self.today = today
        self.icons = IconSet()
        self.reuse = reuse
        self._json_by_id: dict[int, str] = {}
        self._hours_by_id: dict[int, str] = {}
        self.templates_dir = templates_dir
        self.site = site
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            undefined=jinja2.StrictUndefined,
            # The output is Markdown with HTML in it: every printed value is encoded by ``text``, which is
            # inert in both (and in attributes and XML); only ``Markup`` made by our own code passes as is.
            autoescape=True,
            finalize=text,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # "{#id}" sets heading anchors in Markdown, so Jinja comments use "{##  ##}".
            comment_start_string="{##",
            comment_end_string="##}",
        )
        self.env.filters.update(
            # |e and |escape mean the same boundary as an unfiltered value, never HTML-only escaping.
            e=text,
            escape=text,
            token=token,
            external_url=external_url,
            icon=self.icons.markup,
            period=hours.period_text,
            schedule=hours.schedule_text,
            urlencode_component=lambda v: urllib.parse.quote(str(v), safe=""),
            yaml_str=front_matter,
            cn_date=chinese.date_text,
            cn_partial_date=chinese.partial_date_text,
            statement_text=chinese.statement_text,
        )
        self.env.globals.update(
            catalogue=catalogue,
            settings=catalogue.settings,
            vocab=catalogue.vocabularies,
            site=site,
            today=today,
            weekly_lines=hours.weekly_lines,
            exception_line=hours.exception_line,
            status_labels=STATUS_LABELS,
            is_stale=lambda verified: (today - verified).days > STALE_AFTER_DAYS,
            station_map_src=lambda station: maps.station_map_src(station, catalogue),
            navigation_links=lambda station: navigation.navigation_links(station, catalogue.settings.map.app_name),
            amap_route=lambda station: navigation.amap_url(station, catalogue.settings.map.app_name),  # finder cards
            json_ld=lambda station: station_extras.json_ld(station, catalogue, site.url),
            content_security_policy=csp.policy(catalogue.settings.map),
            browser_hours=self._browser_hours,
            # Dated content not over at build time; time-limited.js takes the rest off when the page is read.
            current_alerts=lambda station: [a for a in station.alerts if not a.end or a.end >= today],
            current_exceptions=lambda station: [x for x in station.hours.exceptions if (x.until or x.date) >= today],
            day_starts=day_starts,
            occurrence_ends=occurrence_ends,
            standing_state=standing_state,
            next_dates=lambda service: recurrence.next_dates(
                service.schedule, [catalogue.stations[s] for s in service.stations], today),
            panels=panels,
            feed_html=self._feed_html,
            # The checked, resized copies of a station's images (outputs/photos.py), made before rendering.
            station_photos=lambda station: (station_photos or {}).get(station.id, []),
            field_table=field_table,
            record_label=lambda name: record_type(name).label,
            # 在线报告问题 / 推荐新驿站: the issue form and its prefilled fields (report_links.py).
            report_subject=report_links.report_subject,
            report_link=report_links.report_link,
            suggest_station_link=report_links.suggest_station_link,
        )
        for kind in RECORD_TYPES:
            self.env.globals.update(kind.template_functions)

    def _browser_hours(self, station: Station) -> str:
        """The hours as the page scripts read them; a station page carries them three times."""
        text = self._hours_by_id.get(id(station))
        if text is None:
            text = self._hours_by_id[id(station)] = json.dumps(
                station_extras.compact_hours(station), ensure_ascii=False, separators=(",", ":"))
        return text

    def render(self, template: str, page_path: str, **context: object) -> str:
        def markdown(source: str) -> Markup:
            """A record's Markdown field, sanitised; image paths (relative to docs/) made relative to this page."""
            return record_markdown(docs_images_relative_to(source, page_path))

        def link(target: str) -> Markup:
            """A link from this page to another file under docs (both as docs paths, e.g. ``stories/page/2.md``)."""
            return site_path(posixpath.relpath(target, posixpath.dirname(page_path) or "."))

        def page_url(target: str) -> Markup:
            """The address of another file under docs (e.g. ``services/x.md``) from where this page is published:
            for HTML, where MkDocs rewrites no link (``link`` is for Markdown links, which it does)."""
            return site_path(published_relpath(target, page_path))

        return self.env.get_template(template).render(page_path=page_path, markdown=markdown, link=link,
                                                      page_url=page_url, **context)

    @cached_property
    def _shared_inputs(self) -> str:
        """What a cached page depends on besides its own records: templates, settings, vocabularies."""
        c = self.catalogue
        templates = [p.read_bytes() for p in sorted(self.templates_dir.rglob("*")) if p.is_file()]
        return digest(*templates, str(self.today), repr(self.site), c.settings.model_dump_json(),
                      c.vocabularies.model_dump_json(), *(o.model_dump_json() for o in c.organisations.values()),
                      *(g.model_dump_json() for g in c.synonyms))

    def _record_json(self, record: BaseModel) -> str:
        """A record as JSON, once per run (a station appears in its page, its poster, a list and services)."""
        text = self._json_by_id.get(id(record))
        if text is None:
            text = self._json_by_id[id(record)] = record.model_dump_json()
        return text

    def cached_render(self, template: str, page_path: str, inputs: Sequence[BaseModel], key_extra: str = "",
                      **context: object) -> str:
        """``render``, or in the live preview the page's last rendering when nothing it is made from changed.

        A page may be cached only if ``inputs`` (the records it shows) and ``key_extra`` (its other context),
        with the shared inputs, are everything it reads.
        """
        if not self.reuse.keeps_pages:
            return self.render(template, page_path, **context)
        key = digest(self._shared_inputs, key_extra, *(self._record_json(record) for record in inputs))
        cached = self.reuse.page(page_path, key)
        if cached is not None:
            self.icons.used |= cached.icons
            return cached.text
        with self.icons.recording() as icons:
            text = self.render(template, page_path, **context)
        self.reuse.keep_page(page_path, CachedPage(key, text, frozenset(icons)))
        return text

    def station_lists(self) -> Iterator[tuple[str, str]]:
        """The finder, whose server-side list is complete up to ``FINDER_LIST_LIMIT`` stations; beyond
        that, the complete list for readers without scripts is split over plain directory pages."""
        ordered = self.catalogue.stations_in_directory_order()
        chunks = [ordered[i:i + FINDER_LIST_LIMIT] for i in range(0, len(ordered), FINDER_LIST_LIMIT)]
        paths = [f"stations/list/{n}.md" for n in range(1, len(chunks) + 1)] if len(chunks) > 1 else []
        directory = [{"link": site_path(posixpath.relpath(p, "stations"))} for p in paths]
        yield "stations/index.md", self.render("stations_index.md", "stations/index.md",
                                               listed=chunks[0] if chunks else [], directory=directory)
        for number, (path, stations) in enumerate(zip(paths, chunks if paths else [], strict=True), start=1):
            yield path, self.cached_render(
                "stations_list.md", path, stations, f"{number}/{len(paths)}", stations=stations, number=number,
                total=len(paths), previous=paths[number - 2] if number > 1 else "",
                next=paths[number] if number < len(paths) else "")

    def record_pages(self, kind: RecordType, record: Any) -> list[tuple[str, str]]:
        """The pages the record's type declares for it. A page shows the record, what it names and what names
        it (a station page lists the services and events there), so those are the inputs its cache key covers."""
        record_id = record.id
        c = self.catalogue
        inputs = [record, *c.references_of(kind, record),
                  *(other for k in collections() for other in c.referring(k.name, record_id))]
        return [(path, self.cached_render(page.template, path, inputs, **{kind.variable: record}))
                for page, path in zip(kind.pages, kind.page_paths(record_id), strict=True)]

    def listing_pages(self, kind: RecordType) -> Iterator[tuple[str, str]]:
        """The type's section page, split into numbered pages when the type says how many go on one."""
        listing = kind.listing
        assert listing is not None
        records = list(self.catalogue.collection(kind.collection).values())
        if listing.order is not None:
            records.sort(key=listing.order, reverse=listing.newest_first)
        per_page = listing.per_page or max(1, len(records))
        for page in paginate(records, per_page, listing.path, listing.page_path or listing.path):
            yield page.path, self.render(listing.template, page.path, listing=page, figures=self.catalogue.figures())

    def _feed_html(self, story: Story) -> str:
        """A story's pictures and body for its feed entry: the sanitised HTML its page shows, with the images at
        absolute addresses. A plain string, so the feed template escapes it as the text of <content type="html">."""
        pictures = "".join(f"![{image.alt.replace(']', '］')}]({image.src})\n\n" for image in story.images)
        return str(record_markdown(docs_images_absolute(pictures + story.body, self.site.url)))

    def pages(self) -> Iterator[tuple[str, str]]:
        """Every generated page but the records' own (``record_pages``), as (path under docs, Markdown)."""
        c = self.catalogue
        yield "index.md", self.render("home.md", "index.md", figures=c.figures())
        yield from self.station_lists()
        for kind in RECORD_TYPES:
            if kind.listing is not None:
                yield from self.listing_pages(kind)
        yield "feed.xml", self.render("feed.xml", "feed.xml")
        yield "figures.md", self.render("figures.md", "figures.md", figures=c.figures())
        yield "fields.md", self.render("fields.md", "fields.md", record_types=RECORD_TYPES)
        # Plain text, not HTML: the two addresses come from mkdocs.yml's site_url (the project's configuration,
        # not a record), one line each, so they are printed as they are.
        yield "robots.txt", self.render(
            "robots.txt", "robots.txt", base_path=Markup(urllib.parse.urlsplit(self.site.url).path or "/"),
            sitemap_url=Markup(self.site.url + "sitemap.xml"))


def published_path(doc_path: str) -> str:
    """Where a file under docs is published, as MkDocs does with ``use_directory_urls``: ``stations/x.md`` →
    ``stations/x/``, ``events/index.md`` → ``events/``, ``index.md`` → ``""``; other files stay where they are."""
    if not doc_path.endswith(".md"):
        return doc_path
    folder, name = posixpath.split(doc_path[:-3])
    return (folder + "/" if folder else "") if name in ("index", "README") else posixpath.join(folder, name) + "/"


def published_relpath(target: str, page_path: str) -> str:
    """The relative address of ``target`` (a path under docs, perhaps with ``?query`` or ``#anchor``; a folder ends
    with ``/``) from the published page of ``page_path``."""
    path, mark, rest = target.partition("#")
    path, query_mark, query = path.partition("?")
    here = published_path(page_path)
    folder = here.rstrip("/") if page_path.endswith(".md") else posixpath.dirname(here)
    relative = posixpath.relpath(published_path(path).rstrip("/") or ".", folder or ".")
    if path.endswith((".md", "/")) or not path:
        relative = "./" if relative == "." else relative + "/"
    return relative + query_mark + query + mark + rest


def day_starts(day: dt.date, later: int = 0) -> str:
    """The instant China's day ``day`` (+ ``later`` days) begins, as time-limited.js reads it."""
    return f"{day + dt.timedelta(days=later)}T00:00:00+08:00"


def occurrence_ends(occurrence: recurrence.Occurrence) -> str:
    """The instant a service's date is over: the latest close of its periods (the next day's, overnight)."""
    last = max(opening.period_span(*period.split("-"))[1] for period in occurrence.periods)
    return f"{(dt.datetime.combine(occurrence.date, dt.time()) + dt.timedelta(minutes=last)).isoformat()}+08:00"


def standing_state(station: Station) -> str:
    """What holds at any hour, for readers without scripts: the evaluator's line for a temporarily closed or
    withdrawn station (临时关闭（原因，至何时）, 已撤销), nothing for an open one."""
    if station.status == "open":
        return ""
    return opening.status(station_extras.compact_hours(station), dt.datetime.now(dt.UTC))["text"]


def panels(page_template: str) -> list[str]:
    """The templates record types add to ``page_template`` (events on the home and station pages)."""
    return [kind.panels[page_template] for kind in RECORD_TYPES if page_template in kind.panels]
