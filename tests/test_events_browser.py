"""Events drop off when a page is read, not only when it was built: the site built on 2026-11-28 (the tests'
today), read in Chromium at fixed clocks before and after the sample health clinic (2026-12-09 09:00–11:30,
China time), and from a phone set to another time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from conftest import PageVisit

CLINIC = "2026-12-clinic"
BEFORE = dt.datetime(2026, 12, 9, 11, 29, tzinfo=dt.timezone(dt.timedelta(hours=8)))
AFTER = dt.datetime(2026, 12, 9, 11, 31, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def clinic_item(visit: PageVisit):
    return visit.page.locator(f'li.event-item:has(a[href*="{CLINIC}"])')


@pytest.mark.parametrize("path", ["", "events/", "stations/xinfu-centre/"])
def test_an_event_is_listed_until_it_is_over(phone: PageVisit, site_url: str, path: str) -> None:
    phone.page.clock.set_fixed_time(BEFORE)
    phone.page.goto(site_url + path)
    expect(clinic_item(phone)).to_be_visible()
    phone.page.clock.set_fixed_time(AFTER)
    phone.page.goto(site_url + path)
    expect(clinic_item(phone)).to_be_hidden()
    # (Not failed_local: the second goto may cancel the first page's favicon request.)
    assert not phone.console_errors, phone.console_errors


def test_the_station_says_so_when_its_last_event_is_over(phone: PageVisit, site_url: str) -> None:
    phone.page.clock.set_fixed_time(AFTER)
    phone.page.goto(site_url + "stations/xinfu-centre/")
    expect(phone.page.locator("article .event-list")).to_be_hidden()
    expect(phone.page.locator("article [data-empty-list]")).to_have_text("近期没有安排活动。")


def test_an_event_page_says_it_is_over(phone: PageVisit, site_url: str) -> None:
    phone.page.clock.set_fixed_time(BEFORE)
    phone.page.goto(site_url + f"events/{CLINIC}/")
    expect(phone.page.locator(".event-ended")).to_be_hidden()
    phone.page.clock.set_fixed_time(AFTER)
    phone.page.goto(site_url + f"events/{CLINIC}/")
    expect(phone.page.locator(".event-ended")).to_have_text("这项活动已经结束。")


def test_a_phone_in_another_time_zone_agrees(browser, site_url: str) -> None:
    """The instants carry +08:00: a phone set to London time hides the clinic at the same moment."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    try:
        for moment, visible in ((BEFORE, True), (AFTER, False)):
            page.clock.set_fixed_time(moment)
            page.goto(site_url + "events/")
            item = page.locator(f'li.event-item:has(a[href*="{CLINIC}"])')
            expect(item).to_be_visible() if visible else expect(item).to_be_hidden()
    finally:
        context.close()
