/* Station markers for the folium map documents in maps/.
 *
 * "district" mode loads maps/stations.json once and clusters the markers in the
 * browser; "point" mode shows the one station named in the page's query string.
 * Markers, and the bubbles that group them, are DOM elements with a visible text
 * label (not colour alone), a title and role=button, so they can be reached and
 * opened with the keyboard.
 * Popups are built with textContent: no record text is ever parsed as HTML.
 */
(function () {
  "use strict";

  /* What a popup says about now: the evaluator's line (opening-hours.js, loaded before this file), never the
     record's status, which says nothing about whether the door is open at this hour. */
  function stateNow(hours) {
    if (!hours || !window.OpeningHours) return null;
    return window.OpeningHours.status(hours, new Date());
  }

  function icon(type, short) {
    var label = document.createElement("span");
    label.className = "station-marker__label";
    label.textContent = short;
    return L.divIcon({
      className: "station-marker station-marker--" + type,
      html: label,  // an element, not markup: nothing to parse
      iconSize: null,
      iconAnchor: [18, 30],
      popupAnchor: [0, -28],
    });
  }

  function popup(station, types, pages) {
    var box = document.createElement("div");
    box.className = "station-popup";
    var name = document.createElement("strong");
    name.textContent = station.name;
    var type = document.createElement("span");
    type.textContent = types[station.type] ? types[station.type].label : "";
    box.appendChild(name);
    box.appendChild(type);
    var state = stateNow(station.hours);  // computed when the popup opens, not when the map loaded
    if (state) {
      var now = document.createElement("span");
      now.className = "station-popup__state " + (state.open ? "is-open" : "is-closed");
      now.textContent = state.text;
      box.appendChild(now);
    }
    if (pages) {
      var link = document.createElement("a");
      link.href = pages + encodeURIComponent(station.id) + "/";
      link.target = "_top"; // leave the map frame and open the station page
      link.textContent = "查看详情";
      box.appendChild(link);
    }
    return box;
  }

  function marker(station, types, pages) {
    var type = types[station.type] || { label: "", short: "" };
    var title = station.name + "（" + type.label + "）";
    var m = L.marker([station.lat, station.lng], {
      icon: icon(station.type, type.short),
      title: title,
      alt: title,
      keyboard: true,
      riseOnHover: true,
    });
    m.bindPopup(function () { return popup(station, types, pages); });
    m.stationId = station.id;
    return m;
  }

  /* A row of maps/stations.json (columns listed in the file; see scripts/outputs/maps.py); `hours` is the
     file's table of distinct opening hours, which rows point into. */
  function fromRow(row, columns, hours) {
    var at = function (name) { return row[columns.indexOf(name)]; };
    var own = columns.indexOf("map_lat") !== -1;  // tiles drawn in GCJ-02: use the converted point
    return { id: at("id"), lat: own ? at("map_lat") : at("lat"), lng: own ? at("map_lng") : at("lng"),
             type: at("type"), name: at("name"), status: at("status"), hours: (hours || [])[at("hours")] };
  }

  /* District mode: the stations the finder shows, grouped into clusters at the current zoom.
   *
   * Clusters are computed for the shown stations at the current zoom only (a grid of
   * RADIUS-pixel cells, one pass), and only what is in view is drawn. Filtering 10,000
   * stations is then one pass over them plus a few dozen markers, where
   * Leaflet.markercluster re-indexes every changed marker at every zoom level (hundreds
   * of milliseconds). The bubbles keep markercluster's look (its MarkerCluster CSS):
   * a click or Enter zooms in, or, at the closest zoom, spreads the stations out.
   */
  var RADIUS = 45;  // px: stations closer than this on screen share one bubble

  var district = {
    map: null, layer: null, types: {}, pages: null,
    stations: [],     // every station: {id, lat, lng, type, name, status, x, y (pixels at zoom 0), marker}
    west: Infinity, east: -Infinity, north: Infinity,  // their extent in pixels at zoom 0
    wanted: null,     // the rows the finder asked for (null: all), kept until the data has loaded
    shown: [],        // the stations to show
    clusters: null,   // the shown stations grouped at clusteredZoom
    clusteredZoom: null,
    drawn: new Map(), // key → marker currently on the map
    spider: null,     // {key, bubble, layers} while a bubble is spread out
  };

  /* Group the shown stations at the current zoom: each joins the nearest bubble whose first
     station is within RADIUS pixels, else starts one. Bubbles are filed in a grid of 2 × RADIUS
     cells, so the ones near a station are in the (at most) four cells its RADIUS box touches. */
  function clusterShown() {
    var zoom = district.map.getZoom(), scale = Math.pow(2, zoom), size = 2 * RADIUS;
    var shown = district.shown, clusters = [], cells = new Map();
    var left = Math.floor(district.west * scale / size) - 1, top = Math.floor(district.north * scale / size) - 1;
    var columns = Math.floor(district.east * scale / size) - left + 2;
    for (var n = 0; n < shown.length; n++) {
      var s = shown[n], x = s.x * scale, y = s.y * scale, best = null, bestDistance = RADIUS * RADIUS;
      var x0 = Math.floor((x - RADIUS) / size) - left, x1 = Math.floor((x + RADIUS) / size) - left;
      var y0 = Math.floor((y - RADIUS) / size) - top, y1 = Math.floor((y + RADIUS) / size) - top;
      for (var cy = y0; cy <= y1; cy++) {
        for (var cx = x0; cx <= x1; cx++) {
          var near = cells.get(cy * columns + cx);
          if (!near) continue;
          for (var k = 0; k < near.length; k++) {
            var d = (near[k].x - x) * (near[k].x - x) + (near[k].y - y) * (near[k].y - y);
            if (d <= bestDistance) { best = near[k]; bestDistance = d; }
          }
        }
      }
      if (best) {
        best.members.push(s);
        best.lat += s.lat;
        best.lng += s.lng;
      } else {
        var cluster = { x: x, y: y, lat: s.lat, lng: s.lng, members: [s] };
        var key = (Math.floor(y / size) - top) * columns + Math.floor(x / size) - left;
        clusters.push(cluster);
        if (cells.has(key)) cells.get(key).push(cluster);
        else cells.set(key, [cluster]);
      }
    }
    district.clusters = clusters;
    district.clusteredZoom = zoom;
  }

  function clusterIcon(count) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var box = document.createElement("div"), number = document.createElement("span");
    number.textContent = String(count);
    box.appendChild(number);
    return L.divIcon({ html: box, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
  }

  /* A bubble for the stations of cluster (set by draw) at the position and count its key names. */
  function clusterMarker(key) {
    var parts = key.split("|"), count = Number(parts[2]);
    var m = L.marker([Number(parts[3]), Number(parts[4])], {
      icon: clusterIcon(count),
      title: count + " 处驿站，点按放大",
      keyboard: true,
    });
    m.on("click", function (event) { zoomOrSpiderfy(m.cluster, key, event); });
    m.on("keypress", function (event) {  // Leaflet opens popups on Enter; a bubble has none
      if (event.originalEvent.keyCode === 13) zoomOrSpiderfy(m.cluster, key, event);
    });
    return m;
  }

  function stationMarker(s) {
    if (!s.marker) s.marker = marker(s, district.types, district.pages);
    return s.marker;
  }

  /* Put on the map what is in view (and a margin), reusing the markers that stay. */
  function draw() {
    var map = district.map;
    if (district.clusteredZoom !== map.getZoom()) clusterShown();
    var view = map.getPixelBounds(), margin = RADIUS * 2;
    var left = view.min.x - margin, right = view.max.x + margin, top = view.min.y - margin, bottom = view.max.y + margin;
    var zoom = district.clusteredZoom, next = new Map();
    district.clusters.forEach(function (c) {
      if (c.x < left || c.x > right || c.y < top || c.y > bottom) return;
      var first = c.members[0];
      if (c.members.length === 1) {
        next.set(first.id, district.drawn.get(first.id) || stationMarker(first));
      } else {
        var count = c.members.length;
        var key = [zoom, first.id, count, (c.lat / count).toFixed(7), (c.lng / count).toFixed(7)].join("|");
        var bubble = district.drawn.get(key) || clusterMarker(key);
        bubble.cluster = c;  // the same bubble, for this grouping
        next.set(key, bubble);
      }
    });
    if (district.spider && !next.has(district.spider.key)) unspiderfy();
    district.drawn.forEach(function (m, key) { if (next.get(key) !== m) district.layer.removeLayer(m); });
    next.forEach(function (m, key) { if (district.drawn.get(key) !== m) district.layer.addLayer(m); });
    district.drawn = next;
  }

  /* As markercluster does: zoom in until the bubble splits, or spread it out at the closest zoom. */
  function zoomOrSpiderfy(cluster, key, event) {
    var map = district.map, max = map.getMaxZoom();
    var bounds = L.latLngBounds(cluster.members.map(function (s) { return [s.lat, s.lng]; }));
    var spread = map.project(bounds.getNorthEast(), max).subtract(map.project(bounds.getSouthWest(), max));
    if (map.getZoom() >= max || Math.max(Math.abs(spread.x), Math.abs(spread.y)) <= RADIUS) {
      spiderfy(cluster, key);
    } else if (map.getBoundsZoom(bounds) > map.getZoom()) {
      map.fitBounds(bounds);
    } else {
      map.setView(bounds.getCenter(), map.getZoom() + 1);
    }
    if (event.originalEvent && event.originalEvent.keyCode === 13) map.getContainer().focus();  // the bubble goes away
  }

  /* Markercluster's layout: a circle for a few stations, a spiral for more. */
  function spiderPoints(count, center) {
    var points = [], i, legLength, angle;
    if (count < 9) {
      legLength = Math.max(25 * (2 + count) / (2 * Math.PI), 35);
      for (i = 0; i < count; i++) {
        angle = i * 2 * Math.PI / count;
        points.push(L.point(center.x + legLength * Math.cos(angle), center.y + 10 + legLength * Math.sin(angle)).round());
      }
      return points;
    }
    legLength = 11;
    angle = 0;
    for (i = count; i >= 0; i--) {
      if (i < count) points[i] = L.point(center.x + legLength * Math.cos(angle), center.y + legLength * Math.sin(angle)).round();
      angle += 28 / legLength + i * 0.0005;
      legLength += 5 * 2 * Math.PI / angle;
    }
    return points;
  }

  function spiderfy(cluster, key) {
    var map = district.map, bubble = district.drawn.get(key);
    if (!bubble) return;
    unspiderfy();
    var center = map.latLngToLayerPoint(bubble.getLatLng());
    var layers = spiderPoints(cluster.members.length, center).map(function (point, index) {
      var s = cluster.members[index], at = map.layerPointToLatLng(point);
      var m = marker({ id: s.id, lat: at.lat, lng: at.lng, type: s.type, name: s.name, status: s.status,
                       hours: s.hours },
                     district.types, district.pages);
      return [L.polyline([bubble.getLatLng(), at], { weight: 1.5, color: "#222", opacity: 0.5, interactive: false }), m];
    });
    layers = [].concat.apply([], layers);
    layers.forEach(function (layer) { district.layer.addLayer(layer); });
    bubble.setOpacity(0.3);
    district.spider = { key: key, bubble: bubble, layers: layers };
  }

  function unspiderfy() {
    var spider = district.spider;
    if (!spider) return;
    spider.layers.forEach(function (layer) { district.layer.removeLayer(layer); });
    spider.bubble.setOpacity(1);
    district.spider = null;
  }

  /* Show only the stations the finder's list shows: rows holds a flag (1: show) for each row of
     maps/stations.json, which both read; null shows all. Returns how many the map shows now, or
     null before its data has loaded (they are shown once it has). */
  function filter(rows) {
    district.wanted = rows;
    if (!district.map) return null;
    district.shown = rows ? district.stations.filter(function (s, index) { return rows[index] === 1; })
      : district.stations;
    district.clusteredZoom = null;
    unspiderfy();
    draw();
    document.documentElement.setAttribute("data-stations", String(district.shown.length));
    return district.shown.length;
  }

  /* The rider's position (in the map's coordinates) as a labelled dot, and a view that holds it and the
     nearest stations the finder lists. The view moves only for a new position, not for every filter. A
     control puts it back after the rider has panned away. */
  var here = { marker: null, view: null, key: null };

  function showPosition(point, nearest) {
    var map = district.map;
    if (!map) return;
    var at = L.latLng(point.lat, point.lng);
    if (!here.marker) {
      var dot = document.createElement("span");
      dot.className = "you-are-here__label";
      dot.textContent = "我的位置";
      here.marker = L.marker(at, {
        icon: L.divIcon({ className: "you-are-here", html: dot, iconSize: null, iconAnchor: [9, 9] }),
        title: "我的位置", alt: "我的位置", keyboard: false, zIndexOffset: 1000, interactive: false,
      }).addTo(map);
      recentreControl().addTo(map);
    } else {
      here.marker.setLatLng(at);
    }
    var bounds = L.latLngBounds([at]);
    (nearest || []).forEach(function (p) { bounds.extend([p.lat, p.lng]); });
    here.view = bounds;
    var key = point.lat.toFixed(5) + "," + point.lng.toFixed(5);
    if (key !== here.key) {
      here.key = key;
      recentre();
    }
  }

  function recentre() {
    if (here.view) district.map.fitBounds(here.view, { padding: [40, 40], maxZoom: 16, animate: false });
  }

  function recentreControl() {
    var Control = L.Control.extend({
      onAdd: function () {
        var button = L.DomUtil.create("button", "recentre-button");
        button.type = "button";
        button.textContent = "回到我的位置";
        L.DomEvent.disableClickPropagation(button);
        L.DomEvent.on(button, "click", recentre);
        return button;
      },
    });
    return new Control({ position: "topright" });
  }

  function showDistrict(map, options) {
    fetch(options.data)
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + options.data);
        return response.json();
      })
      .then(function (data) {
        district.stations = data.stations.map(function (row) {
          var s = fromRow(row, data.columns, data.hours), world = map.project([s.lat, s.lng], 0);
          s.x = world.x;
          s.y = world.y;
          district.west = Math.min(district.west, s.x);
          district.east = Math.max(district.east, s.x);
          district.north = Math.min(district.north, s.y);
          return s;
        });
        district.types = data.types;
        district.pages = options.pages;
        if (district.stations.length) {
          var all = L.latLngBounds(district.stations.map(function (s) { return [s.lat, s.lng]; }));
          map.fitBounds(all, { padding: [24, 24], maxZoom: 15, animate: false });
        }
        district.layer = L.layerGroup().addTo(map);
        district.map = map;
        map.on("moveend", draw);  // also after every zoom
        map.on("zoomstart click", unspiderfy);
        filter(district.wanted);
        if (window.parent !== window) window.parent.postMessage("station-map-ready", window.location.origin);
      })
      .catch(function (error) {
        var note = document.createElement("p");
        note.className = "station-map-error";
        note.setAttribute("role", "status");
        note.textContent = "地图数据加载失败，请查看驿站列表。";
        document.body.appendChild(note);
        console.warn(error);
      });
  }

  function showPoint(map) {
    var query = new URLSearchParams(window.location.search);
    var lat = parseFloat(query.get("lat"));
    var lng = parseFloat(query.get("lng"));
    if (isNaN(lat) || isNaN(lng)) return;
    var type = query.get("type") || "";
    var types = {};
    types[type] = { label: query.get("label") || "", short: query.get("short") || "驿站" };
    var station = { id: "", lat: lat, lng: lng, type: type, name: query.get("name") || "", status: "" };
    marker(station, types, null).addTo(map);
    map.setView([lat, lng], map.getZoom());
    document.documentElement.setAttribute("data-stations", "1");
  }

  window.stationMap = {
    filter: filter,
    showPosition: showPosition,
    show: function (map, options) {
      document.documentElement.lang = "zh-CN";
      // Leaflet's default credit carries a national flag: not on a Party-building (党群) site's map. The word
      // "Leaflet" credits the library; the tiles' own credit and 审图号 follow it.
      map.attributionControl.setPrefix("Leaflet");
      L.control.scale({ metric: true, imperial: false }).addTo(map);  // metres and kilometres only
      if (options.mode === "district") showDistrict(map, options);
      else showPoint(map);
    },
  };
})();
