from django.db import migrations

from tenants import rls


class Migration(migrations.Migration):
    dependencies = [("generation", "0001_catalog_jobs_renders_assets")]

    operations = [
        rls.enable(f"generation_{model}")
        for model in ("brandkit", "product", "productphoto", "asset", "job", "render")
    ]
