/* Wide tables on a phone scroll sideways inside the theme's wrapper. A finger can swipe them, but a keyboard
 * user can only scroll what can take focus (WCAG 2.1.1; axe's scrollable-region-focusable): a wrapper that
 * overflows becomes a named, focusable region, and stops being one when it fits again (a wider screen,
 * or smaller text after the 大字 button).
 */
(function () {
  "use strict";

  function update(wrap) {
    var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
    if (overflows && !wrap.hasAttribute("tabindex")) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      var caption = wrap.querySelector("caption");
      wrap.setAttribute("aria-label", (caption ? caption.textContent.trim() + "：" : "") + "表格，可左右滚动");
    } else if (!overflows && wrap.hasAttribute("tabindex")) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
    }
  }

  // The theme's script wraps each table after the page has loaded: watch for the wrappers as they appear.
  var resized = window.ResizeObserver && new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { update(entry.target.closest(".md-typeset__scrollwrap") || entry.target); });
  });
  function adopt(wrap) {
    if (wrap.dataset.scrollChecked) return;
    wrap.dataset.scrollChecked = "1";
    update(wrap);
    if (resized) {
      resized.observe(wrap);
      if (wrap.firstElementChild) resized.observe(wrap.firstElementChild);
    }
  }
  function scan() { document.querySelectorAll(".md-typeset__scrollwrap").forEach(adopt); }
  scan();
  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
})();
