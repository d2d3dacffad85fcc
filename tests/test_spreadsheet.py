"""Spreadsheet import and export (``python -m scripts import|export``), through the real command line.

The workbooks are built here with openpyxl, messy the way district offices' sheets are: a merged title row, a
two-level header, a 街道 cell merged over two stations, empty rows, full-width digits and colons, 高德 and 百度
coordinates, a phone number Excel stored as a number. The GBK CSV is written as bytes in GBK.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import ROOT, run_cli
from scripts.editors.spreadsheet.columns import COLUMNS
from scripts.editors.spreadsheet.plan import Planned

TITLE = "忻府区新就业群体驿站名单（2026年11月）"
UNION = "忻府区总工会"  # an organisation's name in data/organisations.yaml


def snapshot(data_dir: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time: an import that changes nothing leaves both as they were."""
    return {p.relative_to(data_dir).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(data_dir.rglob("*")) if p.is_file()}


def station(data_dir: Path, station_id: str) -> dict:
    return yaml.safe_load((data_dir / "stations" / f"{station_id}.yaml").read_text(encoding="utf-8"))


def imported(data_dir: Path, *args: str | Path):
    return run_cli("--data", data_dir, "import", *args)


def new_ids(before: dict, data_dir: Path) -> list[str]:
    return sorted(p.stem for p in (data_dir / "stations").glob("*.yaml") if f"stations/{p.name}" not in before)


def messy_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "驿站"
    headers = ["序号", "名称", "类型", "地址", "街道", "坐标", "坐标", "坐标来源", "营业时间", "设施", "联系电话",
               "运营单位", "备注"]
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    sheet.append([None] * 5 + ["经度", "纬度"])
    sheet.merge_cells("F2:G2")  # 坐标 over 经度 and 纬度
    for column in [1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13]:  # every other header spans both header rows
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    sheet.append([1, "  光明街快递小哥驿站 ", "小哥驿站", "忻州市忻府区光明街18号", "光明街道", 112.7289, "38.4201",
                  "高德", "9：00—18：00", "饮水、充电、热饭", 3503031234, UNION, "快递网点门口，有遮阳棚。"])
    sheet.append([2, "长征街暖新驿站", "暖新", "忻州市忻府区长征街66号", None, "１１２．７４１２", "３８．４１２３",
                  "百度地图", "周一至周五 9:00-18:00；周六 10:00-16:00", "歇脚，WiFi，厕所", "0350－3031235", UNION,
                  None])
    sheet.merge_cells("E4:E5")  # one street for both stations
    sheet.append([])
    sheet.append([None] * len(headers))
    sheet.append([3, "建设路全天驿站", "xiaoge", "忻州市忻府区建设北路9号 ", "\u3000新建路街道", 112.7301, 38.4105,
                  "GPS", "全天", "rest、water", "12345", UNION, None])
    sheet.append([4, "和平街夜间驿站", "小哥", "忻州市忻府区和平街3号", "新建路街道", 112.7251, 38.4178,
                  "天地图", "周一至周日 24小时", "雨具", None, UNION, None])
    book.save(path)
    return path


def test_a_messy_workbook_becomes_valid_station_files(data_copy: Path, tmp_path: Path) -> None:
    before = snapshot(data_copy)
    result = imported(data_copy, messy_workbook(tmp_path / "驿站.xlsx"), "--write")
    assert result.exit_code == 0, result.output
    assert "表头在第 2 行，4 行驿站" in result.output and "没有用到的列（ignored）：序号" in result.output
    assert "已补回为 0350-3031234" in result.output  # the 0 Excel dropped from a number cell
    created = new_ids(before, data_copy)
    assert created == ["nuanxin-04", "xiaoge-31", "xiaoge-32", "xiaoge-33"], result.output
    records = {station(data_copy, i)["name"]: station(data_copy, i) for i in created}

    gaode = records["光明街快递小哥驿站"]
    assert gaode["location"] == {"lat": 38.4201, "lng": 112.7289, "crs": "gcj02"}  # converted by the build
    assert gaode["hours"] == {"weekly": [{"days": ["mo", "tu", "we", "th", "fr", "sa", "su"],
                                          "periods": ["09:00-18:00"]}]}
    assert gaode["amenities"] == ["water", "charging", "microwave"]
    assert gaode["phone"] == {"number": "0350-3031234"}
    assert gaode["organisation"] == "xinfu-union" and gaode["street"] == "光明街道"
    assert gaode["description"] == "快递网点门口，有遮阳棚。" and gaode["verified"].isoformat() == "2026-11-28"

    baidu = records["长征街暖新驿站"]
    assert baidu["type"] == "nuanxin" and baidu["street"] == "光明街道"  # from the merged cell
    assert baidu["location"] == {"lat": 38.4123, "lng": 112.7412, "crs": "bd09"}
    assert baidu["hours"]["weekly"] == [{"days": ["mo", "tu", "we", "th", "fr"], "periods": ["09:00-18:00"]},
                                        {"days": ["sa"], "periods": ["10:00-16:00"]}]
    assert baidu["amenities"] == ["rest", "wifi", "toilet"] and baidu["phone"]["number"] == "0350-3031235"

    assert records["建设路全天驿站"]["hours"] == {"open_24h": True}
    assert records["建设路全天驿站"]["address"] == "忻州市忻府区建设北路9号"
    assert records["建设路全天驿站"]["street"] == "新建路街道"
    assert records["和平街夜间驿站"]["hours"] == {"open_24h": True}

    text = (data_copy / "stations" / "xiaoge-31.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/station.schema.json")
    assert "# 坐标从高德或腾讯地图拾取（GCJ-02）" in text and "表格 驿站.xlsx 导入" in text  # the scaffold's comments
    validated = run_cli("--data", data_copy, "validate")
    assert validated.exit_code == 0, validated.output


def gbk_csv(path: Path) -> Path:
    rows = [
        "名称,类型,地址,经度,纬度,坐标系,开放时间,设施,电话,运营单位,核实日期",
        "秀容书院小哥驿站 ,小哥驿站,忻州市忻府区秀容书院东门,112.7199,38.4188,高德地图,"
        "\"周一至周五 ８:00-12:00、14:00-18:00；周六日休息\",饮水、充电,3503031240,忻府区总工会,2026/11/20",
        ",,,,,,,,,,",
        "九原街暖新驿站,暖新驿站,忻州市忻府区九原街1号,112.7350,38.4150,GPS,24小时,热水、微波炉,0350-3031241,"
        "忻府区总工会,2026年11月21日",
    ]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    return path


def test_a_gbk_csv_as_wps_saves_it(data_copy: Path, tmp_path: Path) -> None:
    before = snapshot(data_copy)
    result = imported(data_copy, gbk_csv(tmp_path / "驿站.csv"), "--write")
    assert result.exit_code == 0, result.output
    assert "GBK 编码" in result.output
    records = {station(data_copy, i)["name"]: station(data_copy, i) for i in new_ids(before, data_copy)}
    shuyuan = records["秀容书院小哥驿站"]
    assert shuyuan["hours"] == {"weekly": [{"days": ["mo", "tu", "we", "th", "fr"],
                                            "periods": ["08:00-12:00", "14:00-18:00"]}]}
    assert shuyuan["location"]["crs"] == "gcj02" and shuyuan["phone"]["number"] == "0350-3031240"
    assert shuyuan["verified"].isoformat() == "2026-11-20"
    jiuyuan = records["九原街暖新驿站"]
    assert jiuyuan["amenities"] == ["water", "microwave"] and jiuyuan["hours"] == {"open_24h": True}
    assert jiuyuan["verified"].isoformat() == "2026-11-21"
    assert run_cli("--data", data_copy, "validate").exit_code == 0


def test_importing_the_same_sheet_again_changes_nothing(data_copy: Path, tmp_path: Path) -> None:
    sheet = messy_workbook(tmp_path / "驿站.xlsx")
    assert imported(data_copy, sheet, "--write").exit_code == 0
    before = snapshot(data_copy)
    again = imported(data_copy, sheet, "--write")
    assert again.exit_code == 0, again.output
    assert "没有要改的" in again.output and "不变 4 个" in again.output
    assert snapshot(data_copy) == before


def test_a_dry_run_shows_the_plan_and_writes_nothing(data_copy: Path, tmp_path: Path) -> None:
    before = snapshot(data_copy)
    result = imported(data_copy, messy_workbook(tmp_path / "驿站.xlsx"))
    assert result.exit_code == 0, result.output
    assert re.search(r"第\s+4 行  新建  xiaoge-31\s+光明街快递小哥驿站", result.output), result.output
    assert "新建 4 个，更新 0 个，不变 0 个" in result.output and "预演（dry run）" in result.output
    assert snapshot(data_copy) == before


BAD_ROWS = [
    # name, type, address, lng, lat, crs, hours, amenities, organisation
    ["坏坐标驿站", "小哥驿站", "忻州市忻府区一路1号", 112.73, "北纬38度", "高德", "9:00-18:00", "饮水", UNION],
    ["坏时间驿站", "小哥驿站", "忻州市忻府区二路2号", 112.73, 38.41, "高德", "看情况", "按摩椅", UNION],
    ["坏类型驿站", "小哥站点", "忻州市忻府区三路3号", 112.73, 38.41, "谷歌", "9:00-18:00", "饮水", "某某公司"],
    ["区外驿站", "小哥驿站", "北京市东城区", 116.40, 39.90, "高德", "9:00-18:00", "饮水", UNION],
    ["缺单位驿站", "小哥驿站", "忻州市忻府区四路4号", 112.73, 38.41, "GPS", "9:00-09:00", "饮水", None],
]
BAD_HEADERS = ["名称", "类型", "地址", "经度", "纬度", "坐标系", "开放时间", "设施", "运营单位"]
# Every problem, with where it is: one run reports them all.
EXPECTED_PROBLEMS = [
    "工作表“驿站” 第 2 行“纬度”列（E2）：不是数字：北纬38度",
    "工作表“驿站” 第 3 行“开放时间”列（G3）：时段格式不对：开放时间里“看情况”看不懂",
    "工作表“驿站” 第 3 行“设施”列（H3）：没有 按摩椅 这一项",
    "工作表“驿站” 第 4 行“类型”列（B4）：没有 小哥站点 这一项",
    "工作表“驿站” 第 4 行“坐标系”列（F4）：不认识坐标系“谷歌”",
    "工作表“驿站” 第 4 行“运营单位”列（I4）：没有 某某公司 这一项",
    "工作表“驿站” 第 5 行“纬度”列（E5）：坐标 (39.9, 116.4) 不在辖区范围内",  # the validator's, at the sheet's cell
    "工作表“驿站” 第 6 行“运营单位”列（I6）：新驿站要填“运营单位”",
]


def test_every_bad_cell_is_reported_by_sheet_row_and_column_and_nothing_is_written(
        data_copy: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "驿站"
    book.active.append(BAD_HEADERS)
    for row in BAD_ROWS:
        book.active.append(row)
    book.active.append(["好驿站", "小哥驿站", "忻州市忻府区五路5号", 112.73, 38.41, "GPS", "9:00-18:00", "饮水", UNION])
    book.save(tmp_path / "驿站.xlsx")
    before = snapshot(data_copy)
    for write in ([], ["--write"]):
        result = imported(data_copy, tmp_path / "驿站.xlsx", *write)
        assert result.exit_code == 1, result.output
        missing = [p for p in EXPECTED_PROBLEMS if f"驿站.xlsx {p}" not in result.output]
        assert missing == [], result.output
        assert "Traceback" not in result.output and "没有写入任何文件" in result.output
        assert "修改建议：" in result.output
        assert snapshot(data_copy) == before


def test_a_zero_length_period_is_the_validators_message_at_the_cell(data_copy: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "驿站"
    book.active.append(BAD_HEADERS)
    book.active.append(["零时段驿站", "小哥驿站", "忻州市忻府区四路4号", 112.73, 38.41, "GPS", "9:00-09:00", "饮水",
                        UNION])
    book.save(tmp_path / "驿站.xlsx")
    result = imported(data_copy, tmp_path / "驿站.xlsx")
    assert result.exit_code == 1
    assert "第 2 行“开放时间”列（G2）：时段的开始和结束相同：09:00-09:00" in result.output, result.output


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_is_the_identity_on_the_shipped_data(data_copy: Path, tmp_path: Path, suffix: str) -> None:
    exported = tmp_path / f"全部驿站{suffix}"
    result = run_cli("--data", data_copy, "export", exported)
    assert result.exit_code == 0, result.output
    before = snapshot(data_copy)
    again = imported(data_copy, exported, "--write")
    assert again.exit_code == 0, again.output
    count = len(list((data_copy / "stations").glob("*.yaml")))
    assert f"新建 0 个，更新 0 个，不变 {count} 个" in again.output, again.output
    assert snapshot(data_copy) == before


def test_the_export_keeps_the_sample_mark_and_the_files_own_coordinates(data_copy: Path, tmp_path: Path) -> None:
    run_cli("--data", data_copy, "export", tmp_path / "x.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx")["驿站"]
    headers = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["xiaoge-07"]["示例数据"] == "是"
    assert (rows["xiaoge-07"]["经度"], rows["xiaoge-07"]["坐标系"]) == (112.71134, "高德/腾讯（GCJ-02）")
    assert rows["nuanxin-01"]["开放时间"] == "周一至周五 08:00-18:30；周六、周日 09:00-17:00"


def test_a_changed_cell_updates_only_that_value_and_keeps_the_rest_of_the_file(data_copy: Path, tmp_path: Path) -> None:
    run_cli("--data", data_copy, "export", tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    sheet = book["驿站"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "xiaoge-07":
            row[headers.index("开放时间")].value = "周一至周五 7:00-22:00；周六、周日 8:00-20:00"
            row[headers.index("电话")].value = None  # empty: keeps the file's value (it has none), deletes nothing
    book.save(tmp_path / "x.xlsx")
    path = data_copy / "stations" / "xiaoge-07.yaml"
    original = path.read_text(encoding="utf-8")
    before = snapshot(data_copy)
    result = imported(data_copy, tmp_path / "x.xlsx", "--write")
    assert result.exit_code == 0, result.output
    assert re.search(r"更新  xiaoge-07 .* 改：开放时间", result.output) and "更新 1 个" in result.output
    after = snapshot(data_copy)
    assert [name for name in after if after[name] != before[name]] == ["stations/xiaoge-07.yaml"]
    text = path.read_text(encoding="utf-8")
    assert "# 坐标从高德地图坐标拾取器复制（GCJ-02）" in text  # comments kept
    assert text.split("hours:")[0] == original.split("hours:")[0]  # everything above the hours as it was
    assert station(data_copy, "xiaoge-07")["hours"]["weekly"][1] == {"days": ["sa", "su"], "periods": ["08:00-20:00"]}


def test_the_template_has_drop_down_lists_and_a_lists_sheet(data_copy: Path, tmp_path: Path) -> None:
    result = run_cli("--data", data_copy, "export", "--template", tmp_path / "模板.xlsx")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "模板.xlsx")
    assert book.sheetnames == ["驿站", "填写说明", "选项"]
    sheet = book["驿站"]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS] and sheet.max_row == 1
    letter = {c.value: c.column_letter for c in sheet[1]}
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    for header in ("类型", "坐标系", "状态", "运营单位", "示例数据"):
        assert f"{letter[header]}2:{letter[header]}1000" in lists, lists
    options = book["选项"]
    column = {c.value: c.column_letter for c in options[1]}
    type_range = lists[f"{letter['类型']}2:{letter['类型']}1000"]
    assert f"${column['类型']}$2" in type_range
    assert "小哥驿站" in [c.value for c in options[column["类型"]]]
    assert "充电" in [c.value for c in options[column["设施"]]]  # 设施: listed, with a hint on the column
    prompts = {str(v.sqref): v.prompt for v in sheet.data_validations.dataValidation}
    assert "顿号" in prompts[f"{letter['设施']}2:{letter['设施']}1000"]
    # The import reads the template as an empty station list, not its lists or help sheet.
    empty = imported(data_copy, tmp_path / "模板.xlsx")
    assert empty.exit_code == 0 and "0 行驿站" in empty.output, empty.output


def test_the_site_offers_the_template_and_its_bytes_do_not_change(data_copy: Path) -> None:
    from scripts.outputs.open_data import IMPORT_TEMPLATE_PATH, import_template
    from scripts.pipeline.build import Project, load_catalogue

    catalogue = load_catalogue(Project(data_dir=data_copy))
    assert import_template(catalogue) == import_template(catalogue)  # a build is byte-identical
    guide = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    assert f"]({IMPORT_TEMPLATE_PATH})" in guide


def test_the_guide_lists_every_column() -> None:
    guide = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    section = guide.split("{#spreadsheet}")[1].split("\n## ")[0]
    missing = [c.header for c in COLUMNS if f"| {c.header} |" not in section]
    assert missing == [], missing


def test_an_unreadable_file_is_one_clear_message(data_copy: Path, tmp_path: Path) -> None:
    (tmp_path / "驿站.xls").write_bytes(b"\xd0\xcf\x11\xe0old excel")
    result = imported(data_copy, tmp_path / "驿站.xls")
    assert result.exit_code == 2 and "旧的 .xls 格式读不了" in result.output and "Traceback" not in result.output
    (tmp_path / "坏.xlsx").write_bytes(b"not a zip")
    result = imported(data_copy, tmp_path / "坏.xlsx")
    assert result.exit_code == 2 and "打不开这个 Excel 文件" in result.output and "Traceback" not in result.output


ALL_WEEK = ["mo", "tu", "we", "th", "fr", "sa", "su"]


@pytest.mark.parametrize(("cell", "hours"), [
    ("9:00-18:00", {"weekly": [{"days": ALL_WEEK, "periods": ["09:00-18:00"]}]}),
    ("９：００—１８：００ ", {"weekly": [{"days": ALL_WEEK, "periods": ["09:00-18:00"]}]}),
    ("9点-18点半", {"weekly": [{"days": ALL_WEEK, "periods": ["09:00-18:30"]}]}),
    ("全天", {"open_24h": True}),
    ("24小时", {"open_24h": True}),
    ("周一至周日 24小时", {"open_24h": True}),
    ("每天 22:00-次日02:00", {"weekly": [{"days": ALL_WEEK, "periods": ["22:00-02:00"]}]}),
    ("8:00-12:00、14:00-18:00", {"weekly": [{"days": ALL_WEEK, "periods": ["08:00-12:00", "14:00-18:00"]}]}),
    ("周一至周五 9:00-18:00；周六 10:00-16:00", {"weekly": [{"days": ALL_WEEK[:5], "periods": ["09:00-18:00"]},
                                                       {"days": ["sa"], "periods": ["10:00-16:00"]}]}),
    ("工作日 9:00至17:00 周末 10:00-15:00", {"weekly": [{"days": ALL_WEEK[:5], "periods": ["09:00-17:00"]},
                                                    {"days": ["sa", "su"], "periods": ["10:00-15:00"]}]}),
    ("星期一、三、五 8:00-20:00；周日休息", {"weekly": [{"days": ["mo", "we", "fr"], "periods": ["08:00-20:00"]}]}),
])
def test_hours_as_people_write_them(cell: str, hours: dict) -> None:
    from scripts.editors.spreadsheet.cells import hours_text, parse_hours

    assert parse_hours(cell) == hours
    assert parse_hours(hours_text(hours)) == hours  # what the export writes reads back the same


@pytest.mark.parametrize(("cell", "message"), [
    ("看情况", "看不懂"), ("周一至周一 9:00-18:00", "同一天"),
    ("每天 9:00-18:00；周六 10:00-16:00", "周六写了不止一次"), ("9-18", "看不懂"), ("周日休息", "看不出开放时间"),
])
def test_hours_that_cannot_be_read_say_why(cell: str, message: str) -> None:
    from scripts.editors.spreadsheet.cells import CellError, parse_hours

    with pytest.raises(CellError, match=message):
        parse_hours(cell)


@pytest.mark.parametrize(("cell", "number", "restored"), [
    (3503031234, "0350-3031234", True),  # a number cell: Excel dropped the 0
    ("3503031234", "0350-3031234", True),  # the same, after a round through a CSV
    (1062345678, "010-62345678", True),  # a two-digit area code
    ("0350－3031234", "0350-3031234", False),
    (12345, "12345", False),  # a short service number has no 0 to lose
    ("(0350)3031234", "0350-3031234", False),
])
def test_phone_numbers_excel_mangled(cell: object, number: str, restored: bool) -> None:
    from scripts.editors.spreadsheet.cells import parse_phone

    assert parse_phone(cell)[0] == number and bool(parse_phone(cell)[1]) == restored


def test_a_phone_number_in_scientific_notation_is_refused() -> None:
    from scripts.editors.spreadsheet.cells import CellError, parse_phone

    with pytest.raises(CellError, match="科学计数法"):
        parse_phone("3.50303E+09")


# --- review fixes: each test below failed before its fix ------------------------------------------------------


def exported_rows(data_dir: Path, path: Path) -> tuple[openpyxl.Workbook, list[str]]:
    """The shipped stations exported to ``path``, opened for editing; the 驿站 sheet's headers."""
    result = run_cli("--data", data_dir, "export", path)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    return book, [c.value for c in book["驿站"][1]]


def edit_cell(book: openpyxl.Workbook, headers: list[str], station_id: str, header: str, value: object) -> None:
    for row in book["驿站"].iter_rows(min_row=2):
        if row[0].value == station_id:
            row[headers.index(header)].value = value


def test_a_new_phone_number_does_not_inherit_the_old_ones_public_line(data_copy: Path, tmp_path: Path) -> None:
    path = data_copy / "stations" / "xiaoge-07.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "verified:", 'phone:\n  number: "13912345678"\n  public_line: true\n  label: 服务专线\nverified:'),
        encoding="utf-8")
    assert run_cli("--data", data_copy, "validate").exit_code == 0  # the approved public line
    book, headers = exported_rows(data_copy, tmp_path / "x.xlsx")
    edit_cell(book, headers, "xiaoge-07", "电话", "13800001111")  # someone's own mobile, not approved
    book.save(tmp_path / "x.xlsx")
    before = snapshot(data_copy)
    result = imported(data_copy, tmp_path / "x.xlsx", "--write")
    assert result.exit_code == 1, result.output
    assert "包含手机号码（personal mobile number）" in result.output
    assert snapshot(data_copy) == before


def test_a_row_for_a_station_file_that_cannot_be_read_is_a_problem(data_copy: Path, tmp_path: Path) -> None:
    broken = data_copy / "stations" / "xiaoge-05.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("name:", "name: [", 1), encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "驿站"
    sheet.append(["编号", *BAD_HEADERS])
    sheet.append(["xiaoge-05", "光明街小哥驿站", "小哥驿站", "忻州市忻府区五路5号", 112.73, 38.41, "GPS", "9:00-18:00",
                  "饮水", UNION])
    sheet.append([None, "好驿站", "小哥驿站", "忻州市忻府区六路6号", 112.73, 38.41, "GPS", "9:00-18:00", "饮水", UNION])
    book.save(tmp_path / "x.xlsx")
    before = snapshot(data_copy)
    result = imported(data_copy, tmp_path / "x.xlsx", "--write")
    assert result.exit_code == 1, result.output
    fix_first = r"第 2 行“编号”列（A2）：先修好这个文件 data/stations/xiaoge-05\.yaml：第 \d+ 行："
    assert re.search(fix_first, result.output), result.output
    assert "刚被别人新建了" not in result.output and snapshot(data_copy) == before


def test_writing_stops_before_any_file_changes_when_a_new_files_name_is_taken(tmp_path: Path) -> None:
    from scripts.editors.spreadsheet.stage import WriteFailed, write_files
    from scripts.editors.spreadsheet.table import Row, Table

    table = Table("x.xlsx", "驿站", 1, {}, {})
    old = tmp_path / "a.yaml"
    old.write_text("old\n", encoding="utf-8")
    taken = tmp_path / "b.yaml"
    taken.write_text("someone else's\n", encoding="utf-8")
    plans = [Planned(table, Row(2, {}), "update", "a", old, {}, {}, text="new\n"),
             Planned(table, Row(3, {}), "create", "b", taken, {}, {}, text="mine\n")]
    with pytest.raises(WriteFailed, match="b.yaml 刚被别人新建了") as failed:
        write_files(plans)
    assert failed.value.written == []
    assert old.read_text(encoding="utf-8") == "old\n" and taken.read_text(encoding="utf-8") == "someone else's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]  # no temporary file left


def test_a_write_that_fails_half_way_says_which_files_were_written(tmp_path: Path) -> None:
    from scripts.editors.spreadsheet.stage import WriteFailed, write_files
    from scripts.editors.spreadsheet.table import Row, Table

    table = Table("x.xlsx", "驿站", 1, {}, {})
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("old\n", encoding="utf-8")
    second.mkdir()  # a folder where a file should be: renaming onto it fails after a.yaml is in place
    plans = [Planned(table, Row(2, {}), "update", "a", first, {}, {}, text="new\n"),
             Planned(table, Row(3, {}), "update", "b", second, {}, {}, text="new\n")]
    with pytest.raises(WriteFailed, match="b.yaml 写不进去") as failed:
        write_files(plans)
    assert failed.value.written == [first] and first.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def zip_with(path: Path, member: str, change: object) -> None:
    """Rewrite one part of a saved workbook: ``change`` maps its bytes to new bytes."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[member] = change(parts[member])  # type: ignore[operator]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize(("name", "content", "says"), [
    ("坏表.xlsx", None, "打不开这个 Excel 文件，文件可能损坏了"),
    ("加密.xlsx", OLE + "EncryptedPackage".encode("utf-16-le") + bytes(64), "设了打开密码"),
    ("改名.xlsx", OLE + "Workbook".encode("utf-16-le") + bytes(64), "旧的 Excel 97-2003 格式"),
    ("旧表.xls", OLE, "旧的 Excel 97-2003 格式"),
    ("长.csv", ("名称,类型,地址\n\"" + "长" * 140_000 + "\",小哥驿站,忻州市\n").encode(), "第 2 行读不了"),
])
def test_files_that_cannot_be_read_say_what_they_are(data_copy: Path, tmp_path: Path, name: str,
                                                     content: bytes | None, says: str) -> None:
    path = tmp_path / name
    if content is None:  # a zip that opens, with sheet XML cut short
        messy_workbook(path)
        zip_with(path, "xl/worksheets/sheet1.xml", lambda data: data[:len(data) // 2])
    else:
        path.write_bytes(content)
    result = imported(data_copy, path)
    assert result.exit_code == 2 and says in result.output, result.output
    assert "Traceback" not in result.output and "not a zip file" not in result.output


def test_export_reads_station_files_as_validate_does(data_copy: Path, tmp_path: Path) -> None:
    path = data_copy / "stations" / "xiaoge-07.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("street: 新建路街道", "street: No"), encoding="utf-8")
    assert run_cli("--data", data_copy, "validate").exit_code == 0  # YAML 1.2: the street called "No"
    book, headers = exported_rows(data_copy, tmp_path / "x.xlsx")
    row = next(r for r in book["驿站"].iter_rows(min_row=2, values_only=True) if r[0] == "xiaoge-07")
    assert row[headers.index("街道")] == "No"
    again = imported(data_copy, tmp_path / "x.xlsx")
    assert again.exit_code == 0 and "没有要改的" in again.output, again.output


def test_hidden_sheets_and_rows_are_left_out_and_said_so(data_copy: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "驿站"
    sheet.append(BAD_HEADERS)
    sheet.append(["看得见的驿站", "小哥驿站", "忻州市忻府区五路5号", 112.73, 38.41, "GPS", "9:00-18:00", "饮水", UNION])
    sheet.append(["筛选掉的驿站", "小哥驿站", "忻州市忻府区六路6号", 112.73, 38.41, "GPS", "9:00-18:00", "饮水", UNION])
    sheet.row_dimensions[3].hidden = True
    old = book.create_sheet("旧名单")
    old.append(BAD_HEADERS)
    old.append(["旧驿站", "小哥驿站", "忻州市忻府区七路7号", 112.73, 38.41, "GPS", "9:00-18:00", "饮水", UNION])
    old.sheet_state = "hidden"
    book.save(tmp_path / "x.xlsx")
    result = imported(data_copy, tmp_path / "x.xlsx")
    assert result.exit_code == 0, result.output
    assert "工作表“旧名单”是隐藏的，没有导入" in result.output
    assert "隐藏或被筛选掉的行没有导入（hidden rows skipped）：第 3 行" in result.output
    assert "新建 1 个" in result.output and "筛选掉的驿站" not in result.output.split("没有导入")[-1]


def test_a_formula_is_read_by_its_result_and_one_without_a_result_is_a_problem(
        data_copy: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "驿站"
    sheet.append(BAD_HEADERS)
    sheet.append(["公式驿站", "小哥驿站", "忻州市忻府区五路5号", "=112.7+0.03", 38.41, "GPS", "9:00-18:00", "饮水",
                  UNION])
    sheet.append(["没算过的驿站", "小哥驿站", "忻州市忻府区六路6号", 112.73, "=38+0.41", "GPS", "9:00-18:00", "饮水",
                  UNION])
    book.save(tmp_path / "x.xlsx")
    # As Excel saves it: the result cached beside the formula (openpyxl writes none). Only D2 gets one.
    cached = rb"(<c r=\"D2\"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?"
    zip_with(tmp_path / "x.xlsx", "xl/worksheets/sheet1.xml", lambda xml: re.sub(cached, rb"\1<v>112.73</v>", xml))
    result = imported(data_copy, tmp_path / "x.xlsx")
    assert result.exit_code == 1, result.output
    assert "第 3 行“纬度”列（E3）：单元格是公式但没有计算结果" in result.output
    assert "请在 Excel/WPS 里打开并保存，或复制后“粘贴为数值”" in result.output
    assert "D2" not in result.output  # the cached result was read


def test_float_noise_in_a_coordinate_changes_nothing(data_copy: Path, tmp_path: Path) -> None:
    book, headers = exported_rows(data_copy, tmp_path / "x.xlsx")
    edit_cell(book, headers, "xiaoge-07", "经度", 112.71134 + 1e-10)  # as a computed cell holds it
    book.save(tmp_path / "x.xlsx")
    before = snapshot(data_copy)
    result = imported(data_copy, tmp_path / "x.xlsx", "--write")
    assert result.exit_code == 0 and "更新 0 个" in result.output, result.output
    assert snapshot(data_copy) == before


def test_a_nan_coordinate_is_one_problem(data_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(",".join(BAD_HEADERS) + "\n南驿站,小哥驿站,忻州市忻府区五路5号,nan,38.41,GPS,9:00-18:00,饮水,"
                    + UNION + "\n", encoding="utf-8")
    result = imported(data_copy, path)
    assert result.exit_code == 1, result.output
    assert "第 2 行“经度”列（D2）：不是数字：nan" in result.output and "共 1 个问题" in result.output, result.output


def test_export_does_not_overwrite_a_file_without_force(data_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"a filled-in sheet")
    refused = run_cli("--data", data_copy, "export", path)
    assert refused.exit_code == 2 and "已经存在" in refused.output and "--force" in refused.output
    assert path.read_bytes() == b"a filled-in sheet"
    forced = run_cli("--data", data_copy, "export", path, "--force")
    assert forced.exit_code == 0, forced.output
    assert path.read_bytes().startswith(b"PK")


@pytest.mark.parametrize(("cell", "hours"), [
    ("每天9:00-18:00；周一闭馆", {"weekly": [{"days": ALL_WEEK[1:], "periods": ["09:00-18:00"]}]}),
    ("9:00-18:00，周日休息", {"weekly": [{"days": ALL_WEEK[:6], "periods": ["09:00-18:00"]}]}),
    ("周五至周一 9:00-18:00", {"weekly": [{"days": ["mo", "fr", "sa", "su"], "periods": ["09:00-18:00"]}]}),
])
def test_closed_days_and_ranges_round_the_week(cell: str, hours: dict) -> None:
    from scripts.editors.spreadsheet.cells import parse_hours

    assert parse_hours(cell) == hours


@pytest.mark.parametrize("typed", ["9:00-18:00", "9：00-18：00", "０９：００-１８：００"])
def test_new_station_reads_hours_as_the_spreadsheet_does(data_copy: Path, typed: str) -> None:
    from scripts.editors.scaffold import SCAFFOLDS

    args = SCAFFOLDS["station"].example.split()[5:]  # after "python -m scripts new station"
    args[args.index("--hours") + 1] = typed
    before = set((data_copy / "stations").iterdir())
    result = run_cli("--data", data_copy, "new", "station", *args)
    assert result.exit_code == 0, result.output
    (created,) = set((data_copy / "stations").iterdir()) - before
    assert yaml.safe_load(created.read_text(encoding="utf-8"))["hours"]["weekly"][0]["periods"] == ["09:00-18:00"]


def test_every_coordinate_system_label_reads_back() -> None:
    from scripts.editors.spreadsheet.cells import parse_crs
    from scripts.rules.coords import COORDINATE_SYSTEMS, crs_named

    for crs, system in COORDINATE_SYSTEMS.items():
        assert crs_named(system.label) == crs and parse_crs(system.label) == crs
