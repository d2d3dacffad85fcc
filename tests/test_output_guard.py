"""The last check before publishing (scripts/guard.py) finds markup that could run script, however
it is spelled, leaves the site's own markup alone, and stops a build that has any."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import build_site, project_copy
from scripts.pipeline import guard

UNSAFE = [
    ('<a href="javascript:alert(1)">x</a>', "script URL"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "script URL"),
    ("<a href='&#106;avascript:alert(1)'>x</a>", "script URL"),
    ('<a href="java&Tab;script:alert(1)">x</a>', "script URL"),
    ("<a href=javascript&colon;alert(1)>x</a>", "script URL"),
    ('<a href=" \x01javascript:alert(1)">x</a>', "script URL"),
    ('<a href="vbscript:msgbox(1)">x</a>', "script URL"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "script URL"),
    ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "script URL"),
    ('<form action="javascript:alert(1)"><button>x</button></form>', "script URL"),
    ('<button formaction="javascript:alert(1)">x</button>', "script URL"),
    ('<img src=x onerror=alert(1)>', "event handler"),
    ('<p title="x"onclick="alert(1)">x</p>', "event handler"),
    ('<a/onmouseover=alert(1)>x</a>', "event handler"),
    ('<h1 ONFOCUS="alert(1)" autofocus>x</h1>', "event handler"),
    ('<details open ontoggle=alert(1)>x</details>', "event handler"),
    ('<svg onload=alert(1)></svg>', "event handler"),
    ('<script>alert(1)</script>', "inline script"),
    ('<script type="text/javascript">alert(1)</script>', "inline script"),
    ('<script type="module">alert(1)</script>', "inline script"),
    ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "srcdoc"),
    ('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', "refresh"),
    ('<base href="https://evil.test/">', "<base>"),
    ('<object data="x.swf"></object>', "<object>"),
    ('<embed src="x.swf">', "<embed>"),
    ('<div style="width:expression(alert(1))">x</div>', "样式里的脚本"),
]
SAFE = [
    '<a href="https://example.org/a?b=1&amp;c=2">x</a>',
    '<a href="tel:03503031234">电话</a> <a href="mailto:a@example.org">邮件</a>',
    '<a href="../stations/xiaoge-01/">相对链接</a> <a href="#hours">锚点</a>',
    '<script src="assets/javascripts/search.js"></script>',
    '<script type="application/ld+json">{"name":"\\u003c/script\\u003e"}</script>',
    '<script id="__config" type="application/json">{"base":"."}</script>',
    '<p>online = yes; button=1; 文字里的 javascript: 不是链接</p>',
    '<p title="&#91;x&#93;&#40;javascript&#58;alert&#40;1&#41;&#41;">编码后的文字</p>',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">',
]


def _findings(tmp_path: Path, markup: str) -> list[guard.Finding]:
    page = tmp_path / "page" / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"<!doctype html>\n<html><body>\n{markup}\n</body></html>\n", encoding="utf-8")
    return guard.check_site(tmp_path)


@pytest.mark.parametrize(("markup", "named"), UNSAFE, ids=[f"unsafe-{i}" for i in range(len(UNSAFE))])
def test_markup_that_could_run_script_is_found_with_file_and_line(tmp_path: Path, markup: str, named: str) -> None:
    findings = _findings(tmp_path, markup)
    assert findings, markup
    assert all(f.path == "site/page/index.html" and f.line == 3 for f in findings), findings
    assert any(named in f.what for f in findings), findings


@pytest.mark.parametrize("markup", SAFE, ids=[f"safe-{i}" for i in range(len(SAFE))])
def test_the_sites_own_kinds_of_markup_pass(tmp_path: Path, markup: str) -> None:
    assert _findings(tmp_path, markup) == []


def test_the_shipped_site_has_nothing_to_find(built_site: Path) -> None:
    assert guard.check_site(built_site) == []


def test_a_page_with_an_event_handler_stops_the_build_and_nothing_is_published(data_copy: Path,
                                                                                tmp_path: Path) -> None:
    """Even a hand-written page, which is not a record, cannot publish an event handler."""
    root = project_copy(tmp_path)
    about = root / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + '\n\n<p onmouseover="alert(1)">悬停</p>\n', encoding="utf-8")
    site = tmp_path / "site"
    result = build_site(data_copy, tmp_path / "work", site, root=root)
    assert result.exit_code != 0, result.output
    assert "生成的页面里有能运行脚本的内容" in result.output
    assert "about/index.html:" in result.output and "onmouseover" in result.output
    assert "Traceback" not in result.output
    assert not site.exists()
