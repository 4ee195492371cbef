import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from config.api import TenantApi

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3_as_json_and_yaml(capsys):
    client = APIClient()

    as_json = client.get("/api/v1/schema/?format=json")
    as_yaml = client.get("/api/v1/schema/")

    assert as_json.status_code == 200
    schema = as_json.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/api-keys",
        "/api/v1/api-keys/{api_key_id}/revoke",
        "/api/v1/audit-events",
        "/api/v1/members",
        "/api/v1/tenant",
        "/api/v1/jobs",
        "/api/v1/jobs/{job_id}",
        "/api/v1/jobs/{job_id}/assets",
        "/api/v1/jobs/{job_id}/cancel",
        "/api/v1/jobs/{job_id}/clone",
        "/api/v1/jobs/{job_id}/retry",
        "/api/v1/products",
        "/api/v1/products/{product_id}",
        "/api/v1/products/{product_id}/photos",
        "/api/v1/brand-kit",
        "/api/v1/scripts/analyse",
        "/api/v1/generation/options",
    } <= set(schema["paths"])
    # drf-spectacular reports clashing component names and unreadable views on stderr.
    assert "Warning" not in capsys.readouterr().err
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert yaml.safe_load(as_yaml.content) == schema


def test_the_docs_page_runs_only_our_own_static_scripts():
    client = APIClient()

    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    html = page.content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert page.status_code == 200
    assert re.findall(r"<script>", html) == []
    assert sources[:2] == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
    ]
    assert sources[2] == "/api/v1/docs/?script="
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"


def test_a_tenant_api_cannot_override_get_queryset():
    with pytest.raises(TypeError) as error:

        class LeakyApi(TenantApi):
            def get_queryset(self):
                return None

    assert str(error.value) == (
        "LeakyApi overrides get_queryset(); implement get_tenant_queryset(tenant) instead, "
        "so every query is given the tenant."
    )
