"""``/docs``: Swagger UI served from this server (the files the ``fastapi-offline`` package
ships, Swagger UI 5, which reads OpenAPI 3.1), so the API documentation works offline and under
a strict CSP (no CDN, no inline script: the initialiser is a file of ours)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)
INIT = Path(__file__).parent / "docs_init.js"
# the bundle's files we serve, and their types
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript",
          "init.js": "text/javascript"}
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>openbureau API · Swagger UI</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
"""


@cache
def _bundle() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get("/docs/assets/{name}")
def asset(name: str) -> Response:
    media = ASSETS.get(name)
    if media is None:
        return Response(status_code=404)
    path = INIT if name == "init.js" else _bundle() / name
    return Response(path.read_bytes(), media_type=media,
                    headers={"Cache-Control": "public, max-age=86400"})
