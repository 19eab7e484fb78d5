// The citizen's (or invited guest's) call room, on one page: lobby with a device check → waiting
// room → call → end. Data and translated strings come from #room-data; the call itself is FinCall.
(function () {
  'use strict';
  var dataEl = document.getElementById('room-data');
  if (!dataEl || !window.FinCall) return;
  var cfg = JSON.parse(dataEl.textContent);
  var S = cfg.strings || {};
  var END_STATES = { closed: 1, no_show: 1, not_reached: 1, abandoned: 1 };
  var guest = cfg.role === 'guest';

  function $(id) {
    return document.getElementById(id);
  }
  function show(el, on) {
    if (el) el.hidden = !on;
  }
  function tr(key, vars) {
    var s = S[key] !== undefined ? S[key] : key;
    return s.replace(/\{(\w+)\}/g, function (m, name) {
      return vars && vars[name] !== undefined ? String(vars[name]) : m;
    });
  }
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }
  var announceTimer = null;
  /** Says something politely to screen readers (the same text twice is said twice). */
  function announce(text) {
    var a = $('room-announcer');
    a.textContent = '';
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () {
      a.textContent = text;
    }, 60);
  }
  function showError(text) {
    $('room-error-text').textContent = text;
    show($('room-error'), true);
  }
  function hideError() {
    show($('room-error'), false);
  }

  // ---- state ---------------------------------------------------------------------------------

  var stage = cfg.mode === 'callback' ? 'waiting' : 'lobby';
  var serverStatus = null;
  var wantIn = false; // the citizen asked to enter the waiting room (or the guest to join)
  var mediaMode = 'full'; // 'full' | 'audio' | 'none'
  var ended = false;
  var clockOffset = (cfg.serverNow || Date.now()) - Date.now();
  var opensTimer = null;
  var countdownTimer = null;
  var lastQueue = null;
  var peersBefore = {};
  var mediaOf = {};

  var call = new window.FinCall({
    wsUrl: cfg.ws,
    polite: true,
    localVideo: $('self-video'),
    remoteContainer: $('remote-videos'),
    labels: { remoteVideo: S['call.remote_video'] || '{label}' },
    handlers: {
      onHello: function (m) {
        if (m.opensAt) cfg.opensAt = m.opensAt;
        hideError();
        checkConnection();
        applyStatus(m.status);
      },
      onStatus: function (m) {
        applyStatus(m.status);
      },
      onQueue: showQueue,
      onRoomOpens: function (m) {
        tooEarly(m.opensAt);
      },
      onConsentRequest: function (m) {
        if (!guest) openConsent(m.text);
      },
      onConsent: function (m) {
        show($('consent-pending'), false);
        announce(tr(m.given ? 'call.consent_given' : 'call.consent_refused'));
      },
      onRecording: function (m) {
        var on = m.state === 'started';
        show($('recording-indicator'), on);
        announce(tr(on ? 'call.recording_started' : 'call.recording_stopped'));
      },
      onCallEnded: function () {
        finish('closed');
      },
      onError: function (m) {
        var code = m && m.code;
        if (code === 'access_denied') return showError(tr('room.error_access'));
        showError(S['errors.' + code] || tr('room.error_generic'));
        if (stage === 'waiting' && serverStatus === 'lobby') setWaitingLine('');
      },
      onConnectionState: function (state) {
        $('call-connection').textContent = tr('call.' + state);
        if (state === 'reconnecting' || state === 'failed') $('connection-check').textContent = tr('device.connection_failed');
      },
      onPeers: function (peers) {
        var now = {};
        peers.forEach(function (p) {
          now[p.id] = p;
          if (!peersBefore[p.id] && stage === 'call') announce(tr('call.peer_joined', { label: p.label }));
        });
        Object.keys(peersBefore).forEach(function (id) {
          if (!now[id] && stage === 'call') announce(tr('call.peer_left', { label: peersBefore[id].label }));
        });
        peersBefore = now;
        show($('remote-empty'), peers.length === 0);
      },
      onRemoteStream: function (peerId, stream, video) {
        // nobody is heard before the call is on screen (a guest still checking their devices)
        if (video && stage !== 'call') video.muted = true;
        show($('remote-empty'), false);
        if (mediaOf[peerId]) showRemoteMedia(mediaOf[peerId]);
      },
      onMedia: function (m) {
        mediaOf[m.from] = m;
        showRemoteMedia(m);
      },
      onChat: appendChat,
      onScreenShareEnded: function () {
        $('btn-screen').setAttribute('aria-pressed', 'false');
      },
    },
  });

  window.FinRoomCall = call; // formal-citizen.js reads the formal procedure's messages from it

  // ---- stages --------------------------------------------------------------------------------

  function goStage(name) {
    if (stage === name) return;
    stage = name;
    ['lobby', 'waiting', 'call', 'end'].forEach(function (s) {
      show($('stage-' + s), s === name);
    });
    show($('room-summary'), name === 'lobby' || name === 'waiting');
    if (name !== 'lobby') stopMeter();
    var h = $(name + '-title');
    if (h) h.focus();
  }

  function applyStatus(status) {
    serverStatus = status;
    if (ended) return;
    if (END_STATES[status]) return finish(status);
    if (cfg.mode === 'callback') {
      if (status === 'in_progress') setWaitingLine(tr('room.callback_calling'));
      return;
    }
    if (status === 'in_progress') {
      // guests choose when to join; a citizen is taken to the agent at once
      if (guest && !wantIn) return;
      if (!guest && stage !== 'call') announce(tr('room.agent_coming'));
      return goCall();
    }
    if (status === 'waiting') {
      if (wantIn) {
        goStage('waiting');
        if (!lastQueue) setWaitingLine('');
      }
      return;
    }
    if (status === 'lobby' && wantIn && !opensTimer) {
      setWaitingLine(tr('room.entering'));
      call.enter();
    }
  }

  function setWaitingLine(text) {
    var p = $('waiting-line');
    p.textContent = text;
    show(p, !!text);
  }

  function showQueue(m) {
    lastQueue = m;
    setWaitingLine('');
    var pos = $('queue-position');
    pos.textContent = tr('room.position', { position: m.position });
    pos.setAttribute('data-position', String(m.position));
    show(pos, true);
    var est = $('queue-estimate');
    est.textContent = tr('room.estimate', { minutes: m.estimatedMinutes });
    show(est, true);
  }

  function serverNow() {
    return Date.now() + clockOffset;
  }

  function formatWhen(ms) {
    var o = { timeZone: cfg.timeZone, hour: '2-digit', minute: '2-digit' };
    var day = function (t) {
      return new Intl.DateTimeFormat('en-CA', { timeZone: cfg.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t));
    };
    if (day(ms) !== day(serverNow())) {
      o.weekday = 'long';
      o.day = 'numeric';
      o.month = 'long';
    }
    try {
      return new Intl.DateTimeFormat(cfg.lang, o).format(new Date(ms));
    } catch (e) {
      return new Date(ms).toLocaleString();
    }
  }

  /** Entered too early: say when it opens, count down, and go in by ourselves then. */
  function tooEarly(opensAt) {
    var at = Date.parse(opensAt);
    if (isNaN(at)) return;
    goStage('waiting');
    setWaitingLine(tr('room.too_early', { time: formatWhen(at) }) + ' ' + tr('room.auto_enter'));
    show($('opens-box'), true);
    var tick = function () {
      var minutes = Math.max(1, Math.ceil((at - serverNow()) / 60000));
      $('opens-countdown').textContent = minutes <= 180 ? tr('room.time_left', { minutes: minutes }) : '';
      show($('opens-box'), minutes <= 180);
    };
    tick();
    clearInterval(countdownTimer);
    countdownTimer = setInterval(tick, 15000);
    clearTimeout(opensTimer);
    var wait = at - serverNow();
    // a little spread so that a full waiting room does not knock all at once
    var delay = wait > 0 ? Math.min(wait + 500 + Math.random() * 2000, 2147483000) : 5000;
    opensTimer = setTimeout(function () {
      opensTimer = null;
      if (serverStatus === 'lobby' && !ended) {
        clearInterval(countdownTimer);
        show($('opens-box'), false);
        setWaitingLine(tr('room.entering'));
        call.enter();
      }
    }, delay);
  }

  function clearTimers() {
    clearTimeout(opensTimer);
    opensTimer = null;
    clearInterval(countdownTimer);
  }

  function goCall() {
    if (stage === 'call') return;
    clearTimers();
    goStage('call');
    each('#remote-videos video', function (v) {
      v.muted = false;
      var p = v.play();
      if (p && p.catch) p.catch(function () {});
    });
    ensureMedia().then(syncControls);
  }

  function finish(kind) {
    if (ended) return;
    ended = true;
    clearTimers();
    closeConsent();
    var title = 'room.end_title';
    var text = 'room.end_thanks';
    if (kind === 'abandoned') {
      title = 'room.left_queue_title';
      text = 'room.left_queue_text';
    } else if (kind === 'no_show' || kind === 'not_reached') {
      title = 'room.not_attended_title';
      text = 'room.not_attended_text';
    } else if (kind === 'left') {
      title = 'room.left_title';
      text = 'room.left_text';
    }
    $('end-title').textContent = tr(title);
    $('end-text').textContent = tr(text);
    show($('rejoin'), kind === 'left');
    if ($('survey-link')) show($('survey-link'), kind === 'closed');
    show($('queue-again'), !!cfg.queue && kind !== 'left');
    call.close();
    goStage('end');
  }

  // ---- lobby: the device check ---------------------------------------------------------------

  var lastConstraints = { audio: true, video: true };

  function problemKey(err) {
    var name = err && err.name;
    if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'device.denied';
    if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') return 'device.not_found';
    if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'device.in_use';
    if (name === 'unsupported') return 'device.unsupported';
    return 'device.failed';
  }

  function showProblem(err) {
    $('device-problem-text').textContent = tr(problemKey(err));
    show($('device-problem'), true);
    show($('preview-box'), false);
    $('device-problem-text').focus();
  }

  function setMode(mode) {
    mediaMode = mode;
    var p = $('device-mode');
    p.textContent = mode === 'audio' ? tr('device.mode_audio') : mode === 'none' ? tr('device.mode_chat') : '';
    show(p, mode !== 'full');
  }

  function mediaSupported() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.RTCPeerConnection);
  }

  function runDeviceCheck(constraints) {
    lastConstraints = constraints;
    show($('device-problem'), false);
    show($('device-ok'), false);
    if (!mediaSupported()) return showProblem({ name: 'unsupported' });
    ensureAudio();
    return call
      .startMedia(constraints)
      .then(function (stream) {
        var video = stream.getVideoTracks().length > 0;
        setMode(video ? 'full' : 'audio');
        var preview = $('preview');
        preview.srcObject = video ? stream : null;
        show($('preview-box'), video);
        if (video) {
          var p = preview.play();
          if (p && p.catch) p.catch(function () {});
        }
        startMeter(stream);
        var ok = $('device-ok');
        ok.textContent = tr('device.working');
        show(ok, true);
        show($('device-start'), false);
        ok.focus();
        return fillDevices();
      })
      .catch(showProblem);
  }

  $('device-start').addEventListener('click', function () {
    runDeviceCheck({ audio: true, video: true });
  });
  $('device-retry').addEventListener('click', function () {
    runDeviceCheck(lastConstraints.video ? lastConstraints : { audio: true, video: true });
  });
  $('device-audio-only').addEventListener('click', function () {
    runDeviceCheck({ audio: true, video: false });
  });
  $('device-chat-only').addEventListener('click', function () {
    show($('device-problem'), false);
    setMode('none');
    $('enter-button').focus();
  });

  /** The cameras and microphones, in the lobby and in the call. */
  function fillDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return Promise.resolve();
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      var stream = call.localStream;
      var active = function (kind) {
        var t = stream && (kind === 'videoinput' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0]);
        return t && t.getSettings ? t.getSettings().deviceId || '' : '';
      };
      var any = false;
      each('select[data-kind]', function (sel) {
        var kind = sel.getAttribute('data-kind');
        var list = devices.filter(function (d) {
          return d.kind === kind && d.deviceId;
        });
        while (sel.firstChild) sel.removeChild(sel.firstChild);
        list.forEach(function (d, i) {
          var o = document.createElement('option');
          o.value = d.deviceId;
          o.textContent = d.label || tr(kind === 'videoinput' ? 'device.camera_n' : 'device.microphone_n', { n: i + 1 });
          sel.appendChild(o);
        });
        var current = active(kind);
        if (current) sel.value = current;
        show(sel.parentNode, list.length > 0 && !!current);
        if (list.length && current) any = true;
      });
      each('.device-pickers', function (box) {
        show(box, any);
      });
    });
  }

  each('select[data-kind]', function (sel) {
    sel.addEventListener('change', function () {
      var o = sel.getAttribute('data-kind') === 'videoinput' ? { videoDeviceId: sel.value } : { audioDeviceId: sel.value };
      call
        .switchDevice(o)
        .then(function (stream) {
          if (stage === 'lobby') {
            $('preview').srcObject = stream;
            startMeter(stream);
          }
          if ($('self-video').srcObject !== stream) $('self-video').srcObject = stream;
          return fillDevices();
        })
        .catch(showDeviceError);
    });
  });

  function showDeviceError(err) {
    if (stage === 'lobby') showProblem(err);
    else announce(tr(problemKey(err)));
  }

  // the microphone level, from a WebAudio analyser
  var audioCtx = null;
  var meterSource = null;
  var meterTimer = null;
  function ensureAudio() {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return null;
    if (!audioCtx) audioCtx = new AC();
    if (audioCtx.state === 'suspended') audioCtx.resume().catch(function () {});
    return audioCtx;
  }
  function stopMeter() {
    clearTimeout(meterTimer);
    meterTimer = null;
    if (meterSource) {
      try {
        meterSource.disconnect();
      } catch (e) {
        /* gone */
      }
    }
    meterSource = null;
  }
  function startMeter(stream) {
    stopMeter();
    var track = stream.getAudioTracks()[0];
    var ctx = ensureAudio();
    show($('mic-field'), !!(track && ctx));
    if (!track || !ctx) return;
    var meter = $('mic-level');
    var analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    meterSource = ctx.createMediaStreamSource(new MediaStream([track]));
    meterSource.connect(analyser);
    var buf = new Uint8Array(analyser.fftSize);
    var heard = false;
    var tick = function () {
      analyser.getByteTimeDomainData(buf);
      var sum = 0;
      for (var i = 0; i < buf.length; i++) {
        var v = (buf[i] - 128) / 128;
        sum += v * v;
      }
      var level = Math.min(100, Math.round(Math.sqrt(sum / buf.length) * 400));
      meter.value = level;
      meter.setAttribute('aria-valuetext', level + '%');
      if (level >= 8 && !heard) {
        heard = true;
        show($('mic-heard'), true);
      }
      meterTimer = setTimeout(tick, 100);
    };
    tick();
  }

  $('speaker-test').addEventListener('click', function () {
    var ctx = ensureAudio();
    if (!ctx) return;
    var t0 = ctx.currentTime + 0.02;
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = 660;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.35, t0 + 0.05);
    gain.gain.setValueAtTime(0.35, t0 + 0.55);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.7);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + 0.75);
  });

  function checkConnection() {
    var el = $('connection-check');
    el.textContent = tr('device.connection_checking');
    call
      .ping()
      .then(function (ms) {
        el.setAttribute('data-rtt', String(ms));
        el.textContent = tr(ms > 600 ? 'device.connection_slow' : 'device.connection_ok', { ms: ms });
      })
      .catch(function () {
        el.textContent = tr('device.connection_failed');
      });
  }

  $('enter-button').addEventListener('click', function () {
    wantIn = true;
    hideError();
    if (guest || serverStatus === 'in_progress') {
      if (serverStatus && END_STATES[serverStatus]) return finish(serverStatus);
      return goCall();
    }
    goStage('waiting');
    if (lastQueue) showQueue(lastQueue);
    if (serverStatus === 'lobby') {
      setWaitingLine(tr('room.entering'));
      call.enter();
    } else if (serverStatus === null) {
      setWaitingLine(tr('device.connection_checking'));
    }
  });

  each('[data-leave-queue]', function (b) {
    b.addEventListener('click', function () {
      if (!call.leaveQueue()) showError(tr('call.reconnecting'));
    });
  });

  // ---- the call ------------------------------------------------------------------------------

  function ensureMedia() {
    if (call.localStream || mediaMode === 'none' || !mediaSupported()) return Promise.resolve();
    return call
      .startMedia({ audio: true, video: mediaMode === 'full' })
      .catch(function () {
        return call.startMedia({ audio: true, video: false });
      })
      .catch(function () {
        setMode('none');
      })
      .then(function () {
        return fillDevices();
      });
  }

  function syncControls() {
    var s = call.localStream;
    var hasAudio = !!(s && s.getAudioTracks().length);
    var hasVideo = !!(s && s.getVideoTracks().length);
    $('btn-mute').disabled = !hasAudio;
    $('btn-camera').disabled = !hasVideo;
    show($('self-video'), hasVideo);
    show($('btn-screen'), !!(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia));
    call.sendMediaState();
  }

  function toggle(id, apply) {
    var b = $(id);
    b.addEventListener('click', function () {
      var on = b.getAttribute('aria-pressed') !== 'true';
      Promise.resolve(apply(on)).then(function (ok) {
        if (ok !== false) b.setAttribute('aria-pressed', String(on));
      });
    });
  }
  toggle('btn-mute', function (on) {
    call.setMuted(on);
  });
  toggle('btn-camera', function (on) {
    call.setCameraOff(on);
  });
  toggle('btn-screen', function (on) {
    if (!on) return call.stopScreenShare();
    return call.startScreenShare().catch(function (err) {
      if (!err || err.name !== 'NotAllowedError') announce(tr('call.screen_failed'));
      return false;
    });
  });
  $('btn-leave').addEventListener('click', function () {
    finish('left');
  });
  $('rejoin').addEventListener('click', function () {
    location.reload();
  });

  function showRemoteMedia(m) {
    var tile = document.querySelector('.fin-remote[data-peer="' + (window.CSS && CSS.escape ? CSS.escape(m.from) : m.from) + '"]');
    if (!tile) return;
    var st = tile.querySelector('.fin-remote-state');
    if (!st) {
      st = document.createElement('p');
      st.className = 'fin-remote-state';
      tile.appendChild(st);
    }
    var parts = [];
    if (m.screen) parts.push(tr('call.is_sharing'));
    else if (!m.video) parts.push(tr('call.camera_is_off'));
    if (!m.audio) parts.push(tr('call.mic_is_off'));
    st.textContent = parts.join(' · ');
    show(st, parts.length > 0);
  }

  // chat: text nodes only; http(s) links become <a>, nothing else is ever parsed as HTML
  var URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
  function safeHref(s) {
    try {
      var u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (e) {
      return null;
    }
  }
  function linkify(parent, text) {
    var last = 0;
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text))) {
      var raw = m[0].replace(/[.,;:!?)\]}'»]+$/, '');
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var href = safeHref(raw);
      if (href) {
        var a = document.createElement('a');
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.textContent = raw;
        var sr = document.createElement('span');
        sr.className = 'sr-only';
        sr.textContent = ' ' + tr('call.new_window');
        a.appendChild(sr);
        parent.appendChild(a);
      } else {
        parent.appendChild(document.createTextNode(raw));
      }
      last = m.index + raw.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }
  var timeFmt;
  try {
    timeFmt = new Intl.DateTimeFormat(cfg.lang, { timeZone: cfg.timeZone, hour: '2-digit', minute: '2-digit' });
  } catch (e) {
    timeFmt = { format: function (d) { return d.toLocaleTimeString(); } };
  }
  function appendChat(line) {
    var log = $('chat-log');
    var mine = call.you && line.role === call.you.role;
    var p = document.createElement('p');
    p.className = 'chat-line ' + (mine ? 'mine' : 'theirs');
    var who = document.createElement('span');
    who.className = 'who';
    var name = mine ? tr('call.you') : tr('call.' + (line.role === 'agent' ? 'agent' : line.role === 'guest' ? 'guest' : 'citizen'));
    who.textContent = name + (line.at ? ' (' + timeFmt.format(new Date(line.at)) + ')' : '') + ': ';
    p.appendChild(who);
    var body = document.createElement('span');
    body.className = 'text';
    linkify(body, String(line.text || ''));
    p.appendChild(body);
    log.appendChild(p);
    log.scrollTop = log.scrollHeight;
  }
  $('chat-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var ta = $('chat-text');
    var text = ta.value.trim();
    if (!text) return;
    if (call.chat(text)) ta.value = '';
    else announce(tr('call.reconnecting'));
  });
  $('chat-text').addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      var f = $('chat-form');
      if (f.requestSubmit) f.requestSubmit();
      else f.dispatchEvent(new Event('submit', { cancelable: true }));
    }
  });

  // consent to the recording: a modal dialog that takes the focus
  var dialog = $('consent-dialog');
  var answered = true;
  var returnFocus = null;
  function openConsent(text) {
    $('consent-text').textContent = text;
    answered = false;
    show($('consent-pending'), false);
    returnFocus = document.activeElement;
    if (typeof dialog.showModal === 'function') {
      if (!dialog.open) dialog.showModal();
    } else {
      dialog.setAttribute('open', '');
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
    }
    $('consent-yes').focus();
  }
  function closeConsent() {
    if (dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
    }
  }
  function answer(given) {
    answered = true;
    call.answerConsent(given);
    closeConsent();
    var back = returnFocus && document.contains(returnFocus) && returnFocus !== document.body ? returnFocus : $('call-title');
    back.focus();
  }
  $('consent-yes').addEventListener('click', function () {
    answer(true);
  });
  $('consent-no').addEventListener('click', function () {
    answer(false);
  });
  // Escape does not answer for the citizen; if the dialog is closed anyway, a button reopens it.
  dialog.addEventListener('cancel', function (e) {
    e.preventDefault();
  });
  dialog.addEventListener('close', function () {
    if (!answered && !ended) show($('consent-pending'), true);
  });
  $('consent-reopen').addEventListener('click', function () {
    openConsent($('consent-text').textContent);
  });

  window.addEventListener('pagehide', function () {
    call.close();
  });

  call.connect().catch(function () {
    /* told through onError */
  });
})();
