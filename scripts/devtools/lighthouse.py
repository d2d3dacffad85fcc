"""Lighthouse on a phone, for the benchmark (issue 16): scores and load metrics of a few pages.

    tools = install()              # npm ci of the pinned version into build/tools/lighthouse, once
    scores = audit(tools, url, out)  # one mobile run: performance and accessibility, FCP, LCP, TBT, CLS

Lighthouse is an npm package, pinned in ``scripts/devtools/lighthouse/package-lock.json`` (12.2.3: later
versions want a newer Node than this machine's 20). It is installed only when the benchmark runs, into a
throwaway folder under ``build/``: the site and the tests never need it. Without npm, or when the
install fails, ``install`` says why and the benchmark leaves the Lighthouse figures out.

Each run is Lighthouse's default mobile audit (a mid-range phone, simulated slow 4G and 4× slower CPU)
in the Debian Chromium. Map tiles are the pages' only third-party requests; they are blocked, so a run
never waits on the network and measures only what this site serves.

With this machine's Chromium (156), Lighthouse 12.2.3 cannot name the elements behind a layout shift or
the largest paint (its ``layout-shifts`` and ``largest-contentful-paint-element`` audits end in an error);
the scores and the metrics are not affected.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..outputs.maps import PROVIDERS

ROOT = Path(__file__).resolve().parents[2]
PINNED = Path(__file__).with_name("lighthouse")  # package.json and package-lock.json
TOOLS = ROOT / "build" / "tools" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
TARGET = 90  # issue 16: mobile performance ≥ 90 on the home page, the finder and a station page


@dataclass(frozen=True)
class Scores:
    """One Lighthouse run of one page. Scores are 0–100; times in milliseconds; ``None`` when not measured."""

    performance: int | None
    accessibility: int | None
    fcp_ms: float | None  # First Contentful Paint
    lcp_ms: float | None  # Largest Contentful Paint
    tbt_ms: float | None  # Total Blocking Time
    cls: float | None  # Cumulative Layout Shift
    accessibility_failures: tuple[str, ...] = ()  # ids of the accessibility audits that failed
    error: str = ""  # Lighthouse's runtimeError, e.g. the page did not load

    @property
    def met(self) -> bool:
        return self.performance is not None and self.performance >= TARGET


def parse_report(report: dict) -> Scores:
    """The figures the benchmark prints, from Lighthouse's JSON report (its ``lhr``)."""
    audits = report.get("audits", {})

    def score(category: str) -> int | None:
        value = report.get("categories", {}).get(category, {}).get("score")
        return None if value is None else round(value * 100)

    def metric(audit: str) -> float | None:
        return audits.get(audit, {}).get("numericValue")

    failures = tuple(ref["id"] for ref in report.get("categories", {}).get("accessibility", {}).get("auditRefs", [])
                     if ref.get("weight") and audits.get(ref["id"], {}).get("score") == 0)
    error = report.get("runtimeError", {})
    return Scores(
        performance=score("performance"),
        accessibility=score("accessibility"),
        fcp_ms=metric("first-contentful-paint"),
        lcp_ms=metric("largest-contentful-paint"),
        tbt_ms=metric("total-blocking-time"),
        cls=metric("cumulative-layout-shift"),
        accessibility_failures=failures,
        error=f"{error.get('code', '')}: {error.get('message', '')}" if error else "",
    )


def blocked_url_patterns() -> list[str]:
    """The map tile hosts of every provider the site can use (``scripts/outputs/maps.py``), as Lighthouse's
    ``*`` patterns: ``https://t{s}.example/…`` becomes ``*://t*.example/*``."""
    hosts = {layer.url.split("/")[2].replace("{s}", "*") for provider in PROVIDERS.values()
             for layer in provider.layers}
    return [f"*://{host}/*" for host in sorted(hosts)]


class Unavailable(Exception):
    """Lighthouse cannot run here; the message says why, for the benchmark to print."""


def install(tools: Path = TOOLS) -> Path:
    """The Lighthouse command-line script, installed from the pinned lock file into ``tools`` if not there yet."""
    if shutil.which("node") is None:
        raise Unavailable("node not installed")
    if not Path(CHROMIUM).exists():
        raise Unavailable(f"{CHROMIUM} not installed")
    cli = tools / "node_modules" / "lighthouse" / "cli" / "index.js"
    lock = (PINNED / "package-lock.json").read_text(encoding="utf-8")
    installed = tools / "package-lock.json"
    if cli.is_file() and installed.is_file() and installed.read_text(encoding="utf-8") == lock:
        return cli
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable("npm not installed")
    shutil.rmtree(tools, ignore_errors=True)
    tools.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(PINNED / name, tools / name)
    completed = subprocess.run([npm, "ci", "--prefix", str(tools), "--no-audit", "--no-fund"],
                               capture_output=True, text=True, timeout=600)
    if completed.returncode != 0 or not cli.is_file():
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-3:]
        shutil.rmtree(tools, ignore_errors=True)  # so the next run tries again
        raise Unavailable(f"npm ci failed: {' / '.join(tail)}")
    return cli


def audit(cli: Path, url: str, output: Path) -> Scores:
    """One mobile Lighthouse run of ``url``; the whole JSON report is kept at ``output`` to read later."""
    command = [
        "node", str(cli), url,
        "--form-factor=mobile",  # Lighthouse's default, spelled out: a phone screen, simulated throttling
        "--throttling-method=simulate",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={CHROME_FLAGS}",
        "--output=json", f"--output-path={output}",
        "--quiet",
        "--blocked-url-patterns", *blocked_url_patterns(),
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if not output.is_file():
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-3:]
        return Scores(None, None, None, None, None, None, error=f"no report (exit {completed.returncode}): "
                      + " / ".join(tail))
    return parse_report(json.loads(output.read_text(encoding="utf-8")))


def median_run(runs: list[Scores]) -> Scores:
    """The run with the median performance score, as Lighthouse's docs advise for repeated runs."""
    scored = sorted((r for r in runs if r.performance is not None), key=lambda r: r.performance)
    return scored[len(scored) // 2] if scored else runs[0]
