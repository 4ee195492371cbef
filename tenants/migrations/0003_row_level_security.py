from django.db import migrations

from tenants import rls


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_brands_members_keys_audit")]

    operations = [
        rls.enable("tenants_membership"),
        rls.allow_own_rows("tenants_membership"),
        rls.enable("tenants_invitation"),
        rls.enable("tenants_apikey"),
        rls.enable("tenants_auditevent"),
    ]
