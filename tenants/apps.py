from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenantsConfig(AppConfig):
    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system check
        from .db_roles import grant_app_role

        post_migrate.connect(grant_app_role, sender=self, dispatch_uid="tenants.grant_app_role")
