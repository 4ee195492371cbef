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


def api_key(tenant: Tenant, scopes=("members:read",), **fields):
    """An API key of `tenant` and its plaintext, made by the real service as the system."""
    from tenants.api_keys import api_key_create

    with tenant_scope(tenant.pk):
        return api_key_create(
            tenant=tenant,
            actor=None,
            name=fields.pop("name", "CI"),
            scopes=scopes,
            expires_at=fields.pop("expires_at", None),
        )


def rows(model, tenant: Tenant, **filters) -> list:
    """The rows of a tenant-owned `model` in `tenant`, read inside that tenant's scope."""
    with tenant_scope(tenant.pk):
        return list(model.objects.filter(tenant=tenant, **filters).order_by("pk"))


def invite(tenant: Tenant, actor, email: str, role: str = Role.EDITOR):
    """An open invitation and its token, made by the service (as the members page does)."""
    from tenants.services import invitation_create

    with tenant_scope(tenant.pk, user_id=actor.pk):
        return invitation_create(tenant=tenant, actor=actor, email=email, role=role)


def key_client(tenant: Tenant, scopes=("members:read",)):
    """An API client that sends a new key of `tenant` with `scopes` (a DRF APIClient)."""
    from rest_framework.test import APIClient

    _row, key = api_key(tenant, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def session_client(tenant: Tenant, role: str = Role.OWNER):
    """An API client logged in as a new member of `tenant` with `role` (a DRF APIClient)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(member(tenant, role).user)
    return client
