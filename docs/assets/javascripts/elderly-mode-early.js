/* Elderly-friendly mode (适老化), applied before the first paint so a page never flashes small: loaded
 * without defer in <head> (overrides/main.html), it marks <html> with data-elderly before <body> exists.
 * The key and the button are in elderly-mode.js; the styles in assets/stylesheets/accessibility.css.
 */
try {
  if (localStorage.getItem("elderly-mode") === "on") document.documentElement.setAttribute("data-elderly", "");
} catch (e) { /* storage blocked: the page starts in the normal size */ }
