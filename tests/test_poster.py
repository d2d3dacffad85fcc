"""The printable A4 station poster (issue 16): printed to PDF by Chromium, as a person's "print" does, read back
with poppler's command-line tools (pdfinfo, pdftoppm, pdftotext) and measured in millimetres.

What is measured, and how:
- the sheet: one page, an A4 media box (595 × 842 pt), from ``pdfinfo``;
- the name's glyph height, which is what "cap height" means for a Chinese name: ideographs have no capitals,
  and their ink fills ≈ 0.95 of the em box. Measured twice: in print emulation, the ink box of the name's own
  text in its own computed font (canvas ``measureText``: actualBoundingBoxAscent + Descent), and on the sheet
  itself, the height of each line's ink in the PDF rasterised at 150 dpi (``pdftoppm``), inside the box the
  layout gave the name. Both must reach 20 mm for every name of up to 16 characters;
- the QR code: the image's size in print emulation, and the symbol zxing-cpp finds on the rasterised sheet
  (its corner points, quiet zone excluded), which must decode to the station page's published address;
- body text (hours, amenities, phone, address) by its computed size in print emulation; that nothing is cut off
  (poster.css holds long texts to a few lines); and that the sheet is used: ink reaches from near its top to
  near its bottom edge;
- what is printed, from ``pdftotext``: the phone when there is one, none when there is not, the sample-data mark.

Print emulation lays the poster out at the printable width (A4 less poster.css's @page margins) so its
measures are the sheet's. The stations are the shipped ones plus four made here: more of everything than a real
station has, two records at the data's limits (which must still print on one sheet, name and QR code whole), and
a withdrawn station.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
import zxingcpp
from PIL import Image

from conftest import ARTIFACTS, DATA, TODAY, build_site, published_site_url, serve_site
from scripts.records.models import Phone

MM_PER_PX = 25.4 / 96  # CSS pixels: 96 to the inch
DPI = 150  # the rasterised sheet: 5.9 pixels to the millimetre, 10 to a QR module
A4_PT = (595.28, 841.89)
CHINA = dt.timezone(dt.timedelta(hours=8))
NOON = dt.datetime.fromisoformat(TODAY).replace(hour=12, tzinfo=CHINA)  # the clock the pages are read at

MIN_NAME_MM = 20  # glyph height of names up to LONG_NAME characters
LONG_NAME = 16
MIN_QR_MM = 40

# Every amenity in the vocabulary.
ALL_AMENITIES = list(yaml.safe_load((DATA / "vocabularies.yaml").read_text(encoding="utf-8"))["amenities"])

# More than any shipped station has: a 16-character name that breaks nowhere natural, four groups of days with six
# periods, an exception and a note, every amenity, a phone with its label, and a temporary closure.
LONGEST = f"""\
id: poster-longest
name: 开发区云中路快递分拨中心小哥驿站
type: xiaoge
status: temporarily_closed
sample: true
address: 忻州市忻府区云中路与雁门西大街交叉口快递分拨中心院内
street: 云中路街道
location: {{lat: 38.41, lng: 112.73}}
hours:
  weekly:
    - days: [mo, tu, we, th]
      periods: ["07:00-11:30", "13:30-21:00"]
    - days: [fr]
      periods: ["07:00-21:00"]
    - days: [sa]
      periods: ["08:00-12:00", "14:00-18:00"]
    - days: [su]
      periods: ["09:00-17:00"]
  exceptions:
    - date: 2099-01-01
      closed: true
      note: 元旦闭站
  note: 法定节假日按通知调整，夜间请按门铃。
amenities: {ALL_AMENITIES}
organisation: xinfu-union
phone:
  number: "0350-3031234"
  label: 值班电话（示例号码）
alerts:
  - text: 驿站内部装修改造，暂停开放，装修期间可以到光明街银行网点小哥驿站歇脚。
    start: 2026-11-01
    end: 2099-12-31
verified: 2026-11-01
"""

# At the data's limits (limits.py): a 500-character address, closure and note, seven groups of three periods, a
# 100-character phone label, with a name of 24 characters (the tallest name step) or of 100. They must still print
# on one sheet, the name and the QR code whole.
def at_the_limits(key: str, name: str) -> str:
    periods = '["06:00-09:00", "11:00-14:00", "17:00-22:00"]'
    days = ["mo", "tu", "we", "th", "fr", "sa", "su"]
    week = "".join(f"    - days: [{day}]\n      periods: {periods}\n" for day in days)
    return f"""\
id: {key}
name: {name}
type: xiaoge
status: temporarily_closed
sample: true
address: {"忻州市忻府区长征街与七一北路交叉口西南角" * 25}
location: {{lat: 38.41, lng: 112.73}}
hours:
  weekly:
{week}\
  note: {"法定节假日按通知调整" * 50}
amenities: {ALL_AMENITIES}
organisation: xinfu-union
phone:
  number: "0350-3031234"
  label: {"值班电话" * 25}
alerts:
  - text: {"驿站内部装修改造，暂停开放" * 38}
    end: 2099-12-31
verified: 2026-11-01
"""


# A withdrawn station that is not sample data, without a phone.
WITHDRAWN = """\
id: poster-withdrawn
name: 城南小哥驿站
type: xiaoge
status: closed
address: 忻州市忻府区和平街8号
location: {lat: 38.41, lng: 112.73}
hours:
  weekly:
    - days: [mo, tu, we, th, fr]
      periods: ["08:00-20:00"]
amenities: [rest, water]
organisation: xinfu-union
verified: 2026-11-01
"""

MADE_HERE = {
    "poster-longest": LONGEST,
    "poster-limits-24": at_the_limits("poster-limits-24", "忻府区云中路与雁门西大街交叉口快递分拨中心驿站"),
    "poster-limits-100": at_the_limits("poster-limits-100", "忻府区新就业群体党群服务中心" * 7 + "驿站"),
    "poster-withdrawn": WITHDRAWN,
}
AT_THE_LIMITS = ["poster-limits-24", "poster-limits-100"]
RECORDS = {p.stem: yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
           for p in sorted((DATA / "stations").glob("*.yaml"))}
RECORDS |= {key: yaml.load(text, Loader=yaml.BaseLoader) for key, text in MADE_HERE.items()}
REAL_SIZED = [key for key in RECORDS if key not in AT_THE_LIMITS]  # the shipped stations, the longest, the withdrawn


def _most(measure) -> str:
    return max((key for key in RECORDS if key not in MADE_HERE), key=lambda key: (measure(RECORDS[key]), key))


# The shipped stations with the longest name, the most hours, the most amenities, the longest address, and ones
# with a phone, a temporary closure and the lot: each printed to PDF (every station is laid out for print below).
PRINTED = sorted({
    _most(lambda r: len(r["name"])),
    _most(lambda r: sum(len(w["periods"]) for w in r["hours"].get("weekly", [])) + len(r["hours"].get("exceptions", []))
          + bool(r["hours"].get("note"))),
    _most(lambda r: len(r["amenities"])),
    _most(lambda r: len(r["address"]) + len(r.get("street", ""))),
    _most(lambda r: bool(r.get("phone"))),
    _most(lambda r: r.get("status") == "temporarily_closed"),
    *MADE_HERE,
})


@pytest.fixture(scope="module")
def poster_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data and the stations above, built as CI builds the site."""
    base = tmp_path_factory.mktemp("posters")
    data = base / "data"
    shutil.copytree(DATA, data)
    for key, text in MADE_HERE.items():
        (data / "stations" / f"{key}.yaml").write_text(text, encoding="utf-8")
    result = build_site(data, base / "work", base / "site")
    assert result.exit_code == 0, result.output
    return base / "site"


@pytest.fixture(scope="module")
def poster_url(poster_site: Path) -> Iterator[str]:
    with serve_site(poster_site) as url:
        yield url


# --- laying out for print ----------------------------------------------------------------------------------

# Everything measured in print emulation, in CSS pixels relative to the poster's top left (the sheet's printable
# area). The @page margins come from the stylesheet itself, so a change there moves the sheet's measures too.
MEASURE_JS = """() => {
  const px = el => el ? parseFloat(getComputedStyle(el).fontSize) : null;
  const box = el => {
    const r = el.getBoundingClientRect(), o = document.querySelector('.poster').getBoundingClientRect();
    return {x: r.left - o.left, y: r.top - o.top, width: r.width, height: r.height};
  };
  let page = null;
  for (const sheet of document.styleSheets) for (const rule of sheet.cssRules) {
    const rules = rule instanceof CSSMediaRule && rule.media.mediaText.includes('print') ? [...rule.cssRules] : [rule];
    for (const r of rules) if (r instanceof CSSPageRule)
      page = {size: r.style.getPropertyValue('size'), top: r.style.marginTop, left: r.style.marginLeft};
  }
  const name = document.querySelector('.poster h1');
  const canvas = document.createElement('canvas').getContext('2d');
  canvas.font = getComputedStyle(name).font;
  const ink = canvas.measureText(name.textContent.trim());
  const range = document.createRange();
  range.selectNodeContents(name);
  const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  const poster = document.querySelector('.poster');
  const qr = document.querySelector('.poster-qr img');
  const shown = sel => [...document.querySelectorAll(sel)].filter(el => el.checkVisibility());
  // Texts held to a few lines in print, and the areas that give way: what they hide.
  const held = ['.poster', '.poster-facts', '.poster-status', '.poster-address', '.poster-exceptions',
                '.poster-hours-note', '.poster-phone-label', '.amenities li > span:not(.si)'];
  const cut = held.flatMap(sel => shown(sel)).filter(el => el.scrollHeight > el.clientHeight + 1
    || el.scrollWidth > el.clientWidth + 1).map(el => el.className || el.textContent.slice(0, 20));
  return {
    page, viewportWidth: innerWidth,
    poster: box(poster), cut,
    name: {...box(name), lines: lines.size, inkPx: ink.actualBoundingBoxAscent + ink.actualBoundingBoxDescent},
    qr: {...box(qr), complete: qr.complete && qr.naturalWidth > 0},
    footer: box(document.querySelector('.poster-footer')),
    hoursPx: shown('.hours-period').map(px), amenityPx: shown('.amenities li span:not(.si)').map(px),
    addressPx: px(document.querySelector('.poster-address')),
    phonePx: px(document.querySelector('.poster-phone a')),
  };
}"""


def mm(px: float) -> float:
    return px * MM_PER_PX


def margin_mm(layout: dict, side: str) -> float:
    value = layout["page"][side]
    assert value.endswith("mm"), f"poster.css's @page margin should be in mm: {value}"
    return float(value[:-2])


@pytest.fixture(scope="module")
def print_tab(browser) -> Iterator[object]:
    """A tab laid out at the printable width of an A4 sheet, with the clock at the tests' today."""
    context = browser.new_context(viewport={"width": 718, "height": 1047}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.clock.set_fixed_time(NOON)
    page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    yield page
    context.close()


def open_for_print(page, poster_url: str, station_id: str) -> dict:
    page.emulate_media(media="print")
    page.goto(f"{poster_url}stations/{station_id}/poster/")
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page.evaluate(MEASURE_JS)


# --- printing to PDF and reading it back ----------------------------------------------------------------------

@dataclass
class Sheet:
    pages: int
    media_box: tuple[float, float]
    text: str  # pdftotext, in reading order
    image: Image.Image  # page 1 at DPI
    layout: dict  # MEASURE_JS in print emulation


def poppler(*args: str | Path) -> str:
    if shutil.which(str(args[0])) is None:
        pytest.fail("海报测试需要 poppler-utils（pdfinfo、pdftoppm、pdftotext）：sudo apt-get install poppler-utils")
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def print_sheet(page, poster_url: str, station_id: str, folder: Path) -> Sheet:
    layout = open_for_print(page, poster_url, station_id)
    pdf = folder / f"{station_id}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    info = poppler("pdfinfo", "-box", pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    box = re.search(r"^MediaBox:\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", info, re.M)
    x0, y0, x1, y1 = map(float, box.groups())
    poppler("pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", "-singlefile", pdf, folder / station_id)
    image = Image.open(folder / f"{station_id}.png").convert("L")
    image.load()
    return Sheet(pages, (x1 - x0, y1 - y0), poppler("pdftotext", pdf, "-"), image, layout)


@pytest.fixture(scope="module")
def sheets(print_tab, poster_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sheet]:
    folder = tmp_path_factory.mktemp("sheets")
    return {key: print_sheet(print_tab, poster_url, key, folder) for key in PRINTED}


def px_of_mm(value: float) -> int:
    return round(value / 25.4 * DPI)


def ink_runs(image: Image.Image, left: float, top: float, width: float, height: float) -> list[float]:
    """The heights in mm of the bands of ink (dark rows separated by white ones) in a box given in mm."""
    crop = image.crop((px_of_mm(left), px_of_mm(top), px_of_mm(left + width), px_of_mm(top + height)))
    pixels = crop.load()
    inked = [any(pixels[x, y] < 160 for x in range(crop.width)) for y in range(crop.height)]
    runs, start = [], None
    for y, dark in enumerate([*inked, False]):
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            runs.append((y - start) / DPI * 25.4)
            start = None
    return [run for run in runs if run >= 1]  # a speck is no line


def sheet_box(sheet: Sheet, box: dict) -> tuple[float, float, float, float]:
    """A box from the layout, in mm on the sheet."""
    layout = sheet.layout
    return (margin_mm(layout, "left") + mm(box["x"]), margin_mm(layout, "top") + mm(box["y"]),
            mm(box["width"]), mm(box["height"]))


# --- the tests ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("station_id", PRINTED)
def test_the_poster_prints_on_one_a4_sheet(sheets: dict[str, Sheet], station_id: str) -> None:
    sheet = sheets[station_id]
    assert sheet.pages == 1, f"{station_id}: {sheet.pages} pages"
    assert all(abs(got - want) <= 1 for got, want in zip(sheet.media_box, A4_PT, strict=True)), sheet.media_box
    assert re.fullmatch(r"a4( portrait)?", sheet.layout["page"]["size"], re.I), sheet.layout["page"]
    # The printable width is what the layout was measured at.
    assert abs(mm(sheet.layout["viewportWidth"]) + 2 * margin_mm(sheet.layout, "left") - 210) < 1


@pytest.mark.parametrize("station_id", PRINTED)
def test_the_sheet_is_used_from_top_to_bottom(sheets: dict[str, Sheet], station_id: str) -> None:
    """The old poster filled the top half: ink must reach within 20 mm of both edges of the sheet."""
    image = sheets[station_id].image
    pixels = image.load()
    inked = [y for y in range(image.height) if any(pixels[x, y] < 160 for x in range(0, image.width, 2))]
    top, bottom = inked[0] / DPI * 25.4, (image.height - inked[-1]) / DPI * 25.4
    assert top <= 20 and bottom <= 20, f"{station_id}: blank {top:.0f} mm at the top, {bottom:.0f} mm at the bottom"


@pytest.mark.parametrize("station_id", PRINTED)
def test_the_printed_name_is_at_least_20_mm_high(sheets: dict[str, Sheet], station_id: str) -> None:
    sheet = sheets[station_id]
    name = RECORDS[station_id]["name"]
    runs = ink_runs(sheet.image, *sheet_box(sheet, sheet.layout["name"]))
    assert len(runs) == sheet.layout["name"]["lines"], (station_id, runs, sheet.layout["name"])
    if len(name) <= LONG_NAME:
        assert min(runs) >= MIN_NAME_MM, f"{name}: lines of {', '.join(f'{r:.1f}' for r in runs)} mm"
        assert len(runs) <= (1 if len(name) <= 8 else 2), f"{name}: {len(runs)} lines"
    # A name of any length is whole on the sheet, above the QR code.
    assert sheet.layout["name"]["y"] + sheet.layout["name"]["height"] <= sheet.layout["qr"]["y"], sheet.layout


@pytest.mark.parametrize("station_id", PRINTED)
def test_the_printed_qr_code_is_big_and_decodes(sheets: dict[str, Sheet], station_id: str) -> None:
    sheet = sheets[station_id]
    assert sheet.layout["qr"]["complete"], "the QR image did not load"
    assert min(mm(sheet.layout["qr"]["width"]), mm(sheet.layout["qr"]["height"])) >= MIN_QR_MM, sheet.layout["qr"]
    results = zxingcpp.read_barcodes(sheet.image)
    assert [r.text for r in results] == [f"{published_site_url().rstrip('/')}/stations/{station_id}/"]
    corners = results[0].position
    sides = [math.dist((a.x, a.y), (b.x, b.y)) / DPI * 25.4 for a, b in
             [(corners.top_left, corners.top_right), (corners.top_left, corners.bottom_left)]]
    assert min(sides) >= MIN_QR_MM, f"{station_id}: the printed QR symbol is {sides[0]:.0f} × {sides[1]:.0f} mm"


@pytest.mark.parametrize("station_id", PRINTED)
def test_the_phone_is_printed_when_there_is_one(sheets: dict[str, Sheet], station_id: str) -> None:
    text, phone = sheets[station_id].text, RECORDS[station_id].get("phone")
    if phone:
        assert re.search(rf"电话\s*{re.escape(phone['number'])}", text), text
        assert mm(sheets[station_id].layout["phonePx"]) >= 10
    else:
        assert not re.search(r"电话\s*[0-9]", text) and sheets[station_id].layout["phonePx"] is None


@pytest.mark.parametrize("station_id", PRINTED)
def test_sample_data_is_marked_on_the_sheet(sheets: dict[str, Sheet], station_id: str) -> None:
    assert ("示例数据" in sheets[station_id].text) == (RECORDS[station_id].get("sample") == "true")


def test_the_shipped_data_has_what_the_printed_posters_cover() -> None:
    """The printed selection follows the data: it has a phone, a temporary closure and a two-line name."""
    shipped = [RECORDS[key] for key in PRINTED if key not in MADE_HERE]
    assert any(r.get("phone") for r in shipped) and any(r.get("status") == "temporarily_closed" for r in shipped)
    assert any(8 < len(r["name"]) <= LONG_NAME for r in shipped)


@pytest.mark.parametrize("station_id", REAL_SIZED)
def test_every_poster_fits_its_sheet_at_readable_sizes(print_tab, poster_url: str, station_id: str) -> None:
    """Every station, laid out for print: nothing cut off, the name's glyphs ≥ 20 mm, the QR code ≥ 40 mm, the
    hours ≥ 7 mm and the amenities' words ≥ 7 mm (body text read from two metres), the address ≥ 6 mm."""
    layout = open_for_print(print_tab, poster_url, station_id)
    name = RECORDS[station_id]["name"]
    assert layout["cut"] == [], f"{station_id}: cut off"
    assert layout["footer"]["y"] + layout["footer"]["height"] <= layout["poster"]["height"] + 1
    assert mm(layout["poster"]["height"]) <= 297 - 2 * margin_mm(layout, "top")
    if len(name) <= LONG_NAME:
        assert mm(layout["name"]["inkPx"]) >= MIN_NAME_MM, f"{name}: {mm(layout['name']['inkPx']):.1f} mm"
    assert mm(layout["qr"]["width"]) >= MIN_QR_MM
    assert mm(layout["addressPx"]) >= 6
    if RECORDS[station_id].get("status") != "closed":
        assert layout["hoursPx"] and min(map(mm, layout["hoursPx"])) >= 7, layout["hoursPx"]
        assert min(map(mm, layout["amenityPx"])) >= 7, layout["amenityPx"]


def test_a_withdrawn_station_says_so_instead_of_its_hours(print_tab, poster_url: str) -> None:
    open_for_print(print_tab, poster_url, "poster-withdrawn")
    status = print_tab.locator(".poster-status")
    assert status.is_visible() and status.inner_text().startswith("已撤销")
    assert print_tab.locator(".station-hours, .amenities").count() == 0
    assert print_tab.locator(".poster-sample").count() == 0  # not sample data


def test_a_temporary_closure_is_printed_until_it_ends(print_tab, poster_url: str) -> None:
    open_for_print(print_tab, poster_url, "poster-longest")
    status = print_tab.locator(".poster-status")
    assert status.is_visible() and status.inner_text().startswith("临时关闭（驿站内部装修改造")
    print_tab.clock.set_fixed_time(dt.datetime(2100, 1, 1, 12, tzinfo=CHINA))  # the day after it ends
    try:
        print_tab.reload()
        assert status.is_hidden()
        assert print_tab.locator(".station-hours").is_visible()
    finally:
        print_tab.clock.set_fixed_time(NOON)


@pytest.mark.parametrize("station_id", ["xiaoge-01", "poster-longest"])
def test_the_poster_reads_on_a_phone(browser, poster_url: str, station_id: str) -> None:
    """On screen it is an ordinary page: nothing wider than the phone, a print button, the QR code inside."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    try:
        page.goto(f"{poster_url}stations/{station_id}/poster/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        button = page.locator("button.poster-print")
        assert button.is_visible() and button.bounding_box()["height"] >= 48
        qr = page.locator(".poster-qr img").bounding_box()
        assert qr["x"] >= 0 and qr["x"] + qr["width"] <= 390 and qr["width"] >= 150
        if RECORDS[station_id].get("phone"):
            link = page.locator(".poster-phone a")
            assert link.get_attribute("href") == Phone(number=RECORDS[station_id]["phone"]["number"]).uri
            assert link.bounding_box()["height"] >= 48
    finally:
        context.close()


def test_screenshots_of_printed_sheets(sheets: dict[str, Sheet]) -> None:
    """For people: the rasterised sheets go to test-artifacts/ (looked at, not compared)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for key in ["poster-longest", *AT_THE_LIMITS, _most(lambda r: len(r["name"]))]:
        sheets[key].image.save(ARTIFACTS / f"poster-{key.removeprefix('poster-')}.png")
