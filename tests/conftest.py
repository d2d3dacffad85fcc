"""Shared fixtures: the real command line, real builds, copies of the shipped data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Date-dependent checks (verified dates, stale warnings) use this "today".
TODAY = "2026-11-28"
# A valid station record that tests break one thing in. Line numbers matter: tests name them.
VALID_STATION = """\
id: test-station
name: 测试驿站
type: xiaoge
address: 忻州市忻府区测试路1号
location:
  lat: 38.41
  lng: 112.73
hours:
  weekly:
    - days: [mo, tu, we, th, fr]
      periods: ["08:00-20:00"]
amenities: [rest, water]
organisation: xinfu-union
verified: 2026-05-01
"""


@dataclass
class CliResult:
    exit_code: int
    output: str  # stdout and stderr together, as an editor sees them in the terminal


def run_cli(*args: str | Path, root: Path = ROOT) -> CliResult:
    """Run ``python -m scripts`` exactly as a person or CI does (``root``: a copy of the project)."""
    env = {**os.environ, "SITE_TODAY": TODAY, "PYTHONDONTWRITEBYTECODE": "1"}
    # Data that names 天地图 needs a key to build; the tests never fetch a tile, so any key will do there.
    env.setdefault("TIANDITU_KEY", "key-for-tests")
    completed = subprocess.run(
        [sys.executable, "-m", "scripts", *map(str, args)],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )
    return CliResult(completed.returncode, completed.stdout + completed.stderr)


def build_site(data_dir: Path, work_dir: Path, site_dir: Path, root: Path = ROOT) -> CliResult:
    return run_cli("--data", data_dir, "--work", work_dir, "--site", site_dir, "build", root=root)


def project_copy(tmp_path: Path) -> Path:
    """The code, templates and hand-written pages of this project, to break without touching it."""
    root = tmp_path / "project"
    for name in ["scripts", "overrides", "docs"]:
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    return root


def data_with_station_changes(target: Path, changes: dict[str, dict]) -> Path:
    """A copy of the shipped data at ``target`` in which each named station's fields are replaced by ``changes``."""
    shutil.copytree(DATA, target)
    for station_id, change in changes.items():
        path = target / "stations" / f"{station_id}.yaml"
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        record.update(change)
        path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real build of the shipped data, shared by the read-only build tests."""
    base = tmp_path_factory.mktemp("shipped")
    result = build_site(DATA, base / "work", base / "site")
    assert result.exit_code == 0, result.output
    return base / "site"


# --- a real browser over a real build ---------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = ROOT / "test-artifacts"


def published_site_url() -> str:
    """mkdocs.yml's site_url, the address the site is published at (read as the scripts read it)."""
    from scripts.pipeline.build import site_url

    return site_url(ROOT / "mkdocs.yml")


def _site_mount_path() -> str:
    """The path part of mkdocs.yml's site_url: the site is served under it, as in production."""
    import urllib.parse

    return urllib.parse.urlsplit(published_site_url()).path


@contextmanager
def serve_site(site: Path) -> Iterator[str]:
    """Serve a built site on a free local port, under the same path as in production."""
    import functools
    import http.server
    import threading

    mount = _site_mount_path()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            if not path.startswith(mount):
                return str(site / "__outside_the_site__")
            return super().translate_path("/" + path[len(mount):])

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            # As static hosts (GitHub Pages) do: a missing page gets the site's own 404 page.
            if code == 404 and (site / "404.html").is_file():
                self._send(404, "text/html; charset=utf-8", (site / "404.html").read_bytes())
            else:
                super().send_error(code, message, explain)

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep test output readable
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{mount}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The shipped data's site, served locally under its production path."""
    with serve_site(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("浏览器测试需要 Debian 的 chromium：sudo apt-get install chromium fonts-wqy-microhei")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class PageVisit:
    """A browser tab on a phone viewport that blocks and records every request off this machine."""

    page: object
    console_errors: list[str]
    failed_local: list[str]
    third_party: list[str]
    csp_violations: list[str] = field(default_factory=list)  # console messages about the Content-Security-Policy


@pytest.fixture
def phone(browser) -> Iterator[PageVisit]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    visit = PageVisit(context.new_page(), [], [], [])

    def route(route_, request) -> None:
        host = urllib_host(request.url)
        if host in ("127.0.0.1", "localhost"):
            route_.continue_()
        else:
            visit.third_party.append(request.url)
            route_.abort()

    context.route("**/*", route)
    def console(message) -> None:
        # A blocked third-party request (a map tile) is logged as a failed resource: that is the test's doing.
        blocked = urllib_host(message.location.get("url", "")) not in ("127.0.0.1", "localhost", "")
        if message.type == "error" and not (blocked and message.text.startswith("Failed to load resource")):
            visit.console_errors.append(f"{message.text} @ {message.location.get('url')}")

    context.on("console", console)
    context.on("requestfailed", lambda request: visit.failed_local.append(request.url)
               if urllib_host(request.url) in ("127.0.0.1", "localhost") else None)
    context.on("response", lambda response: visit.failed_local.append(f"{response.status} {response.url}")
               if response.status >= 400 else None)
    yield visit
    context.close()


def urllib_host(url: str) -> str:
    import urllib.parse

    return urllib.parse.urlsplit(url).hostname or ""
