"""Scan a built site for content that runs: event-handler attributes, script-scheme URLs, <base>, meta
refreshes, srcdoc frames, script text from the data, JSON that a ``</script>`` broke, CSS expressions.

Used by test_attack_corpus.py; every finding names the file and shows a snippet, and all are collected.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib

TEXT_SUFFIXES = {".html", ".htm", ".svg", ".xml", ".json", ".geojson", ".webmanifest", ".js", ".csv", ".ics", ".txt"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "cite", "ping", "codebase",
                  "dynsrc", "lowsrc", "manifest", "icon", "longdesc", "usemap", "profile", "archive", "classid"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
# data: URLs our own code writes into pages (none today): add exact prefixes here if that changes.
ALLOWED_DATA_URLS: tuple[str, ...] = ()
JSON_TYPES = {"application/ld+json", "application/json", "importmap", "speculationrules"}
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript",
                "application/ecmascript", "text/jscript", "text/livescript"}
JINJA_EVALUATED = "示例49文字"  # "示例{{ 7*7 }}文字" after a template engine ran it


def normalise_text(text: str) -> str:
    """For comparing shown text with data: no control or zero-width characters, single spaces."""
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\t\n ")
    return re.sub(r"\s+", " ", text).strip()


def url_scheme_problem(value: str) -> str | None:
    """The script scheme a URL attribute would run, as a browser reads it (tabs and newlines dropped)."""
    cleaned = re.sub(r"[\t\n\r]", "", value).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    lowered = cleaned.lower()
    for scheme in SCRIPT_SCHEMES:
        if lowered.startswith(scheme) and not lowered.startswith(ALLOWED_DATA_URLS or ("\x00",)):
            return scheme
    return None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _snippet(element) -> str:
    attributes = " ".join(f'{_local(k)}="{v[:80]}"' for k, v in element.attrib.items())
    return f"<{_local(element.tag)} {attributes}>"[:240]


def element_problems(root, where: str) -> list[str]:
    found: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = _local(element.tag)
        for key, value in element.attrib.items():
            name = _local(key)
            if name.startswith("on"):
                found.append(f"{where}: event-handler attribute {name}: {_snippet(element)}")
            if name in URL_ATTRIBUTES or name == "href":
                scheme = url_scheme_problem(value)
                if scheme:
                    found.append(f"{where}: {scheme} URL in {name}: {_snippet(element)}")
            if name == "srcset":
                for candidate in value.split(","):
                    if url_scheme_problem(candidate.strip()):
                        found.append(f"{where}: script URL in srcset: {_snippet(element)}")
            if name == "srcdoc":
                found.append(f"{where}: srcdoc attribute: {_snippet(element)}")
            if name == "style":
                squeezed = re.sub(r"\s|/\*.*?\*/|\\", "", value).lower()
                if any(bad in squeezed for bad in ("expression(", "javascript:", "vbscript:", "behavior:",
                                                   "-moz-binding")):
                    found.append(f"{where}: active CSS in style: {_snippet(element)}")
        if tag == "base":
            found.append(f"{where}: <base> element: {_snippet(element)}")
        if tag == "meta" and element.get("http-equiv", "").strip().lower() == "refresh":
            found.append(f"{where}: meta refresh: {_snippet(element)}")
        if tag in ("object", "embed", "applet", "frame", "frameset"):
            found.append(f"{where}: <{tag}> element: {_snippet(element)}")
        if tag == "iframe" and "maps/" not in element.get("src", ""):
            found.append(f"{where}: an iframe that is not one of our maps: {_snippet(element)}")
        if tag == "script":
            kind = element.get("type", "").strip().lower().split(";")[0]
            body = element.text or ""
            if kind in JSON_TYPES:
                try:
                    json.loads(body)
                except ValueError as error:
                    found.append(f"{where}: <script type={kind}> is not JSON any more ({error}): {body[:200]!r}")
            elif kind in SCRIPT_TYPES and ("alert(" in body or "__xss" in body or "msgbox(" in body):
                first = min(i for i in (body.find(m) for m in ("alert(", "__xss", "msgbox(")) if i >= 0)
                at = max(0, first - 80)
                found.append(f"{where}: inline script with attack text: …{body[at:at + 200]!r}")
    return found


def _heading(root) -> str:
    for element in root.iter():
        if isinstance(element.tag, str) and _local(element.tag) == "h1":
            return "".join(element.itertext())
    return ""


def scan_site(site: Path, headings: dict[str, str]) -> list[str]:
    """Every finding in every text file of ``site``; ``headings``: page file → text its h1 must show."""
    found: list[str] = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        where = path.relative_to(site).as_posix()
        raw = path.read_text(encoding="utf-8", errors="replace")
        if JINJA_EVALUATED in raw:
            found.append(f"{where}: a template engine evaluated data text ({JINJA_EVALUATED})")
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm", ".svg"):
            root = html5lib.parse(raw, treebuilder="etree", namespaceHTMLElements=False)
            found += element_problems(root, where)
            if where in headings:
                shown, expected = normalise_text(_heading(root)), normalise_text(headings[where])
                if expected not in shown:
                    found.append(f"{where}: the h1 does not show the name as written: expected {expected!r}, "
                                 f"shown {shown!r}")
        elif suffix in (".json", ".geojson", ".webmanifest"):
            try:
                json.loads(raw)
            except ValueError as error:
                found.append(f"{where}: not JSON: {error}")
            if "</script" in raw.lower():
                found.append(f"{where}: '</script' in JSON: {raw[raw.lower().index('</script') - 60:][:160]!r}")
        elif suffix == ".xml":
            try:
                tree = ET.fromstring(raw.encode("utf-8"))
            except ET.ParseError as error:
                found.append(f"{where}: not well-formed XML: {error}")
                continue
            for element in tree.iter():
                # feed readers show <description>/<content> as HTML
                if element.text and "<" in element.text:
                    fragment = html5lib.parseFragment(element.text, treebuilder="etree", namespaceHTMLElements=False)
                    found += element_problems(fragment, f"{where} <{_local(element.tag)}>")
    return found
