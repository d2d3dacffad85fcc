// Live preview only (see banner.py): show the latest validation problems at the top of the page, and MkDocs'
// warnings (broken links in docs/ pages) that would fail `make build`.
(function () {
  "use strict";
  const folder = document.currentScript.src;
  const article = () => document.querySelector("article.md-content__inner") || document.body;

  // A box in the theme's admonition style; every text is set as text: it quotes what the editor typed.
  function box(kind, title, body, after) {
    const element = document.createElement("div");
    element.className = `admonition ${kind}`;
    element.setAttribute("role", "alert");
    const heading = document.createElement("p");
    heading.className = "admonition-title";
    heading.textContent = title;
    const pre = document.createElement("pre");
    pre.style.cssText = "white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.6em 0;";
    const code = document.createElement("code");
    code.textContent = body;
    pre.append(code);
    const hint = document.createElement("p");
    hint.textContent = after;
    element.append(heading, pre, hint);
    return element;
  }

  function load(name) {
    return fetch(new URL(name, folder), { cache: "no-store" }).then((response) => response.json());
  }

  // The problems first: they are why the page is not up to date. A file that is not there yet shows nothing.
  const problems = load("problems.json").then(({ title, report, after }) =>
    report ? box("danger preview-problems", title, report, after) : null).catch(() => undefined);
  const warnings = load("warnings.json").then(({ title, warnings, after }) => warnings.length
    ? box("warning preview-warnings", title, warnings.map((w) => `${w.file}：${w.message}`).join("\n"), after)
    : null).catch(() => undefined);
  Promise.all([problems, warnings]).then(([problemBox, warningBox]) => {
    article().prepend(...[problemBox, warningBox].filter(Boolean));
    // For tests and tools, once the boxes are in the page: "shown", "none", or not set when not loaded.
    const state = (found) => (found ? "shown" : "none");
    if (problemBox !== undefined) document.documentElement.dataset.previewReport = state(problemBox);
    if (warningBox !== undefined) document.documentElement.dataset.previewWarnings = state(warningBox);
  });
})();
