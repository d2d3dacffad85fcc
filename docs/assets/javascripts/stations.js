/* Station finder (the stations/ page only; the open-now badges are opening-hours.js).
 *
 * The finder filters the server-rendered list (complete without JavaScript) and
 * tells the map frame which stations to show, so list and map always agree.
 * The filter state lives in the URL query so a filtered view can be shared, and
 * so home's one-tap buttons can open it already filtered (near=1&amenity=charging).
 * Near me sorts open stations first, then by distance: the nearest *open* station
 * is what a rider on the street needs.
 */
(function () {
  "use strict";

  var FILTER_NAMES = ["q", "open", "h24", "type", "amenity", "street", "near"];

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

  /* WGS-84 → GCJ-02, the published formula that scripts/rules/coords.py uses (via coordTransform), for
     高德's route links and for the rider's dot on tiles drawn in GCJ-02. tests/test_rider_browser.py compares
     the two at points across China and just outside it. Outside China the formula leaves a point as it is. */
  function wgs84ToGcj02(lat, lng) {
    if (!(lng > 73.66 && lng < 135.05 && lat > 3.86 && lat < 53.55)) return { lat: lat, lng: lng };
    var PI = 3.1415926535897932384626, A = 6378245.0, EE = 0.00669342162296594323;
    var x = lng - 105.0, y = lat - 35.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dLat += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dLat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dLng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLng += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dLng += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dLng += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radLat = lat / 180.0 * PI, magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * PI);
    dLng = (dLng * 180.0) / (A / sqrtMagic * Math.cos(radLat) * PI);
    return { lat: lat + dLat, lng: lng + dLng };
  }

  /* Percent-encoding as Python's quote() does it (encodeURIComponent leaves !'()* as they are). */
  function quote(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  /* The card's 导航 link: the template scripts/outputs/navigation.py writes into maps/stations.json. */
  function routeLink(navigate, s) {
    if (!navigate) return "";
    var point = navigate.crs === "gcj02" ? wgs84ToGcj02(s.point.lat, s.point.lng) : s.point;
    var name = s.name;
    Object.keys(navigate.replace || {}).forEach(function (from) { name = name.split(from).join(navigate.replace[from]); });
    return navigate.url.replace("{lat}", point.lat.toFixed(6)).replace("{lng}", point.lng.toFixed(6))
      .replace("{name}", quote(name));
  }

  // The rules shared with Python, for tests/test_rider_browser.py to compare.
  window.stationFinderRules = { wgs84ToGcj02: wgs84ToGcj02, routeLink: routeLink };

  var ICONS = { navigate: "si si-material-navigation-variant", phone: "si si-material-phone" };

  function icon(className) {
    var span = document.createElement("span");
    span.className = className;
    span.setAttribute("aria-hidden", "true");
    return span;
  }

  /* A card's 48 px button: its icon, then its word. */
  function cardButton(parent, className, iconClass, word) {
    var button = document.createElement("a");
    button.className = "md-button " + className;
    button.appendChild(icon(iconClass));
    button.appendChild(document.createTextNode(" " + word));
    parent.appendChild(button);
    return button;
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
    this.phones = data.phones || {};
    this.navigate = data.navigate || null;
    this.crs = data.crs;
    this.streets = data.streets;
    // Each amenity's label and icon, as the filter's own checkboxes show them.
    var amenityLabels = this.amenityLabels = [];
    data.amenities.forEach(function (key) {
      var box = form.querySelector("input[name=amenity][value=\"" + key + "\"]");
      var mark = box && box.parentNode.querySelector(".si");
      amenityLabels.push({ label: box ? box.parentNode.textContent.trim() : key, icon: mark ? mark.className : "" });
    });
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
        status: row[c.status], amenities: row[c.amenities], hours: row[c.hours], street: street,
        phone: data.phones ? data.phones[String(index)] || null : null,
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

  /* A WGS-84 point in the map's coordinates (tiles drawn in GCJ-02 need the shifted point). */
  Finder.prototype.onMapPoint = function (point) {
    return this.crs === "gcj02" ? wgs84ToGcj02(point.lat, point.lng) : point;
  };

  Finder.prototype.readUrl = function () {
    var query = new URLSearchParams(window.location.search);
    var form = this.form;
    form.elements.q.value = query.get("q") || "";
    if (form.elements.street) form.elements.street.value = query.get("street") || "";
    var more = false;
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = query.getAll(box.name).indexOf(box.value) !== -1;
      if (box.checked && box.closest("details")) more = true;
    });
    if (more) document.getElementById("finder-more").open = true;  // show the filters a shared link applied
    var chip = form.querySelector(".chip input:checked"), row = chip && chip.closest(".finder-chips");
    if (row) chip.parentNode.scrollIntoView({ block: "nearest", inline: "center" });  // a phone's chip row scrolls
    return query.get("near") === "1";
  };

  Finder.prototype.writeUrl = function () {
    var query = new URLSearchParams(window.location.search);
    FILTER_NAMES.forEach(function (name) { query.delete(name); });
    var text = this.form.elements.q.value.trim();
    if (text) query.set("q", text);
    if (this.form.elements.street && this.form.elements.street.value) query.set("street", this.form.elements.street.value);
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
      street: form.elements.street ? form.elements.street.value : "",
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
      if (c.street && s.street !== c.street) return false;
      if ((s.amenities & c.amenities) !== c.amenities || (hoursPass && !hoursPass[s.hours])) return false;
      rows[s.order] = 1;
      return true;
    });
    if (this.position) {  // open now first, then the nearest: the nine nearest may all be closed at night
      var here = this.position;
      shown.forEach(function (s) {
        s.distance = haversine(here, s.point);
        s.closedNow = self.stateOf(s.hours).open ? 0 : 1;
      });
      shown.sort(function (a, b) { return a.closedNow - b.closedNow || a.distance - b.distance || a.order - b.order; });
    }
    this.shown = shown;
    this.redraw();
    this.visible = rows;
    this.count.textContent = "共 " + shown.length + " 处驿站符合条件" +
      (this.position ? "，正在开放的排在前面，再按距离由近到远" : "");
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
      if (li && (this.parts.has(li) || this.adopt(li))) this.fill(li, page[i]);  // the server's list, the first time
      else if (li) list.replaceChild(this.item(page[i]), li);
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

  /* A list item for station s: the shape the server writes (scripts/outputs/templates/_station_card.md). */
  Finder.prototype.item = function (s) {
    var li = document.createElement("li");
    li.className = "station-item";
    function part(parent, tag, className) {
      var el = document.createElement(tag);
      if (className) el.className = className;
      parent.appendChild(el);
      return el;
    }
    var parts = { link: part(li, "a") };
    li.appendChild(document.createTextNode(" "));
    parts.type = part(li, "span", "badge badge-type-small");
    var state = part(li, "span", "station-item-state");
    parts.open = part(state, "span", "station-item-open");
    parts.distance = part(state, "span", "station-item-distance");
    parts.amenities = part(li, "span", "station-item-amenities");
    parts.amenities.setAttribute("role", "img");
    parts.address = part(li, "span", "station-item-address");
    parts.hours = part(li, "span", "station-item-hours");
    var actions = part(li, "span", "station-item-actions");
    parts.navigate = cardButton(actions, "md-button--primary station-item-navigate", ICONS.navigate, "导航");
    parts.navigate.rel = "noopener";
    parts.call = cardButton(actions, "station-item-call", ICONS.phone, "电话");
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
      parts.navigate.href = routeLink(this.navigate, s);
      // A phone link only for a well-formed number (the build wrote it; checked again here all the same).
      var phone = s.phone && /^tel:\+?[0-9]+$/.test(s.phone[1]) ? s.phone : null;
      if (phone) parts.call.href = phone[1];
      else parts.call.removeAttribute("href");
      parts.call.hidden = !phone;
      parts.call.setAttribute("aria-label", phone ? "电话 " + phone[0] : "");
      var labels = [], marks = document.createDocumentFragment();
      this.amenityLabels.forEach(function (amenity, index) {
        if (!(s.amenities & (1 << index))) return;
        labels.push(amenity.label);
        if (amenity.icon) marks.appendChild(icon(amenity.icon));
      });
      parts.amenities.setAttribute("aria-label", "设施：" + labels.join("、"));
      parts.amenities.replaceChildren(marks);
    }
    text(parts.link, s.name);
    text(parts.type, this.types[s.type] ? this.types[s.type].label : "");
    var openClass = "station-item-open " + (state.open ? "is-open" : "is-closed");
    if (parts.open.className !== openClass) parts.open.className = openClass;
    text(parts.open, state.text);
    text(parts.distance, this.position ? " · " + distanceText(s.distance) : "");
    text(parts.address, s.address);
    text(parts.hours, this.todayOf(s.hours));
  };

  /* The server's item: find its parts so it can be filled in place, as the browser's own are. */
  Finder.prototype.adopt = function (li) {
    var q = function (selector) { return li.querySelector(selector); };
    var parts = { link: q("a"), type: q(".badge-type-small"), open: q(".station-item-open"),
                  distance: q(".station-item-distance"), amenities: q(".station-item-amenities"),
                  address: q(".station-item-address"), hours: q(".station-item-hours"),
                  navigate: q(".station-item-navigate"), actions: q(".station-item-actions") };
    for (var name in parts) if (!parts[name]) return false;  // an old page: draw the item anew
    parts.call = q(".station-item-call");
    if (!parts.call) {  // the server writes 电话 only where there is a number
      parts.call = cardButton(parts.actions, "station-item-call", ICONS.phone, "电话");
      parts.call.hidden = true;
    }
    li.removeAttribute("data-station");  // so fill() writes every part
    this.parts.set(li, parts);
    return true;
  };

  /* Show the list's stations on the map; settle this.applied once the map shows them. Without a
     map frame the list alone is the result; a map still loading calls this again when ready. */
  Finder.prototype.syncMap = function () {
    var frame = this.frame, map = frame && frame.contentWindow && frame.contentWindow.stationMap;
    var onMap = map ? map.filter(this.visible) : null;
    if (map && map.showPosition && this.position) {  // the rider's dot, and the view around it and the nearest
      var self = this, nearest = this.shown.slice(0, 3).map(function (s) { return self.onMapPoint(s.point); });
      map.showPosition(this.onMapPoint(this.position), nearest);
    }
    if ((onMap !== null || !frame) && this.settle) {
      this.settle({ list: this.shown.length, map: onMap });
      this.settle = null;
    }
  };

  /* Ask for the rider's position, then sort by it. While a position is awaited on arrival (near=1 from
     home's buttons) the list keeps its place but is not shown, so it does not visibly reorder under a finger. */
  Finder.prototype.locate = function () {
    var self = this, list = this.list;
    function done() { list.classList.remove("is-locating"); }
    setTimeout(done, 3000);  // a slow GPS fix: show the list meanwhile (it reorders when the position comes)
    if (!navigator.geolocation) {
      done();
      self.fallBack("这个浏览器不能定位。");
      return;
    }
    self.count.textContent = "正在定位……";
    navigator.geolocation.getCurrentPosition(function (position) {
      self.position = { lat: position.coords.latitude, lng: position.coords.longitude };
      self.apply();
      done();
      // The answer is the first card: bring it up if the filters pushed it below the first screen.
      var top = self.count.getBoundingClientRect().top;
      if (top > window.innerHeight / 2) self.count.scrollIntoView({ block: "start" });
    }, function (error) {
      done();
      self.fallBack(error && error.code === 1 ? "没有定位权限（可以在浏览器设置里允许本站定位）。"
        : "暂时无法获取位置（网页须通过 https 打开，室内信号弱时可稍后再试）。");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  };

  /* No position: say why, and offer the next best thing, the street the rider is in. */
  Finder.prototype.fallBack = function (why) {
    this.position = null;
    this.apply();
    var street = this.form.elements.street;
    this.count.textContent = why + (street ? "请在“街道”里选择您所在的街道，或搜索路名。" : "请搜索路名或驿站名称。");
    this.form.classList.add("finder-no-position");
    (street || this.form.elements.q).focus();
  };

  Finder.prototype.start = function () {
    var self = this;
    var near = this.readUrl();
    if (near) this.list.classList.add("is-locating");
    document.getElementById("finder-controls").disabled = false;
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
        .catch(function (error) {  // no data (offline without a copy, a server error): the list is still there
          form.hidden = true;
          var note = document.createElement("p");
          note.className = "finder-unavailable";
          note.setAttribute("role", "status");
          note.textContent = "筛选和“离我最近”暂时不能用（驿站数据没有下载下来），下面的列表仍可浏览。";
          form.parentNode.insertBefore(note, form.nextSibling);
          console.warn("筛选不可用，列表仍可浏览：", error);
        });
    }
  }

  if (window.document$) window.document$.subscribe(start);  // Material's page-ready signal
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
