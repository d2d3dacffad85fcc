"""The shared field types and parts, and the models of the first record types (a type added later, such as
活动 in ``event.py``, brings its model in its own module). What else a type declares is its registry entry
(``registry.py``).

Validation, the JSON Schemas editors' tools use (``data/schemas/``, written by ``python -m scripts schema``)
and the generated field table (the site's 数据字段一览 page) are derived from the models. Field descriptions
are Chinese because editors read them in their editor's tooltips. The editors' guide (``docs/editors.md``)
is hand-written; tests/test_editors.py checks that it mentions every station field and quotes the
validator's messages as it prints them.

Vocabulary keys (station types, amenities, service kinds, story categories, event kinds)
are plain strings in the records that use them: the vocabulary itself is data
(``data/vocabularies.yaml``, whose keys must match ``VOCABULARY_KEY_PATTERN``)
and the cross-record check resolves them with a "did you mean" hint. The JSON
Schema generator adds the current keys as ``enum`` so editors get completion.

Every text field has a maximum length (``limits.py``), which the JSON Schema carries too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)

from ..pipeline.limits import (
    MAX_ID_CHARS,
    MAX_KEY_CHARS,
    MAX_MARKDOWN_CHARS,
    MAX_NAME_CHARS,
    MAX_PATH_CHARS,
    MAX_TEXT_CHARS,
    MAX_URL_CHARS,
)

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PERIOD_PATTERN = r"^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$"
PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
VOCABULARY_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"

Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        max_length=MAX_ID_CHARS,
        description="唯一编号：小写英文字母、数字和连字符，如 xiaoge-01；它决定页面网址，发布后不要再改。",
    ),
]
Ref = Annotated[str, Field(max_length=MAX_ID_CHARS, description="引用另一条记录的 id。")]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS, description="名称或标题，纯文本。")]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS, description="纯文本，不能包含 HTML。")]
Markdown = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_MARKDOWN_CHARS,
        description="Markdown 文本（可用 **加粗**、列表、链接），不能包含 HTML 标签。",
    ),
]
VocabularyKey = Annotated[
    str,
    Field(
        pattern=VOCABULARY_KEY_PATTERN,
        max_length=MAX_KEY_CHARS,
        description="词表的键：小写英文字母开头，只用小写英文字母、数字和下划线，如 first_aid。",
    ),
]
# Where a record names a vocabulary key: no pattern, so that 充电 is answered with "是不是想写 charging".
VocabularyRef = Annotated[str, Field(max_length=MAX_KEY_CHARS)]
MAX_OVERNIGHT_MINUTES = 20 * 60  # 09:00-08:59 would be 23 h 59 min: a typo, or a 24-hour station


def _hour_in_range(value: object) -> object:
    """``22:00-30:00`` is how some write "until 6 the next morning"; say how the model writes it."""
    if isinstance(value, str):
        for clock in re.findall(r"(\d{1,2}):\d{2}", value):
            if int(clock) > 24:
                raise BrokenRule(f"时段里的钟点超过 24：{value}（hour out of range）。",
                                 "跨夜的时段写成 22:00-06:00：结束比开始早，就表示开到次日；到午夜写 24:00。")
    return value


def _plausible_period(value: str) -> str:
    """A period opens and closes at different times, and an overnight one is not most of two days."""
    opens, closes = value.split("-")
    start = int(opens[:2]) * 60 + int(opens[3:])
    end = int(closes[:2]) * 60 + int(closes[3:])
    if start == end:
        raise BrokenRule(f"时段的开始和结束相同：{value}（zero-length period）。",
                         "全天开放写 open_24h: true；否则改正开始或结束的时间。")
    length = end - start if end > start else end + 24 * 60 - start
    if end < start and length > MAX_OVERNIGHT_MINUTES:
        raise BrokenRule(f"这个跨夜时段长达 {length // 60} 小时 {length % 60} 分：{value}（period too long）。",
                         "结束比开始早表示开到次日，如 22:00-06:00。全天开放写 open_24h: true；"
                         "是不是把开始和结束写反了？")
    return value


Period = Annotated[
    str,
    BeforeValidator(_hour_in_range),
    Field(
        pattern=PERIOD_PATTERN,
        # Repeated for the schema: between the two validators pydantic leaves the pattern out of it.
        json_schema_extra={"pattern": PERIOD_PATTERN},
        description="时段，24 小时制，如 08:00-20:00；跨夜写 22:00-06:00（最长 20 小时）；到午夜写 24:00。",
        examples=["08:00-20:00"],
    ),
    AfterValidator(_plausible_period),
]
Day = Literal["mo", "tu", "we", "th", "fr", "sa", "su"]
DAY_NAMES: dict[str, str] = {
    "mo": "周一", "tu": "周二", "we": "周三", "th": "周四",
    "fr": "周五", "sa": "周六", "su": "周日",
}
StationStatus = Literal["open", "temporarily_closed", "closed"]
CoordinateSystem = Literal["wgs84", "gcj02", "bd09"]


class BrokenRule(ValueError):
    """A rule a record breaks, with the Chinese message and fix hint the editor sees. Models of one record type
    raise it from their validators, so the type's messages live with the type."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


def _date_written_as_text(value: object) -> object:
    """A date is written 2026-05-01, as the schema says; on its own pydantic would read 0 as 1970-01-01."""
    if isinstance(value, int | float):  # true and false too
        raise BrokenRule(f"日期无效：{value!r}（invalid date）。", "写成 2026-05-01 这样的格式，并确认这一天存在。")
    return value


# Strict like the schema VS Code checks with: a number is not a date, 0 and 1 are not true and false (StrictBool),
# true is not a number (StrictInt, StrictFloat), "12" is not 12.
Date = Annotated[dt.date, BeforeValidator(_date_written_as_text)]


class Model(BaseModel):
    """Strict base: unknown fields are errors, text is trimmed, records are immutable."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


# --- shared parts ---------------------------------------------------------------------


class Phone(Model):
    number: str = Field(
        pattern=r"^[0-9+][0-9 \-]{2,19}$",
        description="公开电话，如 0350-3031234 或 12345。个人手机号不得公开，除非它是单位公开的服务专线。",
    )
    public_line: StrictBool = Field(
        default=False,
        description="该号码是单位对外公开的服务专线（手机号只有标为 true 才允许发布）。",
    )
    label: Text | None = Field(default=None, description="号码说明，如 值班电话。")

    @property
    def uri(self) -> str:
        """The number as a ``tel:`` link: digits (and a leading +) only, which every dialer reads."""
        return "tel:" + re.sub(r"[^0-9+]", "", self.number)


class Location(Model):
    # strict: a quoted "38.4" is text to VS Code's schema check, so the validator refuses it too. The schema's
    # ranges are the Earth's, so VS Code marks lat and lng swapped (lat 112.7) at once; the validator finds them
    # with the district's bounds (resolve.py), whose message says "是不是把经纬度写反了".
    lat: float = Field(strict=True, json_schema_extra={"minimum": -90, "maximum": 90},
                       description="纬度（北纬），忻府区约 38.2–38.8。")
    lng: float = Field(strict=True, json_schema_extra={"minimum": -180, "maximum": 180},
                       description="经度（东经），忻府区约 112.3–113.1。")
    crs: CoordinateSystem = Field(
        default="wgs84",
        description="坐标系：wgs84（GPS、天地图、OpenStreetMap）、gcj02（高德、腾讯拾取）、"
        "bd09（百度拾取）。构建时统一换算为 WGS-84。",
    )


class Image(Model):
    src: str = Field(
        max_length=MAX_PATH_CHARS, description="图片路径，相对于 docs/，如 assets/images/station.jpg；不能是外部网址。"
    )
    alt: Text = Field(description="替代文字：向看不见图片的人描述图片内容（必填）。")
    caption: Text | None = Field(default=None, description="图注。")


class Alert(Model):
    text: Text = Field(description="提示内容，如 春节期间暂停热饭服务。")
    start: Date | None = Field(default=None, description="开始日期（含），如 2026-01-20。")
    end: Date | None = Field(default=None, description="结束日期（含）。")

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Alert:
        if self.start and self.end and self.end < self.start:
            raise ValueError("date_order")
        return self


# --- opening hours (modelled on Open Referral HSDS schedule) ------------------------


class WeeklyHours(Model):
    days: list[Day] = Field(min_length=1, description="星期：mo tu we th fr sa su（周一至周日）。")
    periods: list[Period] = Field(min_length=1, description="当天的开放时段，可多段。")


def _exactly_one(flag: str, items: str) -> Callable[[dict[str, Any]], None]:
    """JSON Schema for "either ``flag: true`` or a non-empty ``items`` list, never both": the rule a model
    validator below enforces, written into the schema so that VS Code marks the same records red."""

    def extra(schema: dict[str, Any]) -> None:
        schema["oneOf"] = [
            {"required": [flag], "properties": {flag: {"const": True}, items: {"maxItems": 0}}},
            {"required": [items], "properties": {items: {"minItems": 1}, flag: {"const": False}}},
        ]

    return extra


class HoursException(Model):
    model_config = ConfigDict(json_schema_extra=_exactly_one("closed", "periods"))

    date: Date = Field(description="日期，如 2026-10-01；与 until 一起表示一段日期。")
    until: Date | None = Field(default=None, description="结束日期（含），只有一天时省略。")
    closed: StrictBool = Field(default=False, description="这段日期闭站。")
    periods: list[Period] = Field(default=[], description="这段日期改为这些时段开放。")
    note: Text | None = Field(default=None, description="说明，如 国庆节闭站。")

    @model_validator(mode="after")
    def _closed_or_periods(self) -> HoursException:
        if self.closed == bool(self.periods):
            raise ValueError("exception_closed_or_periods")
        if self.until and self.until < self.date:
            raise ValueError("date_order")
        return self


class Hours(Model):
    model_config = ConfigDict(json_schema_extra=_exactly_one("open_24h", "weekly"))
    open_24h: StrictBool = Field(default=False, description="24 小时开放。")
    weekly: list[WeeklyHours] = Field(default=[], description="每周的开放时间。")
    exceptions: list[HoursException] = Field(default=[], description="节假日、临时闭站等例外日期。")
    note: Text | None = Field(default=None, description="补充说明。")

    @model_validator(mode="after")
    def _some_hours(self) -> Hours:
        if self.open_24h == bool(self.weekly):
            raise ValueError("hours_24h_or_weekly")
        return self


# --- records --------------------------------------------------------------------------


class Record(Model):
    id: Id
    sample: StrictBool = Field(
        default=False,
        description="示例数据：地址、坐标、电话等为虚构，页面会醒目标注。真实核实后改为 false 或删除。",
    )


class VocabularyEntry(Model):
    label: Name = Field(description="显示名称。")
    short: Text | None = Field(default=None, max_length=4, description="简称，显示在地图标记上，如 小哥。")
    description: Text | None = Field(default=None, description="说明。")
    icon: str | None = Field(
        default=None,
        pattern=r"^(material|fontawesome/(solid|regular|brands)|octicons|simple)/[a-z0-9-]+$",
        description="主题自带图标名，如 material/battery-charging。",
    )
    synonyms: list[Text] = Field(default=[], description="同义词，供搜索使用，如 卫生间、如厕。")
    quick: StrictBool = Field(
        default=False,
        description="仅用于设施：在首页和驿站地图页显示为一点即筛选的大按钮（骑手最常找的几项，如 饮水、充电）。",
    )


def _only_valid_keys(schema: dict[str, Any]) -> None:
    """In the JSON Schema, a vocabulary key that does not match the pattern is an error, not just unchecked."""
    schema["additionalProperties"] = False
    schema.setdefault("propertyNames", {})["pattern"] = VOCABULARY_KEY_PATTERN


Vocabulary = Annotated[dict[VocabularyKey, VocabularyEntry], Field(min_length=1, json_schema_extra=_only_valid_keys)]


class Vocabularies(Model):
    """The shared templates' vocabularies are named here; a record type added later brings its own (活动 uses
    event_kinds) as one more key of the same shape, which the cross-record check holds to the registry."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[VocabularyKey, Vocabulary] = Field(init=False)  # type: ignore[assignment]

    station_types: Vocabulary = Field(description="驿站类型。")
    amenities: Vocabulary = Field(description="驿站设施。")
    service_kinds: Vocabulary = Field(description="服务类别。")
    story_categories: Vocabulary = Field(description="动态栏目。")


# Hand-written pages that search indexes and that a synonym group may point at (``pages``); "stations" is the
# station finder. Search reads this list too (scripts/outputs/search_index.py): one list of them.
GUIDE_PAGES = ("stations", "volunteering", "about", "figures", "open-data", "privacy", "accessibility")


class SynonymGroup(Model):
    """一组搜索同义词（data/synonyms.yaml）。"""  # shown to editors as the schema's description

    words: list[Text] = Field(
        min_length=2,
        description="同一个意思的几种说法，如 [厕所, 卫生间, 如厕]。"
        "页面上出现其中任何一个，搜索其他几个也能找到这个页面。",
    )
    # Where a group leads even when none of its words is on any page (讨薪 → 权益维护): search shows these first.
    amenities: list[VocabularyRef] = Field(
        default=[],
        description="这组词说的是哪种设施，如 [charging]（见 vocabularies.yaml）："
        "问“附近”“正在开放”或站内没有这些词时，搜索给出按这些设施筛选的驿站地图。"
    )
    services: list[Ref] = Field(
        default=[], description="搜到这组词时排在最前面的服务页面（服务的 id，如 rights-protection）。"
    )
    pages: list[Literal[GUIDE_PAGES]] = Field(  # type: ignore[valid-type]
        default=[],
        description="搜到这组词时排在最前面的说明页面：" + "、".join(GUIDE_PAGES) + "（stations 是驿站地图）。",
    )
    note: Text | None = Field(default=None, description="说明（不显示在网站上）。")


class Bounds(Model):
    south: StrictFloat = Field(description="南界纬度。")
    west: StrictFloat = Field(description="西界经度。")
    north: StrictFloat = Field(description="北界纬度。")
    east: StrictFloat = Field(description="东界经度。")

    def contains(self, lat: float, lng: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lng <= self.east


class MapSettings(Model):
    center: Location = Field(description="地图中心（WGS-84）。")
    zoom: StrictInt = Field(default=13, ge=3, le=18, description="初始缩放级别。")
    bounds: Bounds = Field(description="辖区范围：超出范围的坐标会报错。")
    tiles: Literal["osm", "tianditu", "amap"] = Field(
        default="osm", description="底图：osm（OpenStreetMap）、tianditu（天地图）、amap（高德）。"
    )
    review_number: Text | None = Field(default=None, description="审图号，公开展示地图时须标注。")
    tianditu_key_env: str = Field(
        default="TIANDITU_KEY",
        pattern=r"^[A-Z][A-Z0-9_]*$",
        description="存放天地图密钥的环境变量名。密钥绑定网站域名，不要写进仓库。",
    )
    app_name: str = Field(
        default="xinfu-stations",
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="调起高德、百度、腾讯地图导航时报给对方的应用名（英文）。",
    )


class ReportChannel(Model):
    issue_url: str | None = Field(
        default=None, pattern=r"^https://", max_length=MAX_URL_CHARS,
        description="问题反馈网址（如代码托管平台的新建议题地址）。",
    )
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", description="反馈邮箱。")
    phone: Phone | None = Field(default=None, description="反馈电话（公开号码）。")


class Source(Model):
    id: Id
    title: Name = Field(description="来源标题。")
    publisher: Text | None = Field(default=None, description="发布单位。")
    date: str | None = Field(default=None, pattern=PARTIAL_DATE_PATTERN, description="发布日期，可只写年或年月。")
    url: str | None = Field(
        default=None, pattern=r"^https?://", max_length=MAX_URL_CHARS, description="原文网址。"
    )
    note: Text | None = Field(default=None, description="说明。")


# Filing numbers as the authorities print them: 晋ICP备2026012345号-1 (8 digits in older numbers, 10 now),
# 晋公网安备14090202000123号 (the province's one-character name first; 14 digits), and the 10-digit
# 政府网站标识码.
ICP_PATTERN = r"^[\u4e00-\u9fff]ICP备\d{8,10}号(-\d{1,3})?$"
POLICE_PATTERN = r"^[\u4e00-\u9fff]公网安备 ?\d{14}号$"


class SiteIdentity(Model):
    """Who publishes the site. Every page's footer shows it, as a public website in mainland China must."""

    sponsor: Name = Field(description="主办单位，如 中共忻州市忻府区委社会工作部。")
    operator: Name | None = Field(default=None, description="承办单位（负责日常运行维护的单位）。")
    phone: Phone | None = Field(default=None, description="网站联系电话（公开号码）。")
    address: Text | None = Field(default=None, description="联系地址。")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", description="联系邮箱。")
    icp_number: str | None = Field(
        default=None, pattern=ICP_PATTERN,
        description="ICP 备案号，如 晋ICP备2026012345号-1。页脚链接到工业和信息化部的备案查询网站。",
    )
    police_number: str | None = Field(
        default=None, pattern=POLICE_PATTERN,
        description="公安机关备案号，如 晋公网安备14090202000123号。页脚链接到全国互联网安全管理服务平台的查询页。",
    )
    government_site_code: str | None = Field(
        default=None, pattern=r"^\d{10}$", description="政府网站标识码（10 位数字；政府网站才有）。",
    )
    logo: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_./-]+\.svg$",
        description="网站标志，docs/ 里的 SVG 文件，如 assets/images/logo.svg。",
    )
    mainland: StrictBool = Field(
        default=True, description="网站在中国大陆的服务器上提供服务：正式发布时必须有 ICP 备案号和有审图号的底图。",
    )
    sample: StrictBool = Field(default=False, description="以上是示例（占位）信息：正式发布时会被拒绝。")


class SiteSettings(Model):
    district: Name = Field(description="辖区名称，如 忻州市忻府区。")
    identity: SiteIdentity = Field(description="主办、承办单位，联系方式和备案号：显示在每一页的页脚。")
    tagline: Text = Field(description="一句话介绍网站。")
    map: MapSettings = Field(description="地图设置：中心、辖区范围、底图。")
    report: ReportChannel = Field(description="“报告问题”链接用的渠道。")
    volunteer_contact: Ref = Field(description="志愿服务报名联系单位（organisations 中的 id）。")
    sources: list[Source] = Field(min_length=1, description="内容来源，用于署名。")


class Organisation(Record):
    name: Name = Field(description="单位名称。")
    kind: Text = Field(description="单位性质，如 党组织、工会、社区、企业。")
    address: Text | None = Field(default=None, description="地址。")
    phone: Phone | None = Field(default=None, description="单位公开电话。")


class Station(Record):
    name: Name = Field(description="驿站名称。")
    type: VocabularyRef = Field(description="驿站类型，取值见 vocabularies.yaml 的 station_types。")
    status: StationStatus = Field(
        default="open", description="状态：open（正常）、temporarily_closed（临时关闭）、closed（已撤销）。"
    )
    address: Text = Field(description="详细地址。")
    street: Text | None = Field(default=None, description="所在街道或乡镇。")
    location: Location = Field(description="位置坐标：lat 纬度、lng 经度，crs 注明从哪种地图拾取。")
    hours: Hours = Field(description="开放时间：open_24h: true 表示 24 小时开放，否则在 weekly 下按星期填写时段。")
    amenities: list[VocabularyRef] = Field(
        min_length=1, description="提供的设施，取值见 vocabularies.yaml 的 amenities。"
    )
    organisation: Ref = Field(description="运营单位（organisations.yaml 中的 id）。")
    phone: Phone | None = Field(default=None, description="驿站公开电话（不能是个人手机号）。")
    description: Markdown | None = Field(default=None, description="介绍。")
    alerts: list[Alert] = Field(default=[], description="提示或公告。")
    images: list[Image] = Field(default=[], description="照片。")
    verified: Date = Field(description="最近一次实地核实信息的日期。")


def closure_has_a_reason(station: Station) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """A temporarily closed station says why and until when: riders see the reason, not a bare badge."""
    if station.status == "temporarily_closed" and not station.alerts:
        yield (("status",), "临时关闭的驿站要写明原因（temporarily closed without a reason）。",
               "在 alerts 下加一条提示，写明原因和恢复的日期（end），"
               "如 text: 内部装修，暂停开放，可到光明街小哥驿站歇脚。页面会显示“临时关闭（原因，至何时）”。")


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")  # what outputs/photos.py resizes and strips


def photos_are_photos(station: Station) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """A station's images are shown as resized photographs: JPEG, PNG or WebP, nothing else."""
    for index, image in enumerate(station.images):
        if not image.src.lower().endswith(PHOTO_SUFFIXES):
            yield (("images", index, "src"), f"驿站照片只能是 JPEG、PNG 或 WebP：{image.src}（unsupported format）。",
                   "用手机或相机拍的 .jpg 照片；图标和示意图（如 .svg）放在介绍文字里，不放在 images 里。")


class ServiceSchedule(Model):
    freq: Literal["daily", "weekly", "monthly"] = Field(description="频率：daily 每天、weekly 每周、monthly 每月。")
    days: list[Day] = Field(default=[], description="星期几（weekly、monthly 时填写）。")
    week_of_month: list[Literal[1, 2, 3, 4, 5, -1]] = Field(
        default=[], description="每月第几个（monthly 时填写），-1 表示最后一个。"
    )
    periods: list[Period] = Field(min_length=1, description="时段。")

    @model_validator(mode="after")
    def _needs_days(self) -> ServiceSchedule:
        if self.freq != "daily" and not self.days:
            raise ValueError("schedule_days")
        if self.freq == "monthly" and not self.week_of_month:
            raise ValueError("schedule_week_of_month")
        return self


class Service(Record):
    name: Name = Field(description="服务名称。")
    kind: VocabularyRef = Field(description="服务类别，取值见 vocabularies.yaml 的 service_kinds。")
    summary: Text = Field(description="一句话介绍。")
    description: Markdown | None = Field(default=None, description="详细介绍。")
    eligibility: Text = Field(description="谁可以使用。")
    cost: Text = Field(description="费用，如 免费。")
    steps: list[Text] = Field(default=[], description="如何获得服务（步骤）。")
    bring: list[Text] = Field(default=[], description="需要携带的材料。")
    stations: list[Ref] = Field(min_length=1, description="提供该服务的驿站或中心（stations 中的 id）。")
    provider: Ref = Field(description="提供单位（organisations 中的 id）。")
    schedule: list[ServiceSchedule] = Field(default=[], description="固定的服务时间。")
    schedule_note: Text | None = Field(default=None, description="时间说明，如 需提前预约。")
    phone: Phone | None = Field(default=None, description="咨询电话（公开号码）。")
    verified: Date = Field(description="最近一次核实信息的日期。")


class VolunteerProject(Record):
    name: Name = Field(description="项目名称。")
    summary: Text = Field(description="一句话介绍。")
    activities: Markdown = Field(description="志愿者做什么。")
    beneficiaries: Text = Field(description="谁受益。")
    how_to_join: Markdown = Field(description="如何参加。联系方式用单位电话，不写个人手机号。")
    organiser: Ref = Field(description="组织单位（organisations 中的 id）。")
    people_served: StrictInt | None = Field(default=None, ge=0, description="累计服务人次。")
    named_in_source: StrictBool = Field(default=False, description="报道中点名的项目。")


class VolunteerTeam(Record):
    name: Name = Field(description="队伍名称。")
    projects: list[Ref] = Field(min_length=1, description="参与的志愿项目（projects.yaml 中的 id）。")
    members: StrictInt = Field(ge=1, description="队员人数（只公开人数，不公开姓名）。")
    organisation: Ref = Field(description="所属单位（organisations 中的 id）。")
    station: Ref | None = Field(default=None, description="常驻驿站（stations 中的 id）。")
    founded: Date | None = Field(default=None, description="成立日期。")


class Statement(Record):
    label: Name = Field(description="数字的名称，如 加入工会联合会的货运司机。")
    value: StrictFloat = Field(description="数值。")
    unit: Text = Field(description="单位，如 名、个、人次。")
    qualifier: Literal["exact", "more_than"] = Field(default="exact", description="exact 精确；more_than 表示“余”。")
    as_of: str = Field(pattern=PARTIAL_DATE_PATTERN, description="数字所指的时间，可只写年或年月。")
    source: Ref = Field(description="来源（site.yaml sources 中的 id）。")
    text: Text = Field(description="原文表述。")


class Story(Record):
    title: Name = Field(description="标题。")
    date: Date = Field(description="发布日期。")
    summary: Text = Field(description="摘要。")
    body: Markdown = Field(description="正文（Markdown）。")
    category: VocabularyRef = Field(description="栏目，取值见 vocabularies.yaml 的 story_categories。")
    tags: list[Text] = Field(default=[], description="标签。")
    images: list[Image] = Field(default=[], description="图片（每张必须有替代文字 alt）。")
    source: Ref | None = Field(default=None, description="来源（site.yaml sources 中的 id）。")


def id_is_valid(value: str) -> bool:
    return re.fullmatch(ID_PATTERN, value) is not None
