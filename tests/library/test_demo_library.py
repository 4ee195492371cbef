"""The demo brand's library: backgrounds, product cut-outs and a competitor bank, seeded by the
same command as its catalog, twice without doubling anything."""

import pytest
from django.core.management import call_command

from generation.models import Asset
from library.models import Bank, BankEntry
from tenants.models import Tenant
from tests.tenants.factories import rows

pytestmark = pytest.mark.django_db


def test_the_demo_brand_gets_a_searchable_library_and_a_bank_and_can_run_twice():
    call_command("seed_demo", email="demo@brandloom.test", password="brandloom-demo")

    call_command("seed_demo_catalog", tenant="demo")
    call_command("seed_demo_catalog", tenant="demo")

    demo = Tenant.objects.get(slug="demo")
    uploaded = rows(Asset, demo, origin=Asset.Origin.UPLOADED)
    assert len(uploaded) == 7  # four backdrops and props, three product cut-outs
    kinds = sorted(asset.kind for asset in uploaded)
    assert kinds.count("product") == 3 and kinds.count("background") == 3
    assert all(asset.colours and asset.search_document for asset in uploaded)
    assert all(asset.product_id for asset in uploaded if asset.kind == "product")
    (bank,) = rows(Bank, demo)
    assert [entry.kind for entry in rows(BankEntry, demo, bank=bank)] == ["text"]
