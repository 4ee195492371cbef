from django.db import migrations

from tenants import rls

TENANT_TABLES = ("provenancesettings", "labellingdutyacceptance", "unlabelledexport")


class Migration(migrations.Migration):
    dependencies = [("provenance", "0001_settings_acceptances_unlabelled_exports")]

    operations = [rls.enable(f"provenance_{model}") for model in TENANT_TABLES]
