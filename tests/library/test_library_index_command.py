"""`manage.py library_index` indexes assets stored before the library existed."""

import pytest
from django.core.management import call_command

from generation.models import Asset, Render
from library.models import ImageHash
from tenants.context import tenant_scope
from tests.compliance.factories import CLEAN_SCRIPT, fresh, rendered
from tests.tenants.factories import TenantFactory, rows

pytestmark = pytest.mark.django_db


def test_assets_without_hashes_get_them_and_a_second_run_does_nothing(capsys):
    tenant = TenantFactory()
    job = rendered(tenant, CLEAN_SCRIPT, channels=("main_800x800",), variants=1, seed=3)
    (render,) = rows(Render, tenant, job=job)
    with tenant_scope(tenant.pk):  # as stored before the library: no hashes, no colours
        ImageHash.objects.filter(asset_id=render.asset_id).delete()
        Asset.objects.filter(pk=render.asset_id).update(colours=[], search_document="")

    call_command("library_index")
    call_command("library_index")

    assert {h.kind for h in rows(ImageHash, tenant, asset_id=render.asset_id)} == {"pdq", "c80"}
    asset = fresh(tenant, Asset, render.asset_id)
    assert asset.colours and asset.search_document
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Indexed 1 assets") and out[1].startswith("Indexed 0 assets")
