import factory
from django.contrib.auth import get_user_model

from tenants.context import tenant_scope
from tenants.models import Membership, Tenant
from tenants.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@brand.test")
    email = factory.LazyAttribute(lambda u: u.username)
    password = factory.django.Password("correct-horse-battery")


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


def member(tenant: Tenant, role: str = Role.OWNER, user=None) -> Membership:
    """A user with `role` in `tenant` (created inside that tenant's scope, as RLS requires)."""
    user = user or UserFactory()
    with tenant_scope(tenant.pk):
        return Membership.objects.create(tenant=tenant, user=user, role=role)
