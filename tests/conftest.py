"""Shared fixtures: the real command line, real builds, copies of the shipped data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Date-dependent checks (verified dates, stale warnings) use this "today".
TODAY = "2026-11-28"


@dataclass
class CliResult:
    exit_code: int
    output: str  # stdout and stderr together, as an editor sees them in the terminal


def run_cli(*args: str | Path) -> CliResult:
    """Run ``python -m scripts`` exactly as a person or CI does."""
    env = {**os.environ, "SITE_TODAY": TODAY, "PYTHONDONTWRITEBYTECODE": "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "scripts", *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    return CliResult(completed.returncode, completed.stdout + completed.stderr)


def build_site(data_dir: Path, work_dir: Path, site_dir: Path) -> CliResult:
    return run_cli("--data", data_dir, "--work", work_dir, "--site", site_dir, "build")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real build of the shipped data, shared by the read-only build tests."""
    base = tmp_path_factory.mktemp("shipped")
    result = build_site(DATA, base / "work", base / "site")
    assert result.exit_code == 0, result.output
    return base / "site"
