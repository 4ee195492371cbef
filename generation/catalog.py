"""The product catalog: products with the facts copy may use, and their validated photos."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from compliance.prices import price_record
from generation import storage
from generation.images import IntakeResult
from generation.models import Product, ProductPhoto
from tenants.audit import audit_record
from tenants.models import Tenant

MAX_PHOTOS_PER_PRODUCT = 8


@dataclass(frozen=True)
class ProductFields:
    sku: str
    title: str
    description: str = ""
    category: str = ""
    price: Decimal | None = None
    currency: str = "CNY"
    reference_price: Decimal | None = None
    reference_price_basis: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def _validate(fields: ProductFields) -> None:
    errors: dict[str, str] = {}
    if fields.reference_price is not None and not fields.reference_price_basis.strip():
        errors["reference_price_basis"] = (
            "A reference price needs its basis (for example 前30日最低价 or 'List price'): "
            "price-display rules forbid a crossed-out price without one."
        )
    if fields.reference_price is not None and fields.price is None:
        errors["price"] = "A reference price needs the current price too."
    if (
        fields.reference_price is not None
        and fields.price is not None
        and fields.reference_price <= fields.price
    ):
        errors["reference_price"] = "The reference price must be higher than the price."
    for name in ("price", "reference_price"):
        value = getattr(fields, name)
        if value is not None and value < 0:
            errors[name] = "Prices cannot be negative."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_create(*, tenant: Tenant, user: User | None, fields: ProductFields) -> Product:
    _validate(fields)
    try:
        with transaction.atomic():
            product = Product.objects.create(tenant=tenant, **_columns(fields))
    except IntegrityError as error:
        raise ValidationError({"sku": f"A product with SKU {fields.sku!r} exists."}) from error
    price_record(product=product)  # the history the 7-day price rule reads (compliance)
    audit_record(tenant=tenant, actor=user, action="product.created", target=product)
    return product


@transaction.atomic
def product_update(
    *, tenant: Tenant, user: User | None, product_id: int, fields: ProductFields
) -> Product:
    product = Product.objects.select_for_update().get(tenant=tenant, pk=product_id)
    _validate(fields)
    for name, value in _columns(fields).items():
        setattr(product, name, value)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as error:
        raise ValidationError({"sku": f"A product with SKU {fields.sku!r} exists."}) from error
    price_record(product=product)  # a row only when a price changed
    audit_record(tenant=tenant, actor=user, action="product.updated", target=product)
    return product


@transaction.atomic
def product_delete(*, tenant: Tenant, user: User | None, product_id: int) -> None:
    product = Product.objects.get(tenant=tenant, pk=product_id)
    audit_record(
        tenant=tenant,
        actor=user,
        action="product.deleted",
        target=product,
        data={"sku": product.sku},
    )
    product.delete()  # photo files stay: assets rendered from them keep their receipts


@transaction.atomic
def product_photo_add(
    *, tenant: Tenant, user: User | None, product_id: int, image: IntakeResult
) -> ProductPhoto:
    """Attach an already validated image (see images.image_intake) as the product's next photo."""
    product = Product.objects.select_for_update().get(tenant=tenant, pk=product_id)
    count = ProductPhoto.objects.filter(tenant=tenant, product=product).count()
    if count >= MAX_PHOTOS_PER_PRODUCT:
        raise ValidationError(f"A product has at most {MAX_PHOTOS_PER_PRODUCT} photos.")
    key = storage.tenant_key(
        tenant.pk, "products", str(product.pk), f"{image.sha256[:32]}.{image.extension}"
    )
    stored = storage.store_once(key, image.data)
    photo = ProductPhoto.objects.create(
        tenant=tenant,
        product=product,
        file=stored,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        has_alpha=image.has_alpha,
        sha256=image.sha256,
        position=count,
    )
    audit_record(tenant=tenant, actor=user, action="product.photo_added", target=photo)
    return photo


@transaction.atomic
def product_photo_delete(*, tenant: Tenant, user: User | None, photo_id: int) -> None:
    photo = ProductPhoto.objects.get(tenant=tenant, pk=photo_id)
    audit_record(tenant=tenant, actor=user, action="product.photo_deleted", target=photo)
    photo.delete()


def _columns(fields: ProductFields) -> dict[str, Any]:
    return {
        "sku": fields.sku.strip(),
        "title": fields.title.strip(),
        "description": fields.description,
        "category": fields.category,
        "price": fields.price,
        "currency": fields.currency,
        "reference_price": fields.reference_price,
        "reference_price_basis": fields.reference_price_basis.strip(),
        "attributes": fields.attributes,
    }
