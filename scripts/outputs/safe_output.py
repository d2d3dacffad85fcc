"""The output boundary: the one place where text from ``data/`` becomes HTML, Markdown, JSON or a URL.

Everything in a record is untrusted: anyone can open a pull request, and a reviewer reads YAML diffs
quickly. The validator explains to editors what is not allowed (``content_rules``), but safety does
not depend on it; it lives here, where text meets output:

* ``text`` — plain text. Every character that means something to HTML, to Markdown or to Python-
  Markdown's attribute lists becomes a numeric character reference, so one encoding is inert in HTML
  text, in a quoted attribute, in Markdown (Python-Markdown passes references through untouched) and
  in XML. The page templates' Jinja environment applies it to every ``{{ … }}`` (autoescape with
  ``finalize``), so a template cannot forget it.
* ``record_markdown`` — the Markdown fields (descriptions, story bodies). A restricted Python-Markdown
  (no raw HTML, no attribute lists, no ``markdown=`` blocks) and then nh3's allowlist (tags,
  attributes, and links only to http, https, tel, mailto or site-relative targets). The result is a
  raw HTML block, which MkDocs' Markdown passes through without looking inside.
* ``script_json`` — JSON inside ``<script>``: ``<``, ``>`` and ``&`` escaped, so ``</script>`` cannot
  appear.
* ``token`` — ids and vocabulary keys printed as-is into URLs and anchors: checked, never trusted.
* ``site_path`` — a path under ``docs/`` (an image) as a URL: percent-encoded, never absolute.
* ``external_url`` — a web address from the data: http or https only, checked after decoding.
* ``spreadsheet_cell`` — a CSV cell: nothing that Excel or WPS would run as a formula.

The templates mark nothing safe by hand (no ``|safe``): what is safe is a ``Markup`` made here, or by
our own code from constants (icons, links between our own pages).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import urllib.parse
from typing import Any

import markdown
import nh3
from markupsafe import Markup

# HTML's five, Markdown's punctuation (links, images, emphasis, code, tables, headings) and the braces of
# attribute lists: each becomes &#N;. Letters, digits, CJK and other punctuation stay as they are.
_SPECIAL = re.compile(r"""[&<>"'\\`*_{}\[\]()#!|~]""")
# C0/C1 controls (Python-Markdown's own placeholders are \x02…\x03) and bidirectional overrides: dropped.
# Line breaks, including the Unicode separators that end a JavaScript string, become one space.
# The validator refuses the same characters (content_rules.py), to tell the editor.
CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
_INVISIBLE = re.compile(CONTROL_CHARACTERS)
_WHITESPACE = re.compile(r"[\s\u2028\u2029]+")
# A value may start a line of the page: a leading digit or mark could begin a list ("1."), a rule or
# heading underline ("---", "==="), a definition (":") or a collapsible block ("???").
_LINE_START = re.compile(r"^[0-9+\-.:=?/$%^@,;]")


def _reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group(0))};"


def text(value: object) -> Markup:
    """Plain text, inert wherever it lands: HTML text or attribute, Markdown, XML. Lines are joined."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, (int, float, dt.date)):  # numbers and dates say nothing to HTML or Markdown
        return Markup(value)
    plain = _WHITESPACE.sub(" ", _INVISIBLE.sub("", str(value))).strip()
    return Markup(_LINE_START.sub(_reference, _SPECIAL.sub(_reference, plain), count=1))


def one_line(value: object) -> str:
    """Plain text for a sink that is not HTML (an iCalendar property): controls dropped, lines joined. That
    format's own escaping (commas, semicolons, backslashes) is its library's."""
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", str(value))).strip()


def front_matter(value: object) -> Markup:
    """A YAML front-matter value. The theme prints ``title`` and ``description`` into ``<title>`` and
    ``<meta content>`` without escaping, so the value is the encoded text (or a ``Markup`` already made
    safe for where it goes, such as ``script_json``), quoted as a JSON string (valid YAML)."""
    return Markup(json.dumps(str(text(value)), ensure_ascii=False))


_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value: Any) -> Markup:
    """JSON to put inside a ``<script>`` element (``application/ld+json``): nothing in it can close the
    element or start a comment."""
    encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group(0)], encoded))


_TOKEN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class UnsafeValue(ValueError):
    """A value that must be an id or a key is something else: the validator was bypassed."""


def token(value: object) -> Markup:
    """An id or a vocabulary key, printed as-is into a URL, an anchor or a class name."""
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise UnsafeValue(f"不是合法的编号或词表键（not an id or key）：{value!r}")
    return Markup(value)


def site_path(path: str) -> Markup:
    """A relative path inside the site as a URL: percent-encoded, and never absolute or with a scheme."""
    if re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|/|\\)", path):
        raise UnsafeValue(f"不是网站内的相对路径（not a site path）：{path!r}")
    return Markup(urllib.parse.quote(path, safe="/.-_~#"))


def external_url(url: str) -> Markup:
    """A web address from the data (a source, the report-a-problem page): http(s) only, checked on the
    decoded value, then encoded for the attribute it goes into."""
    decoded = _INVISIBLE.sub("", html.unescape(url)).strip()
    if urllib.parse.urlsplit(decoded).scheme.lower() not in ("http", "https"):
        raise UnsafeValue(f"网址只能以 http:// 或 https:// 开头（not a web address）：{url!r}")
    return text(decoded)


# Excel and WPS read a cell that starts with one of these as a formula (=HYPERLINK(…), =cmd|…): CSV injection.
_FORMULA_START = re.compile("^[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]")
_NUMBER_LIKE = re.compile(r"^[+-]?[\d\s().-]+$")  # +86 350 303 1234, -1: numbers, not formulas


def spreadsheet_cell(value: str) -> str:
    """A CSV cell that a spreadsheet shows as text: a leading apostrophe before anything formula-like."""
    if _FORMULA_START.match(value) and not _NUMBER_LIKE.match(value):
        return "'" + value
    return value


# --- Markdown fields --------------------------------------------------------------------------------

# What a description or a story body may contain once rendered. No h1 (the page has one), no raw
# HTML from the text, no attributes but these, and links only with these schemes (relative links pass).
_TAGS = {"p", "br", "strong", "em", "b", "i", "del", "code", "pre", "blockquote", "hr", "ul", "ol", "li",
         "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
               "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "tel", "mailto"})


def _restricted_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    # No raw HTML: tags in the text are shown as text (the validator also rejects them, with a reason).
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


_MARKDOWN = _restricted_markdown()


def record_markdown(source: str) -> Markup:
    """A Markdown field as sanitised HTML, in a block that MkDocs' Markdown leaves alone."""
    html = _MARKDOWN.reset().convert(_INVISIBLE.sub("", source))
    clean = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=set(URL_SCHEMES),
                      link_rel=None, strip_comments=True)
    return Markup(f'<div class="record-text">\n{clean}\n</div>')
