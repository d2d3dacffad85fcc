// Live preview only (see banner.py): show the latest validation problems at the top of the page.
(function () {
  "use strict";
  const report = new URL("problems.json", document.currentScript.src);
  fetch(report, { cache: "no-store" })
    .then((response) => response.json())
    .then(({ title, report, after }) => {
      document.documentElement.dataset.previewReport = report ? "shown" : "none"; // for tests and tools
      if (!report) return;
      const box = document.createElement("div");
      box.className = "admonition danger preview-problems";
      box.setAttribute("role", "alert");
      const heading = document.createElement("p");
      heading.className = "admonition-title";
      heading.textContent = title;
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.6em 0;";
      const code = document.createElement("code");
      code.textContent = report; // the report quotes what the editor typed: text, never markup
      pre.append(code);
      const hint = document.createElement("p");
      hint.textContent = after;
      box.append(heading, pre, hint);
      (document.querySelector("article.md-content__inner") || document.body).prepend(box);
    })
    .catch(() => {}); // no report yet: nothing to show
})();
