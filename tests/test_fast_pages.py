"""Station pages built outside MkDocs' loop (outputs/record_pages.py) are the pages plain MkDocs builds, and
every built page's links lead somewhere (pipeline/links.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import build_site, data_with_station_changes, project_copy, run_cli
from scripts.outputs.render import published_relpath
from scripts.pipeline.links import broken_links

DATA = Path(__file__).resolve().parents[1] / "data"


def differing_files(a: Path, b: Path) -> list[str]:
    names = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    names |= {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    return sorted(n for n in names if not (a / n).is_file() or not (b / n).is_file()
                  or (a / n).read_bytes() != (b / n).read_bytes())


def build_plain(data: Path, work: Path, site: Path) -> None:
    result = run_cli("--data", data, "--work", work, "--site", site, "build", "--plain-mkdocs")
    assert result.exit_code == 0, result.output


def test_the_fast_path_writes_byte_for_byte_what_plain_mkdocs_writes(built_site: Path, tmp_path: Path) -> None:
    """The whole shipped site, both ways: every page, sitemap, search index and compressed copy the same."""
    build_plain(DATA, tmp_path / "work", tmp_path / "site")
    assert differing_files(built_site, tmp_path / "site") == []
    stations = sorted(p for p in (built_site / "stations").glob("*/index.html"))
    assert len(stations) >= 30
    page = stations[0].read_text(encoding="utf-8")
    # The page is a whole theme page with its table of contents and skip link, not a bare body.
    assert 'class="md-skip"' in page and 'href="#hours" class="md-nav__link"' in page
    assert page.count("<h1") == 1 and '<h2 id="hours">开放时间</h2>' in page


def test_a_station_with_everything_is_the_same_both_ways(tmp_path: Path) -> None:
    """A station with hours notes, exceptions, an alert and Markdown in its description, and one that is not sample
    data (every shipped station is): the parts of the template the shipped data may not reach."""
    data = data_with_station_changes(tmp_path / "data", {"xiaoge-02": {"sample": False}, "xiaoge-01": {
        "description": "第一段，**加粗**和[链接](https://example.org/a?b=1&c=2)。\n\n- 一\n- 二\n\n"
                       "1 < 2 & 3 > 2，\"引号\" '单引号'\n\n    code  block\n\n    kept\n",
        "hours": {"weekly": [{"days": ["mo", "tu", "we"], "periods": ["09:00-12:00", "14:00-18:00"]}],
                  "note": "节假日 <另行> 通知 & 说明",
                  "exceptions": [{"date": "2026-12-31", "closed": True, "note": "元旦"}]},
        "alerts": [{"text": "门口施工 <注意>", "end": "2027-01-31"}],
        "verified": "2024-01-01",
    }})
    fast = build_site(data, tmp_path / "wf", tmp_path / "fast")
    assert fast.exit_code == 0, fast.output
    build_plain(data, tmp_path / "wp", tmp_path / "plain")
    assert (tmp_path / "fast" / "stations" / "xiaoge-01" / "index.html").is_file()
    assert differing_files(tmp_path / "fast", tmp_path / "plain") == []
    page = (tmp_path / "fast" / "stations" / "xiaoge-01" / "index.html").read_text(encoding="utf-8")
    assert "信息可能已过期" in page and "节假日 &#60;另行&#62; 通知" in page
    assert "<pre><code>code  block\n\nkept" in page  # a blank line inside a block stays
    real = (tmp_path / "fast" / "stations" / "xiaoge-02" / "index.html").read_text(encoding="utf-8")
    assert "示例数据" not in real.split("<article", 1)[1]


@pytest.mark.parametrize(("target", "page", "expected"), [
    ("services/x.md", "stations/y.md", "../../services/x/"),
    ("events/e.md", "index.md", "events/e/"),
    ("events/e.md", "events/index.md", "e/"),
    ("stations/y/events.ics", "stations/y.md", "events.ics"),
    ("stations/y.md", "stations/y.md", "./"),
    ("index.md", "stations/y.md", "../../"),
    ("stations/list/2.md", "stations/list/3.md", "../2/"),
    ("stations/", "events/x.md", "../../stations/"),
    ("events/x.md#when", "index.md", "events/x/#when"),
    ("maps/station.html?lat=1&lng=2", "stations/y.md", "../../maps/station.html?lat=1&lng=2"),
    ("assets/images/a.jpg", "stories/s.md", "../../assets/images/a.jpg"),
    ("events/e.md", "feed.xml", "events/e/"),
    ("stations/y.md", "stations/y/poster/index.html", "../"),
])
def test_a_page_address_is_relative_to_where_the_page_is_published(target: str, page: str, expected: str) -> None:
    assert published_relpath(target, page) == expected


# --- the link check ------------------------------------------------------------------------------------------

@pytest.fixture
def site_copy(built_site: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    return site


def test_the_shipped_site_has_no_broken_link(built_site: Path) -> None:
    assert broken_links(built_site, "/xinfu/") == []


def test_a_link_to_a_missing_page_or_anchor_is_found(site_copy: Path) -> None:
    page = site_copy / "stations" / "xiaoge-01" / "index.html"
    text = page.read_text(encoding="utf-8")
    services = re.search(r'href="(\.\./\.\./services/[^"/]+/)"', text)
    assert services, "the station page links its services"
    text = text.replace(services.group(1), "../../services/no-such-service/", 1)
    text = text.replace('href="#hours"', 'href="#no-such-anchor"', 1)
    text = text.replace('href="../../about/"', 'href="../../about/#nowhere"', 1)
    page.write_text(text, encoding="utf-8")
    found = {(b.page, b.url, b.why) for b in broken_links(site_copy, "/xinfu/")}
    assert found == {
        ("stations/xiaoge-01/index.html", "../../services/no-such-service/", "没有这个文件（no such file）"),
        ("stations/xiaoge-01/index.html", "#no-such-anchor", "页面里没有 #no-such-anchor（no such anchor）"),
        ("stations/xiaoge-01/index.html", "../../about/#nowhere", "页面里没有 #nowhere（no such anchor）"),
    }


def test_folders_parents_queries_entities_and_outside_addresses_are_understood(site_copy: Path) -> None:
    (site_copy / "probe.html").write_text(
        '<a href="stations/">a</a><a href="stations/xiaoge-01/#hours">b</a><a href=".">c</a>'
        '<a href="maps/station.html?lat=1&amp;lng=2">d</a><a href="https://example.org/x">e</a>'
        '<a href="tel:12345">f</a><a href="/xinfu/stations/">g</a><img srcset="nope-1.png 1x, nope-2.png 2x">'
        '<a href="/elsewhere/">h</a><a href="%E4%B8%8D%E5%AD%98%E5%9C%A8/">i</a><a href="../outside.html">j</a>'
        '<p>写 &lt;img src="photo.png"&gt; 或 id="x" 都只是文字</p><a href="#x">k</a>'
        '<img srcset="data:image/png;base64,iVBOR,w0KG 1x"><a title="1 > 0" href="after-a-quoted-gt.html">l</a>',
        encoding="utf-8")
    found = sorted(b.url for b in broken_links(site_copy, "/xinfu/") if b.page == "probe.html")
    assert found == ["#x", "%E4%B8%8D%E5%AD%98%E5%9C%A8/", "../outside.html", "/elsewhere/", "after-a-quoted-gt.html",
                     "nope-1.png", "nope-2.png"]


def test_a_broken_link_in_a_record_fails_the_build_and_publishes_nothing(tmp_path: Path) -> None:
    data = data_with_station_changes(tmp_path / "data", {
        "xiaoge-01": {"description": "见[另一个驿站](../no-such-station/)。"}})
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old", encoding="utf-8")
    result = build_site(data, tmp_path / "work", site)
    assert result.exit_code == 1, result.output
    assert "broken links" in result.output and "stations/xiaoge-01/index.html：../no-such-station/" in result.output
    line = next(n for n, text in enumerate((data / "stations" / "xiaoge-01.yaml").read_text(encoding="utf-8")
                                             .splitlines(), start=1) if "no-such-station" in text)
    assert f"来自 {data / 'stations' / 'xiaoge-01.yaml'} 第 {line} 行" in result.output
    assert "Traceback" not in result.output
    assert [p.name for p in site.iterdir()] == ["old.html"]


@pytest.mark.parametrize("hand_written", ["stations/xiaoge-01.md", "assets/qr/xiaoge-01.svg"])
def test_a_hand_written_file_where_the_build_makes_one_is_refused(tmp_path: Path, hand_written: str) -> None:
    """Both ways: the file made for a record is not silently replaced by docs/, nor the other way round."""
    root = project_copy(tmp_path)
    (root / "docs" / hand_written).parent.mkdir(parents=True, exist_ok=True)
    (root / "docs" / hand_written).write_text("# 手写\n", encoding="utf-8")
    for plain in ([], ["--plain-mkdocs"]):
        result = run_cli("--data", DATA, "--work", tmp_path / "work", "--site", tmp_path / "site", "build", *plain,
                         root=root)
        assert result.exit_code == 1, result.output
        assert f"两处内容都要写入 {hand_written}" in result.output and "Traceback" not in result.output
        assert not (tmp_path / "site").exists()


def test_a_plugin_with_page_events_sees_every_station_page(tmp_path: Path) -> None:
    """A hook or plugin that handles page events may keep state across pages, which forked workers would not hand
    back: with one configured, the station pages stay in MkDocs' loop, and the hook sees each of them."""
    root = project_copy(tmp_path)
    (root / "counting_hook.py").write_text(
        "import pathlib\nseen = []\n"
        "def on_page_context(context, page, config, nav):\n    seen.append(page.file.src_uri)\n    return context\n"
        "def on_post_build(config):\n"
        "    pathlib.Path(config.site_dir, 'seen.txt').write_text('\\n'.join(sorted(seen)), encoding='utf-8')\n",
        encoding="utf-8")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("hooks:\n", "hooks:\n  - counting_hook.py\n"), encoding="utf-8")
    result = run_cli("--data", DATA, "--work", tmp_path / "work", "--site", tmp_path / "site", "build", root=root)
    assert result.exit_code == 0, result.output
    seen = set((tmp_path / "site" / "seen.txt").read_text(encoding="utf-8").splitlines())
    stations = {f"stations/{p.stem}.md" for p in (DATA / "stations").glob("*.yaml")}
    assert stations and stations <= seen
    assert (tmp_path / "site" / "stations" / "xiaoge-01" / "index.html").is_file()
    assert (tmp_path / "site" / "assets" / "qr" / "xiaoge-01.svg").is_file()


def test_the_navigation_and_tabs_are_rendered_once_per_depth_in_a_worker() -> None:
    """The shared partials: a station page outside the navigation reuses its worker's rendering; a page in the
    navigation, or one MkDocs builds itself, renders its own."""
    from types import SimpleNamespace

    from scripts.outputs.record_pages import RecordPagesStage

    stage = RecordPagesStage({"stations/a.md", "stations/b.md", "about.md"}, {})
    stage.on_nav(SimpleNamespace(pages=[SimpleNamespace(file=SimpleNamespace(src_uri="about.md"))]))

    def context(src_uri: str, url: str) -> dict:
        return stage.on_page_context({}, page=SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), url=url))

    first, second = context("stations/a.md", "stations/a/"), context("stations/b.md", "stations/b/")
    assert first["xinfu_frame"] is second["xinfu_frame"]
    assert "xinfu_frame" not in context("about.md", "about/")  # in the navigation: its own item is active
    assert "xinfu_frame" not in context("services/x.md", "services/x/")  # MkDocs' own loop
