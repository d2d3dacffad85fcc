"""CI and pre-commit run the README's own commands, and publish only after every check passed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PROJECT_COMMAND = re.compile(r"^(make [a-z]+|(?:\S*python3?) -m scripts [a-z].*)$")


def load(path: Path) -> dict:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True)) or {}  # YAML 1.1 reads the key `on` as true


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def project_commands(workflow: dict) -> list[str]:
    """The make / python -m scripts commands of every run step, in order."""
    lines = [line.strip() for step in steps(workflow) for line in str(step.get("run", "")).splitlines()]
    return [line for line in lines if PROJECT_COMMAND.match(line)]


def readme_commands() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"make [a-z]+", readme)) | set(re.findall(r"python -m scripts [a-z]+", readme))


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_workflow_files_parse(path: Path) -> None:
    workflow = load(path)
    assert workflow.get("name") and triggers(workflow) and workflow.get("jobs"), path
    for job in workflow["jobs"].values():
        assert "uses" in job or job.get("steps"), path
        assert not any(step.get("continue-on-error") for step in job.get("steps", [])), "a failed step must fail"


def test_pull_requests_validate_build_and_test_with_the_readme_commands() -> None:
    checks = load(WORKFLOWS / "checks.yml")
    assert "pull_request" in triggers(checks)
    commands = project_commands(checks)
    assert [c for c in commands if c in ("make validate", "make build", "make test")] == \
        ["make validate", "make build", "make test"], commands
    assert set(commands) <= readme_commands(), "CI must run the same commands as the README"
    uploads = [s for s in steps(checks) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["path"].rstrip("/") == "site"
    assert "if" not in uploads[0], "every pull request gets its preview"


def test_main_is_published_only_after_every_check_passed() -> None:
    publish = load(WORKFLOWS / "publish.yml")
    # A push to main, and a daily run so that stories held back until their date are published on that day.
    assert triggers(publish) == {"push": {"branches": ["main"]}, "schedule": [{"cron": "10 16 * * *"}]}
    assert publish["jobs"]["checks"]["uses"] == "./.github/workflows/checks.yml"
    assert "workflow_call" in triggers(load(WORKFLOWS / "checks.yml"))
    deploy = publish["jobs"]["deploy"]
    assert deploy["needs"] in ("checks", ["checks"])
    assert "if" not in deploy, "no condition that could run it after a failure (always(), failure())"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in deploy["steps"])

    # The Pages artifact is made last in the checks job, only for main, so it exists only after all passed.
    checks_steps = steps(load(WORKFLOWS / "checks.yml"))
    pages = [i for i, step in enumerate(checks_steps)
             if str(step.get("uses", "")).startswith("actions/upload-pages-artifact@")]
    assert pages == [len(checks_steps) - 1]
    condition = checks_steps[-1]["if"]
    assert "refs/heads/main" in condition and "push" in condition and "schedule" in condition
    assert checks_steps[-1]["with"]["path"].rstrip("/") == "site"


def test_readme_names_the_commands_ci_runs() -> None:
    for command in ("make test", "make build", "make validate"):
        assert command in readme_commands()


def test_pre_commit_runs_the_validator_when_data_changes() -> None:
    config = load(ROOT / ".pre-commit-config.yaml")
    hooks = [hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]
    validate = next(hook for hook in hooks if hook["entry"].endswith("validate"))
    assert validate["language"] == "system" and validate["pass_filenames"] is False
    assert re.search(validate["files"], "data/stations/xiaoge-01.yaml")
    assert re.search(validate["files"], "data/volunteer/teams.yaml")
    assert not re.search(validate["files"], "scripts/cli.py")
    target = re.search(r"make (?:--\S+ )*(\w+)$", validate["entry"]).group(1)
    assert f"make {target}" in readme_commands()


def test_checks_cancel_superseded_pull_request_runs_and_use_secrets_not_the_repository() -> None:
    checks = load(WORKFLOWS / "checks.yml")
    concurrency = checks["concurrency"]
    assert "pull_request" in concurrency["group"] and "pull_request" in concurrency["cancel-in-progress"]
    builds = [s for s in steps(checks) if str(s.get("run", "")).strip() in ("make build", "make publish")]
    assert [s["run"].strip() for s in builds] == ["make build", "make publish"]
    assert builds[0]["env"]["TIANDITU_KEY"].startswith("${{ secrets.TIANDITU_KEY ||")  # a fork's preview
    assert builds[1]["env"]["TIANDITU_KEY"] == "${{ secrets.TIANDITU_KEY }}"  # publishing: the real key or nothing
    tests = next(s for s in steps(checks) if str(s.get("run", "")).strip() == "make test")
    assert tests["env"]["TIANDITU_KEY"].startswith("${{ secrets.TIANDITU_KEY ||")
    # Exactly one of the two runs: the publishing build on the official site's main, the other everywhere else.
    assert builds[1]["if"].replace("${{ ", "").replace(" }}", "") in builds[0]["if"]
    assert "vars.OFFICIAL_SITE == 'true'" in builds[1]["if"]
    uses = [str(s.get("uses")) for s in steps(checks) if s.get("uses")]
    assert "actions/checkout@v7" in uses and "actions/upload-pages-artifact@v5" in uses
    assert all(u.split("@")[1] == "v7" for u in uses if u.startswith("actions/upload-artifact@"))


def test_publishing_passes_the_secrets_to_the_checks_and_uses_current_actions() -> None:
    publish = load(WORKFLOWS / "publish.yml")
    assert publish["jobs"]["checks"]["secrets"] == "inherit"  # the build's TIANDITU_KEY
    uses = [str(s.get("uses")) for s in steps(publish) if s.get("uses")]
    assert "actions/deploy-pages@v5" in uses
    assert all(u.endswith("@v8") for u in uses if u.startswith("actions/download-artifact@"))
