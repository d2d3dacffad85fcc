"""The benchmark's Lighthouse figures (scripts/devtools/lighthouse.py): what it reads from a report, which
requests it blocks, and that its pinned npm files agree. Lighthouse itself is not run here."""

from __future__ import annotations

import json
import re

import pytest

from scripts.devtools.lighthouse import PINNED, TARGET, blocked_url_patterns, parse_report
from scripts.outputs.maps import PROVIDERS


def report(performance: float | None, **extra: object) -> dict:
    """The parts of a Lighthouse JSON report (``lhr``) the benchmark reads, shaped as Lighthouse 12 writes them."""
    return {
        "categories": {
            "performance": {"score": performance},
            "accessibility": {"score": 0.987, "auditRefs": [
                {"id": "aria-allowed-role", "weight": 1}, {"id": "color-contrast", "weight": 7},
                {"id": "skip-link", "weight": 0},  # failing, but weighs nothing: not a lost point
            ]},
        },
        "audits": {
            "aria-allowed-role": {"score": 0}, "color-contrast": {"score": 1}, "skip-link": {"score": 0},
            "first-contentful-paint": {"numericValue": 1567.9},
            "largest-contentful-paint": {"numericValue": 2686.7},
            "total-blocking-time": {"numericValue": 159.5},
            "cumulative-layout-shift": {"numericValue": 0.2087},
        },
        **extra,
    }


def test_scores_metrics_and_lost_accessibility_points_are_read() -> None:
    scores = parse_report(report(0.895))
    assert (scores.performance, scores.accessibility) == (90, 99)
    assert (scores.fcp_ms, scores.lcp_ms, scores.tbt_ms, scores.cls) == (1567.9, 2686.7, 159.5, 0.2087)
    assert scores.accessibility_failures == ("aria-allowed-role",)
    assert scores.met and scores.error == ""


@pytest.mark.parametrize("performance", [0.894, None])
def test_below_the_target_or_unmeasured_is_not_met(performance: float | None) -> None:
    assert TARGET == 90
    assert not parse_report(report(performance)).met


def test_a_page_that_did_not_load_says_why() -> None:
    scores = parse_report(report(None, runtimeError={"code": "NO_FCP", "message": "The page did not paint"}))
    assert scores.performance is None
    assert scores.error == "NO_FCP: The page did not paint"


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_every_tile_host_is_blocked(provider: str) -> None:
    """Lighthouse's ``*`` patterns, read as Chromium reads them, cover each provider's tile addresses."""
    patterns = [re.compile(".*".join(map(re.escape, p.split("*")))) for p in blocked_url_patterns()]
    for layer in PROVIDERS[provider].layers:
        url = layer.url.replace("{s}", "3").format(z=12, x=3300, y=1500, layer="vec", key="k")
        assert any(p.fullmatch(url) for p in patterns), url


def test_the_lock_file_pins_what_package_json_asks_for() -> None:
    """``npm ci`` refuses a lock that disagrees with package.json: found here, not at benchmark time."""
    package = json.loads((PINNED / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((PINNED / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    assert lock["packages"]["node_modules/lighthouse"]["version"] == package["dependencies"]["lighthouse"]
