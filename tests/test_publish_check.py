"""Going live (issue 17): the site says who publishes it, and a publishing build refuses the demo's placeholders.

Real builds through the command line: the shipped demo data, and a copy of the project filled in the way a
district office would fill it in."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import DATA, build_site, project_copy, run_cli
from scripts.pipeline import publish_check
from scripts.records.models import Phone

OFFICIAL_IDENTITY = {
    "sample": False,
    "sponsor": "中共忻州市忻府区委社会工作部",
    "operator": "忻府区新就业群体党群服务中心",
    "phone": {"number": "0350-3031234"},
    "address": "忻州市忻府区长征街88号",
    "icp_number": "晋ICP备2026012345号-1",
    "police_number": "晋公网安备14090202000123号",
    "government_site_code": "1409020001",
    "logo": "assets/images/logo.svg",
    "mainland": True,
}


def project_at(tmp_path: Path, site_url: str) -> tuple[Path, Path]:
    """A copy of the project whose mkdocs.yml says ``site_url``, and a copy of its data. Whatever the shipped
    files say (the demo's placeholders, or a district's real facts), the tests below set their own."""
    root = project_copy(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {site_url}", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    return root, data


def write_site_settings(data: Path, **changes: object) -> None:
    site = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))
    site.update(changes)
    (data / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")


def demo_project(tmp_path: Path) -> tuple[Path, Path]:
    """The demo as shipped: example.org, placeholder identity and contacts, OpenStreetMap, sample records."""
    root, data = project_at(tmp_path, "https://example.org/xinfu/")
    map_settings = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))["map"]
    write_site_settings(
        data,
        identity={"sample": True, "sponsor": "示例主办单位", "phone": {"number": "0350-0000000"}, "mainland": True},
        report={"issue_url": "https://example.org/xinfu-stations/issues/new", "email": "feedback@example.org",
                "phone": {"number": "0350-0000000", "label": "示例号码"}},
        map={**map_settings, "tiles": "osm", "review_number": None})
    station = data / "stations" / "xiaoge-01.yaml"
    text = station.read_text(encoding="utf-8")
    station.write_text(re.sub(r"(?m)^sample: .*$", "sample: true", text) if "sample:" in text
                       else text + "sample: true\n", encoding="utf-8")
    return root, data


def official_project(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the project and its data with every placeholder replaced, as the district office would."""
    root, data = project_at(tmp_path, "https://yizhan.xinfu.gov.cn/xinfu/")
    for path in data.rglob("*.yaml"):  # the records, verified: no longer samples
        text = path.read_text(encoding="utf-8")
        if "sample: true" in text:
            path.write_text(text.replace("sample: true", "sample: false"), encoding="utf-8")
    map_settings = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))["map"]
    write_site_settings(
        data, identity=OFFICIAL_IDENTITY,
        report={"issue_url": "https://yizhan.xinfu.gov.cn/feedback/", "email": "yizhan@xinfu.gov.cn",
                "phone": {"number": "0350-3035678"}},
        map={**map_settings, "tiles": "tianditu", "review_number": "GS(2024)0568号"})
    return root, data


def test_a_publishing_build_refuses_the_demo_and_names_every_setting(tmp_path: Path) -> None:
    root, data = demo_project(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    (site / "published.html").write_text("the site as it was", encoding="utf-8")
    result = run_cli("--data", data, "--work", tmp_path / "work", "--site", site, "build", "--publish", root=root)
    assert result.exit_code == 1
    assert "还不能正式发布" in result.output and "Traceback" not in result.output
    for setting in ["mkdocs.yml site_url", "data/site.yaml identity：", "data/site.yaml identity.phone",
                    "data/site.yaml identity.icp_number", "data/site.yaml report.issue_url",
                    "data/site.yaml report.email", "data/site.yaml report.phone", "data/site.yaml map.tiles",
                    "sample: true"]:
        assert setting in result.output, setting
    assert [p.name for p in site.iterdir()] == ["published.html"], "nothing is published"


def test_a_local_build_of_the_demo_warns_and_goes_on(tmp_path: Path) -> None:
    root, data = demo_project(tmp_path)
    result = build_site(data, tmp_path / "work", tmp_path / "site", root=root)
    assert result.exit_code == 0, result.output
    assert "正式发布前要改的 9 处" in result.output
    footer = BeautifulSoup((tmp_path / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    identity = footer.select_one("footer .site-identity")
    assert "示例" in identity.select_one(".site-identity__sample").text


def test_the_official_site_publishes_and_every_page_says_who_runs_it(tmp_path: Path, monkeypatch) -> None:
    root, data = official_project(tmp_path)
    monkeypatch.setenv("TIANDITU_KEY", "test-key-for-the-build")
    result = run_cli("--data", data, "--work", tmp_path / "work", "--site", tmp_path / "site", "build", "--publish",
                     root=root)
    assert result.exit_code == 0, result.output
    assert "正式发布前要改" not in result.output
    pages = [tmp_path / "site" / "index.html", tmp_path / "site" / "stations" / "index.html",
             tmp_path / "site" / "stations" / "xinfu-centre" / "index.html"]
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        footer = soup.select_one("footer .site-identity")
        text = footer.get_text(" ", strip=True)
        assert "主办单位：中共忻州市忻府区委社会工作部" in text and "承办单位：忻府区新就业群体党群服务中心" in text
        assert footer.find("a", string="0350-3031234")["href"] == "tel:03503031234"
        icp = footer.find("a", string="晋ICP备2026012345号-1")
        assert icp["href"] == "https://beian.miit.gov.cn/"
        police = footer.find("a", string="晋公网安备14090202000123号")
        assert police["href"] == "https://beian.mps.gov.cn/#/query/webSearch?code=14090202000123"
        assert "政府网站标识码：1409020001" in text
        assert "示例" not in text
        assert "Material for MkDocs" not in soup.get_text() and not soup.select('a[href*="squidfunk"]')
        logo = soup.select_one(".md-header .md-logo img")
        assert logo["src"].endswith("assets/images/logo.svg")
    # 天地图, the production map: its tiles with the key from the environment, its 审图号 in the credit, its
    # hosts (and no other) in the pages' Content-Security-Policy.
    district = (tmp_path / "site" / "maps" / "district.html").read_text(encoding="utf-8")
    script = (tmp_path / "site" / "maps" / "district.js").read_text(encoding="utf-8")
    assert "tianditu.gov.cn" in script and "tk=test-key-for-the-build" in script
    assert json.dumps("审图号：GS(2024)0568号")[1:-1] in script  # the credit, as folium writes it (JSON)
    meta = BeautifulSoup(district, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    policy = meta["content"]
    image_hosts = re.search(r"img-src ([^;]+)", policy).group(1).split()
    assert image_hosts[:2] == ["'self'", "data:"] and all("tianditu.gov.cn" in h for h in image_hosts[2:])


@pytest.mark.parametrize("number, placeholder", [
    ("0350-0000000", True), ("0350-1234567", True), ("12345", False), ("12315", False), ("0350-8888888", False),
    ("0350-2345678", False), ("0350-3031234", False)])
def test_which_phone_numbers_are_placeholders(number: str, placeholder: bool) -> None:
    """Zeros or the count from 1 after the area code are the demo's; real hotlines that look regular are not."""
    assert publish_check._placeholder_phone(Phone(number=number)) is placeholder


def test_a_sample_phone_number_is_recognised(tmp_path: Path, monkeypatch) -> None:
    """The placeholder patterns: the count from 1 after the area code, a label that says 示例."""
    root, data = official_project(tmp_path)
    site = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))
    site["identity"]["phone"] = {"number": "0350-1234567"}
    site["report"]["phone"] = {"number": "0350-3035678", "label": "示例号码"}
    (data / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("TIANDITU_KEY", "test-key-for-the-build")
    result = run_cli("--data", data, "--work", tmp_path / "work", "--site", tmp_path / "site", "build", "--publish",
                     root=root)
    assert result.exit_code == 1
    assert re.findall(r"^- (.+?)：", result.output, flags=re.M) == [
        "data/site.yaml identity.phone", "data/site.yaml report.phone"], result.output


def test_the_base_path_comes_from_site_url_everywhere(tmp_path: Path) -> None:
    """Another district, another address: the 404 page (absolute links), the service worker's scope, the manifest,
    robots.txt and the QR codes all follow site_url; nothing is left pointing at /xinfu/."""
    root, data = project_at(tmp_path, "https://yizhan.example.gov.cn/dingxiang/")
    site = tmp_path / "site"
    result = run_cli("--data", data, "--work", tmp_path / "work", "--site", site, "build", root=root)
    assert result.exit_code == 0, result.output
    not_found = BeautifulSoup((site / "404.html").read_text(encoding="utf-8"), "html.parser")
    local = [el.get("href") or el.get("src") for el in not_found.select("link[href], script[src], a[href], img[src]")
             if not (el.get("href") or el.get("src")).startswith(("http", "#", "mailto:", "tel:", "data:"))]
    assert local and all(url.startswith("/dingxiang/") for url in local), local
    leftovers = [p.relative_to(site).as_posix() for p in site.rglob("*")
                 if p.is_file() and p.suffix in (".html", ".js", ".json", ".webmanifest", ".txt", ".xml", ".svg")
                 and "/xinfu/" in p.read_text(encoding="utf-8", errors="replace")]
    assert leftovers == ["editors/index.html"]  # the guide quotes this repository's preview address, as text
