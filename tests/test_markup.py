"""Valid markup and working references in every built HTML file, without a browser (see
markup_checks.py for why html5lib): no parse error; no duplicate id, list holding something other
than items, control inside a link or button, label or ARIA reference pointing nowhere, unreadable
<time>, image without alt text or frame without a title; no image, script, style or frame that is
missing. Every page is checked (every station, not only the one the browser tests visit).
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import _site_mount_path
from markup_checks import ALLOWED_PARSE_ERRORS, parse, structure_problems, walk


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_parses_without_errors(built_site: Path) -> None:
    problems = []
    for path in html_files(built_site):
        relative = path.relative_to(built_site)
        for error in parse(path)[1]:
            if (relative.parts[0], error.split()[2]) not in ALLOWED_PARSE_ERRORS:
                problems.append(f"{relative}: {error}")
    assert problems == []


def test_every_page_has_sound_structure(built_site: Path) -> None:
    problems = [f"{path.relative_to(built_site)}: {problem}"
                for path in html_files(built_site) for problem in structure_problems(parse(path)[0])]
    assert problems == []


def test_the_structure_check_catches_what_it_claims(tmp_path: Path) -> None:
    """The checks above must not pass by checking nothing."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="zh-CN"><head><title>x</title></head><body>'
                    '<p id="a">一</p><p id="a">二</p><ul><p>三</p></ul><a href="#"><button>四</button></a>'
                    '<label for="nowhere">五</label><time datetime="上周三">六</time><img src="x.png">'
                    '<iframe src="m.html"></iframe><div aria-controls="gone"></div></body></html>', encoding="utf-8")
    found = "\n".join(structure_problems(parse(page)[0]))
    for expected in ['id "a" is used 2 times', "<ul> holds ['p']", "<button> inside <a>", "names no element",
                     "is not a date or time", "<img> without alt text", "<iframe> without a title",
                     "aria-controls"]:
        assert expected in found, found
    page.write_text("<!doctype html><html><body><p><div>x</div></p></body></html>", encoding="utf-8")
    assert parse(page)[1], "html5lib should report the </p> that closes nothing"


REFERENCES = {"img": "src", "script": "src", "iframe": "src", "source": "src", "link": "href"}


def test_every_local_file_a_page_loads_exists(built_site: Path) -> None:
    """Images, scripts, styles, frames: the link check in test_build.py covers <a href> only."""
    mount_path = _site_mount_path()  # the 404 page refers to files absolutely, under this path
    missing = []
    for path in html_files(built_site):
        for el, _ in walk(parse(path)[0]):
            attribute = REFERENCES.get(el.tag)
            target = (el.get(attribute) or "") if attribute else ""
            if not target or re.match(r"(?i)^([a-z][a-z0-9+.-]*:|//|#)", target):
                continue
            if el.tag == "link" and not {"stylesheet", "icon", "manifest", "preload", "modulepreload"} & set(
                    (el.get("rel") or "").split()):
                continue
            file_part = target.split("#")[0].split("?")[0]
            if file_part.startswith(mount_path):
                resolved = built_site / file_part[len(mount_path):]
            else:
                resolved = (path.parent / file_part).resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.is_file():
                missing.append(f"{path.relative_to(built_site)}: <{el.tag} {attribute}={target}>")
    assert missing == []
