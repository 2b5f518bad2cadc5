"""``/openapi.json`` and ``/docs`` for any server of the kit: its description, readable.

Swagger UI is served from the swagger-ui-bundle package under ``/docs/static``
(no CDN: the page works offline), and the page's own start script is a file
too (``/docs/init.js``), so a Content-Security-Policy that allows no inline
script still lets it run.
"""

from __future__ import annotations

from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

from pcc_router.api.web.keys import OPENAPI
from pcc_router.api.web.routing import Route

__all__ = ["add_doc_assets", "doc_routes"]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>
"""

_INIT = """// The /docs page: Swagger UI drawn from this server's /openapi.json (no CDN).
"use strict";
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, presets: [SwaggerUIBundle.presets.apis] });
"""


async def _openapi(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


async def _docs(request: web.Request) -> web.Response:
    title = str(request.app[OPENAPI].get("info", {}).get("title", "API"))
    return web.Response(text=_PAGE.format(title=title), content_type="text/html")


async def _init(request: web.Request) -> web.Response:
    return web.Response(text=_INIT, content_type="application/javascript")


def doc_routes(tag: str) -> tuple[Route, Route]:
    """The two open routes that describe a server, under ``tag``."""
    return (
        Route(method="GET", path="/openapi.json", handler=_openapi, tag=tag,
              summary="this description", answers={200: "application/json"}, guard="open"),
        Route(method="GET", path="/docs", handler=_docs, tag=tag,
              summary="the API, readable and tryable (Swagger UI)",
              answers={200: "text/html"}, guard="open"),
    )  # fmt: skip


def add_doc_assets(app: web.Application) -> None:
    """Swagger UI's files and the page's start script (not API routes: not described)."""
    app.router.add_static("/docs/static", swagger_ui_path)
    app.router.add_get("/docs/init.js", _init)
