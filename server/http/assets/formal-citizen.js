// The citizen's side of the formal procedure in the call room (pages/citizen/formal-panel.tsx): the
// request form as the agent fills it (read-only, announced politely, never taking the focus), the
// consent dialog ("I consent", then the one-time code when the town hall asks for one) and, once
// filed, the register number and the sealed receipt to download (asked for until it is sealed).
// room.js hands us its FinCall as window.FinRoomCall; we read the formal messages before FinCall,
// which ignores them. What counts (consent, code) goes over HTTP at {room}/filing.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var cfgEl = $('formal-config');
  var call = window.FinRoomCall;
  if (!cfgEl || !call || !window.FinForm || !window.FinClient) return;
  var cfg = JSON.parse(cfgEl.textContent || '{}');
  var RECEIPT_POLL_MS = 2000;
  var RECEIPT_POLL_MAX = 300; // ten minutes; the sealing job retries, the page can be reloaded

  var client = window.FinClient.create({ strings: cfg.strings, lang: cfg.lang, base: cfg.room, status: 'formal-announcer' });
  var tr = client.tr, errorText = client.errorText, announce = client.say, request = client.request;
  function show(node, on) { if (node) node.hidden = !on; }
  function setText(id, text) { var n = $(id); if (n) n.textContent = text || ''; }

  // ---------- state ----------
  var info = null;        // GET {room}/filing
  var loading = null;
  var data = null;        // the form as last shown by the agent
  var consent = null;     // { consentId, otpRequired } once given for this request
  var asked = false;      // a consent request waits for an answer
  var filingShown = null; // the filing id on screen
  var receiptTries = 0;
  var receiptTimer = null;

  function loadInfo() {
    if (loading) return loading;
    loading = request('GET', '/filing')
      .then(function (i) {
        info = i;
        if (data) renderForm();
        if (i && i.filing) showFiled(i.filing);
        return i;
      })
      .catch(function () { return info; })
      .then(function (i) { loading = null; return i; });
    return loading;
  }
  function withInfo() { return info ? Promise.resolve(info) : loadInfo(); }

  var originalHandle = call.handle;
  call.handle = function (m) {
    try {
      if (m && m.type === 'form_view') onForm(m.data);
      else if (m && m.type === 'filing_step') onStep(m);
      else if (m && m.type === 'hello' && m.room) loadInfo();
    } catch (e) { /* the call goes on */ }
    return originalHandle.apply(this, arguments);
  };

  // the hello may have come before this script ran: where the procedure stands, then
  if (call.room) loadInfo();

  // ---------- the form, live ----------
  var updatedTimer = null;
  var firstShown = false;
  function onForm(d) {
    if (!d || typeof d !== 'object') return;
    data = d;
    withInfo().then(function () {
      renderForm();
      // said once things settle, not at every key the agent presses
      clearTimeout(updatedTimer);
      updatedTimer = setTimeout(function () { if (!dialog.open) announce(tr('formal.citizen.form_updated')); }, firstShown ? 2500 : 300);
      firstShown = true;
    });
  }
  function viewOpts() { return { lang: cfg.lang, strings: (cfg.strings.formal && cfg.strings.formal.form) || {} }; }
  function renderForm() {
    if (!info || !info.schema || !data) return;
    window.FinForm.view($('formal-view-form'), info.schema, data, viewOpts());
    show($('formal-view'), true);
    if (dialog.open) window.FinForm.view($('formal-consent-form'), info.schema, data, viewOpts());
  }

  // ---------- consent ----------
  var dialog = $('formal-consent');
  var returnFocus = null;
  var answered = true;

  function onStep(m) {
    if (m.step === 'consent_request') {
      consent = null;
      asked = true;
      withInfo().then(function (i) { if (i && !i.filing) openConsent(); });
    } else if (m.step === 'filed') {
      loadInfo().then(function (i) {
        if (!(i && i.filing) && m.filingId) showFiled({ id: m.filingId, registerCode: '', receiptReady: false });
      });
    }
  }

  function openConsent() {
    if (!info) return;
    answered = false;
    setText('formal-consent-text', info.consentText || '');
    if (info.schema) {
      window.FinForm.view($('formal-consent-form'), info.schema, data || {}, viewOpts());
      show($('formal-consent-form-title'), true);
    } else {
      show($('formal-consent-form-title'), false);
    }
    setText('formal-consent-error', '');
    setText('formal-consent-status', '');
    show($('formal-consent-actions'), true);
    $('formal-consent-yes').disabled = false;
    show($('formal-otp'), false);
    $('formal-otp-code').value = '';
    otpError('');
    show($('formal-consent-pending'), false);
    show($('formal-consent-done'), false);
    if (!dialog.open) {
      returnFocus = document.activeElement;
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else {
        dialog.setAttribute('open', '');
        dialog.setAttribute('role', 'dialog');
        dialog.setAttribute('aria-modal', 'true');
      }
    }
    $('formal-consent-title').focus();
  }
  function closeConsent() {
    if (!dialog.open) return;
    if (typeof dialog.close === 'function') dialog.close();
    else dialog.removeAttribute('open');
  }
  function giveFocusBack() {
    var back = returnFocus && document.contains(returnFocus) && returnFocus !== document.body && !returnFocus.closest('dialog') ? returnFocus : $('call-title');
    if (back && back.offsetParent !== null) back.focus();
  }
  function otpError(message) {
    var p = $('formal-otp-error');
    p.textContent = message || '';
    p.hidden = !message;
    var input = $('formal-otp-code');
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  $('formal-consent-yes').addEventListener('click', function () {
    var b = $('formal-consent-yes');
    b.disabled = true;
    setText('formal-consent-error', '');
    setText('formal-consent-status', tr('formal.citizen.consent_sending'));
    // the consent is stored with the text in the language it was shown in
    request('POST', '/filing/consent', { formData: data || {}, language: cfg.lang })
      .then(function (res) {
        consent = { consentId: res.consentId, otpRequired: !!res.otpRequired };
        call.send({ type: 'filing_consent', consentId: res.consentId });
        if (res.otpRequired) {
          setText('formal-consent-status', '');
          show($('formal-consent-actions'), false);
          show($('formal-otp'), true);
          $('formal-otp-code').focus();
        } else {
          consentDone();
        }
      })
      .catch(function (err) {
        setText('formal-consent-status', '');
        setText('formal-consent-error', errorText(err));
        b.disabled = false;
      });
  });

  $('formal-otp').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!consent) return;
    var code = $('formal-otp-code').value.replace(/\s+/g, '');
    if (!code) { otpError(tr('formal.citizen.otp_required')); $('formal-otp-code').focus(); return; }
    otpError('');
    var submit = $('formal-otp').querySelector('button[type=submit]');
    submit.disabled = true;
    request('POST', '/filing/consent/' + encodeURIComponent(consent.consentId) + '/otp', { code: code })
      .then(function () {
        call.send({ type: 'filing_consent', consentId: consent.consentId });
        consentDone();
      })
      .catch(function (err) {
        otpError(errorText(err));
        $('formal-otp-code').focus();
      })
      .then(function () { submit.disabled = false; });
  });

  function consentDone() {
    answered = true;
    asked = false;
    closeConsent();
    show($('formal-consent-pending'), false);
    show($('formal-consent-done'), true);
    announce(tr('formal.citizen.consent_done'));
    giveFocusBack();
  }

  $('formal-consent-later').addEventListener('click', function () {
    closeConsent();
  });
  dialog.addEventListener('close', function () {
    if (!answered && asked && !filingShown) show($('formal-consent-pending'), true);
    if (!answered) giveFocusBack();
  });
  $('formal-consent-reopen').addEventListener('click', function () {
    openConsent();
  });

  // ---------- filed: the number and the receipt ----------
  function showFiled(filing) {
    if (!filing || !filing.id) return;
    var first = filingShown !== filing.id;
    filingShown = filing.id;
    asked = false;
    answered = true;
    closeConsent();
    show($('formal-consent-pending'), false);
    if (filing.registerCode) setText('formal-filed-text', tr('formal.citizen.filed_text', { code: filing.registerCode }));
    show($('formal-filed'), true);
    if (first && filing.registerCode) announce(tr('formal.citizen.filed_text', { code: filing.registerCode }));
    var a = $('formal-receipt');
    if (filing.receiptReady) {
      clearTimeout(receiptTimer);
      a.href = cfg.room + '/filing/' + encodeURIComponent(filing.id) + '/receipt';
      a.setAttribute('download', ''); // the server names the file
      show(a, true);
      // #formal-receipt-status is a status region of its own: it says this once
      setText('formal-receipt-status', tr('formal.citizen.receipt_ready'));
      return;
    }
    show(a, false);
    setText('formal-receipt-status', tr('formal.citizen.receipt_sealing'));
    if (first) receiptTries = 0;
    clearTimeout(receiptTimer);
    if (receiptTries++ >= RECEIPT_POLL_MAX) return;
    receiptTimer = setTimeout(function () { loadInfo(); }, RECEIPT_POLL_MS);
  }
})();
