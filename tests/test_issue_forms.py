"""Issue forms (驿站信息有误, 推荐新驿站, 发布动态): valid forms that follow the vocabulary, station pages that open
the right form with the station filled in, and ``from-issue`` turning submitted forms into records."""

from __future__ import annotations

import re
import shutil
import urllib.parse
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import DATA, ROOT, build_site, run_cli
from scripts.editors.issue_forms import FORMS_DIR, generate_forms
from scripts.outputs.report_links import is_github_new_issue, issue_link
from scripts.pipeline.build import Project
from scripts.rules.coords import gcj02_to_wgs84

FORMS = ROOT / FORMS_DIR
FORM_FILES = ["station-correction.yml", "new-station.yml", "story.yml"]
VOCABULARIES = yaml.safe_load((DATA / "vocabularies.yaml").read_text(encoding="utf-8"))
GITHUB = "https://github.com/xinfu-district/stations/issues/new"


def form(name: str) -> dict:
    return yaml.safe_load((FORMS / name).read_text(encoding="utf-8"))


def element(name: str, field_id: str) -> dict:
    return next(e for e in form(name)["body"] if e.get("id") == field_id)


def labels(vocabulary: str) -> list[str]:
    return [entry["label"] for entry in VOCABULARIES[vocabulary].values()]


# --- the forms --------------------------------------------------------------------------------------


def test_forms_in_the_repo_are_current() -> None:
    stale = [path.name for path, text in generate_forms(Project()).items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    assert stale == [], "run `python -m scripts schema` (or `make schema`) and commit .github/ISSUE_TEMPLATE/"


@pytest.mark.parametrize("name", FORM_FILES)
def test_every_form_has_the_keys_github_requires(name: str) -> None:
    data = form(name)
    assert set(data) <= {"name", "description", "title", "labels", "assignees", "projects", "type", "body"}
    assert data["name"] and data["description"] and data["body"]
    fields = [e for e in data["body"] if e["type"] != "markdown"]
    assert fields, "a form needs at least one field that is not Markdown"
    ids = [e["id"] for e in fields]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    field_labels = [e["attributes"]["label"] for e in fields]
    assert len(field_labels) == len(set(field_labels)), "from-issue reads answers by their label"
    for e in data["body"]:
        assert e["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        assert set(e) <= {"type", "id", "attributes", "validations"}
        if e["type"] == "markdown":
            assert e["attributes"]["value"].strip()
            continue
        assert re.search(r"[\u4e00-\u9fff]", e["attributes"]["label"]), "labels are Chinese"
        if e["type"] == "dropdown":
            options = e["attributes"]["options"]
            assert options and len(options) == len(set(options)) and "None" not in options
            assert all(isinstance(o, str) and o.strip() for o in options)
        if e["type"] == "checkboxes":
            assert all(set(o) <= {"label", "required"} and o["label"] for o in e["attributes"]["options"])


@pytest.mark.parametrize("name", FORM_FILES)
def test_every_form_warns_about_personal_data_and_asks_to_confirm(name: str) -> None:
    intro = form(name)["body"][0]
    assert intro["type"] == "markdown" and "手机号" in intro["attributes"]["value"]
    consent = element(name, "consent")
    assert all(o["required"] for o in consent["attributes"]["options"])


def test_config_decides_blank_issues() -> None:
    config = yaml.safe_load((FORMS / "config.yml").read_text(encoding="utf-8"))
    assert config["blank_issues_enabled"] is True  # service pages link to a plain issue with a title


def test_options_are_the_vocabularys_labels() -> None:
    assert element("new-station.yml", "type")["attributes"]["options"] == labels("station_types")
    for name in ["new-station.yml", "station-correction.yml"]:
        amenities = element(name, "amenities")["attributes"]["options"]
        assert [o["label"] for o in amenities] == labels("amenities")
    assert element("story.yml", "category")["attributes"]["options"] == labels("story_categories")
    organisations = yaml.safe_load((DATA / "organisations.yaml").read_text(encoding="utf-8"))
    offered = element("new-station.yml", "organisation")["attributes"]["options"]
    assert offered[:-1] == [o["name"] for o in organisations] and offered[-1].startswith("其他")
    assert element("new-station.yml", "map_source")["attributes"]["options"][:3] == ["高德地图", "腾讯地图", "百度地图"]


def test_a_new_amenity_makes_the_forms_stale(data_copy: Path) -> None:
    text = (data_copy / "vocabularies.yaml").read_text(encoding="utf-8")
    (data_copy / "vocabularies.yaml").write_text(
        text.replace("amenities:\n", "amenities:\n  shower:\n    label: 淋浴\n", 1), encoding="utf-8")
    regenerated = generate_forms(Project(data_dir=data_copy))
    stale = [p.name for p, t in regenerated.items() if p.read_text(encoding="utf-8") != t]
    assert stale == ["station-correction.yml", "new-station.yml"]


# --- the links -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url, github", [
    (GITHUB, True), (GITHUB + "/", True),
    ("https://example.org/xinfu-stations/issues/new", False),
    ("https://gitlab.com/xinfu/stations/-/issues/new", False),
    ("https://gitee.com/xinfu/stations/issues/new", False),
    ("http://github.com/xinfu/stations/issues/new", False),
    ("https://github.com/xinfu/stations/issues/new?labels=bug", False),
    ("https://github.com.evil.example/xinfu/stations/issues/new", False),
])
def test_only_a_github_new_issue_address_gets_form_parameters(url: str, github: bool) -> None:
    assert is_github_new_issue(url) is github
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(issue_link(url, "标题", "new-station.yml")).query)
    assert ("template" in query) is github and query["title"] == ["标题"]


HOSTILE_NAME = '光明街&template=evil.yml&station=x#"驿站%20+'


@pytest.fixture(scope="module")
def github_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data with a GitHub report address and a station with a hostile name."""
    base = tmp_path_factory.mktemp("github-report")
    data = base / "data"
    shutil.copytree(DATA, data)
    site = (data / "site.yaml").read_text(encoding="utf-8")
    (data / "site.yaml").write_text(
        site.replace("issue_url: https://example.org/xinfu-stations/issues/new", f"issue_url: {GITHUB}"),
        encoding="utf-8")
    station = (data / "stations" / "xiaoge-02.yaml").read_text(encoding="utf-8")
    (data / "stations" / "xiaoge-02.yaml").write_text(
        re.sub(r"(?m)^name: .*$", "name: " + yaml.safe_dump(HOSTILE_NAME, allow_unicode=True).split("\n")[0],
               station, count=1), encoding="utf-8")
    result = build_site(data, base / "work", base / "site")
    assert result.exit_code == 0, result.output
    return base / "site"


def query_of(site: Path, page: str, selector: str) -> tuple[str, dict[str, list[str]]]:
    soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    href = soup.select_one(selector)["href"]
    parts = urllib.parse.urlsplit(href)
    return parts._replace(query="").geturl(), urllib.parse.parse_qs(parts.query)


@pytest.mark.parametrize("station_id", ["xiaoge-01", "xiaoge-02"])
def test_station_page_opens_the_correction_form_with_the_station_filled_in(github_site: Path, station_id: str) -> None:
    address, query = query_of(github_site, f"stations/{station_id}/index.html", ".report-problem a[href^='https']")
    name = yaml.safe_load((DATA / "stations" / f"{station_id}.yaml").read_text(encoding="utf-8"))["name"]
    if station_id == "xiaoge-02":
        name = HOSTILE_NAME
    assert address == GITHUB
    # One value per parameter: the hostile name's & # = stayed inside station_name.
    assert query == {"template": ["station-correction.yml"], "station": [station_id], "station_name": [name],
                     "title": [f"信息有误：{name}（{station_id}）"]}
    assert (FORMS / query["template"][0]).is_file()
    assert {"station", "station_name"} <= {e.get("id") for e in form("station-correction.yml")["body"]}


def test_the_finder_links_to_the_new_station_form(github_site: Path) -> None:
    address, query = query_of(github_site, "stations/index.html", ".suggest-station a")
    assert address == GITHUB and query["template"] == ["new-station.yml"]


def test_service_pages_keep_a_plain_titled_issue(github_site: Path) -> None:
    page = next((github_site / "services").glob("*/index.html"))
    _, query = query_of(github_site, page.relative_to(github_site).as_posix(), ".report-problem a[href^='https']")
    assert set(query) == {"title"}


def test_without_github_the_link_is_as_before(built_site: Path) -> None:
    address, query = query_of(built_site, "stations/xiaoge-01/index.html", ".report-problem a[href^='https']")
    assert address == "https://example.org/xinfu-stations/issues/new" and set(query) == {"title"}


# --- from-issue ------------------------------------------------------------------------------------------

CHECKED = "- [X] 我填写的内容不含个人手机号、身份证号等个人信息"


def body(*sections: tuple[str, str]) -> str:
    """An issue body as GitHub writes a submitted form (CRLF line ends, as the API returns them)."""
    return "\r\n\r\n".join(f"### {label}\r\n\r\n{value or '_No response_'}" for label, value in sections)


def new_station(**change: str) -> str:
    answers = {
        "驿站名称": "光明街小哥驿站", "驿站类型": "小哥驿站", "详细地址": "忻州市忻府区光明街8号",
        "所在街道或乡镇": "", "坐标（经纬度）": "112.739600,38.414500", "坐标是从哪种地图复制的": "高德地图",
        "开放时间": "08:00-12:00，14:00-20:00", "设施": "- [X] 歇脚\n- [ ] 饮水\n- [x] 充电",
        "运营单位": "忻府区总工会", "公开电话": "0350-3031234", "介绍": "在超市旁边。", "补充说明": "",
        "个人信息": CHECKED,
    }
    return body(*{**answers, **change}.items())


def from_issue(data: Path, text: str, *args: str, tmp: Path | None = None) -> tuple[int, str]:
    issue = (tmp or data.parent) / "issue.md"
    issue.write_text(text, encoding="utf-8")
    result = run_cli("--data", data, "from-issue", issue, *args)
    return result.exit_code, result.output


def test_a_new_station_with_amap_coordinates_becomes_a_valid_record(data_copy: Path) -> None:
    code, output = from_issue(data_copy, new_station())
    assert code == 0, output
    path = data_copy / "stations" / "xiaoge-31.yaml"
    text = path.read_text(encoding="utf-8")
    record = yaml.safe_load(text)
    lat, lng = gcj02_to_wgs84(38.4145, 112.7396)
    assert record["location"] == {"lat": round(lat, 6), "lng": round(lng, 6), "crs": "wgs84"}
    assert "高德地图的 112.7396,38.4145（gcj02）" in text  # where the numbers came from
    assert record["amenities"] == ["rest", "charging"] and record["organisation"] == "xinfu-union"
    assert record["hours"]["weekly"][0]["periods"] == ["08:00-12:00", "14:00-20:00"]
    assert record["phone"] == {"number": "0350-3031234"} and "street" not in record
    assert text.startswith("# yaml-language-server:") and "# 类型：" in text  # the scaffold's commented style
    assert run_cli("--data", data_copy, "validate").exit_code == 0


def test_lat_lng_in_either_order(data_copy: Path) -> None:
    code, output = from_issue(data_copy, new_station(**{"坐标（经纬度）": "38.4145, 112.7396",
                                                      "坐标是从哪种地图复制的": "手机 GPS 定位"}))
    assert code == 0, output
    assert yaml.safe_load((data_copy / "stations" / "xiaoge-31.yaml").read_text(encoding="utf-8"))["location"] == \
        {"lat": 38.4145, "lng": 112.7396, "crs": "wgs84"}


@pytest.mark.parametrize("change, says", [
    ({"驿站名称": ""}, "表单项“驿站名称”：没有填写"),
    ({"坐标（经纬度）": "116.40,39.90"}, "表单项“坐标（经纬度）”：116.40,39.90 不在山西省忻州市忻府区范围内"),
    ({"坐标（经纬度）": "在光明街"}, "表单项“坐标（经纬度）”：要两个数字"),
    ({"坐标是从哪种地图复制的": ""}, "表单项“坐标是从哪种地图复制的”：选一种地图"),
    ({"开放时间": "早八点到晚八点"}, "表单项“开放时间”：时段格式不对"),
    ({"设施": "- [ ] 歇脚"}, "表单项“设施”：至少勾选一项"),
    ({"驿站类型": "小哥站"}, "表单项“驿站类型”：没有 小哥站 这一项（unknown）。是不是想写 xiaoge？"),
    ({"运营单位": "其他单位（请在“补充说明”里写明）"}, "表单项“运营单位”：选的是“其他单位”"),
])
def test_a_wrong_answer_is_named_by_its_label_and_nothing_is_written(data_copy: Path, change: dict, says: str) -> None:
    before = sorted((data_copy / "stations").iterdir())
    code, output = from_issue(data_copy, new_station(**change))
    assert code == 1 and says in output, output
    assert "没有写入任何文件" in output
    assert sorted((data_copy / "stations").iterdir()) == before


def test_a_personal_mobile_number_is_refused_by_the_real_validator(data_copy: Path) -> None:
    before = sorted((data_copy / "stations").iterdir())
    code, output = from_issue(data_copy, new_station(**{"公开电话": "13912345678"}))
    assert code == 1 and "字段 phone" in output and "没有保存" in output, output
    assert sorted((data_copy / "stations").iterdir()) == before


def test_an_existing_record_is_not_overwritten_unless_asked(data_copy: Path) -> None:
    original = (data_copy / "stations" / "xiaoge-01.yaml").read_text(encoding="utf-8")
    code, output = from_issue(data_copy, new_station(), "--id", "xiaoge-01")
    assert code == 2 and "不会覆盖" in output, output
    assert (data_copy / "stations" / "xiaoge-01.yaml").read_text(encoding="utf-8") == original
    code, output = from_issue(data_copy, new_station(), "--id", "xiaoge-01", "--overwrite")
    assert code == 0, output
    replaced = yaml.safe_load((data_copy / "stations" / "xiaoge-01.yaml").read_text(encoding="utf-8"))
    assert replaced["name"] == "光明街小哥驿站"


STORY = body(
    ("标题", "暖新驿站开展义诊"), ("栏目", "志愿服务"), ("发布日期", ""),
    ("摘要", "社区医生到暖新驿站为骑手免费量血压。"),
    ("正文", '11 月 20 日上午，社区医生来到**暖新驿站**。\r\n\r\n<img width="800" alt="义诊" '
             'src="https://github.com/user-attachments/assets/1234abcd">\r\n\r\n- 量血压\r\n- 测血糖'),
    ("标签", "骑手, 义诊"), ("个人信息", CHECKED + "\r\n- [X] 照片里能认出的人都同意公开"),
)


def test_a_story_becomes_a_valid_record_and_its_pictures_are_listed(data_copy: Path) -> None:
    code, output = from_issue(data_copy, STORY)
    assert code == 0, output
    path = data_copy / "stories" / "2026-11-28.yaml"
    text = path.read_text(encoding="utf-8")
    record = yaml.safe_load(text)
    assert record["category"] == "volunteer" and record["tags"] == ["骑手", "义诊"]
    assert str(record["date"]) == "2026-11-28"  # empty date: the day it is accepted (SITE_TODAY)
    assert "<img" not in record["body"] and "- 测血糖" in record["body"]
    assert "#   https://github.com/user-attachments/assets/1234abcd" in text and "1 张图片" in output


def test_a_story_without_a_title_names_the_field(data_copy: Path) -> None:
    code, output = from_issue(data_copy, STORY.replace("暖新驿站开展义诊", ""))
    assert code == 1 and "表单项“标题”：没有填写" in output, output


def correction(**change: str) -> str:
    answers = {
        "驿站编号": "xiaoge-01", "驿站现在显示的名称": "长征街小哥驿站", "哪里不对": "搬到了路口东北角，现在有卫生间。",
        "驿站现在的状态": "没有变化", "正确的名称": "", "正确的地址": "忻州市忻府区长征街与七一北路交叉口东北角",
        "正确的开放时间": "", "坐标（经纬度）": "", "坐标是从哪种地图复制的": "",
        "驿站现在实际有的设施": "- [X] 歇脚\n- [X] 饮水\n- [X] 卫生间", "正确的公开电话": "", "个人信息": CHECKED,
    }
    return body(*{**answers, **change}.items())


def test_a_correction_is_shown_as_a_diff_and_applied_keeping_comments(data_copy: Path) -> None:
    path = data_copy / "stations" / "xiaoge-01.yaml"
    before = path.read_text(encoding="utf-8")
    code, output = from_issue(data_copy, correction())
    assert code == 0, output
    assert "-address: 忻州市忻府区长征街与七一北路交叉口西南角沿街门店" in output
    assert "+address: 忻州市忻府区长征街与七一北路交叉口东北角" in output
    assert "+amenities: [rest, water, toilet]" in output and "搬到了路口东北角" in output
    assert path.read_text(encoding="utf-8") == before, "without --apply nothing is written"

    code, output = from_issue(data_copy, correction(), "--apply")
    assert code == 0, output
    after = path.read_text(encoding="utf-8")
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ["address: 忻州市忻府区长征街与七一北路交叉口东北角", "amenities: [rest, water, toilet]"]
    assert [line for line in after.splitlines() if line.startswith("#")] == \
        [line for line in before.splitlines() if line.startswith("#")]


def test_a_correction_of_hours_and_place_keeps_the_exceptions(data_copy: Path) -> None:
    path = data_copy / "stations" / "xiaoge-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '      periods: ["07:00-22:00"]\n',
        '      periods: ["07:00-22:00"]\n'
        '  exceptions:\n    - date: 2027-02-16\n      closed: true\n      note: 春节闭站\n'),
        encoding="utf-8")
    code, output = from_issue(data_copy, correction(**{
        "正确的开放时间": "24h", "坐标（经纬度）": "112.7245,38.4285",
        "坐标是从哪种地图复制的": "百度地图"}), "--apply")
    assert code == 0, output
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert record["hours"]["open_24h"] is True and record["hours"]["exceptions"][0]["note"] == "春节闭站"
    assert "weekly" not in record["hours"]
    assert 38.41 < record["location"]["lat"] < 38.43 and record["location"]["lng"] < 112.7245  # BD-09 → WGS-84


def test_a_correction_that_does_not_validate_leaves_the_file_as_it_was(data_copy: Path) -> None:
    path = data_copy / "stations" / "xiaoge-01.yaml"
    before = path.read_text(encoding="utf-8")
    code, output = from_issue(data_copy, correction(**{"驿站现在的状态": "临时关闭"}), "--apply")
    assert code == 1 and "字段 status" in output and "保持原样" in output, output
    assert "还要手动处理：临时关闭要写明原因" in output
    assert path.read_text(encoding="utf-8") == before


def test_a_correction_for_an_unknown_station_suggests_the_nearest(data_copy: Path) -> None:
    code, output = from_issue(data_copy, correction(**{"驿站编号": "xiaoge-1"}))
    assert code == 1 and "表单项“驿站编号”：没有编号为 xiaoge-1 的驿站" in output and "是不是" in output, output


def test_text_that_is_no_form_is_refused(data_copy: Path) -> None:
    code, output = from_issue(data_copy, "驿站的灯坏了。")
    assert code == 2 and "看不出这是哪一个表单" in output, output
