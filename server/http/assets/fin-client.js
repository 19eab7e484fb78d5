// FinClient: the small helpers the panel scripts share (form-render.js, formal-agent.js,
// formal-citizen.js, documents-agent.js, documents-citizen.js). Plain ES2020, no build step; never
// uses innerHTML. A page may include it more than once (one tag per panel): it defines itself once.
//
//   FinClient.el(tag, attrs, children)   an element ('text' → textContent; null/false attrs and children left out)
//   FinClient.clear(node)                 removes every child
//   FinClient.fill(s, vars)               fills `{{name}}` in s
//   FinClient.size(lang, bytes)           "1.5 MB"
//   FinClient.localized(lang, text)       a {ca, es, en} text in lang (or the first there is)
//   FinClient.create({ strings, lang, base, csrf, status }) → { lookup, tr, errorText, request, say }
//     strings: the page's catalogue part (with errors.*); base: the URL the request paths follow;
//     csrf: sent as x-csrf-token on every request but GET; lang: added as ?lang= when given;
//     status: the id of the polite live region that say() speaks in.
(function () {
  'use strict';
  if (window.FinClient) return;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined && c !== false) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function fill(s, vars) {
    return String(s || '').replace(/\{\{(\w+)\}\}/g, function (_m, k) { return vars && vars[k] !== undefined ? String(vars[k]) : ''; });
  }
  function size(lang, bytes) {
    var units = ['B', 'KB', 'MB', 'GB'];
    var i = 0;
    var n = bytes || 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return new Intl.NumberFormat(lang, { maximumFractionDigits: i ? 1 : 0 }).format(n) + ' ' + units[i];
  }
  function localized(lang, text) {
    if (!text) return '';
    if (typeof text === 'string') return text;
    return text[lang] || text.ca || text.es || text.en || '';
  }

  function create(opts) {
    function lookup(key) {
      var node = opts.strings;
      key.split('.').forEach(function (p) { node = node && typeof node === 'object' ? node[p] : undefined; });
      return typeof node === 'string' ? node : undefined;
    }
    function tr(key, vars) {
      var s = lookup(key);
      return s === undefined ? key : fill(s, vars);
    }
    /** The text of an error code, or of a thrown `{ code }`; internal_error for an unknown one. */
    function errorText(err) {
      var code = err && typeof err === 'object' ? err.code : err;
      return code && lookup('errors.' + code) ? tr('errors.' + code) : tr('errors.internal_error');
    }
    /**
     * JSON over fetch: resolves to the parsed body, rejects with the server's `{ code, … }` body
     * (internal_error when it has none, service_unavailable when the network fails). A body with a
     * contentType is sent as it is; any other body as JSON.
     */
    function request(method, path, body, contentType) {
      var url = opts.base + path;
      if (opts.lang) url += (url.indexOf('?') >= 0 ? '&' : '?') + 'lang=' + encodeURIComponent(opts.lang);
      var headers = { accept: 'application/json' };
      if (method !== 'GET' && opts.csrf) headers['x-csrf-token'] = opts.csrf;
      if (body !== undefined) headers['content-type'] = contentType || 'application/json';
      var payload = body === undefined ? undefined : contentType ? body : JSON.stringify(body);
      return fetch(url, { method: method, headers: headers, body: payload, credentials: 'same-origin', cache: 'no-store' })
        .catch(function () { throw { code: 'service_unavailable' }; })
        .then(function (res) {
          return res.text().then(function (text) {
            var json = null;
            try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
            if (!res.ok) throw json && json.code ? json : { code: 'internal_error' };
            return json;
          });
        });
    }
    var sayTimer = null;
    /** Says a text in the live region (emptied first, so the same text twice is said twice). */
    function say(text) {
      var n = document.getElementById(opts.status);
      if (!n) return;
      n.textContent = '';
      clearTimeout(sayTimer);
      sayTimer = setTimeout(function () { n.textContent = text || ''; }, 50);
    }
    return { lookup: lookup, tr: tr, errorText: errorText, request: request, say: say };
  }

  window.FinClient = { el: el, clear: clear, fill: fill, size: size, localized: localized, create: create };
})();
