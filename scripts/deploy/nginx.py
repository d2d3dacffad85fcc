"""The nginx configuration for serving ``site/`` from one's own server, filled in from the project.

``python -m scripts nginx`` prints it (``--output`` writes it). What differs between projects comes from the
project, never typed into the template: the base path from ``mkdocs.yml``'s ``site_url``, the
Content-Security-Policy header from ``scripts/outputs/csp.py`` (it depends on the map tiles in
``data/site.yaml``). What differs between servers is an option: the site folder, the server name, the addresses
it listens on, and whether the Brotli module is installed.

The template is ``templates/nginx.conf``; ``tests/test_nginx_browser.py`` runs what it gives with Debian's nginx.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from mkdocs.utils.yaml import yaml_load

from ..outputs import csp
from ..pipeline.build import Project, load_catalogue

TEMPLATES = Path(__file__).parent / "templates"
DEBIAN_MIME_TYPES = "/etc/nginx/mime.types"

_BASE_PATH = re.compile(r"^/(?:[A-Za-z0-9._~-]+/)*$")
_SERVER_NAMES = re.compile(r"^[A-Za-z0-9.*_-]+(?: [A-Za-z0-9.*_-]+)*$")
_LISTEN = re.compile(r"^(?:\[[0-9a-fA-F:.]+\]:|[0-9.]+:)?[0-9]{1,5}(?: [a-z_]+)*$")
_QUOTABLE = re.compile(r'^[^"\\$\x00-\x1f\x7f{};]*$')  # safe inside "…" in an nginx file (and no ; or braces)


class NginxConfigError(ValueError):
    """A value that cannot go into the configuration as it is (the message says which, in Chinese)."""


@dataclass(frozen=True)
class Server:
    """What differs between servers; the defaults are a Debian server's."""

    root: str = "/srv/xinfu/site"  # where site/ is copied to
    server_name: str = "_"  # nginx's "any name"; a real one is the site's domain
    listen: list[str] = field(default_factory=lambda: ["80", "[::]:80"])
    brotli: bool = False  # brotli_static needs Debian's libnginx-mod-http-brotli-static
    mime_types: str = DEBIAN_MIME_TYPES


def base_path(url: str) -> str:
    """The path the site is published under (``/xinfu/``), from ``site_url``."""
    path = urllib.parse.urlsplit(url).path or "/"
    return path if path.endswith("/") else path + "/"


def render(server: Server, base: str, content_security_policy: str, site_name: str) -> str:
    """The configuration file's text; raises ``NginxConfigError`` for a value nginx would misread."""
    root = server.root.rstrip("/") or "/"
    checks = [
        (_BASE_PATH.match(base), f"site_url 的路径 {base!r} 只能有字母、数字和 . _ ~ -，以 / 开头和结尾"),
        (_SERVER_NAMES.match(server.server_name), f"服务器名 {server.server_name!r} 只能是域名，多个用空格分开"),
        (all(_LISTEN.match(address) for address in server.listen), f"监听地址 {server.listen!r} 应像 80"),
        (root.startswith("/") and _QUOTABLE.match(root), f"网站目录 {root!r} 要写绝对路径，不能有引号、$、; 和花括号"),
        (_QUOTABLE.match(server.mime_types), f"mime.types 路径 {server.mime_types!r} 不能有引号、$、; 和花括号"),
        (_QUOTABLE.match(content_security_policy.replace(";", "")), "内容安全策略里有 nginx 无法放进引号的字符"),
        (_QUOTABLE.match(site_name), f"网站名称 {site_name!r} 里有 nginx 配置注释放不下的字符"),
    ]
    for ok, message in checks:
        if not ok:
            raise NginxConfigError(message)
    slug = re.sub(r"[^a-z0-9]+", "_", base.strip("/").lower()) or "site"
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True, autoescape=False)  # nginx, not HTML
    return environment.get_template("nginx.conf").render(
        site_name=site_name, base=base, base_pattern=re.escape(base), root=root, server_name=server.server_name,
        listen=server.listen, brotli=server.brotli, mime_types=server.mime_types,
        content_security_policy=content_security_policy, cache_variable=f"{slug}_cache_control",
    )


def project_config(project: Project, server: Server) -> str:
    """The configuration for this project's ``mkdocs.yml`` and data (the data is loaded, and so checked)."""
    catalogue = load_catalogue(project)
    with project.config_file.open(encoding="utf-8") as file:  # as MkDocs reads it (!ENV works)
        config = yaml_load(file)
    return render(server, base_path(config.get("site_url") or "/"), csp.header_policy(catalogue.settings.map),
                  config.get("site_name") or "")
