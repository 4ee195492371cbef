"""The audit trail: one row per change, in the change's own transaction."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from config.request_context import current_request_id

from .models import ApiKey, AuditEvent, Tenant


def audit_record(
    *,
    tenant: Tenant,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    api_key: ApiKey | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.all_tenants.create(
        tenant=tenant,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_api_key=api_key,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        request_id=current_request_id() or "",
    )
