from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.models import Plan
from billing.plans import plan_assign
from tenants.context import tenant_scope
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Put a brand on a plan without Stripe (support, the demo brand). Safe to repeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="The brand's slug.")
        parser.add_argument("--plan", required=True, help="A plan code: free, pro or team.")
        parser.add_argument("--reason", default="assigned by staff")

    def handle(self, *args: Any, tenant: str, plan: str, reason: str, **options: Any) -> None:
        brand = Tenant.objects.filter(slug=tenant).first()
        if brand is None:
            raise CommandError(f"No brand has the slug {tenant!r}.")
        if not Plan.objects.filter(code=plan).exists():
            codes = ", ".join(Plan.objects.values_list("code", flat=True))
            raise CommandError(f"No plan has the code {plan!r}; use one of {codes}.")
        with tenant_scope(brand.pk):
            try:
                plan_assign(tenant=brand, plan_code=plan, actor=None, reason=reason)
            except ValueError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(f"{brand.name} is on the {plan} plan.")
