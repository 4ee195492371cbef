from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.context import tenant_scope
from tenants.models import Invitation, Membership
from tenants.roles import Role

from .factories import UserFactory, invite, rows

pytestmark = pytest.mark.django_db


def test_the_accept_page_shows_brand_and_role(client, brand, owner):
    _invitation, token = invite(brand, owner, "new@brand.test", Role.REVIEWER)

    response = client.get(f"/invitations/{token}/")

    assert response.status_code == 200
    assert "Lotus Tea" in response.text
    assert "<strong>Reviewer</strong>" in response.text
    assert response.context["login_url"] == f"/accounts/login/?next=%2Finvitations%2F{token}%2F"
    assert response.context["signup_url"] == f"/accounts/signup/?next=%2Finvitations%2F{token}%2F"


def test_a_logged_in_user_accepts_and_lands_in_the_brand(client, brand, owner):
    _invitation, token = invite(brand, owner, "new@brand.test", Role.EDITOR)
    newcomer = UserFactory(username="new@brand.test")
    client.force_login(newcomer)

    response = client.post(f"/invitations/{token}/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert rows(Membership, brand, user=newcomer)[0].role == Role.EDITOR
    assert client.get("/").context["tenant"] == brand


def test_a_logged_out_visitor_posting_is_sent_to_log_in(client, brand, owner):
    _invitation, token = invite(brand, owner, "new@brand.test")

    response = client.post(f"/invitations/{token}/")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=%2Finvitations%2F{token}%2F"
    assert rows(Invitation, brand)[0].accepted_at is None


def test_a_visitor_logs_in_and_comes_back_to_the_invitation(client, brand, owner):
    _invitation, token = invite(brand, owner, "new@brand.test")
    UserFactory(username="new@brand.test")

    response = client.post(
        "/accounts/login/",
        {
            "username": "new@brand.test",
            "password": "correct-horse-battery",
            "next": f"/invitations/{token}/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/invitations/{token}/"


def _used(brand, owner, token):
    with tenant_scope(brand.pk):
        Invitation.objects.filter(tenant=brand).update(accepted_at=timezone.now())


def _revoked(brand, owner, token):
    with tenant_scope(brand.pk):
        Invitation.objects.filter(tenant=brand).update(revoked_at=timezone.now())


def _expired(brand, owner, token):
    with tenant_scope(brand.pk):
        Invitation.objects.filter(tenant=brand).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )


@pytest.mark.parametrize(
    ("spoil", "title"),
    [
        (_used, "This invitation has already been used"),
        (_revoked, "This invitation was withdrawn"),
        (_expired, "This invitation has expired"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_spent_invitations_answer_410_and_add_nobody(client, brand, owner, spoil, title, method):
    _invitation, token = invite(brand, owner, "new@brand.test")
    spoil(brand, owner, token)
    client.force_login(UserFactory(username="new@brand.test"))

    response = getattr(client, method)(f"/invitations/{token}/")

    assert response.status_code == 410
    assert title in response.text
    assert [m.user_id for m in rows(Membership, brand)] == [owner.pk]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_token_answers_404(client, brand, owner, method):
    client.force_login(UserFactory())

    response = getattr(client, method)("/invitations/not-a-real-token/")

    assert response.status_code == 404
    assert "We could not find this invitation" in response.text
    assert [m.user_id for m in rows(Membership, brand)] == [owner.pk]


def test_an_accepted_token_cannot_be_used_twice(client, brand, owner):
    _invitation, token = invite(brand, owner, "new@brand.test")
    client.force_login(UserFactory(username="new@brand.test"))
    assert client.post(f"/invitations/{token}/").status_code == 302
    client.force_login(UserFactory(username="someone-else@brand.test"))

    response = client.post(f"/invitations/{token}/")

    assert response.status_code == 410
    assert len(rows(Membership, brand)) == 2
