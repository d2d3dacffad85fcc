"""Valid markup and working references in every built HTML file, without a browser (see
markup_checks.py for why html5lib): no parse error; no duplicate id, list holding something other
than items, control inside a link or button, label or ARIA reference pointing nowhere, unreadable
<time>, image without alt text or frame without a title; no image, script, style or frame that is
missing. Every page is checked (every station, not only the one the browser tests visit).
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import DATA, TODAY, _site_mount_path
from markup_checks import ALLOWED_PARSE_ERRORS, csp_meta, csp_problems, parse, structure_problems, walk
from scripts.outputs import csp
from scripts.pipeline.build import Project, load_catalogue


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


def test_every_page_carries_the_content_security_policy_and_no_inline_script(built_site: Path, monkeypatch) -> None:
    """MkDocs pages, the 404 page, the map documents and the posters: the policy (scripts/outputs/csp.py) in a <meta>
    before any script, no inline script, event handler or javascript: URL for it to refuse."""
    monkeypatch.setenv("SITE_TODAY", TODAY)
    expected = csp.policy(load_catalogue(Project(data_dir=DATA)).settings.map)
    assert "'unsafe-inline'" not in expected.split("script-src")[1].split(";")[0]
    pages = html_files(built_site)
    kinds = {path.relative_to(built_site).as_posix() for path in pages}
    assert {"index.html", "404.html", "maps/district.html", "maps/station.html"} <= kinds
    assert any(re.fullmatch(r"stations/[^/]+/poster/index\.html", kind) for kind in kinds)
    problems, policies = [], {}
    for path in pages:
        tree = parse(path)[0]
        problems += [f"{path.relative_to(built_site)}: {problem}" for problem in csp_problems(tree)]
        policies.setdefault(csp_meta(tree), []).append(path.relative_to(built_site).as_posix())
    assert problems == []
    assert list(policies) == [expected], {policy: paths[:3] for policy, paths in policies.items()}


def test_the_content_security_policy_check_catches_what_it_claims(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><head><script src="early.js"></script>'
                    '<meta http-equiv="content-security-policy" content="script-src \'self\' \'unsafe-inline\'; '
                    'frame-ancestors \'self\'"><script type="application/ld+json">{}</script>'
                    '<script type="application/json">{}</script></head><body>'
                    '<img src="x.png" alt="" onerror="alert(1)"><a href=" javascript:alert(1)">x</a>'
                    '<script>alert(1)</script><script type="module">alert(2)</script></body></html>',
                    encoding="utf-8")
    found = list(csp_problems(parse(page)[0]))
    text = "\n".join(found)
    for expected in ["a script comes before the Content-Security-Policy", "script-src allows [\"'unsafe-inline'\"]",
                     "event-handler attribute onerror", "javascript: URL", "object-src is not 'none'",
                     "frame-ancestors in a <meta> policy"]:
        assert expected in text, text
    assert sum(problem.startswith("inline script") for problem in found) == 2, text  # not the JSON data blocks
    page.write_text("<!doctype html><html><head><title>x</title></head><body></body></html>", encoding="utf-8")
    assert list(csp_problems(parse(page)[0])) == ["no Content-Security-Policy <meta>"]
