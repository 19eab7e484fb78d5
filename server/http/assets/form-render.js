// FinForm: draws a procedure's request form from its JSON Schema (the subset of docs/FILING.md):
// editable for the agent (labelled fields, required marked, inline messages), read-only for the
// citizen (a definition list). Plain ES2020, no build step; never uses innerHTML. Needs fin-client.js.
//
//   var form = FinForm.edit(container, schema, { lang, idPrefix, strings, onChange(data) });
//   form.data()            → { name: value } of the filled fields (empty ones left out; booleans always)
//   form.validate(focus)   → [{ name, message }] and shows the messages (focus: move to the first wrong field)
//   form.showErrors(list)  → shows messages from elsewhere (the server): [{ name, message }]
//   form.setDisabled(b)
//   FinForm.view(container, schema, data, { lang, strings })   the read-only definition list
//   FinForm.clean(schema, data)                                 only the schema's fields, with their types
//
// strings: required, choose, yes, no, empty, and err_required, err_number, err_integer, err_min_length,
// err_max_length, err_minimum, err_maximum, err_email, err_date, err_enum ({{n}} filled in).
(function () {
  'use strict';
  if (!window.FinClient) return;

  var NAME = /^[a-z][a-zA-Z0-9_]{0,39}$/;
  var MAX_TEXT = 2000;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var DATE = /^\d{4}-\d{2}-\d{2}$/;

  var el = window.FinClient.el;
  var clear = window.FinClient.clear;
  var fill = window.FinClient.fill;
  function pick(map, lang) {
    if (!map || typeof map !== 'object') return undefined;
    var v = map[lang];
    return typeof v === 'string' && v ? v : undefined;
  }

  /** The fields of a schema, in order, with what the renderer needs; unknown or unsafe ones left out. */
  function fieldsOf(schema, lang) {
    var props = schema && typeof schema === 'object' && schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
    var required = Array.isArray(schema && schema.required) ? schema.required : [];
    // A schema stored as PostgreSQL jsonb comes back with its keys reordered (shortest first): an
    // `x-order` list of field names, when the schema has one, puts them back in the admin's order.
    var order = Array.isArray(schema && schema['x-order']) ? schema['x-order'] : [];
    var rank = function (name) { var i = order.indexOf(name); return i < 0 ? order.length : i; };
    return Object.keys(props)
      .sort(function (a, b) { return rank(a) - rank(b); })
      .filter(function (name) { return NAME.test(name) && props[name] && typeof props[name] === 'object'; })
      .slice(0, 40)
      .map(function (name) {
        var p = props[name];
        var type = ['string', 'number', 'integer', 'boolean'].indexOf(p.type) >= 0 ? p.type : 'string';
        var options = Array.isArray(p['enum']) ? p['enum'].filter(function (v) { return typeof v === 'string' || typeof v === 'number'; }) : null;
        var titles = p['x-enum-titles'] && Array.isArray(p['x-enum-titles'][lang]) ? p['x-enum-titles'][lang] : null;
        return {
          name: name,
          type: type,
          label: pick(p['x-title'], lang) || (typeof p.title === 'string' && p.title) || name,
          description: pick(p['x-description'], lang) || (typeof p.description === 'string' ? p.description : ''),
          options: options && options.length ? options.map(function (v, i) { return { value: v, title: titles && typeof titles[i] === 'string' ? titles[i] : String(v) }; }) : null,
          format: p.format === 'date' || p.format === 'email' ? p.format : null,
          multiline: p.multiline === true || p['x-multiline'] === true,
          minLength: typeof p.minLength === 'number' ? p.minLength : null,
          maxLength: Math.min(typeof p.maxLength === 'number' ? p.maxLength : MAX_TEXT, MAX_TEXT),
          minimum: typeof p.minimum === 'number' ? p.minimum : null,
          maximum: typeof p.maximum === 'number' ? p.maximum : null,
          required: required.indexOf(name) >= 0,
        };
      });
  }

  /** Only the schema's fields, each with its type (strings cut to their limit); nothing else. */
  function clean(schema, data) {
    var out = {};
    if (!data || typeof data !== 'object') return out;
    fieldsOf(schema, 'ca').forEach(function (f) {
      var v = data[f.name];
      if (v === undefined || v === null || v === '') return;
      if (f.type === 'boolean') { if (typeof v === 'boolean') out[f.name] = v; }
      else if (f.type === 'number' || f.type === 'integer') { if (typeof v === 'number' && isFinite(v)) out[f.name] = v; }
      else if (typeof v === 'string') out[f.name] = v.slice(0, f.maxLength);
      else if (typeof v === 'number' && f.options) out[f.name] = v;
    });
    return out;
  }

  /** The message for one field's value, or ''. */
  function check(f, raw, value, S) {
    var empty = raw === '' || raw === undefined || raw === null;
    if (f.type === 'boolean') return '';
    if (empty) return f.required ? fill(S.err_required) : '';
    if (f.options) {
      var ok = f.options.some(function (o) { return o.value === value; });
      return ok ? '' : fill(S.err_enum);
    }
    if (f.type === 'number' || f.type === 'integer') {
      if (typeof value !== 'number' || !isFinite(value)) return fill(S.err_number);
      if (f.type === 'integer' && Math.floor(value) !== value) return fill(S.err_integer);
      if (f.minimum !== null && value < f.minimum) return fill(S.err_minimum, { n: f.minimum });
      if (f.maximum !== null && value > f.maximum) return fill(S.err_maximum, { n: f.maximum });
      return '';
    }
    if (f.minLength !== null && value.length < f.minLength) return fill(S.err_min_length, { n: f.minLength });
    if (value.length > f.maxLength) return fill(S.err_max_length, { n: f.maxLength });
    if (f.format === 'email' && !EMAIL.test(value)) return fill(S.err_email);
    if (f.format === 'date' && (!DATE.test(value) || isNaN(Date.parse(value + 'T00:00:00Z')))) return fill(S.err_date);
    return '';
  }

  function edit(container, schema, opts) {
    var S = opts.strings || {};
    var prefix = opts.idPrefix || 'ff';
    var fields = fieldsOf(schema, opts.lang);
    var controls = {};
    var touched = {};
    clear(container);

    fields.forEach(function (f) {
      var id = prefix + '-' + f.name;
      var errId = id + '-error';
      var hintId = id + '-hint';
      var described = [f.description ? hintId : null, errId].filter(Boolean).join(' ');
      var control;
      var errorP = el('p', { class: 'error', id: errId, hidden: true });
      if (f.type === 'boolean') {
        control = el('input', { type: 'checkbox', id: id, name: f.name, 'aria-describedby': described });
        container.appendChild(el('div', { class: 'field choice ff-field', 'data-field': f.name }, [
          control,
          el('label', { for: id, text: f.label }),
          f.description ? el('p', { class: 'hint', id: hintId, text: f.description }) : null,
          errorP,
        ]));
      } else {
        if (f.options) {
          control = el('select', { id: id, name: f.name });
          control.appendChild(el('option', { value: '', text: S.choose || '' }));
          f.options.forEach(function (o, i) { control.appendChild(el('option', { value: String(i), text: o.title })); });
        } else if (f.multiline) {
          control = el('textarea', { id: id, name: f.name, rows: 4, maxlength: f.maxLength });
        } else {
          var type = f.type === 'number' || f.type === 'integer' ? 'number' : f.format === 'date' ? 'date' : f.format === 'email' ? 'email' : 'text';
          control = el('input', {
            type: type,
            id: id,
            name: f.name,
            maxlength: type === 'text' || type === 'email' ? f.maxLength : null,
            min: f.minimum !== null ? f.minimum : null,
            max: f.maximum !== null ? f.maximum : null,
            step: f.type === 'integer' ? '1' : f.type === 'number' ? 'any' : null,
            inputmode: f.type === 'integer' ? 'numeric' : f.type === 'number' ? 'decimal' : null,
            autocomplete: 'off',
          });
        }
        if (f.required) { control.setAttribute('required', ''); control.setAttribute('aria-required', 'true'); }
        control.setAttribute('aria-describedby', described);
        var label = el('label', { for: id }, [f.label, f.required ? el('span', { class: 'ff-required', text: ' (' + (S.required || '*') + ')' }) : null]);
        container.appendChild(el('div', { class: 'field ff-field', 'data-field': f.name }, [
          label,
          f.description ? el('p', { class: 'hint', id: hintId, text: f.description }) : null,
          errorP,
          control,
        ]));
      }
      controls[f.name] = { field: f, control: control, error: errorP };
      var changed = function () {
        if (opts.onChange) opts.onChange(data());
      };
      control.addEventListener('input', changed);
      control.addEventListener('change', function () {
        touched[f.name] = true;
        showOne(f.name);
        changed();
      });
      control.addEventListener('blur', function () {
        if (touched[f.name] || control.value !== '') { touched[f.name] = true; showOne(f.name); }
      });
    });

    function read(name) {
      var c = controls[name];
      var f = c.field;
      var raw = c.control.type === 'checkbox' ? c.control.checked : c.control.value;
      var value = raw;
      if (f.type === 'boolean') value = !!raw;
      else if (f.options) value = raw === '' ? '' : f.options[Number(raw)] ? f.options[Number(raw)].value : '';
      else if (f.type === 'number' || f.type === 'integer') {
        // a number input answers '' for text it cannot read: say so instead of dropping it silently
        if (raw === '' && c.control.validity && c.control.validity.badInput) value = NaN;
        else value = raw === '' ? '' : Number(raw);
      }
      return { raw: raw === '' && value !== value ? 'x' : raw, value: value };
    }

    function data() {
      var out = {};
      fields.forEach(function (f) {
        var r = read(f.name);
        if (f.type === 'boolean') out[f.name] = r.value;
        else if (r.value !== '' && !(typeof r.value === 'number' && !isFinite(r.value))) out[f.name] = r.value;
      });
      return out;
    }

    function setMessage(name, message) {
      var c = controls[name];
      if (!c) return;
      c.error.textContent = message || '';
      c.error.hidden = !message;
      if (message) c.control.setAttribute('aria-invalid', 'true');
      else c.control.removeAttribute('aria-invalid');
      c.control.closest('.ff-field').classList.toggle('invalid', !!message);
    }

    function messageOf(name) {
      var r = read(name);
      return check(controls[name].field, r.raw, r.value, S);
    }

    function showOne(name) { setMessage(name, messageOf(name)); }

    function validate(focus) {
      var errors = [];
      fields.forEach(function (f) {
        var m = messageOf(f.name);
        setMessage(f.name, m);
        if (m) errors.push({ name: f.name, message: m });
      });
      if (focus && errors.length) controls[errors[0].name].control.focus();
      return errors;
    }

    function showErrors(list) {
      (list || []).forEach(function (e) { setMessage(e.name, e.message); });
      var first = (list || []).filter(function (e) { return controls[e.name]; })[0];
      if (first) controls[first.name].control.focus();
    }

    function setDisabled(on) {
      Object.keys(controls).forEach(function (k) { controls[k].control.disabled = !!on; });
    }

    return { data: data, validate: validate, showErrors: showErrors, setDisabled: setDisabled, fields: fields, has: function (name) { return !!controls[name]; } };
  }

  /** The form read-only: a definition list of label → value, in the schema's order. */
  function view(container, schema, data, opts) {
    var S = opts.strings || {};
    var fields = fieldsOf(schema, opts.lang);
    var values = clean(schema, data);
    var dl = el('dl', { class: 'summary ff-view' });
    fields.forEach(function (f) {
      var v = values[f.name];
      var text;
      if (v === undefined) text = S.empty || '—';
      else if (f.type === 'boolean') text = v ? S.yes : S.no;
      else if (f.options) {
        var o = f.options.filter(function (x) { return x.value === v; })[0];
        text = o ? o.title : String(v);
      } else if (f.format === 'date' && DATE.test(String(v))) {
        try {
          text = new Intl.DateTimeFormat(opts.lang, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(v + 'T00:00:00Z'));
        } catch (e) { text = String(v); }
      } else text = String(v);
      dl.appendChild(el('dt', { text: f.label }));
      dl.appendChild(el('dd', { 'data-field': f.name, class: f.multiline ? 'ff-multiline' : null, text: text }));
    });
    clear(container);
    container.appendChild(dl);
    return dl;
  }

  window.FinForm = { edit: edit, view: view, clean: clean, fieldsOf: fieldsOf };
})();
