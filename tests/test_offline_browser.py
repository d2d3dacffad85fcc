"""Works with no signal after the first visit (issue 16), on a phone in Chromium.

One visit with a signal (home, the finder, one station page), then the phone goes offline
(``context.set_offline(True)``, which Chromium applies to the service worker's fetches too): a reload still
shows the finder, drawn from the stations.json the worker kept, and the station page; each says
"离线中，数据更新于 …" with the time the copy on the phone was built; a page never opened gives the offline
page, which lists the saved pages and goes back to the page asked for once the network is back. Map tiles
are answered by the test (a tiny PNG), so a worker that kept other sites' files would be caught keeping them.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from browser_checks import STATION, axe_problems, open_visit, report
from conftest import DATA, PageVisit, urllib_host

TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
                        "awAAAABJRU5ErkJggg==")  # a 1 × 1 PNG
STATION_NAME = yaml.safe_load((DATA / "stations" / f"{STATION}.yaml").read_text(encoding="utf-8"))["name"]
STATIONS = len(list((DATA / "stations").glob("*.yaml")))
NOTE = re.compile(r"^离线中，数据更新于 (\d{4}-\d{2}-\d{2} \d{2}:\d{2})$")
CHINA = dt.timezone(dt.timedelta(hours=8))


@contextmanager
def phone_with_worker(browser) -> Iterator[tuple[object, PageVisit]]:
    """browser_checks' phone tab with service workers allowed (the default), map tiles answered with a PNG (so a
    worker that kept other sites' files would be caught keeping them): its context, to go offline, and the visit."""
    with open_visit(browser, "phone", other_hosts_get=TILE, service_workers="allow") as visit:
        yield visit.page.context, visit


def poll(page, script: str, arg: object = None, seconds: float = 20) -> None:
    """Until an async script in the page gives true (``wait_for_function`` takes a promise for a true value)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {script}"
        time.sleep(0.2)


def wait_for_worker(page) -> None:
    """The worker is active and controls the page (it claims the pages open when it activates)."""
    poll(page, "() => navigator.serviceWorker.ready.then(r => r.active && r.active.state === 'activated')")
    page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=20_000)


def cache_keys(page) -> list[str]:
    return page.evaluate("""async () => {
        const keys = [];
        for (const name of await caches.keys()) {
          for (const request of await (await caches.open(name)).keys()) keys.push(request.url);
        }
        return keys;
    }""")


def wait_until_kept(page, urls: list[str]) -> None:
    poll(page, """async urls => {
        for (const url of urls) if (!(await caches.match(url))) return false;
        return true;
    }""", urls)


def wait_until_page_kept(page, site_url: str) -> None:
    """The page and every file of the site it loaded are on the phone (offline.js asks the worker to keep
    them when the page was opened before the worker controlled it; later pages are kept as they load)."""
    loaded = page.evaluate("root => performance.getEntriesByType('resource').map(e => e.name)"
                           ".filter(n => n.startsWith(root) && !n.endsWith('/sw.js'))", site_url)
    wait_until_kept(page, [page.url.split("#")[0], *loaded])


def note(page) -> str:
    page.wait_for_selector(".offline-note:not(:empty)", timeout=10_000)
    element = page.locator(".offline-note")
    assert element.get_attribute("role") == "status" and element.is_visible()
    return element.inner_text().strip()


def built_at(site: Path, page: str) -> str:
    """When the build wrote a page (the static server's Last-Modified), in China time, as the note writes it."""
    stamp = (site / page / "index.html").stat().st_mtime
    return dt.datetime.fromtimestamp(stamp, CHINA).strftime("%Y-%m-%d %H:%M")


def test_after_one_visit_the_finder_and_a_visited_station_work_offline(browser, site_url: str,
                                                                        built_site: Path) -> None:
    station_url = site_url + f"stations/{STATION}/"
    with phone_with_worker(browser) as (context, visit):
        page = visit.page
        # One visit with a signal: the home page registers the worker; the finder and a station page follow.
        page.goto(site_url)
        wait_for_worker(page)
        assert page.locator(".offline-note:not(:empty)").count() == 0, "online: no note"
        page.goto(site_url + "stations/")
        page.wait_for_function("() => !!window.stationFinder")
        page.locator("iframe.district-map").scroll_into_view_if_needed()
        page.frame_locator("iframe.district-map").locator("html[data-stations]").wait_for(state="attached")
        page.goto(station_url)
        page.wait_for_load_state("load")
        wait_until_page_kept(page, site_url)
        wait_until_kept(page, [site_url, site_url + "stations/", site_url + "maps/stations.json",
                               site_url + "offline/"])
        assert visit.console_errors == [] and visit.csp_violations == []

        # The worker never keeps another site's file, though the tiles were answered (200, image/png).
        assert any(urllib_host(u).endswith("tile.openstreetmap.org") for u in visit.third_party), \
            "the district map asked for tiles"
        kept = cache_keys(page)
        assert kept and all(u.startswith(site_url) for u in kept), [u for u in kept if not u.startswith(site_url)]

        context.set_offline(True)

        # The finder: its script ran on the kept stations.json (every station with its open or closed state).
        page.goto(site_url + "stations/?open=1")
        page.goto(site_url + "stations/")
        page.reload()
        page.wait_for_function("() => !!window.stationFinder", timeout=10_000)
        states = page.locator("#station-list li[data-station] .station-item-open")
        assert states.count() == STATIONS
        assert all(c in ("station-item-open is-open", "station-item-open is-closed")
                   for c in states.evaluate_all("all => all.map(s => s.className)"))
        shown = NOTE.match(note(page))
        assert shown, note(page)
        assert shown.group(1) == built_at(built_site, "stations")
        page.screenshot(path=str(ARTIFACTS_DIR / "offline-finder.png"))

        # The station page opened before: its name, and the note.
        page.goto(station_url)
        page.reload()
        assert page.locator("h1").inner_text().strip() == STATION_NAME
        assert NOTE.match(note(page)), note(page)

        # A page never opened: the offline page (not the browser's error), which lists what is saved.
        never = site_url + "services/"
        page.goto(never)
        assert "/offline/" in page.url and "from=" in page.url
        assert page.locator("h1").inner_text().strip() == "暂时没有网络"
        page.locator("#saved-pages a", has_text=STATION_NAME).wait_for(timeout=10_000)
        retry = page.locator("#offline-retry a")
        assert retry.is_visible() and retry.get_attribute("href").endswith("/services/")
        assert NOTE.match(note(page))
        problems = axe_problems(page, "offline/ @phone")
        assert problems == [], report(problems)
        page.screenshot(path=str(ARTIFACTS_DIR / "offline-page.png"))

        # The network is back: the offline page opens the page that was asked for, and the note goes.
        context.set_offline(False)
        page.wait_for_url(never, timeout=10_000)
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text().strip() != "暂时没有网络"
        assert page.locator(".offline-note:not(:empty)").count() == 0


def test_a_first_page_opened_before_the_worker_was_there_is_kept_too(browser, site_url: str) -> None:
    """A rider scans a station's QR code: that station page is the first page of the visit, loaded before any
    worker controlled it. It must be there offline all the same."""
    station_url = site_url + "stations/xiaoge-01/"
    loaded = "img => img.complete && img.naturalWidth > 0"
    with phone_with_worker(browser) as (context, visit):
        page = visit.page
        page.goto(station_url)
        photo = page.locator(".station-photos img[srcset], img[srcset]").first
        photo.scroll_into_view_if_needed()
        page.wait_for_function(loaded, arg=photo.element_handle())
        wait_for_worker(page)
        wait_until_page_kept(page, site_url)
        context.set_offline(True)
        page.reload()
        name = yaml.safe_load((DATA / "stations" / "xiaoge-01.yaml").read_text(encoding="utf-8"))["name"]
        assert page.locator("h1").inner_text().strip() == name
        assert NOTE.match(note(page))
        # Its photo came with it: the files the page had loaded were kept as well.
        photo = page.locator(".station-photos img[srcset], img[srcset]").first
        photo.scroll_into_view_if_needed()
        page.wait_for_function(loaded, arg=photo.element_handle(), timeout=10_000)
        assert visit.console_errors == [] and visit.csp_violations == []


ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"
ARTIFACTS_DIR.mkdir(exist_ok=True)
