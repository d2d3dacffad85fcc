"""The live preview: a real ``serve`` on a free port rebuilds after an edit, and after a broken edit keeps
serving the last good pages with the problems in the terminal and in a banner on every page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import markdown
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, TODAY
from scripts.preview_banner import banner

T = TypeVar("T")
STARTUP_SECONDS = 180  # first validation and full MkDocs build on a slow CI machine
REBUILD_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mount_path() -> str:
    """The site is served under the path of mkdocs.yml's site_url (e.g. /xinfu/)."""
    site_url = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)
    return urllib.parse.urlsplit(site_url).path


@dataclass
class Preview:
    url: str
    log: Path
    process: subprocess.Popen

    def terminal(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def fetch(self, path: str) -> BeautifulSoup | None:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return BeautifulSoup(response.read().decode("utf-8"), "html.parser")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None  # not up yet, or between two builds

    def wait_for(self, condition: Callable[[], T | None], seconds: float, what: str) -> T:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(f"serve stopped (exit {self.process.returncode}) while waiting for {what}:\n"
                            f"{self.terminal()[-3000:]}")
            time.sleep(0.5)
        pytest.fail(f"timed out after {seconds}s waiting for {what}:\n{self.terminal()[-3000:]}")


@pytest.fixture
def preview(data_copy: Path, tmp_path: Path) -> Iterator[Preview]:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts", "--data", str(data_copy), "--work", str(tmp_path / "work"),
             "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=ROOT, env={**os.environ, "SITE_TODAY": TODAY, "PYTHONDONTWRITEBYTECODE": "1"},
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        yield Preview(f"http://127.0.0.1:{port}{mount_path()}", log, process)
    finally:  # always stop the server this test started
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def heading(page: BeautifulSoup | None) -> str:
    return page.h1.get_text(strip=True) if page is not None and page.h1 else ""


def problems_banner(page: BeautifulSoup | None):
    return page.select_one(".admonition.preview-problems") if page is not None else None


def test_serve_rebuilds_after_an_edit_and_keeps_the_last_good_site_after_a_broken_one(
        preview: Preview, data_copy: Path) -> None:
    station = data_copy / "stations" / "xiaoge-01.yaml"
    page = "stations/xiaoge-01/"
    original = station.read_text(encoding="utf-8")
    name = re.search(r"^name: (.+)$", original, re.M).group(1)

    first = preview.wait_for(lambda: preview.fetch(page), STARTUP_SECONDS, "the first page")
    assert heading(first) == name
    assert problems_banner(first) is None

    # A good edit shows up.
    station.write_text(original.replace(f"name: {name}", "name: 预览测试驿站"), encoding="utf-8")
    preview.wait_for(lambda: heading(preview.fetch(page)) == "预览测试驿站", REBUILD_SECONDS, "the renamed station")

    # A broken edit: the terminal and a banner say what is wrong; the page stays the last good one.
    broken = original.replace(f"name: {name}", "name: 不该出现的名字").replace("amenities: [", "amenities: [wter, ")
    station.write_text(broken, encoding="utf-8")
    shown = preview.wait_for(lambda: problems_banner(preview.fetch(page)), REBUILD_SECONDS, "the error banner")
    assert "未知的设施 wter" in shown.get_text() and "是不是想写 water" in shown.get_text()
    assert "data/stations/xiaoge-01.yaml" in shown.get_text()
    assert heading(preview.fetch(page)) == "预览测试驿站"
    other = preview.fetch("services/")
    assert problems_banner(other) is not None, "every page carries the banner"
    terminal = preview.terminal()
    assert "最近一次修改没有通过校验" in terminal and "data/stations/xiaoge-01.yaml" in terminal
    assert "未知的设施 wter" in terminal and "预览保持上一次正确的版本" in terminal
    assert "Traceback" not in terminal
    assert preview.process.poll() is None, "serve keeps running"

    # Fixed: the banner goes away and the new content shows.
    station.write_text(original.replace(f"name: {name}", "name: 改好了的驿站"), encoding="utf-8")
    fixed = preview.wait_for(
        lambda: (p := preview.fetch(page)) is not None and heading(p) == "改好了的驿站" and problems_banner(p) is None,
        REBUILD_SECONDS, "the fixed page without the banner")
    assert fixed


def test_published_builds_never_carry_the_banner(built_site: Path) -> None:
    for path in [built_site / "index.html", built_site / "stations" / "xiaoge-01" / "index.html"]:
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert problems_banner(page) is None, path


def test_banner_shows_the_report_literally() -> None:
    """Problem text quotes what the editor typed; it must never become markup on the preview page."""
    report = "data/stations/x.yaml:3:1: 第 3 行 字段 description：<script>alert(1)</script> ``` **不是加粗**"
    html = markdown.markdown(banner(report), extensions=["admonition", "pymdownx.superfences"])
    page = BeautifulSoup(html, "html.parser")
    box = page.select_one(".admonition.preview-problems")
    assert box is not None
    assert page.find("script") is None and page.find("strong") is None
    assert "<script>alert(1)</script> ``` **不是加粗**" in box.code.get_text()
