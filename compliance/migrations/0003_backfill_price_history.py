"""One price record per product that has none, dated at the product's last change.

Products created before the history existed have held their current prices at least since
their `updated_at` (any earlier price change also updated it), so that date is a safe lower
bound for how long the current prices are known. Rerunnable: products with a record are
skipped. Batched by primary key.
"""

from django.db import migrations

BATCH = 1000


def backfill(apps, schema_editor):
    Product = apps.get_model("generation", "Product")
    PriceRecord = apps.get_model("compliance", "PriceRecord")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        # Every brand's rows, once: the policy lets this transaction see and write them all.
        cursor.execute("SELECT set_config('app.bypass_rls', 'on', true)")
    last_pk = 0
    while True:
        batch = list(
            Product.objects.filter(pk__gt=last_pk)
            .exclude(pk__in=PriceRecord.objects.values("product_id"))
            .order_by("pk")[:BATCH]
        )
        if not batch:
            break
        PriceRecord.objects.bulk_create(
            PriceRecord(
                tenant_id=product.tenant_id,
                product_id=product.pk,
                price=product.price,
                reference_price=product.reference_price,
                currency=product.currency,
                recorded_at=product.updated_at,
            )
            for product in batch
        )
        last_pk = batch[-1].pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.bypass_rls', '', true)")


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_row_level_security")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
