import re

import pytest

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_reset_flow_sets_a_new_password(client, mailoutbox):
    user = UserFactory(username="maya@brand.test")

    sent = client.post("/accounts/password-reset/", {"email": "maya@brand.test"})
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/password-reset/sent/"
    assert "Check your email" in client.get(sent["Location"]).text
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Reset your Brandloom password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.text
    done = client.post(
        form_page.request["PATH_INFO"],
        {"new_password1": "a-fresh-passphrase-7", "new_password2": "a-fresh-passphrase-7"},
    )

    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    assert "Password changed" in client.get(done["Location"]).text
    user.refresh_from_db()
    assert user.check_password("a-fresh-passphrase-7")


def test_an_unknown_email_looks_the_same_and_sends_nothing(client, mailoutbox):
    response = client.post("/accounts/password-reset/", {"email": "nobody@brand.test"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_a_used_link_does_not_work_twice(client, mailoutbox):
    user = UserFactory(username="maya@brand.test")
    client.post("/accounts/password-reset/", {"email": "maya@brand.test"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new = {"new_password1": "a-fresh-passphrase-7", "new_password2": "a-fresh-passphrase-7"}
    client.post(form_page.request["PATH_INFO"], new)

    again = client.get(link, follow=True)

    assert "This link does not work" in again.text
    user.refresh_from_db()
    assert user.check_password("a-fresh-passphrase-7")


def test_logout_is_post_only(client):
    client.force_login(UserFactory())

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
