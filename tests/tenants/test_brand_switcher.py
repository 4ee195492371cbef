import pytest

from tenants.models import Tenant
from tenants.roles import Role

from .factories import TenantFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


def test_the_switcher_lists_only_the_users_brands(client, user):
    alpha = TenantFactory(name="Alpha")
    beta = TenantFactory(name="Beta")
    TenantFactory(name="Gamma")
    member(alpha, Role.OWNER, user)
    member(beta, Role.VIEWER, user)
    client.force_login(user)

    response = client.get("/")

    assert [t.name for t in response.context["tenants"]] == ["Alpha", "Beta"]
    assert f'<option value="{alpha.pk}" selected>Alpha</option>' in response.text
    assert "Gamma" not in response.text


def test_switching_changes_the_brand_of_every_page(client, user):
    alpha = TenantFactory(name="Alpha")
    beta = TenantFactory(name="Beta")
    member(alpha, Role.OWNER, user)
    member(beta, Role.VIEWER, user)
    client.force_login(user)

    response = client.post("/brands/switch/", {"tenant_id": beta.pk})

    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.context["tenant"] == beta
    assert home.context["membership"].role == Role.VIEWER


def test_switching_with_htmx_redirects_through_a_header(client, user):
    alpha = TenantFactory(name="Alpha")
    beta = TenantFactory(name="Beta")
    member(alpha, Role.OWNER, user)
    member(beta, Role.OWNER, user)
    client.force_login(user)

    response = client.post(
        "/brands/switch/", {"tenant_id": beta.pk}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/"
    assert client.get("/").context["tenant"] == beta


def test_another_brands_id_is_not_found_and_nothing_changes(client, user):
    alpha = TenantFactory(name="Alpha")
    stranger = TenantFactory(name="Stranger")
    member(alpha, Role.OWNER, user)
    client.force_login(user)
    client.get("/")

    response = client.post("/brands/switch/", {"tenant_id": stranger.pk})

    assert response.status_code == 404
    assert client.session["tenant_id"] == alpha.pk
    assert client.get("/").context["tenant"] == alpha


def test_a_user_without_a_brand_is_sent_to_create_one(client, user):
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/brands/new/"


def test_creating_another_brand_switches_to_it(client, user):
    member(TenantFactory(name="Alpha"), Role.VIEWER, user)
    client.force_login(user)

    response = client.post("/brands/new/", {"name": "Second Brand", "locale": "zh-CN"})

    assert response.status_code == 302
    created = Tenant.objects.get(name="Second Brand")
    home = client.get("/")
    assert home.context["tenant"] == created
    assert home.context["membership"].role == Role.OWNER
