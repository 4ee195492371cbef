from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tenants.models import Tenant
from tenants.services import email_verify, tenant_create

DEMO_BRAND_NAME = "Lumière 光屿护肤"
DEMO_BRAND_SLUG = "demo"


class Command(BaseCommand):
    help = "Create (or refresh) the demo login and its demo brand. Safe to run repeatedly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)

    @transaction.atomic
    def handle(self, *args: Any, email: str, password: str, **options: Any) -> None:
        user, created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email, "first_name": "Demo"}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        email_verify(user_id=user.pk, email=email)  # nobody can click a link for a demo login
        if not Tenant.objects.filter(slug=DEMO_BRAND_SLUG).exists():
            tenant = tenant_create(name=DEMO_BRAND_NAME, owner=user)
            Tenant.objects.filter(pk=tenant.pk).update(slug=DEMO_BRAND_SLUG)
        self.stdout.write(f"Demo user {'created' if created else 'ready'}: {email}")
        self.stdout.write(f"Demo brand ready: {DEMO_BRAND_NAME} (/{DEMO_BRAND_SLUG})")
