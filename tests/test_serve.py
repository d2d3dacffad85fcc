"""The live preview: a real ``serve`` on a free port rebuilds after an edit, and after a broken edit keeps
serving the last good pages with the problems in the terminal and in a banner on every page (drawn by a
script, as the editor sees it in a browser)."""

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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, TODAY, PageVisit, _site_mount_path, project_copy, serve_site
from scripts.outputs.open_data import CSV_PATH
from scripts.pipeline.build import Project
from scripts.preview import banner
from scripts.preview import serve as serve_module
from scripts.preview.serve import LivePreview

T = TypeVar("T")
STARTUP_SECONDS = 180  # first validation and full MkDocs build on a slow CI machine
REBUILD_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


@contextmanager
def start_preview(data_dir: Path, tmp_path: Path, root: Path = ROOT) -> Iterator[Preview]:
    """``python -m scripts serve`` of the project at ``root`` on a free port, stopped when the block ends."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts", "--data", str(data_dir), "--work", str(tmp_path / "work"),
             "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=root, env={**os.environ, "SITE_TODAY": TODAY, "PYTHONDONTWRITEBYTECODE": "1"},
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        yield Preview(f"http://127.0.0.1:{port}{_site_mount_path()}", log, process)
    finally:  # always stop the server this test started
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def preview(data_copy: Path, tmp_path: Path) -> Iterator[Preview]:
    with start_preview(data_copy, tmp_path) as running:
        yield running


def heading(page: BeautifulSoup | None) -> str:
    return page.h1.get_text(strip=True) if page is not None and page.h1 else ""


def preview_box(phone: PageVisit, url: str, loaded: str, box: str) -> str | None:
    """A box of banner.js as the browser shows it: "" when the page has loaded its file (``loaded``, an attribute
    of <html>) and shows no box, None when the page or the file did not load."""
    try:  # not "networkidle": the live reload script keeps a request open
        phone.page.goto(url)
        phone.page.wait_for_selector(f"html[{loaded}]", state="attached", timeout=10_000)
    except Exception:  # noqa: BLE001 - not up yet, or between two builds
        return None
    shown = phone.page.locator(f".admonition.{box}")
    return shown.inner_text() if shown.count() else ""


def problems_banner(phone: PageVisit, url: str) -> str | None:
    """The validation problems' banner (the data did not validate)."""
    return preview_box(phone, url, "data-preview-report", "preview-problems")


def warnings_banner(phone: PageVisit, url: str) -> str | None:
    """The MkDocs warnings box (a docs/ page links to nothing)."""
    return preview_box(phone, url, "data-preview-warnings", "preview-warnings")


def test_serve_rebuilds_after_an_edit_and_keeps_the_last_good_site_after_a_broken_one(
        preview: Preview, data_copy: Path, phone: PageVisit) -> None:
    station = data_copy / "stations" / "xiaoge-01.yaml"
    page = "stations/xiaoge-01/"
    original = station.read_text(encoding="utf-8")
    name = re.search(r"^name: (.+)$", original, re.M).group(1)

    first = preview.wait_for(lambda: preview.fetch(page), STARTUP_SECONDS, "the first page")
    assert heading(first) == name
    assert problems_banner(phone, preview.url + page) == ""

    # A good edit shows up, and the terminal says how much was reused rather than redone.
    station.write_text(original.replace(f"name: {name}", "name: 预览测试驿站"), encoding="utf-8")
    preview.wait_for(lambda: heading(preview.fetch(page)) == "预览测试驿站", REBUILD_SECONDS, "the renamed station")
    # The page open in the browser reloads by itself (MkDocs' live reload, loaded from a file: the pages'
    # Content-Security-Policy refuses inline scripts).
    phone.page.locator("h1", has_text="预览测试驿站").wait_for(timeout=REBUILD_SECONDS * 1000)
    reused = re.findall(r"沿用未改动的 (\d+) 个数据文件和 (\d+) 个页面", preview.terminal())
    stations = len(list((data_copy / "stations").glob("*.yaml")))
    # Every other station's page and poster, at least, came from the cache.
    assert reused and int(reused[-1][0]) >= stations - 1 and int(reused[-1][1]) >= 2 * (stations - 1), reused
    # Nothing changes now: the preview stays idle (its own reading of the data is not a change).
    runs = preview.terminal().count("数据校验通过")
    time.sleep(3)
    assert preview.terminal().count("数据校验通过") == runs

    # A broken edit: the terminal and a banner say what is wrong; the page stays the last good one.
    broken = original.replace(f"name: {name}", "name: 不该出现的名字").replace("amenities: [", "amenities: [wter, ")
    station.write_text(broken, encoding="utf-8")
    shown = preview.wait_for(lambda: problems_banner(phone, preview.url + page), REBUILD_SECONDS, "the error banner")
    assert "未知的设施 wter" in shown and "是不是想写 water" in shown
    assert "data/stations/xiaoge-01.yaml" in shown
    assert heading(preview.fetch(page)) == "预览测试驿站"
    assert problems_banner(phone, preview.url + "services/"), "every page carries the banner"
    terminal = preview.terminal()
    assert "最近一次修改没有通过校验" in terminal and "data/stations/xiaoge-01.yaml" in terminal
    assert "未知的设施 wter" in terminal and "预览保持上一次正确的版本" in terminal
    assert "Traceback" not in terminal
    assert preview.process.poll() is None, "serve keeps running"

    # Fixed: the banner goes away and the new content shows.
    station.write_text(original.replace(f"name: {name}", "name: 改好了的驿站"), encoding="utf-8")
    preview.wait_for(lambda: heading(preview.fetch(page)) == "改好了的驿站", REBUILD_SECONDS, "the fixed page")
    preview.wait_for(lambda: problems_banner(phone, preview.url + page) == "", REBUILD_SECONDS,
                     "the page without the banner")
    assert problems_banner(phone, preview.url + "services/") == ""
    assert not phone.console_errors, phone.console_errors


def test_after_edits_the_preview_shows_what_a_fresh_preview_of_the_same_data_shows(
        data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview renders again only what an edit changed (and the open data after it). Everything it left alone
    must be what a preview started afresh on the edited data shows: the two sites are compared file by file."""
    monkeypatch.setenv("SITE_TODAY", TODAY)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")  # the sitemap's date
    monkeypatch.setenv(banner.DOCS_DIR_VARIABLE, "")  # the preview sets it: put back after the test
    url = f"http://127.0.0.1:8000{_site_mount_path()}"

    def started(name: str) -> LivePreview:
        project = Project(data_dir=data_copy, work_dir=tmp_path / name / "work", site_dir=tmp_path / name / "unused")
        preview = LivePreview(project, tmp_path / name / "site", url)
        assert preview.start()
        return preview

    live = started("live")
    station, service = data_copy / "stations" / "xiaoge-01.yaml", data_copy / "services" / "counselling.yaml"
    station.write_text(station.read_text(encoding="utf-8").replace("name: 长征街小哥驿站", "name: 改了名的驿站")
                       .replace("amenities: [", "amenities: [wifi, "), encoding="utf-8")
    # The next save comes while the open data is being written, after its first two files (the stations' GeoJSON
    # and CSV): those stop there, unshown, and the next save shows them although it does not change them.
    written = serve_module.open_data_files

    def interrupted(*args: object) -> Iterator[tuple[str, str | bytes]]:
        for number, file in enumerate(written(*args)):
            if number == 2:
                assert live.later.stopping.wait(30), "the next save stops the open data"
            yield file

    monkeypatch.setattr(serve_module, "open_data_files", interrupted)
    live.rebuild({station})
    monkeypatch.setattr(serve_module, "open_data_files", written)
    service.write_text(service.read_text(encoding="utf-8").replace("name: 心理咨询", "name: 心理疏导"),
                       encoding="utf-8")
    live.rebuild({service})
    live.later.wait()
    fresh = started("fresh")

    def files(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}

    shown, expected = files(live.site_dir), files(fresh.site_dir)
    assert "改了名的驿站" in shown["stations/xiaoge-01/index.html"].decode()
    assert "wifi" in shown[CSV_PATH].decode("utf-8-sig")  # shown by the second save
    assert "心理疏导" in shown["services/counselling/index.html"].decode()
    assert sorted(shown) == sorted(expected)
    differ = [path for path in expected if shown[path] != expected[path]]
    assert not differ, differ


def test_each_edit_renders_what_it_changed_and_the_open_data_follows(data_copy: Path, tmp_path: Path) -> None:
    """MkDocs stays loaded between edits (``preview/resident.py``): an edited record renders again only the files
    it changed, a new record's file makes MkDocs register the files again, and a change to the theme renders every
    page again. The open data downloads follow each edit in the background."""
    root = project_copy(tmp_path)
    station = data_copy / "stations" / "xiaoge-01.yaml"
    original = station.read_text(encoding="utf-8")
    name = re.search(r"^name: (.+)$", original, re.M).group(1)
    other = "stations/xiaoge-02/"

    def text_of(path: str) -> str:
        fetched = preview.fetch(path)
        return fetched.get_text() if fetched is not None else ""

    with start_preview(data_copy, tmp_path, root) as preview:
        preview.wait_for(lambda: preview.fetch(other), STARTUP_SECONDS, "the first page")
        before = preview.terminal()

        station.write_text(original.replace(f"name: {name}", "name: 只改这一个驿站"), encoding="utf-8")
        preview.wait_for(lambda: heading(preview.fetch("stations/xiaoge-01/")) == "只改这一个驿站", REBUILD_SECONDS,
                         "the renamed station")
        preview.wait_for(lambda: "预览已更新" in preview.terminal()[len(before):], REBUILD_SECONDS,
                         "the update's line in the terminal")
        update = preview.terminal()[len(before):]
        assert "（changed files only）" in update and "dirty build" not in update, update
        # The downloads, made from every record, are written after the page was shown.
        preview.wait_for(lambda: "只改这一个驿站" in text_of(CSV_PATH), REBUILD_SECONDS, "the station in the CSV")
        preview.wait_for(lambda: "开放数据已更新" in preview.terminal(), REBUILD_SECONDS, "the open data's line")

        before = preview.terminal()
        (data_copy / "stations" / "xiaoge-99.yaml").write_text(
            original.replace("id: xiaoge-01", "id: xiaoge-99").replace(f"name: {name}", "name: 新加的驿站"),
            encoding="utf-8")
        preview.wait_for(lambda: heading(preview.fetch("stations/xiaoge-99/")) == "新加的驿站", REBUILD_SECONDS,
                         "the new station's page")
        preview.wait_for(lambda: "（dirty build）" in preview.terminal()[len(before):], REBUILD_SECONDS,
                         "the dirty build's line")

        # The footer is the theme's (overrides/): every page, not only edited ones, shows the change.
        footer = root / "overrides" / "partials" / "copyright.html"
        footer.write_text(footer.read_text(encoding="utf-8") + "<p>页脚改过了</p>\n", encoding="utf-8")
        preview.wait_for(lambda: "页脚改过了" in text_of(other), REBUILD_SECONDS, "the new footer on another page")
        preview.wait_for(lambda: "（complete build）" in preview.terminal(), REBUILD_SECONDS,
                         "the complete build's line")
        assert "Traceback" not in preview.terminal()


def test_an_unexpected_error_in_a_rebuild_shows_and_the_next_save_tries_again(
        data_copy: Path, tmp_path: Path, phone: PageVisit) -> None:
    """Not a data problem nor a template syntax error: a template raising ValueError (here the id check of
    the output boundary). The preview must say so in the terminal and the banner, and not die."""
    root = project_copy(tmp_path)
    template = root / "scripts" / "outputs" / "templates" / "station.html"
    original = template.read_text(encoding="utf-8")
    hours = '<h2 id="hours">开放时间</h2>'
    page = "stations/xiaoge-01/"

    def page_text() -> str:
        fetched = preview.fetch(page)
        return fetched.get_text() if fetched is not None else ""

    with start_preview(data_copy, tmp_path, root) as preview:
        preview.wait_for(lambda: preview.fetch(page), STARTUP_SECONDS, "the first page")
        template.write_text(original.replace(hours, '{{ "Not A Key" | token }}\n\n' + hours), encoding="utf-8")
        shown = preview.wait_for(lambda: problems_banner(phone, preview.url + page), REBUILD_SECONDS, "the banner")
        assert "生成页面时出错" in shown and "UnsafeValue" in shown, shown
        assert "生成页面时出错" in preview.terminal() and "Not A Key" in preview.terminal()
        assert preview.process.poll() is None, "serve keeps running"

        template.write_text(original.replace(hours, "模板改好了\n\n" + hours), encoding="utf-8")
        preview.wait_for(lambda: "模板改好了" in page_text(), REBUILD_SECONDS, "the page from the fixed template")
        preview.wait_for(lambda: problems_banner(phone, preview.url + page) == "", REBUILD_SECONDS, "no banner")


def test_published_builds_never_carry_the_banner(built_site: Path) -> None:
    assert not (built_site / banner.FOLDER).exists()
    for path in [built_site / "index.html", built_site / "stations" / "xiaoge-01" / "index.html"]:
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert not page.select(f'script[src*="{banner.FOLDER}"]'), path


def test_banner_shows_the_report_literally(tmp_path: Path, phone: PageVisit) -> None:
    """Problem text quotes what the editor typed; it must never become markup on the preview page."""
    report = "data/stations/x.yaml:3:1: 第 3 行 字段 description：<script>alert(1)</script> ``` **不是加粗**"
    for path, content in banner.preview_files(report).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content)
    page = ('<!doctype html><html lang="zh-CN"><head><title>t</title></head>'
            '<body><article class="md-content__inner"><h1>页</h1></article></body></html>')
    (tmp_path / "index.html").write_text(banner.on_post_page(page, type("Page", (), {"url": ""}), {}),
                                         encoding="utf-8")
    with serve_site(tmp_path) as url:
        shown = problems_banner(phone, url)
    assert shown and "<script>alert(1)</script> ``` **不是加粗**" in shown
    assert banner.TITLE in shown
    assert phone.page.locator("article .preview-problems + h1").count() == 1, "the banner comes first"
    assert phone.page.locator("article script, article strong").count() == 0


def test_a_broken_link_in_a_docs_page_shows_on_every_page_with_its_file_until_fixed(
        data_copy: Path, tmp_path: Path, phone: PageVisit) -> None:
    """MkDocs only warns in English in the terminal; `make build` (strict) then fails. The preview says it in
    Chinese, with the docs/ file, on every page, and keeps saying it while other pages are edited."""
    root = project_copy(tmp_path)
    about, privacy = root / "docs" / "about.md", root / "docs" / "privacy.md"
    original = about.read_text(encoding="utf-8")
    with start_preview(data_copy, tmp_path, root) as preview:
        preview.wait_for(lambda: preview.fetch("about/"), STARTUP_SECONDS, "the first page")
        preview.wait_for(lambda: warnings_banner(phone, preview.url + "about/") is not None, REBUILD_SECONDS,
                         "the page")
        assert warnings_banner(phone, preview.url + "about/") == "", "the shipped pages have no broken link"

        about.write_text(original + "\n另见[找不到的页面](nowhere.md)。\n", encoding="utf-8")
        shown = preview.wait_for(lambda: warnings_banner(phone, preview.url + "about/"), REBUILD_SECONDS,
                                 "the warnings box")
        assert "docs/about.md：链接 nowhere.md 指向的页面不存在" in shown and "make build" in shown, shown
        preview.wait_for(lambda: "MkDocs 警告 docs/about.md" in preview.terminal(), 10, "the warning in the terminal")
        assert "nowhere.md" in (warnings_banner(phone, preview.url + "services/") or ""), "every page says it"

        # Another page edited: MkDocs renders only that one, and the warning about about.md stays.
        privacy.write_text(privacy.read_text(encoding="utf-8") + "\n隐私说明已更新。\n", encoding="utf-8")
        preview.wait_for(lambda: "隐私说明已更新" in (preview.fetch("privacy/") or BeautifulSoup("", "html.parser"))
                         .get_text(), REBUILD_SECONDS, "the edited page")
        assert "nowhere.md" in (warnings_banner(phone, preview.url + "privacy/") or "")

        # Fixed by adding the missing page: about.md is not saved again (nor rendered), and the warning goes.
        (root / "docs" / "nowhere.md").write_text("# 新页面\n", encoding="utf-8")
        preview.wait_for(lambda: warnings_banner(phone, preview.url + "about/") == "", REBUILD_SECONDS,
                         "no warnings box")
        assert problems_banner(phone, preview.url + "about/") == "", "warnings are not validation problems"
        assert about.read_text(encoding="utf-8") != original
