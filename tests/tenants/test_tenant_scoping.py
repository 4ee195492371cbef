import pytest
from django.core import checks
from django.db import models

from tenants.context import TenantScopeMissing, tenant_scope
from tenants.models import Membership, Tenant
from tenants.roles import Role

from .factories import TenantFactory, member

pytestmark = pytest.mark.django_db


def test_the_scoped_manager_refuses_to_query_without_a_tenant():
    with pytest.raises(TenantScopeMissing, match="No tenant is in scope"):
        list(Membership.objects.all())


def test_the_scoped_manager_returns_only_the_tenant_in_scope():
    first, second = TenantFactory(), TenantFactory()
    mine = member(first, Role.OWNER)
    member(second, Role.OWNER)

    with tenant_scope(first.pk):
        rows = list(Membership.objects.all())

    assert rows == [mine]


def test_the_scoped_manager_adds_its_filter_even_when_the_database_would_allow_more():
    first, second = TenantFactory(), TenantFactory()
    member(first, Role.OWNER)
    theirs = member(second, Role.OWNER)

    with tenant_scope(first.pk):
        found = Membership.objects.filter(pk=theirs.pk).exists()

    assert found is False


def test_a_model_with_a_tenant_key_that_skips_the_base_class_fails_the_system_check():
    class Leaky(models.Model):
        tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)

        class Meta:
            app_label = "tenants"

    try:
        errors = [e for e in checks.run_checks() if e.id == "tenants.E001"]
    finally:
        from django.apps import apps

        del apps.all_models["tenants"]["leaky"]
        apps.clear_cache()

    assert [e.obj for e in errors] == [Leaky]


def test_the_project_passes_its_own_tenancy_check():
    assert [e for e in checks.run_checks() if e.id == "tenants.E001"] == []
