"""The accessibility checks must fail on a real accessibility bug, naming the page and the rule.

Records cannot carry one (their images must have alt text, and since issue 7 the validator rejects
a Markdown image without alt too), so the bug goes into a hand-written page of a copy of the
project: an image without alt text and a button with no name. The copy is built with the shipped
data and checked as the browser tests check every page, and by the markup check. The build itself
refuses a page with an inline script, so the one the Content-Security-Policy must refuse is added to
the page in the browser, as markup that slipped through would be.
"""

from __future__ import annotations

from pathlib import Path

from browser_checks import open_visit, page_label, page_problems, report, wait_until_ready
from conftest import build_site, project_copy, run_cli, serve_site
from markup_checks import parse, structure_problems

BROKEN = """

<img src="../assets/images/favicon.png" width="48" height="48">

<button type="button" class="md-button"></button>
"""


def test_an_image_without_alt_and_a_nameless_button_fail_with_page_and_rule(browser, data_copy: Path,
                                                                            tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    about = root / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + BROKEN, encoding="utf-8")
    result = build_site(data_copy, tmp_path / "work", tmp_path / "site", root=root)
    assert result.exit_code == 0, result.output

    with serve_site(tmp_path / "site") as site_url, open_visit(browser, "phone") as visit:
        visit.page.goto(site_url + "about/")
        wait_until_ready(visit.page)
        visit.page.evaluate("""() => { const script = document.createElement('script');
                                       script.textContent = 'document.title = "inline"';
                                       document.head.append(script); }""")
        visit.page.wait_for_function("() => window.__cspViolations.length > 0")
        problems = page_problems(visit.page, page_label(visit.page, "phone"), keyboard=False)
        assert visit.page.title() != "inline"
    message = report(problems)
    rules = {problem.rule for problem in problems if problem.page == "about/ @phone"}
    assert {"image-alt", "button-name"} <= rules, message  # axe-core's rule ids
    assert {"image-alt-text", "accessible-name"} <= rules, message  # and our own checks agree
    assert "about/ @phone: image-alt: <img" in message and "about/ @phone: button-name: <button" in message
    assert "about/ @phone: csp-violation: script-src-elem refused inline" in message

    static = list(structure_problems(parse(tmp_path / "site" / "about" / "index.html")[0]))
    assert any("<img> without alt text" in problem for problem in static), static


def test_a_record_image_without_alt_text_is_rejected(data_copy: Path) -> None:
    story = sorted((data_copy / "stories").glob("*.yaml"))[0]
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("body: |\n", "body: |\n  ![](assets/images/photo.jpg)\n\n", 1), encoding="utf-8")
    assert "body: |\n  ![]" in story.read_text(encoding="utf-8"), "the story has no body to break"
    result = run_cli("--data", data_copy, "validate")
    assert result.exit_code == 1
    assert f"data/stories/{story.name}" in result.output
    assert "图片缺少替代文字（image without alt text）" in result.output
