from django.contrib.postgres.operations import BtreeGistExtension, CreateExtension, TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """The PostgreSQL extensions the platform relies on: pgvector (fingerprints, similarity),
    pg_trgm (library search) and btree_gist (exclusion constraints)."""

    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [
        CreateExtension("vector"),
        TrigramExtension(),
        BtreeGistExtension(),
    ]
