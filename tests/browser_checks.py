"""What every page must pass in a real browser (issue 7), as functions the browser tests share.

Each check returns ``Problem``s that name the page and the rule (an axe-core rule id, or one of
ours for what axe leaves out), so a failing test reads like a bug report:

    station stations/xiaoge-07/ @phone: image-alt: <img src="…"> Element does not have an alt attribute

axe-core comes inside the ``axe-playwright-python`` wheel: nothing is downloaded at test time.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import DATA, PageVisit, _site_mount_path, urllib_host
from scripts.outputs.maps import PROVIDERS

# WCAG 2.1 A and AA, plus WCAG 2.2's 24 px target size, which is the site's own tap-target rule.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"target-size": {"enabled": True}},
    "iframes": False,  # each same-origin frame (the maps) is checked on its own, see axe_problems
    "resultTypes": ["violations"],
}
AXE = Axe()
LOCAL_HOSTS = ("127.0.0.1", "localhost")
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    # 1280 × 900 at 200 % browser zoom lays out like 640 × 450 CSS pixels.
    "zoom200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
}


def _first_id(pattern: str) -> str:
    """The first record id in a data file or folder, so the page list follows the data."""
    paths = sorted(DATA.glob(pattern))
    loaded = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    return (loaded[0] if isinstance(loaded, list) else loaded)["id"]


STATION = "xiaoge-07"
# Every page type, as a path under the site. "search" is the home page with the search open.
PAGE_TYPES: dict[str, str] = {
    "home": "",
    "finder": "stations/",
    "station": f"stations/{STATION}/",
    "poster": f"stations/{STATION}/poster/",
    "services": "services/",
    "service": f"services/{_first_id('services/*.yaml')}/",
    "volunteer": "volunteer/",
    "project": f"volunteer/{_first_id('volunteer/projects.yaml')}/",
    "stories": "stories/",
    "story": f"stories/{_first_id('stories/*.yaml')}/",
    "events": "events/",
    "event": f"events/{_first_id('events/*.yaml')}/",
    "fields": "fields/",
    "figures": "figures/",
    "open-data": "open-data/",
    "editors": "editors/",
    "search": "",
    "not-found": "stations/no-such-station/",
}
SEARCH_QUERY = "充电"


def tile_host_pattern() -> re.Pattern[str]:
    """Hosts of the configured map tiles (the one allowed third party): ``{s}`` is any subdomain."""
    tiles = yaml.safe_load((DATA / "site.yaml").read_text(encoding="utf-8"))["map"]["tiles"]
    hosts = [urllib.parse.urlsplit(layer.url.replace("{s}", "SUB")).hostname or "" for layer in PROVIDERS[tiles].layers]
    return re.compile("|".join(re.escape(h).replace("sub", "[a-z0-9-]+") for h in hosts))


TILES = tile_host_pattern()


@dataclass(frozen=True)
class Problem:
    page: str  # which page, in which viewport
    rule: str  # the axe rule id, or the name of our own check
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.rule}: {self.detail}"


def page_label(page, viewport: str, kind: str = "") -> str:
    """How a problem names its page: the page type, its path under the site, the viewport."""
    path = urllib.parse.urlsplit(page.url).path
    mount = _site_mount_path()
    path = (path[len(mount):] if path.startswith(mount) else path) or "/"
    return f"{kind + ' ' if kind else ''}{path} @{viewport}"


def report(problems: list[Problem]) -> str:
    return f"{len(problems)} 个无障碍问题（accessibility problems）：\n" + "\n".join(map(str, problems))


# --- a browser tab that records what the page asks of the network ------------------------------

# Run in every document and frame before its own scripts: what the Content-Security-Policy refused.
# (Give page.wait_for_function a function, "() => …", not an expression: Playwright polls an expression
# with eval, which the policy refuses.)
CSP_LISTENER = """(() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', event => {
    window.__cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI || '(inline)'}`
      + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber} ${event.sample || ''}`.trimEnd());
  }, true);
})();"""

@contextmanager
def open_visit(browser, viewport: str = "phone", other_hosts_get: bytes | None = None,
               **options: object) -> Iterator[PageVisit]:
    """A tab like conftest's ``phone`` in any viewport: every request off this machine is recorded and blocked
    (or, with ``other_hosts_get``, answered with those bytes as a PNG: a map tile); console errors and failed
    requests to the site are collected."""
    context = browser.new_context(**VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    visit = PageVisit(context.new_page(), [], [], [])

    def route(route_, request) -> None:
        if urllib_host(request.url) in LOCAL_HOSTS:
            route_.continue_()
        else:
            visit.third_party.append(request.url)
            if other_hosts_get is None:
                route_.abort()
            else:
                route_.fulfill(status=200, content_type="image/png", body=other_hosts_get)

    def console(message) -> None:
        if "Content Security Policy" in message.text:  # a refusal, or a policy the browser cannot use
            visit.csp_violations.append(f"{message.text} @ {message.location.get('url')}")
        # A blocked tile is logged as a failed resource (net::ERR_FAILED): the test's doing, not the page's.
        blocked = urllib_host(message.location.get("url", "")) not in (*LOCAL_HOSTS, "") \
            or message.text.startswith("Failed to load resource: net::ERR_FAILED")
        if message.type == "error" and not (blocked and message.text.startswith("Failed to load resource")):
            visit.console_errors.append(f"{message.text} @ {message.location.get('url')}")

    context.route("**/*", route)
    context.add_init_script(CSP_LISTENER)
    context.on("console", console)
    visit.page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"))
    context.on("requestfailed", lambda request: visit.failed_local.append(f"{request.failure} {request.url}")
               if urllib_host(request.url) in LOCAL_HOSTS else None)
    context.on("response", lambda response: visit.failed_local.append(f"{response.status} {response.url}")
               if response.status >= 400 else None)
    try:
        yield visit
    finally:
        context.close()


def network_problems(visit: PageVisit, label: str, expected_404: str | None = None) -> list[Problem]:
    """Console errors, failed requests to the site, any third party other than map tiles, and anything the
    Content-Security-Policy refused (told in the console) on any page of the visit."""
    problems = [Problem(label, "console-error", text) for text in visit.console_errors
                if not (expected_404 and text.endswith(f"404 (Not Found) @ {expected_404}"))
                and "Content Security Policy" not in text]  # reported once, below
    problems += [Problem(label, "csp-violation", text) for text in visit.csp_violations]
    # net::ERR_ABORTED is the browser dropping a request because the test moved on to another page.
    problems += [Problem(label, "failed-request", text) for text in visit.failed_local
                 if not (expected_404 and text == f"404 {expected_404}") and "net::ERR_ABORTED" not in text]
    problems += [Problem(label, "third-party-request", url) for url in sorted(set(visit.third_party))
                 if not TILES.fullmatch(urllib_host(url))]
    return problems


def wait_until_ready(page) -> None:
    """Open every map that waits for the reader (a station's 显示位置地图), load every map frame (they are
    lazy) and wait for its markers, then go back to the top. Opened from a script, not a click, so that
    Tab still starts from the top."""
    page.wait_for_load_state("load")
    page.eval_on_selector_all("details:has(iframe)", "all => all.forEach(details => { details.open = true; })")
    for frame_element in page.locator("iframe").all():
        frame_element.scroll_into_view_if_needed()
        frame = frame_element.element_handle().content_frame()
        if frame is not None and "/maps/" in (frame_element.get_attribute("src") or ""):
            frame.wait_for_selector("html[data-stations]", state="attached", timeout=10_000)
    page.evaluate("window.scrollTo(0, 0)")
    settle(page)


def settle(page) -> None:
    """Let transitions finish: the theme fades its tabs back in after a scroll, and axe would
    measure the contrast of half-faded text."""
    with suppress(PlaywrightTimeout):  # something animating for ever is checked as it is
        page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')", timeout=3_000)


def local_frames(page) -> list:
    """Same-site child frames (the map documents), which axe and our checks visit one by one."""
    return [f for f in page.frames if f is not page.main_frame and urllib_host(f.url) in LOCAL_HOSTS]


# --- axe-core ---------------------------------------------------------------------------------

def axe_problems(page, label: str) -> list[Problem]:
    settle(page)  # a tooltip or tab still fading in would be measured at half contrast
    problems = []
    for target, where in [(page, label)] + [(f, f"{label} › {f.url.split('/')[-1].split('?')[0]}")
                                            for f in local_frames(page)]:
        for violation in AXE.run(target, options=AXE_OPTIONS).response["violations"]:
            for node in violation["nodes"][:5]:
                html = re.sub(r"\s+", " ", node["html"])[:160]
                summary = node["failureSummary"].replace("\n", " ")
                problems.append(Problem(where, violation["id"], f"{html} — {summary}"))
    return problems


# --- what axe leaves out: language, headings, images, names --------------------------------------

_DOCUMENT_JS = """() => {
  const shown = el => el.checkVisibility({checkVisibilityCSS: true}) && !el.closest('[aria-hidden="true"]');
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(shown)
    .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 30)]);
  const images = [...document.images].filter(shown)
    .filter(img => !['presentation', 'none'].includes(img.getAttribute('role')))
    .filter(img => !(img.getAttribute('alt') || '').trim())
    .map(img => img.outerHTML.slice(0, 160));
  return {lang: document.documentElement.lang, headings, images};
}"""


def document_problems(page, label: str, headings: bool = True) -> list[Problem]:
    found = page.evaluate(_DOCUMENT_JS)
    problems = []
    if not re.fullmatch(r"zh(-CN|-Hans)?", found["lang"] or ""):
        problems.append(Problem(label, "html-lang-zh", f'<html lang="{found["lang"]}">, expected zh-CN or zh'))
    problems += [Problem(label, "image-alt-text", f"{html} has no alt text") for html in found["images"]]
    if headings:
        problems += heading_problems(found["headings"], label)
    for frame in local_frames(page):
        inner = frame.evaluate(_DOCUMENT_JS)
        where = f"{label} › {frame.url.split('/')[-1].split('?')[0]}"
        if not re.fullmatch(r"zh(-CN|-Hans)?", inner["lang"] or ""):
            problems.append(Problem(where, "html-lang-zh", f'<html lang="{inner["lang"]}">'))
        problems += [Problem(where, "image-alt-text", f"{html} has no alt text") for html in inner["images"]]
    return problems


def heading_problems(headings: list[list], label: str) -> list[Problem]:
    """One h1, first; then no level skipped on the way down (h2 → h4)."""
    problems = []
    levels = [level for level, _ in headings]
    if not levels or levels[0] != 1:
        problems.append(Problem(label, "heading-order", f"the first heading is not an h1: {headings[:1]}"))
    if levels.count(1) != 1:
        problems.append(Problem(label, "heading-order", f"{levels.count(1)} h1 headings"))
    for (before, _), (level, text) in zip(headings, headings[1:], strict=False):
        if level > before + 1:
            problems.append(Problem(label, "heading-order", f"h{before} is followed by h{level} “{text}”"))
    return problems


# Roles a person operates or reads as an image: each needs a name in the browser's accessibility tree.
_NAMED_ROLES = {"button", "link", "checkbox", "radio", "textbox", "searchbox", "combobox", "listbox", "slider",
                "spinbutton", "switch", "tab", "menuitem", "menuitemcheckbox", "menuitemradio", "option",
                "treeitem", "DisclosureTriangle", "image", "img"}


def name_problems(page, label: str) -> list[Problem]:
    """Every control and image has an accessible name, as Chromium itself computes it."""
    cdp = page.context.new_cdp_session(page)
    try:
        problems = []
        for frame_id in _frame_ids(cdp.send("Page.getFrameTree")["frameTree"]):  # the page and its maps
            tree = cdp.send("Accessibility.getFullAXTree", {"frameId": frame_id})
            for node in tree["nodes"]:
                role = node.get("role", {}).get("value")
                if node.get("ignored") or role not in _NAMED_ROLES or (node.get("name", {}).get("value") or "").strip():
                    continue
                element = _describe(cdp, node)
                if element.startswith("<svg") and "role=" not in element:
                    continue  # an icon drawn inline: part of its named link or button, not an image of its own
                problems.append(Problem(label, "accessible-name", f"{role} {element} has no name"))
        return problems
    finally:
        cdp.detach()


def _frame_ids(tree: dict) -> Iterator[str]:
    yield tree["frame"]["id"]
    for child in tree.get("childFrames", []):
        yield from _frame_ids(child)


def _describe(cdp, node: dict) -> str:
    if "backendDOMNodeId" not in node:
        return "(no DOM node)"
    described = cdp.send("DOM.describeNode", {"backendNodeId": node["backendDOMNodeId"]})["node"]
    attributes = described.get("attributes", [])
    shown = " ".join(f'{k}="{v[:40]}"' for k, v in zip(attributes[::2], attributes[1::2], strict=False)
                     if k in ("id", "class", "href", "src", "name", "type", "role"))
    return f"<{described['localName']} {shown}>"


# --- keyboard: skip link and visible focus ------------------------------------------------------

_SNAPSHOT_JS = """() => {
  // Each element's look without focus, to compare with its look when Tab reaches it.
  const props = ['outline-style', 'outline-width', 'outline-color', 'box-shadow', 'background-color', 'color',
                 'text-decoration-line', 'border-color', 'opacity'];
  window.__unfocused = new WeakMap();
  window.__focusProps = props;
  for (const el of document.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    window.__unfocused.set(el, props.map(p => style.getPropertyValue(p)).join('|'));
  }
}"""

_FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const rect = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const before = window.__unfocused ? window.__unfocused.get(el) : undefined;
  const now = (window.__focusProps || []).map(p => style.getPropertyValue(p)).join('|');
  const target = el.tagName === 'A' && el.hash && el.pathname === location.pathname
    ? document.getElementById(decodeURIComponent(el.hash.slice(1))) : null;
  return {
    tag: el.tagName, html: el.outerHTML.replace(/\\s+/g, ' ').slice(0, 120),
    frame: el.tagName === 'IFRAME',
    inView: rect.width > 0 && rect.height > 0 && rect.right > 0 && rect.bottom > 0
            && rect.left < innerWidth && rect.top < innerHeight,
    shown: el.checkVisibility({checkVisibilityCSS: true, checkOpacity: true}),
    ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none',
    changed: before !== undefined && before !== now,
    skipTarget: target ? target.id : null,
  };
}"""


# Bypass blocks (WCAG 2.4.1): a skip link is needed where Tab meets several controls before the h1.
_STOPS_BEFORE_H1_JS = """() => {
  const h1 = document.querySelector('h1');
  if (!h1) return 0;
  const controls = document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]');
  return [...controls].filter(el => el.tabIndex >= 0 && el.checkVisibility({checkVisibilityCSS: true})
    && (h1.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING)).length;
}"""


def focus_problems(page, label: str, max_stops: int = 160) -> list[Problem]:
    """Tab through the page from the top: the first stop is a working skip link (when the page has
    navigation to skip), and every stop is on screen and visibly marked."""
    for frame in [page.main_frame, *local_frames(page)]:
        frame.evaluate(_SNAPSHOT_JS)
    page.evaluate("window.scrollTo(0, 0)")
    problems: list[Problem] = []
    first = None
    seen: set[str] = set()
    for stop in range(max_stops):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED_JS)
        if focused is None:
            break  # past the last stop
        if focused["frame"]:
            inner = page.evaluate_handle("document.activeElement").as_element().content_frame()
            focused = inner.evaluate(_FOCUSED_JS) if inner else None
            if focused is None:
                continue  # the frame itself, before its first control
        if stop == 0:
            first = focused
        key = focused["html"]
        if key in seen and stop > 0 and key == (first or {}).get("html"):
            break  # went round
        seen.add(key)
        if not (focused["inView"] and focused["shown"]):  # maybe still fading in (the skip link does)
            page.wait_for_timeout(400)
            focused = _focused_again(page, focused)
        if not (focused["inView"] and focused["shown"]):
            problems.append(Problem(label, "focus-off-screen", f"Tab stop {stop + 1} {focused['html']} cannot be seen"))
        elif not (focused["ring"] or focused["changed"]):
            problems.append(Problem(label, "focus-visible", f"Tab stop {stop + 1} {focused['html']} shows no focus"))
    if page.evaluate(_STOPS_BEFORE_H1_JS) >= 3 and (first is None or not first["skipTarget"]):
        problems.append(Problem(label, "skip-link",
                                f"the first Tab stop is not a link to the main content: {first and first['html']}"))
    return problems


def _focused_again(page, focused: dict) -> dict:
    if not focused["frame"] and page.evaluate("document.activeElement.tagName") != "IFRAME":
        return page.evaluate(_FOCUSED_JS) or focused
    inner = page.evaluate_handle("document.activeElement").as_element().content_frame()
    return (inner.evaluate(_FOCUSED_JS) if inner else None) or focused


# --- layout: nothing wider than the screen --------------------------------------------------------

_OVERFLOW_JS = """() => {
  // Elements that stick out past the right edge, unless a scrolling box (a wide table, code) holds them.
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  // Content is text, a control or a picture; empty boxes (the theme's animated search backdrop) are not.
  const content = el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
    || /^(IMG|SVG|INPUT|BUTTON|SELECT|TEXTAREA|IFRAME|VIDEO|CANVAS|TABLE)$/i.test(el.tagName);
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!content(el) || !el.checkVisibility({checkVisibilityCSS: true})) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1 && getComputedStyle(el).position !== 'fixed' && !scrolls(el))
      out.push(`${el.outerHTML.replace(/\\s+/g, ' ').slice(0, 100)} reaches ${Math.round(r.right)} px of ${width}`);
  }
  return out.slice(0, 5);
}"""


def overflow_problems(page, label: str) -> list[Problem]:
    return [Problem(label, "horizontal-overflow", text) for text in page.evaluate(_OVERFLOW_JS)]


# --- the Content-Security-Policy: nothing refused ----------------------------------------------------

def csp_problems(page, label: str) -> list[Problem]:
    """What the page's policy refused in the page and its map frames (recorded by ``CSP_LISTENER``): a
    refused script or style means the page does not work as built, or markup sneaked in an inline script."""
    problems = []
    for frame, where in [(page.main_frame, label)] + [(f, f"{label} › {f.url.split('/')[-1].split('?')[0]}")
                                                        for f in local_frames(page)]:
        for text in frame.evaluate("window.__cspViolations || []"):
            problems.append(Problem(where, "csp-violation", text))
    return problems


# --- all of it ------------------------------------------------------------------------------------

def page_problems(page, label: str, headings: bool = True, keyboard: bool = True) -> list[Problem]:
    """Every check of a loaded page (and its map frames)."""
    problems = axe_problems(page, label) + document_problems(page, label, headings) + name_problems(page, label)
    problems += overflow_problems(page, label) + csp_problems(page, label)
    if keyboard:
        problems += focus_problems(page, label)
    return problems


# --- the site's search, whatever engine draws it ---------------------------------------------------

SEARCH_RESULTS_JS = """(query) => [...document.querySelectorAll('a[href]')].filter(a => {
  // A visible link inside something that calls itself search (by role, id or class).
  if (!a.checkVisibility({checkVisibilityCSS: true}) || a.closest('#finder')) return false;
  for (let p = a.parentElement; p; p = p.parentElement) {
    const names = [p.id, typeof p.className === 'string' ? p.className : '', p.getAttribute('role') || ''].join(' ');
    if (/search/i.test(names)) return true;
  }
  return false;
}).map(a => a.href)"""


# A search field, however the engine marks it up (the finder's own filter box excepted).
SEARCH_FIELDS = ["input[type=search]", "[role=searchbox]", "[role=search] input[type=text]", "input[name*=query i]",
                  "input[aria-label*=搜索]", "input[placeholder*=搜索]"]


def search_box(page):
    """The visible search field, opening the search first if it sits behind a button."""
    fields = ", ".join(f"{selector}:not(#finder *)" for selector in SEARCH_FIELDS)
    box = page.locator(fields).filter(visible=True)
    if box.count() == 0:
        page.get_by_role("button", name=re.compile("搜索")).filter(visible=True).first.click()
        box.first.wait_for(state="visible")
    return box.first


def search_results(page, query: str = SEARCH_QUERY) -> list[str]:
    """Wait for the search to show results for ``query``; the addresses of the result links."""
    page.wait_for_function(f"() => ({SEARCH_RESULTS_JS})({query!r}).length > 0", timeout=15_000)
    return page.evaluate(SEARCH_RESULTS_JS, query)
