// The agent's "Formal procedure" panel (pages/staff/formal-panel.tsx) in the console's video call:
// identity (ID front and back captured from the citizen's video, name, number, face), the request
// form (FinForm; every change shown live to the citizen over the room socket), consent and filing.
// console.js tells us when a call starts and ends (`fin:call-start` {attention, call}, `fin:call-end`;
// the call in course also as window.FinConsoleCall);
// what counts legally goes over the console API, the room socket only carries what the citizen sees.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var cfgEl = $('formal-config');
  var consoleEl = $('console-config');
  if (!cfgEl || !consoleEl || !window.FinForm || !window.FinClient) return;
  var cfg = JSON.parse(cfgEl.textContent || '{}');
  var cons = JSON.parse(consoleEl.textContent || '{}');
  var FORM_VIEW_MAX_BYTES = 32 * 1024;
  var POLL_MS = 3000;

  var client = window.FinClient.create({ strings: cfg.strings, lang: cfg.lang, base: cons.api, csrf: cons.csrf, status: 'formal-status' });
  var lookup = client.lookup, tr = client.tr, errorText = client.errorText, status = client.say, request = client.request;
  function localized(text) { return window.FinClient.localized(cfg.lang, text); }
  var timeFmt = new Intl.DateTimeFormat(cfg.lang, { hour: '2-digit', minute: '2-digit', timeZone: cfg.timeZone });
  function timeOf(iso) { return iso ? timeFmt.format(new Date(iso)) : ''; }

  // ---------- DOM ----------
  function show(node, on) { if (node) node.hidden = !on; }
  function setText(id, text) { var n = $(id); if (n) n.textContent = text || ''; }
  function fieldError(id, message, control) {
    var p = $(id);
    p.textContent = message || '';
    p.hidden = !message;
    if (control) {
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
      var box = control.closest('.field');
      if (box) box.classList.toggle('invalid', !!message);
    }
  }

  // ---------- state of the attention in course ----------
  var s = null;
  function fresh(attention, call) {
    return {
      attention: attention,
      call: call,
      info: null,
      images: { front: null, back: null },
      form: null,
      schema: null,
      sendTimer: null,
      lastSent: null,
      asking: false,
      consentOk: false,
      filing: null,
      poll: null,
      busy: false,
    };
  }
  function current(o) { return s && o === s; }

  function resetUi() {
    setText('formal-procedure', '');
    setText('formal-error', '');
    setText('formal-status', '');
    show($('formal-not-official'), false);
    ['front', 'back'].forEach(function (side) {
      var img = $('formal-thumb-' + side);
      img.removeAttribute('src');
      show(img, false);
      setText('formal-capture-' + side, tr('formal.agent.capture_' + side));
    });
    fieldError('formal-captures-error', '', null);
    $('formal-identity').reset();
    fieldError('formal-full-name-error', '', $('formal-full-name'));
    fieldError('formal-id-number-error', '', $('formal-id-number'));
    fieldError('formal-face-error', '', $('formal-face'));
    identityLocked(false);
    show($('formal-identity-done'), false);
    window.FinClient.clear($('formal-fields'));
    show($('formal-no-schema'), false);
    setText('formal-consent-state', '');
    setText('formal-ask', tr('formal.agent.ask_consent'));
    $('formal-ask').disabled = false;
    $('formal-file').disabled = false;
    show($('formal-filed'), false);
    setText('formal-receipt-state', '');
    show($('formal-receipt'), false);
    setExpanded(false);
  }

  function setExpanded(open) {
    var b = $('formal-toggle');
    b.setAttribute('aria-expanded', open ? 'true' : 'false');
    b.textContent = tr(open ? 'formal.agent.hide' : 'formal.agent.open');
    show($('formal-body'), open);
  }
  $('formal-toggle').addEventListener('click', function () {
    var open = $('formal-toggle').getAttribute('aria-expanded') !== 'true';
    setExpanded(open);
    if (open && s && !s.info) load(s);
  });

  // ---------- start and end, told by console.js ----------
  function start(d) {
    if (!d || !d.attention || !d.call || (s && s.call === d.call)) return;
    stop();
    s = fresh(d.attention, d.call);
    listen(s);
    resetUi();
    show($('formal-panel'), true);
    load(s);
  }
  document.addEventListener('fin:call-start', function (ev) { start(ev.detail); });
  // a call that started before this script ran
  if (window.FinConsoleCall) start(window.FinConsoleCall);
  document.addEventListener('fin:call-end', function () {
    stop();
    s = null;
    show($('formal-panel'), false);
  });
  function stop() {
    if (!s) return;
    clearTimeout(s.sendTimer);
    clearInterval(s.poll);
    s.poll = null;
  }

  /** Room messages for us, seen before FinCall handles them (FinCall ignores the ones it does not know). */
  function listen(o) {
    var call = o.call;
    var handle = call.handle;
    call.handle = function (m) {
      try {
        if (current(o) && m) {
          if (m.type === 'filing_consent') load(o);
          else if (m.type === 'hello') setTimeout(function () { resend(o); }, 200);
          else if ((m.type === 'peer_joined' || m.type === 'peer_present') && m.peer && m.peer.role === 'citizen') setTimeout(function () { resend(o); }, 500);
        }
      } catch (e) { /* the call goes on */ }
      return handle.apply(this, arguments);
    };
  }

  /** A citizen who (re)joins, or our own reconnected socket: what the citizen should see now. */
  function resend(o) {
    if (!current(o)) return;
    if (o.filing) return send(o, { type: 'filing_step', step: 'filed', filingId: o.filing.id });
    if (o.form && o.lastSent !== null) { o.lastSent = null; sendForm(o); }
    if (o.asking && !o.consentOk) send(o, { type: 'filing_step', step: 'consent_request' });
  }

  function send(o, msg) {
    try { return o.call.send(msg) !== false; } catch (e) { return false; }
  }

  // ---------- what the server knows ----------
  function load(o) {
    if (!current(o)) return Promise.resolve();
    if (!o.info) status(tr('formal.agent.loading'));
    return request('GET', '/attentions/' + o.attention.id + '/filing')
      .then(function (info) {
        if (!current(o)) return;
        var first = !o.info;
        o.info = info;
        render(o, first);
      })
      .catch(function (err) {
        if (!current(o)) return;
        if (!o.info) status('');
        setText('formal-error', o.info ? errorText(err) : tr('formal.agent.load_failed') + ' ' + errorText(err));
      });
  }

  function render(o, first) {
    var info = o.info;
    if (first) status('');
    setText('formal-procedure', info.procedure ? tr('formal.agent.procedure', { name: localized(info.procedure.name) }) : '');
    show($('formal-not-official'), info.official === false);
    if (info.identity) identityDone(info.identity);
    if (first || !o.form) buildForm(o, info.schema || null);
    renderConsent(o);
    if (info.filing) filed(o, info.filing, false);
  }

  // ---------- 1. identity ----------
  function identityLocked(on) {
    ['formal-capture-front', 'formal-capture-back', 'formal-full-name', 'formal-id-number', 'formal-face', 'formal-confirm-identity'].forEach(function (id) { $(id).disabled = on; });
  }
  function identityDone(identity) {
    var kind = lookup('formal.agent.id_kind.' + identity.idKind) ? tr('formal.agent.id_kind.' + identity.idKind) : String(identity.idKind || '');
    setText('formal-identity-done', tr('formal.agent.identity_done', { kind: kind, time: timeOf(identity.checkedAt) }));
    show($('formal-identity-done'), true);
    identityLocked(true);
  }

  /** The citizen's <video> in the console (never a guest's); null when it shows no picture. */
  function citizenVideo(o) {
    var found = null;
    Array.prototype.forEach.call(document.querySelectorAll('#remote-videos .fin-remote'), function (tile) {
      var v = tile.querySelector('video');
      if (!v || !v.videoWidth) return;
      var info = o.call.present && o.call.present.get ? o.call.present.get(tile.getAttribute('data-peer')) : null;
      if (info && info.role === 'citizen') found = v;
      else if (!found && !info) found = v;
    });
    return found;
  }

  /** A still of the citizen's video: the JPEG to store and a small picture to show. */
  function still(video) {
    var scale = Math.min(1, 1920 / Math.max(video.videoWidth, video.videoHeight));
    var canvas = document.createElement('canvas');
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    var thumb = document.createElement('canvas');
    thumb.width = 240;
    thumb.height = Math.round((240 * canvas.height) / canvas.width);
    thumb.getContext('2d').drawImage(canvas, 0, 0, thumb.width, thumb.height);
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) {
        if (!blob) return reject({ code: 'internal_error' });
        resolve({ blob: blob, preview: thumb.toDataURL('image/jpeg', 0.8) });
      }, 'image/jpeg', 0.92);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('#formal-panel button[data-side]'), function (b) {
    b.addEventListener('click', function () {
      var o = s;
      if (!o) return;
      var side = b.getAttribute('data-side');
      var video = citizenVideo(o);
      setText('formal-error', '');
      if (!video) return fieldError('formal-captures-error', tr('formal.agent.no_video'), null);
      fieldError('formal-captures-error', '', null);
      b.disabled = true;
      status(tr('formal.agent.capturing'));
      still(video)
        .then(function (pic) {
          return request('POST', '/attentions/' + o.attention.id + '/identity/images/' + side, pic.blob, 'image/jpeg').then(function (res) {
            if (!current(o)) return;
            o.images[side] = { documentId: res.documentId };
            var img = $('formal-thumb-' + side);
            img.src = pic.preview;
            show(img, true);
            b.textContent = tr('formal.agent.capture_again_' + side);
            status(tr('formal.agent.captured_' + side));
          });
        })
        .catch(function (err) {
          if (!current(o)) return;
          status('');
          fieldError('formal-captures-error', errorText(err), null);
        })
        .then(function () { if (current(o) && !(o.info && o.info.identity)) b.disabled = false; });
    });
  });

  /** Where an identity error belongs. */
  var IDENTITY_FIELDS = {
    identity_name_required: 'name',
    invalid_tax_id: 'number',
    face_not_confirmed: 'face',
    identity_images_missing: 'images',
  };
  function identityErrors(list) {
    var targets = {
      name: ['formal-full-name-error', $('formal-full-name')],
      number: ['formal-id-number-error', $('formal-id-number')],
      face: ['formal-face-error', $('formal-face')],
      images: ['formal-captures-error', null],
    };
    Object.keys(targets).forEach(function (k) { fieldError(targets[k][0], '', targets[k][1]); });
    var first = null;
    list.forEach(function (e) {
      var t = targets[e.field];
      if (!t) return;
      fieldError(t[0], e.message, t[1]);
      if (!first) first = t[1] || $('formal-capture-front');
    });
    if (first) first.focus();
    return !!first;
  }
  /** validation_failed details name the field by its path. */
  function fieldOfPath(path) {
    var p = String(path || '');
    if (/fullName/.test(p)) return 'name';
    if (/idNumber/.test(p)) return 'number';
    if (/faceConfirmed/.test(p)) return 'face';
    if (/DocumentId/.test(p)) return 'images';
    return null;
  }

  $('formal-identity').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var o = s;
    if (!o || o.busy) return;
    setText('formal-error', '');
    var fullName = $('formal-full-name').value.trim();
    var idNumber = $('formal-id-number').value.trim();
    var face = $('formal-face').checked;
    var problems = [];
    if (!o.images.front || !o.images.back) problems.push({ field: 'images', message: tr('errors.identity_images_missing') });
    if (!fullName) problems.push({ field: 'name', message: tr('errors.identity_name_required') });
    if (!idNumber) problems.push({ field: 'number', message: tr('errors.invalid_tax_id') });
    if (!face) problems.push({ field: 'face', message: tr('errors.face_not_confirmed') });
    if (identityErrors(problems)) return;
    o.busy = true;
    $('formal-confirm-identity').disabled = true;
    request('POST', '/attentions/' + o.attention.id + '/identity', {
      fullName: fullName,
      idNumber: idNumber,
      faceConfirmed: true,
      frontDocumentId: o.images.front.documentId,
      backDocumentId: o.images.back.documentId,
    })
      .then(function () {
        if (!current(o)) return;
        send(o, { type: 'filing_step', step: 'identity' });
        return load(o).then(function () {
          if (!current(o)) return;
          if (!(o.info && o.info.identity)) identityLocked(true);
          $('formal-identity-done').focus();
        });
      })
      .catch(function (err) {
        if (!current(o)) return;
        var field = IDENTITY_FIELDS[err.code];
        var list = field ? [{ field: field, message: errorText(err) }] : [];
        if (!field && err.code === 'validation_failed' && err.details && Array.isArray(err.details.fields)) {
          err.details.fields.forEach(function (f) {
            var k = fieldOfPath(f.path);
            if (k) list.push({ field: k, message: tr('errors.validation_failed') });
          });
        }
        if (!identityErrors(list)) setText('formal-error', errorText(err));
        $('formal-confirm-identity').disabled = false;
      })
      .then(function () { o.busy = false; });
  });

  // ---------- 2. the request form ----------
  function buildForm(o, schema) {
    o.schema = schema;
    var box = $('formal-fields');
    var hasFields = !!schema && window.FinForm.fieldsOf(schema, cfg.lang).length > 0;
    show($('formal-no-schema'), !hasFields);
    show($('formal-form'), hasFields);
    if (!hasFields) { o.form = null; return; }
    o.form = window.FinForm.edit(box, schema, {
      lang: cfg.lang,
      idPrefix: 'formal-f',
      strings: formStrings(),
      onChange: function () {
        clearTimeout(o.sendTimer);
        o.sendTimer = setTimeout(function () { sendForm(o); }, 300);
        renderConsent(o);
      },
    });
  }
  function formStrings() {
    var f = (cfg.strings.formal && cfg.strings.formal.form) || {};
    return f;
  }
  function formData(o) {
    return o.form ? window.FinForm.clean(o.schema, o.form.data()) : {};
  }
  /** The form as it stands, to the citizen's screen (only when it changed; never over 32 KB). */
  function sendForm(o) {
    if (!current(o) || !o.form) return;
    clearTimeout(o.sendTimer);
    var data = formData(o);
    var json = JSON.stringify(data);
    if (json === o.lastSent) return;
    if (new TextEncoder().encode(json).length > FORM_VIEW_MAX_BYTES - 64) return setText('formal-error', tr('formal.agent.form_too_large'));
    if (send(o, { type: 'form_view', data: data })) o.lastSent = json;
  }
  $('formal-form').addEventListener('submit', function (ev) { ev.preventDefault(); });

  // ---------- 3. consent ----------
  /** SHA-256 of the RFC 8785 form of a flat object (what the server compares the consent with). */
  function formHash(data) {
    if (!window.crypto || !crypto.subtle || !window.TextEncoder) return Promise.resolve(null);
    var keys = Object.keys(data).sort();
    var canon = '{' + keys.map(function (k) { return JSON.stringify(k) + ':' + JSON.stringify(data[k]); }).join(',') + '}';
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(canon)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
    });
  }

  var consentSeq = 0;
  function renderConsent(o) {
    if (!current(o) || !o.info) return;
    var c = o.info.consent;
    if (o.filing || o.info.filing) { $('formal-ask').disabled = true; return; }
    if (!c) {
      o.consentOk = false;
      var waiting = o.asking ? tr('formal.agent.consent_waiting') : '';
      if ($('formal-consent-state').textContent !== waiting) setText('formal-consent-state', waiting);
      return;
    }
    var seq = ++consentSeq;
    formHash(formData(o)).then(function (hash) {
      if (!current(o) || seq !== consentSeq) return;
      var same = hash === null || hash === c.formSha256;
      var parts = [];
      if (same) {
        parts.push(tr('formal.agent.consent_given', { time: timeOf(c.givenAt) }));
        if (c.otpRequired) parts.push(tr(c.otpVerified ? 'formal.agent.otp_verified' : 'formal.agent.otp_waiting'));
      } else {
        parts.push(tr('formal.agent.consent_changed'));
      }
      var text = parts.join(' ');
      var ok = same && (!c.otpRequired || c.otpVerified);
      // a status region of its own: a new text is said, the same one is not repeated
      if ($('formal-consent-state').textContent !== text) setText('formal-consent-state', text);
      o.consentOk = ok;
      setText('formal-ask', tr(o.asking || c ? 'formal.agent.ask_again' : 'formal.agent.ask_consent'));
      if (ok) stopPolling(o);
    });
  }

  function startPolling(o) {
    stopPolling(o);
    o.poll = setInterval(function () { if (current(o)) load(o); }, POLL_MS);
  }
  function stopPolling(o) { clearInterval(o.poll); o.poll = null; }

  $('formal-ask').addEventListener('click', function () {
    var o = s;
    if (!o || !o.info) return;
    setText('formal-error', '');
    if (o.form && o.form.validate(true).length) return setText('formal-error', tr('formal.agent.form_fix_first'));
    o.lastSent = null;
    sendForm(o);
    send(o, { type: 'filing_step', step: 'consent_request' });
    o.asking = true;
    o.consentOk = false;
    o.info.consent = null;
    setText('formal-consent-state', tr('formal.agent.consent_waiting'));
    startPolling(o);
  });

  // ---------- 4. filing ----------
  $('formal-file').addEventListener('click', function () {
    var o = s;
    if (!o || !o.info || o.busy || o.filing) return;
    setText('formal-error', '');
    if (o.form && o.form.validate(true).length) return setText('formal-error', tr('formal.agent.form_fix_first'));
    o.busy = true;
    $('formal-file').disabled = true;
    status(tr('formal.agent.filing'));
    request('POST', '/attentions/' + o.attention.id + '/filing', { formData: formData(o) })
      .then(function (res) {
        if (!current(o)) return;
        filed(o, { id: res.filingId, registerCode: res.registerCode, registeredAt: res.registeredAt, receiptReady: false }, true);
      })
      .catch(function (err) {
        if (!current(o)) return;
        status('');
        if (err.code === 'already_filed') { load(o); return; }
        setText('formal-error', errorText(err));
        if (o.form && err.details && Array.isArray(err.details.fields)) {
          // our own messages where the browser sees the problem too, the server's word elsewhere
          var mine = {};
          o.form.validate(false).forEach(function (e) { mine[e.name] = true; });
          o.form.showErrors(err.details.fields.map(function (f) {
            var name = String(f.path || f.name || '').replace(/^.*[./]/, '');
            return { name: name, message: tr('errors.form_invalid') };
          }).filter(function (e) { return o.form.has(e.name) && !mine[e.name]; }));
          var wrong = $('formal-fields').querySelector('[aria-invalid="true"]');
          if (wrong) wrong.focus();
        }
        $('formal-file').disabled = false;
      })
      .then(function () { o.busy = false; });
  });

  function filed(o, filing, justNow) {
    var first = !o.filing;
    o.filing = filing;
    stopPolling(o);
    o.asking = false;
    ['formal-ask', 'formal-file'].forEach(function (id) { $(id).disabled = true; });
    if (o.form) o.form.setDisabled(true);
    identityLocked(true);
    if (first) {
      setText('formal-filed', tr('formal.agent.filed', { code: filing.registerCode, time: timeOf(filing.registeredAt) }) + (justNow ? ' ' + tr('formal.agent.sent_to_citizen') : ''));
      show($('formal-filed'), true);
      send(o, { type: 'filing_step', step: 'filed', filingId: filing.id });
      if (justNow) $('formal-filed').focus();
    }
    receipt(o);
  }

  /** The sealed receipt: a link once the sealing job has run (asked every few seconds until then). */
  function receipt(o) {
    var f = o.filing;
    if (f.receiptReady) {
      var a = $('formal-receipt');
      var wasHidden = a.hidden;
      a.href = cons.api + '/filings/' + encodeURIComponent(f.id) + '/receipt';
      a.textContent = tr('formal.agent.receipt_link', { code: f.registerCode });
      show(a, true);
      setText('formal-receipt-state', '');
      if (wasHidden) status(tr('formal.agent.receipt_ready'));
      stopPolling(o);
      return;
    }
    setText('formal-receipt-state', tr('formal.agent.receipt_sealing'));
    if (o.poll) return;
    o.poll = setInterval(function () {
      if (!current(o)) return;
      request('GET', '/attentions/' + o.attention.id + '/filing')
        .then(function (info) {
          if (!current(o) || !info || !info.filing) return;
          o.info = info;
          o.filing = info.filing;
          if (info.filing.receiptReady) receipt(o);
        })
        .catch(function () { /* asked again next time */ });
    }, 2000);
  }
})();
