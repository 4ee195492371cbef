"""The labelling settings a brand chooses (copy label position), the system checks that keep an
installation's labelling lawful, and the retention of the unlabelled-export log."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from generation.models import Render
from provenance import services
from provenance.checks import labelling_settings_are_lawful
from provenance.models import UnlabelledExport
from provenance.text_label import label_text, labelled_copy
from tenants.context import tenant_scope
from tests.compliance.factories import CLEAN_SCRIPT, rendered
from tests.tenants.factories import TenantFactory, UserFactory, api_key, member, rows

pytestmark = pytest.mark.django_db


def test_the_copy_label_goes_at_the_chosen_end_and_only_once():
    assert label_text("好物推荐", language="zh", position="end") == "好物推荐【AI生成】"
    assert label_text("Glow all day", language="en", position="start") == (
        "[AI-generated]Glow all day"
    )
    assert label_text("【AI生成】已标注", language="zh", position="end") == "【AI生成】已标注"
    assert label_text("  ", language="zh", position="end") == "  "
    copy = {"headline": "水光精华", "social_post": "今晚直播", "bullets": ["补水"]}
    assert labelled_copy(copy, language="zh", position="start") == {
        "headline": "水光精华",
        "social_post": "【AI生成】今晚直播",
        "bullets": ["补水"],
    }


def test_the_job_assets_api_labels_published_copy_where_the_brand_chose():
    tenant = TenantFactory()
    owner = member(tenant).user
    job = rendered(tenant, CLEAN_SCRIPT, variants=1)
    _row, key = api_key(tenant, scopes=["assets:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    first = client.get(f"/api/v1/jobs/{job.pk}/assets").json()["results"][0]
    with tenant_scope(tenant.pk):
        services.provenance_settings_update(
            tenant=tenant, actor=owner, copy_label_position="start", public_disclosure=False
        )
    second = client.get(f"/api/v1/jobs/{job.pk}/assets").json()["results"][0]

    post = first["copy"]["social_post"]
    assert post and "【AI生成】" not in post
    assert first["copy_labelled"]["social_post"] == f"{post}【AI生成】"
    assert second["copy_labelled"]["social_post"] == f"【AI生成】{post}"
    assert second["copy_labelled"]["headline"] == first["copy"]["headline"]


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"APP_UNLABELLED_EXPORT_LOG_DAYS": 90}, "provenance.E001"),
        ({"APP_WATERMARK_INSTALLATION_ID": 70_000}, "provenance.E002"),
        ({"APP_AIGC_PROVIDER_CODE": " "}, "provenance.E003"),
        ({"APP_C2PA_CERT_CHAIN": "/nowhere/chain.pem"}, "provenance.E004"),
        (
            {"APP_C2PA_CERT_CHAIN": "/nowhere/c.pem", "APP_C2PA_PRIVATE_KEY": "/nowhere/k"},
            "provenance.E005",
        ),
    ],
)
def test_unlawful_or_broken_labelling_settings_stop_the_installation(settings, overrides, check_id):
    assert labelling_settings_are_lawful() == []
    for name, value in overrides.items():
        setattr(settings, name, value)

    assert check_id in {problem.id for problem in labelling_settings_are_lawful()}


def test_the_unlabelled_export_log_is_kept_for_the_retention_period(settings):
    settings.APP_UNLABELLED_EXPORT_LOG_DAYS = 183
    tenant = TenantFactory()
    user = UserFactory()
    member(tenant, user=user)
    job = rendered(tenant, CLEAN_SCRIPT, variants=1)
    render = rows(Render, tenant, job=job)[0]
    with tenant_scope(tenant.pk):
        acceptance = services.labelling_duty_accept(
            tenant=tenant, user=user, ip_address="203.0.113.9", user_agent="pytest"
        )
        now = timezone.now()
        for age in (30, 182, 184, 400):
            UnlabelledExport.objects.create(
                tenant=tenant,
                asset_id=render.asset_id,
                acceptance=acceptance,
                user=user,
                sha256="0" * 64,
                created_at=now - timedelta(days=age),
            )

    call_command("purge_unlabelled_export_log", stdout=None)

    kept = rows(UnlabelledExport, tenant)
    assert sorted((now - row.created_at).days for row in kept) == [30, 182]
