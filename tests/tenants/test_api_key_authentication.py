import logging
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from tenants.context import activate_in_transaction, tenant_scope
from tenants.entitlements import Entitlements
from tenants.models import ApiKey, Tenant
from tests.tenants.factories import TenantFactory, api_key

pytestmark = pytest.mark.django_db


def refuse_every_brand(tenant: Tenant) -> Entitlements:
    return Entitlements(api_access=False)


def get_tenant(key: str | None = None, header: str | None = None):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    elif key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/tenant")


def test_a_valid_key_reads_its_own_brand():
    tenant = TenantFactory(name="Acme", slug="acme", locale="en")
    _row, key = api_key(tenant)

    response = get_tenant(key)

    assert response.status_code == 200
    assert response.json() == {"id": tenant.pk, "name": "Acme", "slug": "acme", "locale": "en"}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token abc", "Malformed Authorization header: expected 'Bearer <API key>'."),
        ("Bearer", "Malformed Authorization header: expected 'Bearer <API key>'."),
        ("Bearer a b", "Malformed Authorization header: expected 'Bearer <API key>'."),
        (
            "Bearer not-a-key",
            "Malformed Authorization header: the API key is not in the form bl_…_….",
        ),
        ("Bearer bl_abcdefgh_" + "x" * 40, "Invalid API key."),
    ],
)
def test_malformed_or_unknown_keys_get_401(header, message):
    response = get_tenant(header=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response.json()["error"]["message"] == message


def test_a_known_prefix_with_a_wrong_secret_gets_401():
    _row, key = api_key(TenantFactory())
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")

    response = get_tenant(forged)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid API key."


def test_no_credentials_get_401():
    response = get_tenant()

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["message"] == "Authentication credentials were not provided."


def test_a_revoked_key_gets_401():
    tenant = TenantFactory()
    row, key = api_key(tenant)
    with tenant_scope(tenant.pk):
        ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())

    response = get_tenant(key)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "API key has been revoked."


def test_an_expired_key_gets_401():
    tenant = TenantFactory()
    row, key = api_key(tenant, expires_at=timezone.now() + timedelta(days=1))
    with tenant_scope(tenant.pk):
        ApiKey.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = get_tenant(key)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "API key has expired."


def test_a_suspended_brand_gets_403():
    tenant = TenantFactory(status=Tenant.Status.SUSPENDED)
    _row, key = api_key(tenant)

    response = get_tenant(key)

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This brand is suspended."


@override_settings(APP_ENTITLEMENTS_POLICY=f"{__name__}.refuse_every_brand")
def test_the_plan_hook_refusing_gives_403():
    _row, key = api_key(TenantFactory())

    response = get_tenant(key)

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "API access is not included in this brand's plan.",
        "request_id": response["X-Request-ID"],
        "details": {},
    }


def test_a_missing_scope_gives_403():
    tenant = TenantFactory()
    _row, key = api_key(tenant, scopes=["jobs:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = client.get("/api/v1/audit-events")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This API key lacks the scope audit:read."


def test_last_used_at_is_written_at_most_once_a_minute():
    tenant = TenantFactory()
    row, key = api_key(tenant)

    get_tenant(key)
    with tenant_scope(tenant.pk):
        first = ApiKey.objects.get(pk=row.pk).last_used_at
    get_tenant(key)
    with tenant_scope(tenant.pk):
        second = ApiKey.objects.get(pk=row.pk).last_used_at
        old = timezone.now() - timedelta(minutes=2)
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=old)
    get_tenant(key)
    with tenant_scope(tenant.pk):
        third = ApiKey.objects.get(pk=row.pk).last_used_at

    assert first is not None
    assert second == first
    assert third > old + timedelta(minutes=1)


def test_the_key_never_reaches_the_logs(caplog):
    tenant = TenantFactory()
    row, key = api_key(tenant)
    caplog.set_level(logging.DEBUG)

    get_tenant(key)
    get_tenant(key[:-3] + "xyz")
    with tenant_scope(tenant.pk):
        ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    get_tenant(key)

    secret = key.rsplit("_", 1)[1]
    assert caplog.records
    assert secret[:12] not in caplog.text


def test_the_lookup_policy_shows_only_the_named_prefix():
    from django.db import connection, transaction

    first, _ = api_key(TenantFactory())
    second, _ = api_key(TenantFactory())

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")
        cursor.execute("SELECT prefix FROM tenants_apikey ORDER BY prefix")
        without = cursor.fetchall()
        cursor.execute("SELECT set_config('app.api_key_prefix', %s, true)", [first.prefix])
        cursor.execute("SELECT prefix FROM tenants_apikey ORDER BY prefix")
        with_prefix = cursor.fetchall()
        cursor.execute("UPDATE tenants_apikey SET name = 'x' WHERE prefix = %s", [first.prefix])
        updated = cursor.rowcount

    assert without == []
    assert with_prefix == [(first.prefix,)]
    assert second.prefix not in {row[0] for row in with_prefix}
    assert updated == 0


def test_authenticating_a_key_leaves_no_lookup_window_open():
    import contextvars

    from django.db import connection, transaction

    from tenants.api_keys import api_key_authenticate

    mine, plaintext = api_key(TenantFactory())

    def authenticate_then_scope():
        # As a request does it: in its own context, so the tenant it activates dies with it.
        with transaction.atomic(), connection.cursor() as cursor:
            found = api_key_authenticate(key=plaintext)
            cursor.execute("SELECT current_setting('app.api_key_prefix', true)")
            before = cursor.fetchone()[0]
            activate_in_transaction(found.tenant_id)
            cursor.execute("SELECT current_setting('app.api_key_prefix', true)")
            return found, before, cursor.fetchone()[0]

    found, window_before_scope, window_after_scope = contextvars.copy_context().run(
        authenticate_then_scope
    )

    assert found.pk == mine.pk
    assert window_before_scope == mine.prefix  # open only until the tenant scope is set
    assert window_after_scope == ""


def test_an_unknown_prefix_closes_its_lookup_window():
    from django.db import connection, transaction

    from tenants.api_keys import ApiKeyRejected, api_key_authenticate

    with transaction.atomic(), connection.cursor() as cursor:
        with pytest.raises(ApiKeyRejected):
            api_key_authenticate(key="bl_zzzzzzzz_" + "a" * 40)
        cursor.execute("SELECT current_setting('app.api_key_prefix', true)")
        window = cursor.fetchone()[0]

    assert window == ""
