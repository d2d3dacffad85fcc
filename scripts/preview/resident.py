"""The live preview's MkDocs, kept loaded between edits: an edit renders again only the pages it changed.

MkDocs' own preview answers every change with a "dirty" build: it registers every file of the staging folder
again, rebuilds the navigation and compares every page's modification times, and it notices changes by polling
every file of the folder twice a second. At 10,000 stations that is 40,000 files: seconds per save before any
page is rendered, and half a core spent polling meanwhile.

Here the files, navigation and theme environment of the last build stay loaded. When the pipeline has rewritten
files that MkDocs already knows (an edited record: its page, the list pages that show it, the finder's data),
``update`` renders just those pages, with the functions and plugin events of a MkDocs build, and copies just
those other files. A new or removed file needs MkDocs' dirty build (the files and navigation are read again); a
page in the navigation whose title changed, or a change to the theme's templates, ``mkdocs.yml`` or what every
page's frame shows (the footer's identity, the Content-Security-Policy), needs a complete build.

Like MkDocs' dirty builds, an update checks the anchors of the pages it renders, not of the pages linking to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Navigation

PLUGIN_NAME = "xinfu-resident-preview"


class ResidentSite(BasePlugin):
    """The preview site as MkDocs last built it. ``make_config`` gives a fresh configuration for a new build."""

    def __init__(self, make_config: Callable[[], MkDocsConfig], serve_url: str) -> None:
        self._make_config = make_config
        self.serve_url = serve_url
        self.config: MkDocsConfig | None = None
        self.files: Files | None = None
        self.nav: Navigation | None = None
        self.env = None

    # MkDocs' build hands us what it made: added last, this plugin sees the files and navigation as final.
    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav, self.files = nav, files
        return nav

    def on_env(self, env, /, *, config: MkDocsConfig, files: Files):  # noqa: ANN001, ANN201 - jinja2 types
        self.env = env
        return env

    def build(self, *, dirty: bool) -> None:
        """A build of the whole staging folder with a fresh configuration; ``dirty`` renders only the pages whose
        files are newer than their output (MkDocs' own preview builds)."""
        config = self._make_config()
        config.plugins[PLUGIN_NAME] = self  # type: ignore[assignment]
        self.config = self.files = self.nav = self.env = None  # a failed build leaves nothing to update
        mkdocs_build.build(config, serve_url=self.serve_url, dirty=dirty)
        self.config = config

    def update(self, changed: Iterable[str]) -> Literal["dirty", "complete"] | None:
        """Render again the pages, and copy again the other files, at these paths under the staging folder; or say
        which build must run instead (nothing done then, or nothing that build does not do again)."""
        config, files, nav, env = self.config, self.files, self.nav, self.env
        if config is None or files is None or nav is None or env is None:
            return "dirty"  # the last build failed
        found = [files.get_file_from_path(path) for path in changed]
        if any(file is None for file in found):  # a file MkDocs has not registered: a new page or asset
            return "dirty"
        pages = [file.page for file in found if file is not None and file.page is not None]
        in_nav = {id(page) for page in nav.pages}
        # Every page's sidebar shows these (a page MkDocs has not read since a dirty build has no title yet).
        titled = [(page, page.title) for page in pages if id(page) in in_nav and page.title is not None]
        config.plugins.on_pre_build(config=config)
        try:
            for page in pages:
                mkdocs_build._populate_page(page, config, files)
            if any(page.title != title for page, title in titled):
                config.plugins.on_build_error(error=RuntimeError("a title in the navigation changed"))
                return "complete"
            for file in found:
                if file is not None and file.page is None:
                    file.copy_file()
            doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
            for page in pages:
                mkdocs_build._build_page(page, config, doc_files, nav, env)
            for page in pages:
                page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        except Exception as error:
            config.plugins.on_build_error(error=error)
            self.config = None  # some pages may be half-done: the next edit gets a build
            raise
        config.plugins.on_post_build(config=config)
        return None
