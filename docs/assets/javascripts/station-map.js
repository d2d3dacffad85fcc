/* Station markers for the folium map documents in maps/.
 *
 * "district" mode loads maps/stations.json once and clusters the markers in the
 * browser; "point" mode shows the one station named in the page's query string.
 * Markers are DOM elements with a visible text label (not colour alone), a
 * title and role=button, so they can be reached and opened with the keyboard.
 * Popups are built with textContent: no record text is ever parsed as HTML.
 */
(function () {
  "use strict";

  var STATUS = { open: "正常开放", temporarily_closed: "临时关闭", closed: "已撤销" };

  function icon(type, short) {
    var label = document.createElement("span");
    label.className = "station-marker__label";
    label.textContent = short;
    return L.divIcon({
      className: "station-marker station-marker--" + type,
      html: label.outerHTML,
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
    var status = document.createElement("span");
    status.className = "station-popup__status station-popup__status--" + station.status;
    status.textContent = STATUS[station.status] || "";
    box.appendChild(name);
    box.appendChild(type);
    box.appendChild(status);
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

  /* A row of maps/stations.json (columns listed in the file; see scripts/maps.py). */
  function fromRow(row, columns) {
    var at = function (name) { return row[columns.indexOf(name)]; };
    var own = columns.indexOf("map_lat") !== -1;  // tiles drawn in GCJ-02: use the converted point
    return { id: at("id"), lat: own ? at("map_lat") : at("lat"), lng: own ? at("map_lng") : at("lng"),
             type: at("type"), name: at("name"), status: at("status") };
  }

  var district = { cluster: null, markers: [], wanted: null };

  /* Show only the stations whose ids are given (null: all), as the finder's list does. */
  function filter(ids) {
    district.wanted = ids;
    if (!district.cluster) return;
    var keep = ids ? new Set(ids) : null;
    var shown = district.markers.filter(function (m) { return !keep || keep.has(m.stationId); });
    district.cluster.clearLayers();
    district.cluster.addLayers(shown);
    document.documentElement.setAttribute("data-stations", String(shown.length));
  }

  function showDistrict(map, options) {
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45 });
    map.addLayer(cluster);
    fetch(options.data)
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + options.data);
        return response.json();
      })
      .then(function (data) {
        district.markers = data.stations.map(function (row) {
          return marker(fromRow(row, data.columns), data.types, options.pages);
        });
        if (district.markers.length) {  // zoom first, so clusters are built once, without animation
          var all = L.latLngBounds(district.markers.map(function (m) { return m.getLatLng(); }));
          map.fitBounds(all, { padding: [24, 24], maxZoom: 15, animate: false });
        }
        district.cluster = cluster;
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
    show: function (map, options) {
      document.documentElement.lang = "zh-CN";
      if (options.mode === "district") showDistrict(map, options);
      else showPoint(map);
    },
  };
})();
