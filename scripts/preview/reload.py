"""The live preview's automatic reload, loaded from a file instead of an inline script.

MkDocs' preview server adds an inline ``<script>`` to every page it serves, which starts polling for
changes; the pages' Content-Security-Policy (``csp``) refuses inline scripts, so the preview would
not reload, and would report the refusal. This module makes the server add
``<script src="…/_preview/livereload.js" data-epoch=… data-request-id=…>`` instead, and writes that
file from MkDocs' own script, so the reload works as MkDocs made it. Preview only: published builds
have neither.
"""

from __future__ import annotations

import mkdocs.commands.serve
from mkdocs import livereload

from .banner import FOLDER

SCRIPT = f"{FOLDER}/livereload.js"


def files() -> dict[str, bytes]:
    """MkDocs' live reload script, started with the values the server puts on the <script> element."""
    template = livereload._SCRIPT_TEMPLATE_STR.rstrip()
    body, start = template.rsplit("\n", 1)
    if not start.startswith("livereload(${epoch}"):
        raise RuntimeError(f"MkDocs' live reload script has changed: {start}")
    script = body + "\nlivereload(Number(document.currentScript.dataset.epoch), " \
                    "Number(document.currentScript.dataset.requestId));\n"
    return {SCRIPT: script.encode()}


class _ScriptFileServer(livereload.LiveReloadServer):
    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        try:
            body_end = content.rindex(b"</body>")
        except ValueError:
            body_end = len(content)
        tag = (f'<script src="{self.mount_path}{SCRIPT}" data-epoch="{epoch}" '
               f'data-request-id="{livereload._timestamp()}"></script>')
        return content[:body_end] + tag.encode() + content[body_end:]


def install() -> None:
    """Use the server above for ``mkdocs.commands.serve.serve`` in this process."""
    mkdocs.commands.serve.LiveReloadServer = _ScriptFileServer
