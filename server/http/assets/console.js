// The agent console: presence, the live queue, taking a citizen and attending them (video room with
// FinCall, phone call-back attempts), closing the attention. Re-reads the console API on every staff
// socket event. Plain ES2020, no build step; strings and addresses come from #console-config.
(function () {
  'use strict';
  var cfgEl = document.getElementById('console-config');
  if (!cfgEl) return;
  var cfg = JSON.parse(cfgEl.textContent || '{}');
  var $ = function (id) { return document.getElementById(id); };
  var plural = new Intl.PluralRules(cfg.lang);

  // ---------- strings ----------
  function lookup(key) {
    var parts = key.split('.');
    var node = cfg.strings;
    for (var i = 0; i < parts.length; i++) {
      if (!node || typeof node !== 'object') return undefined;
      node = node[parts[i]];
    }
    return typeof node === 'string' ? node : undefined;
  }
  /** Translates `key` (console.x, channel.x, accessibility.x, errors.x); `count` picks the plural form. */
  function tr(key, vars) {
    var s;
    if (vars && typeof vars.count === 'number') s = lookup(key + '_' + plural.select(vars.count)) || lookup(key + '_other');
    if (s === undefined) s = lookup(key);
    if (s === undefined) return key;
    return s.replace(/\{\{(\w+)\}\}/g, function (_m, name) {
      return vars && vars[name] !== undefined ? String(vars[name]) : '';
    });
  }
  function localized(text) {
    if (!text) return '';
    return text[cfg.lang] || text.ca || Object.keys(text).map(function (k) { return text[k]; }).filter(Boolean)[0] || '';
  }
  function errorText(err) {
    if (err && err.message) return err.message;
    if (err && err.code && lookup('errors.' + err.code)) return tr('errors.' + err.code);
    return tr('console.network_error');
  }

  // ---------- DOM helpers ----------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (attrs[k] === undefined || attrs[k] === null || attrs[k] === false) return;
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function setText(id, text) { var n = $(id); if (n) n.textContent = text || ''; }
  function show(node, visible) { if (node) node.hidden = !visible; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  /** A chat text as DOM nodes: plain text, with http(s) links made clickable (never innerHTML). */
  function linkify(text) {
    var frag = document.createDocumentFragment();
    var re = /\bhttps?:\/\/[^\s<>"']+/gi;
    var last = 0;
    var m;
    while ((m = re.exec(text))) {
      var url = m[0].replace(/[.,;:!?)\]]+$/, '');
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var safe = null;
      try { safe = new URL(url); } catch (e) { safe = null; }
      if (safe && (safe.protocol === 'http:' || safe.protocol === 'https:')) {
        frag.appendChild(el('a', { href: safe.href, target: '_blank', rel: 'noopener noreferrer', text: url }));
      } else {
        frag.appendChild(document.createTextNode(url));
      }
      last = m.index + url.length;
      re.lastIndex = last;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  // ---------- time ----------
  var skew = 0; // server clock minus this browser's clock, in ms
  function serverNow() { return Date.now() + skew; }
  function mmss(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return (m < 10 ? '0' : '') + m + ':' + (r < 10 ? '0' : '') + r;
  }
  var timeFmt = new Intl.DateTimeFormat(cfg.lang, { hour: '2-digit', minute: '2-digit', timeZone: cfg.timeZone });
  var dayFmt = new Intl.DateTimeFormat(cfg.lang, { day: 'numeric', month: 'short', timeZone: cfg.timeZone });
  function formatStart(iso) {
    var d = new Date(iso);
    var sameDay = dayFmt.format(d) === dayFmt.format(new Date(serverNow()));
    return sameDay ? timeFmt.format(d) : dayFmt.format(d) + ' ' + timeFmt.format(d);
  }

  // ---------- the API ----------
  function api(method, path, body) {
    var url = cfg.api + path + (path.indexOf('?') >= 0 ? '&' : '?') + 'lang=' + encodeURIComponent(cfg.lang);
    var headers = { accept: 'application/json' };
    if (method !== 'GET') headers['x-csrf-token'] = cfg.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' })
      .catch(function () { throw { code: 'network', message: tr('console.network_error') }; })
      .then(function (res) {
        if (res.status === 204) return null;
        return res.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (!res.ok) {
            if (res.status === 401) { location.reload(); }
            throw json && json.code ? json : { code: 'internal_error', message: tr('errors.internal_error') };
          }
          return json;
        });
      });
  }

  // ---------- sound: browsers allow audio only after a gesture ----------
  var audio = null;
  function unlockAudio() {
    try {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) return;
      if (!audio) audio = new AC();
      if (audio.state === 'suspended') audio.resume().catch(function () {});
    } catch (e) { audio = null; }
  }
  document.addEventListener('pointerdown', unlockAudio, true);
  document.addEventListener('keydown', unlockAudio, true);
  function beep() {
    try {
      if (!audio || audio.state !== 'running') return;
      [0, 0.25].forEach(function (offset) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        var at = audio.currentTime + offset;
        osc.type = 'sine';
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(at);
        osc.stop(at + 0.2);
      });
    } catch (e) { /* no sound: the visible alert is still there */ }
  }

  // ---------- state ----------
  var view = null;           // last GET …/console
  var seenWaiting = null;    // ids already waiting at the last render (null before the first)
  var current = null;        // the attention in course (a queue row)
  var openedAtSeq = 0;       // refresh sequence when it was opened
  var refreshSeq = 0;
  var closing = false;

  // ---------- refresh (debounced, one at a time) ----------
  var refreshTimer = null;
  var refreshing = false;
  var refreshAgain = false;
  var refreshFailed = false;
  function scheduleRefresh(delay) {
    var wait = delay === undefined ? 200 : delay;
    if (refreshTimer && wait > 0) return;
    // an immediate refresh (after our own change) replaces a pending debounced one
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () { refreshTimer = null; refresh(); }, wait);
  }
  function refresh() {
    if (refreshing) { refreshAgain = true; return Promise.resolve(); }
    refreshing = true;
    var seq = ++refreshSeq;
    var t0 = Date.now();
    return api('GET', '/console')
      .then(function (v) {
        var t1 = Date.now();
        skew = Date.parse(v.serverTime) - (t0 + t1) / 2;
        view = v;
        if (refreshFailed) { refreshFailed = false; setText('queue-error', ''); }
        render(seq);
      })
      .catch(function (err) { refreshFailed = true; setText('queue-error', errorText(err)); })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; scheduleRefresh(0); }
      });
  }

  // ---------- rendering ----------
  function render(seq) {
    renderPresence();
    renderQueue();
    var mine = view.queue.filter(function (r) { return r.status === 'in_progress' && r.agentId === view.me.id; })[0];
    if (mine && !current) openAttention(mine, false);
    else if (mine && current && mine.id === current.id) { current = mine; renderAttempts(); }
    else if (!mine && current && !closing && seq > openedAtSeq) endAttention(tr('console.ended_elsewhere'));
  }

  function stateLabel(state) { return tr('console.presence.' + state); }

  function renderPresence() {
    var sel = $('presence');
    var state = view.me.state;
    var busyOpt = sel.querySelector('option[value="busy"]');
    if (state === 'busy' && !busyOpt) sel.insertBefore(el('option', { value: 'busy', text: stateLabel('busy') }), sel.firstChild);
    if (state !== 'busy' && busyOpt) sel.removeChild(busyOpt);
    sel.value = state;
    sel.disabled = state === 'busy' || !!current;
    var my = $('my-state');
    my.textContent = tr('console.my_state', { state: stateLabel(state) });
    my.className = 'state state-' + state;
    var list = $('colleagues');
    clear(list);
    var others = view.presence.filter(function (p) { return p.staffId !== view.me.id; });
    others.forEach(function (p) {
      list.appendChild(el('li', { class: 'state-' + p.state }, [
        el('span', { class: 'dot', 'aria-hidden': 'true' }),
        el('span', { text: p.fullName }),
        ' ',
        el('span', { class: 'state-label', text: stateLabel(p.state) }),
      ]));
    });
    show($('colleagues-empty'), others.length === 0);
  }

  function waitingRows() { return view.queue.filter(function (r) { return r.status === 'waiting'; }); }

  function renderQueue() {
    var waiting = waitingRows();
    var body = $('queue-rows');
    var focusedId = document.activeElement && document.activeElement.getAttribute && document.activeElement.getAttribute('data-take');
    clear(body);
    waiting.forEach(function (r) {
      var name = r.citizenName;
      var needs = r.accessibilityNeeds.map(function (n) { return el('span', { class: 'badge need', text: tr('accessibility.' + n) }); });
      var reasons = r.priorityReasons.map(function (p) { return el('span', { class: 'badge priority', text: tr('console.priority.' + p) }); });
      var since = el('time', { class: 'waited', 'data-since': r.queuedAt, datetime: r.queuedAt, text: mmss(serverNow() - Date.parse(r.queuedAt)) });
      var take = el('button', { type: 'button', class: 'take', 'data-take': r.id, 'aria-label': tr('console.take_label', { name: name }), text: tr('console.take') });
      body.appendChild(el('tr', { 'data-id': r.id, class: r.priority > 0 ? 'prioritised' : undefined }, [
        el('th', { scope: 'row' }, [el('span', { text: name }), r.reference ? el('span', { class: 'reference small', text: r.reference }) : null]),
        el('td', { text: tr('channel.' + r.channel) }),
        el('td', { text: localized(r.procedureName) }),
        el('td', null, [since]),
        el('td', null, reasons.length ? reasons : [tr('console.none')]),
        el('td', null, needs.length ? needs : [tr('console.none')]),
        el('td', { text: r.startsAt ? formatStart(r.startsAt) : tr('console.no_appointment') }),
        el('td', { text: r.agentName || tr('console.anyone') }),
        el('td', null, [take]),
      ]));
    });
    if (focusedId) {
      var again = body.querySelector('[data-take="' + focusedId + '"]');
      if (again) again.focus();
      else $('queue-title').focus();
    }
    show($('queue-table'), waiting.length > 0);
    show($('queue-empty'), waiting.length === 0);
    setText('queue-count', waiting.length ? tr('console.queue_count', { count: waiting.length }) : '');
    $('take-next').disabled = waiting.length === 0 || !!current;
    Array.prototype.forEach.call(body.querySelectorAll('button.take'), function (b) { b.disabled = !!current; });

    var inCourse = view.queue.filter(function (r) { return r.status === 'in_progress'; });
    var list = $('in-course');
    clear(list);
    inCourse.forEach(function (r) {
      list.appendChild(el('li', { text: tr('console.in_course_row', { agent: r.agentName || '—', citizen: r.citizenName, procedure: localized(r.procedureName), channel: tr('channel.' + r.channel) }) }));
    });
    show($('in-course-empty'), inCourse.length === 0);

    // a citizen who was not waiting before: the alert, seen and heard
    var ids = waiting.map(function (r) { return r.id; });
    var arrived = seenWaiting ? ids.filter(function (id) { return !seenWaiting.has(id); }) : [];
    seenWaiting = new Set(ids);
    if (waiting.length === 0) setText('queue-alert', '');
    else if (arrived.length) {
      var longest = waiting.reduce(function (min, r) { return Math.min(min, Date.parse(r.queuedAt)); }, Infinity);
      setText('queue-alert', tr('console.alert_waiting', { minutes: Math.max(0, Math.floor((serverNow() - longest) / 60000)) }));
      if (view.me.state === 'available') beep();
    }
  }

  function tick() {
    var now = serverNow();
    Array.prototype.forEach.call(document.querySelectorAll('[data-since]'), function (t) {
      t.textContent = mmss(now - Date.parse(t.getAttribute('data-since')));
    });
  }
  setInterval(tick, 1000);

  // ---------- presence ----------
  $('presence').addEventListener('change', function (ev) {
    var state = ev.target.value;
    setText('queue-error', '');
    api('POST', '/presence', { state: state })
      .then(function () {
        if (view) { view.me.state = state; renderPresence(); }
        scheduleRefresh(0);
      })
      .catch(function (err) {
        setText('queue-error', errorText(err));
        if (view) renderPresence();
      });
  });

  // ---------- take ----------
  function take(attentionId) {
    setText('queue-error', '');
    setText('queue-notice', '');
    var body = attentionId ? { attentionId: attentionId } : {};
    return api('POST', '/attentions/take', body)
      .then(function (res) {
        openAttention(res.attention, true);
        scheduleRefresh(0);
      })
      .catch(function (err) {
        setText('queue-error', errorText(err));
        scheduleRefresh(0);
      });
  }
  $('take-next').addEventListener('click', function () { take(); });
  $('queue-rows').addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('button[data-take]');
    if (b) take(b.getAttribute('data-take'));
  });

  // ---------- the attention in course ----------
  function detail(dl, term, value) {
    if (!value) return;
    dl.appendChild(el('dt', { text: term }));
    dl.appendChild(typeof value === 'string' ? el('dd', { text: value }) : el('dd', null, [value]));
  }

  function openAttention(row, focus) {
    current = row;
    openedAtSeq = refreshSeq;
    closing = false;
    setText('attention-title', tr('console.attention_title', { name: row.citizenName }));
    setText('attention-error', '');
    var dl = $('attention-details');
    clear(dl);
    detail(dl, tr('console.col_procedure'), localized(row.procedureName));
    detail(dl, tr('console.col_channel'), tr('channel.' + row.channel));
    detail(dl, tr('console.field_reference'), row.reference);
    detail(dl, tr('console.field_language'), cfg.languageNames[row.language] || row.language);
    detail(dl, tr('console.field_phone'), row.phone);
    detail(dl, tr('console.field_email'), row.email);
    detail(dl, tr('console.col_appointment'), row.startsAt ? formatStart(row.startsAt) : null);
    detail(dl, tr('console.col_priority'), row.priorityReasons.map(function (p) { return tr('console.priority.' + p); }).join(', '));
    detail(dl, tr('console.col_needs'), row.accessibilityNeeds.map(function (n) { return tr('accessibility.' + n); }).join(', '));
    resetCloseForm();
    var video = row.channel === 'video';
    show($('video-panel'), video);
    show($('phone-panel'), !video);
    show($('attention'), true);
    show($('queue-section'), false);
    if (video) startCall(row);
    else openPhone(row);
    if (view) { renderPresence(); renderQueue(); }
    if (focus) $('attention-title').focus();
  }

  /** Tells formal-agent.js that a call started (`{attention, call}`) or ended (null); kept on window for a late script. */
  function tellCall(detail) {
    window.FinConsoleCall = detail;
    document.dispatchEvent(new CustomEvent(detail ? 'fin:call-start' : 'fin:call-end', { detail: detail }));
  }

  function endAttention(message) {
    tellCall(null);
    stopRecording(false);
    if (call) { try { call.close(); } catch (e) { /* already gone */ } call = null; }
    current = null;
    closing = false;
    show($('attention'), false);
    show($('queue-section'), true);
    setText('queue-notice', message || '');
    if (view) { renderPresence(); renderQueue(); }
    $('queue-title').focus();
  }

  // ---------- phone and call-back ----------
  function openPhone(row) {
    var link = $('call-link');
    if (row.phone && row.callLink) {
      link.href = row.callLink;
      link.textContent = tr('console.call_number', { number: row.phone });
      show(link, true);
      show($('no-phone'), false);
    } else {
      show(link, false);
      show($('no-phone'), true);
    }
    setText('attempt-status', '');
    renderAttempts();
  }
  function renderAttempts() {
    if (current && current.channel !== 'video') setText('attempts-count', tr('console.attempts', { count: current.attempts, max: cfg.maxCallAttempts }));
  }
  Array.prototype.forEach.call(document.querySelectorAll('#phone-panel button[data-outcome]'), function (b) {
    b.addEventListener('click', function () {
      if (!current) return;
      var outcome = b.getAttribute('data-outcome');
      var id = current.id;
      setText('attention-error', '');
      b.disabled = true;
      api('POST', '/attentions/' + id + '/attempts', { outcome: outcome })
        .then(function (res) {
          if (!current || current.id !== id) return;
          current.attempts = res.attempts;
          renderAttempts();
          setText('attempt-status', tr('console.attempt_saved', { outcome: tr('console.attempt.' + outcome) }));
          if (res.status && res.status !== 'in_progress') endAttention(tr('console.not_reached'));
        })
        .catch(function (err) { setText('attention-error', errorText(err)); })
        .then(function () { b.disabled = false; });
    });
  });

  // ---------- closing ----------
  function fieldError(id, message, control) {
    var p = $(id);
    p.textContent = message || '';
    p.hidden = !message;
    if (control) {
      if (message) { control.setAttribute('aria-invalid', 'true'); control.setAttribute('aria-describedby', id); }
      else { control.removeAttribute('aria-invalid'); control.removeAttribute('aria-describedby'); }
    }
  }
  function resetCloseForm() {
    $('close-form').reset();
    setText('close-error', '');
    fieldError('close-typology-error', '', $('close-typology'));
    fieldError('close-outcome-error', '', null);
  }
  $('close-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!current || closing) return;
    var typology = $('close-typology').value;
    var checked = document.querySelector('#close-outcome input[name="outcome"]:checked');
    var notes = $('close-notes').value.trim();
    fieldError('close-typology-error', typology ? '' : tr('console.choose_typology'), $('close-typology'));
    fieldError('close-outcome-error', checked ? '' : tr('console.choose_outcome'), null);
    $('close-outcome').classList.toggle('invalid', !checked);
    $('typology-field').classList.toggle('invalid', !typology);
    if (!typology) return $('close-typology').focus();
    if (!checked) return document.querySelector('#close-outcome input[name="outcome"]').focus();
    var body = { typology: typology, outcome: checked.value };
    if (notes) body.notes = notes;
    closing = true;
    setText('close-error', '');
    var id = current.id;
    stopRecording(true)
      .then(function () { return api('POST', '/attentions/' + id + '/close', body); })
      .then(function () {
        if (call) { try { call.hangup(); } catch (e) { /* the call may already be over */ } }
        endAttention(tr('console.closed'));
        scheduleRefresh(0);
      })
      .catch(function (err) {
        closing = false;
        setText('close-error', errorText(err));
      });
  });

  // ---------- video: the room with FinCall ----------
  var call = null;
  var sentConnected = false;
  var peersById = {};
  function wsBase() { return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host; }
  function connState(key) { setText('conn-state', tr('console.connection.' + key)); }
  function isCitizen(id) { return !!peersById[id] && peersById[id].role === 'citizen'; }
  function peerLabel(id) { return (peersById[id] && peersById[id].label) || tr('console.chat_role.citizen'); }

  function resetCallUi() {
    sentConnected = false;
    peersById = {};
    clear($('chat-log'));
    setText('call-notice', '');
    setText('rec-status', '');
    show($('invite-result'), false);
    show($('btn-rec-stop'), false);
    $('btn-consent').disabled = false;
    ['btn-mute', 'btn-camera', 'btn-screen'].forEach(function (id) { $(id).setAttribute('aria-pressed', 'false'); $(id).disabled = false; });
    $('btn-hangup').disabled = false;
    var remote = $('remote-videos');
    Array.prototype.forEach.call(remote.querySelectorAll('video, audio'), function (v) { v.remove(); });
    show($('no-remote'), true);
    connState('idle');
  }

  function appendChat(line) {
    var log = $('chat-log');
    if (line.id && log.querySelector('[data-id="' + CSS.escape(String(line.id)) + '"]')) return;
    var at = line.at ? timeFmt.format(new Date(line.at)) : '';
    var p = el('p', { class: 'line role-' + line.role, 'data-id': line.id }, [
      el('span', { class: 'who', text: tr('console.chat_role.' + line.role) + (at ? ' · ' + at : '') + ': ' }),
    ]);
    p.appendChild(linkify(String(line.text || '')));
    log.appendChild(p);
    log.scrollTop = log.scrollHeight;
  }

  function startCall(row) {
    resetCallUi();
    if (!window.FinCall) {
      connState('failed');
      setText('attention-error', tr('errors.service_unavailable'));
      return;
    }
    connState('connecting');
    var callOver = false; // after call_ended the notice keeps asking for the closing form
    var thisCall = new window.FinCall({
      wsUrl: wsBase() + cfg.roomSocket.replace('{id}', encodeURIComponent(row.id)),
      polite: false,
      localVideo: $('local-video'),
      remoteContainer: $('remote-videos'),
      labels: { remoteVideo: tr('console.remote_video_of', { label: '{label}' }) },
      handlers: {
        onHello: function (m) {
          // the chat history arrives through onChat, each line once
          (m.peers || []).forEach(function (p) { peersById[p.id] = p; });
          if (m.status && m.status !== 'in_progress') scheduleRefresh(0);
        },
        onStatus: function (m) {
          var status = m && m.status !== undefined ? m.status : m;
          if (status && status !== 'in_progress') scheduleRefresh(0);
        },
        onChat: appendChat,
        onPeers: function (peers) {
          var before = peersById;
          peersById = {};
          (peers || []).forEach(function (p) { peersById[p.id] = p; });
          var joined = (peers || []).filter(function (p) { return !before[p.id]; });
          var left = Object.keys(before).filter(function (id) { return !peersById[id]; });
          if (callOver) { /* the citizen's page leaves when the call ends: not news, and the closing notice stays */ }
          else if (joined.length) setText('call-notice', tr('console.peer_joined', { label: joined[0].label }));
          else if (left.length) setText('call-notice', tr('console.peer_left', { label: before[left[0]].label }));
          show($('no-remote'), Object.keys(peersById).length === 0);
        },
        onConsent: function (m) {
          if (!m.given) {
            setText('rec-status', tr('console.consent_refused'));
            $('btn-consent').disabled = false;
          } else if (m.recordingId) {
            startRecording(m.recordingId);
          }
        },
        onRecording: function (m) {
          if (m && m.state === 'started' && !recorder) setText('rec-status', tr('console.recording_on'));
        },
        onCallEnded: function () {
          callOver = true;
          connState('ended');
          setText('call-notice', tr('console.call_ended'));
          ['btn-mute', 'btn-camera', 'btn-screen', 'btn-hangup', 'btn-consent'].forEach(function (id) { $(id).disabled = true; });
          stopRecording(true);
        },
        onError: function (m) {
          var code = m && m.code ? m.code : 'internal_error';
          setText('attention-error', lookup('errors.' + code) ? tr('errors.' + code) : tr('console.connection.failed'));
        },
        onScreenShareEnded: function () { $('btn-screen').setAttribute('aria-pressed', 'false'); },
        onConnectionState: function (state) {
          var s = typeof state === 'string' ? state : state && state.state;
          if (s === 'connected') {
            connState('connected');
            // talk time starts when media flows with someone, not when the socket opens
            var flowing = Array.from(thisCall.peerConnections.values()).some(function (pc) {
              return pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';
            });
            if (flowing && !sentConnected) {
              sentConnected = true;
              sentConnected = thisCall.send({ type: 'connected' }) !== false;
            }
          } else if (s === 'reconnecting' || s === 'disconnected') connState('reconnecting');
          else if (s === 'failed') connState('failed');
          else if (s === 'connecting' || s === 'new' || s === 'checking') connState('connecting');
          else if (s === 'closed' || s === 'ended') connState('ended');
        },
        onMedia: function (m) {
          if (!m) return;
          var label = peerLabel(m.from);
          if (m.screen) setText('call-notice', tr('console.remote_screen', { label: label }));
          else if (m.video === false) setText('call-notice', tr('console.remote_camera_off', { label: label }));
          else if (m.audio === false) setText('call-notice', tr('console.remote_muted', { label: label }));
          else setText('call-notice', '');
        },
        onRemoteStream: function (a, b) {
          var stream = a && typeof a.getTracks === 'function' ? a : b;
          var peerId = typeof a === 'string' ? a : b;
          show($('no-remote'), false);
          // Only the citizen consented: a guest (an interpreter) who joins is not recorded.
          if (recorder && stream && recorder.addStream && isCitizen(peerId)) {
            try { recorder.addStream(stream); } catch (e) { /* the recorder keeps what it has */ }
          }
        },
      },
    });
    call = thisCall;
    tellCall({ attention: row, call: thisCall });
    // The camera opens while the socket connects (a real camera can take most of a second to open,
    // and the citizen's first frame waits for it); transceivers exist from the start, so the tracks
    // join the connection whenever they are ready.
    thisCall.startMedia({ audio: true, video: true })
      .then(function () { if (call === thisCall) return listDevices(); })
      .catch(function () { if (call === thisCall) setText('attention-error', tr('console.media_failed')); });
    Promise.resolve()
      .then(function () { return thisCall.connect(); })
      .catch(function () {
        // refused for good (onError has said why); a passing cut is retried by FinCall itself
        if (call !== thisCall) return;
        connState('failed');
      });
  }

  function listDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return Promise.resolve();
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      var stream = call && call.localStream;
      var activeOf = function (kind) {
        var track = stream && (kind === 'videoinput' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0]);
        var settings = track && track.getSettings ? track.getSettings() : {};
        return settings.deviceId || '';
      };
      [['sel-camera', 'videoinput'], ['sel-mic', 'audioinput']].forEach(function (pair) {
        var sel = $(pair[0]);
        clear(sel);
        var found = devices.filter(function (d) { return d.kind === pair[1]; });
        if (!found.length) sel.appendChild(el('option', { value: '', text: tr('console.device_default') }));
        found.forEach(function (d, i) {
          sel.appendChild(el('option', { value: d.deviceId, text: d.label || tr(pair[1] === 'videoinput' ? 'console.camera_select' : 'console.microphone_select') + ' ' + (i + 1) }));
        });
        var active = activeOf(pair[1]);
        if (active) sel.value = active;
        sel.disabled = found.length < 2;
      });
    });
  }

  $('sel-camera').addEventListener('change', function (ev) {
    if (!call) return;
    call.switchDevice({ videoDeviceId: ev.target.value }).catch(function () { setText('attention-error', tr('console.media_failed')); });
  });
  $('sel-mic').addEventListener('change', function (ev) {
    if (!call) return;
    call.switchDevice({ audioDeviceId: ev.target.value }).catch(function () { setText('attention-error', tr('console.media_failed')); });
  });
  function toggle(id, apply) {
    var b = $(id);
    b.addEventListener('click', function () {
      if (!call) return;
      var on = b.getAttribute('aria-pressed') !== 'true';
      Promise.resolve()
        .then(function () { return apply(on); })
        .then(function (ok) { if (ok !== false) b.setAttribute('aria-pressed', on ? 'true' : 'false'); })
        .catch(function () { b.setAttribute('aria-pressed', 'false'); });
    });
  }
  toggle('btn-mute', function (on) { call.setMuted(on); });
  toggle('btn-camera', function (on) { call.setCameraOff(on); });
  toggle('btn-screen', function (on) {
    // getDisplayMedia needs the click's user gesture: called right here
    if (on) return call.startScreenShare().then(function (r) { return r !== false; });
    call.stopScreenShare();
  });
  $('btn-hangup').addEventListener('click', function () {
    if (!call) return;
    stopRecording(true).then(function () {
      if (call) call.hangup();
    });
  });

  $('chat-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var input = $('chat-input');
    var text = input.value.trim();
    if (!text || !call) return;
    call.chat(text);
    input.value = '';
  });

  $('invite-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!current) return;
    var label = $('invite-label').value.trim() || tr('console.invite_default');
    setText('attention-error', '');
    api('POST', '/attentions/' + current.id + '/invite', { label: label })
      .then(function (res) {
        $('invite-url').value = res.url;
        setText('copy-status', '');
        show($('invite-result'), true);
        $('invite-url').focus();
        $('invite-url').select();
      })
      .catch(function (err) { setText('attention-error', errorText(err)); });
  });
  $('btn-copy').addEventListener('click', function () {
    var input = $('invite-url');
    var done = function () { setText('copy-status', tr('console.copied')); };
    var fail = function () { input.focus(); input.select(); setText('copy-status', tr('console.copy_failed')); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(input.value).then(done, fail);
    else fail();
  });

  // ---------- recording (after the citizen's consent) ----------
  var recorder = null;
  var recordingId = null;
  $('btn-consent').addEventListener('click', function () {
    if (!call) return;
    if (!window.FinRecorder) { setText('rec-status', tr('console.recording_unavailable')); return; }
    call.requestConsent();
    $('btn-consent').disabled = true;
    setText('rec-status', tr('console.consent_asked'));
  });
  $('btn-rec-stop').addEventListener('click', function () { stopRecording(true); });

  function startRecording(id) {
    if (recorder || !current || !call) return;
    if (!window.FinRecorder) { setText('rec-status', tr('console.recording_unavailable')); return; }
    var base = cfg.api + '/attentions/' + current.id + '/recordings/' + id;
    // The agent and the citizen, who consented; never a guest (an interpreter), who was not asked.
    var remote = call.remoteStreams ? Array.from(call.remoteStreams.entries()).filter(function (e) { return isCitizen(e[0]); }).map(function (e) { return e[1]; }) : [];
    var streams = [call.localStream].concat(remote).filter(Boolean);
    recordingId = id;
    setText('rec-status', tr('console.recording_on'));
    Promise.resolve()
      .then(function () {
        return window.FinRecorder.start({
          streams: streams,
          chunkUrl: function (seq) { return base + '/chunks/' + seq; },
          statusUrl: base,
          finishUrl: base + '/finish',
          csrf: cfg.csrf,
          timesliceMs: 3000,
          onState: onRecorderState,
        });
      })
      .then(function (r) {
        recorder = r;
        show($('btn-rec-stop'), true);
        $('btn-consent').disabled = true;
        if (call) call.send({ type: 'recording', state: 'started' });
      })
      .catch(function () {
        recordingId = null;
        setText('rec-status', tr('console.recording_failed'));
        $('btn-consent').disabled = false;
      });
  }
  function onRecorderState(s) {
    if (!s || !recordingId) return;
    var uploaded = typeof s.uploaded === 'number' ? s.uploaded : typeof s.chunks === 'number' ? s.chunks : typeof s.uploadedChunks === 'number' ? s.uploadedChunks : null;
    if (s.state === 'failed' || s.state === 'error' || s.error) setText('rec-status', tr('console.recording_failed'));
    else if (uploaded !== null && (s.state === undefined || s.state === 'recording' || s.state === 'uploading')) setText('rec-status', tr('console.recording_chunks', { count: uploaded }));
  }
  /** Stops and finishes the recording, if any, and tells the room; never rejects. */
  function stopRecording(announce) {
    var r = recorder;
    if (!r) return Promise.resolve();
    recorder = null;
    recordingId = null;
    show($('btn-rec-stop'), false);
    var c = call;
    return Promise.resolve()
      .then(function () { return r.stop(); })
      .then(function () { setText('rec-status', tr('console.recording_stopped')); })
      .catch(function () { setText('rec-status', tr('console.recording_failed')); })
      .then(function () {
        if (announce && c) { try { c.send({ type: 'recording', state: 'stopped' }); } catch (e) { /* the room is gone */ } }
        $('btn-consent').disabled = false;
      });
  }

  // ---------- the staff socket: every change means "read the console again" ----------
  var tries = 0;
  function connect() {
    if (!('WebSocket' in window)) return;
    var ws = new WebSocket(wsBase() + cfg.staffSocket);
    var opened = false;
    ws.onopen = function () {
      opened = true;
      tries = 0;
      setText('console-live', '');
      scheduleRefresh(0);
    };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (!m) return;
      if (m.type === 'queue.changed' || m.type === 'presence.changed' || m.type === 'attention.changed' || m.type === 'agenda.changed') scheduleRefresh();
    };
    ws.onclose = function (e) {
      // refused (signed out): reading the console answers 401, which reloads to the sign-in page
      if (e.code === 1008) { setText('console-live', tr('console.live_lost')); refresh(); return; }
      if (opened || tries > 0) setText('console-live', tr('console.live_lost'));
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, tries++)));
    };
  }
  refresh();
  connect();
})();
