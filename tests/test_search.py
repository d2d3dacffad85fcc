"""Search over a real build of the shipped data.

The query set (tests/search_queries.yaml) runs in Chromium through the site's own search code
(``window.siteSearch``, which the search box uses), against the Pagefind index the build wrote;
its recall@5 is written to test-artifacts/search-recall.txt. The rest checks the index as
built: what is in it and what is not, the theme's index gone, the search-only words on the
pages, and that bad synonyms or a failed index stop the build without publishing anything.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ARTIFACTS, DATA, ROOT, build_site, run_cli, urllib_host
from scripts.outputs.search_index import SynonymMatcher, indexed_pages, split_characters
from scripts.records.models import SynonymGroup

QUERIES: list[dict] = yaml.safe_load((ROOT / "tests" / "search_queries.yaml").read_text(encoding="utf-8"))
STATIONS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((DATA / "stations").glob("*.yaml"))}
VOCABULARY = yaml.safe_load((DATA / "vocabularies.yaml").read_text(encoding="utf-8"))


def relevant(entry: dict) -> set[str]:
    """The pages that count as right answers for a query."""
    if "amenity" in entry:
        return {f"stations/{sid}" for sid, s in STATIONS.items() if entry["amenity"] in s["amenities"]}
    return set(entry.get("top5", [])) | ({entry["first"]} if "first" in entry else set())


def judge(entry: dict, found: list[str]) -> tuple[float, bool]:
    """recall@5 (right answers among the first five / the most there could be) and pass or fail."""
    top = found[:5]
    right = relevant(entry)
    if "amenity" in entry:
        hits = sum(path in right for path in top)
        best = min(5, len(right))
        passed = hits == best
    else:
        hits = len(right & set(top))
        best = len(right)
        passed = hits == best and (found[:1] == [entry["first"]] if "first" in entry else True)
    return hits / best, passed


@pytest.fixture(scope="module")
def answers(browser, site_url: str) -> dict[str, list[str]]:
    """Every query's results (site paths, best first), from one page of the built site."""
    context = browser.new_context(locale="zh-CN")
    context.route("**/*", lambda route: route.continue_() if urllib_host(route.request.url) == "127.0.0.1"
                  else route.abort())
    page = context.new_page()
    page.goto(site_url + "about/")
    mount = urllib.parse.urlsplit(site_url).path
    found = {}
    for entry in QUERIES:
        results = page.evaluate("q => siteSearch.find(q, 10).then(rs => rs.map(r => r.url))", entry["query"])
        found[entry["query"]] = [url.removeprefix(mount).strip("/") for url in results]
    context.close()
    return found


def test_the_query_set_covers_what_riders_type() -> None:
    kinds = Counter(entry["kind"] for entry in QUERIES)
    assert len(QUERIES) - sum(1 for e in QUERIES if "limit" in e) >= 40
    for kind in ("单字", "词中词", "街道", "同义词", "英文", "拼音", "错字", "服务", "志愿", "动态"):
        assert kinds[kind] >= 1, kind
    assert len({e["query"] for e in QUERIES}) == len(QUERIES), "each query once"


@pytest.mark.parametrize(
    "entry",
    [pytest.param(e, marks=pytest.mark.xfail(strict=True, reason=e["limit"])) if "limit" in e else e
     for e in QUERIES],
    ids=[e["query"] for e in QUERIES],
)
def test_query(answers: dict[str, list[str]], entry: dict) -> None:
    found = answers[entry["query"]]
    _, passed = judge(entry, found)
    assert passed, f"{entry['query']}：前五个结果是 {found[:5]}，应有 {sorted(relevant(entry))}"


def test_recall_at_5(answers: dict[str, list[str]]) -> None:
    scored = [(entry, *judge(entry, answers[entry["query"]])) for entry in QUERIES]
    supported = [recall for entry, recall, _ in scored if "limit" not in entry]
    everything = [recall for _, recall, _ in scored]
    lines = [f"recall@5 = {sum(supported) / len(supported):.3f} over {len(supported)} queries the search supports; "
             f"{sum(everything) / len(everything):.3f} with the {len(everything) - len(supported)} known limits", ""]
    lines += [f"{recall:.2f} {'ok ' if passed else 'MISS'} [{entry['kind']}] {entry['query']} → "
              f"{' '.join(answers[entry['query']][:5])}" for entry, recall, passed in scored]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "search-recall.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + lines[0])
    assert sum(supported) / len(supported) == 1.0, "\n".join(lines)


# --- the index as built -------------------------------------------------------------------------


def test_the_theme_search_is_replaced(built_site: Path) -> None:
    assert not (built_site / "search").exists(), "the theme's search index is no longer built"
    soup = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    box = soup.select_one("header [data-site-search]")
    assert box is not None and box.select_one("input.md-search__input")
    # The theme's script downloads its index when a form is named "search" or a search component is present.
    assert soup.select('form[name="search"]') == [] and soup.select('[data-md-component="search"]') == []


def test_the_index_holds_every_record_and_no_listing(built_site: Path) -> None:
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    count = sum(language["page_count"] for language in entry["languages"].values())
    records = (len(STATIONS) + len(list((DATA / "services").glob("*.yaml")))
               + len(yaml.safe_load((DATA / "volunteer" / "projects.yaml").read_text(encoding="utf-8")))
               + len(list((DATA / "stories").glob("*.yaml"))))
    pages = dict(indexed_pages(built_site))
    assert count == len(pages) >= records
    assert "stations/xiaoge-01/index.html" in pages and "editors/index.html" not in pages
    assert not any(p.startswith(("index.html", "stations/index.html", "stories/page/")) for p in pages)
    assert not any("poster" in p for p in pages)


def test_only_what_the_browser_loads_is_published(built_site: Path) -> None:
    names = {p.name for p in (built_site / "pagefind").iterdir()}
    assert {"pagefind.js", "pagefind-entry.json", "index", "fragment"} <= names
    assert not [n for n in names if n.startswith(("pagefind-ui", "pagefind-component-ui", "pagefind-modular",
                                                  "pagefind-worker", "pagefind-highlight"))]


@pytest.mark.parametrize("station_id", ["xiaoge-01", "xiaoge-27", "xinfu-centre"])
def test_station_pages_carry_their_search_words_and_hours(built_site: Path, station_id: str) -> None:
    soup = BeautifulSoup((built_site / "stations" / station_id / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    terms = soup.select_one("article .search-terms")
    assert terms is not None and terms.has_attr("hidden")
    words = terms.get_text(" ").split()
    for key in STATIONS[station_id]["amenities"]:  # the labels are in the amenity list above it
        assert set(VOCABULARY["amenities"][key].get("synonyms", [])) <= set(words)
    hours = terms.select_one("[data-pagefind-meta='hours[data-hours]']")["data-hours"]
    assert hours == soup.select_one(".open-now")["data-hours"]


def test_chinese_is_indexed_one_character_at_a_time() -> None:
    assert split_characters("外卖骑手 WiFi 24小时") == "外\u3000卖\u3000骑\u3000手 WiFi 24\u3000小\u3000时"


def test_a_page_gets_the_other_words_of_each_synonym_group_it_touches() -> None:
    matcher = SynonymMatcher([SynonymGroup(words=["厕所", "卫生间", "cesuo"]),
                              SynonymGroup(words=["WiFi", "无线网"]), SynonymGroup(words=["热饭", "微波炉"])])
    assert matcher.extra_words("有卫生间，可以连 wifi。") == ["厕所", "cesuo", "无线网"]
    assert matcher.extra_words("没有同义词") == []


# --- bad input stops the build ------------------------------------------------------------------


def test_a_synonym_group_needs_two_words(data_copy: Path) -> None:
    path = data_copy / "synonyms.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "- words: [厕所]\n", encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 1
    assert "data/synonyms.yaml:" in result.output and "words" in result.output
    assert "Traceback" not in result.output


def test_the_synonyms_file_is_optional(data_copy: Path) -> None:
    (data_copy / "synonyms.yaml").unlink()
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 0, result.output


def test_a_failed_index_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the site as it was", encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", shutil.which("false") or "/bin/false")
    result = build_site(DATA, tmp_path / "work", site)
    assert result.exit_code == 1
    assert "搜索索引" in result.output and "Traceback" not in result.output
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "the site as it was"
