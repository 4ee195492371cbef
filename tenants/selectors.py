"""Reads of brands and their members. Every function takes the tenant it reads."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from .models import ApiKey, AuditEvent, Invitation, Membership, Tenant


def membership_get(*, tenant: Tenant, user: User) -> Membership | None:
    return Membership.objects.filter(tenant=tenant, user_id=user.pk).first()


def membership_list(*, tenant: Tenant) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=tenant).select_related("user").order_by("created_at")


def user_tenants(*, user: User) -> QuerySet[Tenant]:
    """The active brands a user belongs to (the `own rows` policy lets this read cross-brand)."""
    return Tenant.objects.filter(
        id__in=Membership.all_tenants.filter(user_id=user.pk).values("tenant_id"),
        status=Tenant.Status.ACTIVE,
    ).order_by("name")


def invitation_list_open(*, tenant: Tenant) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at")


def api_key_list(*, tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(tenant=tenant).order_by("-created_at")


def audit_event_list(*, tenant: Tenant) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(tenant=tenant)
        .select_related("actor", "actor_api_key")
        .order_by("-created_at", "-id")
    )
