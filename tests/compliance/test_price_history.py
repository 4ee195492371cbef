import importlib
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from compliance import prices, selectors
from compliance.models import PriceRecord
from compliance.types import PriceFacts, Severity
from generation import catalog
from generation.models import Product
from tenants.context import tenant_scope
from tests.generation.factories import product
from tests.tenants.factories import TenantFactory, rows

pytestmark = pytest.mark.django_db

D = Decimal


def update(tenant, item: Product, **changes) -> Product:
    fields = {
        name: getattr(item, name)
        for name in (
            "sku", "title", "description", "category", "price", "currency", "reference_price",
            "reference_price_basis", "attributes",
        )
    }  # fmt: skip
    fields.update(changes)
    with tenant_scope(tenant.pk):
        return catalog.product_update(
            tenant=tenant,
            user=None,
            product_id=item.pk,
            fields=catalog.ProductFields(**fields),
        )


def history(tenant, item: Product) -> list[tuple[Decimal | None, Decimal | None]]:
    return [(r.price, r.reference_price) for r in rows(PriceRecord, tenant, product=item)]


def backdate(tenant, item: Product, *days_ago: int) -> None:
    """Move the product's records (oldest first) to `days_ago` days before now."""
    now = timezone.now()
    with tenant_scope(tenant.pk):
        records = list(PriceRecord.objects.filter(product=item).order_by("recorded_at", "pk"))
        assert len(records) == len(days_ago)
        for record, days in zip(records, days_ago, strict=True):
            PriceRecord.objects.filter(pk=record.pk).update(recorded_at=now - timedelta(days=days))


def facts(tenant, item: Product) -> PriceFacts:
    with tenant_scope(tenant.pk):
        fresh = Product.objects.get(pk=item.pk)
        return selectors.price_facts(tenant=tenant, product=fresh)


def test_a_new_product_records_its_prices():
    tenant = TenantFactory()

    item = product(tenant, price=D("199.00"), reference_price=D("259.00"),
                   reference_price_basis="前7日最低价")  # fmt: skip

    assert history(tenant, item) == [(D("199.00"), D("259.00"))]


def test_an_update_records_a_row_only_when_a_price_changes():
    tenant = TenantFactory()
    item = product(tenant, price=D("199.00"))

    item = update(tenant, item, title="新标题")
    item = update(tenant, item, price=D("179.00"))
    update(tenant, item, reference_price=D("199.00"), reference_price_basis="前7日最低价")

    assert history(tenant, item) == [
        (D("199.00"), None),
        (D("179.00"), None),
        (D("179.00"), D("199.00")),
    ]


def test_a_refused_update_records_nothing():
    tenant = TenantFactory()
    product(tenant, sku="TAKEN")
    item = product(tenant, sku="MINE", price=D("199.00"))

    with pytest.raises(ValidationError):
        update(tenant, item, sku="TAKEN", price=D("99.00"))

    assert history(tenant, item) == [(D("199.00"), None)]


def test_the_lowest_price_of_the_seven_days_before_today_counts_every_change():
    tenant = TenantFactory()
    item = product(tenant, price=D("199.00"))
    item = update(tenant, item, price=D("159.00"))
    item = update(tenant, item, price=D("189.00"))
    item = update(tenant, item, price=D("99.00"))  # today's promotion: not in the window
    backdate(tenant, item, 30, 5, 3, 0)

    assert facts(tenant, item).lowest_7_days == D("159.00")


def test_a_price_that_held_since_before_the_window_is_the_lowest():
    tenant = TenantFactory()
    item = product(tenant, price=D("199.00"))
    backdate(tenant, item, 8)

    assert facts(tenant, item) == PriceFacts(
        currency="CNY", price=D("199.00"), reference_price=None, lowest_7_days=D("199.00")
    )


@pytest.mark.parametrize("days_ago", [0, 3, 6])
def test_history_shorter_than_seven_days_verifies_nothing(days_ago):
    tenant = TenantFactory()
    item = product(tenant, price=D("199.00"))
    backdate(tenant, item, days_ago)

    assert facts(tenant, item).lowest_7_days is None


def test_a_period_without_a_price_does_not_lower_the_minimum():
    tenant = TenantFactory()
    item = product(tenant, price=None)
    item = update(tenant, item, price=D("120.00"))
    backdate(tenant, item, 10, 4)

    assert facts(tenant, item).lowest_7_days is None  # no price at the window's start


def test_the_product_reference_price_above_the_seven_day_low_blocks():
    tenant = TenantFactory()
    item = product(tenant, price=D("199.00"))
    item = update(tenant, item, price=D("159.00"))  # a sale three days ago
    item = update(tenant, item, price=D("149.00"), reference_price=D("199.00"),
                  reference_price_basis="原价")  # fmt: skip
    backdate(tenant, item, 10, 3, 0)

    [finding] = prices.product_price_findings(facts(tenant, item))

    assert (finding.rule, finding.severity, finding.match) == (
        prices.RULE_ABOVE_LOW, Severity.BLOCK, "CNY 199.00",
    )  # fmt: skip
    assert finding.reference == "《明码标价和禁止价格欺诈规定》第十六条、第十七条"
    assert "CNY 159.00" in finding.message


def test_a_reference_price_within_the_seven_day_low_is_fine():
    tenant = TenantFactory()
    item = product(tenant, price=D("199.00"))
    item = update(tenant, item, price=D("149.00"), reference_price=D("199.00"),
                  reference_price_basis="前7日最低价")  # fmt: skip
    backdate(tenant, item, 10, 0)

    assert prices.product_price_findings(facts(tenant, item)) == []


def test_an_unverifiable_reference_price_goes_to_review():
    tenant = TenantFactory()
    item = product(tenant, price=D("149.00"), reference_price=D("199.00"),
                   reference_price_basis="原价")  # fmt: skip

    [finding] = prices.product_price_findings(facts(tenant, item))

    assert (finding.rule, finding.severity) == (prices.RULE_UNVERIFIABLE, Severity.REVIEW)


def test_another_brands_price_history_is_invisible():
    mine, theirs = TenantFactory(), TenantFactory()
    their_product = product(theirs, price=D("10.00"))

    with tenant_scope(mine.pk):
        seen = list(selectors.price_history(tenant=mine, product=their_product))
        raw = PriceRecord.objects.filter(product_id=their_product.pk).count()

    assert (seen, raw) == ([], 0)


def test_the_backfill_dates_a_record_at_the_products_last_change_once():
    tenant = TenantFactory()
    item = product(tenant, price=D("88.00"))
    with tenant_scope(tenant.pk):
        PriceRecord.objects.filter(product=item).delete()
    backfill = importlib.import_module("compliance.migrations.0003_backfill_price_history").backfill

    state = MigrationExecutor(connection).loader.project_state(
        ("compliance", "0003_backfill_price_history")
    )

    with transaction.atomic():
        backfill(state.apps, SimpleNamespace(connection=connection))
        backfill(state.apps, SimpleNamespace(connection=connection))

    [record] = rows(PriceRecord, tenant, product=item)
    assert (record.price, record.recorded_at) == (D("88.00"), item.updated_at)


def test_only_a_new_products_first_price_record_can_be_dated_back():
    tenant = TenantFactory()
    item = product(tenant, price=Decimal("99.00"))
    with tenant_scope(tenant.pk):
        prices.price_history_backdate(product=item, days=30)
    [record] = rows(PriceRecord, tenant)
    assert timezone.now() - record.recorded_at > timedelta(days=29)

    update(tenant, item, price=Decimal("79.00"))
    with tenant_scope(tenant.pk), pytest.raises(ValueError, match="first price record"):
        prices.price_history_backdate(product=item, days=30)
    assert rows(PriceRecord, tenant)[0].recorded_at == record.recorded_at
