// The citizen's documents panel on the room page (pages/citizen/documents-panel.tsx): lists the
// procedure's required documents and what was sent (with the agent's decision), uploads files and
// camera photos with tus (resumable: a cut connection resumes where it stopped, even after a reload),
// shows a progress bar, and offers the town hall's handouts for download. Refreshes every 15 s.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var cfgEl = $('documents-config');
  if (!cfgEl || !window.FinClient) return;
  var cfg = JSON.parse(cfgEl.textContent || '{}');
  var CHUNK = 16 * 1024 * 1024;
  var REFRESH_MS = 15000;
  var uploading = false;
  var lastView = null;

  var F = window.FinClient;
  var client = F.create({ strings: cfg.strings, base: cfg.list, status: 'documents-status' });
  var tr = client.tr, errorText = client.errorText, say = client.say, el = F.el, clear = F.clear;
  var dateFmt = new Intl.DateTimeFormat(cfg.lang, { dateStyle: 'full', timeStyle: 'short', timeZone: cfg.timeZone });
  function size(bytes) { return F.size(cfg.lang, bytes); }
  function showError(text) { $('documents-error').textContent = text || ''; }

  // ---------- the list ----------
  function statusLabel(d) { return tr('documents.status.' + d.status); }

  function docItem(d, handout) {
    var stored = d.status === 'pending' || d.status === 'accepted' || d.status === 'rejected';
    var li = el('li', { class: 'documents-item documents-' + d.status });
    li.appendChild(el('span', { class: 'documents-name', text: d.fileName }));
    if (!handout) li.appendChild(el('span', { class: 'documents-badge', text: statusLabel(d) }));
    if (d.status === 'rejected' && d.rejectReason) {
      li.appendChild(el('p', { class: 'documents-reason', text: tr('documents.reason', { reason: d.rejectReason }) }));
      li.appendChild(el('p', { class: 'hint', text: tr('documents.send_again') }));
    }
    if (d.status === 'refused' && d.refusedCode) li.appendChild(el('p', { class: 'documents-reason', text: tr('documents.reason', { reason: errorText(d.refusedCode) }) }));
    if (stored) {
      li.appendChild(el('a', { href: cfg.list + '/' + d.id, download: '', text: handout ? tr('documents.download_named', { name: d.fileName }) : tr('documents.download') , 'aria-label': tr('documents.download_named', { name: d.fileName }) }));
    }
    return li;
  }

  function render(view) {
    lastView = view;
    var win = $('documents-window');
    var until = view.uploadsOpenUntil ? new Date(view.uploadsOpenUntil) : null;
    // open past the deadline = the citizen is being attended (waiting room or call)
    if (view.open) win.textContent = until && until.getTime() > Date.now() ? tr('documents.open_until', { when: dateFmt.format(until) }) : tr('documents.queue_open');
    else win.textContent = tr('documents.closed');
    win.hidden = false;
    $('documents-upload').hidden = !view.open;
    $('documents-formats').textContent = tr('documents.formats', { size: size(view.maxBytes || 4294967296) });

    var mine = view.documents.filter(function (d) { return d.kind === 'citizen'; });
    var handouts = view.documents.filter(function (d) { return d.kind === 'handout' && d.status !== 'refused' && d.status !== 'uploading'; });

    var req = $('documents-required');
    clear(req);
    view.requirements.forEach(function (r) {
      var sent = mine.filter(function (d) { return d.requirement === r.index && d.status !== 'refused' && d.status !== 'uploading'; });
      var latest = sent[sent.length - 1];
      req.appendChild(el('li', null, [
        el('span', { class: 'documents-name', text: r.description }),
        el('span', { class: 'documents-badge' + (latest ? ' documents-' + latest.status : ''), text: latest ? statusLabel(latest) : tr('documents.not_sent') }),
      ]));
    });
    $('documents-none-required').hidden = view.requirements.length > 0;

    var select = $('documents-requirement');
    var chosen = select.value;
    clear(select);
    view.requirements.forEach(function (r) { select.appendChild(el('option', { value: String(r.index), text: r.description })); });
    select.appendChild(el('option', { value: '', text: tr('documents.other') }));
    if (chosen !== '' && view.requirements.some(function (r) { return String(r.index) === chosen; })) select.value = chosen;
    else if (chosen === '' && select.dataset.touched) select.value = '';
    else {
      // the first required document not yet accepted or waiting
      var next = view.requirements.find(function (r) { return !mine.some(function (d) { return d.requirement === r.index && (d.status === 'pending' || d.status === 'accepted'); }); });
      if (next) select.value = String(next.index);
    }

    var list = $('documents-mine');
    clear(list);
    mine.forEach(function (d) { list.appendChild(docItem(d, false)); });
    $('documents-mine-empty').hidden = mine.length > 0;
    var hl = $('documents-handouts');
    clear(hl);
    handouts.forEach(function (d) { hl.appendChild(docItem(d, true)); });
    $('documents-handouts-empty').hidden = handouts.length > 0;
  }

  function load() {
    return client.request('GET', '')
      .then(render, function (err) {
        // offline for a moment: the next refresh tries again
        if (err.code !== 'service_unavailable') showError(errorText(err));
      })
      .catch(function () { /* an unexpected answer: the next refresh tries again */ });
  }

  // ---------- uploads ----------
  function setBusy(on) {
    uploading = on;
    ['documents-file', 'documents-camera', 'documents-requirement'].forEach(function (id) { $(id).disabled = on; });
  }

  function codeOf(err) {
    var res = err && err.originalResponse;
    if (!res) return null;
    try { var body = JSON.parse(res.getBody() || '{}'); return body.code || null; } catch (e) { return null; }
  }

  function upload(file, input) {
    if (!file) return;
    showError('');
    if (!window.tus || !window.tus.isSupported) { showError(errorText('service_unavailable')); return; }
    var select = $('documents-requirement');
    var meta = { filename: file.name || 'photo.jpg' };
    if (select.value !== '') meta.requirement = select.value;
    var bar = $('documents-progress-bar');
    var text = $('documents-progress-text');
    var announced = -1;
    bar.value = 0;
    text.textContent = tr('documents.uploading', { name: meta.filename, percent: 0 });
    $('documents-progress').hidden = false;
    setBusy(true);
    var up = new window.tus.Upload(file, {
      endpoint: cfg.uploads,
      chunkSize: CHUNK,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      metadata: meta,
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        var pct = total ? Math.floor((sent / total) * 100) : 0;
        bar.value = pct;
        // the visible text follows every step; screen readers hear it each quarter
        var quarter = Math.floor(pct / 25);
        if (quarter !== announced) { announced = quarter; text.textContent = tr('documents.uploading', { name: meta.filename, percent: pct }); }
      },
      onShouldRetry: function (err, attempt, options) {
        var status = err && err.originalResponse ? err.originalResponse.getStatus() : 0;
        if (!status || status >= 500 || status === 409 || status === 423) { text.textContent = tr('documents.retrying'); return true; }
        return false;
      },
      onError: function (err) {
        setBusy(false);
        $('documents-progress').hidden = true;
        var msg = tr('documents.failed', { name: meta.filename, error: errorText(codeOf(err)) });
        showError(msg);
        input.value = '';
        load();
      },
      onSuccess: function () {
        setBusy(false);
        bar.value = 100;
        text.textContent = tr('documents.uploaded', { name: meta.filename });
        say(tr('documents.uploaded', { name: meta.filename }));
        input.value = '';
        load();
      },
    });
    up.findPreviousUploads().then(function (previous) {
      if (previous && previous.length) up.resumeFromPreviousUpload(previous[0]);
      up.start();
    });
  }

  $('documents-requirement').addEventListener('change', function (ev) { ev.target.dataset.touched = '1'; });
  ['documents-file', 'documents-camera'].forEach(function (id) {
    $(id).addEventListener('change', function (ev) { upload(ev.target.files && ev.target.files[0], ev.target); });
  });
  load();
  setInterval(function () { if (!uploading && document.visibilityState !== 'hidden') load(); }, REFRESH_MS);
})();
