// Listens to the staff socket and says, politely, when the agenda changed; reconnects with backoff.
(function () {
  var el = document.getElementById('agenda-live');
  if (!el || !('WebSocket' in window)) return;
  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + el.getAttribute('data-ws');
  var tries = 0;
  function show() {
    if (el.getAttribute('data-shown')) return;
    el.setAttribute('data-shown', '1');
    var p = document.createElement('p');
    p.className = 'notice';
    p.textContent = el.getAttribute('data-changed') + ' ';
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = el.getAttribute('data-reload');
    b.addEventListener('click', function () { location.reload(); });
    p.appendChild(b);
    el.appendChild(p);
  }
  function connect() {
    var ws = new WebSocket(url);
    ws.onopen = function () { tries = 0; };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m && m.type === 'agenda.changed') show();
    };
    ws.onclose = function (e) {
      if (e.code === 1008) return; // signed out: nothing to listen to
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, tries++)));
    };
  }
  connect();
})();
