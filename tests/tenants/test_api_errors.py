import time

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.tenants.factories import TenantFactory, api_key, member

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["code", "message", "request_id", "details"]
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body["error"]


def test_400_lists_the_fields():
    client = APIClient()
    client.force_login(member(TenantFactory()).user)

    response = client.post("/api/v1/api-keys", {"scopes": ["jobs:delete"]}, format="json")

    error = assert_error_shape(response, 400, "invalid")
    assert error["message"] == "The request is not valid."
    assert error["details"] == {
        "name": ["This field is required."],
        "scopes": {"0": ['"jobs:delete" is not a valid choice.']},
    }


def test_401():
    error = assert_error_shape(APIClient().get("/api/v1/tenant"), 401, "not_authenticated")

    assert error["message"] == "Authentication credentials were not provided."


def test_403():
    _row, key = api_key(TenantFactory(), scopes=["jobs:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    error = assert_error_shape(client.get("/api/v1/members"), 403, "permission_denied")

    assert error["message"] == "This API key lacks the scope members:read."


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/tenant"])
def test_404_for_unknown_api_paths(path):
    error = assert_error_shape(APIClient().get(path), 404, "not_found")

    assert error == {
        "code": "not_found",
        "message": "Not found.",
        "request_id": error["request_id"],
        "details": {},
    }


def test_pages_outside_the_api_keep_their_html_404():
    response = APIClient().get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_404_for_a_page_past_the_end():
    _row, key = api_key(TenantFactory(), scopes=["members:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    error = assert_error_shape(client.get("/api/v1/members?page=9"), 404, "not_found")

    assert error["message"] == "Invalid page."


def test_405():
    _row, key = api_key(TenantFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    error = assert_error_shape(client.delete("/api/v1/tenant"), 405, "method_not_allowed")

    assert error["message"] == 'Method "DELETE" not allowed.'


@override_settings(APP_API_RATE_LIMIT="2/day")
def test_429_after_the_limit_with_retry_after(redis_client):
    tenant = TenantFactory()
    row, key = api_key(tenant)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    statuses = [client.get("/api/v1/tenant").status_code for _ in range(2)]
    response = client.get("/api/v1/tenant")

    error = assert_error_shape(response, 429, "throttled")
    retry_after = int(response["Retry-After"])
    window = int(time.time() // 86400)
    assert statuses == [200, 200]
    assert 0 < retry_after <= 86400
    assert error["details"] == {"retry_after": retry_after}
    assert (
        error["message"] == f"Request was throttled. Expected available in {retry_after} seconds."
    )
    assert redis_client.get(f"t:{tenant.pk}:k:{row.prefix}:rl:{window}") == b"3"


@override_settings(APP_API_RATE_LIMIT="1/day")
def test_each_key_has_its_own_limit(redis_client):
    tenant = TenantFactory()
    _first, first_key = api_key(tenant)
    _second, second_key = api_key(tenant)
    client = APIClient()

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first_key}")
    first = [client.get("/api/v1/tenant").status_code for _ in range(2)]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {second_key}")
    second = client.get("/api/v1/tenant").status_code

    assert first == [200, 429]
    assert second == 200
