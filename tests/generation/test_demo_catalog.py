import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from PIL import Image

from compliance.prices import product_price_findings
from compliance.selectors import price_facts
from generation import storage
from generation.models import BrandKit, Product, ProductPhoto
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.tenants.factories import rows

pytestmark = pytest.mark.django_db


def test_the_demo_brand_gets_its_kit_and_products_with_cut_outs_and_can_run_twice():
    call_command("seed_demo", email="demo@brandloom.test", password="brandloom-demo")

    call_command("seed_demo_catalog", tenant="demo")
    call_command("seed_demo_catalog", tenant="demo")

    demo = Tenant.objects.get(slug="demo")
    products = rows(Product, demo)
    photos = rows(ProductPhoto, demo)
    assert sorted(p.sku for p in products) == ["LM-AA-120", "LM-HA-30", "LM-NIA-10"]
    assert len(photos) == 3
    assert all(photo.has_alpha for photo in photos)
    image = Image.open(io.BytesIO(storage.read_bytes(photos[0].file.name)))
    assert image.mode == "RGBA"
    assert [kit.version for kit in rows(BrandKit, demo)] == [1, 2]
    serum = next(p for p in products if p.sku == "LM-HA-30")
    assert serum.reference_price_basis == "前30日最低价"
    # A month at 299 before today's 199: the crossed-out price is verifiable and lawful.
    with tenant_scope(demo.pk):
        facts = price_facts(tenant=demo, product=serum)
    assert (facts.price, facts.reference_price, facts.lowest_7_days) == (
        Decimal("199.00"),
        Decimal("299.00"),
        Decimal("299.00"),
    )
    assert product_price_findings(facts) == []


def test_an_unknown_brand_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No brand has the slug 'nope'"):
        call_command("seed_demo_catalog", tenant="nope")
