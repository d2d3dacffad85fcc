"""Serve a downloaded site preview the way it will be published: under its base path, with its 404 page.

This file travels inside the pull-request preview (scripts/devtools/preview_kit.py puts it beside ``site/``)
and needs nothing but Python 3:

    python3 serve_preview.py          # then open the address it prints
    python3 serve_preview.py 8080     # another port

Opening ``site/index.html`` from disk does not work: the pages link to /<base>/assets/… and browsers refuse
scripts from file:// pages.
"""

from __future__ import annotations

import functools
import http.server
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"


def base_path() -> str:
    """The path part of the site's address (mkdocs.yml site_url), which preview_kit wrote beside this file."""
    path = (HERE / "base_path.txt").read_text(encoding="utf-8").strip() or "/"
    return path if path.endswith("/") else path + "/"


class Handler(http.server.SimpleHTTPRequestHandler):
    base = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.base):
            return str(SITE / "__outside_the_site__")
        return super().translate_path("/" + path[len(self.base):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = SITE / "404.html"
        if code == 404 and page.is_file():  # as the published site does
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        else:
            super().send_error(code, message, explain)


def main(argv: list[str]) -> None:
    port = int(argv[1]) if len(argv) > 1 else 8000
    Handler.base = base_path()
    handler = functools.partial(Handler, directory=str(SITE))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"预览地址（preview）：http://127.0.0.1:{server.server_address[1]}{Handler.base}  按 Ctrl+C 结束")
        sys.stdout.flush()
        server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
