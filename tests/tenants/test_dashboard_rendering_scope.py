import pytest

from tenants.roles import Role
from tenants.services import tenant_create

from .factories import UserFactory, member

EXPECTED = {
    "/members/": "viewer@lotus.test",
    "/audit/": "Brand created",
    "/": "Lotus Tea",
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_pages_render_their_rows_inside_the_request_transaction(client, path):
    # With real commits the database scope ends with the view's transaction; a template
    # rendered after it would read no rows through row-level security.
    owner = UserFactory(username="owner@lotus.test")
    tenant = tenant_create(name="Lotus Tea", owner=owner)
    member(tenant, Role.VIEWER, user=UserFactory(username="viewer@lotus.test"))
    client.force_login(owner)

    response = client.get(path)

    assert response.status_code == 200
    assert EXPECTED[path] in response.content.decode()
