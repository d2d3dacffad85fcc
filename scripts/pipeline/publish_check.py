"""Stage: check, before anything is built — is this fit to go live as an official site in mainland China?

A repository filled with the demo's placeholders builds a site that looks finished: posters printed from it
would send riders to example.org. A publishing build (``python -m scripts build --publish``, which the
official site's CI runs) refuses such a site with one Chinese message per problem, naming the setting to
change; ``site/`` stays as it was. Local builds and the live preview print the same findings as warnings and
go on, so the demo keeps working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..records.models import Phone, SiteSettings
from .resolve import Catalogue

# Hosts that are never a real site's: RFC 2606's examples (also as a label, as in yizhan.example.gov.cn) and
# this machine.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net", "localhost", "127.0.0.1")
PLACEHOLDER_LABELS = ("example", "invalid", "test")
# Tiles that come with a 审图号 of their own provider, which the map must show (data/site.yaml map.review_number).
TILES_WITH_REVIEW_NUMBER = ("tianditu", "amap")


@dataclass(frozen=True)
class Finding:
    setting: str  # where to fix it, e.g. "data/site.yaml identity.icp_number"
    problem: str  # what is wrong and how to fix it, in Chinese

    def __str__(self) -> str:
        return f"{self.setting}：{self.problem}"


def _placeholder_host(url: str | None) -> bool:
    host = (urlsplit(url or "").hostname or "").lower()
    return (not host or any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS)
            or any(label in PLACEHOLDER_LABELS for label in host.split(".")))


def _placeholder_email(email: str | None) -> bool:
    return bool(email) and _placeholder_host("https://" + email.rpartition("@")[2])


def _placeholder_phone(phone: Phone | None) -> bool:
    """0350-0000000 or 0350-1234567: zeros, or the count from 1, after the area code; or a label saying 示例.
    Real numbers that look regular stay allowed: 12345 (政务服务热线), 0350-8888888, 0350-2345678."""
    if phone is None:
        return False
    local = re.sub(r"\D", "", phone.number)[-7:]
    return len(local) == 7 and (set(local) == {"0"} or local == "1234567") or "示例" in (phone.label or "")


def findings(site_url: str, catalogue: Catalogue) -> list[Finding]:
    """Everything that would make the published site wrong or unlawful, in the order an editor fixes it."""
    settings: SiteSettings = catalogue.settings
    identity, report, tiles = settings.identity, settings.report, settings.map
    found: list[Finding] = []
    if _placeholder_host(site_url):
        found.append(Finding("mkdocs.yml site_url", f"还是示例地址（{site_url or '未填写'}）。改为网站的正式网址："
                                                     "二维码、海报、站点地图、开放数据里的链接都用它。"))
    elif urlsplit(site_url).scheme != "https":
        found.append(Finding("mkdocs.yml site_url",
                             "正式网址须以 https:// 开头：没有 https，手机浏览器不允许“离我最近”定位。"))
    if identity.sample:
        found.append(Finding("data/site.yaml identity",
                             "主办、承办单位和联系方式还是示例：换成真实信息后把 sample 改为 false。"))
    if _placeholder_phone(identity.phone):
        found.append(Finding("data/site.yaml identity.phone",
                             f"{identity.phone.number} 是示例号码：换成单位公开的联系电话。"))
    if identity.mainland and not identity.icp_number:
        found.append(Finding("data/site.yaml identity.icp_number",
                             "网站在中国大陆提供服务，必须填写 ICP 备案号（如 晋ICP备2026012345号-1）。"
                             "还没有备案：先在工业和信息化部政务服务平台办理；"
                             "服务器不在大陆时把 mainland 改为 false。"))
    if report.issue_url and _placeholder_host(report.issue_url):
        found.append(Finding("data/site.yaml report.issue_url",
                             f"“在线报告问题”还指向示例地址 {report.issue_url}。"))
    if _placeholder_email(identity.email):
        found.append(Finding("data/site.yaml identity.email",
                             f"联系邮箱 {identity.email} 是示例地址：换成单位的邮箱。"))
    if _placeholder_email(report.email):
        found.append(Finding("data/site.yaml report.email", f"反馈邮箱 {report.email} 是示例地址：换成单位的邮箱。"))
    if _placeholder_phone(report.phone):
        found.append(Finding("data/site.yaml report.phone", f"反馈电话 {report.phone.number} 是示例号码。"))
    if tiles.tiles in TILES_WITH_REVIEW_NUMBER and not tiles.review_number:
        found.append(Finding("data/site.yaml map.review_number",
                             "这种底图须在地图上标注审图号（见底图服务商公布的审图号，如 GS(2024)0568号）。"))
    elif tiles.tiles == "osm" and identity.mainland:
        found.append(Finding("data/site.yaml map.tiles",
                             "OpenStreetMap 底图在国内加载慢、没有审图号，只适合开发时用："
                             "正式网站请用 tianditu（天地图），并填写 map.review_number。"))
    samples = sum(1 for records in catalogue.records.values() for record in records.values()
                  if getattr(record, "sample", False))
    if samples:
        found.append(Finding("data/", f"有 {samples} 条记录标着 sample: true（示例数据：地址、坐标、电话是编的）。"
                                      "核实后改为 false，或删掉这些记录。"))
    return found
