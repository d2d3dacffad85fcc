"""Maps as a rider sees them: headless Chromium on a phone viewport, every request off
this machine blocked (so tiles fail to load), and the maps must still work."""

from __future__ import annotations

import yaml

from conftest import ARTIFACTS, DATA, PageVisit

TILE_HOSTS = {"tile.openstreetmap.org"}
STATION_COUNT = len(list((DATA / "stations").glob("*.yaml")))


def map_frame(visit: PageVisit, selector: str):
    visit.page.wait_for_selector(selector)
    visit.page.locator(selector).scroll_into_view_if_needed()  # on a phone the map is below the list, loaded lazily
    frame = visit.page.frame_locator(selector)
    frame.locator("html[data-stations]").wait_for(state="attached")
    return frame


def stations_on_district_map(frame) -> int:
    """Single markers plus the totals written on the cluster bubbles."""
    singles = frame.locator(".station-marker").count()
    clustered = sum(int(text) for text in frame.locator(".marker-cluster span").all_inner_texts())
    return singles + clustered


def assert_clean(visit: PageVisit) -> None:
    assert visit.console_errors == []
    assert visit.failed_local == []
    hosts = {url.split("/")[2] for url in visit.third_party}
    assert hosts <= TILE_HOSTS, hosts


def test_district_map_shows_every_station(phone: PageVisit, site_url: str) -> None:
    phone.page.goto(site_url + "stations/")
    frame = map_frame(phone, "iframe.district-map")
    assert stations_on_district_map(frame) == STATION_COUNT
    ARTIFACTS.mkdir(exist_ok=True)
    phone.page.screenshot(path=str(ARTIFACTS / "phone-district-map.png"))
    assert_clean(phone)


def test_clusters_follow_the_finder_and_zoom_in_with_the_keyboard(phone: PageVisit, site_url: str) -> None:
    phone.page.goto(site_url + "stations/")
    frame = map_frame(phone, "iframe.district-map")
    nuanxin = sum(1 for p in (DATA / "stations").glob("*.yaml")
                  if yaml.safe_load(p.read_text(encoding="utf-8"))["type"] == "nuanxin")
    phone.page.locator("#finder-more > summary").click()
    kind = phone.page.locator('#finder input[name="type"][value="nuanxin"]')
    for checked, count in [(True, nuanxin), (False, STATION_COUNT)]:
        kind.set_checked(checked)
        frame.locator(f"html[data-stations='{count}']").wait_for(state="attached")
        assert stations_on_district_map(frame) == count  # bubbles are regrouped for what is shown
    zoom = "document.querySelector('iframe.district-map').contentWindow.map_district.getZoom()"
    before = phone.page.evaluate(zoom)
    bubble = frame.locator(".marker-cluster").first
    assert bubble.get_attribute("role") == "button"
    assert bubble.get_attribute("title").startswith(bubble.inner_text() + " 处驿站")
    bubble.focus()
    bubble.press("Enter")  # zooms in to the bubble's stations
    phone.page.wait_for_function(f"() => {zoom} > {before}")
    assert_clean(phone)


def test_marker_is_labelled_and_opens_a_popup_with_the_keyboard(phone: PageVisit, site_url: str) -> None:
    phone.page.goto(site_url + "stations/")
    frame = map_frame(phone, "iframe.district-map")
    marker = frame.locator(".station-marker").first
    title = marker.get_attribute("title")
    assert title and "（" in title  # name and type
    assert marker.get_attribute("role") == "button" and marker.inner_text() in {"中心", "暖新", "小哥"}
    marker.focus()
    marker.press("Enter")
    popup = frame.locator(".station-popup")
    popup.wait_for()
    assert popup.locator("strong").inner_text() == title.split("（")[0]
    assert popup.locator("a").get_attribute("target") == "_top"
    assert_clean(phone)


def open_station_map(page) -> None:
    """A station page keeps its map behind a disclosure (it costs data): open it."""
    page.locator("details.station-map-details > summary").click()


def test_station_page_map_shows_its_marker(phone: PageVisit, site_url: str) -> None:
    phone.page.goto(site_url + "stations/xiaoge-07/")
    open_station_map(phone.page)
    frame = map_frame(phone, "iframe.station-map")
    assert frame.locator(".station-marker").count() == 1
    name = yaml.safe_load((DATA / "stations" / "xiaoge-07.yaml").read_text(encoding="utf-8"))["name"]
    assert frame.locator(".station-marker").get_attribute("title").startswith(name)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.page.screenshot(path=str(ARTIFACTS / "phone-station.png"), full_page=True)
    assert_clean(phone)


def test_maps_appear_when_following_links(phone: PageVisit, site_url: str) -> None:
    """Home → finder → a station, by its links (mkdocs.yml leaves Material's instant navigation off)."""
    page = phone.page
    page.goto(site_url)
    page.locator("a.find-station").click()
    page.wait_for_url("**/stations/")
    assert stations_on_district_map(map_frame(phone, "iframe.district-map")) == STATION_COUNT
    page.locator('li[data-station="xiaoge-07"] a').first.click()  # the name; then 导航 and 电话
    page.wait_for_url("**/stations/xiaoge-07/")
    open_station_map(page)
    assert map_frame(phone, "iframe.station-map").locator(".station-marker").count() == 1
    assert_clean(phone)


def test_station_list_is_complete_without_javascript(browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site_url + "stations/")
    assert page.locator("li[data-station]").count() == STATION_COUNT
    assert page.locator(".station-item-address").count() == STATION_COUNT
    context.close()


def test_tiles_are_requested_from_the_configured_provider_only(phone: PageVisit, site_url: str) -> None:
    phone.page.goto(site_url + "stations/")
    map_frame(phone, "iframe.district-map")
    phone.page.wait_for_timeout(300)
    assert phone.third_party, "the map should ask for tiles (which the test blocks)"
    assert {url.split("/")[2] for url in phone.third_party} <= TILE_HOSTS


def test_map_credit_has_no_flag_and_the_scale_is_metric(phone: PageVisit, site_url: str) -> None:
    """Leaflet's default credit carries a national flag, and folium's scale bar shows miles: neither belongs on
    this site's maps. The credit is the word "Leaflet" and the tiles' own credit; the scale is in metres."""
    phone.page.goto(site_url + "stations/")
    frame = map_frame(phone, "iframe.district-map")
    credit = frame.locator(".leaflet-control-attribution")
    assert credit.locator("svg, img").count() == 0
    assert credit.inner_text().startswith("Leaflet | ")
    scales = frame.locator(".leaflet-control-scale-line")
    assert scales.count() == 1
    assert scales.inner_text().endswith((" m", " km"))
