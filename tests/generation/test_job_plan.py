import pytest

from generation import brand_kits, jobs
from generation.models import Job, Render
from tenants.context import tenant_scope
from tests.tenants.factories import TenantFactory, rows

from .factories import job

pytestmark = pytest.mark.django_db


def plan(tenant, queued: Job) -> list[int]:
    with tenant_scope(tenant.pk):
        return jobs.job_plan(tenant_id=tenant.pk, job_id=queued.pk)


def test_planning_writes_one_render_per_channel_and_variant_with_distinct_headlines():
    tenant = TenantFactory()
    queued = job(tenant, channels=("live_1080x1920", "main_800x800"), variants=5, seed=3)

    render_ids = plan(tenant, queued)

    renders = rows(Render, tenant, job=queued)
    assert sorted(render_ids) == [r.pk for r in renders]
    assert sorted((r.channel, r.variant) for r in renders) == [
        (channel, variant) for channel in ("live_1080x1920", "main_800x800") for variant in range(5)
    ]
    assert {(r.width, r.height) for r in renders} == {(1080, 1920), (800, 800)}
    assert len({r.copy["headline"] for r in renders}) == 5
    assert rows(Job, tenant)[0].status == Job.Status.RUNNING


def test_planning_twice_is_a_no_op():
    tenant = TenantFactory()
    queued = job(tenant, variants=2)
    plan(tenant, queued)

    assert plan(tenant, queued) == []
    assert len(rows(Render, tenant, job=queued)) == 2


def test_preferred_layouts_apply_only_to_channels_of_their_shape():
    tenant = TenantFactory()
    with tenant_scope(tenant.pk):
        brand_kits.brand_kit_update(
            tenant=tenant,
            user=None,
            changes=brand_kits.BrandKitChanges(preferred_layouts=["tall_split"]),
        )
    queued = job(tenant, channels=("live_1080x1920", "main_800x800"), variants=2)

    plan(tenant, queued)

    layouts = {(r.channel, r.layout) for r in rows(Render, tenant, job=queued)}
    assert layouts == {("live_1080x1920", "tall_split"), ("main_800x800", "")}


def test_an_unknown_preferred_layout_is_refused():
    tenant = TenantFactory()

    with tenant_scope(tenant.pk), pytest.raises(Exception) as refused:
        brand_kits.brand_kit_update(
            tenant=tenant,
            user=None,
            changes=brand_kits.BrandKitChanges(preferred_layouts=["hexagon"]),
        )

    assert "Unknown layout hexagon" in str(refused.value)
