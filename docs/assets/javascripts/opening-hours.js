/* "Open now" from a station's hours, in China's time zone whatever the phone's zone.
 *
 * Input is the compact form written by scripts/rules/hours.py `browser_hours`:
 *   {s: status, a: 1 when open 24 hours, w: [[["08:00","20:00"], …] × 7, Monday first],
 *    x: [["2026-10-01", "2026-10-07", null (closed) or [["09:00","12:00"], …]], …]}
 * A period whose closing time is not after its opening time runs past midnight.
 *
 * Loaded by the pages that show hours (station pages and the finder, from their front matter), and by
 * search.js when a search starts; on a station page it fills in the open-now badge and today's hours.
 */
(function (root) {
  "use strict";

  var ZONE = "Asia/Shanghai";
  var DAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
  var STATUS_CLOSED = { temporarily_closed: "临时关闭", closed: "已撤销" };

  function minutes(hhmm) {
    var parts = hhmm.split(":");
    return Number(parts[0]) * 60 + Number(parts[1]);
  }

  function hhmm(total) {
    var m = ((total % 1440) + 1440) % 1440;
    return String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
  }

  /* The wall-clock date and minute in Shanghai for an instant. */
  var clock = null;  // one formatter: making one costs far more than using it

  function shanghai(date) {
    var parts = {};
    clock = clock || new Intl.DateTimeFormat("en-CA", {
      timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    clock.formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    var day = parts.year + "-" + parts.month + "-" + parts.day;
    return { day: day, minute: Number(parts.hour) * 60 + Number(parts.minute) };
  }

  function addDays(day, n) {
    var d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function weekday(day) {  // 0 = Monday
    return (new Date(day + "T00:00:00Z").getUTCDay() + 6) % 7;
  }

  /* The periods of one calendar day as [start, end) minute pairs; end may exceed 1440. */
  function periodsOn(hours, day) {
    var list = hours.w[weekday(day)];
    for (var i = 0; i < hours.x.length; i++) {
      var x = hours.x[i];
      if (x[0] <= day && day <= x[1]) { list = x[2] || []; break; }
    }
    return list.map(function (p) {
      var start = minutes(p[0]);
      var end = p[1] === "24:00" ? 1440 : minutes(p[1]);
      return [start, end <= start ? end + 1440 : end];
    });
  }

  /* {open, always, closed, until, next, text} for the instant `date`. */
  function status(hours, date) {
    if (STATUS_CLOSED[hours.s]) {
      return { open: false, always: false, closed: true, text: STATUS_CLOSED[hours.s] };
    }
    if (hours.a) return { open: true, always: true, closed: false, text: "24 小时开放" };
    var now = shanghai(date || new Date());
    // Yesterday's late periods may still be running after midnight.
    var candidates = [];
    for (var offset = -1; offset <= 7; offset++) {
      var day = addDays(now.day, offset);
      periodsOn(hours, day).forEach(function (p) {
        candidates.push({ day: offset, start: offset * 1440 + p[0], end: offset * 1440 + p[1] });
      });
    }
    candidates.sort(function (a, b) { return a.start - b.start; });
    var current = null;
    candidates.forEach(function (c) {
      if (c.start <= now.minute && now.minute < c.end) {
        current = current && current.end >= c.start ? { start: current.start, end: Math.max(current.end, c.end) } : c;
      }
    });
    if (current) {
      // Periods that touch (e.g. 20:00–24:00 then 00:00–02:00) keep the station open.
      var end = current.end;
      candidates.forEach(function (c) { if (c.start <= end && c.end > end) end = c.end; });
      return { open: true, always: false, closed: false, until: end - now.minute,
               text: "营业中 · " + whenText(now, end) + "关门" };
    }
    var next = candidates.filter(function (c) { return c.start > now.minute; })[0];
    if (!next) return { open: false, always: false, closed: false, text: "已关门 · 近期不开放" };
    return { open: false, always: false, closed: false, next: next.start - now.minute,
             text: "已关门 · " + whenText(now, next.start) + "开门" };
  }

  /* "20:00", "明天 08:00" or "周一 08:00" for a minute counted from today's midnight. */
  function whenText(now, minute) {
    var dayOffset = Math.floor(minute / 1440);
    var clock = hhmm(minute);
    if (dayOffset === 0) return clock + " ";
    if (dayOffset === 1) return "明天 " + clock + " ";
    return DAY_NAMES[weekday(addDays(now.day, dayOffset))] + " " + clock + " ";
  }

  /* Today's opening hours as text, e.g. "今天 08:30–12:00、14:30–18:00". */
  function today(hours, date) {
    if (STATUS_CLOSED[hours.s]) return STATUS_CLOSED[hours.s];
    if (hours.a) return "今天 24 小时开放";
    var now = shanghai(date || new Date());
    var periods = periodsOn(hours, now.day);
    if (!periods.length) return "今天不开放";
    return "今天 " + periods.map(function (p) { return hhmm(p[0]) + "–" + (p[1] === 1440 ? "24:00" : hhmm(p[1])); }).join("、");
  }

  root.OpeningHours = { status: status, today: today, shanghai: shanghai };

  function hoursOf(element) {
    try { return JSON.parse(element.getAttribute("data-hours")); } catch (e) { return null; }
  }

  /* Station pages: the open-now badge and today's hours, hidden until filled in. */
  function show() {
    root.document.querySelectorAll(".open-now[data-hours]").forEach(function (badge) {
      var hours = hoursOf(badge);
      if (!hours) return;
      var state = status(hours);
      badge.textContent = state.text;
      badge.classList.toggle("is-open", state.open);
      badge.classList.toggle("is-closed", !state.open);
      badge.hidden = false;
    });
    root.document.querySelectorAll(".hours-today[data-hours]").forEach(function (line) {
      var hours = hoursOf(line);
      if (!hours) return;
      line.textContent = today(hours);
      line.hidden = false;
    });
  }

  if (root.document$) root.document$.subscribe(show);  // Material: once the page is ready
  else if (root.document.readyState === "loading") root.document.addEventListener("DOMContentLoaded", show);
  else show();
})(window);
