import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from tenants.api_keys import KEY_PATTERN, api_key_create, api_key_revoke
from tenants.context import tenant_scope
from tenants.models import ApiKey, AuditEvent
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, api_key, member

pytestmark = pytest.mark.django_db


def test_the_key_has_our_format_and_only_its_hash_is_stored():
    tenant = TenantFactory()
    owner = member(tenant).user

    with tenant_scope(tenant.pk):
        row, key = api_key_create(
            tenant=tenant, actor=owner, name="CI", scopes=["jobs:read", "jobs:write"]
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM tenants_apikey WHERE id = %s", [row.pk])
            stored = [str(value) for value in cursor.fetchone()]

    match = KEY_PATTERN.match(key)
    assert match is not None
    assert match["prefix"] == row.prefix
    assert len(row.prefix) == 8
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert row.scopes == ["jobs:read", "jobs:write"]
    assert row.created_by == owner
    assert all(key not in value for value in stored)
    secret = key.rsplit("_", 1)[1]
    assert all(secret not in value for value in stored)


def test_creating_a_key_writes_an_audit_row_without_the_key():
    tenant = TenantFactory()
    owner = member(tenant).user
    expires_at = timezone.now() + timedelta(days=30)

    with tenant_scope(tenant.pk):
        row, key = api_key_create(
            tenant=tenant, actor=owner, name="CI", scopes=["jobs:read"], expires_at=expires_at
        )
        event = AuditEvent.objects.get(tenant=tenant, action="api_key.created")

    assert event.actor == owner
    assert event.target_id == str(row.pk)
    assert event.data == {
        "name": "CI",
        "prefix": row.prefix,
        "scopes": ["jobs:read"],
        "expires_at": expires_at.isoformat(),
    }
    assert key not in str(event.data)


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_a_role_without_manage_api_keys_cannot_create_one(role):
    tenant = TenantFactory()
    actor = member(tenant, role=role).user

    with tenant_scope(tenant.pk):
        with pytest.raises(PermissionDenied):
            api_key_create(tenant=tenant, actor=actor, name="CI", scopes=["jobs:read"])
        assert ApiKey.objects.filter(tenant=tenant).count() == 0
        assert AuditEvent.objects.filter(tenant=tenant).count() == 0


@pytest.mark.parametrize(
    ("scopes", "expires_in", "message"),
    [
        (["jobs:read", "jobs:delete"], None, "Unknown scope: jobs:delete."),
        ([], None, "An API key needs at least one scope."),
        (["jobs:read"], timedelta(seconds=-1), "The expiry date must be in the future."),
    ],
)
def test_bad_input_is_refused(scopes, expires_in, message):
    tenant = TenantFactory()
    owner = member(tenant).user
    expires_at = timezone.now() + expires_in if expires_in else None

    with tenant_scope(tenant.pk):
        with pytest.raises(ValidationError) as error:
            api_key_create(
                tenant=tenant, actor=owner, name="CI", scopes=scopes, expires_at=expires_at
            )
        assert ApiKey.objects.filter(tenant=tenant).count() == 0

    assert error.value.messages[0].startswith(message)


def test_the_system_creates_keys_with_no_actor():
    tenant = TenantFactory()

    row, _key = api_key(tenant, scopes=["jobs:read"])

    with tenant_scope(tenant.pk):
        event = AuditEvent.objects.get(tenant=tenant, action="api_key.created")
    assert row.created_by is None
    assert event.actor is None


def test_revoking_sets_revoked_at_once_and_audits_once():
    tenant = TenantFactory()
    owner = member(tenant).user
    row, _key = api_key(tenant)

    with tenant_scope(tenant.pk):
        first = api_key_revoke(tenant=tenant, actor=owner, api_key_id=row.pk)
        second = api_key_revoke(tenant=tenant, actor=owner, api_key_id=row.pk)
        events = list(
            AuditEvent.objects.filter(tenant=tenant, action="api_key.revoked").values_list(
                "actor_id", "target_id"
            )
        )

    assert first.revoked_at is not None
    assert second.revoked_at == first.revoked_at
    assert events == [(owner.pk, str(row.pk))]


def test_another_brands_key_cannot_be_revoked():
    tenant, other = TenantFactory(), TenantFactory()
    owner = member(tenant).user
    row, _key = api_key(other)

    with tenant_scope(tenant.pk):
        with pytest.raises(ApiKey.DoesNotExist):
            api_key_revoke(tenant=tenant, actor=owner, api_key_id=row.pk)
    with tenant_scope(other.pk):
        assert ApiKey.objects.get(pk=row.pk).revoked_at is None
