"""The launch plans, operation prices and credit packs (staff edit them in the admin).

Stripe price ids are left empty: each installation creates its own prices in Stripe and staff
enter their ids; Checkout refuses a plan or pack that has none.
"""

from decimal import Decimal

from django.db import migrations

PLANS = [
    dict(code="free", name="Free", price_cents=0, monthly_credits=Decimal(50), seats=1,
         api_access=False, max_resolution="standard", priority_lane=False, custom_rules=False,
         brand_kits=1, api_rate_limit="", sort_order=0),
    dict(code="pro", name="Pro", price_cents=2999, monthly_credits=Decimal(500), seats=3,
         api_access=False, max_resolution="hd", priority_lane=True, custom_rules=False,
         brand_kits=1, api_rate_limit="", sort_order=1),
    dict(code="team", name="Team", price_cents=9999, monthly_credits=Decimal(2000), seats=10,
         api_access=True, max_resolution="hd", priority_lane=True, custom_rules=True,
         brand_kits=5, api_rate_limit="600/min", sort_order=2),
]  # fmt: skip
PRICES = {"image_standard": Decimal(1), "image_hd": Decimal(2), "image_hosted": Decimal(4)}
PACKS = [
    dict(code="pack-200", name="200 credits", credits=Decimal(200), price_cents=1499),
    dict(code="pack-1000", name="1,000 credits", credits=Decimal(1000), price_cents=5999),
]


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    OperationPrice = apps.get_model("billing", "OperationPrice")
    CreditPack = apps.get_model("billing", "CreditPack")
    for plan in PLANS:
        Plan.objects.get_or_create(code=plan["code"], defaults=plan)
    for operation, credits in PRICES.items():
        OperationPrice.objects.get_or_create(operation=operation, defaults={"credits": credits})
    for pack in PACKS:
        CreditPack.objects.get_or_create(code=pack["code"], defaults=pack)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_row_level_security_and_append_only_ledger")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
