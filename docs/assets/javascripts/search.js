/* Site search in the theme's search box, over the Pagefind index that scripts/outputs/search_index.py
 * builds. Nothing is downloaded until someone opens the search: then the index's entry file, its metadata,
 * the WebAssembly, the hours filter and the query rules are fetched at once, in parallel, while the rider
 * types; the index chunks a query needs follow as soon as it is typed (preloadChunks).
 *
 * The index holds Chinese one character at a time (see search_index.py), so a query is split
 * the same way: "外卖骑手 wifi" → 外 卖 骑 手 wifi. Pages that contain every character are
 * found; those where each Chinese word of the query appears as written (an exact phrase) come
 * first.
 *
 * A query is read the way scripts/outputs/search_rules.py defines (its rules arrive as
 * pagefind/search-rules.json): normalised (NFKC, lower case); a query of nothing but intents (附近, 正在开放,
 * 夜里 …), stop phrases and amenities makes the station finder, with those filters, the first answer; any other
 * query is searched as typed first, and its intents count only when no page says it as written; stop phrases
 * (哪里, 的地方, 了 …) go after that; a word of a synonym group brings the group's pages first, and its first
 * word is searched when the words typed are on no page.
 *
 * Ranking: answers from the rules, then pages whose title is the query or contains it, then exact
 * phrases; among those, stations open now (opening-hours.js, the one hours evaluator, over the distinct
 * hours of all stations, which the index holds as a filter) before closed ones, and temporarily closed
 * stations last, over all results.
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
  // More than a phone shows above its keyboard, and with one more (see RERANK) no more result fragments than a
  // browser fetches at once from one host over HTTP/1.1 (six): the first results need one round of downloads.
  var PAGE_SIZE = 5;
  var ENTRY_TAG = String(Date.now());
  // How many results are read (one small fragment each) to rank them by title (see rerank): a first page and one,
  // six, what a browser fetches at once. Open now is known for every result without reading it.
  var RERANK = PAGE_SIZE + 1;
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
   * trips on a slow network. The entry file's address carries a tag (pagefind-entry.json?ts=…, ENTRY_TAG) so
   * that the preload and Pagefind's fetch are the same request. Each file is preloaded once per page, however
   * often a failed load is tried again. */
  var preloaded = {};

  function preload(href, onload) {
    if (preloaded[href]) return;
    preloaded[href] = true;
    var link = document.createElement("link");
    link.rel = "preload";
    link.as = "fetch";
    link.crossOrigin = "anonymous";  // what fetch() sends to its own site: the preload is then reused
    link.href = href;
    if (onload) link.onload = onload;
    document.head.appendChild(link);
  }

  // Pagefind's WebAssembly, the largest file (66 KB), by its name for an index without a language of its own
  // (search_index.py WASM_FILE, which the build checks): asked for at once, not after the entry file names it.
  var WASM_FILE = "wasm.unknown.pagefind";
  // Once it has arrived Pagefind may be asking for a query's chunks itself, and a chunk asked for twice might be
  // downloaded twice: preloadChunks stops. (Pagefind's init() does not say when it is done.)
  var wasmArrived = false;

  var pagefindModule = null;  // Pagefind's module, once imported
  var rulesReady = null;  // a promise of the query rules, which come before Pagefind is ready
  var settled = null;  // the current load of Pagefind, failed or not
  var forgotten = Promise.resolve();  // the last failed load, forgotten (see reset)

  function ignore() {}

  function load() {
    if (!engine) {
      preload(new URL(WASM_FILE, indexRoot).href, function () { wasmArrived = true; });
      // Pagefind's entry file names the index's other files: asked for at once, with the tag Pagefind is given
      // below, so that its own request finds this one. A new tag each page load (Pagefind's own default) reads a
      // new deploy's entry; the service worker keeps one copy of it whatever the tag, for offline use.
      preload(new URL("pagefind-entry.json?ts=" + ENTRY_TAG, indexRoot).href);
      var data = fetch(new URL("search-rules.json", indexRoot).href).then(function (response) {
        if (!response.ok) throw new Error("search-rules.json: " + response.status);
        return response.json();
      }).then(function (data) {
        data.preload.forEach(function (name) { if (name !== WASM_FILE) preload(new URL(name, indexRoot).href); });
        return data;
      });
      var module = forgotten.then(function () {
        return import(new URL("pagefind.js", indexRoot).href);
      }).then(function (pagefind) {
        pagefindModule = pagefind;
        return pagefind;
      });
      var pagefindReady = module.then(function (pagefind) {
        // No web worker: it would be one more download (≈12 KB) for searches that take milliseconds.
        return pagefind.options({
          baseUrl: siteRoot.pathname, excerptLength: 36, noWorker: true, metaCacheTag: ENTRY_TAG,
        }).then(function () {
          pagefind.init();  // now, not at the first keystroke
          return pagefind;
        });
      });
      rulesReady = data.then(compileRules);
      engine = Promise.all([pagefindReady, rulesReady, loadHours()]).then(function (loaded) {
        return { pagefind: loaded[0], rules: loaded[1] };
      });
      settled = pagefindReady.then(ignore, ignore);
      engine.catch(reset);
    }
    return engine;
  }

  /* The index chunks the query's words are in, asked for as soon as the query and the rules are there, while the
   * WebAssembly is on its way: Pagefind can name them only once it has started, half a second later on a slow
   * phone's first search.
   * Pagefind's own choice (request_indexes): for each word, the first chunk whose first and last words enclose
   * it, in code point order (search_index.py writes the chunks' bounds). Only the words of the query as typed,
   * which are searched first, and only Chinese characters and plain letters and digits, which Pagefind reads
   * as they are; anything else is left to Pagefind. */
  function preloadChunks(rules, query) {
    var typed = understand(rules, query).candidates[0];
    if (!typed || !rules.chunks || wasmArrived) return;
    [].concat.apply([], terms(rules, typed)).forEach(function (word) {
      if (!(rules.han.test(word) && Array.from(word).length === 1) && !/^[a-z0-9]+$/.test(word)) return;
      var chunk = rules.chunks.filter(function (c) {
        return codePointOrder(c[0], word) <= 0 && codePointOrder(word, c[1]) <= 0;
      })[0];
      if (chunk) preload(new URL("index/" + chunk[2] + ".pf_index", indexRoot).href);
    });
  }

  /* Negative, zero or positive as ``a`` sorts before, with or after ``b`` by code points, as Rust compares. */
  function codePointOrder(a, b) {
    var x = Array.from(a);
    var y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }

  /* After a failure (no network): the next search loads again. Pagefind keeps the error of its first load
   * ("Failed to load Pagefind metadata") and gives it to every later search, so it is told to forget its
   * index (destroy, Pagefind 1.5) before it is given its options again. */
  function reset() {
    if (!engine) return;
    tiersFound = {};
    var loading = settled;
    engine = null;
    forgotten = forgotten.then(function () { return loading; }).then(function () {
      return pagefindModule ? pagefindModule.destroy().catch(ignore) : undefined;
    });
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
    var rules = {
      han: new RegExp("[" + data.han + "]"),
      intents: intents.sort(longestFirst),
      stop: data.stop,
      groupOf: {},
      amenities: data.amenities,
      finder: data.finder,
      visibleEnd: data.visible_end,
      blockEnd: data.block_end,
      spaceMark: data.space_mark,
      hoursFilter: data.hours_filter,
      hours: data.hours,  // each distinct schedule of the stations, by its name in the index's hours filter
      chunks: data.chunks,  // [first word, last word, file] of each index chunk, in Pagefind's order
    };
    data.groups.forEach(function (group) {
      group.words.forEach(function (word) { if (!rules.groupOf[word]) rules.groupOf[word] = group; });
    });
    // A group's words also without their stop phrases, as a query is read: 车坏了 is also 车坏 (车坏了怎么办).
    data.groups.forEach(function (group) {
      group.words.forEach(function (word) {
        var bare = withoutStops(rules, word);
        if (bare && !rules.groupOf[bare]) rules.groupOf[bare] = group;
      });
    });
    return rules;
  }

  function without(text, word) { return text.split(word).join(" "); }

  function words(text) { return normalise(text).split(" ").filter(Boolean); }

  /* A query without its stop phrases, word by word; a word that would keep a single Chinese character stays as
   * it was typed: one character is no word (目的 is not 目, 现在 not 现). */
  function withoutStops(rules, text) {
    return words(text).map(function (word) {
      var left = normalise(rules.stop.reduce(without, word));
      return left.length === 1 && rules.han.test(left) && word.length > 1 ? word : left;
    }).filter(Boolean).join(" ");
  }

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

  /* What the query asks: the readings to try (as typed first, then with each synonym group's canonical word,
   * without stop phrases, without intents), the answers of its synonym groups, the finder with the intents'
   * filters and whether that is all the query asks, and the words to highlight. */
  function understand(rules, typed) {
    var text = normalise(typed);
    var intents = readIntents(rules, text);
    var rest = normalise(intents.text);
    var bare = withoutStops(rules, rest);
    var groups = words(bare).concat(words(rest), words(text)).map(function (w) { return rules.groupOf[w]; });
    groups = unique(groups);
    // A word of a synonym group as every page of the group says it: an amenity's label (shown on every station
    // that has it), else the group's first word. Tried before the words typed without their stop phrases, which
    // only some pages say ("车胎没气" → 维修工具, not the two stations that mention 打气).
    var canonical = words(bare).map(function (w) {
      var group = rules.groupOf[w];
      if (!group) return w;
      return group.amenities.length ? rules.amenities[group.amenities[0]] || group.words[0] : group.words[0];
    });
    var amenities = [];
    var answers = [];
    var groupFinder = false;
    groups.forEach(function (group) {
      group.amenities.forEach(function (key) { if (amenities.indexOf(key) < 0) amenities.push(key); });
      group.answers.forEach(function (answer) {
        if (answer.url === rules.finder.url) groupFinder = true;
        else answers.push(answer);
      });
    });
    // Nothing but intents, words for a station, stop phrases and amenities: a question for the finder.
    var others = words(rules.finder.words.reduce(without, bare)).filter(function (w) {
      var group = rules.groupOf[w];
      return !(group && group.amenities.length);
    });
    var groupWords = [].concat.apply([], groups.map(function (g) { return g.words; }));
    return {
      text: text,
      candidates: unique([text, canonical.join(" "), bare, rest]),
      answers: answers, amenities: amenities, groupWords: groupWords,
      wanted: unique([].concat(words(text), words(bare), canonical, groupWords)),
      finder: intents.found || groupFinder ? finderAnswer(rules, intents.params, intents.labels, amenities) : null,
      // The finder first: the query asks nothing else, or a synonym group leads there.
      finderFirst: groupFinder || (intents.found && !others.length),
      intents: intents.found,
      question: bare !== rest,  // it has stop phrases
    };
  }

  function unique(list) { return list.filter(function (x, i) { return x && list.indexOf(x) === i; }); }

  /* "打开驿站地图：离我最近、正在开放" → stations/?near=1&open=1 (stations.js reads these parameters). */
  function finderAnswer(rules, params, labels, amenities) {
    var query = new URLSearchParams();
    params = Object.assign({}, params);
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
  function rankTerms(engine, query, asked) {
    var split = terms(engine.rules, query);
    var phrases = split.filter(function (w) { return w.length > 1 && w.some(isHan(engine.rules)); });
    var all = [].concat.apply([], split).join(" ");
    var tiers = openTiers(engine, asked, all);  // with the same words, at the same time: the same index chunks
    return Promise.all([engine.pagefind.search(all)].concat(phrases.map(function (w) {
      return engine.pagefind.search('"' + w.join(" ") + '"');
    }))).then(function (searches) {
      var exact = searches.slice(1).map(function (s) { return new Set(s.results.map(function (r) { return r.id; })); });
      var results = searches[0].results.map(function (r) {
        return { id: r.id, result: r, exact: exact.length > 0 && exact.every(function (ids) { return ids.has(r.id); }),
                 tiers: tiers };
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

  /* The query as typed, when some page says it as written, and after those pages the first other reading some
   * page says (a question without its stop phrases: "哪里可以歇脚" is on the about page, and 歇脚 on stations);
   * else the best guess. Intents that are not all the query asks count only when no page says it as typed:
   * "夜间Q&A驿站" is a name, not 夜间 and a station. */
  function find(engine, asked) {
    var tried = [];
    var typed = null;
    function attempt(i) {
      if (i >= asked.candidates.length) {
        if (typed) return Promise.resolve({ results: typed.results, reading: asked.text });
        var first = tried[0];
        return (first ? lessNoise(engine, asked.candidates[0], first) : Promise.resolve([])).then(function (results) {
          return { results: results, reading: null };
        });
      }
      return rankTerms(engine, asked.candidates[i], asked).then(function (ranked) {
        if (i === 0 && ranked.exact) {
          typed = ranked;
          if (asked.intents && !asked.finderFirst) asked.finder = null;  // a phrase on a page, not a question
          // Words a page would say: the answer. A question (stop phrases) is also read for its meaning.
          if (!asked.question) return { results: ranked.results, reading: asked.text };
          return attempt(i + 1);
        }
        if (!ranked.exact) {
          tried.push(ranked);
          return attempt(i + 1);
        }
        if (!typed) return { results: ranked.results, reading: asked.candidates[i] };
        var seen = new Set(typed.results.slice(0, typed.exact).map(function (r) { return r.id; }));
        var also = ranked.results.slice(0, ranked.exact).filter(function (r) { return !seen.has(r.id); });
        also.forEach(function (r) { r.later = 1; seen.add(r.id); });
        var rest = typed.results.slice(typed.exact).filter(function (r) { return !seen.has(r.id); });
        rest.forEach(function (r) { r.later = 2; });
        return { results: typed.results.slice(0, typed.exact).concat(also, rest), reading: asked.candidates[i],
                 both: true };
      });
    }
    return attempt(0).then(function (found) {
      // What to highlight: the reading found, its synonyms, and the query as typed when a page says it.
      if (found.reading) {
        asked.wanted = unique([].concat(found.both || found.reading === asked.text ? words(asked.text) : [],
          words(found.reading), asked.groupWords));
      }
      return rerank(engine, asked, found.results);
    });
  }

  /* Titles first, then exact phrases; among those, stations open now before closed ones, over all results.
   * A result's title is a download (its fragment), so only six are read, all at once: the first six by that order
   * without titles, the sixth giving way to Pagefind's best match if that is not among them (a closed station
   * searched by its name still comes first). The first page (five) is then always among the results read.
   * Reading Pagefind's first six instead, as before, took a second round of downloads (0.2 s on a slow phone
   * network) whenever open stations further down moved up past closed ones. The price: a closed page titled as
   * the query that is neither Pagefind's best match nor among those six is not read, so not moved up. */
  function rerank(engine, asked, results) {
    var searches = Array.from(new Set(results.map(function (r) { return r.tiers; }).filter(Boolean)));
    return Promise.all(searches).then(function (found) {
      var tiers = Object.assign.apply(null, [{}].concat(found));
      var best = results[0];
      results.forEach(function (r, i) { r.order = [r.later || 0, r.exact ? 0 : 1, tiers[r.id] || 0, i]; });
      results.sort(byOrder);
      var head = results.slice(0, RERANK);
      if (best && head.indexOf(best) < 0) head[RERANK - 1] = best;
      return Promise.all(head.map(function (r) { return r.result.data(); })).then(function (pages) {
        head.forEach(function (r, i) { r.page = pages[i]; });
        results.forEach(function (r) { r.order = [r.page ? titleTier(asked, r.page) : 2].concat(r.order); });
        results.sort(byOrder);
        return withAnswers(engine, asked, results);
      });
    });
  }

  function byOrder(a, b) {
    for (var k = 0; k < a.order.length; k++) if (a.order[k] !== b.order[k]) return a.order[k] - b.order[k];
    return 0;
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

  /* The open tier (see hoursTier) of each station among the results for ``query``, by result id: the index holds
   * the name of each station's hours as a filter, so each distinct schedule is evaluated once, and the same words
   * searched once per tier name its stations. With the words, not without: Pagefind answers a search without
   * words from every index chunk (1.8 MB at 10,000 stations). */
  var tiersFound = {};  // the searches below, by their words and the schedules in each tier
  function openTiers(engine, asked, query) {
    var filter = engine.rules.hoursFilter;
    if (!filter || !engine.rules.hours || !window.OpeningHours || !query) return Promise.resolve({});
    var byTier = { 1: [], 2: [] };
    try {
      Object.keys(engine.rules.hours).forEach(function (name) {
        var tier = hoursTier(asked, engine.rules.hours[name]);
        if (tier) byTier[tier].push(name);
      });
    } catch (error) {
      return Promise.resolve({});
    }
    var key = JSON.stringify([byTier, query]);
    if (!tiersFound[key]) {
      var found = tiersFound[key] = searchTiers(engine, filter, byTier, query);
      found.then(function (tiers) { if (!tiers && tiersFound[key] === found) delete tiersFound[key]; });
    }
    return tiersFound[key].then(function (tiers) { return tiers || {}; });
  }

  function searchTiers(engine, filter, byTier, query) {
    return Promise.resolve().then(function () {
      return Promise.all([1, 2].map(function (tier) {
        if (!byTier[tier].length) return { results: [] };
        var filters = {};
        filters[filter] = { any: byTier[tier] };
        return engine.pagefind.search(query, { filters: filters });
      })).then(function (searches) {
        var tiers = {};
        searches.forEach(function (search, i) { search.results.forEach(function (r) { tiers[r.id] = i + 1; }); });
        return tiers;
      });
    }).catch(function () { return null; });  // not kept: the next search asks again
  }

  /* 0 a station open now, 1 closed now, 2 closed for a while (临时关闭) or withdrawn, unless that is what was
   * searched for: what the finder's "open now" says, from the same evaluator (opening-hours.js). */
  function hoursTier(asked, hours) {
    try {
      var status = window.OpeningHours.status(JSON.parse(hours));
      if (status.open) return 0;
      var state = status.text.split("（")[0];  // 临时关闭, not its reason: "可以到…歇脚" is no reason to rank it
      var said = asked.candidates.some(function (q) { return q.length > 1 && state.indexOf(q) >= 0; });
      if (said) return 0;
      return status.closed ? 2 : 1;
    } catch (e) {
      return 0;
    }
  }

  /* The finder and the synonym groups' pages go first; a page already found moves up instead of twice. The
   * finder of intents that are not all the query asks goes after the best page found ("晚上有活动吗"). */
  function withAnswers(engine, asked, results) {
    var first = [];
    if (asked.finder && asked.finderFirst) first.push(answer(asked.finder));
    asked.answers.forEach(function (a) {
      var found = results.filter(function (r) { return r.page && r.page.url === siteRoot.pathname + a.url; })[0];
      if (found) {
        results.splice(results.indexOf(found), 1);
        first.push(found);
      } else {
        first.push(answer(a));
      }
    });
    if (asked.finder && !asked.finderFirst) {
      var at = Math.min(first.length ? 0 : 1, results.length);
      results.splice(at, 0, answer(asked.finder));
    }
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

  /* Pagefind's text of a page, as the page shows it, as plain text: Pagefind gives it, and the title, as text
   * ("A & B <3 D>"; a page that shows "&lt;" has "&lt;" there), so it is never decoded, and escaped once when
   * shown. Pagefind turns our separator between Chinese characters (search_index.py) into a space: take the
   * spaces out next to Chinese, except those search_index.py marked as spaces the page shows ("amp 设在").
   * search_index.py marks the end of each block (a paragraph, a list item, a heading; Pagefind may add ". " after
   * it): make it a space, as the page shows "歇脚", "饮水" apart. Then cut at the end of the visible text: what
   * follows is search-only words no reader sees. */
  var BOUNDARY = "\u0002";
  var SPACE = "\u0003";
  function visibleText(rules, content) {
    var text = (content || "").split(rules.visibleEnd)[0].replace(/\u200b/g, "")
      .replace(new RegExp("\\s*" + rules.spaceMark + "\\s*", "g"), SPACE)
      .replace(new RegExp("\\s*" + rules.blockEnd + "\\.?", "g"), BOUNDARY);
    var cjk = "[" + rules.han.source.slice(1, -1) + "\u3000-\u303f\uff00-\uffef“”‘’…—·]";
    text = text.replace(new RegExp("(" + cjk + ")[ \\t\\n]+", "g"), "$1").replace(new RegExp("[ \\t\\n]+(?=" + cjk + ")", "g"), "");
    return text.replace(/\s*[\u0002\u0003][\s\u0002\u0003]*/g, " ").replace(/\s+/g, " ").trim();
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Plain text as HTML, the words wanted marked: the places are found in the plain text, and each piece is
   * escaped once ("q&a" marks "Q&A", never the "amp;" of an escaped "&amp;"). */
  function highlight(text, folded, wanted) {
    var marks = [];  // [start, end) in text, not overlapping, in order
    wanted.slice().sort(function (a, b) { return b.length - a.length; }).forEach(function (w) {
      for (var i = folded.indexOf(w); w && i >= 0; i = folded.indexOf(w, i + w.length)) {
        var end = i + w.length;
        if (!marks.some(function (m) { return i < m[1] && end > m[0]; })) marks.push([i, end]);
      }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var html = "";
    var at = 0;
    marks.forEach(function (m) {
      html += escapeHtml(text.slice(at, m[0])) + "<mark>" + escapeHtml(text.slice(m[0], m[1])) + "</mark>";
      at = m[1];
    });
    return html + escapeHtml(text.slice(at));
  }

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
      return escapeHtml(text.slice(at, at + BEFORE + AFTER).trim()) + (at + BEFORE + AFTER < text.length ? "…" : "");
    }
    var start = Math.max(0, at - BEFORE);
    var end = Math.min(text.length, at + AFTER);
    while (start < at && text[start] === " ") start++;  // no space next to the ellipses
    while (end > at && text[end - 1] === " ") end--;
    var marked = highlight(text.slice(start, end), folded.slice(start, end), wanted);
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
  function suggestions(rules) {
    var html = '<li class="search-suggestion"><a class="md-button" href="' +
      escapeHtml(new URL(rules.finder.url, siteRoot).pathname) + '">打开驿站地图，看全部驿站</a></li>';
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
    var loading = load();
    rulesReady.then(function (rules) { preloadChunks(rules, query); }).catch(ignore);
    loading.then(function (e) {
      loaded = e;
      var asked = understand(e.rules, query);
      return find(e, asked).then(function (results) { return { asked: asked, results: results }; });
    }).then(function (found) {
      if (ticket !== latest) return;
      state = { ticket: ticket, query: query, shown: found.results, drawn: 0, wanted: found.asked.wanted };
      list.innerHTML = "";
      // The query in the status, so that a screen reader speaks each new result, even of the same count.
      meta.textContent = "“" + normalise(query) + "”：" +
        (found.results.length ? "找到 " + found.results.length + " 个结果" : TEXT.none);
      if (!found.results.length) list.innerHTML = suggestions(loaded.rules);
      return drawMore(loaded.rules, ticket).then(function () { if (openOn === ticket) openFirst(); });
    }).catch(function (error) {
      reset();  // the next search loads again
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

  /* Keys as in the theme: / or s opens the search, Esc closes it, arrows move through results and
   * suggestions. */
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
      // The results, and the finder and the service line when nothing is found.
      var links = [input].concat(Array.from(list.querySelectorAll(".md-search-result__link, .search-suggestion a")));
      var at = links.indexOf(document.activeElement);
      var next = (Math.max(at, 0) + (event.key === "ArrowDown" ? 1 : -1) + links.length) % links.length;
      links[next].focus();
      event.preventDefault();
    }
  });
})();
