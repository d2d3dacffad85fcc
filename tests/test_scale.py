"""Synthetic data at a small size: it validates, builds, and the finder stays light
while readers without scripts still reach every station through the directory pages."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import DATA, build_site
from scripts.devtools.synthetic import write_synthetic_data
from scripts.outputs.render import FINDER_LIST_LIMIT

SIZE = FINDER_LIST_LIMIT + 40


def test_synthetic_data_validates_and_builds(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_synthetic_data(DATA, data, SIZE, seed=7)
    again = tmp_path / "again"
    write_synthetic_data(DATA, again, SIZE, seed=7)
    assert sorted(p.read_bytes() for p in data.rglob("*.yaml")) == sorted(p.read_bytes() for p in again.rglob("*.yaml"))

    result = build_site(data, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert len(list((site / "stations").glob("s*/index.html"))) == SIZE

    finder = BeautifulSoup((site / "stations" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(finder.select("#station-list li[data-station]")) == FINDER_LIST_LIMIT
    directory = [a["href"] for a in finder.select(".finder-directory a")]
    listed = set()
    for href in directory:
        page = BeautifulSoup((site / "stations" / href / "index.html").read_text(encoding="utf-8"), "html.parser")
        listed |= {li["data-station"] for li in page.select("li[data-station]")}
    assert listed == {f"s{i:06d}" for i in range(SIZE)}

    data_file = json.loads((site / "maps" / "stations.json").read_text(encoding="utf-8"))
    assert len(data_file["stations"]) == SIZE
    assert len(data_file["hours"]) < SIZE / 10  # repeated opening hours are stored once


def test_problems_in_a_large_data_set_are_located(tmp_path: Path) -> None:
    """Files are checked in parallel at this size: problems still point at the file, line and field."""
    data = tmp_path / "data"
    write_synthetic_data(DATA, data, SIZE, seed=7)
    broken = data / "stations" / "s000300.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("type: xiaoge", "type: xiaoge\nopen_late: true", 1),
                      encoding="utf-8")
    twin = data / "stations" / "s000301.yaml"
    (data / "stations" / "twin.yaml").write_text("# a copy\n" + twin.read_text(encoding="utf-8"), encoding="utf-8")
    result = build_site(data, tmp_path / "work", tmp_path / "site")
    assert result.exit_code == 1 and "Traceback" not in result.output
    line = broken.read_text(encoding="utf-8").splitlines().index("open_late: true") + 1
    assert f"data/stations/s000300.yaml:{line}:1: 第 {line} 行 字段 open_late" in result.output, result.output
    assert "data/stations/twin.yaml:2:5: 第 2 行 字段 id：id s000301 已被使用" in result.output, result.output
