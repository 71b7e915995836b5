"""Security headers on every kind of response: JSON, problem documents, PDFs, the docs."""

from tests.conftest import auth


def test_headers_on_api_and_errors(client, orgs):
    for r in (client.get("/healthz"), client.get("/v1/me/report"),
              client.get("/v1/furnisher/accounts", headers=auth(orgs["furnisher"]))):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in r.headers   # not in a test environment


def test_docs_page_loads_its_assets_from_this_server(client):
    """Swagger UI works offline: every script and stylesheet of /docs is served here, and the
    page's CSP allows no other origin and no inline script."""
    import re

    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "https:" not in csp and "script-src 'self';" in csp
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert "<script>" not in r.text                     # no inline script
    for path in assets:
        got = client.get(path)
        assert got.status_code == 200 and got.content, path
    assert b"SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").content
    assert b"/openapi.json" in client.get("/docs/assets/init.js").content
    assert client.get("/docs/assets/index.html").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_favicon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.content.startswith(b"<svg")
