import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from tenants.context import tenant_scope
from tenants.models import AuditEvent, Membership, Tenant
from tenants.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_login_that_owns_the_demo_brand_and_can_run_twice():
    call_command("seed_demo", email="demo@brandloom.test", password="brandloom-demo")
    call_command("seed_demo", email="demo@brandloom.test", password="brandloom-demo")

    user = authenticate(username="demo@brandloom.test", password="brandloom-demo")
    tenant = Tenant.objects.get(slug="demo")
    with tenant_scope(tenant.pk):
        roles = list(Membership.objects.values_list("user_id", "role"))
        actions = list(AuditEvent.objects.values_list("action", flat=True))

    assert user is not None
    assert user.profile.is_email_verified
    assert Tenant.objects.count() == 1
    assert roles == [(user.pk, Role.OWNER)]
    assert actions == ["tenant.created"]
