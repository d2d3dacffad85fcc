/* Elderly-friendly mode (适老化): larger text and a high-contrast palette.
 *
 * The choice lives in localStorage, so it holds on every page and on the next visit, and is shown
 * as data-elderly on <html>. Every link is a full page load: elderly-mode-early.js, loaded in <head>
 * by overrides/main.html, sets the attribute before the first paint, so a page never flashes small;
 * the styles are in assets/stylesheets/accessibility.css.
 *
 * The header button is added here rather than in a copy of Material's header.html, so the theme's
 * header (which the search work also changes) stays the theme's own. Without JavaScript there is no
 * button, and the browser's own text size setting still enlarges the site.
 */
(function () {
  "use strict";

  var KEY = "elderly-mode";  // the same key is read by elderly-mode-early.js
  var root = document.documentElement;
  // Read once per page. Where storage is blocked the choice holds on this page only.
  var on = (function () {
    try { return window.localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  })();

  function store() {
    try {
      if (on) window.localStorage.setItem(KEY, "on");
      else window.localStorage.removeItem(KEY);
    } catch (e) { /* storage blocked or full: kept for this visit only */ }
  }

  function show() {
    if (on) root.setAttribute("data-elderly", "");
    else root.removeAttribute("data-elderly");
    document.querySelectorAll(".elderly-toggle").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function addButton() {
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".elderly-toggle")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button elderly-toggle";
    button.textContent = "大字";
    button.title = "大字和高对比度模式（适老化），再按一次恢复";
    button.addEventListener("click", function () {
      on = !on;
      store();
      show();
    });
    var title = header.querySelector(".md-header__title");
    if (title) header.insertBefore(button, title.nextSibling);
    else header.appendChild(button);
  }

  function start() {
    addButton();
    show();
  }

  // Another tab switched the mode: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY) return;
    on = event.newValue === "on";
    show();
  });

  if (window.document$) window.document$.subscribe(start);  // Material: once the page is ready
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
