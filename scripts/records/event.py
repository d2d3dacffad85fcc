"""活动 (events): dated activities such as 义诊, 培训, 招聘会 and volunteer days, at a station or an address.

Everything the type alone needs is here: the model, when an event counts as upcoming, how its dates read in
Chinese, and its iCalendar feeds (the whole site's and one per station that hosts events). Its registry entry
(``RECORD_TYPE``) says where its files are, what it refers to, and which pages and panels show it.

Times are China time. A date without a time is an all-day event (its end, if any, is a date too); a time
without an end ends that day. Pages
carry every event's end as an ISO instant (``ends_at``), so the site-wide ``time-limited.js`` takes an event
off the lists at the moment it ends, whenever the page was built.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import icalendar
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ..outputs.safe_output import one_line
from ..rules.chinese import date_text
from . import spec as rt
from .answers import parse_when
from .models import BrokenRule, Image, Location, Markdown, Model, Name, Phone, Record, Ref, Text, VocabularyRef

if TYPE_CHECKING:
    from ..pipeline.resolve import Catalogue

CHINA = ZoneInfo("Asia/Shanghai")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)?")


def _date_or_time(value: Any) -> Any:
    """``2026-12-10`` is an all-day date, ``2026-12-10 09:00`` a time (China time unless it says otherwise)."""
    if isinstance(value, int | float):  # on its own pydantic would read 0 as 1970-01-01
        raise BrokenRule(f"日期或时间无效：{value!r}（invalid date or time）。",
                         "全天活动写日期，如 2026-12-10；有具体时间写 2026-12-10 09:00（24 小时制，北京时间）。")
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if _DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
        if _DATE_TIME.fullmatch(text):
            return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    raise BrokenRule(f"日期或时间无效：{value!r}（invalid date or time）。",
                     "全天活动写日期，如 2026-12-10；有具体时间写 2026-12-10 09:00（24 小时制，北京时间）。")


# The schema says what _date_or_time reads: JSON Schema's date-time format would want seconds and a time zone.
When = Annotated[
    dt.date | dt.datetime,
    BeforeValidator(_date_or_time),
    WithJsonSchema({"type": "string", "pattern": "^" + _DATE.pattern + "$|^" + _DATE_TIME.pattern + "$"}),
]


class EventPlace(Model):
    # _station_or_address for the schema: a station, or an address; never a station with coordinates.
    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["station"], "properties": {"station": {"type": "string", "minLength": 1}}},
                  {"required": ["address"], "properties": {"address": {"type": "string", "minLength": 1}}}],
        "not": {"required": ["station", "location"],
                "properties": {"station": {"type": "string"}, "location": {"type": "object"}}},
    })

    station: Ref | None = Field(default=None, description="在驿站或服务中心举办时，写它的 id（stations 中的 id）。")
    name: Name | None = Field(
        default=None, description="地点名称，如 忻府区人才市场；在驿站举办时可写具体位置，如 二楼培训室。"
    )
    address: Text | None = Field(
        default=None, description="详细地址：不在驿站举办时必填；在驿站举办时可补充，如 驿站门前广场。"
    )
    location: Location | None = Field(default=None, description="不在驿站举办时：地点坐标（可选），crs 注明坐标系。")

    @model_validator(mode="after")
    def _station_or_address(self) -> EventPlace:
        if not (self.station or self.address):
            raise BrokenRule("地点要写驿站 station 或地址 address（station or address）。",
                             "在驿站举办：写 station: xiaoge-01；在别处举办：写 name 和 address，可加 location。")
        if self.station and self.location:
            raise BrokenRule("在驿站举办的活动不用写坐标：用驿站的（location with station）。",
                             "删掉 location；不在驿站举办的，删掉 station，写 name、address 和 location。")
        return self


class Event(Record):
    title: Name = Field(description="活动名称，如 冬季义诊进驿站。")
    kind: VocabularyRef = Field(description="活动类别，取值见 vocabularies.yaml 的 event_kinds。")
    summary: Text = Field(description="一句话介绍，显示在活动列表里。")
    start: When = Field(
        description="开始：全天活动只写日期，如 2026-12-10；否则写日期和时间，如 2026-12-10 09:00（北京时间）。"
    )
    end: When | None = Field(default=None, description="结束（含），写法同 start；当天结束可省略。")
    place: EventPlace = Field(description="地点：在驿站举办写 station，否则写 name、address（和 location）。")
    organiser: Ref = Field(description="主办单位（organisations 中的 id）。")
    how_to_join: Markdown = Field(description="如何参加：要不要报名、带什么。联系方式用单位电话，不写个人手机号。")
    contact: Phone | None = Field(default=None, description="报名咨询电话（只能是单位公开的号码）。")
    description: Markdown | None = Field(default=None, description="详细介绍。")
    images: list[Image] = Field(default=[], description="图片（每张必须有替代文字 alt）。")

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: dt.date | dt.datetime | None, info: ValidationInfo) -> object:
        start = info.data.get("start")  # absent when the start itself was wrong: reported there
        if end is None or start is None:
            return end
        if isinstance(end, dt.datetime) != isinstance(start, dt.datetime):
            raise BrokenRule("start 和 end 要写法一致：都只写日期，或都写日期和时间（date and time mixed）。",
                             "全天活动写 start: 2026-12-10、end: 2026-12-12；有时间的写 "
                             "start: 2026-12-10 09:00、end: 2026-12-10 11:30。")
        if _instant(end, last=True) < _instant(start, last=False):
            raise BrokenRule("结束早于开始（end before start）。", "检查 start 和 end 是否写反，或日期是否写错。")
        return end


# --- when ----------------------------------------------------------------------------------------------


def _china(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(CHINA) if moment.tzinfo else moment.replace(tzinfo=CHINA)


def is_all_day(event: Event) -> bool:
    return not isinstance(event.start, dt.datetime)


def _instant(when: dt.date | dt.datetime, last: bool) -> dt.datetime:
    """A date or time as an instant in China: a date's first moment, or with ``last`` the moment after it."""
    if isinstance(when, dt.datetime):
        return _china(when)
    return dt.datetime.combine(when + dt.timedelta(days=1 if last else 0), dt.time(), CHINA)


def starts_at(event: Event) -> dt.datetime:
    return _instant(event.start, last=False)


def ends_at(event: Event) -> dt.datetime:
    """The instant the event is over: its end time, or midnight after its last day (the start's, without an end)."""
    return _instant(event.end if event.end is not None else starts_at(event).date(), last=True)


def upcoming(events: Iterable[Event], today: dt.date) -> list[Event]:
    """Events not over by the start of ``today`` (China time), soonest first. Pages drop the rest when read."""
    start_of_today = dt.datetime.combine(today, dt.time(), CHINA)
    return sorted((e for e in events if ends_at(e) > start_of_today), key=lambda e: (starts_at(e), e.id))


def past(events: Iterable[Event], today: dt.date) -> list[Event]:
    """Events over before ``today``, latest first."""
    start_of_today = dt.datetime.combine(today, dt.time(), CHINA)
    return sorted((e for e in events if ends_at(e) <= start_of_today), key=lambda e: (starts_at(e), e.id),
                  reverse=True)


def when_text(event: Event) -> str:
    """``2026年12月10日（周四）09:00–11:30``, ``2026年12月10日（周四）至 12月12日（周六）``."""
    start = starts_at(event)
    text = date_text(start.date(), weekday=True)
    if not is_all_day(event):
        text += start.strftime(" %H:%M")
    if event.end is None:
        return text
    end = ends_at(event) if not is_all_day(event) else ends_at(event) - dt.timedelta(days=1)
    if end.date() != start.date():
        day = date_text(end.date(), weekday=True)
        text += "至 " + (day.split("年", 1)[1] if end.year == start.year else day)
        if not is_all_day(event):
            text += end.strftime(" %H:%M")
    elif not is_all_day(event):
        text += end.strftime("–%H:%M")
    return text


def iso_end(event: Event) -> str:
    return ends_at(event).isoformat()


# --- iCalendar ---------------------------------------------------------------------------------------


def calendar(events: Sequence[Event], name: str, site_url: str, stamp: dt.date,
             catalogue: Catalogue) -> bytes:
    """An iCalendar (RFC 5545) file of ``events``. ``stamp`` (the data's latest date) is every entry's DTSTAMP,
    so the same data gives the same file."""
    feed = icalendar.Calendar()
    feed.add("prodid", "-//xinfu-stations//events//ZH")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", one_line(name))
    feed.add("x-wr-timezone", "Asia/Shanghai")
    host = site_url.split("//", 1)[-1].split("/", 1)[0] or "localhost"
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", f"{event.id}@{host}")
        entry.add("dtstamp", dt.datetime.combine(stamp, dt.time(), dt.UTC))
        entry.add("summary", one_line(event.title))
        entry.add("description", one_line(event.summary))
        if is_all_day(event):
            entry.add("dtstart", starts_at(event).date())
            entry.add("dtend", ends_at(event).date())  # exclusive: the day after the last day
        else:
            entry.add("dtstart", starts_at(event).astimezone(dt.UTC))
            entry.add("dtend", ends_at(event).astimezone(dt.UTC))
        entry.add("location", one_line(place_text(event, catalogue)))
        if site_url:
            entry.add("url", posixpath.join(site_url, f"events/{event.id}/"))
        feed.add_component(entry)
    return feed.to_ical()


def place_text(event: Event, catalogue: Catalogue) -> str:
    place = event.place
    if place.station:
        station = catalogue.stations[place.station]
        where = "，".join(part for part in (place.name, place.address) if part)
        return f"{station.name}（{where or station.address}）"
    return "，".join(part for part in (place.name, place.address) if part)


def calendar_files(catalogue: Catalogue, site_url: str) -> Iterator[tuple[str, bytes]]:
    """``events.ics`` for the whole site, and ``stations/<id>/events.ics`` for each station hosting events."""
    events: list[Event] = sorted(catalogue.collection("events").values(), key=lambda e: (starts_at(e), e.id))
    stamp = catalogue.latest_date()
    yield "events.ics", calendar(events, f"{catalogue.settings.district}新就业群体活动", site_url, stamp, catalogue)
    by_station: dict[str, list[Event]] = {}
    for event in events:
        if event.place.station:
            by_station.setdefault(event.place.station, []).append(event)
    for station_id, hosted in by_station.items():
        name = f"{catalogue.stations[station_id].name}活动"
        yield f"stations/{station_id}/events.ics", calendar(hosted, name, site_url, stamp, catalogue)


RECORD_TYPE = rt.RecordType(
    "event", Event, "events/*.yaml", "record", "活动", collection="events", required=False,
    references=(rt.Reference("place.station", "station"), rt.Reference("organiser", "organisations")),
    vocabularies=(rt.VocabularyField("kind", "event_kinds", "活动类别"),),
    locations=("place.location",), variable="event",
    pages=(rt.Page("event.md", "events/{id}.md"),),
    listing=rt.Listing("events_index.md", "events/index.md"),
    search_kind="活动",
    panels={"home.md": "_events_upcoming.md", "station.html": "_events_at_station.html"},
    template_functions={"upcoming_events": upcoming, "past_events": past, "event_when": when_text,
                        "event_ends": iso_end, "event_place": place_text},
    files=calendar_files,
    scaffold=rt.Scaffold(
        (
            rt.Question("title", "活动名称，如 冬季健康义诊"),
            rt.Question("kind", "活动类别", choices="event_kinds"),
            rt.Question("summary", "一句话介绍（显示在活动列表里）"),
            rt.Question("start", "开始：全天活动写日期 2026-12-09，否则写 2026-12-09 09:00", parse=parse_when),
            rt.Question("end", "结束（可省略；写法同开始）", parse=parse_when, default=""),
            rt.Question("station", "在哪个驿站或中心举办（不在驿站的，生成后在文件里改成地址）", choices="station"),
            rt.Question("organiser", "主办单位", choices="organisations"),
            rt.Question("how_to_join", "如何参加", default="不用报名，在活动时间直接到现场参加。"),
        ),
        id_stem=lambda v: f"{v['start'][:10]}-{v['kind']}", numbered=False,
        example="python -m scripts new event --title 冬季健康义诊 --kind clinic --start \"2026-12-09 09:00\" "
                "--end \"2026-12-09 11:30\" --station xinfu-centre --organiser xinfu-health-bureau "
                "--summary 医生到服务中心免费量血压、测血糖。",
    ),
)
