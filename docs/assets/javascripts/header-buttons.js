/* Keyboard access to the theme's header buttons.
 *
 * Material draws the menu button (on phones) and the search button as <label for="…"> of hidden
 * checkboxes: they work with a finger or a mouse, but Tab never reaches them and a screen reader
 * hears no name, so on a phone the navigation could not be opened from a keyboard or a switch.
 * Make each one a named button that says whether it is open. Labels that a later theme change
 * removes are simply not found.
 */
(function () {
  "use strict";

  var NAMES = { __drawer: "打开导航菜单", __search: "搜索" };

  function enhance(label) {
    var toggle = document.getElementById(label.htmlFor);
    if (!toggle || label.hasAttribute("role")) return;
    label.setAttribute("role", "button");
    label.tabIndex = 0;
    if (!label.getAttribute("aria-label")) label.setAttribute("aria-label", NAMES[label.htmlFor] || label.title || label.htmlFor);
    function expanded() { label.setAttribute("aria-expanded", toggle.checked ? "true" : "false"); }
    expanded();
    toggle.addEventListener("change", expanded);
    label.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        event.stopPropagation();  // the theme's own key handler would press it a second time
        label.click();
        expanded();
      }
    });
  }

  function start() {
    document.querySelectorAll(".md-header label.md-header__button[for]").forEach(enhance);
  }

  // Once the page is ready; enhance() skips labels already done.
  if (window.document$) window.document$.subscribe(start);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
