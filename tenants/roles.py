"""What each role may do in a brand. The services enforce it; docs/roles.md is its table."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")
    VIEWER = "viewer", _("Viewer")


class Permission(StrEnum):
    VIEW_CONTENT = "content.view"
    CREATE_CONTENT = "content.create"  # jobs, brand kit, products, library
    # Approve, reject, edit, escalate and appeal renders held by the ad-law check. Editors do
    # not hold it: whoever writes copy does not approve it (docs/decisions/0005).
    DECIDE_REVIEWS = "reviews.decide"
    MANAGE_COMPLIANCE = "compliance.manage"  # claim evidence, the brand's banned/allowed phrases
    MANAGE_MEMBERS = "members.manage"  # invite, change roles, remove (not owners)
    MANAGE_OWNERS = "members.manage_owners"  # grant, change or remove the owner role
    MANAGE_API_KEYS = "api_keys.manage"
    VIEW_AUDIT_LOG = "audit.view"
    MANAGE_BILLING = "billing.manage"
    MANAGE_BRAND = "brand.manage"  # name, locale, settings


_ALL = frozenset(Permission)
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.OWNER: _ALL,
    Role.ADMIN: _ALL - {Permission.MANAGE_OWNERS, Permission.MANAGE_BILLING},
    Role.EDITOR: frozenset({Permission.VIEW_CONTENT, Permission.CREATE_CONTENT}),
    Role.REVIEWER: frozenset({Permission.VIEW_CONTENT, Permission.DECIDE_REVIEWS}),
    Role.VIEWER: frozenset({Permission.VIEW_CONTENT}),
}


def role_can(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
