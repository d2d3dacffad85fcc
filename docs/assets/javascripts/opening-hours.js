/* "Open now" from a station's hours, in China's time zone whatever the phone's zone.
 *
 * The semantics are defined once, in the docstring of scripts/rules/opening.py; this file and that
 * Python reference evaluator are tested to give identical answers (tests/hours_cases.json and a
 * property test of random schedules, tests/test_opening_hours.py). In short:
 *
 * Input, written by scripts/rules/hours.py `browser_hours`:
 *   {s: "open" | "temporarily_closed" | "closed", a: 1 when open 24 hours,
 *    w: [[["08:00","20:00"], …] × 7, Monday first],
 *    x: [[first, last, null (closed) or [["09:00","12:00"], …], note or null], …],
 *    t: [reason or null, until or null] or null}
 * - The instant is read as China wall-clock time (UTC+8, no DST); seconds are dropped.
 * - s "closed" → withdrawn, "已撤销"; s "temporarily_closed" → "临时关闭（reason，至 M月D日）" (parts
 *   only when given; still closed after the until date). Otherwise the periods decide:
 * - the first exception covering a day replaces its hours (null: none); else a 24-hour station is open
 *   the whole day, others have the weekday's periods. "24:00" is the end of the day; a period whose
 *   close is not after its open runs past midnight and belongs to the day it starts on.
 * - periods from yesterday to today + 8 merge where they overlap or touch; open when now is in one.
 * - next change: the end of the current stretch or the start of the next, if within 8 × 24 hours.
 * - state: open | closed_today (today has a closed exception; reason: its note) | closed.
 *
 * status(hours, date) → {state, open, reason, next: "YYYY-MM-DD HH:MM" or null, text,
 *                        always, closed, until (legacy: minutes to closing while open)}
 * today(hours, date)  → "今天 08:30–12:00、14:30–18:00", "今天 24 小时开放", "今天不开放", "今日闭站（note）", …
 *
 * Loaded by the pages that show hours (station pages and the finder, from their front matter), by the map
 * documents (their popups), and by search.js when a search starts; on a station page it fills in the
 * open-now badge and today's hours.
 */
(function (root) {
  "use strict";

  var DAY = 1440;  // minutes
  var HORIZON = 8 * DAY;
  var CHINA_OFFSET = 8 * 60;  // minutes east of UTC, all year
  var WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

  function minutes(hhmm) {
    return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function clockText(total) {
    var m = ((total % DAY) + DAY) % DAY;
    return pad(Math.floor(m / 60)) + ":" + pad(m % 60);
  }

  /* The China date ("YYYY-MM-DD") and minute of the day for an instant. */
  function shanghai(date) {
    var local = Math.floor(date.getTime() / 60000) + CHINA_OFFSET;
    var days = Math.floor(local / DAY);
    return { day: new Date(days * 86400000).toISOString().slice(0, 10), minute: local - days * DAY };
  }

  function addDays(day, n) {
    var d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function weekday(day) {  // 0 = Monday
    return (new Date(day + "T00:00:00Z").getUTCDay() + 6) % 7;
  }

  function monthDay(day) {
    return Number(day.slice(5, 7)) + "月" + Number(day.slice(8, 10)) + "日";
  }

  function exceptionOn(hours, day) {
    var list = hours.x || [];
    for (var i = 0; i < list.length; i++) {
      if (list[i][0] <= day && day <= list[i][1]) return list[i];
    }
    return null;
  }

  /* The periods of one day as [start, end) minutes from its midnight; end may pass 1440. */
  function periodsOn(hours, day) {
    var exception = exceptionOn(hours, day), list;
    if (exception) list = exception[2] || [];
    else if (hours.a) return [[0, DAY]];
    else list = hours.w[weekday(day)];
    return list.map(function (p) {
      var start = minutes(p[0]);
      var end = p[1] === "24:00" ? DAY : minutes(p[1]);
      return [start, end <= start ? end + DAY : end];
    });
  }

  function byStart(a, b) { return a[0] - b[0] || a[1] - b[1]; }

  /* Merged open stretches from yesterday to today + 8, in minutes from today's midnight. */
  function stretches(hours, today) {
    var spans = [];
    for (var offset = -1; offset <= 8; offset++) {
      periodsOn(hours, addDays(today, offset)).forEach(function (p) {
        spans.push([offset * DAY + p[0], offset * DAY + p[1]]);
      });
    }
    spans.sort(byStart);
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push([s[0], s[1]]);
    });
    return merged;
  }

  /* "HH:MM", "明天 HH:MM", "周X HH:MM" or "M月D日 HH:MM" for a minute counted from today's midnight. */
  function whenText(today, minute) {
    var offset = Math.floor(minute / DAY), day = addDays(today, offset);
    if (offset === 0) return clockText(minute);
    if (offset === 1) return "明天 " + clockText(minute);
    if (offset < 7) return WEEKDAYS[weekday(day)] + " " + clockText(minute);
    return monthDay(day) + " " + clockText(minute);
  }

  function closure(hours) {
    var t = hours.t || [null, null], parts = [];
    if (t[0]) parts.push(t[0]);
    if (t[1]) parts.push("至 " + monthDay(t[1]));
    return { reason: t[0] || null, text: "临时关闭" + (parts.length ? "（" + parts.join("，") + "）" : "") };
  }

  function closedTodayLabel(exception) {
    return exception[3] ? "今日闭站（" + exception[3] + "）" : "今日闭站";
  }

  /* The state of a station at the instant `date` (default: now); see the comment at the top. */
  function status(hours, date) {
    var result = { state: null, open: false, reason: null, next: null, text: "",
                   always: false, closed: false, until: null };
    if (hours.s === "closed") {
      result.state = "withdrawn"; result.text = "已撤销"; result.closed = true;
      return result;
    }
    if (hours.s === "temporarily_closed") {
      var c = closure(hours);
      result.state = "temporarily_closed"; result.reason = c.reason; result.text = c.text; result.closed = true;
      return result;
    }
    var now = shanghai(date || new Date());
    var current = null, change = null;
    stretches(hours, now.day).forEach(function (s) {
      if (s[0] <= now.minute && now.minute < s[1]) current = s;
      else if (change === null && s[0] > now.minute) change = s[0];
    });
    if (current) change = current[1];
    if (change !== null && change - now.minute > HORIZON) change = null;
    if (change !== null) result.next = addDays(now.day, Math.floor(change / DAY)) + " " + clockText(change);

    if (current) {
      result.state = "open"; result.open = true; result.always = Boolean(hours.a);
      result.until = change === null ? null : change - now.minute;
      result.text = change === null ? "24 小时开放" : "营业中 · " + whenText(now.day, change) + " 关门";
      return result;
    }
    var opening = change === null ? "近期不开放" : whenText(now.day, change) + " 开门";
    var exception = exceptionOn(hours, now.day);
    if (exception && !exception[2]) {
      result.state = "closed_today"; result.reason = exception[3] || null;
      result.text = closedTodayLabel(exception) + " · " + opening;
    } else {
      result.state = "closed"; result.text = "已关门 · " + opening;
    }
    return result;
  }

  /* Today's opening hours as text, e.g. "今天 08:30–12:00、14:30–18:00". */
  function today(hours, date) {
    if (hours.s === "closed") return "已撤销";
    if (hours.s === "temporarily_closed") return closure(hours).text;
    var day = shanghai(date || new Date()).day;
    var exception = exceptionOn(hours, day);
    if (exception && !exception[2]) return closedTodayLabel(exception);
    if (!exception && hours.a) return "今天 24 小时开放";
    var spans = periodsOn(hours, day).sort(byStart);
    if (!spans.length) return "今天不开放";
    return "今天 " + spans.map(function (p) {
      return clockText(p[0]) + "–" + (p[1] === DAY ? "24:00" : clockText(p[1]));
    }).join("、");
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
