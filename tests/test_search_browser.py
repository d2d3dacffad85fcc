"""The search box on a phone and on a desktop, with everything off this machine blocked: nothing
of the index loads with the page; typing a query shows the expected first result with its type,
a highlighted snippet and, for stations, whether it is open now; a result opens its page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from conftest import ARTIFACTS, PageVisit

# A Saturday morning in China: xiaoge-01 is open 07:00–22:00 every day.
SATURDAY_10AM = dt.datetime.fromisoformat("2026-11-28T10:00:00+08:00")


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
    assert re.match(r"找到 \d+ 个结果", phone.page.locator(".md-search-result__meta").inner_text())
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


def test_no_results_says_so(phone: PageVisit, site_url: str) -> None:
    phone.page.goto(site_url)
    open_search(phone)
    phone.page.keyboard.type("xyzzy")
    phone.page.wait_for_function(
        "() => document.querySelector('.md-search-result__meta').textContent.startsWith('没有找到')")
    assert results_count(phone) == 0
    assert_clean(phone)


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
