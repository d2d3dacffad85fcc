/* Material for MkDocs' page globals (__md_scope, __md_hash, __md_get, __md_set), which the theme's bundle
 * uses to keep state in localStorage. The theme writes them as an inline script; here they are a file, so
 * the Content-Security-Policy can refuse every inline script. Loaded from overrides/partials/javascripts/
 * base.html with the page's scope (relative to the page) in data-scope. The theme's code, unminified.
 */
var __md_scope = new URL(document.currentScript.dataset.scope, location);
var __md_hash = (text) => [...text].reduce((hash, c) => (hash << 5) - hash + c.charCodeAt(0), 0);
var __md_get = (key, storage = localStorage, scope = __md_scope) =>
  JSON.parse(storage.getItem(scope.pathname + "." + key));
var __md_set = (key, value, storage = localStorage, scope = __md_scope) => {
  try {
    storage.setItem(scope.pathname + "." + key, JSON.stringify(value));
  } catch (e) { /* storage blocked or full */ }
};
