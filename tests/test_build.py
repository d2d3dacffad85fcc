"""A real build of the shipped data, read back as HTML (no substring checks on raw HTML)."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import DATA, ROOT, _site_mount_path, build_site
from scripts.pipeline import build as build_module
from scripts.pipeline.build import PREVIOUS_SITE, BuildFailed


def records(pattern: str) -> list[dict]:
    """The shipped records, read independently of the code under test."""
    found = []
    for path in sorted(DATA.glob(pattern)):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # everything as text
        found.extend(data if isinstance(data, list) else [data])
    return found


def page(site: Path, url_path: str) -> BeautifulSoup:
    file = site / url_path / "index.html" if not url_path.endswith(".html") else site / url_path
    assert file.is_file(), f"missing page {url_path}"
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


STATIONS = records("stations/*.yaml")
VOCABULARY = yaml.safe_load((DATA / "vocabularies.yaml").read_text(encoding="utf-8"))


def test_shipped_data_has_the_articles_network() -> None:
    types = [s["type"] for s in STATIONS]
    assert (types.count("center"), types.count("nuanxin"), types.count("xiaoge")) == (1, 3, 30)
    assert len(records("volunteer/projects.yaml")) == 12
    assert len(records("stories/*.yaml")) >= 5
    assert all(s["sample"] == "true" for s in STATIONS), "invented stations must be marked as sample data"


@pytest.mark.parametrize("station", STATIONS, ids=[s["id"] for s in STATIONS])
def test_every_station_has_a_page_with_its_facts(built_site: Path, station: dict) -> None:
    soup = page(built_site, f"stations/{station['id']}")
    article = soup.select_one("article")
    assert article.h1.get_text(strip=True) == station["name"]
    assert station["address"] in article.select_one(".station-address").get_text()
    hours_text = article.select_one(".station-hours").get_text(" ", strip=True)
    if station["hours"].get("open_24h") == "true":
        assert "24 小时" in hours_text
    else:
        for weekly in station["hours"]["weekly"]:
            for period in weekly["periods"]:
                assert period.replace("-", "–") in hours_text
    shown = {li["data-amenity"]: li.get_text(strip=True) for li in article.select(".amenities li")}
    assert list(shown) == station["amenities"]
    for key, text in shown.items():
        assert text == VOCABULARY["amenities"][key]["label"]
    assert article.select_one(".admonition.warning .admonition-title").get_text() == "示例数据"


def test_home_page_figures_equal_the_counts_in_data(built_site: Path) -> None:
    home = page(built_site, "")
    shown = {el["data-figure"]: int(el.get_text()) for el in home.select("[data-figure]")}
    teams = records("volunteer/teams.yaml")
    expected = {f"stations-{key}": sum(s["type"] == key for s in STATIONS) for key in VOCABULARY["station_types"]}
    expected |= {
        "services": len(records("services/*.yaml")),
        "projects": len(records("volunteer/projects.yaml")),
        "teams": len(teams),
        "volunteers": sum(int(t["members"]) for t in teams),
    }
    assert shown == expected


def test_every_service_project_and_story_has_a_page(built_site: Path) -> None:
    for service in records("services/*.yaml"):
        assert page(built_site, f"services/{service['id']}").h1.get_text(strip=True) == service["name"]
    for project in records("volunteer/projects.yaml"):
        assert page(built_site, f"volunteer/{project['id']}").h1.get_text(strip=True) == project["name"]
    for story in records("stories/*.yaml"):
        assert page(built_site, f"stories/{story['id']}").h1.get_text(strip=True) == story["title"]


def test_station_pages_are_not_in_the_navigation(built_site: Path) -> None:
    home = page(built_site, "")
    nav_links = [a["href"] for a in home.select("nav.md-nav a[href]")]
    assert nav_links and not any("stations/xiaoge" in href for href in nav_links)


EXTERNAL = ("http://", "https://", "//")


def test_no_page_loads_anything_from_another_host(built_site: Path) -> None:
    offenders = []
    for html in sorted(built_site.rglob("*.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "img", "iframe", "source", "video", "audio", "embed"]):
            if tag.get("src", "").startswith(EXTERNAL):
                offenders.append(f"{html.relative_to(built_site)}: <{tag.name} src={tag['src']}>")
        for link in soup.find_all("link"):
            rel = set(link.get("rel", []))
            if rel & {"stylesheet", "preload", "icon", "modulepreload", "preconnect", "dns-prefetch", "manifest"} \
                    and link.get("href", "").startswith(EXTERNAL):
                offenders.append(f"{html.relative_to(built_site)}: <link rel={rel} href={link['href']}>")
    for css in sorted(built_site.rglob("*.css")):
        text = css.read_text(encoding="utf-8")
        if "url(http" in text or "url(//" in text or "@import" in text:
            offenders.append(f"{css.relative_to(built_site)} loads a remote url() or @import")
    assert offenders == []


def assert_same_sites(first_site: Path, second_site: Path) -> None:
    first = sorted(p.relative_to(first_site) for p in first_site.rglob("*"))
    second = sorted(p.relative_to(second_site) for p in second_site.rglob("*"))
    assert first == second
    files = [str(p) for p in first if (first_site / p).is_file()]
    _, mismatch, errors = filecmp.cmpfiles(first_site, second_site, files, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_two_builds_are_byte_identical(built_site: Path, tmp_path: Path) -> None:
    result = build_site(DATA, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert_same_sites(built_site, tmp_path / "site")

    # Built again in the same work folder: the site it replaces is kept there, and the one kept before it is
    # deleted.
    previous = tmp_path / "work" / PREVIOUS_SITE
    (previous / "assets").mkdir(parents=True)
    (previous / "assets" / "from-an-earlier-build.txt").write_text("old", encoding="utf-8")
    (tmp_path / "site" / "replaced.txt").write_text("the site before", encoding="utf-8")
    # The search copies are kept between builds, but not a copy of a page the site no longer has.
    stale_copy = tmp_path / "work" / "search-pages" / "stations" / "closed-for-good" / "index.html"
    stale_copy.parent.mkdir(parents=True)
    stale_copy.write_text("<html><body><p>已经拆掉的驿站</p></body></html>", encoding="utf-8")
    cut_short = tmp_path / "work" / "search-pages" / "stations" / "xiaoge-01" / "index.html"
    cut_short.write_bytes(cut_short.read_bytes()[:-1] + b"\xe9")  # a copy a full disk cut off mid-character
    result = build_site(DATA, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert not stale_copy.parent.exists()
    assert cut_short.read_text(encoding="utf-8").endswith("</html>\n")
    assert not (tmp_path / "site" / "replaced.txt").exists()
    assert (previous / "replaced.txt").read_text(encoding="utf-8") == "the site before"
    assert not (previous / "assets" / "from-an-earlier-build.txt").exists()
    assert_same_sites(built_site, tmp_path / "site")  # the index from kept copies is the same index


def test_a_site_that_cannot_be_put_in_place_leaves_the_published_one(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("published", encoding="utf-8")
    with pytest.raises(BuildFailed, match="could not publish"):
        build_module._replace_directory(tmp_path / "not-built", site, tmp_path / "work" / PREVIOUS_SITE)
    assert (site / "index.html").read_text(encoding="utf-8") == "published"


def test_every_internal_link_and_anchor_resolves(built_site: Path) -> None:
    """Checked over every HTML file, including links inside raw HTML that MkDocs does not validate."""
    pages = {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in built_site.rglob("*.html")}
    ids = {p: {el["id"] for el in soup.select("[id]")} for p, soup in pages.items()}
    mount = _site_mount_path()  # the 404 page links absolutely, under this path
    broken = []
    for path, soup in pages.items():
        for link in soup.select("a[href]"):
            href = link["href"]
            if href.startswith(("http://", "https://", "mailto:", "tel:", "//")):
                continue
            target, _, anchor = href.partition("#")
            target = target.partition("?")[0]  # a page with its state in the query (the finder's filters)
            if target.startswith(mount):
                target_path = built_site / target[len(mount):]
            else:
                target_path = (path.parent / target).resolve() if target else path
            if target_path.is_dir() or target.endswith("/"):
                target_path = target_path / "index.html"
            if not target_path.is_file():
                broken.append(f"{path.relative_to(built_site)} → {href}")
            elif anchor and target_path.suffix == ".html" and anchor not in ids.get(target_path, set()):
                broken.append(f"{path.relative_to(built_site)} → {href} (no such anchor)")
    assert broken == []


def test_station_list_links_every_station(built_site: Path) -> None:
    items = page(built_site, "stations").select("li[data-station]")
    links = {li["data-station"]: li.a["href"] if li.a else None for li in items}
    assert links == {s["id"]: f"{s['id']}/" for s in STATIONS}


def test_the_site_publishes_no_editor_files(built_site: Path) -> None:
    """Record templates, YAML, and the live preview's files are for editors, not readers."""
    published = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*")
                 if p.suffix in (".yaml", ".yml", ".py") or p.name in ("scaffolds", "_preview")]
    assert published == []


def test_no_developer_page_is_published(built_site: Path) -> None:
    """The benchmark's figures are for the people who maintain the code (scripts/devtools/benchmark.md): not a
    page of the public site, nor in its sitemap."""
    assert not (built_site / "benchmark").exists()
    assert "benchmark" not in (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert not any(p.name == "benchmark.md" for p in (ROOT / "docs").rglob("*.md"))


def test_every_page_says_it_is_in_mainland_chinese(built_site: Path) -> None:
    """lang="zh-CN" on MkDocs' pages, the map documents and the posters alike: browsers and screen readers then
    choose mainland fonts and pronunciation. The search index is Chinese all the same (Pagefind's zh)."""
    other = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
             if '<html lang="zh-CN"' not in p.read_text(encoding="utf-8")[:400]]
    assert other == []
    entry = (built_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    assert '"languages":{"zh":' in entry


def test_a_shared_link_shows_title_summary_and_picture(built_site: Path) -> None:
    """Open Graph on every MkDocs page, with absolute addresses under site_url; a station with a photo shares it."""
    from conftest import published_site_url

    base = published_site_url()
    for path in [built_site / "index.html", *built_site.glob("stations/*/index.html")]:
        if path.parent.name == "poster":
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        og = {m["property"]: m["content"] for m in soup.select('meta[property^="og:"]')}
        assert og["og:title"] and og["og:description"] and og["og:locale"] == "zh_CN", path
        assert og["og:image"].startswith(base) and (built_site / og["og:image"][len(base):]).is_file(), path
        if "og:url" in og:
            assert og["og:url"].startswith(base)
    xiaoge = BeautifulSoup((built_site / "stations" / "xiaoge-01" / "index.html").read_text(encoding="utf-8"),
                           "html.parser")
    assert "/assets/photos/xiaoge-01/" in xiaoge.select_one('meta[property="og:image"]')["content"]
    assert xiaoge.select_one('meta[property="og:title"]')["content"].startswith(xiaoge.h1.get_text(strip=True))
    home = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    icon = home.select_one('link[rel="icon"][type="image/png"]')
    assert (built_site / icon["href"]).is_file()


def test_robots_txt_points_crawlers_at_the_sitemap(built_site: Path) -> None:
    from conftest import published_site_url

    lines = (built_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {published_site_url()}sitemap.xml" in lines
