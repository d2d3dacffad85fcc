"""The workbook's layout, declared once: the export and the template write these headers in this order, the
import recognises them and the variants below, and the editors' guide lists them (tests/test_spreadsheet.py
checks that it does).

A header is compared after NFKC (full-width letters become half-width), without spaces, ``*`` marks and
anything in brackets, so ``名称*``, ``经度（东经）`` and ``联系 电话`` are recognised too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

STATION_SHEET = "驿站"  # the export's and template's sheet; an import reads every sheet with a 名称 column


@dataclass(frozen=True)
class Column:
    key: str  # the station field it fills, as the validator names it: "name", "location.lat"
    header: str  # as the export and the template write it
    variants: tuple[str, ...]  # other headers that mean the same, as district offices write them
    help: str  # Chinese, for the template's 填写说明 sheet and the editors' guide
    width: int = 14  # in the export, in characters
    required: bool = False  # a new station needs it

    @property
    def field(self) -> str:
        """The top-level station field: ``location`` for ``location.lat``."""
        return self.key.split(".")[0]


COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", ("id", "驿站编号", "站点编号", "代码"),
           "网址用的编号：小写英文字母、数字和连字符，如 xiaoge-01。新驿站可以不填，导入时自动编号；"
           "已有的驿站不要改它（改了就成了另一个驿站）。", 14),
    Column("name", "名称", ("驿站名称", "站点名称", "阵地名称", "名字"), "驿站名称，如 光明街小哥驿站。", 26, True),
    Column("type", "类型", ("驿站类型", "站点类型", "类别"), "从下拉列表选：小哥驿站、暖新驿站等。", 20, True),
    Column("status", "状态", ("开放状态", "运营状态"),
           "正常开放、临时关闭或已撤销；不填表示正常开放。临时关闭还要在驿站文件里写原因（见编辑指南）。", 10),
    Column("address", "地址", ("详细地址", "驿站地址", "站点地址"), "详细地址，如 忻州市忻府区光明街8号。", 36, True),
    Column("street", "街道", ("所在街道", "街道乡镇", "街道/乡镇", "乡镇", "乡镇街道"),
           "所在街道或乡镇，如 新建路街道。", 14),
    Column("location.lng", "经度", ("lng", "lon", "longitude", "东经"), "东经，如 112.7336（忻府区约 112.3–113.1）。",
           12, True),
    Column("location.lat", "纬度", ("lat", "latitude", "北纬"), "北纬，如 38.4165（忻府区约 38.2–38.8）。", 12, True),
    Column("location.crs", "坐标系", ("坐标来源", "坐标类型", "拾取地图", "坐标系统"),
           "坐标是从哪里取的：高德/腾讯、百度，还是 GPS/天地图。选错了驿站在地图上会偏几百米到一公里多。", 20, True),
    Column("hours", "开放时间", ("营业时间", "服务时间", "开放时段"),
           "如 9:00-18:00（每天）、周一至周五 9:00-18:00；周六 10:00-16:00、24小时。"
           "一天几段用顿号或逗号隔开，如 8:00-12:00、14:00-18:00；不开放的日子可以写 周日休息。", 36, True),
    Column("amenities", "设施", ("服务设施", "配套设施", "功能"),
           "用顿号隔开，如 饮水、充电、热饭；可写的名称见“选项”工作表。", 30, True),
    Column("phone.number", "电话", ("联系电话", "服务电话", "值班电话", "电话号码"),
           "公开电话，如 0350-3031234；不能写个人手机号。这一列请设为“文本”格式，否则开头的 0 会丢。", 16),
    Column("organisation", "运营单位", ("管理单位", "依托单位", "主管单位", "责任单位", "运营主体"),
           "单位名称，从下拉列表选；新单位要先加进 data/organisations.yaml。", 28, True),
    Column("description", "介绍", ("备注", "简介", "说明"),
           "一两句介绍，会显示在驿站页面上（内部备注不要写在这里）。", 40),
    Column("verified", "核实日期", ("核实时间", "更新日期", "核实"), "最近一次实地核实的日期，如 2026-09-15；"
           "新驿站不填时记为导入当天。", 12),
    Column("sample", "示例数据", ("示例", "样例"), "演示用的虚构数据写“是”；真实驿站不填或写“否”。", 10),
)
BY_KEY = {column.key: column for column in COLUMNS}


def normalise_header(text: object) -> str:
    """``经度（东经）*`` → ``经度``: how headers are compared."""
    plain = unicodedata.normalize("NFKC", str(text or "")).lower()
    plain = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", "", plain)  # （必填）, [选填]: brackets after NFKC are ASCII
    return re.sub(r"[\s*※:]", "", plain)


_HEADERS = {normalise_header(name): column for column in COLUMNS for name in (column.header, *column.variants)}


def recognise(header: object) -> Column | None:
    return _HEADERS.get(normalise_header(header))
