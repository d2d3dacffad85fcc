"""Synthetic data at a small size: it validates, builds, and the finder stays light
while readers without scripts still reach every station through the directory pages."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import DATA, build_site
from scripts.render import FINDER_LIST_LIMIT
from scripts.synthetic import write_synthetic_data

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
