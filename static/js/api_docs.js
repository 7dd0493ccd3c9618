/* The API's documentation page (templates/ninja/swagger.html): Swagger UI, started from a
   static file because the site's Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  if (!element || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  var settings = JSON.parse(element.dataset.settings);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  window.ui = SwaggerUIBundle(settings);
})();
