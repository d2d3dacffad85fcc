/* The site's service worker: the site works with no signal after the first visit.
 *
 * Written into the site by scripts/outputs/offline.py from scripts/outputs/templates/sw.js (edit that file,
 * not site/sw.js). It sits at the site root, so its scope is the whole site. Only GET requests for files of
 * this site are handled; every other request (map tiles, other sites) goes to the network untouched and is
 * never stored.
 *
 *   the shell   precached on install: the home page, the station finder and its data, the district map,
 *               the offline page and the theme's and our styles and scripts they load. VERSION is a hash
 *               of those files, so a deploy that changes any of them installs a new shell and deletes the
 *               old one.
 *   pages       each page a rider opens, kept as it is visited (the most recent PAGE_LIMIT).
 *   assets      other files of the site the pages load (photos, QR codes, scripts of one kind of page).
 *   search      the search index files, kept as they are used.
 *
 * Pages, data files and the shell's own (not fingerprinted) scripts and styles: the network first, so a page
 * and its scripts are of one deploy; after NETWORK_TIMEOUT_MS with no answer, or with no network, the copy on
 * the phone; a page never opened gives the offline page. Fingerprinted files (the theme's
 * bundles, the search index chunks): the copy on the phone first. Anything else: the copy on the phone at
 * once, refreshed from the network for next time.
 */
"use strict";

const VERSION = {{ version }};
const PRECACHE = {{ precache }};
const OFFLINE_PAGE = {{ offline_page }};
const PAGE_LIMIT = {{ page_limit }};
const ASSET_LIMIT = {{ asset_limit }};
const SEARCH_LIMIT = {{ search_limit }};
const NETWORK_TIMEOUT_MS = {{ network_timeout_ms }};

const ROOT = new URL("./", self.location.href);
// Cache names carry the site's path: two sites on one host share one cache storage.
const PREFIX = "offline " + ROOT.pathname + " ";
const SHELL = PREFIX + "shell " + VERSION;
const PAGES = PREFIX + "pages";
const ASSETS = PREFIX + "assets";
const SEARCH = PREFIX + "search";
const SHELL_URLS = new Set(PRECACHE.map((path) => new URL(path, ROOT).href));
const OFFLINE_URL = new URL(OFFLINE_PAGE, ROOT).href;
const FINGERPRINTED = /(?:[.-][0-9a-f]{8,}\.(?:min\.)?(?:js|css)|\.pf_[a-z]+)$/;
const SAVED_HEADER = "X-Offline-Saved";

// Pages answered from the phone's copy in the last minute (a page asks whether it was one: see offline.js).
const servedFromCache = new Map();

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    // "no-cache": each file checked with the server (one the browser already has costs a 304), so the shell is
    // the files of this deploy. All or nothing: if one fails, this worker is not installed and the previous stays.
    await cache.addAll([...SHELL_URLS].map((url) => new Request(url, { cache: "no-cache" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (!name.startsWith(PREFIX + "shell ") || name === SHELL) continue;
      // A page saved under the old shell may load its fingerprinted files (a theme update renames them):
      // keep those with the other files, then drop the old shell.
      const old = await caches.open(name);
      for (const request of await old.keys()) {
        if (FINGERPRINTED.test(new URL(request.url).pathname) && !SHELL_URLS.has(request.url)) {
          const response = await old.match(request);
          if (response) await (await caches.open(ASSETS)).put(request, response);
        }
      }
      await caches.delete(name);
    }
    await trim(ASSETS, ASSET_LIMIT);
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.has("range")) return;
  const url = new URL(request.url);
  // Another site (map tiles) or outside this one: not ours to answer or to keep.
  if (url.origin !== ROOT.origin || !url.pathname.startsWith(ROOT.pathname)) return;
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  if (request.mode === "navigate") {
    event.respondWith(navigation(event, url));
    return;
  }
  const key = requestKey(url);
  const bucket = bucketFor(url);
  // Data and the shell's own scripts and styles (stations.js, site.css: not fingerprinted) come from the network
  // when it answers, so a page is never drawn by the scripts of an older deploy; the copy is for no signal.
  // A fingerprinted file never changes under its name: the copy is as good as the network's.
  if (url.pathname.endsWith(".json") || (SHELL_URLS.has(key) && !FINGERPRINTED.test(url.pathname))) {
    event.respondWith(networkFirst(event, request, key, bucket, () => fetch(request)));
  } else if (FINGERPRINTED.test(url.pathname)) {
    event.respondWith(cacheFirst(event, request, key, bucket));
  } else {
    event.respondWith(staleWhileRevalidate(event, request, key, bucket));
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  const reply = (value) => { if (port) port.postMessage(value); };
  if (data.type === "page-status" && typeof data.url === "string") {
    event.waitUntil(pageStatus(data.url).then(reply));
  } else if (data.type === "saved-pages") {
    event.waitUntil(savedPages().then(reply));
  } else if (data.type === "keep" && typeof data.page === "string" && Array.isArray(data.assets)) {
    event.waitUntil(keep(data.page, data.assets).then(() => reply(true)));
  }
});

/* A file's key: its address without fragment. Pagefind asks for its entry file with a tag that is new on each
   page load (pagefind-entry.json?ts=…, so that a new deploy's entry is read): one copy of it is kept, under its
   address without the tag, and answers offline whatever the tag. */
function requestKey(url) {
  if (url.pathname === ROOT.pathname + "pagefind/pagefind-entry.json") return url.origin + url.pathname;
  return url.href.split("#")[0];
}

/* Where a request's copy is kept, by what it is. */
function bucketFor(url) {
  const key = url.href.split("#")[0];
  if (SHELL_URLS.has(key)) return { name: SHELL, limit: 0 };
  if (url.pathname.startsWith(ROOT.pathname + "pagefind/")) return { name: SEARCH, limit: SEARCH_LIMIT };
  return { name: ASSETS, limit: ASSET_LIMIT };
}

/* One key per page: the address without query or fragment ("stations/?open=1" is the finder), and a
   folder's index.html is the folder. */
function pageKey(href) {
  const url = new URL(href);
  return url.origin + url.pathname.replace(/index\.html$/, "");
}

function pageBucket(key) {
  return SHELL_URLS.has(key) ? { name: SHELL, limit: 0 } : { name: PAGES, limit: PAGE_LIMIT };
}

async function navigation(event, url) {
  const request = event.request;
  const key = pageKey(url.href);
  const network = async () => (await event.preloadResponse) || fetch(request);
  try {
    return await networkFirst(event, request, key, pageBucket(key), network, { htmlOnly: true });
  } catch (error) {
    // Not on the phone and no network: the offline page, which links back here (not for a map's frame).
    if (request.destination !== "document" || key === pageKey(OFFLINE_URL)) return Response.error();
    const offline = new URL(OFFLINE_URL);
    offline.searchParams.set("from", url.pathname + url.search);
    return Response.redirect(offline.href, 302);
  }
}

/* The network's answer (stored for next time); the phone's copy when the network fails, or when it has not
   answered within NETWORK_TIMEOUT_MS and there is a copy (the answer still replaces the copy when it comes).
   Rejects when there is neither. */
function networkFirst(event, request, key, bucket, fetchIt, options = {}) {
  let saving = Promise.resolve();
  const fresh = Promise.resolve().then(fetchIt).then((response) => {
    if (storable(response, options.htmlOnly)) saving = store(bucket, key, response.clone());
    return response;
  });
  event.waitUntil(fresh.then(() => saving, () => undefined));
  return new Promise((resolve, reject) => {
    let done = false;
    const useCopy = async () => {
      const copy = await cached(bucket, key);
      if (copy && !done) {
        done = true;
        if (request.mode === "navigate") servedFromCache.set(key, Date.now());
        resolve(copy);
      }
      return copy;
    };
    const timer = setTimeout(useCopy, NETWORK_TIMEOUT_MS);
    fresh.then((response) => {
      clearTimeout(timer);
      if (!done) { done = true; resolve(response); }
    }, async (error) => {
      clearTimeout(timer);
      if (!(await useCopy()) && !done) { done = true; reject(error); }
    });
  });
}

async function cacheFirst(event, request, key, bucket) {
  const copy = await cached(bucket, key);
  if (copy) return copy;
  const response = await fetch(request);
  if (storable(response)) event.waitUntil(store(bucket, key, response.clone()));
  return response;
}

async function staleWhileRevalidate(event, request, key, bucket) {
  const copy = await cached(bucket, key);
  const fresh = fetch(request).then((response) => {
    if (storable(response)) return store(bucket, key, response.clone()).then(() => response);
    return response;
  });
  if (copy) {
    event.waitUntil(fresh.catch(() => undefined));
    return copy;
  }
  return fresh;
}

function storable(response, htmlOnly) {
  if (!response || response.status !== 200 || (response.type !== "basic" && response.type !== "default")) {
    return false;
  }
  return !htmlOnly || (response.headers.get("Content-Type") || "").includes("text/html");
}

async function cached(bucket, key) {
  return (await caches.open(bucket.name)).match(key);
}

/* Keep a copy, stamped with when it was saved; the most recently saved `limit` copies stay. */
async function store(bucket, key, response) {
  const headers = new Headers(response.headers);
  headers.set(SAVED_HEADER, new Date().toISOString());
  const body = await response.blob();
  const copy = new Response(body, { status: response.status, statusText: response.statusText, headers });
  const cache = await caches.open(bucket.name);
  await cache.delete(key); // a new entry goes last: the oldest saved are first in keys()
  await cache.put(key, copy);
  if (bucket.limit) await trim(bucket.name, bucket.limit);
}

async function trim(name, limit) {
  const cache = await caches.open(name);
  const keys = await cache.keys();
  for (const request of keys.slice(0, Math.max(0, keys.length - limit))) await cache.delete(request);
}

function inSite(href) {
  try {
    const url = new URL(href, ROOT);
    return url.origin === ROOT.origin && url.pathname.startsWith(ROOT.pathname) ? url : null;
  } catch (error) {
    return null;
  }
}

/* A page opened before this worker controlled it (the first visit): keep it and the files it loaded. */
async function keep(page, assets) {
  const pageUrl = inSite(page);
  if (pageUrl) {
    const key = pageKey(pageUrl.href);
    const bucket = pageBucket(key);
    if (!(await cached(bucket, key))) {
      try {
        const response = await fetch(key, { credentials: "same-origin" });
        if (storable(response, true)) await store(bucket, key, response);
      } catch (error) { /* no network: nothing to keep */ }
    }
  }
  for (const href of assets.slice(0, ASSET_LIMIT)) {
    const url = inSite(href);
    if (!url || url.pathname.endsWith("/sw.js")) continue;
    const key = requestKey(url);
    const bucket = bucketFor(url);
    if (await cached(bucket, key)) continue;
    try {
      const response = await fetch(key, { credentials: "same-origin" });
      if (storable(response)) await store(bucket, key, response);
    } catch (error) { /* no network: nothing to keep */ }
  }
}

/* For the offline note: whether this page came from the phone's copy, and when that copy was made. */
async function pageStatus(href) {
  const url = inSite(href);
  if (!url) return { fromCache: false, updated: null };
  const key = pageKey(url.href);
  const now = Date.now();
  for (const [page, when] of servedFromCache) if (now - when > 60000) servedFromCache.delete(page);
  const copy = await cached(pageBucket(key), key);
  const headers = copy ? copy.headers : new Headers();
  // When the page was built (the server's Last-Modified), else when the phone fetched it.
  const updated = headers.get("Last-Modified") || headers.get("Date") || headers.get(SAVED_HEADER);
  return { fromCache: servedFromCache.has(key), updated: updated ? Date.parse(updated) || null : null };
}

/* The pages on the phone, most recently saved first, for the offline page's list. */
async function savedPages() {
  const pages = (await (await caches.open(PAGES)).keys()).map((request) => request.url).reverse();
  const shell = [...SHELL_URLS].filter((url) => url.endsWith("/") && url !== pageKey(OFFLINE_URL));
  return [...pages, ...shell.filter((url) => !pages.includes(url))];
}
