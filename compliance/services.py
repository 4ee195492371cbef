"""Checking a text for a brand: what the check API, the dashboard's check page and the pipeline's
review edits share. The other writes live in their own modules: evidence, custom_rules, prices
(price history), pipeline (the job's copy), review (the brand's queue), moderation (staff)."""

from dataclasses import replace

from generation.models import Product
from tenants.models import Tenant

from . import checker
from .prices import product_price_findings
from .selectors import brand_context
from .types import CheckResult, verdict_of


def text_check(
    *,
    tenant: Tenant,
    text: str,
    lang: str | None = None,
    category: str | None = None,
    product: Product | None = None,
) -> CheckResult:
    """Check `text` with the brand's banned words, allowed phrases and evidence; with a
    `product`, also its comparison prices against its 7-day history and its own reference price
    (those findings point at the product: offsets 0–0). `category` defaults to the product's.

    Raises checker.TextRefused for an empty or too long text. Writes nothing.
    """
    context = brand_context(tenant=tenant, product=product)
    if not category and product is not None:
        category = product.category or None
    result = checker.check_text(text, lang=lang, category=category, context=context)
    price = product_price_findings(context.prices)
    if not price:
        return result
    return replace(
        result,
        findings=(*result.findings, *price),
        verdict=verdict_of((*result.findings, *price)),
    )
