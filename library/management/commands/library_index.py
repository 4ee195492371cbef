"""Index the assets stored before the library existed: their perceptual hashes, colours and
search text (new assets are indexed as they are stored)."""

from typing import Any

from django.core.management.base import BaseCommand

from generation.models import Asset
from library import index
from library.models import ImageHash
from tenants.context import tenant_scope
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Fingerprint and describe every stored asset the library has not indexed yet."

    def handle(self, *args: Any, **options: Any) -> None:
        indexed = skipped = 0
        for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
            with tenant_scope(tenant_id):
                done = ImageHash.objects.filter(tenant_id=tenant_id, asset__isnull=False)
                pending = (
                    Asset.objects.filter(tenant_id=tenant_id)
                    .exclude(file="")
                    .exclude(pk__in=done.values("asset_id"))
                    .order_by("pk")
                )
                for asset in pending.iterator(chunk_size=200):
                    if index.asset_index(asset):
                        indexed += 1
                    else:
                        skipped += 1
        self.stdout.write(f"Indexed {indexed} assets; {skipped} could not be read.")
