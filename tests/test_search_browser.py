"""The search box on a phone and on a desktop, with everything off this machine blocked: nothing
of the index loads with the page, and all of it at once when the search opens; typing a query shows
the expected first result with its type, a highlighted snippet and, for stations, whether it is open
now; a result opens its page, and Enter opens the first result of what is typed, however slowly the
index answers; a question about where or when offers the finder first; nothing found offers the finder
and the service line."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest
from playwright.sync_api import expect

from conftest import ARTIFACTS, PageVisit

# A Saturday morning in China: xiaoge-01 is open 07:00–22:00 every day.
SATURDAY_10AM = dt.datetime.fromisoformat("2026-11-28T10:00:00+08:00")
SATURDAY_NIGHT = dt.datetime.fromisoformat("2026-11-28T23:30:00+08:00")  # most stations closed, a few 24 hours


def open_search(visit: PageVisit) -> None:
    """Tap the magnifier in the header, as on a phone."""
    visit.page.locator('header label.md-header__button[for="__search"]').click()
    visit.page.wait_for_function("() => document.activeElement.matches('.md-search__input')")


def results(visit: PageVisit):
    visit.page.wait_for_selector(".md-search-result__item")
    return visit.page.locator(".md-search-result__item")


def assert_clean(visit: PageVisit) -> None:
    assert visit.console_errors == [] and visit.failed_local == [] and visit.third_party == []


def test_a_page_load_downloads_no_search_index(phone: PageVisit, site_url: str) -> None:
    requested: list[str] = []
    phone.page.on("request", lambda request: requested.append(request.url))
    phone.page.goto(site_url, wait_until="networkidle")
    assert not [u for u in requested if "/pagefind/" in u or "search_index" in u]
    open_search(phone)
    phone.page.keyboard.type("充电")
    results(phone)
    assert any("/pagefind/pagefind.js" in u for u in requested), "the index loads when the search is used"
    assert_clean(phone)


def test_typing_a_street_shows_its_station_first(phone: PageVisit, site_url: str) -> None:
    phone.page.clock.set_fixed_time(SATURDAY_10AM)
    phone.page.goto(site_url)
    open_search(phone)
    phone.page.keyboard.type("长征街")
    first = results(phone).first
    expect(first.locator(".search-result-title")).to_have_text("驿站 长征街小哥驿站")  # after the last keystroke
    assert first.locator(".search-kind").inner_text() == "驿站"
    assert "长征街" in first.locator(".search-excerpt mark").all_inner_texts()
    assert first.locator(".search-hours").inner_text() == "营业中 · 22:00 关门"
    # The query is in the status, so that a screen reader speaks a new result of the same count too.
    assert re.fullmatch(r"“长征街”：找到 \d+ 个结果", phone.page.locator(".md-search-result__meta").inner_text())
    ARTIFACTS.mkdir(exist_ok=True)
    phone.page.screenshot(path=str(ARTIFACTS / "phone-search.png"))
    first.locator("a").click()
    phone.page.wait_for_url(re.compile(r"/stations/xiaoge-01/$"))
    expect(phone.page.locator("article h1")).to_have_text("长征街小哥驿站")
    assert not phone.page.locator("#__search").is_checked(), "the search closes when a result opens"
    assert_clean(phone)


@pytest.mark.parametrize("query, kind, title", [
    ("厕所", "驿站", None),
    ("法律援助", "服务", "法律援助"),
    ("顺手捎带", "志愿", "顺手捎带"),
    ("货运司机", "动态", "1080名货运司机加入工会联合会，8名司机递交入党申请书"),
])
def test_results_say_what_kind_of_page_they_are(phone: PageVisit, site_url: str, query, kind, title) -> None:
    phone.page.goto(site_url + "about/")
    open_search(phone)
    phone.page.keyboard.type(query)
    first = results(phone).first
    if title:
        expect(first.locator(".search-result-title")).to_have_text(f"{kind} {title}")
    assert first.locator(".search-kind").inner_text() == kind
    assert first.locator(".search-excerpt mark").count() >= 1
    assert (first.locator(".search-hours").count() == 1) == (kind == "驿站")
    assert_clean(phone)


def test_no_results_offers_the_finder_and_the_service_line(phone: PageVisit, site_url: str) -> None:
    phone.page.goto(site_url)
    open_search(phone)
    phone.page.keyboard.type("xyzzy")
    phone.page.wait_for_function(
        "() => document.querySelector('.md-search-result__meta').textContent.includes('没有找到')")
    assert results_count(phone) == 0
    links = phone.page.locator(".search-suggestion a")
    assert links.all_inner_texts() == ["打开驿站地图，看全部驿站", "拨打服务电话 0350-0000000"]  # data/site.yaml
    assert links.nth(1).get_attribute("href") == "tel:03500000000"
    links.first.click()
    phone.page.wait_for_url(re.compile(r"/stations/$"))
    assert_clean(phone)


def test_an_intent_offers_the_finder_first(phone: PageVisit, site_url: str) -> None:
    phone.page.goto(site_url + "about/")
    open_search(phone)
    phone.page.keyboard.type("附近的厕所")
    first = results(phone).first
    expect(first.locator(".search-result-title")).to_have_text("地图 打开驿站地图：离我最近、有卫生间")
    assert first.locator(".search-excerpt").count() == 0, "an answer has no snippet: nothing on a page to quote"
    first.locator("a").click()
    phone.page.wait_for_url(re.compile(r"/stations/\?near=1&amenity=toilet$"))
    expect(phone.page.locator("#finder input[name=amenity][value=toilet]")).to_be_checked()
    assert_clean(phone)


def test_opening_the_search_fetches_the_index_at_once(phone: PageVisit, site_url: str) -> None:
    """Before the first keystroke, and without waiting for one another: Pagefind's entry file, metadata and
    WebAssembly, the query rules and Pagefind's script."""
    phone.page.goto(site_url, wait_until="networkidle")
    requested: list[str] = []
    phone.page.on("request", lambda request: requested.append(request.url))
    open_search(phone)
    phone.page.wait_for_function("() => performance.getEntriesByType('resource')"
                                 ".some(e => e.name.includes('/pagefind/wasm.') && e.responseEnd > 0)")
    names = [url.rsplit("/", 1)[-1] for url in requested if "/pagefind/" in url]
    for wanted in ("pagefind.js", "pagefind-entry.json", "search-rules.json", "wasm."):  # all at once
        assert any(wanted in name for name in names), (wanted, names)
    # The metadata's name is in the rules (a hash), so it follows them, still before any keystroke.
    phone.page.wait_for_function("() => performance.getEntriesByType('resource')"
                                 ".some(e => e.name.includes('.pf_meta'))")
    names = [url.rsplit("/", 1)[-1] for url in requested if "/pagefind/" in url]
    # Each once: the preloads are what Pagefind's own fetches take.
    assert len([n for n in names if "wasm." in n]) == 1 and len([n for n in names if ".pf_meta" in n]) == 1, names
    assert_clean(phone)


def test_a_first_search_asks_for_its_index_chunks_while_pagefind_starts(browser, site_url: str, built_site) -> None:
    """On a slow network Pagefind names a query's index chunks only once its WebAssembly has arrived; search.js
    names them from the rules as soon as the query is typed. It names the chunks Pagefind then reads (one request
    each, none extra): for each word, the first chunk whose first and last words enclose it, by code point."""
    rules = json.loads((built_site / "pagefind" / "search-rules.json").read_text(encoding="utf-8"))
    wanted = sorted({next((stem for first, last, stem in rules["chunks"] if first <= word <= last), f"none for {word}")
                     for word in ["充", "电", "wifi"]})
    assert len(wanted) > 1 and not any(stem.startswith("none") for stem in wanted), wanted
    # No service worker: page.route does not see what one answers.
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    try:
        visit = PageVisit(context.new_page(), [], [], [])
        context.on("console", lambda message: visit.console_errors.append(message.text) if message.type == "error"
                   else None)
        page = visit.page
        page.goto(site_url, wait_until="networkidle")
        held = []  # the WebAssembly, held back: Pagefind cannot start, nor ask for anything, until it is let through
        page.route(re.compile(r"/pagefind/wasm\."), lambda route: held.append(route))
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        open_search(visit)
        page.keyboard.insert_text("充电 WiFi")  # one input event, as a phone's keyboard sends a word
        page.wait_for_function("n => performance.getEntriesByType('resource')"
                               ".filter(e => e.name.includes('/pagefind/index/')).length >= n", arg=len(wanted),
                               timeout=10_000)
        assert len(held) == 1, "the WebAssembly is still held back, asked for once"
        held[0].continue_()
        expect(results(visit).first).to_be_visible()
        page.wait_for_timeout(300)
        chunks = [url.rsplit("/", 1)[-1].removesuffix(".pf_index") for url in asked if "/index/" in url]
        assert sorted(chunks) == wanted, "each chunk Pagefind reads, once, and no other"
        assert visit.console_errors == []
    finally:
        context.close()


def test_enter_opens_the_results_of_what_was_typed(phone: PageVisit, site_url: str) -> None:
    """Type a query, see its results, type another and press Enter at once, while the index answers slowly:
    Enter waits for the new query's first result instead of opening the one on the screen."""
    page = phone.page
    page.goto(site_url + "about/")
    open_search(page_visit := phone)
    page.keyboard.type("长征街")
    expect(results(page_visit).first.locator(".search-result-title")).to_have_text("驿站 长征街小哥驿站")

    def slowly(route) -> None:
        time.sleep(0.15)  # a slow phone network: the new query's index chunks and fragments come late
        route.continue_()

    page.route(re.compile(r"/pagefind/(index|fragment)/"), slowly)
    page.locator(".md-search__input").fill("")
    page.keyboard.type("心理咨询")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/services/counselling/$"))
    assert_clean(phone)


def test_at_night_open_stations_come_first(phone: PageVisit, site_url: str) -> None:
    phone.page.clock.set_fixed_time(SATURDAY_NIGHT)
    phone.page.goto(site_url + "about/")
    found = phone.page.evaluate("""q => siteSearch.find(q, 10).then(rs => rs.filter(r => r.meta.hours)
        .map(r => [r.url, OpeningHours.status(JSON.parse(r.meta.hours)).open]))""", "热饭")
    opened = [is_open for _, is_open in found]
    assert True in opened and False in opened, found
    assert opened == sorted(opened, reverse=True), f"open stations first: {found}"
    rest = phone.page.evaluate("q => siteSearch.find(q, 5).then(rs => rs.map(r => r.url))", "歇脚")
    assert not [url for url in rest if "xiaoge-26" in url], "a temporarily closed station is not among the first"


def results_count(visit: PageVisit) -> int:
    return visit.page.locator(".md-search-result__item").count()


def test_keyboard_on_a_desktop(browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(site_url + "services/")
    page.keyboard.press("/")
    page.wait_for_function("() => document.activeElement.matches('.md-search__input')")
    page.keyboard.type("心理咨询")
    page.wait_for_selector(".md-search-result__item")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/services/counselling/$"))
    page.keyboard.press("/")
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    assert errors == []
    context.close()
