from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tenants.api_keys import ApiScope, api_key_create
from tenants.context import tenant_scope
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Create an API key for a brand and print it once (the last line of output). "
        f"Scopes: {', '.join(ApiScope)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="The brand's slug.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", required=True, help="Comma-separated, e.g. jobs:read")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(
        self,
        *args: Any,
        tenant: str,
        name: str,
        scopes: str,
        expires_in_days: int | None,
        **options: Any,
    ) -> None:
        brand = Tenant.objects.filter(slug=tenant).first()
        if brand is None:
            raise CommandError(f"No brand has the slug {tenant!r}.")
        scope_list = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        unknown = sorted(set(scope_list) - set(ApiScope))
        if unknown:
            raise CommandError(
                f"Unknown scope {', '.join(unknown)}; choose from {', '.join(ApiScope)}."
            )
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            with tenant_scope(brand.pk):
                api_key, key = api_key_create(
                    tenant=brand, actor=None, name=name, scopes=scope_list, expires_at=expires_at
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Created API key {api_key.prefix} ({api_key.name}) for {brand.slug}; "
            "it is shown once, below."
        )
        self.stdout.write(key)
