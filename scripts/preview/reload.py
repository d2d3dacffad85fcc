"""The live preview's server: MkDocs' own, with its automatic reload loaded from a file, and rebuilt when told.

MkDocs' preview server adds an inline ``<script>`` to every page it serves, which starts polling for
changes; the pages' Content-Security-Policy (``csp``) refuses inline scripts, so the preview would
not reload, and would report the refusal. This server adds
``<script src="…/_preview/livereload.js" data-epoch=… data-request-id=…>`` instead, and ``files`` writes that
file from MkDocs' own script, so the reload works as MkDocs made it. Preview only: published builds
have neither.

MkDocs' server polls the folders it watches, and takes any event for a change. This one watches nothing itself:
``serve`` is told of changes by the operating system from before the first build, decides what is a change (not
the rebuild's own reading of the sources) and asks for a rebuild (``request_rebuild``), which then runs and reloads
the browsers as after any of MkDocs' own rebuilds. These reach into the server's internals (the MkDocs version is
locked; ``tests/test_serve.py`` runs a real preview).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

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


class PreviewServer(livereload.LiveReloadServer):
    def __init__(self, *args: object, watched: Iterable[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # MkDocs adds its reload script to pages only when it watches something: these, watched by ``serve``.
        self._watched_paths = dict.fromkeys(watched, 1)

    def listen(self) -> None:
        """Take the address now, so that a port in use is said before the first build, not after it."""
        self.server_bind()
        self.server_activate()

    def serve(self, *, open_in_browser: bool = False) -> None:
        """MkDocs' ``serve`` after ``listen``, without starting its polling watcher: answer requests, run the
        builds asked for, reload the browsers after each."""
        logging.getLogger("mkdocs.livereload").info(f"Serving on {self.url}")
        self.serve_thread.start()
        self._build_loop()

    def request_rebuild(self) -> None:
        """What MkDocs' own watcher does on a change (``LiveReloadServer.watch``): the build loop waits until no
        request has come for ``build_delay`` seconds, calls the builder, then reloads the browsers."""
        with self._rebuild_cond:
            self._want_rebuild = True
            self._rebuild_cond.notify_all()

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        try:
            body_end = content.rindex(b"</body>")
        except ValueError:
            body_end = len(content)
        tag = (f'<script src="{self.mount_path}{SCRIPT}" data-epoch="{epoch}" '
               f'data-request-id="{livereload._timestamp()}"></script>')
        return content[:body_end] + tag.encode() + content[body_end:]
