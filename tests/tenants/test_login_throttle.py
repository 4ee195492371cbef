import time

import pytest
from django.core.cache import cache

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
REFUSED = "Too many failed attempts. Try again in 15 minutes, or reset your password."


@pytest.fixture(autouse=True)
def clean_counters(settings):
    settings.APP_LOGIN_ATTEMPTS = 5
    settings.APP_LOGIN_ATTEMPTS_PER_IP = 20
    settings.APP_LOGIN_WINDOW_SECONDS = 900
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _errors(response):
    return response.context["form"].non_field_errors()


def test_the_account_is_refused_after_five_failures_even_with_the_right_password(client):
    UserFactory(username="maya@brand.test")
    for _ in range(5):
        assert _errors(_login(client, "maya@brand.test", "wrong")) == [
            "Please enter a correct email and password."
        ]

    response = _login(client, "maya@brand.test", PASSWORD)

    assert response.status_code == 200
    assert _errors(response) == [REFUSED]
    assert "_auth_user_id" not in client.session


def test_four_failures_still_allow_a_login_which_resets_the_count(client):
    UserFactory(username="maya@brand.test")
    for _ in range(4):
        _login(client, "maya@brand.test", "wrong")

    assert _login(client, "maya@brand.test", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "maya@brand.test", "wrong")
    assert _login(client, "maya@brand.test", PASSWORD).status_code == 302


def test_the_account_count_ignores_email_case(client):
    UserFactory(username="maya@brand.test")
    for _ in range(5):
        _login(client, "MAYA@brand.test", "wrong")

    assert _errors(_login(client, "maya@brand.test", PASSWORD)) == [REFUSED]


def test_other_accounts_are_not_affected(client):
    UserFactory(username="maya@brand.test")
    UserFactory(username="li@brand.test")
    for _ in range(5):
        _login(client, "maya@brand.test", "wrong")

    assert _login(client, "li@brand.test", PASSWORD, ip="10.0.0.2").status_code == 302


def test_an_ip_is_refused_after_too_many_failures_across_accounts(client):
    UserFactory(username="li@brand.test")
    for n in range(20):
        _login(client, f"guess{n}@brand.test", "wrong")

    response = _login(client, "li@brand.test", PASSWORD)

    assert _errors(response) == [REFUSED]
    assert _login(client, "li@brand.test", PASSWORD, ip="10.0.0.9").status_code == 302


def test_the_window_ends(client, settings):
    settings.APP_LOGIN_WINDOW_SECONDS = 1
    UserFactory(username="maya@brand.test")
    for _ in range(5):
        _login(client, "maya@brand.test", "wrong")
    assert _login(client, "maya@brand.test", PASSWORD).status_code == 200
    time.sleep(1.2)

    assert _login(client, "maya@brand.test", PASSWORD).status_code == 302
