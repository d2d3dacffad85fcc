"""Search over a real build of the shipped data.

The query set (tests/search_queries.yaml) runs in Chromium through the site's own search code
(``window.siteSearch``, which the search box uses), against the Pagefind index the build wrote, at a
fixed time (a Saturday morning, when open-now decides part of the order); its recall@5 and mean
reciprocal rank are printed and written to test-artifacts/search-recall.txt, and every snippet shown
must be text its page shows. The rest checks the index as built: what is in it and what is not, the
theme's index gone, the search-only words on the pages, the query rules, and that bad synonyms or a
failed index stop the build without publishing anything.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ARTIFACTS, DATA, ROOT, build_site, run_cli, urllib_host
from scripts.outputs import pagefind_gzip, pagefind_order, search_index, search_rules
from scripts.outputs.search_index import (
    RULES_FILE,
    WASM_FILE,
    SynonymMatcher,
    indexed_pages,
    split_characters,
    visible_parts,
)
from scripts.records.models import SynonymGroup

QUERIES: list[dict] = yaml.safe_load((ROOT / "tests" / "search_queries.yaml").read_text(encoding="utf-8"))
STATIONS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((DATA / "stations").glob("*.yaml"))}
VOCABULARY = yaml.safe_load((DATA / "vocabularies.yaml").read_text(encoding="utf-8"))


# A Saturday morning in China: the order among stations depends on which are open (search.js, openTier).
SATURDAY_10AM = dt.datetime.fromisoformat("2026-11-28T10:00:00+08:00")
RECALL_NEEDED = 0.95


def relevant(entry: dict) -> set[str]:
    """The pages that count as right answers for a query."""
    if "amenity" in entry:
        right = {f"stations/{sid}" for sid, s in STATIONS.items() if entry["amenity"] in s["amenities"]}
        return right | ({entry["first"]} if "first" in entry else set())
    return set(entry.get("top5", [])) | ({entry["first"]} if "first" in entry else set())


def judge(entry: dict, found: list[dict]) -> tuple[float, float, bool]:
    """recall@5 (right answers among the first five / the most there could be), the reciprocal rank of the first
    right answer, and pass or fail. An amenity query's first five pages are counted after the rules' answers and
    its `first`; each other answer among the first five must be the finder filtered by the amenity."""
    urls = [r["url"] for r in found]
    right = relevant(entry)
    rank = next((i + 1 for i, url in enumerate(urls) if url in right), None)
    first_ok = urls[:1] == [entry["first"]] if "first" in entry else True
    if "amenity" in entry:
        finder = urllib.parse.urlsplit(search_rules.rules([], {}, {}, {})["finder"]["url"]).path.strip("/")
        wrong = [r["url"] for r in found[:5] if r["answer"] and r["url"] != entry.get("first") and not (
            r["url"].startswith(finder + "/?") and ("amenity", entry["amenity"]) in urllib.parse.parse_qsl(
                urllib.parse.urlsplit(r["url"]).query))]
        pages = [r["url"] for r in found if not r["answer"] and r["url"] != entry.get("first")][:5]
        stations = {f"stations/{sid}" for sid, s in STATIONS.items() if entry["amenity"] in s["amenities"]}
        best = min(5, len(stations))
        hits = sum(url in stations for url in pages)
        passed = hits == best and first_ok and not wrong
        recall = (hits + ("first" in entry and first_ok)) / (best + ("first" in entry))
    else:
        top = set(urls[:5])
        hits = len(right & top)
        recall = hits / len(right)
        passed = hits == len(right) and first_ok
    return recall, 1 / rank if rank else 0.0, passed


SEARCH_ALL = """async ([queries, mount]) => {
  const out = {};
  for (const q of queries) {
    const rs = await siteSearch.find(q, 10);
    out[q] = rs.map(r => ({url: decodeURI(r.url).slice(mount.length).replace(/^\\/+|\\/+$/g, ""), snippet: r.snippet,
                           answer: r.answer}));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def answers(browser, site_url: str) -> dict[str, list[dict]]:
    """Every query's results ({url: site path, snippet: HTML, answer: a rule's answer}, best first), from one
    page of the built site at a fixed time."""
    context = browser.new_context(locale="zh-CN")
    context.route("**/*", lambda route: route.continue_() if urllib_host(route.request.url) == "127.0.0.1"
                  else route.abort())
    page = context.new_page()
    page.clock.set_fixed_time(SATURDAY_10AM)
    page.goto(site_url + "about/")
    mount = urllib.parse.urlsplit(site_url).path
    found = page.evaluate(SEARCH_ALL, [[entry["query"] for entry in QUERIES], mount])
    context.close()
    return found


def test_the_query_set_covers_what_riders_type() -> None:
    kinds = Counter(entry["kind"] for entry in QUERIES)
    limits = sum(1 for e in QUERIES if "limit" in e)
    assert len(QUERIES) >= 150 and limits <= 5, "many queries, few known limits"
    for kind in ("单字", "词中词", "街道", "同义词", "英文", "拼音", "错字", "服务", "志愿", "动态",
                 "助词", "问句", "意图", "全角", "名称"):
        assert kinds[kind] >= 1, kind
    assert len({e["query"] for e in QUERIES}) == len(QUERIES), "each query once"


@pytest.mark.parametrize(
    "entry",
    [pytest.param(e, marks=pytest.mark.xfail(strict=True, reason=e["limit"])) if "limit" in e else e
     for e in QUERIES],
    ids=[e["query"] for e in QUERIES],
)
def test_query(answers: dict[str, list[dict]], entry: dict) -> None:
    found = answers[entry["query"]]
    _, _, passed = judge(entry, found)
    urls = [r["url"] for r in found[:5]]
    assert passed, f"{entry['query']}：前五个结果是 {urls}，应有 {sorted(relevant(entry))}"


def answered_by_rule(entry: dict, rules: dict) -> bool:
    """Whether the query's `first` is an answer the query rules give without the index: the finder (an intent, or
    a synonym group that leads there), or a page a synonym group of one of its words leads to."""
    first = entry.get("first")
    if first is None:
        return False
    if first == rules["finder"]["url"].strip("/") or first.startswith(rules["finder"]["url"] + "?"):
        return True
    query = search_rules.normalise(entry["query"])
    return any(answer["url"] == first + "/" for group in rules["groups"] if any(w in query for w in group["words"])
               for answer in group["answers"])


def test_recall_at_5_and_mrr(answers: dict[str, list[dict]], built_site: Path) -> None:
    """Over all the queries, and apart: those answered by the index, and those whose answer a rule gives without
    it (the finder for an intent, a synonym group's page), which would pass with no index at all."""
    rules = json.loads((built_site / "pagefind" / RULES_FILE).read_text(encoding="utf-8"))
    scored = [(entry, *judge(entry, answers[entry["query"]])) for entry in QUERIES]

    def score(subset: list[tuple]) -> tuple[float, float, int]:
        supported = [(recall, rr) for entry, recall, rr, _ in subset if "limit" not in entry]
        return (sum(r for r, _ in supported) / len(supported), sum(rr for _, rr in supported) / len(supported),
                len(supported))

    by_rule = [s for s in scored if answered_by_rule(s[0], rules)]
    by_index = [s for s in scored if not answered_by_rule(s[0], rules)]
    recall, mrr, count = score(scored)
    everything = sum(r for _, r, _, _ in scored) / len(scored)
    lines = [f"recall@5 = {recall:.3f}, MRR = {mrr:.3f} over {count} queries the search supports; "
             f"recall@5 {everything:.3f} with the {len(scored) - count} known limits"]
    for name, subset in (("answered by the index", by_index), ("answered by a rule", by_rule)):
        r, m, n = score(subset)
        lines.append(f"  {name}: recall@5 = {r:.3f}, MRR = {m:.3f} over {n} queries")
    lines.append("")
    lines += [f"{r:.2f} {rr:.2f} {'ok ' if passed else 'MISS'} {'rule ' if answered_by_rule(entry, rules) else ''}"
              f"[{entry['kind']}] {entry['query']} → {' '.join(x['url'] for x in answers[entry['query']][:5])}"
              for entry, r, rr, passed in scored]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "search-recall.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines[:3]))
    assert recall >= RECALL_NEEDED, "\n".join(lines)
    assert score(by_index)[0] >= RECALL_NEEDED, "\n".join(lines)
    assert len(by_rule) < len(by_index), "most queries must be answered by the index"


def on_page(snippet: str, page: str) -> str | None:
    """What in the snippet is not on its page, or None. The page's text is taken with each run of whitespace as
    one space (a line break between blocks too). A space in a snippet is a space on the page, or the end of a block
    (the snippet may skip a block the index leaves out, the sample-data notice): so each run of text between single
    spaces must be on the page exactly, in order, with a space (or the page's start or end) on either side of each
    join. A space the page does not have ("1080 名" for "1080名"), one it has and the snippet drops ("amp设在" for
    "amp 设在"), or an entity left undecoded ("&amp;") is reported."""
    page = " " + " ".join(page.split()) + " "
    at = 0
    pieces = snippet.split(" ")
    for i, piece in enumerate(pieces):
        if not piece:
            return "两个空格"
        found = page.find(piece, at)
        if found < 0:
            return piece
        while found >= 0 and ((i > 0 and page[found - 1] != " ")
                              or (i < len(pieces) - 1 and page[found + len(piece)] != " ")):
            found = page.find(piece, found + 1)
        if found < 0:
            return f"“{piece}”前后的空格"
        at = found + len(piece)
    return None


def snippet_text(html: str) -> str:
    """The text a snippet shows: its HTML decoded once, without the ellipses at its ends."""
    return BeautifulSoup(html, "html.parser").get_text().removeprefix("…").removesuffix("…")


def test_snippets_show_only_what_their_page_shows(answers: dict[str, list[dict]], browser, site_url: str) -> None:
    """Every snippet among the first five results of every query is text its page shows, with no space the page
    does not have (the search-only words are in the index, not on the page)."""
    shown = {(r["url"], snippet_text(r["snippet"])) for found in answers.values() for r in found[:5] if r["snippet"]}
    context = browser.new_context(locale="zh-CN")
    context.route("**/*", lambda route: route.continue_() if urllib_host(route.request.url) == "127.0.0.1"
                  else route.abort())
    page = context.new_page()
    page.clock.set_fixed_time(SATURDAY_10AM)  # as the answers were found: the pages' time-limited notes agree
    visible: dict[str, str] = {}
    for url in sorted({url for url, _ in shown}):
        page.goto(site_url + url + "/")
        visible[url] = page.locator("article").first.inner_text()
    context.close()
    assert len(shown) > 200 and len(visible) > 40
    not_shown = [f"{url}: {text}（{wrong}）" for url, text in sorted(shown) if (wrong := on_page(text, visible[url]))]
    assert not not_shown, "这些摘要不是页面上看得到的文字：\n" + "\n".join(not_shown)


def test_snippets_are_checked_exactly() -> None:
    page = "长征街小哥驿站\n设在 amp 设在路口，A & B <3 D>。\n1080名司机"
    assert on_page("设在 amp 设在路口，A & B <3 D>。 1080名", page) is None
    assert on_page("amp设在路口", page) is not None, "a space dropped"
    assert on_page("1080 名司机", page) is not None, "a space added"
    assert on_page("A &amp; B", page) is not None, "an entity left"
    assert on_page("路口，A  & B", page) is not None, "two spaces"


def test_snippets_quote_no_button(answers: dict[str, list[dict]]) -> None:
    """Buttons every station page has (search_index.NOT_CONTENT) are not content: no snippet quotes them."""
    buttons = ["显示位置地图", "位置地图", "打印驿站海报", "在线报告问题", "扫码打开本页", "地图导航"]
    quoted = [(query, r["snippet"]) for query, found in answers.items() for r in found
              if any(b in re.sub(r"<[^>]+>|\s", "", r["snippet"]) for b in buttons)]
    assert not quoted, quoted[:5]


def test_a_word_with_a_stop_character_is_highlighted_whole(answers: dict[str, list[dict]]) -> None:
    """现在 is the word searched for, not 现 without 在 (a stop word)."""
    marks = [m for r in answers["现在"][:5] for m in re.findall(r"<mark>(.*?)</mark>", r["snippet"])]
    assert marks and set(marks) == {"现在"}, marks


def test_search_js_preloads_the_webassembly_the_build_writes(built_site: Path) -> None:
    script = (ROOT / "docs" / "assets" / "javascripts" / "search.js").read_text(encoding="utf-8")
    assert f'var WASM_FILE = "{WASM_FILE}";' in script and (built_site / "pagefind" / WASM_FILE).is_file()


def test_the_query_rules_are_published(built_site: Path) -> None:
    rules = json.loads((built_site / "pagefind" / RULES_FILE).read_text(encoding="utf-8"))
    wages = next(g for g in rules["groups"] if "讨薪" in g["words"])
    assert wages["answers"][0] == {"url": "services/rights-protection/", "title": "权益维护", "kind": "服务"}
    assert all((built_site / "pagefind" / name).is_file() for name in rules["preload"])
    # The hours filter, which every search reads, with the metadata and the WebAssembly.
    files = pagefind_order.index_files(built_site / "pagefind", search_index.INDEX_LANGUAGE)
    assert rules["preload"][2:] == [f"filter/{files.filters['hours']}.pf_filter"]
    # Each index chunk's first and last word, for search.js to ask for a query's chunks early.
    assert rules["chunks"] == [list(chunk) for chunk in files.chunks] and len(files.chunks) > 1
    assert all((built_site / "pagefind" / "index" / f"{stem}.pf_index").is_file() for _, _, stem in files.chunks)
    assert [first for first, _, _ in files.chunks] == sorted(first for first, _, _ in files.chunks)
    assert "的地方" in rules["stop"] and rules["stop"] == sorted(rules["stop"], key=lambda w: (-len(w), w))
    assert rules["amenities"]["charging"] == "充电"


def test_full_width_text_touches_its_synonym_group() -> None:
    matcher = SynonymMatcher([SynonymGroup(words=["WiFi", "无线网"])])
    assert matcher.extra_words("可以连ＷｉＦｉ") == ["无线网"]
    assert search_rules.normalise("ＷｉＦｉ　２４小时") == "wifi 24小时"


def test_a_synonym_group_points_only_at_what_exists(data_copy: Path) -> None:
    path = data_copy / "synonyms.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "- words: [甲乙, 丙丁]\n  services: [legal-aidd]\n"
                    "  amenities: [充电]\n  pages: [nowhere]\n", encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "data/synonyms.yaml:" in result.output and "pages" in result.output and "stations" in result.output
    path.write_text(path.read_text(encoding="utf-8").replace("  pages: [nowhere]\n", ""), encoding="utf-8")
    result = run_cli("--data", data_copy, "validate")
    assert "找不到服务 legal-aidd" in result.output and "是不是想写 legal-aid" in result.output
    assert "未知的设施 充电" in result.output and "charging" in result.output


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
    assert count == len(pages) >= records + 1
    assert "stations/xiaoge-01/index.html" in pages and "editors/index.html" not in pages
    assert pages["stations/index.html"] == "地图", "the finder, up to its list of stations"
    assert not any(p.startswith(("index.html", "stations/list/", "stories/page/")) for p in pages)
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
    assert "".join(visible_parts("<p>骑手 WiFi</p>")) == "<p>骑\u3000手 \u2423 WiFi</p>", "a space the page shows"
    over_a_tag = "".join(visible_parts("<li><time>12月1日（周二）</time> &#49;4:30</li>"))
    assert over_a_tag.endswith("）</time> \u2423 14:30</li>"), over_a_tag
    between_two_tags = "".join(visible_parts("<span>小哥驿站</span>\n<span>临时关闭</span>"))
    assert between_two_tags.count("\u2423") == 1, between_two_tags
    assert "\u2423" not in "".join(visible_parts("<p>歇脚</p>\n<p>饮水</p>")), "not between two blocks"


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


def test_a_build_that_stops_while_pagefind_runs_stops_pagefind(built_site: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind runs while the build checks and compresses the pages; if a check fails meanwhile, Pagefind is
    stopped and its half-written index removed, and nothing of it reaches the site."""
    slow = tmp_path / "slow-pagefind"
    slow.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    slow.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    site, work = tmp_path / "site", tmp_path / "work"
    shutil.copytree(built_site, site, ignore=shutil.ignore_patterns("pagefind"))
    with pytest.raises(RuntimeError), search_index.start_search_index(site, work, []) as indexing:
        assert indexing.process.poll() is None  # still running while the build goes on
        (work / "pagefind-output").mkdir()  # what Pagefind had written so far
        raise RuntimeError("a check failed")
    assert indexing.process.returncode is not None
    assert not (work / "pagefind-output").exists() and not (site / "pagefind").exists()


def test_pagefind_filter_files_are_written_in_one_order(built_site: Path) -> None:
    """Pagefind shuffles a filter's values on each run; the build sorts them (two builds are compared byte for byte
    in test_build.py). The file holds the same values, sorted, and a file of another layout stops the build."""
    (path,) = (built_site / "pagefind" / "filter").glob("*.pf_filter")
    raw = pagefind_order._unpack(path.read_bytes())
    (name, values), _ = pagefind_order._decode(raw, len(pagefind_order.SIGNATURE))
    assert name == "hours" and len(values) > 3
    assert [value for value, _ in values] == sorted(value for value, _ in values)
    shuffled = pagefind_order.SIGNATURE + pagefind_order._encode([name, values[::-1]])
    assert pagefind_order._sorted_filter(shuffled) == raw
    with pytest.raises(pagefind_order.UnexpectedLayout):
        pagefind_order._sorted_filter(pagefind_order.SIGNATURE + b"\xa1ax\x01")  # a map: not what Pagefind wrote


def test_what_a_first_search_downloads_is_packed_as_small_as_libdeflate_packs_it(built_site: Path,
                                                                                 tmp_path: Path) -> None:
    """Pagefind gzips its files at zlib's usual effort; the build packs the metadata, the filters, the index chunks
    and the WebAssembly again, smaller (pagefind_gzip.py). What they inflate to is what Pagefind wrote: its
    signature (then WebAssembly's, in the .pagefind file), then content that Pagefind's own browser code reads
    (test_search_browser.py)."""
    bundle = built_site / "pagefind"
    files = [*bundle.glob("*.pf_meta"), *bundle.glob("filter/*.pf_filter"), *pagefind_gzip.recompressed_files(bundle)]
    assert {path.suffix for path in files} == {".pf_meta", ".pf_filter", ".pf_index", ".pagefind"}
    for path in files:
        packed = path.read_bytes()
        raw = gzip.decompress(packed)
        assert raw.startswith(pagefind_order.SIGNATURE + (b"\0asm" if path.suffix == ".pagefind" else b"")), path
        assert len(packed) <= len(pagefind_gzip.pack(raw)) <= len(gzip.compress(raw, 9)), path
    largest = max(pagefind_gzip.recompressed_files(bundle), key=lambda path: path.stat().st_size)
    raw = gzip.decompress(largest.read_bytes())
    copy = tmp_path / largest.name
    copy.write_bytes(gzip.compress(raw, 6))  # as Pagefind packs it
    assert pagefind_gzip.recompress(copy) > 0 and copy.read_bytes() == pagefind_gzip.pack(raw)
    assert pagefind_gzip.recompress(copy) == 0  # already as small: left alone
    copy.write_bytes(b"not gzip")
    with pytest.raises(OSError, match=largest.name):  # the build says which file (search_index.finish)
        pagefind_gzip.recompress(copy)
