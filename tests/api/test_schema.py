"""The OpenAPI schema lists every endpoint of the API, each with what it answers and its
errors; the docs page loads Swagger UI from the site itself without inline script (the
browser test, tests/e2e/test_api_docs.py, runs it under the CSP)."""

import re

import pytest
from django.urls import URLResolver, get_resolver

from tests.api.conftest import API
from tests.test_url_matrix import url_names

pytestmark = pytest.mark.django_db


def api_routes() -> set[str]:
    """Every route of the API as the URL resolver has it, e.g. /api/v1/courses/{course_slug}."""
    resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "api"
    )
    routes = set()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if route and "openapi" not in route and "docs" not in route:
            routes.add("/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return routes


def test_the_schema_lists_every_endpoint(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == api_routes()
    # Each named endpoint (tests/test_url_matrix.py lists them all) is one operation.
    named = {n for n in url_names() if n.startswith("api:")} - {
        "api:openapi-json",
        "api:openapi-view",
        "api:api-root",
    }
    assert sum(len(operations) for operations in schema["paths"].values()) == len(named)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["description"], (method, path)  # each says what it answers
            assert "200" in operation["responses"], (method, path)
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_has_no_inline_script(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/js/api_docs.js" in html
    assert "cdn" not in html.lower() and "style=" not in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "&quot;url&quot;: &quot;/api/v1/openapi.json&quot;" in html


def test_errors_outside_the_endpoints_are_json_too(client, offering):
    not_allowed = client.delete(f"{API}/courses")
    assert not_allowed.status_code == 405 and not_allowed["Allow"] == "GET"
    assert not_allowed.json() == {"detail": "This address does not take DELETE."}
    unknown = client.get(f"{API}/nothing/here")
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "No such endpoint; the list is at /api/v1/docs."}


def test_the_root_says_where_the_schema_and_the_docs_are(client):
    assert client.get(f"{API}/").json() == {
        "openapi": "http://testserver/api/v1/openapi.json",
        "docs": "http://testserver/api/v1/docs",
    }
