"""The interactive API docs (Swagger UI), served from the package: they work offline.

FastAPI's default page loads Swagger UI from a CDN, so it is blank without internet access.
Here the page and its assets come from ``api/static/swagger-ui`` (swagger-ui-dist, vendored:
see the README there for the version and licence), and the page names no other host: the
online validator badge is switched off too.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "swagger-ui"


def install_docs(app: FastAPI, base_path: str) -> None:
    """Serve the docs at ``{base_path}/docs`` and their assets under ``{base_path}/docs/assets``."""
    assets = f"{base_path}/docs/assets"
    openapi_url = app.openapi_url or f"{base_path}/openapi.json"

    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} — docs",
            swagger_js_url=f"{root}{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{root}{assets}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    app.add_route(f"{base_path}/docs", docs, include_in_schema=False)
    app.mount(assets, StaticFiles(directory=ASSETS), name="docs-assets")
