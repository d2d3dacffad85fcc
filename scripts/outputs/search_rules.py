"""How the search box reads a query: the one definition, used by the build and, as ``pagefind/search-rules.json``,
by ``docs/assets/javascripts/search.js``.

Riders type the way they speak: "热饭的地方", "手机没电了", "附近哪里有厕所", "夜里开门的驿站". Read as written,
every character of such a question must be on a page, and 的, 了 and 哪 are on every page. So the browser:

1. normalises the query as :func:`normalise` does here (NFKC, so full-width ＷｉＦｉ is WiFi; lower case);
2. reads the *intents* below (附近, 正在开放, 夜里 …), filters of the station finder. A query of nothing but
   intents, words for a station (:data:`FINDER_WORDS`), stop phrases and amenities is a question for the finder,
   its first answer ("附近的厕所" → "打开驿站地图：离我最近、有卫生间"); the pages for the query as typed follow;
3. searches any other query as typed first: when a page says it as written (an exact phrase, or its title),
   those pages are the answer and no word of it is taken out ("夜间Q&A驿站" is a name, "晚上有活动吗" no intent
   when a page says it). Else its intents make the finder an answer after the best page for the other words;
4. takes out the *stop phrases* (哪里, 的地方, 了, 被 …) only then, when the query as typed is on no page, and
   never a one-character stop word inside a two-character word (目的, 现在: one character left is no word);
5. looks the rest up in the synonym groups of ``data/synonyms.yaml``: a group's services and pages come first,
   its amenities filter the finder, and its first word is searched when the words typed are on no page.

The build uses :func:`normalise` for the same purpose when it matches synonym groups against a page's text, so
that a page writing ＷｉＦｉ touches the WiFi group as a query typed that way does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..records.models import SynonymGroup

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # the Chinese characters, as a regular expression range


@dataclass(frozen=True)
class Intent:
    """Words that ask for a filter of the station finder (stations.js reads the same URL parameters)."""

    words: tuple[str, ...]
    param: str  # the finder's URL parameter, set to 1
    label: str  # how the finder answer says it


# Longest first within each intent does not matter: the browser tries all words of all intents, longest first.
INTENTS = (
    # Not 最近 or 近的 alone: "最近的活动" is "recent events". 最近 asks for a place only with a word for one.
    Intent(("离我最近", "离我近", "最近的驿站", "最近驿站", "最近的站", "附近", "周边", "周围", "身边", "就近", "旁边",
            "fujin"), "near", "离我最近"),
    Intent(("正在开放", "正在营业", "现在开门", "现在开", "开着的", "还开着", "营业中", "没关门", "开门的", "开门",
            "营业", "开着"), "open", "正在开放"),
    Intent(("二十四小时", "24小时", "24h", "通宵", "全天", "夜里", "夜间", "晚上", "半夜", "深夜", "凌晨", "夜班"),
           "h24", "24 小时开放"),
    Intent(("驿站地图", "地图", "怎么走", "导航", "定位"), "", ""),  # the finder itself, no filter
)

# What a spoken question adds to the words a page would contain. Taken out only when the query as typed is on
# no page, so that a name containing one (有线, 被服) is still found as written.
STOP_PHRASES = (
    "的地方", "的驿站", "在哪里", "在哪儿", "在什么地方", "哪里有", "哪儿有", "哪有", "在哪", "哪里", "哪儿", "哪个",
    "有没有", "有吗", "怎么办", "怎么", "怎样", "如何", "什么", "我想", "我要", "想要", "需要", "请问", "一下",
    "可以", "能不能", "能", "去", "找", "吗", "呢", "吧", "啊", "呀", "嘛", "了", "被", "的", "有", "我", "在", "哪",
)

# Words that name a station without saying which: with intents, stop phrases and amenities only, a query is a
# question for the finder ("24小时开放的驿站", "半夜能去哪").
FINDER_WORDS = ("驿站", "开放", "站")


def normalise(text: str) -> str:
    """What both the build and the browser compare: NFKC (full-width letters and digits become ASCII, the
    compatibility ideographs their usual form) and lower case. search.js: ``normalize("NFKC").toLowerCase()``."""
    return unicodedata.normalize("NFKC", text).lower()


def group_answers(group: SynonymGroup, pages: Mapping[str, tuple[str, str]]) -> list[dict[str, str]]:
    """The pages a group leads to, first in the results: ``pages`` maps a site path (services/legal-aid) to
    its page's title and result type, and a path without one (a page not built) is left out."""
    paths = [f"services/{service}" for service in group.services] + list(group.pages)
    return [{"url": path + "/", "title": pages[path][0], "kind": pages[path][1]} for path in paths if path in pages]


def rules(groups: Iterable[SynonymGroup], pages: Mapping[str, tuple[str, str]], amenities: Mapping[str, str],
          marks: Mapping[str, str]) -> dict:
    """The rules as search.js reads them (pagefind/search-rules.json); ``marks``: the characters search_index.py
    puts in Pagefind's copy of a page (the end of a block, of the visible text, a space the page shows)."""
    return {
        "han": HAN,
        "intents": [{"words": [normalise(w) for w in i.words], "param": i.param, "label": i.label} for i in INTENTS],
        "stop": sorted({normalise(w) for w in STOP_PHRASES}, key=lambda w: (-len(w), w)),
        "groups": [{"words": list(dict.fromkeys(normalise(w) for w in g.words)),
                    "answers": group_answers(g, pages), "amenities": list(g.amenities)} for g in groups],
        "amenities": dict(amenities),  # key → label, for the finder answer's title
        "finder": {"url": "stations/", "title": "打开驿站地图", "words": [normalise(w) for w in FINDER_WORDS]},
        **marks,
    }
