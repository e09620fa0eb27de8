// Access Portal in your page. Add the portal where it should appear, and this script:
//
//   <div data-access-portal data-start="/package/sales-crm"></div>
//   <script src="https://access.example.com/embed.js" defer></script>
//
// `data-start` (optional) is the route to open first. The portal keeps its routes in the
// address's fragment (#/package/sales-crm), so your page's own path and routing are untouched,
// and its styles live in a shadow root, so neither page's CSS reaches the other. The portal's
// server must list your page's origin in --cors-allowed-origins.
(function () {
  'use strict';
  var script = document.currentScript;
  var base = new URL('.', script ? script.src : location.href).href;
  var loader = (window.AccessPortal = { base: base });

  function fail(message) {
    var target = document.querySelector('[data-access-portal]');
    if (!target) return;
    target.setAttribute('role', 'alert');
    target.textContent = 'Access Portal could not be loaded: ' + message;
  }

  // index.html names the current build's files (their names carry a content hash).
  fetch(base + 'index.html')
    .then(function (response) {
      if (!response.ok) throw new Error(base + 'index.html answered ' + response.status);
      return response.text();
    })
    .then(function (html) {
      var page = new DOMParser().parseFromString(html, 'text/html');
      function file(selector) {
        var link = page.querySelector(selector);
        return link && new URL(link.getAttribute('href'), base).href;
      }
      var js = file('link[rel=modulepreload][href$=".js"]');
      var wasm = file('link[rel=preload][href$=".wasm"]');
      if (!js || !wasm) throw new Error('index.html does not name the app files');
      loader.stylesheet = file('link[rel=stylesheet]');
      return import(js).then(function (app) {
        return app.default({ module_or_path: wasm });
      });
    })
    .catch(function (error) {
      fail(error && error.message ? error.message : String(error));
    });
})();
