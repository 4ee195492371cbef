from django.db import migrations

from tenants import rls

TENANT_TABLES = (
    "creditaccount", "ledgerentry", "credithold", "balancenotice", "subscription",
    "stripecustomer", "checkoutsession", "creditpurchase",
)  # fmt: skip

# The ledger is history: no role, owner included, may rewrite or remove an entry. (TRUNCATE,
# which test databases use between tests, fires no row triggers.)
APPEND_ONLY = """
CREATE FUNCTION billing_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'billing_ledgerentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledgerentry_append_only BEFORE UPDATE OR DELETE ON billing_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION billing_ledger_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_plans_ledger_stripe")]

    operations = [
        *(rls.enable(f"billing_{model}") for model in TENANT_TABLES),
        migrations.RunSQL(
            APPEND_ONLY,
            reverse_sql=(
                "DROP TRIGGER IF EXISTS ledgerentry_append_only ON billing_ledgerentry;"
                "DROP FUNCTION IF EXISTS billing_ledger_append_only();"
            ),
        ),
    ]
