"""requirements.lock pins what requirements.txt and requirements-dev.txt ask for, with hashes, and is what
`make` installs. When this fails after an input changed: run `make lock` and commit requirements.lock."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

LOCK = ROOT / "requirements.lock"
RELOCK = "requirements.lock 与 requirements*.txt 不一致（stale lock）：运行 `make lock` 并提交 requirements.lock。"
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:==\s*([^\s;#]+))?")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def inputs(path: Path) -> dict[str, str | None]:
    """Every requirement of an input file (following -r), with its == version if pinned."""
    wanted: dict[str, str | None] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            wanted |= inputs(path.parent / line.split(maxsplit=1)[1])
        elif line and not line.startswith(("#", "-")):
            match = REQUIREMENT.match(line)
            assert match, f"{path.name}: cannot read {raw!r}"
            wanted[canonical(match.group(1))] = match.group(2)
    return wanted


def locked() -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes)."""
    entries: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8")):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", block)
        if match:
            entries[canonical(match.group(1))] = (match.group(2), block.count("--hash=sha256:"))
    return entries


def test_lock_has_every_input_at_the_same_version() -> None:
    lock = locked()
    wrong = [f"{name}=={version or '*'} (lock: {lock[name][0] if name in lock else 'missing'})"
             for name, version in inputs(ROOT / "requirements-dev.txt").items()
             if name not in lock or (version is not None and lock[name][0] != version)]
    assert wrong == [], RELOCK + "\n" + "\n".join(wrong)


def test_every_locked_package_has_hashes() -> None:
    lock = locked()
    assert len(lock) > len(inputs(ROOT / "requirements-dev.txt")), "transitive dependencies are locked too"
    assert [name for name, (_, hashes) in lock.items() if hashes == 0] == []


def test_make_installs_from_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in makefile
    assert "make lock" in makefile
