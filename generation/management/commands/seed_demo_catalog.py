from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.demo import demo_catalog_seed
from library.demo import demo_library_seed
from tenants.context import tenant_scope
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Give a brand the demo brand kit, three demo products and a small library. Safe to run "
        "repeatedly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="demo", help="The brand's slug.")

    def handle(self, *args: Any, tenant: str, **options: Any) -> None:
        brand = Tenant.objects.filter(slug=tenant).first()
        if brand is None:
            raise CommandError(f"No brand has the slug {tenant!r}.")
        with tenant_scope(brand.pk):
            products = demo_catalog_seed(tenant=brand)
            images = demo_library_seed(tenant=brand, products=products)
        self.stdout.write(
            f"Demo catalog ready: {len(products)} products and {images} library images "
            f"in {brand.name}."
        )
