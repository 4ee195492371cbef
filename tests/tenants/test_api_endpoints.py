import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tenants.context import tenant_scope
from tenants.models import ApiKey, AuditEvent, Membership
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, UserFactory, api_key, member

pytestmark = pytest.mark.django_db

KEY_FIELDS = {
    "id", "name", "prefix", "scopes", "created_by", "created_at", "expires_at", "revoked_at",
    "last_used_at",
}  # fmt: skip


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_members_are_paginated():
    tenant = TenantFactory()
    owner = member(tenant, user=UserFactory(username="owner@acme.test")).user
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"m{n}@acme.test", email=f"m{n}@acme.test") for n in range(50)]
    )
    with tenant_scope(tenant.pk):
        Membership.objects.bulk_create(
            [Membership(tenant=tenant, user=user, role=Role.VIEWER) for user in users]
        )
    _row, key = api_key(tenant, scopes=["members:read"])
    client = key_client(key)

    first = client.get("/api/v1/members").json()
    second = client.get("/api/v1/members?page=2").json()

    assert first["count"] == 51
    assert first["next"] == "http://testserver/api/v1/members?page=2"
    assert first["previous"] is None
    assert len(first["results"]) == 50
    assert first["results"][0] == {
        "id": first["results"][0]["id"],
        "user_id": owner.pk,
        "email": "owner@acme.test",
        "name": "",
        "role": "owner",
        "created_at": first["results"][0]["created_at"],
    }
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/members"
    assert [row["email"] for row in second["results"]] == ["m49@acme.test"]


def test_list_query_count_does_not_grow_with_rows(django_assert_max_num_queries):
    tenant = TenantFactory()
    for _ in range(3):
        member(tenant, role=Role.VIEWER)
    _row, key = api_key(tenant, scopes=["members:read", "audit:read", "api_keys:read"])
    client = key_client(key)
    client.get("/api/v1/tenant")  # writes last_used_at once, outside the counted requests

    for path in ["/api/v1/members", "/api/v1/audit-events", "/api/v1/api-keys"]:
        with django_assert_max_num_queries(9):
            assert client.get(path).status_code == 200


def test_api_keys_list_never_shows_the_hash():
    tenant = TenantFactory()
    row, key = api_key(tenant, scopes=["api_keys:read"])

    body = key_client(key).get("/api/v1/api-keys").json()

    assert body["count"] == 1
    assert set(body["results"][0]) == KEY_FIELDS
    assert body["results"][0]["prefix"] == row.prefix
    assert row.key_hash not in str(body)


def test_a_member_creates_a_key_with_the_session_and_sees_it_once():
    tenant = TenantFactory()
    owner = member(tenant).user
    client = session_client(owner)

    response = client.post(
        "/api/v1/api-keys", {"name": "Shop", "scopes": ["jobs:read"]}, format="json"
    )
    listed = client.get("/api/v1/api-keys").json()

    assert response.status_code == 201
    body = response.json()
    assert set(body) == KEY_FIELDS | {"key"}
    assert body["key"].startswith(f"bl_{body['prefix']}_")
    assert body["created_by"] == owner.pk
    assert "key" not in listed["results"][0]
    with tenant_scope(tenant.pk):
        assert AuditEvent.objects.filter(tenant=tenant, action="api_key.created").count() == 1


def test_a_key_cannot_mint_or_revoke_keys():
    tenant = TenantFactory()
    row, key = api_key(tenant, scopes=["api_keys:read"])
    client = key_client(key)

    created = client.post("/api/v1/api-keys", {"name": "x", "scopes": ["jobs:read"]}, "json")
    revoked = client.post(f"/api/v1/api-keys/{row.pk}/revoke")

    message = "API keys cannot do this; sign in to the dashboard instead."
    assert (created.status_code, created.json()["error"]["message"]) == (403, message)
    assert (revoked.status_code, revoked.json()["error"]["message"]) == (403, message)
    with tenant_scope(tenant.pk):
        assert ApiKey.objects.filter(tenant=tenant).count() == 1
        assert ApiKey.objects.get(pk=row.pk).revoked_at is None


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.EDITOR, "/api/v1/api-keys"),
        (Role.VIEWER, "/api/v1/audit-events"),
    ],
)
def test_session_roles_are_checked(role, path):
    tenant = TenantFactory()
    user = member(tenant, role=role).user

    response = session_client(user).get(path)

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Your role in this brand does not allow this."


def test_an_editor_cannot_create_a_key_with_the_session():
    tenant = TenantFactory()
    editor = member(tenant, role=Role.EDITOR).user

    response = session_client(editor).post(
        "/api/v1/api-keys", {"name": "x", "scopes": ["jobs:read"]}, format="json"
    )

    assert response.status_code == 403
    with tenant_scope(tenant.pk):
        assert ApiKey.objects.filter(tenant=tenant).count() == 0


def test_session_writes_need_the_csrf_token():
    tenant = TenantFactory()
    owner = member(tenant).user
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/api/v1/api-keys", {"name": "x", "scopes": ["jobs:read"]}, "json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "CSRF Failed: CSRF cookie not set."
    with tenant_scope(tenant.pk):
        assert ApiKey.objects.filter(tenant=tenant).count() == 0


def test_revoke_writes_the_audit_row_and_the_revoked_key_stops_working():
    tenant = TenantFactory()
    owner = member(tenant).user
    row, key = api_key(tenant)

    response = session_client(owner).post(f"/api/v1/api-keys/{row.pk}/revoke")
    after = key_client(key).get("/api/v1/tenant")

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert after.status_code == 401
    with tenant_scope(tenant.pk):
        event = AuditEvent.objects.get(tenant=tenant, action="api_key.revoked")
    assert (event.actor, event.target_id) == (owner, str(row.pk))


def test_audit_events_list_for_a_key_with_the_scope():
    tenant = TenantFactory()
    _row, key = api_key(tenant, scopes=["audit:read"])

    body = key_client(key).get("/api/v1/audit-events").json()

    assert body["count"] == 1
    assert body["results"][0]["action"] == "api_key.created"
    assert body["results"][0]["actor"] is None


def test_a_user_with_no_brand_gets_403():
    response = session_client(UserFactory()).get("/api/v1/tenant")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "You are not a member of any brand."


class TestAnotherBrand:
    def test_its_key_sees_only_its_own_rows(self):
        mine, theirs = TenantFactory(), TenantFactory()
        member(mine)
        member(theirs, user=UserFactory(username="them@other.test"))
        api_key(mine, name="mine")
        _row, key = api_key(theirs, scopes=["members:read", "api_keys:read", "audit:read"])
        client = key_client(key)

        tenant = client.get("/api/v1/tenant").json()
        members = client.get("/api/v1/members").json()
        keys = client.get("/api/v1/api-keys").json()
        events = client.get("/api/v1/audit-events").json()

        assert tenant["id"] == theirs.pk
        assert [row["email"] for row in members["results"]] == ["them@other.test"]
        assert [row["name"] for row in keys["results"]] == ["CI"]
        assert [row["action"] for row in events["results"]] == ["api_key.created"]

    def test_its_member_cannot_revoke_my_key(self):
        mine, theirs = TenantFactory(), TenantFactory()
        row, _key = api_key(mine)
        intruder = member(theirs).user

        response = session_client(intruder).post(f"/api/v1/api-keys/{row.pk}/revoke")

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        with tenant_scope(mine.pk):
            assert ApiKey.objects.get(pk=row.pk).revoked_at is None
            assert AuditEvent.objects.filter(tenant=mine, action="api_key.revoked").count() == 0
