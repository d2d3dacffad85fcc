/* Station finder and open-now badges.
 *
 * Runs on every page view, including Material's instant navigation (document$).
 * The finder filters the server-rendered list (complete without JavaScript) and
 * tells the map frame which stations to show, so list and map always agree.
 * The filter state lives in the URL query so a filtered view can be shared.
 */
(function () {
  "use strict";

  var FILTER_NAMES = ["q", "open", "h24", "type", "amenity", "near"];

  function hoursOf(element) {
    try { return JSON.parse(element.getAttribute("data-hours")); } catch (e) { return null; }
  }

  /* Station pages: the open-now badge and today's hours. */
  function showOpenNow(root) {
    root.querySelectorAll(".open-now[data-hours]").forEach(function (badge) {
      var state = OpeningHours.status(hoursOf(badge));
      badge.textContent = state.text;
      badge.classList.toggle("is-open", state.open);
      badge.classList.toggle("is-closed", !state.open);
      badge.hidden = false;
    });
    root.querySelectorAll(".hours-today[data-hours]").forEach(function (line) {
      line.textContent = OpeningHours.today(hoursOf(line));
      line.hidden = false;
    });
  }

  function distanceText(metres) {
    if (metres < 1000) return "约 " + Math.max(10, Math.round(metres / 10) * 10) + " 米";
    return "约 " + (metres / 1000).toFixed(1) + " 公里";
  }

  function haversine(a, b) {
    var rad = Math.PI / 180;
    var dLat = (b.lat - a.lat) * rad;
    var dLng = (b.lng - a.lng) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.pow(Math.sin(dLng / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
  }

  function Finder(form) {
    this.form = form;
    this.list = document.getElementById("station-list");
    this.count = document.getElementById("finder-count");
    this.frame = document.querySelector("iframe.district-map");
    this.items = Array.prototype.slice.call(this.list.querySelectorAll("li[data-station]"));
    this.stations = this.items.map(function (li, index) {
      return {
        li: li,
        order: index,
        id: li.getAttribute("data-station"),
        type: li.getAttribute("data-type"),
        amenities: li.getAttribute("data-amenities").split(" "),
        open24: li.getAttribute("data-open24") === "1",
        search: li.getAttribute("data-search").toLowerCase(),
        point: { lat: parseFloat(li.getAttribute("data-lat")), lng: parseFloat(li.getAttribute("data-lng")) },
        hours: hoursOf(li),
      };
    });
    this.position = null;
    this.visible = null;
  }

  Finder.prototype.readUrl = function () {
    var query = new URLSearchParams(window.location.search);
    var form = this.form;
    form.elements.q.value = query.get("q") || "";
    var more = false;
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = query.getAll(box.name).indexOf(box.value) !== -1;
      if (box.checked && box.closest("details")) more = true;
    });
    if (more) document.getElementById("finder-more").open = true;  // show the filters a shared link applied
    return query.get("near") === "1";
  };

  Finder.prototype.writeUrl = function () {
    var query = new URLSearchParams(window.location.search);
    FILTER_NAMES.forEach(function (name) { query.delete(name); });
    var text = this.form.elements.q.value.trim();
    if (text) query.set("q", text);
    this.form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      query.append(box.name, box.value);
    });
    if (this.position) query.set("near", "1");
    var search = query.toString();
    history.replaceState(history.state, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
  };

  Finder.prototype.criteria = function () {
    var form = this.form;
    function checked(name) {
      return Array.prototype.map.call(form.querySelectorAll("input[name=" + name + "]:checked"),
        function (box) { return box.value; });
    }
    return {
      text: form.elements.q.value.trim().toLowerCase(),
      open: form.elements.open.checked,
      h24: form.elements.h24.checked,
      types: checked("type"),
      amenities: checked("amenity"),
    };
  };

  Finder.prototype.apply = function () {
    var c = this.criteria();
    var now = new Date();
    var self = this;
    var shown = [];
    this.stations.forEach(function (s) {
      var state = OpeningHours.status(s.hours, now);
      var match = (!c.text || s.search.indexOf(c.text) !== -1) &&
        (!c.types.length || c.types.indexOf(s.type) !== -1) &&
        c.amenities.every(function (a) { return s.amenities.indexOf(a) !== -1; }) &&
        (!c.h24 || (s.open24 && !state.closed)) &&
        (!c.open || state.open);
      s.li.hidden = !match;
      var badge = s.li.querySelector(".station-item-open");
      badge.textContent = state.text;
      badge.className = "station-item-open " + (state.open ? "is-open" : "is-closed");
      badge.hidden = false;
      if (match) shown.push(s);
    });
    if (this.position) {
      shown.forEach(function (s) { s.distance = haversine(self.position, s.point); });
      this.stations.slice().sort(function (a, b) {
        var da = a.li.hidden ? Infinity : a.distance, db = b.li.hidden ? Infinity : b.distance;
        return da - db || a.order - b.order;
      }).forEach(function (s) { self.list.appendChild(s.li); });
      shown.forEach(function (s) {
        var label = s.li.querySelector(".station-item-distance");
        label.textContent = distanceText(s.distance);
        label.hidden = false;
      });
    }
    this.visible = shown.map(function (s) { return s.id; });
    this.count.textContent = "共 " + shown.length + " 处驿站符合条件" + (this.position ? "，按距离排序" : "");
    this.writeUrl();
    this.syncMap();
  };

  Finder.prototype.syncMap = function () {
    var frame = this.frame;
    if (!frame || !frame.contentWindow || !frame.contentWindow.stationMap) return;
    frame.contentWindow.stationMap.filter(this.visible);
  };

  Finder.prototype.locate = function () {
    var self = this;
    if (!navigator.geolocation) {
      self.count.textContent = "这个浏览器不能定位，请用搜索或筛选。";
      return;
    }
    self.count.textContent = "正在定位……";
    navigator.geolocation.getCurrentPosition(function (position) {
      self.position = { lat: position.coords.latitude, lng: position.coords.longitude };
      self.apply();
    }, function () {
      self.count.textContent = "无法获取位置（需要允许定位，且网页须通过 https 打开）。";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  };

  Finder.prototype.start = function () {
    var self = this;
    var near = this.readUrl();
    this.form.hidden = false;
    this.form.addEventListener("input", function () { self.apply(); });
    this.form.addEventListener("change", function () { self.apply(); });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    document.getElementById("finder-near").addEventListener("click", function () { self.locate(); });
    if (this.frame) this.frame.addEventListener("load", function () { self.syncMap(); });
    // The map frame reports when its markers are ready.
    window.addEventListener("message", function (event) {
      if (event.origin === window.location.origin && event.data === "station-map-ready") self.syncMap();
    });
    this.apply();
    if (near) this.locate();
  };

  function start() {
    showOpenNow(document);
    document.querySelectorAll(".poster-print").forEach(function (button) {
      button.hidden = false;
      button.onclick = function () { window.print(); };
    });
    var form = document.getElementById("finder");
    if (form && document.getElementById("station-list")) {
      window.stationFinder = new Finder(form);
      window.stationFinder.start();
    }
  }

  if (window.document$) window.document$.subscribe(start);  // Material: every page, instant or not
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
