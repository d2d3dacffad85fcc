"""The search fixes of the review of issue 18 (commit a142077), in a real browser on a phone:

- offline: a search made with a signal works again after a reload with no signal (the index files the service
  worker kept answer, Pagefind's entry file under one address per index), and a failed index load is followed
  by a working search without reloading the page (Pagefind forgets its failed load);
- escaping: a station's text with ``& < > " '`` shows as written in a snippet, with nothing injected, and a station
  named ``夜间Q&A驿站`` is found by its name (a name, not the intent 夜间) and shown as text;
- at night, open stations come before closed ones over all the results, page after page, as the Python evaluator
  (scripts/rules/opening.py) says;
- the arrow keys reach the finder answer and, when nothing is found, the finder and service line links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from test_offline_browser import phone_with_worker, poll, wait_for_worker
from test_search_browser import SATURDAY_10AM, SATURDAY_NIGHT, open_search

from browser_checks import open_visit
from conftest import PageVisit, build_site, data_with_station_changes, serve_site
from scripts.outputs.station_extras import compact_hours
from scripts.pipeline.build import Project, load_catalogue
from scripts.rules import opening

META = ".md-search-result__meta"
FAILED = "搜索暂时不可用"
IDLE = "键入以开始搜索"
ESCAPED = "A & B <3 D> \"dq\" 'sq'"
QA_NAME = "夜间Q&A驿站"
LITERAL = "写着 &lt; 的牌子"  # what the page shows: an entity's letters as text, not "<"


def type_query(visit: PageVisit, query: str) -> None:
    """Empty the search box (its status goes back to idle), type a query and wait for its answer: results (drawn
    after the status), nothing found (the suggestions) or the failure."""
    page = visit.page
    page.locator(".md-search__input").fill("")
    page.wait_for_function("t => document.querySelector('.md-search-result__meta').textContent === t", arg=IDLE)
    page.keyboard.insert_text(query)  # one input event, as a phone's keyboard sends a word: one search
    page.wait_for_function("""failed => {
        const meta = document.querySelector('.md-search-result__meta').textContent;
        return meta.includes(failed) || (/找到/.test(meta)
            && !!document.querySelector('.md-search-result__item, .search-suggestion'));
    }""", arg=FAILED)


def result_urls(visit: PageVisit) -> list[str]:
    return visit.page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.href)")


# --- 1. offline ----------------------------------------------------------------------------------------------

def wait_until_search_kept(page, site_url: str) -> None:
    """Every index file the search loaded is in the worker's caches (the entry file under its address without
    its ?ts= tag, as the worker keeps it; any key will do here)."""
    loaded = page.evaluate("root => performance.getEntriesByType('resource').map(e => e.name)"
                           ".filter(n => n.startsWith(root + 'pagefind/'))", site_url)
    assert any("pagefind-entry.json" in u for u in loaded), loaded
    poll(page, """async urls => {
        for (const url of urls) {
          if (!(await caches.match(url)) && !(await caches.match(url, {ignoreSearch: true}))) return false;
        }
        return true;
    }""", loaded)


def test_a_search_made_online_works_offline_after_a_reload(browser, site_url: str) -> None:
    with phone_with_worker(browser) as (context, visit):
        page = visit.page
        page.goto(site_url + "about/")
        wait_for_worker(page)
        open_search(visit)
        type_query(visit, "充电")
        online = result_urls(visit)
        assert online, "results online"
        wait_until_search_kept(page, site_url)

        page.reload()
        page.wait_for_load_state("load")
        context.set_offline(True)
        open_search(visit)
        type_query(visit, "充电")
        assert FAILED not in page.locator(META).inner_text(), "the index came from the phone's copy"
        assert result_urls(visit) == online


def test_a_failed_index_load_is_tried_again_without_a_reload(browser, site_url: str) -> None:
    # No worker: the test's route sees every request of the page.
    with open_visit(browser, "phone", service_workers="block") as visit:
        page = visit.page
        failing = {"on": True, "aborted": 0}

        def entry(route) -> None:
            if failing["on"]:
                failing["aborted"] += 1
                route.abort()
            else:
                route.continue_()

        page.route(re.compile(r"/pagefind/pagefind-entry\.json"), entry)
        page.goto(site_url + "about/")
        open_search(visit)
        page.keyboard.type("充电")
        page.wait_for_function("t => document.querySelector('.md-search-result__meta').textContent.includes(t)",
                               arg=FAILED)
        assert failing["aborted"] >= 1
        failing["on"] = False
        type_query(visit, "厕所")
        assert FAILED not in page.locator(META).inner_text()
        assert re.search(r"找到 \d+ 个结果", page.locator(META).inner_text())
        assert result_urls(visit)


# --- 2. escaping ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def odd_text_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped data with one description of HTML's special characters, one that shows an entity's letters
    and one station named with an &."""
    base = tmp_path_factory.mktemp("odd-text")
    data = data_with_station_changes(base / "data", {
        "xiaoge-02": {"description": f"糖葫芦 {ESCAPED}"},
        "xiaoge-03": {"name": QA_NAME},
        "xiaoge-04": {"description": LITERAL.replace("&", "&amp;")},  # Markdown: "&amp;lt;" shows "&lt;"
    })
    result = build_site(data, base / "work", base / "site")
    assert result.exit_code == 0, result.output
    with serve_site(base / "site") as url:
        yield url


def test_special_characters_show_as_written(phone: PageVisit, odd_text_site: str) -> None:
    page = phone.page
    # A fixed time: open stations rank first, and after 21:00 in China xiaoge-04 is closed (this failed in a CI run
    # at night: 无障碍说明 came first for 写着).
    page.clock.set_fixed_time(SATURDAY_10AM)
    page.goto(odd_text_site + "about/")
    page.evaluate("() => { window.__injected = 0; new MutationObserver(records => records.forEach(r => "
                  "r.addedNodes.forEach(n => { if (n.nodeType === 1 && n.closest('.search-excerpt, "
                  ".search-result-title') && !['MARK', 'SPAN'].includes(n.tagName)) window.__injected++; })))"
                  ".observe(document.body, {childList: true, subtree: true}); }")
    open_search(phone)
    type_query(phone, "糖葫芦")
    first = page.locator(".md-search-result__item").first
    assert first.locator("a").get_attribute("href").endswith("/stations/xiaoge-02/")
    excerpt = first.locator(".search-excerpt")
    assert f"糖葫芦 {ESCAPED} " in excerpt.inner_text()
    html = excerpt.inner_html()
    assert "&amp;amp;" not in html and "&amp;lt;" not in html
    # Only <mark> inside, each around whole text (never a piece of an entity such as "amp" of "&amp;").
    assert excerpt.evaluate("e => [...e.querySelectorAll('*')].map(x => x.tagName)") == ["MARK"]
    assert excerpt.locator("mark").all_inner_texts() == ["糖葫芦"]

    # Text that looks like an entity is shown as the page shows it: decoded by no one.
    type_query(phone, "写着")
    first = page.locator(".md-search-result__item").first
    assert first.locator("a").get_attribute("href").endswith("/stations/xiaoge-04/")
    assert LITERAL in first.locator(".search-excerpt").inner_text()

    type_query(phone, QA_NAME)
    first = page.locator(".md-search-result__item").first
    expect(first.locator(".search-result-title")).to_have_text(f"驿站 {QA_NAME}")
    assert first.locator("a").get_attribute("href").endswith("/stations/xiaoge-03/")
    title = first.locator(".search-result-title")
    assert title.evaluate("e => [...e.querySelectorAll('*')].map(x => x.className)") == ["search-kind"]
    for excerpt in page.locator(".search-excerpt").all():
        assert "&amp;" not in excerpt.inner_text()
    assert page.evaluate("() => window.__injected") == 0
    assert phone.console_errors == [] and phone.failed_local == []


# --- 3. open before closed, over all results -----------------------------------------------------------------

@pytest.mark.parametrize("query", ["热饭", "卫生间"])
def test_at_night_no_open_station_comes_after_a_closed_one(phone: PageVisit, site_url: str, query: str) -> None:
    page = phone.page
    page.clock.set_fixed_time(SATURDAY_NIGHT)
    page.goto(site_url + "about/")
    fragments: list[str] = []
    page.on("request", lambda request: fragments.append(request.url) if "/fragment/" in request.url else None)
    open_search(phone)
    type_query(phone, query)
    first_page = page.locator(".md-search-result__item").count()
    # The first page in one round of downloads: the results read are chosen after open and closed are known.
    assert len(fragments) <= first_page + 1, (fragments, first_page)
    total = int(re.search(r"找到 (\d+) 个结果", page.locator(META).inner_text()).group(1))
    more = page.locator(".search-more button")
    while more.count():
        shown = page.locator(".md-search-result__item").count()
        more.click()
        page.wait_for_function("n => document.querySelectorAll('.md-search-result__item').length > n", arg=shown)
    items = page.locator(".md-search-result__item")
    assert items.count() == total

    catalogue = load_catalogue(Project())
    order: list[tuple[str, bool, bool]] = []  # station, open by the Python evaluator, open by its badge
    for link in items.locator(".md-search-result__link").all():
        found = re.search(r"/stations/([^/?]+)/$", link.get_attribute("href"))
        if not found or link.locator(".search-hours").count() == 0:
            continue
        station = found.group(1)
        is_open = opening.status(compact_hours(catalogue.stations[station]), SATURDAY_NIGHT)["open"]
        badge = "search-open" in link.locator(".search-hours").get_attribute("class")
        order.append((station, is_open, badge))
    assert [o for _, o, _ in order] == [b for _, _, b in order], f"badges agree with opening.py: {order}"
    opened = [o for _, o, _ in order]
    assert True in opened and False in opened and len(order) > 10, order  # both kinds, past the first page
    first_closed = opened.index(False)
    late = [station for station, o, _ in order[first_closed:] if o]
    assert not late, f"open stations after a closed one: {late} in {order}"


# --- 4. arrow keys -------------------------------------------------------------------------------------------

def focused_href(page) -> str | None:
    return page.evaluate("() => document.activeElement.getAttribute('href')")


def test_arrow_keys_reach_the_finder_and_the_suggestions(phone: PageVisit, site_url: str) -> None:
    page = phone.page
    page.goto(site_url + "about/")
    open_search(phone)
    type_query(phone, "附近的厕所")
    expect(page.locator(".search-result-title").first).to_have_text("地图 打开驿站地图：离我最近、有卫生间")
    links = [a.get_attribute("href") for a in page.locator(".md-search-result__link").all()]
    page.keyboard.press("ArrowDown")
    assert focused_href(page) == links[0] and "near=1" in links[0]
    page.keyboard.press("ArrowDown")
    assert focused_href(page) == links[1]

    page.locator(".md-search__input").focus()
    type_query(phone, "xyzzy")
    page.wait_for_function("() => document.querySelector('.md-search-result__meta').textContent.includes('没有找到')")
    suggestions = [a.get_attribute("href") for a in page.locator(".search-suggestion a").all()]
    assert len(suggestions) == 2 and suggestions[0].endswith("/stations/") and suggestions[1].startswith("tel:")
    page.keyboard.press("ArrowDown")
    assert focused_href(page) == suggestions[0]
    page.keyboard.press("ArrowDown")
    assert focused_href(page) == suggestions[1]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.matches('.md-search__input')"), "back to the box"
    page.keyboard.press("ArrowUp")
    assert focused_href(page) == suggestions[1]

