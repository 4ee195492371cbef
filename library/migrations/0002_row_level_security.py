from django.db import migrations

from tenants import rls

TENANT_TABLES = (
    "bank", "bankentry", "imagehash", "copyhash", "uploadbatch", "uploaditem", "assetembedding",
)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("library", "0001_fingerprints_banks_uploads")]

    operations = [rls.enable(f"library_{model}") for model in TENANT_TABLES]
