"""The SimHash of each render's headline alone, and a backfill of the renders hashed before.

The copy gate of the pipeline's image check compared whole copies (host line and social post
included), which a poster does not show: posters with other headlines passed as the same
copy. Rerunnable: rows with a headline hash are skipped. Batched by primary key.
"""

import pgvector.django.bit
from django.db import migrations

BATCH = 1000


def backfill(apps, schema_editor):
    from library import copy_hashes
    from tenants.context import unscoped

    CopyHash = apps.get_model("library", "CopyHash")
    Render = apps.get_model("generation", "Render")
    # Every brand's rows, once.
    with unscoped(reason="library 0003: hash the headlines of renders hashed before"):
        last_pk = 0
        while True:
            batch = list(
                CopyHash.objects.filter(pk__gt=last_pk, render__isnull=False, headline__isnull=True)
                .order_by("pk")
                .values_list("pk", "render_id")[:BATCH]
            )
            if not batch:
                break
            copies = dict(
                Render.objects.filter(pk__in=[render_id for _, render_id in batch]).values_list(
                    "pk", "copy"
                )
            )
            for pk, render_id in batch:
                text = copy_hashes.headline_text(copies.get(render_id) or {})
                CopyHash.objects.filter(pk=pk).update(headline=copy_hashes.simhash(text))
            last_pk = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_row_level_security"),
        ("generation", "0006_asset_library_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="copyhash",
            name="headline",
            field=pgvector.django.bit.BitField(length=64, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
