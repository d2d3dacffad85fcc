"""MkDocs stage, the fast path: pages with an HTML body (``html_pages.py``) built outside MkDocs' page loop.

MkDocs builds every page on one core: Markdown, then the theme's ``main.html``. For a station page the Markdown
pass has nothing to do (the body is our template's HTML) but costs twice the theme's rendering, and at 10,000
stations the two were most of the build. This plugin takes those pages out of MkDocs' loop and builds them in
forked workers, one per core, with MkDocs' own page code and the theme's own environment, so the HTML is the one
MkDocs writes (a test builds the shipped site both ways and compares every file):

* ``on_files``: each such page gets a stand-in (``_DeferredPage``) that MkDocs "reads" and "renders" for nothing
  and writes as nothing (its template is empty, so MkDocs skips it). The file stays in ``files``, so other pages'
  links to it are checked as before, and the sitemap lists it.
* ``on_env`` (every other page read and rendered, the navigation and the theme's environment final): the
  workers fork here and each builds its share: a real ``Page`` reads its source (``read_source``), takes its
  body as its content (``page_content``: what Markdown makes of a body that is all HTML blocks), its table of
  contents from its headings, and is built by MkDocs' ``_build_page`` (context, template, plugin events, file).
  The anchors each page has come back to the stand-ins, so MkDocs' own anchor check covers links into them.
* The other files made for each record (a station's poster and QR code) come in memory too (``File.generated``)
  and the workers write them; MkDocs' copy then finds each already in place.

Links *from* these pages are not Markdown links, so MkDocs never checked them; the guard stage checks every
internal link of every built page (``pipeline/links.py``).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import jinja2
from mkdocs.commands import build as mkdocs_build_module
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import File, Files, _file_sort_key
from mkdocs.structure.nav import Navigation

from ..pipeline import forks
from . import html_pages as html_pages_module
from .html_pages import anchor_ids, toc_from_html

log = logging.getLogger("mkdocs.plugins.xinfu.record_pages")
EMPTY_TEMPLATE = "xinfu-deferred-page.html"  # renders as nothing: MkDocs writes no file for it
# The theme's partials that come out the same on every page of one depth that is not in the navigation (the
# navigation sidebar and the tabs: 40 % of the theme's time for a station page). In the workers each is rendered
# once per depth and reused; everywhere else the wrapper renders the theme's own partial, as it is.
SHARED_PARTIALS = ("partials/nav.html", "partials/tabs.html")
ORIGINAL = "xinfu-original"  # the theme's own templates, under this prefix
_WRAPPER = (
    '{{%- if xinfu_frame is defined -%}}'
    '{{%- if "{name}" not in xinfu_frame -%}}'
    '{{%- set html -%}}{{% include "{original}/{name}" %}}{{%- endset -%}}'
    '{{%- set _ = xinfu_frame.update({{"{name}": html}}) -%}}'
    '{{%- endif -%}}'
    '{{{{ xinfu_frame["{name}"] }}}}'
    '{{%- else -%}}{{% include "{original}/{name}" %}}{{%- endif -%}}'
)
BATCH = 200  # pages a worker takes at a time


class _DeferredPage(mkdocs_pages.Page):
    """A page MkDocs keeps in its files but neither renders nor writes: the workers do."""

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown = ""
        self.meta = {"template": EMPTY_TEMPLATE}

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""
        self.toc = mkdocs_pages.get_toc([])
        self.present_anchor_ids = set()  # the worker's, once it has built the page
        self.links_to_anchors = None


# What Python-Markdown's whitespace pass changes even in HTML blocks: tabs, carriage returns, a line of spaces, more
# than one blank line. A body with any of them goes through Markdown as in plain MkDocs (our templates write none).
_NOT_VERBATIM = re.compile(r"[\t\r]|\n[ ]*\n[ ]*\n|\n[ ]+\n")
# Plugin events MkDocs fires for each page; a plugin with one of them might keep state across pages, which the
# workers would not hand back: with such a plugin configured, the pages stay in MkDocs' loop.
PAGE_EVENTS = ("on_pre_page", "on_page_read_source", "on_page_markdown", "on_page_content", "on_page_context",
               "on_post_page")


def page_content(body: str) -> str | None:
    """What Python-Markdown makes of a body of HTML blocks: the blocks as they are; None if Markdown would change
    their whitespace (``_NOT_VERBATIM``)."""
    body = body.strip()
    return None if _NOT_VERBATIM.search(body) else body


def _walk_order(src_uri: str) -> tuple:
    """The order in which MkDocs lists the files it finds (``get_files``: a folder's files before its subfolders,
    ``index`` first, then by name): the sitemap follows it, and files added here must take their places in it."""
    *folders, name = src_uri.split("/")
    return (*((1, folder) for folder in folders), (0, _file_sort_key(name)))


class RecordPagesStage:
    """The MkDocs events that build the HTML-bodied pages in parallel (module docstring)."""

    def __init__(self, html_pages: set[str], in_memory: dict[str, bytes], *, parallel: bool = True) -> None:
        self.html_pages = html_pages
        self.in_memory = in_memory
        self.parallel = parallel
        self.nav: Navigation | None = None
        self._in_nav: set[str] = set()
        self._frames: dict[int, dict[str, str]] = {}  # in a worker: page depth → shared partial → its HTML

    def on_files(self, files: Files, config: MkDocsConfig, **_: Any) -> Files:
        for path, content in self.in_memory.items():
            stale = files.get_file_from_path(path)  # left in the staging folder by a build of another kind
            if stale is not None:
                files.remove(stale)
            files.append(File.generated(config, path, content=content))
        files = Files(sorted(files, key=lambda file: _walk_order(file.src_uri)))
        for file in files.documentation_pages():
            if file.src_uri in self.html_pages:
                _DeferredPage(None, file, config)
        return files

    def on_nav(self, nav: Navigation, **_: Any) -> Navigation:
        self.nav = nav
        self._in_nav = {page.file.src_uri for page in nav.pages}
        return nav

    def on_page_context(self, context: dict[str, Any], page: mkdocs_pages.Page, **_: Any) -> dict[str, Any]:
        """A deferred page outside the navigation shares its worker's rendering of ``SHARED_PARTIALS`` with the
        other pages of its depth (their relative links are the same, and nothing in them is active)."""
        src_uri = page.file.src_uri
        if src_uri in self.html_pages and src_uri not in self._in_nav:
            context["xinfu_frame"] = self._frames.setdefault(page.url.count("/"), {})
        return context

    def on_env(self, env: jinja2.Environment, config: MkDocsConfig, files: Files, **_: Any) -> jinja2.Environment:
        assert env.loader is not None and self.nav is not None
        wrappers = {name: _WRAPPER.format(name=name, original=ORIGINAL) for name in SHARED_PARTIALS}
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({EMPTY_TEMPLATE: "", **wrappers}),
                                          jinja2.PrefixLoader({ORIGINAL: env.loader}), env.loader])
        doc_files = files.documentation_pages()
        nav = self.nav
        deferred = sorted(f.src_uri for f in doc_files if isinstance(f.page, _DeferredPage))
        # The other files held in memory (posters, QR codes) are written by the workers too; MkDocs' own copy
        # then finds each in place (a file's source is its destination: MkDocs skips it).
        static = sorted(path for path in self.in_memory if path not in self.html_pages
                        and not files.get_file_from_path(path).is_documentation_page())  # type: ignore[union-attr]

        parent = os.getpid()

        def build_page(src_uri: str) -> tuple[set[str], list[tuple[str, int, str]]]:
            """In a worker: build and write one page (or file); its anchors and any warnings go back to the parent,
            where MkDocs' strict mode counts the warnings."""
            file = files.get_file_from_path(src_uri)
            assert file is not None
            if src_uri in self.in_memory and src_uri not in self.html_pages:
                file.copy_file()
                return set(), []
            warnings = _Warnings()
            if os.getpid() != parent:  # in the parent (a run without workers) MkDocs counts them itself
                logging.getLogger("mkdocs").addHandler(warnings)
            stand_in = file.page
            page = mkdocs_pages.Page(None, file, config)  # file.page is the real page while it is built
            config._current_page = page
            try:
                page = config.plugins.on_pre_page(page, config=config, files=files)
                page.read_source(config)
                page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
                content = page_content(page.markdown or "")
                if content is None:
                    page.render(config, files)  # Markdown, exactly as MkDocs would
                    page.toc = toc_from_html(page.content or "")  # as the html_pages hook does
                else:
                    page.content = content
                    page.toc = toc_from_html(content)
                    page.present_anchor_ids = anchor_ids(content)
                page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
                mkdocs_build_module._build_page(page, config, doc_files, nav, env)
                return page.present_anchor_ids or set(), warnings.messages
            finally:
                file.page = stand_in
                config._current_page = None
                logging.getLogger("mkdocs").removeHandler(warnings)

        work = deferred + static
        # Small batches for a small site too, so that the shipped site is built through the workers as well.
        batch = max(1, min(BATCH, -(-len(work) // (4 * forks.usable_cpus()))))
        for src_uri, (anchors, warnings) in zip(work, forks.ordered_map(build_page, work, batch=batch,
                                                                         parallel=self.parallel), strict=True):
            file = files.get_file_from_path(src_uri)
            assert file is not None
            if file.page is not None:
                file.page.present_anchor_ids = anchors
            else:  # written: MkDocs' copy finds the file already at its destination
                files.remove(file)
                files.append(File.generated(config, src_uri, abs_src_path=file.abs_dest_path))
            for name, level, message in warnings:
                logging.getLogger(name).log(level, message)
        return env

    def on_post_build(self, config: MkDocsConfig, **_: Any) -> None:
        """Everything is written: let go of the files' contents (at 10,000 stations some 400 MB), before the search
        index and the checks run beside this process."""
        self.in_memory.clear()
        self.nav = None


class _Warnings(logging.Handler):
    """What a worker logs at warning level or above, to be logged again in the parent."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append((record.name, record.levelno, record.getMessage()))


def add_to(config: MkDocsConfig, html_pages: set[str], in_memory: dict[str, bytes], *,
           parallel: bool = True) -> RecordPagesStage:
    """Register the stage before ``mkdocs build``: ``html_pages`` (paths under docs) are built in parallel, and the
    files in ``in_memory`` (path under docs → content) are MkDocs' files as if they were in the docs folder.

    If a configured plugin other than our own hook handles page events, it may count on seeing every page in one
    process (``PAGE_EVENTS``): then every page stays in MkDocs' loop (the files still come from memory)."""
    ours = {html_pages_module.__file__}
    for name, plugin in config.plugins.items():
        handled = [e for e in PAGE_EVENTS  # a class plugin inherits every event from BasePlugin, doing nothing
                   if getattr(type(plugin), e, None) not in (None, getattr(BasePlugin, e, None))
                   or not isinstance(plugin, BasePlugin) and hasattr(plugin, e)]
        if getattr(plugin, "__file__", None) not in ours and handled:
            log.info("plugin %s handles page events: station pages are built in MkDocs' loop", name)
            html_pages = set()
            break
    stage = RecordPagesStage(html_pages, in_memory, parallel=parallel)
    config.plugins["xinfu-record-pages"] = stage  # type: ignore[assignment]
    return stage
