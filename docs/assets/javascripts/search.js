/* Site search in the theme's search box, over the Pagefind index that scripts/outputs/search_index.py
 * builds. Nothing is downloaded until someone opens the search: then pagefind.js loads only the
 * index chunks and result fragments the query needs.
 *
 * The index holds Chinese one character at a time (see search_index.py), so a query is split
 * the same way: "外卖骑手 wifi" → 外 卖 骑 手 wifi. Pages that contain every character are
 * found; those where each Chinese word of the query appears as written (an exact phrase) come
 * first, ranked by Pagefind's score.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-site-search]");
  if (!root) return;
  var toggle = document.getElementById("__search");
  var form = root.querySelector("form");
  var input = root.querySelector(".md-search__input");
  var meta = root.querySelector(".md-search-result__meta");
  var list = root.querySelector(".md-search-result__list");
  // The site's root, from this script's own address (assets/javascripts/search.js).
  var siteRoot = new URL("../../", document.currentScript.src);
  var PAGE_SIZE = 10;
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  // Words of a spoken question ("附近哪里可以充电") that no page needs to contain: dropped
  // when the question as typed is not found as written anywhere.
  var FILLER = /附近|哪里|哪儿|在哪|哪有|可以|怎么|什么|我想|我要|一下|的|吗|呢|能|去|找|有/g;
  var TEXT = {
    idle: "键入以开始搜索",
    loading: "正在加载搜索…",
    none: "没有找到结果。试试更短的词，如“充电”“厕所”，或街道名。",
    failed: "搜索暂时不可用，请稍后再试。",
  };

  var engine = null;  // a promise of the pagefind module
  var latest = 0;  // only the newest query may draw results
  var shown = [];  // ranked results of the current query
  var drawn = 0;

  function load() {
    if (!engine) {
      var pagefindReady = import(new URL("pagefind/pagefind.js", siteRoot).href).then(function (pagefind) {
        // No web worker: it would be one more download (≈12 KB) for searches that take milliseconds.
        return pagefind.options({ baseUrl: siteRoot.pathname, excerptLength: 36, noWorker: true }).then(function () {
          return pagefind;
        });
      });
      engine = Promise.all([pagefindReady, loadHours()]).then(function (loaded) { return loaded[0]; });
      engine.catch(function () { engine = null; });  // a later search tries again
    }
    return engine;
  }

  /* A station result says whether it is open now, with opening-hours.js. Only station pages and the
   * finder load it with the page; elsewhere it comes with the search. If it fails, results have no hours. */
  function loadHours() {
    if (window.OpeningHours) return Promise.resolve();
    return new Promise(function (resolve) {
      var script = document.createElement("script");
      script.src = new URL("assets/javascripts/opening-hours.js", siteRoot).href;
      script.onload = script.onerror = function () { resolve(); };
      document.head.appendChild(script);
    });
  }

  /* "外卖骑手 WiFi" → [["外","卖","骑","手"], ["wifi"]]: each Chinese character is a word. */
  function terms(query) {
    return query.trim().split(/\s+/).map(function (term) {
      var words = [];
      var run = "";
      Array.from(term).forEach(function (ch) {
        if (HAN.test(ch)) {
          if (run) words.push(run);
          words.push(ch);
          run = "";
        } else {
          run += ch;
        }
      });
      if (run) words.push(run);
      return words;
    }).filter(function (words) { return words.length; });
  }

  /* The query as typed; a spoken question that is nowhere as written, without its fillers. */
  function rank(pagefind, query) {
    var shorter = query.replace(FILLER, " ");
    return rankTerms(pagefind, query).then(function (ranked) {
      if (ranked.exact || !terms(shorter).length || shorter.trim() === query.trim()) return ranked.results;
      return rankTerms(pagefind, shorter).then(function (again) {
        return again.results.length ? again.results : ranked.results;
      });
    });
  }

  /* Every page with all the words, the exact phrases first (Pagefind scores an exact search
   * 1 for every page, so the order within each group comes from the plain search). */
  function rankTerms(pagefind, query) {
    var split = terms(query);
    var phrases = split.filter(function (words) { return words.length > 1 && words.some(isHan); });
    var all = [].concat.apply([], split).join(" ");
    return Promise.all([pagefind.search(all)].concat(phrases.map(function (words) {
      return pagefind.search('"' + words.join(" ") + '"');
    }))).then(function (searches) {
      var results = searches[0].results;
      var exact = searches.slice(1).map(function (search) {
        return new Map(search.results.map(function (r) { return [r.id, r]; }));
      });
      var isExact = function (r) { return exact.every(function (found) { return found.has(r.id); }); };
      // An exact result's excerpt shows where the phrase is, not just its characters.
      var withPhrase = function (r) { return exact.length ? exact[0].get(r.id) : r; };
      var found = results.filter(isExact).map(withPhrase);
      return { exact: found.length, results: found.concat(results.filter(function (r) { return !isExact(r); })) };
    });
  }

  function isHan(word) { return HAN.test(word); }

  /* The index has a space between Chinese characters (search_index.py), and Pagefind's text and
   * excerpts keep one: take it out again, also between two marked characters. */
  var HAN_GAP = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff](?:<\/mark>)?)\s+(?=(?:<mark>)?[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])/g;
  function joinHan(text) { return text.replace(HAN_GAP, "$1"); }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Pagefind marks each character: join the marks, and let nothing else through as HTML. */
  function excerptHtml(excerpt) {
    return escapeHtml(joinHan(excerpt).replace(/^[\s。，、；：.,;:)）–-]+/, ""))
      .replace(/&lt;(\/?)mark&gt;/g, "<$1mark>")
      .replace(/<\/mark>(\s*)<mark>/g, "$1")
      .replace(/(\s+)<\/mark>/g, "</mark>$1");
  }

  function openNow(hours) {
    if (!hours || !window.OpeningHours) return "";
    try {
      var state = window.OpeningHours.status(JSON.parse(hours));
      var cls = state.open ? "search-open" : "search-closed";
      return '<p class="search-hours ' + cls + '">' + escapeHtml(state.text) + "</p>";
    } catch (e) {
      return "";
    }
  }

  /* The words of the query as they would appear on a page, longest first: "长征街 热饭" → 长征街, 热饭.
   * A spoken question also gives its words without the fillers. */
  function phrases(query) {
    var all = terms(query).concat(terms(query.replace(FILLER, " "))).map(function (words) {
      return words.join(isHan(words[0]) ? "" : " ");
    });
    return all.filter(function (p, i) { return all.indexOf(p) === i; }).sort(function (a, b) {
      return b.length - a.length;
    });
  }

  /* A snippet around the first place the page says what was searched for. The page's own text
   * comes before its search-only words (search_index.py puts those last), so a station that
   * writes "可以热饭" shows that sentence, not its list of synonyms. Pagefind's excerpt is the
   * fallback when the words are only there one character at a time. */
  var BEFORE = 12;
  var AFTER = 30;
  function snippet(data, wanted) {
    var text = joinHan(data.content);
    var folded = text.toLowerCase();
    var at = -1;
    wanted.forEach(function (p) {
      var i = folded.indexOf(p.toLowerCase());
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    if (at < 0) return excerptHtml(data.excerpt);
    var start = Math.max(0, at - BEFORE);
    var end = Math.min(text.length, at + AFTER);
    var pattern = new RegExp(wanted.map(function (p) {
      return p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|"), "gi");
    var marked = escapeHtml(text.slice(start, end)).replace(pattern, function (m) { return "<mark>" + m + "</mark>"; });
    return (start > 0 ? "…" : "") + marked + (end < text.length ? "…" : "");
  }

  function item(data, wanted) {
    var kind = data.meta.kind || "页面";
    return '<li class="md-search-result__item">' +
      '<a href="' + escapeHtml(data.url) + '" class="md-search-result__link" data-kind="' + escapeHtml(kind) + '">' +
      // A div, not the theme's <article>: a link's name is read from its text, and browsers skip an article's.
      '<div class="md-search-result__article md-typeset">' +
      '<div class="md-search-result__icon md-icon"></div>' +
      '<div class="search-result-title"><span class="search-kind">' + escapeHtml(kind) + "</span> " +
      escapeHtml(joinHan(data.meta.title || data.url)) + "</div>" +
      openNow(data.meta.hours) +
      '<p class="search-excerpt">' + snippet(data, wanted) + "</p>" +
      "</div></a></li>";
  }

  function drawMore(ticket) {
    var page = shown.slice(drawn, drawn + PAGE_SIZE);
    drawn += page.length;
    return Promise.all(page.map(function (r) { return r.data(); })).then(function (pages) {
      if (ticket !== latest) return;
      var more = list.querySelector(".search-more");
      if (more) more.remove();
      var wanted = phrases(input.value);
      list.insertAdjacentHTML("beforeend", pages.map(function (data) { return item(data, wanted); }).join(""));
      if (drawn < shown.length) {
        list.insertAdjacentHTML("beforeend", '<li class="search-more"><button type="button" class="md-button">' +
          "再显示 " + Math.min(PAGE_SIZE, shown.length - drawn) + " 个</button></li>");
      }
    });
  }

  function search() {
    var query = input.value;
    var ticket = ++latest;
    if (!terms(query).length) {
      meta.textContent = TEXT.idle;
      list.innerHTML = "";
      return;
    }
    if (!engine) meta.textContent = TEXT.loading;
    load().then(function (pagefind) {
      return rank(pagefind, query);
    }).then(function (results) {
      if (ticket !== latest) return;
      shown = results;
      drawn = 0;
      list.innerHTML = "";
      meta.textContent = results.length ? "找到 " + results.length + " 个结果" : TEXT.none;
      return drawMore(ticket);
    }).catch(function (error) {
      if (ticket !== latest) return;
      meta.textContent = TEXT.failed;
      list.innerHTML = "";
      if (window.console) console.warn("site search:", error);
    });
  }

  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  input.addEventListener("focus", function () {
    if (!toggle.checked) toggle.checked = true;
    load().catch(function () {});
  });
  toggle.addEventListener("change", function () {
    if (toggle.checked) {
      input.focus();
    } else {
      input.blur();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();  // Enter opens the first result
    var first = list.querySelector(".md-search-result__link");
    if (first) first.click();
  });
  form.addEventListener("reset", function () {
    setTimeout(function () { search(); input.focus(); });
  });
  list.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.closest(".search-more button")) {
      drawMore(latest);
    } else if (target && target.closest("a")) {
      toggle.checked = false;
      input.blur();
    }
  });

  /* The same search without the box, for tests and for other scripts of this site:
   * siteSearch.find("充电", 5) → a promise of the first five results' Pagefind data. */
  window.siteSearch = {
    find: function (query, limit) {
      return load().then(function (pagefind) { return rank(pagefind, query); }).then(function (results) {
        return Promise.all(results.slice(0, limit || PAGE_SIZE).map(function (r) { return r.data(); }));
      });
    },
  };

  /* Keys as in the theme: / or s opens the search, Esc closes it, arrows move through results. */
  document.addEventListener("keydown", function (event) {
    var typing = event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]");
    if (!toggle.checked) {
      if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && (event.key === "/" || event.key === "s")) {
        event.preventDefault();
        toggle.checked = true;
        input.focus();
      }
      return;
    }
    if (event.key === "Escape") {
      toggle.checked = false;
      input.blur();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var links = [input].concat(Array.from(list.querySelectorAll(".md-search-result__link")));
      var at = links.indexOf(document.activeElement);
      var next = (Math.max(at, 0) + (event.key === "ArrowDown" ? 1 : -1) + links.length) % links.length;
      links[next].focus();
      event.preventDefault();
    }
  });
})();
