"""The publicity half of the site, read back from a real build: services and their next dates,
volunteer projects, paginated stories and their Atom feed, the figures page, and the open-data
downloads. Expected values are computed here from data/ YAML, independently of the code under test."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import math
import re
import urllib.parse
from pathlib import Path

import coordTransform
import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import DATA, TODAY, build_site, published_site_url

DAYS = ["mo", "tu", "we", "th", "fr", "sa", "su"]
PER_PAGE = 5
MOBILE = re.compile(r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
SITE_URL = published_site_url()


def load(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def records(pattern: str, data: Path = DATA) -> list[dict]:
    found: list[dict] = []
    for path in sorted(data.glob(pattern)):
        loaded = load(path)
        found.extend(loaded if isinstance(loaded, list) else [loaded])
    return found


STATIONS = records("stations/*.yaml")
SERVICES = records("services/*.yaml")
PROJECTS = records("volunteer/projects.yaml")
TEAMS = records("volunteer/teams.yaml")
STORIES = records("stories/*.yaml")
STATEMENTS = records("statements.yaml")
SETTINGS = load(DATA / "site.yaml")
VOCABULARY = load(DATA / "vocabularies.yaml")
ORGANISATIONS = {o["id"]: o for o in records("organisations.yaml")}


def page(site: Path, url_path: str) -> BeautifulSoup:
    """The built page at ``url_path`` (a directory URL such as ``stories/page/2/``)."""
    file = site / url_path / "index.html"
    assert file.is_file(), f"missing page {url_path}"
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def resolve(from_url: str, href: str) -> str:
    """A relative link on page ``from_url`` as a site path without the leading slash, e.g. ``stations/x/``."""
    return urllib.parse.urljoin("/" + from_url, href).lstrip("/")


def links(site: Path, url_path: str, prefix: str) -> set[str]:
    """Every page under ``prefix`` that the article of ``url_path`` links to."""
    article = page(site, url_path).select_one("article")
    targets = {resolve(url_path, a["href"].partition("#")[0]) for a in article.select("a[href]")}
    return {t for t in targets if t.startswith(prefix) and t != prefix}


def figures_shown(soup: BeautifulSoup) -> dict[str, int]:
    return {el["data-figure"]: int(el.get_text()) for el in soup.select("article [data-figure]")}


def expected_station_figures(stations: list[dict]) -> dict[str, int]:
    counts = {f"stations-{key}": sum(s["type"] == key for s in stations) for key in VOCABULARY["station_types"]}
    return counts | {"stations": len(stations)}


def newest_first(stories: list[dict]) -> list[str]:
    return [s["id"] for s in sorted(stories, key=lambda s: (s["date"], s["id"]), reverse=True)]


# --- services -------------------------------------------------------------------------------


def falls_on(schedule: dict, day: dt.date) -> bool:
    """Whether a service schedule (as written in YAML) falls on ``day``: the rule restated independently."""
    if schedule["freq"] == "daily":
        return True
    if DAYS[day.weekday()] not in schedule["days"]:
        return False
    if schedule["freq"] == "weekly":
        return True
    nth = (day.day - 1) // 7 + 1
    is_last = day.day + 7 > calendar.monthrange(day.year, day.month)[1]
    return any(w == nth or (w == -1 and is_last) for w in schedule["week_of_month"])


@pytest.mark.parametrize("service", SERVICES, ids=[s["id"] for s in SERVICES])
def test_every_service_page_says_what_where_and_when(built_site: Path, service: dict) -> None:
    url = f"services/{service['id']}/"
    article = page(built_site, url).select_one("article")
    assert article.h1.get_text(strip=True) == service["name"]
    for section in ("eligibility", "cost", "schedule", "stations", "provider"):
        assert article.find(id=section), f"{url} lacks the {section} section"
    assert links(built_site, url, "stations/") == {f"stations/{s}/" for s in service["stations"]}

    shown = [dt.date.fromisoformat(t["datetime"]) for t in article.select(".next-dates time")]
    if not service.get("schedule"):
        assert shown == []
        return
    assert len(shown) == 3, f"{url} should list the next three dates"
    assert shown == sorted(shown) and shown[0] >= dt.date.fromisoformat(TODAY)
    assert all(any(falls_on(rule, day) for rule in service["schedule"]) for day in shown), shown
    # Nothing skipped except days when every station offering it is closed.
    day = dt.date.fromisoformat(TODAY)
    first_open = next(d for d in (day + dt.timedelta(n) for n in range(400))
                      if any(falls_on(rule, d) for rule in service["schedule"]) and not all_closed(service, d))
    assert shown[0] == first_open


def all_closed(service: dict, day: dt.date) -> bool:
    stations = {s["id"]: s for s in STATIONS}

    def closed(station: dict) -> bool:
        return station.get("status", "open") != "open" or any(
            x.get("closed") and x["date"] <= day <= x.get("until", x["date"])
            for x in station["hours"].get("exceptions", [])
        )

    return all(closed(stations[s]) for s in service["stations"])


def test_next_dates_skip_days_when_the_station_is_closed(data_copy: Path, tmp_path: Path) -> None:
    """Close the only station of the monthly health clinic on its next date: that date must disappear."""
    station_file = data_copy / "stations" / "xinfu-centre.yaml"
    station = load(station_file)
    station["hours"].setdefault("exceptions", []).append(
        {"date": dt.date(2026, 12, 9), "closed": True, "note": "测试闭馆"})
    station_file.write_text(yaml.safe_dump(station, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    article = page(tmp_path / "site", "services/health-clinic/").select_one("article")
    shown = [t["datetime"] for t in article.select(".next-dates time")]
    assert shown == ["2027-01-13", "2027-02-10", "2027-03-10"]


def test_station_and_service_pages_link_both_ways(built_site: Path) -> None:
    offered_at = {s["id"]: {f"services/{v['id']}/" for v in SERVICES if s["id"] in v["stations"]} for s in STATIONS}
    for station in STATIONS:
        assert links(built_site, f"stations/{station['id']}/", "services/") == offered_at[station["id"]], station["id"]
    for service in SERVICES:
        for station_id in service["stations"]:
            assert f"services/{service['id']}/" in links(built_site, f"stations/{station_id}/", "services/")


def test_services_index_groups_every_service_by_kind(built_site: Path) -> None:
    article = page(built_site, "services/").select_one("article")
    for kind, entry in VOCABULARY["service_kinds"].items():
        expected = {f"services/{s['id']}/" for s in SERVICES if s["kind"] == kind}
        heading = article.find(id=kind)
        if not expected:
            assert heading is None
            continue
        assert heading.get_text(strip=True) == entry["label"]
        listed = {resolve("services/", a["href"]) for a in heading.find_next_sibling("ul").select("a[href]")}
        assert listed == expected


# --- volunteer projects -------------------------------------------------------------------------


@pytest.mark.parametrize("project", PROJECTS, ids=[p["id"] for p in PROJECTS])
def test_every_project_page_says_what_who_how_and_which_teams(built_site: Path, project: dict) -> None:
    url = f"volunteer/{project['id']}/"
    article = page(built_site, url).select_one("article")
    assert article.h1.get_text(strip=True) == project["name"]
    for section in ("activities", "beneficiaries", "teams", "join"):
        assert article.find(id=section), f"{url} lacks the {section} section"

    teams = [t for t in TEAMS if project["id"] in t["projects"]]
    shown = {li["data-team"]: int(li.select_one(".team-members").get_text()) for li in article.select("[data-team]")}
    assert shown == {t["id"]: t["members"] for t in teams}
    figures = {el["data-figure"]: int(el.get_text()) for el in article.select("[data-figure]")}
    assert figures["teams"] == len(teams)
    assert figures["volunteers"] == sum(t["members"] for t in teams)
    if project.get("people_served") is not None:
        assert figures["people-served"] == project["people_served"]

    contact = ORGANISATIONS[SETTINGS["volunteer_contact"]]
    phone_links = [a["href"] for a in article.select(".volunteer-contact a[href^='tel:']")]
    assert phone_links == ["tel:" + contact["phone"]["number"].replace("-", "")]
    assert contact["name"] in article.select_one(".volunteer-contact").get_text()
    assert not MOBILE.search(article.get_text()), "a project page must not show a personal mobile number"


# --- stories, pagination and the feed -----------------------------------------------------------


@pytest.mark.parametrize("story", STORIES, ids=[s["id"] for s in STORIES])
def test_every_story_has_a_page_with_date_category_and_tags(built_site: Path, story: dict) -> None:
    article = page(built_site, f"stories/{story['id']}/").select_one("article")
    assert article.h1.get_text(strip=True) == story["title"]
    meta = article.select_one(".story-meta")
    assert meta.time["datetime"] == str(story["date"])
    assert VOCABULARY["story_categories"][story["category"]]["label"] in meta.get_text()
    for tag in story.get("tags", []):
        assert f"#{tag}" in meta.get_text()


def listing_pages(site: Path) -> list[tuple[str, BeautifulSoup]]:
    """Follow the ``rel=next`` links from the stories index to the last page."""
    pages, url = [], "stories/"
    while url:
        soup = page(site, url)
        pages.append((url, soup))
        following = soup.select_one("article nav.pagination a[rel=next]")
        url = resolve(url, following["href"]) if following else ""
        assert len(pages) <= len(STORIES) + 1, "pagination loops"
    return pages


def test_stories_index_is_newest_first_and_paginated(built_site: Path) -> None:
    pages = listing_pages(built_site)
    assert len(pages) == math.ceil(len(STORIES) / PER_PAGE)
    assert [url for url, _ in pages] == ["stories/"] + [f"stories/page/{n}/" for n in range(2, len(pages) + 1)]

    shown: list[str] = []
    for number, (url, soup) in enumerate(pages, start=1):
        article = soup.select_one("article")
        on_page = [resolve(url, h2.a["href"]).split("/")[1] for h2 in article.select("h2") if h2.a]
        assert 0 < len(on_page) <= PER_PAGE
        shown += on_page
        for meta in article.select(".story-meta"):  # category and tags on the index too
            assert meta.select_one("[data-category]") and meta.time
        previous = article.select_one("nav.pagination a[rel=prev]")
        assert (previous is None) == (number == 1)
        if previous:
            assert resolve(url, previous["href"]) == pages[number - 2][0]
        assert f"第 {number} 页，共 {len(pages)} 页" in article.select_one("nav.pagination").get_text()
    assert shown == newest_first(STORIES)


def test_feed_parses_and_has_one_entry_per_story_with_its_date(built_site: Path) -> None:
    feed = feedparser.parse((built_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    entries = {entry.link: entry for entry in feed.entries}
    assert len(feed.entries) == len(entries) == len(STORIES)
    for story in STORIES:
        entry = entries[f"{SITE_URL}stories/{story['id']}/"]
        assert entry.title == story["title"]
        assert dt.datetime.fromisoformat(entry.published).date() == story["date"]
        assert dt.datetime.fromisoformat(entry.updated).date() == story["date"]
        assert VOCABULARY["story_categories"][story["category"]]["label"] in {t.get("label") for t in entry.tags}
    newest = max(s["date"] for s in STORIES)
    assert dt.datetime.fromisoformat(feed.feed.updated).date() == newest  # from the records, not the clock


def test_feed_is_announced_and_linked(built_site: Path) -> None:
    soup = page(built_site, "stories/")
    alternate = soup.select_one("head link[rel=alternate][type='application/atom+xml']")
    assert resolve("stories/", alternate["href"]) == "feed.xml"
    assert "feed.xml" in {resolve("stories/", a["href"]) for a in soup.select("article a[href]")}


# --- figures --------------------------------------------------------------------------------


def expected_figures(data: Path = DATA) -> dict[str, int]:
    teams = records("volunteer/teams.yaml", data)
    projects = records("volunteer/projects.yaml", data)
    return expected_station_figures(records("stations/*.yaml", data)) | {
        "services": len(records("services/*.yaml", data)),
        "projects": len(projects),
        "teams": len(teams),
        "volunteers": sum(t["members"] for t in teams),
        "people-served": sum(p.get("people_served") or 0 for p in projects),
        "stories": len(records("stories/*.yaml", data)),
    }


def test_figures_page_equals_the_counts_in_data(built_site: Path) -> None:
    assert figures_shown(page(built_site, "figures/")) == expected_figures()


def test_figures_page_quotes_every_statement_with_its_source(built_site: Path) -> None:
    article = page(built_site, "figures/").select_one("article")
    sources = {s["id"]: s for s in SETTINGS["sources"]}
    shown = {el["data-statement"]: el for el in article.select("[data-statement]")}
    assert set(shown) == {s["id"] for s in STATEMENTS}
    for statement in STATEMENTS:
        element = shown[statement["id"]]
        assert float(element["data-value"]) == statement["value"]
        text = element.get_text()
        assert statement["label"] in text and statement["text"] in text
        assert ("余" in element.select_one(".figure-value").get_text()) == (statement.get("qualifier") == "more_than")
        assert f"《{sources[statement['source']]['title']}》" in element.select_one(".source-credit").get_text()


def test_home_page_links_to_the_figures_page(built_site: Path) -> None:
    home = page(built_site, "")
    assert "figures/" in {resolve("", a["href"]) for a in home.select("article a[href]")}


def test_new_pages_are_in_the_navigation(built_site: Path) -> None:
    nav = {resolve("", a["href"]) for a in page(built_site, "").select("nav.md-nav--primary a[href]")}
    for url in ("figures/", "open-data/", "about/", "volunteering/", "privacy/", "accessibility/"):
        assert url in nav, f"{url} is not in the navigation"


# --- open data ----------------------------------------------------------------------------


def test_geojson_follows_rfc_7946(built_site: Path) -> None:
    collection = json.loads((built_site / "stations.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection, "RFC 7946 removed crs: coordinates are always WGS-84"
    bounds = SETTINGS["map"]["bounds"]
    by_id = {s["id"]: s for s in STATIONS}
    features = collection["features"]
    assert sorted(f["properties"]["id"] for f in features) == sorted(by_id)
    for feature in features:
        assert feature["type"] == "Feature"
        geometry, props = feature["geometry"], feature["properties"]
        assert geometry["type"] == "Point" and len(geometry["coordinates"]) == 2
        lng, lat = geometry["coordinates"]
        assert bounds["west"] <= lng <= bounds["east"] and bounds["south"] <= lat <= bounds["north"], props["id"]
        station = by_id[props["id"]]
        location = station["location"]
        crs = location.get("crs", "wgs84")
        if crs == "wgs84":
            assert [lng, lat] == [location["lng"], location["lat"]]
        else:  # converted at build time: within a few metres of coordTransform's one-step inverse
            inverse = {"gcj02": coordTransform.gcj02_to_wgs84, "bd09": coordTransform.bd09_to_wgs84}[crs]
            ref_lng, ref_lat = inverse(location["lng"], location["lat"])
            assert abs(lng - ref_lng) < 5e-5 and abs(lat - ref_lat) < 5e-5, props["id"]
        assert props["name"] == station["name"] and props["address"] == station["address"]
        assert props["sample"] is station.get("sample", False)


def test_csv_round_trips_through_csv_with_the_same_rows(built_site: Path) -> None:
    raw = (built_site / "stations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte order mark to read Chinese"
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["id"] for r in rows] == sorted(s["id"] for s in STATIONS)

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(rows[0].keys())
    writer.writerows(r.values() for r in rows)
    assert out.getvalue() == text  # read and written back by csv: byte for byte the same

    features = {f["properties"]["id"]: f for f in json.loads((built_site / "stations.geojson").read_text())["features"]}
    for row in rows:
        feature = features[row["id"]]
        assert [float(row["lng"]), float(row["lat"])] == feature["geometry"]["coordinates"]
        for key, value in feature["properties"].items():
            as_text = ";".join(value) if isinstance(value, list) else (
                str(value).lower() if isinstance(value, bool) else ("" if value is None else str(value)))
            assert row[key] == as_text, (row["id"], key)


def test_open_data_page_links_the_files_and_documents_every_column(built_site: Path) -> None:
    article = page(built_site, "open-data/").select_one("article")
    targets = {resolve("open-data/", a["href"]) for a in article.select("a[href]")}
    assert {"stations.geojson", "stations.csv"} <= targets
    assert "CC BY 4.0" in article.get_text()
    header = next(csv.reader(io.StringIO((built_site / "stations.csv").read_text(encoding="utf-8-sig"))))
    documented = {code.get_text() for code in article.select("#fields ~ table code, #coordinates ~ p code")}
    assert set(header) <= documented


# --- one record fewer --------------------------------------------------------------------------


def test_removing_a_station_changes_every_count_and_export(built_site: Path, data_copy: Path, tmp_path: Path) -> None:
    referenced = {s for v in SERVICES for s in v["stations"]} | {t.get("station") for t in TEAMS}
    removed = next(s for s in reversed(STATIONS) if s["id"] not in referenced)
    (data_copy / "stations" / f"{removed['id']}.yaml").unlink()
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"

    before, after = expected_figures(), expected_figures(data_copy)
    assert after["stations"] == before["stations"] - 1
    assert figures_shown(page(site, "figures/")) == after
    home = figures_shown(page(site, ""))
    assert home[f"stations-{removed['type']}"] == before[f"stations-{removed['type']}"] - 1

    features = json.loads((site / "stations.geojson").read_text(encoding="utf-8"))["features"]
    rows = list(csv.DictReader(io.StringIO((site / "stations.csv").read_text(encoding="utf-8-sig"))))
    assert len(features) == len(rows) == len(STATIONS) - 1
    assert removed["id"] not in {f["properties"]["id"] for f in features} | {r["id"] for r in rows}
    assert not (site / "stations" / removed["id"]).exists()
    assert f"全部 {len(STATIONS) - 1} 处" in page(site, "open-data/").select_one("article").get_text()


def test_feed_entries_carry_the_whole_story_and_its_pictures(data_copy: Path, tmp_path: Path) -> None:
    """A feed reader shows the story itself: the body, sanitised as on the page, and its pictures at absolute
    addresses (a reader has no page to resolve docs/ paths against)."""
    story = data_copy / "stories" / "2025-key-areas.yaml"
    text = story.read_text(encoding="utf-8")
    text += ("images:\n  - src: assets/images/sample-station.jpg\n    alt: 驿站门口（示意图）\n")
    text = text.replace("body: |\n", "body: |\n  ![门口](assets/images/sample-station.jpg)\n", 1)
    story.write_text(text, encoding="utf-8")
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    feed = feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if e.link.endswith("/stories/2025-key-areas/"))
    content = BeautifulSoup(entry.content[0].value, "html.parser")
    assert [img["src"] for img in content.select("img")] == [f"{SITE_URL}assets/images/sample-station.jpg"] * 2
    assert content.select_one("img")["alt"] == "驿站门口（示意图）"
    assert not content.select("script")
    page_text = BeautifulSoup((tmp_path / "site" / "stories" / "2025-key-areas" / "index.html").read_text(
        encoding="utf-8"), "html.parser").select_one(".record-text").get_text(" ", strip=True)
    assert content.select_one(".record-text").get_text(" ", strip=True) == page_text
