// Draws the indicator charts with Chart.js (/assets/vendor/chart.umd.min.js, loaded before this file).
// Each chart is a <canvas> followed by <script type="application/json" data-chart> holding
// { "type": "bar"|"line"|"doughnut", "title": "...", "labels": [...], "datasets": [{ "label": "...", "data": [...] }] }
// (optional: "aspectRatio", "showTitle", "stacked", "horizontal", dataset "color").
// Every chart has a table beside it that says the same: without JavaScript, or when a block is
// malformed, the table is what people read. Plain ES5, no modules; exposes window.FinCharts.
(function () {
  'use strict';

  // Okabe–Ito: told apart with the usual colour-vision deficiencies; the town hall's brand goes first.
  var PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  var TYPES = { bar: true, line: true, doughnut: true };

  function brand() {
    try {
      var v = getComputedStyle(document.documentElement).getPropertyValue('--brand').trim();
      return /^#[0-9a-f]{3,8}$|^rgb/i.test(v) ? v : null;
    } catch (e) {
      return null;
    }
  }

  function colours() {
    var b = brand();
    return b ? [b].concat(PALETTE.slice(1)) : PALETTE.slice();
  }

  /** The colour, see-through (for the area under a line); left solid when it is not #rrggbb. */
  function translucent(c) {
    return /^#[0-9a-f]{6}$/i.test(c) ? c + '33' : c;
  }

  function num(v) {
    return typeof v === 'number' && isFinite(v) ? v : null;
  }

  /** The spec as it may be drawn, or null when it cannot be (then the table alone stays). */
  function clean(spec) {
    if (!spec || typeof spec !== 'object' || !TYPES[spec.type] || !Array.isArray(spec.labels) || !Array.isArray(spec.datasets)) return null;
    var labels = spec.labels.slice(0, 1000).map(function (l) { return l == null ? '' : String(l); });
    var datasets = spec.datasets.slice(0, 20).filter(function (d) { return d && Array.isArray(d.data); }).map(function (d) {
      return { label: d.label == null ? '' : String(d.label), data: d.data.slice(0, labels.length).map(num), color: typeof d.color === 'string' ? d.color : null };
    });
    if (!datasets.length) return null;
    return {
      type: spec.type,
      title: typeof spec.title === 'string' ? spec.title : '',
      labels: labels,
      datasets: datasets,
      aspectRatio: num(spec.aspectRatio),
      showTitle: spec.showTitle === true,
      stacked: spec.stacked === true,
      horizontal: spec.horizontal === true,
    };
  }

  function allWhole(datasets) {
    return datasets.every(function (d) { return d.data.every(function (v) { return v === null || Math.round(v) === v; }); });
  }

  function config(spec) {
    var pal = colours();
    var lang = document.documentElement.lang || undefined;
    var doughnut = spec.type === 'doughnut';
    var reduced = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var narrow = (window.innerWidth || 800) < 600;
    var datasets = spec.datasets.map(function (d, i) {
      var c = d.color || pal[i % pal.length];
      if (doughnut) {
        var each = spec.labels.map(function (_, j) { return pal[j % pal.length]; });
        return { label: d.label, data: d.data, backgroundColor: each, borderColor: '#fff', borderWidth: 2 };
      }
      return {
        label: d.label,
        data: d.data,
        backgroundColor: spec.type === 'line' ? translucent(c) : c,
        borderColor: c,
        borderWidth: 2,
        pointRadius: spec.labels.length > 60 ? 0 : 3,
        pointHoverRadius: 5,
        fill: spec.type === 'line',
        tension: 0.2,
        spanGaps: false,
      };
    });
    var scales;
    if (!doughnut) {
      var value = { beginAtZero: true, stacked: spec.stacked, ticks: { precision: allWhole(spec.datasets) ? 0 : undefined, color: '#333' }, grid: { color: '#0000001f' } };
      var category = { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 0, color: '#333' }, grid: { display: false } };
      scales = spec.horizontal ? { x: value, y: category } : { x: category, y: value };
    }
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        locale: lang,
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: spec.aspectRatio ? (narrow ? Math.min(spec.aspectRatio, 1.3) : spec.aspectRatio) : doughnut ? 1.4 : narrow ? 1.3 : 2.2,
        animation: reduced ? false : { duration: 400 },
        indexAxis: spec.horizontal ? 'y' : 'x',
        interaction: { mode: doughnut ? 'nearest' : 'index', intersect: false },
        plugins: {
          legend: { display: doughnut || spec.datasets.length > 1, labels: { color: '#222' } },
          title: { display: spec.showTitle && !!spec.title, text: spec.title, color: '#222' },
          tooltip: { enabled: true },
        },
        scales: scales,
      },
    };
  }

  /** The canvas a data block belongs to: the element right before it (or inside the same wrapper). */
  function canvasFor(block) {
    var el = block.previousElementSibling;
    if (el && el.tagName === 'CANVAS') return el;
    return block.parentNode && block.parentNode.querySelector ? block.parentNode.querySelector('canvas') : null;
  }

  /** Draws (or redraws) the chart of one data block; returns the Chart or null. */
  function draw(block, spec) {
    if (!window.Chart) return null;
    var canvas = canvasFor(block);
    if (!canvas) return null;
    if (spec === undefined) {
      try { spec = JSON.parse(block.textContent || 'null'); } catch (e) { spec = null; }
    }
    var clean_ = clean(spec);
    if (!clean_) return null;
    if (!canvas.getAttribute('role')) canvas.setAttribute('role', 'img');
    if (!canvas.getAttribute('aria-label') && !canvas.getAttribute('aria-labelledby') && clean_.title) canvas.setAttribute('aria-label', clean_.title);
    var existing = window.Chart.getChart ? window.Chart.getChart(canvas) : null;
    if (existing) existing.destroy();
    try {
      var chart = new window.Chart(canvas, config(clean_));
      block.setAttribute('data-drawn', '1');
      return chart;
    } catch (e) {
      block.setAttribute('data-drawn', 'failed');
      return null;
    }
  }

  /** Draws every chart under `root` (default: the document) not drawn yet. */
  function drawAll(root) {
    var blocks = (root || document).querySelectorAll('script[type="application/json"][data-chart]');
    for (var i = 0; i < blocks.length; i++) if (!blocks[i].getAttribute('data-drawn')) draw(blocks[i]);
  }

  window.FinCharts = { draw: draw, drawAll: drawAll };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { drawAll(); });
  else drawAll();
})();
