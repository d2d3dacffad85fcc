/* Offline use (issue 16), on every page:
 *   - registers the service worker the build wrote (sw.js at the site root, named by data-worker on the
 *     manifest link in overrides/main.html; only a build adds that link, never the live preview), on http(s);
 *   - on a page opened before the worker controlled it (the first visit), asks the worker to keep the page
 *     and the files it loaded, so the first station page a rider opened is there offline too;
 *   - while the phone has no network, or the page came from the phone's copy because the network did not
 *     answer, shows "离线中，数据更新于 YYYY-MM-DD HH:mm" at the top of the page (role=status): when the copy
 *     on the phone was built (the server's Last-Modified; else when the phone fetched it), in China time;
 *   - on the offline page (offline/, shown for a page that is not on the phone) lists the pages that are,
 *     and links back to the page asked for, which it opens by itself when the network is back.
 * The worker's side of the messages is in scripts/outputs/templates/sw.js.
 */
(function () {
  "use strict";

  var link = document.querySelector('link[rel="manifest"][data-worker]');
  var container = navigator.serviceWorker;
  var usable = !!(link && container && window.Promise && window.MessageChannel && window.URL &&
                  /^https?:$/.test(location.protocol));
  var controlledAtLoad = usable && !!container.controller;
  var workerUrl = usable ? new URL(link.getAttribute("data-worker"), document.baseURI) : null;
  var root = workerUrl ? new URL("./", workerUrl) : null;
  var note = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* China time (UTC+8, no daylight saving) by arithmetic, whatever the phone's time zone. */
  function chinaTime(ms) {
    var d = new Date(ms + 8 * 3600 * 1000);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  /* A question to the active worker; null when there is none or it does not answer. */
  function ask(message) {
    if (!usable) return Promise.resolve(null);
    return new Promise(function (resolve) {
      var timer = setTimeout(function () { resolve(null); }, 3000);
      container.getRegistration(root.href).then(function (registration) {
        var worker = registration && registration.active;
        if (!worker) { clearTimeout(timer); resolve(null); return; }
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { clearTimeout(timer); resolve(event.data); };
        worker.postMessage(message, [channel.port2]);
      }, function () { clearTimeout(timer); resolve(null); });
    });
  }

  /* --- the note ------------------------------------------------------------------------------------ */

  function noteElement() {
    if (!note) {
      var place = document.querySelector(".md-content__inner") || document.querySelector("main") || document.body;
      note = document.createElement("p");
      note.className = "offline-note";
      note.setAttribute("role", "status");  // in the page before its text, so screen readers read the change
      place.insertBefore(note, place.firstChild);
    }
    return note;
  }

  function show(text) {
    var element = noteElement();
    setTimeout(function () { if (element.textContent !== text) element.textContent = text; }, 0);
  }

  function hide() {
    if (note) note.textContent = "";
  }

  function update(event) {
    if (event && event.type === "online") { hide(); return; }
    ask({ type: "page-status", url: location.href }).then(function (status) {
      var fromCache = status && status.fromCache;
      if (navigator.onLine !== false && !fromCache) { hide(); return; }
      show(status && status.updated ? "离线中，数据更新于 " + chinaTime(status.updated)
                                    : "离线中，页面上的信息可能不是最新的");
    });
  }

  /* --- the offline page ------------------------------------------------------------------------------ */

  /* The page the rider asked for (?from=), if it is a page of this site. */
  function askedFor() {
    var from = new URLSearchParams(location.search).get("from");
    if (!from || !root) return null;
    try {
      var target = new URL(from, location.href);
      if (target.origin !== location.origin || target.pathname.indexOf(root.pathname) !== 0) return null;
      return target.pathname === location.pathname ? null : target;
    } catch (error) {
      return null;
    }
  }

  function titleOf(url) {
    return caches.match(url).then(function (response) {
      return response ? response.text() : "";
    }).then(function (html) {
      if (!html) return "";
      var page = new DOMParser().parseFromString(html, "text/html");  // inert: nothing in it runs
      var heading = page.querySelector("h1");
      return ((heading && heading.textContent) || page.title || "").trim();
    });
  }

  function offlinePage(saved) {
    var target = askedFor();
    var retry = document.getElementById("offline-retry");
    if (target && retry) {
      var again = document.createElement("a");
      again.className = "md-button md-button--primary";
      again.href = target.href;
      again.textContent = "重新打开刚才的页面";
      retry.appendChild(again);
      retry.hidden = false;
      window.addEventListener("online", function () { location.replace(target.href); });
    }
    var list = saved.querySelector("ul");
    if (!list || !window.caches) return;
    var listed = {};
    Array.prototype.forEach.call(list.querySelectorAll("a[href]"), function (a) { listed[a.href] = true; });
    ask({ type: "saved-pages" }).then(function (urls) {
      (urls || []).forEach(function (url) {
        if (listed[url]) return;
        listed[url] = true;
        titleOf(url).then(function (title) {
          if (!title) return;
          var item = document.createElement("li");
          var a = document.createElement("a");
          a.href = url;
          a.textContent = title;
          item.appendChild(a);
          list.appendChild(item);
        });
      });
    });
  }

  /* --- the worker ------------------------------------------------------------------------------------ */

  function register() {
    container.register(workerUrl.href).then(function () {
      if (controlledAtLoad) return;
      return container.ready.then(function () {
        var assets = performance.getEntriesByType("resource").map(function (entry) { return entry.name; })
          .filter(function (name) { return name.indexOf(root.href) === 0; });
        return ask({ type: "keep", page: location.href, assets: assets });
      });
    }).catch(function () { /* no worker (private mode, storage off): the site works as before, online */ });
  }

  if (usable) {
    if (document.readyState === "complete") register();
    else window.addEventListener("load", register);
  }
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
  var saved = document.getElementById("saved-pages");
  if (saved) offlinePage(saved);
})();
