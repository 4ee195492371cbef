"""A library image as a job's background or style reference: from its page to the Generate
form, through the API, into the posters."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from generation.models import Asset, Job, Render
from library import ingest
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.compliance.factories import CLEAN_SCRIPT, fresh, rendered
from tests.tenants.factories import TenantFactory, api_key, member, rows

from .pictures import encoded, picture

pytestmark = pytest.mark.django_db

KEY = "web-" + "b" * 32


def library_image(tenant, colour=(30, 120, 70)):
    with tenant_scope(tenant.pk):
        return ingest.library_image_add(
            tenant_id=tenant.pk, data=encoded(picture(7, colour=colour)), name="森林绿.jpg",
            kind="background",
        ).asset  # fmt: skip


def logged_in(tenant) -> Client:
    client = Client()
    client.force_login(member(tenant, Role.EDITOR).user)
    return client


def test_the_generate_form_shows_the_picked_library_image_and_sends_it_with_the_job():
    tenant = TenantFactory()
    asset = library_image(tenant)
    client = logged_in(tenant)

    page = client.get(f"/generate/?reference={asset.pk}")
    assert page.status_code == 200
    assert "森林绿.jpg" in page.text and 'name="reference_use"' in page.text

    response = client.post(
        "/generate/",
        {
            "script": CLEAN_SCRIPT, "channels": ["main_800x800"], "variants": "1",
            "lane": "interactive", "output_format": "jpeg", "idempotency_key": KEY,
            "reference": str(asset.pk), "reference_use": "style",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.content
    (job,) = rows(Job, tenant)
    assert (job.reference_asset_id, job.reference_use) == (asset.pk, "style")


def test_another_brands_image_cannot_be_the_reference():
    tenant, other = TenantFactory(), TenantFactory()
    theirs = library_image(other)

    assert logged_in(tenant).get(f"/generate/?reference={theirs.pk}").status_code == 404
    _row, key = api_key(tenant, scopes=("jobs:write", "jobs:read"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post(
        "/api/v1/jobs",
        {"script": CLEAN_SCRIPT, "channels": ["main_800x800"], "variants": 1,
         "reference_asset_id": theirs.pk},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "reference_asset_id" in response.json()["error"]["details"]
    assert rows(Job, tenant) == []


def test_a_style_reference_sets_the_palette_and_a_background_reference_the_backdrop():
    tenant = TenantFactory()
    green = library_image(tenant)
    plain = rendered(tenant, CLEAN_SCRIPT, channels=("main_800x800",), variants=1, seed=5)
    styled = rendered(
        tenant, CLEAN_SCRIPT, channels=("main_800x800",), variants=1, seed=5,
        reference_asset_id=green.pk, reference_use="style",
    )  # fmt: skip
    backdrop = rendered(
        tenant, CLEAN_SCRIPT, channels=("main_800x800",), variants=1, seed=5,
        reference_asset_id=green.pk, reference_use="background",
    )  # fmt: skip

    assets = [
        fresh(tenant, Asset, rows(Render, tenant, job=job)[0].asset_id)
        for job in (plain, styled, backdrop)
    ]
    assert len({asset.pk for asset in assets}) == 3  # three different posters
    # The style reference's colours became the poster's: its dominant swatch is green-ish.
    top = assets[1].colours[0]["lab"]
    assert top[1] < -5  # CIE a*: negative is green
    assert assets[0].colours[0]["lab"][1] > -5
