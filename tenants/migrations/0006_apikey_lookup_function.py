from django.db import migrations

# One round trip per API request instead of three: the function's first statement opens the
# apikey_lookup_by_prefix policy for this prefix (transaction-local), the second reads the row.
# Statements of a SQL function run in order, and the function runs with the caller's rights
# (not SECURITY DEFINER), so row-level security applies exactly as for a plain query.
CREATE = """
CREATE FUNCTION tenants_apikey_by_prefix(lookup_prefix text)
RETURNS SETOF tenants_apikey
LANGUAGE sql VOLATILE
AS $$
    SELECT set_config('app.api_key_prefix', lookup_prefix, true);
    SELECT * FROM tenants_apikey WHERE prefix = lookup_prefix;
$$
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_user_profile_email_verification")]

    operations = [
        migrations.RunSQL(
            sql=CREATE, reverse_sql="DROP FUNCTION IF EXISTS tenants_apikey_by_prefix(text)"
        ),
    ]
