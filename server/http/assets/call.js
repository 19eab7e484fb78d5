// FinCall: one participant of a call room (citizen, guest or agent). Plain ES2020, no modules.
// Talks the room protocol of docs/LIVE.md over a WebSocket and keeps one RTCPeerConnection per
// remote peer (mesh, up to 3 participants) with "perfect negotiation".
//
//   const call = new FinCall({ wsUrl, polite, localVideo, remoteContainer,
//     labels: { remoteVideo: 'Video of {label}' }, handlers: { … } });
//   await call.connect();          // resolves on the first `hello`; reconnects with backoff (never after 1008)
//   await call.startMedia({ audio, video, audioDeviceId, videoDeviceId });
//   call.enter(); call.leaveQueue(); call.chat(text); await call.ping();      // → round trip in ms
//   call.setMuted(b); call.setCameraOff(b); await call.switchDevice({ audioDeviceId, videoDeviceId });
//   await call.startScreenShare(); call.stopScreenShare();                     // from a click
//   call.requestConsent(); call.answerConsent(given); call.send(msg); call.hangup(); call.close();
//   call.localStream; call.remoteStreams (Map peerId → MediaStream); call.peerConnections (Map peerId → RTCPeerConnection)
//
// Handlers (all optional). Those named after a server message get that message as it came:
//   onHello(msg)                 { you, room, status, iceServers, peers, chat, opensAt? }, on every (re)connection
//   onStatus(msg)                { status, room? }: 'lobby' | 'waiting' | 'in_progress' | 'closed' | 'no_show' | 'not_reached' | 'abandoned'
//   onChat(line)                 { id, role, text, at }, each line once (the history in `hello` included, never repeated)
//   onQueue(msg)                 { position, estimatedMinutes }
//   onPeers(peers)               the remote participants present now: [{ id, role, label }]
//   onConsentRequest(msg)        { text }           onConsent(msg) { given, at, recordingId? }
//   onRecording(msg)             { state: 'started' | 'stopped' }
//   onCallEnded(msg)             onRoomOpens(msg) { opensAt }          onMedia(msg) { from, audio, video, screen }
//   onError(msg)                 { code }: a server error code (translate `errors.<code>`), or, when the server closed
//                                the socket for good (1008), 'access_denied' (before hello) / 'socket_closed' (after)
//   onConnectionState(state)     'connecting' | 'connected' | 'reconnecting' | 'failed': the socket and the media together
//                                ('connected' = socket up and media flowing with everyone in the room)
//   onRemoteStream(peerId, stream, videoElement)   a remote participant's media arrived (its <video> is in remoteContainer)
//   onScreenShareEnded()         screen sharing stopped (also from the browser's own "stop sharing" button)
(function () {
  'use strict';

  var POLICY_VIOLATION = 1008;
  var LEFT_GRACE_MS = 20000;
  var DISCONNECTED_RESTART_MS = 2000;
  var MAX_RESTART_PAUSE_MS = 16000;
  var KEEPALIVE_MS = 25000;
  var PONG_TIMEOUT_MS = 10000;

  function randomId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function noop() {}

  function FinCall(opts) {
    opts = opts || {};
    this.wsUrl = opts.wsUrl;
    this.polite = opts.polite !== false;
    this.localVideo = opts.localVideo || null;
    this.remoteContainer = opts.remoteContainer || null;
    this.labels = Object.assign({ remoteVideo: '{label}' }, opts.labels || {});
    this.handlers = opts.handlers || {};
    /** Kept across socket reconnections so that the others resume the call (ICE restart) instead of rebuilding it. */
    this.peerId = opts.peerId || randomId();
    this.you = null;
    this.room = null;
    this.status = null;
    this.iceServers = [];
    this.localStream = null;
    this.screenTrack = null;
    this.muted = false;
    this.cameraOff = false;
    this.remoteStreams = new Map();
    this.peerConnections = new Map();
    this.peers = new Map(); // peerId → state of the link with that peer
    this.present = new Map(); // peerId → { id, role, label } of those in the room now
    this.seenChat = new Set();
    this.ws = null;
    this.closed = false;
    this.tries = 0;
    this.helloCount = 0;
    this.pongWaiters = [];
    this.connState = null;
    this.socketState = 'connecting';
    this.keepalive = null;
  }

  FinCall.prototype.emit = function (name) {
    var h = this.handlers[name];
    if (typeof h !== 'function') return;
    try {
      h.apply(null, Array.prototype.slice.call(arguments, 1));
    } catch (e) {
      if (window.console) console.error(e);
    }
  };

  // ---- socket ----------------------------------------------------------------------------

  FinCall.prototype.socketUrl = function () {
    var u = this.wsUrl;
    if (u.charAt(0) === '/') u = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + u;
    return u + (u.indexOf('?') >= 0 ? '&' : '?') + 'peer=' + encodeURIComponent(this.peerId);
  };

  /** Opens the socket; resolves on the first `hello`, rejects if the server refuses us for good. */
  FinCall.prototype.connect = function () {
    var self = this;
    if (this.connecting) return this.connecting;
    this.connecting = new Promise(function (resolve, reject) {
      self.onFirstHello = resolve;
      self.onRefused = reject;
      self.open();
    });
    return this.connecting;
  };

  FinCall.prototype.open = function () {
    var self = this;
    if (this.closed) return;
    var ws;
    try {
      ws = new WebSocket(this.socketUrl());
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.updateConnectionState();
    ws.onmessage = function (ev) {
      if (ws !== self.ws) return;
      var m;
      try {
        m = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (m && typeof m.type === 'string') self.handle(m);
    };
    ws.onclose = function (ev) {
      if (ws !== self.ws) return;
      self.socketGone();
      if (self.closed) return;
      if (ev.code === POLICY_VIOLATION) {
        self.closed = true;
        self.socketState = 'failed';
        self.updateConnectionState();
        var code = self.helloCount ? 'socket_closed' : 'access_denied';
        self.emit('onError', { type: 'error', code: code });
        if (self.onRefused) self.onRefused(new Error(code));
        return;
      }
      self.scheduleReconnect();
    };
  };

  /** Forgets the current socket (closed, or silent for too long). */
  FinCall.prototype.socketGone = function () {
    this.ws = null;
    clearInterval(this.keepalive);
    this.pongWaiters.splice(0).forEach(function (w) {
      w.reject(new Error('socket closed'));
    });
  };

  FinCall.prototype.scheduleReconnect = function () {
    var self = this;
    this.socketState = this.helloCount ? 'reconnecting' : 'connecting';
    this.updateConnectionState();
    var delay = Math.min(30000, 1000 * Math.pow(2, this.tries++)) * (0.75 + Math.random() * 0.5);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(function () {
      self.open();
    }, delay);
  };

  /** Sends one protocol message; false when the socket is not open (the message is dropped). */
  FinCall.prototype.send = function (msg) {
    var ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  };

  FinCall.prototype.startKeepalive = function () {
    var self = this;
    clearInterval(this.keepalive);
    this.keepalive = setInterval(function () {
      var ws = self.ws;
      self.ping().catch(function () {
        // No answer: the socket is dead even if the browser has not noticed (its close may take
        // minutes on a cut line). Leave it and start a new one now.
        if (!ws || ws !== self.ws || self.closed) return;
        self.socketGone();
        try {
          ws.close();
        } catch (e) {
          /* already closing */
        }
        self.scheduleReconnect();
      });
    }, KEEPALIVE_MS);
  };

  /** Asks the server for a pong; resolves with the round trip in milliseconds. */
  FinCall.prototype.ping = function () {
    var self = this;
    return new Promise(function (resolve, reject) {
      var started = performance.now();
      var waiter = {
        resolve: function () {
          clearTimeout(waiter.timer);
          resolve(Math.round(performance.now() - started));
        },
        reject: function (e) {
          clearTimeout(waiter.timer);
          reject(e);
        },
      };
      waiter.timer = setTimeout(function () {
        var i = self.pongWaiters.indexOf(waiter);
        if (i >= 0) self.pongWaiters.splice(i, 1);
        reject(new Error('no pong'));
      }, PONG_TIMEOUT_MS);
      if (!self.send({ type: 'ping' })) return waiter.reject(new Error('not connected'));
      self.pongWaiters.push(waiter);
    });
  };

  // ---- messages from the server --------------------------------------------------------------

  FinCall.prototype.handle = function (m) {
    switch (m.type) {
      case 'hello':
        return this.onHello(m);
      case 'pong': {
        var w = this.pongWaiters.shift();
        if (w) w.resolve();
        return;
      }
      case 'peer_joined':
        return this.peerArrived(m.peer, true);
      case 'peer_present':
        return this.peerArrived(m.peer, false);
      case 'peer_left':
        return this.peerLeft(m.peerId);
      case 'signal':
        return this.onSignal(m);
      case 'chat':
        return this.deliverChat(m);
      case 'media':
        return this.emit('onMedia', m);
      case 'queue':
        return this.emit('onQueue', m);
      case 'status':
        this.status = m.status;
        if (m.room) this.room = m.room;
        return this.emit('onStatus', m);
      case 'room_opens':
        return this.emit('onRoomOpens', m);
      case 'consent_request':
        return this.emit('onConsentRequest', m);
      case 'consent':
        return this.emit('onConsent', m);
      case 'recording':
        return this.emit('onRecording', m);
      case 'call_ended':
        return this.emit('onCallEnded', m);
      case 'error':
        return this.emit('onError', m);
      default:
    }
  };

  FinCall.prototype.onHello = function (m) {
    var self = this;
    var again = this.helloCount > 0;
    this.helloCount++;
    this.tries = 0;
    this.you = m.you;
    this.room = m.room;
    this.status = m.status;
    this.iceServers = Array.isArray(m.iceServers) ? m.iceServers : [];
    this.socketState = 'open';
    this.startKeepalive();
    var listed = new Set();
    (m.peers || []).forEach(function (p) {
      listed.add(p.id);
      // they were here first: they make the offer to us
      self.peerArrived(p, false);
    });
    this.peers.forEach(function (peer, id) {
      try {
        peer.pc.setConfiguration({ iceServers: self.iceServers });
      } catch (e) {
        /* a browser that refuses a new configuration keeps the old one */
      }
      if (!listed.has(id)) {
        // not on this process (peer_present will come) or gone while we were away
        self.scheduleClose(peer);
      }
      if (again && peer.pc.signalingState === 'have-local-offer' && peer.pc.localDescription) {
        // our offer may have been lost with the old socket
        self.send({ type: 'signal', to: id, description: peer.pc.localDescription.toJSON() });
      }
    });
    // what we show (muted, camera off, screen) may have changed before the socket was open
    if (this.localStream) this.sendMediaState();
    (m.chat || []).forEach(function (line) {
      self.deliverChat(line);
    });
    this.updateConnectionState();
    this.emitPeers();
    this.emit('onHello', m);
    if (this.onFirstHello) {
      this.onFirstHello(m);
      this.onFirstHello = null;
    }
  };

  FinCall.prototype.deliverChat = function (line) {
    if (!line || !line.id || this.seenChat.has(line.id)) return;
    this.seenChat.add(line.id);
    this.emit('onChat', { id: line.id, role: line.role, text: line.text, at: line.at });
  };

  FinCall.prototype.emitPeers = function () {
    this.emit('onPeers', Array.from(this.present.values()));
  };

  // ---- peers -----------------------------------------------------------------------------

  /** Someone is in the room. `joined`: they just came, so we (already here) make the offer. */
  FinCall.prototype.peerArrived = function (info, joined) {
    if (!info || !info.id || (this.you && info.id === this.you.id)) return;
    var wasPresent = this.present.has(info.id);
    this.present.set(info.id, { id: info.id, role: info.role, label: info.label });
    var peer = this.peers.get(info.id);
    if (peer) {
      peer.info = info;
      if (peer.video) {
        peer.video.setAttribute('aria-label', this.labels.remoteVideo.replace('{label}', info.label || ''));
        peer.tile.querySelector('.fin-remote-name').textContent = info.label || '';
      }
      clearTimeout(peer.closeTimer);
      peer.closeTimer = null;
      if (joined) {
        // the same participant came back on a new socket: resume the media path, do not rebuild it
        peer.offerer = true;
        this.restartIce(peer, true);
      }
    } else {
      this.createPeer(info, joined);
    }
    if (!wasPresent) this.emitPeers();
    this.updateConnectionState();
  };

  FinCall.prototype.peerLeft = function (peerId) {
    var peer = this.peers.get(peerId);
    if (this.present.delete(peerId)) this.emitPeers();
    if (peer) this.scheduleClose(peer);
    this.updateConnectionState();
  };

  /** Keeps the connection a while in case the participant comes back (a reload of its socket). */
  FinCall.prototype.scheduleClose = function (peer) {
    var self = this;
    if (peer.closeTimer) return;
    peer.closeTimer = setTimeout(function () {
      self.closePeer(peer.id);
    }, LEFT_GRACE_MS);
  };

  FinCall.prototype.closePeer = function (peerId) {
    var peer = this.peers.get(peerId);
    if (!peer) return;
    clearTimeout(peer.closeTimer);
    clearTimeout(peer.iceTimer);
    this.peers.delete(peerId);
    this.peerConnections.delete(peerId);
    this.remoteStreams.delete(peerId);
    try {
      peer.pc.close();
    } catch (e) {
      /* already closed */
    }
    if (peer.tile && peer.tile.parentNode) peer.tile.parentNode.removeChild(peer.tile);
    if (this.present.delete(peerId)) this.emitPeers();
    this.updateConnectionState();
  };

  FinCall.prototype.createPeer = function (info, offerer) {
    var self = this;
    var pc = new RTCPeerConnection({ iceServers: this.iceServers });
    var peer = {
      id: info.id,
      info: info,
      pc: pc,
      offerer: !!offerer,
      makingOffer: false,
      ignoreOffer: false,
      settingRemoteAnswer: false,
      pending: [],
      chain: Promise.resolve(),
      closeTimer: null,
      iceTimer: null,
      stream: new MediaStream(),
      tile: null,
    };
    this.peers.set(info.id, peer);
    this.peerConnections.set(info.id, pc);
    this.remoteStreams.set(info.id, peer.stream);

    pc.onnegotiationneeded = function () {
      peer.makingOffer = true;
      pc.setLocalDescription()
        .then(function () {
          self.send({ type: 'signal', to: peer.id, description: pc.localDescription.toJSON() });
        })
        .catch(function (e) {
          if (window.console) console.warn('offer failed', e);
        })
        .then(function () {
          peer.makingOffer = false;
        });
    };
    pc.onicecandidate = function (ev) {
      if (ev.candidate && ev.candidate.candidate) self.send({ type: 'signal', to: peer.id, candidate: ev.candidate.toJSON() });
    };
    pc.oniceconnectionstatechange = function () {
      self.watchMediaPath(peer);
      self.updateConnectionState();
    };
    // Chrome may report that ICE gave up only here ('failed') and leave iceConnectionState at 'disconnected'.
    pc.onconnectionstatechange = function () {
      self.watchMediaPath(peer);
      self.updateConnectionState();
    };
    pc.ontrack = function (ev) {
      var track = ev.track;
      peer.stream.getTracks().forEach(function (t) {
        if (t.kind === track.kind && t !== track) peer.stream.removeTrack(t);
      });
      if (peer.stream.getTracks().indexOf(track) < 0) peer.stream.addTrack(track);
      self.showRemote(peer);
    };

    if (offerer) {
      // Both kinds always travel (a track can be added later with replaceTrack, without renegotiating).
      this.addTransceivers(peer);
    }
    this.updateConnectionState();
    return peer;
  };

  FinCall.prototype.localTrack = function (kind) {
    if (kind === 'video' && this.screenTrack) return this.screenTrack;
    var s = this.localStream;
    if (!s) return null;
    var list = kind === 'audio' ? s.getAudioTracks() : s.getVideoTracks();
    return list[0] || null;
  };

  FinCall.prototype.addTransceivers = function (peer) {
    var self = this;
    ['audio', 'video'].forEach(function (kind) {
      var track = self.localTrack(kind);
      var init = { direction: 'sendrecv', streams: self.localStream ? [self.localStream] : [] };
      peer.pc.addTransceiver(track || kind, init);
    });
  };

  /** After a remote offer: answer with our own media on the transceivers it created. */
  FinCall.prototype.attachLocal = function (peer) {
    var self = this;
    peer.pc.getTransceivers().forEach(function (tr) {
      if (tr.stopped || tr.currentDirection === 'stopped') return;
      var kind = tr.receiver && tr.receiver.track ? tr.receiver.track.kind : null;
      if (kind !== 'audio' && kind !== 'video') return;
      if (tr.direction !== 'sendrecv') tr.direction = 'sendrecv';
      var track = self.localTrack(kind);
      if (track && tr.sender.track !== track) tr.sender.replaceTrack(track).catch(noop);
    });
  };

  /** Puts the current local track of `kind` on every connection (no renegotiation). */
  FinCall.prototype.replaceEverywhere = function (kind) {
    var self = this;
    var track = this.localTrack(kind);
    var jobs = [];
    this.peers.forEach(function (peer) {
      peer.pc.getTransceivers().forEach(function (tr) {
        var k = tr.receiver && tr.receiver.track ? tr.receiver.track.kind : null;
        if (k !== kind || tr.stopped) return;
        if (tr.sender.track !== track) jobs.push(tr.sender.replaceTrack(track).catch(noop));
      });
    });
    return Promise.all(jobs);
  };

  /**
   * While the media path with a peer is down, restart ICE: at once when it failed, after a short wait when
   * it is only disconnected, then again with a growing pause for as long as it stays down. A restart made
   * during a cut fails too, and nothing else would try again once the network is back.
   */
  FinCall.prototype.watchMediaPath = function (peer) {
    var self = this;
    var pc = peer.pc;
    clearTimeout(peer.iceTimer);
    peer.iceTimer = null;
    if (pc.signalingState === 'closed') return;
    var down = function () {
      return pc.iceConnectionState === 'disconnected' || pc.iceConnectionState === 'failed' || pc.connectionState === 'failed';
    };
    if (!down()) {
      peer.restarts = 0;
      return;
    }
    var failed = pc.iceConnectionState === 'failed' || pc.connectionState === 'failed';
    var restarts = peer.restarts || 0;
    var wait = failed && !restarts ? 0 : Math.min(MAX_RESTART_PAUSE_MS, DISCONNECTED_RESTART_MS * Math.pow(2, restarts));
    peer.iceTimer = setTimeout(function () {
      peer.iceTimer = null;
      if (self.peers.get(peer.id) !== peer || pc.signalingState === 'closed' || !down()) return;
      peer.restarts = restarts + 1;
      self.restartIce(peer, false);
      self.watchMediaPath(peer);
    }, wait);
  };

  FinCall.prototype.restartIce = function (peer, force) {
    // The impolite side, or the one that made the offer, restarts; the other waits for its offer.
    if (!force && this.polite && !peer.offerer) return;
    if (peer.pc.signalingState === 'closed') return;
    try {
      peer.pc.restartIce();
    } catch (e) {
      /* an old browser without restartIce(): wait for the other side */
    }
  };

  FinCall.prototype.onSignal = function (m) {
    var self = this;
    if (!m.from) return;
    var peer = this.peers.get(m.from);
    if (!peer) peer = this.createPeer({ id: m.from, role: 'unknown', label: '' }, false);
    if (peer.closeTimer) {
      clearTimeout(peer.closeTimer);
      peer.closeTimer = null;
      this.updateConnectionState();
    }
    // one message at a time per peer, in the order they came
    peer.chain = peer.chain
      .then(function () {
        return self.applySignal(peer, m);
      })
      .catch(function (e) {
        if (window.console) console.warn('signal failed', e);
      });
  };

  FinCall.prototype.applySignal = function (peer, m) {
    var self = this;
    var pc = peer.pc;
    if (pc.signalingState === 'closed') return Promise.resolve();
    if (m.description) {
      var d = m.description;
      var readyForOffer = !peer.makingOffer && (pc.signalingState === 'stable' || peer.settingRemoteAnswer);
      var collision = d.type === 'offer' && !readyForOffer;
      peer.ignoreOffer = !this.polite && collision;
      if (peer.ignoreOffer) return Promise.resolve();
      peer.settingRemoteAnswer = d.type === 'answer';
      var hadRemote = !!pc.currentRemoteDescription;
      return pc
        .setRemoteDescription(d)
        .then(function () {
          peer.settingRemoteAnswer = false;
          var queued = peer.pending.splice(0);
          return queued.reduce(function (p, c) {
            return p.then(function () {
              return pc.addIceCandidate(c).catch(noop);
            });
          }, Promise.resolve());
        })
        .then(function () {
          if (d.type !== 'offer') return;
          self.attachLocal(peer);
          return pc.setLocalDescription().then(function () {
            self.send({ type: 'signal', to: peer.id, description: pc.localDescription.toJSON() });
          });
        })
        .catch(function (e) {
          peer.settingRemoteAnswer = false;
          // A fresh offer that our old connection cannot take (the other side started over, e.g. after a
          // long cut): start a new connection with this peer and take the offer there.
          if (d.type === 'offer' && hadRemote && !peer.fresh && self.peers.get(peer.id) === peer) {
            var info = peer.info;
            self.closePeer(peer.id);
            self.present.set(info.id, { id: info.id, role: info.role, label: info.label });
            var fresh = self.createPeer(info, false);
            fresh.fresh = true;
            self.emitPeers();
            return self.applySignal(fresh, m);
          }
          throw e;
        });
    }
    if (m.candidate) {
      if (!pc.remoteDescription) {
        peer.pending.push(m.candidate);
        return Promise.resolve();
      }
      return pc.addIceCandidate(m.candidate).catch(function (e) {
        if (!peer.ignoreOffer) throw e;
      });
    }
    return Promise.resolve();
  };

  FinCall.prototype.showRemote = function (peer) {
    if (!this.remoteContainer) {
      if (!peer.announced) {
        peer.announced = true;
        this.emit('onRemoteStream', peer.id, peer.stream, null);
      }
      return;
    }
    if (!peer.tile) {
      var tile = document.createElement('div');
      tile.className = 'fin-remote';
      tile.setAttribute('data-peer', peer.id);
      var video = document.createElement('video');
      video.autoplay = true;
      video.playsInline = true;
      video.setAttribute('playsinline', '');
      var label = (peer.info && peer.info.label) || (this.present.get(peer.id) || {}).label || '';
      video.setAttribute('aria-label', this.labels.remoteVideo.replace('{label}', label));
      tile.appendChild(video);
      var name = document.createElement('p');
      name.className = 'fin-remote-name';
      name.setAttribute('aria-hidden', 'true');
      name.textContent = label;
      tile.appendChild(name);
      this.remoteContainer.appendChild(tile);
      peer.tile = tile;
      peer.video = video;
      video.srcObject = peer.stream;
      this.emit('onRemoteStream', peer.id, peer.stream, video);
    }
    var v = peer.video;
    var p = v.play();
    if (p && p.catch) p.catch(noop);
  };

  // ---- aggregate state ---------------------------------------------------------------------

  /**
   * Socket and media together: 'connected' when the socket is up and the media with everyone in the
   * room flows (alone in the room: the socket is enough); the worst of them otherwise.
   */
  FinCall.prototype.updateConnectionState = function () {
    var rank = { connected: 0, connecting: 1, reconnecting: 2, failed: 3 };
    var state;
    if (this.socketState === 'failed') state = 'failed';
    else if (this.socketState === 'reconnecting') state = 'reconnecting';
    else if (this.socketState === 'connecting') state = 'connecting';
    else {
      state = 'connected';
      this.peers.forEach(function (peer) {
        if (peer.closeTimer) return; // gone; kept a while in case it comes back
        var s = peer.pc.iceConnectionState;
        var p;
        if (s === 'connected' || s === 'completed') p = 'connected';
        else if (s === 'failed') p = 'failed';
        else if (s === 'disconnected') p = 'reconnecting';
        else if (s === 'closed') return;
        else p = 'connecting';
        if (rank[p] > rank[state]) state = p;
      });
    }
    if (state !== this.connState) {
      this.connState = state;
      this.emit('onConnectionState', state);
    }
  };

  // ---- local media -------------------------------------------------------------------------

  /** Camera and/or microphone; shown in localVideo and sent to every connection. */
  FinCall.prototype.startMedia = function (o) {
    var self = this;
    o = o || {};
    var wantAudio = o.audio !== false;
    var wantVideo = o.video !== false;
    if (!wantAudio && !wantVideo) return Promise.resolve(null);
    var constraints = {
      audio: wantAudio ? (o.audioDeviceId ? { deviceId: { exact: o.audioDeviceId } } : true) : false,
      video: wantVideo ? (o.videoDeviceId ? { deviceId: { exact: o.videoDeviceId } } : { width: { ideal: 1280 }, height: { ideal: 720 } }) : false,
    };
    return navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
      var old = self.localStream;
      self.localStream = stream;
      if (old) old.getTracks().forEach(function (t) { t.stop(); });
      self.applyEnabled();
      if (self.localVideo) {
        self.localVideo.muted = true;
        self.localVideo.srcObject = stream;
        var p = self.localVideo.play();
        if (p && p.catch) p.catch(noop);
      }
      return Promise.all([self.replaceEverywhere('audio'), self.replaceEverywhere('video')]).then(function () {
        self.sendMediaState();
        return stream;
      });
    });
  };

  FinCall.prototype.applyEnabled = function () {
    var self = this;
    if (!this.localStream) return;
    this.localStream.getAudioTracks().forEach(function (t) { t.enabled = !self.muted; });
    this.localStream.getVideoTracks().forEach(function (t) { t.enabled = !self.cameraOff; });
  };

  FinCall.prototype.sendMediaState = function () {
    var s = this.localStream;
    this.send({
      type: 'media',
      audio: !!(s && s.getAudioTracks().length) && !this.muted,
      video: !!(s && s.getVideoTracks().length) && !this.cameraOff,
      screen: !!this.screenTrack,
    });
  };

  FinCall.prototype.setMuted = function (muted) {
    this.muted = !!muted;
    this.applyEnabled();
    this.sendMediaState();
  };

  FinCall.prototype.setCameraOff = function (off) {
    this.cameraOff = !!off;
    this.applyEnabled();
    this.sendMediaState();
  };

  /** Another camera or microphone: replaces the track on every connection, no renegotiation. */
  FinCall.prototype.switchDevice = function (o) {
    var self = this;
    o = o || {};
    var stream = this.localStream;
    if (!stream) return this.startMedia({ audio: true, video: true, audioDeviceId: o.audioDeviceId, videoDeviceId: o.videoDeviceId });
    var current = function (kind) {
      var t = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
      return t && t.getSettings ? t.getSettings().deviceId : undefined;
    };
    var jobs = [];
    [['audio', o.audioDeviceId], ['video', o.videoDeviceId]].forEach(function (pair) {
      var kind = pair[0];
      var id = pair[1];
      if (!id || id === current(kind)) return;
      var c = {};
      c[kind] = { deviceId: { exact: id } };
      jobs.push(
        navigator.mediaDevices.getUserMedia(c).then(function (s) {
          var fresh = kind === 'audio' ? s.getAudioTracks()[0] : s.getVideoTracks()[0];
          var old = kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks();
          old.forEach(function (t) {
            stream.removeTrack(t);
            t.stop();
          });
          stream.addTrack(fresh);
          fresh.enabled = kind === 'audio' ? !self.muted : !self.cameraOff;
          return self.replaceEverywhere(kind);
        }),
      );
    });
    return Promise.all(jobs).then(function () {
      if (self.localVideo && self.localVideo.srcObject !== stream) self.localVideo.srcObject = stream;
      self.sendMediaState();
      return stream;
    });
  };

  /** Shares the screen in place of the camera (call it from a click). */
  FinCall.prototype.startScreenShare = function () {
    var self = this;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) return Promise.reject(new Error('not supported'));
    return navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (s) {
      var track = s.getVideoTracks()[0];
      if (self.screenTrack) self.screenTrack.stop();
      self.screenTrack = track;
      track.addEventListener('ended', function () {
        if (self.screenTrack === track) self.stopScreenShare();
      });
      return self.replaceEverywhere('video').then(function () {
        self.sendMediaState();
        return track;
      });
    });
  };

  FinCall.prototype.stopScreenShare = function () {
    var t = this.screenTrack;
    if (!t) return;
    this.screenTrack = null;
    t.stop();
    this.replaceEverywhere('video');
    this.sendMediaState();
    if (typeof this.handlers.onScreenShareEnded === 'function') this.emit('onScreenShareEnded');
  };

  // ---- room actions ------------------------------------------------------------------------

  FinCall.prototype.enter = function () {
    return this.send({ type: 'enter' });
  };
  FinCall.prototype.leaveQueue = function () {
    return this.send({ type: 'leave_queue' });
  };
  FinCall.prototype.chat = function (text) {
    var t = String(text || '').trim();
    if (!t) return false;
    return this.send({ type: 'chat', text: t.slice(0, 2000) });
  };
  FinCall.prototype.requestConsent = function () {
    return this.send({ type: 'consent_request' });
  };
  FinCall.prototype.answerConsent = function (given) {
    return this.send({ type: 'consent_answer', given: !!given });
  };
  FinCall.prototype.hangup = function () {
    return this.send({ type: 'hangup' });
  };

  /** Leaves for good: no reconnection, media released, connections closed. */
  FinCall.prototype.close = function () {
    var self = this;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.keepalive);
    Array.from(this.peers.keys()).forEach(function (id) {
      self.closePeer(id);
    });
    if (this.screenTrack) this.screenTrack.stop();
    this.screenTrack = null;
    if (this.localStream) this.localStream.getTracks().forEach(function (t) { t.stop(); });
    var ws = this.ws;
    this.ws = null;
    if (ws) {
      try {
        ws.close(1000, 'bye');
      } catch (e) {
        /* already closing */
      }
    }
  };

  window.FinCall = FinCall;
})();
