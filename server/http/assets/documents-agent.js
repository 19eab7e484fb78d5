// The agent's Documents panel in the console (pages/staff/documents-console.tsx). Without a call it
// lists the coming appointments with documents; one click opens an appointment's documents. During a
// video call (console.js: `fin:call-start` {attention}, `fin:call-end`) it shows the attention's.
// For each document: preview (the sandboxed content URL in a new tab), download, accept, reject with
// a reason (the citizen is emailed); reopen uploads; hand a document to the citizen (tus upload).
(function () {
  'use strict';
  // The console's configuration comes after this panel in the page: start once the page is parsed.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();

  function start() {
  var $ = function (id) { return document.getElementById(id); };
  var cfgEl = $('documents-agent-config');
  var consoleEl = $('console-config');
  if (!cfgEl || !consoleEl || !window.FinClient) return;
  var cfg = JSON.parse(cfgEl.textContent || '{}');
  var cons = JSON.parse(consoleEl.textContent || '{}');
  var REFRESH_MS = 20000;
  /** What the panel shows: null (the list), {kind:'appointment', id, reference} or {kind:'attention', id, reference}. */
  var space = null;
  var inCall = null;
  var busy = false;

  var F = window.FinClient;
  var client = F.create({ strings: cfg.strings, lang: cfg.lang, base: cons.api, csrf: cons.csrf, status: 'documents-agent-status' });
  var tr = client.tr, errorText = client.errorText, say = client.say, api = client.request, el = F.el, clear = F.clear;
  function localized(text) { return F.localized(cfg.lang, text); }
  var whenFmt = new Intl.DateTimeFormat(cfg.lang, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: cfg.timeZone });
  var fullFmt = new Intl.DateTimeFormat(cfg.lang, { dateStyle: 'full', timeStyle: 'short', timeZone: cfg.timeZone });
  function size(bytes) { return F.size(cfg.lang, bytes); }
  function showError(text) { $('documents-agent-error').textContent = text || ''; }

  // ---------- the coming appointments ----------
  function showList() {
    space = null;
    $('documents-agent-space').hidden = true;
    $('documents-agent-upcoming').hidden = false;
    return api('GET', '/documents/upcoming').then(function (res) {
      var ul = $('documents-agent-upcoming-list');
      clear(ul);
      res.appointments.forEach(function (a) {
        var button = el('button', { type: 'button', class: 'secondary', text: tr('documents.agent.open', { reference: a.reference }) });
        button.addEventListener('click', function () { open({ kind: 'appointment', id: a.appointmentId, reference: a.reference }, true); });
        ul.appendChild(el('li', null, [
          el('span', { class: 'documents-name', text: tr('documents.agent.upcoming_item', { when: whenFmt.format(new Date(a.startsAt)), reference: a.reference, name: a.citizenName }) }),
          el('span', { class: 'documents-badge' + (a.pending ? ' documents-pending' : ''), text: tr('documents.agent.counts', { received: a.received, pending: a.pending }) }),
          el('span', { class: 'hint', text: localized(a.procedureName) }),
          button,
        ]));
      });
      $('documents-agent-upcoming-empty').hidden = res.appointments.length > 0;
    }).catch(function (err) { showError(errorText(err)); });
  }

  // ---------- one space ----------
  function base() { return space.kind === 'attention' ? '/attentions/' + space.id : '/appointments/' + space.id; }

  function open(target, focus) {
    space = target;
    showError('');
    $('documents-agent-upcoming').hidden = true;
    $('documents-agent-space').hidden = false;
    $('documents-agent-back').hidden = !!inCall;
    $('documents-agent-reopen').hidden = target.kind !== 'appointment';
    $('documents-agent-space-title').textContent = target.kind === 'attention' ? tr('documents.agent.call_title') : tr('documents.agent.space_title', { reference: target.reference || '' });
    return load().then(function () { if (focus) $('documents-agent-space-title').focus(); });
  }

  function docRow(d) {
    var stored = d.status === 'pending' || d.status === 'accepted' || d.status === 'rejected';
    var li = el('li', { class: 'documents-item documents-' + d.status, 'data-document': d.id });
    li.appendChild(el('span', { class: 'documents-name', text: d.fileName }));
    li.appendChild(el('span', { class: 'documents-badge', text: tr('documents.status.' + d.status) }));
    var meta = [d.contentType, stored ? size(d.bytes) : size(d.bytes) + ' / ' + size(d.declaredBytes)].filter(Boolean).join(' · ');
    li.appendChild(el('p', { class: 'documents-meta', text: meta + (d.sha256 ? ' · ' + tr('documents.agent.sha', { sha: d.sha256.slice(0, 16) + '…' }) : '') }));
    if (d.rejectReason) li.appendChild(el('p', { class: 'documents-reason', text: tr('documents.reason', { reason: d.rejectReason }) }));
    if (d.status === 'refused' && d.refusedCode) li.appendChild(el('p', { class: 'documents-reason', text: tr('documents.reason', { reason: errorText(d.refusedCode) }) }));
    var actions = el('div', { class: 'documents-actions' });
    if (stored) {
      var url = cons.api + '/documents/' + d.id + '/content';
      actions.appendChild(el('a', { class: 'button secondary', href: url, target: '_blank', rel: 'noopener', text: tr('documents.agent.preview', { name: d.fileName }) }));
      actions.appendChild(el('a', { class: 'button secondary', href: url + '?download=1', text: tr('documents.agent.download', { name: d.fileName }) }));
    }
    if (d.kind === 'citizen' && d.status === 'pending') {
      var accept = el('button', { type: 'button', text: tr('documents.agent.accept', { name: d.fileName }) });
      accept.addEventListener('click', function () { review(d, 'accept'); });
      var reject = el('button', { type: 'button', class: 'danger', text: tr('documents.agent.reject', { name: d.fileName }), 'aria-expanded': 'false' });
      actions.appendChild(accept);
      actions.appendChild(reject);
      li.appendChild(actions);
      var formId = 'documents-reject-' + d.id;
      var form = el('form', { class: 'documents-reject', id: formId, novalidate: '' });
      form.hidden = true;
      var reasonId = 'documents-reason-' + d.id;
      var errId = 'documents-reason-error-' + d.id;
      var textarea = el('textarea', { id: reasonId, rows: '3', maxlength: '500', 'aria-describedby': errId });
      var err = el('p', { class: 'error', id: errId });
      var send = el('button', { type: 'submit', class: 'danger', text: tr('documents.agent.send_reject') });
      var cancel = el('button', { type: 'button', class: 'secondary', text: tr('documents.agent.cancel') });
      form.appendChild(el('div', { class: 'field' }, [el('label', { for: reasonId, text: tr('documents.agent.reason_label') }), err, textarea]));
      form.appendChild(el('div', { class: 'actions' }, [send, cancel]));
      reject.setAttribute('aria-controls', formId);
      reject.addEventListener('click', function () { form.hidden = false; reject.setAttribute('aria-expanded', 'true'); textarea.focus(); });
      cancel.addEventListener('click', function () { form.hidden = true; reject.setAttribute('aria-expanded', 'false'); reject.focus(); });
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var reason = textarea.value.trim();
        if (!reason) {
          err.textContent = tr('errors.reject_reason_required');
          textarea.setAttribute('aria-invalid', 'true');
          textarea.focus();
          return;
        }
        review(d, 'reject', reason, err);
      });
      li.appendChild(form);
    } else if (actions.firstChild) {
      li.appendChild(actions);
    }
    return li;
  }

  function render(view) {
    var win = $('documents-agent-window');
    var until = view.uploadsOpenUntil ? new Date(view.uploadsOpenUntil) : null;
    if (!view.open) win.textContent = tr('documents.agent.closed');
    else win.textContent = until && until.getTime() > Date.now() ? tr('documents.agent.open_until', { when: fullFmt.format(until) }) : '';
    var citizen = view.documents.filter(function (d) { return d.kind === 'citizen'; });
    var handouts = view.documents.filter(function (d) { return d.kind === 'handout'; });
    var req = $('documents-agent-required');
    clear(req);
    view.requirements.forEach(function (r) {
      var got = citizen.filter(function (d) { return d.requirement === r.index && d.status !== 'refused' && d.status !== 'uploading'; });
      var latest = got[got.length - 1];
      req.appendChild(el('li', null, [
        el('span', { class: 'documents-name', text: r.description }),
        el('span', { class: 'documents-badge' + (latest ? ' documents-' + latest.status : ''), text: latest ? tr('documents.status.' + latest.status) : tr('documents.agent.not_received') }),
      ]));
    });
    var ul = $('documents-agent-citizen');
    clear(ul);
    citizen.forEach(function (d) { ul.appendChild(docRow(d)); });
    $('documents-agent-citizen-empty').hidden = citizen.length > 0;
    var hl = $('documents-agent-handouts');
    clear(hl);
    handouts.forEach(function (d) { hl.appendChild(docRow(d)); });
  }

  function load() {
    if (!space) return Promise.resolve();
    var current = space;
    return api('GET', base() + '/documents')
      .then(function (view) { if (space === current) render(view); })
      .catch(function (err) { showError(errorText(err)); });
  }

  function review(d, decision, reason, errNode) {
    showError('');
    api('POST', '/documents/' + d.id + '/review', decision === 'reject' ? { decision: decision, reason: reason } : { decision: decision })
      .then(function () {
        say(tr(decision === 'accept' ? 'documents.agent.accepted' : 'documents.agent.rejected', { name: d.fileName }));
        return load();
      })
      .then(function () { $('documents-agent-space-title').focus(); })
      .catch(function (err) { if (errNode) errNode.textContent = errorText(err); else showError(errorText(err)); });
  }

  $('documents-agent-reopen').addEventListener('click', function () {
    if (!space || space.kind !== 'appointment') return;
    showError('');
    api('POST', '/appointments/' + space.id + '/documents/reopen', { hours: 24 })
      .then(function (res) { say(tr('documents.agent.reopened', { when: fullFmt.format(new Date(res.uploadsOpenUntil)) })); return load(); })
      .catch(function (err) { showError(errorText(err)); });
  });
  $('documents-agent-refresh').addEventListener('click', function () { load(); });
  $('documents-agent-back').addEventListener('click', function () { showList().then(function () { $('documents-agent-upcoming-title').focus(); }); });

  // ---------- handing a document to the citizen ----------
  $('documents-agent-handout').addEventListener('change', function (ev) {
    var input = ev.target;
    var file = input.files && input.files[0];
    if (!file || !space) return;
    if (!window.tus || !window.tus.isSupported) { showError(errorText('service_unavailable')); return; }
    showError('');
    var bar = $('documents-agent-progress-bar');
    var text = $('documents-agent-progress-text');
    var quarter = -1;
    bar.value = 0;
    $('documents-agent-progress').hidden = false;
    input.disabled = true;
    busy = true;
    var up = new window.tus.Upload(file, {
      endpoint: cons.api + base() + '/uploads',
      headers: { 'x-csrf-token': cons.csrf },
      chunkSize: 16 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: { filename: file.name },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        var pct = total ? Math.floor((sent / total) * 100) : 0;
        bar.value = pct;
        if (Math.floor(pct / 25) !== quarter) { quarter = Math.floor(pct / 25); text.textContent = tr('documents.agent.handout_progress', { name: file.name, percent: pct }); }
      },
      onError: function (err) {
        var code = null;
        try { code = JSON.parse(err.originalResponse.getBody() || '{}').code; } catch (e) { code = null; }
        showError(tr('documents.failed', { name: file.name, error: errorText(code) }));
        input.disabled = false;
        busy = false;
        input.value = '';
        $('documents-agent-progress').hidden = true;
        load();
      },
      onSuccess: function () {
        text.textContent = tr('documents.agent.handout_sent', { name: file.name });
        say(tr('documents.agent.handout_sent', { name: file.name }));
        input.disabled = false;
        busy = false;
        input.value = '';
        load();
      },
    });
    up.start();
  });

  // ---------- calls ----------
  function callStarted(detail) {
    var a = detail && detail.attention;
    if (!a) return;
    inCall = a.id;
    open({ kind: 'attention', id: a.id, reference: a.reference }, false);
  }
  document.addEventListener('fin:call-start', function (ev) { callStarted(ev.detail); });
  document.addEventListener('fin:call-end', function () { inCall = null; showList(); });

  if (window.FinConsoleCall) callStarted(window.FinConsoleCall);
  else showList();
  setInterval(function () {
    // never redraw under the agent's hands (a reason being written)
    if (busy || document.visibilityState === 'hidden' || document.querySelector('#documents-agent form.documents-reject:not([hidden])')) return;
    if (space) load();
    else showList();
  }, REFRESH_MS);
  }
})();
