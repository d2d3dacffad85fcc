/* Things that end: a page may have been built days before it is read, so what it lists as coming must be
 * checked when it is read. Site-wide, for any record type (events first):
 *   [data-hide-after="<ISO instant>"]  hidden once that instant has passed (an event or exception that is over);
 *   [data-not-before="<ISO instant>"]  hidden until that instant (an alert whose dates have not begun);
 *   [data-show-after="<ISO instant>"]  shown once it has passed ("这项活动已经结束");
 *   [data-hide-when-empty]             hidden when every list item in it is hidden (a heading with its list);
 *   [data-empty-list]                  a list's "nothing coming" note, right after the list: shown, and the
 *                                      list hidden, when every item in the list is hidden.
 * Instants carry their offset (+08:00, China time), so a phone set to another time zone gets the same answer.
 * Checked on load and every minute, for a page left open. */
(function () {
  "use strict";

  function passed(element, attribute, now) {
    var instant = Date.parse(element.getAttribute(attribute));
    return !isNaN(instant) && instant <= now;
  }

  function update() {
    var now = Date.now();
    document.querySelectorAll("[data-hide-after], [data-not-before]").forEach(function (element) {
      var over = element.hasAttribute("data-hide-after") && passed(element, "data-hide-after", now);
      var early = element.hasAttribute("data-not-before") && !passed(element, "data-not-before", now);
      element.hidden = over || early;
    });
    document.querySelectorAll("[data-show-after]").forEach(function (element) {
      if (passed(element, "data-show-after", now)) element.hidden = false;
    });
    document.querySelectorAll("[data-hide-when-empty]").forEach(function (box) {
      var items = box.querySelectorAll("li");
      box.hidden = items.length > 0 && Array.prototype.every.call(items, function (item) { return item.hidden; });
    });
    document.querySelectorAll("[data-empty-list]").forEach(function (note) {
      var list = note.previousElementSibling;
      if (!list || !list.children.length) return;
      var allHidden = Array.prototype.every.call(list.children, function (item) { return item.hidden; });
      list.hidden = allHidden;
      note.hidden = !allHidden;
    });
  }

  update();
  setInterval(update, 60 * 1000);
})();
