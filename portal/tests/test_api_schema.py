"""The OpenAPI schema: valid without warnings, documenting every /api/v1/ URL and its errors; the docs
page works with assets from drf-spectacular-sidecar (no CDN)."""

import re

import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_PATHS = ("/api/v1/public/", "/api/v1/agencies/register/", "/api/v1/subscription/")


def _api_v1_routes() -> set[str]:
    routes = set()

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("api/v1/"):
                    routes.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return routes


def test_the_schema_validates_without_warnings_and_lists_every_v1_url(tmp_path, db):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    routes = _api_v1_routes()
    assert len(routes) > 20
    assert routes <= set(schema["paths"]), routes - set(schema["paths"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert "429" in codes, (path, method)
            assert codes & {"200", "201", "204"}, (path, method)
            if any(operation.get("security") or []):  # signed-in operations say how they refuse
                assert "401" in codes, (path, method)
            else:
                assert path.startswith(PUBLIC_PATHS), (path, method)


def test_the_schema_and_docs_are_public_and_use_local_assets(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "<script>" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


def test_unknown_api_addresses_are_json_404(client, db):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
