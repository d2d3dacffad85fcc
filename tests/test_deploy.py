"""Serving the site elsewhere: the nginx configuration's values come from the project and are checked, and the
object storage job in publish.yml runs only when switched on, after the checks, deleting only after uploading.
(tests/test_nginx_browser.py runs the configuration with the real nginx.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import ROOT, published_site_url, run_cli
from scripts.deploy import nginx


def test_the_command_fills_in_the_base_path_and_the_header_policy(tmp_path: Path) -> None:
    from scripts.outputs import csp
    from scripts.pipeline.build import Project, load_catalogue

    result = run_cli("nginx", "--root", "/srv/site", "--server-name", "yizhan.example.cn", "--output",
                     tmp_path / "xinfu.conf")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "xinfu.conf").read_text(encoding="utf-8")
    policy = csp.header_policy(load_catalogue(Project()).settings.map)
    assert f'add_header Content-Security-Policy "{policy}" always;' in text
    assert "frame-ancestors 'self'" in policy
    base = nginx.base_path(published_site_url())
    assert f"location {base} {{\n        alias \"/srv/site/\";" in text
    assert f"error_page 404 {base}404.html;" in text
    assert "server_name yizhan.example.cn;" in text
    assert "\n    # brotli_static on;" in text and "\n    gzip_static on;" in text


@pytest.mark.parametrize(("url", "base"), [("https://example.org/xinfu/", "/xinfu/"), ("https://a.cn", "/"),
                                           ("https://a.cn/x/y", "/x/y/")])
def test_base_path(url: str, base: str) -> None:
    assert nginx.base_path(url) == base


@pytest.mark.parametrize(("server", "base", "says"), [
    (nginx.Server(root='/srv/a"b'), "/xinfu/", "网站目录"),
    (nginx.Server(root="srv/site"), "/xinfu/", "绝对路径"),
    (nginx.Server(root="/srv/$host"), "/xinfu/", "网站目录"),
    (nginx.Server(server_name="a.cn; root /"), "/xinfu/", "服务器名"),
    (nginx.Server(listen=["80; include /etc/passwd"]), "/xinfu/", "监听地址"),
    (nginx.Server(), "/xin fu/", "site_url"),
])
def test_values_nginx_would_misread_are_refused(server: nginx.Server, base: str, says: str) -> None:
    with pytest.raises(nginx.NginxConfigError, match=says):
        nginx.render(server, base, "default-src 'self'", "站点")


def test_brotli_and_the_root_site() -> None:
    text = nginx.render(nginx.Server(brotli=True, listen=["8080"]), "/", "default-src 'self'", "站点")
    assert "\n    brotli_static on;" in text and "listen 8080;" in text
    assert "return 302" not in text and "location / {\n        alias" in text
    assert "map $uri $site_cache_control" in text


def test_object_storage_job_is_off_unless_switched_on_and_deletes_last() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["oss"]
    assert job["needs"] == "checks" and job["if"] == "vars.OSS_SYNC == 'true' && vars.OFFICIAL_SITE == 'true'"
    runs = [step.get("run", "") for step in job["steps"]]
    assert job["steps"][0]["uses"].startswith("actions/download-artifact@")
    assert job["steps"][0]["with"]["name"] == "site"
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert all(action.startswith("actions/") for action in uses), "official actions only"
    copy = next(i for i, run in enumerate(runs) if "rclone copy" in run)
    sync = next(i for i, run in enumerate(runs) if "rclone sync" in run)
    assert copy < sync and "rclone sync" not in runs[copy] and "delete" not in runs[copy].replace("-", "")
    for run in (runs[copy], runs[sync]):
        assert '--filter "- *.gz" --filter "- *.br"' in run  # the build's compressed copies stay off the bucket
    secrets = "".join(str(value) for value in job["env"].values())
    for name in ("OSS_ACCESS_KEY_ID", "OSS_SECRET_ACCESS_KEY", "OSS_ENDPOINT", "OSS_BUCKET"):
        assert f"secrets.{name}" in secrets
    assert workflow["jobs"]["deploy"]["needs"] == "checks", "GitHub Pages stays"


def test_the_make_target_installs_nginx_for_the_test() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    browser = makefile.split("\nbrowser:", 1)[1].split("\ntest:", 1)[0]
    assert "apt-get install -y -qq nginx libnginx-mod-http-brotli-static" in browser
