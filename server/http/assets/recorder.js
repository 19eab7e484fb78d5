// Records a call in the agent's browser and uploads it in chunks while it goes on, so that a crash
// or a network cut loses at most the last seconds. Plain ES2020, no build step.
//
//   const rec = FinRecorder.start({ streams, chunkUrl(seq), statusUrl, finishUrl, csrf, timesliceMs = 3000, onState });
//   rec.addStream(stream);   // a participant who joined later
//   await rec.stop();        // flush, wait for the uploads (with a timeout), then finish on the server
//
// Video: every stream's video side by side on a canvas (~15 fps, letterboxed). Audio: every audio track
// mixed with WebAudio. (Chromium plays a remote WebRTC track into WebAudio only while the stream is also
// attached to a media element, as the call page does.) The mix is recorded with MediaRecorder in slices of
// `timesliceMs`; each slice gets the next sequence number and joins an upload queue: PUT with retries and
// exponential backoff (up to 30 s apart, for as long as the page lives). After a cut, the server's list of
// received chunks is read again and only what it lacks is sent. Unsent chunks are also kept in IndexedDB,
// so a reload that starts the same recording again sends them (best effort; numbering continues after the
// highest chunk known, and the new part starts a new WebM stream inside the same file).
//
// onState({ state, recording, uploaded, pending, bytes, lastError, sha256? }) on every change;
// state: 'starting' | 'recording' | 'stopping' | 'complete' | 'failed'.
(function () {
  'use strict';

  var FPS = 15;
  var WIDTH = 1280;
  var HEIGHT = 720;
  var MAX_BACKOFF_MS = 30000;
  var DRAIN_TIMEOUT_MS = 60000;
  var REQUEST_TIMEOUT_MS = 120000;
  var KEEP_UNSENT_MS = 2 * 24 * 3600 * 1000;
  var TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm', 'video/mp4'];
  // Answers after which sending again cannot help.
  var FATAL = { recording_not_active: 1, recording_consent_missing: 1, attention_not_found: 1, forbidden: 1, tenant_not_found: 1, not_found: 1 };
  // Answers about one chunk only: drop it and go on.
  var DROP = { chunk_conflict: 1, payload_too_large: 1, validation_failed: 1, unsupported_media_type: 1 };

  function sleep(ms) {
    return new Promise(function (r) { setTimeout(r, ms); });
  }
  // A request that hangs (a cut that resets nothing) is abandoned and tried again.
  function timedFetch(url, init) {
    var ctl = window.AbortController ? new AbortController() : null;
    var t = ctl ? setTimeout(function () { ctl.abort(); }, REQUEST_TIMEOUT_MS) : null;
    return fetch(url, Object.assign({}, init, ctl ? { signal: ctl.signal } : {})).then(
      function (res) { clearTimeout(t); return res; },
      function (e) { clearTimeout(t); throw e; }
    );
  }

  // ---------- IndexedDB: unsent chunks survive a reload (best effort; any failure is ignored) ----------
  var dbPromise = null;
  function db() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve) {
      try {
        if (!window.indexedDB) return resolve(null);
        var req = indexedDB.open('finestreta-recorder', 1);
        req.onupgradeneeded = function () {
          var store = req.result.createObjectStore('chunks', { keyPath: 'url' });
          store.createIndex('recording', 'recording');
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { resolve(null); };
        req.onblocked = function () { resolve(null); };
      } catch (e) {
        resolve(null);
      }
    });
    return dbPromise;
  }
  function idb(mode, fn) {
    return db().then(function (d) {
      if (!d) return undefined;
      return new Promise(function (resolve) {
        try {
          var tx = d.transaction('chunks', mode);
          var out = fn(tx.objectStore('chunks'));
          tx.oncomplete = function () { resolve(out && 'result' in out ? out.result : undefined); };
          tx.onerror = function () { resolve(undefined); };
          tx.onabort = function () { resolve(undefined); };
        } catch (e) {
          resolve(undefined);
        }
      });
    });
  }
  function saveChunk(item, recording) {
    return idb('readwrite', function (s) { return s.put({ url: item.url, recording: recording, seq: item.seq, blob: item.blob, at: Date.now() }); });
  }
  // Chunks of recordings never started again are not kept for ever.
  function purgeOld() {
    return idb('readwrite', function (s) {
      var req = s.openCursor();
      req.onsuccess = function () {
        var c = req.result;
        if (!c) return;
        if (!(c.value.at > Date.now() - KEEP_UNSENT_MS)) c.delete();
        c.continue();
      };
    });
  }
  function forgetChunk(url) {
    return idb('readwrite', function (s) { return s.delete(url); });
  }
  function storedChunks(recording) {
    return idb('readonly', function (s) { return s.index('recording').getAll(recording); }).then(function (rows) { return rows || []; });
  }

  // ---------- composition: video tiles on a canvas, audio mixed ----------
  function Mixer() {
    this.canvas = document.createElement('canvas');
    this.canvas.width = WIDTH;
    this.canvas.height = HEIGHT;
    this.g = this.canvas.getContext('2d');
    this.tiles = [];
    this.audioTracks = {};
    var AC = window.AudioContext || window.webkitAudioContext;
    this.audio = new AC();
    this.dest = this.audio.createMediaStreamDestination();
    // A silent source keeps the audio track producing samples even before anyone speaks.
    var silence = this.audio.createConstantSource ? this.audio.createConstantSource() : null;
    if (silence) {
      var mute = this.audio.createGain();
      mute.gain.value = 0;
      silence.connect(mute).connect(this.dest);
      silence.start();
    }
    if (this.audio.state === 'suspended') this.audio.resume().catch(function () {});
    var self = this;
    this.draw();
    // A timer, not requestAnimationFrame: the page may be in the background while the call goes on.
    this.timer = setInterval(function () { self.draw(); }, Math.round(1000 / FPS));
  }
  Mixer.prototype.add = function (stream) {
    if (!stream || this.tiles.some(function (t) { return t.stream === stream; })) return;
    var video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    video.srcObject = stream;
    var p = video.play();
    if (p && p.catch) p.catch(function () {});
    var self = this;
    var tile = { stream: stream, video: video, onTrack: function () { self.connectAudio(stream); } };
    stream.addEventListener('addtrack', tile.onTrack);
    this.tiles.push(tile);
    this.connectAudio(stream);
  };
  Mixer.prototype.connectAudio = function (stream) {
    var self = this;
    stream.getAudioTracks().forEach(function (track) {
      if (self.audioTracks[track.id]) return;
      try {
        var src = self.audio.createMediaStreamSource(new MediaStream([track]));
        src.connect(self.dest);
        self.audioTracks[track.id] = src;
      } catch (e) { /* a track that cannot be mixed is left out */ }
    });
  };
  Mixer.prototype.draw = function () {
    var g = this.g;
    g.fillStyle = '#000';
    g.fillRect(0, 0, WIDTH, HEIGHT);
    var live = this.tiles.filter(function (t) {
      return t.video.videoWidth > 0 && t.stream.getVideoTracks().some(function (v) { return v.readyState === 'live'; });
    });
    if (!live.length) return;
    var w = WIDTH / live.length;
    live.forEach(function (t, i) {
      var vw = t.video.videoWidth;
      var vh = t.video.videoHeight;
      var scale = Math.min(w / vw, HEIGHT / vh);
      var dw = vw * scale;
      var dh = vh * scale;
      try { g.drawImage(t.video, i * w + (w - dw) / 2, (HEIGHT - dh) / 2, dw, dh); } catch (e) { /* frame not ready */ }
    });
  };
  Mixer.prototype.stream = function () {
    var out = new MediaStream();
    this.canvas.captureStream(FPS).getVideoTracks().forEach(function (t) { out.addTrack(t); });
    this.dest.stream.getAudioTracks().forEach(function (t) { out.addTrack(t); });
    return out;
  };
  Mixer.prototype.close = function () {
    clearInterval(this.timer);
    this.tiles.forEach(function (t) {
      t.stream.removeEventListener('addtrack', t.onTrack);
      t.video.srcObject = null;
    });
    this.tiles = [];
    Object.keys(this.audioTracks).forEach(function (id) { try { this.audioTracks[id].disconnect(); } catch (e) { /* gone */ } }, this);
    this.audio.close().catch(function () {});
  };

  // ---------- the recorder ----------
  function start(opts) {
    if (!opts || typeof opts.chunkUrl !== 'function' || !opts.statusUrl || !opts.finishUrl) throw new Error('FinRecorder.start: chunkUrl, statusUrl and finishUrl are required');
    if (!window.MediaRecorder) throw new Error('MediaRecorder is not supported');
    var timeslice = opts.timesliceMs || 3000;
    var drainTimeout = opts.drainTimeoutMs || DRAIN_TIMEOUT_MS;
    var csrf = function () { return typeof opts.csrf === 'function' ? opts.csrf() : opts.csrf || ''; };
    var onState = typeof opts.onState === 'function' ? opts.onState : function () {};
    var mimeType = TYPES.filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0] || '';
    var contentType = /^(video|audio)\/webm/.test(mimeType) ? mimeType : 'application/octet-stream';

    var mixer = new Mixer();
    (opts.streams || []).forEach(function (s) { mixer.add(s); });
    var recorder = new MediaRecorder(mixer.stream(), mimeType ? { mimeType: mimeType, videoBitsPerSecond: 1000000, audioBitsPerSecond: 64000 } : undefined);
    mimeType = recorder.mimeType || mimeType;

    var st = { state: 'starting', recording: false, uploaded: 0, pending: 0, bytes: 0, lastError: null, sha256: null };
    var queue = []; // { seq, url, blob } in order of seq
    var early = []; // blobs produced before the first sequence number is known
    var nextSeq = null;
    var fatal = null;
    var wake = null;
    var busy = false;
    var drained = [];
    var stopping = null;

    function emit() {
      st.pending = queue.length + early.length;
      try { onState(Object.assign({}, st)); } catch (e) { /* the page's handler is its own business */ }
    }
    function notifyDrained() {
      if (queue.length || early.length || busy) return;
      drained.splice(0).forEach(function (f) { f(); });
    }
    function kick() {
      if (wake) { var w = wake; wake = null; w(); }
      pump();
    }
    function errorCode(res) {
      return res.json().then(function (j) { return (j && j.code) || 'http_' + res.status; }, function () { return 'http_' + res.status; });
    }
    function getStatus() {
      return timedFetch(opts.statusUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (res) {
        if (res.ok) return res.json();
        return errorCode(res).then(function (code) { var e = new Error(code); e.code = code; e.status = res.status; throw e; });
      });
    }
    function setFatal(code) {
      fatal = code;
      busy = false;
      st.lastError = code;
      st.state = 'failed';
      queue.forEach(function (item) { forgetChunk(item.url); });
      queue = [];
      early = [];
      if (recorder.state !== 'inactive') { try { recorder.stop(); } catch (e) { /* already stopping */ } }
      emit();
      drained.splice(0).forEach(function (f) { f(); });
    }
    function enqueue(blob, seq, url) {
      var item = { seq: seq, url: url || opts.chunkUrl(seq), blob: blob };
      if (queue.some(function (q) { return q.seq === seq; })) return;
      queue.push(item);
      queue.sort(function (a, b) { return a.seq - b.seq; });
      if (!url) saveChunk(item, opts.statusUrl);
      emit();
      kick();
    }
    function numberEarly() {
      early.splice(0).forEach(function (blob) { enqueue(blob, nextSeq++); });
    }

    // What the server already has (after a reload, or a cut) is not sent again.
    function reconcile() {
      return getStatus().then(function (s) {
        if (s.status !== 'recording') {
          if (s.status === 'complete') st.sha256 = s.sha256;
          return s;
        }
        var have = {};
        (s.chunks || []).forEach(function (n) { have[n] = 1; });
        queue = queue.filter(function (item) {
          if (!have[item.seq]) return true;
          forgetChunk(item.url);
          return false;
        });
        emit();
        return s;
      });
    }

    // The first sequence number follows whatever the server and this browser already hold for this recording.
    function init(tries) {
      return Promise.all([getStatus(), storedChunks(opts.statusUrl)]).then(function (r) {
        var s = r[0];
        var stored = r[1];
        if (s.status !== 'recording') return setFatal('recording_not_active');
        var top = -1;
        (s.chunks || []).forEach(function (n) { if (n > top) top = n; });
        var have = {};
        (s.chunks || []).forEach(function (n) { have[n] = 1; });
        stored.forEach(function (row) {
          if (row.seq > top) top = row.seq;
          if (have[row.seq]) forgetChunk(row.url);
          else enqueue(row.blob, row.seq, row.url);
        });
        nextSeq = top + 1;
        numberEarly();
        kick();
      }, function (e) {
        if (e && e.code && FATAL[e.code]) return setFatal(e.code);
        st.lastError = (e && e.code) || 'network';
        emit();
        return sleep(Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, tries))).then(function () { return init(tries + 1); });
      });
    }

    function pump() {
      if (busy || fatal || nextSeq === null || !queue.length) { notifyDrained(); return; }
      busy = true;
      var failures = 0;
      var hadFailure = false;
      (function next() {
        if (fatal || !queue.length) { busy = false; notifyDrained(); return; }
        var item = queue[0];
        timedFetch(item.url, {
          method: 'PUT',
          credentials: 'same-origin',
          headers: { 'content-type': contentType, 'x-csrf-token': csrf(), accept: 'application/json' },
          body: item.blob,
        }).then(function (res) {
          if (res.ok) return null;
          return errorCode(res).then(function (code) { return { code: code, status: res.status }; });
        }, function () {
          return { code: 'network', status: 0 };
        }).then(function (err) {
          if (!err || DROP[err.code]) {
            queue = queue.filter(function (q) { return q !== item; });
            forgetChunk(item.url);
            if (!err) { st.uploaded++; st.bytes += item.blob.size; } else st.lastError = err.code;
            failures = 0;
            if (hadFailure) {
              hadFailure = false;
              st.lastError = err ? err.code : null;
              emit();
              return reconcile().then(next, next);
            }
            if (!err) st.lastError = null;
            emit();
            return next();
          }
          if (FATAL[err.code]) return setFatal(err.code);
          // Network, server trouble, rate limit, an expired session: wait and try again, for as long as the page lives.
          st.lastError = err.code;
          hadFailure = true;
          emit();
          var delay = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, failures++)) * (0.8 + Math.random() * 0.4);
          return new Promise(function (resolve) {
            var t = setTimeout(resolve, delay);
            wake = function () { clearTimeout(t); resolve(); };
          }).then(next);
        });
      })();
    }

    window.addEventListener('online', kick);
    recorder.ondataavailable = function (e) {
      if (!e.data || !e.data.size || fatal) return;
      if (nextSeq === null) { early.push(e.data); emit(); return; }
      enqueue(e.data, nextSeq++);
    };
    recorder.onerror = function (e) {
      st.lastError = (e && e.error && e.error.name) || 'recorder_error';
      emit();
    };
    recorder.start(timeslice);
    st.state = 'recording';
    st.recording = true;
    emit();
    purgeOld().then(function () { return init(0); });

    function finish() {
      var body = JSON.stringify({ chunks: nextSeq || 0, mimeType: /^(video|audio)\/(webm|mp4)/.test(mimeType) ? mimeType : undefined });
      var attempt = function (tries) {
        return timedFetch(opts.finishUrl, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf(), accept: 'application/json' },
          body: body,
        }).then(function (res) {
          if (res.ok) return res.json();
          return errorCode(res).then(function (code) { var e = new Error(code); e.code = code; e.status = res.status; throw e; });
        }).catch(function (e) {
          if (tries >= 5 || (e && e.status && e.status < 500 && e.status !== 429)) throw e;
          return sleep(Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, tries))).then(function () { return attempt(tries + 1); });
        });
      };
      return attempt(0).then(function poll(r, polls) {
        polls = polls || 0;
        // Another server process is assembling it: ask again until it is done.
        if (r.status === 'assembling' && polls < 30) return sleep(1000).then(getStatus).then(function (s) { return poll(s, polls + 1); });
        return r;
      });
    }

    function stop() {
      if (stopping) return stopping;
      st.state = 'stopping';
      emit();
      var flushed = new Promise(function (resolve) {
        if (recorder.state === 'inactive') return resolve();
        recorder.addEventListener('stop', function () { resolve(); }, { once: true });
        try { recorder.stop(); } catch (e) { resolve(); }
      });
      stopping = flushed
        .then(function () {
          st.recording = false;
          mixer.close();
          emit();
          var waitDrain = new Promise(function (resolve) { drained.push(resolve); kick(); notifyDrained(); });
          var timeout = new Promise(function (resolve) { setTimeout(function () { resolve('timeout'); }, drainTimeout); });
          return Promise.race([waitDrain, timeout]);
        })
        .then(function (r) {
          if (fatal) { var f = new Error(fatal); f.code = fatal; throw f; }
          if (r === 'timeout') {
            // Still uploading: keep going in the background and finish once everything is sent.
            new Promise(function (resolve) { drained.push(resolve); notifyDrained(); }).then(function () { return fatal ? null : finish(); }).then(function (done) {
              if (done) { st.state = done.status === 'complete' ? 'complete' : 'failed'; st.sha256 = done.sha256 || null; emit(); }
            }, function () {});
            var e = new Error('upload_pending');
            e.code = 'upload_pending';
            st.lastError = 'upload_pending';
            emit();
            throw e;
          }
          return finish();
        })
        .then(function (done) {
          window.removeEventListener('online', kick);
          st.state = done.status === 'complete' ? 'complete' : 'failed';
          st.sha256 = done.sha256 || null;
          st.lastError = done.status === 'complete' ? null : done.status;
          emit();
        }, function (e) {
          if (e && e.code !== 'upload_pending') {
            st.state = 'failed';
            st.lastError = e.code || 'finish_failed';
            emit();
          }
          throw e;
        });
      return stopping;
    }

    return {
      stop: stop,
      addStream: function (stream) { mixer.add(stream); },
      /** The media type being recorded. */
      mimeType: mimeType,
    };
  }

  window.FinRecorder = { start: start };
})();
