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


def test_docs_page_still_loads_its_assets(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert "unsafe-inline" in r.headers["content-security-policy"]
