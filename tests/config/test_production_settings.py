import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="app.brandloom.example",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ALLOWED_HOSTS="app.brandloom.example")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: DJANGO_SECRET_KEY must be set to a random string of at least "
        "50 characters in production."
    )


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(64))

    assert result.returncode == 2
    assert "DJANGO_ALLOWED_HOSTS must list the host names" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_turns_on_https_cookies_hsts_and_csp():
    env = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "app.brandloom.example",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_CSP['default-src'],"
        " s.SECURE_CSP['frame-ancestors'], s.LOGGING['handlers']['console']['formatter']]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[false, true, true, 31536000, true, ["\'self\'"], ["\'none\'"], "json"]'
    )


@pytest.mark.django_db
def test_pages_are_served_with_a_content_security_policy(client):
    response = client.get("/accounts/login/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
