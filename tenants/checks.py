"""System check: a model that points at a Tenant must inherit TenantOwnedModel."""

from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, register


@register()
def tenant_models_are_scoped(app_configs: Any = None, **_: Any) -> list[CheckMessage]:
    from .models import Tenant, TenantOwnedModel

    errors: list[CheckMessage] = []
    for model in apps.get_models():
        if model._meta.app_label in {"admin", "auth", "contenttypes", "sessions"}:
            continue
        points_at_tenant = any(
            getattr(field, "related_model", None) is Tenant and field.name == "tenant"
            for field in model._meta.get_fields()
            if field.concrete
        )
        if points_at_tenant and not issubclass(model, TenantOwnedModel):
            errors.append(
                Error(
                    f"{model._meta.label} has a tenant foreign key but does not inherit "
                    "TenantOwnedModel, so its queries are not scoped.",
                    obj=model,
                    id="tenants.E001",
                )
            )
    return errors
