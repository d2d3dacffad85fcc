/* Station finder (the stations/ page only; the open-now badges are opening-hours.js).
 *
 * The finder filters the server-rendered list (complete without JavaScript) and
 * tells the map frame which stations to show, so list and map always agree.
 * The filter state lives in the URL query so a filtered view can be shared.
 */
(function () {
  "use strict";

  var FILTER_NAMES = ["q", "open", "h24", "type", "amenity", "near"];

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

  var PAGE_SIZE = 100;  // list items drawn at a time; the rest behind "显示更多"

  function Finder(form, data) {
    this.form = form;
    this.list = document.getElementById("station-list");
    this.count = document.getElementById("finder-count");
    this.more = document.getElementById("finder-more-results");
    this.frame = document.querySelector("iframe.district-map");
    this.types = data.types;
    this.hours = data.hours;
    var columns = data.columns, amenityBits = {};
    data.amenities.forEach(function (key, index) { amenityBits[key] = 1 << index; });
    this.amenityBits = amenityBits;
    var col = function (name) { return columns.indexOf(name); };
    var c = { id: col("id"), lat: col("lat"), lng: col("lng"), type: col("type"), name: col("name"),
              address: col("address"), street: col("street"), status: col("status"),
              amenities: col("amenities"), hours: col("hours") };
    this.stations = data.stations.map(function (row, index) {
      var street = data.streets[row[c.street]] || "";
      return {
        order: index, id: row[c.id], type: row[c.type], name: row[c.name], address: row[c.address],
        status: row[c.status], amenities: row[c.amenities], hours: row[c.hours],
        search: (row[c.name] + " " + row[c.address] + " " + street).toLowerCase(),
        point: { lat: row[c.lat], lng: row[c.lng] },
      };
    });
    this.position = null;
    this.key = null;      // the form, minute and position the list and map show
    this.visible = null;  // one flag per row of maps/stations.json, which the map reads too
    this.shown = [];
    this.drawn = 0;
    this.parts = new WeakMap();  // list item → its link and spans (see item)
    this.clock = { minute: null, states: [], today: [] };
    this.applied = Promise.resolve();
    this.settle = null;
  }

  /* Open-now state and today's hours of each hours pattern, for the minute the last filter ran:
     patterns repeat across stations and both only change when the minute does. */
  Finder.prototype.tick = function () {
    var now = new Date(), minute = Math.floor(now.getTime() / 60000);
    if (this.clock.minute !== minute) this.clock = { minute: minute, now: now, states: [], today: [] };
  };

  Finder.prototype.stateOf = function (index) {
    var clock = this.clock;
    return clock.states[index] || (clock.states[index] = OpeningHours.status(this.hours[index], clock.now));
  };

  Finder.prototype.todayOf = function (index) {
    var clock = this.clock;
    return clock.today[index] || (clock.today[index] = OpeningHours.today(this.hours[index], clock.now));
  };

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
    var form = this.form, bits = this.amenityBits;
    function checked(name) {
      return Array.prototype.map.call(form.querySelectorAll("input[name=" + name + "]:checked"),
        function (box) { return box.value; });
    }
    return {
      text: form.elements.q.value.trim().toLowerCase(),
      open: form.elements.open.checked,
      h24: form.elements.h24.checked,
      types: checked("type"),
      amenities: checked("amenity").reduce(function (mask, key) { return mask | (bits[key] || 0); }, 0),
    };
  };

  /* Filter the stations and show the result in the list and on the map. this.applied is a
     promise that resolves, with how many each shows, once both show it (the map once its frame has
     loaded). onlyIfChanged: do nothing when the form, the minute and the position are those
     already shown (a checkbox fires both input and change). */
  Finder.prototype.apply = function (onlyIfChanged) {
    var self = this, c = this.criteria();
    this.tick();
    var key = JSON.stringify([c, this.clock.minute, this.position]);
    if (onlyIfChanged && key === this.key) return;
    this.key = key;
    var hoursPass = (c.open || c.h24) && this.hours.map(function (hours, index) {  // per pattern
      var state = self.stateOf(index);
      // 24 小时: a round-the-clock station that is open now (not on a day an exception closes it).
      return (!c.h24 || (hours.a && state.open)) && (!c.open || state.open);
    });
    var rows = new Uint8Array(this.stations.length);  // for the map: 1 for each row shown
    var shown = this.stations.filter(function (s) {
      if (c.text && s.search.indexOf(c.text) === -1) return false;
      if (c.types.length && c.types.indexOf(s.type) === -1) return false;
      if ((s.amenities & c.amenities) !== c.amenities || (hoursPass && !hoursPass[s.hours])) return false;
      rows[s.order] = 1;
      return true;
    });
    if (this.position) {
      var here = this.position;
      shown.forEach(function (s) { s.distance = haversine(here, s.point); });
      shown.sort(function (a, b) { return a.distance - b.distance || a.order - b.order; });
    }
    this.shown = shown;
    this.redraw();
    this.visible = rows;
    this.count.textContent = "共 " + shown.length + " 处驿站符合条件" + (this.position ? "，按距离排序" : "");
    this.writeUrl();
    if (!this.settle) this.applied = new Promise(function (resolve) { self.settle = resolve; });
    this.syncMap();
  };

  /* Show the first page of results. The items already in the list are rewritten in place rather
     than replaced: inserting or removing an item in the middle of the list makes the browser restyle
     every item after it (the theme has :nth-child rules that match any element), which costs more
     than the whole filter. Items are only added or removed at the end. */
  Finder.prototype.redraw = function () {
    var list = this.list, page = this.shown.slice(0, PAGE_SIZE);
    for (var i = 0; i < page.length; i++) {
      var li = list.children[i];
      if (li && this.parts.has(li)) this.fill(li, page[i]);
      else if (li) list.replaceChild(this.item(page[i]), li);  // the server's list, the first time
      else list.appendChild(this.item(page[i]));
    }
    while (list.children.length > page.length) list.removeChild(list.lastElementChild);
    this.drawn = page.length;
    this.showMore();
  };

  /* Draw the next page of results (the "显示更多" button). */
  Finder.prototype.draw = function () {
    var self = this, end = Math.min(this.shown.length, this.drawn + PAGE_SIZE);
    var fragment = document.createDocumentFragment();
    this.shown.slice(this.drawn, end).forEach(function (s) { fragment.appendChild(self.item(s)); });
    this.list.appendChild(fragment);
    this.drawn = end;
    this.showMore();
  };

  Finder.prototype.showMore = function () {
    var left = this.shown.length - this.drawn;
    this.more.hidden = left <= 0;
    this.more.textContent = "显示更多（还有 " + left + " 处）";
  };

  /* A list item for station s: the same markup the server writes, with its open-now state. */
  Finder.prototype.item = function (s) {
    var li = document.createElement("li");
    li.className = "station-item";
    function part(tag, className) {
      var el = document.createElement(tag);
      if (className) el.className = className;
      li.appendChild(el);
      return el;
    }
    var parts = { link: part("a") };
    li.appendChild(document.createTextNode(" "));
    parts.type = part("span", "badge badge-type-small");
    parts.open = part("span");
    parts.distance = null;
    parts.address = part("span", "station-item-address");
    parts.hours = part("span", "station-item-hours");
    this.parts.set(li, parts);
    this.fill(li, s);
    return li;
  };

  /* Make the item li show station s, changing only what differs. */
  Finder.prototype.fill = function (li, s) {
    var parts = this.parts.get(li), state = this.stateOf(s.hours);
    function text(el, value) { if (el.textContent !== value) el.textContent = value; }
    if (li.getAttribute("data-station") !== s.id) {
      li.setAttribute("data-station", s.id);
      parts.link.href = encodeURIComponent(s.id) + "/";
    }
    text(parts.link, s.name);
    text(parts.type, this.types[s.type] ? this.types[s.type].label : "");
    var openClass = "station-item-open " + (state.open ? "is-open" : "is-closed");
    if (parts.open.className !== openClass) parts.open.className = openClass;
    text(parts.open, state.text);
    if (this.position && !parts.distance) {
      parts.distance = document.createElement("span");
      parts.distance.className = "station-item-distance";
      li.insertBefore(parts.distance, parts.address);
    } else if (!this.position && parts.distance) {
      li.removeChild(parts.distance);
      parts.distance = null;
    }
    if (parts.distance) text(parts.distance, distanceText(s.distance));
    text(parts.address, s.address);
    text(parts.hours, this.todayOf(s.hours));
  };

  /* Show the list's stations on the map; settle this.applied once the map shows them. Without a
     map frame the list alone is the result; a map still loading calls this again when ready. */
  Finder.prototype.syncMap = function () {
    var frame = this.frame, map = frame && frame.contentWindow && frame.contentWindow.stationMap;
    var onMap = map ? map.filter(this.visible) : null;
    if ((onMap !== null || !frame) && this.settle) {
      this.settle({ list: this.shown.length, map: onMap });
      this.settle = null;
    }
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
    this.form.addEventListener("input", function () { self.apply(true); });
    this.form.addEventListener("change", function () { self.apply(true); });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    document.getElementById("finder-near").addEventListener("click", function () { self.locate(); });
    this.more.addEventListener("click", function () { self.draw(); });
    if (this.frame) this.frame.addEventListener("load", function () { self.syncMap(); });
    // The map frame reports when its markers are ready.
    window.addEventListener("message", function (event) {
      if (event.origin === window.location.origin && event.data === "station-map-ready") self.syncMap();
    });
    this.apply();
    if (near) this.locate();
  };

  function start() {
    var form = document.getElementById("finder");
    if (form && document.getElementById("station-list")) {
      fetch(form.getAttribute("data-source"))
        .then(function (response) {
          if (!response.ok) throw new Error(response.status + " " + response.url);
          return response.json();
        })
        .then(function (data) {
          if (!document.body.contains(form)) return;  // the reader already went to another page
          window.stationFinder = new Finder(form, data);
          window.stationFinder.start();
        })
        .catch(function (error) { console.warn("筛选不可用，列表仍可浏览：", error); });
    }
  }

  if (window.document$) window.document$.subscribe(start);  // Material's page-ready signal
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
