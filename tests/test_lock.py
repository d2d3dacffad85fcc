"""pyproject.toml declares the dependencies; requirements.lock pins them and everything they need, with
hashes, and is what `make` installs. When a test here fails after a dependency changed: run `make lock`
and commit requirements.lock. A fresh virtual environment can install the project itself (`pip install
-e .`), which gives the `xinfu-site` command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from conftest import ROOT

LOCK = ROOT / "requirements.lock"
RELOCK = "requirements.lock 与 pyproject.toml 不一致（stale lock）：运行 `make lock` 并提交 requirements.lock。"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> list[Requirement]:
    """Every dependency pyproject.toml declares: runtime, and the extras (tests)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [line for group in project.get("optional-dependencies", {}).values() for line in group]
    return [Requirement(line) for line in [*project["dependencies"], *extras]]


def locked() -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes)."""
    entries: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8")):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", block)
        if match:
            entries[canonical(match.group(1))] = (match.group(2), block.count("--hash=sha256:"))
    return entries


def test_every_dependency_is_pinned_once_in_pyproject() -> None:
    requirements = declared()
    assert all(len(r.specifier) == 1 and next(iter(r.specifier)).operator == "==" for r in requirements), \
        [str(r) for r in requirements if str(r.specifier)[:2] != "=="]
    names = [canonical(r.name) for r in requirements]
    assert len(names) == len(set(names)), "a dependency declared twice"


def test_lock_has_every_declared_dependency_at_its_version() -> None:
    lock = locked()
    wrong = [f"{r} (lock: {lock[canonical(r.name)][0] if canonical(r.name) in lock else 'missing'})"
             for r in declared()
             if canonical(r.name) not in lock or not r.specifier.contains(lock[canonical(r.name)][0])]
    assert wrong == [], RELOCK + "\n" + "\n".join(wrong)


def test_lock_was_made_from_pyproject() -> None:
    text = LOCK.read_text(encoding="utf-8")
    assert "--extra=test" in text and "pyproject.toml" in text.split("\n\n")[0], RELOCK
    assert not list(ROOT.glob("requirements*.txt")), "pyproject.toml is the one place dependencies are declared"


def test_every_locked_package_has_hashes() -> None:
    lock = locked()
    assert len(lock) > len(declared()), "transitive dependencies are locked too"
    assert [name for name, (_, hashes) in lock.items() if hashes == 0] == []


def test_make_installs_from_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in makefile
    assert "make lock" in makefile and "pyproject.toml" in makefile


def test_the_project_installs_in_a_fresh_venv_and_gives_its_command(tmp_path: Path) -> None:
    """`pip install -e .` (build isolation fetches setuptools from the package index, as any install does)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
                                "-e", str(ROOT)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    command = venv / "bin" / "xinfu-site"
    assert command.is_file()
    # The dependencies come from the project's own environment (this one); the code from the editable install.
    site_packages = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    env = {**os.environ, "PYTHONPATH": site_packages}
    result = subprocess.run([str(command), "--data", str(ROOT / "data"), "validate"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "校验通过" in result.stdout + result.stderr
