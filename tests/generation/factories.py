"""Catalog and job rows made by the real services, each inside its brand's scope."""

from decimal import Decimal

from generation import catalog, jobs
from generation.images import image_intake
from generation.models import Job, Product, ProductPhoto
from tenants.context import tenant_scope
from tenants.models import Tenant


def product(tenant: Tenant, sku: str = "SKU-1", **fields) -> Product:
    values = {
        "title": "玻尿酸补水精华液 30ml",
        "category": "护肤",
        "price": Decimal("199.00"),
        "attributes": {"容量": "30ml", "成分": "玻尿酸"},
        **fields,
    }
    with tenant_scope(tenant.pk):
        return catalog.product_create(
            tenant=tenant, user=None, fields=catalog.ProductFields(sku=sku, **values)
        )


def product_photo(tenant: Tenant, product: Product, image_bytes: bytes) -> ProductPhoto:
    with tenant_scope(tenant.pk):
        return catalog.product_photo_add(
            tenant=tenant,
            user=None,
            product_id=product.pk,
            image=image_intake(image_bytes, purpose="product"),
        )


def job(tenant: Tenant, **request) -> Job:
    """A queued job created by the service (its planning is sent only if the test commits)."""
    values = {"script": "家人们，这款玻尿酸精华真的超级补水！", "channels": ("main_800x800",)}
    values.update(request)
    with tenant_scope(tenant.pk):
        created, _ = jobs.job_create(tenant=tenant, user=None, request=jobs.JobRequest(**values))
    return created
