import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tenants.api_keys import KEY_PATTERN
from tenants.context import tenant_scope
from tenants.models import ApiKey, AuditEvent
from tests import conftest
from tests.tenants.factories import TenantFactory

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_key_once_on_the_last_line():
    tenant = TenantFactory(slug="acme")
    stdout, stderr = StringIO(), StringIO()

    call_command(
        "create_api_key",
        "--tenant=acme",
        "--name=Shop sync",
        "--scopes=jobs:write,jobs:read,assets:read",
        "--expires-in-days=30",
        stdout=stdout,
        stderr=stderr,
    )

    lines = stdout.getvalue().splitlines()
    assert len(lines) == 1
    key = lines[-1]
    assert KEY_PATTERN.match(key) is not None
    assert key not in stderr.getvalue()
    with tenant_scope(tenant.pk):
        row = ApiKey.objects.get(tenant=tenant)
        event = AuditEvent.objects.get(tenant=tenant)
    assert row.name == "Shop sync"
    assert row.scopes == ["assets:read", "jobs:read", "jobs:write"]
    assert row.prefix == key.split("_")[1]
    assert 29 < (row.expires_at - row.created_at).total_seconds() / 86400 <= 30
    assert (event.action, event.actor) == ("api_key.created", None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--tenant=nobody", "--name=x", "--scopes=jobs:read"],
            "No brand has the slug 'nobody'.",
        ),
        (
            ["--tenant=acme", "--name=x", "--scopes=jobs:read,jobs:delete"],
            "Unknown scope jobs:delete; choose from jobs:write, jobs:read, assets:read, "
            "assets:write, billing:read, audit:read, members:read, api_keys:read, "
            "compliance:check, compliance:review, compliance:manage.",
        ),
        (
            ["--tenant=acme", "--name=x", "--scopes=jobs:read", "--expires-in-days=0"],
            "--expires-in-days must be at least 1.",
        ),
        (["--tenant=acme", "--name= ", "--scopes=jobs:read"], "An API key needs a name."),
    ],
)
def test_bad_arguments_stop_with_one_sentence(args, message):
    tenant = TenantFactory(slug="acme")

    with pytest.raises(CommandError) as error:
        call_command("create_api_key", *args, stdout=StringIO(), stderr=StringIO())

    assert str(error.value) == message
    with tenant_scope(tenant.pk):
        assert ApiKey.objects.filter(tenant=tenant).count() == 0


def test_a_bad_slug_exits_non_zero_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "manage.py", "create_api_key", "--tenant=nobody", "--name=x",
         "--scopes=jobs:read"],
        cwd=conftest.PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test",
             "REDIS_URL": settings.REDIS_URL, "DATABASE_URL": conftest.test_database_url()},
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "CommandError: No brand has the slug 'nobody'.\n"
