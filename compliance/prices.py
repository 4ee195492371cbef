"""Price history per product, and the check of a product's own crossed-out price.

《明码标价和禁止价格欺诈规定》 Art. 16–17: a promotion that shows a comparison price (原价, 划线价)
must not show one above the lowest transaction price of the 7 days before it. The catalog records
a row each time a product is created or its prices change, in the same transaction, and the
check reads that history (`selectors.price_facts`). A comparison price the history cannot verify
(less than 7 days of history) is a finding too: it cannot be shown to be lawful.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from generation.models import Product

from .models import PriceRecord
from .types import Finding, PriceFacts, Severity

PRICE_REFERENCE = "《明码标价和禁止价格欺诈规定》第十六条、第十七条"
RULE_ABOVE_LOW = "price.product_reference_above_7_day_low"
RULE_UNVERIFIABLE = "price.product_reference_unverifiable"
FIELD = "product.reference_price"  # where these findings point: the product, not the text


def price_record(*, product: Product) -> PriceRecord | None:
    """Record the product's prices if they differ from its last record; None when unchanged.

    Called by the catalog's create and update services inside their transaction (the product
    row is locked by the update), so the history never misses a change and never splits one.
    """
    last = (
        PriceRecord.objects.filter(tenant_id=product.tenant_id, product=product)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    current = (product.price, product.reference_price, product.currency)
    if last is not None and (last.price, last.reference_price, last.currency) == current:
        return None
    return PriceRecord.objects.create(
        tenant_id=product.tenant_id,
        product=product,
        price=product.price,
        reference_price=product.reference_price,
        currency=product.currency,
        recorded_at=timezone.now(),
    )


def price_history_backdate(*, product: Product, days: int) -> None:
    """Date a new product's price records `days` back: a catalog that sold at these prices
    before it came to Brandloom (the demo brand; imports). Refused once the product has a
    history of its own, so no real record is ever rewritten."""
    records = PriceRecord.objects.filter(tenant_id=product.tenant_id, product=product)
    if records.count() != 1:
        raise ValueError("Only a product's first price record can be dated back.")
    records.update(recorded_at=timezone.now() - timedelta(days=days))


def _money(value: Decimal, currency: str) -> str:
    return f"{currency} {value:.2f}"


def product_price_findings(facts: PriceFacts | None) -> list[Finding]:
    """Findings about the product's own reference price (shown struck through on posters).

    Above the 7-day low → block (rewriting the copy cannot fix a product field); history
    shorter than 7 days → review (a person must vouch for the comparison price).
    """
    if facts is None or facts.reference_price is None:
        return []
    shown = _money(facts.reference_price, facts.currency)
    if facts.lowest_7_days is None:
        return [
            Finding(
                rule=RULE_UNVERIFIABLE,
                family="price",
                match=shown,
                start=0,
                end=0,
                severity=Severity.REVIEW,
                reference=PRICE_REFERENCE,
                suggestion="",
                message=(
                    f"The product's reference price {shown} cannot be verified: its price "
                    "history does not cover the 7 days before today."
                ),
            )
        ]
    if facts.reference_price > facts.lowest_7_days:
        low = _money(facts.lowest_7_days, facts.currency)
        return [
            Finding(
                rule=RULE_ABOVE_LOW,
                family="price",
                match=shown,
                start=0,
                end=0,
                severity=Severity.BLOCK,
                reference=PRICE_REFERENCE,
                suggestion="",
                message=(
                    f"The product's reference price {shown} is above its lowest price of the "
                    f"7 days before today ({low}); lower it to {low} or remove it."
                ),
            )
        ]
    return []
