// The /docs page: Swagger UI drawn from this controller's /openapi.json (assets served here).
"use strict";
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, presets: [SwaggerUIBundle.presets.apis] });
