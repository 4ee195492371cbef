"""Brands past APP_LIBRARY_EXACT_SEARCH_MAX_IMAGES are searched through the HNSW index with
iterative scans: on a small library it finds what the exact scan finds."""

import pytest
from django.core.cache import cache

from generation.models import Asset
from library import fingerprints, image_hashes, ingest
from tenants.context import tenant_scope
from tests.tenants.factories import TenantFactory

from .pictures import cropped, encoded, picture

pytestmark = pytest.mark.django_db


def test_the_hnsw_regime_finds_the_same_near_duplicates_as_the_exact_scan(settings):
    tenant, other = TenantFactory(), TenantFactory()
    original = picture(71)
    with tenant_scope(other.pk):  # the same picture in another brand is never a match
        ingest.library_image_add(tenant_id=other.pk, data=encoded(original), name="theirs.jpg")
    with tenant_scope(tenant.pk):
        for seed, name in ((71, "hero.jpg"), (72, "b.jpg"), (73, "c.jpg")):
            ingest.library_image_add(tenant_id=tenant.pk, data=encoded(picture(seed)), name=name)
        hero = Asset.objects.get(tenant=tenant, name="hero.jpg")
        query = image_hashes.query_signature(cropped(original, 0.05))

        settings.APP_LIBRARY_EXACT_SEARCH_MAX_IMAGES = 50_000
        cache.clear()  # the regime reads a cached image count
        exact = fingerprints.nearest(tenant_id=tenant.pk, query=query, limit=3)
        settings.APP_LIBRARY_EXACT_SEARCH_MAX_IMAGES = 0
        cache.clear()
        approximate = fingerprints.nearest(tenant_id=tenant.pk, query=query, limit=3)

    assert exact[0].asset_id == hero.pk and exact[0].duplicate
    assert approximate == exact
