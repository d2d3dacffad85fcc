"""The shipped nginx configuration, run with Debian's real nginx on localhost, and Chromium over it (issue 17).

The configuration is the one ``python -m scripts nginx`` gives, for the shipped data's build; a small main file
around it keeps nginx's files in a temporary folder, so no root is needed. Chromium opens every kind of page
and each response is checked: status, the Content-Security-Policy header (equal to ``csp.header_policy``),
cache lifetime by kind of file, compression from the pre-compressed copies, no console error; a missing page
answers 404 with the site's own styled page. Exact ``Accept-Encoding`` requests go through urllib.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest

from browser_checks import PAGE_TYPES, STATION
from conftest import PHONE, _site_mount_path, published_site_url, urllib_host
from scripts.deploy import nginx
from scripts.outputs import csp
from scripts.pipeline.build import Project, load_catalogue
from scripts.pipeline.precompress import MIN_SIZE

BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
INSTALL = "sudo apt-get install nginx libnginx-mod-http-brotli-static"
# Every kind of page, and the documents the station pages frame.
PAGES = {name: PAGE_TYPES[name] for name in ("home", "finder", "station", "poster", "service", "story", "event",
                                             "open-data")}
PAGES["district map"] = "maps/district.html"
PAGES["station map"] = f"maps/station.html?lat=38.41&lng=112.73&name={urllib.parse.quote('测试')}"
IMMUTABLE = "public, max-age=31536000, immutable"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None or not BROTLI_MODULE.exists():
        pytest.fail(f"这个测试用 Debian 的 nginx 和 Brotli 模块发布网站，请先安装：{INSTALL}（或 make browser）")
    return found


def expected_cache_control(path: str) -> str:
    """How long a browser may keep a file, by its path under the site (the rule the configuration states)."""
    if re.fullmatch(r"assets/.+\.[0-9a-f]{8}\.min\.(js|css)", path) or re.match(r"pagefind/(fragment|index)/", path):
        return IMMUTABLE
    return "public, max-age=600" if path.startswith("assets/") else "no-cache"


@dataclass(frozen=True)
class Served:
    url: str  # the site's address, ending in the base path
    policy: str  # the Content-Security-Policy header it must send
    site: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    binary = nginx_binary()
    prefix = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    server = nginx.Server(root=str(built_site), listen=[f"127.0.0.1:{port}"], brotli=True)
    (prefix / "site.conf").write_text(nginx.project_config(Project(), server), encoding="utf-8")
    # Root's workers would run as nobody, who cannot enter pytest's private temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                                "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(
        f"load_module {BROTLI_MODULE};\n{user}worker_processes 1;\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp_paths}    include {prefix / 'site.conf'};\n}}\n", encoding="utf-8")
    process = subprocess.Popen(
        [binary, "-e", "stderr", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
         "-g", f"daemon off; pid {prefix / 'nginx.pid'}; error_log stderr;"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                pytest.fail(f"nginx 没有启动（exit {process.returncode}）：\n{process.stdout.read()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "nginx did not listen within 10 s"
            time.sleep(0.05)
        policy = csp.header_policy(load_catalogue(Project()).settings.map)
        yield Served(f"http://127.0.0.1:{port}{_site_mount_path()}", policy, built_site)
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(url: str, encoding: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and raw body, asking for ``encoding`` (None: no Accept-Encoding)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (localhost)
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


# --- every page in Chromium -------------------------------------------------------------------------------------

@dataclass
class Seen:
    url: str
    status: int
    headers: dict[str, str]


@pytest.fixture
def tab(browser, served: Served) -> Iterator[tuple[object, list[Seen], list[str]]]:
    """A phone tab that records the responses from nginx and the console errors; the map tiles are not fetched.
    No service worker: every response checked comes from nginx, not from a cache the worker filled."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", service_workers="block")
    responses: list[Seen] = []
    errors: list[str] = []
    context.route("**/*", lambda route, request: route.continue_() if urllib_host(request.url) == "127.0.0.1"
                  else route.abort())
    context.on("response", lambda response: responses.append(Seen(response.url, response.status,
                                                                   response.all_headers()))
               if urllib_host(response.url) == "127.0.0.1" else None)

    def console(message) -> None:
        local = urllib_host(message.location.get("url", "")) in ("127.0.0.1", "")
        if message.type == "error" and (local or not message.text.startswith("Failed to load resource")):
            errors.append(f"{message.text} @ {message.location.get('url')}")

    context.on("console", console)
    yield context.new_page(), responses, errors
    context.close()


def _site_path(served: Served, url: str) -> str:
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    assert path.startswith(_site_mount_path()), url
    return path[len(_site_mount_path()):]


def _file(served: Served, path: str) -> Path:
    return served.site / (path + "index.html" if path.endswith("/") or not path else path)


@pytest.mark.parametrize("name", PAGES)
def test_every_kind_of_page_through_nginx(tab, served: Served, name: str) -> None:
    page, responses, errors = tab
    response = page.goto(served.url + PAGES[name], wait_until="networkidle")
    assert response is not None and response.status == 200, f"{name}: {response and response.status}"
    assert errors == [], f"{name}: console errors: {errors}"
    documents = 0
    for seen in responses:
        path = _site_path(served, seen.url)
        where = f"{name}: {path or '(home)'}"
        assert seen.status in (200, 304), f"{where}: status {seen.status}"
        headers = seen.headers
        assert headers.get("x-content-type-options") == "nosniff", where
        assert headers.get("cache-control") == expected_cache_control(path), where
        if headers.get("content-type", "").startswith("text/html"):
            documents += 1
            assert headers.get("content-security-policy") == served.policy, where
            assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
            assert headers.get("permissions-policy") == "geolocation=(self)", where
        file = _file(served, path)
        if seen.status == 200 and file.with_name(file.name + ".gz").exists():
            # Chromium asks for gzip (and Brotli over HTTPS only): the copy the build wrote is what it gets.
            assert headers.get("content-encoding") in ("gzip", "br"), f"{where}: not compressed"
    assert documents >= 1, f"{name}: its page was seen"


def test_fingerprinted_theme_files_are_cached_for_a_year(tab, served: Served) -> None:
    page, responses, _ = tab
    page.goto(served.url, wait_until="networkidle")
    immutable = [seen.url for seen in responses if seen.headers.get("cache-control") == IMMUTABLE]
    assert any(re.search(r"/bundle\.[0-9a-f]{8}\.min\.js$", url) for url in immutable), immutable
    assert any(re.search(r"/main\.[0-9a-f]{8}\.min\.css$", url) for url in immutable), immutable


@pytest.mark.parametrize("missing", ["stations/no-such-station/", "no-such-page.html", "/no-such-path-outside"])
def test_a_missing_page_is_the_sites_styled_404(tab, served: Served, missing: str) -> None:
    page, responses, errors = tab
    url = (served.url.split(_site_mount_path())[0] + missing) if missing.startswith("/") else served.url + missing
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 404
    assert "404" in page.locator("h1").inner_text()
    assert response.all_headers().get("content-security-policy") == served.policy
    assert response.all_headers().get("cache-control") == "no-cache"
    # The theme's stylesheet loaded from the base path: its header is sticky (the browser's default is static).
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    assert [seen.status for seen in responses if seen.url != url] == [200] * (len(responses) - 1)
    assert [e for e in errors if "404" not in e] == []  # Chromium logs the page's own 404


# --- exact requests ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["", f"stations/{STATION}/", "maps/stations.json", "sw.js", "feed.xml",
                                  "stations.geojson", "assets/stylesheets/site.css"])
def test_each_encoding_is_the_file_itself(served: Served, path: str) -> None:
    original = _file(served, path).read_bytes()
    assert len(original) >= MIN_SIZE, f"{path} is too small to have compressed copies"
    for asked, sent, decode in [(None, None, bytes), ("gzip", "gzip", gzip.decompress),
                                ("gzip, deflate, br", "br", brotli.decompress), ("br", "br", brotli.decompress)]:
        status, headers, body = fetch(served.url + path, asked)
        assert status == 200, (path, asked)
        assert headers.get("content-encoding") == sent, (path, asked)
        assert decode(body) == original, (path, asked)
        assert "Accept-Encoding" in headers.get("vary", ""), (path, asked)


@pytest.mark.parametrize("path", ["events.ics", f"assets/qr/{STATION}.svg"])
def test_a_small_text_file_without_copies_is_gzipped_on_the_fly(served: Served, path: str) -> None:
    """Under MIN_SIZE the build writes no copies (a station's QR code and poster are 2–3 KB); nginx gzips them."""
    original = _file(served, path).read_bytes()
    assert 1024 <= len(original) < MIN_SIZE and not _file(served, path + ".gz").exists(), len(original)
    status, headers, body = fetch(served.url + path, "gzip, deflate, br")
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body) == original


@pytest.mark.parametrize(("path", "content_type", "cache"), [
    ("", "text/html; charset=utf-8", "no-cache"),
    ("sw.js", "application/javascript; charset=utf-8", "no-cache"),  # a service worker must never be kept long
    ("maps/stations.json", "application/json; charset=utf-8", "no-cache"),
    ("site.webmanifest", "application/manifest+json; charset=utf-8", "no-cache"),
    ("events.ics", "text/calendar; charset=utf-8", "no-cache"),
    ("stations.geojson", "application/geo+json; charset=utf-8", "no-cache"),
    ("feed.xml", "text/xml; charset=utf-8", "no-cache"),
    ("sitemap.xml.gz", "application/gzip", "no-cache"),
    ("pagefind/pagefind-entry.json", "application/json; charset=utf-8", "no-cache"),
])
def test_types_and_cache_lifetimes(served: Served, path: str, content_type: str, cache: str) -> None:
    status, headers, _ = fetch(served.url + path, "gzip")
    assert status == 200, path
    assert headers.get("content-type") == content_type, path
    assert headers.get("cache-control") == cache, path
    assert headers.get("content-security-policy") == served.policy, path


def test_the_root_and_the_bare_base_path_lead_to_the_site(served: Served) -> None:
    origin = served.url[: -len(_site_mount_path())]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for path in ("/", _site_mount_path().rstrip("/")):
        if path == _site_mount_path():
            continue  # the site is published at the root: nothing to lead to
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(origin + path, timeout=10)
        assert redirect.value.code in (301, 302), path
        assert redirect.value.headers["Location"] == _site_mount_path(), path


def test_crawlers_find_robots_txt_at_the_host_root(served: Served) -> None:
    """RFC 9309: only /robots.txt counts. Under a base path nginx answers it with the site's own file."""
    origin = served.url[: -len(_site_mount_path())]
    status, headers, body = fetch(origin + "/robots.txt")
    assert status == 200 and body == (served.site / "robots.txt").read_bytes()
    assert f"Sitemap: {published_site_url()}sitemap.xml" in body.decode("utf-8")
