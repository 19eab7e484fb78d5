// Keeps the dashboard's "now" panel live: listens to the staff socket (queue, presence and
// attention events), reads the live picture again from the indicators API (debounced), and falls
// back to reading it every 15 s while the socket is down. What changed is said in the polite live
// region; the time of the last reading is shown. Plain ES5; settings come from #indicators-live-config.
(function () {
  'use strict';
  var cfgEl = document.getElementById('indicators-live-config');
  var panel = document.getElementById('now-panel');
  if (!cfgEl || !panel || !window.fetch) return;
  var cfg;
  try {
    cfg = JSON.parse(cfgEl.textContent || '');
  } catch (e) {
    return;
  }
  var s = cfg.strings || {};
  var liveEl = document.getElementById('now-live');
  var atEl = document.getElementById('now-at');
  var counts = new Intl.NumberFormat(cfg.lang, { maximumFractionDigits: 0 });
  var clock = new Intl.DateTimeFormat(cfg.lang, { timeZone: cfg.timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  var pollMs = Math.max(5, cfg.pollSeconds || 15) * 1000;
  var EVENTS = { 'queue.changed': true, 'presence.changed': true, 'attention.changed': true };

  function fill(template, values) {
    return String(template || '').replace(/\{\{\s*(\w+)\s*\}\}/g, function (_, k) { return values[k] == null ? '' : String(values[k]); });
  }

  /** The same wording as the server's formatDuration: 42 s · 4 min · 4 min 10 s · 1 h 5 min. */
  function duration(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return s.noData;
    var t = Math.max(0, Math.round(seconds));
    if (t < 60) return fill(s.seconds, { s: t });
    if (t < 3600) return fill(t % 60 ? s.minutes : s.wholeMinutes, { m: Math.floor(t / 60), s: t % 60 });
    return fill(s.hours, { h: Math.floor(t / 3600), m: Math.floor((t % 3600) / 60) });
  }

  function say(text) {
    if (liveEl && text && liveEl.textContent !== text) liveEl.textContent = text;
  }

  /** data-now key → value (number, or null for "no data") from a snapshot. */
  function valuesOf(snap) {
    var v = { waiting: 0, longest: numOrNull(snap.longestWaitSeconds), 'in-progress': numOrNull(snap.inProgress) || 0 };
    var cells = panel.querySelectorAll('[data-now]');
    for (var i = 0; i < cells.length; i++) {
      var key = cells[i].getAttribute('data-now');
      if (key.indexOf('waiting-') === 0) v[key] = 0;
      else if (key.indexOf('longest-') === 0) v[key] = null;
      else if (key.indexOf('agents-') === 0) v[key] = 0;
    }
    (Array.isArray(snap.waiting) ? snap.waiting : []).forEach(function (w) {
      if (!w || typeof w.channel !== 'string') return;
      var n = numOrNull(w.count) || 0;
      v['waiting-' + w.channel] = n;
      v['longest-' + w.channel] = numOrNull(w.longestWaitSeconds);
      v.waiting += n;
    });
    (Array.isArray(snap.agents) ? snap.agents : []).forEach(function (a) {
      if (a && typeof a.state === 'string') v['agents-' + a.state] = numOrNull(a.count) || 0;
    });
    return v;
  }

  function numOrNull(x) {
    return typeof x === 'number' && isFinite(x) ? x : null;
  }

  function apply(snap) {
    var values = valuesOf(snap);
    var changes = [];
    var cells = panel.querySelectorAll('[data-now]');
    for (var i = 0; i < cells.length; i++) {
      var el = cells[i];
      var key = el.getAttribute('data-now');
      if (!(key in values)) continue;
      var next = values[key];
      var beforeRaw = el.getAttribute('data-value');
      var before = beforeRaw === '' || beforeRaw === null ? null : Number(beforeRaw);
      var isDuration = el.getAttribute('data-kind') === 'duration';
      var text = isDuration ? duration(next) : counts.format(next || 0);
      if (before !== next && el.getAttribute('data-label')) {
        changes.push(fill(s.changed, { label: el.getAttribute('data-label'), value: text, before: isDuration ? duration(before) : counts.format(before || 0) }));
      }
      el.setAttribute('data-value', next === null ? '' : String(next));
      if (el.textContent !== text) el.textContent = text;
    }
    var at = new Date(snap.at);
    if (atEl && !isNaN(at.getTime())) {
      atEl.setAttribute('datetime', at.toISOString());
      atEl.textContent = clock.format(at);
    }
    if (changes.length) say(changes.join('; '));
  }

  // ---- reading: one request at a time, debounced, the last wish wins ----
  var inFlight = false;
  var again = false;
  var timer = null;
  var lastRead = Date.now();
  var stopped = false;

  function refresh() {
    if (stopped) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    fetch(cfg.api, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) { stopped = true; throw new Error('signed out'); }
        if (!res.ok) throw new Error('status ' + res.status);
        return res.json();
      })
      .then(function (snap) {
        lastRead = Date.now();
        if (liveEl && liveEl.textContent === s.readFailed) liveEl.textContent = '';
        if (snap && typeof snap === 'object') apply(snap);
      })
      .catch(function () { say(s.readFailed); })
      .then(function () {
        inFlight = false;
        if (again) { again = false; schedule(0); }
      });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay === undefined ? 800 : delay);
  }

  // ---- the staff socket: an event means "read again" ----
  var socketOpen = false;
  var tries = 0;
  function connect() {
    if (!('WebSocket' in window) || stopped) return;
    var ws;
    try {
      ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + cfg.socket);
    } catch (e) {
      return;
    }
    var opened = false;
    ws.onopen = function () {
      opened = true;
      socketOpen = true;
      tries = 0;
      if (liveEl && liveEl.textContent === s.liveLost) liveEl.textContent = '';
      panel.setAttribute('data-live', 'socket');
      schedule(0);
    };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m && EVENTS[m.type]) schedule();
    };
    ws.onclose = function (e) {
      socketOpen = false;
      panel.setAttribute('data-live', 'polling');
      if (opened) say(s.liveLost);
      if (e.code === 1008) return; // refused (signed out): polling finds out and stops
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, tries++)));
    };
  }

  // ---- the fallback: read every 15 s without a socket (and now and then with one: the longest wait grows) ----
  setInterval(function () {
    if (document.hidden) return;
    if (!socketOpen || Date.now() - lastRead >= 4 * pollMs) refresh();
  }, pollMs);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) schedule(0);
  });

  connect();
})();
