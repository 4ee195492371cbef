import pytest

from tenants.api_keys import api_key_create
from tenants.context import tenant_scope
from tenants.models import ApiKey
from tenants.roles import Role

from .factories import TenantFactory, member, rows

pytestmark = pytest.mark.django_db


def _key(tenant, actor, name="CI"):
    with tenant_scope(tenant.pk, user_id=actor.pk):
        return api_key_create(tenant=tenant, actor=actor, name=name, scopes=["jobs:read"])


def test_the_page_lists_keys_without_secrets(client, brand, owner):
    api_key, plaintext = _key(brand, owner, "Shop sync")
    client.force_login(owner)

    response = client.get("/api-keys/")

    assert response.status_code == 200
    assert [k.name for k in response.context["api_keys"]] == ["Shop sync"]
    assert f"{api_key.prefix}…" in response.text
    assert "jobs:read" in response.text
    assert plaintext not in response.text


def test_creating_a_key_shows_it_once(client, brand, owner):
    client.force_login(owner)

    response = client.post(
        "/api-keys/",
        {"name": "Store", "scopes": ["jobs:read", "assets:read"], "expires_in_days": 30},
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    created = rows(ApiKey, brand)
    assert [(k.name, k.scopes) for k in created] == [("Store", ["assets:read", "jobs:read"])]
    plaintext = response.context["plaintext"]
    assert plaintext.startswith(f"bl_{created[0].prefix}_")
    assert f'value="{plaintext}"' in response.text
    assert "this is the only time it is shown" in response.text
    assert plaintext not in client.get("/api-keys/").text


def test_a_key_without_scopes_is_a_form_error(client, brand, owner):
    client.force_login(owner)

    response = client.post("/api-keys/", {"name": "Store", "expires_in_days": 30})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["scopes"]
    assert rows(ApiKey, brand) == []


def test_revoking_a_key(client, brand, owner):
    api_key, _plaintext = _key(brand, owner)
    client.force_login(owner)

    response = client.post(f"/api-keys/{api_key.pk}/revoke/")

    assert response.status_code == 302
    assert rows(ApiKey, brand)[0].revoked_at is not None
    assert [k.status for k in client.get("/api-keys/").context["api_keys"]] == ["revoked"]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_roles_without_the_permission_get_403(client, brand, owner, role):
    api_key, _plaintext = _key(brand, owner)
    client.force_login(member(brand, role).user)

    assert client.get("/api-keys/").status_code == 403
    assert client.post("/api-keys/", {"name": "X", "scopes": ["jobs:read"]}).status_code == 403
    assert client.post(f"/api-keys/{api_key.pk}/revoke/").status_code == 403
    assert [(k.pk, k.revoked_at) for k in rows(ApiKey, brand)] == [(api_key.pk, None)]


def test_another_brands_key_is_not_found_and_stays_active(client, brand, owner):
    other = TenantFactory()
    other_key, _plaintext = _key(other, member(other, Role.OWNER).user)
    client.force_login(owner)

    response = client.post(f"/api-keys/{other_key.pk}/revoke/")

    assert response.status_code == 404
    assert rows(ApiKey, other)[0].revoked_at is None
    assert client.get("/api-keys/").context["api_keys"] == []
