from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "provenance"
    verbose_name = "Provenance"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the labelling settings checks
