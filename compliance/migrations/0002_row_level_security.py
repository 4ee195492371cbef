from django.db import migrations

from tenants import rls

TENANT_TABLES = (
    "claimevidence", "customrule", "pricerecord", "reviewitem", "moderationcase",
    "compliancedecision", "findingrecord",
)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_evidence_rules_prices_reviews_moderation")]

    operations = [rls.enable(f"compliance_{model}") for model in TENANT_TABLES]
