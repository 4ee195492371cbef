from typing import Any

from django.db import models

from .context import require_tenant_id


class TenantScopedManager(models.Manager[Any]):
    """Filters every query on the tenant in scope, and raises when there is none (fails closed)."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(tenant_id=require_tenant_id())
