"""The pull-request preview a reviewer downloads: unzipped anywhere, one command serves it as it will be
published (under its base path, with its 404 page)."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from conftest import _site_mount_path
from scripts.devtools.preview_kit import make_kit


def test_the_preview_serves_the_site_under_its_base_path(built_site: Path, tmp_path: Path) -> None:
    kit = make_kit(built_site, tmp_path / "preview")
    assert (kit / "说明.txt").read_text(encoding="utf-8").count(_site_mount_path()) == 2
    server = subprocess.Popen([sys.executable, "serve_preview.py", "0"], cwd=kit, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        address = line.split("：", 1)[1].split()[0]
        assert address.endswith(_site_mount_path())
        with urllib.request.urlopen(address) as home:
            assert home.status == 200 and "<html lang=\"zh-CN\"" in home.read().decode("utf-8")
        with urllib.request.urlopen(address + "stations/xinfu-centre/") as page:
            assert page.status == 200
        try:
            urllib.request.urlopen(address + "no-such-page/")
            raise AssertionError("a missing page must be a 404")
        except urllib.error.HTTPError as error:
            assert error.code == 404 and "没有找到这个页面" in error.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=10)
