from django.db import migrations


class Migration(migrations.Migration):
    """Let an API key's row be read by its prefix before its tenant is known.

    The request that presents a key sets `app.api_key_prefix` (transaction-local) right before
    the lookup; the row with that prefix, and no other, becomes readable. Writes still need
    `tenant_isolation`.
    """

    dependencies = [("tenants", "0003_row_level_security")]

    operations = [
        migrations.RunSQL(
            sql=(
                'CREATE POLICY apikey_lookup_by_prefix ON "tenants_apikey" FOR SELECT '
                "USING (prefix = NULLIF(current_setting('app.api_key_prefix', true), ''))"
            ),
            reverse_sql='DROP POLICY IF EXISTS apikey_lookup_by_prefix ON "tenants_apikey"',
        ),
    ]
