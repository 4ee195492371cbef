import re

import pytest
from django.contrib.auth import get_user_model
from django.core import signing

from tenants.context import tenant_scope
from tenants.emails import verification_token_make
from tenants.models import Membership, Tenant, UserProfile
from tenants.roles import Role

from .factories import TenantFactory, UserFactory, invite, member, rows

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "Maya@Lotus.test",
    "password": "a-long-passphrase-42",
    "brand_name": "Lotus Tea",
    "locale": "en",
}


def _signup(client, capture, **overrides):
    with capture(execute=True):
        return client.post("/accounts/signup/", {**SIGNUP, **overrides})


def test_signup_creates_user_brand_and_logs_in(client, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = get_user_model().objects.get()
    assert (user.username, user.email) == ("maya@lotus.test", "maya@lotus.test")
    assert UserProfile.objects.get(user=user).email_verified_at is None
    tenant = Tenant.objects.get()
    assert (tenant.name, tenant.slug, tenant.locale) == ("Lotus Tea", "lotus-tea", "en")
    assert [(m.user_id, m.role) for m in rows(Membership, tenant)] == [(user.pk, Role.OWNER)]
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["tenant"] == tenant
    assert "Please verify your email address" in home.text


def test_signup_sends_a_verification_link_that_verifies(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["maya@lotus.test"]
    path = re.search(r"http://testserver(/accounts/verify/[^/]+/)", mailoutbox[0].body).group(1)
    response = client.get(path)

    assert response.status_code == 200
    assert "Email verified" in response.text
    assert UserProfile.objects.get().email_verified_at is not None
    assert "Please verify your email address" not in client.get("/").text


def test_an_expired_verification_link_is_refused(client, settings):
    user = UserFactory()
    UserProfile.objects.create(user=user)
    token = verification_token_make(user=user)
    settings.APP_EMAIL_VERIFY_MAX_AGE_SECONDS = -1

    response = client.get(f"/accounts/verify/{token}/")

    assert response.status_code == 400
    assert UserProfile.objects.get().email_verified_at is None


def test_a_tampered_verification_link_is_refused(client):
    user = UserFactory()
    UserProfile.objects.create(user=user)
    forged = signing.dumps({"user": user.pk, "email": user.email}, salt="something-else")

    response = client.get(f"/accounts/verify/{forged}/")

    assert response.status_code == 400
    assert UserProfile.objects.get().email_verified_at is None


def test_a_duplicate_email_is_a_form_error(client, django_capture_on_commit_callbacks):
    UserFactory(username="maya@lotus.test")

    response = _signup(client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["An account with this email already exists. Log in instead."]
    }
    assert get_user_model().objects.count() == 1
    assert Tenant.objects.count() == 0


def test_a_chinese_brand_name_gets_an_ascii_slug(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks, brand_name="中文品牌")

    tenant = Tenant.objects.get()
    assert tenant.name == "中文品牌"
    assert tenant.slug == "brand"


def test_a_taken_slug_gets_a_suffix(client, django_capture_on_commit_callbacks):
    TenantFactory(name="Lotus Tea", slug="lotus-tea")

    _signup(client, django_capture_on_commit_callbacks)

    slug = Tenant.objects.exclude(slug="lotus-tea").get().slug
    assert re.fullmatch(r"lotus-tea-[0-9a-f]{6}", slug)


def test_a_weak_password_is_refused(client, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks, password="123")

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert get_user_model().objects.count() == 0


def test_the_brand_name_is_required_without_an_invitation(
    client, django_capture_on_commit_callbacks
):
    response = _signup(client, django_capture_on_commit_callbacks, brand_name="")

    assert response.context["form"].errors == {"brand_name": ["This field is required."]}
    assert get_user_model().objects.count() == 0


def test_signing_up_from_an_invitation_makes_no_brand_and_returns_to_it(
    client, django_capture_on_commit_callbacks
):
    brand = TenantFactory()
    owner = member(brand, Role.OWNER).user
    _invitation, token = invite(brand, owner, "maya@lotus.test")

    response = _signup(
        client, django_capture_on_commit_callbacks, brand_name="", next=f"/invitations/{token}/"
    )

    assert response.status_code == 302
    assert response["Location"] == f"/invitations/{token}/"
    assert Tenant.objects.count() == 1
    accepted = client.post(f"/invitations/{token}/")
    assert accepted.status_code == 302
    with tenant_scope(brand.pk):
        assert (
            Membership.objects.filter(tenant=brand, user__username="maya@lotus.test").count() == 1
        )
