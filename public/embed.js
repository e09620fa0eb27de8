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

  // The split build lists each page's wasm chunks in index.html's #portal-chunks: fetch those
  // of the page the portal opens on now, beside the app, rather than after it has started.
  // Signed out, the sign-in page shows instead: its chunks.
  function preloadPage(page) {
    var chunks = page.getElementById('portal-chunks');
    var signedIn = false;
    try { signedIn = !!sessionStorage.getItem('access-portal.session'); } catch (noStorage) {}
    if (!chunks) return;
    var target = document.querySelector('[data-access-portal]');
    var route = location.hash.indexOf('#/') === 0 ? location.hash.slice(1)
      : (target && target.getAttribute('data-start')) || '/';
    var path = route.split(/[?#]/)[0].replace(/^\/|\/$/g, '').split('/');
    var name = !signedIn ? 'sign_in'
      : path[0] === '' ? 'catalog'
      : path.length > 1 && path[0] !== 'package' ? path[0].replace(/s$/, '') : path[0];
    (JSON.parse(chunks.textContent)[name] || []).forEach(function (file) {
      var link = document.createElement('link');
      link.rel = 'preload';
      link.as = 'fetch';
      link.type = 'application/wasm';
      link.crossOrigin = 'anonymous';
      link.href = new URL(file, base).href;
      document.head.appendChild(link);
    });
  }

  // index.html names the current build's files (their names carry a content hash).
  fetch(base + 'index.html')
    .then(function (response) {
      if (!response.ok) throw new Error(base + 'index.html answered ' + response.status);
      return response.text();
    })
    .then(function (html) {
      var page = new DOMParser().parseFromString(html, 'text/html');
      // The split build names the app's files in #portal-start (xtask/src/split.rs).
      var start = page.getElementById('portal-start');
      var files = start ? JSON.parse(start.textContent) : {};
      function file(name) {
        return files[name] && new URL(files[name], base).href;
      }
      var js = file('script');
      var wasm = file('module');
      if (!js || !wasm) throw new Error('index.html does not name the app files');
      loader.stylesheet = file('css');
      preloadPage(page);
      return import(js).then(function (app) {
        return app.default({ module_or_path: wasm });
      });
    })
    .catch(function (error) {
      fail(error && error.message ? error.message : String(error));
    });
})();
