"""The output boundary (scripts/outputs/safe_output.py), checked against the real Markdown configuration in mkdocs.yml:
whatever a record says, plain text stays text and Markdown fields keep only what the allowlist lets through."""

from __future__ import annotations

import json
import re

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT
from scripts.outputs.safe_output import (
    UnsafeValue,
    external_url,
    front_matter,
    record_markdown,
    script_json,
    site_path,
    spreadsheet_cell,
    text,
    token,
)

PAYLOADS = [
    '某驿站 {: autofocus onfocus="alert(1)" }',
    "[点我](javascript:alert(1)){ onclick=alert(1) }",
    "**加粗**{: onmouseover=alert(1) }",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "<img src=x onerror=alert(1)",
    "</title><script>alert(1)</script>",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "`code` *em* _em_ ~~del~~ | table |",
    "# 标题 {#id .class onclick=x}",
    "\x02wzxhzdk:0\x03 占位符",
    "第一行\n\n<div markdown=1>*x*</div>\n第三行",
    "&#106;avascript&colon;alert(1) &lt;b&gt;",
    "1. 列表\n- 列表\n> 引用\n---",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "*[HTML]: 缩写定义",
    "术语\n:   定义",
    "!!! danger \"x\"\n    admonition",
    "??? note\n    details",
]


def _site_markdown() -> markdown.Markdown:
    """Python-Markdown with exactly the extensions the site's pages are built with."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)  # noqa: S506 (our file)
    extensions, configs = [], {}
    for entry in config["markdown_extensions"]:
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        extensions.append(name)
        configs[name] = options or {}
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


SITE_MARKDOWN = _site_markdown()


def _collapsed(value: str) -> str:
    return re.sub(r"\s+", " ", re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)).strip()


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("line", ["# {}", "- 列表项：{}", "{}", "**{}**", "<p class=\"x\">{}</p>", "[链接]({{}})"])
def test_plain_text_is_text_wherever_it_lands_in_a_page(payload: str, line: str) -> None:
    source = line.replace("{}", str(text(payload))) if "{{}}" not in line else f"[{text(payload)}](../x.md)"
    html = SITE_MARKDOWN.reset().convert(f"前文\n\n{source}\n\n后文")
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(True):
        assert element.name in {"p", "h1", "ul", "li", "strong", "a"}, (element.name, html)
        allowed = {"a": {"href"}, "p": {"class"}, "h1": {"id"}}.get(element.name, set())
        assert set(element.attrs) <= allowed, (element.attrs, html)
    for link in soup.find_all("a"):
        assert link["href"] == "../x.md"
    assert _collapsed(payload) in soup.get_text(), html


def test_text_in_an_attribute_and_in_front_matter_reads_back_as_written() -> None:
    payload = '某驿站 "引号" \'单引号\' <标签> & {: onclick=x }'
    soup = BeautifulSoup(f'<p title="{text(payload)}">{text(payload)}</p>', "html.parser")
    assert soup.p["title"] == payload and soup.p.get_text() == payload
    title = yaml.safe_load(f"title: {front_matter(payload)}")["title"]
    assert BeautifulSoup(title, "html.parser").get_text() == payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_fields_keep_only_the_allowlist(payload: str) -> None:
    html = str(record_markdown(payload))
    soup = BeautifulSoup(html, "html.parser")
    allowed = {"div", "p", "br", "strong", "em", "b", "i", "del", "code", "pre", "blockquote", "hr", "ul", "ol", "li",
               "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub"}
    for element in soup.find_all(True):
        assert element.name in allowed, html
        assert not any(name.startswith("on") or name in {"style", "markdown", "id"} for name in element.attrs), html
        for attribute in ("href", "src"):
            if element.get(attribute):
                assert re.match(r"(?i)^(https?:|tel:|mailto:|[^:]*$)", element[attribute]), html
    # MkDocs' Markdown passes the block through as it is: no attribute list, no markdown="1" reaches it.
    page = SITE_MARKDOWN.reset().convert(f"# 页面\n\n{html}\n\n后文")
    assert html in page


def test_markdown_fields_keep_their_formatting_and_safe_links() -> None:
    html = str(record_markdown("**加粗** 和 *强调*\n\n- 一\n- 二\n\n[网站](https://example.org/) [电话](tel:12345) "
                               "[邮件](mailto:a@example.org) [本站](../services/)\n\n![驿站](assets/images/a.jpg)"))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.strong.get_text() == "加粗" and soup.em.get_text() == "强调"
    assert [li.get_text() for li in soup.find_all("li")] == ["一", "二"]
    assert [a["href"] for a in soup.find_all("a")] == ["https://example.org/", "tel:12345", "mailto:a@example.org",
                                                       "../services/"]
    assert soup.img["src"] == "assets/images/a.jpg" and soup.img["alt"] == "驿站"


@pytest.mark.parametrize("target", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java&#115;cript:alert(1)",
                                    "javascript&colon;alert(1)", "&#106;avascript:alert(1)", "vbscript:msgbox(1)",
                                    "data:text/html;base64,PHNjcmlwdD4=", " javascript:alert(1)"])
def test_script_links_in_markdown_fields_lose_their_target(target: str) -> None:
    soup = BeautifulSoup(str(record_markdown(f"[点我]({target}) ![图]({target})")), "html.parser")
    for element in soup.find_all(["a", "img"]):
        value = element.get("href") or element.get("src") or ""
        assert not re.match(r"(?i)^\s*(javascript|vbscript|data):", value), soup


def test_json_in_a_script_element_cannot_close_it() -> None:
    value = {"name": "</script><script>alert(1)</script> <!-- & \u2028"}
    encoded = str(script_json(value))
    assert "</" not in encoded and "<!--" not in encoded and "\u2028" not in encoded
    assert json.loads(encoded) == value


@pytest.mark.parametrize("bad", ["a b", "A", "x\"", "../x", "x/y", "", "-x", "javascript:x"])
def test_ids_and_keys_are_checked_where_they_form_urls(bad: str) -> None:
    with pytest.raises(UnsafeValue):
        token(bad)


def test_paths_and_web_addresses_are_checked() -> None:
    assert site_path("assets/images/驿站 1.jpg") == "assets/images/%E9%A9%BF%E7%AB%99%201.jpg"
    for bad in ["javascript:alert(1)", "/etc/passwd", "https://evil.test/x.jpg", "\\\\host\\x"]:
        with pytest.raises(UnsafeValue):
            site_path(bad)
    assert external_url("https://example.org/a?b=1&c=2") == "https://example.org/a?b=1&#38;c=2"
    for bad in ["javascript:alert(1)", "java&#115;cript:alert(1)", "data:text/html,x", "//evil.test"]:
        with pytest.raises(UnsafeValue):
            external_url(bad)


@pytest.mark.parametrize(("cell", "shown"), [
    ('=HYPERLINK("https://evil.test","点我")', '\'=HYPERLINK("https://evil.test","点我")'),
    ("@SUM(A1)", "'@SUM(A1)"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"),
    ("＝1+1", "'＝1+1"), ("\t=1", "'\t=1"),
    ("+86 350 303 1234", "+86 350 303 1234"), ("-1", "-1"), ("长征街 12 号", "长征街 12 号"),
])
def test_spreadsheet_cells_never_start_a_formula(cell: str, shown: str) -> None:
    assert spreadsheet_cell(cell) == shown


def test_page_templates_mark_nothing_safe_by_hand() -> None:
    """What is safe is decided in safe_output.py and render.py, not in a template."""
    for template in sorted((ROOT / "scripts" / "outputs" / "templates").glob("*")):
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+false|Markup|\|\s*(md|e|escape)\b", source), template.name
