"""Search stage: the search index, built with Pagefind from the pages MkDocs has just written.

Why Pagefind and not the theme's search: the theme downloads its whole index on every full
page load (1.55 MB gzip, 49.5 MB raw, for 10,000 of our station pages); Pagefind's browser
code loads only the index chunks and result fragments a query needs, and nothing before the
search box is used (README, "搜索", has the measurements).

Why a copy of each page: Chinese has no spaces, and Pagefind's word segmentation at build
time (jieba) and in the browser (ICU) disagree, so "热饭" or "骑手" inside "外卖骑手" went
missing. The copy puts an ideographic space (U+3000) between Chinese characters, so the index
holds single characters and ``search.js`` searches a query's characters as an exact phrase:
any word inside a longer word is found, and so is a single character. ``search.js`` takes the
spaces out of the text it shows, and the published pages are not touched. The copies are
marked ``lang="und"``: already split, they need no Chinese segmentation, and indexing them as
Chinese ran jieba over every page for nothing (25 s and 1.5 GB at 10,000 stations, against 9 s
and 0.7 GB).

The copy also carries what the results show (the page type and, for stations, the hours
from which ``search.js`` computes "open now"; see ``scripts/outputs/templates/_search_terms.md``) and
the everyday synonyms from ``data/synonyms.yaml`` of any word the page contains. Those search-only words
come last, after ``VISIBLE_END``: ``search.js`` builds its snippets from the text before it, what the
page shows, never from words a reader cannot see there.

Next to the index goes ``search-rules.json`` (``search_rules.py``): how the browser reads a query.
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..pipeline import forks
from ..pipeline.write import TreeWriter
from ..records.models import GUIDE_PAGES, SynonymGroup
from ..records.registry import RECORD_TYPES
from . import pagefind_gzip, pagefind_order, search_rules
from .pagefind_order import make_filters_deterministic

# Pages riders search for, and the type shown on their results. Left out: the home page and
# the listing pages (they repeat every record's name and would crowd out the records
# themselves), posters (a copy of their station), 404 and the editors' guide.
GUIDE_KIND = "说明"  # a hand-written page
FINDER = "stations"  # the station finder: indexed up to its list of stations, which is every station again
FINDER_KIND = "地图"
GUIDES = tuple(page for page in GUIDE_PAGES if page != FINDER)


def indexed_patterns() -> list[tuple[str, str]]:
    """(glob under the site, result type): every record type's first page (``stations/{id}.md`` →
    ``stations/*/index.html``) with the type's search kind, then the guides and the station finder."""
    patterns = [
        (posixpath.splitext(kind.pages[0].path)[0].replace("{id}", "*") + "/index.html", kind.search_kind)
        for kind in RECORD_TYPES if kind.pages and kind.search_kind
    ]
    guides = [(f"{guide}/index.html", GUIDE_KIND) for guide in GUIDES]
    return patterns + guides + [(f"{FINDER}/index.html", FINDER_KIND)]


# Parts of a page that are the same on every page of its kind, or are buttons: not content.
NOT_CONTENT = (
    ".admonition.warning",  # the sample-data notice and the "may be out of date" warning
    ".badge-open",  # an open station's state badge: filled in when read, empty in the page (临时关闭 stays findable)
    # Not the 拨打 button: its number is what the page says there, and without it a snippet would join the address
    # and the phone's label, which the page shows apart.
    ".navigation-links", ".station-qr", ".report-problem", '.md-button:not([href^="tel:"])', ".next-dates-note",
    ".station-verified",
    ".station-map-details",  # 显示位置地图: a button on every station page; snippets began "…示位置地图 歇脚 饮水"
    ".source-credit", ".headerlink", "iframe", "svg", "script",
    # Notes a page shows or hides by the clock when it is read (time-limited.js): "这项活动已经结束", "这几次已经过去".
    "[data-show-after]", "[data-empty-list]",
)
OUTPUT = "pagefind"
INDEX_LANGUAGE = "zh"  # Pagefind's Chinese: word segmentation for 简体中文
# What search.js loads; Pagefind's own user interfaces, and its web worker (search.js runs it
# without one), are not published.
RULES_FILE = "search-rules.json"
# Pagefind's WebAssembly for an index whose language has no stemmer of its own (Chinese): search.js asks for it by
# this name as soon as the search opens, before the entry file names it; the build checks the name.
WASM_FILE = "wasm.unknown.pagefind"
RUNTIME_FILES = ("pagefind.js", "pagefind-entry.json", "wasm.*.pagefind", "*.pf_meta", "index", "fragment", "filter",
                 RULES_FILE)
COPY_BATCH = 500  # pages per task when the copies are made in parallel
RECOMPRESS_BATCH = 16  # index chunks per task (10,000 stations: about 110 chunks, 10 MB inflated)
LANGUAGE = "und"  # undetermined: Pagefind splits words at spaces only

_ARTICLE = re.compile(r'<article class="md-content__inner[^"]*">(.*?)</article>', re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
# The headings of station, service, project and event pages (开放时间, 地址和电话 …) are the template's,
# the same on every page of its kind: indexed, they would make every station match 电话 and weigh on
# every query with 电. (A story's headings are its editor's, and stay.)
TEMPLATE_HEADINGS = tuple(kind.search_kind for kind in RECORD_TYPES if kind.search_kind and not kind.own_headings)
_TEMPLATE_HEADING = re.compile(r"<h2\b[^>]*>.*?</h2>", re.S)
_SEARCH_TERMS = re.compile(r'<div class="search-terms"[^>]*>.*?</div>', re.S)
_SCRIPT = re.compile(r"<(script|noscript|style|select)\b[^>]*>.*?</\1>", re.S)  # not text anyone reads
# Where the text a page shows ends in its copy, and its search-only words begin. A character of its own, so that
# search.js can cut Pagefind's text there; not a letter or Chinese character, so no query matches it.
VISIBLE_END = "\u3013"  # 〓
# The end of each block of text (a paragraph, a list item, a heading). Pagefind joins blocks with a space, or with
# ". " when a block has no full stop of its own; the page shows them apart, with a heading the copy leaves out
# between them perhaps. search.js makes each mark a space, so that a snippet shows what the page shows.
BLOCK_END = "\u2016"  # ‖
_BLOCK_CLOSE = re.compile(r"(?=</(?:p|li|h[1-6]|dt|dd|td|th|figcaption|summary|blockquote|pre)>)")
# The finder's filters and list repeat every amenity and every station: its copy is its heading only, found by
# 地图 and 驿站地图 (search.js offers it, with filters, for 附近, 正在开放 …).
_FINDER_LIST = re.compile(r'<form class="finder-filters".*', re.S)
_TAG = re.compile(r"(<[^>]*>)")
# Between two characters of which at least one is Chinese (and neither is a space).
_HAN_BOUNDARY = re.compile(rf"(?<=[{search_rules.HAN}])(?=\S)|(?<=\S)(?=[{search_rules.HAN}])")
SEPARATOR = "\u3000"  # a space Pagefind splits at, and that search.js removes between characters
# A space the page shows next to a Chinese character ("amp 设在", "骑手 WiFi"): Pagefind writes it and a separator
# alike, so the visible text marks it, and search.js keeps a space there while it removes the separators.
SPACE_MARK = "\u2423"  # ␣
# Chinese punctuation too: search.js takes out the spaces next to it as well ("（周三） 09:00", "2025-07-08 ·").
_CJK = search_rules.HAN + "\u3000-\u303f\uff00-\uffef“”‘’…—·"
# The hours a station page hands search.js (_search_terms.md), also as a Pagefind filter, by a short name of its own
# (Pagefind does not filter by a value as long as the hours): search.js evaluates each distinct schedule once
# (search-rules.json "hours") and asks which stations among all results are open now, closed or closed for a while,
# without reading each result's data.
HOURS_FILTER = "hours"
_HOURS = re.compile(r'data-pagefind-meta="hours\[data-hours\]" data-hours="([^"]*)"')


class SearchIndexFailed(Exception):
    """Pagefind is missing or failed: the build stops and the published site stays as it was."""


def indexed_pages(site_dir: Path) -> list[tuple[str, str]]:
    """(path under the site, page type) of every page to index, sorted."""
    found = {}
    for pattern, kind in indexed_patterns():
        for path in site_dir.glob(pattern):  # "*" is one folder: stations/list/2/ is not a station
            found.setdefault(path.relative_to(site_dir).as_posix(), kind)
    return sorted(found.items())


def split_characters(text: str) -> str:
    """``外卖骑手 WiFi`` → ``外　卖　骑　手 WiFi``: each Chinese character becomes a word of its own."""
    return _HAN_BOUNDARY.sub(SEPARATOR, text)


# Tags that do not break a line: a space between two of them, or at a text's edge next to one, is a space the page
# shows when text is on both sides ("<time>12月1日（周二）</time> 14:30", "小哥驿站</span>\n<span>临时关闭").
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|bdi|code|em|i|kbd|mark|q|s|small|span|strong|sub|sup|time|u)\b", re.I)
_IS_CJK = re.compile(f"[{_CJK}]")


def visible_parts(markup: str) -> list[str]:
    """The tags and text of what a page shows, each text split into characters and each space the page shows next
    to Chinese marked (SPACE_MARK); the text is decoded and escaped again, so ``&#50;026`` reads ``2026``."""
    parts = _TAG.split(markup)
    texts = [None if part.startswith("<") else html.unescape(part) for part in parts]

    def beside(index: int, step: int, skip_spaces: bool) -> str:
        """The character next to text ``index`` in direction ``step``, across inline tags ("" at a block's edge)."""
        index += step
        while 0 <= index < len(parts):
            text = texts[index]
            if text is None:
                if not _INLINE_TAG.match(parts[index]):
                    return ""
            else:
                text = text.strip() if skip_spaces else text
                if text:
                    return text[-1] if step < 0 else text[0]
            index += step
        return ""

    out = []
    for index, (part, text) in enumerate(zip(parts, texts, strict=True)):
        if text is None:
            out.append(part)
            continue
        pieces = re.split(r"(\s+)", text)
        for number, piece in enumerate(pieces):
            if not piece or not piece.isspace():
                continue
            before = pieces[number - 1][-1] if number > 0 and pieces[number - 1] else beside(index, -1, False)
            after = pieces[number + 1][0] if number + 1 < len(pieces) and pieces[number + 1] else \
                beside(index, 1, True)
            # The first space after a character (a browser shows a run of them, over tags too, as one), between two
            # characters of one block, one of them Chinese.
            if before and not before.isspace() and after and (_IS_CJK.match(before) or _IS_CJK.match(after)):
                pieces[number] = f" {SPACE_MARK} "
        out.append(_HAN_BOUNDARY.sub(SEPARATOR, html.escape("".join(pieces), quote=False)))
    return out


def plain_text(markup: str) -> str:
    return html.unescape(_TAG.sub(" ", markup))


class SynonymMatcher:
    """Finds which synonym groups a page's text touches, in one pass."""

    def __init__(self, groups: Iterable[SynonymGroup]):
        self.groups = [list(dict.fromkeys(g.words)) for g in groups]
        self.group_of: dict[str, list[int]] = {}
        for index, words in enumerate(self.groups):
            for word in words:
                self.group_of.setdefault(search_rules.normalise(word), []).append(index)
        words = sorted(self.group_of, key=len, reverse=True)  # longest first, so 充电桩 wins over 充电
        self.pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def extra_words(self, text: str) -> list[str]:
        """The other words of every group with a word in ``text``, in the file's order. The text is compared as
        search.js compares a query (search_rules.normalise): ＷｉＦｉ on a page touches the WiFi group."""
        if self.pattern is None:
            return []
        folded = search_rules.normalise(text)
        touched = sorted({i for m in self.pattern.finditer(folded) for i in self.group_of[m.group()]})
        extra = [w for i in touched for w in self.groups[i] if search_rules.normalise(w) not in folded]
        return list(dict.fromkeys(extra))


def always_open(hours: str) -> bool:
    """Open 24 hours, with no exception and no closure: open at any moment, so no filter value (search.js takes a
    station without one as open). Each value lists its stations' page numbers, ~2 bytes each, in the first
    search's download: 15 % of it at 10,000 synthetic stations."""
    try:
        data = json.loads(hours)
    except ValueError:
        return False
    return data.get("s") == "open" and data.get("a") == 1 and not data.get("x") and not data.get("t")


def hours_name(hours: str) -> str:
    """The filter value of a station's hours (their compact JSON): short, and the same for the same hours."""
    return hashlib.sha1(hours.encode("utf-8")).hexdigest()[:10]


def search_copy(page: str, kind: str, synonyms: SynonymMatcher) -> str | None:
    """What Pagefind indexes for one built page, or None when it has no article."""
    article = _ARTICLE.search(page)
    if article is None:
        return None
    body = _SCRIPT.sub("", article.group(1))
    if kind == FINDER_KIND:
        body = _FINDER_LIST.sub("", body)
    if kind in TEMPLATE_HEADINGS:
        body = _TEMPLATE_HEADING.sub("", body)
    heading = _H1.search(body)
    title = " ".join(plain_text(heading.group(1)).split()) if heading else ""
    # The page's own words first and its search-only words last, so that search.js can show a
    # snippet of what the page says; synonyms of what it says, not of the search-only words.
    search_only = "".join(_SEARCH_TERMS.findall(body))
    if (hours := _HOURS.search(search_only)) and not always_open(html.unescape(hours.group(1))):
        name = hours_name(html.unescape(hours.group(1)))
        search_only += f'<span data-pagefind-filter="{HOURS_FILTER}:{name}"></span>'
    visible = _BLOCK_CLOSE.sub(BLOCK_END, _SEARCH_TERMS.sub("", body))
    parts = visible_parts(visible)
    parts += [f"<p>{VISIBLE_END}</p>"]
    parts += [split_characters(part) if not part.startswith("<") else part for part in _TAG.split(search_only)]
    extra = " ".join(synonyms.extra_words(plain_text(visible)))
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"></head><body>'
        f'<span data-pagefind-meta="title[data-title]" data-title="{html.escape(title)}"></span>'
        f'<span data-pagefind-meta="kind:{kind}"></span>'
        f'{"".join(parts)}'
        f'<p data-pagefind-weight="0.5">{html.escape(split_characters(extra))}</p>'  # ranks below the page's words
        "</body></html>\n"
    )


def start_search_index(site_dir: Path, work_dir: Path, synonyms: Iterable[SynonymGroup],
                       amenities: Mapping[str, str] | None = None) -> PendingIndex:
    """Write the search copies of ``site_dir``'s pages and start Pagefind on them, to index them into
    ``site_dir/pagefind`` with the rules search.js reads queries by (``amenities``: each amenity's key and label, for
    the finder answer). The build checks and compresses the pages while it runs (Pagefind uses about one and a half
    of two cores) and ``finish`` puts the index in place.

    Pagefind writes outside the site until it is done, so nothing that walks the site meanwhile sees half an index;
    the index has no HTML and nothing links to its files, so the pages' checks do not wait for it."""
    copies = work_dir / "search-pages"
    synonyms = list(synonyms)
    matcher = SynonymMatcher(synonyms)
    pages = indexed_pages(site_dir)

    def write_copy(page: tuple[str, str]) -> tuple[bool, str | None]:
        """Whether the page has a copy, and its station's hours."""
        relative, kind = page
        built = (site_dir / relative).read_text(encoding="utf-8")
        copy = search_copy(built, kind, matcher)
        if copy is None:
            return False, None
        target = copies / relative
        # A copy the last build wrote the same is kept: on a slow disk, deleting and writing 10,000 files again
        # took seconds of a build after one edit. Compared as bytes: a copy cut short by a full disk is rewritten.
        data = copy.encode("utf-8")
        try:
            same = target.read_bytes() == data
        except OSError:
            same = False
        if not same:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        hours = _HOURS.search(copy)
        shown = html.unescape(hours.group(1)) if hours else None
        return True, shown if shown and not always_open(shown) else None

    # Reading 10,000 pages and writing their copies is most of a second per thousand: one process per CPU.
    written = list(forks.ordered_map(write_copy, pages, batch=COPY_BATCH))
    copied = TreeWriter(copies)  # copies of pages an earlier build had, and no longer has, are removed
    for (relative, _), (ok, _) in zip(pages, written, strict=True):
        if ok:
            copied.keep(relative)
    copied.remove_stale()
    output, log_file = work_dir / "pagefind-output", work_dir / "pagefind.log"
    shutil.rmtree(output, ignore_errors=True)
    return PendingIndex(
        site_dir, output, log_file, _start_pagefind(copies, output, log_file), sum(ok for ok, _ in written),
        sorted({hours for _, hours in written if hours}), synonyms, dict(amenities or {}),
    )


@dataclass
class PendingIndex:
    """Pagefind at work on the copies. ``finish`` waits for it, checks and completes its index and moves it into the
    site; leaving the ``with`` block without finishing (a check failed meanwhile) stops Pagefind."""

    site_dir: Path
    output: Path
    log_file: Path
    process: subprocess.Popen[bytes]
    count: int  # pages with a copy: the index must hold them all
    schedules: list[str]  # each distinct opening-hours text of a station that is not always open
    synonyms: list[SynonymGroup]
    amenities: dict[str, str]

    def finish(self, parallel: bool = True) -> int:
        """Wait for Pagefind; raise ``SearchIndexFailed`` if its index is not complete; return the pages indexed."""
        with self.process:
            self.process.wait()
        if self.process.returncode != 0:
            raise SearchIndexFailed("Pagefind 建立搜索索引失败（search index failed）：\n"
                                    + self.log_file.read_text(encoding="utf-8", errors="replace"))
        _check(self.output, self.count)
        try:
            _keep_runtime_only(self.output)
        except OSError as error:
            raise SearchIndexFailed(f"搜索索引无法整理（the index could not be tidied）：{error}") from None
        try:
            make_filters_deterministic(self.output, INDEX_LANGUAGE)
        except (pagefind_order.UnexpectedLayout, OSError, KeyError, ValueError) as error:
            raise SearchIndexFailed(f"Pagefind 的筛选文件无法排序（filter files could not be put in order）：{error}") \
                from None
        try:
            # The chunks and the WebAssembly, 4–11 % smaller: what a first search downloads (pagefind_gzip.py).
            list(forks.ordered_map(pagefind_gzip.recompress, pagefind_gzip.recompressed_files(self.output),
                                  batch=RECOMPRESS_BATCH, parallel=parallel))
        except OSError as error:  # pagefind_gzip names the file
            raise SearchIndexFailed(f"搜索索引无法重新压缩（index files could not be recompressed）：{error}") from None
        target = self.site_dir / OUTPUT
        try:
            _write_rules(self.site_dir, self.output, self.synonyms, self.amenities, self.schedules)
        except (OSError, pagefind_order.UnexpectedLayout, KeyError, ValueError) as error:
            raise SearchIndexFailed(f"无法写出搜索规则（search rules not written）：{error}") from None
        try:
            shutil.rmtree(target, ignore_errors=True)  # a docs/pagefind/ folder would have no business there
            shutil.move(self.output, target)  # a rename, unless the work folder is on another file system
        except OSError as error:
            raise SearchIndexFailed(f"搜索索引无法放入网站（index not moved into the site）：{error}") from None
        return self.count

    def __enter__(self) -> PendingIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:  # not finished: the build stopped before the index was needed
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.output, ignore_errors=True)


def _write_rules(site_dir: Path, output: Path, synonyms: list[SynonymGroup], amenities: Mapping[str, str],
                 schedules: list[str]) -> None:
    """search-rules.json, with the titles of the pages the synonym groups lead to, as their pages show them."""
    kinds = dict(indexed_pages(site_dir))
    wanted = {f"services/{s}" for g in synonyms for s in g.services} | {p for g in synonyms for p in g.pages}
    pages = {path: (title, kinds[f"{path}/index.html"]) for path in sorted(wanted)
             if f"{path}/index.html" in kinds and (title := page_title(site_dir / path / "index.html"))}
    marks = {"block_end": BLOCK_END, "visible_end": VISIBLE_END, "space_mark": SPACE_MARK, "hours_filter": HOURS_FILTER}
    rules = search_rules.rules(synonyms, pages, amenities, marks)
    # What Pagefind fetches after its entry file, named here so that search.js can ask for them at once.
    entry = json.loads((output / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"][INDEX_LANGUAGE]
    # The hours filter too: a search asks which of its results are open now, unless no schedule is closed at that
    # moment (or opening-hours.js failed to load), when the download is spent for nothing.
    files = pagefind_order.index_files(output, INDEX_LANGUAGE)
    rules["preload"] = [f"pagefind.{entry['hash']}.pf_meta", f"wasm.{entry['wasm'] or 'unknown'}.pagefind"]
    if HOURS_FILTER in files.filters:
        rules["preload"].append(f"filter/{files.filters[HOURS_FILTER]}.pf_filter")
    # Which index chunk holds which words: search.js asks for a query's chunks while Pagefind is still starting.
    rules["chunks"] = files.chunks
    rules["hours"] = {hours_name(hours): hours for hours in schedules}  # each distinct schedule, by its filter value
    (output / RULES_FILE).write_text(json.dumps(rules, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def page_title(path: Path) -> str | None:
    """The title (the article's first heading) of a built page, or None when there is no such page."""
    try:
        heading = _H1.search(path.read_text(encoding="utf-8"))
    except OSError:
        return None
    return " ".join(plain_text(heading.group(1)).split()) if heading else None


def _start_pagefind(copies: Path, output: Path, log_file: Path) -> subprocess.Popen[bytes]:
    """Pagefind started on ``copies``, writing its index to ``output`` and what it says to ``log_file``."""
    from pagefind.service import get_executable  # imported here: only the build needs it

    executable = get_executable()
    if executable is None:
        raise SearchIndexFailed("找不到 Pagefind（search indexer missing）。"
                                "运行 make setup 安装依赖（pagefind[extended]）。")
    # The pages say lang="zh-CN", which Pagefind does not map to its Chinese word segmentation (it indexed them
    # as an unknown language, one index of whole runs of characters): index them as Chinese.
    command = [str(executable), "--site", str(copies), "--output-path", str(output), "--silent",
               "--force-language", INDEX_LANGUAGE]
    for selector in NOT_CONTENT:
        command += ["--exclude-selectors", selector]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        with log_file.open("wb") as said:
            return subprocess.Popen(command, stdout=said, stderr=subprocess.STDOUT)
    except OSError as error:  # PAGEFIND_BINARY_PATH names a missing or unusable file
        raise SearchIndexFailed(f"无法运行 Pagefind（search indexer missing）：{error}") from None


def _check(output: Path, expected: int) -> None:
    """A search that silently lost pages must not be published."""
    try:
        entry = json.loads((output / "pagefind-entry.json").read_text(encoding="utf-8"))
        indexed = sum(language["page_count"] for language in entry["languages"].values())
        if list(entry["languages"]) != [INDEX_LANGUAGE]:
            raise SearchIndexFailed(f"搜索索引的语言是 {list(entry['languages'])}，应为 {INDEX_LANGUAGE}"
                                    "（the index lost its Chinese segmentation）。")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SearchIndexFailed(f"Pagefind 没有写出可用的搜索索引（no index written）：{error}") from None
    if not (output / WASM_FILE).is_file():
        raise SearchIndexFailed(f"Pagefind 没有写出 {WASM_FILE}（search.js 预先下载的文件）："
                                f"{sorted(p.name for p in output.glob('wasm.*'))}（the WebAssembly was renamed）。")
    if indexed != expected:
        raise SearchIndexFailed(f"搜索索引只收录了 {indexed} 个页面，应为 {expected} 个"
                                "（pages missing from the index）。")


def _keep_runtime_only(output: Path) -> None:
    keep = {path for pattern in RUNTIME_FILES for path in output.glob(pattern)}
    for path in sorted(output.iterdir()):
        if path not in keep:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
