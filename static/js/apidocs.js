// Starts Swagger UI on /docs/api (views/apidocsview): the document comes from
// the element's data-spec, nothing is fetched from elsewhere (no validator
// badge, no remote config), so the page works offline and under the CSP.
(function () {
  var el = document.getElementById('swagger-ui');
  if (!el || typeof window.SwaggerUIBundle !== 'function') return;
  window.SwaggerUIBundle({
    url: el.dataset.spec,
    domNode: el,
    validatorUrl: null,
    deepLinking: false,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    syntaxHighlight: { activated: false },
    queryConfigEnabled: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  });

  // Swagger UI leaves its example and server pickers without a name and its
  // scrolling code blocks out of the tab order; name them and let the
  // keyboard reach them, as the app's other pages do.
  function mend() {
    el.querySelectorAll('select:not([aria-label])').forEach(function (s) {
      s.setAttribute('aria-label', s.id === 'servers' ? 'Server' : 'Example');
    });
    el.querySelectorAll('pre.microlight:not([tabindex])').forEach(function (p) {
      p.setAttribute('tabindex', '0');
    });
  }
  new MutationObserver(mend).observe(el, { childList: true, subtree: true });
})();
