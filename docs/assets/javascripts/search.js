/* Site search in the theme's search box, over the Pagefind index that scripts/outputs/search_index.py
 * builds. Nothing is downloaded until someone opens the search: then the index's entry file, its metadata,
 * the WebAssembly and the query rules are fetched at once, in parallel, while the rider types.
 *
 * The index holds Chinese one character at a time (see search_index.py), so a query is split
 * the same way: "外卖骑手 wifi" → 外 卖 骑 手 wifi. Pages that contain every character are
 * found; those where each Chinese word of the query appears as written (an exact phrase) come
 * first.
 *
 * A query is read the way scripts/outputs/search_rules.py defines (its rules arrive as
 * pagefind/search-rules.json): normalised (NFKC, lower case); intents (附近, 正在开放, 夜里 …) make the
 * station finder, with those filters, the first answer; stop phrases (哪里, 的地方, 了 …) go when the
 * query as typed is on no page; a word of a synonym group brings the group's pages first, and its first
 * word is searched when the words typed are on no page.
 *
 * Ranking: answers from the rules, then pages whose title is the query or contains it, then exact
 * phrases; among those, stations open now (opening-hours.js, the one hours evaluator) before closed ones,
 * and temporarily closed stations last.
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
  var indexRoot = new URL("pagefind/", siteRoot);
  var PAGE_SIZE = 10;
  // How many of Pagefind's results are read (one small fragment each) to rank them by title and open now: the
  // first page of results, which needs them anyway.
  var RERANK = PAGE_SIZE;
  var TEXT = {
    idle: "键入以开始搜索",
    loading: "正在加载搜索…",
    none: "没有找到结果。试试更短的词，如“充电”“厕所”，或街道名。",
    failed: "搜索暂时不可用，请稍后再试。",
  };

  var engine = null;  // a promise of {pagefind, rules}
  var latest = 0;  // only the newest query may draw results
  var state = { ticket: 0, query: null, shown: [], drawn: 0, wanted: [] };  // the results on screen
  var openOn = 0;  // the ticket whose first result Enter is waiting for

  // --- loading -----------------------------------------------------------------------------------

  /* Pagefind fetches its entry file, then its metadata and WebAssembly, one after another. Asking the
   * browser for all of them at once (rel=preload, which Pagefind's own fetches then take) saves two round
   * trips on a slow network. The entry file's address carries a tag so that the preload and Pagefind's
   * fetch are the same request; a new page load gets a new tag, so a new index is never missed. */
  var cacheTag = String(Date.now());

  function preload(href) {
    var link = document.createElement("link");
    link.rel = "preload";
    link.as = "fetch";
    link.crossOrigin = "anonymous";  // what fetch() sends to its own site: the preload is then reused
    link.href = href;
    document.head.appendChild(link);
  }

  // Pagefind's WebAssembly, the largest file (68 KB), by its name for an index without a language of its own
  // (search_index.py WASM_FILE, which the build checks): asked for at once, not after the entry file names it.
  var WASM_FILE = "wasm.unknown.pagefind";

  function load() {
    if (!engine) {
      preload(new URL(WASM_FILE, indexRoot).href);
      preload(new URL("pagefind-entry.json?ts=" + cacheTag, indexRoot).href);
      var rules = fetch(new URL("search-rules.json", indexRoot).href).then(function (response) {
        if (!response.ok) throw new Error("search-rules.json: " + response.status);
        return response.json();
      }).then(function (data) {
        data.preload.forEach(function (name) { if (name !== WASM_FILE) preload(new URL(name, indexRoot).href); });
        return compileRules(data);
      });
      var pagefindReady = import(new URL("pagefind.js", indexRoot).href).then(function (pagefind) {
        // No web worker: it would be one more download (≈12 KB) for searches that take milliseconds.
        return pagefind.options({
          baseUrl: siteRoot.pathname, excerptLength: 36, noWorker: true, metaCacheTag: cacheTag,
        }).then(function () {
          pagefind.init();  // now, not at the first keystroke
          return pagefind;
        });
      });
      engine = Promise.all([pagefindReady, rules, loadHours()]).then(function (loaded) {
        return { pagefind: loaded[0], rules: loaded[1] };
      });
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

  // --- reading a query (the rules: scripts/outputs/search_rules.py) ----------------------------------

  function normalise(text) {
    return String(text).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function longestFirst(a, b) { return b.word.length - a.word.length; }

  function compileRules(data) {
    var intents = [];
    data.intents.forEach(function (intent) {
      intent.words.forEach(function (word) { intents.push({ word: word, intent: intent }); });
    });
    var groupOf = {};
    data.groups.forEach(function (group) {
      group.words.forEach(function (word) { if (!groupOf[word]) groupOf[word] = group; });
    });
    // A group's words also without their stop phrases, as a query is read: 车坏了 is also 车坏 (车坏了怎么办).
    data.groups.forEach(function (group) {
      group.words.forEach(function (word) {
        var bare = normalise(data.stop.reduce(without, word));
        if (bare && !groupOf[bare]) groupOf[bare] = group;
      });
    });
    return {
      han: new RegExp("[" + data.han + "]"),
      intents: intents.sort(longestFirst),
      stop: data.stop,
      groupOf: groupOf,
      amenities: data.amenities,
      finder: data.finder,
      visibleEnd: data.visible_end,
      blockEnd: data.block_end,
    };
  }

  function without(text, word) { return text.split(word).join(" "); }

  function words(text) { return normalise(text).split(" ").filter(Boolean); }

  /* The intents in a query (附近, 正在开放, 夜里 …), and the query without them. */
  function readIntents(rules, text) {
    var read = { text: text, params: {}, labels: [], found: false };
    rules.intents.forEach(function (entry) {
      if (read.text.indexOf(entry.word) < 0) return;
      read.text = without(read.text, entry.word);
      read.found = true;
      if (entry.intent.param && !read.params[entry.intent.param]) {
        read.params[entry.intent.param] = "1";
        read.labels.push(entry.intent.label);
      }
    });
    return read;
  }

  /* What the query asks: the finder's filters, the readings to try (as typed, with each synonym group's
   * canonical word, without stop phrases), the answers of its synonym groups and the words to highlight. */
  function understand(rules, typed) {
    var intents = readIntents(rules, normalise(typed));
    var params = intents.params;
    var labels = intents.labels;
    var finder = intents.found;
    var text = normalise(intents.text);
    var bare = normalise(rules.stop.reduce(without, text));
    var groups = words(bare).concat(words(text)).map(function (w) { return rules.groupOf[w]; }).filter(Boolean);
    groups = groups.filter(function (g, i) { return groups.indexOf(g) === i; });
    // A word of a synonym group as every page of the group says it: an amenity's label (shown on every station
    // that has it), else the group's first word. Tried before the words typed without their stop phrases, which
    // only some pages say ("车胎没气" → 维修工具, not the two stations that mention 打气).
    var canonical = words(bare).map(function (w) {
      var group = rules.groupOf[w];
      if (!group) return w;
      return group.amenities.length ? rules.amenities[group.amenities[0]] || group.words[0] : group.words[0];
    });
    // The query as typed first if it is only words a page would say; a question ("哪里可以歇脚", which the about
    // page happens to say) is read for its meaning first, and as typed last. What is left after intents was not
    // typed as one phrase.
    var plain = !finder && bare === text;
    var candidates = [plain ? text : "", canonical.join(" "), bare, finder ? "" : text].filter(function (q, i, all) {
      return q && all.indexOf(q) === i;
    });
    var amenities = [];
    var answers = [];
    groups.forEach(function (group) {
      group.amenities.forEach(function (key) { if (amenities.indexOf(key) < 0) amenities.push(key); });
      group.answers.forEach(function (answer) {
        if (answer.url === rules.finder.url) finder = true;
        else answers.push(answer);
      });
    });
    var wanted = [].concat(words(text), words(bare), canonical);
    groups.forEach(function (group) { wanted = wanted.concat(group.words); });
    return {
      candidates: candidates, answers: answers, amenities: amenities, wanted: unique(wanted),
      finder: finder ? finderAnswer(rules, params, labels, amenities) : null,
    };
  }

  function unique(list) { return list.filter(function (x, i) { return x && list.indexOf(x) === i; }); }

  /* "打开驿站地图：离我最近、正在开放" → stations/?near=1&open=1 (stations.js reads these parameters). */
  function finderAnswer(rules, params, labels, amenities) {
    var query = new URLSearchParams();
    if (params.h24) delete params.open;  // 24 小时 means open now and round the clock: one filter says it
    Object.keys(params).sort().forEach(function (key) { query.set(key, params[key]); });
    amenities.forEach(function (key) { query.append("amenity", key); });
    var says = labels.filter(function (label) { return !(params.h24 && label === "正在开放"); });
    says = says.concat(amenities.map(function (key) { return "有" + (rules.amenities[key] || key); }));
    var search = query.toString();
    return {
      url: rules.finder.url + (search ? "?" + search : ""),
      title: rules.finder.title + (says.length ? "：" + says.join("、") : ""),
      kind: "地图",
    };
  }

  // --- searching -----------------------------------------------------------------------------------

  /* "外卖骑手 WiFi" → [["外","卖","骑","手"], ["wifi"]]: each Chinese character is a word. */
  function terms(rules, query) {
    return words(query).map(function (term) {
      var split = [];
      var run = "";
      Array.from(term).forEach(function (ch) {
        if (rules.han.test(ch)) {
          if (run) split.push(run);
          split.push(ch);
          run = "";
        } else {
          run += ch;
        }
      });
      if (run) split.push(run);
      return split;
    }).filter(function (split) { return split.length; });
  }

  /* Every page with all the words, the exact phrases first and marked (Pagefind scores an exact search
   * 1 for every page, so the order within each group comes from the plain search). */
  function rankTerms(engine, query) {
    var split = terms(engine.rules, query);
    var phrases = split.filter(function (w) { return w.length > 1 && w.some(isHan(engine.rules)); });
    var all = [].concat.apply([], split).join(" ");
    return Promise.all([engine.pagefind.search(all)].concat(phrases.map(function (w) {
      return engine.pagefind.search('"' + w.join(" ") + '"');
    }))).then(function (searches) {
      var exact = searches.slice(1).map(function (s) { return new Set(s.results.map(function (r) { return r.id; })); });
      var results = searches[0].results.map(function (r) {
        return { id: r.id, result: r, exact: exact.length > 0 && exact.every(function (ids) { return ids.has(r.id); }) };
      });
      var found = results.filter(function (r) { return r.exact; });
      return { exact: found.length, results: found.concat(results.filter(function (r) { return !r.exact; })) };
    });
  }

  function isHan(rules) { return function (word) { return rules.han.test(word); }; }

  /* Without any exact phrase, a query of several characters matches pages that have them anywhere: 加水
   * finds 加油站 … 水. Keep the pages that have two of its characters together, if there are any. */
  function lessNoise(engine, query, ranked) {
    var pairs = [];
    terms(engine.rules, query).forEach(function (split) {
      for (var i = 0; i + 1 < split.length; i++) {
        if (isHan(engine.rules)(split[i]) && isHan(engine.rules)(split[i + 1])) pairs.push(split[i] + " " + split[i + 1]);
      }
    });
    if (!pairs.length) return Promise.resolve(ranked.results);
    return Promise.all(pairs.map(function (pair) { return engine.pagefind.search('"' + pair + '"'); })).then(function (s) {
      var ids = new Set();
      s.forEach(function (search) { search.results.forEach(function (r) { ids.add(r.id); }); });
      var kept = ranked.results.filter(function (r) { return ids.has(r.id); });
      return kept.length ? kept : ranked.results;
    });
  }

  /* The first of the query's readings that some page says as written; else the best guess. */
  function find(engine, asked) {
    var tried = [];
    function attempt(i) {
      if (i >= asked.candidates.length) {
        var first = tried[0];
        return first ? lessNoise(engine, asked.candidates[0], first) : Promise.resolve([]);
      }
      return rankTerms(engine, asked.candidates[i]).then(function (ranked) {
        if (ranked.exact) return ranked.results;
        tried.push(ranked);
        return attempt(i + 1);
      });
    }
    return attempt(0).then(function (results) { return rerank(engine, asked, results); });
  }

  /* Titles first, then exact phrases; among those, stations open now before closed ones. Only the head of
   * the list is read: each result's data is a download. */
  function rerank(engine, asked, results) {
    var head = results.slice(0, RERANK);
    return Promise.all(head.map(function (r) { return r.result.data(); })).then(function (pages) {
      head.forEach(function (r, i) {
        r.page = pages[i];
        r.order = [titleTier(asked, pages[i]), r.exact ? 0 : 1, openTier(asked, pages[i]), i];
      });
      head.sort(function (a, b) {
        for (var k = 0; k < a.order.length; k++) if (a.order[k] !== b.order[k]) return a.order[k] - b.order[k];
        return 0;
      });
      return withAnswers(engine, asked, head.concat(results.slice(RERANK)));
    });
  }

  function titleTier(asked, page) {
    var title = normalise(page.meta.title || "").replace(/\s/g, "");
    var tier = 2;
    asked.candidates.forEach(function (q) {
      q = q.replace(/\s/g, "");
      if (title === q) tier = 0;
      else if (tier > 1 && q.length > 1 && title.indexOf(q) >= 0) tier = 1;
    });
    return tier;
  }

  /* 0 a station open now or a page that is not a station, 1 a station closed now, 2 a station closed for a
   * while (临时关闭) or withdrawn, unless that is what was searched for: what the finder's "open now" says, from
   * the same evaluator (opening-hours.js). */
  function openTier(asked, page) {
    if (!page.meta.hours || !window.OpeningHours) return 0;
    try {
      var status = window.OpeningHours.status(JSON.parse(page.meta.hours));
      if (status.open) return 0;
      var state = status.text.split("（")[0];  // 临时关闭, not its reason: "可以到…歇脚" is no reason to rank it
      var said = asked.candidates.some(function (q) { return q.length > 1 && state.indexOf(q) >= 0; });
      if (said) return 0;
      return status.closed ? 2 : 1;
    } catch (e) {
      return 0;
    }
  }

  /* The finder and the synonym groups' pages go first; a page already found moves up instead of twice. */
  function withAnswers(engine, asked, results) {
    var first = [];
    if (asked.finder) first.push(answer(asked.finder));
    asked.answers.forEach(function (a) {
      var found = results.filter(function (r) { return r.page && r.page.url === siteRoot.pathname + a.url; })[0];
      if (found) {
        results.splice(results.indexOf(found), 1);
        first.push(found);
      } else {
        first.push(answer(a));
      }
    });
    // 讨薪, 手机没电: nothing found, but the group says what it is about: the finder, filtered.
    if (!results.length && !first.length && asked.amenities.length) {
      first.push(answer(finderAnswer(engine.rules, {}, [], asked.amenities)));
    }
    return first.concat(results);
  }

  function answer(what) {
    var page = { url: siteRoot.pathname + what.url, meta: { title: what.title, kind: what.kind }, content: "", answer: true };
    return { id: what.url, page: page, result: { data: function () { return Promise.resolve(page); } } };
  }

  function pageOf(r) { return r.page ? Promise.resolve(r.page) : r.result.data(); }

  // --- showing results -------------------------------------------------------------------------------

  /* Pagefind's text of a page, as the page shows it. Pagefind turns our separator between Chinese
   * characters (search_index.py) into a space: take the spaces out next to Chinese. search_index.py marks the
   * end of each block (a paragraph, a list item, a heading; Pagefind may add ". " after it): make it a space,
   * as the page shows "歇脚", "饮水" apart. Then cut at the end of the visible text: what follows is
   * search-only words no reader sees. */
  var BOUNDARY = "\u0002";
  function visibleText(rules, content) {
    var text = (content || "").split(rules.visibleEnd)[0].replace(/\u200b/g, "")
      .replace(new RegExp("\\s*" + rules.blockEnd + "\\.?", "g"), BOUNDARY);
    var cjk = "[" + rules.han.source.slice(1, -1) + "\u3000-\u303f\uff00-\uffef“”‘’…—·]";
    text = text.replace(new RegExp("(" + cjk + ")[ \\t\\n]+", "g"), "$1").replace(new RegExp("[ \\t\\n]+(?=" + cjk + ")", "g"), "");
    return text.replace(/\s*\u0002[\s\u0002]*/g, " ").replace(/\s+/g, " ").trim();
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  /* A snippet around the first place the page shows what was searched for (or one of its synonyms);
   * else the start of what the page says after its title. Never the search-only words. */
  var BEFORE = 12;
  var AFTER = 30;
  function snippet(rules, page, wanted) {
    if (page.answer) return "";
    var text = visibleText(rules, page.content);
    var folded = normalise(text.replace(/ /g, "\u0001")).replace(/\u0001/g, " ");  // same length as text
    if (folded.length !== text.length) folded = text.toLowerCase();
    var at = -1;
    wanted.forEach(function (w) {
      var i = folded.indexOf(w);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    if (at < 0) {
      var title = normalise(page.meta.title || "");
      at = folded.indexOf(title) === 0 ? Math.min(title.length + 1, text.length) : 0;
      return escapeHtml(text.slice(at, at + BEFORE + AFTER)) + (at + BEFORE + AFTER < text.length ? "…" : "");
    }
    var start = Math.max(0, at - BEFORE);
    var end = Math.min(text.length, at + AFTER);
    var pattern = new RegExp(wanted.slice().sort(function (a, b) { return b.length - a.length; })
      .map(escapeRegExp).join("|"), "gi");
    var marked = escapeHtml(text.slice(start, end)).replace(pattern, function (m) { return "<mark>" + m + "</mark>"; });
    return (start > 0 ? "…" : "") + marked + (end < text.length ? "…" : "");
  }

  function openNow(hours) {
    if (!hours || !window.OpeningHours) return "";
    try {
      var status = window.OpeningHours.status(JSON.parse(hours));
      var cls = status.open ? "search-open" : "search-closed";
      return '<p class="search-hours ' + cls + '">' + escapeHtml(status.text) + "</p>";
    } catch (e) {
      return "";
    }
  }

  function item(rules, page, wanted) {
    var kind = page.meta.kind || "页面";
    var text = snippet(rules, page, wanted);
    return '<li class="md-search-result__item">' +
      '<a href="' + escapeHtml(page.url) + '" class="md-search-result__link" data-kind="' + escapeHtml(kind) + '">' +
      // A div, not the theme's <article>: a link's name is read from its text, and browsers skip an article's.
      '<div class="md-search-result__article md-typeset">' +
      '<div class="md-search-result__icon md-icon"></div>' +
      '<div class="search-result-title"><span class="search-kind">' + escapeHtml(kind) + "</span> " +
      escapeHtml(page.meta.title || page.url) + "</div>" +
      openNow(page.meta.hours) +
      (text ? '<p class="search-excerpt">' + text + "</p>" : "") +
      "</div></a></li>";
  }

  /* Nothing found: the finder and the service line are still answers. */
  function suggestions() {
    var html = '<li class="search-suggestion"><a class="md-button" href="' +
      escapeHtml(new URL("stations/", siteRoot).pathname) + '">打开驿站地图，看全部驿站</a></li>';
    var phone = root.getAttribute("data-phone");
    if (phone) {
      html += '<li class="search-suggestion"><a class="md-button" href="' + escapeHtml(root.getAttribute("data-phone-uri")) +
        '">拨打服务电话 ' + escapeHtml(phone) + "</a></li>";
    }
    return html;
  }

  function drawMore(rules, ticket) {
    var page = state.shown.slice(state.drawn, state.drawn + PAGE_SIZE);
    state.drawn += page.length;
    return Promise.all(page.map(pageOf)).then(function (pages) {
      if (ticket !== latest) return;
      var more = list.querySelector(".search-more");
      if (more) more.remove();
      list.insertAdjacentHTML("beforeend", pages.map(function (p) { return item(rules, p, state.wanted); }).join(""));
      if (state.drawn < state.shown.length) {
        list.insertAdjacentHTML("beforeend", '<li class="search-more"><button type="button" class="md-button">' +
          "再显示 " + Math.min(PAGE_SIZE, state.shown.length - state.drawn) + " 个</button></li>");
      }
    });
  }

  function search() {
    var query = input.value;
    var ticket = ++latest;
    if (!normalise(query)) {
      state = { ticket: ticket, query: query, shown: [], drawn: 0, wanted: [] };
      meta.textContent = TEXT.idle;
      list.innerHTML = "";
      return ticket;
    }
    if (!engine) meta.textContent = TEXT.loading;
    var loaded;
    load().then(function (e) {
      loaded = e;
      var asked = understand(e.rules, query);
      return find(e, asked).then(function (results) { return { asked: asked, results: results }; });
    }).then(function (found) {
      if (ticket !== latest) return;
      state = { ticket: ticket, query: query, shown: found.results, drawn: 0, wanted: found.asked.wanted };
      list.innerHTML = "";
      meta.textContent = found.results.length ? "找到 " + found.results.length + " 个结果" : TEXT.none;
      if (!found.results.length) list.innerHTML = suggestions();
      return drawMore(loaded.rules, ticket).then(function () { if (openOn === ticket) openFirst(); });
    }).catch(function (error) {
      if (ticket !== latest) return;
      meta.textContent = TEXT.failed;
      list.innerHTML = "";
      if (window.console) console.warn("site search:", error);
    });
    return ticket;
  }

  function openFirst() {
    openOn = 0;
    var first = list.querySelector(".md-search-result__link");
    if (first) first.click();
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
      load().catch(function () {});
      input.focus();
    } else {
      input.blur();
    }
  });
  /* Enter opens the first result of what is in the box now: if those results are not drawn yet (typed
   * quickly, or the index still loading), it waits for them rather than opening the previous query's. */
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    if (state.query === input.value && state.ticket === latest) {
      openFirst();
    } else {
      openOn = search();
    }
  });
  form.addEventListener("reset", function () {
    setTimeout(function () { search(); input.focus(); });
  });
  list.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.closest(".search-more button")) {
      load().then(function (e) { drawMore(e.rules, latest); });
    } else if (target && target.closest("a")) {
      toggle.checked = false;
      input.blur();
    }
  });

  /* The same search without the box, for tests and for other scripts of this site:
   * siteSearch.find("充电", 5) → a promise of the first five results' data ({url, meta: {title, kind},
   * content, answer: true for the finder or a synonym group's page}, with its snippet as HTML). */
  window.siteSearch = {
    find: function (query, limit) {
      return load().then(function (e) {
        var asked = understand(e.rules, query);
        return find(e, asked).then(function (results) {
          return Promise.all(results.slice(0, limit || PAGE_SIZE).map(pageOf)).then(function (pages) {
            return pages.map(function (p) {
              return { url: p.url, meta: p.meta, answer: !!p.answer, snippet: snippet(e.rules, p, asked.wanted) };
            });
          });
        });
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
        load().catch(function () {});
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
